"""A new user's whole journey in Chromium, from the finder's checklist to the application PDFs.

Lina, a new user, opens a wellness studio (NACE 96.04) in Aurelia: the checklist names three
procedures at two authorities (two at the municipal trade office, one at the tax office). She answers
the common questions once, uploads two documents, reuses a third from her eSafe, leaves, comes back
from her dashboard, finishes, reads the review and downloads each application PDF. axe runs on every
page she sees.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image, ImageDraw

from portal.demo import access_point as demo
from portal.demo.catalogue import connect_as4_authorities
from portal.dossiers import services, vault
from portal.dossiers.documents import check_upload
from portal.dossiers.models import Dossier, VaultDocument
from portal.dossiers.states import DossierState
from portal.submissions.models import SubmissionPackage
from tests.dossiers.test_signing_step import SUBSTANTIAL
from tests.fixtures.browser import assert_accessible
from tests.fixtures.processes import answers, free_port, serving
from tests.submissions.test_submission import DEMO_FOLDER, PARTY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOURNEY_PROCEDURES = {"business-registration", "premises-opening-permit", "vat-registration"}
CHECKLIST = "/en/finder/checklist/?activity=96.04&provision=establishment&country=PT&legal_form=sole_trader&employees=0"
TITLES = (
    "Business registration (trade licence)",
    "Permit to open premises to the public",
    "VAT registration",
)
STEP = re.compile(r"/en/dossiers/[0-9a-f-]+/step/[0-9a-f-]{36}/$")
SAVED = "document.getElementById('autosave-status').textContent.includes('Saved at')"


@pytest.fixture
def journey_catalogue(db, monkeypatch):
    from portal.demo import catalogue_data as demo_data
    from portal.demo.catalogue import ensure_catalogue

    monkeypatch.setattr(
        demo_data, "PROCEDURES", [p for p in demo_data.PROCEDURES if p["slug"] in JOURNEY_PROCEDURES]
    )
    monkeypatch.setattr(demo_data, "ACTIVITIES", [a for a in demo_data.ACTIVITIES if a[0] == "96.04"])
    return ensure_catalogue()


@pytest.fixture
def journey_access_point(tmp_path, settings, monkeypatch, journey_catalogue):
    """The demo authority access point as its own process, the tax office's AS4 channel pointed at it
    (as load_demo does) before the dossier starts, since the snapshot freezes the channel."""
    port = free_port()
    pmodes_file = tmp_path / "portal-pmodes.json"
    settings.DELIVERY_PMODES_FILE = str(pmodes_file)
    monkeypatch.setenv("DELIVERY_PMODES_FILE", str(pmodes_file))
    with serving(
        [sys.executable, "manage.py", "run_access_point", "--party", PARTY, "--port", str(port),
         "--folder", str(tmp_path / "authority-inbox")],
        name="run_access_point",
        ready=answers(f"http://127.0.0.1:{port}/"),
        log_path=tmp_path / "access-point.log",
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    ):  # fmt: skip
        assert connect_as4_authorities(demo.demo_channel(DEMO_FOLDER, PARTY, port)) > 0
        yield tmp_path / "authority-inbox"


@pytest.fixture
def new_user(db, django_user_model):
    return django_user_model.objects.create_user(email="lina@example.eu", password="a long passphrase 77")


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    session = client.session
    session["accounts_assurance"] = SUBSTANTIAL
    session.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def lease_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<html lang='en'><body><h1>Lease agreement</h1><p>Rua Nova 8, Porto: studio of 80 m²,"
        " let to Lina Costa from 1 January 2027.</p></body></html>"
    ).write_pdf()


def floor_plan_png() -> bytes:
    image = Image.new("RGB", (400, 300), "white")
    drawing = ImageDraw.Draw(image)
    drawing.rectangle((20, 20, 380, 280), outline="black", width=4)
    drawing.rectangle((330, 240, 380, 280), fill="green")  # the emergency exit
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def insurance_in_the_esafe(user) -> VaultDocument:
    """An insurance certificate Lina uploaded for an earlier application, which she then withdrew."""
    from weasyprint import HTML

    from procedures.models import ProcedurePage

    procedure = ProcedurePage.objects.live().get(slug="premises-opening-permit", locale__language_code="en")
    earlier = services.start_dossier(owner=user, procedure_ids=[procedure.pk], language="en")
    application = earlier.applications.get()
    policy = vault.policy_for(application, "premises.liability_insurance")
    data = HTML(string="<h1>Certificate of liability insurance</h1><p>Policy 42-2026</p>").write_pdf()
    document = vault.store_upload(
        owner=user,
        application=application,
        policy=policy,
        checked=check_upload(data, "insurance.pdf", policy),
    )
    vault.scan_document(document.pk)
    services.transition(earlier, DossierState.WITHDRAWN, actor=user, reason="Opened elsewhere.")
    return document


def upload(page, label: str, name: str, mime: str, data: bytes) -> None:
    page.get_by_label(f"Upload a file for “{label}”").set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    page.get_by_role("button", name=f"Upload {label}").click()
    page.wait_for_function(f"document.querySelector('main').innerText.includes({name.rsplit('.', 1)[0]!r})")


@pytest.mark.worker
def test_a_new_user_applies_to_two_authorities_with_one_dossier_documents_and_the_esafe(
    qtsp_signer, journey_access_point, celery_worker, page, live_server, new_user, tmp_path
):
    insurance = insurance_in_the_esafe(new_user)
    sign_in(page, live_server, new_user)

    # the finder's checklist: three procedures, two authorities
    page.goto(CHECKLIST)
    assert page.locator("ol.checklist > li").count() == 3
    authorities = page.get_by_role("heading", name="Authorities involved").locator("xpath=..").inner_text()
    assert "Municipal Trade Office of Aurelia City" in authorities and "National Tax Office" in authorities
    assert_accessible(page)
    page.get_by_role("button", name="Start my application").click()

    # the common step: asked once for the three applications
    page.wait_for_url(re.compile(r"/en/dossiers/[0-9a-f-]+/step/common/$"))
    main = page.locator("main").inner_text()
    assert "Step 1 of 4" in main and "answer them once" in main
    assert_accessible(page)
    page.get_by_label("Full name").fill("Lina Costa")
    page.get_by_label("Date of birth").fill("1988-11-23")
    page.get_by_label("E-mail address").fill("lina@example.eu")
    page.get_by_label("Phone number").fill("+351934567890")
    page.get_by_label("Your address").fill("Avenida da Boavista 100\n4100-112 Porto")
    page.get_by_label("Country of establishment").select_option("PT")
    page.get_by_label("Business activity").fill("Wellness studio")
    # asked by both trade office procedures, so asked here, once
    page.get_by_label("Address of the premises").fill("Rua Nova 8, Porto")
    page.wait_for_function(SAVED)
    page.get_by_role("button", name="Save and continue").click()

    # step 2: business registration; the common answers are not asked again
    page.wait_for_url(STEP)
    assert page.get_by_role("heading", level=1).inner_text() == TITLES[0]
    main = page.locator("main").inner_text()
    assert "Step 2 of 4" in main
    for asked_before in ("Full name", "Date of birth", "Address of the premises"):
        assert page.get_by_label(asked_before).count() == 0, asked_before
    reused = page.get_by_role("region", name="Already answered: used in this application too").inner_text()
    assert "Lina Costa" in reused and "Rua Nova 8, Porto" in reused and "Wellness studio" in reused
    page.get_by_label("Start of activity").fill("2027-01-04")
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()

    # step 3: the opening permit, with its documents
    page.wait_for_url(STEP)
    assert page.get_by_role("heading", level=1).inner_text() == TITLES[1]
    assert "Step 3 of 4" in page.locator("main").inner_text()
    assert page.get_by_label("Address of the premises").count() == 0
    assert "Rua Nova 8, Porto" in page.locator(".shared-answers").inner_text()
    assert_accessible(page)
    page.get_by_label("Maximum number of customers at a time").fill("12")
    page.wait_for_function(SAVED)

    upload(page, "Proof of business premises", "lease.pdf", "application/pdf", lease_pdf())
    assert "“lease.pdf” was uploaded" in page.locator("main").inner_text()
    assert_accessible(page)
    upload(page, "Floor plan of the premises", "floor plan.png", "image/png", floor_plan_png())
    plan = page.locator("#documents-premises__floor_plan .document-list").inner_text()
    assert "floor plan.pdf" in plan and "turned into a PDF" in plan  # the trade office takes PDF only
    assert_accessible(page)

    page.get_by_label("Or reuse a document from your eSafe for “Proof of liability insurance”").select_option(
        label="insurance.pdf"
    )
    page.get_by_role("button", name="Add from my eSafe Proof of liability insurance").click()
    page.wait_for_function("document.querySelector('main').innerText.includes('was added from your eSafe')")
    assert "insurance.pdf" in page.locator("#documents-premises__liability_insurance").inner_text()
    assert_accessible(page)

    # she leaves before the last step ...
    page.get_by_role("link", name="Leave and continue later").click()
    page.wait_for_url("**/en/dossiers/")
    assert_accessible(page)

    # ... and later, in a new tab of the same browser, comes back through her dashboard
    page = page.context.new_page()
    page.goto("/en/dossiers/")
    dashboard = page.locator("main").inner_text()
    assert "Being prepared" in dashboard
    assert all(
        name in dashboard for name in ("Municipal Trade Office of Aurelia City", "National Tax Office")
    )
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Continue")).click()

    # resume lands on the first step with something missing: VAT
    page.wait_for_url(STEP)
    assert page.get_by_role("heading", level=1).inner_text() == TITLES[2]
    assert "Step 4 of 4" in page.locator("main").inner_text()
    assert page.get_by_label("Full name").count() == 0
    reused = page.locator(".shared-answers").inner_text()
    assert "Lina Costa" in reused and "Rua Nova 8" not in reused  # the tax office does not ask it
    assert_accessible(page)
    page.get_by_label("Expected yearly turnover (EUR)").fill("85000")
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    # the review: every answer per authority, the documents, nothing missing
    page.wait_for_url(re.compile(r"/review/$"))
    main = page.locator("main").inner_text()
    assert "missing" not in main
    assert main.count("Lina Costa") == 3  # answered once, used in the three applications
    assert main.count("Rua Nova 8, Porto") == 2  # the premises address, in both trade office applications
    for answer in ("1988", "+351934567890", "Wellness studio", "2027", "12", "85000"):
        assert answer in main, answer
    assert all(name in main for name in ("lease.pdf", "floor plan.pdf", "insurance.pdf"))
    assert main.count("Sent to: Municipal Trade Office of Aurelia City") == 2
    assert main.count("Sent to: National Tax Office") == 1
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("prepare for signature")).click()
    page.wait_for_url(re.compile(r"/review/$"))
    assert "Ready for signature" in page.locator("main").inner_text()
    assert_accessible(page)

    # each authority's application PDF: a PDF/A with her answers in it
    for title in TITLES:
        with page.expect_download() as download:
            page.get_by_role(
                "link", name=re.compile(f"^Download the application PDF . {re.escape(title)}$")
            ).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), info
        text = " ".join(
            subprocess.run(
                ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout.split()
        )
        assert "Lina Costa" in text and "lina@example.eu" in text and title.split(" (")[0] in text, text[:400]
        if title == TITLES[1]:
            assert all(name in text for name in ("lease.pdf", "floor plan.pdf", "insurance.pdf")), text
            assert "Rua Nova 8" in text and "12" in text
        if title == TITLES[2]:
            assert "85000" in text.replace(" ", "").replace(",", "")

    dossier = Dossier.objects.exclude(state=DossierState.WITHDRAWN).get(owner=new_user)
    assert dossier.state == DossierState.READY_FOR_SIGNATURE
    assert dossier.applications.count() == 3
    assert VaultDocument.objects.filter(owner=new_user).count() == 3  # the reused one was not copied
    assert insurance.attachments.filter(application__dossier=dossier).count() == 1

    # she signs the three applications with one consent at the (test) QTSP
    page.get_by_role("link", name="Sign my applications").click()
    page.wait_for_url(re.compile(r"/sign/$"))
    main = page.locator("main").inner_text()
    assert all(title in main for title in TITLES) and "PSC test QTSP" in main
    assert_accessible(page)
    page.get_by_role("button", name="Sign with PSC test QTSP").click()
    page.wait_for_url(re.compile(rf"^{re.escape(qtsp_signer.url)}/oauth2/authorize\?"))
    assert "sign 3 document(s)" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("One-time code").fill(page.locator("#one-time-code").inner_text())
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url(re.compile(r"/sign/status/$"))
    assert_accessible(page)
    page.get_by_text("Every application is signed. Your dossier is signed.").wait_for(timeout=180_000)
    assert page.locator('[data-signing-status="signed"]').count() == 3
    assert_accessible(page)

    # and submits: the trade office's back-office and the tax office's access point (AS4)
    page.goto("/en/dossiers/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Submit")).click()
    page.wait_for_url(re.compile(r"/submit/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Submit to the authorities").click()
    page.wait_for_url(re.compile(r"/delivery/$"))
    assert_accessible(page)
    page.wait_for_function(
        "(() => { const text = document.getElementById('submission-status').textContent;"
        " return text.split('Delivered to the portal back-office on').length === 3"
        " && /Delivered on [^(]*\\(receipt /.test(text); })()",
        timeout=180_000,
    )
    assert page.locator("#submission-status").get_attribute("hx-trigger") is None  # polling stopped
    assert_accessible(page)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert {a.state for a in dossier.applications.all()} == {"delivered"}, celery_worker.log()[-3000:]
    assert len([p for p in journey_access_point.iterdir() if (p / "receipt.xml").exists()]) == 1

    # the trade office's back-office copy of the permit holds the signed PDF and her three documents
    [permit] = [a for a in dossier.applications.all() if a.procedure_snapshot["title"] == TITLES[1]]
    with SubmissionPackage.objects.get(application=permit).container.open("rb") as stored:
        names = set(zipfile.ZipFile(BytesIO(stored.read())).namelist())
    expected = {
        "application.pdf",
        "documents/lease.pdf",
        "documents/floor plan.pdf",
        "documents/insurance.pdf",
    }
    assert expected <= names, names
