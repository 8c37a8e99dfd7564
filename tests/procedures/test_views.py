"""The finder and catalogue pages over HTTP, without JavaScript, and what bad input gets."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from procedures.models import CompetentAuthority, ProcedurePage
from tests.factories import SuperuserFactory

VALID = {
    "q": "coiffeur",
    "activity": "96.02",
    "provision": "establishment",
    "country": "PT",
    "legal_form": "sole_trader",
    "employees": "0",
}


def test_search_step_lists_matching_activities_as_choices(client, catalogue):
    response = client.get("/fr/finder/", {"q": "coiffeur"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="radio" name="activity"' in html
    assert 'value="96.02"' in html
    assert "Coiffure et soins de beauté" in html
    assert "There is a problem" not in html  # a search step is not judged


def test_search_step_says_when_nothing_matches(client, catalogue):
    response = client.get("/en/finder/", {"q": "unicorn breeding"})
    assert response.status_code == 200
    assert "No activity matches “unicorn breeding”" in response.content.decode()


def test_typeahead_fragment_is_the_activity_list_alone(client, catalogue):
    response = client.get("/fr/finder/activities/", {"q": "cabeleir"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Coiffure et soins de beauté" in html


def test_checklist_in_french_has_procedures_documents_and_fees(client, catalogue):
    response = client.get("/fr/finder/checklist/", VALID)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reconnaissance d&#x27;une qualification professionnelle" in html
    assert "Pièce d&#x27;identité" in html
    assert "250,00 EUR" in html
    assert "120" in html
    assert html.count('<th scope="row">Pièce d&#x27;identité') == 1  # deduplicated


def test_checklist_start_button_posts_the_procedures_to_the_dossier_builder(client, catalogue):
    response = client.get("/en/finder/checklist/", VALID)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Start my application" in html
    assert 'action="/en/dossiers/start/"' in html
    # where signing in returns to
    assert 'name="checklist" value="/en/finder/checklist/?q=coiffeur&amp;activity=96.02' in html
    assert html.count('name="procedure"') == html.count('class="checklist__item"') > 0


def test_checklist_posts_the_procedures_to_dossiers_start_when_it_exists(client, catalogue, settings):
    settings.ROOT_URLCONF = "tests.procedures.urls_with_dossiers"
    response = client.get("/en/finder/checklist/", VALID)
    html = response.content.decode()
    assert "Start my application" in html
    assert 'action="/dossiers/start/"' in html
    expected = list(
        ProcedurePage.objects.filter(
            locale__language_code="en",
            slug__in=["recognition-of-qualifications", "business-registration", "craft-authorisation"],
        ).values_list("pk", flat=True)
    )
    for pk in expected:
        assert f'name="procedure" value="{pk}"' in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"activity": "99.99"}, "We do not know the activity “99.99”"),
        ({"activity": ""}, "Choose your activity from the list"),
        ({"employees": "lots"}, "Enter a whole number."),
        ({"employees": "-4"}, "Ensure this value is greater than or equal to 0."),
        ({"provision": "forever"}, "Select a valid choice."),
        ({"country": "Atlantis"}, "Select a valid choice."),
        ({"activity": "96.02\x00"}, "Null characters are not allowed."),
        ({"q": "x" * 500}, "Ensure this value has at most 100 characters"),
    ],
)
def test_malformed_answers_get_a_clear_message_and_no_checklist(client, catalogue, overrides, message):
    response = client.get("/en/finder/checklist/", {**VALID, **overrides})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert "Your checklist" not in html


def test_an_unknown_activity_in_french_is_explained_in_french(client, catalogue):
    response = client.get("/fr/finder/checklist/", {**VALID, "activity": "00.00"})
    assert response.status_code == 400
    assert "Nous ne connaissons pas l&#x27;activité" in response.content.decode()


def test_a_query_string_that_is_not_even_well_formed_does_not_break_the_finder(client, catalogue):
    for query in ("%ff%fe=%00", "activity=%E2%82", "employees[]=1&employees[]=2", "q=" + "%25" * 300):
        assert client.get("/en/finder/checklist/?" + query).status_code == 400
        assert client.get("/en/finder/?" + query).status_code == 200
        assert client.get("/en/finder/activities/?" + query).status_code == 200


def test_switching_language_keeps_the_answers(client, catalogue):
    checklist = "/fr/finder/checklist/?" + urlencode(VALID)
    # the user chose French with the switcher before (Django's translate_url resolves `next` in the
    # language of the request, which comes from this cookie)
    client.cookies["portal_language"] = "fr"
    response = client.post("/i18n/setlang/", {"language": "de", "next": checklist})
    assert response.status_code == 302
    assert response["Location"] == "/de/finder/checklist/?" + urlencode(VALID)
    german = client.get(response["Location"])
    assert german.status_code == 200
    assert "Anerkennung einer Berufsqualifikation" in german.content.decode()


def test_procedure_page_shows_what_the_sdg_regulation_asks(client, catalogue):
    response = client.get("/de/procedures/recognition-of-qualifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anerkennung einer Berufsqualifikation" in html
    assert "Zentrum für die Anerkennung von Berufsqualifikationen" in html  # the authority in German
    assert "120,00 EUR" in html
    assert 'href="http://data.europa.eu/eli/dir/2005/36/oj"' in html
    assert "das Verwaltungsgericht Aurelien" in html
    assert 'hreflang="fr"' in html
    assert "<time datetime=" in html


def test_catalogue_page_lists_and_searches_procedures(client, catalogue):
    listing = client.get("/en/procedures/")
    assert listing.status_code == 200
    assert "Craft authorisation" in listing.content.decode()
    found = client.get("/en/procedures/", {"q": "crafts"}).content.decode()
    assert "Craft authorisation" in found
    assert "Residence permit" not in found


@pytest.fixture
def editor_client(client, db):
    """A signed-in editor; editors reach the CMS only with a second factor set up."""
    client.force_login(SuperuserFactory())
    return client


def test_editors_can_open_the_procedure_and_authority_editors(editor_client, catalogue):
    client = editor_client
    page = ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code="en")
    assert client.get(f"/cms/pages/{page.pk}/edit/").status_code == 200
    authority = CompetentAuthority.objects.get(identifier="commercial-court", locale__language_code="en")
    response = client.get(f"/cms/snippets/procedures/competentauthority/edit/{authority.pk}/")
    assert response.status_code == 200
    assert "AS4 party id" in response.content.decode()
    assert client.get("/cms/snippets/procedures/businessactivity/").status_code == 200


def test_an_editor_changing_the_channel_to_as4_without_settings_is_refused(editor_client, catalogue):
    client = editor_client
    authority = CompetentAuthority.objects.get(identifier="chamber-of-crafts", locale__language_code="en")
    response = client.post(
        f"/cms/snippets/procedures/competentauthority/edit/{authority.pk}/",
        {
            "name": authority.name,
            "identifier": authority.identifier,
            "languages": "en",
            "delivery_transport": "as4",
            "as4_certificate_pem": "garbage",
        },
    )
    assert response.status_code == 200  # the form again, with errors
    authority.refresh_from_db()
    assert authority.delivery_transport == "backoffice"
