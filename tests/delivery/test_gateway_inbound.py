"""The portal's inbound endpoint POST /as4 over real HTTP (live server on 127.0.0.1), real crypto:
the authority sends, the portal verifies, stores once, dispatches and answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from django.conf import settings

from portal.delivery import signals
from portal.delivery.as4 import codec
from portal.delivery.as4.codec import Payload
from portal.delivery.handlers import InboundHandler, handler_for, inbound_handlers
from portal.delivery.models import InboxMessage, InboxPayload
from portal.delivery.pmodes import load_file
from portal.demo.access_point import DEMO_ACTION

PDF = "application/pdf"


def build(config_file: Path, *, to_party: str = "psc-portal", action: str = DEMO_ACTION, encrypt_for=None):
    """A UserMessage from the party of ``config_file`` to the portal, as that party's AP builds it."""
    sender = load_file(config_file)
    pmode = sender.pmode("portal")
    header = pmode.header(sender.party, conversation_id="conv-9")
    header.to_party.party_ids[0].value = to_party
    header.action = action
    return codec.build_user_message(
        header,
        [Payload(os.urandom(5000), PDF), Payload(b"<status>received</status>", "application/xml")],
        sign_with=sender.key,
        encrypt_for=encrypt_for or pmode.partner_certificate,
        domain=sender.domain,
    )


def post(live_server, message, body: bytes | None = None) -> requests.Response:
    return requests.post(
        f"{live_server.url}/as4",
        data=message.body if body is None else body,
        headers={"Content-Type": message.content_type},
        timeout=30,
    )


def error_code(response: requests.Response) -> str:
    parsed = codec.receive(
        response.content,
        response.headers["Content-Type"],
        truststore=None,
        policy=codec.ReceivePolicy(require_signature=False, require_trusted_signer=False),
    )
    assert parsed.kind == "error" and parsed.fault is not None, parsed
    return parsed.signal.errors[0].code


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["private"]["OPTIONS"]["location"]) / "delivery" / "inbox"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def handled():
    seen = {"handler": [], "signal": []}

    class Recorder(InboundHandler):
        service = "urn:eu:psc:services:submission"
        action = DEMO_ACTION

        def handle(self, message):
            seen["handler"].append(message.message_id)

    def on_received(sender, message, **kwargs):
        seen["signal"].append(message.message_id)

    inbound_handlers.register(Recorder)
    signals.message_received.connect(on_received, weak=False)
    yield seen
    inbound_handlers.unregister(Recorder.name)
    signals.message_received.disconnect(on_received)


def test_a_message_is_stored_once_and_a_duplicate_gets_the_original_receipt(live_server, gateway, handled):
    authority = load_file(gateway.authority_file)
    message = build(gateway.authority_file)
    files_before = stored_files()

    first = post(live_server, message)
    assert first.status_code == 200, first.content
    proof = codec.verify_receipt(
        first.content,
        first.headers["Content-Type"],
        sent_message_id=message.message_id,
        sent=message.references,
        truststore=authority.truststore,
    )
    assert proof.signature.certificate == gateway.portal().key.certificate
    stored = InboxMessage.objects.get()
    assert (stored.message_id, stored.pmode, stored.action) == (message.message_id, "authority", DEMO_ACTION)
    assert bytes(stored.receipt) == first.content
    with stored.raw.open("rb") as raw:
        assert raw.read() == message.body
    payloads = list(stored.payloads.all())
    assert [p.mime_type for p in payloads] == [PDF, "application/xml"]
    with payloads[1].file.open("rb") as part:
        assert part.read() == b"<status>received</status>"
    assert handled == {"handler": [message.message_id], "signal": [message.message_id]}
    assert stored.handled_by.endswith(".Recorder")
    files_after_first = stored_files()
    assert len(files_after_first) == len(files_before) + 3

    again = post(live_server, message)
    assert again.status_code == 200 and again.content == first.content
    assert InboxMessage.objects.count() == 1 and InboxPayload.objects.count() == 2
    assert stored_files() == files_after_first
    assert handled["handler"] == [message.message_id]  # not dispatched twice


