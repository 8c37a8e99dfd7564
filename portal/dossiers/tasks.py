"""Background work of the dossiers block (queue ``dossiers``): scanning documents the scanner could not
take at upload. (The submission pipeline's tasks are in ``portal/submissions/tasks.py``.)"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal.dossiers.scanning import ScannerUnavailable

MAX_RETRY_DELAY = 3600


@shared_task(name="dossiers.scan_document", bind=True, max_retries=None, acks_late=True)
def scan_document_task(self, document_id: int) -> str:
    """Scan a pending document; while the scanner is down, try again with a growing delay."""
    from portal.dossiers.models import VaultDocument
    from portal.dossiers.vault import scan_document

    if not VaultDocument.objects.filter(pk=document_id).exists():
        return "gone"
    try:
        return scan_document(document_id).scan_status
    except ScannerUnavailable as error:
        delay = min(
            MAX_RETRY_DELAY, settings.DOCUMENT_SCAN_RETRY_SECONDS * 2 ** min(self.request.retries, 10)
        )
        raise self.retry(exc=error, countdown=delay) from None


@shared_task(name="dossiers.rescan_pending")
def rescan_pending() -> int:
    """Beat: queue a scan for every document pending for a while (a lost retry is not lost for good)."""
    from portal.dossiers.models import ScanStatus, VaultDocument

    cutoff = timezone.now() - timedelta(seconds=max(300, settings.DOCUMENT_SCAN_RETRY_SECONDS))
    pending = list(
        VaultDocument.objects.filter(scan_status=ScanStatus.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for document_id in pending:
        scan_document_task.delay(document_id)
    return len(pending)
