"""The dossier's steps and their Django forms, built from the applications' procedure snapshots.

* **Steps** (:func:`build_steps`): a concept asked by more than one application goes to the common step
  (first, asked once, label and options from the first application that asks it, required if any
  application requires it); every other field goes to its application's step. Evidence requests
  (:data:`DOCUMENT_FIELD_TYPES`) are never common: they stay on their application's step as
  ``document_fields`` and are uploaded, not typed.
* **Answers** are one JSON value per concept in ``Dossier.answers``, read by every application that asks
  it: numbers as decimal strings, dates as ISO strings, multiple choice as a list, phone numbers in
  international format (``+`` and 7 to 15 digits).
* **Conditions** (``{concept, operator, answer}``) are judged on the server against this step's answers
  merged over the stored ones: ``answered`` (not None, "" or []), ``equals`` / ``not_equals`` (the
  expected value among the answer's values as strings, so a multiple choice matches any ticked value).
* **Required-ness** is judged in :meth:`StepForm.clean`, every Django field being optional: a field whose
  condition does not hold is not required and its answer is stored as removed (None), its errors
  dropped; otherwise a required field left empty is an error.
* **Verified profile** (:data:`PROFILE_CONCEPTS`: full name, birth date, nationality, address): the
  profile's value pre-fills the field; when every attribute behind it is eID-verified the field is
  disabled and the profile value is stored whatever is posted.
* :meth:`StepForm.valid_answers` keeps the valid answers of a partly wrong step (autosave, a step saved
  with errors)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.validators import RegexValidator
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from procedures.choices import COUNTRIES

COMMON_STEP = "common"
# evidence is uploaded, not typed: the documents slice renders these fields
DOCUMENT_FIELD_TYPES = frozenset({"evidence_request"})
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
PHONE_VALIDATOR = RegexValidator(
    r"^\+[1-9][0-9]{6,14}$", _("Give the number in international format, e.g. +351912345678.")
)
REQUIRED_MESSAGE = _("Answer this question.")

# concept -> (profile attributes it is made of, how they combine)
PROFILE_CONCEPTS: dict[str, tuple[str, ...]] = {
    "applicant.full_name": ("given_names", "family_name"),
    "applicant.birth_date": ("date_of_birth",),
    "applicant.nationality": ("nationality",),
    "applicant.address": ("address_line_1", "address_line_2", "postal_code", "city", "region", "country"),
}


@dataclass
class Step:
    key: str  # "common" or the application's public id
    title: str
    fields: list[dict]
    application: object | None = None  # the Application of a per-procedure step
    authority_name: str = ""
    document_fields: list[dict] = field(default_factory=list)


def shared_concepts(applications) -> set[str]:
    seen: dict[str, int] = {}
    for application in applications:
        for item in application.procedure_snapshot.get("fields", []):
            if item["type"] not in DOCUMENT_FIELD_TYPES:
                seen[item["concept"]] = seen.get(item["concept"], 0) + 1
    return {concept for concept, count in seen.items() if count > 1}


def build_steps(dossier) -> list[Step]:
    applications = list(dossier.applications.all())
    shared = shared_concepts(applications)
    common: dict[str, dict] = {}
    steps: list[Step] = []
    for application in applications:
        snapshot = application.procedure_snapshot
        own, documents = [], []
        for item in snapshot.get("fields", []):
            if item["type"] in DOCUMENT_FIELD_TYPES:
                documents.append(item)
            elif item["concept"] in shared:
                existing = common.setdefault(item["concept"], dict(item))
                # asked once: required if any application requires it
                existing["required"] = existing["required"] or item["required"]
            else:
                own.append(item)
        steps.append(
            Step(
                key=str(application.public_id),
                title=snapshot.get("title", ""),
                fields=own,
                application=application,
                authority_name=snapshot.get("authority", {}).get("name", ""),
                document_fields=documents,
            )
        )
    if common:
        steps.insert(
            0,
            Step(key=COMMON_STEP, title=str(_("About you and your business")), fields=list(common.values())),
        )
    return steps


def without_inapplicable_answers(fields: list[dict], answers: dict) -> dict:
    """``answers`` minus those no field asks any more, because every field asking the concept has a
    condition that does not hold. Conditions refer to fields asked before them, so one pass in form
    order settles chains."""
    kept = dict(answers)
    for concept in dict.fromkeys(item["concept"] for item in fields):
        asking = [item for item in fields if item["concept"] == concept]
        if concept in kept and not any(condition_holds(item.get("condition"), kept) for item in asking):
            del kept[concept]
    return kept


def condition_holds(condition: dict | None, answers: dict) -> bool:
    if not condition:
        return True
    answer = answers.get(condition["concept"])
    if condition["operator"] == "answered":
        return answer not in (None, "", [])
    values = answer if isinstance(answer, list) else [answer]
    matches = condition.get("answer", "") in [str(value) for value in values if value is not None]
    return matches if condition["operator"] == "equals" else not matches


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def field_name(concept: str) -> str:
    return concept.replace(".", "__")


def profile_value(profile, concept: str) -> tuple[str | None, bool]:
    """(value from the profile or None, whether every attribute it is made of is eID-verified)."""
    attributes = PROFILE_CONCEPTS.get(concept)
    if profile is None or attributes is None:
        return None, False
    parts = [getattr(profile, attribute, None) for attribute in attributes]
    if concept == "applicant.birth_date":
        value = parts[0].isoformat() if parts[0] else None
    elif concept == "applicant.address":
        value = "\n".join(str(part) for part in parts if part) or None
    else:
        value = " ".join(str(part) for part in parts if part) or None
    verified = value is not None and all(
        profile.is_verified(attribute) for attribute, part in zip(attributes, parts, strict=True) if part
    )
    return value, verified


def _django_field(item: dict) -> forms.Field:
    kind = item["type"]
    # templates/forms/field.html marks help text safe; a snapshot's help text is plain text
    common = {"label": item["label"], "help_text": escape(item.get("help_text", "")), "required": False}
    if kind == "text":
        return forms.CharField(max_length=item.get("max_length") or 1000, **common)
    if kind in ("long_text", "address"):
        return forms.CharField(
            max_length=item.get("max_length") or 5000, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if kind == "number":
        return forms.DecimalField(
            min_value=Decimal(item["min_value"]) if "min_value" in item else None,
            max_value=Decimal(item["max_value"]) if "max_value" in item else None,
            max_digits=18,
            decimal_places=2,
            **common,
        )
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "email":
        return forms.EmailField(**common)
    if kind == "phone":
        return forms.CharField(max_length=20, validators=[PHONE_VALIDATOR], **common)
    if kind == "country":
        return forms.ChoiceField(choices=[("", _("Choose a country")), *COUNTRIES], **common)
    if kind == "single_choice":
        return forms.ChoiceField(
            choices=[(choice["value"], choice["label"]) for choice in item["choices"]],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == "multiple_choice":
        return forms.MultipleChoiceField(
            choices=[(choice["value"], choice["label"]) for choice in item["choices"]],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == "yes_no":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    # business_activity and any type a later catalogue adds: free text until it has its own widget
    return forms.CharField(max_length=1000, **common)


def to_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _initial(item: dict, value):
    if value is None:
        return None
    if item["type"] == "date":
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
    if item["type"] == "number":
        try:
            return Decimal(value)
        except (InvalidOperation, TypeError):
            return None
    return value


class StepForm(forms.Form):
    """One step. All Django fields are optional: required-ness depends on conditions, judged in clean()."""

    def __init__(self, *args, step: Step, answers: dict, profile=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.stored_answers = answers
        self.items = {field_name(item["concept"]): item for item in step.fields}
        self.locked: dict[str, str] = {}
        for name, item in self.items.items():
            django_field = _django_field(item)
            value, verified = profile_value(profile, item["concept"])
            if verified:
                django_field.disabled = True
                django_field.help_text = _(
                    "Confirmed by your electronic identity; it cannot be changed here."
                )
                self.locked[item["concept"]] = value
                django_field.initial = _initial(item, value)
            else:
                stored = answers.get(item["concept"])
                django_field.initial = _initial(item, stored if stored is not None else value)
            if item.get("condition"):
                django_field.widget.attrs["data-condition"] = item["condition"]["concept"]
            self.fields[name] = django_field

    def clean(self):
        cleaned = super().clean()
        merged = {**self.stored_answers}
        for name, item in self.items.items():
            if name in cleaned:
                merged[item["concept"]] = to_json(cleaned[name])
        self.answers: dict = {}
        for name, item in self.items.items():
            concept = item["concept"]
            if not condition_holds(item.get("condition"), merged):
                self.answers[concept] = None
                self.errors.pop(name, None)
                continue
            if concept in self.locked:
                self.answers[concept] = self.locked[concept]
                continue
            if name in self.errors:
                continue
            value = to_json(cleaned.get(name))
            if item["required"] and is_empty(value):
                self.add_error(name, REQUIRED_MESSAGE)
                continue
            self.answers[concept] = None if is_empty(value) else value
        return cleaned

    def valid_answers(self) -> dict:
        """What can be kept of a partly wrong step (autosave, or a draft with errors)."""
        self.is_valid()
        return {
            concept: value
            for concept, value in self.answers.items()
            if field_name(concept) not in self.errors
        }


class ReplyForm(forms.Form):
    """The applicant's reply to the authority's request for more information."""

    body = forms.CharField(
        label=_("Your reply"),
        help_text=_("Answer the authority's questions. Your reply is sent to the authority as it is."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        error_messages={"required": _("Write your reply.")},
    )
