import uuid

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker proved it can reach the broker and the database."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class OutgoingEmail(models.Model):
    """An e-mail the portal decided to send, stored before it is sent (see ``portal.core.mail``)."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    subject = models.CharField(max_length=255)
    recipients = models.JSONField()
    payload = models.JSONField(help_text="the whole message, Message-ID and Date included")
    state = models.CharField(max_length=16, choices=State, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)} ({self.state})"
