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


class ScanStatus(models.TextChoices):
    PENDING = "pending_scan", _("Waiting for the virus scan")
    CLEAN = "clean", _("Scanned: no virus found")
    NOT_SCANNED = "not_scanned", _("Not scanned: no virus scanner is configured")
    INFECTED = "infected", _("Refused: a virus was found, the file was deleted")


class VaultDocument(models.Model):
    """A document in its owner's eSafe: uploaded once, attachable to any of their dossiers.

    The file lives in ``storages["private"]`` under a random name; ``display_name`` is the sanitised
    name the user gave it, used only for display and downloads."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault_documents"
    )
    stored_name = models.CharField(max_length=255, blank=True)
    display_name = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # set when an image was turned into a PDF because the authority takes only PDF
    converted_from = models.CharField(max_length=100, blank=True)
    scan_status = models.CharField(max_length=16, choices=ScanStatus, default=ScanStatus.PENDING)
    scanned_by = models.CharField(max_length=32, blank=True)
    scan_result = models.CharField(max_length=255, blank=True, help_text="what the scanner said")
    scan_attempts = models.PositiveIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)
    signed = models.BooleanField(default=False, help_text="carries an electronic signature")
    validation_report = models.ForeignKey(
        "signing.StoredValidationReport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_type = models.CharField(_("kind of document"), max_length=100, blank=True)
    evidence_type_name = models.CharField(max_length=255, blank=True)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    issue_date = models.DateField(_("date of issue"), null=True, blank=True)
    expiry_date = models.DateField(_("valid until"), null=True, blank=True)
    language = models.CharField(_("language of the document"), max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_scan_status_display()})"

    @property
    def usable(self) -> bool:
        """May be attached to and sent with an application: it passed (or skipped) the scan."""
        return self.scan_status in (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)


class AttachedDocument(models.Model):
    """A vault document given as the evidence an application asks under ``concept``."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    concept = models.CharField(max_length=64)
    document = models.ForeignKey(VaultDocument, on_delete=models.PROTECT, related_name="attachments")
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attached_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "concept", "document"], name="document_attached_once_per_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document.display_name} for {self.concept}"
