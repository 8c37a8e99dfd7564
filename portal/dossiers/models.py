from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dossiers.states import ApplicationState, DossierState


class LifecycleRecord(models.Model):
    """What dossiers and applications share: a public id for URLs and a state only
    ``services.transition`` changes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name.capitalize()} {self.public_id} ({self.state})"


class Dossier(LifecycleRecord):
    """One entrepreneur's application file covering every procedure of their checklist."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers")
    language = models.CharField(_("language"), max_length=8)
    state = models.CharField(max_length=32, choices=DossierState, default=DossierState.DRAFT, editable=False)
    # {concept: answer}: a concept shared by several applications is stored once and reused by each
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("dossier")


class Application(LifecycleRecord):
    """One procedure of a dossier, addressed to its competent authority.

    ``procedure_snapshot`` freezes the procedure definition (form, evidence, authority, channel) when the
    dossier starts, so later catalogue edits never change what the entrepreneur is answering."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="applications")
    procedure_id = models.PositiveIntegerField(
        help_text="Wagtail page id of the procedure when the dossier started"
    )
    procedure_snapshot = models.JSONField(default=dict)
    state = models.CharField(
        max_length=32, choices=ApplicationState, default=ApplicationState.DRAFT, editable=False
    )
    # the signature of this application's PDF; its signed PDF and validation report live in signing
    signing_request = models.OneToOneField(
        "signing.SigningRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("application")


class StateChange(models.Model):
    """The transition history: who moved a dossier or one of its applications, when, and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="state_changes")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="state_changes"
    )
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    system_actor = models.CharField(
        max_length=64, blank=True, help_text="the process that made the change when no person did"
    )
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor__isnull=False) | ~models.Q(system_actor=""),
                name="state_change_has_an_actor",
            )
        ]

    def __str__(self) -> str:
        who = self.system_actor or f"user {self.actor_id}"
        return f"{self.from_state} → {self.to_state} by {who} at {self.at:%Y-%m-%d %H:%M}"


class ApplicationMessage(models.Model):
    """Correspondence about one application between its competent authority and the applicant:
    requests for more information, the applicant's replies and the authority's reasoned decision.

    It lives with the application (not in the back-office) because the applicant reads it, and because
    an authority with its own access point will send its decisions here too."""

    class Kind(models.TextChoices):
        INFORMATION_REQUEST = "information_request", _("Request for more information")
        INFORMATION_REPLY = "information_reply", _("Reply from the applicant")
        DECISION = "decision", _("Decision")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    body = models.TextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # the state change the message came with (a request moves the application to
    # more_information_requested, a decision to approved or refused)
    state_change = models.OneToOneField(
        StateChange, on_delete=models.PROTECT, null=True, blank=True, related_name="message"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message about an application")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on application {self.application_id} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def from_authority(self) -> bool:
        return self.kind != self.Kind.INFORMATION_REPLY
