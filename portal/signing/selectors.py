"""Reads of the signing block."""

from __future__ import annotations

from .models import StoredValidationReport


def reports_for_file(sha256: str):
    return StoredValidationReport.objects.filter(sha256=sha256)


def signing_request(request_id):
    from .models import SigningRequest

    return SigningRequest.objects.select_related("report").get(pk=request_id)
