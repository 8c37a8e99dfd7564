"""Starting a dossier, its snapshots, answers asked once, conditions, completeness, deletion blocking."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import translation

from portal.dossiers import services
from portal.dossiers.completeness import missing_answers
from portal.dossiers.forms import COMMON_STEP, StepForm, build_steps
from portal.dossiers.models import Application, Dossier
from portal.dossiers.states import DossierState

COMMON_ANSWERS = {
    "applicant__full_name": "Ana Silva",
    "applicant__birth_date": "1990-04-02",
    "applicant__email": "ana@example.eu",
    "applicant__phone": "+351912345678",
    "applicant__address": "Rua das Flores 12\n4050-262 Porto",
    "business__establishment_country": "PT",
    "business__activity": "Computer programming (62.01)",
}


def start(user, procedures, *slugs, language="en"):
    return services.start_dossier(
        owner=user, procedure_ids=[procedures[slug].pk for slug in slugs], language=language
    )


def submit_step(dossier, step, data, user, profile=None):
    form = StepForm(data, step=step, answers=dossier.answers, profile=profile)
    valid = form.is_valid()
    if valid:
        services.save_answers(dossier, form.answers, actor=user)
    return form, valid


def test_start_snapshots_each_procedure_with_its_authority(user, procedures):
    dossier = start(user, procedures, "vat-registration", "business-registration", language="fr")

    assert dossier.owner == user and dossier.language == "fr" and dossier.state == DossierState.DRAFT
    applications = list(dossier.applications.all())
    assert [a.procedure_snapshot["authority"]["identifier"] for a in applications] == [
        "trade-office",
        "tax-office",
    ]  # in checklist order (sequence), not in the order posted
    vat = applications[1].procedure_snapshot
    assert vat["title"] == "Immatriculation à la TVA"  # the user's language
    assert vat["authority"]["name"] == "Office national des impôts"
    assert vat["authority"]["delivery_channel"]["transport"] == "as4"
    assert (
        vat["revision_id"]
        == procedures["vat-registration"].get_translation(vat_locale(dossier)).live_revision_id
    )
    condition_field = next(f for f in vat["fields"] if f["concept"] == "tax.foreign_vat_number")
    assert condition_field["condition"] == {
        "concept": "tax.has_foreign_vat_number",
        "operator": "equals",
        "answer": "yes",
    }
    assert {e["evidence_type"]["identifier"] for e in vat["evidence"]} >= {"identity-document"}


def vat_locale(dossier):
    from wagtail.models import Locale

    return Locale.objects.get(language_code=dossier.language)


@pytest.mark.parametrize(
    "ids, message",
    [
        ([], "at least one procedure"),
        (["abc"], "is not a procedure"),
        (["-3"], "is not a procedure"),
        (["999999"], "not (or no longer) in our catalogue: 999999"),
    ],
)
def test_bad_procedure_ids_are_refused_and_nothing_is_created(user, procedures, ids, message):
    with pytest.raises(services.DossierError, match=re.escape(message)):
        services.start_dossier(owner=user, procedure_ids=ids, language="en")
    assert Dossier.objects.count() == 0 and Application.objects.count() == 0


def test_an_unpublished_procedure_is_refused_even_among_good_ones(user, procedures):
    procedures["vat-registration"].unpublish()
    with pytest.raises(services.DossierError, match=str(procedures["vat-registration"].pk)):
        start(user, procedures, "business-registration", "vat-registration")
    assert Dossier.objects.count() == 0 and Application.objects.count() == 0


def test_an_open_dossier_keeps_its_snapshot_when_the_procedure_changes(user, procedures):
    dossier = start(user, procedures, "business-registration", "vat-registration")
    page = procedures["vat-registration"]
    page.title = "VAT registration (new rules)"
    first = page.form_definition[0]
    page.form_definition = [(first.block_type, first.value)]
    page.save_revision().publish()

    vat = dossier.applications.get(procedure_id=page.pk).procedure_snapshot
    assert vat["title"] == "VAT registration"
    assert len(vat["fields"]) == 10

    later = start(user, procedures, "vat-registration")
    new_vat = later.applications.get().procedure_snapshot
    assert new_vat["title"] == "VAT registration (new rules)" and len(new_vat["fields"]) == 1
    assert new_vat["revision_id"] != vat["revision_id"]


def test_shared_concepts_are_asked_once_and_reused_by_every_application(user, procedures):
    dossier = start(user, procedures, "business-registration", "vat-registration")
    steps = build_steps(dossier)

    assert steps[0].key == COMMON_STEP
    assert len(steps) == 3
    common = steps[0]
    assert [f["concept"] for f in common.fields] == [name.replace("__", ".") for name in COMMON_ANSWERS]
    for step in steps[1:]:
        assert not {f["concept"] for f in step.fields} & {f["concept"] for f in common.fields}

    form, valid = submit_step(dossier, common, COMMON_ANSWERS, user)
    assert valid, form.errors
    dossier.refresh_from_db()
    assert dossier.answers["applicant.full_name"] == "Ana Silva"
    assert dossier.answers["applicant.birth_date"] == "1990-04-02"

    # both applications read the one stored answer: nothing of the common step is missing in either
    missing = {(step.key, item["concept"]) for step, item in missing_answers(dossier)}
    assert not any(concept.startswith("applicant.") for _key, concept in missing)
    assert {concept for _key, concept in missing} == {
        "business.premises_address",
        "business.start_date",
        "business.expected_turnover",
        "tax.has_foreign_vat_number",
    }


def test_a_field_whose_condition_does_not_hold_is_not_required_and_its_answer_is_discarded(user, procedures):
    dossier = start(user, procedures, "business-registration", "vat-registration")
    vat_step = build_steps(dossier)[2]
    vat_step.fields = [dict(f, required=True) for f in vat_step.fields]  # make the condition bite

    form, valid = submit_step(
        dossier,
        vat_step,
        {
            "business__expected_turnover": "50000",
            "tax__has_foreign_vat_number": "no",
            "tax__foreign_vat_number": "ES123",
        },
        user,
    )
    assert valid, form.errors
    dossier.refresh_from_db()
    assert dossier.answers["tax.has_foreign_vat_number"] == "no"
    assert "tax.foreign_vat_number" not in dossier.answers

    form, valid = submit_step(
        dossier,
        vat_step,
        {"business__expected_turnover": "50000", "tax__has_foreign_vat_number": "yes"},
        user,
    )
    assert not valid
    assert form.errors["tax__foreign_vat_number"] == ["Answer this question."]

    form, valid = submit_step(
        dossier,
        vat_step,
        {
            "business__expected_turnover": "50000",
            "tax__has_foreign_vat_number": "yes",
            "tax__foreign_vat_number": "ES123",
        },
        user,
    )
    assert valid
    dossier.refresh_from_db()
    assert dossier.answers["tax.foreign_vat_number"] == "ES123"


def test_an_answer_whose_condition_stops_holding_is_dropped_whichever_step_changes_it(user, procedures):
    dossier = start(user, procedures, "business-registration", "vat-registration")
    services.save_answers(
        dossier, {"tax.has_foreign_vat_number": "yes", "tax.foreign_vat_number": "ES123"}, actor=user
    )
    assert dossier.answers["tax.foreign_vat_number"] == "ES123"
    services.save_answers(dossier, {"tax.has_foreign_vat_number": "no"}, actor=user)
    dossier.refresh_from_db()
    assert dossier.answers == {"tax.has_foreign_vat_number": "no"}


def test_help_text_from_the_catalogue_is_escaped(user, procedures):
    dossier = start(user, procedures, "business-registration")
    step = build_steps(dossier)[0]
    step.fields[0] = dict(step.fields[0], help_text="<img src=x onerror=alert(1)>")
    html = str(StepForm(step=step, answers={}))
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_invalid_answers_are_reported_and_not_stored(user, procedures):
    dossier = start(user, procedures, "business-registration", "vat-registration")
    common = build_steps(dossier)[0]
    form, valid = submit_step(
        dossier, common, {**COMMON_ANSWERS, "applicant__phone": "call me", "applicant__email": "nope"}, user
    )
    assert not valid
    assert set(form.errors) == {"applicant__phone", "applicant__email"}
    kept = form.valid_answers()
    assert "applicant.phone" not in kept and kept["applicant.full_name"] == "Ana Silva"


def test_verified_profile_attributes_are_prefilled_locked_and_win(user, procedures):
    from portal.accounts.models import EntrepreneurProfile

    profile = EntrepreneurProfile.objects.create(
        user=user,
        given_names="Ana",
        family_name="Silva",
        date_of_birth=datetime.date(1990, 4, 2),
        verified_attributes={
            "given_names": {"source": "eid"},
            "family_name": {"source": "eid"},
        },
    )
    dossier = start(user, procedures, "business-registration", "vat-registration")
    common = build_steps(dossier)[0]
    form = StepForm(step=common, answers={}, profile=profile)
    assert form.fields["applicant__full_name"].disabled
    assert form.fields["applicant__full_name"].initial == "Ana Silva"
    assert not form.fields["applicant__birth_date"].disabled  # in the profile, but not verified
    assert form.fields["applicant__birth_date"].initial == datetime.date(1990, 4, 2)

    form, valid = submit_step(
        dossier, common, {**COMMON_ANSWERS, "applicant__full_name": "Someone Else"}, user, profile=profile
    )
    assert valid, form.errors
    dossier.refresh_from_db()
    assert dossier.answers["applicant.full_name"] == "Ana Silva"


def test_only_a_complete_dossier_becomes_ready_for_signature_and_an_edit_sends_it_back(user, procedures):
    dossier = start(user, procedures, "business-registration", "vat-registration")
    with pytest.raises(services.DossierError, match="not complete"):
        services.mark_ready_for_signature(dossier, actor=user)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT and not dossier.state_changes.exists()

    steps = build_steps(dossier)
    submit_step(dossier, steps[0], COMMON_ANSWERS, user)
    submit_step(
        dossier, steps[1], {"business__premises_address": "Rua 1", "business__start_date": "2027-01-04"}, user
    )
    submit_step(
        dossier, steps[2], {"business__expected_turnover": "1000", "tax__has_foreign_vat_number": "no"}, user
    )
    assert missing_answers(dossier) == []

    change = services.mark_ready_for_signature(dossier, actor=user)
    assert (change.from_state, change.to_state, change.actor) == ("draft", "ready_for_signature", user)
    assert change.reason

    services.save_answers(dossier, {"business.expected_turnover": "2000"}, actor=user)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT
    assert dossier.state_changes.last().reason == "Answers changed after the review."


def test_a_required_document_keeps_the_dossier_incomplete(user, procedures):
    dossier = start(user, procedures, "commercial-register-entry")
    missing = [item["concept"] for _step, item in missing_answers(dossier)]
    assert "company.articles" in missing


def test_answers_to_questions_the_dossier_does_not_ask_are_refused(user, procedures):
    dossier = start(user, procedures, "business-registration")
    with pytest.raises(services.DossierError, match=r"does not ask company\.name"):
        services.save_answers(dossier, {"company.name": "X"}, actor=user)


def test_a_signed_dossier_no_longer_takes_answers(user, procedures):
    dossier = start(user, procedures, "business-registration")
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.SIGNED)
    with pytest.raises(services.DossierError, match="can no longer change"):
        services.save_answers(dossier, {"applicant.full_name": "X"}, actor=user)


def english_blockers(user):
    from portal.accounts.services import deletion_blockers

    with translation.override("en"):
        return deletion_blockers(user)


def test_an_account_with_a_dossier_cannot_be_deleted(user, procedures):
    from portal.accounts.services import AccountDeletionBlocked, delete_account

    assert english_blockers(user) == []
    dossier = start(user, procedures, "business-registration")
    assert (
        len(english_blockers(user)) == 1 and "draft; finish or withdraw it first" in english_blockers(user)[0]
    )
    with pytest.raises(AccountDeletionBlocked):
        delete_account(user)
    services.transition(dossier, DossierState.WITHDRAWN, actor=user, reason="changed my plans")
    assert "kept as the record" in english_blockers(user)[0]
    with pytest.raises(AccountDeletionBlocked):
        delete_account(user)
    assert type(user).objects.filter(pk=user.pk).exists()
