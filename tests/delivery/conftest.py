from __future__ import annotations

from pathlib import Path

import pytest

from portal.delivery.as4 import constants as c
from portal.delivery.as4.ebms import Party, Property, UserMessageHeader
from portal.delivery.as4.keys import KeyPair, load_pkcs12

from .pki import TestPki, make_pki

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "as4"
AP_A_PASSWORD = "Pz4cZK4SULUwmraZa"
AP_B_PASSWORD = "Pz4cZK4SULUwmraZb"


def vector(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


@pytest.fixture(scope="session")
def pki() -> TestPki:
    return make_pki()


@pytest.fixture(scope="session")
def ap_a() -> KeyPair:
    return load_pkcs12(vector("as4net/AccessPointA.pfx"), AP_A_PASSWORD)


@pytest.fixture(scope="session")
def ap_b() -> KeyPair:
    return load_pkcs12(vector("as4net/AccessPointB.pfx"), AP_B_PASSWORD)


@pytest.fixture(scope="session")
def party_c() -> KeyPair:
    return load_pkcs12(vector("as4net/partyC.p12"), "ExampleC")


@pytest.fixture
def header() -> UserMessageHeader:
    unregistered = "urn:oasis:names:tc:ebcore:partyid-type:unregistered"
    return UserMessageHeader(
        from_party=Party.of("psc-portal", c.ROLE_INITIATOR, unregistered),
        to_party=Party.of("authority-be-0001", c.ROLE_RESPONDER, unregistered),
        service="urn:eu:psc:services:submission",
        service_type="urn:eu:psc:services",
        action="SubmitDossier",
        agreement_ref="urn:eu:psc:agreements:delivery",
        conversation_id="conv-1",
        original_sender=Property(
            "originalSender", "urn:oasis:names:tc:ebcore:partyid-type:iso6523:0088:1", "iso6523"
        ),
        final_recipient=Property(
            "finalRecipient", "urn:oasis:names:tc:ebcore:partyid-type:iso6523:0088:2", "iso6523"
        ),
    )
