"""Writes to dossiers. Every change of state goes through :func:`transition` (``lifecycle.py``)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.selectors import legal_persons_for
from portal.dossiers.completeness import missing_answers
from portal.dossiers.forms import without_inapplicable_answers
from portal.dossiers.lifecycle import transition as transition  # public as services.transition
from portal.dossiers.models import Application, ApplicationMessage, Dossier, StateChange
from portal.dossiers.snapshot import procedure_snapshot
from portal.dossiers.states import (
    FINAL_APPLICATION_STATES,
    ApplicationState,
    DossierState,
)
from portal.dossiers.states import (
    IllegalTransition as IllegalTransition,  # re-exported for the views
)
from procedures.models import ProcedurePage

# --- Starting a dossier, answering, getting ready for signature -------------------------------


class DossierError(Exception):
    """Bad input or a forbidden change; nothing was changed. The message is meant for the user."""


EDITABLE_STATES = frozenset({DossierState.DRAFT, DossierState.READY_FOR_SIGNATURE})
MAX_PROCEDURES = 50


def _procedure_ids(raw_ids) -> list[int]:
    ids: list[int] = []
    for raw in raw_ids:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise DossierError(
                _("“%(value)s” is not a procedure of our catalogue.") % {"value": str(raw)[:40]}
            ) from None
        if value <= 0:
            raise DossierError(_("“%(value)s” is not a procedure of our catalogue.") % {"value": value})
        if value not in ids:
            ids.append(value)
    if not ids:
        raise DossierError(_("Choose at least one procedure to start an application."))
    if len(ids) > MAX_PROCEDURES:
        raise DossierError(_("A dossier covers at most %(count)s procedures.") % {"count": MAX_PROCEDURES})
    return ids


def legal_person_snapshot(owner: AbstractBaseUser, legal_person_id) -> dict:
    """The owner's represented legal person as the dossier keeps it; {} for "in my own name".

    An id that is not one of the owner's own representations raises :class:`DossierError`."""
    if legal_person_id in (None, "", "self"):
        return {}
    try:
        person = legal_persons_for(owner).get(pk=int(str(legal_person_id)))
    except (ValueError, ObjectDoesNotExist):
        raise DossierError(
            _("Choose one of the companies you represent, or apply in your own name.")
        ) from None
    return {
        "id": person.pk,
        "name": person.name,
        "registration_number": person.registration_number,
        "register": person.register,
        "country": person.country,
        "lei": person.lei,
        "euid": person.euid,
        "capacity": person.capacity,
        "capacity_label": str(person.get_capacity_display()),
        "verified_source": person.verified_source,
    }


@transaction.atomic
def start_dossier(
    *, owner: AbstractBaseUser, procedure_ids, language: str, on_behalf_of: int | str | None = None
) -> Dossier:
    """A draft dossier with one application per live procedure, each with its definition snapshotted,
    in the owner's name or for one of the legal persons they represent (``on_behalf_of``: its id).

    Unknown or unpublished procedure ids, or a legal person that is not the owner's, raise
    :class:`DossierError` and create nothing."""
    ids = _procedure_ids(procedure_ids)
    represented = legal_person_snapshot(owner, on_behalf_of)
    pages = {
        page.pk: page
        for page in ProcedurePage.objects.live()
        .filter(pk__in=ids)
        .select_related("competent_authority", "locale")
    }
    unknown = [str(pk) for pk in ids if pk not in pages]
    if unknown:
        raise DossierError(
            _("These procedures are not (or no longer) in our catalogue: %(ids)s. Go back to your checklist.")
            % {"ids": ", ".join(unknown)}
        )
    ordered = sorted(pages.values(), key=lambda page: (page.sequence, page.title))
    dossier = Dossier.objects.create(owner=owner, language=language, on_behalf_of=represented)
    for page in ordered:
        Application.objects.create(
            dossier=dossier, procedure_id=page.pk, procedure_snapshot=procedure_snapshot(page, language)
        )
    return dossier


