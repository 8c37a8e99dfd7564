"""The time limits of an application at its authority, computed from its state history.

Services Directive art. 13: the processing period runs from the moment the application reaches the
authority (here: delivered); the authority may stop it while it waits for the applicant (more information
requested), and where the procedure says silence means approval, the application is tacitly approved when
the period ends without a decision. Days are calendar days.

:func:`compute_clock`: the clock starts at the first change to ``delivered`` (nothing before counts; never
delivered -> an empty :class:`Clock`). Every stretch spent in ``more_information_requested``
(:data:`CLOCK_STOPPED_IN`) is added to the deadlines: ``decision_due_at`` = start + processing time +
pauses, ``tacit_approval_at`` = start + the tacit-approval delay (else the processing time) + pauses, only
when the procedure has tacit approval. While the clock is stopped, ``stopped_since`` says since when, and
the current pause is not yet in the deadlines. ``closed_at`` is the last change to a decided state
(:data:`DECIDED`). ``due_at`` is the earlier of the two deadlines. The terms come from
``dossiers.snapshot.procedure_terms``: those the application started under, not the live page's.

A pure function of the history and the procedure's terms, so it can be recomputed at any time and gives
the same answer.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from portal.dossiers.states import ApplicationState

A = ApplicationState
CLOCK_STOPPED_IN = frozenset({A.MORE_INFORMATION_REQUESTED})
DECIDED = frozenset({A.APPROVED, A.REFUSED, A.TACITLY_APPROVED, A.WITHDRAWN})


@dataclass(frozen=True)
class Clock:
    started_at: datetime.datetime | None = None
    stopped_since: datetime.datetime | None = None
    decision_due_at: datetime.datetime | None = None
    tacit_approval_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None

    @property
    def due_at(self) -> datetime.datetime | None:
        deadlines = [when for when in (self.decision_due_at, self.tacit_approval_at) if when is not None]
        return min(deadlines) if deadlines else None


def compute_clock(changes: list[tuple[str, datetime.datetime]], terms: dict) -> Clock:
    """``changes``: (to_state, at) of the application, oldest first; ``terms``: from
    ``dossiers.snapshot.procedure_terms``."""
    started_at = stopped_since = closed_at = None
    stopped_for = datetime.timedelta(0)
    for to_state, at in changes:
        if started_at is None:
            if to_state == A.DELIVERED:
                started_at = at
            continue
        if stopped_since is not None and to_state not in CLOCK_STOPPED_IN:
            stopped_for += at - stopped_since
            stopped_since = None
        if to_state in CLOCK_STOPPED_IN and stopped_since is None:
            stopped_since = at
        if to_state in DECIDED:
            closed_at = at
    if started_at is None:
        return Clock()

    def after(days: int | None) -> datetime.datetime | None:
        return None if not days else started_at + datetime.timedelta(days=days) + stopped_for

    tacit_days = (
        (terms.get("tacit_approval_days") or terms.get("processing_time_days"))
        if terms.get("tacit_approval")
        else None
    )
    return Clock(
        started_at=started_at,
        stopped_since=stopped_since,
        decision_due_at=after(terms.get("processing_time_days")),
        tacit_approval_at=after(tacit_days),
        closed_at=closed_at,
    )
