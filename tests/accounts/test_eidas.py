"""eIDAS SAML sign-in against a pysaml2 identity provider (tests/accounts/eidas_idp) on 127.0.0.1."""

from __future__ import annotations

import base64
import datetime as dt
import re
import sys
import zlib
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from saml2 import BINDING_HTTP_POST

from portal.accounts.eidas_saml.config import sp_config_dict
from portal.accounts.models import EidasIdentity, EntrepreneurProfile, LegalPersonRepresentation
from tests.fixtures.browser import assert_accessible
from tests.fixtures.processes import answers, free_port, serving

TESTSERVER = "http://testserver"
OTHER_SP = "https://another-portal.example/saml2/metadata/"
SP_ENTITY_ID = "https://portal.test/saml2/metadata/"


def self_signed(directory: Path, name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


@pytest.fixture(scope="session")
def eidas_node(tmp_path_factory, live_server):
    """Keys for both sides, the portal's SP metadata, and the node running in its own process."""
    from saml2.config import SPConfig
    from saml2.metadata import create_metadata_string

    directory = tmp_path_factory.mktemp("eidas")
    sp_key, sp_cert = self_signed(directory, "portal-sp")
    idp_key, idp_cert = self_signed(directory, "eidas-node")
    conf = {
        "sp_key_file": sp_key,
        "sp_cert_file": sp_cert,
        "idp_metadata": "",
        "minimum_level": "substantial",
        "entity_id": SP_ENTITY_ID,
    }
    sp_config = SPConfig()
    sp_dict = sp_config_dict(TESTSERVER, with_metadata=False, conf=conf)
    # the same portal reached by the test client and by the browser (live server)
    sp_dict["service"]["sp"]["endpoints"]["assertion_consumer_service"].append(
        (f"{live_server.url}/saml2/acs/", BINDING_HTTP_POST)
    )
    sp_config.load(sp_dict)
    sp_metadata = directory / "sp-metadata.xml"
    sp_metadata.write_bytes(create_metadata_string(None, config=sp_config, sign=False))
    # another service provider known to the node, to get an assertion addressed to someone else
    other_config = SPConfig()
    other_config.load(sp_config_dict(TESTSERVER, with_metadata=False, conf={**conf, "entity_id": OTHER_SP}))
    other_metadata = directory / "other-sp-metadata.xml"
    other_metadata.write_bytes(create_metadata_string(None, config=other_config, sign=False))
    idp_metadata = directory / "idp-metadata.xml"
    port = free_port()
    idp_answers = answers(f"http://127.0.0.1:{port}/", any_status=True)
    with serving(
        [sys.executable, "-m", "tests.accounts.eidas_idp.serve", str(port), idp_key, idp_cert,
         f"{sp_metadata},{other_metadata}", sp_cert, str(idp_metadata)],
        name="the test eIDAS node",
        ready=lambda: idp_metadata.exists() and idp_answers(),
        log_path=directory / "idp.log",
    ):  # fmt: skip
        yield {**conf, "idp_metadata": str(idp_metadata)}


@pytest.fixture
def eidas(eidas_node, settings):
    settings.EIDAS_SAML = eidas_node
    return eidas_node


def start(client, next_url: str = "/en/accounts/profile/") -> str:
    response = client.get(f"/saml2/login/?next={next_url}")
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def at_the_node(location: str, **behaviour: str) -> dict[str, str]:
    extra = "".join(f"&{key}={value}" for key, value in behaviour.items())
    page = requests.get(location + extra, timeout=20)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', page.text))
    return {key: unescape(value) for key, value in fields.items()}


def authn_request_xml(location: str) -> etree._Element:
    query = parse_qs(urlsplit(location).query)
    return etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15))


@pytest.mark.django_db
def test_authn_request_follows_the_eidas_profile(client, eidas):
    location = start(client)
    query = parse_qs(urlsplit(location).query)
    assert query["SigAlg"][0].endswith("rsa-sha256") and query["Signature"][0]  # signed request
    xml = authn_request_xml(location)
    ns = {
        "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
        "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
        "eidas": "http://eidas.europa.eu/saml-extensions",
    }
    assert xml.get("ForceAuthn") == "true"
    assert xml.findtext(".//eidas:SPType", namespaces=ns) == "public"
    requested = {
        attribute.get("Name").rsplit("/", 1)[-1]: attribute.get("isRequired")
        for attribute in xml.findall(".//eidas:RequestedAttribute", namespaces=ns)
    }
    assert requested == {
        "PersonIdentifier": "true",
        "CurrentFamilyName": "true",
        "CurrentGivenName": "true",
        "DateOfBirth": "true",
        "LegalPersonIdentifier": "false",
        "LegalName": "false",
    }
    context = xml.find("samlp:RequestedAuthnContext", namespaces=ns)
    assert context.get("Comparison") == "minimum"
    assert (
        context.findtext("saml:AuthnContextClassRef", namespaces=ns)
        == "http://eidas.europa.eu/LoA/substantial"
    )


