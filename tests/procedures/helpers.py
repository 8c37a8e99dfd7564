"""Helpers shared by the catalogue tests."""

from __future__ import annotations


def answers(**overrides):
    from procedures.finder import FinderAnswers

    values = {
        "activity_code": "96.02",
        "activity_section": "S",
        "provision": "establishment",
        "country": "PT",
        "legal_form": "sole_trader",
        "employees": 0,
    }
    values.update(overrides)
    return FinderAnswers(**values)


def load_catalogue_slice(monkeypatch, procedure_slugs: set[str], activity_codes: set[str]):
    """The demo catalogue (en, fr, de) limited to these procedures and activities; the index page."""
    from portal.demo import catalogue_data as demo_data
    from portal.demo.catalogue import ensure_catalogue

    monkeypatch.setattr(
        demo_data, "PROCEDURES", [p for p in demo_data.PROCEDURES if p["slug"] in procedure_slugs]
    )
    monkeypatch.setattr(demo_data, "ACTIVITIES", [a for a in demo_data.ACTIVITIES if a[0] in activity_codes])
    return ensure_catalogue()
