from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from portal.accounts import selectors

# Where a staff member without MFA may still go: setting MFA up, signing out, switching language.
MFA_SETUP_URL_NAMES = {
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_add_webauthn",
    "mfa_list_webauthn",
    "mfa_reauthenticate_webauthn",
    "account_logout",
    "account_reauthenticate",
    "account_login",
    "account_email_verification_sent",
    "account_confirm_email",
    "set_language",
    "health",
}
MFA_NEXT_SESSION_KEY = "accounts_mfa_next"


class StaffMFARequiredMiddleware:
    """A signed-in staff member, superuser or editor without an authenticator app is sent to set one up
    before any other page: /cms/, /django-admin/ and every staff page included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not selectors.mfa_required(user):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in MFA_SETUP_URL_NAMES:
            return None
        if selectors.has_mfa(user):
            return None
        wanted = request.get_full_path()
        # kept only if it is a path on this site: "//elsewhere.example/" would leave the portal
        if request.method == "GET" and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None):
            request.session[MFA_NEXT_SESSION_KEY] = wanted
        messages.warning(
            request,
            _(
                "Staff and editor accounts must use two-factor authentication. "
                "Set up an authenticator app or a security key to continue."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