@pytest.mark.django_db
def test_the_node_refuses_a_request_whose_signature_was_tampered(client, eidas):
    location = start(client)
    tampered = re.sub(r"Signature=([^&]{10})", "Signature=AAAAAAAAAA", location)
    assert requests.get(tampered + "&person=jean", timeout=20).status_code == 400


@pytest.mark.django_db
def test_eidas_sign_in_creates_the_account_with_verified_attributes(client, eidas):
    answer = at_the_node(start(client), person="jean")
    response = client.post("/saml2/acs/", answer)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/en/accounts/profile/"

    identity = EidasIdentity.objects.get()
    assert identity.person_identifier == "FR/BE/1984022912345"
    profile = EntrepreneurProfile.objects.get(user=identity.user)
    assert (profile.given_names, profile.family_name, profile.date_of_birth.isoformat()) == (
        "Jean",
        "Dupont-Étienne",
        "1984-02-29",
    )
    assert profile.verified_attributes["family_name"]["source"].startswith("eidas:http://localhost:")
    company = LegalPersonRepresentation.objects.get(user=identity.user)
    assert (company.name, company.country, company.registration_number) == (
        "Dupont Conseil SARL",
        "FR",
        "FR/BE/552100554",
    )
    assert company.verified_source.startswith("eidas:")
    assert client.session["accounts_assurance"]["level"] == "substantial"

    # the same person again: the same account, no duplicate
    client.logout()
    assert client.post("/saml2/acs/", at_the_node(start(client), person="jean")).status_code == 302
    assert EidasIdentity.objects.count() == 1


def refused(client, answer: dict, expected: str) -> None:
    response = client.post("/saml2/acs/", answer)
    body = response.content.decode()
    assert response.status_code in (400, 403), body[:2000]
    assert expected in body, body[:3000]
    assert "No account was created or changed." in body
    assert not EidasIdentity.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_refused_login_is_reported(client, eidas):
    refused(client, at_the_node(start(client), person="refuse"), "sign-in was refused or cancelled")


@pytest.mark.django_db
def test_a_too_low_level_of_assurance_is_refused(client, eidas):
    refused(client, at_the_node(start(client), person="low"), "level of assurance low, but this portal needs")


@pytest.mark.django_db
def test_a_tampered_response_is_refused(client, eidas):
    answer = at_the_node(start(client), person="jean")
    xml = base64.b64decode(answer["SAMLResponse"]).decode()
    # move the response's IssueInstant by one second: the Response signature no longer matches
    tampered = re.sub(
        r'IssueInstant="([^"]+?)(\d)Z"',
        lambda m: f'IssueInstant="{m.group(1)}{(int(m.group(2)) + 1) % 10}Z"',
        xml,
        count=1,
    )
    assert tampered != xml
    answer["SAMLResponse"] = base64.b64encode(tampered.encode()).decode()
    refused(client, answer, "not signed correctly")


@pytest.mark.django_db
def test_a_response_for_another_audience_is_refused(client, eidas):
    answer = at_the_node(start(client), person="jean", audience=OTHER_SP)
    refused(client, answer, "issued for another service")


@pytest.mark.django_db
def test_a_replayed_response_is_refused(client, eidas):
    answer = at_the_node(start(client), person="jean")
    assert client.post("/saml2/acs/", answer).status_code == 302
    EidasIdentity.objects.all().delete()
    client.logout()
    refused(client, answer, "already been used")


@pytest.mark.django_db
def test_an_expired_response_is_refused(client, eidas):
    refused(client, at_the_node(start(client), person="jean", expired="1"), "has expired")


@pytest.mark.django_db
def test_login_page_offers_eidas_when_configured(client, eidas):
    page = client.get("/en/accounts/login/?next=/en/accounts/profile/").content.decode()
    assert "Continue with your national eID (eIDAS)" in page
    assert "/saml2/login/?next=/en/accounts/profile/" in page


