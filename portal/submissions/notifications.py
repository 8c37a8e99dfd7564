"""E-mails to the entrepreneur about the delivery of their applications: delivered (with the
authority and the receipt id) and delivery failed, the two events only the submission pipeline knows
about. Sent from the dossiers block's ``application_state_changed`` signal (connected in
``SubmissionsConfig.ready``) inside the transition's transaction, through the dossiers' checkpointed
``notify_applicant`` (once per application and event)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from portal.dossiers.models import ApplicantNotification, Application, StateChange
from portal.dossiers.notifications import notify_applicant
from portal.dossiers.states import ApplicationState as A
from portal.submissions.models import SubmissionPackage

DELIVERY_EMAILS = {
    A.DELIVERED: (
        "submissions/email/delivered.txt",
        gettext_lazy("Your application was delivered: %(procedure)s"),
    ),
    A.DELIVERY_FAILED: (
        "submissions/email/delivery_failed.txt",
        gettext_lazy("Your application is delayed: %(procedure)s"),
    ),
}


def on_application_state_changed(
    sender: type, application: Application, state_change: StateChange, **kwargs: Any
) -> None:
    if state_change.to_state in DELIVERY_EMAILS:
        notify_applicant_of_delivery(application, state_change)


def _receipt_id(package: SubmissionPackage) -> str:
    if package.transport == SubmissionPackage.Transport.BACKOFFICE:
        return (package.internal_receipt or {}).get("receipt_id", "")
    entry = package.outbox_message
    return entry.receipt_message_id if entry is not None else ""


def notify_applicant_of_delivery(
    application: Application, state_change: StateChange
) -> ApplicantNotification | None:
    """The e-mail for this delivery event, once per application and event. Applications that did not
    go through the submission pipeline (no package: nothing was sent, there is no receipt) get none."""
    event = state_change.to_state
    package = (
        SubmissionPackage.objects.select_related("outbox_message")
        .filter(application_id=application.pk)
        .first()
    )
    if package is None or event not in DELIVERY_EMAILS:
        return None
    template, subject = DELIVERY_EMAILS[event]
    return notify_applicant(
        application,
        key=event,
        subject=subject,
        template=template,
        context={
            "delivered_at": package.delivered_at or state_change.at,
            "receipt_id": _receipt_id(package),
            "backoffice": package.transport == SubmissionPackage.Transport.BACKOFFICE,
        },
        state_change=state_change,
    )
