"""The `domibus-ws` transport against a Domibus 5 WS plugin stand-in on 127.0.0.1 (real HTTP,
HTTP Basic, the recorded SOAP answers of tests/delivery/domibus/): hand-over, status polling
mapped onto the outbox, SOAP faults, and inbound messages fetched into the inbox."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from portal.delivery import domibus, services, signals
from portal.delivery.as4 import constants as c
from portal.delivery.models import InboxMessage, OutboxMessage
from portal.delivery.pmodes import PModeError, load_file
from portal.delivery.services import Package, Part
from portal.delivery.tasks import poll_status, send_message
from portal.delivery.transports import DomibusWsTransport

from .conftest import free_port
from .domibus_standin import PASSWORD, RECORDED, USERNAME, DomibusStandIn, Inbound
from .test_gateway_worker import wait_for_state

pytestmark = pytest.mark.django_db
State = OutboxMessage.State
ASIC = "application/vnd.etsi.asic-e+zip"
PASSWORD_ENV = "PSC_TEST_DOMIBUS_PASSWORD"


def domibus_pmode(port: int, **options) -> dict:
    return {
        "partner": {"id": "authority-test", "type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered"},
        "service": "urn:eu:psc:services:submission",
        "service_type": "urn:eu:psc:services",
        "action": "SubmitPackage",
        "inbound_actions": ["StatusUpdate"],
        "agreement": "urn:eu:psc:agreements:delivery",
        "transport": "domibus-ws",
        "transport_options": {
            "endpoint": f"http://127.0.0.1:{port}/domibus/services/wsplugin",
            "username": USERNAME,
            "password_env": PASSWORD_ENV,
            "poll_interval": 0.2,
            "poll_max_interval": 1,
            "give_up_after": 600,
            "timeout": 5,
            "connect_timeout": 2,
            "inbound": True,
            **options,
        },
        "retry": {"max_attempts": 3, "base_delay": 0.2, "factor": 2, "max_delay": 1},
    }


def add_pmode(gateway, pmode_id: str, document: dict) -> None:
    config = json.loads(gateway.portal_file.read_text())
    config["pmodes"][pmode_id] = document
    gateway.portal_file.write_text(json.dumps(config))


@pytest.fixture
def plugin(gateway, monkeypatch):
    """The portal configured with P-Mode "authority-domibus" through a Domibus stand-in."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    port = free_port()
    add_pmode(gateway, "authority-domibus", domibus_pmode(port))
    with DomibusStandIn(port) as standin:
        yield standin


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    calls: list[tuple] = []
    for task in (send_message, poll_status):
        monkeypatch.setattr(
            task, "apply_async", lambda args, task=task, **kw: calls.append((task.name, args, kw))
        )
        monkeypatch.setattr(task, "delay", lambda *args, task=task: calls.append((task.name, args, {})))
    return calls


@pytest.fixture
def events():
    seen: dict[str, list] = {"delivered": [], "failed": [], "received": []}

    def on_delivered(sender, message, **kwargs):
        seen["delivered"].append(message.message_id)

    def on_failed(sender, message, error, **kwargs):
        seen["failed"].append((message.message_id, error))

    def on_received(sender, message, **kwargs):
        seen["received"].append(message.message_id)

    signals.delivered.connect(on_delivered, weak=False)
    signals.delivery_failed.connect(on_failed, weak=False)
    signals.message_received.connect(on_received, weak=False)
    yield seen
    signals.delivered.disconnect(on_delivered)
    signals.delivery_failed.disconnect(on_failed)
    signals.message_received.disconnect(on_received)


def package() -> Package:
    return Package(
        [
            Part(b"PK\x03\x04 the signed dossier", ASIC, "dossier.asice"),
            Part(b"<summary/>", "application/xml"),
        ],
        conversation_id="conv-1",
        original_sender="urn:eu:psc:applicant:1",
        final_recipient="urn:eu:psc:authority:be:1",
    )


def stored(entry: OutboxMessage) -> bytes:
    with entry.body.open("rb") as body:
        return body.read()


def make_due(entry: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())


