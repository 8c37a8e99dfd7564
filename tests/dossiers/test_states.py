"""Every pair of states is a test case: allowed ones move and leave history, the rest raise and
change nothing."""

from __future__ import annotations

import itertools

import pytest

from portal.dossiers import selectors, services
from portal.dossiers.models import Application, Dossier, StateChange
from portal.dossiers.states import (
    APPLICATION_TRANSITIONS,
    DOSSIER_TRANSITIONS,
    FINAL_APPLICATION_STATES,
    ApplicationState,
    DossierState,
    IllegalTransition,
)
from tests.factories import ApplicationFactory, DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    return UserFactory(email="ana@example.pt")


def make_dossier(owner, state: str = DossierState.DRAFT) -> Dossier:
    """A dossier already in ``state`` (set directly: the lifecycle is what the tests check)."""
    dossier = DossierFactory(owner=owner)
    Dossier.objects.filter(pk=dossier.pk).update(state=state)
    dossier.refresh_from_db()
    return dossier


def make_application(owner, state: str = ApplicationState.DRAFT) -> Application:
    application = ApplicationFactory(dossier=make_dossier(owner))
    Application.objects.filter(pk=application.pk).update(state=state)
    application.refresh_from_db()
    return application


DOSSIER_PAIRS = list(itertools.product(DossierState.values, repeat=2))
APPLICATION_PAIRS = list(itertools.product(ApplicationState.values, repeat=2))


@pytest.mark.parametrize(("current", "wanted"), DOSSIER_PAIRS)
def test_dossier_transition(ana, current, wanted):
    dossier = make_dossier(ana, current)
    if wanted in DOSSIER_TRANSITIONS[current]:
        change = services.transition(dossier, wanted, actor=ana, reason="test")
        dossier.refresh_from_db()
        assert dossier.state == wanted
        assert (change.from_state, change.to_state, change.actor, change.application) == (
            current,
            wanted,
            ana,
            None,
        )
    else:
        with pytest.raises(IllegalTransition):
            services.transition(dossier, wanted, actor=ana, reason="test")
        dossier.refresh_from_db()
        assert dossier.state == current
        assert not StateChange.objects.exists()


@pytest.mark.parametrize(("current", "wanted"), APPLICATION_PAIRS)
def test_application_transition(ana, current, wanted):
    application = make_application(ana, current)
    if wanted in APPLICATION_TRANSITIONS[current]:
        change = services.transition(application, wanted, system_actor="delivery gateway", reason="test")
        application.refresh_from_db()
        assert application.state == wanted
        assert change.application == application and change.dossier == application.dossier
        assert change.system_actor == "delivery gateway" and change.actor is None
    else:
        with pytest.raises(IllegalTransition):
            services.transition(application, wanted, system_actor="delivery gateway", reason="test")
        application.refresh_from_db()
        assert application.state == current
        assert not StateChange.objects.exists()


def test_every_state_is_in_the_tables():
    assert set(DOSSIER_TRANSITIONS) == set(DossierState)
    assert set(APPLICATION_TRANSITIONS) == set(ApplicationState)
    assert FINAL_APPLICATION_STATES == {
        ApplicationState.APPROVED,
        ApplicationState.REFUSED,
        ApplicationState.TACITLY_APPROVED,
        ApplicationState.WITHDRAWN,
    }


def test_a_change_needs_an_actor_and_a_reason(ana):
    dossier = make_dossier(ana)
    with pytest.raises(ValueError, match="actor"):
        services.transition(dossier, DossierState.READY_FOR_SIGNATURE, reason="complete")
    with pytest.raises(ValueError, match="reason"):
        services.transition(dossier, DossierState.READY_FOR_SIGNATURE, actor=ana, reason="  ")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


def test_transition_starts_from_the_stored_state_not_a_stale_copy(ana):
    dossier = make_dossier(ana)
    stale = Dossier.objects.get(pk=dossier.pk)
    services.transition(dossier, DossierState.WITHDRAWN, actor=ana, reason="changed my mind")
    with pytest.raises(IllegalTransition, match="'withdrawn'"):
        services.transition(stale, DossierState.READY_FOR_SIGNATURE, actor=ana, reason="complete")


def test_history_lists_dossier_and_application_changes_in_order(ana):
    application = make_application(ana)
    dossier = application.dossier
    services.transition(dossier, DossierState.READY_FOR_SIGNATURE, actor=ana, reason="all answers given")
    services.transition(dossier, DossierState.SIGNED, actor=ana, reason="signed with QES")
    services.transition(dossier, DossierState.SUBMITTED, actor=ana, reason="submitted")
    services.transition(
        application, ApplicationState.QUEUED_FOR_DELIVERY, system_actor="pipeline", reason="packaged"
    )
    services.transition(
        application, ApplicationState.DELIVERED, system_actor="delivery gateway", reason="receipt verified"
    )
    steps = [(c.to_state, c.application_id) for c in selectors.history(dossier)]
    assert steps == [
        ("ready_for_signature", None),
        ("signed", None),
        ("submitted", None),
        ("queued_for_delivery", application.pk),
        ("delivered", application.pk),
    ]
