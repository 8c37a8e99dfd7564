"""The builders write envelopes as canonical text (templates.py): what they digest and sign must be
exactly what lxml's exclusive c14n gives for the parsed bytes, for any value a header can carry."""

from __future__ import annotations

import hashlib

import pytest
from lxml import etree

from portal.delivery.as4 import codec, ebms, templates
from portal.delivery.as4 import constants as c
from portal.delivery.as4.codec import Payload
from portal.delivery.as4.dsig import exc_c14n, qn
from portal.delivery.as4.keys import Truststore
from portal.delivery.as4.xmlsafe import parse_xml

AWKWARD = "a&b <c> \"d\" 'e' ]]> f\r\ng\th € 𝄞 &amp;"


def trust(pki) -> Truststore:
    return Truststore([pki.root.certificate], known=[pki.intermediate.certificate])


def lxml_digests(envelope: bytes) -> dict[str, bytes]:
    """SHA-256 of lxml's exclusive c14n (PrefixList S12) of every element with a wsu:Id."""
    root = parse_xml(envelope)
    return {
        "#" + node.get(qn(c.WSU, "Id")): hashlib.sha256(exc_c14n(node, ["S12"])).digest()
        for node in root.iter()
        if node.get(qn(c.WSU, "Id"))
    }


def assert_signed_as_lxml_canonicalizes(envelope: bytes, references) -> None:
    # (the SignedInfo is checked by every receive: its signature value would not verify)
    digests = lxml_digests(envelope)
    xml_references = [r for r in references if r.uri.startswith("#")]
    assert len(xml_references) == 2
    for reference in xml_references:
        assert reference.digest_value == digests[reference.uri], reference.uri


def test_awkward_header_values_are_signed_as_lxml_canonicalizes_them(pki, header):
    header.service = "urn:" + AWKWARD
    header.action = AWKWARD
    header.agreement_ref, header.agreement_type, header.pmode = AWKWARD, "t\n" + AWKWARD, "p\t&"
    header.conversation_id = AWKWARD
    header.properties = [ebms.Property("note", AWKWARD, "x\"y'z")]
    sent = codec.build_user_message(
        header,
        [Payload(b"<x/>", 'application/xml; x="&<"', content_id="a&b<c>@example.eu")],
        sign_with=pki.sender,
        encrypt_for=pki.receiver.certificate,
        domain="psc.example.eu",
    )
    envelope = codec.mime.parse_transport(sent.body, sent.content_type).envelope
    assert_signed_as_lxml_canonicalizes(envelope, sent.references)
    received = codec.receive(sent.body, sent.content_type, truststore=trust(pki), decryption_key=pki.receiver)
    assert received.trusted and received.signature.valid
    got = received.user_message.header
    assert (got.service, got.action, got.conversation_id) == ("urn:" + AWKWARD, AWKWARD, AWKWARD)
    assert (got.agreement_ref, got.agreement_type, got.pmode) == (AWKWARD, "t\n" + AWKWARD, "p\t&")
    assert [(p.name, p.value, p.type) for p in got.properties] == [("note", AWKWARD, "x\"y'z")]
    assert received.payloads[0].content_id == "a&b<c>@example.eu"
    assert received.payloads[0].mime_type == 'application/xml; x="&<"'
    assert bytes(received.payloads[0].content) == b"<x/>"


def test_error_signal_with_a_fault_is_signed_as_lxml_canonicalizes_it(pki):
    out = codec.build_error_signal(
        [codec.EbmsError("EBMS:0004", AWKWARD)],
        ref_to_message_id="m&1@x",
        domain="psc.example.eu",
        sign_with=pki.sender,
        fault=("Receiver", AWKWARD),
    )
    assert_signed_as_lxml_canonicalizes(out.body, out.references)
    parsed = codec.receive(out.body, truststore=trust(pki))
    assert parsed.kind == "error" and parsed.signature.valid and parsed.fault.reason == AWKWARD.strip()
    assert parsed.signal.errors[0].detail == AWKWARD.strip()
    assert parsed.signal.errors[0].ref_to_message_in_error == "m&1@x"


def test_control_characters_are_refused_as_lxml_refuses_them(pki, header):
    header.action = "Submit\x00"
    with pytest.raises(ValueError, match="XML compatible"):
        codec.build_user_message(
            header, [Payload(b"x")], sign_with=pki.sender, encrypt_for=None, domain="psc.example.eu"
        )


def test_a_quoted_reference_redeclaring_our_namespaces_is_canonicalized_in_place(pki):
    # a peer's ds:Reference carrying a wsu:Id: its own c14n declares xmlns:wsu, which our
    # eb:Messaging already renders, so in place it canonicalizes without it
    foreign = etree.fromstring(
        f'<ds:Reference xmlns:ds="{c.DS}" xmlns:wsu="{c.WSU}" wsu:Id="ref-1" URI="#body">'
        f'<ds:DigestMethod Algorithm="{c.SHA256}"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>'
    )
    fragment, in_place = templates.quoted(foreign)
    assert not in_place
    inner = f"<eb:SignalMessage><eb:Receipt>{fragment}</eb:Receipt></eb:SignalMessage>"
    envelope, references = templates.signed_envelope(inner, sign_with=pki.sender, messaging_exact=False)
    digests = lxml_digests(envelope)
    assert references[0][2] == digests[references[0][0]]
    # the shortcut would have signed other octets than a receiver canonicalizes
    naive, naive_references = templates.signed_envelope(inner, sign_with=pki.sender, messaging_exact=True)
    assert naive_references[0][2] != lxml_digests(naive)[naive_references[0][0]]


def test_receipt_for_an_unsigned_message_quotes_it_exactly(pki, header):
    sent = codec.build_user_message(
        header, [Payload(b"x", "text/plain")], sign_with=pki.sender, encrypt_for=None, domain="psc.example.eu"
    )
    received = codec.receive(sent.body, sent.content_type, truststore=trust(pki))
    received.signature = None
    receipt = codec.build_receipt(received, sign_with=pki.receiver)
    assert_signed_as_lxml_canonicalizes(receipt.body, receipt.references)
    parsed = codec.receive(receipt.body, truststore=trust(pki))
    quoted = parsed.signal.receipt.find(ebms.eb("UserMessage"))
    assert exc_c14n(quoted) == exc_c14n(received.user_message.element)