def canonical_paths(document: bytes) -> set[tuple[str, tuple[str, ...]]]:
    """Every element path (namespace-qualified) with its attribute names: the shape, not the values."""
    root = etree.fromstring(document)
    paths = set()
    for element in root.iter():
        names = [etree.QName(a).text for a in [element, *element.iterancestors()]][::-1]
        paths.add(("/".join(names), tuple(sorted(element.attrib))))
    return paths


# ------------------------------------------------------------------------------------------- outbound


def test_the_outbox_holds_a_submit_request_of_the_plugins_shape(gateway, plugin, queued):
    entry = services.send(package(), "authority-domibus", reference="case-9")
    body = stored(entry)
    assert entry.content_type.startswith("application/soap+xml")
    assert entry.endpoint == plugin.url and entry.partner_certificate == ""
    # the same element paths and attribute names as the recorded request
    assert canonical_paths(body) == canonical_paths((RECORDED / "submitRequest.xml").read_bytes())
    root = etree.fromstring(body)
    assert root.findtext(f".//{{{c.EB}}}MessageId") == entry.message_id
    hrefs = [p.get("href") for p in root.iter(f"{{{c.EB}}}PartInfo")]
    payloads = root.findall(f".//{{{domibus.WSPLUGIN}}}submitRequest/payload")
    assert [p.get("payloadId") for p in payloads] == hrefs
    assert [base64.b64decode(p.findtext("value")) for p in payloads] == [
        part.content for part in package().parts
    ]
    assert [p.get("contentType") for p in payloads] == [ASIC, "application/xml"]


def test_handed_over_then_polled_until_domibus_acknowledges(gateway, plugin, queued, events):
    entry = services.send(package(), "authority-domibus")
    entry = services.attempt(entry.pk)
    assert entry.state == State.SENT and entry.handed_over_at is not None
    assert entry.remote_status == "SUBMITTED" and entry.attempts == 1
    assert plugin.submitted == {entry.message_id: stored(entry)}  # the stored bytes, as they are
    assert queued[-1][:2] == ("delivery.poll_status", (entry.pk,))

    seen = []
    for _ in range(3):
        make_due(entry)
        entry = services.poll(entry.pk)
        seen.append((entry.state, entry.remote_status))
    assert seen == [
        (State.SENT, "SEND_ENQUEUED"),
        (State.SENT, "WAITING_FOR_RECEIPT"),
        (State.ACKNOWLEDGED, "ACKNOWLEDGED"),
    ]
    assert domibus.parse_status_response(bytes(entry.receipt)) == "ACKNOWLEDGED"  # Domibus's word, kept
    assert events["delivered"] == [entry.message_id] and events["failed"] == []
    # a poll that is not due does nothing; an acknowledged entry is never polled again
    calls = len(plugin.calls)
    assert services.poll(entry.pk).state == State.ACKNOWLEDGED and len(plugin.calls) == calls


def test_a_poll_not_yet_due_asks_nothing(gateway, plugin, queued):
    entry = services.attempt(services.send(package(), "authority-domibus").pk)
    calls = len(plugin.calls)
    assert services.poll(entry.pk).remote_status == "SUBMITTED" and len(plugin.calls) == calls


def test_send_failure_ends_failed_with_the_error_domibus_reports(gateway, plugin, queued, events):
    plugin.statuses = ["SEND_ATTEMPT_FAILED", "SEND_FAILURE"]
    entry = services.attempt(services.send(package(), "authority-domibus").pk)
    make_due(entry)
    assert services.poll(entry.pk).state == State.SENT
    make_due(entry)
    entry = services.poll(entry.pk)
    assert entry.state == State.FAILED and entry.remote_status == "SEND_FAILURE"
    assert entry.last_error_code == "EBMS:0101"
    assert "EBMS_0101 the receipt's signature could not be verified" in entry.last_error
    assert [m for m, _ in events["failed"]] == [entry.message_id]
    assert plugin.calls[-1] == "getMessageErrorsRequest"


