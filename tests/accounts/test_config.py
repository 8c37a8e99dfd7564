import json

import pytest
from django.core.exceptions import ImproperlyConfigured

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
        ('[{"id": "x", "name": "X", "client_id": "c"}]', "lacks server_url"),
        (
            '[{"id": "x", "name": "X", "client_id": "c", "server_url": "u", "colour": 1}]',
            "unknown keys: colour",
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
    ],
)
def test_malformed_oidc_providers_say_what_is_wrong(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_oidc_providers(raw)
