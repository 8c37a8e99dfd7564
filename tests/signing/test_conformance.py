"""Every signature vector gets the verdict its authors expect (see tests/vectors/signatures/PROVENANCE.md)."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from lxml import etree

from portal.signing.report import Indication, Level, Qualification, SubIndication
from portal.signing.trust import (
    ListStatus,
    TrustContext,
    load_certificates,
    lotl_signer_certificates,
    read_trusted_list,
)
from portal.signing.validation import validate

from .pki import VECTORS, vector

BROKEN = {SubIndication.HASH_FAILURE, SubIndication.FORMAT_FAILURE, SubIndication.SIG_CRYPTO_FAILURE}
# Inside the validity window of the stored LOTL (issued 2026-05-22, next update 2026-11-18) and BE list.
LISTS_FRESH_AT = datetime(2026, 7, 1, tzinfo=UTC)


def check(name: str):
    report = validate(vector(name), name.rsplit("/", 1)[-1])
    assert report.to_json()  # always serialisable
    return report


def assert_intact(signature) -> None:
    assert signature.indication is not Indication.TOTAL_FAILED, signature
    assert signature.sub_indication not in BROKEN, signature


# --- PAdES ------------------------------------------------------------------------------------


def test_pdf_signed_original_is_intact_but_its_dss_test_root_is_not_trusted():
    report = check("pades/pdf-signed-original.pdf")
    [signature] = report.signatures
    assert_intact(signature)
    assert signature.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert signature.signer == "good-user"
    assert signature.level is Level.B
    assert signature.signing_time == datetime(2019, 7, 4, 11, 57, 43, tzinfo=UTC)
    assert report.indication is Indication.INDETERMINATE


@pytest.mark.parametrize("name", ["pades/pdf-signed-corrupted.pdf", "pades/pdf-signed-out-of-byteRange.pdf"])
def test_not_intact_pdfs_fail(name):
    report = check(name)
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures and all(s.indication is Indication.TOTAL_FAILED for s in report.signatures)
    assert any("not intact" in error for error in report.errors)


def test_page_added_after_signing_is_a_format_failure():
    report = check("pades/pdf-signed-added-page.pdf")
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.FORMAT_FAILURE,
    )
    assert any("modified after signing" in error for error in report.errors)


def test_byterange_overlap_one_intact_one_format_failure():
    report = check("pades/pdf-byterange-overlap.pdf")
    first, second = report.signatures
    assert_intact(first)
    assert (second.indication, second.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.FORMAT_FAILURE,
    )
    assert report.indication is Indication.TOTAL_FAILED


def test_annotations_added_after_signing_are_allowed_and_reported():
    report = check("pades/pades-signed-annot-added.pdf")
    [signature] = report.signatures
    assert_intact(signature)
    assert any("annotations" in warning for warning in report.warnings)


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("pades/doc-firmado-T.pdf", Level.T),
        ("pades/doc-firmado-LT.pdf", Level.LT),
        ("pades/Test.signed_Certipost-2048-SHA512.extended-LTA.pdf", Level.LTA),
    ],
)
def test_levels_from_timestamps_dss_and_document_timestamps(name, level):
    report = check(name)
    [signature] = report.signatures
    assert_intact(signature)
    assert signature.level is level


def test_qc_lta_document_has_two_intact_signatures_at_level_lta():
    report = check("pades/dss-2058-QC-LTA-test.pdf")
    assert len(report.signatures) == 2
    for signature in report.signatures:
        assert_intact(signature)
        assert signature.level is Level.LTA


def test_pades_ltv_keyerror_in_pyhanko_becomes_an_indeterminate_report():
    report = check("pades/pades-ltv.pdf")
    assert report.indication is Indication.INDETERMINATE
    assert any("KeyError" in error for error in report.errors)
    assert report.signatures[0].signer == "good-user"


def test_infinite_loop_pdf_terminates_quickly_with_an_error():
    started = time.monotonic()
    report = check("pades/pades_infinite_loop.pdf")
    # generous bound: this guards against a hang, it is not a speed target
    assert time.monotonic() - started < 10
    assert report.errors
    assert report.indication is not Indication.TOTAL_PASSED


def test_incremental_save_with_two_signatures():
    report = check("pades/hello_signed_INCSAVE_signed.pdf")
    assert len(report.signatures) == 2
    for signature in report.signatures:
        assert_intact(signature)
        # their keys are RSA-1024: below what we accept, which is INDETERMINATE, not a broken signature
        assert signature.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_sha1_pdf_is_rejected_on_crypto_constraints():
    [signature] = check("pades/DSS-1683.pdf").signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
    )


def test_self_issued_qes_claim_is_intact_but_untrusted():
    [signature] = check("pades/self-issued-qesig.pdf").signatures
    assert_intact(signature)
    assert signature.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert signature.qualification is None  # no validated path, no qualification claim


# --- ASiC-E -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["asice/onefile-ok.asice", "asice/multifiles-ok.asice"])
def test_valid_containers(name):
    report = check(name)
    assert report.signatures
    for signature in report.signatures:
        assert_intact(signature)
        assert signature.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND  # DSS test root
    assert report.unsigned_files == []
    covered = {name for signature in report.signatures for name in signature.covers}
    assert covered == ({"test.text"} if "onefile" in name else {"test.text", "test2.text"})


def test_container_without_mimetype_is_valid_with_a_warning():
    report = check("asice/onefile-no-mimetype.asice")
    [signature] = report.signatures
    assert_intact(signature)
    assert signature.covers == ["test.text"]
    assert "the container has no mimetype entry" in report.warnings


@pytest.mark.parametrize(
    ("name", "missing"),
    [("asice/onefile-wrong-file.asice", "test.text"), ("asice/removed-doc.asice", "cacert.pem")],
)
def test_signed_data_missing(name, missing):
    report = check(name)
    [signature] = report.signatures
    assert signature.sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND
    assert report.indication is not Indication.TOTAL_PASSED
    assert any(missing in error for error in report.errors)


def test_no_signed_file_is_invalid():
    report = check("asice/no-signed-file.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert all(s.covers == [] for s in report.signatures)


@pytest.mark.parametrize(
    "name", ["asice/onefile-too-much-files.asice", "asice/multifiles-too-much-files.asice"]
)
def test_files_not_covered_by_any_signature_are_reported(name):
    report = check(name)
    for signature in report.signatures:
        assert_intact(signature)
    assert report.unsigned_files == ["cef-portal-esig.png"]
    assert report.indication is not Indication.TOTAL_PASSED


def test_modified_certificate_values_are_a_structural_error():
    report = check("asice/Signature-ASiC_LT_modified_cert_values.asice")
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.FORMAT_FAILURE,
    )


def test_malformed_container_is_not_a_valid_container():
    report = check("asice/malformed-container.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures == []
    assert any("cannot be read" in error for error in report.errors)


def test_relative_entry_name_is_refused():
    report = check("asice/asice-relative.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert any("unsafe container" in error and ".." in error for error in report.errors)


@pytest.mark.parametrize("name", ["asice/asice-path.asice", "asice/pt-empty.asice"])
def test_containers_that_must_not_open_as_signed(name):
    report = check(name)
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures == []
    assert "the container holds no signature" in report.errors


def test_pt_empty_manifest_names_an_empty_path():
    assert "META-INF/manifest.xml lists an empty entry name" in check("asice/pt-empty.asice").errors


def test_rsa_1024_xades_signer_is_rejected_on_crypto_constraints():
    [signature] = check("asice/test.asice").signatures
    assert signature.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE


def test_unreadable_signer_key_is_a_format_failure():
    [signature] = check("asice/tsl.asice").signatures
    assert signature.sub_indication is SubIndication.FORMAT_FAILURE


@pytest.mark.parametrize("name", ["asice/DSS-2123.asice", "asice/Signature-A-EE_AS-6.asice"])
def test_estonian_lt_containers_reach_lt_with_a_verified_signature_timestamp(name):
    report = check(name)
    [signature] = report.signatures
    assert_intact(signature)
    assert signature.level is Level.LT
    assert report.unsigned_files == []


def test_special_characters_in_file_names_are_resolved():
    [signature] = check("asice/Signature-A-EE_AS-6.asice").signatures
    assert signature.covers == ["0123456789~#%&()=`@{[]}'.txt"]


def test_timestamp_over_exclusive_c14n_is_accepted_with_a_warning():
    report = check("asice/container-with-custom-manifest-namespace.asice")
    [signature] = report.signatures
    assert_intact(signature)
    assert signature.level is Level.T
    assert signature.signing_time == datetime(2021, 12, 9, 14, 21, 34, tzinfo=UTC)
    assert any("canonicalization" in warning for warning in report.warnings)


def test_schema_invalid_ids_are_a_format_failure():
    [signature] = check("asice/dss-2245-2400.asice").signatures
    assert signature.sub_indication is SubIndication.FORMAT_FAILURE


# --- Trusted lists ----------------------------------------------------------------------------


def list_bytes(name: str) -> bytes:
    return vector(f"trusted-lists/{name}")


def key_info_certificate(name: str) -> asn1_x509.Certificate:
    root = etree.fromstring(list_bytes(name))
    element = root.find(
        "{http://www.w3.org/2000/09/xmldsig#}Signature//{http://www.w3.org/2000/09/xmldsig#}X509Certificate"
    )
    return asn1_x509.Certificate.load(base64.b64decode("".join(element.text.split())))


@pytest.fixture(scope="module")
def eu_trust() -> TrustContext:
    context = TrustContext.from_trusted_lists(
        list_bytes("eu-lotl.xml"), [list_bytes("tsl-be-v6.xml"), list_bytes("tsl-ee.xml")], at=LISTS_FRESH_AT
    )
    # These tests are about trust and qualification; the live revocation status of a real
    # person's certificate cannot be had offline (hard-fail would stop at TRY_LATER).
    context.revocation_mode = "soft-fail"
    return context


def test_lotl_signature_valid_against_the_lotl_signers_with_32_pointers():
    info = read_trusted_list(
        list_bytes("eu-lotl.xml"), lotl_signer_certificates(), at=LISTS_FRESH_AT, is_lotl=True
    )
    assert info.status is ListStatus.ACCEPTED, info.reason
    assert len(info.pointers) == 32


def test_lotl_is_stale_after_its_next_update():
    info = read_trusted_list(
        list_bytes("eu-lotl.xml"),
        lotl_signer_certificates(),
        at=datetime(2026, 11, 19, tzinfo=UTC),
        is_lotl=True,
    )
    assert info.status is ListStatus.STALE
    assert "NextUpdate" in info.reason


def test_national_lists_checked_with_the_certificates_their_pointer_announces(eu_trust):
    statuses = {info.name: info for info in eu_trust.lists}
    assert statuses["LOTL"].status is ListStatus.ACCEPTED
    assert statuses["trusted list BE"].status is ListStatus.ACCEPTED
    # EE's list is well signed but past its NextUpdate (2025-12-12) at this time: not used
    assert statuses["trusted list EE"].status is ListStatus.STALE
    ee_fresh = TrustContext.from_trusted_lists(
        list_bytes("eu-lotl.xml"), [list_bytes("tsl-ee.xml")], at=datetime(2025, 7, 1, tzinfo=UTC)
    )
    # the stored LOTL was issued after that date, so only the LOTL is "not yet" valid: check EE directly
    lotl = read_trusted_list(
        list_bytes("eu-lotl.xml"), lotl_signer_certificates(), at=LISTS_FRESH_AT, is_lotl=True
    )
    ee_reference = next(ref for ref in lotl.pointers if ref.territory == "EE")
    ee = read_trusted_list(
        list_bytes("tsl-ee.xml"), ee_reference.tlso_certs, at=datetime(2025, 7, 1, tzinfo=UTC)
    )
    assert ee.status is ListStatus.ACCEPTED, ee.reason
    assert ee_fresh.lists[0].status is ListStatus.STALE  # LOTL issued 2026-05-22, after 2025-07-01


def test_be_list_checked_against_ee_certificates_is_rejected():
    lotl = read_trusted_list(
        list_bytes("eu-lotl.xml"), lotl_signer_certificates(), at=LISTS_FRESH_AT, is_lotl=True
    )
    ee_reference = next(ref for ref in lotl.pointers if ref.territory == "EE")
    be = read_trusted_list(list_bytes("tsl-be-v6.xml"), ee_reference.tlso_certs, at=LISTS_FRESH_AT)
    assert be.status is ListStatus.REJECTED
    assert "signature not valid" in be.reason


def test_broken_lotl_signature_is_rejected():
    info = read_trusted_list(
        list_bytes("dss-eu-lotl-broken-sig.xml"),
        [key_info_certificate("dss-eu-lotl-broken-sig.xml")],  # even with its own signer's certificate
        at=datetime(2019, 9, 5, tzinfo=UTC),
        is_lotl=True,
    )
    assert info.status is ListStatus.REJECTED
    assert "Digest mismatch" in info.reason


def test_unsigned_lotl_is_rejected():
    info = read_trusted_list(
        list_bytes("dss-eu-lotl-no-sig.xml"),
        [key_info_certificate("dss-eu-lotl-broken-sig.xml")],
        at=datetime(2019, 9, 5, tzinfo=UTC),
        is_lotl=True,
    )
    assert info.status is ListStatus.REJECTED


def test_unparseable_lotl_is_rejected():
    info = read_trusted_list(
        list_bytes("dss-eu-lotl-not-parseable.xml"), lotl_signer_certificates(), is_lotl=True
    )
    assert info.status is ListStatus.REJECTED
    assert "not parseable" in info.reason


def test_altered_tsp_in_sk_list_is_rejected():
    info = read_trusted_list(
        list_bytes("dss-sk-tl-altered-tsp.xml"),
        [key_info_certificate("dss-sk-tl-altered-tsp.xml")],
        at=datetime(2022, 11, 1, tzinfo=UTC),
    )
    assert info.status is ListStatus.REJECTED
    assert "signature not valid" in info.reason


def test_sk_list_valid_only_before_its_signer_certificate_expired():
    signer = key_info_certificate("dss-sk-tl.xml")
    assert signer.not_valid_after.year == 2023
    before = read_trusted_list(list_bytes("dss-sk-tl.xml"), [signer], at=datetime(2019, 9, 1, tzinfo=UTC))
    assert before.status is ListStatus.ACCEPTED, before.reason
    now = read_trusted_list(list_bytes("dss-sk-tl.xml"), [signer])
    assert now.status is ListStatus.REJECTED


def test_real_qualified_certificate_is_qes_per_the_be_list(eu_trust):
    from portal.signing.common import validate_chain

    cert = load_certificates(list_bytes("real-qcert.cer"))[0]
    chain = validate_chain(cert, eu_trust.validation_context(moment=LISTS_FRESH_AT))
    assert chain.sub_indication is None, chain.message
    assert eu_trust.qualification(chain.path, LISTS_FRESH_AT) is Qualification.QES


def test_real_qtst_certificate_is_a_qualified_time_stamping_unit(eu_trust):
    tsa = load_certificates(list_bytes("real-qtst-cert.cer"))[0]
    signer = load_certificates(list_bytes("real-qcert.cer"))[0]
    assert eu_trust.is_qualified_timestamp_unit(tsa, LISTS_FRESH_AT)
    assert not eu_trust.is_qualified_timestamp_unit(signer, LISTS_FRESH_AT)


def test_without_trusted_lists_the_same_certificate_is_not_qualified():
    from portal.signing.common import validate_chain

    cert = load_certificates(list_bytes("real-qcert.cer"))[0]
    chain = validate_chain(cert, TrustContext().validation_context(moment=LISTS_FRESH_AT))
    assert chain.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


# --- every vector is covered ------------------------------------------------------------------

ASSERTED_ELSEWHERE = {
    "trusted-lists/real-qcert.cer",
    "trusted-lists/real-qtst-cert.cer",
}


def test_every_vector_file_is_named_in_this_module():
    source = Path(__file__).read_text(encoding="utf-8")
    for path in sorted(VECTORS.rglob("*")):
        if path.is_dir() or path.name == "PROVENANCE.md":
            continue
        relative = path.relative_to(VECTORS).as_posix()
        assert path.name in source or relative in ASSERTED_ELSEWHERE, f"no conformance test for {relative}"


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(VECTORS).as_posix() for p in VECTORS.glob("*/*") if p.suffix in (".pdf", ".asice")),
)
def test_every_signed_vector_yields_a_report_without_raising(path):
    report = validate(vector(path), path)
    assert report.indication in set(Indication)
    assert report.to_json().startswith('{"indication"')
