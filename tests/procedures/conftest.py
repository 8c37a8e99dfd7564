"""Fixtures of the catalogue tests: the demo catalogue, whole or a slice of it (faster)."""

from __future__ import annotations

import pytest

SLICE_PROCEDURES = {
    "business-registration",
    "commercial-register-entry",
    "employer-registration",
    "recognition-of-qualifications",
    "craft-authorisation",
    "temporary-provision-declaration",
    "self-employment-residence-permit",
}
SLICE_ACTIVITIES = {"96.02", "43.22", "62.01", "56.10", "47.91"}


@pytest.fixture
def catalogue(db, monkeypatch):
    """The demo catalogue with 7 procedures and 5 activities, in en, fr, de."""
    from tests.procedures.helpers import load_catalogue_slice

    return load_catalogue_slice(monkeypatch, SLICE_PROCEDURES, SLICE_ACTIVITIES)


@pytest.fixture
def full_catalogue(db):
    from portal.demo.catalogue import ensure_catalogue

    return ensure_catalogue()
