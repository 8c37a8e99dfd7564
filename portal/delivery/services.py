"""Writes of the gateway: send (outbox), attempt, sweep, resend, and receive (inbox).

**send** (:func:`send`): resolves the endpoint and partner certificate (configured, or discovered through
the SMP; a discovery failure raises and stores nothing), builds, signs (portal key) and encrypts (that
certificate) the UserMessage once, stores the exact bytes in private storage with their SHA-256 and
fixes MessageId, endpoint and partner certificate on the entry (the receipt must be signed by the
certificate it was encrypted for). A P-Mode from a catalogue channel is kept on the entry
(``pmode_document``) and rebuilt by :func:`pmode_for` for every attempt, so later edits of the file or the
catalogue do not change a message already built; its certificate is pinned (a trust anchor for that entry
only). ``delivery.send`` is queued on commit (``robust``: with the broker down, the sweep sends it).

**attempt** (:func:`attempt`, task ``delivery.send``), a state machine on ``OutboxMessage``:
``pending``/``waiting_for_retry`` and due -> ``sent`` by a conditional UPDATE (a second worker gets
nothing); the stored bytes are re-read, their digest checked, posted. ``acknowledged`` only for a receipt
``codec.verify_receipt`` accepts (trusted signature, RefToMessageId ours, NRI equal to the references
re-read from the stored bytes) **and** signed by the partner's agreed certificate; the receipt bytes are
kept as evidence and ``delivered`` is sent. Connection failures, timeouts, HTTP errors without an ebMS
answer, missing or invalid receipts -> ``waiting_for_retry`` after ``base_delay * factor^(n-1)`` capped at
``max_delay``; ``failed`` after ``max_attempts`` (logged, ``mail_admins``, ``delivery_failed`` sent).
A partner's error signal (:func:`_judge_error_signal`): a signature on it must verify and its
RefToMessageId / refToMessageInError, when given, must be our MessageId, else it is ignored and the
attempt retried; failure codes outside :data:`TRANSIENT_SIGNAL_CODES` (EBMS:0004/0005/0006/0301/0302)
fail the message at once (the same bytes cannot succeed); unsigned refusals are honoured too (many access
points send them unsigned), and ``last_error`` says who signed the signal. Every attempt is logged
(``DeliveryAttempt``: number, digest posted, HTTP status, outcome, code).

**domibus-ws hand-over**: the outbox holds the submitRequest (MessageId ours). Submitted -> ``sent`` with
``handed_over_at``; :func:`poll` asks getStatus after ``poll_interval``, the wait roughly doubling up to
``poll_max_interval``: ACKNOWLEDGED(_WITH_WARNING) -> ``acknowledged`` (Domibus's answer is the evidence:
the partner's AS4 receipt stays in Domibus), SEND_FAILURE -> ``failed`` with getMessageErrors' code,
NOT_FOUND -> submitted again, other statuses -> asked again; no final status within ``give_up_after`` ->
``failed`` EBMS:0301. A duplicate fault for our MessageId means an earlier submission got in.

**sweep** (beat, every 30 s) re-queues due entries, puts attempts stuck in ``sent`` longer than
``DELIVERY_STALE_ATTEMPT_SECONDS`` back in line, and queues due status polls (handed-over entries are
never resubmitted by it). **resend** gives a failed entry a new round with the same bytes and MessageId.

**receive** (``/as4``): ``inbound.accept``, then a MessageId already stored gets its original receipt,
byte for byte; otherwise the raw message, payloads and our signed receipt are stored once (the unique
MessageId decides a race; the loser's files are removed), ``message_received`` is sent and the handler
registered for (Service, Action) runs, its failure recorded on the message, not sent back. Never raises:
an unexpected failure answers EBMS:0004. :func:`fetch_from_domibus` stores what Domibus received for us
the same way (Domibus has verified and acknowledged it already).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.delivery import domibus, signals
from portal.delivery.as4 import codec, ebms
from portal.delivery.as4.codec import ReceivePolicy
from portal.delivery.as4.ebms import Property
from portal.delivery.as4.errors import (
    CONNECTION_FAILURE,
    EMPTY_MPC,
    ERROR_DEFINITIONS,
    INVALID_RECEIPT,
    MISSING_RECEIPT,
    OTHER,
    EbmsError,
)
from portal.delivery.as4.keys import Truststore
from portal.delivery.channels import pmode_from_document
from portal.delivery.handlers import handler_for
from portal.delivery.inbound import Accepted, Answer, accept, build_receipt, error_answer
from portal.delivery.models import DeliveryAttempt, InboxMessage, InboxPayload, OutboxMessage
from portal.delivery.pmodes import PMode, PModeError, configuration
from portal.delivery.tasks import poll_status, send_message
from portal.delivery.transports import TransportError

logger = logging.getLogger(__name__)
State = OutboxMessage.State
ORIGINAL_SENDER_TYPE = "urn:oasis:names:tc:ebcore:partyid-type:unregistered"


@dataclass
class Part:
    content: bytes
    mime_type: str
    name: str = ""  # kept as the part property "Name" for the recipient


@dataclass
class Package:
    """What to deliver: the signed package's parts, plus the four-corner end parties if any."""

    parts: list[Part]
    conversation_id: str | None = None
    original_sender: str | None = None
    final_recipient: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------------ outbox


