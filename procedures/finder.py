"""The finder: answers to a short questionnaire -> the procedures that apply, as a checklist.

Public surface: ``FinderForm`` (parses answers from a URL query), ``FinderAnswers``,
``applicable_procedures(answers)`` and ``build_checklist(answers)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from procedures.blocks import split_codes
from procedures.choices import (
    COPY_KIND_STRICTNESS,
    COPY_KINDS,
    COUNTRIES,
    DOCUMENT_FORMATS,
    EU_EEA_CODES,
    LEGAL_FORMS,
    PROVISION_MODES,
)
from procedures.models import (
    ApplicabilityIndexEntry,
    BusinessActivity,
    CompetentAuthority,
    EvidenceType,
    ProcedurePage,
)
from procedures.selectors import active_locale, activity_by_code, live_procedures

MAX_EMPLOYEES = 1_000_000


@dataclass(frozen=True)
class FinderAnswers:
    activity_code: str  # NACE rev. 2 code, e.g. "96.02"
    activity_section: str  # NACE rev. 2 section letter, e.g. "S"
    provision: str  # "establishment" or "temporary"
    country: str  # ISO 3166-1 alpha-2 of the country of establishment; "ZZ" for another one
    legal_form: str
    employees: int

    @property
    def employs_staff(self) -> bool:
        return self.employees > 0

    @property
    def established_in_eu_eea(self) -> bool:
        return self.country in EU_EEA_CODES


class FinderForm(forms.Form):
    """The questionnaire. Bound to request.GET so a checklist's address is its answers."""

    q = forms.CharField(
        label=_("What will your business do?"),
        help_text=_("Type a word, e.g. hairdresser, restaurant, plumber, then choose your activity."),
        required=False,
        max_length=100,
    )
    activity = forms.CharField(
        label=_("Your activity"),
        error_messages={"required": _("Choose your activity from the list (search for it first).")},
        max_length=5,
    )
    provision = forms.ChoiceField(
        label=_("How will you provide your services here?"),
        choices=[choice for choice in PROVISION_MODES if choice[0] != "any"],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you settle here or provide services temporarily.")},
    )
    country = forms.ChoiceField(
        label=_("Country where your business is established"),
        help_text=_("If you are not established anywhere yet, choose the country where you live."),
        choices=[("", _("Choose a country")), *COUNTRIES],
        error_messages={"required": _("Choose a country.")},
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        choices=[("", _("Choose a legal form")), *LEGAL_FORMS],
        error_messages={"required": _("Choose the legal form of your business.")},
    )
    employees = forms.IntegerField(
        label=_("How many people will you employ here?"),
        help_text=_("0 if you work alone."),
        min_value=0,
        max_value=MAX_EMPLOYEES,
        error_messages={"required": _("Give the number of employees, 0 if you work alone.")},
    )

    def __init__(self, *args, locale: Locale | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.locale = locale
        self.activity_object: BusinessActivity | None = None
        self.fields["q"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["activity"].widget = forms.HiddenInput()

    def clean_activity(self) -> str:
        code = self.cleaned_data["activity"].strip()
        activity = activity_by_code(code, self.locale) if code else None
        if activity is None:
            raise forms.ValidationError(
                _(
                    "We do not know the activity “%(code)s”. Search for your activity and choose it from the list."
                ),
                params={"code": code},
            )
        self.activity_object = activity
        return activity.nace_code

    def _choice_label(self, name: str) -> str:
        return str(dict(self.fields[name].choices).get(self.cleaned_data.get(name), ""))

    @property
    def provision_label(self) -> str:
        return self._choice_label("provision")

    @property
    def country_label(self) -> str:
        return self._choice_label("country")

    @property
    def legal_form_label(self) -> str:
        return self._choice_label("legal_form")

    def answers(self) -> FinderAnswers:
        if not self.is_valid():
            raise ValueError("answers() needs a valid form")
        data = self.cleaned_data
        return FinderAnswers(
            activity_code=data["activity"],
            activity_section=self.activity_object.nace_section,
            provision=data["provision"],
            country=data["country"],
            legal_form=data["legal_form"],
            employees=data["employees"],
        )


def rule_matches(rule: dict, answers: FinderAnswers) -> bool:
    """Every condition the rule sets must hold; an unset condition holds for every answer."""
    codes = split_codes(rule.get("activity_codes") or "")
    if codes and not any(_activity_matches(code, answers) for code in codes):
        return False
    provision = rule.get("provision") or "any"
    if provision != "any" and provision != answers.provision:
        return False
    legal_forms = rule.get("legal_forms") or []
    if legal_forms and answers.legal_form not in legal_forms:
        return False
    staff = rule.get("employs_staff") or "any"
    if staff != "any" and (staff == "yes") != answers.employs_staff:
        return False
    region = rule.get("establishment_region") or "any"
    return region == "any" or (region == "eu_eea") == answers.established_in_eu_eea


def _activity_matches(code: str, answers: FinderAnswers) -> bool:
    if code.isalpha():
        return code == answers.activity_section
    return answers.activity_code == code or answers.activity_code.startswith(code)


def procedure_applies(procedure: ProcedurePage, answers: FinderAnswers) -> bool:
    return any(rule_matches(dict(block.value), answers) for block in procedure.applicability)


def applicable_procedures(answers: FinderAnswers, locale: Locale | None = None) -> list[ProcedurePage]:
    """The live procedures that apply to these answers, in checklist order, in the given (default:
    the active) language. Selected through ApplicabilityIndexEntry in one query; the answers are
    the same as `procedure_applies` evaluating every page's rules."""
    code = answers.activity_code
    activities = {ApplicabilityIndexEntry.ANY_ACTIVITY, answers.activity_section.upper()}
    activities.update(code[:length] for length in range(1, len(code) + 1))
    matching = ApplicabilityIndexEntry.objects.filter(
        activity__in=activities,
        provision__in=["any", answers.provision],
        employs_staff__in=["any", "yes" if answers.employs_staff else "no"],
        establishment_region__in=["any", "eu_eea" if answers.established_in_eu_eea else "outside"],
    ).filter(Q(legal_forms="") | Q(legal_forms__contains=f"|{answers.legal_form}|"))
    procedures = live_procedures(locale).filter(pk__in=matching.values("procedure_id"))
    # the checklist never shows the form or the steps: not loading them halves what is parsed
    return list(procedures.defer("form_definition", "steps"))


# --- The checklist --------------------------------------------------------------------------


@dataclass
class RequiredDocument:
    evidence_type: EvidenceType
    copy_kind: str
    translation_required: bool
    formats: list[str]
    notes: list[str]
    procedures: list[ProcedurePage]

    @property
    def copy_kind_label(self) -> str:
        return str(dict(COPY_KINDS)[self.copy_kind])

    @property
    def format_labels(self) -> list[str]:
        labels = dict(DOCUMENT_FORMATS)
        return [labels.get(fmt, fmt) for fmt in self.formats]


@dataclass
class Checklist:
    answers: FinderAnswers
    activity: BusinessActivity
    procedures: list[ProcedurePage]
    authorities: list[CompetentAuthority] = field(default_factory=list)
    documents: list[RequiredDocument] = field(default_factory=list)
    total_fees: dict[str, Decimal] = field(default_factory=dict)
    longest_processing_days: int | None = None
    longest_processing_procedure: ProcedurePage | None = None

    @property
    def procedure_ids(self) -> list[int]:
        return [procedure.pk for procedure in self.procedures]


def build_checklist(
    answers: FinderAnswers, activity: BusinessActivity, locale: Locale | None = None
) -> Checklist:
    locale = locale or active_locale()
    procedures = applicable_procedures(answers, locale)
    checklist = Checklist(answers=answers, activity=activity, procedures=procedures)
    checklist.authorities = _distinct_authorities(
        (procedure.competent_authority for procedure in procedures), locale
    )
    checklist.documents = _deduplicated_documents(procedures, locale)
    for procedure in procedures:
        for fee in procedure.fees:
            currency = fee.value["currency"]
            checklist.total_fees[currency] = (
                checklist.total_fees.get(currency, Decimal(0)) + fee.value["amount"]
            )
        days = procedure.processing_time_days
        if days is not None and (
            checklist.longest_processing_days is None or days > checklist.longest_processing_days
        ):
            checklist.longest_processing_days = days
            checklist.longest_processing_procedure = procedure
    return checklist


def _in_locale(snippet, locale: Locale):
    """The snippet in the checklist's language; a page's snippets usually are already (no query)."""
    return snippet if snippet.locale_id == locale.pk else snippet.localized


def _distinct_authorities(
    authorities: Iterable[CompetentAuthority], locale: Locale
) -> list[CompetentAuthority]:
    seen: dict[object, CompetentAuthority] = {}
    for authority in authorities:
        if authority.translation_key not in seen:
            seen[authority.translation_key] = _in_locale(authority, locale)
    return list(seen.values())


def _deduplicated_documents(procedures: list[ProcedurePage], locale: Locale) -> list[RequiredDocument]:
    """One entry per evidence type across procedures; the strictest form asked wins."""
    documents: dict[object, RequiredDocument] = {}
    for procedure in procedures:
        for block in procedure.evidence:
            requirement = block.value
            evidence_type = requirement["evidence_type"]
            if evidence_type is None:  # the snippet was deleted after the page was published
                continue
            document = documents.get(evidence_type.translation_key)
            formats = list(requirement["accepted_formats"] or [])
            notes = requirement["notes"]
            if document is None:
                documents[evidence_type.translation_key] = RequiredDocument(
                    evidence_type=_in_locale(evidence_type, locale),
                    copy_kind=requirement["copy_kind"],
                    translation_required=bool(requirement["translation_required"]),
                    formats=formats,
                    notes=[notes] if notes else [],
                    procedures=[procedure],
                )
                continue
            if COPY_KIND_STRICTNESS[requirement["copy_kind"]] > COPY_KIND_STRICTNESS[document.copy_kind]:
                document.copy_kind = requirement["copy_kind"]
            document.translation_required |= bool(requirement["translation_required"])
            # a file must suit every procedure it goes to: keep the formats all of them accept
            common = [fmt for fmt in document.formats if fmt in formats]
            document.formats = common or document.formats
            if notes and notes not in document.notes:
                document.notes.append(notes)
            if procedure not in document.procedures:
                document.procedures.append(procedure)
    return list(documents.values())