@pytest.mark.django_db
def test_login_page_has_no_eidas_when_not_configured(client):
    assert "eIDAS" not in client.get("/en/accounts/login/").content.decode()


@pytest.mark.django_db
def test_staff_cannot_bypass_their_second_factor_through_eidas(client, eidas, staff_user):
    EidasIdentity.objects.create(user=staff_user, issuer="x", person_identifier="unused")
    answer = at_the_node(start(client), person="jean")
    EidasIdentity.objects.filter(user=staff_user).update(
        issuer=eidas_issuer(answer), person_identifier="FR/BE/1984022912345"
    )
    response = client.post("/saml2/acs/", answer)
    assert response.status_code == 403
    assert "sign in with their e-mail, password and authenticator app" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_signed_in_user_steps_up_and_links_their_eid_to_the_same_account(client, eidas):
    from tests.factories import UserFactory

    user = UserFactory(email="marie@example.eu")
    client.force_login(user)
    location = start(client, next_url="/en/dossiers/")
    assert "SAMLRequest=" in location  # sent on to the node, not bounced back because signed in
    response = client.post("/saml2/acs/", at_the_node(location, person="jean"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/en/dossiers/"
    identity = EidasIdentity.objects.get()
    assert identity.user == user  # linked, no second account
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["accounts_assurance"]["level"] == "substantial"
    assert EntrepreneurProfile.objects.get(user=user).family_name == "Dupont-Étienne"


@pytest.mark.django_db
def test_an_eid_linked_to_another_account_is_not_moved_to_the_signed_in_one(client, eidas):
    from tests.factories import UserFactory

    client.post("/saml2/acs/", at_the_node(start(client), person="jean"))
    owner = EidasIdentity.objects.get().user
    client.logout()
    other = UserFactory(email="other@example.eu")
    client.force_login(other)
    response = client.post("/saml2/acs/", at_the_node(start(client), person="jean"))
    assert response.status_code == 403
    assert "already linked to another account" in response.content.decode()
    assert EidasIdentity.objects.get().user == owner
    assert int(client.session["_auth_user_id"]) == other.pk
    assert "accounts_assurance" not in client.session


def eidas_issuer(answer: dict) -> str:
    xml = etree.fromstring(base64.b64decode(answer["SAMLResponse"]))
    return xml.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer")


@pytest.mark.django_db
def test_eidas_identity_shows_on_the_account_page_and_in_the_export(client, eidas):
    client.post("/saml2/acs/", at_the_node(start(client), person="jean"))
    assert "eIDAS identity FR/BE/1984022912345" in client.get("/en/accounts/profile/").content.decode()
    exported = client.get("/en/accounts/profile/my-data.json").json()
    assert exported["eidas_identities"][0]["person_identifier"] == "FR/BE/1984022912345"
    assert exported["represented_legal_persons"][0]["verified_by"].startswith("eidas:")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_eidas_sign_in_in_the_browser(page, demo_site, eidas, settings):
    settings.SAML_SESSION_COOKIE_SAMESITE = "Lax"  # plain http here; production keeps None + Secure
    page.goto("/en/accounts/login/?next=/en/accounts/profile/")
    assert_accessible(page)
    page.get_by_role("link", name="Continue with your national eID (eIDAS)").click()
    page.wait_for_url("**/sso/redirect?**")
    page.get_by_role("link", name="Jean Dupont-Étienne").click()
    page.wait_for_url("**/en/accounts/profile/")
    main = page.locator("main").inner_text()
    assert "substantial (national eID)" in main
    assert "Dupont Conseil SARL" in main
    assert "eIDAS identity FR/BE/1984022912345" in main
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_eidas_refusal_and_too_low_level_in_the_browser(page, demo_site, eidas, settings):
    settings.SAML_SESSION_COOKIE_SAMESITE = "Lax"
    for person, message in (
        ("Refuse", "the sign-in was refused or cancelled"),
        ("Anna Schmidt (low)", "level of assurance low, but this portal needs at least substantial"),
    ):
        page.goto("/en/accounts/login/")
        page.get_by_role("link", name="Continue with your national eID (eIDAS)").click()
        page.wait_for_url("**/sso/redirect?**")
        page.get_by_role("link", name=person).click()
        page.wait_for_url("**/saml2/acs/")
        assert message in page.get_by_test_id("auth-error").inner_text()
        assert_accessible(page)
    assert not EidasIdentity.objects.exists()