def send(package: Package, pmode: PMode | str, *, reference: str = "") -> OutboxMessage:
    """Build, sign and encrypt the message once, store its bytes and queue its delivery (after commit).

    ``pmode``: the id of a configured P-Mode, or a P-Mode from ``channels.pmode_from_channel`` (kept
    with the entry, so its retries need no configuration of it)."""
    if not package.parts:
        raise ValueError("a package needs at least one part")
    config = configuration()
    if isinstance(pmode, str):
        pmode = config.pmode(pmode)
    elif pmode.document is None:
        # retries re-read a file P-Mode by id: only a configured one can be sent with
        pmode = config.pmode(pmode.id)
    header = pmode.header(
        config.party,
        conversation_id=package.conversation_id or str(uuid.uuid4()),
        original_sender=Property("originalSender", package.original_sender, ORIGINAL_SENDER_TYPE)
        if package.original_sender
        else None,
        final_recipient=Property("finalRecipient", package.final_recipient, ORIGINAL_SENDER_TYPE)
        if package.final_recipient
        else None,
        properties=[Property(k, v) for k, v in package.properties.items()],
    )
    payloads = [
        codec.Payload(
            part.content, part.mime_type, properties=[Property("Name", part.name)] if part.name else []
        )
        for part in package.parts
    ]
    transport = pmode.transport()
    if transport.handover:
        outbound = _handover_package(transport, header, package, config.domain)
        endpoint, certificate_pem = transport.endpoint, ""
    else:
        endpoint, partner_certificate = config.resolve(pmode)
        outbound = codec.build_user_message(
            header,
            payloads,
            sign_with=config.key,
            encrypt_for=partner_certificate if pmode.encrypt else None,
            domain=config.domain,
        )
        certificate_pem = partner_certificate.public_bytes(serialization.Encoding.PEM).decode()
    entry = OutboxMessage(
        message_id=outbound.message_id,
        pmode=pmode.id,
        partner=str(pmode.partner),
        endpoint=endpoint,
        partner_certificate=certificate_pem,
        service=pmode.service,
        action=pmode.action,
        conversation_id=header.conversation_id or "",
        reference=reference,
        content_type=outbound.content_type,
        body_sha256=_sha256(outbound.body),
        body_size=len(outbound.body),
        max_attempts=pmode.retry.max_attempts,
        pmode_document=pmode.document,
    )
    entry.body.save(f"{uuid.uuid4().hex}.mime", ContentFile(outbound.body), save=False)
    with transaction.atomic():
        entry.save()
        # robust: the entry is committed; if the broker is unreachable now, the sweep sends it later
        transaction.on_commit(lambda: send_message.delay(entry.pk), robust=True)
    return entry


