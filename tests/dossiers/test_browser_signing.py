"""Ana signs her two applications in the browser: review -> sign -> the QTSP's consent page -> back."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from portal.dossiers.models import Dossier, StateChange
from portal.dossiers.states import DossierState
from tests.dossiers.test_signing_step import SUBSTANTIAL, ready_dossier
from tests.fixtures.browser import SCREENSHOTS, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def sign_in(page, live_server, user, assurance) -> None:
    client = Client()
    client.force_login(user)
    session = client.session
    session["accounts_assurance"] = assurance
    session.save()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_sign_both_applications_with_one_consent_at_the_qtsp(
    page, live_server, user, procedures, qtsp_signer, celery_worker
):
    dossier = ready_dossier(user, procedures)
    sign_in(page, live_server, user, SUBSTANTIAL)
    page.goto(f"/en/dossiers/{dossier.public_id}/review/")
    assert "Ready for signature" in page.locator("main").inner_text()
    page.get_by_role("link", name="Sign my applications").click()

    page.wait_for_url(re.compile(r"/sign/$"))
    main = page.locator("main").inner_text()
    assert "Business registration (trade licence)" in main and "VAT registration" in main
    assert "PSC test QTSP" in main and "Erika Mustermann" in main
    assert page.get_by_role("link", name=re.compile("^Download the PDF")).count() == 2
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dossier-sign-page.png"), full_page=True)
    page.get_by_role("button", name="Sign with PSC test QTSP").click()

    # the QTSP's own consent page (ours too: the bundled test QTSP)
    page.wait_for_url(re.compile(rf"^{re.escape(qtsp_signer.url)}/oauth2/authorize\?"))
    assert "sign 2 document(s)" in page.locator("main").inner_text()
    assert_accessible(page)
    code = page.locator("#one-time-code").inner_text()
    page.get_by_label("One-time code").fill(code)
    page.get_by_role("button", name="Sign", exact=True).click()

    page.wait_for_url(re.compile(r"/sign/status/$"))
    assert_accessible(page)
    # htmx polls the status until the worker has signed both and the dossier is signed
    page.get_by_text("Every application is signed. Your dossier is signed.").wait_for(timeout=150_000)
    assert page.locator('[data-signing-status="signed"]').count() == 2
    assert_accessible(page)
    page.screenshot(path=str(SCREENSHOTS / "dossier-sign-status.png"), full_page=True)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SIGNED
    assert StateChange.objects.filter(dossier=dossier, to_state="signed").count() == 1

    page.get_by_role("link", name=re.compile("^validation report")).first.click()
    page.wait_for_url(re.compile(r"/signing/reports/\d+/$"))
    assert "Valid" in page.locator(".validation-status").inner_text()
    assert_accessible(page)
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.SIGNED
