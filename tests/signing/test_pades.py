"""PAdES signatures made here with a generated PKI: the positive case and the negative matrix."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from portal.signing.report import Indication, Level, Qualification, SubIndication
from portal.signing.trust import TrustContext
from portal.signing.validation import validate

from .pki import minimal_pdf, sign_pdf


@pytest.fixture(scope="module")
def trusted(pki) -> TrustContext:
    return TrustContext(anchors=[pki.root.asn1_cert])


@pytest.fixture(scope="module")
def signed_pdf(pki) -> bytes:
    return sign_pdf(pki.signer, pki)


def test_signature_from_a_trusted_anchor_passes(signed_pdf, trusted):
    report = validate(signed_pdf, "application.pdf", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    [signature] = report.signatures
    assert signature.signer == "Erika Mustermann"
    assert signature.level is Level.B
    assert signature.qualification is Qualification.ADES  # no trusted list makes it qualified
    assert signature.covers == ["application.pdf"]
    assert report.errors == []


def test_signature_timestamp_gives_level_t_and_the_timestamp_time(pki, trusted):
    report = validate(sign_pdf(pki.signer, pki, timestamp=True), "a.pdf", trust=trusted)
    [signature] = report.signatures
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert signature.level is Level.T
    assert abs((datetime.now(UTC) - signature.signing_time).total_seconds()) < 300


def test_tampered_byte_is_a_hash_failure(signed_pdf, trusted):
    tampered = bytearray(signed_pdf)
    position = tampered.index(b"Hello from")  # inside the signed byte range (the page content)
    tampered[position] ^= 0x01
    report = validate(bytes(tampered), "a.pdf", trust=trusted)
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.HASH_FAILURE,
    )
    assert report.indication is Indication.TOTAL_FAILED


def test_untrusted_root(pki, trusted):
    report = validate(sign_pdf(pki.stranger, pki), "a.pdf", trust=trusted)
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )
    assert signature.qualification is None


def test_nothing_trusted_by_default(signed_pdf):
    [signature] = validate(signed_pdf, "a.pdf").signatures
    assert signature.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_expired_signer_fails_now_but_passes_at_a_time_inside_its_validity(pki, trusted):
    signed = sign_pdf(pki.expired_signer, pki)
    now = validate(signed, "a.pdf", trust=trusted)
    [signature] = now.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.OUT_OF_BOUNDS_NO_POE,
    )
    then = validate(signed, "a.pdf", trust=trusted, at=datetime(2020, 6, 1, tzinfo=UTC))
    assert then.indication is Indication.TOTAL_PASSED, then.to_json()


def test_sha1_digest_is_refused(pki, trusted):
    report = validate(sign_pdf(pki.signer, pki, md_algorithm="sha1"), "a.pdf", trust=trusted)
    [signature] = report.signatures
    assert signature.indication is Indication.INDETERMINATE
    assert signature.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_rsa_1024_signer_is_refused(pki, trusted):
    [signature] = validate(sign_pdf(pki.weak_signer, pki), "a.pdf", trust=trusted).signatures
    assert signature.indication is Indication.INDETERMINATE
    assert signature.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_content_changed_after_signing_is_a_format_failure(signed_pdf, trusted):
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    from pyhanko.pdf_utils import generic

    page["/MediaBox"] = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 300, 300)])
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    report = validate(out.getvalue(), "a.pdf", trust=trusted)
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.FORMAT_FAILURE,
    )


def test_second_signature_keeps_the_first_valid(pki, trusted):
    twice = sign_pdf(pki.signer, pki, pdf=sign_pdf(pki.signer, pki), field_name="Signature2")
    report = validate(twice, "a.pdf", trust=trusted)
    assert [s.indication for s in report.signatures] == [Indication.TOTAL_PASSED, Indication.TOTAL_PASSED]
    assert report.indication is Indication.TOTAL_PASSED


def test_unsigned_pdf_fails_with_a_reason():
    report = validate(minimal_pdf(), "plain.pdf")
    assert report.indication is Indication.TOTAL_FAILED
    assert report.errors == ["the PDF holds no signature"]


@pytest.mark.parametrize("garbage", [b"", b"%PDF-1.7\n", b"%PDF-1.7\n" + b"\x00" * 5000, b"\x89PNG\r\n"])
def test_garbage_never_raises(garbage):
    report = validate(garbage, "x")
    assert report.indication in (Indication.TOTAL_FAILED, Indication.INDETERMINATE)
    assert report.errors
