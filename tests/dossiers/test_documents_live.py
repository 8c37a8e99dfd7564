"""Documents with the real moving parts: a Celery worker retrying a scan, and chromium on the pages."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from portal.dossiers import services, vault
from portal.dossiers.documents import check_upload
from portal.dossiers.models import ScanStatus, VaultDocument
from tests.dossiers import documents_helpers as files
from tests.dossiers.test_browser_dossier import sign_in
from tests.fixtures.browser import assert_accessible
from tests.fixtures.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)
CONCEPT = "company.articles"


@pytest.fixture
def clamd_address(monkeypatch, settings):
    """A clamd address where nothing listens yet, configured here and for worker processes."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    monkeypatch.setenv("CLAMAV_ADDRESS", address)
    monkeypatch.setenv("DOCUMENT_SCAN_RETRY_SECONDS", "1")
    settings.DOCUMENT_SCANNER = {"class": "clamav", "address": address, "timeout": 2}
    settings.DOCUMENT_SCAN_RETRY_SECONDS = 1
    return port


def test_a_scanner_that_was_down_is_retried_by_the_worker_until_the_document_is_clean(
    clamd_address, celery_worker, client, user, procedures
):
    dossier = services.start_dossier(
        owner=user, procedure_ids=[procedures["commercial-register-entry"].pk], language="en"
    )
    application = dossier.applications.get()
    client.force_login(user)
    import io

    handle = io.BytesIO(files.PLAIN_PDF)
    handle.name = "statutes.pdf"
    url = reverse("dossiers:document-upload", args=[dossier.public_id, application.public_id, CONCEPT])
    assert client.post(url, {"file": handle}).status_code == 302
    document = VaultDocument.objects.get()
    assert document.scan_status == ScanStatus.PENDING  # the scanner is down: quarantined, not refused

    with files.clamd_standin(port=clamd_address) as clamd:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            document.refresh_from_db()
            if document.scan_status != ScanStatus.PENDING:
                break
            time.sleep(0.5)
    assert document.scan_status == ScanStatus.CLEAN, celery_worker.log()
    assert document.scanned_by == "clamav" and document.scan_attempts >= 2
    assert clamd.scanned == [len(files.PLAIN_PDF)]
    assert CONCEPT in vault.satisfied_concepts(application)


@pytest.mark.browser
def test_upload_two_documents_reuse_a_third_from_the_esafe_and_see_them_on_the_review(
    page, live_server, user, procedures
):
    procedure = procedures["commercial-register-entry"].pk
    earlier = services.start_dossier(owner=user, procedure_ids=[procedure], language="en")
    earlier_application = earlier.applications.get()
    policy = vault.policy_for(earlier_application, CONCEPT)
    kept = vault.store_upload(
        owner=user,
        application=earlier_application,
        policy=policy,
        checked=check_upload(files.pdf_with(text="Old statutes"), "statutes-2019.pdf", policy),
    )
    vault.scan_document(kept.pk)

    dossier = services.start_dossier(owner=user, procedure_ids=[procedure], language="en")
    application = dossier.applications.get()
    sign_in(page, live_server, user)
    page.goto(f"/en/dossiers/{dossier.public_id}/step/{application.public_id}/")
    assert_accessible(page)

    upload = page.get_by_label(re.compile("^Upload a file for"))
    upload.set_input_files({"name": "statutes.pdf", "mimeType": "application/pdf", "buffer": files.PLAIN_PDF})
    page.get_by_role("button", name="Upload Articles of association").click()
    page.wait_for_url(re.compile(r"#documents-company__articles$"))
    assert "“statutes.pdf” was uploaded" in page.locator("main").inner_text()
    assert_accessible(page)

    upload = page.get_by_label(re.compile("^Upload a file for"))
    upload.set_input_files(
        {"name": "signature page.png", "mimeType": "image/png", "buffer": files.png_with_metadata()}
    )
    page.get_by_role("button", name="Upload Articles of association").click()
    page.wait_for_function("document.querySelector('main').innerText.includes('signature page.pdf')")
    assert_accessible(page)

    page.get_by_label(re.compile("^Or reuse a document from your eSafe")).select_option(
        label="statutes-2019.pdf"
    )
    page.get_by_role("button", name=re.compile("^Add from my eSafe")).click()
    page.wait_for_function("document.querySelector('main').innerText.includes('was added from your eSafe')")
    listed = page.locator("#documents-company__articles .document-list").inner_text()
    assert all(name in listed for name in ("statutes.pdf", "signature page.pdf", "statutes-2019.pdf"))
    assert_accessible(page)

    # a file that lies about its type: refused, said so, and the way back is offered
    upload = page.get_by_label(re.compile("^Upload a file for"))
    upload.set_input_files(
        {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"<script>alert(1)</script>"}
    )
    page.get_by_role("button", name="Upload Articles of association").click()
    page.wait_for_selector("[data-error-summary]")
    assert "could not recognise this file" in page.locator("[data-error-summary]").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Back to your application").click()

    page.goto(f"/en/dossiers/{dossier.public_id}/review/")
    documents = page.locator("main").inner_text()
    assert all(name in documents for name in ("statutes.pdf", "signature page.pdf", "statutes-2019.pdf"))
    assert "Document “Articles of association”" not in documents  # no longer missing
    assert_accessible(page)

    page.goto("/en/dossiers/")
    page.get_by_role("link", name="My eSafe: all my documents").click()
    page.wait_for_url("**/en/dossiers/esafe/")
    assert page.locator("tbody tr").count() == 3
    assert_accessible(page)
    page.get_by_role("link", name="statutes-2019.pdf").click()
    page.get_by_label("Issued by").fill("Notary Office Porto")
    page.get_by_label("Valid until").fill("2020-01-01")
    assert_accessible(page)
    page.get_by_role("button", name="Save the details").click()
    page.wait_for_url("**/en/dossiers/esafe/")
    assert "Expired on 2020-01-01" in page.locator("main").inner_text()
    assert_accessible(page)
    assert VaultDocument.objects.filter(owner=user).count() == 3