@pytest.mark.parametrize(
    "where",
    ["ciphertext", "messaging", "signature_value"],
)
def test_a_tampered_message_is_refused_with_its_code_and_nothing_is_stored(live_server, gateway, where):
    message = build(gateway.authority_file)
    body = bytearray(message.body)
    if where == "ciphertext":
        index = body.rindex(b"\r\n\r\n") + 4 + 20  # inside the last attachment's ciphertext
        body[index] ^= 0x01
        expected = "EBMS:0102"
    elif where == "messaging":
        index = body.index(b"conv-9")
        body[index : index + 6] = b"conv-8"
        expected = "EBMS:0101"
    else:
        start = body.index(b"SignatureValue>") + len(b"SignatureValue>")
        body[start + 10] = ord("A") if body[start + 10] != ord("A") else ord("B")
        expected = "EBMS:0101"
    files_before = stored_files()
    response = post(live_server, message, bytes(body))
    assert response.status_code == 400
    assert error_code(response) == expected
    assert InboxMessage.objects.count() == 0 and stored_files() == files_before


def test_an_unknown_party_is_refused(live_server, gateway):
    # trusted certificate, but the portal has no agreement with "stranger"
    message = build(gateway.stranger_file, encrypt_for=gateway.portal().key.certificate)
    response = post(live_server, message)
    assert response.status_code == 400 and error_code(response) == "EBMS:0010"
    assert InboxMessage.objects.count() == 0


def test_a_known_party_signing_with_another_certificate_is_refused(live_server, gateway, tmp_path):
    # the stranger's key, claiming to be the authority
    import json

    document = json.loads(gateway.stranger_file.read_text())
    document["party"]["id"] = "authority-test"
    impostor = gateway.folder / "impostor.json"
    impostor.write_text(json.dumps(document))
    response = post(live_server, build(impostor))
    assert response.status_code == 400 and error_code(response) == "EBMS:0101"
    assert InboxMessage.objects.count() == 0


def test_messages_for_someone_else_and_unexpected_actions_are_refused(live_server, gateway):
    for message in (
        build(gateway.authority_file, to_party="another-portal"),
        build(gateway.authority_file, action="Nope"),
    ):
        response = post(live_server, message)
        assert response.status_code == 400 and error_code(response) == "EBMS:0010"
    assert InboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"", "application/soap+xml"),
        (b"not xml at all", "application/soap+xml"),
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "application/soap+xml"),
        (b"--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--", 'multipart/related; boundary="x"'),
        (os.urandom(3000), "multipart/related; boundary=zz"),
    ],
)
def test_bad_input_gets_an_ebms_error_never_a_500_page(live_server, gateway, body, content_type):
    response = requests.post(
        f"{live_server.url}/as4", data=body, headers={"Content-Type": content_type}, timeout=30
    )
    assert response.status_code == 400
    assert error_code(response).startswith("EBMS:")
    assert InboxMessage.objects.count() == 0


def test_only_post(live_server, gateway):
    assert requests.get(f"{live_server.url}/as4", timeout=10).status_code == 405


def test_the_same_message_arriving_concurrently_is_stored_once(live_server, gateway):
    from concurrent.futures import ThreadPoolExecutor

    message = build(gateway.authority_file)
    files_before = stored_files()
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: post(live_server, message), range(4)))
    assert [r.status_code for r in responses] == [200] * 4
    assert len({r.content for r in responses}) == 1  # everyone gets the one stored receipt
    stored = InboxMessage.objects.get()
    assert bytes(stored.receipt) == responses[0].content
    assert InboxPayload.objects.count() == 2 and len(stored_files()) == len(files_before) + 3


def test_a_failing_handler_is_recorded_and_the_sender_still_gets_its_receipt(live_server, gateway):
    @inbound_handlers.register
    class Broken(InboundHandler):
        service = "urn:eu:psc:services:submission"
        action = DEMO_ACTION

        def handle(self, message):
            raise RuntimeError("backoffice unavailable")

    try:
        response = post(live_server, build(gateway.authority_file))
    finally:
        inbound_handlers.unregister(Broken.name)
    assert response.status_code == 200
    assert InboxMessage.objects.get().handler_error == "RuntimeError: backoffice unavailable"


def test_one_handler_per_service_and_action():
    class First(InboundHandler):
        service = "urn:eu:psc:services:submission"
        action = "Test-OnePerPair"

        def handle(self, message):
            pass

    class Second(First):
        pass

    inbound_handlers.register(First)
    try:
        assert First.name == "urn:eu:psc:services:submission / Test-OnePerPair"
        assert isinstance(handler_for("urn:eu:psc:services:submission", "Test-OnePerPair"), First)
        assert handler_for("urn:eu:psc:services:submission", "Other") is None
        with pytest.raises(ValueError, match="registered twice"):
            inbound_handlers.register(Second)
    finally:
        inbound_handlers.unregister(First.name)
    assert handler_for("urn:eu:psc:services:submission", "Test-OnePerPair") is None
