"""The tacit-approval clock as a pure function of the state history and the procedure's terms."""

from __future__ import annotations

import datetime

from portal.backoffice.clock import compute_clock
from portal.dossiers.states import ApplicationState as A

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
TERMS = {"processing_time_days": 30, "tacit_approval": True, "tacit_approval_days": 20}


def at(days: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=days)


def test_no_clock_before_delivery():
    clock = compute_clock([(A.QUEUED_FOR_DELIVERY, T0)], TERMS)
    assert clock.started_at is None and clock.due_at is None


def test_clock_starts_on_delivery():
    clock = compute_clock([(A.QUEUED_FOR_DELIVERY, at(-1)), (A.DELIVERED, T0), (A.RECEIVED, at(1))], TERMS)
    assert clock.started_at == T0
    assert clock.decision_due_at == at(30)
    assert clock.tacit_approval_at == at(20)
    assert clock.due_at == at(20)
    assert clock.stopped_since is None and clock.closed_at is None


def test_waiting_for_the_applicant_stops_the_clock_and_the_wait_is_added():
    changes = [(A.DELIVERED, T0), (A.IN_REVIEW, at(2)), (A.MORE_INFORMATION_REQUESTED, at(5))]
    stopped = compute_clock(changes, TERMS)
    assert stopped.stopped_since == at(5)
    assert stopped.tacit_approval_at == at(20)  # the running stop is added when it ends

    resumed = compute_clock([*changes, (A.IN_REVIEW, at(12.5))], TERMS)
    assert resumed.stopped_since is None
    assert resumed.tacit_approval_at == at(27.5)
    assert resumed.decision_due_at == at(37.5)

    twice = compute_clock(
        [*changes, (A.IN_REVIEW, at(12.5)), (A.MORE_INFORMATION_REQUESTED, at(13)), (A.IN_REVIEW, at(14))],
        TERMS,
    )
    assert twice.tacit_approval_at == at(28.5)


def test_a_decision_closes_the_clock():
    clock = compute_clock([(A.DELIVERED, T0), (A.IN_REVIEW, at(1)), (A.REFUSED, at(3))], TERMS)
    assert clock.closed_at == at(3)


def test_tacit_approval_without_its_own_delay_uses_the_processing_time():
    clock = compute_clock([(A.DELIVERED, T0)], {"processing_time_days": 15, "tacit_approval": True})
    assert clock.tacit_approval_at == at(15) == clock.decision_due_at


def test_without_tacit_approval_or_time_limit_there_is_no_deadline():
    assert compute_clock([(A.DELIVERED, T0)], {"processing_time_days": 10}).tacit_approval_at is None
    assert compute_clock([(A.DELIVERED, T0)], {}).due_at is None
