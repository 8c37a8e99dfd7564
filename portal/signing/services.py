"""Writes of the signing block: interactive batches (one consent, several PDFs), the worker's steps, and
stored validation reports.

* **Batch** (:func:`start_interactive_batch`): 1 to :data:`MAX_BATCH` PDFs under a caller's ``key_prefix``
  (1-100 characters; the dossiers block uses ``dossier-<public id>``). Every PDF's signature is prepared
  (``pdf_sign.prepare_b_t``, network calls before any row is written) and the user consents once, at the
  QTSP, to all their hashes. Each attempt is a batch keyed ``<key_prefix>#<n>``, its requests keyed
  ``<batch id>/<position>/<PDF SHA-256>``, so a signature is never reused for another document. Asking
  again with the same prefix, signer and PDFs returns the attempt in progress (a reload), unless it was
  refused or failed, or still awaits consent after :data:`CONSENT_REUSE`; then a new attempt starts.
* **Consent** (:func:`batch_consent_returned`): the batch's random ``consent_state`` identifies it. A code
  moves it ``awaiting_consent -> authorized`` and queues ``signing.sign_batch`` on commit; an error or no
  code marks it refused and its requests failed. The conditional UPDATE makes a reload change nothing.
* **Claims**: a worker takes a batch (``authorized``) or a request (``pending``/``failed``) by a
  conditional UPDATE, so only one worker proceeds; a claim older than :data:`STALE_CLAIM` is taken to be
  from a worker that died and may be taken again.
* **Signing** (:func:`perform_batch_signing`): one SAD, one ``signHash`` for all the hashes; the consent
  code is single use and cleared first (given back when the QTSP cannot be reached, for the retry). Each
  signature value is checkpointed on its request, then :func:`perform_signing` finishes each PDF in its
  own task: the CMS around the value, the signature timestamp (B-T), then B-LTA; the signed PDF is
  stored as ``signing/<request>/<name>-signed.pdf`` with its validation report, and ``signing_finished``
  is sent. An unreachable QTSP is a :class:`RetryableSigningError`; any other failure marks the
  request failed.
"""

from __future__ import annotations

import base64
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
from .errors import RetryableSigningError
from .models import SigningBatch, SigningRequest, StoredValidationReport
from .pdf_sign import (
    PdfSigningError,
    PreparedPdfSignature,
    finish_pdf_presigned,
    prepare_b_t,
    sign_hashes,
)
from .report import ValidationReport
from .signals import signing_finished
from .signers import SignerConfigurationError, configured_signer
from .tasks import sign_batch_task, sign_pdf_task
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


class UnknownConsent(ValueError):
    """A return from the QTSP that belongs to no signing batch waiting for consent."""


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


def _fail(request: SigningRequest, reason: str) -> SigningRequest:
    logger.warning("signing request %s failed: %s", request.pk, reason)
    SigningRequest.objects.filter(pk=request.pk).update(status=SigningRequest.Status.FAILED, error=reason)
    return SigningRequest.objects.get(pk=request.pk)


def perform_signing(request_id: str) -> SigningRequest:
    """Finish one PDF of a batch once, after the QTSP signed its hash (``perform_batch_signing``):
    embed the signature value, B-T then B-LTA, store the result and its report."""
    waiting = SigningRequest.objects.filter(pk=request_id, prepared_state__signature_value__isnull=True)
    if waiting.exists() or not _claim(request_id):
        # a request is finished only once the QTSP signed the batch's hashes
        return SigningRequest.objects.get(pk=request_id)
    request = SigningRequest.objects.get(pk=request_id)
    try:
        signer = configured_signer(request.signer)
        # one setup (client credentials and trust anchors read once) for signing and the report
        setup = signer.setup()
        with storages["private"].open(request.prepared_name, "rb") as prepared_file:
            prepared = PreparedPdfSignature.from_state(request.prepared_state, prepared_file.read())
        signed = finish_pdf_presigned(
            prepared,
            setup,
            base64.b64decode(request.prepared_state["signature_value"]),
            request.prepared_state["signature_mechanism"],
        )
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
        return _finished(request.pk)

    stem = request.filename.removesuffix(".pdf") or "document"
    signed_name = storages["private"].save(f"signing/{request.pk}/{stem}-signed.pdf", ContentFile(signed))
    _, stored_report = validate_and_store(
        signed, request.filename, trust=TrustContext(anchors=list(setup.trust_anchors))
    )
    SigningRequest.objects.filter(pk=request.pk).update(
        status=SigningRequest.Status.SIGNED,
        signed_name=signed_name,
        signed_sha256=hashlib.sha256(signed).hexdigest(),
        report=stored_report,
        error="",
    )
    return _finished(request.pk)


