"""Dynamic discovery against a local SMP stand-in on 127.0.0.1 serving signed BDXR SMP 1.0 XML."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.cache import cache
from lxml import etree
from signxml import XMLSigner

from portal.delivery.as4.keys import Truststore
from portal.delivery.smp import BDXR, SmpClient, SmpError, sml_host, sml_locator

from .pki import NOW, issue

PARTICIPANT = ("iso6523-actorid-upis", "0088:5798000000001")
DOCUMENT = ("busdox-docid-qns", "urn:eu:psc:package::1.0")
PROCESS = ("cenbii-procid-ubl", "urn:eu:psc:submission")


def der64(certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def service_metadata(
    endpoint_certificate, *, expires: dt.datetime, url: str = "https://ap.authority.example/as4"
):
    e = lambda tag, text=None, **attrs: _element(tag, text, attrs)  # noqa: E731
    root = e("SignedServiceMetadata")
    metadata = etree.SubElement(root, f"{{{BDXR}}}ServiceMetadata")
    info = etree.SubElement(metadata, f"{{{BDXR}}}ServiceInformation")
    info.append(e("ParticipantIdentifier", PARTICIPANT[1], scheme=PARTICIPANT[0]))
    info.append(e("DocumentIdentifier", DOCUMENT[1], scheme=DOCUMENT[0]))
    process = etree.SubElement(etree.SubElement(info, f"{{{BDXR}}}ProcessList"), f"{{{BDXR}}}Process")
    process.append(e("ProcessIdentifier", PROCESS[1], scheme=PROCESS[0]))
    endpoint = etree.SubElement(
        etree.SubElement(process, f"{{{BDXR}}}ServiceEndpointList"),
        f"{{{BDXR}}}Endpoint",
        transportProfile="bdxr-transport-ebms3-as4-v1p0",
    )
    for tag, text in (
        ("EndpointURI", url),
        ("RequireBusinessLevelSignature", "false"),
        ("ServiceActivationDate", (NOW - dt.timedelta(days=1)).isoformat()),
        ("ServiceExpirationDate", expires.isoformat()),
        ("Certificate", der64(endpoint_certificate)),
        ("ServiceDescription", "authority access point"),
        ("TechnicalContactUrl", "https://authority.example/contact"),
    ):
        endpoint.append(e(tag, text))
    return root


def _element(tag, text, attrs):
    element = etree.Element(f"{{{BDXR}}}{tag}", nsmap={None: BDXR}, **attrs)
    element.text = text
    return element


def sign(root, key) -> bytes:
    signed = XMLSigner().sign(root, key=key.private_key, cert=[key.certificate])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


class SmpStandIn:
    def __init__(self) -> None:
        self.documents: dict[str, bytes] = {}
        self.requests: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = unquote(self.path)
                stand_in.requests.append(path)
                body = stand_in.documents.get(path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def publish(self, data: bytes) -> None:
        path = f"/{PARTICIPANT[0]}::{PARTICIPANT[1]}/services/{DOCUMENT[0]}::{DOCUMENT[1]}"
        self.documents[path] = data


@pytest.fixture
def smp(pki):
    cache.clear()
    stand_in = SmpStandIn()
    smp_key = issue("SMP signing", pki.intermediate)
    client = SmpClient(
        lambda scheme, participant: stand_in.url,
        Truststore([pki.root.certificate], known=[pki.intermediate.certificate]),
    )
    yield stand_in, smp_key, client
    stand_in.server.shutdown()
    cache.clear()


def lookup(client, **kwargs):
    return client.endpoint(*PARTICIPANT, *DOCUMENT, *PROCESS, **kwargs)


def test_the_endpoint_and_certificate_come_from_the_signed_metadata_and_are_cached(smp, pki):
    stand_in, smp_key, client = smp
    stand_in.publish(
        sign(service_metadata(pki.receiver.certificate, expires=NOW + dt.timedelta(days=30)), smp_key)
    )
    found = lookup(client)
    assert found.url == "https://ap.authority.example/as4"
    assert found.certificate == pki.receiver.certificate
    assert found.transport_profile == "bdxr-transport-ebms3-as4-v1p0"
    assert lookup(client) == found and len(stand_in.requests) == 1  # cached


def test_tampered_unsigned_or_untrusted_metadata_is_refused(smp, pki):
    stand_in, smp_key, client = smp
    metadata = service_metadata(pki.receiver.certificate, expires=NOW + dt.timedelta(days=30))
    signed = sign(metadata, smp_key)
    stand_in.publish(signed.replace(b"https://ap.authority.example/as4", b"https://evil.example.com/as4"))
    with pytest.raises(SmpError, match="does not verify"):
        lookup(client)
    cache.clear()
    stand_in.publish(etree.tostring(metadata))
    with pytest.raises(SmpError, match="not signed"):
        lookup(client)
    cache.clear()
    stand_in.publish(sign(metadata, pki.stranger))
    with pytest.raises(SmpError, match="not trusted"):
        lookup(client)


def test_unknown_participants_expired_endpoints_and_other_processes_are_reported(smp, pki):
    stand_in, smp_key, client = smp
    with pytest.raises(SmpError, match="does not accept"):
        lookup(client)
    stand_in.publish(
        sign(service_metadata(pki.receiver.certificate, expires=NOW - dt.timedelta(hours=1)), smp_key)
    )
    with pytest.raises(SmpError, match="no active endpoint"):
        lookup(client)
    with pytest.raises(SmpError, match="no active endpoint"):
        client.endpoint(*PARTICIPANT, *DOCUMENT, PROCESS[0], "urn:other:process")


def test_sml_host_name_is_the_peppol_scheme():
    digest = hashlib.md5(b"0088:5798000000001", usedforsecurity=False).hexdigest()
    assert sml_host("0088:5798000000001", "iso6523-actorid-upis", "edelivery.tech.ec.europa.eu") == (
        f"b-{digest}.iso6523-actorid-upis.edelivery.tech.ec.europa.eu"
    )
    assert sml_locator("sml.example")("iso6523-actorid-upis", "0088:ABC").startswith("http://b-")
    assert sml_host("0088:ABC", "s", "z") == sml_host("0088:abc", "s", "z")


@pytest.mark.django_db
def test_a_pmode_with_discovery_sends_to_the_endpoint_and_certificate_the_smp_gives(
    smp, pki, gateway, tmp_path, settings, monkeypatch
):
    import json

    from portal.delivery import services
    from portal.delivery.access_point import FolderAccessPoint
    from portal.delivery.models import OutboxMessage
    from portal.delivery.pmodes import load_file
    from portal.delivery.services import Package, Part
    from portal.delivery.tasks import send_message

    from .flaky import FlakyReceiver

    stand_in, smp_key, _client = smp
    monkeypatch.setattr(send_message, "delay", lambda *args: None)
    endpoint = f"http://127.0.0.1:{gateway.authority_port}/as4"
    metadata = service_metadata(pki.receiver.certificate, expires=NOW + dt.timedelta(days=30), url=endpoint)
    stand_in.publish(sign(metadata, smp_key))
    document = json.loads(gateway.portal_file.read_text())
    static = document["pmodes"].pop("authority")
    static.pop("endpoint")
    static["partner"].pop("certificate")
    static["discovery"] = {
        "participant_scheme": PARTICIPANT[0], "participant_id": PARTICIPANT[1],
        "document_scheme": DOCUMENT[0], "document_id": DOCUMENT[1],
        "process_scheme": PROCESS[0], "process_id": PROCESS[1],
    }  # fmt: skip
    document["pmodes"]["discovered"] = static
    document["smp"] = {"url": stand_in.url, "truststore": ["root.pem", "intermediate.pem"]}
    discovered_file = gateway.folder / "discovered.json"
    discovered_file.write_text(json.dumps(document))
    settings.DELIVERY_PMODES_FILE = str(discovered_file)
    assert load_file(discovered_file).pmode("discovered").partner_certificate is None

    authority = FolderAccessPoint(load_file(gateway.authority_file), tmp_path / "inbox")
    entry = services.send(Package([Part(b"%PDF-1.7 discovered", "application/pdf")]), "discovered")
    assert entry.endpoint == endpoint
    with FlakyReceiver(authority, gateway.authority_port, ["ok"], slow_seconds=0):
        entry = services.attempt(entry.pk)
    assert entry.state == OutboxMessage.State.ACKNOWLEDGED, entry.last_error
    assert [m["message_id"] for m in authority.received()] == [entry.message_id]
