"""Fixtures of the submission tests: those of the dossier tests (the catalogue slice, users, the
running test QTSP), since a submission starts from a signed dossier."""

from tests.dossiers.conftest import (  # noqa: F401
    catalogue,
    english,
    other_user,
    procedures,
    qtsp_signer,
    test_qtsp,
    user,
)
