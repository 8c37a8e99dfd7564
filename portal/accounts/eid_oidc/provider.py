"""An OpenID Connect provider for national eID proxies, stricter than allauth's generic one.

allauth's ``openid_connect`` skips the ID token signature when the token came from the token
endpoint and sends no nonce. For eID we always verify the signature (against the provider's JWKS,
with an allow-list of algorithms), always send and check a nonce, always use PKCE (S256), and keep
the ``acr`` so the session's level of assurance can be recorded.

The request carries the app's ``acr_values`` when configured. The ``acr`` maps to a level in
``selectors.level_from_acr``: ``http://eidas.europa.eu/LoA/low|substantial|high`` to that level, another
value through the provider's ``acr_map``, an unknown one to ``low`` only, and no ``acr`` to the provider's
configured ``level_of_assurance``. Claims are the userinfo completed by the ID token; where both say
something, the signed ID token wins (:func:`verified_claims`).
"""

from __future__ import annotations

from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider,
    OpenIDConnectProviderAccount,
)
from django.http import HttpRequest
from django.utils.crypto import get_random_string

from portal.accounts.eid_oidc.views import EidOIDCAdapter


def verified_claims(data: dict) -> dict:
    """Userinfo completed by the ID token; the signed ID token wins where both say something."""
    return {**(data.get("userinfo") or {}), **(data.get("id_token") or {})}


class EidOIDCAccount(OpenIDConnectProviderAccount):
    def get_user_data(self) -> dict | None:
        return verified_claims(self.account.extra_data)


class EidOIDCProvider(OpenIDConnectProvider):
    id = "eid_oidc"
    name = "eID (OpenID Connect)"
    account_class = EidOIDCAccount
    oauth2_adapter_class = EidOIDCAdapter
    pkce_enabled_default = True

    def get_default_scope(self) -> list[str]:
        return ["openid", "profile", "email", "address"]

    def get_pkce_params(self) -> dict:
        return generate_code_challenge()  # always: an eID login is never done without PKCE

    def get_auth_params(self) -> dict:
        params = super().get_auth_params()
        if acr_values := self.app.settings.get("acr_values"):
            params["acr_values"] = acr_values
        return params

    def redirect(self, request: HttpRequest, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(43)
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params["nonce"] = nonce
        # The nonce travels in allauth's stashed state, which is only readable by this session.
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )

    def extract_uid(self, data):
        return str(verified_claims(data)["sub"])

    def extract_common_fields(self, data):
        claims = verified_claims(data)
        return {
            "email": claims.get("email"),
            "first_name": claims.get("given_name") or "",
            "last_name": claims.get("family_name") or "",
        }

    def extract_email_addresses(self, data):
        return super().extract_email_addresses({"userinfo": verified_claims(data)})


provider_classes = [EidOIDCProvider]
