"""How answers read on the review page (and, later, in the application PDFs)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.formats import date_format

from portal.dossiers.forms import COMMON_STEP, DOCUMENT_FIELD_TYPES, YES_NO, condition_holds, field_name
from procedures.choices import COUNTRIES


def display_answer(item: dict, value) -> str:
    """The answer as the applicant chose it (labels, not stored values); '' when unanswered."""
    if value is None or value == "" or value == []:
        return ""
    labels: dict[str, str] = {}
    if item["type"] in ("single_choice", "multiple_choice"):
        labels = {choice["value"]: choice["label"] for choice in item.get("choices", [])}
    elif item["type"] == "yes_no":
        labels = {key: str(label) for key, label in YES_NO}
    elif item["type"] == "country":
        labels = {code: str(name) for code, name in COUNTRIES}
    elif item["type"] == "date":
        return _date_as_written(str(value))
    values = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(one), str(one)) for one in values)


def _date_as_written(value: str) -> str:
    """A stored ISO date as people of the active language write it ("1 mai 1990", "1. Mai 1990")."""
    try:
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value


def shared_answers(dossier, steps, step) -> list[dict]:
    """The common step's answers an application step uses: shown there (not asked again), with the
    link to change them where they are asked."""
    if step.application is None:
        return []
    [section] = review_sections(dossier, [s for s in steps if s.key == COMMON_STEP] + [step])
    return [row for row in section["rows"] if row["shared"]]


def review_sections(dossier, steps) -> list[dict]:
    """One section per application (so per authority), with every question it asks and its answer."""
    common_concepts = {item["concept"] for step in steps if step.key == COMMON_STEP for item in step.fields}
    sections = []
    for step in steps:
        if step.application is None:
            continue
        rows = []
        for item in step.application.procedure_snapshot.get("fields", []):
            if item["type"] in DOCUMENT_FIELD_TYPES or not condition_holds(
                item.get("condition"), dossier.answers
            ):
                continue
            asked_in = COMMON_STEP if item["concept"] in common_concepts else step.key
            rows.append(
                {
                    "label": item["label"],
                    "answer": display_answer(item, dossier.answers.get(item["concept"])),
                    "required": item["required"],
                    "shared": asked_in == COMMON_STEP,
                    "edit_url": reverse("dossiers:step", args=[dossier.public_id, asked_in])
                    + f"#id_{field_name(item['concept'])}",
                }
            )
        sections.append(
            {
                "title": step.title,
                "authority": step.authority_name,
                "rows": rows,
                "documents": _documents_of(step),
            }
        )
    return sections


def _documents_of(step) -> list[dict]:
    """Each evidence request of the step with the documents attached to it."""
    attachments = list(step.application.documents.select_related("document__validation_report"))
    return [
        {
            "label": item["label"],
            "required": item["required"],
            "documents": [a.document for a in attachments if a.concept == item["concept"]],
            "edit_url": reverse("dossiers:step", args=[step.application.dossier.public_id, step.key])
            + f"#documents-{field_name(item['concept'])}",
        }
        for item in step.document_fields
    ]
