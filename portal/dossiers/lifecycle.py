"""The one way a dossier or an application changes state (the tables are in ``states.py``)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from portal.dossiers.models import Application, Dossier, StateChange
from portal.dossiers.signals import application_state_changed
from portal.dossiers.states import APPLICATION_TRANSITIONS, DOSSIER_TRANSITIONS, IllegalTransition, is_allowed


@transaction.atomic
def transition(
    subject: Dossier | Application,
    to_state: str,
    *,
    reason: str,
    actor: AbstractBaseUser | None = None,
    system_actor: str = "",
) -> StateChange:
    """Move a dossier or an application to ``to_state`` and record who, when and why.

    The row is locked and re-read first, so two concurrent changes cannot both start from the same
    state. Raises :class:`IllegalTransition` (and changes nothing) if the lifecycle forbids it."""
    if actor is None and not system_actor:
        raise ValueError("A state change needs an actor: a user, or the name of the system process.")
    if not reason.strip():
        raise ValueError("A state change needs a reason.")
    table = DOSSIER_TRANSITIONS if isinstance(subject, Dossier) else APPLICATION_TRANSITIONS
    locked = type(subject).objects.select_for_update().get(pk=subject.pk)
    if not is_allowed(table, locked.state, to_state):
        raise IllegalTransition(str(subject), locked.state, to_state)
    from_state = locked.state
    locked.state = to_state
    locked.save(update_fields=["state", "updated_at"])
    subject.state = to_state
    subject.updated_at = locked.updated_at
    change = StateChange.objects.create(
        dossier_id=subject.pk if isinstance(subject, Dossier) else subject.dossier_id,
        application=subject if isinstance(subject, Application) else None,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        system_actor=system_actor,
        reason=reason,
    )
    if isinstance(subject, Application):
        application_state_changed.send(sender=Application, application=subject, state_change=change)
    return change
