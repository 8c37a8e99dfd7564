"""Live round trips with an independent AS4 implementation: the PyPI package ``as4`` (0.2.0), run in
a virtualenv of its own (tests/delivery/as4peer.py) with keys from the test PKI.

Both directions, the receipts of both sides, and tampered messages. The recorded vectors of the
same package (tests/vectors/as4/as4pkg/, test_as4_vectors.py) stay as the offline check.
"""

from __future__ import annotations

import base64
import os
import re

import pytest
from lxml import etree

from portal.delivery.as4 import codec
from portal.delivery.as4.errors import EbmsError
from portal.delivery.as4.keys import Truststore

from .as4peer import As4Peer, PeerUnavailable, ensure_venv, pem_certificate, pem_key
from .conftest import free_port
from .pki import TestPki

UBL = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
INVOICE = (
    b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>"
    + b"".join(b"<Line><ID>%d</ID><Price>%d.00</Price></Line>" % (n, n * 7) for n in range(200))
    + b"</Invoice>"
)


def truststore(pki: TestPki) -> Truststore:
    return Truststore([pki.root.certificate], known=[pki.intermediate.certificate])


def our_message(pki: TestPki, header, key_reference: str = "BST") -> codec.OutboundMessage:
    """The portal's signed, encrypted UserMessage to the authority (the peer plays the authority).
    The as4 package finds its decryption key only through a BinarySecurityToken reference."""
    return codec.build_user_message(
        header,
        [codec.Payload(INVOICE, "application/xml")],
        sign_with=pki.sender,
        encrypt_for=pki.receiver.certificate,
        domain="psc.test",
        encryption_key_reference=key_reference,
    )


def peer_receives(peer: As4Peer, pki: TestPki, body: bytes, content_type: str, **extra) -> dict:
    return peer.call(
        "receive",
        party_id="authority-test",
        key=pem_key(pki.receiver),
        certificate=pem_certificate(pki.receiver),
        anchors=[pem_certificate(pki.root)],
        intermediates=[pem_certificate(pki.intermediate)],
        body=base64.b64encode(body).decode(),
        content_type=content_type,
        **extra,
    )


def test_our_message_is_verified_and_decrypted_by_the_as4_package(as4_peer, pki, header):
    message = our_message(pki, header)
    seen = peer_receives(as4_peer, pki, message.body, message.content_type)
    assert seen["accepted"], seen["detail"]
    assert seen["signature_valid"]
    assert seen["signer"] == pki.sender.certificate.subject.rfc4514_string()
    assert seen["message_id"] == message.message_id
    assert seen["signed_references"] == [reference.uri for reference in message.references]
    (payload,) = seen["payloads"].values()
    assert base64.b64decode(payload) == INVOICE


def test_the_as4_package_reads_no_subject_key_identifier_for_the_encryption_key(as4_peer, pki, header):
    """Our default names the recipient's key by SubjectKeyIdentifier (what our receiver and the
    recorded Domibus/phase4 vectors accept); the package's model requires a wsse:Reference there.
    This pins that limit of the peer, so a later version that lifts it shows up here."""
    message = our_message(pki, header, key_reference="SKI")
    seen = peer_receives(as4_peer, pki, message.body, message.content_type)
    assert seen["accepted"] is False
    assert "EncryptedKey" in seen["detail"] and "Reference" in seen["detail"]
    # the same message is fine for us
    received = codec.receive(
        message.body, message.content_type, truststore=truststore(pki), decryption_key=pki.receiver
    )
    assert received.decrypted and received.payloads[0].content == INVOICE


