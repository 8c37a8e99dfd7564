"""The submission pipeline with real components: the test QTSP (signing, e-seal, TSA, OCSP), a real
Celery worker, the demo authority access point as its own process on 127.0.0.1, and a flaky receiver."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from portal.delivery.access_point import FolderAccessPoint
from portal.delivery.as4 import codec
from portal.delivery.models import DeliveryAttempt, OutboxMessage
from portal.delivery.pmodes import load_file
from portal.demo import access_point as demo
from portal.demo.catalogue import connect_as4_authorities
from portal.demo.qtsp import pki as test_pki
from portal.dossiers.models import Application
from portal.dossiers.selectors import signed_application_pdf
from portal.dossiers.states import ApplicationState, DossierState
from portal.signing.report import Indication
from portal.signing.trust import TrustContext
from portal.signing.validation import validate
from portal.submissions import services as submission
from portal.submissions.models import SubmissionPackage
from tests.delivery.flaky import FlakyReceiver
from tests.fixtures.processes import answers, free_port, serving

from .submission_helpers import complete_dossier, fast_channel_retries, sign_dossier, signed_dossier

A = ApplicationState
PARTY = "authority-demo"
DEMO_FOLDER = settings.STORAGE_ROOT / "delivery" / "demo"


def wait_for(predicate, worker, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.3)
    pytest.fail(f"{what} did not happen within {timeout} s; worker log:\n{worker.log()[-5000:]}")


def applications_in(dossier, states) -> bool:
    return all(a.state in states for a in Application.objects.filter(dossier=dossier))


@pytest.fixture
def access_point_process(tmp_path, settings, monkeypatch, catalogue):
    """`manage.py run_access_point` as its own process (demo keys, the portal's P-Modes made by it),
    and the catalogue's AS4 authorities pointed at it, as load_demo does."""
    port = free_port()
    pmodes_file = tmp_path / "portal-pmodes.json"
    inbox = tmp_path / "authority-inbox"
    settings.DELIVERY_PMODES_FILE = str(pmodes_file)
    monkeypatch.setenv("DELIVERY_PMODES_FILE", str(pmodes_file))
    with serving(
        [sys.executable, "manage.py", "run_access_point", "--party", PARTY, "--port", str(port),
         "--folder", str(inbox)],
        name="run_access_point",
        ready=answers(f"http://127.0.0.1:{port}/"),
        log_path=tmp_path / "access-point.log",
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    ):  # fmt: skip
        assert connect_as4_authorities(demo.demo_channel(DEMO_FOLDER, PARTY, port)) > 0
        yield pmodes_file, inbox


@pytest.mark.worker
def test_signed_dossier_is_delivered_to_an_as4_authority_and_the_back_office(
    qtsp_signer, access_point_process, procedures, user, celery_worker
):
    pmodes_file, inbox = access_point_process
    dossier = signed_dossier(user, procedures, ["business-registration", "vat-registration"])
    by_slug = {a.procedure_snapshot["authority"]["identifier"]: a for a in dossier.applications.all()}
    tax, trade = by_slug["tax-office"], by_slug["trade-office"]
    assert tax.procedure_snapshot["authority"]["delivery_channel"]["transport"] == "as4"
    assert trade.procedure_snapshot["authority"]["delivery_channel"]["transport"] == "backoffice"

    submission.submit(dossier, user)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    wait_for(lambda: applications_in(dossier, {A.DELIVERED, A.DELIVERY_FAILED}), celery_worker, "delivery")
    tax.refresh_from_db()
    trade.refresh_from_db()
    assert (tax.state, trade.state) == (A.DELIVERED, A.DELIVERED), SubmissionPackage.objects.values()
    for task in ("dossiers.build_package", "dossiers.dispatch_package", "delivery.send"):
        assert task in celery_worker.log()

    # the AS4 one: a verified receipt from the access point is the evidence
    package = SubmissionPackage.objects.get(application=tax)
    entry = package.outbox_message
    assert entry.state == OutboxMessage.State.ACKNOWLEDGED and entry.attempts == 1
    assert entry.conversation_id == str(dossier.public_id) and entry.reference == str(tax.public_id)
    with entry.body.open("rb") as stored:
        sent = stored.read()
    proof = codec.verify_receipt(
        bytes(entry.receipt),
        entry.receipt_content_type,
        sent_message_id=entry.message_id,
        sent=codec.sent_references(sent, entry.content_type)[1],
        truststore=load_file(pmodes_file).truststore,
    )
    authority_key = load_file(DEMO_FOLDER / f"{PARTY}-access-point.json").key
    assert proof.signature.certificate == authority_key.certificate
    assert package.delivered_at == entry.acknowledged_at

    # the sealed container: what the authority stored is what was built, and it validates
    with package.container.open("rb") as stored:
        container = stored.read()
    assert hashlib.sha256(container).hexdigest() == package.container_sha256
    [received] = [p for p in Path(inbox).iterdir() if (p / "receipt.xml").exists()]
    assert (received / "payload-0").read_bytes() == container
    trust = TrustContext(anchors=[qtsp_signer.pki[test_pki.ROOT].asn1_cert])
    report = validate(container, package.container_name, trust=trust)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    [signature] = report.signatures
    assert signature.signer.startswith("Point of Single Contact e-seal")
    assert sorted(signature.covers) == ["application.pdf", "submission.xml"]
    with zipfile.ZipFile(io.BytesIO(container)) as archive:
        assert archive.read("application.pdf") == signed_application_pdf(tax)
        xml = archive.read("submission.xml").decode()
    assert str(dossier.public_id) in xml and str(tax.public_id) in xml and "ana@example.eu" in xml

    # the back-office one: delivered at once, with the portal's own receipt record
    office = SubmissionPackage.objects.get(application=trade)
    assert office.outbox_message is None and office.internal_receipt["kind"] == "portal-backoffice"
    assert office.internal_receipt["container_sha256"] == office.container_sha256

    # the applicant sees it, and can download the receipts
    client = Client()
    client.force_login(user)
    page = client.get(f"/en/dossiers/{dossier.public_id}/delivery/").content.decode()
    assert "Delivered on" in page and "Delivered to the portal back-office on" in page
    assert f"receipt {entry.receipt_message_id}" in page and "hx-trigger" not in page  # nothing to poll
    receipt = client.get(f"/en/dossiers/{dossier.public_id}/delivery/{tax.public_id}/receipt/")
    assert receipt.status_code == 200 and receipt.content == bytes(entry.receipt)

    # running the steps again changes nothing: same container, one message
    assert submission.build_package(tax.pk).container_sha256 == package.container_sha256
    assert submission.dispatch_package(tax.pk).outbox_message_id == entry.pk
    assert OutboxMessage.objects.count() == 1
    history = [(c.from_state, c.to_state) for c in tax.state_changes.all()]
    assert history == [("draft", "queued_for_delivery"), ("queued_for_delivery", "delivered")]


@pytest.fixture
def authority_down(catalogue, tmp_path, settings, monkeypatch):
    """The AS4 authorities pointed at a port where nothing listens yet; fast channel retries.
    (Before the worker starts: it reads DELIVERY_PMODES_FILE from its environment.)"""
    port = free_port()
    pmodes_file = tmp_path / "portal-pmodes.json"
    settings.DELIVERY_PMODES_FILE = str(pmodes_file)
    monkeypatch.setenv("DELIVERY_PMODES_FILE", str(pmodes_file))
    authority_file = demo.ensure_demo(DEMO_FOLDER, PARTY, port, pmodes_file, settings.PORTAL_BASE_URL)
    fast_channel_retries(pmodes_file, max_attempts=30, base_delay=0.5, factor=1, max_delay=0.5)
    connect_as4_authorities(demo.demo_channel(DEMO_FOLDER, PARTY, port))
    return port, authority_file


@pytest.mark.worker
def test_receiver_down_then_up_gets_the_same_bytes_exactly_once(
    qtsp_signer, authority_down, procedures, user, tmp_path, celery_worker
):
    port, authority_file = authority_down
    dossier = signed_dossier(user, procedures, ["vat-registration"])
    [application] = dossier.applications.all()

    submission.submit(dossier, user)  # nobody listens on the authority's port yet

    def retrying():
        entry = OutboxMessage.objects.filter(reference=str(application.public_id)).first()
        return entry if entry and entry.attempts >= 2 and entry.state == "waiting_for_retry" else None

    entry = wait_for(retrying, celery_worker, "two failed attempts")
    client = Client()
    client.force_login(user)
    page = client.get(f"/en/dossiers/{dossier.public_id}/delivery/").content.decode()
    assert "Delivery pending, retrying (attempt" in page and "hx-trigger" in page

    access_point = FolderAccessPoint(load_file(authority_file), tmp_path / "inbox")
    with FlakyReceiver(access_point, port, [], slow_seconds=1) as receiver:
        wait_for(
            lambda: applications_in(dossier, {A.DELIVERED, A.DELIVERY_FAILED}), celery_worker, "delivery"
        )
    application.refresh_from_db()
    assert application.state == A.DELIVERED
    entry.refresh_from_db()
    with entry.body.open("rb") as stored:
        original = stored.read()
    assert entry.state == OutboxMessage.State.ACKNOWLEDGED and entry.attempts >= 3
    assert [body for body, _type in receiver.requests] == [original]  # delivered exactly once
    assert [m["message_id"] for m in access_point.received()] == [entry.message_id]
    digests = set(DeliveryAttempt.objects.filter(message=entry).values_list("body_sha256", flat=True))
    assert digests == {entry.body_sha256}
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_unsigned_or_foreign_dossiers_are_refused_and_nothing_is_queued(
    catalogue, procedures, user, other_user, django_capture_on_commit_callbacks
):
    dossier = complete_dossier(user, procedures, ["business-registration"])  # ready for signature
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(submission.DossierError, match="Only a signed dossier can be submitted"):
            submission.submit(dossier, user)
        with pytest.raises(submission.DossierError, match="Only the owner"):
            submission.submit(dossier, other_user)
    assert callbacks == [] and SubmissionPackage.objects.count() == 0
    dossier.refresh_from_db()
    assert dossier.state == DossierState.READY_FOR_SIGNATURE

    client = Client()
    client.force_login(other_user)
    assert client.post(f"/en/dossiers/{dossier.public_id}/submit/").status_code == 404
    client.force_login(user)
    response = client.post(f"/en/dossiers/{dossier.public_id}/submit/")
    assert (
        response.status_code == 400 and "Only a signed dossier can be submitted" in response.content.decode()
    )
    assert SubmissionPackage.objects.count() == 0


@pytest.mark.django_db
def test_a_double_submit_starts_one_pipeline(
    qtsp_signer, catalogue, procedures, user, django_capture_on_commit_callbacks, monkeypatch
):
    from portal.submissions import tasks

    queued = []
    monkeypatch.setattr(tasks.build_package_task, "delay", lambda pk: queued.append(pk))
    dossier = signed_dossier(user, procedures, ["business-registration", "vat-registration"])
    client = Client()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/en/dossiers/{dossier.public_id}/submit/")
        second = client.post(f"/en/dossiers/{dossier.public_id}/submit/")
    assert first.status_code == 302 and first["Location"].endswith(f"/{dossier.public_id}/delivery/")
    assert second.status_code == 400 and "already been submitted" in second.content.decode()
    assert sorted(queued) == sorted(dossier.applications.values_list("pk", flat=True))
    assert SubmissionPackage.objects.filter(application__dossier=dossier).count() == 2
    page = client.get(f"/en/dossiers/{dossier.public_id}/delivery/").content.decode()
    assert page.count("Preparing and sealing the package") == 2 and "hx-trigger" in page


@pytest.mark.django_db
def test_the_applicants_documents_travel_in_the_sealed_container_and_are_listed_in_the_signed_pdf(
    qtsp_signer, catalogue, procedures, user, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from portal.dossiers.models import AttachedDocument, ScanStatus, VaultDocument

    dossier = complete_dossier(user, procedures, ["business-registration"])
    [application] = dossier.applications.all()
    diploma = b"%PDF-1.7\n% a scanned master craftsman diploma\n"
    document = VaultDocument.objects.create(
        owner=user, display_name="diploma.pdf", mime_type="application/pdf", size=len(diploma),
        sha256=hashlib.sha256(diploma).hexdigest(), scan_status=ScanStatus.CLEAN,
        stored_name=storages["private"].save("dossiers/test/diploma.pdf", ContentFile(diploma)),
    )  # fmt: skip
    pending = VaultDocument.objects.create(
        owner=user, display_name="unscanned.pdf", mime_type="application/pdf", size=3, sha256="0" * 64,
        scan_status=ScanStatus.PENDING,
        stored_name=storages["private"].save("dossiers/test/unscanned.pdf", ContentFile(b"%PD")),
    )  # fmt: skip
    AttachedDocument.objects.create(application=application, concept="evidence.diploma", document=document)
    AttachedDocument.objects.create(application=application, concept="evidence.other", document=pending)
    sign_dossier(dossier, user)
    with django_capture_on_commit_callbacks(execute=False):
        submission.submit(dossier, user)

    package = submission.build_package(application.pk)
    with package.container.open("rb") as stored:
        container = stored.read()
    trust = TrustContext(anchors=[qtsp_signer.pki[test_pki.ROOT].asn1_cert])
    report = validate(container, package.container_name, trust=trust)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    # the clean document is sealed with the application; one still waiting for its scan is not sent
    assert sorted(report.signatures[0].covers) == [
        "application.pdf",
        "documents/diploma.pdf",
        "submission.xml",
    ]
    with zipfile.ZipFile(io.BytesIO(container)) as archive:
        assert archive.read("documents/diploma.pdf") == diploma
        signed_pdf = archive.read("application.pdf")
    # the signature over the application PDF binds the document's digest
    listed = subprocess.run(["pdftotext", "-", "-"], input=signed_pdf, capture_output=True, check=True)
    assert "diploma.pdf" in listed.stdout.decode()
    assert document.sha256[:16] in listed.stdout.decode().replace("\n", "").replace(" ", "")
