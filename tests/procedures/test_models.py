"""The content model: validation editors meet, search, moderation and the translation workflow."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.models import Locale

from portal.demo.catalogue import _self_signed_certificate
from procedures.blocks import ApplicabilityRuleBlock, FormDefinitionBlock
from procedures.models import (
    BusinessActivity,
    CompetentAuthority,
    ProcedureIndexPage,
    ProcedurePage,
    normalise_search_text,
)
from procedures.selectors import search_activities


def as4_authority(**overrides) -> CompetentAuthority:
    values = {
        "name": "Tax office",
        "identifier": "tax",
        "languages": "en, fr",
        "delivery_transport": "as4",
        "as4_party_id": "AU-TAX",
        "as4_party_id_type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered:aurelia",
        "as4_endpoint_url": "https://ap.tax.example.eu/as4",
        "as4_certificate_pem": _self_signed_certificate("AU-TAX"),
        "as4_service": "urn:aurelia:psc:service:vat",
        "as4_action": "SubmitDossier",
        "locale": Locale.get_default(),
    }
    values.update(overrides)
    return CompetentAuthority(**values)


@pytest.mark.django_db
def test_an_as4_authority_needs_every_channel_setting_and_a_real_certificate(demo_site):
    as4_authority().full_clean()
    with pytest.raises(ValidationError) as error:
        as4_authority(
            as4_party_id="", as4_action="", as4_endpoint_url="http://ap.tax.example.eu/as4"
        ).full_clean()
    assert set(error.value.message_dict) == {"as4_party_id", "as4_action", "as4_endpoint_url"}
    with pytest.raises(ValidationError) as error:
        as4_authority(
            as4_certificate_pem="-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----"
        ).full_clean()
    assert "not a PEM-encoded X.509 certificate" in str(error.value.message_dict["as4_certificate_pem"])


@pytest.mark.django_db
def test_delivery_channel_names_the_transport_and_its_settings(demo_site):
    channel = as4_authority().delivery_channel
    assert channel["transport"] == "as4"
    assert channel["settings"]["party_id"] == "AU-TAX"
    assert channel["settings"]["certificate_pem"].startswith("-----BEGIN CERTIFICATE-----")
    backoffice = as4_authority(delivery_transport="backoffice", identifier="crafts")
    backoffice.full_clean()  # AS4 settings are not needed for the portal back-office
    assert backoffice.delivery_channel == {"transport": "backoffice", "settings": {"authority": "crafts"}}


def test_search_text_ignores_case_accents_and_punctuation():
    assert normalise_search_text("Coiffeur·SE, Éstheticienne") == "coiffeur se estheticienne"


@pytest.mark.parametrize(
    ("language", "query"),
    [
        ("fr", "coiffeur"),
        ("fr", "COIFFÉUR"),
        ("fr", "coif"),
        ("fr", "cabeleireiro"),  # a Portuguese word among the French synonyms
        ("fr", "salon de coiffure"),
        ("en", "hairdresser"),
        ("en", "barber"),
        ("de", "Friseur"),
        ("de", "peluquero"),
        ("de", "96.0"),
    ],
)
def test_activity_search_finds_names_and_synonyms_in_the_users_language(catalogue, language, query):
    found = search_activities(query, Locale.objects.get(language_code=language))
    assert found[0].nace_code == "96.02"
    assert found[0].locale.language_code == language


def test_activity_search_stays_in_one_language_and_finds_nothing_for_nonsense(catalogue):
    french = Locale.objects.get(language_code="fr")
    assert {activity.locale_id for activity in search_activities("e", french)} == {french.pk}
    assert search_activities("xyzzy", french) == []
    assert search_activities("   ", french) == []


def test_an_applicability_rule_refuses_what_is_not_a_nace_code():
    block = ApplicabilityRuleBlock()
    value = block.to_python(
        {
            "activity_codes": "S, 96.02, hair",
            "provision": "any",
            "legal_forms": [],
            "employs_staff": "any",
            "establishment_region": "any",
        }
    )
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(value)
    assert "HAIR" in str(error.value.block_errors["activity_codes"])
    for bad in ("9", "960", "96.021"):
        with pytest.raises(StructBlockValidationError):
            block.clean(block.to_python({**value, "activity_codes": bad}))


def form_field(concept, label="A field", condition=None):
    return {
        "label": label,
        "help_text": "",
        "required": True,
        "concept": concept,
        "condition": condition or {"concept": "", "operator": "equals", "answer": ""},
    }


@translation.override(
    "en"
)  # messages are compared in English; a test client request may leave another active
def test_a_form_definition_asks_each_concept_once_and_conditions_look_back():
    block = FormDefinitionBlock()
    good = block.to_python(
        [
            {"type": "yes_no", "value": form_field("tax.has_vat")},
            {
                "type": "text",
                "value": {
                    **form_field(
                        "tax.vat", condition={"concept": "tax.has_vat", "operator": "equals", "answer": "yes"}
                    ),
                    "max_length": None,
                },
            },
        ]
    )
    block.clean(good)

    twice = block.to_python(
        [
            {"type": "email", "value": form_field("applicant.email")},
            {"type": "email", "value": form_field("applicant.email")},
        ]
    )
    with pytest.raises(StreamBlockValidationError) as error:
        block.clean(twice)
    assert "asked twice" in str(error.value.non_block_errors)

    forward = block.to_python(
        [
            {
                "type": "date",
                "value": form_field(
                    "a.date", condition={"concept": "a.later", "operator": "answered", "answer": ""}
                ),
            },
            {"type": "yes_no", "value": form_field("a.later")},
        ]
    )
    with pytest.raises(StreamBlockValidationError) as error:
        block.clean(forward)
    assert "not a field asked before it" in str(error.value.non_block_errors)


def test_a_procedure_with_tacit_approval_says_after_how_long(catalogue):
    page = ProcedurePage.objects.get(slug="business-registration", locale__language_code="en")
    page.tacit_approval_days = None
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "tacit_approval_days" in error.value.message_dict


def test_the_demo_catalogue_is_complete_in_every_language(full_catalogue):
    for language in ("en", "fr", "de"):
        procedures = ProcedurePage.objects.live().filter(locale__language_code=language)
        assert procedures.count() >= 10
        assert CompetentAuthority.objects.filter(locale__language_code=language).count() >= 6
        activities = BusinessActivity.objects.filter(locale__language_code=language)
        assert activities.count() >= 40
        assert all(activity.synonym_list for activity in activities)
        for procedure in procedures:
            procedure.full_clean()
            assert procedure.applicability, procedure.slug
            assert procedure.form_definition, procedure.slug
            assert procedure.last_updated is not None
    transports = set(CompetentAuthority.objects.values_list("delivery_transport", flat=True))
    assert transports == {"as4", "backoffice"}
    for authority in CompetentAuthority.objects.all():
        authority.full_clean()  # AS4 ones carry a parseable certificate
    assert ProcedureIndexPage.objects.count() == 3


def test_loading_the_demo_catalogue_twice_creates_nothing_new(full_catalogue):
    from django.core.management import call_command

    counts = (
        ProcedurePage.objects.count(),
        BusinessActivity.objects.count(),
        CompetentAuthority.objects.count(),
    )
    call_command("load_demo_catalogue")
    assert (
        ProcedurePage.objects.count(),
        BusinessActivity.objects.count(),
        CompetentAuthority.objects.count(),
    ) == counts


def test_wagtail_search_finds_procedures_in_their_language(catalogue):
    french = ProcedurePage.objects.live().filter(locale=Locale.objects.get(language_code="fr"))
    titles = [page.title for page in french.search("artisanale")]
    assert titles == ["Autorisation artisanale (inscription au répertoire des métiers)"]


def test_an_edit_goes_through_moderation_before_it_is_live(catalogue):
    user_model = get_user_model()
    editor = user_model.objects.create_user("editor@psc.example.eu", "editor-password-1")
    moderator = user_model.objects.create_user("moderator@psc.example.eu", "moderator-password-1")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    page = ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code="en")
    workflow = page.get_workflow()
    assert workflow is not None and workflow.name == "Procedure review"

    draft = page.get_latest_revision_as_object()
    draft.fees[0].value["amount"] = draft.fees[0].value["amount"] + 10
    revision = draft.save_revision(user=editor)
    state = workflow.start(page, editor)
    page.refresh_from_db()
    assert page.fees[0].value["amount"] == 80  # still the published fee
    assert page.has_unpublished_changes

    task_state = state.current_task_state
    assert task_state.task.specific.user_can_access_editor(page, moderator)
    task_state.approve(user=moderator)
    page.refresh_from_db()
    state.refresh_from_db()
    assert state.status == "approved"
    assert page.live_revision_id == revision.pk
    assert page.fees[0].value["amount"] == 90


def test_wagtail_localize_translates_a_new_procedure_with_its_related_snippets(catalogue):
    from wagtail_localize.models import TranslationSource

    english_catalogue = ProcedureIndexPage.objects.get(locale__language_code="en")
    template = ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code="en")
    page = ProcedurePage(
        title="Locksmith licence",
        slug="locksmith-licence",
        summary="Locksmiths hold a licence.",
        competent_authority=template.competent_authority,
        content_owner=template.content_owner,
        evidence=template.evidence.raw_data,
        applicability=template.applicability.raw_data,
        form_definition=template.form_definition.raw_data,
        locale=english_catalogue.locale,
    )
    english_catalogue.add_child(instance=page)
    page.save_revision().publish()

    source, _created = TranslationSource.get_or_create_from_instance(page)
    french = Locale.objects.get(language_code="fr")
    translated, created = source.create_or_update_translation(french, fallback=True)
    assert created
    translated = ProcedurePage.objects.get(pk=translated.pk)
    assert translated.translation_key == page.translation_key
    assert translated.get_parent().specific.locale == french
    # related snippets point to their French translations; rules are synchronised, not translated
    assert translated.competent_authority.locale == french
    assert translated.competent_authority.name == "Chambre des métiers"
    assert translated.evidence[0].value["evidence_type"].locale == french
    assert translated.applicability.raw_data[0]["value"] == template.applicability.raw_data[0]["value"]