def test_our_receipt_proves_our_message_to_the_as4_package(as4_peer, pki, header):
    message = our_message(pki, header)
    received = codec.receive(
        message.body, message.content_type, truststore=truststore(pki), decryption_key=pki.receiver
    )
    receipt = codec.build_receipt(received, sign_with=pki.receiver)
    seen = peer_receives(
        as4_peer, pki, message.body, message.content_type,
        receipt=base64.b64encode(receipt.body).decode(), receipt_signer=pem_certificate(pki.receiver),
    )  # fmt: skip
    assert seen["accepted"], seen["detail"]
    assert seen["receipt_verified"], seen["receipt_detail"]
    # a receipt for another message proves nothing about this one
    other = our_message(pki, header)
    other_receipt = codec.build_receipt(
        codec.receive(
            other.body, other.content_type, truststore=truststore(pki), decryption_key=pki.receiver
        ),
        sign_with=pki.receiver,
    )
    refused = peer_receives(
        as4_peer, pki, message.body, message.content_type,
        receipt=base64.b64encode(other_receipt.body).decode(), receipt_signer=pem_certificate(pki.receiver),
    )  # fmt: skip
    assert refused["receipt_verified"] is False
    assert "refers to" in refused["receipt_detail"]


def test_the_as4_package_receipt_for_our_message_is_verified_by_us(as4_peer, pki, header):
    message = our_message(pki, header)
    seen = peer_receives(as4_peer, pki, message.body, message.content_type)
    assert seen["state"] == "received"
    proof = codec.verify_receipt(
        base64.b64decode(seen["receipt"]),
        seen["receipt_content_type"],
        sent_message_id=message.message_id,
        sent=message.references,
        truststore=truststore(pki),
    )
    assert proof.kind == "receipt" and proof.ref_to_message_id == message.message_id
    assert proof.signature.signer == pki.receiver.certificate.subject.rfc4514_string()
    # the same receipt does not prove a message signed over other references
    with pytest.raises(EbmsError) as caught:
        codec.verify_receipt(
            base64.b64decode(seen["receipt"]),
            seen["receipt_content_type"],
            sent_message_id=message.message_id,
            sent=message.references[:-1],
            truststore=truststore(pki),
        )
    assert caught.value.code == "EBMS:0302"


def peer_builds(peer: As4Peer, pki: TestPki) -> dict:
    """The authority (the peer) sends a signed, encrypted UserMessage to the portal."""
    return peer.call(
        "build",
        party_id="authority-test",
        key=pem_key(pki.receiver),
        certificate=pem_certificate(pki.receiver),
        to_party_id="psc-portal",
        to_certificate=pem_certificate(pki.sender),
        payload=base64.b64encode(INVOICE).decode(),
    )


def content_of(element: etree._Element) -> list[tuple[str, str | None]]:
    return [(node.tag, node.text) for node in element.iter()]


def test_a_message_built_by_the_as4_package_is_accepted_by_us(as4_peer, pki):
    built = peer_builds(as4_peer, pki)
    received = codec.receive(
        base64.b64decode(built["body"]),
        built["headers"]["Content-Type"],
        truststore=truststore(pki),
        decryption_key=pki.sender,
    )
    assert received.kind == "user_message" and received.trusted and received.decrypted
    assert received.message_id == built["message_id"]
    assert received.signature.signer == pki.receiver.certificate.subject.rfc4514_string()
    assert all(reference.valid for reference in received.references)
    (payload,) = received.payloads
    (sent,) = built["payloads"].values()
    assert payload.compressed and payload.encrypted
    assert payload.content == base64.b64decode(sent)  # the package wraps the document in an SBD
    (document,) = etree.fromstring(bytes(payload.content)).iterchildren(f"{{{UBL}}}Invoice")
    assert content_of(document) == content_of(etree.fromstring(INVOICE))  # (re-serialised, same content)


