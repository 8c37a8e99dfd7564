import uuid

from django.conf import settings
from django.db import models


class StoredValidationReport(models.Model):
    """A validation report kept as evidence: what was checked, when, and the verdict (JSON as exported)."""

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    indication = models.CharField(max_length=16)
    validated_at = models.DateTimeField(auto_now_add=True)
    validation_time = models.DateTimeField(null=True, blank=True, help_text="The --at time, if not now.")
    report = models.JSONField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who handed in the file (may see the report); none for system checks.",
    )

    class Meta:
        ordering = ["-validated_at"]

    def __str__(self) -> str:
        return f"{self.filename}: {self.indication}"


class SigningBatch(models.Model):
    """Several PDFs signed after ONE consent of the user at the QTSP (CSC ``numSignatures`` = N).

    Each PDF is still a :class:`SigningRequest` with its own result; the batch holds what they share:
    the consent (state, returned code) and the step that has the QTSP sign all N hashes at once."""

    class Status(models.TextChoices):
        AWAITING_CONSENT = "awaiting-consent", "awaiting the user's consent at the QTSP"
        REFUSED = "refused", "the user did not consent"
        AUTHORIZED = "authorized", "consented; the hashes are to be signed"
        SIGNING_HASHES = "signing-hashes", "the QTSP is signing the hashes"
        HASHES_SIGNED = "hashes-signed", "the QTSP signed every hash; the PDFs are being finished"
        FAILED = "failed", "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=128, unique=True, help_text="key_prefix and the attempt number.")
    key_prefix = models.CharField(max_length=100, db_index=True, help_text="Chosen by the caller.")
    content_sha256 = models.CharField(max_length=64, help_text="Of the PDFs' hashes and names, in order.")
    signer = models.CharField(max_length=64, help_text="The configured signer (SIGNING_SIGNERS).")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_CONSENT)
    consent_state = models.CharField(max_length=64, unique=True)
    consent_redirect_uri = models.CharField(max_length=500)
    consent_code = models.CharField(max_length=255, blank=True, help_text="Single use; cleared once used.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key} ({self.signer}): {self.status}"


class SigningRequest(models.Model):
    """One PDF of a :class:`SigningBatch` to sign, once (``key``: ``<batch>/<position>/<PDF SHA-256>``)."""

    class Status(models.TextChoices):
        AWAITING_CONSENT = "awaiting-consent", "awaiting the user's consent at the QTSP"
        PENDING = "pending", "pending"
        SIGNING = "signing", "signing"
        SIGNED = "signed", "signed"
        FAILED = "failed", "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=128, unique=True, help_text="Idempotency key chosen by the caller.")
    signer = models.CharField(max_length=64, help_text="The configured signer (SIGNING_SIGNERS).")
    filename = models.CharField(max_length=255)
    source_name = models.CharField(max_length=255, help_text='In storages["private"].')
    source_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The prepared PDF and signed attributes wait for the batch's consent; the QTSP's signature value
    # is then checkpointed in prepared_state. The consent_* fields were the single-PDF flow's (removed):
    # the batch holds the consent now.
    prepared_name = models.CharField(max_length=255, blank=True)
    prepared_state = models.JSONField(default=dict, blank=True)
    consent_state = models.CharField(max_length=64, blank=True, db_index=True)
    consent_redirect_uri = models.CharField(max_length=500, blank=True)
    consent_code = models.CharField(max_length=255, blank=True, help_text="Single use; cleared once used.")
    signed_name = models.CharField(max_length=255, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    report = models.ForeignKey(StoredValidationReport, null=True, blank=True, on_delete=models.PROTECT)
    error = models.TextField(blank=True)
    batch = models.ForeignKey(
        SigningBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    batch_position = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.signer}): {self.status}"
