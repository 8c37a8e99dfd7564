"""Reads of the back-office. Every read is scoped in the query by the authorities the user works for:
another authority's application is not in the queryset, so looking it up answers 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from statistics import median

from django.db.models import Count, F, QuerySet
from django.http import Http404
from django.urls import reverse

from portal.accounts.models import AuthorityMembership, AuthorityRole
from portal.accounts.selectors import authorities_of
from portal.backoffice.models import Case
from portal.dossiers.documents import usable_documents
from portal.dossiers.models import Application, ApplicationMessage, StateChange
from portal.dossiers.states import ApplicationState

A = ApplicationState
# what the back-office shows: from delivery on (earlier states are the applicant's and the pipeline's)
BACKOFFICE_STATES = (
    A.DELIVERED,
    A.RECEIVED,
    A.IN_REVIEW,
    A.MORE_INFORMATION_REQUESTED,
    A.APPROVED,
    A.REFUSED,
    A.TACITLY_APPROVED,
    A.WITHDRAWN,
)
OPEN_STATES = (A.DELIVERED, A.RECEIVED, A.IN_REVIEW, A.MORE_INFORMATION_REQUESTED)
BACKOFFICE_CHANNEL = "backoffice"


def is_backoffice_application(application: Application) -> bool:
    """Whether the portal's back-office is this application's channel (not the authority's own AS4
    access point)."""
    authority = application.procedure_snapshot.get("authority") or {}
    channel = authority.get("delivery_channel") or {}
    return bool(authority.get("identifier")) and channel.get("transport") == BACKOFFICE_CHANNEL


def cases_for(user) -> QuerySet[Case]:
    """Every case of the authorities the user works for, nothing else (none for anyone else)."""
    identifiers = list(authorities_of(user))
    return (
        Case.objects.filter(authority_identifier__in=identifiers, application__state__in=BACKOFFICE_STATES)
        .select_related("application", "application__dossier", "application__dossier__owner", "assignee")
        .order_by(F("due_at").asc(nulls_last=True), "application__created_at", "id")
    )


def inbox(user, *, state: str | None = None, assigned_to_me: bool = False) -> QuerySet[Case]:
    """The user's inbox: open cases (or those in ``state``), the nearest deadline first."""
    cases = cases_for(user)
    cases = (
        cases.filter(application__state=state) if state else cases.filter(application__state__in=OPEN_STATES)
    )
    if assigned_to_me:
        cases = cases.filter(assignee=user)
    return cases


def case_for(user, application_public_id) -> Case:
    """The case of this application if the user works for its authority; Http404 otherwise."""
    case = cases_for(user).filter(application__public_id=application_public_id).first()
    if case is None:
        raise Http404("No such application in your authorities' inbox.")
    return case


class Action(StrEnum):
    """What staff do on a case; ``APPROVE`` and ``REFUSE`` are the two ways to decide."""

    ACKNOWLEDGE = "acknowledge"
    TAKE = "take"
    REASSIGN = "reassign"
    REQUEST_INFORMATION = "request_information"
    APPROVE = "approve"
    REFUSE = "refuse"


class Refusal(StrEnum):
    """Why an action is not available (the services turn it into their error)."""

    NOT_MEMBER = "not_member"  # not staff of the case's authority
    NOT_SUPERVISOR = "not_supervisor"
    NOT_HANDLER = "not_handler"  # neither the assignee nor a supervisor
    ASSIGNED_ELSEWHERE = "assigned_elsewhere"  # a clerk taking a colleague's application
    STATE = "state"  # not in this state
    DONE = "done"  # already in review and assigned to this user: taking it again changes nothing


REVIEWABLE_STATES = (A.DELIVERED, A.RECEIVED, A.IN_REVIEW, A.MORE_INFORMATION_REQUESTED)
DECISION_ACTIONS = {A.APPROVED: Action.APPROVE, A.REFUSED: Action.REFUSE}


