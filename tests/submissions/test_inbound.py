"""An authority's access point answers a submitted application: the real inbound endpoint POST /as4
(live server, real crypto) stores the message and the submissions handler matches it to its package,
or records on the inbox entry why it could not."""

from __future__ import annotations

import json
import os

import pytest
import requests

from portal.delivery.as4 import codec
from portal.delivery.as4.codec import Payload
from portal.delivery.models import InboxMessage, OutboxMessage
from portal.delivery.pmodes import load_file
from portal.submissions.inbound import RESPONSE_ACTION, UnmatchedMessage, matching_package
from portal.submissions.models import SubmissionPackage
from tests.delivery.conftest import gateway, pki  # noqa: F401
from tests.factories import ApplicationFactory, DossierFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def answering_gateway(gateway):  # noqa: F811
    """The test gateway, the portal's agreement with the authority also accepting its responses."""
    document = json.loads(gateway.portal_file.read_text())
    document["pmodes"]["authority"]["inbound_actions"] = [RESPONSE_ACTION]
    gateway.portal_file.write_text(json.dumps(document))
    return gateway


def sent_package(gateway, *, message_id: str = "sent-1@psc.test") -> SubmissionPackage:  # noqa: F811
    """An application whose package went to the authority as outbox message ``message_id``."""
    partner = str(load_file(gateway.portal_file).pmode("authority").partner)
    application = ApplicationFactory(dossier=DossierFactory())
    entry = OutboxMessage.objects.create(
        message_id=message_id,
        pmode="channel:authority-test",
        partner=partner,
        endpoint=f"http://127.0.0.1:{gateway.authority_port}/as4",
        partner_certificate="",
        service="urn:eu:psc:services:submission",
        action="SubmitPackage",
        conversation_id=str(application.dossier.public_id),
        reference=str(application.public_id),
        content_type="multipart/related",
        body="delivery/outbox/test.mime",
        body_sha256="0" * 64,
        body_size=1,
        max_attempts=8,
        state=OutboxMessage.State.ACKNOWLEDGED,
    )
    return SubmissionPackage.objects.create(
        application=application,
        transport="as4",
        channel={"transport": "as4", "settings": {"party_id": "authority-test"}},
        outbox_message=entry,
    )


def answer(gateway, conversation_id: str):  # noqa: F811
    """A response of the authority's access point to the portal, signed and encrypted by it."""
    sender = load_file(gateway.authority_file)
    pmode = sender.pmode("portal")
    header = pmode.header(sender.party, conversation_id=conversation_id)
    header.action = RESPONSE_ACTION
    return codec.build_user_message(
        header,
        [
            Payload(b"<status>received</status>", "application/xml"),
            Payload(os.urandom(100), "application/pdf"),
        ],
        sign_with=sender.key,
        encrypt_for=pmode.partner_certificate,
        domain=sender.domain,
    )


def post(live_server, message) -> requests.Response:
    return requests.post(
        f"{live_server.url}/as4",
        data=message.body,
        headers={"Content-Type": message.content_type},
        timeout=30,
    )


def test_a_response_in_the_conversation_of_a_sent_package_is_matched(live_server, answering_gateway):
    package = sent_package(answering_gateway)
    message = answer(answering_gateway, str(package.application.dossier.public_id))
    response = post(live_server, message)
    assert response.status_code == 200, response.content
    stored = InboxMessage.objects.get(message_id=message.message_id)
    assert stored.handler_error == ""
    assert stored.handled_by == "portal.submissions.inbound.SubmittedApplicationHandler"
    assert matching_package(stored.conversation_id, stored.from_party) == package


def test_a_response_to_nothing_we_sent_is_recorded_as_unmatched(live_server, answering_gateway):
    sent_package(answering_gateway)
    message = answer(answering_gateway, "a-conversation-we-never-had")
    response = post(live_server, message)
    assert response.status_code == 200  # the sender's job is done: it gets its receipt
    stored = InboxMessage.objects.get(message_id=message.message_id)
    assert stored.handled_by == ""
    assert stored.handler_error == (
        "UnmatchedMessage: no submitted application has ConversationId a-conversation-we-never-had"
    )


def test_only_the_party_the_package_went_to_and_the_message_it_refers_to_match(answering_gateway):
    package = sent_package(answering_gateway)
    conversation = package.outbox_message.conversation_id
    partner = package.outbox_message.partner
    assert matching_package(conversation, partner, "sent-1@psc.test") == package
    with pytest.raises(UnmatchedMessage, match="was not sent to stranger"):
        matching_package(conversation, "stranger")
    with pytest.raises(UnmatchedMessage, match=r"and RefToMessageId other@psc\.test"):
        matching_package(conversation, partner, "other@psc.test")
    with pytest.raises(UnmatchedMessage, match="no ConversationId"):
        matching_package("", partner)
