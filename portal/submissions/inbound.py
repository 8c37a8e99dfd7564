"""Inbound AS4 messages about submitted applications: an authority's access point answering what the
pipeline sent (acknowledgements, requests, decisions: what they mean is a later issue; here a message is
matched to its package, or refused as unmatched).

A message belongs to a package when its ConversationId is that of our outbox message (the dossier's
public id), its RefToMessageId (if any) is our outbox message's MessageId, and its sender is the party the
package was sent to. Anything else raises :class:`UnmatchedMessage`, which delivery records on the inbox
entry (``handler_error``): the sender still has its receipt.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from portal.delivery.as4 import ebms, mime
from portal.delivery.as4.xmlsafe import parse_xml
from portal.delivery.handlers import InboundHandler, inbound_handlers
from portal.delivery.models import InboxMessage
from portal.submissions.models import SubmissionPackage

logger = logging.getLogger(__name__)
SUBMISSION_SERVICE = "urn:eu:psc:services:submission"
# what an authority's access point sends back about a submitted application (its P-Mode with the
# portal lists it in "inbound_actions")
RESPONSE_ACTION = "SubmissionResponse"


class UnmatchedMessage(Exception):
    """An inbound message that answers nothing the pipeline sent (or not from whom it was sent to)."""


def ref_to_message_id(message: InboxMessage) -> str | None:
    """The RefToMessageId of a stored message (read from its signed, already verified header)."""
    with message.raw.open("rb") as raw:
        data = raw.read()
    transport = mime.parse_transport(data, message.content_type or None)
    messaging, _body, _soap = ebms.find_messaging(parse_xml(transport.envelope))
    user, _signals = ebms.parse_messaging(messaging)
    return user.ref_to_message_id if user is not None else None


def matching_package(conversation_id: str, from_party: str, ref_to: str | None = None) -> SubmissionPackage:
    """The package an inbound message answers; :class:`UnmatchedMessage` says why there is none."""
    if not conversation_id:
        raise UnmatchedMessage("the message has no ConversationId")
    sent = SubmissionPackage.objects.select_related("application", "outbox_message").filter(
        outbox_message__conversation_id=conversation_id
    )
    if ref_to:
        sent = sent.filter(outbox_message__message_id=ref_to)
    if not sent.exists():
        refers = f" and RefToMessageId {ref_to}" if ref_to else ""
        raise UnmatchedMessage(f"no submitted application has ConversationId {conversation_id}{refers}")
    packages = [package for package in sent if package.outbox_message.partner == from_party]
    if not packages:
        raise UnmatchedMessage(
            f"ConversationId {conversation_id} was not sent to {from_party}: it may not answer for it"
        )
    if len(packages) > 1:
        raise UnmatchedMessage(
            f"ConversationId {conversation_id} matches {len(packages)} applications sent to {from_party}; "
            "the message must give RefToMessageId"
        )
    return packages[0]


class SubmittedApplicationHandler(InboundHandler):
    """Messages of an authority about an application we sent it."""

    service: ClassVar[str] = SUBMISSION_SERVICE
    action: ClassVar[str] = RESPONSE_ACTION

    def handle(self, message: InboxMessage) -> None:
        package = matching_package(message.conversation_id, message.from_party, ref_to_message_id(message))
        logger.info(
            "AS4 message %s from %s is about application %s",
            message.message_id,
            message.from_party,
            package.application.public_id,
        )


def register_inbound_handlers() -> None:
    """Give delivery the handlers of this app (called from ``SubmissionsConfig.ready``)."""
    inbound_handlers.register(SubmittedApplicationHandler)
