from __future__ import annotations

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

# Asymmetric algorithms only: an HMAC "signature" made with the client secret proves nothing about
# the eID provider, and "none" proves nothing at all.
ACCEPTED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
CLOCK_SKEW_SECONDS = 60


class IdTokenRefused(OAuth2Error):
    """An ID token we will not accept; the message is shown to the person signing in."""

    @property
    def user_message(self) -> str:
        return str(self)


class EidOIDCAdapter(OpenIDConnectOAuth2Adapter):
    expected_nonce: str | None = None

    def get_callback_url(self, request: HttpRequest, app):
        url = reverse("eid_oidc_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, url, self.redirect_uri_protocol)

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return self.verify_id_token(app, id_token)

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        if not kwargs["response"].get("id_token"):
            raise IdTokenRefused(_("The identity provider sent no ID token."))
        return super().complete_login(request, app, token, **kwargs)

    def verify_id_token(self, app: SocialApp, id_token: str) -> dict:
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError:
            raise IdTokenRefused(_("The identity provider sent an ID token that is not a JWT.")) from None
        algorithm = header.get("alg")
        if algorithm not in ACCEPTED_ALGORITHMS:
            raise IdTokenRefused(
                _("The ID token is signed with %(alg)s, which this portal does not accept.")
                % {"alg": algorithm}
            )
        key = self._signing_key(header.get("kid"), algorithm)
        try:
            claims = jwt.decode(
                id_token,
                key=key,
                algorithms=[algorithm],
                audience=app.client_id,
                issuer=self.openid_config["issuer"],
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.InvalidSignatureError:
            raise IdTokenRefused(_("The signature of the ID token is not valid.")) from None
        except jwt.ExpiredSignatureError:
            raise IdTokenRefused(_("The ID token has expired.")) from None
        except jwt.InvalidAudienceError:
            raise IdTokenRefused(_("The ID token was issued for another application.")) from None
        except jwt.InvalidIssuerError:
            raise IdTokenRefused(_("The ID token was issued by another identity provider.")) from None
        except jwt.PyJWTError as error:
            raise IdTokenRefused(_("The ID token is not valid: %(error)s") % {"error": error}) from None
        if not self.expected_nonce or claims.get("nonce") != self.expected_nonce:
            raise IdTokenRefused(
                _("The ID token does not answer this sign-in attempt (nonce mismatch): it may be replayed.")
            )
        return claims

    def _signing_key(self, kid: str | None, algorithm: str):
        with get_adapter().get_requests_session() as session:
            response = session.get(self.openid_config["jwks_uri"])
            response.raise_for_status()
            keys = response.json().get("keys", [])
        candidates = [
            k for k in keys if k.get("use", "sig") == "sig" and (kid is None or k.get("kid") == kid)
        ]
        if len(candidates) != 1:
            raise IdTokenRefused(
                _("The identity provider does not publish the key that signed the ID token.")
            )
        try:
            return jwt.PyJWK(candidates[0], algorithm=algorithm).key
        except jwt.PyJWTError:
            raise IdTokenRefused(
                _("The identity provider's signing key does not fit the ID token.")
            ) from None


class EidOIDCCallbackView(OAuth2CallbackView):
    def _get_state(self, request: HttpRequest, provider):
        state, response = super()._get_state(request, provider)
        if state is not None:
            self.adapter.expected_nonce = state.get("nonce")
        return state, response


@login_not_required
def login(request: HttpRequest, provider_id: str):
    try:
        return OAuth2LoginView.adapter_view(EidOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def callback(request: HttpRequest, provider_id: str):
    try:
        return EidOIDCCallbackView.adapter_view(EidOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
