"""Back-office services: cases follow the lifecycle, roles are checked, the applicant is told, the clock
stops and resumes, tacit approval happens by itself."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.accounts.selectors import authorities_of, is_member, mfa_required
from portal.backoffice import services
from portal.backoffice.models import Case
from portal.dossiers import services as dossier_services
from portal.dossiers.models import ApplicationMessage, StateChange
from portal.dossiers.states import ApplicationState as A
from tests.backoffice.conftest import AUTHORITY_A, AUTHORITY_B, submitted_application

pytestmark = pytest.mark.django_db


def test_membership_selectors(clerk_a, supervisor_a, entrepreneur_x):
    assert authorities_of(clerk_a) == {AUTHORITY_A: "clerk"}
    assert is_member(clerk_a, AUTHORITY_A) and is_member(clerk_a, AUTHORITY_A, "clerk")
    assert not is_member(clerk_a, AUTHORITY_A, "supervisor")
    assert is_member(supervisor_a, AUTHORITY_A, "clerk")  # a supervisor can do what a clerk does
    assert not is_member(clerk_a, AUTHORITY_B)
    assert authorities_of(entrepreneur_x) == {}
    assert mfa_required(clerk_a) and not mfa_required(entrepreneur_x)


def test_a_delivered_backoffice_application_opens_a_case_with_its_clock(entrepreneur_x):
    application = submitted_application(entrepreneur_x, AUTHORITY_A)
    case = Case.objects.get(application=application)
    delivered_at = application.state_changes.get(to_state=A.DELIVERED).at
    assert case.authority_identifier == AUTHORITY_A
    assert case.clock_started_at == delivered_at
    assert case.tacit_approval_at == delivered_at + datetime.timedelta(days=30) == case.due_at


def test_an_application_delivered_over_as4_is_not_the_backoffices(entrepreneur_x):
    application = submitted_application(entrepreneur_x, AUTHORITY_A, transport="as4")
    assert not Case.objects.filter(application=application).exists()
    assert services.open_missing_cases() == 0


def test_missing_cases_are_opened_by_the_sweep(entrepreneur_x):
    application = submitted_application(entrepreneur_x, AUTHORITY_A)
    Case.objects.all().delete()
    assert services.open_missing_cases() == 1
    assert Case.objects.get(application=application).clock_started_at is not None


def test_acknowledge_tells_the_applicant_the_time_limits(entrepreneur_x, clerk_a, mailoutbox):
    case = submitted_application(entrepreneur_x, AUTHORITY_A).backoffice_case
    services.acknowledge_receipt(case, actor=clerk_a)
    case.refresh_from_db()
    assert case.application.state == A.RECEIVED
    assert StateChange.objects.filter(
        application=case.application, to_state=A.RECEIVED, actor=clerk_a
    ).exists()
    (email,) = mailoutbox
    assert email.to == ["ana@example.pt"]
    assert "Chamber of Crafts received your application" in email.body
    assert "tacit approval" in email.body and "Administrative Court of Aurelia" in email.body
    assert (
        f"/en/dossiers/{case.application.dossier.public_id}/applications/{case.application.public_id}/"
        in email.body
    )


def test_staff_of_another_authority_cannot_act(entrepreneur_x, clerk_b):
    case = submitted_application(entrepreneur_x, AUTHORITY_A).backoffice_case
    with pytest.raises(PermissionDenied):
        services.acknowledge_receipt(case, actor=clerk_b)
    with pytest.raises(PermissionDenied):
        services.take_into_review(case, actor=clerk_b)
    case.application.refresh_from_db()
    assert case.application.state == A.DELIVERED


def test_take_into_review_assigns_and_a_clerk_cannot_take_a_colleagues(entrepreneur_x, clerk_a, supervisor_a):
    from tests.factories import AuthorityStaffFactory

    other_clerk = AuthorityStaffFactory(memberships={AUTHORITY_A: "clerk"})
    case = submitted_application(entrepreneur_x, AUTHORITY_A).backoffice_case
    case = services.take_into_review(case, actor=clerk_a)
    assert case.application.state == A.IN_REVIEW and case.assignee == clerk_a
    with pytest.raises(services.BackofficeError, match="assigned to"):
        services.take_into_review(case, actor=other_clerk)
    with pytest.raises(PermissionDenied):
        services.request_information(case, actor=other_clerk, message="Send your diploma.")
    with pytest.raises(PermissionDenied):
        services.reassign(case, actor=clerk_a, assignee=other_clerk)
    case = services.reassign(case, actor=supervisor_a, assignee=other_clerk)
    assert case.assignee == other_clerk


def test_reassign_only_to_a_member_of_the_authority(entrepreneur_x, supervisor_a, clerk_b):
    case = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.IN_REVIEW).backoffice_case
    with pytest.raises(services.BackofficeError):
        services.reassign(case, actor=supervisor_a, assignee=clerk_b)
    case.refresh_from_db()
    assert case.assignee is None


def test_request_for_information_stops_the_clock_and_the_reply_resumes_it(
    entrepreneur_x, clerk_a, mailoutbox
):
    case = submitted_application(entrepreneur_x, AUTHORITY_A).backoffice_case
    case = services.take_into_review(case, actor=clerk_a)
    before = case.tacit_approval_at
    message = services.request_information(
        case, actor=clerk_a, message="Please send your master craftsman diploma."
    )
    case.refresh_from_db()
    assert case.application.state == A.MORE_INFORMATION_REQUESTED
    assert message.state_change.to_state == A.MORE_INFORMATION_REQUESTED
    assert case.clock_stopped_since == message.state_change.at
    assert "master craftsman diploma" in mailoutbox[-1].body

    # the applicant replies two days later (the history moved back to fake the wait)
    _shift_history(case.application, days=2)
    dossier_services.reply_to_information_request(
        case.application, "Attached to my dossier.", actor=entrepreneur_x
    )
    case.refresh_from_db()
    assert case.application.state == A.IN_REVIEW and case.clock_stopped_since is None
    changes = {change.to_state: change.at for change in case.application.state_changes.all()}
    waited = changes[A.IN_REVIEW] - changes[A.MORE_INFORMATION_REQUESTED]
    assert waited > datetime.timedelta(days=2)
    assert case.tacit_approval_at == changes[A.DELIVERED] + datetime.timedelta(days=30) + waited
    assert case.tacit_approval_at > before
    assert [m.kind for m in ApplicationMessage.objects.filter(application=case.application)] == [
        "information_request",
        "information_reply",
    ]


def test_a_reply_when_nothing_was_asked_changes_nothing(entrepreneur_x):
    application = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.IN_REVIEW)
    with pytest.raises(dossier_services.DossierError):
        dossier_services.reply_to_information_request(application, "Hello", actor=entrepreneur_x)
    assert not ApplicationMessage.objects.exists()


def test_an_empty_request_changes_nothing(entrepreneur_x, clerk_a):
    case = services.take_into_review(
        submitted_application(entrepreneur_x, AUTHORITY_A).backoffice_case, actor=clerk_a
    )
    with pytest.raises(services.BackofficeError):
        services.request_information(case, actor=clerk_a, message="   ")
    case.application.refresh_from_db()
    assert case.application.state == A.IN_REVIEW and not ApplicationMessage.objects.exists()


def _shift_history(application, *, days: int) -> None:
    """Move the application's history back in time, as if it had all happened ``days`` earlier."""
    shift = datetime.timedelta(days=days)
    for change in application.state_changes.all():
        StateChange.objects.filter(pk=change.pk).update(at=change.at - shift)
    services.sync_case(application)


