"""The signing Celery task through a real worker process and the running test QTSP."""

from __future__ import annotations

import hashlib
import re
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.core.files.storage import storages

from portal.signing.models import SigningRequest, StoredValidationReport
from portal.signing.services import (
    SigningRequestConflict,
    UnknownConsent,
    consent_returned,
    consent_url,
    perform_signing,
    request_pdf_signature,
    start_interactive_signing,
)
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


# --- interactive signing: the user consents at the QTSP, the worker finishes --------------------

CALLBACK = "http://127.0.0.1:8000/signing/consent-returned"


def _user_consents(url: str, *, approve: bool = True) -> dict[str, str]:
    """What the user does in the browser: open the consent page, type the code, press Sign.
    Returns the query of the QTSP's redirect back to the portal."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    transaction = re.search(r'name="transaction" value="([^"]+)"', page.text).group(1)
    code = re.search(r'<output id="one-time-code">(\d+)</output>', page.text).group(1)
    answer = requests.post(
        urljoin(url, "/oauth2/authorize"),
        data={"transaction": transaction, "otp": code, "decision": "approve" if approve else "deny"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302 and answer.headers["Location"].startswith(CALLBACK)
    return {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


@pytest.mark.worker
def test_interactive_signing_survives_a_reload_and_signs_after_consent(qtsp_signer, celery_worker):
    pdf = minimal_pdf("Interactive dossier")
    request = start_interactive_signing(pdf, "dossier.pdf", key="interactive-1", redirect_uri=CALLBACK)
    assert request.status == SigningRequest.Status.AWAITING_CONSENT
    # a reload: the same request, the same hash to consent to, nothing prepared twice
    again = start_interactive_signing(pdf, "dossier.pdf", key="interactive-1", redirect_uri=CALLBACK)
    assert again.pk == request.pk and consent_url(again) == consent_url(request)

    back = _user_consents(consent_url(request))
    assert back["state"] == request.consent_state
    consent_returned(back["state"], code=back["code"])
    consent_returned(back["state"], code=back["code"])  # the callback reloaded: changes nothing
    done = _wait_for(request.pk, {SigningRequest.Status.SIGNED, SigningRequest.Status.FAILED}, celery_worker)
    assert done.status == SigningRequest.Status.SIGNED, done.error
    assert done.report.indication == "TOTAL_PASSED"
    assert done.report.report["signatures"][0]["level"] == "LTA"
    assert done.consent_code == ""


@pytest.mark.django_db
def test_consent_for_another_document_does_not_sign_this_one(qtsp_signer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = start_interactive_signing(minimal_pdf("A"), "a.pdf", key="a", redirect_uri=CALLBACK)
        second = start_interactive_signing(minimal_pdf("B"), "b.pdf", key="b", redirect_uri=CALLBACK)
        back = _user_consents(consent_url(first))  # the user consented to A's hash only
        consent_returned(second.consent_state, code=back["code"])  # ... but the code arrives for B
    failed = perform_signing(str(second.pk))
    assert failed.status == SigningRequest.Status.FAILED
    assert (
        failed.error
        == "the QTSP refused credentials/authorize: HTTP 403 the user did not consent to sign these hashes"
    )
    assert failed.signed_name == ""


@pytest.mark.django_db
def test_declined_consent_fails_the_request(qtsp_signer):
    request = start_interactive_signing(minimal_pdf(), "a.pdf", key="declined", redirect_uri=CALLBACK)
    back = _user_consents(consent_url(request), approve=False)
    assert back["error"] == "access_denied"
    declined = consent_returned(back["state"], error=back["error"])
    assert declined.status == SigningRequest.Status.FAILED and "did not authorise" in declined.error


@pytest.mark.django_db
def test_a_return_for_no_request_is_refused():
    with pytest.raises(UnknownConsent):
        consent_returned("made-up-state", code="x")
