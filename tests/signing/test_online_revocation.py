"""Online validation: OCSP responses and CRLs the file lacks are fetched from the URLs in the
certificates, here from a real responder on 127.0.0.1 that the test starts and controls."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from portal.signing.report import Indication, SubIndication
from portal.signing.trust import TrustContext
from portal.signing.validation import validate
from tests.fixtures.processes import free_port

from .pki import NOW, sign_pdf
from .responder import RevocationAuthority, revocation_server


@pytest.fixture(scope="module")
def authority() -> RevocationAuthority:
    with revocation_server() as running:
        yield running


@pytest.fixture
def trust(authority, pki) -> TrustContext:
    # pki.root issues the test TSA used for signature timestamps
    return TrustContext(anchors=[authority.root.asn1_cert, pki.root.asn1_cert])


def test_a_good_signer_passes_with_the_ocsp_response_fetched(authority, pki, trust):
    signer = authority.issue("Good Signer (OCSP)", ocsp_url=authority.ocsp_url)
    signed = sign_pdf(signer, pki)
    before = len(authority.requests)
    report = validate(signed, "a.pdf", trust=trust, online=True)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert "POST /ocsp" in authority.requests[before:]
    # the same file offline: the status cannot be checked, so it does not pass
    offline = validate(signed, "a.pdf", trust=trust, online=False)
    assert offline.indication is Indication.INDETERMINATE, offline.to_json()


def test_a_good_signer_passes_with_the_crl_fetched(authority, pki, trust):
    signer = authority.issue("Good Signer (CRL)", crl_url=authority.crl_url)
    report = validate(sign_pdf(signer, pki), "a.pdf", trust=trust, online=True)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()


@pytest.mark.parametrize("via", ["ocsp", "crl"])
def test_a_revoked_signer_is_reported_revoked(authority, pki, trust, via):
    urls = {"ocsp_url": authority.ocsp_url} if via == "ocsp" else {"crl_url": authority.crl_url}
    signer = authority.issue(f"Revoked Signer ({via})", **urls)
    authority.revoke(signer, NOW - timedelta(days=2))
    report = validate(sign_pdf(signer, pki), "a.pdf", trust=trust, online=True)
    [signature] = report.signatures
    # no proof of when it signed: revoked without POE (EN 319 102-1), never a pass
    assert (signature.indication, signature.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.REVOKED_NO_POE,
    ), report.to_json()


def test_a_signature_timestamped_after_the_revocation_is_not_rescued(authority, pki, trust):
    signer = authority.issue("Revoked Before Signing", ocsp_url=authority.ocsp_url)
    authority.revoke(signer, NOW - timedelta(days=2))
    report = validate(sign_pdf(signer, pki, timestamp=True), "a.pdf", trust=trust, online=True)
    [signature] = report.signatures
    assert signature.indication is not Indication.TOTAL_PASSED, report.to_json()
    assert signature.sub_indication in (SubIndication.REVOKED, SubIndication.REVOKED_NO_POE)


def test_a_responder_that_is_down_gives_try_later_and_says_why(pki, trust, authority):
    dead_url = f"http://127.0.0.1:{free_port()}/ocsp"  # nothing listens there
    signer = authority.issue("Unreachable Status", ocsp_url=dead_url)
    report = validate(sign_pdf(signer, pki), "a.pdf", trust=trust, online=True)
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.TRY_LATER,
    ), report.to_json()
    assert f"revocation data could not be fetched from {dead_url}: the server cannot be reached" in (
        report.warnings
    )


def test_an_oversized_crl_is_not_read_and_the_report_says_so(pki, trust, authority):
    huge_url = f"{authority.base_url}/huge.crl"
    signer = authority.issue("Huge CRL", crl_url=huge_url)
    report = validate(sign_pdf(signer, pki), "a.pdf", trust=trust, online=True)
    assert report.indication is Indication.INDETERMINATE, report.to_json()
    assert any(huge_url in w and "larger than" in w for w in report.warnings), report.warnings


def test_the_cli_fetches_with_online_and_not_with_offline(authority, pki, tmp_path):
    signer = authority.issue("CLI Revoked", ocsp_url=authority.ocsp_url)
    authority.revoke(signer, NOW - timedelta(days=1))
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(sign_pdf(signer, pki))
    anchor = tmp_path / "root.pem"
    anchor.write_bytes(authority.root.pem)

    def run(flag: str) -> dict:
        completed = subprocess.run(
            [sys.executable, "manage.py", "signing", "validate", str(pdf), "--trust-anchor", str(anchor),
             flag, "--json"],
            cwd=django_settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout)

    online = run("--online")
    assert online["signatures"][0]["sub_indication"] == "REVOKED_NO_POE", online
    offline = run("--offline")
    assert offline["indication"] == "INDETERMINATE"
    assert offline["signatures"][0]["sub_indication"] != "REVOKED_NO_POE", offline


def test_containers_are_checked_online_too(authority, tmp_path):
    """ASiC-E with CAdES from a revoked signer: the same fetching serves the CMS validators."""
    from .test_asic_cades import FILES, asic_manifest, container, openssl_cades

    signer = authority.issue("Revoked Container Signer", ocsp_url=authority.ocsp_url)
    authority.revoke(signer, NOW - timedelta(days=3))
    manifest = asic_manifest(FILES)
    signed = container(
        FILES,
        {
            "META-INF/ASiCManifest001.xml": manifest,
            "META-INF/signature001.p7s": openssl_cades(manifest, signer, tmp_path),
        },
    )
    trust = TrustContext(anchors=[authority.root.asn1_cert])
    report = validate(signed, "d.asice", trust=trust, online=True)
    [signature] = report.signatures
    assert signature.indication is not Indication.TOTAL_PASSED, report.to_json()
    assert signature.sub_indication in (SubIndication.REVOKED, SubIndication.REVOKED_NO_POE)
    good = authority.issue("Good Container Signer", ocsp_url=authority.ocsp_url)
    signed = container(
        FILES,
        {
            "META-INF/ASiCManifest001.xml": manifest,
            "META-INF/signature001.p7s": openssl_cades(manifest, good, tmp_path),
        },
    )
    assert validate(signed, "d.asice", trust=trust, online=True).indication is Indication.TOTAL_PASSED
    assert validate(signed, "d.asice", trust=trust, online=False).indication is Indication.INDETERMINATE