def _finished(request_id) -> SigningRequest:
    """Tell the blocks that wait for this result (``signals.signing_finished``); their failure is
    logged, never the signing's."""
    request = SigningRequest.objects.select_related("report", "batch").get(pk=request_id)
    for receiver, response in signing_finished.send_robust(sender=SigningRequest, request=request):
        if isinstance(response, Exception):
            logger.error(
                "signing_finished receiver %s failed for %s", receiver, request_id, exc_info=response
            )
    return request


# --- Several PDFs, one consent ------------------------------------------------------------------

# The test QTSP's (and common QTSPs') ``multisign`` limit for one consent.
MAX_BATCH = 10
# An unanswered consent older than this is not offered again: a new attempt prepares afresh.
CONSENT_REUSE = timedelta(minutes=20)


class SigningBatchError(ValueError):
    """The batch cannot be started as asked (no PDF, too many, a key too long)."""


def _batch_digest(digests_and_names: list[tuple[str, str]]) -> str:
    return hashlib.sha256("\n".join(f"{d} {n}" for d, n in digests_and_names).encode()).hexdigest()


def _reusable(batch: SigningBatch, content_sha256: str) -> bool:
    if batch.content_sha256 != content_sha256:
        return False
    if batch.status == SigningBatch.Status.AWAITING_CONSENT:
        return batch.created_at > timezone.now() - CONSENT_REUSE
    if batch.status in (SigningBatch.Status.REFUSED, SigningBatch.Status.FAILED):
        return False
    return not batch.requests.filter(status=SigningRequest.Status.FAILED).exists()


def start_interactive_batch(
    pdfs: list[tuple[bytes, str]], *, key_prefix: str, redirect_uri: str, signer: str | None = None
) -> SigningBatch:
    """Prepare every PDF's signature (``pdf_sign.prepare_b_t``: field, byte-range digest, signed
    attributes with the credential's certificate) and wait for ONE consent of the user to all their
    hashes.

    Send the user to ``batch_consent_url(batch)``; the QTSP redirects to ``redirect_uri`` with
    ``code`` and ``state`` for ``batch_consent_returned``. Asking again with the same ``key_prefix``
    and the same PDFs returns the batch in progress (a reload); after a refusal or a failure, or
    for other PDFs, a new attempt (``key_prefix#n``) with new requests, whose keys hold each PDF's
    hash, so a signature is never reused for another document."""
    from django.conf import settings

    if not pdfs:
        raise SigningBatchError("a signing batch needs at least one PDF")
    if len(pdfs) > MAX_BATCH:
        raise SigningBatchError(f"at most {MAX_BATCH} PDFs can be signed with one consent")
    if not key_prefix or len(key_prefix) > 100:
        raise SigningBatchError("key_prefix must have 1 to 100 characters")
    signer = signer or settings.SIGNING_DEFAULT_SIGNER
    signer_object = configured_signer(signer)
    if not hasattr(signer_object, "setup"):
        raise SignerConfigurationError(f"signer {signer!r} cannot sign interactively through a CSC service")
    digests = [(hashlib.sha256(pdf).hexdigest(), filename[:255]) for pdf, filename in pdfs]
    content_sha256 = _batch_digest(digests)
    attempts = SigningBatch.objects.filter(key_prefix=key_prefix)
    latest = attempts.order_by("-created_at").first()
    if latest is not None and latest.signer == signer and _reusable(latest, content_sha256):
        return latest
    setup = signer_object.setup()
    prepared = [prepare_b_t(pdf, setup) for pdf, _ in pdfs]  # network: before any row is written
    private = storages["private"]
    with transaction.atomic():
        batch = SigningBatch.objects.create(
            key=f"{key_prefix}#{attempts.count() + 1}",
            key_prefix=key_prefix,
            content_sha256=content_sha256,
            signer=signer,
            consent_state=secrets.token_urlsafe(24),
            consent_redirect_uri=redirect_uri,
        )
        for position, ((pdf, _), (digest, filename), ready) in enumerate(
            zip(pdfs, digests, prepared, strict=True)
        ):
            request = SigningRequest(
                key=f"{batch.pk}/{position}/{digest}",
                signer=signer,
                filename=filename,
                source_sha256=digest,
                status=SigningRequest.Status.AWAITING_CONSENT,
                prepared_state=ready.to_state(),
                batch=batch,
                batch_position=position,
            )
            request.source_name = private.save(f"signing/{request.pk}/source.pdf", ContentFile(pdf))
            request.prepared_name = private.save(
                f"signing/{request.pk}/prepared.pdf", ContentFile(ready.prepared_pdf)
            )
            request.save()
    return batch


def _batch_prepared(batch: SigningBatch) -> list[tuple[SigningRequest, PreparedPdfSignature]]:
    return [
        (request, PreparedPdfSignature.from_state(request.prepared_state, b""))
        for request in batch.requests.order_by("batch_position")
    ]


