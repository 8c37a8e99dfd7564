"""Writes of the back-office: the case's clock, assignment, requests for information and decisions.

Every action asks ``selectors.available_actions`` — the one place with the rules, which the pages
also use to offer only what is allowed — on the locked case, and refuses what it does not give. Roles: a clerk acknowledges receipt, takes an application into
review (it is then assigned to them) and, on the applications assigned to them, asks for more
information and decides; a supervisor can do all of that on any application of their authority and
reassigns applications between its members. State changes go through ``dossiers.services``."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.selectors import is_member
from portal.backoffice.clock import compute_clock
from portal.backoffice.models import Case
from portal.backoffice.selectors import (
    BACKOFFICE_CHANNEL,
    BACKOFFICE_STATES,
    DECISION_ACTIONS,
    Action,
    Refusal,
    available_actions,
    colleagues,
    is_backoffice_application,
)
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Application, ApplicationMessage, StateChange
from portal.dossiers.notifications import notify_applicant
from portal.dossiers.snapshot import procedure_terms
from portal.dossiers.states import ApplicationState, IllegalTransition

A = ApplicationState
logger = logging.getLogger(__name__)
TACIT_APPROVAL_ACTOR = "tacit-approval clock"


class BackofficeError(Exception):
    """An action that cannot be done now (state, assignment); nothing was changed. Meant for the user."""


# --- The case and its clock -------------------------------------------------------------------


def sync_case(application: Application) -> Case | None:
    """Open or update the case of an application delivered to the back-office, its clock recomputed
    from the state history. None for applications that are not the back-office's."""
    existing = Case.objects.filter(application=application).first()
    if existing is None and not (
        is_backoffice_application(application) and application.state in BACKOFFICE_STATES
    ):
        return None
    changes = list(application.state_changes.order_by("at", "id").values_list("to_state", "at"))
    clock = compute_clock(changes, procedure_terms(application.procedure_snapshot))
    values = {
        "clock_started_at": clock.started_at,
        "clock_stopped_since": clock.stopped_since,
        "decision_due_at": clock.decision_due_at,
        "tacit_approval_at": clock.tacit_approval_at,
        "due_at": clock.due_at,
        "closed_at": clock.closed_at,
    }
    if existing is None:
        identifier = application.procedure_snapshot["authority"]["identifier"]
        case, _created = Case.objects.get_or_create(
            application=application, defaults={"authority_identifier": identifier, **values}
        )
        return case
    if existing.tacit_approval_at != clock.tacit_approval_at:
        values["tacit_warning_sent_at"] = None  # the time moved: warn again before the new one
    for field, value in values.items():
        setattr(existing, field, value)
    existing.save(update_fields=[*values, "updated_at"])
    return existing


def open_missing_cases() -> int:
    """Cases for back-office applications that have none (delivered before this block was installed,
    or while its receiver failed); returns how many were opened."""
    missing = Application.objects.filter(
        state__in=BACKOFFICE_STATES,
        backoffice_case__isnull=True,
        procedure_snapshot__authority__delivery_channel__transport=BACKOFFICE_CHANNEL,
    )
    opened = 0
    for application in missing.iterator():
        with transaction.atomic():
            if sync_case(application) is not None:
                opened += 1
    return opened


# --- Who may do what (the rules: selectors.available_actions) --------------------------------


def _require_member(actor, case: Case) -> None:
    if available_actions(case, actor).role is None:
        raise PermissionDenied("Not a member of this application's authority.")


def _require(case: Case, actor, action: Action) -> bool:
    """Raise the error for an action ``available_actions`` does not give the actor on this case;
    False when the action would change nothing (taking one's own application again)."""
    refusal = available_actions(case, actor).refusal(action)
    if refusal is None:
        return True
    state = case.application.get_state_display()
    match refusal:
        case Refusal.NOT_MEMBER:
            raise PermissionDenied("Not a member of this application's authority.")
        case Refusal.NOT_SUPERVISOR:
            raise PermissionDenied("Only a supervisor reassigns applications.")
        case Refusal.NOT_HANDLER:
            raise PermissionDenied("Only the assigned clerk or a supervisor may do this.")
        case Refusal.ASSIGNED_ELSEWHERE:
            raise BackofficeError(
                _("This application is assigned to %(person)s. Ask a supervisor to reassign it.")
                % {"person": case.assignee}
            )
        case Refusal.DONE:
            return False
    match action:
        case Action.TAKE:
            message = _("This application is “%(state)s”: there is nothing left to review.")
        case Action.REQUEST_INFORMATION:
            raise BackofficeError(_("Take the application into review before asking for more information."))
        case Action.APPROVE | Action.REFUSE:
            message = _("This application is “%(state)s”: it cannot be decided now.")
        case _:
            message = _("This application is now “%(state)s”: it cannot be changed that way.")
    raise BackofficeError(message % {"state": state})


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update().select_related("application", "application__dossier").get(pk=case.pk)
    )


