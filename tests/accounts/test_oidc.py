"""eID sign-in over OpenID Connect against a real OpenID provider (django-oidc-provider) on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import jwt
import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from portal.accounts.eid_oidc.views import EidOIDCAdapter, IdTokenRefused
from portal.accounts.models import EntrepreneurProfile
from tests.accounts.conftest import OP_CLIENT_ID, OP_CLIENT_SECRET, OP_PIN, OP_PROVIDER_ID, sign_in_at_op
from tests.fixtures.browser import assert_accessible

LOGIN = f"/en/accounts/eid/{OP_PROVIDER_ID}/login/"
TESTSERVER = "http://testserver"


def start_sign_in(client) -> str:
    response = client.post(LOGIN)
    assert response.status_code == 302
    return response["Location"]


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {**query_of(url), **changes}
    return urlunsplit(parts._replace(query=urlencode(query)))


def nobody_signed_up():
    return not get_user_model().objects.exists() and not SocialAccount.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_authorization_request_uses_pkce_nonce_and_requested_level(client, eid_app, oidc_op):
    authorize_url = start_sign_in(client)
    assert authorize_url.startswith(f"{oidc_op}/openid/authorize")
    query = query_of(authorize_url)
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["nonce"]) >= 32
    assert query["acr_values"] == "http://eidas.europa.eu/LoA/substantial"
    assert set(query["scope"].split()) >= {"openid", "profile", "email", "address"}
    assert query["redirect_uri"] == f"{TESTSERVER}/en/accounts/eid/{OP_PROVIDER_ID}/login/callback/"


@pytest.mark.django_db(transaction=True)
def test_eid_sign_in_creates_the_account_with_verified_claims_and_substantial_level(client, eid_app):
    back = sign_in_at_op(start_sign_in(client), "jean")
    assert back.startswith(f"{TESTSERVER}/en/accounts/eid/{OP_PROVIDER_ID}/login/callback/?")
    response = client.get(back.removeprefix(TESTSERVER))
    assert response.status_code == 302, response.content.decode()[:3000]

    user = get_user_model().objects.get(email="jean.dupont@example.fr")
    assert (user.first_name, user.last_name) == ("Jean", "Dupont-Étienne")
    assert user.emailaddress_set.get().verified
    profile = EntrepreneurProfile.objects.get(user=user)
    assert profile.given_names == "Jean"
    assert profile.family_name == "Dupont-Étienne"
    assert profile.date_of_birth.isoformat() == "1984-02-29"
    assert (profile.address_line_1, profile.city, profile.postal_code, profile.country) == (
        "12 rue de la Paix",
        "Lyon",
        "69002",
        "FR",
    )
    for field in ("given_names", "family_name", "date_of_birth", "city", "country"):
        assert profile.verified_attributes[field]["source"] == f"eid_oidc:{OP_PROVIDER_ID}"
    identity = SocialAccount.objects.get(user=user)
    assert identity.provider == OP_PROVIDER_ID
    assert identity.extra_data["id_token"]["acr"] == "http://eidas.europa.eu/LoA/substantial"

    assert client.session["accounts_assurance"]["level"] == "substantial"
    assert client.session["accounts_assurance"]["method"] == f"eid_oidc:{OP_PROVIDER_ID}"
    page = client.get("/en/accounts/profile/").content.decode()
    assert "substantial (national eID)" in page
    assert "verified" in page


@pytest.mark.django_db(transaction=True)
def test_a_low_level_eid_login_is_recorded_as_low(client, eid_app):
    back = sign_in_at_op(start_sign_in(client), "anna")
    assert client.get(back.removeprefix(TESTSERVER)).status_code == 302
    assert client.session["accounts_assurance"]["level"] == "low"


@pytest.mark.django_db(transaction=True)
def test_unknown_state_is_refused_and_creates_nothing(client, eid_app):
    back = sign_in_at_op(start_sign_in(client), "jean")
    tampered = with_query(back, state="not-the-state-we-sent")
    response = client.get(tampered.removeprefix(TESTSERVER))
    assert response.status_code == 401  # allauth answers an authentication error with 401
    assert "does not belong to a sign-in started here" in response.content.decode()
    assert nobody_signed_up()


@pytest.mark.django_db(transaction=True)
def test_callback_in_another_browser_session_is_refused(client, eid_app, django_db_blocker):
    from django.test import Client

    back = sign_in_at_op(start_sign_in(client), "jean")
    response = Client().get(back.removeprefix(TESTSERVER))  # the attacker's browser, without the state
    assert "does not belong to a sign-in started here" in response.content.decode()
    assert nobody_signed_up()


@pytest.mark.django_db(transaction=True)
def test_tampered_nonce_is_refused_and_creates_nothing(client, eid_app):
    # An attacker rewrites the authorization request: PKCE still matches, the nonce does not.
    authorize_url = with_query(start_sign_in(client), nonce="attacker-chosen-nonce-0123456789")
    back = sign_in_at_op(authorize_url, "jean")
    response = client.get(back.removeprefix(TESTSERVER))
    body = response.content.decode()
    assert "nonce mismatch" in body
    assert "No account was created or changed." in body
    assert nobody_signed_up()


@pytest.mark.django_db(transaction=True)
def test_code_from_another_sign_in_is_refused_by_pkce(client, eid_app):
    first = start_sign_in(client)
    second = start_sign_in(client)
    back_second = sign_in_at_op(second, "jean")
    # the code of the second attempt, presented with the state (and PKCE verifier) of the first
    spliced = with_query(back_second, state=query_of(first)["state"])
    response = client.get(spliced.removeprefix(TESTSERVER))
    assert response.status_code == 401  # allauth answers an authentication error with 401
    assert "the authorization code was refused" in response.content.decode()
    assert nobody_signed_up()


# --- the ID token check itself, on tokens issued by the real provider -------------------------


def fetch_real_id_token(oidc_op: str, nonce: str) -> str:
    """Run the code flow as the portal would, straight against the provider; return its ID token."""
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(__import__("hashlib").sha256(verifier.encode()).digest()).rstrip(
        b"="
    )
    redirect_uri = f"{TESTSERVER}/en/accounts/eid/{OP_PROVIDER_ID}/login/callback/"
    authorize = f"{oidc_op}/openid/authorize?" + urlencode(
        {
            "client_id": OP_CLIENT_ID,
            "response_type": "code",
            "scope": "openid profile email",
            "redirect_uri": redirect_uri,
            "state": "s",
            "nonce": nonce,
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
    )
    code = query_of(sign_in_at_op(authorize, "jean"))["code"]
    token = requests.post(
        f"{oidc_op}/openid/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": OP_CLIENT_ID,
            "client_secret": OP_CLIENT_SECRET,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    token.raise_for_status()
    return token.json()["id_token"]


@pytest.fixture
def adapter(eid_app):
    adapter = EidOIDCAdapter(RequestFactory().get("/"), OP_PROVIDER_ID)
    adapter.expected_nonce = "the-nonce-of-this-attempt"
    return adapter


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.django_db(transaction=True)
def test_real_id_token_passes_and_each_tampering_is_refused(adapter, eid_app, oidc_op):
    id_token = fetch_real_id_token(oidc_op, adapter.expected_nonce)
    claims = adapter.verify_id_token(eid_app, id_token)
    assert claims["given_name"] == "Jean"
    assert claims["nonce"] == adapter.expected_nonce

    header_b64, payload_b64, signature = id_token.split(".")
    header = jwt.get_unverified_header(id_token)
    payload = jwt.decode(id_token, options={"verify_signature": False})

    changed_claim = f"{header_b64}.{b64({**payload, 'family_name': 'Mallory'})}.{signature}"
    with pytest.raises(IdTokenRefused, match="signature of the ID token is not valid"):
        adapter.verify_id_token(eid_app, changed_claim)

    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(payload, attacker_key, algorithm="RS256", headers={"kid": header["kid"]})
    with pytest.raises(IdTokenRefused, match="signature of the ID token is not valid"):
        adapter.verify_id_token(eid_app, forged)

    hmac_forged = jwt.encode(payload, OP_CLIENT_SECRET, algorithm="HS256", headers={"kid": header["kid"]})
    with pytest.raises(IdTokenRefused, match="HS256, which this portal does not accept"):
        adapter.verify_id_token(eid_app, hmac_forged)

    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload_b64}."
    with pytest.raises(IdTokenRefused, match="none, which this portal does not accept"):
        adapter.verify_id_token(eid_app, unsigned)

    adapter.expected_nonce = "another-attempt"
    with pytest.raises(IdTokenRefused, match="nonce mismatch"):
        adapter.verify_id_token(eid_app, id_token)

    eid_app.client_id = "another-client"
    adapter.expected_nonce = claims["nonce"]
    with pytest.raises(IdTokenRefused, match="issued for another application"):
        adapter.verify_id_token(eid_app, id_token)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_eid_sign_in_in_the_browser(page, demo_site, eid_app):
    page.goto("/en/accounts/login/")
    assert_accessible(page)
    page.get_by_role("link", name="Test eID").click()
    page.wait_for_url(f"**{LOGIN}**")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("http://127.0.0.1:*/login/**")  # the identity provider's own page
    page.get_by_label("Identifier").fill("jean")
    page.get_by_label("PIN").fill(OP_PIN)
    page.get_by_role("button", name="Authenticate").click()

    page.wait_for_url("**/en/")
    page.goto("/en/accounts/profile/")
    assert "substantial (national eID)" in page.locator("main").inner_text()
    assert "Dupont-Étienne" in page.locator("main").inner_text()
    assert "Test eID" in page.locator("main").inner_text()
    assert_accessible(page)
    assert get_user_model().objects.filter(email="jean.dupont@example.fr").exists()
