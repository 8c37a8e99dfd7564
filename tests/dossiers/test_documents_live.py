"""Documents with the real moving parts: a Celery worker retrying a scan, and chromium on the pages."""

from __future__ import annotations

import contextlib
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
    assert "Expired on Jan. 1, 2020" in page.locator("main").inner_text()  # English DATE_FORMAT
    assert_accessible(page)
    assert VaultDocument.objects.filter(owner=user).count() == 3


def test_a_1_gb_upload_to_the_live_server_is_answered_long_before_it_is_sent(live_server, user, procedures):
    """A real client streams a 1 GB body; the server answers 413 after the headers, and the client
    stops. Nothing is stored."""
    import socket
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.test import Client

    dossier = services.start_dossier(
        owner=user, procedure_ids=[procedures["commercial-register-entry"].pk], language="en"
    )
    application = dossier.applications.get()
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    path = reverse("dossiers:document-upload", args=[dossier.public_id, application.public_id, CONCEPT])
    address = urlsplit(live_server.url)
    declared = 1024**3
    sent = 0
    answer = b""
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {address.netloc}\r\n"
                f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}\r\n"
                "Content-Type: multipart/form-data; boundary=B\r\n"
                f"Content-Length: {declared}\r\n\r\n"
                '--B\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\n\r\n%PDF-1.7\n'
            ).encode()
        )
        connection.setblocking(False)
        chunk = b"A" * (256 * 1024)
        # bounded: at most 64 MiB are offered before giving up
        while sent < 64 * 1024 * 1024 and b"\r\n\r\n" not in answer:
            with contextlib.suppress(BlockingIOError):
                answer += connection.recv(65536)
            try:
                sent += connection.send(chunk)
            except BlockingIOError:
                time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                break
        connection.setblocking(True)
        connection.settimeout(10)
        try:
            while b"</html>" not in answer:
                received = connection.recv(65536)
                if not received:
                    break
                answer += received
        except (ConnectionResetError, TimeoutError):
            pass
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"larger than 20.0 MB" in answer
    assert sent < declared / 10
    assert VaultDocument.objects.count() == 0


@pytest.mark.browser
def test_the_browser_stops_a_file_over_the_limit_before_sending_it(
    page, live_server, settings, user, procedures
):
    settings.DOCUMENT_MAX_BYTES = 4096
    dossier = services.start_dossier(
        owner=user, procedure_ids=[procedures["commercial-register-entry"].pk], language="en"
    )
    application = dossier.applications.get()
    sign_in(page, live_server, user)
    page.goto(f"/en/dossiers/{dossier.public_id}/step/{application.public_id}/")
    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/upload/" in request.url else None)
    page.get_by_label(re.compile("^Upload a file for")).set_input_files(
        {"name": "big.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n" + b"0" * 10_000}
    )
    page.get_by_role("button", name="Upload Articles of association").click()
    error = page.get_by_role("alert")
    assert "larger than 4.0" in error.inner_text() and "cannot be uploaded" in error.inner_text()
    assert sent == [] and VaultDocument.objects.count() == 0
    assert_accessible(page)