def _transition(case: Case, to_state: str, *, actor, reason: str) -> StateChange:
    try:
        return dossier_services.transition(case.application, to_state, actor=actor, reason=reason)
    except IllegalTransition:
        raise BackofficeError(
            _("This application is now “%(state)s”: it cannot be changed that way.")
            % {"state": case.application.get_state_display()}
        ) from None


# --- Actions ----------------------------------------------------------------------------------


@transaction.atomic
def acknowledge_receipt(case: Case, *, actor) -> Case:
    """delivered -> received; the applicant gets the acknowledgement with the time limits (Services
    Directive art. 13(5))."""
    _require_member(actor, case)
    case = _locked(case)
    _require(case, actor, Action.ACKNOWLEDGE)
    change = _transition(case, A.RECEIVED, actor=actor, reason="Receipt acknowledged by the authority.")
    case.refresh_from_db()
    _notify_applicant(
        case,
        "received",
        "backoffice/email/received.txt",
        gettext_lazy("Your application was received"),
        state_change=change,
    )
    return case


@transaction.atomic
def take_into_review(case: Case, *, actor) -> Case:
    """Assign the application to the actor and, if it was not yet in review, put it in review.

    A clerk cannot take an application assigned to someone else: a supervisor reassigns it. Taking
    one's own application in review again changes nothing."""
    _require_member(actor, case)
    case = _locked(case)
    if not _require(case, actor, Action.TAKE):
        return case
    if case.application.state in (A.DELIVERED, A.RECEIVED):
        _transition(case, A.IN_REVIEW, actor=actor, reason="Taken into review.")
    case.refresh_from_db()
    case.assignee, case.assigned_at = actor, timezone.now()
    case.save(update_fields=["assignee", "assigned_at", "updated_at"])
    return case


@transaction.atomic
def reassign(case: Case, *, actor, assignee) -> Case:
    """A supervisor gives an open application to another member of the authority."""
    _require(case, actor, Action.REASSIGN)
    if assignee is None or not is_member(assignee, case.authority_identifier):
        raise BackofficeError(_("Choose a member of your authority."))
    case = _locked(case)
    _require(case, actor, Action.REASSIGN)  # on the locked row: the state may just have changed
    case.assignee, case.assigned_at = assignee, timezone.now()
    case.save(update_fields=["assignee", "assigned_at", "updated_at"])
    return case


@transaction.atomic
def request_information(case: Case, *, actor, message: str) -> ApplicationMessage:
    """Ask the applicant for more information: the clock stops until they reply."""
    _require_member(actor, case)
    case = _locked(case)
    _require(case, actor, Action.REQUEST_INFORMATION)  # on the locked row: the assignment may have changed
    try:
        sent = dossier_services.record_message(
            case.application,
            kind=ApplicationMessage.Kind.INFORMATION_REQUEST,
            body=message,
            author=actor,
            to_state=A.MORE_INFORMATION_REQUESTED,
            reason="The authority asked for more information.",
        )
    except dossier_services.DossierError as error:
        raise BackofficeError(str(error)) from None
    except IllegalTransition:
        raise BackofficeError(
            _("Take the application into review before asking for more information.")
        ) from None
    _notify_applicant(
        case,
        f"information_requested:{sent.pk}",
        "backoffice/email/information_requested.txt",
        gettext_lazy("The authority needs more information"),
        sent,
    )
    return sent


DECISIONS = {A.APPROVED: "approved", A.REFUSED: "refused"}


