"""PAdES verdicts come from pyHanko's EN 319 102-1 processes; the classic validation is a second
opinion whose disagreement is reported as a warning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.signing.report import Indication, Level, SubIndication
from portal.signing.trust import TrustContext
from portal.signing.validation import validate

from .pki import sign_pdf


@pytest.fixture(scope="module")
def trusted(pki) -> TrustContext:
    return TrustContext(anchors=[pki.root.asn1_cert])


def test_a_timestamp_from_while_the_certificate_was_valid_rescues_an_expired_signer(pki, trusted):
    """EN 319 102-1 §5.5: the signature timestamp proves the signature existed in 2020, when the
    certificate (2020-2021) was valid. The classic validator only looks at today and disagrees."""
    signed = sign_pdf(pki.expired_signer, pki, timestamp_at=datetime(2020, 6, 1, tzinfo=UTC))
    report = validate(signed, "a.pdf", trust=trusted)
    [signature] = report.signatures
    assert (signature.indication, signature.level) == (Indication.TOTAL_PASSED, Level.T), report.to_json()
    assert signature.signing_time == datetime(2020, 6, 1, tzinfo=UTC)
    [disagreement] = [w for w in report.warnings if "classic validation disagrees" in w]
    assert "INDETERMINATE/OUT_OF_BOUNDS_NO_POE instead of TOTAL_PASSED" in disagreement


def test_a_timestamp_after_expiry_proves_nothing_for_an_expired_signer(pki, trusted):
    signed = sign_pdf(pki.expired_signer, pki, timestamp=True)
    report = validate(signed, "a.pdf", trust=trusted)
    [signature] = report.signatures
    assert signature.indication is Indication.INDETERMINATE, report.to_json()
    assert signature.sub_indication is SubIndication.OUT_OF_BOUNDS_NO_POE
    assert not [w for w in report.warnings if "disagrees" in w]  # both processes agree here


def test_a_timestamp_before_the_certificate_existed_fails(pki, trusted):
    """Both pyHanko validators accept this one; EN 319 102-1 §5.5.4 says FAILED/NOT_YET_VALID."""
    signed = sign_pdf(pki.signer, pki, timestamp_at=datetime(2001, 1, 1, tzinfo=UTC))
    report = validate(signed, "a.pdf", trust=trusted)
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.NOT_YET_VALID,
    ), report.to_json()


def test_agreeing_processes_leave_no_warning(pki, trusted):
    report = validate(sign_pdf(pki.signer, pki, timestamp=True), "a.pdf", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert report.warnings == []
