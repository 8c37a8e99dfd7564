"""A procedure page for machines: CPSV-AP by content negotiation, SDG meta tags, schema.org."""

from __future__ import annotations

import json

import lxml.html
import pytest
from django.test import override_settings
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from procedures.models import ProcedurePage

CPSV = Namespace("http://purl.org/vocab/cpsv#")
DCT = Namespace("http://purl.org/dc/terms/")
CRAFT_FR = "/fr/procedures/craft-authorisation/"
JSON_LD = "application/ld+json"


def craft(language: str) -> ProcedurePage:
    return ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code=language)


def test_asking_a_procedure_page_for_json_ld_gets_its_cpsv_ap_in_the_page_language(client, catalogue):
    response = client.get(CRAFT_FR, headers={"accept": JSON_LD})

    assert response.status_code == 200
    assert response["Content-Type"] == JSON_LD
    assert "Accept" in response["Vary"]
    graph = Graph().parse(data=response.content, format="json-ld")
    services = list(graph.subjects(RDF.type, CPSV.PublicService))
    assert services == [URIRef(f"http://127.0.0.1:8000/cpsv/procedures/{craft('fr').translation_key}")]
    assert set(graph.objects(services[0], DCT.title)) == {
        Literal("Autorisation artisanale (inscription au répertoire des métiers)", lang="fr")
    }


@pytest.mark.parametrize(
    "accept",
    [None, "text/html", "text/html,application/xhtml+xml,*/*;q=0.8", "application/ld+json;q=0.5, text/html"],
)
def test_browsers_and_everyone_else_get_html(client, catalogue, accept):
    headers = {"accept": accept} if accept else {}
    response = client.get(CRAFT_FR, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def head(client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content).find("head")


def meta(head_element, name: str) -> list[str]:
    return [element.get("content") for element in head_element.iterfind(f"meta[@name='{name}']")]


@override_settings(PORTAL_COUNTRY="LU")
def test_procedure_pages_carry_the_sdg_meta_tags(client, catalogue):
    page = craft("de")
    page.sdg_policy_code = "J2"
    page.save_revision().publish()

    tags = head(client, "/de/procedures/craft-authorisation/")

    assert meta(tags, "sdg-tag") == ["sdg"]
    assert meta(tags, "DC.ISO3166") == ["LU"]
    assert meta(tags, "DC.Service") == ["procedure"]
    assert meta(tags, "policy-code") == ["J2"]
    # the code is shared by the translations (a synchronised field), the default is J1
    assert meta(head(client, "/en/procedures/business-registration/"), "policy-code") == ["J1"]


def test_procedure_pages_carry_schema_org_government_service(client, catalogue):
    tags = head(client, CRAFT_FR)
    scripts = tags.findall("script[@type='application/ld+json']")
    assert len(scripts) == 1
    service = json.loads(scripts[0].text)

    assert service["@context"] == "https://schema.org"
    assert service["@type"] == "GovernmentService"
    assert service["name"] == "Autorisation artisanale (inscription au répertoire des métiers)"
    assert service["url"] == "http://127.0.0.1:8000/fr/procedures/craft-authorisation/"
    assert service["serviceType"] == "Créer une entreprise"
    page = craft("fr")
    authority = page.competent_authority
    assert authority.locale.language_code == "fr"
    assert service["provider"]["@type"] == "GovernmentOrganization"
    assert service["provider"]["name"] == authority.name
    assert service["provider"]["url"] == authority.website
    assert service["areaServed"] == {"@type": "Country", "identifier": "XA"}
    assert service["availableLanguage"] == page.language_codes
    assert [(offer["price"], offer["priceCurrency"]) for offer in service["offers"]] == [
        (f"{fee.value['amount']:.2f}", "EUR") for fee in page.fees
    ]
    assert [offer["name"] for offer in service["offers"]] == [fee.value["description"] for fee in page.fees]


def test_the_json_ld_cannot_close_its_script_element(client, catalogue):
    page = craft("en")
    page.summary = "Bring </script><script>alert(1)</script> & more"
    page.save_revision().publish()

    response = client.get("/en/procedures/craft-authorisation/")
    scripts = lxml.html.fromstring(response.content).findall(".//script[@type='application/ld+json']")

    assert len(scripts) == 1
    assert json.loads(scripts[0].text)["description"] == page.summary
    assert b"<script>alert(1)" not in response.content.split(b"<main", 1)[0]


def test_the_language_switcher_of_a_procedure_page_goes_to_its_translations(client, catalogue):
    html = client.get("/en/procedures/craft-authorisation/").content.decode()
    switcher = html.split('class="language-switcher"')[1].split("</nav>")[0]
    for language in ("fr", "de"):
        url = craft(language).get_url()
        assert f"next={url.replace('/', '%2F')}" in switcher
