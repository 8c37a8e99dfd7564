"""`cpsv import`: validates the whole file, then upserts by identifier, all or nothing."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from wagtail.models import Revision

from procedures.cpsv import export_catalogue
from procedures.models import CompetentAuthority, EvidenceType, ProcedurePage

CRAFT = "craft-authorisation"


def as_graph(document: dict) -> Graph:
    return Graph().parse(data=json.dumps(document), format="json-ld")


def assert_same_graph(first: dict, second: dict) -> None:
    a, b = to_isomorphic(as_graph(first)), to_isomorphic(as_graph(second))
    if not isomorphic(a, b):
        _both, only_first, only_second = graph_diff(a, b)
        pytest.fail(
            "graphs differ\nonly before:\n"
            + "\n".join(sorted(map(str, only_first))[:20])
            + "\nonly after:\n"
            + "\n".join(sorted(map(str, only_second))[:20])
        )


def empty_the_catalogue() -> None:
    for page in ProcedurePage.objects.all():
        page.delete()
    CompetentAuthority.objects.all().delete()
    EvidenceType.objects.all().delete()


def write(tmp_path, document: dict | str, name: str = "catalogue.jsonld") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return str(path)


def run_import(path: str) -> str:
    import io

    out = io.StringIO()
    call_command("cpsv", "import", path, stdout=out)
    return out.getvalue()


def services_in(document: dict) -> list[dict]:
    return [node for node in document["@graph"] if "cpsv:PublicService" in node["@type"]]


def test_import_of_an_export_into_an_empty_catalogue_creates_every_language_and_round_trips(
    catalogue, tmp_path
):
    exported = export_catalogue()
    path = write(tmp_path, exported)
    craft = ProcedurePage.objects.get(slug=CRAFT, locale__language_code="en")
    key = craft.translation_key
    empty_the_catalogue()
    assert ProcedurePage.objects.count() == 0

    output = run_import(path)

    assert "7 service(s) read" in output and "21 procedure pages created" in output
    titles = {
        page.locale.language_code: page.title
        for page in ProcedurePage.objects.live().filter(translation_key=key).select_related("locale")
    }
    assert titles == {
        "en": "Craft authorisation (entry in the register of crafts)",
        "fr": "Autorisation artisanale (inscription au répertoire des métiers)",
        "de": "Handwerkszulassung (Eintragung in die Handwerksrolle)",
    }
    german = ProcedurePage.objects.get(translation_key=key, locale__language_code="de")
    assert german.url.endswith(f"/de/procedures/{CRAFT}/")
    assert german.competent_authority.locale.language_code == "de"
    assert (
        german.competent_authority.translation_key
        == CompetentAuthority.objects.get(
            identifier=german.competent_authority.identifier, locale__language_code="en"
        ).translation_key
    )
    assert [fee.value["amount"] for fee in german.fees] == [fee.value["amount"] for fee in craft.fees]
    assert {evidence.value["evidence_type"].locale.language_code for evidence in german.evidence} == {"de"}

    assert_same_graph(exported, export_catalogue())


def test_importing_the_same_file_again_changes_nothing_and_duplicates_nothing(catalogue, tmp_path):
    path = write(tmp_path, export_catalogue())
    counts = (ProcedurePage.objects.count(), CompetentAuthority.objects.count(), EvidenceType.objects.count())
    revisions = Revision.objects.count()

    output = run_import(path)
    assert "21 procedure pages unchanged" in output
    assert "created" not in output and "updated" not in output
    run_import(path)

    assert (
        ProcedurePage.objects.count(),
        CompetentAuthority.objects.count(),
        EvidenceType.objects.count(),
    ) == counts
    assert Revision.objects.count() == revisions


def test_an_import_updates_what_cpsv_carries_and_keeps_what_it_does_not(catalogue, tmp_path):
    document = export_catalogue()
    key = str(ProcedurePage.objects.get(slug=CRAFT, locale__language_code="en").translation_key)
    service = next(node for node in services_in(document) if node["dct:identifier"] == key)
    for title in service["dct:title"]:
        if title["@language"] == "fr":
            title["@value"] = "Autorisation artisanale (nouveau titre)"
    service["cv:processingTime"]["@value"] = "P6W"
    before = ProcedurePage.objects.get(translation_key=key, locale__language_code="fr")

    output = run_import(write(tmp_path, document))

    assert "3 procedure pages updated" in output  # the processing time is the same in every language
    after = ProcedurePage.objects.get(translation_key=key, locale__language_code="fr")
    assert after.title == "Autorisation artisanale (nouveau titre)"
    assert after.processing_time_days == 42
    assert after.pk == before.pk and after.slug == before.slug
    assert (
        after.applicability.get_prep_value() == before.applicability.get_prep_value()
    )  # not in CPSV-AP: kept
    assert after.form_definition.get_prep_value() == before.form_definition.get_prep_value()
    assert [s.value["title"] for s in after.steps] == [s.value["title"] for s in before.steps]
    assert [e.value["copy_kind"] for e in after.evidence] == [e.value["copy_kind"] for e in before.evidence]
    english = ProcedurePage.objects.get(translation_key=key, locale__language_code="en")
    assert english.title == "Craft authorisation (entry in the register of crafts)"


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda service, document: service.pop("cv:hasCompetentAuthority"), "cv:hasCompetentAuthority"),
        (
            lambda service, document: service.update({"cv:processingTime": "three months"}),
            "cv:processingTime",
        ),
        (
            lambda service, document: next(
                node for node in document["@graph"] if node["@id"] == service["cv:hasCost"][0]["@id"]
            ).update(
                {"cv:currency": {"@id": "http://publications.europa.eu/resource/authority/currency/USD"}}
            ),
            "currency/USD",
        ),
        (
            lambda service, document: service.update(
                {"dct:description": [d for d in service["dct:description"] if d["@language"] != "de"]}
            ),
            "a title in “de” but no dct:description",
        ),
    ],
    ids=["no-authority", "bad-duration", "foreign-currency", "missing-summary"],
)
def test_one_bad_service_of_seven_names_it_and_imports_nothing(catalogue, tmp_path, breakage, expected):
    document = export_catalogue()
    empty_the_catalogue()
    fifth = services_in(document)[4]
    title = next(t["@value"] for t in fifth["dct:title"] if t["@language"] == "en")
    breakage(fifth, document)
    path = write(tmp_path, document)

    with pytest.raises(CommandError) as raised:
        run_import(path)

    message = str(raised.value)
    assert "nothing changed" in message
    problem_lines = [line for line in message.splitlines() if line.startswith("- ")]
    assert problem_lines and all("Service 5 of 7" in line for line in problem_lines), message
    assert title in problem_lines[0]
    assert expected in message
    assert ProcedurePage.objects.count() == 0
    assert CompetentAuthority.objects.count() == 0
    assert EvidenceType.objects.count() == 0


def test_a_failure_while_writing_rolls_the_whole_import_back(catalogue, tmp_path):
    """Past validation, the last service's new authority has a name too long for the model:
    the six services written before it are undone."""
    document = export_catalogue()
    empty_the_catalogue()
    last = services_in(document)[-1]
    organisation = copy.deepcopy(
        next(node for node in document["@graph"] if node["@id"] == last["cv:hasCompetentAuthority"][0]["@id"])
    )
    organisation["@id"] += "-long-name"
    organisation["skos:prefLabel"] = [{"@value": "x" * 300, "@language": "en"}]
    document["@graph"].append(organisation)
    last["cv:hasCompetentAuthority"] = [{"@id": organisation["@id"]}]

    with pytest.raises(CommandError, match=r"Service 7 of 7 .*name") as raised:
        run_import(write(tmp_path, document))
    assert "nothing changed" in str(raised.value)
    assert ProcedurePage.objects.count() == 0
    assert CompetentAuthority.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "The file is not JSON"),
        ("[1, 2, 3]", "no cpsv:PublicService"),
        ('"a string"', "not a JSON-LD document"),
        (
            json.dumps({"@context": "https://example.eu/context.jsonld", "@id": "x"}),
            "remote @context (https://example.eu/context.jsonld)",
        ),
        (json.dumps({"@context": {}, "@graph": []}), "no cpsv:PublicService"),
    ],
)
def test_files_that_are_not_cpsv_ap_are_refused_with_a_reason(catalogue, tmp_path, content, expected):
    pages = ProcedurePage.objects.count()
    with pytest.raises(CommandError, match="nothing changed") as raised:
        run_import(write(tmp_path, content))
    assert expected in str(raised.value)
    assert ProcedurePage.objects.count() == pages


def test_the_command_says_what_is_missing(db, tmp_path):
    with pytest.raises(CommandError, match="Give the file to import"):
        call_command("cpsv", "import")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("cpsv", "import", str(tmp_path / "missing.jsonld"))


def test_a_foreign_identifier_gets_a_stable_key(catalogue, tmp_path):
    document = copy.deepcopy(export_catalogue("en"))
    for service in services_in(document):
        service["dct:identifier"] = f"other-catalogue-{service['dct:identifier'][:8]}"
    path = write(tmp_path, document)
    before = ProcedurePage.objects.count()

    run_import(path)
    run_import(path)

    # 7 new English pages (new keys), once: the slugs were taken, so they got a suffix
    assert ProcedurePage.objects.count() == before + 7
    assert ProcedurePage.objects.filter(slug=f"{CRAFT}-2", locale__language_code="en").exists()
