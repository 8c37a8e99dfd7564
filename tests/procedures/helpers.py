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
