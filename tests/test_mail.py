"""E-mail is stored in the request and sent by the mail queue; a retry sends the same message."""

from __future__ import annotations

import socket
import time

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.test import override_settings

from portal.core.mail import deliver
from portal.core.models import OutgoingEmail

QUEUED = "portal.core.mail.QueuedEmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend(mail.backends.base.BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=QUEUED, EMAIL_DELIVERY_BACKEND=LOCMEM)
def test_the_request_only_stores_and_enqueues_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = EmailMultiAlternatives("Votre dossier", "Bonjour Ana", "psc@example.eu", ["ana@example.pt"])
        message.attach_alternative("<p>Bonjour Ana</p>", "text/html")
        message.attach("receipt.xml", b"<Receipt/>", "application/xml")
        assert message.send() == 1
        assert mail.outbox == []
    assert len(callbacks) == 1
    outgoing = OutgoingEmail.objects.get()
    assert outgoing.state == OutgoingEmail.State.PENDING
    assert outgoing.recipients == ["ana@example.pt"]

    deliver(str(outgoing.pk))
    deliver(str(outgoing.pk))  # a duplicate task run sends nothing more
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "Votre dossier"
    assert sent.alternatives[0].content == "<p>Bonjour Ana</p>"
    assert sent.attachments[0].filename == "receipt.xml"
    assert sent.attachments[0].content == b"<Receipt/>"
    assert sent.extra_headers["Message-ID"] == outgoing.payload["headers"]["Message-ID"]
    outgoing.refresh_from_db()
    assert (outgoing.state, outgoing.attempts) == (OutgoingEmail.State.SENT, 1)


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=QUEUED, EMAIL_DELIVERY_BACKEND=LOCMEM)
def test_a_rolled_back_request_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_mail("Subject", "Body", "psc@example.eu", ["ana@example.pt"])
        raise RuntimeError("the view failed after sending")
    assert callbacks == []
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=QUEUED, EMAIL_DELIVERY_BACKEND=f"{__name__}.RefusingBackend")
def test_a_failed_attempt_is_recorded_and_left_pending_for_the_retry():
    send_mail("Subject", "Body", "psc@example.eu", ["ana@example.pt"])
    outgoing = OutgoingEmail.objects.get()
    with pytest.raises(ConnectionRefusedError):
        deliver(str(outgoing.pk))
    outgoing.refresh_from_db()
    assert outgoing.state == OutgoingEmail.State.PENDING
    assert outgoing.attempts == 1
    assert "mail server down" in outgoing.last_error
    with override_settings(EMAIL_DELIVERY_BACKEND=LOCMEM):
        deliver(str(outgoing.pk))
    outgoing.refresh_from_db()
    assert (outgoing.state, outgoing.attempts) == (OutgoingEmail.State.SENT, 2)
    assert mail.outbox[0].extra_headers["Message-ID"] == outgoing.payload["headers"]["Message-ID"]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.mark.worker
def test_mail_goes_through_the_worker_to_a_real_smtp_server(
    transactional_db, smtp_server, monkeypatch, request
):
    handler, port = smtp_server
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(port))
    worker = request.getfixturevalue("celery_worker")  # started after the environment names the SMTP server
    with override_settings(EMAIL_BACKEND=QUEUED), transaction.atomic():
        send_mail("Dossier received", "Your dossier was delivered.", "psc@example.eu", ["jan@example.pl"])
    deadline = time.monotonic() + 30
    while not handler.messages:
        assert time.monotonic() < deadline, f"the SMTP server received nothing:\n{worker.log()}"
        time.sleep(0.2)
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["jan@example.pl"]
    assert b"Subject: Dossier received" in envelope.content
    outgoing = OutgoingEmail.objects.get()
    assert outgoing.payload["headers"]["Message-ID"].encode() in envelope.content
    deadline = time.monotonic() + 10
    while OutgoingEmail.objects.get().state != OutgoingEmail.State.SENT:
        assert time.monotonic() < deadline
        time.sleep(0.1)


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=QUEUED, EMAIL_DELIVERY_BACKEND=LOCMEM)
def test_an_operator_sends_a_failed_message_again(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    from allauth.mfa.models import Authenticator

    # staff reach the admin only with MFA set up (accounts)
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    send_mail("Subject", "Body", "psc@example.eu", ["ana@example.pt"])
    failed = OutgoingEmail.objects.get()
    OutgoingEmail.objects.filter(pk=failed.pk).update(state=OutgoingEmail.State.FAILED, attempts=10)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            "/django-admin/core/outgoingemail/",
            {"action": "send_again", "_selected_action": [str(failed.pk)]},
            follow=True,
        )
    assert response.status_code == 200
    assert "1 e-mail queued again." in response.content.decode()
    assert len(callbacks) == 1
    failed.refresh_from_db()
    assert failed.state == OutgoingEmail.State.PENDING
