"""EBMS error signals both ways: our refusals are signed when we know who sent the message, and
the partner's error signals for our outbox messages are verified and mapped onto outbox states."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lxml import etree

from portal.delivery import services
from portal.delivery.as4 import codec
from portal.delivery.as4 import constants as c
from portal.delivery.as4.errors import EbmsError
from portal.delivery.models import OutboxMessage
from portal.delivery.services import Package, Part
from portal.delivery.tasks import send_message

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


@pytest.fixture
def queued(monkeypatch) -> list:
    calls: list = []
    monkeypatch.setattr(send_message, "apply_async", lambda args, **kw: calls.append((args, kw)))
    monkeypatch.setattr(send_message, "delay", lambda *args: calls.append((args, {})))
    return calls


class Answering:
    """An HTTP server on 127.0.0.1 that answers every POST with the same prepared response."""

    def __init__(self, port: int, status: int, content_type: str, body: bytes) -> None:
        answer = (status, content_type, body)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(answer[0])
                self.send_header("Content-Type", answer[1])
                self.send_header("Content-Length", str(len(answer[2])))
                self.end_headers()
                self.wfile.write(answer[2])

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True

    def __enter__(self) -> Answering:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def package() -> Package:
    return Package([Part(b"%PDF-1.7 dossier", "application/pdf", "dossier.pdf")])


# -------------------------------------------------------------------------------- our refusals (inbound)


def message_from(config, pmode_id: str = "portal", **overrides) -> codec.OutboundMessage:
    pmode = config.pmode(pmode_id)
    portal_certificate = pmode.partner_certificate
    header = pmode.header(config.party, conversation_id="conv-e", **overrides)
    return codec.build_user_message(
        header,
        [codec.Payload(b"hello", "text/plain")],
        sign_with=config.key,
        encrypt_for=portal_certificate,
        domain=config.domain,
    )


def test_a_message_from_a_party_without_agreement_gets_a_signed_refusal(gateway):
    stranger, portal = gateway.stranger_file, gateway.portal()
    from portal.delivery.pmodes import load_file

    config = load_file(stranger)
    message = message_from(config)
    answer = services.receive(message.body, message.content_type)
    assert answer.status == 400 and answer.error_code == "EBMS:0010"
    signal = codec.receive(answer.body, answer.content_type, truststore=config.truststore)
    assert signal.kind == "error" and signal.trusted
    assert signal.signature.certificate == portal.key.certificate  # signed by us
    assert signal.ref_to_message_id == message.message_id
    assert [e.code for e in signal.signal.errors] == ["EBMS:0010"]
    assert signal.signal.errors[0].ref_to_message_in_error == message.message_id
    # the SOAP Fault is inside the signed Body
    fault = signal.envelope.find(f"{{{c.SOAP12}}}Body/{{{c.SOAP12}}}Fault")
    assert fault.findtext(f"{{{c.SOAP12}}}Code/{{{c.SOAP12}}}Value").endswith(":Sender")
    body_id = signal.envelope.find(f"{{{c.SOAP12}}}Body").get(f"{{{c.WSU}}}Id")
    assert any(r.uri == f"#{body_id}" and r.valid for r in signal.references)


def test_a_tampered_message_from_the_partner_gets_a_signed_failed_authentication(gateway):
    authority = gateway.authority()
    message = message_from(authority)
    tampered = message.body.replace(b"SubmitPackage", b"SubmitPackagX", 1)
    answer = services.receive(tampered, message.content_type)
    assert answer.error_code == "EBMS:0101"
    signal = codec.receive(answer.body, answer.content_type, truststore=authority.truststore)
    assert signal.signature.certificate == gateway.portal().key.certificate
    assert [e.code for e in signal.signal.errors] == ["EBMS:0101"]


def test_garbage_gets_an_unsigned_refusal(gateway):
    answer = services.receive(b"<not-soap/>", "application/soap+xml")
    assert answer.status == 400
    root = etree.fromstring(answer.body)
    assert root.find(f".//{{{c.WSSE}}}Security") is None
    assert root.find(f".//{{{c.EB}}}Error").get("errorCode") == answer.error_code


# ------------------------------------------------------------------------- their error signals (outbound)


def error_signal(key, ref: str | None, code: str, *, fault: str = "Sender") -> bytes:
    return codec.build_error_signal(
        [EbmsError(code, "refused by the test partner", ref_to_message_id=ref)],
        ref_to_message_id=ref,
        domain="authority.test",
        sign_with=key,
        fault=(fault, f"{code} refused"),
    ).body


def attempt_against(gateway, entry, status: int, body: bytes) -> OutboxMessage:
    with Answering(gateway.authority_port, status, "application/soap+xml; charset=UTF-8", body):
        return services.attempt(entry.pk)


def test_a_signed_failed_authentication_from_the_partner_ends_failed(gateway, queued):
    entry = services.send(package(), "authority")
    signal = error_signal(gateway.authority().key, entry.message_id, "EBMS:0101")
    entry = attempt_against(gateway, entry, 400, signal)
    assert entry.state == State.FAILED and entry.last_error_code == "EBMS:0101"
    assert "error signal signed by the partner" in entry.last_error
    assert queued == []


def test_a_signed_missing_receipt_error_is_retried(gateway, queued):
    entry = services.send(package(), "authority")
    signal = error_signal(gateway.authority().key, entry.message_id, "EBMS:0301", fault="Receiver")
    entry = attempt_against(gateway, entry, 500, signal)
    assert entry.state == State.WAITING_FOR_RETRY and entry.last_error_code == "EBMS:0301"
    assert len(queued) == 1


def test_an_error_signal_about_another_message_is_ignored(gateway, queued):
    entry = services.send(package(), "authority")
    signal = error_signal(gateway.authority().key, "someone-else@authority.test", "EBMS:0101")
    entry = attempt_against(gateway, entry, 400, signal)
    assert entry.state == State.WAITING_FOR_RETRY and entry.last_error_code == "EBMS:0302"
    assert "about another message" in entry.last_error


def test_an_error_signal_whose_signature_is_broken_is_ignored(gateway, queued):
    entry = services.send(package(), "authority")
    signal = error_signal(gateway.authority().key, entry.message_id, "EBMS:0101")
    forged = signal.replace(b"refused by the test partner", b"refused by the forger!!!!!!")
    entry = attempt_against(gateway, entry, 400, forged)
    assert entry.state == State.WAITING_FOR_RETRY and entry.last_error_code == "EBMS:0004"
    assert "signature does not verify" in entry.last_error


def test_an_unsigned_refusal_still_ends_failed_and_says_it_was_unsigned(gateway, queued):
    entry = services.send(package(), "authority")
    signal = error_signal(None, entry.message_id, "EBMS:0010")
    entry = attempt_against(gateway, entry, 400, signal)
    assert entry.state == State.FAILED and entry.last_error_code == "EBMS:0010"
    assert "unsigned error signal" in entry.last_error


def test_an_error_signed_by_another_trusted_party_is_named_as_such(gateway, queued):
    from portal.delivery.pmodes import load_file

    entry = services.send(package(), "authority")
    stranger = load_file(gateway.stranger_file)
    signal = error_signal(stranger.key, entry.message_id, "EBMS:0102")
    entry = attempt_against(gateway, entry, 400, signal)
    assert entry.state == State.FAILED and entry.last_error_code == "EBMS:0102"
    assert "not by the partner's certificate" in entry.last_error