@transaction.atomic
def save_answers(dossier: Dossier, answers: dict, *, actor: AbstractBaseUser) -> Dossier:
    """Store answers (concept -> JSON value; None removes one) in the dossier, once per concept.

    Answers change only while the dossier is a draft or ready for signature; a change to a dossier ready
    for signature sends it back to draft, since what would be signed is no longer what was reviewed."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.state not in EDITABLE_STATES:
        raise DossierError(
            _("This dossier is %(state)s: its answers can no longer change.")
            % {"state": locked.get_state_display()}
        )
    fields = [
        item
        for application in locked.applications.all()
        for item in application.procedure_snapshot.get("fields", [])
    ]
    known = {item["concept"] for item in fields}
    stray = sorted(set(answers) - known)
    if stray:
        raise DossierError(_("This dossier does not ask %(concepts)s.") % {"concepts": ", ".join(stray)})
    updated = {**locked.answers}
    for concept, value in answers.items():
        if value is None:
            updated.pop(concept, None)
        else:
            updated[concept] = value
    updated = without_inapplicable_answers(fields, updated)
    if updated != locked.answers:
        locked.answers = updated
        locked.save(update_fields=["answers", "updated_at"])
        if locked.state == DossierState.READY_FOR_SIGNATURE:
            transition(locked, DossierState.DRAFT, actor=actor, reason="Answers changed after the review.")
    dossier.answers, dossier.state, dossier.updated_at = locked.answers, locked.state, locked.updated_at
    return dossier


def mark_ready_for_signature(dossier: Dossier, *, actor: AbstractBaseUser) -> StateChange:
    """After the review: only a complete dossier may be signed."""
    missing = missing_answers(dossier)
    if missing:
        raise DossierError(
            _("The dossier is not complete yet: %(count)s answers or documents are missing.")
            % {"count": len(missing)}
        )
    return transition(
        dossier,
        DossierState.READY_FOR_SIGNATURE,
        actor=actor,
        reason="Reviewed and complete; confirmed by the applicant.",
    )


def dossiers_in_progress(user: AbstractBaseUser) -> list[str]:
    """Deletion blocker: an account is not deleted while one of its dossiers is still being worked on.

    Closed dossiers (withdrawn, or submitted and decided) block too: they are the record of what was
    sent to authorities, and ``Dossier.owner`` is PROTECT, so deleting the user would fail anyway."""
    reasons = []
    for dossier in Dossier.objects.filter(owner=user).prefetch_related("applications"):
        closed = dossier.state == DossierState.WITHDRAWN or (
            dossier.state == DossierState.SUBMITTED
            and all(
                application.state in FINAL_APPLICATION_STATES for application in dossier.applications.all()
            )
        )
        values = {"date": f"{dossier.created_at:%Y-%m-%d}", "state": dossier.get_state_display().lower()}
        if closed:
            reasons.append(
                _(
                    "Your dossier started on %(date)s is kept as the record of your procedures; contact us to have it erased."
                )
                % values
            )
        else:
            reasons.append(
                _("Your dossier started on %(date)s is %(state)s; finish or withdraw it first.") % values
            )
    return reasons


# --- Correspondence with the competent authority ----------------------------------------------

MAX_MESSAGE_LENGTH = 10_000


def _message_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DossierError(_("Write your message."))
    if len(body) > MAX_MESSAGE_LENGTH:
        raise DossierError(
            _("Keep your message under %(count)s characters.") % {"count": f"{MAX_MESSAGE_LENGTH:,}"}
        )
    return body


@transaction.atomic
def record_message(
    application: Application,
    *,
    kind: str,
    body: str,
    author: AbstractBaseUser | None,
    to_state: str | None = None,
    reason: str = "",
) -> ApplicationMessage:
    """Store a message about the application and, when it comes with one, the state change it causes
    (in one transaction: a refused state change stores no message)."""
    body = _message_body(body)
    change = None
    if to_state is not None:
        change = transition(application, to_state, actor=author, reason=reason or body[:500])
    return ApplicationMessage.objects.create(
        application=application, kind=kind, body=body, author=author, state_change=change
    )


def reply_to_information_request(
    application: Application, body: str, *, actor: AbstractBaseUser
) -> ApplicationMessage:
    """The applicant answers the authority's request: the application goes back into review."""
    application.refresh_from_db(fields=["state"])
    # transition() checks again under a row lock, so a decision made meanwhile wins
    if application.state != ApplicationState.MORE_INFORMATION_REQUESTED:
        raise DossierError(_("The authority is not waiting for information from you on this application."))
    return record_message(
        application,
        kind=ApplicationMessage.Kind.INFORMATION_REPLY,
        body=body,
        author=actor,
        to_state=ApplicationState.IN_REVIEW,
        reason="The applicant replied to the request for more information.",
    )