@dataclass(frozen=True)
class CaseActions:
    """What one user may do on one case now, and why not for everything else."""

    role: str | None
    refusals: dict[Action, Refusal] = field(default_factory=dict)

    @property
    def available(self) -> frozenset[Action]:
        return frozenset(action for action in Action if action not in self.refusals)

    def __contains__(self, action: object) -> bool:
        return action in self.available

    def refusal(self, action: Action) -> Refusal | None:
        return self.refusals.get(action)

    # what the detail page asks
    @property
    def acknowledge(self) -> bool:
        return Action.ACKNOWLEDGE in self

    @property
    def take(self) -> bool:
        return Action.TAKE in self

    @property
    def reassign(self) -> bool:
        return Action.REASSIGN in self

    @property
    def request_information(self) -> bool:
        return Action.REQUEST_INFORMATION in self

    @property
    def decide(self) -> bool:
        return Action.APPROVE in self or Action.REFUSE in self

    @property
    def any(self) -> bool:
        return bool(self.available)


def available_actions(case: Case, user) -> CaseActions:
    """THE rules of who may do what on a case in which state, for the page (which buttons) and the
    services (which refuse anything else).

    Any member of the authority acknowledges receipt of a delivered application and takes an
    application into review (it is then assigned to them); a clerk cannot take one assigned to a
    colleague. The assignee, or a supervisor, asks for more information (in review) and decides
    (approval in review; refusal also while waiting for the applicant). A supervisor reassigns open
    applications."""
    role = role_in(user, case)
    if role is None:
        return CaseActions(role=None, refusals={action: Refusal.NOT_MEMBER for action in Action})
    state = case.application.state
    supervisor = role == AuthorityRole.SUPERVISOR
    mine = case.assignee_id is not None and case.assignee_id == user.pk
    handler = supervisor or mine
    refusals: dict[Action, Refusal] = {}
    if state != A.DELIVERED:
        refusals[Action.ACKNOWLEDGE] = Refusal.STATE
    if case.assignee_id is not None and not mine and not supervisor:
        refusals[Action.TAKE] = Refusal.ASSIGNED_ELSEWHERE
    elif state not in REVIEWABLE_STATES:
        refusals[Action.TAKE] = Refusal.STATE
    elif mine and state in (A.IN_REVIEW, A.MORE_INFORMATION_REQUESTED):
        refusals[Action.TAKE] = Refusal.DONE
    if not supervisor:
        refusals[Action.REASSIGN] = Refusal.NOT_SUPERVISOR
    elif state not in OPEN_STATES:
        refusals[Action.REASSIGN] = Refusal.STATE
    decision_states = {
        Action.REQUEST_INFORMATION: (A.IN_REVIEW,),
        Action.APPROVE: (A.IN_REVIEW,),
        Action.REFUSE: (A.IN_REVIEW, A.MORE_INFORMATION_REQUESTED),
    }
    for action, states in decision_states.items():
        if not handler:
            refusals[action] = Refusal.NOT_HANDLER
        elif state not in states:
            refusals[action] = Refusal.STATE
    return CaseActions(role=role, refusals=refusals)


def role_in(user, case: Case) -> str | None:
    return authorities_of(user).get(case.authority_identifier)


def colleagues(case: Case) -> QuerySet[AuthorityMembership]:
    """Who may be assigned the case: the members of its authority."""
    return (
        AuthorityMembership.objects.filter(
            authority_identifier=case.authority_identifier, user__is_active=True
        )
        .select_related("user")
        .order_by("user__email")
    )


def application_history(case: Case) -> QuerySet[StateChange]:
    return case.application.state_changes.select_related("actor").order_by("at", "id")


def correspondence(case: Case) -> QuerySet[ApplicationMessage]:
    return case.application.messages.select_related("author").order_by("created_at", "id")


