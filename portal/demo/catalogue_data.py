"""The demo catalogue of the fictional member state "Republic of Aurelia", in en, fr and de, read from
the JSON files in ``portal/demo/data/``. Language-independent facts (codes, amounts, days, rules) are
written once; wording per language.

Shapes (lists where a position has a meaning):

- ``site.json``: ``languages``; ``catalogue_page`` {lang: [title, intro]}.
- ``authorities.json``: {identifier: {transport, languages, email, phone, website, address,
  name: {lang: name}, as4?: {party_id, party_id_type, endpoint_url, service, service_type, action}}}.
- ``evidence_types.json``: {identifier: {lang: [name, description]}}.
- ``activities.json``: [[NACE code, section, {lang: [name, synonyms]}, synonyms shared by every language]].
- ``procedures.json``: in checklist order, [{slug, sequence, authority, processing_time_days,
  tacit_approval_days, redress_deadline_days, accepted_languages, minimum_loa, rules, form,
  evidence: [[evidence type, formats, copy kind, translation required]], evidence_notes?,
  fees: [[amount, payable online]], legal_basis: [[title, url, eli]],
  text: {lang: {title, summary, steps: [[title, description]], fees: [description], redress}}}].
- ``form_fields.json``: ``common`` (every form) and ``extra`` {form: [...]}, each field
  [type, concept, {lang: label}, extra].

The module attributes below are what the loader (``portal.demo.catalogue``) reads at call time, so
tests may replace one (e.g. a smaller ``PROCEDURES``) with monkeypatch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


_site = read("site.json")
_form_fields = read("form_fields.json")

LANGUAGES: tuple[str, ...] = tuple(_site["languages"])
CATALOGUE_PAGE: dict[str, tuple[str, str]] = {
    code: (title, intro) for code, (title, intro) in _site["catalogue_page"].items()
}
AUTHORITIES: dict[str, dict] = read("authorities.json")
EVIDENCE_TYPES: dict[str, dict[str, list[str]]] = read("evidence_types.json")
ACTIVITIES: list[list] = read("activities.json")
PROCEDURES: list[dict] = read("procedures.json")
COMMON_FIELDS: list[list] = _form_fields["common"]
EXTRA_FIELDS: dict[str, list[list]] = _form_fields["extra"]
