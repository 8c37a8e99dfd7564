"""Writes of the signing block."""

from __future__ import annotations

import hashlib
from datetime import datetime

from .models import StoredValidationReport
from .report import ValidationReport
from .trust import TrustContext
from .validation import validate


def validate_and_store(
    data: bytes, filename: str, *, at: datetime | None = None, trust: TrustContext | None = None
) -> tuple[ValidationReport, StoredValidationReport]:
    report = validate(data, filename, at=at, trust=trust)
    stored = StoredValidationReport.objects.create(
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        indication=str(report.indication),
        validation_time=at,
        report=report.as_dict(),
    )
    return report, stored