@pytest.mark.parametrize("outcome", [A.APPROVED, A.REFUSED])
def test_a_decision_with_reasons_is_recorded_and_sent(entrepreneur_x, clerk_a, mailoutbox, outcome):
    case = services.take_into_review(
        submitted_application(entrepreneur_x, AUTHORITY_A).backoffice_case, actor=clerk_a
    )
    decision = services.decide(case, actor=clerk_a, outcome=outcome, reasons="The premises meet the rules.")
    case.refresh_from_db()
    assert case.application.state == outcome and case.closed_at == decision.state_change.at
    assert decision.kind == "decision" and decision.state_change.actor == clerk_a
    body = mailoutbox[-1].body
    assert "The premises meet the rules." in body
    assert ("You can appeal to Administrative Court of Aurelia within 60 days" in body) is (
        outcome == A.REFUSED
    )


def test_approval_needs_the_application_in_review(entrepreneur_x, supervisor_a):
    case = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.RECEIVED).backoffice_case
    with pytest.raises(services.BackofficeError):
        services.decide(case, actor=supervisor_a, outcome=A.APPROVED, reasons="ok")
    with pytest.raises(services.BackofficeError):
        services.decide(case, actor=supervisor_a, outcome="maybe", reasons="ok")


def _past_tacit_time(application, days: int = 31) -> None:
    _shift_history(application, days=days)


def test_tacit_approval_after_the_time_limit_by_a_system_actor(entrepreneur_x, entrepreneur_y, mailoutbox):
    due = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.IN_REVIEW)
    not_yet = submitted_application(entrepreneur_x, AUTHORITY_A)
    no_tacit = submitted_application(entrepreneur_y, AUTHORITY_B, tacit_approval=False)
    waiting = submitted_application(entrepreneur_y, AUTHORITY_A, state=A.MORE_INFORMATION_REQUESTED)
    for application in (due, no_tacit, waiting):
        _past_tacit_time(application)

    approved = services.apply_tacit_approvals()
    assert approved == [str(due.public_id)]
    for application in (due, not_yet, no_tacit, waiting):
        application.refresh_from_db()
    assert due.state == A.TACITLY_APPROVED
    assert (not_yet.state, no_tacit.state, waiting.state) == (
        A.DELIVERED,
        A.DELIVERED,
        A.MORE_INFORMATION_REQUESTED,
    )
    change = due.state_changes.get(to_state=A.TACITLY_APPROVED)
    assert change.actor is None and change.system_actor == services.TACIT_APPROVAL_ACTOR
    assert "silence means approval" in mailoutbox[-1].body
    assert services.apply_tacit_approvals() == []  # idempotent


