import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.accounts.eid import EidasSamlProvider, OidcProvider, eid_providers, eidas_provider
from portal.accounts.eid_oidc.config import parse_oidc_providers


def test_oidc_providers_from_environment():
    apps = parse_oidc_providers(
        json.dumps(
            [
                {
                    "id": "be-fas",
                    "name": "Belgian eID",
                    "client_id": "portal",
                    "secret": "s3cret",
                    "server_url": "https://idp.example/",
                    "acr_values": "http://eidas.europa.eu/LoA/substantial",
                    "level_of_assurance": "substantial",
                }
            ]
        )
    )
    assert apps == [
        {
            "provider_id": "be-fas",
            "name": "Belgian eID",
            "client_id": "portal",
            "secret": "s3cret",
            "settings": {
                "server_url": "https://idp.example/",
                "level_of_assurance": "substantial",
                "acr_map": {},
                "acr_values": "http://eidas.europa.eu/LoA/substantial",
            },
        }
    ]
    assert parse_oidc_providers("") == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{", "not valid JSON"),
        ('{"id": "x"}', "must be a JSON list"),
        ('[{"id": "x", "name": "X", "client_id": "c"}]', "missing options \\['server_url'\\]"),
        (
            '[{"id": "x", "name": "X", "client_id": "c", "server_url": "u", "colour": 1}]',
            "unknown options \\['colour'\\]",
        ),
        (
            '[{"id": "x", "name": "X", "client_id": "c", "server_url": "u", "level_of_assurance": "medium"}]',
            "must be one of low, substantial, high",
        ),
        (
            '[{"id": "x", "name": "X", "client_id": "c", "server_url": "u"},'
            ' {"id": "x", "name": "Y", "client_id": "d", "server_url": "v"}]',
            "id 'x' twice",
        ),
        (
            '[{"id": "x", "name": "X", "client_id": "c", "server_url": ""}]',
            "missing options \\['server_url'\\]",
        ),
        (
            '[{"id": "x", "name": "X", "client_id": "c", "server_url": "u", "acr_map": []}]',
            "'acr_map' must be dict",
        ),
        (
            '[{"id": "x", "name": "X", "client_id": "c", "server_url": "u", "acr_map": {"a": "max"}}]',
            "acr_map must map acr values to low, substantial, high",
        ),
    ],
)
def test_malformed_oidc_providers_say_what_is_wrong(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_oidc_providers(raw)


def test_the_eid_provider_kinds_are_registered_with_their_options():
    assert eid_providers.names() == ["eidas-saml", "oidc"]
    conf = {"sp_key_file": "k.pem", "sp_cert_file": "c.pem", "idp_metadata": "", "entity_id": ""}
    assert eidas_provider(conf) is None  # no metadata: eIDAS sign-in is off
    provider = eidas_provider({**conf, "idp_metadata": "node.xml"})
    assert isinstance(provider, EidasSamlProvider) and provider.minimum_level == "substantial"
    with pytest.raises(ImproperlyConfigured, match="minimum_level must be one of low, substantial, high"):
        eidas_provider({**conf, "idp_metadata": "node.xml", "minimum_level": "medium"})
    with pytest.raises(ImproperlyConfigured, match="unknown options \\['colour'\\]"):
        eidas_provider({**conf, "idp_metadata": "node.xml", "colour": "blue"})


def test_a_social_application_becomes_an_oidc_provider(db):
    from allauth.socialaccount.models import SocialApp

    app = SocialApp(
        provider="eid_oidc",
        provider_id="be-fas",
        name="Belgian eID",
        client_id="portal",
        secret="s3cret",
        settings={"server_url": "https://idp.example/", "oauth_pkce_enabled": True},
    )
    provider = OidcProvider.from_social_app(app)
    assert (provider.provider_id, provider.label, provider.level_of_assurance) == (
        "be-fas",
        "Belgian eID",
        "low",
    )
    app.settings["level_of_assurance"] = "medium"
    with pytest.raises(ImproperlyConfigured, match="level_of_assurance must be one of"):
        OidcProvider.from_social_app(app)
