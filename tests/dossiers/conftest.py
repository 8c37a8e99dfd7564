"""Fixtures of the dossier tests: a slice of the demo catalogue with procedures at three authorities."""

from __future__ import annotations

import pytest

# the running test QTSP (signing, e-seal, TSA, OCSP), for the signing step's and the submission's tests
from tests.signing.conftest import qtsp_signer, test_qtsp  # noqa: F401

SLICE_PROCEDURES = {"business-registration", "vat-registration", "commercial-register-entry"}
SLICE_ACTIVITIES = {"62.01", "96.02"}


@pytest.fixture
def catalogue(db, monkeypatch):
    from tests.procedures.helpers import load_catalogue_slice

    return load_catalogue_slice(monkeypatch, SLICE_PROCEDURES, SLICE_ACTIVITIES)


@pytest.fixture
def procedures(catalogue):
    """The live English procedure pages by slug."""
    from procedures.models import ProcedurePage

    return {
        page.slug: page for page in ProcedurePage.objects.live().filter(locale__language_code="en").specific()
    }


@pytest.fixture
def user(db, django_user_model):
    return django_user_model.objects.create_user(email="ana@example.eu", password="a long passphrase 42")


@pytest.fixture
def other_user(db, django_user_model):
    return django_user_model.objects.create_user(email="mallory@example.eu", password="a long passphrase 43")


@pytest.fixture(autouse=True)
def english():
    """URLs and messages in English whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield
