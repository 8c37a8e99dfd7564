from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
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
    # The company (or other legal person) the owner applies for, frozen when the dossier starts, as the
    # procedure definitions are: editing or removing it in the profile later does not change the dossier.
    # Empty: the owner applies in their own name.
    on_behalf_of = models.JSONField(default=dict, blank=True, editable=False)

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
    # The rendered application PDF (``pdf.application_pdf``): rendered once per set of inputs and kept in
    # storages["private"], so every reader (download, signing, a delivery retry) gets identical bytes.
    pdf_name = models.CharField(max_length=255, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    pdf_inputs_sha256 = models.CharField(
        max_length=64, blank=True, editable=False, help_text="answers, snapshot, language, template version"
    )
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, editable=False)

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


def private_storage():
    # referenced by migration 0005 (the submission package's container, now in portal.submissions)
    return storages["private"]


class ApplicantNotification(models.Model):
    """The checkpoint of an e-mail to the applicant: at most one per application and key ("delivered",
    "received", "information_requested:<message id>", "decided", ...), so a repeated signal, a retried
    task or a repeated action never mails again (``portal/dossiers/notifications.py``)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=100)
    # the state change that caused it, when there is one
    state_change = models.ForeignKey(
        StateChange, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # the queued e-mail's Message-ID (its OutgoingEmail row carries the same header)
    message_id = models.CharField(max_length=255)
    recipient = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="one_notification_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} e-mail for application {self.application_id} ({self.message_id})"


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
