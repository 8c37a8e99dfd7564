"""CPSV-AP 3.2 export validated with pyshacl against the official shapes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from procedures.cpsv import export_catalogue
from procedures.cpsv_import import SHAPES_PATH
from procedures.models import ProcedurePage

CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_PATH)


def as_graph(document: dict) -> Graph:
    return Graph().parse(data=json.dumps(document), format="json-ld")


def violations(data: Graph, shapes: Graph) -> list[str]:
    _conforms, report, _text = validate(data, shacl_graph=shapes)
    return [
        str(report.value(result, SH.resultPath))
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if report.value(result, SH.resultSeverity) == SH.Violation
    ]


def test_the_export_conforms_to_cpsv_ap_3_2_with_no_violation(catalogue, shapes):
    data = as_graph(export_catalogue())
    services = set(data.subjects(RDF.type, CPSV.PublicService))
    assert len(services) == ProcedurePage.objects.live().filter(locale__language_code="en").count() == 7
    assert set(data.subjects(RDF.type, CV.PublicOrganisation))
    assert set(data.subjects(RDF.type, CV.Cost))
    assert set(data.subjects(RDF.type, CV.Evidence))
    assert violations(data, shapes) == []


def test_the_shapes_do_catch_a_service_without_its_competent_authority(catalogue, shapes):
    """The control that shows the validation above can fail."""
    data = as_graph(export_catalogue())
    service = next(iter(data.subjects(RDF.type, CPSV.PublicService)))
    data.remove((service, CV.hasCompetentAuthority, None))
    assert str(CV.hasCompetentAuthority) in violations(data, shapes)


def test_every_language_is_a_tagged_literal_of_the_same_service(catalogue):
    data = as_graph(export_catalogue())
    service = next(
        s
        for s in data.subjects(RDF.type, CPSV.PublicService)
        if Literal("Craft authorisation (entry in the register of crafts)", lang="en")
        in set(data.objects(s, URIRef("http://purl.org/dc/terms/title")))
    )
    titles = {
        title.language: str(title)
        for title in data.objects(service, URIRef("http://purl.org/dc/terms/title"))
    }
    assert titles == {
        "en": "Craft authorisation (entry in the register of crafts)",
        "fr": "Autorisation artisanale (inscription au répertoire des métiers)",
        "de": "Handwerkszulassung (Eintragung in die Handwerksrolle)",
    }


def test_one_language_export_carries_only_that_language(catalogue, shapes):
    data = as_graph(export_catalogue("fr"))
    languages = {obj.language for obj in data.objects() if isinstance(obj, Literal) and obj.language}
    assert languages == {"fr"}
    assert violations(data, shapes) == []


def test_the_json_ld_is_self_contained(catalogue):
    document = export_catalogue()
    assert isinstance(document["@context"], dict)
    assert all(
        value.startswith("http") for value in document["@context"].values()
    )  # prefixes, no remote context


def test_http_endpoints_and_the_command(client, catalogue):
    response = client.get("/cpsv/catalogue.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert as_graph(response.json())
    assert client.get("/cpsv/catalogue.jsonld", {"lang": "xx"}).status_code == 400
    key = ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code="en").translation_key
    one = client.get(f"/cpsv/procedures/{key}.jsonld")
    assert one.status_code == 200
    assert [n["dct:identifier"] for n in one.json()["@graph"] if "cpsv:PublicService" in n["@type"]] == [
        str(key)
    ]
    assert client.get("/cpsv/procedures/00000000-0000-0000-0000-000000000000.jsonld").status_code == 404

    out = io.StringIO()
    call_command("cpsv", "export", "--lang", "de", stdout=out)
    assert "Handwerkszulassung (Eintragung in die Handwerksrolle)" in out.getvalue()
