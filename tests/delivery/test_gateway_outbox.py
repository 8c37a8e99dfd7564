"""The outbox against a real access point behind a flaky receiver on 127.0.0.1 (real HTTP, real
crypto). Attempts run in this process, one by one, so each state can be asserted; the queue is
observed, not run (the worker round trip is in test_gateway_worker.py)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.delivery import services, signals
from portal.delivery.access_point import FolderAccessPoint
from portal.delivery.as4 import codec
from portal.delivery.models import OutboxMessage
from portal.delivery.pmodes import load_file
from portal.delivery.services import Package, Part
from portal.delivery.tasks import send_message

from .flaky import FlakyReceiver

pytestmark = pytest.mark.django_db
State = OutboxMessage.State
ASIC = "application/vnd.etsi.asic-e+zip"


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """Tasks the outbox queues (retries), recorded instead of going to the broker."""
    calls: list[tuple] = []
    monkeypatch.setattr(send_message, "apply_async", lambda args, **kw: calls.append((args, kw)))
    monkeypatch.setattr(send_message, "delay", lambda *args: calls.append((args, {})))
    return calls


@pytest.fixture
def events() -> dict[str, list]:
    seen: dict[str, list] = {"delivered": [], "failed": []}

    def on_delivered(sender, message, **kwargs):
        seen["delivered"].append(message.message_id)

    def on_failed(sender, message, error, **kwargs):
        seen["failed"].append((message.message_id, error))

    signals.delivered.connect(on_delivered, weak=False)
    signals.delivery_failed.connect(on_failed, weak=False)
    yield seen
    signals.delivered.disconnect(on_delivered)
    signals.delivery_failed.disconnect(on_failed)


@pytest.fixture
def authority(gateway, tmp_path) -> FolderAccessPoint:
    return FolderAccessPoint(load_file(gateway.authority_file), tmp_path / "authority-inbox")


def package() -> Package:
    return Package(
        [Part(os.urandom(20_000), ASIC, "dossier.asice"), Part(b"<summary>ok</summary>", "application/xml")],
        original_sender="urn:eu:psc:applicant:1",
        final_recipient="urn:eu:psc:authority:be:1",
    )


def stored_bytes(entry: OutboxMessage) -> bytes:
    with entry.body.open("rb") as stored:
        return stored.read()


def make_due(entry: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())


def test_send_stores_the_bytes_once_and_queues_after_commit(
    gateway, django_capture_on_commit_callbacks, queued
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry = services.send(package(), "authority", reference="case-7")
    assert len(callbacks) == 1 and queued == [((entry.pk,), {})]
    entry.refresh_from_db()
    assert entry.state == State.PENDING and entry.attempts == 0 and entry.reference == "case-7"
    data = stored_bytes(entry)
    message_id, references = codec.sent_references(data, entry.content_type)
    assert message_id == entry.message_id and message_id.endswith("@psc.test")
    assert len(references) == 4  # Messaging, Body, two attachments
    # what the authority can read is what was packaged
    parsed = codec.receive(
        data,
        entry.content_type,
        truststore=gateway.authority().truststore,
        decryption_key=gateway.authority().key,
    )
    header = parsed.user_message.header
    assert header.action == "SubmitPackage" and header.final_recipient.value == "urn:eu:psc:authority:be:1"
    assert parsed.payloads[1].content == b"<summary>ok</summary>"


def test_a_flaky_receiver_gets_the_message_exactly_once(gateway, authority, queued, events):
    entry = services.send(package(), "authority")
    original = stored_bytes(entry)

    # 1. nobody listens
    entry = services.attempt(entry.pk)
    assert entry.state == State.WAITING_FOR_RETRY and entry.last_error_code == "EBMS:0005"
    assert entry.next_attempt_at > timezone.now()
    assert services.attempt(entry.pk).attempts == 1  # not due yet: nothing happens
    assert queued[-1][1]["countdown"] == pytest.approx(0.2)

    script = ["500", "slow", "drop", "unsigned", "forged", "garbage", "ok"]
    with FlakyReceiver(authority, gateway.authority_port, script, slow_seconds=4) as receiver:
        outcomes = []
        for _ in script:
            make_due(entry)
            entry = services.attempt(entry.pk)
            outcomes.append((entry.state, entry.last_error_code))
    assert outcomes[:-1] == [
        (State.WAITING_FOR_RETRY, "EBMS:0005"),  # HTTP 500, no ebMS answer
        (State.WAITING_FOR_RETRY, "EBMS:0005"),  # read timeout
        (State.WAITING_FOR_RETRY, "EBMS:0005"),  # connection dropped after reading
        (State.WAITING_FOR_RETRY, "EBMS:0103"),  # unsigned receipt: policy says signed
        (State.WAITING_FOR_RETRY, "EBMS:0101"),  # receipt whose signature no longer verifies
        (State.WAITING_FOR_RETRY, "EBMS:0302"),  # not a receipt at all
    ]
    assert outcomes[-1][0] == State.ACKNOWLEDGED
    assert entry.attempts == 8
    # every attempt carried the very same bytes, hence the same MessageId
    assert [body for body, _ in receiver.requests] == [original] * 7
    assert {ctype for _, ctype in receiver.requests} == {entry.content_type}
    assert set(entry.attempt_log.values_list("body_sha256", flat=True)) == {entry.body_sha256}
    # the authority stored it once (the first time it read it), with every payload intact
    received = authority.received()
    assert [r["message_id"] for r in received] == [entry.message_id]
    assert [p["size"] for p in received[0]["payloads"]] == [20_000, len(b"<summary>ok</summary>")]
    # the receipt kept as evidence is the authority's original one, and verifies
    folder = authority.message_folder(entry.message_id)
    assert bytes(entry.receipt) == (folder / "receipt.xml").read_bytes()
    proof = codec.verify_receipt(
        bytes(entry.receipt),
        entry.receipt_content_type,
        sent_message_id=entry.message_id,
        sent=codec.sent_references(original, entry.content_type)[1],
        truststore=gateway.portal().truststore,
    )
    assert proof.signature.certificate == gateway.authority().key.certificate
    assert events == {"delivered": [entry.message_id], "failed": []}


def test_backoff_grows_to_its_cap_then_the_message_fails_and_can_be_resent(
    gateway, authority, queued, events
):
    entry = services.send(package(), "authority")
    delays = []
    for _ in range(8):
        make_due(entry)
        before = timezone.now()
        entry = services.attempt(entry.pk)
        if entry.state == State.WAITING_FOR_RETRY:
            delays.append(round((entry.next_attempt_at - before).total_seconds(), 1))
    assert delays == [0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0]  # base 0.2 s, x2, capped at 1 s
    assert entry.state == State.FAILED and entry.attempts == 8
    assert "after 8 attempts" in entry.last_error
    assert events["failed"] == [(entry.message_id, entry.last_error)]
    assert services.attempt(entry.pk).attempts == 8  # failed is final until someone resends

    assert services.resend(OutboxMessage.objects.filter(pk=entry.pk)) == 1
    entry.refresh_from_db()
    assert entry.state == State.WAITING_FOR_RETRY and entry.max_attempts == 16
    with FlakyReceiver(authority, gateway.authority_port, ["ok"], slow_seconds=0) as receiver:
        entry = services.attempt(entry.pk)
    assert entry.state == State.ACKNOWLEDGED
    assert receiver.requests[0][0] == stored_bytes(entry)
    assert events["delivered"] == [entry.message_id]


def test_a_partner_that_refuses_ends_failed_at_once(gateway, pki, tmp_path, queued, events):
    # another access point at the endpoint cannot decrypt (EBMS:0102): retrying the same bytes cannot help
    stranger = FolderAccessPoint(load_file(gateway.stranger_file), tmp_path / "stranger-inbox")
    entry = services.send(package(), "authority")
    with FlakyReceiver(stranger, gateway.authority_port, ["ok"], slow_seconds=0):
        entry = services.attempt(entry.pk)
    assert entry.state == State.FAILED and entry.last_error_code == "EBMS:0102"
    assert entry.attempt_log.get().http_status == 400
    assert stranger.received() == [] and queued == []
    assert [m for m, _ in events["failed"]] == [entry.message_id]


def test_sweep_queues_due_entries_and_recovers_interrupted_attempts(gateway, queued, settings):
    due = services.send(package(), "authority")
    later = services.send(package(), "authority")
    OutboxMessage.objects.filter(pk=later.pk).update(
        state=State.WAITING_FOR_RETRY, next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    stuck = services.send(package(), "authority")
    OutboxMessage.objects.filter(pk=stuck.pk).update(
        state=State.SENT,
        last_attempt_at=timezone.now() - timedelta(seconds=settings.DELIVERY_STALE_ATTEMPT_SECONDS + 1),
    )
    assert sorted(services.sweep()) == sorted([due.pk, stuck.pk])
    assert OutboxMessage.objects.get(pk=stuck.pk).state == State.WAITING_FOR_RETRY
    assert OutboxMessage.objects.get(pk=later.pk).state == State.WAITING_FOR_RETRY


def test_changed_stored_bytes_are_never_sent(gateway, queued, events):
    entry = services.send(package(), "authority")
    with entry.body.storage.open(entry.body.name, "wb") as stored:
        stored.write(b"tampered")
    entry = services.attempt(entry.pk)
    assert entry.state == State.FAILED and "digest mismatch" in entry.last_error


def test_an_unknown_pmode_is_refused_before_anything_is_stored(gateway, queued):
    from portal.delivery.pmodes import PModeError

    with pytest.raises(PModeError, match="no P-Mode 'elsewhere'"):
        services.send(package(), "elsewhere")
    assert OutboxMessage.objects.count() == 0 and queued == []
