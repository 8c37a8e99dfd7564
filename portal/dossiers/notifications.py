"""E-mails to the entrepreneur about their applications, each one checkpointed.

Every e-mail to an applicant goes through :func:`notify_applicant`: it records an
:class:`ApplicantNotification` under a key unique per application ("delivered", "received",
"information_requested:<message id>", "decided", ...) and queues the e-mail, in the dossier's language,
only if that checkpoint is new. A repeated signal, a retried task or a repeated action finds the
checkpoint and mails nothing. The e-mail is queued in the caller's transaction: the portal's
``QueuedEmailBackend`` stores it with the checkpoint and hands it to the mail worker only after commit,
so a rolled-back action leaves neither.

The submissions block e-mails delivery events (delivered, delivery failed) through it; the back-office
e-mails what the authority does next, with its message.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from portal.dossiers.models import ApplicantNotification, Application, StateChange


def notify_applicant(
    application: Application,
    *,
    key: str,
    subject: str | Promise,
    template: str,
    context: Mapping[str, Any] | None = None,
    state_change: StateChange | None = None,
) -> ApplicantNotification | None:
    """Queue one e-mail to the applicant unless one under ``key`` was queued before (then None).

    ``subject`` (lazy, so it is translated here) may use the context's entries as ``%(procedure)s``;
    the template gets ``procedure``, ``authority`` and ``link`` (the application's page) besides
    ``context``. Both are rendered in the dossier's language."""
    if ApplicantNotification.objects.filter(application_id=application.pk, key=key).exists():
        return None
    dossier = application.dossier
    recipient = dossier.owner.email
    message_id = make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)
    try:
        with transaction.atomic():
            notification = ApplicantNotification.objects.create(
                application=application,
                key=key,
                state_change=state_change,
                message_id=message_id,
                recipient=recipient,
            )
    except IntegrityError:  # a concurrent action took the checkpoint first
        return None
    snapshot = application.procedure_snapshot
    with translation.override(dossier.language):
        values = {
            "procedure": snapshot.get("title", ""),
            "authority": (snapshot.get("authority") or {}).get("name", ""),
            "link": settings.PORTAL_BASE_URL
            + reverse("dossiers:application", args=[dossier.public_id, application.public_id]),
            **(context or {}),
        }
        EmailMessage(
            str(subject) % values,
            render_to_string(template, values),
            None,
            [recipient],
            headers={"Message-ID": message_id},
        ).send()
    return notification
