"""P-Modes as validated data, the transport registry (with real TLS on 127.0.0.1), the admin's
resend action and the demo wiring."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from portal.delivery.models import OutboxMessage
from portal.delivery.pmodes import PModeError, RetryPolicy, load_file
from portal.delivery.transports import (
    As4HttpTransport,
    Transport,
    TransportConfigError,
    TransportError,
    transports,
)
from portal.demo import access_point as demo

from .conftest import free_port
from .pki import NOW


def _discovery_and_a_static_endpoint(document: dict) -> None:
    document["smp"] = {"url": "http://127.0.0.1:9/", "truststore": ["root.pem"]}
    fields = (
        "participant_scheme",
        "participant_id",
        "document_scheme",
        "document_id",
        "process_scheme",
        "process_id",
    )
    document["pmodes"]["authority"]["discovery"] = dict.fromkeys(fields, "x")


def edited(gateway, change) -> str:
    document = json.loads(gateway.portal_file.read_text())
    change(document)
    target = gateway.folder / "edited.json"
    target.write_text(json.dumps(document))
    return target


def test_a_valid_configuration_loads(gateway, pki):
    portal = load_file(gateway.portal_file)
    pmode = portal.pmode("authority")
    assert (portal.domain, portal.party.id, pmode.partner.id) == ("psc.test", "psc-portal", "authority-test")
    assert (
        pmode.partner_certificate == pki.receiver.certificate
        and portal.key.certificate == pki.sender.certificate
    )
    assert pmode.endpoint == f"http://127.0.0.1:{gateway.authority_port}/as4"
    assert pmode.retry == RetryPolicy(max_attempts=8, base_delay=0.2, factor=2.0, max_delay=1.0)
    assert pmode.transport().timeout == 3
    with pytest.raises(PModeError, match="no P-Mode 'nope'"):
        portal.pmode("nope")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(colour="blue"), "unknown key"),
        (
            lambda d: d["pmodes"]["authority"].update(endpoint="http://ap.example.be/as4"),
            "only allowed to a loopback",
        ),
        (lambda d: d["pmodes"]["authority"].update(endpoint="ftp://x/as4"), "not an http"),
        (
            lambda d: d["pmodes"]["authority"].update(transport="carrier-pigeon"),
            "no transport named 'carrier-pigeon'",
        ),
        (
            lambda d: d["pmodes"]["authority"].update(transport_options={"timeout": "soon"}),
            "option 'timeout' must be int or float",
        ),
        (lambda d: d["pmodes"]["authority"].update(transport_options={"verify": False}), "unknown option"),
        (lambda d: d["pmodes"]["authority"].update(transport_options={"timeout": -1}), "positive"),
        (lambda d: d["pmodes"]["authority"]["partner"].update(certificate="missing.pem"), "cannot read"),
        (lambda d: d["pmodes"]["authority"]["partner"].update(certificate="portal.p12"), "not a certificate"),
        (lambda d: d["pmodes"]["authority"].pop("action"), "'action' is required"),
        (lambda d: d["pmodes"]["authority"].update(retry={"max_attempts": 0}), "at least 1"),
        (lambda d: d["pmodes"]["authority"].update(retry={"base_delay": 10, "max_delay": 1}), "max_delay"),
        (lambda d: d["key"].update(password="wrong"), "cannot open the PKCS#12"),
        (lambda d: d["key"].update(password_env="PSC_NOT_SET_ANYWHERE"), "is not set"),
        (lambda d: d["pmodes"]["authority"].update(discovery={}), "needs the top-level 'smp'|is required"),
        (lambda d: d.update(smp={"truststore": ["root.pem"]}), "either 'sml_zone'"),
        (_discovery_and_a_static_endpoint, "the SMP gives the endpoint"),
    ],
)
def test_configuration_mistakes_are_named(gateway, change, message):
    with pytest.raises(PModeError, match=message):
        load_file(edited(gateway, change))


def test_retry_policy_backoff_is_exponential_and_capped():
    policy = RetryPolicy(max_attempts=10, base_delay=60, factor=2, max_delay=3600)
    assert [policy.delay_after(n) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_the_transport_registry_validates_options():
    assert "as4" in transports
    with pytest.raises(TransportConfigError, match="client_key given without"):
        transports.build("as4", {"client_key": "k.pem"})
    with pytest.raises(TransportConfigError, match="'timeout' must be int or float"):
        transports.build("as4", {"timeout": True})
    transport = transports.build("as4", {"timeout": 5})
    assert (transport.timeout, transport.connect_timeout, transport.ca_bundle) == (5, 10, None)

    class Impostor(Transport):
        name = "as4"

    with pytest.raises(TransportConfigError, match="transport 'as4' registered twice"):
        transports.register(Impostor)
    assert transports.get("as4") is As4HttpTransport


def _tls_server_certificate(pki, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(pki.intermediate.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False
        )
        .sign(pki.intermediate.private_key, hashes.SHA256())
    )
    chain = tmp_path / "server-chain.pem"
    chain.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + pki.intermediate.certificate.public_bytes(serialization.Encoding.PEM)
    )
    key_file = tmp_path / "server-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return chain, key_file


@pytest.fixture
def tls_server(pki, tmp_path):
    """An HTTPS echo server on 127.0.0.1 that demands a client certificate from the test PKI."""
    chain, key_file = _tls_server_certificate(pki, tmp_path)
    (tmp_path / "root.pem").write_bytes(pki.root.certificate.public_bytes(serialization.Encoding.PEM))
    seen: list[str] = []

    class Echo(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            peer = self.connection.getpeercert()
            seen.append(dict(item[0] for item in peer["subject"])["commonName"])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(tmp_path / "root.pem"))
    context.load_cert_chain(chain, key_file)
    context.verify_mode = ssl.CERT_REQUIRED
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Echo)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}/as4", tmp_path, seen
    server.shutdown()
    server.server_close()


def test_as4_transport_verifies_tls_and_presents_a_client_certificate(tls_server, pki):
    url, folder, seen = tls_server
    client_key = folder / "client-key.pem"
    client_key.write_bytes(
        pki.sender.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    client_certificate = folder / "client.pem"
    client_certificate.write_bytes(
        pki.sender.certificate.public_bytes(serialization.Encoding.PEM)
        + pki.intermediate.certificate.public_bytes(serialization.Encoding.PEM)
    )
    # the system's CAs do not know the test PKI: refused, never sent in clear or unverified
    with pytest.raises(TransportError, match="SSLError"):
        transports.build("as4", {"timeout": 5}).send(url, b"x", "application/soap+xml")
    transport = transports.build(
        "as4",
        {"timeout": 5, "ca_bundle": str(folder / "root.pem"), "client_certificate": str(client_certificate),
         "client_key": str(client_key)},
    )  # fmt: skip
    response = transport.send(url, b"payload", "application/soap+xml")
    assert (response.status, response.body) == (200, b"payload")
    assert seen == ["portal access point"]


@pytest.mark.django_db
def test_failed_messages_are_listed_in_the_admin_and_can_be_resent(
    gateway, admin_client, admin_user, monkeypatch
):
    from allauth.mfa.models import Authenticator

    from portal.delivery import services
    from portal.delivery.services import Package, Part
    from portal.delivery.tasks import send_message

    # staff reach the admin only with MFA set up (accounts)
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    queued = []
    monkeypatch.setattr(send_message, "delay", lambda *args: queued.append(args))
    entry = services.send(Package([Part(b"x", "text/plain")]), "authority")
    OutboxMessage.objects.filter(pk=entry.pk).update(
        state=OutboxMessage.State.FAILED, attempts=8, last_error="down", last_error_code="EBMS:0005"
    )
    changelist = reverse("admin:delivery_outboxmessage_changelist")
    page = admin_client.get(changelist, {"state__exact": "failed"})
    assert page.status_code == 200 and entry.message_id in page.content.decode()
    response = admin_client.post(
        changelist, {"action": "resend", "_selected_action": [entry.pk]}, follow=True
    )
    assert response.status_code == 200 and "1 failed message queued again" in response.content.decode()
    entry.refresh_from_db()
    assert entry.state == OutboxMessage.State.WAITING_FOR_RETRY and entry.max_attempts == 16


def test_demo_keys_and_pmodes_are_generated_once(tmp_path):
    folder, pmodes_file = tmp_path / "demo", tmp_path / "pmodes.json"
    authority_file = demo.ensure_demo(folder, "authority-demo", 8799, pmodes_file, "http://127.0.0.1:8000")
    portal, authority = load_file(pmodes_file), load_file(authority_file)
    assert portal.pmode("authority-demo").partner_certificate == authority.key.certificate
    assert authority.pmode("portal").partner_certificate == portal.key.certificate
    assert oct((folder / "portal.p12").stat().st_mode & 0o777) == "0o600"
    before = {p.name: p.read_bytes() for p in folder.glob("*.p12")}
    demo.ensure_demo(folder, "authority-demo", 8800, pmodes_file, "http://127.0.0.1:8000")
    assert {p.name: p.read_bytes() for p in folder.glob("*.p12")} == before
    assert load_file(pmodes_file).pmode("authority-demo").endpoint == "http://127.0.0.1:8800/as4"
    # a P-Mode file the operator wrote is never overwritten
    (folder / "portal-pmodes-written-by-demo.txt").unlink()
    demo.ensure_demo(folder, "authority-demo", 8801, pmodes_file, "http://127.0.0.1:8000")
    assert load_file(pmodes_file).pmode("authority-demo").endpoint == "http://127.0.0.1:8800/as4"


def test_rundemo_starts_the_demo_access_point(monkeypatch):
    monkeypatch.delenv("DEMO_AUTHORITY_PORT", raising=False)
    from portal.demo.management.commands.rundemo import demo_processes

    command = demo_processes("127.0.0.1:8000")["access-point"]
    assert command[1:4] == ["manage.py", "run_access_point", "--party"]
    assert command[-2:] == ["--port", "8701"]
    assert demo_processes("127.0.0.1:9000")["access-point"][-1] == "9701"
