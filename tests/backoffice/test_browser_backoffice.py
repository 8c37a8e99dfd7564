"""Clara, a clerk, signs in with her second factor, opens the inbox and an application, and asks for a
missing document; Ana sees the request on her dossier and replies. axe runs on every page."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from portal.accounts.models import AuthorityMembership
from portal.dossiers.states import ApplicationState as A
from tests.accounts.conftest import PASSWORD, make_user
from tests.accounts.totp import totp
from tests.backoffice.conftest import AUTHORITY_A, submitted_application
from tests.fixtures.browser import SCREENSHOTS, assert_accessible

pytestmark = pytest.mark.browser
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sign_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.django_db(transaction=True)
def test_clerk_requests_information_and_the_entrepreneur_replies(page, demo_site):
    clara = make_user("clara@crafts.example.eu", first_name="Clara", last_name="Weber")
    AuthorityMembership.objects.create(user=clara, authority_identifier=AUTHORITY_A, role="clerk")
    Authenticator.objects.create(user=clara, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    ana = make_user("ana@example.pt", first_name="Ana", last_name="Silva")
    application = submitted_application(ana, AUTHORITY_A)

    # Clara: sign-in with her authenticator app, straight to the inbox she asked for
    page.goto("/en/backoffice/")
    page.wait_for_url("**/accounts/login/**")
    assert_accessible(page)
    sign_in(page, "clara@crafts.example.eu")
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Code").fill(totp(TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/en/backoffice/")
    assert page.get_by_role("heading", level=1).inner_text() == "Inbox"
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "backoffice-inbox.png"), full_page=True)

    page.get_by_role("link", name="Statistics").click()
    page.wait_for_url("**/en/backoffice/statistics/")
    assert "1 open application" in page.locator("main").inner_text()
    assert_accessible(page)
    page.go_back()
    page.wait_for_url("**/en/backoffice/")

    page.get_by_role("link", name="Craft business registration").click()
    page.wait_for_url(f"**/backoffice/applications/{application.public_id}/")
    assert "Salão Ana" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Take into review (assign to me)").click()
    page.wait_for_url(f"**/backoffice/applications/{application.public_id}/")
    assert page.locator("#application-status").inner_text() == "In review"
    assert_accessible(page)

    # an empty request is explained, not sent
    page.get_by_role("button", name="Send the request").click()
    assert "Write what the applicant must send or explain." in page.locator(".error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("What do you need from the applicant?").fill(
        "Please upload a copy of your master craftsman diploma."
    )
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url(f"**/backoffice/applications/{application.public_id}/")
    assert page.locator("#application-status").inner_text() == "More information requested"
    assert "The time limit stops until they reply." in page.locator(".messages").inner_text()
    assert_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "backoffice-application.png"), full_page=True)

    # Ana: sees the request on her dossier and replies
    page.context.clear_cookies()
    page.goto("/en/dossiers/")
    page.wait_for_url("**/accounts/login/**")
    sign_in(page, "ana@example.pt")
    page.wait_for_url("**/en/dossiers/")
    assert_accessible(page)
    page.get_by_role("link", name="Craft business registration").click()
    page.wait_for_url(f"**/applications/{application.public_id}/")
    assert "master craftsman diploma" in page.locator(".correspondence").inner_text()
    assert page.locator("#application-status").inner_text() == "More information requested"
    assert_accessible(page)
    page.get_by_label("Your reply").fill("My diploma is in the dossier's documents.")
    page.get_by_role("button", name="Send my reply").click()
    page.wait_for_url(f"**/applications/{application.public_id}/")
    assert page.locator("#application-status").inner_text() == "In review"
    assert "Your reply was sent to the authority." in page.locator(".messages").inner_text()
    assert_accessible(page)
    application.refresh_from_db()
    assert application.state == A.IN_REVIEW
