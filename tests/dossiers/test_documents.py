"""Documents on a dossier step: upload, checks from the content, scan, signed files, eSafe, delivery."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils.formats import date_format
from PIL import Image

from portal.dossiers import services, vault
from portal.dossiers.completeness import missing_answers
from portal.dossiers.documents import documents_for_delivery
from portal.dossiers.models import AttachedDocument, ScanStatus, VaultDocument
from portal.dossiers.states import DossierState
from portal.signing.models import StoredValidationReport
from tests.dossiers import documents_helpers as files
from tests.fixtures.processes import free_port

CONCEPT = "company.articles"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Private files and any upload temp file in this test's own folders, to see what is written."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "portal.core.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-temp")
    (tmp_path / "upload-temp").mkdir()
    settings.DOCUMENT_SCANNER = {"class": "none"}
    from django.core.files.storage import storages as all_storages

    all_storages._storages.pop("private", None)
    yield tmp_path
    all_storages._storages.pop("private", None)


def stored_files(tmp_path) -> list[str]:
    root = tmp_path / "private"
    found = (
        [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()] if root.exists() else []
    )
    temp = [str(path) for path in (tmp_path / "upload-temp").rglob("*") if path.is_file()]
    return found + temp


@pytest.fixture
def dossier(user, procedures):
    return services.start_dossier(
        owner=user, procedure_ids=[procedures["commercial-register-entry"].pk], language="en"
    )


@pytest.fixture
def application(dossier):
    return dossier.applications.get()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def upload_url(dossier, application, concept=CONCEPT):
    return reverse("dossiers:document-upload", args=[dossier.public_id, application.public_id, concept])


def upload(client, dossier, application, content: bytes, name: str, concept=CONCEPT):
    handle = io.BytesIO(content)
    handle.name = name
    return client.post(upload_url(dossier, application, concept), {"file": handle})


def refused_message(response) -> str:
    from lxml import html

    return html.fromstring(response.content).xpath("string(//*[@data-error-summary])")


# --- what is accepted --------------------------------------------------------------------------


def test_a_pdf_is_kept_in_the_esafe_attached_and_counts_as_the_evidence(
    signed_in, user, dossier, application, private_storage
):
    assert [
        item["concept"] for _step, item in missing_answers(dossier) if item["type"] == "evidence_request"
    ] == [CONCEPT]
    response = upload(signed_in, dossier, application, files.PLAIN_PDF, "Statutes 2026.pdf")
    assert response.status_code == 302
    assert response["Location"].endswith("#documents-company__articles")
    document = VaultDocument.objects.get(owner=user)
    assert document.display_name == "Statutes 2026.pdf"
    assert document.mime_type == "application/pdf"
    assert document.scan_status == ScanStatus.NOT_SCANNED and document.scanned_by == "none"
    assert document.evidence_type == "articles-of-association"
    assert document.stored_name.startswith("esafe/") and "Statutes" not in document.stored_name
    assert storages["private"].open(document.stored_name).read() == files.PLAIN_PDF
    assert AttachedDocument.objects.get().concept == CONCEPT
    assert CONCEPT not in [item["concept"] for _step, item in missing_answers(dossier)]

    page = signed_in.get(response["Location"]).content.decode()
    assert "Statutes 2026.pdf" in page and "Not scanned: no virus scanner is configured" in page
    review = signed_in.get(reverse("dossiers:review", args=[dossier.public_id])).content.decode()
    assert "Statutes 2026.pdf" in review and "not available yet" not in review


def test_a_photo_becomes_a_pdf_without_its_metadata_when_the_authority_takes_only_pdf(
    signed_in, user, dossier, application
):
    response = upload(signed_in, dossier, application, files.png_with_metadata(), "scan.png")
    assert response.status_code == 302
    document = VaultDocument.objects.get(owner=user)
    assert (document.mime_type, document.converted_from, document.display_name) == (
        "application/pdf",
        "image/png",
        "scan.pdf",
    )
    content = storages["private"].open(document.stored_name).read()
    assert content.startswith(b"%PDF-") and b"Rua das Flores" not in content


def test_an_image_kept_as_image_loses_its_metadata(signed_in, user, dossier, application):
    snapshot = application.procedure_snapshot
    for entry in snapshot["evidence"]:
        if entry["evidence_type"]["identifier"] == "articles-of-association":
            entry["accepted_formats"] = ["jpeg"]
    application.save()
    assert upload(signed_in, dossier, application, files.jpeg_with_gps(), "photo.jpeg").status_code == 302
    document = VaultDocument.objects.get(owner=user)
    assert document.mime_type == "image/jpeg" and document.display_name == "photo.jpg"
    content = storages["private"].open(document.stored_name).read()
    assert b"SecretCam" not in content
    assert Image.open(io.BytesIO(content)).size == (64, 48)


# --- hostile input: refused with a clear message, nothing stored ---------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"<html><script>alert(1)</script></html>",
            "statutes.pdf",
            "could not recognise this file from its content",
        ),
        (b"MZ\x90\x00" + b"\0" * 200, "statutes.pdf", "could not recognise this file from its content"),
        (b"%PDF-1.7\n this is no pdf at all", "statutes.pdf", "cannot be read"),
        (files.JAVASCRIPT_PDF, "statutes.pdf", "contains JavaScript"),
        (files.LAUNCH_PDF, "statutes.pdf", "launches programs"),
        (files.EMBEDDED_FILE_PDF, "statutes.pdf", "contains embedded files"),
        (files.zip_bomb(), "statutes.asice", "ZIP bomb"),
        (files.zip_with_traversal(), "statutes.asice", "try to leave the archive"),
        (files.plain_zip(), "statutes.zip", "only as signed ASiC-E containers"),
        (b"", "empty.pdf", "The file is empty"),
    ],
    ids=[
        "html-as-pdf",
        "exe-as-pdf",
        "broken-pdf",
        "javascript",
        "launch",
        "embedded-file",
        "zip-bomb",
        "zip-traversal",
        "plain-zip",
        "empty",
    ],
)
def test_hostile_files_are_refused_with_a_clear_message_and_nothing_is_stored(
    signed_in, dossier, application, private_storage, content, name, message
):
    response = upload(signed_in, dossier, application, content, name)
    assert response.status_code == 400
    assert message in refused_message(response)
    assert "Nothing was kept" in response.content.decode()
    assert VaultDocument.objects.count() == 0 and AttachedDocument.objects.count() == 0
    assert stored_files(private_storage) == []


def post_raw_file_name(client, url: str, name: str):
    """A multipart body carrying the raw name (the test client would clean it first)."""
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + name.encode("utf-8")
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + files.PLAIN_PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic("POST", url, body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../../etc/passwd.pdf", "contains a folder path"),
        ("..\\..\\windows\\system32\\statutes.pdf", "contains a folder path"),
        (
            "statutes\u202egpj.exe",
            "control or text-direction characters",
        ),  # a right-to-left override hiding ".exe"
        ("sta\x00tu\x1btes\x7f.pdf", "control or text-direction characters"),
    ],
)
def test_hostile_file_names_are_refused_and_nothing_is_stored(
    signed_in, user, dossier, application, private_storage, name, message
):
    response = post_raw_file_name(signed_in, upload_url(dossier, application), name)
    assert response.status_code == 400, response.status_code
    assert message in refused_message(response)
    assert VaultDocument.objects.count() == 0 and AttachedDocument.objects.count() == 0
    assert stored_files(private_storage) == []


def test_characters_file_systems_refuse_are_replaced_in_the_name_shown(
    signed_in, user, dossier, application, private_storage
):
    response = post_raw_file_name(signed_in, upload_url(dossier, application), 'con<>:"|?*.pdf')
    assert response.status_code == 302, refused_message(response)
    document = VaultDocument.objects.get(owner=user)
    assert document.display_name == "con_______.pdf"
    assert [path for path in stored_files(private_storage)] == [document.stored_name]
    download = signed_in.get(reverse("dossiers:esafe-download", args=[document.public_id]))
    assert download["Content-Disposition"].startswith("attachment;")


class CountingBody(io.RawIOBase):
    """A request body produced on demand, as a client streams it; counts what the server read."""

    def __init__(self, head: bytes, filler_bytes: int, tail: bytes) -> None:
        self.parts = [head, None, tail]
        self.filler_left = filler_bytes
        self.read_bytes = 0
        self.total = len(head) + filler_bytes + len(tail)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 64 * 1024 if size is None or size < 0 else size
        chunk = b""
        while self.parts and len(chunk) < size:
            wanted = size - len(chunk)
            if self.parts[0] is None:
                take = min(wanted, self.filler_left)
                chunk += b"A" * take
                self.filler_left -= take
                if self.filler_left == 0:
                    self.parts.pop(0)
            else:
                chunk += self.parts[0][:wanted]
                self.parts[0] = self.parts[0][wanted:]
                if not self.parts[0]:
                    self.parts.pop(0)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - multipart does not read lines
        return self.read(size)


def streamed_upload(client, url: str, filler_bytes: int, *, declared: int | None = None):
    boundary = "StreamBoundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = CountingBody(head, filler_bytes, tail)
    response = client.generic(
        "POST",
        url,
        b"",
        **{
            "wsgi.input": body,
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
            "CONTENT_LENGTH": str(declared if declared is not None else body.total),
        },
    )
    return response, body


def test_a_1_gb_upload_is_refused_before_its_body_is_read(signed_in, dossier, application, private_storage):
    response, body = streamed_upload(signed_in, upload_url(dossier, application), 1024**3)
    assert response.status_code == 413
    assert "larger than 20.0 MB" in refused_message(response)
    assert body.read_bytes == 0  # refused on its declared length: not one byte of the body was read
    assert VaultDocument.objects.count() == 0 and stored_files(private_storage) == []


def test_an_upload_over_the_limit_is_refused_while_it_streams(
    settings, signed_in, dossier, application, private_storage
):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    # within the room left for the form's framing, so only counting the file's bytes can stop it
    response, body = streamed_upload(signed_in, upload_url(dossier, application), 1024 * 1024 + 900 * 1024)
    assert response.status_code == 413
    assert "larger than 1.0 MB" in refused_message(response)
    assert body.read_bytes < body.total - 512 * 1024  # it stopped reading soon after the limit
    assert VaultDocument.objects.count() == 0 and stored_files(private_storage) == []


# --- whose dossier, whose document ----------------------------------------------------------------


def test_another_users_dossier_or_document_is_a_404_and_changes_nothing(
    client, other_user, user, dossier, application, private_storage
):
    document = vault.store_upload(
        owner=user,
        application=application,
        policy=vault.policy_for(application, CONCEPT),
        checked=__import__("portal.dossiers.documents", fromlist=["check_upload"]).check_upload(
            files.PLAIN_PDF, "mine.pdf", vault.policy_for(application, CONCEPT)
        ),
    )
    client.force_login(other_user)
    assert upload(client, dossier, application, files.PLAIN_PDF, "x.pdf").status_code == 404
    assert client.get(reverse("dossiers:esafe-download", args=[document.public_id])).status_code == 404
    assert client.get(reverse("dossiers:esafe-document", args=[document.public_id])).status_code == 404
    assert (
        client.post(
            reverse("dossiers:esafe-document", args=[document.public_id]), {"action": "delete"}
        ).status_code
        == 404
    )
    other_dossier = services.start_dossier(
        owner=other_user, procedure_ids=[application.procedure_id], language="en"
    )
    other_application = other_dossier.applications.get()
    response = client.post(
        reverse(
            "dossiers:document-attach", args=[other_dossier.public_id, other_application.public_id, CONCEPT]
        ),
        {"document": str(document.public_id)},
    )
    assert response.status_code == 400 and "Choose a document of your eSafe" in refused_message(response)
    attachment = AttachedDocument.objects.get()
    assert (
        client.post(
            reverse(
                "dossiers:document-detach", args=[dossier.public_id, application.public_id, attachment.pk]
            )
        ).status_code
        == 404
    )
    assert VaultDocument.objects.count() == 1 and AttachedDocument.objects.count() == 1
    assert "mallory" not in client.get(reverse("dossiers:esafe")).content.decode()
    assert "mine.pdf" not in client.get(reverse("dossiers:esafe")).content.decode()


def test_the_owner_downloads_as_an_attachment_that_is_not_sniffed(signed_in, user, dossier, application):
    upload(signed_in, dossier, application, files.PLAIN_PDF, "statutes.pdf")
    document = VaultDocument.objects.get()
    response = signed_in.get(reverse("dossiers:esafe-download", args=[document.public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PLAIN_PDF
    assert response["Content-Disposition"] == 'attachment; filename="statutes.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


# --- signed files go to the signing block --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "mime"),
    [(files.SIGNED_PDF_PATH, "application/pdf"), (files.ASICE_PATH, "application/vnd.etsi.asic-e+zip")],
    ids=["pades", "asice"],
)
def test_a_signed_file_gets_a_validation_report_linked_from_the_step(
    signed_in, user, dossier, application, path, mime
):
    response = upload(signed_in, dossier, application, path.read_bytes(), path.name)
    assert response.status_code == 302, refused_message(response)
    document = VaultDocument.objects.get()
    assert document.signed and document.mime_type == mime
    report = StoredValidationReport.objects.get()
    assert document.validation_report == report and report.uploaded_by == user
    page = signed_in.get(response["Location"]).content.decode()
    report_url = reverse("signing:report", args=[report.pk])
    assert report_url in page
    assert signed_in.get(report_url).status_code == 200


# --- eSafe ---------------------------------------------------------------------------------------


def test_a_document_is_reused_from_the_esafe_in_another_dossier_with_an_expiry_warning(
    signed_in, user, dossier, application, procedures
):
    upload(signed_in, dossier, application, files.PLAIN_PDF, "statutes.pdf")
    document = VaultDocument.objects.get()
    soon = datetime.date.today() + datetime.timedelta(days=10)
    response = signed_in.post(
        reverse("dossiers:esafe-document", args=[document.public_id]),
        {
            "issuer": "Notary Office Porto",
            "issue_date": "2024-01-05",
            "expiry_date": soon.isoformat(),
            "language": "pt",
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.issuer, document.issue_date, document.expiry_date, document.language) == (
        "Notary Office Porto",
        datetime.date(2024, 1, 5),
        soon,
        "pt",
    )
    assert (
        f"Expires on {date_format(soon, 'DATE_FORMAT')}"
        in signed_in.get(reverse("dossiers:esafe")).content.decode()
    )

    second = services.start_dossier(
        owner=user, procedure_ids=[procedures["commercial-register-entry"].pk], language="en"
    )
    second_application = second.applications.get()
    step = signed_in.get(
        reverse("dossiers:step", args=[second.public_id, second_application.public_id])
    ).content.decode()
    assert "reuse a document from your eSafe" in step and "statutes.pdf" in step
    response = signed_in.post(
        reverse("dossiers:document-attach", args=[second.public_id, second_application.public_id, CONCEPT]),
        {"document": str(document.public_id)},
        follow=True,
    )
    page = response.content.decode()
    assert "was added from your eSafe" in page and f"Expires on {date_format(soon, 'DATE_FORMAT')}" in page
    assert VaultDocument.objects.count() == 1  # reused, not copied
    assert CONCEPT in vault.satisfied_concepts(second_application)


def test_metadata_that_makes_no_sense_is_refused(signed_in, dossier, application):
    upload(signed_in, dossier, application, files.PLAIN_PDF, "statutes.pdf")
    document = VaultDocument.objects.get()
    response = signed_in.post(
        reverse("dossiers:esafe-document", args=[document.public_id]),
        {"issue_date": "2024-01-05", "expiry_date": "2023-01-05"},
    )
    assert response.status_code == 400 and "cannot expire before it was issued" in response.content.decode()
    document.refresh_from_db()
    assert document.expiry_date is None


def test_deleting_from_the_esafe_detaches_from_drafts_but_not_from_a_submitted_dossier(
    signed_in, user, dossier, application, private_storage, django_capture_on_commit_callbacks
):
    upload(signed_in, dossier, application, files.PLAIN_PDF, "statutes.pdf")
    document = VaultDocument.objects.get()
    for state in (DossierState.READY_FOR_SIGNATURE, DossierState.SIGNED, DossierState.SUBMITTED):
        services.transition(dossier, state, actor=user, reason="test")
    response = signed_in.post(
        reverse("dossiers:esafe-document", args=[document.public_id]), {"action": "delete"}, follow=True
    )
    assert "kept as its record" in response.content.decode()
    assert VaultDocument.objects.count() == 1 and stored_files(private_storage) == [document.stored_name]

    draft = services.start_dossier(owner=user, procedure_ids=[application.procedure_id], language="en")
    other = draft.applications.get()
    upload(signed_in, draft, other, files.png_with_metadata(), "scan.png")
    second = VaultDocument.objects.exclude(pk=document.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("dossiers:esafe-document", args=[second.public_id]), {"action": "delete"}
        )
    assert response.status_code == 302
    assert not VaultDocument.objects.filter(pk=second.pk).exists()
    assert not AttachedDocument.objects.filter(application=other).exists()
    assert second.stored_name not in stored_files(private_storage)


def test_documents_cannot_change_once_the_dossier_is_signed(signed_in, user, dossier, application):
    for state in (DossierState.READY_FOR_SIGNATURE, DossierState.SIGNED):
        services.transition(dossier, state, actor=user, reason="test")
    response = upload(signed_in, dossier, application, files.PLAIN_PDF, "statutes.pdf")
    assert response.status_code == 400 and "can no longer change" in refused_message(response)
    assert VaultDocument.objects.count() == 0


def test_a_new_document_sends_a_dossier_ready_for_signature_back_to_draft(
    signed_in, user, dossier, application
):
    services.transition(dossier, DossierState.READY_FOR_SIGNATURE, actor=user, reason="test")
    upload(signed_in, dossier, application, files.PLAIN_PDF, "statutes.pdf")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT
    assert dossier.state_changes.last().reason == "Documents changed after the review."


def test_documents_for_delivery_gives_only_usable_documents_with_unique_names(user, dossier, application):
    from portal.dossiers.documents import check_upload

    policy = vault.policy_for(application, CONCEPT)
    first = vault.store_upload(
        owner=user,
        application=application,
        policy=policy,
        checked=check_upload(files.PLAIN_PDF, "a.pdf", policy),
    )
    vault.store_upload(
        owner=user,
        application=application,
        policy=policy,
        checked=check_upload(files.pdf_with(text="2"), "a.pdf", policy),
    )
    assert documents_for_delivery(application) == []  # pending scan: not sent
    for document in VaultDocument.objects.all():
        vault.scan_document(document.pk)
    delivered = documents_for_delivery(application)
    assert [(name, mime) for name, _content, mime in delivered] == [
        ("a.pdf", "application/pdf"),
        ("a-2.pdf", "application/pdf"),
    ]
    assert delivered[0][1] == storages["private"].open(first.stored_name).read()


# --- scanning -------------------------------------------------------------------------------------


def test_clamav_over_tcp_finds_eicar_and_the_document_is_refused_and_deleted(
    settings, signed_in, user, dossier, application, private_storage, django_capture_on_commit_callbacks
):
    port = free_port()
    settings.DOCUMENT_SCANNER = {"class": "clamav", "address": f"tcp://127.0.0.1:{port}", "timeout": 5}
    with files.clamd_standin(port=port) as clamd, django_capture_on_commit_callbacks(execute=True):
        clean = upload(signed_in, dossier, application, files.PLAIN_PDF, "statutes.pdf")
        infected = upload(
            signed_in, dossier, application, files.pdf_with(text=files.EICAR.decode()), "infected.pdf"
        )
    assert len(clamd.scanned) == 2
    good, bad = VaultDocument.objects.order_by("id")
    assert (good.scan_status, good.scanned_by, good.scan_result) == (ScanStatus.CLEAN, "clamav", "OK")
    assert (bad.scan_status, bad.scan_result, bad.stored_name) == (
        ScanStatus.INFECTED,
        "Eicar-Test-Signature",
        "",
    )
    assert stored_files(private_storage) == [good.stored_name]
    assert clean.status_code == 302
    page = signed_in.get(infected["Location"]).content.decode()
    assert "the virus scan found Eicar-Test-Signature" in page and "The file was deleted" in page
    assert CONCEPT in vault.satisfied_concepts(application)  # the clean one counts
    assert signed_in.get(reverse("dossiers:esafe-download", args=[bad.public_id])).status_code == 404


def test_clamav_over_a_unix_socket(tmp_path):
    from portal.dossiers.scanning import scanners

    path = str(tmp_path / "clamd.sock")
    with files.clamd_standin(unix_path=path):
        scanner = scanners.build("clamav", {"address": f"unix://{path}"})
        assert scanner.scan(files.EICAR).infected is True
        verdict = scanner.scan(b"harmless" * 100_000)  # several INSTREAM chunks
        assert (verdict.infected, verdict.scanned) == (False, True)


def test_a_scanner_that_is_down_leaves_the_document_pending_and_it_does_not_count(
    settings, signed_in, dossier, application
):
    settings.DOCUMENT_SCANNER = {"class": "clamav", "address": f"tcp://127.0.0.1:{free_port()}", "timeout": 2}
    response = upload(signed_in, dossier, application, files.PLAIN_PDF, "statutes.pdf")
    assert response.status_code == 302
    document = VaultDocument.objects.get()
    assert document.scan_status == ScanStatus.PENDING and document.scan_attempts == 1
    assert "cannot be reached" in document.scan_result
    assert CONCEPT in [item["concept"] for _step, item in missing_answers(dossier)]
    page = signed_in.get(response["Location"]).content.decode()
    assert "Waiting for the virus scan" in page and "waits for its virus scan" in page


@pytest.mark.parametrize(
    ("name", "config", "message"),
    [
        ("clamav", {}, "missing options \\['address'\\]"),
        ("clamav", {"address": "http://clamd"}, "neither tcp://host:port nor unix:///path"),
        ("clamav", {"address": "tcp://127.0.0.1:3310", "timeout": "soon"}, "'timeout' must be int or float"),
        ("none", {"address": "tcp://x:1"}, "unknown options"),
        ("sophos", {}, "no scanner named 'sophos'"),
    ],
)
def test_scanner_options_are_validated(name, config, message):
    from portal.dossiers.scanning import ScannerConfigurationError, scanners

    with pytest.raises(ScannerConfigurationError, match=message):
        scanners.build(name, config)


def test_the_configured_scanner_comes_from_the_setting_with_its_defaults(settings):
    from portal.dossiers.scanning import (
        ClamdScanner,
        NoScanner,
        Scanner,
        ScannerConfigurationError,
        configured_scanner,
        scanners,
    )

    settings.DOCUMENT_SCANNER = {"class": "clamav", "address": "unix:///run/clamd.sock"}
    scanner = configured_scanner()
    assert isinstance(scanner, ClamdScanner)
    assert (scanner.address, scanner.timeout, scanner.chunk_size) == ("unix:///run/clamd.sock", 30, 65536)
    settings.DOCUMENT_SCANNER = {}
    assert isinstance(configured_scanner(), NoScanner)

    class Impostor(Scanner):
        name = "clamav"

    with pytest.raises(ScannerConfigurationError, match="scanner 'clamav' registered twice"):
        scanners.register(Impostor)
    assert scanners.get("clamav") is ClamdScanner


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Nous n'avons pas reconnu ce fichier"),
        ("de", "Wir konnten diese Datei an ihrem Inhalt nicht erkennen"),
    ],
)
def test_refusals_speak_the_users_language(signed_in, dossier, application, language, expected):
    from django.utils import translation

    with translation.override(language):
        url = reverse("dossiers:document-upload", args=[dossier.public_id, application.public_id, CONCEPT])
    handle = io.BytesIO(b"<script>alert(1)</script>")
    handle.name = "invoice.pdf"
    response = signed_in.post(url, {"file": handle})
    assert response.status_code == 400
    assert expected in refused_message(response)
    assert VaultDocument.objects.count() == 0


def test_a_p7s_signature_is_recognised_from_its_content_and_validated(signed_in, user, dossier, application):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    from tests.signing.pki import build_pki

    pki = build_pki()
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(files.PLAIN_PDF)
        .add_signer(pki.signer.cert, pki.signer.key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    response = upload(signed_in, dossier, application, signature, "statutes.bin")
    assert response.status_code == 302, refused_message(response)
    document = VaultDocument.objects.get()
    assert (document.mime_type, document.display_name, document.signed) == (
        "application/pkcs7-signature",
        "statutes.p7s",
        True,
    )
    assert document.validation_report is not None and document.validation_report.uploaded_by == user


def test_an_upload_without_the_csrf_token_is_refused_and_nothing_is_stored(
    user, dossier, application, private_storage
):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = upload(client, dossier, application, files.PLAIN_PDF, "statutes.pdf")
    assert response.status_code == 403
    assert VaultDocument.objects.count() == 0 and stored_files(private_storage) == []


def test_a_post_that_is_not_a_file_upload_is_refused_before_its_body_is_read(signed_in, dossier, application):
    response = signed_in.post(upload_url(dossier, application), "x" * 5_000_000, content_type="text/plain")
    assert response.status_code == 400 and "Choose a file to upload" in refused_message(response)
    assert VaultDocument.objects.count() == 0


# --- XML evidence -------------------------------------------------------------------------------


def accept_only_xml(application) -> None:
    for entry in application.procedure_snapshot["evidence"]:
        if entry["evidence_type"]["identifier"] == "articles-of-association":
            entry["accepted_formats"] = ["xml"]
    application.save()


def test_well_formed_xml_is_kept_where_the_authority_takes_xml(signed_in, user, dossier, application):
    accept_only_xml(application)
    content = '<?xml version="1.0" encoding="UTF-8"?>\n<statutes xmlns="urn:example"><name>Café Lusitano</name></statutes>'
    response = upload(signed_in, dossier, application, content.encode(), "statutes.txt")
    assert response.status_code == 302
    document = VaultDocument.objects.get(owner=user)
    assert (document.mime_type, document.display_name) == ("application/xml", "statutes.xml")
    assert storages["private"].open(document.stored_name).read() == content.encode()
    assert AttachedDocument.objects.filter(application=application).count() == 1


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]><r>&secret;</r>"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BILLION_LAUGHS, "document type declaration"),
        (EXTERNAL_ENTITY, "document type declaration"),
        (b"<?xml version='1.0'?>\n<statutes>\n<name>unclosed</statutes>", "not well-formed (line 3)"),
        (b"<statutes><a></b></statutes>", "not well-formed"),
    ],
    ids=["billion-laughs", "external-entity", "mismatched-tag", "no-declaration"],
)
def test_hostile_or_broken_xml_is_refused_and_nothing_is_stored(
    signed_in, dossier, application, private_storage, content, message
):
    accept_only_xml(application)
    response = upload(signed_in, dossier, application, content, "statutes.xml")
    assert response.status_code == 400
    assert message in refused_message(response)
    assert b"root:" not in response.content
    assert VaultDocument.objects.count() == 0 and stored_files(private_storage) == []


def test_xml_where_the_authority_does_not_take_it_is_refused_by_name(signed_in, dossier, application):
    response = upload(signed_in, dossier, application, b'<?xml version="1.0"?><statutes/>', "statutes.pdf")
    assert response.status_code == 400
    assert "This file is an XML file" in refused_message(response)
    assert VaultDocument.objects.count() == 0
