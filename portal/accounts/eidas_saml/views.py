"""The eIDAS SAML service provider's views (djangosaml2 + pysaml2, signatures by ``xmlsec1``).

The SP speaks the eIDAS SAML profile (``config.py``): signed AuthnRequests, SPType public, the requested
natural- and legal-person attributes, ``RequestedAuthnContext`` with the minimum level (comparison
``minimum``), ForceAuthn; it wants a signed Response and signed Assertion (encrypted ones are decrypted
with the SP key) and lets pysaml2 refuse unsolicited or replayed, expired (60 s clock tolerance),
foreign-audience and badly signed answers. On top of that, :class:`EidasAssertionConsumerView`:

* maps the assertion's AuthnContextClassRef (``http://eidas.europa.eu/LoA/low|substantial|high``) to the
  level and refuses one below the provider's minimum (``custom_validation``); that level is recorded as
  the session's level of assurance (method ``eidas:<node>``);
* refuses an answer without a person identifier, an eID already linked to another account, and staff
  or editor accounts (signing in this way would skip their second factor);
* shows every refusal, a node's ``RequestDenied`` included, as a clear message
  (``accounts/eidas_error.html``, HTTP 403) and creates no account.

:class:`EidasLoginView` lets a signed-in user through to the node: that is how they raise their level of
assurance before signing (step-up) or link their national eID to their account.
"""

from __future__ import annotations

from django.contrib import auth
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from djangosaml2.views import AssertionConsumerServiceView, LoginView, MetadataView
from saml2.response import StatusAuthnFailed, StatusError, StatusRequestDenied, UnsolicitedResponse
from saml2.sigver import SignatureError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from portal.accounts import selectors, services
from portal.accounts.eid import eidas_provider
from portal.accounts.eidas_saml.config import LOA_URI

CONFIG_LOADER = "portal.accounts.eidas_saml.config.sp_config"
LEVEL_BY_URI = {uri: level for level, uri in LOA_URI.items()}


def explain(exception: Exception | None) -> str:
    if isinstance(exception, SignatureError):
        return _("The answer from the eIDAS node is not signed correctly: it may have been altered.")
    if isinstance(exception, UnsolicitedResponse):
        return _("This answer does not belong to a sign-in started here, or it has already been used.")
    if isinstance(exception, ResponseLifetimeExceed | ToEarly):
        return _("The answer from the eIDAS node has expired (or is not valid yet). Please start again.")
    if isinstance(exception, StatusRequestDenied | StatusAuthnFailed):
        return _("The eIDAS node reports that the sign-in was refused or cancelled.")
    if isinstance(exception, StatusError):
        return _("The eIDAS node could not sign you in.")
    if exception is not None and "AudienceRestrictions" in str(exception):
        return _("The answer from the eIDAS node was issued for another service.")
    return _("The answer from the eIDAS node could not be accepted.")


class EidasLoginView(LoginView):
    config_loader_path = CONFIG_LOADER

    def should_prevent_auth(self, request) -> bool:
        # A signed-in entrepreneur comes here to raise their level of assurance (step-up before
        # signing) or to link their national eID to the account: let them through to the node.
        return False


class EidasMetadataView(MetadataView):
    config_loader_path = CONFIG_LOADER


class EidasAssertionConsumerView(AssertionConsumerServiceView):
    config_loader_path = CONFIG_LOADER
    refusal: str | None = None
    level: str = "low"

    def custom_validation(self, response) -> None:
        provider = eidas_provider()
        settings_level = provider.minimum_level if provider is not None else "substantial"
        levels = [LEVEL_BY_URI.get(class_ref) for class_ref, *_rest in response.authn_info()]
        level = next((lv for lv in levels if lv), None)
        if not selectors.level_satisfies(level, settings_level):
            self.refusal = _(
                "Your eID was used at level of assurance %(level)s, but this portal needs at least "
                "%(minimum)s. Please sign in again with an eID means of that level."
            ) % {"level": level or _("unknown"), "minimum": settings_level}
            raise PermissionDenied(self.refusal)
        self.level = level

    def authenticate_user(
        self, request, session_info, attribute_mapping, create_unknown_user, assertion_info
    ):
        current = request.user if request.user.is_authenticated else None
        try:
            user = services.user_for_eidas_identity(
                issuer=session_info["issuer"], attributes=session_info["ava"], current_user=current
            )
        except services.EidasIdentityOfAnotherAccount:
            self.refusal = _(
                "This national eID is already linked to another account of this portal. Sign out and "
                "sign in with your eID to use that account."
            )
            raise PermissionDenied(self.refusal) from None
        except ValueError:
            self.refusal = _("The eIDAS node did not send the person identifier: nobody can be signed in.")
            raise PermissionDenied(self.refusal) from None
        if selectors.mfa_required(user):
            self.refusal = _(
                "Staff and editor accounts sign in with their e-mail, password and authenticator app."
            )
            raise PermissionDenied(self.refusal)
        auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        services.record_session_assurance(request, level=self.level, method=f"eidas:{session_info['issuer']}")
        return user

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        message = self.refusal or explain(exception)
        return render(request, "accounts/eidas_error.html", {"message": message}, status=status)
