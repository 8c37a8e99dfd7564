"""Outgoing e-mail as a checkpointed side effect.

``QueuedEmailBackend`` (the portal's ``EMAIL_BACKEND``) does not talk to a mail server in the request:
it stores each message (``OutgoingEmail``), with its Message-ID and Date fixed, inside the caller's
transaction, and hands it to the ``mail`` queue once that transaction commits; a rolled-back transaction
sends nothing. The ``mail.send`` task delivers it through ``EMAIL_DELIVERY_BACKEND`` and marks it sent;
a retry (backoff from 30 s up to an hour, at most 10) sends the same message again, never a re-rendered
one, and after the last retry it is marked failed.

Delivery is at least once: :func:`deliver` keeps the row locked while sending, so a duplicate task waits
and then finds it sent; but a crash after the mail server accepted the message and before the commit
sends it again. Receivers can recognise such a repeat by its unchanged Message-ID.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from email.mime.base import MIMEBase
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from portal.core.models import OutgoingEmail
from portal.core.tasks import send_email

logger = logging.getLogger(__name__)


def serialize_message(message: EmailMessage) -> dict:
    headers = dict(message.extra_headers)
    headers.setdefault("Message-ID", make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN))
    headers.setdefault("Date", formatdate(localtime=True))
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            raise ValueError(
                "Queued e-mail takes attachments as (filename, content, mimetype), not MIME objects."
            )
        filename, content, mimetype = attachment
        raw = content.encode() if isinstance(content, str) else content
        attachments.append([filename, base64.b64encode(raw).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": headers,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def deserialize_message(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        alternatives=[tuple(alternative) for alternative in data["alternatives"]],
    )
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        queued = 0
        for message in email_messages:
            if not message.recipients():
                continue
            outgoing = OutgoingEmail.objects.create(
                subject=str(message.subject)[:255],
                recipients=message.recipients(),
                payload=serialize_message(message),
            )
            transaction.on_commit(lambda pk=outgoing.pk: send_email.delay(str(pk)))
            queued += 1
        return queued


def deliver(outgoing_id: str) -> OutgoingEmail:
    """Send one stored e-mail unless it was sent already. Raises on failure, after recording it.

    The row stays locked while sending, so a duplicate task waits and then finds it sent."""
    failure: Exception | None = None
    with transaction.atomic():
        outgoing = OutgoingEmail.objects.select_for_update().get(pk=outgoing_id)
        if outgoing.state == OutgoingEmail.State.SENT:
            return outgoing
        outgoing.attempts += 1
        try:
            with get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False) as connection:
                connection.send_messages([deserialize_message(outgoing.payload)])
        except Exception as error:
            failure = error
            outgoing.last_error = f"{type(error).__name__}: {error}"[:2000]
        else:
            outgoing.state = OutgoingEmail.State.SENT
            outgoing.sent_at = timezone.now()
            outgoing.last_error = ""
        outgoing.save(update_fields=["attempts", "state", "sent_at", "last_error"])
    if failure is not None:
        logger.warning(
            "E-mail %s not sent (attempt %s): %s", outgoing.pk, outgoing.attempts, outgoing.last_error
        )
        raise failure
    return outgoing


def mark_failed(outgoing_id: str, error: str) -> None:
    OutgoingEmail.objects.filter(pk=outgoing_id).exclude(state=OutgoingEmail.State.SENT).update(
        state=OutgoingEmail.State.FAILED, last_error=error[:2000]
    )
