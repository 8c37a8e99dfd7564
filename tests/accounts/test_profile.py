"""Entrepreneur profile, represented legal persons, language, data export and account deletion."""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator

from portal.accounts import services
from portal.accounts.models import EntrepreneurProfile, LegalPersonRepresentation
from tests.accounts.conftest import make_user
from tests.fixtures.browser import assert_accessible

GLEIF_LEI = "506700GE1G29325QX363"  # GLEIF's own LEI, a real one with valid check digits


@pytest.fixture
def signed_in(client, entrepreneur):
    client.force_login(entrepreneur)
    return client


def legal_person(**overrides):
    data = {
        "name": "Dupont Conseil SARL",
        "registration_number": "123 456 789",
        "register": "RCS Lyon",
        "country": "fr",
        "lei": "",
        "euid": "FRRCS.123456789",
        "capacity": "director",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_eid_claims_are_marked_verified_and_a_typed_change_removes_the_mark(signed_in, entrepreneur):
    services.apply_eid_claims(
        entrepreneur,
        source="eid_oidc:test",
        claims={
            "given_name": "Marie",
            "family_name": "Curie",
            "birthdate": "1867-11-07",
            "nationality": "pl",
        },
    )
    profile = EntrepreneurProfile.objects.get(user=entrepreneur)
    assert profile.is_verified("family_name") and profile.is_verified("nationality")
    assert profile.nationality == "PL"

    form = {
        "given_names": "Marie",
        "family_name": "Skłodowska-Curie",
        "date_of_birth": "1867-11-07",
        "nationality": "pl",
        "address_line_1": "36 quai de Béthune",
        "address_line_2": "",
        "postal_code": "75004",
        "city": "Paris",
        "region": "",
        "country": "fr",
    }
    assert signed_in.post("/en/accounts/profile/edit/", form).status_code == 302
    profile.refresh_from_db()
    assert profile.family_name == "Skłodowska-Curie"
    assert not profile.is_verified("family_name")  # typed by the user: no longer what the eID said
    assert profile.is_verified("given_names") and profile.is_verified("date_of_birth")
    assert profile.country == "FR"


@pytest.mark.django_db
def test_profile_form_refuses_a_bad_country_code(signed_in):
    response = signed_in.post("/en/accounts/profile/edit/", {"nationality": "France", "country": "F1"})
    assert response.status_code == 200
    assert "Enter a two-letter country code" in response.content.decode()
    assert not EntrepreneurProfile.objects.exists()


@pytest.mark.django_db
def test_legal_person_added_with_a_valid_lei_and_refused_with_a_wrong_one(signed_in, entrepreneur):
    response = signed_in.post(
        "/en/accounts/profile/legal-persons/add/", legal_person(lei="506700GE1G29325QX364")
    )
    assert "check digits are wrong" in response.content.decode()
    assert not LegalPersonRepresentation.objects.exists()

    response = signed_in.post("/en/accounts/profile/legal-persons/add/", legal_person(lei=GLEIF_LEI.lower()))
    assert response.status_code == 302
    representation = LegalPersonRepresentation.objects.get()
    assert (representation.user, representation.country, representation.lei) == (
        entrepreneur,
        "FR",
        GLEIF_LEI,
    )
    assert representation.verified_source == ""  # declared, not verified

    response = signed_in.post("/en/accounts/profile/legal-persons/add/", legal_person())
    assert "already represent" in response.content.decode()


@pytest.mark.django_db
def test_nobody_can_remove_or_export_someone_elses_data(client, entrepreneur):
    other = make_user("intruder@example.de")
    representation = LegalPersonRepresentation.objects.create(
        user=entrepreneur, **{**legal_person(), "country": "FR"}
    )
    client.force_login(other)
    assert client.post(f"/en/accounts/profile/legal-persons/{representation.pk}/remove/").status_code == 404
    assert LegalPersonRepresentation.objects.filter(pk=representation.pk).exists()
    exported = json.loads(client.get("/en/accounts/profile/my-data.json").content)
    assert exported["user"]["email"] == "intruder@example.de"
    assert exported["represented_legal_persons"] == []


@pytest.mark.django_db
def test_pages_need_a_signed_in_user(client):
    for path in (
        "/en/accounts/profile/",
        "/en/accounts/profile/my-data.json",
        "/en/accounts/profile/delete/",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


@pytest.mark.django_db
def test_download_my_data_has_everything_but_no_secrets(signed_in, entrepreneur):
    services.apply_eid_claims(entrepreneur, source="eid_oidc:test", claims={"given_name": "Marie"})
    LegalPersonRepresentation.objects.create(user=entrepreneur, **{**legal_person(), "country": "FR"})
    Authenticator.objects.create(
        user=entrepreneur, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    response = signed_in.get("/en/accounts/profile/my-data.json")
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["user"]["email"] == "marie@example.fr"
    assert data["profile"]["given_names"] == "Marie"
    assert data["profile"]["verified_attributes"]["given_names"]["source"] == "eid_oidc:test"
    assert data["represented_legal_persons"][0]["euid"] == "FRRCS.123456789"
    assert data["mfa_devices"][0]["type"] == "totp"
    assert data["email_addresses"] == [{"email": "marie@example.fr", "verified": True, "primary": True}]
    assert "JBSWY3DPEHPK3PXP" not in response.content.decode()
    assert "password" not in data["user"]


@pytest.mark.django_db
def test_preferred_language_is_saved(signed_in, entrepreneur):
    response = signed_in.post("/en/accounts/profile/language/", {"preferred_language": "de"})
    assert response.status_code == 302
    entrepreneur.refresh_from_db()
    assert entrepreneur.preferred_language == "de"
    assert response.cookies["portal_language"].value == "de"
    signed_in.post("/en/accounts/profile/language/", {"preferred_language": "xx"})
    entrepreneur.refresh_from_db()
    assert entrepreneur.preferred_language == "de"


@pytest.mark.django_db
def test_a_registered_blocker_stops_deletion_with_its_reason(signed_in, entrepreneur):
    def dossier_in_progress(user):
        return [f"Your dossier D-2026-0001 is being processed ({user.email})."]

    services.register_deletion_blocker(dossier_in_progress)
    try:
        response = signed_in.post("/en/accounts/profile/delete/", {"confirm": "on"})
        assert response.status_code == 200
        assert "Your dossier D-2026-0001 is being processed" in response.content.decode()
        assert type(entrepreneur).objects.filter(pk=entrepreneur.pk).exists()
        with pytest.raises(services.AccountDeletionBlocked):
            services.delete_account(entrepreneur)
    finally:
        services.unregister_deletion_blocker(dossier_in_progress)


@pytest.mark.django_db
def test_deletion_needs_confirmation_then_removes_everything(signed_in, entrepreneur):
    LegalPersonRepresentation.objects.create(user=entrepreneur, **{**legal_person(), "country": "FR"})
    response = signed_in.post("/en/accounts/profile/delete/", {})
    assert response.status_code == 200
    assert type(entrepreneur).objects.filter(pk=entrepreneur.pk).exists()
    response = signed_in.post("/en/accounts/profile/delete/", {"confirm": "on"})
    assert response.status_code == 302
    assert not type(entrepreneur).objects.filter(pk=entrepreneur.pk).exists()
    assert not LegalPersonRepresentation.objects.exists()
    assert "_auth_user_id" not in signed_in.session


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_account_page_in_the_browser(page, demo_site):
    from tests.accounts.conftest import PASSWORD

    make_user("marie@example.fr")
    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill("marie@example.fr")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/en/")
    page.goto("/en/accounts/profile/")
    assert "low (e-mail and password)" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Add a company you represent").click()
    page.get_by_label("Legal name").fill("Curie Laboratoires SAS")
    page.get_by_label("Registration number").fill("987 654 321")
    page.get_by_label("Register").fill("RCS Paris")
    page.get_by_label("Country").fill("FR")
    page.get_by_label("LEI").fill("506700GE1G29325QX364")
    page.get_by_label("Declared capacity").select_option("legal_representative")
    page.get_by_role("button", name="Add").click()
    page.locator("[data-error-summary]").wait_for()
    assert "check digits are wrong" in page.locator("[data-error-summary]").inner_text()
    assert_accessible(page)
    page.get_by_label("LEI").fill(GLEIF_LEI)
    page.get_by_role("button", name="Add").click()
    page.wait_for_url("**/accounts/profile/")
    assert "Curie Laboratoires SAS" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Delete my account").click()
    assert_accessible(page)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/en/")
    assert "Your account and your data were deleted." in page.locator("main").inner_text()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "level"), [("fr", "Votre compte", "faible"), ("de", "Ihr Konto", "niedrig")]
)
def test_account_page_is_translated(signed_in, language, title, level):
    page = signed_in.get(f"/{language}/accounts/profile/").content.decode()
    assert title in page
    assert level in page
