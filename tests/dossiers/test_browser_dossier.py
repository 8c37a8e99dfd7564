"""Ana, a programmer from Porto with two employees, applies to two authorities with one dossier."""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader

from portal.dossiers.models import Dossier
from tests.dossiers.test_pdf import embedded_files
from tests.fixtures.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHECKLIST = "/en/finder/checklist/?activity=62.01&provision=establishment&country=PT&legal_form=sole_trader&employees=2"


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_one_dossier_for_two_authorities_asks_common_questions_once(page, live_server, user, catalogue):
    sign_in(page, live_server, user)
    page.goto(CHECKLIST)
    authorities = page.get_by_role("heading", name="Authorities involved").locator("xpath=..").inner_text()
    assert "Municipal Trade Office of Aurelia City" in authorities and "National Tax Office" in authorities
    assert page.locator("ol.checklist > li").count() == 2
    assert_accessible(page)

    page.get_by_role("button", name="Start my application").click()
    page.wait_for_url(re.compile(r"/en/dossiers/[0-9a-f-]+/step/common/$"))
    assert "Step 1 of 3" in page.locator("main").inner_text()
    assert_accessible(page)

    # an empty "Save and continue": every problem is summarised, the page stays accessible
    page.get_by_role("button", name="Save and continue").click()
    assert "There is a problem" in page.locator("[data-error-summary]").inner_text()
    assert_accessible(page)

    page.get_by_label("Full name").fill("Ana Silva")
    status = page.locator("#autosave-status")
    page.wait_for_function("document.getElementById('autosave-status').textContent.includes('Saved at')")
    assert status.get_attribute("role") == "status"
    page.get_by_label("Date of birth").fill("1990-04-02")
    page.get_by_label("E-mail address").fill("ana@example.eu")
    page.get_by_label("Phone number").fill("+351912345678")
    page.get_by_label("Your address").fill("Rua das Flores 12\n4050-262 Porto")
    page.get_by_label("Country of establishment").select_option("PT")
    page.get_by_label("Business activity").fill("Computer programming")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r"/step/[0-9a-f-]{36}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Business registration (trade licence)"
    main = page.locator("main").inner_text()
    assert "Step 2 of 3" in main
    assert page.get_by_label("Full name").count() == 0  # the common answers are not asked again ...
    assert "Ana Silva" in page.locator(".shared-answers").inner_text()  # ... but shown as used here
    page.get_by_label("Address of the premises").fill("Rua do Almada 5, Porto")
    page.wait_for_function("document.getElementById('autosave-status').textContent.includes('Saved at')")
    assert_accessible(page)

    # she leaves, and comes back through her dashboard
    page.get_by_role("link", name="Leave and continue later").click()
    page.wait_for_url("**/en/dossiers/")
    assert "Being prepared" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Continue")).click()
    page.wait_for_url(re.compile(r"/step/[0-9a-f-]{36}/$"))
    assert page.get_by_label("Address of the premises").input_value() == "Rua do Almada 5, Porto"
    page.get_by_label("Start of activity").fill("2027-01-04")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r"/step/[0-9a-f-]{36}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "VAT registration"
    assert "Step 3 of 3" in page.locator("main").inner_text()
    page.get_by_label("Expected yearly turnover (EUR)").fill("60000")
    page.get_by_role("radio", name="No", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r"/review/$"))
    main = page.locator("main").inner_text()
    assert "missing" not in main
    assert main.count("Ana Silva") == 2  # answered once, in both applications
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("prepare for signature")).click()
    page.wait_for_url(re.compile(r"/review/$"))
    assert "Ready for signature" in page.locator("main").inner_text()
    assert_accessible(page)

    # she downloads the PDF each authority will receive
    for title in ("Business registration (trade licence)", "VAT registration"):
        with page.expect_download() as download:
            page.get_by_role(
                "link", name=re.compile(f"^Download the application PDF . {re.escape(title)}$")
            ).click()
        pdf = Path(download.value.path()).read_bytes()
        answers = json.loads(embedded_files(PdfFileReader(BytesIO(pdf)))["answers.json"]["data"])
        assert answers["answers"]["applicant.full_name"] == "Ana Silva"
        assert download.value.suggested_filename.startswith("application-")

    dossier = Dossier.objects.get(owner=user)
    assert dossier.state == "ready_for_signature"
    assert dossier.answers["applicant.full_name"] == "Ana Silva"
    assert dossier.applications.count() == 2


def test_autosave_retries_after_a_network_failure_and_says_so(page, live_server, user, catalogue):
    from portal.dossiers import services
    from procedures.models import ProcedurePage

    procedure = ProcedurePage.objects.live().get(slug="business-registration", locale__language_code="en")
    dossier = services.start_dossier(owner=user, procedure_ids=[procedure.pk], language="en")
    sign_in(page, live_server, user)
    failures = []

    def flaky(route):
        if not failures:
            failures.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/autosave/", flaky)
    page.goto(f"/en/dossiers/{dossier.public_id}/step/{dossier.applications.get().public_id}/")
    page.get_by_label("Full name").fill("Ana Silva")
    page.wait_for_function("document.getElementById('autosave-status').textContent.includes('trying again')")
    assert_accessible(page)
    page.wait_for_function("document.getElementById('autosave-status').textContent.includes('Saved at')")
    assert len(failures) == 1
    dossier.refresh_from_db()
    assert dossier.answers == {"applicant.full_name": "Ana Silva"}
