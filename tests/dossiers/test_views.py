"""The dossier pages over HTTP: start, steps, autosave, review, dashboard, and whose dossier it is."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from portal.dossiers import services
from portal.dossiers.models import Application, Dossier
from portal.dossiers.states import DossierState
from tests.dossiers.test_services import COMMON_ANSWERS


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def ids(procedures, *slugs):
    return [str(procedures[slug].pk) for slug in slugs]


def start(client, procedures, *slugs):
    return client.post(reverse("dossiers:start"), {"procedure": ids(procedures, *slugs)})


def test_the_checklist_offers_start_my_application(client, procedures):
    response = client.get(
        "/en/finder/checklist/",
        {
            "activity": "62.01",
            "provision": "establishment",
            "country": "PT",
            "legal_form": "sole_trader",
            "employees": "2",
        },
    )
    assert response.status_code == 200, response.content[:2000]
    assert reverse("dossiers:start").encode() in response.content
    assert b"Start my application" in response.content


def test_start_creates_the_dossier_and_opens_the_common_step(signed_in, user, procedures):
    response = start(signed_in, procedures, "business-registration", "vat-registration")
    dossier = Dossier.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:step", args=[dossier.public_id, "common"])
    assert dossier.language == "en" and dossier.applications.count() == 2


def test_start_by_get_sends_back_to_the_finder_with_an_explanation(signed_in):
    response = signed_in.get(reverse("dossiers:start"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("finder:questionnaire")
    assert "start your application from the checklist" in response.content.decode()
    assert Dossier.objects.count() == 0


def test_start_needs_a_signed_in_user(client, procedures):
    response = start(client, procedures, "business-registration")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Dossier.objects.count() == 0


def test_signing_in_to_start_comes_back_to_the_checklist_it_was_started_from(client, procedures):
    checklist = "/en/finder/checklist/?activity=62.01&provision=establishment&country=PT"
    data = {"procedure": ids(procedures, "business-registration"), "checklist": checklist}
    response = client.post(reverse("dossiers:start"), data)
    assert response.status_code == 302
    login = urlsplit(response["Location"])
    assert login.path == reverse("account_login")
    assert parse_qs(login.query)["next"] == [checklist]
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    "checklist", ["https://elsewhere.example/en/finder/checklist/", "/en/dossiers/", "//elsewhere.example/x"]
)
def test_a_start_form_naming_another_page_returns_to_the_start_after_signing_in(
    client, procedures, checklist
):
    data = {"procedure": ids(procedures, "business-registration"), "checklist": checklist}
    response = client.post(reverse("dossiers:start"), data)
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [reverse("dossiers:start")]


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose at least one procedure"),
        ({"procedure": ["12345678"]}, "not (or no longer) in our catalogue"),
    ],
)
def test_start_with_bad_input_explains_and_creates_nothing(signed_in, procedures, data, message):
    response = signed_in.post(reverse("dossiers:start"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Dossier.objects.count() == 0 and Application.objects.count() == 0


def test_a_step_validates_on_the_server_with_an_error_summary(signed_in, user, procedures):
    start(signed_in, procedures, "business-registration", "vat-registration")
    dossier = Dossier.objects.get(owner=user)
    url = reverse("dossiers:step", args=[dossier.public_id, "common"])

    page = signed_in.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Step 1 of 3" in html and 'aria-current="step"' in html
    assert 'hx-post="' + reverse("dossiers:autosave", args=[dossier.public_id, "common"]) in html

    response = signed_in.post(url, {**COMMON_ANSWERS, "applicant__phone": "", "applicant__email": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_applicant__phone"' in html and "Answer this question." in html
    dossier.refresh_from_db()
    assert dossier.answers["applicant.full_name"] == "Ana Silva"  # the valid part is kept
    assert "applicant.email" not in dossier.answers

    response = signed_in.post(url, COMMON_ANSWERS)
    assert response.status_code == 302
    first_application = dossier.applications.first()
    assert response["Location"] == reverse(
        "dossiers:step", args=[dossier.public_id, first_application.public_id]
    )


def test_autosave_keeps_what_is_valid_and_says_so(signed_in, user, procedures):
    start(signed_in, procedures, "business-registration", "vat-registration")
    dossier = Dossier.objects.get(owner=user)
    response = signed_in.post(
        reverse("dossiers:autosave", args=[dossier.public_id, "common"]),
        {"applicant__full_name": "Ana Silva", "applicant__email": "not-an-address"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Saved at" in text and "not saved until corrected: E-mail address" in text
    dossier.refresh_from_db()
    assert dossier.answers == {"applicant.full_name": "Ana Silva"}


def test_resume_goes_to_the_first_step_with_something_missing_then_to_the_review(signed_in, user, procedures):
    start(signed_in, procedures, "business-registration")
    dossier = Dossier.objects.get(owner=user)
    application = dossier.applications.get()
    response = signed_in.get(reverse("dossiers:resume", args=[dossier.public_id]))
    assert response["Location"] == reverse("dossiers:step", args=[dossier.public_id, application.public_id])


def test_review_names_what_is_missing_and_a_complete_dossier_becomes_ready(signed_in, user, procedures):
    start(signed_in, procedures, "business-registration", "vat-registration")
    dossier = Dossier.objects.get(owner=user)
    review = reverse("dossiers:review", args=[dossier.public_id])
    html = signed_in.get(review).content.decode()
    assert "11 things are missing" in html
    assert "Expected yearly turnover (EUR) (VAT registration)" in html

    response = signed_in.post(review)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT
    assert "not complete yet" in signed_in.get(response["Location"]).content.decode()

    answers = {name.replace("__", "."): value for name, value in COMMON_ANSWERS.items()}
    answers |= {
        "business.premises_address": "Rua 1",
        "business.start_date": "2027-01-04",
        "business.expected_turnover": "1000",
        "tax.has_foreign_vat_number": "no",
    }
    services.save_answers(dossier, answers, actor=user)
    html = signed_in.get(review).content.decode()
    assert "missing" not in html
    assert html.count("Ana Silva") == 2  # asked once, shown in both applications
    signed_in.post(review)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.READY_FOR_SIGNATURE
    change = dossier.state_changes.get()
    assert change.actor == user and change.reason


def test_script_in_a_text_answer_is_shown_as_text(signed_in, user, procedures):
    start(signed_in, procedures, "business-registration")
    dossier = Dossier.objects.get(owner=user)
    script = "<script>alert('x')</script>"
    signed_in.post(
        reverse("dossiers:step", args=[dossier.public_id, dossier.applications.get().public_id]),
        {**COMMON_ANSWERS, "applicant__full_name": script, "applicant__address": f"Rua 1\n{script}"},
    )
    dossier.refresh_from_db()
    assert dossier.answers["applicant.full_name"] == script  # stored as typed, escaped when shown
    html = signed_in.get(reverse("dossiers:review", args=[dossier.public_id])).content.decode()
    assert script not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    html = signed_in.get(
        reverse("dossiers:step", args=[dossier.public_id, dossier.applications.get().public_id])
    )
    assert script not in html.content.decode()


def test_another_users_dossier_is_not_found_anywhere(client, user, other_user, procedures):
    dossier = services.start_dossier(
        owner=user, procedure_ids=[procedures["business-registration"].pk], language="en"
    )
    client.force_login(other_user)
    key = str(dossier.applications.get().public_id)
    for url in [
        reverse("dossiers:resume", args=[dossier.public_id]),
        reverse("dossiers:step", args=[dossier.public_id, key]),
        reverse("dossiers:review", args=[dossier.public_id]),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("dossiers:step", args=[dossier.public_id, key]),
        reverse("dossiers:autosave", args=[dossier.public_id, key]),
        reverse("dossiers:review", args=[dossier.public_id]),
    ]:
        assert client.post(url, {"applicant__full_name": "Mallory"}).status_code == 404, url
    dossier.refresh_from_db()
    assert dossier.answers == {} and dossier.state == DossierState.DRAFT
    assert str(dossier.public_id) not in client.get(reverse("dossiers:dashboard")).content.decode()


def test_the_dashboard_lists_my_dossiers_with_each_application_state(signed_in, user, procedures):
    start(signed_in, procedures, "business-registration", "vat-registration")
    dossier = Dossier.objects.get(owner=user)
    html = signed_in.get(reverse("dossiers:dashboard")).content.decode()
    assert "Business registration (trade licence)" in html and "VAT registration" in html
    assert "Being prepared" in html and "Draft" in html
    assert reverse("dossiers:resume", args=[dossier.public_id]) in html


def test_an_unknown_step_is_not_found(signed_in, user, procedures):
    start(signed_in, procedures, "business-registration")
    dossier = Dossier.objects.get(owner=user)
    assert signed_in.get(reverse("dossiers:step", args=[dossier.public_id, "nope"])).status_code == 404


@pytest.fixture
def companies(user, other_user):
    from portal.accounts.models import LegalPersonRepresentation

    mine = LegalPersonRepresentation.objects.create(
        user=user,
        name="Silva Consulting Lda",
        registration_number="PT509876543",
        register="Registo Comercial",
        country="PT",
        capacity="legal_representative",
        verified_source="eidas:test-node",
    )
    theirs = LegalPersonRepresentation.objects.create(
        user=other_user,
        name="Mallory Holdings",
        registration_number="FR123",
        register="RCS",
        country="FR",
        capacity="legal_representative",
    )
    return mine, theirs


def test_someone_who_represents_a_company_is_asked_for_whom_they_apply(signed_in, procedures, companies):
    mine, _theirs = companies
    response = start(signed_in, procedures, "business-registration", "vat-registration")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Who is applying?" in page
    assert "Silva Consulting Lda" in page and "Mallory Holdings" not in page
    assert page.count('name="procedure"') == 2  # the checklist's choice is carried over
    assert not Dossier.objects.exists()

    response = signed_in.post(
        reverse("dossiers:start"),
        {"procedure": ids(procedures, "business-registration"), "on_behalf_of": str(mine.pk)},
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.on_behalf_of["name"] == "Silva Consulting Lda"
    assert dossier.on_behalf_of["registration_number"] == "PT509876543"
    assert dossier.on_behalf_of["verified_source"] == "eidas:test-node"
    # frozen: a later edit of the profile does not change what the dossier says
    mine.name = "Renamed Lda"
    mine.save()
    dossier.refresh_from_db()
    assert dossier.on_behalf_of["name"] == "Silva Consulting Lda"
    assert (
        "On behalf of Silva Consulting Lda" in signed_in.get(reverse("dossiers:dashboard")).content.decode()
    )


def test_own_name_is_a_choice_too(signed_in, procedures, companies):
    signed_in.post(
        reverse("dossiers:start"),
        {"procedure": ids(procedures, "business-registration"), "on_behalf_of": "self"},
    )
    assert Dossier.objects.get().on_behalf_of == {}


@pytest.mark.parametrize("choice", ["other", "999999", "-1"])
def test_a_company_that_is_not_mine_is_refused_and_nothing_starts(signed_in, procedures, companies, choice):
    _mine, theirs = companies
    value = str(theirs.pk) if choice == "other" else choice
    response = signed_in.post(
        reverse("dossiers:start"),
        {"procedure": ids(procedures, "business-registration"), "on_behalf_of": value},
    )
    assert response.status_code == 400
    assert "Choose one of the companies you represent" in response.content.decode()
    assert not Dossier.objects.exists()


def test_the_review_offers_each_application_pdf_to_its_owner_only(
    signed_in, client, user, other_user, procedures
):
    from django.test import Client

    start(signed_in, procedures, "business-registration", "commercial-register-entry")
    dossier = Dossier.objects.get(owner=user)
    review = signed_in.get(reverse("dossiers:review", args=[dossier.public_id])).content.decode()
    applications = list(dossier.applications.all())
    for application in applications:
        url = reverse("dossiers:application_pdf", args=[dossier.public_id, application.public_id])
        assert url in review
    assert review.count("Download the application PDF") == 2

    url = reverse("dossiers:application_pdf", args=[dossier.public_id, applications[1].public_id])
    response = signed_in.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="application-')
    assert response.content.startswith(b"%PDF-1.7")
    applications[1].refresh_from_db()
    assert applications[1].pdf_name  # rendered once and kept

    mallory = Client()
    mallory.force_login(other_user)
    assert mallory.get(url).status_code == 404
    # an application of another dossier under my dossier's id is not found either
    assert (
        signed_in.get(
            reverse(
                "dossiers:application_pdf", args=[dossier.public_id, "00000000-0000-4000-8000-000000000000"]
            )
        ).status_code
        == 404
    )
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert signed_in.post(url).status_code == 405
