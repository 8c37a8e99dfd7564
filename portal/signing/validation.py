"""The public entry point: ``validate(data, filename, at=..., trust=...)`` -> ValidationReport.

* **Format** (:func:`sniff_format`), from the content: ``%PDF-`` in the first KiB -> PAdES
  (``pades.py``); a ZIP -> ASiC (``asic.py``); text starting with ``<`` (after a BOM or blanks) -> XAdES
  (``xades.py``); DER (``0x30``) or PEM -> CAdES (``cades.py``); anything else is an error in the report.
  Inputs over :data:`MAX_INPUT_BYTES` are a structural failure, not read.
* **Never raises** for bad input: a validator that throws marks the report ``validator_crashed``.
* **Trust**: ``trust_store.default_trust()`` unless given; an unreadable cache is a warning and an empty
  context, and the context's own warnings (stale or failed lists) go into every report.
* **Online revocation** (``online``, default ``settings.SIGNING_VALIDATION_ONLINE``): OCSP responses and
  CRLs the file lacks are fetched through ``fetching.BoundedFetcherBackend`` (a timeout per request,
  ``SIGNING_REVOCATION_FETCH_TIMEOUT``, 10 MiB per answer, 50 requests per validation); each failure is a
  warning, and the signature then stays INDETERMINATE rather than passing on an unchecked status.
* **Overall result** (``ValidationReport.indication``): TOTAL_FAILED on a structural failure, with no
  signature (INDETERMINATE if the validator crashed) or when any signature failed; INDETERMINATE when any
  signature is indeterminate, there are errors or unsigned files; else TOTAL_PASSED.
"""

from __future__ import annotations

import dataclasses
import logging
import zipfile
from datetime import datetime
from io import BytesIO

from django.conf import settings

from .common import as_utc
from .fetching import DEFAULT_TIMEOUT_SECONDS, BoundedFetcherBackend, FetchLog
from .report import ValidationReport
from .trust import TrustContext

logger = logging.getLogger(__name__)

MAX_INPUT_BYTES = 200 * 1024 * 1024


def sniff_format(data: bytes, filename: str = "") -> str:
    """pdf, asic, xml, cms or unknown, from the content (the file name only breaks ties)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data[:4] == b"PK\x03\x04" or zipfile.is_zipfile(BytesIO(data)):
        return "asic"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return "xml"
    if data[:1] == b"\x30":  # DER SEQUENCE: a CMS ContentInfo
        return "cms"
    if stripped.startswith(b"-----BEGIN"):
        return "cms"
    return "unknown"


def validate(
    data: bytes,
    filename: str,
    *,
    at: datetime | None = None,
    trust: TrustContext | None = None,
    detached_content: dict[str, bytes] | None = None,
    online: bool | None = None,
) -> ValidationReport:
    """Validate every signature in ``data``. Never raises for bad input: problems go in the report.

    ``at`` is the validation time (default: now); ``trust`` what is trusted (default: the portal's
    cached EU trusted lists plus the configured extra anchors, ``trust_store.default_trust()``). ``detached_content`` gives the
    signed data of a detached CAdES signature, by file name. ``online``: fetch OCSP responses and
    CRLs the file lacks from the certificates' AIA / CRL distribution points (default
    ``settings.SIGNING_VALIDATION_ONLINE``); what cannot be fetched is a warning, and the
    signature then stays INDETERMINATE (TRY_LATER) rather than passing on an unchecked status.
    """
    from . import asic, cades, pades, xades

    at = as_utc(at)
    report = ValidationReport(filename=filename)
    if trust is None:
        from .trust_store import default_trust

        try:
            trust = default_trust()
        except Exception as error:  # an unreadable cache must not stop validation
            logger.exception("the cached trusted lists cannot be loaded")
            trust = TrustContext()
            report.warnings.append(f"the cached trusted lists cannot be loaded: {type(error).__name__}")
    report.warnings.extend(trust.warnings)
    trust, fetch_log = _with_fetching(trust, online)
    if len(data) > MAX_INPUT_BYTES:
        report.structural_failure = True
        report.errors.append(f"the file is larger than {MAX_INPUT_BYTES} bytes")
        return report
    kind = sniff_format(data, filename)
    validators = {
        "pdf": pades.validate_pdf,
        "asic": asic.validate_container,
        "xml": xades.validate_xml,
        "cms": lambda d, f, t, a, r: cades.validate_cms(d, f, t, a, r, detached_content or {}),
    }
    validator = validators.get(kind)
    if validator is None:
        report.errors.append("not a signed file this portal understands (PDF, ASiC, XAdES, CAdES)")
        return report
    try:
        validator(data, filename, trust, at, report)
    except Exception as error:  # a validator that throws is a report, never a crash
        logger.exception("validator for %s crashed on %s", kind, filename)
        report.validator_crashed = True
        report.errors.append(f"validation could not be completed: {type(error).__name__}: {error}")
    if fetch_log is not None:
        report.warnings.extend(
            f"revocation data could not be fetched from {failure}" for failure in fetch_log.failures
        )
    return report


def _with_fetching(trust: TrustContext, online: bool | None) -> tuple[TrustContext, FetchLog | None]:
    """A copy of ``trust`` that fetches (with a fresh bounded backend and log) or does not."""
    if online is None:
        online = getattr(settings, "SIGNING_VALIDATION_ONLINE", False)
    if not online:
        return (dataclasses.replace(trust, allow_fetching=False) if trust.allow_fetching else trust), None
    backend = BoundedFetcherBackend(
        timeout=getattr(settings, "SIGNING_REVOCATION_FETCH_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
    )
    return dataclasses.replace(trust, allow_fetching=True, fetcher_backend=backend), backend.log