def attached_documents(application: Application) -> list[dict]:
    """The documents the applicant sent with the application (``name``, ``url``, ``size``, ``signed``)."""
    return [
        {
            "name": document.display_name,
            "url": reverse("backoffice:document", args=[application.public_id, document.public_id]),
            "size": document.size,
            "signed": document.signed,
        }
        for document in usable_documents(application)
    ]


def attached_document(application: Application, document_id):
    """One of the documents the applicant sent with the application; Http404 for any other."""
    for document in usable_documents(application):
        if str(document.public_id) == str(document_id):
            return document
    raise Http404("No such document on this application.")


def staff_may_view_report(user, report) -> bool:
    """Signing's report access rule: staff see the validation report of an application delivered to
    their authority."""
    identifiers = list(authorities_of(user))
    if not identifiers:
        return False
    return Case.objects.filter(
        authority_identifier__in=identifiers, application__signing_request__report=report
    ).exists()


# --- Statistics -------------------------------------------------------------------------------

CLOSED_STATES = (A.APPROVED, A.REFUSED, A.TACITLY_APPROVED, A.WITHDRAWN)


@dataclass(frozen=True)
class AuthorityFigures:
    """One authority's workload now and its decisions since a date."""

    identifier: str
    name: str
    open_by_state: list[tuple[str, int]]
    overdue: int
    due_soon: int
    closed_by_state: list[tuple[str, int]]
    decided: int  # approved or refused by a person
    decided_in_time: int
    median_days_to_close: float | None

    @property
    def open_total(self) -> int:
        return sum(count for _label, count in self.open_by_state)

    @property
    def closed_total(self) -> int:
        return sum(count for _label, count in self.closed_by_state)


def statistics(user, *, since: datetime, now: datetime, warn_before: datetime) -> list[AuthorityFigures]:
    """The figures of every authority the user works for (scoped like every back-office read)."""
    figures = []
    for identifier in sorted(authorities_of(user)):
        cases = Case.objects.filter(authority_identifier=identifier, application__state__in=BACKOFFICE_STATES)
        open_cases = cases.filter(application__state__in=OPEN_STATES)
        open_counts = dict(
            open_cases.order_by()
            .values("application__state")
            .annotate(count=Count("id"))
            .values_list("application__state", "count")
        )
        running = open_cases.filter(clock_stopped_since__isnull=True, due_at__isnull=False)
        closed = cases.filter(application__state__in=CLOSED_STATES, closed_at__gte=since)
        closed_rows = list(
            closed.values_list("application__state", "clock_started_at", "closed_at", "decision_due_at")
        )
        decided = [row for row in closed_rows if row[0] in (A.APPROVED, A.REFUSED)]
        durations = sorted(
            (closed_at - started).total_seconds() / 86400
            for state, started, closed_at, _due in closed_rows
            if started and closed_at and state != A.WITHDRAWN
        )
        figures.append(
            AuthorityFigures(
                identifier=identifier,
                name=_authority_name(identifier),
                open_by_state=[(state.label, open_counts.get(state, 0)) for state in OPEN_STATES],
                overdue=running.filter(due_at__lte=now).count(),
                due_soon=running.filter(due_at__gt=now, due_at__lte=warn_before).count(),
                closed_by_state=[
                    (state.label, sum(1 for row in closed_rows if row[0] == state)) for state in CLOSED_STATES
                ],
                decided=len(decided),
                decided_in_time=sum(
                    1 for _s, _st, closed_at, due in decided if due is None or closed_at <= due
                ),
                median_days_to_close=median(durations) if durations else None,
            )
        )
    return figures


def _authority_name(identifier: str) -> str:
    """As the applications delivered to it name it (their snapshots), else its identifier."""
    latest = (
        Application.objects.filter(backoffice_case__authority_identifier=identifier)
        .order_by("-id")
        .values_list("procedure_snapshot", flat=True)
        .first()
    )
    return ((latest or {}).get("authority") or {}).get("name") or identifier