def test_wrong_plugin_credentials_fail_at_once_with_a_clear_error(
    gateway, plugin, queued, events, monkeypatch
):
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    entry = services.attempt(services.send(package(), "authority-domibus").pk)
    assert entry.state == State.FAILED and entry.attempts == 1
    assert "WS_PLUGIN:0002" in entry.last_error and "credentials" in entry.last_error
    assert entry.last_error_code == "EBMS:0004"
    assert plugin.submitted == {} and [m for m, _ in events["failed"]] == [entry.message_id]
    assert not [q for q in queued if q[0] == "delivery.send"]  # not retried


def test_an_invalid_payload_fault_fails_with_domibus_message(gateway, plugin, queued):
    plugin.submit_faults = ["fault-invalid-payload.xml"]
    entry = services.attempt(services.send(package(), "authority-domibus").pk)
    assert entry.state == State.FAILED
    assert "WS_PLUGIN:0005" in entry.last_error and "PartInfo" in entry.last_error


def test_domibus_trouble_is_retried_with_the_same_bytes(gateway, plugin, queued):
    plugin.submit_faults = ["fault-generic.xml"]
    entry = services.attempt(services.send(package(), "authority-domibus").pk)
    assert entry.state == State.WAITING_FOR_RETRY and "WS_PLUGIN:0001" in entry.last_error
    make_due(entry)
    entry = services.attempt(entry.pk)
    assert entry.state == State.SENT and plugin.submitted == {entry.message_id: stored(entry)}


def test_a_lost_submit_response_is_recognised_as_handed_over(gateway, plugin, queued):
    # Domibus stored the first submission but its answer never arrived: the resubmission of the
    # same bytes gets "already exists", which means it is in Domibus's hands.
    entry = services.send(package(), "authority-domibus")
    plugin.submitted[entry.message_id] = stored(entry)
    entry = services.attempt(entry.pk)
    assert entry.state == State.SENT and entry.handed_over_at is not None
    assert plugin.calls == ["submitRequest"]


def test_domibus_down_means_retry_then_failed(gateway, monkeypatch, queued):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    add_pmode(gateway, "authority-domibus", domibus_pmode(free_port()))  # nobody listens
    entry = services.attempt(services.send(package(), "authority-domibus").pk)
    assert entry.state == State.WAITING_FOR_RETRY and entry.last_error_code == "EBMS:0005"
    for _ in range(2):
        make_due(entry)
        entry = services.attempt(entry.pk)
    assert entry.state == State.FAILED and entry.attempts == 3


def test_not_found_resubmits_and_silence_ends_in_missing_receipt(gateway, plugin, queued):
    entry = services.attempt(services.send(package(), "authority-domibus").pk)
    plugin.submitted.clear()  # Domibus lost it
    make_due(entry)
    entry = services.poll(entry.pk)
    assert entry.state == State.WAITING_FOR_RETRY and entry.handed_over_at is None
    assert "NOT_FOUND" in entry.last_error
    make_due(entry)
    entry = services.attempt(entry.pk)
    assert entry.state == State.SENT and entry.message_id in plugin.submitted

    plugin.statuses = ["WAITING_FOR_RETRY"]
    OutboxMessage.objects.filter(pk=entry.pk).update(
        handed_over_at=timezone.now() - timedelta(seconds=601), next_attempt_at=timezone.now()
    )
    entry = services.poll(entry.pk)
    assert entry.state == State.FAILED and entry.last_error_code == "EBMS:0301"
    assert "no final status from Domibus" in entry.last_error


