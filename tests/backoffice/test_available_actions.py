"""The one table of who may do what on a case in which state (``selectors.available_actions``): the
detail page offers exactly these actions and the services refuse everything else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from portal.backoffice import services
from portal.backoffice.models import Case
from portal.backoffice.selectors import BACKOFFICE_STATES, Action, Refusal, available_actions
from portal.dossiers.models import Application
from portal.dossiers.states import ApplicationState as A
from tests.backoffice.conftest import AUTHORITY_A, AUTHORITY_B, submitted_application
from tests.factories import AuthorityStaffFactory

pytestmark = pytest.mark.django_db

ACK, TAKE, REASSIGN, ASK, APPROVE, REFUSE = (
    Action.ACKNOWLEDGE,
    Action.TAKE,
    Action.REASSIGN,
    Action.REQUEST_INFORMATION,
    Action.APPROVE,
    Action.REFUSE,
)
STATES = BACKOFFICE_STATES  # every state the back-office shows a case in
# who: (the actor, to whom the case is assigned)
WHO = (
    "clerk, unassigned",
    "clerk, assigned to them",
    "clerk, assigned to a colleague",
    "supervisor, unassigned",
    "supervisor, assigned to a clerk",
    "clerk of another authority",
)
# fmt: off
TABLE = {
    A.DELIVERED: {
        "clerk, unassigned": {ACK, TAKE},
        "clerk, assigned to them": {ACK, TAKE},
        "clerk, assigned to a colleague": {ACK},
        "supervisor, unassigned": {ACK, TAKE, REASSIGN},
        "supervisor, assigned to a clerk": {ACK, TAKE, REASSIGN},
        "clerk of another authority": set(),
    },
    A.RECEIVED: {
        "clerk, unassigned": {TAKE},
        "clerk, assigned to them": {TAKE},
        "clerk, assigned to a colleague": set(),
        "supervisor, unassigned": {TAKE, REASSIGN},
        "supervisor, assigned to a clerk": {TAKE, REASSIGN},
        "clerk of another authority": set(),
    },
    A.IN_REVIEW: {
        "clerk, unassigned": {TAKE},
        "clerk, assigned to them": {ASK, APPROVE, REFUSE},
        "clerk, assigned to a colleague": set(),
        "supervisor, unassigned": {TAKE, REASSIGN, ASK, APPROVE, REFUSE},
        "supervisor, assigned to a clerk": {TAKE, REASSIGN, ASK, APPROVE, REFUSE},
        "clerk of another authority": set(),
    },
    A.MORE_INFORMATION_REQUESTED: {
        "clerk, unassigned": {TAKE},
        "clerk, assigned to them": {REFUSE},
        "clerk, assigned to a colleague": set(),
        "supervisor, unassigned": {TAKE, REASSIGN, REFUSE},
        "supervisor, assigned to a clerk": {TAKE, REASSIGN, REFUSE},
        "clerk of another authority": set(),
    },
    **{closed: {who: frozenset() for who in WHO} for closed in (A.APPROVED, A.REFUSED, A.TACITLY_APPROVED, A.WITHDRAWN)},
}
# fmt: on


@pytest.fixture
def staff(db):
    return {
        "clerk": AuthorityStaffFactory(memberships={AUTHORITY_A: "clerk"}),
        "colleague": AuthorityStaffFactory(memberships={AUTHORITY_A: "clerk"}),
        "supervisor": AuthorityStaffFactory(memberships={AUTHORITY_A: "supervisor"}),
        "outsider": AuthorityStaffFactory(memberships={AUTHORITY_B: "clerk"}),
    }


def case_and_actor(staff, state: str, who: str):
    actor, assignee = {
        "clerk, unassigned": ("clerk", None),
        "clerk, assigned to them": ("clerk", "clerk"),
        "clerk, assigned to a colleague": ("clerk", "colleague"),
        "supervisor, unassigned": ("supervisor", None),
        "supervisor, assigned to a clerk": ("supervisor", "colleague"),
        "clerk of another authority": ("outsider", None),
    }[who]
    case = Case(
        application=Application(state=state),
        authority_identifier=AUTHORITY_A,
        assignee=staff[assignee] if assignee else None,
    )
    return case, staff[actor]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("state", STATES)
def test_the_table(staff, state, who):
    case, actor = case_and_actor(staff, state, who)
    actions = available_actions(case, actor)
    assert actions.available == TABLE[state][who]
    # what the detail page reads
    assert actions.acknowledge == (ACK in TABLE[state][who])
    assert actions.take == (TAKE in TABLE[state][who])
    assert actions.reassign == (REASSIGN in TABLE[state][who])
    assert actions.request_information == (ASK in TABLE[state][who])
    assert actions.decide == bool({APPROVE, REFUSE} & TABLE[state][who])
    assert actions.any == bool(TABLE[state][who])


def test_why_not(staff):
    outsider = available_actions(*case_and_actor(staff, A.IN_REVIEW, "clerk of another authority"))
    assert outsider.role is None and set(outsider.refusals.values()) == {Refusal.NOT_MEMBER}

    colleagues = available_actions(*case_and_actor(staff, A.IN_REVIEW, "clerk, assigned to a colleague"))
    assert colleagues.role == "clerk"
    assert colleagues.refusal(TAKE) == Refusal.ASSIGNED_ELSEWHERE
    assert colleagues.refusal(ASK) == colleagues.refusal(APPROVE) == Refusal.NOT_HANDLER
    assert colleagues.refusal(REASSIGN) == Refusal.NOT_SUPERVISOR
    assert colleagues.refusal(ACK) == Refusal.STATE

    mine = available_actions(*case_and_actor(staff, A.MORE_INFORMATION_REQUESTED, "clerk, assigned to them"))
    assert mine.refusal(TAKE) == Refusal.DONE  # taking it again changes nothing
    assert mine.refusal(APPROVE) == Refusal.STATE and mine.refusal(REFUSE) is None


class RolledBack(Exception):
    pass


SERVICES = {
    ACK: lambda case, actor, staff: services.acknowledge_receipt(case, actor=actor),
    TAKE: lambda case, actor, staff: services.take_into_review(case, actor=actor),
    REASSIGN: lambda case, actor, staff: services.reassign(case, actor=actor, assignee=staff["colleague"]),
    ASK: lambda case, actor, staff: services.request_information(case, actor=actor, message="Send it."),
    APPROVE: lambda case, actor, staff: services.decide(case, actor=actor, outcome=A.APPROVED, reasons="Ok."),
    REFUSE: lambda case, actor, staff: services.decide(case, actor=actor, outcome=A.REFUSED, reasons="No."),
}


@pytest.mark.parametrize(
    "state", (A.DELIVERED, A.RECEIVED, A.IN_REVIEW, A.MORE_INFORMATION_REQUESTED, A.APPROVED)
)
def test_the_services_do_what_the_table_gives_and_refuse_the_rest(staff, entrepreneur_x, state):
    application = submitted_application(entrepreneur_x, AUTHORITY_A, state=state)
    for who in WHO:
        _unsaved, actor = case_and_actor(staff, state, who)
        case = application.backoffice_case
        case.assignee = _unsaved.assignee
        case.save(update_fields=["assignee"])
        for action, service in SERVICES.items():
            try:
                with transaction.atomic():
                    service(Case.objects.get(pk=case.pk), actor, staff)
                    raise RolledBack
            except RolledBack:
                done = True
            except (PermissionDenied, services.BackofficeError):
                done = False
            assert done == (action in TABLE[state][who]) or (
                action == TAKE and who == "clerk, assigned to them"  # again: changes nothing, no error
            ), (state, who, action)
