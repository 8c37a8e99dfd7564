"""Freezing a procedure definition into an application when a dossier starts.

The snapshot (:func:`procedure_snapshot`) is plain JSON, written once: ``version``, ``page_id``,
``translation_key``, ``revision_id`` (the live revision it was taken from), ``language``, ``title`` (in the
dossier's language where a translation exists), ``accepted_languages``, ``minimum_loa``, ``authority``
(``id``, ``identifier``, ``name``, ``languages``, ``delivery_channel`` as the authority returns it),
``fields`` (type, concept, label, help text, required, condition or null, and the type's options; snippets
such as evidence types as ``{identifier, name}``, decimals as strings) and ``evidence``. Everything the
dossier does afterwards (steps, validation, review, PDF, delivery, the back-office clock) reads the
snapshot, never the live catalogue: a new revision, a removed field, another authority or an unpublished
page changes nothing in an open dossier. There is no migration to a newer revision; ``revision_id`` keeps
that possible.

Versions (:data:`SNAPSHOT_VERSION`):

* 2 adds ``translations`` = {language: {title, authority_name, labels, choices, evidence_types}} for each
  language the procedure or its authority accepts plus the dossier's, where a translation of the page
  exists, so the application PDF can be written in the authority's language with the applicant's
  alongside. Version 1 snapshots have none; readers fall back to the labels frozen in ``language``.
* 3 adds ``terms`` (processing time, tacit approval and its delay, redress body and deadline) for the
  back-office clock. :func:`procedure_terms` reads them, and for an older snapshot takes them from the
  page revision it was taken from (empty if that revision is gone)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wagtail.models import Locale, Revision

# 2 added "translations" (see above); 3 added "terms" (processing time, tacit approval, redress):
# older snapshots read the terms from the page revision they came from (see procedure_terms).
SNAPSHOT_VERSION = 3


def _plain(value: Any) -> Any:
    """Stream values as JSON: decimals as strings, snippets as {identifier, name}."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "identifier") and hasattr(value, "name"):
        return {"identifier": value.identifier, "name": value.name}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "items") and callable(value.items):  # StructValue
        return {key: _plain(item) for key, item in value.items()}
    if value is not None and not isinstance(value, str | int | float | bool):
        return [_plain(item) for item in value]  # ListValue
    return value


def _localized(instance, locale: Locale | None):
    if locale is None:
        return instance
    return instance.get_translation_or_none(locale) or instance


def _form_field(block_type: str, value) -> dict:
    raw = _plain(value)
    condition = raw.get("condition") or {}
    field = {
        "type": block_type,
        "concept": raw["concept"],
        "label": raw["label"],
        "help_text": raw.get("help_text") or "",
        "required": bool(raw.get("required")),
        "condition": (
            {
                "concept": condition["concept"],
                "operator": condition.get("operator") or "equals",
                "answer": condition.get("answer") or "",
            }
            if condition.get("concept")
            else None
        ),
    }
    for option in ("max_length", "min_value", "max_value", "choices", "evidence_type"):
        if raw.get(option) not in (None, "", []):
            field[option] = raw[option]
    return field


def _wording(page, authority, locale: Locale) -> dict:
    """What the PDF needs of one language version: labels by concept, choice labels by value."""
    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    evidence_types: dict[str, str] = {}

    def name_evidence_type(snippet) -> None:
        if snippet is not None and hasattr(snippet, "identifier"):
            evidence_types.setdefault(snippet.identifier, _localized(snippet, locale).name)

    for child in page.form_definition:
        raw = _plain(child.value)
        labels.setdefault(raw["concept"], raw["label"])
        if raw.get("choices"):
            choices.setdefault(raw["concept"], {c["value"]: c["label"] for c in raw["choices"]})
        name_evidence_type(child.value.get("evidence_type"))
    for child in page.evidence:
        name_evidence_type(child.value.get("evidence_type"))
    return {
        "title": page.title,
        "authority_name": authority.name,
        "labels": labels,
        "choices": choices,
        "evidence_types": evidence_types,
    }


def _translations(page, language: str) -> dict[str, dict]:
    """The wording in every language the authority accepts and the dossier's, where a translation of
    the page exists (a language without one is left out: readers fall back to the frozen labels)."""
    wanted = [*page.language_codes, *page.competent_authority.language_codes, language]
    translations: dict[str, dict] = {}
    for code in dict.fromkeys(wanted):
        locale = Locale.objects.filter(language_code=code).first()
        translated = page.get_translation_or_none(locale) if locale else None
        if translated is None:
            continue
        translated = translated.specific
        translations[code] = _wording(translated, _localized(translated.competent_authority, locale), locale)
    return translations


def procedure_snapshot(page, language: str) -> dict:
    """The procedure page (a live ProcedurePage) frozen in ``language`` where a translation exists."""
    locale = Locale.objects.filter(language_code=language).first()
    page = _localized(page, locale)
    authority = _localized(page.competent_authority, locale)
    revision = page.live_revision
    return {
        "version": SNAPSHOT_VERSION,
        "page_id": page.pk,
        "translation_key": str(page.translation_key),
        "revision_id": revision.pk if revision else None,
        "language": page.locale.language_code,
        "title": page.title,
        "accepted_languages": page.language_codes,
        "minimum_loa": page.minimum_loa,
        "authority": {
            "id": authority.pk,
            "identifier": authority.identifier,
            "name": authority.name,
            "languages": authority.language_codes,
            "delivery_channel": authority.delivery_channel,
        },
        "fields": [_form_field(child.block_type, child.value) for child in page.form_definition],
        "evidence": [_plain(dict(child.value)) for child in page.evidence],
        "translations": _translations(page, language),
        "terms": _terms(page),
    }


def _terms(page) -> dict:
    return {
        "processing_time_days": page.processing_time_days,
        "tacit_approval": bool(page.tacit_approval),
        "tacit_approval_days": page.tacit_approval_days,
        "redress_body": page.redress_body,
        "redress_deadline_days": page.redress_deadline_days,
    }


NO_TERMS = {
    "processing_time_days": None,
    "tacit_approval": False,
    "tacit_approval_days": None,
    "redress_body": "",
    "redress_deadline_days": None,
}


def procedure_terms(snapshot: dict) -> dict:
    """The time limits and redress the application was started under.

    Version 3 snapshots carry them; for an older snapshot they are read from the page revision it
    was taken from (what the applicant saw then), and are empty if that revision is gone."""
    if "terms" in snapshot:
        return {**NO_TERMS, **snapshot["terms"]}
    revision = (
        Revision.objects.filter(pk=snapshot.get("revision_id")).first()
        if snapshot.get("revision_id")
        else None
    )
    if revision is None:
        return dict(NO_TERMS)
    return _terms(revision.as_object())