def test_sweep_queues_due_polls_and_never_resubmits_a_handed_over_message(gateway, plugin, queued, settings):
    entry = services.attempt(services.send(package(), "authority-domibus").pk)
    long_ago = timezone.now() - timedelta(seconds=settings.DELIVERY_STALE_ATTEMPT_SECONDS + 5)
    OutboxMessage.objects.filter(pk=entry.pk).update(last_attempt_at=long_ago, next_attempt_at=long_ago)
    queued.clear()
    services.sweep()
    entry.refresh_from_db()
    assert entry.state == State.SENT
    assert queued == [("delivery.poll_status", (entry.pk,), {})]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"endpoint": None}, "the WS plugin URL is required"),
        ({"endpoint": "http://domibus.example/ws"}, "plain http is only allowed to a loopback"),
        ({"username": None}, "username and password go together"),
        ({"password_env": "PSC_TEST_UNSET_VARIABLE"}, "PSC_TEST_UNSET_VARIABLE is not set"),
        ({"username": None, "password_env": None}, "needs an authenticated plugin user"),
        ({"client_key": "key.pem"}, "client_key given without client_certificate"),
        ({"poll_max_interval": 0.1}, "poll_max_interval must be at least poll_interval"),
        ({"verify": False}, "unknown options ['verify']"),
        ({"timeout": "60"}, "option 'timeout' must be int or float"),
    ],
)
def test_transport_options_are_checked_when_the_pmodes_load(gateway, monkeypatch, options, message):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    document = domibus_pmode(1)
    for key, value in options.items():
        if value is None:
            document["transport_options"].pop(key)
        else:
            document["transport_options"][key] = value
    add_pmode(gateway, "authority-domibus", document)
    with pytest.raises(PModeError) as refused:
        load_file(gateway.portal_file)
    assert "pmodes.authority-domibus.transport" in str(refused.value) and message in str(refused.value)


def test_a_client_certificate_alone_authenticates(gateway, monkeypatch):
    document = domibus_pmode(1)
    options = document["transport_options"]
    del options["username"], options["password_env"]
    options["client_certificate"] = str(gateway.folder / "portal.pem")
    add_pmode(gateway, "authority-domibus", document)
    transport = load_file(gateway.portal_file).pmode("authority-domibus").transport()
    assert isinstance(transport, DomibusWsTransport) and transport.username is None


# -------------------------------------------------------------------------------------------- inbound


def test_messages_for_us_are_fetched_into_the_inbox_once(gateway, plugin, events):
    plugin.inbound = [
        Inbound("answer-1@authority.test", b"<status>accepted</status>"),
        Inbound("stray-1@elsewhere.test", b"<x/>", from_party="someone-else"),
    ]
    stored_ids = services.fetch_from_domibus()
    assert sorted(stored_ids) == ["answer-1@authority.test", "stray-1@elsewhere.test"]
    message = InboxMessage.objects.get(message_id="answer-1@authority.test")
    assert message.pmode == "authority-domibus" and message.action == "StatusUpdate"
    assert message.handler_error == "" and message.signer.startswith("verified by Domibus")
    payload = message.payloads.get()
    with payload.file.open("rb") as content:
        assert content.read() == b"<status>accepted</status>"
    assert payload.mime_type == "application/xml" and payload.size == len(b"<status>accepted</status>")
    # Domibus acknowledged the stray one already: it is kept for an operator, not dispatched
    stray = InboxMessage.objects.get(message_id="stray-1@elsewhere.test")
    assert stray.pmode == "" and "no P-Mode agrees" in stray.handler_error
    assert events["received"] == ["answer-1@authority.test"]
    # nothing is pending any more; listed again, it would not be stored twice
    assert services.fetch_from_domibus() == []
    plugin.downloaded.clear()
    assert services.fetch_from_domibus() == [] and InboxMessage.objects.count() == 2


# --------------------------------------------------------------------------------- through the worker


@pytest.fixture
def plugin_password(monkeypatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)  # before the worker starts: it inherits it


def test_the_worker_hands_over_and_polls_until_acknowledged(gateway, plugin_password, celery_worker):
    port = free_port()
    add_pmode(gateway, "authority-domibus", domibus_pmode(port))
    with DomibusStandIn(port) as standin:
        entry = services.send(package(), "authority-domibus")
        entry = wait_for_state(entry, {State.ACKNOWLEDGED, State.FAILED}, celery_worker)
        calls = list(standin.calls)
    assert entry.state == State.ACKNOWLEDGED, entry.last_error
    assert calls == ["submitRequest", "statusRequest", "statusRequest", "statusRequest"]
    assert "delivery.poll_status" in celery_worker.log()