def test_our_receipt_acknowledges_the_as4_package_message(as4_peer, pki):
    built = peer_builds(as4_peer, pki)
    body, content_type = base64.b64decode(built["body"]), built["headers"]["Content-Type"]
    received = codec.receive(body, content_type, truststore=truststore(pki), decryption_key=pki.sender)
    receipt = codec.build_receipt(received, sign_with=pki.sender)

    def peer_takes(receipt_body: bytes) -> dict:
        return as4_peer.call(
            "receive_signal",
            party_id="authority-test",
            key=pem_key(pki.receiver),
            certificate=pem_certificate(pki.receiver),
            exchange=built["exchange"],
            receipt=base64.b64encode(receipt_body).decode(),
        )

    acknowledged = peer_takes(receipt.body)
    assert acknowledged == {"state": "acknowledged", "acknowledged": True, "detail": ""}
    # our receipt signed with another key, or its signed content altered, is not proof
    stranger = codec.build_receipt(received, sign_with=pki.stranger)
    assert peer_takes(stranger.body)["acknowledged"] is False
    altered = receipt.body.replace(received.message_id.encode(), received.message_id.upper().encode(), 1)
    assert altered != receipt.body
    assert peer_takes(altered)["acknowledged"] is False


def attachment_span(body: bytes, content_type: str) -> tuple[int, int]:
    """Where the (encrypted) attachment's bytes are in a two-part multipart body."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type).group(1).encode()
    parts = [m.start() for m in re.finditer(re.escape(b"--" + boundary), body)]
    start = body.index(b"\r\n\r\n", parts[1]) + 4
    return start, parts[2] - 2  # the CRLF before the closing delimiter belongs to it


@pytest.mark.parametrize(
    ("where", "code", "reason"),
    [
        ("ciphertext", "EBMS:0102", "decrypt"),
        ("gcm tag", "EBMS:0102", "decrypt"),
        ("messaging", "EBMS:0101", "Digest mismatch"),
        ("body", "EBMS:0101", "does not cover body"),  # its wsu:Id no longer the signed one
        ("signature value", "EBMS:0101", "does not verify"),
    ],
)
def test_a_flipped_byte_in_our_message_is_refused_by_the_as4_package(
    as4_peer, pki, header, where, code, reason
):
    message = our_message(pki, header)
    data = bytearray(message.body)
    start, end = attachment_span(message.body, message.content_type)
    text = message.body.decode("latin-1")
    position = {
        "ciphertext": start + (end - start) // 2,
        "gcm tag": end - 3,
        "messaging": text.index(message.message_id) + 2,  # inside eb:MessageId
        "body": text.index("S12:Body") if "S12:Body" in text else text.index(":Body "),
        "signature value": text.index("SignatureValue>") + 20,
    }[where]
    if where == "body":  # flip a byte of the Body's wsu:Id value, keeping the XML well formed
        position = text.index('Id="', position) + 6
    original = data[position]
    data[position] = original ^ 0x01 if chr(original ^ 0x01).isalnum() else ord("A")
    assert bytes(data) != message.body
    seen = peer_receives(as4_peer, pki, bytes(data), message.content_type)
    assert seen["accepted"] is False, where
    assert seen["error_code"] == code and reason in seen["detail"], seen["detail"]
    assert seen["payloads"] == {} or code == "EBMS:0102"
    # the package answers a refused message with its signed error signal, which we read as such
    answer = codec.receive(base64.b64decode(seen["receipt"]), truststore=truststore(pki))
    assert answer.kind == "error" and answer.ref_to_message_id == seen["message_id"]  # as it read it
    assert [error.code for error in answer.signal.errors] == [code]


def test_without_the_package_registry_the_peer_is_a_clear_failure(tmp_path, monkeypatch):
    """The fixture turns this into a failed test (never a skip): interop is not optional."""
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{free_port()}/simple")
    for variable in ("PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"):
        monkeypatch.setenv(variable, "")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    cache = tmp_path / "as4-peer"
    with pytest.raises(PeerUnavailable) as caught:
        ensure_venv(cache)
    assert "installing the as4 peer from the package registry" in str(caught.value)
    assert "No matching distribution found" in str(caught.value)  # pip says what it missed
    assert [path.name for path in cache.iterdir() if not path.name.endswith(".building")] == [".lock"]
