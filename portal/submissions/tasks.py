"""Background work of the submission pipeline (queue ``dossiers``: the task names keep their
``dossiers.`` prefix, which the routes and the beat schedule use): each task idempotent, resuming at the
first checkpoint not reached (see ``services.py``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
RETRY_DELAYS = (10, 30, 60, 300, 900, 1800, 3600)


def _countdown(retries: int) -> int:
    return RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)]


@shared_task(bind=True, name="dossiers.build_package", max_retries=len(RETRY_DELAYS) + 5)
def build_package_task(self, application_id: int) -> str:
    from portal.submissions import services

    try:
        package = services.build_package(application_id)
    except services.SubmissionPackage.DoesNotExist:
        return "missing"
    except Exception as error:  # the seal's TSA or OCSP down, storage trouble: retried, said on the package
        logger.warning("building the package of application %s failed: %s", application_id, error)
        services.record_problem(application_id, f"sealing the package failed: {error}")
        raise self.retry(countdown=_countdown(self.request.retries), exc=error) from None
    transaction.on_commit(lambda: dispatch_package_task.delay(application_id))
    return package.container_sha256


@shared_task(bind=True, name="dossiers.dispatch_package", max_retries=len(RETRY_DELAYS) + 5)
def dispatch_package_task(self, application_id: int) -> str:
    from portal.submissions import services

    try:
        package = services.dispatch_package(application_id)
    except services.SubmissionPackage.DoesNotExist:
        return "missing"
    except Exception as error:  # delivery not configured, a channel the catalogue got wrong...
        logger.error("handing over application %s failed: %s", application_id, error)
        services.record_problem(application_id, f"handing the package to delivery failed: {error}")
        raise self.retry(countdown=_countdown(self.request.retries), exc=error) from None
    return package.transport


@shared_task(name="dossiers.sweep_submissions")
def sweep_submissions() -> int:
    """Beat: restart pipelines whose task was lost (a broker down at submit, a task out of retries)."""
    from portal.submissions import selectors

    stalled = selectors.unfinished(timezone.now() - timedelta(minutes=10))
    for application_id, step in stalled:
        (build_package_task if step == "build" else dispatch_package_task).delay(application_id)
    return len(stalled)
