"""The signing Celery task through a real worker process and the running test QTSP."""

from __future__ import annotations

import hashlib
import time

import pytest
from django.core.files.storage import storages

from portal.signing.models import SigningRequest, StoredValidationReport
from portal.signing.services import SigningRequestConflict, perform_signing, request_pdf_signature
from portal.signing.tasks import sign_pdf_task

from .pki import minimal_pdf


def _wait_for(request_id, statuses, worker, timeout: float = 90) -> SigningRequest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = SigningRequest.objects.get(pk=request_id)
        if request.status in statuses:
            return request
        time.sleep(0.3)
    raise AssertionError(f"request still {request.status} after {timeout} s:\n{worker.log()[-3000:]}")


def test_task_is_routed_to_the_signing_queue(settings):
    route = settings.CELERY_TASK_ROUTES["signing.*"]
    assert sign_pdf_task.name == "signing.sign_pdf" and route == {"queue": "signing"}


@pytest.mark.worker
def test_worker_signs_once_stores_the_result_and_its_report(qtsp_signer, celery_worker):
    pdf = minimal_pdf("Dossier 42")
    request = request_pdf_signature(pdf, "dossier-42.pdf", key="dossier-42/v1")
    done = _wait_for(request.pk, {SigningRequest.Status.SIGNED, SigningRequest.Status.FAILED}, celery_worker)
    assert done.status == SigningRequest.Status.SIGNED, (done.error, celery_worker.log()[-3000:])
    assert "signing.sign_pdf" in celery_worker.log()

    with storages["private"].open(done.signed_name, "rb") as stored:
        signed = stored.read()
    assert hashlib.sha256(signed).hexdigest() == done.signed_sha256
    assert signed.startswith(pdf[:8]) and len(signed) > len(pdf)
    assert done.report.indication == "TOTAL_PASSED"
    [signature] = done.report.report["signatures"]
    assert signature["level"] == "LTA" and signature["signer"].startswith("Erika Mustermann")
    assert done.report.sha256 == done.signed_sha256

    # The same request again: nothing is signed a second time.
    again = request_pdf_signature(pdf, "dossier-42.pdf", key="dossier-42/v1")
    assert again.pk == done.pk
    result = sign_pdf_task.delay(str(done.pk)).get(timeout=60)
    assert result["status"] == "signed" and result["signed_name"] == done.signed_name
    assert perform_signing(str(done.pk)).signed_sha256 == done.signed_sha256
    assert StoredValidationReport.objects.filter(sha256=done.signed_sha256).count() == 1
    assert SigningRequest.objects.count() == 1


@pytest.mark.django_db
def test_same_key_for_another_file_is_refused(qtsp_signer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        request_pdf_signature(minimal_pdf("one"), "a.pdf", key="k")
        with pytest.raises(SigningRequestConflict):
            request_pdf_signature(minimal_pdf("two"), "a.pdf", key="k")
    assert SigningRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_pdf_the_qtsp_cannot_sign_fails_cleanly(qtsp_signer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        request = request_pdf_signature(b"%PDF-1.7 but broken", "broken.pdf", key="broken")
    failed = perform_signing(str(request.pk))
    assert failed.status == SigningRequest.Status.FAILED and "not a PDF" in failed.error
    assert failed.signed_name == "" and failed.report is None
