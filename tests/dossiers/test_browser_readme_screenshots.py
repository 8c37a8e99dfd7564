"""The README's screenshots of the dossier, delivery and back-office pages, taken from real pages with the
demo catalogue: signing, the delivery status, the eSafe, the back-office inbox and an application in it.

Run by ``portal/bin/readme-screenshots``, which writes them (viewport 1280x800, 256 colours) to
docs/screenshots/; in the normal test run they go to var/screenshots/readme/. axe runs on every page."""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image

from portal.accounts.models import AuthorityMembership
from portal.dossiers.models import ScanStatus, VaultDocument
from portal.dossiers.states import ApplicationState as A
from portal.submissions import services as submission
from portal.submissions import tasks
from tests.accounts.conftest import PASSWORD, make_user
from tests.accounts.totp import totp
from tests.fixtures.browser import SCREENSHOTS, assert_accessible
from tests.submissions.submission_helpers import complete_dossier, signed_dossier

from .documents_helpers import pdf_with
from .test_browser_signing import sign_in
from .test_signing_step import SUBSTANTIAL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
VIEWPORT = {"width": 1280, "height": 800}


def target_folder() -> Path:
    if os.environ.get("README_SCREENSHOTS") == "1":
        return settings.BASE_DIR / "docs" / "screenshots"
    return SCREENSHOTS / "readme"


def shoot(page, name: str) -> Path:
    """The visible part of the page, reduced to 256 colours: sharp text, a few tens of KiB."""
    folder = target_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)
    return path


def vault_document(owner, name: str, evidence_type: str, type_name: str, issuer: str, expiry) -> None:
    content = pdf_with(text=name)
    stored = storages["private"].save("esafe/readme-screenshot", ContentFile(content))
    VaultDocument.objects.create(
        owner=owner, stored_name=stored, display_name=name, mime_type="application/pdf", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), scan_status=ScanStatus.NOT_SCANNED, scanned_by="none",
        evidence_type=evidence_type, evidence_type_name=type_name, issuer=issuer,
        issue_date=datetime.date(2024, 3, 1), expiry_date=expiry, language="en",
    )  # fmt: skip


def test_readme_screenshots(qtsp_signer, browser, live_server, user, procedures, monkeypatch):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    page = context.new_page()
    user.first_name, user.last_name = "Ana", "Silva"
    user.save(update_fields=["first_name", "last_name"])
    sign_in(page, live_server, user, SUBSTANTIAL)  # signed in with an eID, as signing needs

    # 1. the signing page: what will be signed, for which authorities, with which trust service
    to_sign = complete_dossier(user, procedures, ["business-registration", "vat-registration"])
    page.goto(f"/en/dossiers/{to_sign.public_id}/sign/")
    main = page.locator("main").inner_text()
    assert "Business registration (trade licence)" in main and "VAT registration" in main
    assert "Verify your identity" not in main  # the signing page itself, not the eID step-up
    assert_accessible(page)
    shoot(page, "signing")

    # 2. a signed dossier submitted to the trade office's back-office, the pipeline run here
    monkeypatch.setattr(tasks.build_package_task, "delay", lambda pk: None)
    submitted = signed_dossier(user, procedures, ["business-registration"])
    [application] = submitted.applications.all()
    submission.submit(submitted, user)
    submission.build_package(application.pk)
    submission.dispatch_package(application.pk)
    application.refresh_from_db()
    assert application.state == A.DELIVERED
    page.goto(f"/en/dossiers/{submitted.public_id}/delivery/")
    assert "Delivered to the portal back-office on" in page.locator("#submission-status").inner_text()
    assert_accessible(page)
    shoot(page, "delivery-status")

    # 3. the eSafe with documents kept for reuse, one expiring soon
    vault_document(user, "Articles of association 2024.pdf", "articles-of-association",
                   "Articles of association", "Notary Costa, Porto", None)  # fmt: skip
    vault_document(user, "Passport Ana Silva.pdf", "identity-document", "Identity document",
                   "República Portuguesa", datetime.date.today() + datetime.timedelta(days=20))  # fmt: skip
    page.goto("/en/dossiers/esafe/")
    assert "Passport Ana Silva.pdf" in page.locator("main").inner_text()
    assert_accessible(page)
    shoot(page, "esafe")

    # 4. a clerk of the trade office: inbox, then the application
    authority = application.procedure_snapshot["authority"]["identifier"]
    clerk = make_user("clara@trade.aurelia.example.eu", first_name="Clara", last_name="Weber")
    AuthorityMembership.objects.create(user=clerk, authority_identifier=authority, role="clerk")
    Authenticator.objects.create(user=clerk, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    context.clear_cookies()
    page.goto("/en/backoffice/")
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill(clerk.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp(TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/en/backoffice/")
    title = application.procedure_snapshot["title"]
    assert title in page.locator("main").inner_text()
    assert_accessible(page)
    shoot(page, "backoffice-inbox")

    page.get_by_role("link", name=title).first.click()
    page.wait_for_url(re.compile(rf"/backoffice/applications/{application.public_id}/$"))
    page.get_by_role("button", name="Take into review (assign to me)").click()
    page.wait_for_url(re.compile(rf"/backoffice/applications/{application.public_id}/$"))
    assert page.locator("#application-status").inner_text() == "In review"
    assert_accessible(page)
    shoot(page, "backoffice-application")
    context.close()

    for name in ("signing", "delivery-status", "esafe", "backoffice-inbox", "backoffice-application"):
        with Image.open(target_folder() / f"{name}.png") as image:
            assert image.size == (VIEWPORT["width"], VIEWPORT["height"])
