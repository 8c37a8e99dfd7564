"""P-Modes from a catalogue delivery channel: validated settings, kept on the outbox entry, so
retries, resends and the sweep work without any P-Mode of that id in the configuration file."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from portal.delivery import services, signals
from portal.delivery.access_point import FolderAccessPoint
from portal.delivery.channels import ChannelError, pmode_from_channel, pmode_from_document
from portal.delivery.models import OutboxMessage
from portal.delivery.pmodes import PModeError, load_file
from portal.delivery.services import Package, Part
from portal.delivery.tasks import send_message

from .flaky import FlakyReceiver
from .pki import issue

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


def pem(certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture
def channel(gateway, pki) -> dict:
    """The authority of the gateway fixture as the catalogue would describe it."""
    return {
        "party_id": "authority-test",
        "party_id_type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered",
        "endpoint_url": f"http://127.0.0.1:{gateway.authority_port}/as4",
        "certificate_pem": pem(pki.receiver.certificate),
        "service": "urn:eu:psc:services:submission",
        "service_type": "urn:eu:psc:services",
        "action": "SubmitPackage",
    }


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    calls: list[tuple] = []
    monkeypatch.setattr(send_message, "apply_async", lambda args, **kw: calls.append((args, kw)))
    monkeypatch.setattr(send_message, "delay", lambda *args: calls.append((args, {})))
    return calls


def with_channel_defaults(gateway, **channels) -> None:
    document = json.loads(gateway.portal_file.read_text())
    document["channels"] = channels
    gateway.portal_file.write_text(json.dumps(document))
    stamp = gateway.portal_file.stat().st_mtime_ns + 1_000_000
    os.utime(gateway.portal_file, ns=(stamp, stamp))  # the configuration cache keys on mtime


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"party_id": ""}, "'party_id' is required"),
        ({"endpoint_url": None}, "'endpoint_url' is required"),
        ({"endpoint_url": "http://ap.example.eu/as4"}, "plain http is only allowed to a loopback"),
        ({"endpoint_url": "ftp://ap.example.eu/as4"}, "is not an http(s) URL"),
        ({"certificate_pem": "not a certificate"}, "'certificate_pem' is not a PEM certificate"),
        ({"service": 42}, "'service' must be text"),
        ({"colour": "blue"}, "unknown setting(s) colour"),
    ],
)
def test_bad_channel_settings_are_named(gateway, channel, change, message):
    with pytest.raises(ChannelError) as raised:
        pmode_from_channel({**channel, **change})
    assert message in str(raised.value)


def test_an_expired_certificate_is_refused(gateway, channel, pki):
    old = issue("old access point", pki.intermediate, not_after=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ChannelError, match="the certificate expired on"):
        pmode_from_channel({**channel, "certificate_pem": pem(old.certificate)})
    with pytest.raises(ChannelError, match="settings must be an object"):
        pmode_from_channel(["party_id"])


def test_channel_defaults_come_from_the_configuration(gateway, channel):
    with_channel_defaults(
        gateway,
        agreement="urn:eu:psc:agreements:catalogue",
        retry={"max_attempts": 3, "base_delay": 0.1, "max_delay": 0.5},
        transport_options={"timeout": 2},
    )
    pmode = pmode_from_channel(channel)
    assert pmode.id == "channel:authority-test" and pmode.agreement == "urn:eu:psc:agreements:catalogue"
    assert pmode.retry.max_attempts == 3 and pmode.transport_options == {"timeout": 2}
    assert pmode_from_document(json.loads(json.dumps(pmode.document))) == pmode
    with_channel_defaults(gateway, retry={"max_attempts": 0})
    with pytest.raises(PModeError, match=r"channels\.retry\.max_attempts: at least 1"):
        pmode_from_channel(channel)


def test_a_channel_message_is_retried_resent_and_delivered_with_the_same_bytes(
    gateway, channel, tmp_path, queued
):
    with_channel_defaults(gateway, retry={"max_attempts": 2, "base_delay": 0.1, "max_delay": 0.2})
    seen = {"delivered": [], "failed": [], "resent": []}
    receivers = {
        name: (lambda sender, message, name=name, **kw: seen[name].append(message.message_id))
        for name in seen
    }
    signals.delivered.connect(receivers["delivered"], weak=False)
    signals.delivery_failed.connect(receivers["failed"], weak=False)
    signals.resent.connect(receivers["resent"], weak=False)
    try:
        entry = services.send(
            Package([Part(os.urandom(5000), "application/vnd.etsi.asic-e+zip", "a.asice")]),
            pmode_from_channel(channel),
            reference="application-1",
        )
        with entry.body.open("rb") as stored:
            original = stored.read()
        # the file changes afterwards (another retry policy, no such P-Mode anyway): the entry keeps its own
        with_channel_defaults(gateway, retry={"max_attempts": 9, "base_delay": 30, "max_delay": 60})
        for _ in range(2):  # nobody listens
            OutboxMessage.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())
            entry = services.attempt(entry.pk)
        assert entry.state == State.FAILED and entry.attempts == 2 and seen["failed"] == [entry.message_id]
        assert queued[-1][1]["countdown"] == pytest.approx(0.1)  # the stored policy, not the file's

        assert services.resend([entry]) == 1 and seen["resent"] == [entry.message_id]
        entry.refresh_from_db()
        assert entry.max_attempts == 4  # two more, as the stored policy says
        authority = FolderAccessPoint(load_file(gateway.authority_file), tmp_path / "inbox")
        with FlakyReceiver(authority, gateway.authority_port, ["ok"], slow_seconds=1) as receiver:
            assert services.sweep() == [entry.pk]
            entry = services.attempt(entry.pk)
        assert entry.state == State.ACKNOWLEDGED, entry.last_error
        assert seen["delivered"] == [entry.message_id]
        assert receiver.requests[0][0] == original
        assert [item["message_id"] for item in authority.received()] == [entry.message_id]
        assert {a.body_sha256 for a in entry.attempt_log.all()} == {entry.body_sha256}
    finally:
        signals.delivered.disconnect(receivers["delivered"])
        signals.delivery_failed.disconnect(receivers["failed"])
        signals.resent.disconnect(receivers["resent"])


def test_a_channel_with_the_wrong_certificate_gets_no_receipt(gateway, channel, pki, tmp_path, queued):
    """Encrypted for a certificate that is not the authority's: it cannot decrypt, nothing is evidence."""
    impostor = issue("authority-test impostor", pki.intermediate)
    entry = services.send(
        Package([Part(b"payload", "text/plain", "a.txt")]),
        pmode_from_channel({**channel, "certificate_pem": pem(impostor.certificate)}),
    )
    authority = FolderAccessPoint(load_file(gateway.authority_file), tmp_path / "inbox")
    with FlakyReceiver(authority, gateway.authority_port, ["ok"], slow_seconds=1):
        entry = services.attempt(entry.pk)
    # encrypted for the impostor's key: the real authority cannot decrypt it and says so
    assert entry.state in (State.FAILED, State.WAITING_FOR_RETRY) and entry.receipt is None
