"""What every receiving access point of ours does before storing: verify with the codec, find the
P-Mode, check the signer is that partner; and how it answers (a signed receipt or an EBMS error).

Used by the portal's ``/as4`` endpoint (database store) and the demo authority access point
(folder store); neither touches Django's ORM here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from portal.delivery.as4 import codec
from portal.delivery.as4 import constants as c
from portal.delivery.as4.codec import ParsedMessage
from portal.delivery.as4.errors import (
    CONNECTION_FAILURE,
    EMPTY_MPC,
    FAILED_AUTHENTICATION,
    OTHER,
    PMODE_MISMATCH,
    EbmsError,
)
from portal.delivery.pmodes import Configuration, PMode

# Errors that are the receiver's own trouble: SOAP Receiver fault, HTTP 500, worth retrying.
RECEIVER_FAULTS = frozenset({OTHER, CONNECTION_FAILURE})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    error_code: str | None = None


@dataclass
class Accepted:
    parsed: ParsedMessage
    pmode: PMode


def error_answer(error: EbmsError, *, domain: str) -> Answer:
    """An eb:Error signal with a SOAP 1.2 Fault in its Body, and the status the SOAP 1.2 HTTP
    binding gives that fault (Sender 400, Receiver 500)."""
    signal = codec.build_error_signal([error], ref_to_message_id=error.ref_to_message_id, domain=domain)
    root = etree.fromstring(signal.body)
    body = root.find(f"{{{c.SOAP12}}}Body")
    fault = etree.SubElement(body, f"{{{c.SOAP12}}}Fault")
    code = etree.SubElement(etree.SubElement(fault, f"{{{c.SOAP12}}}Code"), f"{{{c.SOAP12}}}Value")
    receiver = error.code in RECEIVER_FAULTS
    code.text = f"{root.prefix}:{'Receiver' if receiver else 'Sender'}"
    reason = etree.SubElement(etree.SubElement(fault, f"{{{c.SOAP12}}}Reason"), f"{{{c.SOAP12}}}Text")
    reason.set(XML_LANG, "en")
    reason.text = f"{error.code} {error.definition.short_description}: {error.detail}"[:1024]
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Answer(500 if receiver else 400, signal.content_type, data, error.code)


def receipt_answer(body: bytes, content_type: str) -> Answer:
    return Answer(200, content_type, body)


def accept(config: Configuration, data: bytes, content_type: str | None) -> Accepted | Answer:
    """Verify and decrypt ``data``, find its P-Mode, check its signer; an :class:`Answer` if refused."""
    try:
        parsed = codec.receive(data, content_type, truststore=config.truststore, decryption_key=config.key)
    except EbmsError as error:
        return error_answer(error, domain=config.domain)
    if parsed.kind == "pull_request":
        return error_answer(
            EbmsError(EMPTY_MPC, "this access point pushes; nothing is waiting to be pulled"),
            domain=config.domain,
        )
    if parsed.kind != "user_message":
        return error_answer(
            EbmsError(
                PMODE_MISMATCH,
                f"a {parsed.kind} signal was not expected here: receipts are answered synchronously",
                ref_to_message_id=parsed.message_id,
            ),
            domain=config.domain,
        )
    header = parsed.user_message.header
    pmode = config.inbound_pmode(header)
    if pmode is None:
        parties = ", ".join(f"{p.value} ({p.type})" for p in header.from_party.party_ids)
        return error_answer(
            EbmsError(
                PMODE_MISMATCH,
                f"no agreement with {parties} for {header.service} / {header.action} addressed to {config.party}",
                ref_to_message_id=parsed.message_id,
            ),
            domain=config.domain,
        )
    if parsed.signature is None or parsed.signature.certificate != pmode.partner_certificate:
        return error_answer(
            EbmsError(
                FAILED_AUTHENTICATION,
                f"the message is not signed with the certificate agreed for {pmode.partner}",
                ref_to_message_id=parsed.message_id,
            ),
            domain=config.domain,
        )
    return Accepted(parsed, pmode)


def build_receipt(config: Configuration, parsed: ParsedMessage) -> Answer:
    receipt = codec.build_receipt(parsed, sign_with=config.key, domain=config.domain)
    return receipt_answer(receipt.body, receipt.content_type)
