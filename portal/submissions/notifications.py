"""E-mails to the entrepreneur about the delivery of their applications.

Sent from the dossiers block's ``application_state_changed`` signal (connected in ``SubmissionsConfig.ready``), inside the transition's
transaction (the e-mail is queued with the state change or not at all), for the two events only the
submission pipeline knows about: delivered (with the authority and the receipt id) and delivery failed.
What the authority does next — acknowledging receipt, asking for information, deciding, tacit
approval — is e-mailed by the back-office's own services with its message, so not here.

Each e-mail is checkpointed by an :class:`ApplicantNotification` (one per application and event), taken
under the application row the transition holds locked: a repeated signal, a retried step or a second
failure after an operator's resend finds it and sends nothing.
"""

from __future__ import annotations

from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.dossiers.models import ApplicantNotification, Application, StateChange
from portal.dossiers.states import ApplicationState as A
from portal.submissions.models import SubmissionPackage

TEMPLATES = {
    A.DELIVERED: "submissions/email/delivered.txt",
    A.DELIVERY_FAILED: "submissions/email/delivery_failed.txt",
}


def on_application_state_changed(
    sender: type, application: Application, state_change: StateChange, **kwargs: Any
) -> None:
    if state_change.to_state in TEMPLATES:
        notify_applicant_of_delivery(application, state_change)


def _receipt_id(package: SubmissionPackage) -> str:
    if package.transport == SubmissionPackage.Transport.BACKOFFICE:
        return (package.internal_receipt or {}).get("receipt_id", "")
    entry = package.outbox_message
    return entry.receipt_message_id if entry is not None else ""


def notify_applicant_of_delivery(
    application: Application, state_change: StateChange
) -> ApplicantNotification | None:
    """Queue the e-mail for this delivery event unless it was queued before. Applications that did
    not go through the submission pipeline (no package: nothing was sent, there is no receipt) get none."""
    event = state_change.to_state
    package = (
        SubmissionPackage.objects.select_related("outbox_message")
        .filter(application_id=application.pk)
        .first()
    )
    if package is None or event not in TEMPLATES:
        return None
    if ApplicantNotification.objects.filter(application_id=application.pk, event=event).exists():
        return None
    dossier = application.dossier
    recipient = dossier.owner.email
    message_id = make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)
    notification = ApplicantNotification.objects.create(
        application=application,
        event=event,
        state_change=state_change,
        message_id=message_id,
        recipient=recipient,
    )
    snapshot = application.procedure_snapshot
    with translation.override(dossier.language):
        context = {
            "procedure": snapshot.get("title", ""),
            "authority": (snapshot.get("authority") or {}).get("name", ""),
            "delivered_at": package.delivered_at or state_change.at,
            "receipt_id": _receipt_id(package),
            "backoffice": package.transport == SubmissionPackage.Transport.BACKOFFICE,
            "link": settings.PORTAL_BASE_URL
            + reverse("dossiers:application", args=[dossier.public_id, application.public_id]),
        }
        if event == A.DELIVERED:
            subject = _("Your application was delivered: %(procedure)s")
        else:
            subject = _("Your application is delayed: %(procedure)s")
        EmailMessage(
            subject % {"procedure": context["procedure"]},
            render_to_string(TEMPLATES[event], context),
            None,
            [recipient],
            headers={"Message-ID": message_id},
        ).send()
    return notification
