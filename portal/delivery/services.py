"""Writes of the gateway: send (outbox), attempt, sweep, resend, and receive (inbox)."""

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

from portal.delivery import signals
from portal.delivery.as4 import codec
from portal.delivery.as4.codec import ReceivePolicy
from portal.delivery.as4.ebms import Property
from portal.delivery.as4.errors import (
    CONNECTION_FAILURE,
    INVALID_RECEIPT,
    MISSING_RECEIPT,
    OTHER,
    EbmsError,
)
from portal.delivery.as4.keys import Truststore
from portal.delivery.channels import pmode_from_document
from portal.delivery.handlers import handler_for
from portal.delivery.inbound import RECEIVER_FAULTS, Accepted, Answer, accept, build_receipt, error_answer
from portal.delivery.models import DeliveryAttempt, InboxMessage, InboxPayload, OutboxMessage
from portal.delivery.pmodes import PMode, PModeError, configuration
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
    from portal.delivery.tasks import send_message

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
    endpoint, partner_certificate = config.resolve(pmode)
    outbound = codec.build_user_message(
        header,
        payloads,
        sign_with=config.key,
        encrypt_for=partner_certificate if pmode.encrypt else None,
        domain=config.domain,
    )
    entry = OutboxMessage(
        message_id=outbound.message_id,
        pmode=pmode.id,
        partner=str(pmode.partner),
        endpoint=endpoint,
        partner_certificate=partner_certificate.public_bytes(serialization.Encoding.PEM).decode(),
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
        # An error signal from the partner (signed or not, in a Fault or not): judge its codes.
        try:
            signal = codec.receive(
                answer,
                content_type,
                truststore=truststore,
                policy=ReceivePolicy(require_signature=False, require_trusted_signer=False),
            )
        except EbmsError:
            signal = None
        if signal is not None and signal.kind == "error" and signal.signal and signal.signal.errors:
            codes = [e.code for e in signal.signal.errors]
            detail = "; ".join(
                f"{e.code} {e.short_description}: {e.detail or ''}" for e in signal.signal.errors
            )
            failures = [e for e in signal.signal.errors if (e.severity or "failure") == "failure"]
            if failures and not set(codes) <= RECEIVER_FAULTS:
                raise Refused(failures[0].code, f"the partner refused the message: {detail}") from None
            raise EbmsError(codes[0] if codes[0] in RECEIVER_FAULTS else OTHER, detail) from None
        if status >= 300:
            raise EbmsError(CONNECTION_FAILURE, f"HTTP {status} without an ebMS answer") from None
        raise error
    if receipt.signature is None or receipt.signature.certificate != partner_certificate:
        raise EbmsError(INVALID_RECEIPT, f"the receipt is not signed by {entry.partner}'s certificate")
    if status >= 300:
        raise EbmsError(CONNECTION_FAILURE, f"HTTP {status} with a receipt")
    return receipt


def attempt(outbox_id: int) -> OutboxMessage:
    """One delivery attempt: post the stored bytes, verify the receipt, record the outcome."""
    from portal.delivery.tasks import send_message

    now = timezone.now()
    if not _claim(outbox_id, now):
        return OutboxMessage.objects.get(pk=outbox_id)
    entry = OutboxMessage.objects.get(pk=outbox_id)
    log = DeliveryAttempt(message=entry, number=entry.attempts, started_at=now, body_sha256="")
    try:
        body = _read_body(entry)
        log.body_sha256 = _sha256(body)
        pmode = pmode_for(entry)
        response = pmode.transport().send(entry.endpoint, body, entry.content_type)
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
    from portal.delivery.tasks import send_message

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.DELIVERY_STALE_ATTEMPT_SECONDS)
    OutboxMessage.objects.filter(state=State.SENT, last_attempt_at__lt=stale).update(
        state=State.WAITING_FOR_RETRY, next_attempt_at=now, last_error="the attempt was interrupted"
    )
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
    from portal.delivery.tasks import send_message

    count = 0
    for entry in entries:
        if entry.state != State.FAILED:
            continue
        pmode_attempts = entry.max_attempts
        with contextlib.suppress(PModeError):
            pmode_attempts = pmode_for(entry).retry.max_attempts
        updated = OutboxMessage.objects.filter(pk=entry.pk, state=State.FAILED).update(
            state=State.WAITING_FOR_RETRY,
            next_attempt_at=timezone.now(),
            max_attempts=entry.attempts + pmode_attempts,
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
    folder = hashlib.sha256(parsed.message_id.encode()).hexdigest()[:32]
    stored_files = [message.raw.storage.save(f"delivery/inbox/{folder}/message.mime", ContentFile(data))]
    message.raw.name = stored_files[0]
    payloads = []
    for index, payload in enumerate(parsed.payloads):
        content = bytes(payload.content or b"")
        name = message.raw.storage.save(f"delivery/inbox/{folder}/payload-{index}", ContentFile(content))
        stored_files.append(name)
        payloads.append(
            InboxPayload(
                content_id=payload.content_id or "",
                mime_type=payload.mime_type or "",
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
        # the same message arrived twice at once: the other request stored it first
        for name in stored_files:
            message.raw.storage.delete(name)
        duplicate = _duplicate(parsed.message_id)
        if duplicate is None:
            raise
        return duplicate
    _dispatch(message)
    return receipt


def _dispatch(message: InboxMessage) -> None:
    handler = handler_for(message.service, message.action)
    try:
        signals.message_received.send(sender=InboxMessage, message=message)
        if handler is not None:
            handler(message)
            message.handled_by = f"{handler.__module__}.{handler.__qualname__}"
    except Exception as error:
        logger.exception("handling AS4 message %s failed", message.message_id)
        message.handler_error = f"{type(error).__name__}: {error}"[:4000]
    message.save(update_fields=["handled_by", "handler_error"])