@transaction.atomic
def decide(case: Case, *, actor, outcome: str, reasons: str) -> ApplicationMessage:
    """Approve or refuse, with the reasons the applicant reads (and, for a refusal, how to appeal)."""
    _require_member(actor, case)
    if outcome not in DECISIONS:
        raise BackofficeError(_("Choose whether to approve or refuse the application."))
    case = _locked(case)
    _require(case, actor, DECISION_ACTIONS[outcome])  # on the locked row: the assignment may have changed
    try:
        decision = dossier_services.record_message(
            case.application,
            kind=ApplicationMessage.Kind.DECISION,
            body=reasons,
            author=actor,
            to_state=outcome,
            reason=f"Decision: {DECISIONS[outcome]}.",
        )
    except dossier_services.DossierError as error:
        raise BackofficeError(str(error)) from None
    except IllegalTransition:
        raise BackofficeError(_("This application cannot be decided now.")) from None
    _notify_applicant(
        case,
        "decided",
        "backoffice/email/decision.txt",
        gettext_lazy("The authority decided on your application"),
        decision,
    )
    return decision


# --- The tacit-approval clock (beat) ----------------------------------------------------------


def apply_tacit_approvals(now=None) -> list[str]:
    """Tacitly approve every back-office application whose tacit-approval time has passed without a
    decision (and whose clock runs: not while the authority waits for the applicant). Each in its own
    transaction; a case decided meanwhile is left alone. Returns the public ids approved."""
    now = now or timezone.now()
    open_missing_cases()
    due = Case.objects.filter(
        tacit_approval_at__lte=now,
        clock_stopped_since__isnull=True,
        application__state__in=(A.DELIVERED, A.RECEIVED, A.IN_REVIEW),
    ).values_list("pk", flat=True)
    approved = []
    for pk in list(due):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update()
                .select_related("application", "application__dossier")
                .get(pk=pk)
            )
            if case.tacit_approval_at is None or case.tacit_approval_at > now:
                continue
            try:
                change = dossier_services.transition(
                    case.application,
                    A.TACITLY_APPROVED,
                    system_actor=TACIT_APPROVAL_ACTOR,
                    reason=f"No decision by the tacit-approval time {case.tacit_approval_at.isoformat()}.",
                )
            except IllegalTransition:
                continue  # decided or withdrawn meanwhile
            case.refresh_from_db()
            _notify_applicant(
                case,
                "decided",
                "backoffice/email/tacitly_approved.txt",
                gettext_lazy("Your application is approved"),
                state_change=change,
            )
            approved.append(str(case.application.public_id))
    if approved:
        logger.info("Tacitly approved %s application(s): %s", len(approved), ", ".join(approved))
    return approved


def warn_of_tacit_approvals(now=None) -> int:
    """E-mail the staff of each open case whose tacit approval comes within
    ``BACKOFFICE_TACIT_WARNING_DAYS``: the assignee, or every member of the authority while nobody is
    assigned. Once per tacit-approval time (checkpointed on the case). Returns how many cases."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=settings.BACKOFFICE_TACIT_WARNING_DAYS)
    due = Case.objects.filter(
        tacit_approval_at__gt=now,
        tacit_approval_at__lte=horizon,
        tacit_warning_sent_at__isnull=True,
        clock_stopped_since__isnull=True,
        application__state__in=(A.DELIVERED, A.RECEIVED, A.IN_REVIEW),
    ).values_list("pk", flat=True)
    warned = 0
    for pk in list(due):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("application", "assignee")
                .get(pk=pk)
            )
            if case.tacit_warning_sent_at is not None:
                continue
            if case.assignee is not None:
                people = [case.assignee]
            else:
                people = [membership.user for membership in colleagues(case)]
            for person in people:
                _warn_staff(case, person)
            case.tacit_warning_sent_at = now
            case.save(update_fields=["tacit_warning_sent_at", "updated_at"])
            warned += 1
    return warned


def _warn_staff(case: Case, person) -> None:
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        link = settings.PORTAL_BASE_URL + reverse("backoffice:detail", args=[case.application.public_id])
        title = case.application.procedure_snapshot.get("title", "")
        body = render_to_string(
            "backoffice/email/tacit_warning.txt",
            {"case": case, "procedure": title, "link": link},
        )
        send_mail(f"{gettext_lazy('Tacit approval is near')}: {title}", body, None, [person.email])


# --- E-mail to the applicant ------------------------------------------------------------------


def _notify_applicant(
    case: Case,
    key: str,
    template: str,
    subject,
    message: ApplicationMessage | None = None,
    state_change: StateChange | None = None,
) -> None:
    """E-mail the applicant once per ``key`` (checkpointed; queued: sent by a worker after commit)."""
    application = case.application
    notify_applicant(
        application,
        key=key,
        subject=format_lazy("{}: %(procedure)s", subject),
        template=template,
        context={"case": case, "terms": procedure_terms(application.procedure_snapshot), "message": message},
        state_change=state_change,
    )
