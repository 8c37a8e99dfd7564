"""Our own messages: build -> receive -> receipt -> verify receipt, with real keys and certificates."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from lxml import etree

from portal.delivery.as4 import codec, ebms
from portal.delivery.as4 import constants as c
from portal.delivery.as4.codec import Payload, ReceivePolicy
from portal.delivery.as4.errors import ERROR_DEFINITIONS, EbmsError
from portal.delivery.as4.keys import Truststore
from portal.delivery.as4.report import inspect
from portal.delivery.as4.xmlsafe import parse_xml

ASIC = "application/vnd.etsi.asic-e+zip"


def trust(pki) -> Truststore:
    return Truststore([pki.root.certificate], known=[pki.intermediate.certificate])


def refused(code: str, *args, **kwargs) -> EbmsError:
    with pytest.raises(EbmsError) as caught:
        codec.receive(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


@pytest.fixture
def payloads() -> list[Payload]:
    return [
        Payload(os.urandom(10 * 1024), ASIC),
        Payload(b"<dossier><id>42</id></dossier>" * 100, "application/xml"),
    ]


def test_round_trip_with_the_test_pki_and_a_pkipath_token(pki, header, payloads):
    sent = codec.build_user_message(
        header,
        payloads,
        sign_with=pki.sender,
        encrypt_for=pki.receiver.certificate,
        domain="psc.example.eu",
        token=c.X509_PKIPATH,
    )
    assert re.fullmatch(r"[0-9a-f-]{36}@psc\.example\.eu", sent.message_id)
    assert sent.content_type.startswith("multipart/related;")
    received = codec.receive(sent.body, sent.content_type, truststore=trust(pki), decryption_key=pki.receiver)
    assert received.kind == "user_message" and received.message_id == sent.message_id
    assert received.trusted and received.decrypted and received.signature.key_reference == "PKIPath"
    assert [p.content for p in received.payloads] == [p.content for p in payloads]
    assert [p.mime_type for p in received.payloads] == [ASIC, "application/xml"]
    assert all(p.encrypted and p.compressed for p in received.payloads)
    # the path came with the message: the root alone is enough
    assert codec.receive(
        sent.body,
        sent.content_type,
        truststore=Truststore([pki.root.certificate]),
        decryption_key=pki.receiver,
    ).trusted
    # the signature covers Messaging, Body and both attachments
    assert len(received.references) == 4 and all(r.valid for r in received.references)
    assert received.signed_references == sent.references

    receipt = codec.build_receipt(received, sign_with=pki.receiver)
    proof = codec.verify_receipt(
        receipt.body,
        receipt.content_type,
        sent_message_id=sent.message_id,
        sent=sent.references,
        truststore=trust(pki),
    )
    assert proof.kind == "receipt" and proof.ref_to_message_id == sent.message_id
    assert codec.nri_references(proof.signal) == sent.references


def test_round_trip_between_the_as4net_access_points(ap_a, ap_b, header, payloads):
    sent = codec.build_user_message(
        header, payloads, sign_with=ap_a, encrypt_for=ap_b.certificate, domain="psc.example.eu"
    )
    received = codec.receive(
        sent.body, sent.content_type, truststore=Truststore([ap_a.certificate]), decryption_key=ap_b
    )
    assert received.signature.signer == "CN=AccessPointA" and received.signature.key_reference == "BST"
    receipt = codec.build_receipt(received, sign_with=ap_b)
    codec.verify_receipt(
        receipt.body,
        sent_message_id=sent.message_id,
        sent=sent.references,
        truststore=Truststore([ap_b.certificate]),
    )
    # the outbox keeps only the bytes it sent: the references come back from them
    message_id, references = codec.sent_references(sent.body, sent.content_type)
    assert (message_id, references) == (sent.message_id, sent.references)


def test_the_header_says_what_the_sender_decided(pki, header, payloads):
    sent = codec.build_user_message(
        header, payloads, sign_with=pki.sender, encrypt_for=pki.receiver.certificate, domain="psc.example.eu"
    )
    user = codec.receive(
        sent.body, sent.content_type, truststore=trust(pki), decryption_key=pki.receiver
    ).user_message
    assert user.header.from_party == header.from_party and user.header.to_party == header.to_party
    assert (user.header.service, user.header.service_type, user.header.action) == (
        header.service,
        header.service_type,
        header.action,
    )
    assert user.header.agreement_ref == header.agreement_ref and user.header.conversation_id == "conv-1"
    assert user.header.original_sender == header.original_sender
    assert user.header.final_recipient == header.final_recipient
    assert [(p.mime_type, p.compression_type) for p in user.parts] == [
        (ASIC, c.GZIP),
        ("application/xml", c.GZIP),
    ]
    messaging = parse_xml(
        sent.body[sent.body.index(b"<S12:Envelope") : sent.body.index(b"</S12:Envelope>") + 15]
    )
    assert messaging.find(f".//{{{c.EB}}}Messaging").get(f"{{{c.SOAP12}}}mustUnderstand") == "true"


def test_uncompressed_signed_only_message(pki, header):
    sent = codec.build_user_message(
        header,
        [Payload(b"plain", "text/plain", compress=False)],
        sign_with=pki.sender,
        encrypt_for=None,
        domain="psc.example.eu",
    )
    received = codec.receive(sent.body, sent.content_type, truststore=trust(pki))
    assert received.payloads[0].content == b"plain" and not received.encrypted
    assert received.user_message.parts[0].compression_type is None
    refused(
        "EBMS:0103",
        sent.body,
        sent.content_type,
        truststore=trust(pki),
        policy=ReceivePolicy(require_encryption=True),
    )


def test_certificates_are_checked_as_of_a_given_time(pki, header, payloads):
    sent = codec.build_user_message(
        header, payloads, sign_with=pki.expired, encrypt_for=pki.receiver.certificate, domain="psc.example.eu"
    )
    trusted = trust(pki)
    error = refused(
        "EBMS:0101", sent.body, sent.content_type, truststore=trusted, decryption_key=pki.receiver
    )
    assert "expired" in error.detail
    back_then = pki.expired.certificate.not_valid_before_utc + dt.timedelta(days=10)
    assert codec.receive(
        sent.body, sent.content_type, truststore=trusted, decryption_key=pki.receiver, at=back_then
    ).trusted


def test_untrusted_signer_and_wrong_recipient_are_refused(pki, header, payloads):
    sent = codec.build_user_message(
        header,
        payloads,
        sign_with=pki.stranger,
        encrypt_for=pki.receiver.certificate,
        domain="psc.example.eu",
    )
    error = refused(
        "EBMS:0101",
        sent.body,
        sent.content_type,
        truststore=trust(pki),
        decryption_key=pki.receiver,
    )
    assert "not trusted" in error.detail
    sent = codec.build_user_message(
        header, payloads, sign_with=pki.sender, encrypt_for=pki.expired.certificate, domain="psc.example.eu"
    )
    error = refused(
        "EBMS:0102",
        sent.body,
        sent.content_type,
        truststore=trust(pki),
        decryption_key=pki.receiver,
    )
    assert "another certificate" in error.detail


def _received(pki, header, payloads, **kwargs):
    sent = codec.build_user_message(
        header,
        payloads,
        sign_with=pki.sender,
        encrypt_for=pki.receiver.certificate,
        domain="psc.example.eu",
        **kwargs,
    )
    received = codec.receive(sent.body, sent.content_type, truststore=trust(pki), decryption_key=pki.receiver)
    return sent, received


def test_receipts_that_do_not_prove_our_message_are_invalid(pki, header, payloads):
    sent, received = _received(pki, header, payloads)
    receipt = codec.build_receipt(received, sign_with=pki.receiver)
    trusted = trust(pki)
    other, _ = _received(pki, header, payloads)
    with pytest.raises(EbmsError) as caught:  # a receipt for another message
        codec.verify_receipt(
            receipt.body, sent_message_id=other.message_id, sent=other.references, truststore=trusted
        )
    assert caught.value.code == "EBMS:0302" and "refers to" in caught.value.detail
    # same MessageId, other content: the NRI does not match what we signed
    twin, _ = _received(pki, header, [Payload(b"other content", "text/plain")], message_id=sent.message_id)
    with pytest.raises(EbmsError) as caught:
        codec.verify_receipt(
            receipt.body, sent_message_id=twin.message_id, sent=twin.references, truststore=trusted
        )
    assert caught.value.code == "EBMS:0302" and "NonRepudiationInformation" in caught.value.detail
    # a receipt signed by someone we do not trust
    forged = codec.build_receipt(received, sign_with=pki.stranger)
    with pytest.raises(EbmsError) as caught:
        codec.verify_receipt(
            forged.body, sent_message_id=sent.message_id, sent=sent.references, truststore=trusted
        )
    assert caught.value.code == "EBMS:0101"
    # an error signal is not a receipt
    error = codec.build_error_signal(
        [EbmsError("EBMS:0101", "no")],
        ref_to_message_id=sent.message_id,
        domain="a.eu",
        sign_with=pki.receiver,
    )
    with pytest.raises(EbmsError) as caught:
        codec.verify_receipt(
            error.body, sent_message_id=sent.message_id, sent=sent.references, truststore=trusted
        )
    assert caught.value.code == "EBMS:0302" and "EBMS:0101" in caught.value.detail


def test_receipt_carries_exactly_the_references_of_the_received_message(pki, header, payloads):
    _, received = _received(pki, header, payloads)
    receipt = codec.build_receipt(received, sign_with=pki.receiver)
    root = parse_xml(receipt.body)
    nri = root.find(f".//{{{c.EBBP}}}NonRepudiationInformation")
    copied = nri.findall(f"{{{c.EBBP}}}MessagePartNRInformation/{{{c.DS}}}Reference")
    assert [etree.tostring(r, method="c14n", exclusive=True) for r in copied] == [
        etree.tostring(r.element, method="c14n", exclusive=True) for r in received.references
    ]


@pytest.mark.parametrize("code", sorted(ERROR_DEFINITIONS))
def test_error_signals_round_trip_with_their_code(pki, code):
    signed = code in ("EBMS:0101", "EBMS:0302")
    out = codec.build_error_signal(
        [EbmsError(code, f"detail for {code}")],
        ref_to_message_id="m-1@psc.example.eu",
        domain="authority.example.eu",
        sign_with=pki.receiver if signed else None,
    )
    result = codec.receive(out.body, out.content_type, truststore=trust(pki))
    assert result.kind == "error" and result.ref_to_message_id == "m-1@psc.example.eu"
    (item,) = result.signal.errors
    definition = ERROR_DEFINITIONS[code]
    assert (item.code, item.severity, item.category, item.origin, item.short_description) == (
        code,
        definition.severity,
        definition.category,
        definition.origin,
        definition.short_description,
    )
    assert item.detail == f"detail for {code}" and item.ref_to_message_in_error == "m-1@psc.example.eu"
    assert (result.signature is not None) is signed
    report = inspect(out.body, truststore=trust(pki))
    assert report["kind"] == "error" and report["error_code"] == code and report["accepted"] is False


SOAP_FAULT = b"""<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>
<env:Code><env:Value>env:Receiver</env:Value></env:Code>
<env:Reason><env:Text xml:lang="en">PolicyNoncompliance: unsigned</env:Text></env:Reason>
</env:Fault></env:Body></env:Envelope>"""


def test_soap_faults_are_understood():
    error = refused("EBMS:0004", SOAP_FAULT, truststore=None)
    assert error.partial.kind == "error" and error.partial.fault.code == "env:Receiver"
    report = inspect(SOAP_FAULT)
    assert report["kind"] == "error" and not report["accepted"]
    assert "PolicyNoncompliance: unsigned" in report["detail"]


def test_a_fault_carrying_an_ebms_error_reports_its_code(pki):
    out = codec.build_error_signal(
        [EbmsError("EBMS:0103", "unsigned")], ref_to_message_id="m-2@x", domain="authority.example.eu"
    )
    with_fault = re.sub(
        rb"<S12:Body( [^>]*)/>",
        rb'<S12:Body\1><S12:Fault><S12:Code><S12:Value>S12:Sender</S12:Value></S12:Code><S12:Reason><S12:Text xml:lang="en">'
        b"PolicyNoncompliance</S12:Text></S12:Reason></S12:Fault></S12:Body>",
        out.body,
    )
    assert with_fault != out.body
    result = codec.receive(with_fault, truststore=None)
    assert result.kind == "error" and result.fault.code == "S12:Sender"
    assert [e.code for e in result.signal.errors] == ["EBMS:0103"]


def test_unsigned_message_gets_a_reception_awareness_receipt(pki, header):
    sent = codec.build_user_message(
        header, [Payload(b"x", "text/plain")], sign_with=pki.sender, encrypt_for=None, domain="psc.example.eu"
    )
    received = codec.receive(sent.body, sent.content_type, truststore=trust(pki))
    received.signature = None  # as if it had come unsigned
    receipt = codec.build_receipt(received, sign_with=pki.receiver)
    parsed = codec.receive(receipt.body, truststore=trust(pki))
    assert parsed.kind == "receipt" and parsed.signal.receipt.find(ebms.eb("UserMessage")) is not None
