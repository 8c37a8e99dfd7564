"""Background work of the dossiers block (queue ``dossiers``): the submission pipeline, each task
idempotent, resuming at the first checkpoint not reached (see ``submission.py``); and scanning documents
the scanner could not take at upload."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.dossiers.scanning import ScannerUnavailable

logger = logging.getLogger(__name__)
RETRY_DELAYS = (10, 30, 60, 300, 900, 1800, 3600)


def _countdown(retries: int) -> int:
    return RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)]


@shared_task(bind=True, name="dossiers.build_package", max_retries=len(RETRY_DELAYS) + 5)
def build_package_task(self, application_id: int) -> str:
    from portal.dossiers import submission

    try:
        package = submission.build_package(application_id)
    except submission.SubmissionPackage.DoesNotExist:
        return "missing"
    except Exception as error:  # the seal's TSA or OCSP down, storage trouble: retried, said on the package
        logger.warning("building the package of application %s failed: %s", application_id, error)
        submission.record_problem(application_id, f"sealing the package failed: {error}")
        raise self.retry(countdown=_countdown(self.request.retries), exc=error) from None
    transaction.on_commit(lambda: dispatch_package_task.delay(application_id))
    return package.container_sha256


@shared_task(bind=True, name="dossiers.dispatch_package", max_retries=len(RETRY_DELAYS) + 5)
def dispatch_package_task(self, application_id: int) -> str:
    from portal.dossiers import submission

    try:
        package = submission.dispatch_package(application_id)
    except submission.SubmissionPackage.DoesNotExist:
        return "missing"
    except Exception as error:  # delivery not configured, a channel the catalogue got wrong...
        logger.error("handing over application %s failed: %s", application_id, error)
        submission.record_problem(application_id, f"handing the package to delivery failed: {error}")
        raise self.retry(countdown=_countdown(self.request.retries), exc=error) from None
    return package.transport


@shared_task(name="dossiers.sweep_submissions")
def sweep_submissions() -> int:
    """Beat: restart pipelines whose task was lost (a broker down at submit, a task out of retries)."""
    from portal.dossiers import submission

    stalled = submission.unfinished(timezone.now() - timedelta(minutes=10))
    for application_id, step in stalled:
        (build_package_task if step == "build" else dispatch_package_task).delay(application_id)
    return len(stalled)


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
