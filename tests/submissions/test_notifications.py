"""The entrepreneur is told by e-mail, in the dossier's language, when an application is delivered or
its delivery failed; one e-mail per application and event, however often the event is signalled. Every
e-mail to an applicant is checkpointed the same way (``notify_applicant``: once per key)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.core.models import OutgoingEmail
from portal.dossiers import services
from portal.dossiers.models import ApplicantNotification, Application
from portal.dossiers.notifications import notify_applicant
from portal.dossiers.signals import application_state_changed
from portal.dossiers.states import ApplicationState as A
from portal.dossiers.states import DossierState
from portal.submissions import services as submission
from portal.submissions.models import SubmissionPackage
from tests.backoffice.conftest import AUTHORITY_A, snapshot
from tests.factories import ApplicationFactory, DossierFactory, UserFactory

pytestmark = pytest.mark.django_db
RECEIPT = "5b0e7c1e-2d7f-5c43-9a1e-6f3f1d2b9a10"


def queued_application(language: str, *, with_package: bool = True, transport: str = "backoffice"):
    owner = UserFactory(email="ana@example.pt")
    dossier = DossierFactory(owner=owner, language=language, answers={"business.name": "Salão Ana"})
    for to_state in (DossierState.READY_FOR_SIGNATURE, DossierState.SIGNED, DossierState.SUBMITTED):
        services.transition(dossier, to_state, actor=owner, reason="test set-up")
    application = ApplicationFactory(
        dossier=dossier, procedure_snapshot=snapshot(AUTHORITY_A, title="Trade licence")
    )
    services.transition(application, A.QUEUED_FOR_DELIVERY, system_actor="submission", reason="test set-up")
    if with_package:
        SubmissionPackage.objects.create(
            application=application,
            transport=transport,
            channel={"transport": transport, "settings": {}},
            internal_receipt={"receipt_id": RECEIPT} if transport == "backoffice" else None,
            delivered_at=timezone.now(),
        )
    return application


def test_delivered_sends_one_email_in_the_dossiers_language(mailoutbox):
    application = queued_application("fr")
    change = services.transition(application, A.DELIVERED, system_actor="submission", reason="delivered")

    (email,) = mailoutbox
    assert email.to == ["ana@example.pt"]
    assert email.subject == "Votre demande a été transmise : Trade licence"
    assert "Votre demande « Trade licence » a été transmise à Chamber of Crafts le " in email.body
    assert f"Accusé de réception : {RECEIPT}" in email.body
    assert f"/fr/dossiers/{application.dossier.public_id}/applications/{application.public_id}/" in email.body
    notification = ApplicantNotification.objects.get(application=application)
    assert (notification.key, notification.state_change) == (A.DELIVERED, change)
    assert email.extra_headers["Message-ID"] == notification.message_id

    # the same transition signalled again (a retried handler) mails nothing more
    application_state_changed.send(sender=Application, application=application, state_change=change)
    assert len(mailoutbox) == 1
    assert ApplicantNotification.objects.filter(application=application).count() == 1


def test_the_email_is_queued_as_one_outgoing_email_with_its_message_id(settings):
    settings.EMAIL_BACKEND = "portal.core.mail.QueuedEmailBackend"
    application = queued_application("de")
    change = services.transition(application, A.DELIVERED, system_actor="submission", reason="delivered")
    application_state_changed.send(sender=Application, application=application, state_change=change)

    (outgoing,) = OutgoingEmail.objects.all()
    notification = ApplicantNotification.objects.get(application=application)
    assert outgoing.payload["headers"]["Message-ID"] == notification.message_id
    assert outgoing.subject == "Ihr Antrag wurde übermittelt: Trade licence"
    assert RECEIPT in outgoing.payload["body"]


def test_a_failed_delivery_is_told_honestly_once_even_after_a_resend_fails_again(mailoutbox):
    application = queued_application("de", transport="as4")
    services.transition(application, A.DELIVERY_FAILED, system_actor="submission", reason="failed")
    services.transition(application, A.QUEUED_FOR_DELIVERY, system_actor="operator", reason="resent")
    services.transition(application, A.DELIVERY_FAILED, system_actor="submission", reason="failed again")

    (email,) = mailoutbox
    assert email.subject == "Ihr Antrag verzögert sich: Trade licence"
    assert "Wir arbeiten daran" in email.body
    assert "Sie müssen nichts tun" in email.body

    services.transition(application, A.QUEUED_FOR_DELIVERY, system_actor="operator", reason="resent")
    services.transition(application, A.DELIVERED, system_actor="submission", reason="delivered")
    assert [message.subject for message in mailoutbox] == [
        "Ihr Antrag verzögert sich: Trade licence",
        "Ihr Antrag wurde übermittelt: Trade licence",
    ]


def test_the_pipelines_hand_over_to_the_back_office_sends_the_receipt_id(mailoutbox):
    application = queued_application("en", with_package=False)
    SubmissionPackage.objects.create(
        application=application,
        transport="backoffice",
        channel={"transport": "backoffice", "settings": {"authority": AUTHORITY_A}},
        container_sha256="0" * 64,  # built (the container itself is not read on this channel)
    )
    package = submission.dispatch_package(application.pk)
    submission.dispatch_package(application.pk)  # a retried task

    application.refresh_from_db()
    assert application.state == A.DELIVERED
    (email,) = mailoutbox
    assert email.subject == "Your application was delivered: Trade licence"
    assert "Your application “Trade licence” was delivered to Chamber of Crafts on " in email.body
    assert f"Delivery receipt: {package.internal_receipt['receipt_id']}" in email.body
    assert "We will e-mail you when the authority acknowledges receipt" in email.body


def test_no_email_without_a_submission_package(mailoutbox):
    application = queued_application("en", with_package=False)
    services.transition(application, A.DELIVERED, system_actor="submission", reason="delivered")
    assert mailoutbox == []
    assert not ApplicantNotification.objects.exists()


def test_notify_applicant_mails_once_per_key_in_the_dossiers_language(mailoutbox):
    application = queued_application("fr")
    subject = gettext_lazy("Your application was delivered: %(procedure)s")
    first = notify_applicant(
        application,
        key="information_requested:7",
        subject=subject,
        template="submissions/email/delivered.txt",
        context={"delivered_at": timezone.now(), "receipt_id": RECEIPT},
    )
    again = notify_applicant(
        application,
        key="information_requested:7",
        subject=subject,
        template="submissions/email/delivered.txt",
        context={"delivered_at": timezone.now(), "receipt_id": RECEIPT},
    )
    assert first is not None and again is None
    assert (first.key, first.state_change, first.recipient) == (
        "information_requested:7",
        None,
        "ana@example.pt",
    )
    (email,) = mailoutbox
    assert email.subject == "Votre demande a été transmise : Trade licence"
    assert f"/fr/dossiers/{application.dossier.public_id}/applications/{application.public_id}/" in email.body

    notify_applicant(
        application,
        key="information_requested:8",
        subject=subject,
        template="submissions/email/delivered.txt",
        context={"delivered_at": timezone.now(), "receipt_id": RECEIPT},
    )
    assert len(mailoutbox) == 2


def test_a_rolled_back_action_leaves_neither_checkpoint_nor_queued_email(settings):
    settings.EMAIL_BACKEND = "portal.core.mail.QueuedEmailBackend"
    application = queued_application("en")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_applicant(
            application, key="received", subject="Received", template="submissions/email/delivered.txt"
        )
        raise RuntimeError("the action failed after the e-mail was queued")
    assert not ApplicantNotification.objects.exists() and not OutgoingEmail.objects.exists()
