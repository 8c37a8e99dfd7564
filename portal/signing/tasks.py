"""Celery tasks of the signing block (routed to the ``signing`` queue by their ``signing.`` name)."""

from __future__ import annotations

from celery import shared_task

from .errors import RetryableSigningError


@shared_task(
    name="signing.sign_pdf",
    autoretry_for=(RetryableSigningError,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=8,
)
def sign_pdf_task(request_id: str) -> dict:
    """Idempotent: a request already signed (or being signed by another worker) is not signed again."""
    from .services import perform_signing

    request = perform_signing(request_id)
    return {
        "id": str(request.pk),
        "status": request.status,
        "signed_name": request.signed_name,
        "indication": request.report.indication if request.report_id else None,
        "error": request.error,
    }


@shared_task(
    name="signing.sign_batch",
    autoretry_for=(RetryableSigningError,),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=4,
)
def sign_batch_task(batch_id: str) -> dict:
    """The QTSP signs every hash the user consented to, once; then each PDF is finished by
    ``signing.sign_pdf``. Idempotent: a batch whose hashes are signed is not sent again."""
    from .services import perform_batch_signing

    batch = perform_batch_signing(batch_id)
    return {"id": str(batch.pk), "status": batch.status, "error": batch.error}


@shared_task(name="signing.refresh_trusted_lists")
def refresh_trusted_lists_task() -> dict:
    """Beat: fetch and check the EU trusted lists; a failure keeps the last good copies."""
    from .trust_store import refresh_trusted_lists

    result = refresh_trusted_lists()
    return {"state": result.state_name, "refreshed": result.refreshed, "failed": result.failed}
