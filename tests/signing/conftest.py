from __future__ import annotations

import pytest

from .pki import SigningPKI, build_pki


@pytest.fixture(scope="session")
def pki() -> SigningPKI:
    return build_pki()
