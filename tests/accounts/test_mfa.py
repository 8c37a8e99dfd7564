"""MFA is required for staff, superusers and editors; both admins sign in through allauth."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group, Permission

from tests.accounts.conftest import PASSWORD, make_user
from tests.accounts.totp import totp
from tests.fixtures.browser import assert_accessible


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/cms/", "/django-admin/", "/cms/pages/"])
def test_staff_without_mfa_is_sent_to_set_it_up(client, staff_user, path):
    client.force_login(staff_user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/2fa/totp/activate/"
    assert client.session["accounts_mfa_next"] == path


@pytest.mark.django_db
def test_wagtail_editor_without_staff_flag_also_needs_mfa(client):
    editor = make_user("editor@psc.example.eu")
    group = Group.objects.create(name="Procedure editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    client.force_login(editor)
    assert client.get("/cms/")["Location"] == "/en/accounts/2fa/totp/activate/"


@pytest.mark.django_db
def test_entrepreneur_is_not_asked_for_mfa(client, entrepreneur):
    client.force_login(entrepreneur)
    assert client.get("/en/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_staff_with_mfa_reaches_the_admins(client, staff_user):
    Authenticator.objects.create(user=staff_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(staff_user)
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/cms/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/cms/login/?next=/cms/", "/django-admin/login/?next=/django-admin/"])
def test_admin_login_pages_redirect_to_allauth(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


@pytest.mark.django_db
def test_signed_out_cms_goes_to_allauth_login(client):
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_rate_limits_stay_on_outside_tests(tmp_path):
    import subprocess
    import sys

    code = "from django.conf import settings; import django; django.setup(); print(getattr(settings, 'ACCOUNT_RATE_LIMITS', 'default'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_ENV": "development",
            "PATH": "/usr/bin:/bin",
            "STORAGE_ROOT": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "default"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_sign_in_is_forced_through_totp_set_up_then_reaches_cms(page, demo_site):
    make_user("admin@psc.example.eu", is_staff=True, is_superuser=True)

    page.goto("/cms/")
    page.wait_for_url("**/accounts/login/**")
    assert_accessible(page)
    page.get_by_label("Email").fill("admin@psc.example.eu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # allauth asks for the password again before an authenticator may be added
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert "must use two-factor authentication" in page.locator(".messages").inner_text()
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp(secret))
    page.get_by_role("button", name="Activate").click()

    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert_accessible(page)
    recovery_codes = page.locator("#recovery_codes").input_value().split()
    assert len(recovery_codes) == 10
    page.get_by_role("link", name="continue").click()
    page.wait_for_url("**/cms/")
    assert page.locator("body").get_attribute("class") and "/cms/" in page.url
    assert page.get_by_role("heading", level=1).count() >= 1
    assert_accessible(page)

    # Next sign-in asks for the second factor (a recovery code here, as a TOTP code may not be reused).
    page.context.clear_cookies()
    page.goto("/cms/")
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill("admin@psc.example.eu")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_label("Code").fill(recovery_codes[0])
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/cms/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_can_use_a_security_key_instead_of_an_authenticator_app(page, demo_site):
    """WebAuthn with Chromium's virtual authenticator (CTAP2 over the DevTools protocol): the browser
    really creates and uses a key pair; allauth (python-fido2) verifies attestation and assertion."""
    user = make_user("keyholder@psc.example.eu", is_staff=True, is_superuser=True)
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    authenticator = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    page.goto("/cms/")
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert "or a security key" in page.locator(".messages").inner_text()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    page.get_by_role("link", name="Use a security key (FIDO2 / WebAuthn) instead").click()

    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Desk key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Desk key"
    credentials = devtools.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]}
    )
    assert len(credentials["credentials"]) == 1  # the key pair lives in the (virtual) authenticator
    page.get_by_role("link", name="continue").click()
    page.wait_for_url("**/cms/")

    # next sign-in: the second factor is the security key
    page.context.clear_cookies()
    page.goto("/cms/")
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert_accessible(page)
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url("**/cms/")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_only_local_paths_are_kept_to_continue_after_mfa_set_up(rf, staff_user):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import resolve

    from portal.accounts.middleware import MFA_NEXT_SESSION_KEY, StaffMFARequiredMiddleware

    middleware = StaffMFARequiredMiddleware(lambda request: None)
    for path, kept in (("/cms/pages/?p=2", True), ("//evil.example/cms/", False)):
        request = rf.get(path)
        request.user, request.session = staff_user, SessionStore()
        request._messages = FallbackStorage(request)
        request.resolver_match = resolve("/cms/")
        response = middleware.process_view(request, None, (), {})
        assert response["Location"] == "/en/accounts/2fa/totp/activate/"
        assert (request.session.get(MFA_NEXT_SESSION_KEY) == path) is kept
