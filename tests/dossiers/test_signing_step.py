"""The signing step of a dossier: one consent at the test QTSP signs every application PDF, the dossier
becomes ``signed``; refusals, reloads, stale consents and a too-low level of assurance."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from portal.dossiers import selectors, services, signature
from portal.dossiers.models import Dossier, StateChange
from portal.dossiers.states import DossierState
from portal.signing.models import SigningBatch, SigningRequest
from portal.signing.signers import configured_signer
from portal.signing.trust import TrustContext
from portal.signing.validation import validate
from tests.dossiers.test_services import COMMON_ANSWERS
from tests.signing.consent import consent_at_qtsp as qtsp_consent

SUBSTANTIAL = {"level": "substantial", "method": "eidas", "acr": "http://eidas.europa.eu/LoA/substantial"}


def ready_dossier(user, procedures) -> Dossier:
    """Business registration (town hall) and VAT registration (tax office), complete and reviewed."""
    dossier = services.start_dossier(
        owner=user,
        procedure_ids=[procedures["business-registration"].pk, procedures["vat-registration"].pk],
        language="en",
    )
    answers = {name.replace("__", "."): value for name, value in COMMON_ANSWERS.items()}
    answers |= {
        "business.premises_address": "Rua 1",
        "business.start_date": "2027-01-04",
        "business.expected_turnover": "1000",
        "tax.has_foreign_vat_number": "no",
    }
    services.save_answers(dossier, answers, actor=user)
    services.mark_ready_for_signature(dossier, actor=user)
    return dossier


def signed_in(client, user, assurance=SUBSTANTIAL):
    client.force_login(user)
    session = client.session
    session["accounts_assurance"] = assurance
    session.save()
    client.defaults["SERVER_NAME"] = "localhost"  # a redirect_uri host the test QTSP accepts
    return client


def set_level(client, assurance):
    session = client.session
    session["accounts_assurance"] = assurance
    session.save()


def urls(dossier):
    return {
        "sign": reverse("dossiers:sign", args=[dossier.public_id]),
        "status": reverse("dossiers:sign-status", args=[dossier.public_id]),
    }


def consent_at_qtsp(url: str, *, approve: bool = True) -> str:
    """The user at the QTSP; returns the path and query it sends the browser back to."""
    location = urlsplit(qtsp_consent(url, approve=approve))
    assert location.hostname == "localhost"
    return f"{location.path}?{location.query}"


def start_and_consent(client, dossier, qtsp_url, *, approve=True) -> str:
    response = client.post(urls(dossier)["sign"])
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = response["Location"]
    assert consent.startswith(f"{qtsp_url}/oauth2/authorize?")
    query = parse_qs(urlsplit(consent).query)
    assert query["numSignatures"] == ["2"] and len(query["hashes"][0].split(",")) == 2
    return consent_at_qtsp(consent, approve=approve)


@pytest.mark.worker
def test_one_consent_signs_both_applications_and_the_dossier_becomes_signed(
    client, user, other_user, procedures, qtsp_signer, celery_worker
):
    dossier = ready_dossier(user, procedures)
    signed_in(client, user)
    page = client.get(urls(dossier)["sign"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sign with PSC test QTSP" in html and "Erika Mustermann" in html
    assert "Business registration (trade licence)" in html and "VAT registration" in html
    application = dossier.applications.first()
    preview = client.get(
        reverse("dossiers:sign-application-pdf", args=[dossier.public_id, application.public_id])
    )
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")

    back = start_and_consent(client, dossier, qtsp_signer.url)
    response = client.get(back)
    assert response["Location"] == urls(dossier)["status"]
    assert client.get(back)["Location"] == urls(dossier)["status"]  # a reload of the callback
    assert SigningBatch.objects.count() == 1
    assert back.startswith(reverse("dossiers:sign-return") + "?")  # one address for every dossier

    # the worker signs, and its signing_finished hook completes the dossier (no page is asked)
    deadline = time.monotonic() + 150
    while Dossier.objects.get(pk=dossier.pk).state != DossierState.SIGNED:
        assert time.monotonic() < deadline, (
            list(SigningRequest.objects.values_list("status", "error")),
            celery_worker.log()[-3000:],
        )
        time.sleep(0.5)

    dossier.refresh_from_db()
    anchors = TrustContext(anchors=configured_signer().trust_anchors())
    for application in dossier.applications.select_related("signing_request__report"):
        request = application.signing_request
        assert request.status == SigningRequest.Status.SIGNED and request.report.indication == "TOTAL_PASSED"
        signed = selectors.signed_application_pdf(application)
        report = validate(signed, request.filename, trust=anchors)
        assert str(report.indication) == "TOTAL_PASSED"
        assert [s["level"] for s in report.as_dict()["signatures"]] == ["LTA"]
    changes = [
        (c.from_state, c.to_state, c.actor_id, c.system_actor)
        for c in StateChange.objects.filter(dossier=dossier)
    ]
    assert changes == [
        ("draft", "ready_for_signature", user.pk, ""),
        ("ready_for_signature", "signed", None, signature.WORKER_ACTOR),
    ]

    status = client.get(urls(dossier)["status"]).content.decode()
    assert "Your dossier is signed" in status and status.count('data-signing-status="signed"') == 2
    assert "hx-get" not in status  # nothing left to poll
    report_url = reverse("signing:report", args=[application.signing_request.report_id])
    assert report_url in status and client.get(report_url).status_code == 200
    signed_url = reverse("dossiers:signed-application-pdf", args=[dossier.public_id, application.public_id])
    assert client.get(signed_url).content == selectors.signed_application_pdf(application)
    # the status page and the hook again: still one transition
    assert signature.complete_if_signed(dossier, actor=user)
    assert StateChange.objects.filter(dossier=dossier, to_state="signed").count() == 1
    # nobody else sees the dossier, its signed PDFs or the reports, nor can use its consent
    client.force_login(other_user)
    assert client.get(back).status_code == 404
    assert client.get(urls(dossier)["status"]).status_code == 404
    assert client.get(signed_url).status_code == 404
    assert client.get(report_url).status_code == 404


@pytest.mark.django_db
def test_a_refused_consent_says_so_and_signing_can_start_again(client, user, procedures, qtsp_signer):
    dossier = ready_dossier(user, procedures)
    signed_in(client, user)
    back = start_and_consent(client, dossier, qtsp_signer.url, approve=False)
    assert "error=access_denied" in back
    response = client.get(back, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == urls(dossier)["sign"]
    assert "You did not authorise the signature at PSC test QTSP" in html and "Nothing was signed" in html
    assert client.get(back, follow=True).redirect_chain[-1][0] == urls(dossier)["sign"]  # reload: same
    dossier.refresh_from_db()
    assert dossier.state == DossierState.READY_FOR_SIGNATURE
    assert not dossier.applications.filter(signing_request__isnull=False).exists()

    again = client.post(urls(dossier)["sign"])
    assert again.status_code == 302 and again["Location"].startswith(qtsp_signer.url)
    first, second = SigningBatch.objects.order_by("created_at")
    assert first.status == SigningBatch.Status.REFUSED and second.key.endswith("#2")
    assert parse_qs(urlsplit(again["Location"]).query)["state"] == [second.consent_state]


@pytest.mark.django_db
def test_the_consent_queues_the_signing_once_and_links_each_application(
    client, user, procedures, qtsp_signer, django_capture_on_commit_callbacks
):
    dossier = ready_dossier(user, procedures)
    signed_in(client, user)
    back = start_and_consent(client, dossier, qtsp_signer.url)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.get(back)["Location"] == urls(dossier)["status"]
        assert client.get(back)["Location"] == urls(dossier)["status"]
    assert len(queued) == 1  # one signing of the batch, however often the callback is reloaded
    batch = SigningBatch.objects.get()
    linked = [a.signing_request for a in dossier.applications.all()]
    assert linked == list(batch.requests.order_by("batch_position"))
    status = client.get(urls(dossier)["status"], HTTP_HX_REQUEST="true").content.decode()
    assert status.startswith('<div id="sign-status"') and 'hx-trigger="every 2s"' in status
    assert status.count('data-signing-status="signing"') == 2


@pytest.mark.django_db
def test_a_too_low_level_of_assurance_is_refused_with_a_way_to_step_up(client, user, procedures, qtsp_signer):
    dossier = ready_dossier(user, procedures)
    signed_in(client, user, {"level": "low", "method": "password"})
    page = client.get(urls(dossier)["sign"])
    html = page.content.decode()
    assert page.status_code == 403
    assert "Business registration (trade licence)" in html and "VAT registration" in html
    assert "substantial (national eID)" in html and "low (e-mail and password)" in html
    step_up = re.search(r'href="(/en/accounts/step-up/\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(step_up).query) == {"level": ["substantial"], "next": [urls(dossier)["sign"]]}
    assert client.get(step_up).status_code == 200
    assert client.post(urls(dossier)["sign"]).status_code == 403
    assert not SigningBatch.objects.exists()
    with translation.override("fr"):
        french = client.get(reverse("dossiers:sign", args=[dossier.public_id])).content.decode()
    assert (
        "Vérifiez votre identité pour signer" in french and "Se connecter avec votre eID nationale" in french
    )

    # enough to start, but the session is weaker when the user comes back (another sign-in)
    set_level(client, SUBSTANTIAL)
    back = start_and_consent(client, dossier, qtsp_signer.url)
    set_level(client, {"level": "low", "method": "password"})
    assert client.get(back).status_code == 403
    assert SigningBatch.objects.get().status == SigningBatch.Status.AWAITING_CONSENT  # nothing queued


@pytest.mark.django_db
def test_answers_changed_during_signing_make_the_consent_stale(client, user, procedures, qtsp_signer):
    dossier = ready_dossier(user, procedures)
    signed_in(client, user)
    back = start_and_consent(client, dossier, qtsp_signer.url)
    services.save_answers(dossier, {"business.premises_address": "Rua 2"}, actor=user)
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.DRAFT
    response = client.get(back, follow=True)
    assert "Your dossier changed since you started signing" in response.content.decode()
    assert SigningBatch.objects.get().status == SigningBatch.Status.AWAITING_CONSENT
    assert not dossier.applications.filter(signing_request__isnull=False).exists()
    # ready again: a consent from before that is still not accepted
    services.mark_ready_for_signature(dossier, actor=user)
    assert client.get(back, follow=True).redirect_chain[-1][0] == reverse(
        "dossiers:review", args=[dossier.public_id]
    )


@pytest.mark.django_db
def test_a_draft_cannot_be_signed_and_strangers_find_nothing(client, user, other_user, procedures):
    dossier = services.start_dossier(
        owner=user, procedure_ids=[procedures["vat-registration"].pk], language="en"
    )
    signed_in(client, user)
    response = client.get(urls(dossier)["sign"], follow=True)
    assert response.redirect_chain[-1][0] == reverse("dossiers:review", args=[dossier.public_id])
    assert "confirm them before you sign" in response.content.decode()
    made_up = client.get(reverse("dossiers:sign-return") + "?state=made-up&code=x", follow=True)
    assert made_up.redirect_chain[-1][0] == reverse("dossiers:dashboard")
    assert "does not belong to a signature of this dossier" in made_up.content.decode()
    client.force_login(other_user)
    application = dossier.applications.get()
    for url in [
        *urls(dossier).values(),
        reverse("dossiers:sign-application-pdf", args=[dossier.public_id, application.public_id]),
        reverse("dossiers:signed-application-pdf", args=[dossier.public_id, application.public_id]),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_more_applications_than_one_consent_covers_is_explained(
    client, user, procedures, qtsp_signer, monkeypatch
):
    from portal.signing import services as signing_services

    dossier = ready_dossier(user, procedures)
    signed_in(client, user)
    monkeypatch.setattr(signing_services, "MAX_BATCH", 1)
    response = client.post(urls(dossier)["sign"], follow=True)
    assert response.redirect_chain[-1][0] == urls(dossier)["sign"]
    assert "PSC test QTSP can sign at most 1 documents with one authorisation" in response.content.decode()
    assert not SigningBatch.objects.exists() and not SigningRequest.objects.exists()


@pytest.mark.django_db
def test_an_unreachable_qtsp_is_a_message_not_an_error(client, user, procedures, settings):
    from tests.fixtures.processes import free_port

    dossier = ready_dossier(user, procedures)
    signed_in(client, user)
    down = f"http://127.0.0.1:{free_port()}"
    settings.SIGNING_SIGNERS = {"csc": {"class": "csc", "service_url": down, "client_id": "portal",
                                        "client_secret": "s", "credential_id": "c", "tsa_url": f"{down}/tsa",
                                        "display_name": "Example QTSP"}}  # fmt: skip
    settings.SIGNING_DEFAULT_SIGNER = "csc"
    page = client.get(urls(dossier)["sign"]).content.decode()
    assert "Sign with Example QTSP" in page
    response = client.post(urls(dossier)["sign"], follow=True)
    assert "Example QTSP cannot be reached right now. Nothing was signed" in response.content.decode()
    assert not SigningBatch.objects.exists()


def _signed_requests_for(dossier):
    """Each application linked to a signed request (what the worker leaves), without signing."""
    for position, application in enumerate(dossier.applications.all()):
        application.signing_request = SigningRequest.objects.create(
            key=f"{dossier.public_id}/{position}",
            signer="test-qtsp",
            filename=signature.application_filename(application),
            source_name="unused",
            source_sha256="0" * 64,
            status=SigningRequest.Status.SIGNED,
        )
        application.save(update_fields=["signing_request"])


@pytest.mark.django_db
def test_completion_when_the_worker_is_quicker_between_the_check_and_the_transition(
    client, user, procedures, monkeypatch
):
    dossier = ready_dossier(user, procedures)
    _signed_requests_for(dossier)
    real_transition = signature.transition

    def worker_first(subject, to_state, **kwargs):
        real_transition(subject, to_state, system_actor=signature.WORKER_ACTOR, reason="the worker")
        return real_transition(subject, to_state, **kwargs)  # now illegal: signed -> signed

    monkeypatch.setattr(signature, "transition", worker_first)
    signed_in(client, user)
    status = client.get(urls(dossier)["status"], HTTP_HX_REQUEST="true").content.decode()
    assert "Every application is signed. Your dossier is signed." in status and "hx-get" not in status
    changes = StateChange.objects.filter(dossier=dossier, to_state="signed")
    assert [(c.actor_id, c.system_actor) for c in changes] == [(None, signature.WORKER_ACTOR)]


@pytest.mark.django_db
def test_signatures_from_before_a_return_to_draft_do_not_count(client, user, procedures):
    dossier = ready_dossier(user, procedures)
    _signed_requests_for(dossier)
    services.save_answers(dossier, {"business.premises_address": "Rua 3"}, actor=user)  # back to draft
    assert [row.status for row in signature.signing_progress(dossier)] == ["not-started", "not-started"]
    services.mark_ready_for_signature(dossier, actor=user)
    assert not signature.complete_if_signed(dossier, actor=user)
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.READY_FOR_SIGNATURE
    signed_in(client, user)
    status = client.get(urls(dossier)["status"]).content.decode()
    assert status.count('data-signing-status="not-started"') == 2 and ">Sign</a>" in status
