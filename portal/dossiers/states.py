"""The dossier lifecycle: one state machine for the dossier and one for each application in it.

Every change of state goes through :func:`portal.dossiers.lifecycle.transition`, which checks it
against the tables below and records who made it, when and why. Anything not listed is illegal.

A dossier is what the entrepreneur fills and signs; once submitted, each application (one per
procedure, bound to its competent authority) lives on by itself: delivered, worked, decided.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY_FOR_SIGNATURE = "ready_for_signature", _("Ready for signature")
    SIGNED = "signed", _("Signed")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    QUEUED_FOR_DELIVERY = "queued_for_delivery", _("Delivery pending")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    DELIVERED = "delivered", _("Delivered")
    RECEIVED = "received", _("Received by the authority")
    IN_REVIEW = "in_review", _("In review")
    MORE_INFORMATION_REQUESTED = "more_information_requested", _("More information requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    TACITLY_APPROVED = "tacitly_approved", _("Tacitly approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


D, A = DossierState, ApplicationState

DOSSIER_TRANSITIONS: dict[DossierState, frozenset[DossierState]] = {
    D.DRAFT: frozenset({D.READY_FOR_SIGNATURE, D.WITHDRAWN}),
    # back to draft when the entrepreneur edits an answer after the PDFs were rendered
    D.READY_FOR_SIGNATURE: frozenset({D.DRAFT, D.SIGNED, D.WITHDRAWN}),
    D.SIGNED: frozenset({D.DRAFT, D.SUBMITTED, D.WITHDRAWN}),
    D.SUBMITTED: frozenset(),
    D.WITHDRAWN: frozenset(),
}

APPLICATION_TRANSITIONS: dict[ApplicationState, frozenset[ApplicationState]] = {
    A.DRAFT: frozenset({A.QUEUED_FOR_DELIVERY, A.WITHDRAWN}),
    A.QUEUED_FOR_DELIVERY: frozenset({A.DELIVERED, A.DELIVERY_FAILED}),
    # an operator resends a failed delivery (same bytes, same MessageId)
    A.DELIVERY_FAILED: frozenset({A.QUEUED_FOR_DELIVERY, A.WITHDRAWN}),
    # silence means approval also when the authority never even acknowledged receipt
    A.DELIVERED: frozenset({A.RECEIVED, A.IN_REVIEW, A.TACITLY_APPROVED, A.WITHDRAWN}),
    A.RECEIVED: frozenset({A.IN_REVIEW, A.TACITLY_APPROVED, A.WITHDRAWN}),
    A.IN_REVIEW: frozenset(
        {A.MORE_INFORMATION_REQUESTED, A.APPROVED, A.REFUSED, A.TACITLY_APPROVED, A.WITHDRAWN}
    ),
    # the entrepreneur answers, and the authority reviews again
    A.MORE_INFORMATION_REQUESTED: frozenset({A.IN_REVIEW, A.REFUSED, A.WITHDRAWN}),
    A.APPROVED: frozenset(),
    A.REFUSED: frozenset(),
    A.TACITLY_APPROVED: frozenset(),
    A.WITHDRAWN: frozenset(),
}

FINAL_APPLICATION_STATES = frozenset(state for state, nexts in APPLICATION_TRANSITIONS.items() if not nexts)


class IllegalTransition(Exception):
    """A state change the lifecycle does not allow; nothing was changed."""

    def __init__(self, subject: str, current: str, wanted: str) -> None:
        super().__init__(f"{subject} cannot go from {current!r} to {wanted!r}.")
        self.current = current
        self.wanted = wanted


def is_allowed(table: dict[str, frozenset], current: str, wanted: str) -> bool:
    return wanted in table.get(current, frozenset())
