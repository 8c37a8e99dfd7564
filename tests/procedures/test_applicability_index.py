"""The finder's indexed selection gives the same answers as evaluating every page's rules."""

from __future__ import annotations

import itertools

from portal.demo import catalogue_data as demo_data
from procedures.choices import LEGAL_FORMS
from procedures.finder import applicable_procedures, procedure_applies
from procedures.models import ApplicabilityIndexEntry, ProcedurePage
from procedures.selectors import live_procedures
from tests.procedures.helpers import answers


def evaluated(answer, locale=None) -> list[int]:
    return [page.pk for page in live_procedures(locale) if procedure_applies(page, answer)]


def indexed(answer, locale=None) -> list[int]:
    return [page.pk for page in applicable_procedures(answer, locale)]


def test_the_index_answers_like_the_rules_for_every_demo_answer(full_catalogue):
    combinations = itertools.product(
        [(code, section) for code, section, _names, _synonyms in demo_data.ACTIVITIES],
        ["establishment", "temporary"],
        ["PT", "US"],
        [code for code, _label in LEGAL_FORMS],
        [0, 3],
    )
    compared = non_empty = 0
    for (code, section), provision, country, legal_form, employees in combinations:
        answer = answers(
            activity_code=code,
            activity_section=section,
            provision=provision,
            country=country,
            legal_form=legal_form,
            employees=employees,
        )
        expected = evaluated(answer)
        assert indexed(answer) == expected, answer
        compared += 1
        non_empty += bool(expected)
    assert compared == 45 * 2 * 2 * 6 * 2
    assert non_empty > compared / 2  # the comparison is not between empty lists


def test_the_index_follows_what_is_published_not_drafts(catalogue):
    page = ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code="en")
    programmer = answers(activity_code="62.01", activity_section="J")
    assert page.pk not in indexed(programmer)

    draft = page.get_latest_revision_as_object()
    draft.applicability = [
        ("rule", {"activity_codes": "62", "provision": "any", "legal_forms": [], "employs_staff": "any",
                  "establishment_region": "any"})
    ]  # fmt: skip
    revision = draft.save_revision()
    assert page.pk not in indexed(programmer)  # a draft changes nothing yet

    revision.publish()
    assert page.pk in indexed(programmer)
    assert indexed(programmer) == evaluated(programmer)
    assert ApplicabilityIndexEntry.objects.filter(procedure=page).count() == 1

    page.refresh_from_db()
    page.unpublish()
    assert page.pk not in indexed(programmer)

    page.delete()
    assert not ApplicabilityIndexEntry.objects.filter(procedure_id=page.pk).exists()


def test_a_rule_with_several_codes_and_legal_forms_is_indexed_per_code(catalogue):
    page = ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code="en")
    page.applicability = [
        ("rule", {"activity_codes": "s, 43.2", "provision": "establishment", "legal_forms": ["branch", "partnership"],
                  "employs_staff": "yes", "establishment_region": "outside"})
    ]  # fmt: skip
    page.save_revision().publish()
    hit = answers(activity_code="43.22", activity_section="F", legal_form="branch", employees=2, country="US")

    assert page.pk in indexed(hit)
    assert page.pk in indexed(answers(activity_code="96.02", activity_section="S", legal_form="partnership",
                                      employees=1, country="CH"))  # fmt: skip
    for miss in (
        answers(activity_code="43.22", activity_section="F", legal_form="sole_trader", employees=2, country="US"),
        answers(activity_code="43.22", activity_section="F", legal_form="branch", employees=0, country="US"),
        answers(activity_code="43.22", activity_section="F", legal_form="branch", employees=2, country="PT"),
        answers(activity_code="43.11", activity_section="F", legal_form="branch", employees=2, country="US"),
        answers(activity_code="43.22", activity_section="F", legal_form="branch", employees=2, country="US",
                provision="temporary"),
    ):  # fmt: skip
        assert page.pk not in indexed(miss), miss
        assert indexed(miss) == evaluated(miss)