def _handover_package(transport, header, package: Package, domain: str) -> codec.OutboundMessage:
    """The submitRequest for an access point that does the AS4 itself (Domibus): the payloads and
    the ebMS header, MessageId fixed by us so that a resubmission is the same message to it."""
    message_id = ebms.new_message_id(domain)
    payloads = [
        domibus.SubmitPayload(
            part.content,
            part.mime_type,
            f"cid:{uuid.uuid4()}@{domain}",
            properties=[Property("Name", part.name)] if part.name else [],
        )
        for part in package.parts
    ]
    body, content_type = transport.package(
        header, payloads, message_id=message_id, timestamp=ebms.timestamp_now()
    )
    return codec.OutboundMessage(body, content_type, message_id, [])


def _read_body(entry: OutboxMessage) -> bytes:
    with entry.body.open("rb") as stored:
        data = stored.read()
    if _sha256(data) != entry.body_sha256:
        raise OSError(f"the stored bytes of {entry.message_id} changed (digest mismatch)")
    return data


def pmode_for(entry: OutboxMessage) -> PMode:
    """The P-Mode of an outbox entry: the one stored with it (a catalogue channel), else the
    configured one of that id (re-read, so an operator's fix applies to the next attempt)."""
    if entry.pmode_document:
        return pmode_from_document(entry.pmode_document)
    return configuration().pmode(entry.pmode)


def _claim(outbox_id: int, now) -> bool:
    """Take the entry for one attempt; False if it is not due or another worker holds it."""
    return bool(
        OutboxMessage.objects.filter(
            pk=outbox_id, state__in=(State.PENDING, State.WAITING_FOR_RETRY), next_attempt_at__lte=now
        ).update(state=State.SENT, attempts=F("attempts") + 1, last_attempt_at=now, updated_at=now)
    )


