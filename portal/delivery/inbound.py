"""What every receiving access point of ours does before storing: verify with the codec, find the
P-Mode, check the signer is that partner; and how it answers (a signed receipt or an EBMS error).

Used by the portal's ``/as4`` endpoint (database store) and the demo authority access point
(folder store); neither touches Django's ORM here. Duplicates are the stores' concern: each answers a
MessageId it already holds with the original receipt, byte for byte.

:func:`accept`, in this order: ``codec.receive`` against our truststore with our decryption key (its
EbmsError is the answer) -> a pull request is refused (EBMS:0006: we push), any other signal too (EBMS:0010:
receipts and errors are answered synchronously, never pushed to us later) -> the inbound P-Mode whose
partner is the From party, addressed to us, with that Service and Action (else EBMS:0010) -> the signer
must be exactly that partner's agreed certificate (else EBMS:0101).

Refusals (:func:`error_answer`) are an eb:Error signal (RefToMessageId / refToMessageInError = the refused
MessageId when known) whose Body holds a SOAP 1.2 Fault: ``Receiver`` with HTTP 500 for EBMS:0004/0005
(:data:`RECEIVER_FAULTS`: our own trouble, worth a retry), else ``Sender`` with HTTP 400, per the SOAP 1.2
HTTP binding. The signal is signed with our key when the refused message was read far enough to know
its sender (its eb:UserMessage parsed); garbage, oversized requests and pull requests get an unsigned one,
so junk cannot make us spend a private-key operation per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.delivery.as4 import codec
from portal.delivery.as4.codec import ParsedMessage
from portal.delivery.as4.errors import (
    CONNECTION_FAILURE,
    EMPTY_MPC,
    FAILED_AUTHENTICATION,
    OTHER,
    PMODE_MISMATCH,
    EbmsError,
)
from portal.delivery.as4.keys import KeyPair
from portal.delivery.pmodes import Configuration, PMode

# Errors that are the receiver's own trouble: SOAP Receiver fault, HTTP 500, worth retrying.
RECEIVER_FAULTS = frozenset({OTHER, CONNECTION_FAILURE})


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


def error_answer(error: EbmsError, *, domain: str, sign_with: KeyPair | None = None) -> Answer:
    """An eb:Error signal with a SOAP 1.2 Fault in its Body, and the status the SOAP 1.2 HTTP
    binding gives that fault (Sender 400, Receiver 500); signed with ``sign_with`` if given."""
    receiver = error.code in RECEIVER_FAULTS
    signal = codec.build_error_signal(
        [error],
        ref_to_message_id=error.ref_to_message_id,
        domain=domain,
        sign_with=sign_with,
        fault=(
            "Receiver" if receiver else "Sender",
            f"{error.code} {error.definition.short_description}: {error.detail}",
        ),
    )
    return Answer(500 if receiver else 400, signal.content_type, signal.body, error.code)


def _refuse(config: Configuration, error: EbmsError, parsed: ParsedMessage | None) -> Answer:
    """Refuse with an error signal, signed with our key when the message was read far enough to
    know who sent it (its eb:UserMessage parsed): that sender can then trust our refusal. Garbage
    from anyone gets an unsigned answer: signing costs a private-key operation per request."""
    known_sender = parsed is not None and parsed.user_message is not None
    return error_answer(error, domain=config.domain, sign_with=config.key if known_sender else None)


def receipt_answer(body: bytes, content_type: str) -> Answer:
    return Answer(200, content_type, body)


def accept(config: Configuration, data: bytes, content_type: str | None) -> Accepted | Answer:
    """Verify and decrypt ``data``, find its P-Mode, check its signer; an :class:`Answer` if refused."""
    try:
        parsed = codec.receive(data, content_type, truststore=config.truststore, decryption_key=config.key)
    except EbmsError as error:
        return _refuse(config, error, getattr(error, "partial", None))
    if parsed.kind == "pull_request":
        return _refuse(
            config, EbmsError(EMPTY_MPC, "this access point pushes; nothing is waiting to be pulled"), None
        )
    if parsed.kind != "user_message":
        return _refuse(
            config,
            EbmsError(
                PMODE_MISMATCH,
                f"a {parsed.kind} signal was not expected here: receipts are answered synchronously",
                ref_to_message_id=parsed.message_id,
            ),
            None,
        )
    header = parsed.user_message.header
    pmode = config.inbound_pmode(header)
    if pmode is None:
        parties = ", ".join(f"{p.value} ({p.type})" for p in header.from_party.party_ids)
        return _refuse(
            config,
            EbmsError(
                PMODE_MISMATCH,
                f"no agreement with {parties} for {header.service} / {header.action} addressed to {config.party}",
                ref_to_message_id=parsed.message_id,
            ),
            parsed,
        )
    if parsed.signature is None or parsed.signature.certificate != pmode.partner_certificate:
        return _refuse(
            config,
            EbmsError(
                FAILED_AUTHENTICATION,
                f"the message is not signed with the certificate agreed for {pmode.partner}",
                ref_to_message_id=parsed.message_id,
            ),
            parsed,
        )
    return Accepted(parsed, pmode)


def build_receipt(config: Configuration, parsed: ParsedMessage) -> Answer:
    receipt = codec.build_receipt(parsed, sign_with=config.key, domain=config.domain)
    return receipt_answer(receipt.body, receipt.content_type)
