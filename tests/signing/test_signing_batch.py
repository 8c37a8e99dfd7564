"""Several PDFs signed after ONE consent at the test QTSP: numSignatures = N, one SAD, one signHash."""

from __future__ import annotations

import hashlib
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.storage import storages

from portal.signing.models import SigningBatch, SigningRequest
from portal.signing.services import (
    SigningBatchError,
    UnknownConsent,
    batch_consent_returned,
    batch_consent_url,
    perform_batch_signing,
    perform_signing,
    start_interactive_batch,
)
from portal.signing.signals import signing_finished
from portal.signing.validation import validate

from .consent import consent_at_qtsp
from .pki import minimal_pdf

FINAL = {SigningRequest.Status.SIGNED, SigningRequest.Status.FAILED}
CALLBACK = "http://127.0.0.1:8000/signing/consent-returned"


def _user_consents(url: str, *, approve: bool = True) -> dict[str, str]:
    """What the user does in the browser; returns the query of the QTSP's redirect back to the portal."""
    location = consent_at_qtsp(url, approve=approve)
    assert location.startswith(CALLBACK)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def _wait_for_all(batch: SigningBatch, worker, timeout: float = 120) -> list[SigningRequest]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        members = list(batch.requests.order_by("batch_position"))
        if all(member.status in FINAL for member in members):
            return members
        time.sleep(0.3)
    raise AssertionError(f"batch still {[m.status for m in members]}:\n{worker.log()[-3000:]}")


def _signed_bytes(request: SigningRequest) -> bytes:
    with storages["private"].open(request.signed_name, "rb") as signed:
        return signed.read()


@pytest.mark.worker
def test_two_pdfs_are_signed_after_one_consent(qtsp_signer, celery_worker):
    pdfs = [(minimal_pdf("Application to authority A"), "a.pdf"), (minimal_pdf("To authority B"), "b.pdf")]
    batch = start_interactive_batch(pdfs, key_prefix="dossier-1", redirect_uri=CALLBACK)
    assert batch.status == SigningBatch.Status.AWAITING_CONSENT and batch.key == "dossier-1#1"
    members = list(batch.requests.order_by("batch_position"))
    assert [m.filename for m in members] == ["a.pdf", "b.pdf"]
    # each request's key names the PDF's hash: a signature is never reused for another document
    assert [m.key.rsplit("/", 1)[1] for m in members] == [hashlib.sha256(p).hexdigest() for p, _ in pdfs]
    # a reload before consenting: the same batch, the same hashes to consent to
    again = start_interactive_batch(pdfs, key_prefix="dossier-1", redirect_uri=CALLBACK)
    assert again.pk == batch.pk and batch_consent_url(again) == batch_consent_url(batch)

    url = batch_consent_url(batch)
    assert "numSignatures=2" in url
    page = requests.get(url, timeout=10).text
    assert "sign 2 document(s)" in page and len(re.findall(r"<li><code>[0-9a-f]{64}</code></li>", page)) == 2
    back = _user_consents(url)
    assert back["state"] == batch.consent_state
    batch_consent_returned(back["state"], code=back["code"])
    batch_consent_returned(back["state"], code=back["code"])  # the callback reloaded: nothing twice

    done = _wait_for_all(batch, celery_worker)
    assert [m.status for m in done] == ["signed", "signed"], (
        [m.error for m in done],
        celery_worker.log()[-3000:],
    )
    batch.refresh_from_db()
    assert batch.status == SigningBatch.Status.HASHES_SIGNED and batch.consent_code == ""
    assert "signing.sign_batch" in celery_worker.log()
    for member, (pdf, _) in zip(done, pdfs, strict=True):
        signed = _signed_bytes(member)
        assert (
            signed.startswith(pdf[:-10][:100]) and hashlib.sha256(signed).hexdigest() == member.signed_sha256
        )
        assert member.report.indication == "TOTAL_PASSED"
        [signature] = member.report.report["signatures"]
        assert signature["level"] == "LTA" and signature["signer"].startswith("Erika Mustermann")
        # an independent validation of the stored bytes against the test QTSP's anchors agrees
        from portal.signing.signers import configured_signer
        from portal.signing.trust import TrustContext

        report = validate(
            signed, member.filename, trust=TrustContext(anchors=configured_signer().trust_anchors())
        )
        assert str(report.indication) == "TOTAL_PASSED"
    assert done[0].signed_sha256 != done[1].signed_sha256
    # once signed, the same PDFs under the same prefix are the same batch
    assert start_interactive_batch(pdfs, key_prefix="dossier-1", redirect_uri=CALLBACK).pk == batch.pk


