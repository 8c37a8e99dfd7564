"""The finder's decisions over the demo catalogue: which procedures apply, and the checklist."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from wagtail.models import Locale

from procedures.finder import FinderForm, applicable_procedures, build_checklist, rule_matches
from procedures.models import BusinessActivity
from tests.procedures.helpers import answers


def slugs(procedures):
    return [procedure.slug for procedure in procedures]


def test_a_self_employed_hairdresser_from_portugal_gets_recognition_craft_and_registration(catalogue):
    found = slugs(applicable_procedures(answers()))
    # in checklist order: recognition first, the residence permit never (Portugal is in the EU)
    assert found == ["recognition-of-qualifications", "business-registration", "craft-authorisation"]
    assert "commercial-register-entry" not in found  # a sole trader is not entered
    assert "employer-registration" not in found  # no staff
    assert "self-employment-residence-permit" not in found
    assert "temporary-provision-declaration" not in found


def test_staff_and_a_company_add_employer_and_commercial_register_procedures(catalogue):
    found = slugs(applicable_procedures(answers(employees=3, legal_form="private_limited")))
    assert {"employer-registration", "commercial-register-entry"} <= set(found)


def test_temporary_provision_from_the_eu_needs_only_the_declaration(catalogue):
    found = slugs(
        applicable_procedures(
            answers(activity_code="43.22", activity_section="F", provision="temporary", country="PL")
        )
    )
    assert found == ["temporary-provision-declaration"]


def test_temporary_provision_from_outside_the_eu_is_not_covered_by_the_declaration(catalogue):
    found = slugs(applicable_procedures(answers(provision="temporary", country="US")))
    assert found == []


def test_establishment_from_outside_the_eu_needs_a_residence_permit_first(catalogue):
    found = slugs(applicable_procedures(answers(activity_code="62.01", activity_section="J", country="US")))
    assert found[0] == "self-employment-residence-permit"
    assert "recognition-of-qualifications" not in found  # programming is not a regulated profession
    assert "craft-authorisation" not in found


def test_procedures_come_in_the_active_language(catalogue):
    with translation.override("fr"):
        titles = [procedure.title for procedure in applicable_procedures(answers())]
    assert "Reconnaissance d'une qualification professionnelle" in titles
    with translation.override("de"):
        titles = [procedure.title for procedure in applicable_procedures(answers())]
    assert "Anerkennung einer Berufsqualifikation" in titles


@pytest.mark.parametrize(
    ("codes", "code", "section", "expected"),
    [
        ("S", "96.02", "S", True),
        ("F", "96.02", "S", False),
        ("96", "96.02", "S", True),
        ("96.0", "96.02", "S", True),
        ("96.02", "96.02", "S", True),
        ("96.01", "96.02", "S", False),
        ("43, 96.02", "96.02", "S", True),
        ("9", "96.02", "S", True),  # never saved: the block's validation refuses it
    ],
)
def test_activity_codes_match_the_code_or_a_level_above_it(codes, code, section, expected):
    rule = {"activity_codes": codes}
    assert rule_matches(rule, answers(activity_code=code, activity_section=section)) is expected


def test_an_empty_rule_matches_everyone_and_every_condition_narrows_it():
    assert rule_matches({}, answers())
    assert not rule_matches({"provision": "temporary"}, answers())
    assert not rule_matches({"legal_forms": ["private_limited"]}, answers())
    assert rule_matches({"legal_forms": ["private_limited", "sole_trader"]}, answers())
    assert not rule_matches({"employs_staff": "yes"}, answers(employees=0))
    assert rule_matches({"employs_staff": "no"}, answers(employees=0))
    assert rule_matches({"establishment_region": "eu_eea"}, answers(country="NO"))  # EEA
    assert not rule_matches({"establishment_region": "eu_eea"}, answers(country="CH"))
    assert rule_matches({"establishment_region": "outside"}, answers(country="ZZ"))


def test_checklist_deduplicates_documents_sums_fees_and_finds_the_longest_time(catalogue):
    activity = BusinessActivity.objects.get(nace_code="96.02", locale=Locale.objects.get(language_code="en"))
    with translation.override("en"):
        checklist = build_checklist(answers(), activity)
    assert slugs(checklist.procedures) == [
        "recognition-of-qualifications",
        "business-registration",
        "craft-authorisation",
    ]
    documents = {document.evidence_type.identifier: document for document in checklist.documents}
    # the identity document is asked by all three procedures, listed once
    assert [d.evidence_type.identifier for d in checklist.documents].count("identity-document") == 1
    assert len(documents["identity-document"].procedures) == 3
    # formats: only those every procedure accepts (recognition: pdf/jpeg/png; the others too)
    assert documents["identity-document"].formats == ["pdf", "jpeg", "png"]
    # the diploma: certified copy and translation in both procedures; notes kept
    assert documents["diploma"].copy_kind == "certified_copy"
    assert documents["diploma"].translation_required
    assert "Annex V" in documents["diploma"].notes[0]
    assert set(documents) == {
        "identity-document",
        "diploma",
        "professional-experience",
        "premises-proof",
        "liability-insurance",
    }
    assert checklist.total_fees == {"EUR": Decimal("250.00")}  # 120 + 50 + 80
    assert checklist.longest_processing_days == 120
    assert checklist.longest_processing_procedure.slug == "recognition-of-qualifications"
    assert len(checklist.authorities) == 3
    assert checklist.procedure_ids == [procedure.pk for procedure in checklist.procedures]


def test_the_strictest_copy_kind_wins_when_procedures_disagree(catalogue):
    activity = BusinessActivity.objects.filter(nace_code="96.02").first()
    checklist = build_checklist(answers(legal_form="private_limited", employees=1), activity)
    documents = {document.evidence_type.identifier: document for document in checklist.documents}
    # business registration asks a simple copy, the commercial register a certified one
    assert documents["identity-document"].copy_kind == "certified_copy"
    assert documents["identity-document"].translation_required
    # formats every procedure accepts: the register takes pdf/jpeg only
    assert documents["identity-document"].formats == ["pdf", "jpeg"]


def test_form_parses_answers_from_a_query(catalogue):
    form = FinderForm(
        {
            "q": "coiffeur",
            "activity": "96.02",
            "provision": "establishment",
            "country": "PT",
            "legal_form": "sole_trader",
            "employees": "0",
        }
    )
    assert form.is_valid(), form.errors
    assert form.answers() == answers()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("activity", "99.99"),
        ("activity", "<script>"),
        ("activity", ""),
        ("provision", "forever"),
        ("country", "XX"),
        ("legal_form", "empire"),
        ("employees", "-1"),
        ("employees", "many"),
        ("employees", "10000000"),
        ("q", "x" * 101),
    ],
)
def test_form_rejects_each_malformed_answer(catalogue, field, value):
    data = {
        "activity": "96.02",
        "provision": "establishment",
        "country": "PT",
        "legal_form": "sole_trader",
        "employees": "0",
        field: value,
    }
    form = FinderForm(data)
    assert not form.is_valid()
    assert list(form.errors) == [field]
