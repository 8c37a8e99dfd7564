"""Writes of the signing block."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

import aiohttp
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .csc import CSCError
from .models import SigningRequest, StoredValidationReport
from .pdf_sign import PdfSigningError, sign_pdf
from .report import ValidationReport
from .signers import SignerConfigurationError, configured_signer
from .trust import TrustContext
from .validation import validate

logger = logging.getLogger(__name__)

# A claim older than this is taken to be from a worker that died mid-signing.
STALE_CLAIM = timedelta(minutes=10)


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


class SigningRequestConflict(ValueError):
    """The idempotency key is already used for another file or signer."""


def request_pdf_signature(
    pdf: bytes, filename: str, *, key: str, signer: str | None = None
) -> SigningRequest:
    """Store the PDF and queue its signing (Celery ``signing.sign_pdf``) once per ``key``.

    Asking again with the same key and the same PDF returns the existing request and queues
    nothing new once it is signed; the same key with another PDF is refused.
    """
    from django.conf import settings

    from .tasks import sign_pdf_task

    signer = signer or settings.SIGNING_DEFAULT_SIGNER
    configured_signer(signer)  # refuse an unknown or misconfigured signer before storing anything
    digest = hashlib.sha256(pdf).hexdigest()
    existing = SigningRequest.objects.filter(key=key).first()
    if existing is not None:
        if (existing.source_sha256, existing.signer) != (digest, signer):
            raise SigningRequestConflict(f"signing request {key!r} exists for another file or signer")
        if existing.status != SigningRequest.Status.SIGNED:
            transaction.on_commit(lambda: sign_pdf_task.delay(str(existing.pk)))
        return existing
    with transaction.atomic():
        request = SigningRequest(key=key, signer=signer, filename=filename[:255], source_sha256=digest)
        request.source_name = storages["private"].save(f"signing/{request.pk}/source.pdf", ContentFile(pdf))
        request.save()
        transaction.on_commit(lambda: sign_pdf_task.delay(str(request.pk)))
    return request


def _claim(request_id: str) -> bool:
    """Atomically move the request to SIGNING; False if it is signed or another worker holds it."""
    now = timezone.now()
    claimable = Q(status__in=[SigningRequest.Status.PENDING, SigningRequest.Status.FAILED]) | Q(
        status=SigningRequest.Status.SIGNING, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        SigningRequest.objects.filter(claimable, pk=request_id).update(
            status=SigningRequest.Status.SIGNING, claimed_at=now, error=""
        )
    )


class RetryableSigningError(Exception):
    """The QTSP could not be reached: try again later."""


def _fail(request: SigningRequest, reason: str) -> SigningRequest:
    logger.warning("signing request %s failed: %s", request.pk, reason)
    SigningRequest.objects.filter(pk=request.pk).update(status=SigningRequest.Status.FAILED, error=reason)
    return SigningRequest.objects.get(pk=request.pk)


def perform_signing(request_id: str) -> SigningRequest:
    """Sign a stored request once: B-LTA through its signer, store the result and its report."""
    if not _claim(request_id):
        return SigningRequest.objects.get(pk=request_id)
    request = SigningRequest.objects.get(pk=request_id)
    try:
        with storages["private"].open(request.source_name, "rb") as source:
            pdf = source.read()
        signer = configured_signer(request.signer)
        signed = sign_pdf(pdf, request.signer, signer.automatic_authorization())
    except (aiohttp.ClientConnectionError, TimeoutError) as error:
        SigningRequest.objects.filter(pk=request.pk).update(
            status=SigningRequest.Status.PENDING, error=f"the QTSP cannot be reached: {error}"
        )
        raise RetryableSigningError(str(error)) from error
    except (PdfSigningError, CSCError, SignerConfigurationError, OSError) as error:
        logger.warning("signing request %s failed: %s", request.pk, error)
        SigningRequest.objects.filter(pk=request.pk).update(
            status=SigningRequest.Status.FAILED, error=str(error)
        )
        return SigningRequest.objects.get(pk=request.pk)

    stem = request.filename.removesuffix(".pdf") or "document"
    signed_name = storages["private"].save(f"signing/{request.pk}/{stem}-signed.pdf", ContentFile(signed))
    _, stored_report = validate_and_store(
        signed, request.filename, trust=TrustContext(anchors=signer.trust_anchors())
    )
    SigningRequest.objects.filter(pk=request.pk).update(
        status=SigningRequest.Status.SIGNED,
        signed_name=signed_name,
        signed_sha256=hashlib.sha256(signed).hexdigest(),
        report=stored_report,
        error="",
    )
    return SigningRequest.objects.get(pk=request.pk)