@pytest.mark.django_db
def test_a_refusal_fails_every_pdf_and_a_new_attempt_gets_new_keys(qtsp_signer):
    pdfs = [(minimal_pdf("one"), "one.pdf"), (minimal_pdf("two"), "two.pdf")]
    batch = start_interactive_batch(pdfs, key_prefix="dossier-2", redirect_uri=CALLBACK)
    back = _user_consents(batch_consent_url(batch), approve=False)
    assert back["error"] == "access_denied"
    refused = batch_consent_returned(back["state"], error=back["error"])
    assert refused.status == SigningBatch.Status.REFUSED
    assert {(m.status, "did not authorise" in m.error) for m in refused.requests.all()} == {("failed", True)}
    # a late code for the refused batch changes nothing
    assert batch_consent_returned(back["state"], code="late").status == SigningBatch.Status.REFUSED

    retry = start_interactive_batch(pdfs, key_prefix="dossier-2", redirect_uri=CALLBACK)
    assert retry.pk != batch.pk and retry.key == "dossier-2#2" and retry.consent_state != batch.consent_state
    assert not set(retry.requests.values_list("key", flat=True)) & set(
        batch.requests.values_list("key", flat=True)
    )


@pytest.mark.django_db
def test_other_pdfs_under_the_same_prefix_are_a_new_batch(qtsp_signer):
    first = start_interactive_batch([(minimal_pdf("v1"), "a.pdf")], key_prefix="d3", redirect_uri=CALLBACK)
    second = start_interactive_batch([(minimal_pdf("v2"), "a.pdf")], key_prefix="d3", redirect_uri=CALLBACK)
    assert first.pk != second.pk and second.key == "d3#2"


@pytest.mark.django_db
def test_bad_batches_are_refused_before_anything_is_stored(qtsp_signer):
    with pytest.raises(SigningBatchError):
        start_interactive_batch([], key_prefix="x", redirect_uri=CALLBACK)
    with pytest.raises(SigningBatchError):
        start_interactive_batch([(minimal_pdf(), "a.pdf")] * 11, key_prefix="x", redirect_uri=CALLBACK)
    with pytest.raises(UnknownConsent):
        batch_consent_returned("made-up", code="x")
    assert not SigningBatch.objects.exists() and not SigningRequest.objects.exists()


@pytest.mark.django_db
def test_in_process_signing_checkpoints_each_signature_and_tells_who_waits(
    qtsp_signer, django_capture_on_commit_callbacks
):
    seen: list[tuple[str, str]] = []

    def receiver(sender, request, **kwargs):
        seen.append((request.filename, request.status))

    signing_finished.connect(receiver)
    try:
        pdfs = [(minimal_pdf("first"), "first.pdf"), (minimal_pdf("second"), "second.pdf")]
        batch = start_interactive_batch(pdfs, key_prefix="inline", redirect_uri=CALLBACK)
        first, second = batch.requests.order_by("batch_position")
        # a member is not signed before the QTSP signed the batch's hashes
        assert perform_signing(str(first.pk)).status == SigningRequest.Status.AWAITING_CONSENT
        back = _user_consents(batch_consent_url(batch))
        with django_capture_on_commit_callbacks(execute=False) as queued:
            batch_consent_returned(back["state"], code=back["code"])
        assert len(queued) == 1
        # consented, but the QTSP has not signed the hashes yet: still nothing to finish
        assert perform_signing(str(first.pk)).status == SigningRequest.Status.PENDING
        with django_capture_on_commit_callbacks(execute=False) as queued:
            signed_hashes = perform_batch_signing(str(batch.pk))
        assert signed_hashes.status == SigningBatch.Status.HASHES_SIGNED and len(queued) == 2
        assert perform_batch_signing(str(batch.pk)).status == SigningBatch.Status.HASHES_SIGNED  # once
        first.refresh_from_db()
        assert first.prepared_state["signature_mechanism"] == "sha256_rsa"
        assert perform_signing(str(first.pk)).status == SigningRequest.Status.SIGNED
        assert perform_signing(str(second.pk)).status == SigningRequest.Status.SIGNED
        assert seen == [("first.pdf", "signed"), ("second.pdf", "signed")]
    finally:
        signing_finished.disconnect(receiver)


@pytest.mark.django_db
def test_a_consent_to_other_hashes_signs_nothing(qtsp_signer, django_capture_on_commit_callbacks):
    one = start_interactive_batch([(minimal_pdf("A"), "a.pdf")], key_prefix="p1", redirect_uri=CALLBACK)
    two = start_interactive_batch([(minimal_pdf("B"), "b.pdf")], key_prefix="p2", redirect_uri=CALLBACK)
    back = _user_consents(batch_consent_url(one))  # the user consented to A's hash only
    with django_capture_on_commit_callbacks(execute=False):
        batch_consent_returned(two.consent_state, code=back["code"])  # ... the code arrives for B
        failed = perform_batch_signing(str(two.pk))
    assert failed.status == SigningBatch.Status.FAILED
    assert failed.error == (
        "the QTSP refused credentials/authorize: HTTP 403 the user did not consent to sign these hashes"
    )
    [member] = failed.requests.all()
    assert member.status == SigningRequest.Status.FAILED and member.signed_name == ""
