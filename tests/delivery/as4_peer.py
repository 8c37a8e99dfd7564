"""The independent AS4 peer: the PyPI package ``as4`` (0.2.0), driven by the interop tests.

It pins cryptography<47 while the portal locks a newer one, so it never runs in the portal's
interpreter: ``tests/delivery/as4peer.py`` makes a virtualenv from ``as4-peer-requirements.txt``
and runs this file there as a subprocess. One JSON request on stdin, one JSON answer on stdout;
bytes travel base64-encoded, keys and certificates as PEM. Nothing from the portal is imported.

Commands:
- ``receive``: parse, verify (signature, path to the given anchors, digests), decrypt and gunzip a
  UserMessage with the package's generic AS4 reader (``AS4Message.parse``; its Peppol profile adds
  SBDH and Peppol party-type rules our P-Modes do not follow), answer it with the package's own
  signed receipt, and, given ``receipt``, check that receipt (signed by ``receipt_signer``) for its
  non-repudiation of exactly the references the message was signed with.
- ``build``: build a signed, encrypted Peppol UserMessage (the package's only builder) and return
  the HTTP headers, body, payload as it went in (the SBD wrapping the document) and the serialised
  sending exchange.
- ``receive_signal``: restore that exchange and take in a receipt (``receive_signal``: signer
  pinned to the receiver's certificate, RefToMessageId, non-repudiation of what was signed).
"""

from __future__ import annotations

import base64
import json
import sys
import uuid

from as4 import (
    AS4LocalPrivateKey,
    AS4ParseContext,
    AS4ReceivingExchange,
    AS4SendingExchange,
    BaseAS4ReceiptableError,
    ReceiptVerificationError,
    SecurityPolicy,
    certificate_chain,
)
from as4.core.message import AS4Message
from as4.peppol import (
    BusdoxDocidQnsDocumentIdentifier,
    PeppolAS4MessageBuilderArgs,
    PeppolAS4Profile,
    create_peppol_external_party,
    create_peppol_internal_party,
)
from as4.profiles.peppol.receipt import PeppolAS4Receipt
from as4.utils.mime_handler import MIMEHandler
from cryptography import x509
from cryptography.hazmat.primitives import serialization


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


def certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def internal_party(party_id: str, key_pem: str, certificate_pem: str):
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    return create_peppol_internal_party(party_id, certificate(certificate_pem), AS4LocalPrivateKey(key))


def receive(request: dict) -> dict:
    local = internal_party(request["party_id"], request["key"], request["certificate"])
    policy = SecurityPolicy(
        signer_resolver=certificate_chain(
            *map(certificate, request["anchors"]),
            intermediates=[certificate(pem) for pem in request.get("intermediates", [])],
        )
    )
    payload = MIMEHandler.payload_from_request(
        {"Content-Type": request["content_type"]}, unb64(request["body"])
    )
    try:
        soap, attachments = PeppolAS4Profile.unpack_message(payload)
    except BaseAS4ReceiptableError as error:  # no SOAP part or no payload part
        return {"accepted": False, "error_code": getattr(error, "error_code", None), "detail": repr(error)}
    message = AS4Message.parse(
        AS4ParseContext(local_party=local, security_policy=policy),
        soap_bytes=soap,
        mime_attachments=attachments,
    )
    exchange = AS4ReceivingExchange(profile=PeppolAS4Profile, local_party=local).receive_message(message)
    receipt_headers, receipt_body = exchange.build_signal()
    error = message.parse_error
    answer = {
        "accepted": message.parse_successful,
        "error_code": getattr(error, "error_code", None),
        "detail": (error.detail or error.short_description) if error else "",
        "message_id": message.message_id,
        "signature_valid": message.signer_certificate is not None,
        "signer": message.signer_certificate.subject.rfc4514_string() if message.signer_certificate else None,
        "signed_references": [reference.uri for reference in message.signed_references],
        "payloads": {cid: b64(content) for cid, content in message.decrypted_data.items()},
        "state": exchange.state.value,
        "receipt": b64(receipt_body),
        "receipt_content_type": receipt_headers.get("Content-Type", ""),
    }
    if "receipt" in request:
        try:
            proof = PeppolAS4Receipt.parse(unb64(request["receipt"]), certificate(request["receipt_signer"]))
            if proof.original_message_id != message.message_id:
                raise ReceiptVerificationError(f"the receipt refers to {proof.original_message_id!r}")
            proof.verify_non_repudiation(message.signed_references)
            answer["receipt_verified"], answer["receipt_detail"] = True, ""
        except ReceiptVerificationError as refusal:
            answer["receipt_verified"], answer["receipt_detail"] = False, str(refusal)
    return answer


def build(request: dict) -> dict:
    local = internal_party(request["party_id"], request["key"], request["certificate"])
    remote = create_peppol_external_party(request["to_party_id"], certificate(request["to_certificate"]))
    exchange = AS4SendingExchange(profile=PeppolAS4Profile, local_party=local, remote_party=remote)
    document_type = (
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017::2.1"
    )
    headers, body = exchange.build(
        unb64(request["payload"]),
        PeppolAS4MessageBuilderArgs(
            sender="9932:9999999999",
            recipient="9932:1111111111",
            document_type_identifier=BusdoxDocidQnsDocumentIdentifier.from_identifier_value(document_type),
            document_identification_instance_identifier=str(uuid.uuid4()),
            process_identifier="urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
            c1_country_id="BE",
        ),
    )
    message = exchange.message
    return {
        "headers": headers,
        "body": b64(body),
        "message_id": message.message_id,
        "payloads": {cid: b64(content) for cid, content in message.decrypted_data.items()},
        "exchange": exchange.model_dump_json(exclude={"message", "local_party"}),
    }


def receive_signal(request: dict) -> dict:
    local = internal_party(request["party_id"], request["key"], request["certificate"])
    stored = json.loads(request["exchange"])
    stored["local_party"] = {"identity": {"party_id": local.identity.party_id}}
    exchange = AS4SendingExchange.restore(json.dumps(stored), local)
    try:
        exchange.receive_signal(unb64(request["receipt"]))
        detail = ""
    except ReceiptVerificationError as refusal:
        detail = str(refusal)
    return {"state": exchange.state.value, "acknowledged": exchange.successful, "detail": detail}


COMMANDS = {"receive": receive, "build": build, "receive_signal": receive_signal}


def main() -> None:
    request = json.load(sys.stdin)
    json.dump(COMMANDS[request["command"]](request), sys.stdout)


if __name__ == "__main__":
    main()
