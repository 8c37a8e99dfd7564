"""StreamField blocks of a procedure: steps, evidence, fees, legal basis, applicability rules and
the form definition a dossier is built from."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StreamBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

from procedures.choices import (
    COPY_KINDS,
    CURRENCIES,
    DOCUMENT_FORMATS,
    ESTABLISHMENT_REGIONS,
    LEGAL_FORMS,
    PROVISION_MODES,
    STAFF_CHOICES,
)

CONCEPT_PATTERN = r"^[a-z][a-z0-9_.]{1,62}$"
NACE_CODE_PATTERN = re.compile(r"^(?:[A-U]|\d{2}(?:\.\d{1,2})?)$")
ELI_PATTERN = re.compile(r"^(?:https?://[^/]+)?/eli/\S+$")


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=200)
    description = blocks.TextBlock(label=_("description"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("Step")


class EvidenceRequirementBlock(blocks.StructBlock):
    evidence_type = SnippetChooserBlock("procedures.EvidenceType", label=_("evidence type"))
    accepted_formats = blocks.MultipleChoiceBlock(
        choices=DOCUMENT_FORMATS, label=_("accepted formats"), default=["pdf"]
    )
    copy_kind = blocks.ChoiceBlock(choices=COPY_KINDS, default="simple_copy", label=_("original or copy"))
    translation_required = blocks.BooleanBlock(
        required=False, label=_("a translation is needed when the document is not in an accepted language")
    )
    notes = blocks.TextBlock(
        required=False, label=_("notes"), help_text=_("Foreign equivalents that are accepted, exemptions.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Required evidence")


class FeeBlock(blocks.StructBlock):
    description = blocks.CharBlock(label=_("what the fee is for"), max_length=200)
    amount = blocks.DecimalBlock(label=_("amount"), min_value=0, max_digits=10, decimal_places=2)
    currency = blocks.ChoiceBlock(choices=CURRENCIES, default="EUR", label=_("currency"))
    payable_to = SnippetChooserBlock(
        "procedures.CompetentAuthority", required=False, label=_("paid to (default: the competent authority)")
    )
    payable_online = blocks.BooleanBlock(required=False, label=_("can be paid online"))

    class Meta:
        icon = "tag"
        label = _("Fee")


class LegalBasisBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=300)
    url = blocks.URLBlock(label=_("link"), required=False)
    eli = blocks.CharBlock(
        label=_("ELI"),
        required=False,
        help_text=_("European Legislation Identifier, e.g. https://example.eu/eli/act/2021/45/oj"),
        validators=[RegexValidator(ELI_PATTERN, _("An ELI is a URI whose path starts with /eli/."))],
    )

    class Meta:
        icon = "link"
        label = _("Legal basis")


class ApplicabilityRuleBlock(blocks.StructBlock):
    """One rule: every condition set must hold. A procedure applies when any of its rules holds."""

    activity_codes = blocks.CharBlock(
        required=False,
        label=_("activities"),
        help_text=_(
            "NACE rev. 2 section letters or codes, separated by commas (e.g. 'S, 56.10, 47'); a code "
            "also matches the codes below it. Empty: every activity."
        ),
    )
    provision = blocks.ChoiceBlock(choices=PROVISION_MODES, default="any", label=_("way of providing"))
    legal_forms = blocks.MultipleChoiceBlock(
        choices=LEGAL_FORMS, required=False, label=_("legal forms (none chosen: every legal form)")
    )
    employs_staff = blocks.ChoiceBlock(choices=STAFF_CHOICES, default="any", label=_("employs staff"))
    establishment_region = blocks.ChoiceBlock(
        choices=ESTABLISHMENT_REGIONS, default="any", label=_("country of establishment")
    )

    class Meta:
        icon = "tick"
        label = _("Applicability rule")

    def clean(self, value):
        value = super().clean(value)
        for code in split_codes(value.get("activity_codes") or ""):
            if not NACE_CODE_PATTERN.match(code):
                raise blocks.StructBlockValidationError(
                    block_errors={
                        "activity_codes": ValidationError(
                            _("“%(code)s” is not a NACE rev. 2 section letter or code."),
                            params={"code": code},
                        )
                    }
                )
        return value


def split_codes(text: str) -> list[str]:
    return [code.strip().upper() for code in text.split(",") if code.strip()]


# --- Form definition ------------------------------------------------------------------------


class ConditionBlock(blocks.StructBlock):
    concept = blocks.RegexBlock(
        regex=CONCEPT_PATTERN,
        required=False,
        label=_("only ask when the field with concept"),
        error_messages={"invalid": _("Use a concept key of lower-case letters, digits, _ and .")},
    )
    operator = blocks.ChoiceBlock(
        choices=[
            ("equals", _("equals")),
            ("not_equals", _("does not equal")),
            ("answered", _("is answered")),
        ],
        default="equals",
        label=_("operator"),
    )
    # not named "value": wagtail-localize 1.14 mistakes a nested struct's "value" child for its payload
    answer = blocks.CharBlock(required=False, label=_("answer"))

    class Meta:
        label = _("Condition")
        form_classname = "struct-block condition-block"


class FormFieldBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("label"), max_length=200)
    help_text = blocks.CharBlock(label=_("help text"), required=False, max_length=500)
    required = blocks.BooleanBlock(label=_("required"), required=False, default=True)
    concept = blocks.RegexBlock(
        regex=CONCEPT_PATTERN,
        label=_("concept"),
        help_text=_(
            "Key shared by fields that ask the same thing across procedures (e.g. 'applicant.birth_date'): "
            "a dossier asks it once."
        ),
        error_messages={"invalid": _("Use a concept key of lower-case letters, digits, _ and .")},
    )
    condition = ConditionBlock(required=False)

    class Meta:
        icon = "form"


class TextFieldBlock(FormFieldBlock):
    max_length = blocks.IntegerBlock(required=False, min_value=1, max_value=10_000, label=_("maximum length"))


class NumberFieldBlock(FormFieldBlock):
    min_value = blocks.DecimalBlock(required=False, label=_("minimum"))
    max_value = blocks.DecimalBlock(required=False, label=_("maximum"))


class ChoiceFieldBlock(FormFieldBlock):
    choices = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("value", blocks.RegexBlock(regex=r"^[a-z0-9_-]{1,64}$", label=_("stored value"))),
                ("label", blocks.CharBlock(label=_("label"))),
            ]
        ),
        min_num=2,
        label=_("choices"),
    )


class EvidenceRequestFieldBlock(FormFieldBlock):
    evidence_type = SnippetChooserBlock("procedures.EvidenceType", label=_("evidence type"))


FORM_FIELD_TYPES = {
    "text": _("Text"),
    "long_text": _("Long text"),
    "number": _("Number"),
    "date": _("Date"),
    "email": _("E-mail address"),
    "phone": _("International phone number"),
    "country": _("Country"),
    "single_choice": _("Single choice"),
    "multiple_choice": _("Multiple choice"),
    "yes_no": _("Yes / no"),
    "address": _("International address"),
    "business_activity": _("Business activity"),
    "evidence_request": _("Evidence request"),
}


class FormDefinitionBlock(blocks.StreamBlock):
    text = TextFieldBlock(label=FORM_FIELD_TYPES["text"])
    long_text = TextFieldBlock(label=FORM_FIELD_TYPES["long_text"])
    number = NumberFieldBlock(label=FORM_FIELD_TYPES["number"])
    date = FormFieldBlock(label=FORM_FIELD_TYPES["date"])
    email = FormFieldBlock(label=FORM_FIELD_TYPES["email"])
    phone = FormFieldBlock(label=FORM_FIELD_TYPES["phone"])
    country = FormFieldBlock(label=FORM_FIELD_TYPES["country"])
    single_choice = ChoiceFieldBlock(label=FORM_FIELD_TYPES["single_choice"])
    multiple_choice = ChoiceFieldBlock(label=FORM_FIELD_TYPES["multiple_choice"])
    yes_no = FormFieldBlock(label=FORM_FIELD_TYPES["yes_no"])
    address = FormFieldBlock(label=FORM_FIELD_TYPES["address"])
    business_activity = FormFieldBlock(label=FORM_FIELD_TYPES["business_activity"])
    evidence_request = EvidenceRequestFieldBlock(label=FORM_FIELD_TYPES["evidence_request"])

    def clean(self, value):
        value = super().clean(value)
        errors = form_definition_errors([dict(child.value) for child in value])
        if errors:
            raise StreamBlockValidationError(non_block_errors=errors)
        return value


def form_definition_errors(fields: list[dict]) -> list[ValidationError]:
    """A concept is asked once per form, and a condition refers to a field asked before it."""
    errors: list[ValidationError] = []
    seen: dict[str, str] = {}
    for position, field in enumerate(fields, start=1):
        concept = field.get("concept")
        condition = field.get("condition") or {}
        target = condition.get("concept")
        if target:
            if target not in seen:
                errors.append(
                    ValidationError(
                        _(
                            "Field %(position)s (“%(label)s”) depends on “%(target)s”, which is not a field "
                            "asked before it."
                        ),
                        params={"position": position, "label": field.get("label"), "target": target},
                    )
                )
            elif condition.get("operator") != "answered" and not condition.get("answer"):
                errors.append(
                    ValidationError(
                        _("Field %(position)s (“%(label)s”): give the value the condition compares with."),
                        params={"position": position, "label": field.get("label")},
                    )
                )
        if concept in seen:
            errors.append(
                ValidationError(
                    _("Concept “%(concept)s” is asked twice (fields %(first)s and %(position)s)."),
                    params={"concept": concept, "first": seen[concept], "position": position},
                )
            )
        else:
            seen[concept] = str(position)
    return errors
