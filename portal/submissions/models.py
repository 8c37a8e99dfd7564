from __future__ import annotations

from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def private_storage():
    return storages["private"]


class SubmissionPackage(models.Model):
    """What was sent for one application, and how far its delivery got: the checkpoints of the
    submission pipeline (``portal/submissions/services.py``). The container is built once and kept:
    every retry and resend sends these bytes."""

    class Transport(models.TextChoices):
        AS4 = "as4", _("eDelivery (AS4)")
        BACKOFFICE = "backoffice", _("portal back-office")

    application = models.OneToOneField(
        "dossiers.Application", on_delete=models.CASCADE, related_name="submission"
    )
    transport = models.CharField(max_length=20, choices=Transport.choices)
    channel = models.JSONField(help_text="the delivery channel of the application's snapshot")
    container = models.FileField(
        storage=private_storage, upload_to="dossiers/submissions/", max_length=255, blank=True
    )
    container_name = models.CharField(max_length=255, blank=True)
    container_sha256 = models.CharField(max_length=64, blank=True)
    container_size = models.PositiveBigIntegerField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    # the last problem of a step that is retried (sealing service down, delivery not configured...)
    last_error = models.TextField(blank=True)
    outbox_message = models.OneToOneField(
        "delivery.OutboxMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # AS4: the receipt is the outbox message's; back-office: the portal's own receipt record
    internal_receipt = models.JSONField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # the table the model had in the dossiers app: moved in state only, no data moved
        db_table = "dossiers_submissionpackage"
        ordering = ["application_id"]
        verbose_name = _("submission package")

    def __str__(self) -> str:
        return f"Submission of {self.application.public_id} over {self.transport}"