class Refused(Exception):
    """The partner answered with an EBMS error that retrying the same bytes cannot cure."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


def _judge(entry: OutboxMessage, body: bytes, status: int, content_type, answer: bytes):
    """The verified receipt, or raise EbmsError (retry) / Refused (give up)."""
    config = configuration()
    if not answer:
        raise EbmsError(MISSING_RECEIPT, f"HTTP {status} without a body")
    partner_certificate = x509.load_pem_x509_certificate(entry.partner_certificate.encode())
    truststore = config.truststore
    if entry.pmode_document:
        # a catalogue channel's certificate is trusted as agreed there (pinned: the receipt must be
        # signed by exactly this certificate, checked below)
        truststore = Truststore([*truststore.anchors, partner_certificate], known=truststore.known)
    try:
        message_id, sent = codec.sent_references(body, entry.content_type)
        receipt = codec.verify_receipt(
            answer, content_type, sent_message_id=message_id, sent=sent, truststore=truststore
        )
    except EbmsError as error:
        verdict = _judge_error_signal(entry, answer, content_type, truststore)
        if verdict is not None:
            raise verdict from None
        if status >= 300:
            raise EbmsError(CONNECTION_FAILURE, f"HTTP {status} without an ebMS answer") from None
        raise error
    if receipt.signature is None or receipt.signature.certificate != partner_certificate:
        raise EbmsError(INVALID_RECEIPT, f"the receipt is not signed by {entry.partner}'s certificate")
    if status >= 300:
        raise EbmsError(CONNECTION_FAILURE, f"HTTP {status} with a receipt")
    return receipt


# Error codes in a partner's error signal that the same bytes may overcome later (its own trouble,
# or a receipt it could not send); any other failure code ends the message: resending cannot help.
TRANSIENT_SIGNAL_CODES = frozenset({OTHER, CONNECTION_FAILURE, EMPTY_MPC, MISSING_RECEIPT, INVALID_RECEIPT})


def _judge_error_signal(entry: OutboxMessage, answer: bytes, content_type, truststore) -> Exception | None:
    """What an answer that is an ebMS error signal (signed or not, in a SOAP Fault or not) means
    for the outbox entry: ``Refused`` (failed), ``EbmsError`` (retry), or None if it is not one.

    A signature on it must verify (a broken one: the signal is ignored and the attempt retried);
    its RefToMessageId / refToMessageInError, when given, must be our MessageId (else ignored)."""
    try:
        parsed = codec.receive(
            answer,
            content_type,
            truststore=truststore,
            policy=ReceivePolicy(require_signature=False, require_trusted_signer=False),
        )
    except EbmsError as error:
        partial = getattr(error, "partial", None)
        if partial is not None and partial.kind == "error" and partial.signature is not None:
            return EbmsError(
                OTHER, f"an error signal whose signature does not verify was ignored: {error.detail}"
            )
        return None
    if parsed.kind != "error" or parsed.signal is None or not parsed.signal.errors:
        return None
    errors = parsed.signal.errors
    refers_to = {parsed.ref_to_message_id, *(e.ref_to_message_in_error for e in errors)} - {None, ""}
    if refers_to and refers_to != {entry.message_id}:
        return EbmsError(
            INVALID_RECEIPT,
            f"an error signal about another message ({', '.join(sorted(refers_to))}) was ignored",
        )
    if parsed.signature is None:
        origin = "unsigned error signal"
    else:
        partner = x509.load_pem_x509_certificate(entry.partner_certificate.encode())
        by_partner = parsed.signature.certificate == partner and parsed.trusted
        origin = (
            "error signal signed by the partner"
            if by_partner
            else f"error signal signed by {parsed.signature.signer}, not by the partner's certificate"
        )
    detail = "; ".join(f"{e.code} {e.short_description}: {e.detail or ''}" for e in errors)
    failures = [e for e in errors if (e.severity or "failure") == "failure"]
    final = [e for e in failures if e.code not in TRANSIENT_SIGNAL_CODES]
    if final:
        return Refused(final[0].code, f"the partner refused the message ({origin}): {detail}")
    code = failures[0].code if failures and failures[0].code in ERROR_DEFINITIONS else MISSING_RECEIPT
    return EbmsError(code, f"{origin}: {detail}")


def attempt(outbox_id: int) -> OutboxMessage:
    """One delivery attempt: post the stored bytes, verify the receipt, record the outcome."""
    now = timezone.now()
    if not _claim(outbox_id, now):
        return OutboxMessage.objects.get(pk=outbox_id)
    entry = OutboxMessage.objects.get(pk=outbox_id)
    log = DeliveryAttempt(message=entry, number=entry.attempts, started_at=now, body_sha256="")
    try:
        body = _read_body(entry)
        log.body_sha256 = _sha256(body)
        pmode = pmode_for(entry)
        transport = pmode.transport()
        if transport.handover:
            return _hand_over(entry, log, pmode, transport, body)
        response = transport.send(entry.endpoint, body, entry.content_type)
        log.http_status = response.status
        receipt = _judge(entry, body, response.status, response.content_type, response.body)
    except (PModeError, OSError, Refused) as error:
        return _fail(entry, log, getattr(error, "code", OTHER), str(error))
    except TransportError as error:
        return _retry(entry, log, pmode, CONNECTION_FAILURE, str(error), send_message)
    except EbmsError as error:
        return _retry(entry, log, pmode, error.code, error.detail, send_message)
    entry.state = State.ACKNOWLEDGED
    entry.receipt = response.body
    entry.receipt_content_type = response.content_type or ""
    entry.receipt_message_id = receipt.message_id or ""
    entry.acknowledged_at = timezone.now()
    entry.last_error = entry.last_error_code = ""
    log.outcome = State.ACKNOWLEDGED
    with transaction.atomic():
        entry.save()
        log.save()
    logger.info("delivered %s to %s after %d attempt(s)", entry.message_id, entry.partner, entry.attempts)
    signals.delivered.send(sender=OutboxMessage, message=entry)
    return entry


# ------------------------------------------------------------------ hand-over to Domibus (domibus-ws)


def _hand_over(entry, log, pmode: PMode, transport, body: bytes) -> OutboxMessage:
    """Submit the stored submitRequest; once Domibus holds it, follow its status (poll)."""
    try:
        answer = transport.submit(body)
        log.http_status = 200
        accepted = answer.value
    except TransportError as error:
        return _retry(entry, log, pmode, CONNECTION_FAILURE, str(error), send_message)
    except domibus.DomibusAnswerError as error:
        return _retry(entry, log, pmode, OTHER, f"Domibus answered unexpectedly: {error}", send_message)
    except domibus.DomibusFault as error:
        log.http_status = error.http_status
        if error.duplicate:
            accepted = [entry.message_id]  # an earlier submission of these very bytes got in
        elif error.retryable:
            return _retry(entry, log, pmode, domibus.ebms_code(error.code), str(error), send_message)
        else:
            hint = " (check the plugin user's credentials)" if error.authentication else ""
            return _fail(entry, log, domibus.ebms_code(error.code), f"{error}{hint}")
    if entry.message_id not in accepted:
        return _fail(entry, log, OTHER, f"Domibus answered messageID {accepted}, not {entry.message_id}")
    now = timezone.now()
    entry.state = State.SENT
    entry.handed_over_at = now
    entry.remote_status = "SUBMITTED"
    entry.next_attempt_at = now + timedelta(seconds=transport.poll_interval)
    entry.last_error = entry.last_error_code = ""
    log.outcome = State.SENT
    with transaction.atomic():
        entry.save()
        log.save()
    logger.info("handed %s over to Domibus at %s", entry.message_id, entry.endpoint)
    poll_status.apply_async((entry.pk,), countdown=transport.poll_interval)
    return entry


def poll(outbox_id: int) -> OutboxMessage:
    """Ask Domibus (getStatus) how a handed-over message is doing and map its answer:
    ACKNOWLEDGED -> acknowledged (Domibus verified the AS4 receipt; its answer is kept as
    evidence), SEND_FAILURE -> failed (Domibus has exhausted its own retries; getMessageErrors
    gives the code), NOT_FOUND -> resubmitted, anything else -> asked again later."""
    now = timezone.now()
    entry = OutboxMessage.objects.get(pk=outbox_id)
    if entry.state != State.SENT or entry.handed_over_at is None or entry.next_attempt_at > now:
        return entry
    # claim this poll: a second worker finds next_attempt_at moved and does nothing
    claimed = OutboxMessage.objects.filter(
        pk=entry.pk, state=State.SENT, next_attempt_at=entry.next_attempt_at
    ).update(next_attempt_at=now + timedelta(seconds=settings.DELIVERY_STALE_ATTEMPT_SECONDS))
    if not claimed:
        return entry
    try:
        pmode = pmode_for(entry)
        transport = pmode.transport()
        answer = transport.status(entry.message_id)
    except (PModeError, TransportError, domibus.DomibusFault, domibus.DomibusAnswerError) as error:
        return _poll_later(entry, _transport_or_none(entry), f"getStatus failed: {error}", poll_status)
    status = answer.value
    entry.remote_status = status
    log = DeliveryAttempt(
        message=entry, number=entry.attempts, started_at=now, body_sha256=entry.body_sha256, http_status=200
    )
    if status in domibus.ACKNOWLEDGED:
        entry.state = State.ACKNOWLEDGED
        entry.receipt = answer.raw
        entry.receipt_content_type = domibus.SOAP_CONTENT_TYPE
        entry.receipt_message_id = ""
        entry.acknowledged_at = timezone.now()
        entry.last_error = entry.last_error_code = ""
        log.outcome = State.ACKNOWLEDGED
        with transaction.atomic():
            entry.save()
            log.save()
        logger.info("Domibus reports %s %s", entry.message_id, status)
        signals.delivered.send(sender=OutboxMessage, message=entry)
        return entry
    if status in domibus.FAILED:
        code, detail = OTHER, "Domibus reports SEND_FAILURE"
        with contextlib.suppress(TransportError, domibus.DomibusFault, domibus.DomibusAnswerError):
            errors = transport.errors(entry.message_id).value
            if errors:
                code = errors[-1].ebms_code
                detail += ": " + "; ".join(f"{e.code} {e.detail}" for e in errors)
        return _fail(entry, log, code, detail)
    if status == domibus.UNKNOWN:
        # Domibus lost it (or a restore rolled it back): submit the same bytes again
        entry.handed_over_at = None
        return _retry(entry, log, pmode, OTHER, "Domibus does not know the message (NOT_FOUND)", send_message)
    return _poll_later(entry, transport, f"Domibus reports {status}", poll_status, error=False)


def _transport_or_none(entry: OutboxMessage):
    with contextlib.suppress(Exception):
        return pmode_for(entry).transport()
    return None


def _poll_later(entry, transport, detail: str, task, *, error: bool = True) -> OutboxMessage:
    now = timezone.now()
    waited = (now - entry.handed_over_at).total_seconds()
    interval = transport.poll_interval if transport else 60.0
    longest = transport.poll_max_interval if transport else 900.0
    give_up = transport.give_up_after if transport else 172800.0
    if waited >= give_up:
        log = DeliveryAttempt(
            message=entry, number=entry.attempts, started_at=now, body_sha256=entry.body_sha256
        )
        return _fail(
            entry, log, MISSING_RECEIPT, f"no final status from Domibus after {waited:.0f} s ({detail})"
        )
    delay = min(longest, max(interval, waited / 2))  # the wait roughly doubles, capped
    entry.next_attempt_at = now + timedelta(seconds=delay)
    if error:
        entry.last_error, entry.last_error_code = detail[:4000], CONNECTION_FAILURE
    entry.save(
        update_fields=["next_attempt_at", "last_error", "last_error_code", "remote_status", "updated_at"]
    )
    task.apply_async((entry.pk,), countdown=delay)
    return entry


def _retry(entry, log, pmode: PMode, code: str, detail: str, task) -> OutboxMessage:
    if entry.attempts >= entry.max_attempts:
        return _fail(entry, log, code, f"{detail} (after {entry.attempts} attempts)")
    delay = pmode.retry.delay_after(entry.attempts)
    entry.state = State.WAITING_FOR_RETRY
    entry.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    entry.last_error, entry.last_error_code = detail[:4000], code
    log.outcome, log.error_code, log.error = State.WAITING_FOR_RETRY, code, detail[:4000]
    with transaction.atomic():
        entry.save()
        log.save()
    logger.warning(
        "attempt %d of %s failed (%s); next in %.1f s", entry.attempts, entry.message_id, detail, delay
    )
    task.apply_async((entry.pk,), countdown=delay)
    return entry


def _fail(entry, log, code: str, detail: str) -> OutboxMessage:
    entry.state = State.FAILED
    entry.last_error, entry.last_error_code = detail[:4000], code
    log.outcome, log.error_code, log.error = State.FAILED, code, detail[:4000]
    with transaction.atomic():
        entry.save()
        log.save()
    logger.error("delivery of %s to %s failed: %s", entry.message_id, entry.partner, detail)
    mail_admins(
        f"AS4 delivery failed: {entry.message_id}",
        f"{entry.partner} ({entry.pmode}): {code} {detail}\nResend it from the admin once the cause is fixed.",
        fail_silently=True,
    )
    signals.delivery_failed.send(sender=OutboxMessage, message=entry, error=detail)
    return entry


def sweep(now=None) -> list[int]:
    """Queue every entry that is due (a lost task, a retry whose timer died with its worker) and
    put back attempts whose worker vanished mid-flight. Returns the ids queued."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.DELIVERY_STALE_ATTEMPT_SECONDS)
    OutboxMessage.objects.filter(
        state=State.SENT, handed_over_at__isnull=True, last_attempt_at__lt=stale
    ).update(state=State.WAITING_FOR_RETRY, next_attempt_at=now, last_error="the attempt was interrupted")
    for pk in OutboxMessage.objects.filter(
        state=State.SENT, handed_over_at__isnull=False, next_attempt_at__lte=now
    ).values_list("pk", flat=True):
        poll_status.delay(pk)  # a status poll whose timer died with its worker
    due = list(
        OutboxMessage.objects.filter(
            Q(state=State.PENDING) | Q(state=State.WAITING_FOR_RETRY), next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
    for pk in due:
        send_message.delay(pk)
    return due


def resend(entries) -> int:
    """Give failed entries a new round of attempts with the same bytes and MessageId."""
    count = 0
    for entry in entries:
        if entry.state != State.FAILED:
            continue
        pmode_attempts = entry.max_attempts
        with contextlib.suppress(PModeError):
            pmode_attempts = pmode_for(entry).retry.max_attempts
        updated = OutboxMessage.objects.filter(
            pk=entry.pk, state=State.FAILED
        ).update(
            state=State.WAITING_FOR_RETRY,
            next_attempt_at=timezone.now(),
            max_attempts=entry.attempts + pmode_attempts,
            handed_over_at=None,  # domibus-ws: submit again (a MessageId Domibus still holds is resent from Domibus)
        )
        if updated:
            count += 1
            entry.refresh_from_db()
            signals.resent.send(sender=OutboxMessage, message=entry)
            transaction.on_commit(lambda pk=entry.pk: send_message.delay(pk), robust=True)
    return count


# ------------------------------------------------------------------------------------------------- inbox


def receive(data: bytes, content_type: str | None) -> Answer:
    """Handle one inbound AS4 request: a signed receipt (the original one for a duplicate) or an
    EBMS error. Stores each accepted message once. Never raises."""
    try:
        config = configuration()
    except PModeError as error:
        logger.error("inbound AS4 refused: %s", error)
        return error_answer(EbmsError(OTHER, "this access point is not configured"), domain="invalid")
    try:
        return _receive(config, data, content_type)
    except Exception as error:  # the sender gets an ebMS error, never a 500 page
        logger.exception("inbound AS4 processing failed")
        return error_answer(
            EbmsError(OTHER, f"processing failed: {type(error).__name__}"), domain=config.domain
        )


def _duplicate(message_id: str | None) -> Answer | None:
    original = (
        InboxMessage.objects.filter(message_id=message_id).only("receipt", "receipt_content_type").first()
    )
    if original is None:
        return None
    logger.info("duplicate AS4 message %s answered with its original receipt", message_id)
    return Answer(200, original.receipt_content_type, bytes(original.receipt))


def _receive(config, data: bytes, content_type: str | None) -> Answer:
    outcome = accept(config, data, content_type)
    if isinstance(outcome, Answer):
        return outcome
    assert isinstance(outcome, Accepted)
    parsed, pmode = outcome.parsed, outcome.pmode
    if duplicate := _duplicate(parsed.message_id):
        return duplicate
    receipt = build_receipt(config, parsed)
    header = parsed.user_message.header
    message = InboxMessage(
        message_id=parsed.message_id,
        pmode=pmode.id,
        from_party=str(pmode.partner),
        to_party=str(config.party),
        service=header.service,
        action=header.action,
        conversation_id=header.conversation_id or "",
        signer=parsed.signature.signer,
        content_type=content_type or "",
        receipt=receipt.body,
        receipt_content_type=receipt.content_type,
    )
    parts = [
        (bytes(payload.content or b""), payload.content_id or "", payload.mime_type or "")
        for payload in parsed.payloads
    ]
    if not _store_once(message, "message.mime", data, parts):
        # the same message arrived twice at once: the other request stored it first
        duplicate = _duplicate(parsed.message_id)
        if duplicate is None:
            raise
        return duplicate
    _dispatch(message)
    return receipt


def _store_once(
    message: InboxMessage, raw_name: str, raw: bytes, parts: list[tuple[bytes, str, str]]
) -> bool:
    """Store an inbound message, its raw form and its payloads ((content, content id, MIME type));
    False, with nothing kept, when a message with its MessageId was stored meanwhile."""
    storage = message.raw.storage
    folder = hashlib.sha256(message.message_id.encode()).hexdigest()[:32]
    stored_files = [storage.save(f"delivery/inbox/{folder}/{raw_name}", ContentFile(raw))]
    message.raw.name = stored_files[0]
    payloads = []
    for index, (content, content_id, mime_type) in enumerate(parts):
        name = storage.save(f"delivery/inbox/{folder}/payload-{index}", ContentFile(content))
        stored_files.append(name)
        payloads.append(
            InboxPayload(
                content_id=content_id,
                mime_type=mime_type,
                size=len(content),
                sha256=_sha256(content),
                file=name,
            )
        )
    try:
        with transaction.atomic():
            message.save()
            for payload in payloads:
                payload.message = message
            InboxPayload.objects.bulk_create(payloads)
    except IntegrityError:
        for name in stored_files:
            storage.delete(name)
        return False
    return True


def _dispatch(message: InboxMessage) -> None:
    handler = handler_for(message.service, message.action)
    try:
        signals.message_received.send(sender=InboxMessage, message=message)
        if handler is not None:
            handler.handle(message)
            message.handled_by = f"{type(handler).__module__}.{type(handler).__qualname__}"
    except Exception as error:
        logger.exception("handling AS4 message %s failed", message.message_id)
        message.handler_error = f"{type(error).__name__}: {error}"[:4000]
    message.save(update_fields=["handled_by", "handler_error"])


# ------------------------------------------------------------------- inbox through Domibus (domibus-ws)


def fetch_from_domibus() -> list[str]:
    """Fetch what Domibus received for us (P-Modes whose domibus-ws transport has ``inbound``):
    listPendingMessages, then retrieveMessage each, stored in the inbox once (by MessageId) and
    announced with ``message_received`` like a message posted to /as4. Domibus has verified,
    decrypted and acknowledged it already. Returns the MessageIds stored."""
    try:
        config = configuration()
    except PModeError:
        return []
    by_plugin: dict[tuple, tuple] = {}
    for pmode in config.pmodes.values():
        if pmode.transport_name != "domibus-ws":
            continue
        transport = pmode.transport()
        if transport.inbound:
            key = (transport.endpoint, transport.username, transport.client_certificate)
            by_plugin.setdefault(key, (transport, []))[1].append(pmode)
    stored = []
    for transport, pmodes in by_plugin.values():
        try:
            pending = transport.pending()
        except (TransportError, domibus.DomibusFault, domibus.DomibusAnswerError) as error:
            logger.warning("listPendingMessages at %s failed: %s", transport.endpoint, error)
            continue
        for message_id in pending:
            if InboxMessage.objects.filter(message_id=message_id).exists():
                continue
            try:
                answer = transport.retrieve(message_id)
            except (TransportError, domibus.DomibusFault, domibus.DomibusAnswerError) as error:
                logger.warning("retrieveMessage %s at %s failed: %s", message_id, transport.endpoint, error)
                continue
            if _store_retrieved(config, pmodes, transport, answer):
                stored.append(message_id)
    return stored


def _store_retrieved(config, pmodes: list[PMode], transport, answer) -> bool:
    retrieved: domibus.RetrievedMessage = answer.value
    user = retrieved.user_message
    header = user.header
    pmode = next(
        (
            p
            for p in pmodes
            if p.partner.matches(header.from_party)
            and config.party.matches(header.to_party)
            and p.service == header.service
            and header.action in (p.action, *p.inbound_actions)
        ),
        None,
    )
    message = InboxMessage(
        message_id=user.message_id,
        pmode=pmode.id if pmode else "",
        from_party=str(pmode.partner) if pmode else ", ".join(p.value for p in header.from_party.party_ids),
        to_party=str(config.party),
        service=header.service,
        action=header.action,
        conversation_id=header.conversation_id or "",
        signer=f"verified by Domibus at {transport.endpoint}",
        content_type=domibus.SOAP_CONTENT_TYPE,
        receipt=b"",  # Domibus answered the sender's AS4 receipt and keeps it
        receipt_content_type="",
    )
    if pmode is None:
        # Domibus has acknowledged it already: keep it for an operator rather than lose it
        message.handler_error = f"no P-Mode agrees on {header.service} / {header.action} from this party"
    by_id = {p.payload_id: p for p in retrieved.payloads}
    parts = [
        (
            by_id[part.href].content,
            part.content_id or part.href or "",
            part.mime_type or by_id[part.href].content_type or "",
        )
        for part in user.parts
    ]
    if not _store_once(message, "retrieved.xml", answer.raw, parts):
        return False
    if pmode is not None:
        _dispatch(message)
    return True
