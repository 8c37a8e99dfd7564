"""Reads of the back-office. Every read is scoped in the query by the authorities the user works for:
another authority's application is not in the queryset, so looking it up answers 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from django.db.models import Count, F, QuerySet
from django.http import Http404
from django.urls import reverse

from portal.accounts.models import AuthorityMembership, AuthorityRole
from portal.accounts.selectors import authorities_of, is_member
from portal.backoffice.models import Case
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


def role_in(user, case: Case) -> str | None:
    return authorities_of(user).get(case.authority_identifier)


def is_supervisor(user, case: Case) -> bool:
    return is_member(user, case.authority_identifier, AuthorityRole.SUPERVISOR)


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
    from portal.dossiers.documents import usable_documents

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
    from portal.dossiers.documents import usable_documents

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