def batch_consent_url(batch: SigningBatch) -> str:
    """Where the user consents, at the QTSP, to exactly the hashes of every PDF of the batch."""
    prepared = [ready for _, ready in _batch_prepared(batch)]
    setup = configured_signer(batch.signer).setup()
    return setup.service.authorization_url(
        [ready.hash_b64 for ready in prepared],
        algos.DigestAlgorithmId(prepared[0].md_algorithm).dotted,
        batch.consent_redirect_uri,
        batch.consent_state,
    )


def find_batch(state: str) -> SigningBatch | None:
    return SigningBatch.objects.filter(consent_state=state).first() if state else None


def batch_consent_returned(state: str, *, code: str | None = None, error: str | None = None) -> SigningBatch:
    """The user is back from the QTSP: queue the signing of all the batch's hashes (Celery
    ``signing.sign_batch``), or record the refusal. A second return (a reload) changes nothing."""
    batch = find_batch(state)
    if batch is None:
        raise UnknownConsent("no signing batch waits for this consent")
    with transaction.atomic():
        waiting = SigningBatch.objects.filter(pk=batch.pk, status=SigningBatch.Status.AWAITING_CONSENT)
        if error or not code:
            reason = f"the user did not authorise the signature at the QTSP ({error or 'no code'})"
            if waiting.update(status=SigningBatch.Status.REFUSED, error=reason):
                batch.requests.update(status=SigningRequest.Status.FAILED, error=reason)
        elif waiting.update(status=SigningBatch.Status.AUTHORIZED, consent_code=code):
            batch.requests.update(status=SigningRequest.Status.PENDING)
            transaction.on_commit(lambda: sign_batch_task.delay(str(batch.pk)))
    return SigningBatch.objects.get(pk=batch.pk)


def _claim_batch(batch_id: str) -> bool:
    now = timezone.now()
    claimable = Q(status=SigningBatch.Status.AUTHORIZED) | Q(
        status=SigningBatch.Status.SIGNING_HASHES, claimed_at__lt=now - STALE_CLAIM
    )
    return bool(
        SigningBatch.objects.filter(claimable, pk=batch_id).update(
            status=SigningBatch.Status.SIGNING_HASHES, claimed_at=now
        )
    )


def _fail_batch(batch: SigningBatch, reason: str) -> None:
    logger.warning("signing batch %s failed: %s", batch.pk, reason)
    SigningBatch.objects.filter(pk=batch.pk).update(
        status=SigningBatch.Status.FAILED, error=reason, consent_code=""
    )
    for request in batch.requests.exclude(status=SigningRequest.Status.SIGNED):
        SigningRequest.objects.filter(pk=request.pk).update(status=SigningRequest.Status.FAILED, error=reason)
        _finished(request.pk)


def perform_batch_signing(batch_id: str) -> SigningBatch:
    """Once: the QTSP signs every hash of the batch (one SAD, one signHash); each signature value is
    checkpointed on its request, then each request is finished (B-T, B-LTA) by its own task."""
    if not _claim_batch(batch_id):
        return SigningBatch.objects.get(pk=batch_id)
    batch = SigningBatch.objects.get(pk=batch_id)
    members = _batch_prepared(batch)
    try:
        setup = configured_signer(batch.signer).setup()
        code, batch.consent_code = batch.consent_code, ""
        SigningBatch.objects.filter(pk=batch.pk).update(consent_code="")  # single use
        signatures, mechanism = sign_hashes(
            setup,
            [ready.hash_b64 for _, ready in members],
            members[0][1].md_algorithm,
            ReturnedConsent(code, batch.consent_redirect_uri),
        )
    except (aiohttp.ClientConnectionError, TimeoutError) as error:
        # the code may still be unused: give it back for the retry
        SigningBatch.objects.filter(pk=batch.pk).update(
            status=SigningBatch.Status.AUTHORIZED,
            consent_code=code,
            error=f"the QTSP cannot be reached: {error}",
        )
        raise RetryableSigningError(str(error)) from error
    except (CSCError, SignerConfigurationError, PdfSigningError, OSError) as error:
        _fail_batch(batch, str(error))
        return SigningBatch.objects.get(pk=batch.pk)
    with transaction.atomic():
        for (request, _), signature in zip(members, signatures, strict=True):
            SigningRequest.objects.filter(pk=request.pk).update(
                prepared_state={
                    **request.prepared_state,
                    "signature_value": base64.b64encode(signature).decode("ascii"),
                    "signature_mechanism": mechanism,
                }
            )
            transaction.on_commit(lambda pk=str(request.pk): sign_pdf_task.delay(pk))
        SigningBatch.objects.filter(pk=batch.pk).update(status=SigningBatch.Status.HASHES_SIGNED, error="")
    return SigningBatch.objects.get(pk=batch.pk)
