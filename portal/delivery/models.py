from __future__ import annotations

from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def private_storage():
    return storages["private"]


class OutboxMessage(models.Model):
    """One AS4 UserMessage we send: its exact bytes, fixed once, and the story of its delivery."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent, waiting for the receipt")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        WAITING_FOR_RETRY = "waiting_for_retry", _("waiting for retry")
        FAILED = "failed", _("failed")

    message_id = models.CharField(max_length=255, unique=True)
    pmode = models.CharField(max_length=100)
    partner = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=1000, help_text=_("where it is posted, fixed when built"))
    partner_certificate = models.TextField(
        help_text=_("PEM: encrypted for it; the receipt must be signed by it")
    )
    service = models.CharField(max_length=255)
    action = models.CharField(max_length=255)
    conversation_id = models.CharField(max_length=255, blank=True)
    reference = models.CharField(
        max_length=255, blank=True, db_index=True, help_text=_("the caller's own key, opaque to delivery")
    )
    content_type = models.CharField(max_length=500)
    body = models.FileField(storage=private_storage, upload_to="delivery/outbox/", max_length=255)
    body_sha256 = models.CharField(max_length=64)
    body_size = models.PositiveBigIntegerField()

    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField()
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_code = models.CharField(max_length=20, blank=True)

    handed_over_at = models.DateTimeField(
        null=True, blank=True, help_text=_("when another access point (Domibus) accepted it for sending")
    )
    remote_status = models.CharField(
        max_length=40, blank=True, help_text=_("the status that access point last reported")
    )

    receipt = models.BinaryField(null=True, blank=True, help_text=_("the verified receipt, as received"))
    receipt_content_type = models.CharField(max_length=500, blank=True)
    receipt_message_id = models.CharField(max_length=255, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing AS4 message")

    def __str__(self) -> str:
        return f"{self.message_id} -> {self.partner} ({self.state})"


class DeliveryAttempt(models.Model):
    """One HTTP attempt of an outbox message: what was posted (by digest) and what came back."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    body_sha256 = models.CharField(max_length=64)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20)  # a State value
    error_code = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.message_id}: {self.outcome}"


class InboxMessage(models.Model):
    """One AS4 UserMessage we accepted; stored once, whatever the number of retries."""

    message_id = models.CharField(max_length=255, unique=True)
    pmode = models.CharField(max_length=100)
    from_party = models.CharField(max_length=255)
    to_party = models.CharField(max_length=255)
    service = models.CharField(max_length=255)
    action = models.CharField(max_length=255)
    conversation_id = models.CharField(max_length=255, blank=True)
    signer = models.CharField(max_length=1000)
    content_type = models.CharField(max_length=500)
    raw = models.FileField(storage=private_storage, upload_to="delivery/inbox/", max_length=255)
    receipt = models.BinaryField(help_text=_("the signed receipt we answered with"))
    receipt_content_type = models.CharField(max_length=500)
    received_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.CharField(max_length=255, blank=True)
    handler_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("received AS4 message")

    def __str__(self) -> str:
        return f"{self.message_id} from {self.from_party}"


class InboxPayload(models.Model):
    message = models.ForeignKey(InboxMessage, on_delete=models.CASCADE, related_name="payloads")
    content_id = models.CharField(max_length=255, blank=True)
    mime_type = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=private_storage, upload_to="delivery/inbox/", max_length=255)

    class Meta:
        ordering = ["message", "pk"]

    def __str__(self) -> str:
        return f"{self.content_id} ({self.mime_type}, {self.size} bytes)"
