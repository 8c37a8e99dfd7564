"""XAdES B-LTA in ASiC-E: the e-seal with a xades141:ArchiveTimeStamp from the test QTSP's TSA over
the signature and its validation data; the validator reports LTA only when that timestamp verifies."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from lxml import etree
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

from portal.demo.qtsp import pki as test_pki
from portal.signing.asic_build import ContainerBuildError, build_asice
from portal.signing.report import Indication, Level
from portal.signing.trust import TrustContext
from portal.signing.validation import validate

from .pki import minimal_pdf

SIGNATURE = "META-INF/signatures0.xml"
NS = {"xades141": "http://uri.etsi.org/01903/v1.4.1#", "xades": "http://uri.etsi.org/01903/v1.3.2#"}


@pytest.fixture(scope="module")
def trusted(test_qtsp) -> TrustContext:
    return TrustContext(anchors=[test_qtsp.pki[test_pki.ROOT].asn1_cert])


def seal(qtsp, *, archive_timestamp: bool = True, long_term: bool = True) -> bytes:
    pki = qtsp.pki
    context = ValidationContext(
        trust_roots=[pki[test_pki.ROOT].asn1_cert], allow_fetching=True, revocation_mode="hard-fail"
    )
    return build_asice(
        {"application.pdf": minimal_pdf(), "annex.txt": b"annex " * 100},
        pki[test_pki.SEAL].key, pki[test_pki.SEAL].cert, chain=[pki[test_pki.ISSUING].cert],
        timestamper=HTTPTimeStamper(f"{qtsp.url}/pki/tsa"), long_term=context if long_term else None,
        archive_timestamp=archive_timestamp,
    )  # fmt: skip


@pytest.fixture(scope="module")
def b_lta(test_qtsp) -> bytes:
    return seal(test_qtsp)


def replace(container: bytes, name: str, content: bytes) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(container)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()


def signature_xml(container: bytes) -> etree._Element:
    with zipfile.ZipFile(BytesIO(container)) as archive:
        return etree.fromstring(archive.read(SIGNATURE))


def test_b_lta_container_is_reported_at_level_lta(b_lta, trusted):
    assert len(signature_xml(b_lta).findall(".//xades141:ArchiveTimeStamp", NS)) == 1
    report = validate(b_lta, "delivery.asice", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    [signature] = report.signatures
    assert signature.level is Level.LTA
    assert report.warnings == []


def test_b_lt_without_archive_timestamp_stays_lt(test_qtsp, trusted):
    report = validate(seal(test_qtsp, archive_timestamp=False), "delivery.asice", trust=trusted)
    assert report.signatures[0].level is Level.LT, report.to_json()


def test_validation_data_changed_after_the_archive_timestamp_is_not_lta(b_lta, trusted):
    """Dropping an embedded certificate (unsigned, so the signature still verifies) breaks the
    archive imprint."""
    root = signature_xml(b_lta)
    values = root.find(".//xades:CertificateValues", NS)
    values.remove(values[-1])
    report = validate(replace(b_lta, SIGNATURE, etree.tostring(root)), "delivery.asice", trust=trusted)
    [signature] = report.signatures
    assert signature.level is Level.LT, report.to_json()
    assert any("archive timestamp does not match" in warning for warning in report.warnings)


def test_a_token_over_other_data_is_not_an_archive_timestamp(b_lta, test_qtsp):
    """The signature timestamp's token put in the archive timestamp: a genuine token from a
    trusted TSA, but its imprint is over the signature value only."""
    root = signature_xml(b_lta)
    signature_ts = root.find(".//xades:SignatureTimeStamp/xades:EncapsulatedTimeStamp", NS)
    archive_ts = root.find(".//xades141:ArchiveTimeStamp/xades:EncapsulatedTimeStamp", NS)
    archive_ts.text = signature_ts.text
    trust = TrustContext(anchors=[test_qtsp.pki[test_pki.ROOT].asn1_cert])
    report = validate(replace(b_lta, SIGNATURE, etree.tostring(root)), "delivery.asice", trust=trust)
    assert report.signatures[0].level is Level.LT, report.to_json()
    assert any("archive timestamp does not match" in warning for warning in report.warnings)


def test_an_archive_timestamp_needs_long_term_data(test_qtsp):
    with pytest.raises(ContainerBuildError, match="B-LT"):
        seal(test_qtsp, long_term=False)


def test_cli_builds_a_b_lta_container(qtsp_signer, trusted, tmp_path):
    from django.core.management import call_command

    annex = tmp_path / "annex.txt"
    annex.write_bytes(b"annex for the archive")
    output = tmp_path / "sealed.asice"
    call_command("signing", "build-asice", str(output), str(annex), "--level", "LTA")
    report = validate(output.read_bytes(), "sealed.asice", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert report.signatures[0].level is Level.LTA