def test_tacit_approval_also_when_receipt_was_never_acknowledged(entrepreneur_x):
    application = submitted_application(entrepreneur_x, AUTHORITY_A)
    _past_tacit_time(application)
    assert services.apply_tacit_approvals(now=timezone.now()) == [str(application.public_id)]


def test_version_1_snapshots_read_their_terms_from_the_page_revision(procedures_catalogue):
    from portal.dossiers.snapshot import procedure_snapshot, procedure_terms

    page = procedures_catalogue
    old = procedure_snapshot(page, "en")
    old.pop("terms")
    old["version"] = 1
    terms = procedure_terms(old)
    assert terms["processing_time_days"] == page.processing_time_days
    assert terms["tacit_approval"] == page.tacit_approval
    assert procedure_terms({"version": 1, "revision_id": None})["processing_time_days"] is None


def test_staff_are_warned_once_before_tacit_approval(
    entrepreneur_x, clerk_a, supervisor_a, mailoutbox, settings
):
    settings.BACKOFFICE_TACIT_WARNING_DAYS = 3
    unassigned = submitted_application(entrepreneur_x, AUTHORITY_A, tacit_approval_days=2)
    assigned = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.IN_REVIEW, tacit_approval_days=1)
    Case.objects.filter(application=assigned).update(assignee=clerk_a)
    submitted_application(entrepreneur_x, AUTHORITY_A, tacit_approval_days=10)  # not yet
    submitted_application(
        entrepreneur_x, AUTHORITY_A, state=A.MORE_INFORMATION_REQUESTED, tacit_approval_days=1
    )

    assert services.warn_of_tacit_approvals() == 2
    recipients = sorted(address for email in mailoutbox for address in email.to)
    # the assignee for the assigned one; every member of the authority for the unassigned one
    assert recipients == sorted([clerk_a.email, clerk_a.email, supervisor_a.email])
    assert all("will be approved automatically" in email.body for email in mailoutbox)
    assert services.warn_of_tacit_approvals() == 0  # once

    # the clock stops and resumes: the tacit-approval time moves, so a new warning is due
    case = Case.objects.get(application=unassigned)
    services.take_into_review(case, actor=clerk_a)
    services.request_information(case, actor=clerk_a, message="Your diploma, please.")
    _shift_history(unassigned, days=1)
    dossier_services.reply_to_information_request(unassigned, "Sent.", actor=entrepreneur_x)
    case.refresh_from_db()
    assert case.tacit_warning_sent_at is None


def test_each_email_to_the_applicant_is_checkpointed_and_never_sent_twice(
    entrepreneur_x, clerk_a, mailoutbox
):
    case = submitted_application(entrepreneur_x, AUTHORITY_A).backoffice_case
    services.acknowledge_receipt(case, actor=clerk_a)
    case = services.take_into_review(case, actor=clerk_a)
    first = services.request_information(case, actor=clerk_a, message="Send your diploma.")
    dossier_services.reply_to_information_request(case.application, "Sent.", actor=entrepreneur_x)
    second = services.request_information(case, actor=clerk_a, message="And your insurance.")
    services.decide(case, actor=clerk_a, outcome=A.REFUSED, reasons="Nothing came.")
    keys = ["received", f"information_requested:{first.pk}", f"information_requested:{second.pk}", "decided"]
    assert list(case.application.notifications.values_list("key", flat=True)) == keys
    assert len(mailoutbox) == 4
    assert [email.extra_headers["Message-ID"] for email in mailoutbox] == list(
        case.application.notifications.values_list("message_id", flat=True)
    )

    # the same notifications again (a retried action or task): nothing more is mailed
    case.refresh_from_db()
    services._notify_applicant(case, "received", "backoffice/email/received.txt", "Received")
    services._notify_applicant(case, "decided", "backoffice/email/decision.txt", "Decided", first)
    services.apply_tacit_approvals()
    assert len(mailoutbox) == 4 and case.application.notifications.count() == 4


def test_tacit_approval_run_twice_mails_once(entrepreneur_x, mailoutbox):
    application = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.IN_REVIEW)
    _past_tacit_time(application)
    assert services.apply_tacit_approvals() == [str(application.public_id)]
    assert services.apply_tacit_approvals() == []
    (email,) = mailoutbox
    assert email.subject == "Your application is approved: Craft business registration"
    assert application.notifications.get().key == "decided"
