from __future__ import annotations

from dataclasses import dataclass
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


# ------------------------------------------------------------------------------ the gateway (access point)
# Two parties with real keys from the test PKI: the portal and one authority, each with its P-Mode
# file (the format of portal/delivery/pmodes.py), written into the test's own folder.


from tests.fixtures.processes import free_port  # noqa: E402  (re-exported for the delivery tests)


@dataclass
class GatewaySetup:
    folder: Path
    portal_file: Path
    authority_file: Path
    authority_port: int
    stranger_file: Path

    def portal(self):
        from portal.delivery.pmodes import load_file

        return load_file(self.portal_file)

    def authority(self):
        from portal.delivery.pmodes import load_file

        return load_file(self.authority_file)


def write_gateway(folder: Path, pki: TestPki, *, port: int, retry: dict | None = None, timeout: float = 3):
    from portal.demo import access_point as demo

    from .pki import issue

    folder.mkdir(parents=True, exist_ok=True)
    stranger = issue("stranger access point", pki.intermediate)
    for name, key in (("portal", pki.sender), ("authority", pki.receiver), ("stranger", stranger)):
        demo.write_key(folder / f"{name}.p12", key, f"{name}-password")
        demo.write_certificate(folder / f"{name}.pem", key.certificate)
    demo.write_certificate(folder / "root.pem", pki.root.certificate)
    demo.write_certificate(folder / "intermediate.pem", pki.intermediate.certificate)
    truststore = ["root.pem", "intermediate.pem"]
    options = {"transport_options": {"timeout": timeout, "connect_timeout": 2}}
    retry = retry or {"max_attempts": 8, "base_delay": 0.2, "factor": 2, "max_delay": 1}
    documents = {
        "portal": demo.configuration_document(
            domain="psc.test", party="psc-portal", key_file="portal.p12", password="portal-password",
            truststore=truststore,
            pmodes={"authority": demo.pmode_document(
                "authority-test", "authority.pem", f"http://127.0.0.1:{port}/as4", retry=retry, **options
            )},
        ),
        "authority": demo.configuration_document(
            domain="authority.test", party="authority-test", key_file="authority.p12",
            password="authority-password", truststore=truststore,
            pmodes={"portal": demo.pmode_document("psc-portal", "portal.pem", "http://127.0.0.1:1/as4")},
        ),
        # a trusted certificate, but no agreement with anyone
        "stranger": demo.configuration_document(
            domain="stranger.test", party="stranger", key_file="stranger.p12", password="stranger-password",
            truststore=truststore,
            pmodes={"portal": demo.pmode_document("psc-portal", "portal.pem", "http://127.0.0.1:1/as4")},
        ),
    }  # fmt: skip
    for name, document in documents.items():
        demo.write_json(folder / f"{name}.json", document)
    return GatewaySetup(
        folder, folder / "portal.json", folder / "authority.json", port, folder / "stranger.json"
    )


@pytest.fixture
def gateway(tmp_path, pki, settings, monkeypatch) -> GatewaySetup:
    """The portal configured (in this process and for a worker started afterwards) to deliver to
    an authority at 127.0.0.1:<authority_port>, where nothing listens yet."""
    setup = write_gateway(tmp_path / "gateway", pki, port=free_port())
    settings.DELIVERY_PMODES_FILE = str(setup.portal_file)
    monkeypatch.setenv("DELIVERY_PMODES_FILE", str(setup.portal_file))
    return setup


# ------------------------------------------------------------------------- the independent AS4 peer


@pytest.fixture(scope="session")
def as4_peer():
    """The PyPI package ``as4`` in its own virtualenv (made once under var/as4-peer/, reused while
    as4-peer-requirements.txt is unchanged). Never skipped: without it the interop tests fail."""
    from .as4peer import PeerUnavailable, start_peer

    try:
        return start_peer()
    except PeerUnavailable as error:
        pytest.fail(
            "The AS4 interop peer (the PyPI package as4, tests/delivery/as4-peer-requirements.txt) "
            f"could not be installed; the package registry must be reachable for the first run.\n{error}",
            pytrace=False,
        )
