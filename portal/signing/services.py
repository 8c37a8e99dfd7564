"""Writes of the signing block."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

import aiohttp
from asn1crypto import algos
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .csc import CSCError, ReturnedConsent
from .models import SigningRequest, StoredValidationReport
from .pdf_sign import PdfSigningError, PreparedPdfSignature, finish_pdf_remote, prepare_b_t, sign_pdf
from .report import ValidationReport
from .signers import SignerConfigurationError, configured_signer
from .trust import TrustContext
from .validation import validate

logger = logging.getLogger(__name__)

# A claim older than this is taken to be from a worker that died mid-signing.
STALE_CLAIM = timedelta(minutes=10)


def validate_and_store(
    data: bytes,
    filename: str,
    *,
    at: datetime | None = None,
    trust: TrustContext | None = None,
    uploaded_by=None,
) -> tuple[ValidationReport, StoredValidationReport]:
    """Validate and keep the report; ``uploaded_by`` (a user) may then see it (``selectors.can_view_report``)."""
    report = validate(data, filename, at=at, trust=trust)
    stored = StoredValidationReport.objects.create(
        uploaded_by=uploaded_by,
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


class UnknownConsent(ValueError):
    """A return from the QTSP that belongs to no signing request waiting for consent."""


def start_interactive_signing(
    pdf: bytes, filename: str, *, key: str, redirect_uri: str, signer: str | None = None
) -> SigningRequest:
    """Prepare the signature (field, digest, signed attributes) and wait for the user's consent.

    Send the user to ``consent_url(request)``; the QTSP redirects to ``redirect_uri`` with
    ``code`` and ``state``, which go to ``consent_returned``. Everything is stored, so a reload on
    either side loses nothing. The same key and PDF give the same request.
    """
    from django.conf import settings

    signer = signer or settings.SIGNING_DEFAULT_SIGNER
    signer_object = configured_signer(signer)
    if not hasattr(signer_object, "setup"):
        raise SignerConfigurationError(f"signer {signer!r} cannot sign interactively through a CSC service")
    digest = hashlib.sha256(pdf).hexdigest()
    existing = SigningRequest.objects.filter(key=key).first()
    if existing is not None:
        if (existing.source_sha256, existing.signer) != (digest, signer):
            raise SigningRequestConflict(f"signing request {key!r} exists for another file or signer")
        return existing
    prepared = prepare_b_t(pdf, signer_object.setup())
    request = SigningRequest(
        key=key,
        signer=signer,
        filename=filename[:255],
        source_sha256=digest,
        status=SigningRequest.Status.AWAITING_CONSENT,
        prepared_state=prepared.to_state(),
        consent_state=secrets.token_urlsafe(24),
        consent_redirect_uri=redirect_uri,
    )
    private = storages["private"]
    request.source_name = private.save(f"signing/{request.pk}/source.pdf", ContentFile(pdf))
    request.prepared_name = private.save(
        f"signing/{request.pk}/prepared.pdf", ContentFile(prepared.prepared_pdf)
    )
    request.save()
    return request


def consent_url(request: SigningRequest) -> str:
    """Where the user consents, at the QTSP, to exactly this request's hash."""
    prepared = PreparedPdfSignature.from_state(request.prepared_state, b"")
    setup = configured_signer(request.signer).setup()
    return setup.service.authorization_url(
        [prepared.hash_b64],
        algos.DigestAlgorithmId(prepared.md_algorithm).dotted,
        request.consent_redirect_uri,
        request.consent_state,
    )


def consent_returned(state: str, *, code: str | None = None, error: str | None = None) -> SigningRequest:
    """The user is back from the QTSP: queue the signing, or record the refusal. A second return
    (a reload of the callback) changes nothing."""
    from .tasks import sign_pdf_task

    request = SigningRequest.objects.filter(consent_state=state).first() if state else None
    if request is None:
        raise UnknownConsent("no signing request waits for this consent")
    waiting = SigningRequest.objects.filter(pk=request.pk, status=SigningRequest.Status.AWAITING_CONSENT)
    if error or not code:
        waiting.update(
            status=SigningRequest.Status.FAILED,
            error=f"the user did not authorise the signature at the QTSP ({error or 'no code'})",
        )
    elif waiting.update(status=SigningRequest.Status.PENDING, consent_code=code):
        transaction.on_commit(lambda: sign_pdf_task.delay(str(request.pk)))
    return SigningRequest.objects.get(pk=request.pk)


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
        if request.prepared_name:
            with storages["private"].open(request.prepared_name, "rb") as prepared_file:
                prepared = PreparedPdfSignature.from_state(request.prepared_state, prepared_file.read())
            SigningRequest.objects.filter(pk=request.pk).update(consent_code="")  # single use
            consent = ReturnedConsent(request.consent_code, request.consent_redirect_uri)
            signed = finish_pdf_remote(prepared, signer.setup(), consent)
        else:
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
