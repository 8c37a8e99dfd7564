from django.db import models


class StoredValidationReport(models.Model):
    """A validation report kept as evidence: what was checked, when, and the verdict (JSON as exported)."""

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    indication = models.CharField(max_length=16)
    validated_at = models.DateTimeField(auto_now_add=True)
    validation_time = models.DateTimeField(null=True, blank=True, help_text="The --at time, if not now.")
    report = models.JSONField()

    class Meta:
        ordering = ["-validated_at"]

    def __str__(self) -> str:
        return f"{self.filename}: {self.indication}"
