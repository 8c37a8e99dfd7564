"""CAdES (.p7s), the JSON report contract, the CLI, storage and the signer registry."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from portal.signing import signers as signer_registry
from portal.signing.common import run_sync
from portal.signing.report import Indication, Level, SignatureReport, SubIndication, ValidationReport
from portal.signing.services import validate_and_store
from portal.signing.trust import TrustContext
from portal.signing.validation import sniff_format, validate

from .pki import VECTORS, minimal_pdf, sign_pdf

REPO = Path(__file__).resolve().parents[2]
DOCUMENT = b"Declaration of the applicant, signed detached."


def cades(identity, pki, *, detached: bool = True) -> bytes:
    signer = signers.SimpleSigner(
        signing_cert=identity.asn1_cert,
        signing_key=identity.asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([pki.root.asn1_cert]),
    )
    content_info = run_sync(
        signer.async_sign_general_data(DOCUMENT, "sha256", detached=detached, use_cades=True)
    )
    return content_info.dump()


# --- CAdES --------------------------------------------------------------------------------------


def test_detached_cades_passes_with_its_content(pki):
    report = validate(
        cades(pki.signer, pki),
        "declaration.txt.p7s",
        trust=TrustContext(anchors=[pki.root.asn1_cert]),
        detached_content={"declaration.txt": DOCUMENT},
    )
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    [signature] = report.signatures
    assert (signature.covers, signature.level, signature.signer) == (
        ["declaration.txt"],
        Level.B,
        "Erika Mustermann",
    )


def test_detached_cades_over_other_content_is_a_hash_failure(pki):
    report = validate(
        cades(pki.signer, pki),
        "declaration.txt.p7s",
        trust=TrustContext(anchors=[pki.root.asn1_cert]),
        detached_content={"declaration.txt": DOCUMENT + b"!"},
    )
    assert report.signatures[0].sub_indication is SubIndication.HASH_FAILURE
    assert report.indication is Indication.TOTAL_FAILED


def test_detached_cades_without_its_content(pki):
    report = validate(cades(pki.signer, pki), "declaration.txt.p7s")
    assert report.signatures[0].sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND


def test_enveloping_cades_from_an_untrusted_signer(pki):
    report = validate(
        cades(pki.stranger, pki, detached=False), "x.p7m", trust=TrustContext(anchors=[pki.root.asn1_cert])
    )
    assert report.signatures[0].sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_asn1_garbage_is_a_report():
    report = validate(b"\x30\x82\x01\x00garbage", "x.p7s")
    assert report.indication is Indication.TOTAL_FAILED
    assert report.errors


# --- format sniffing and the report contract ----------------------------------------------------


def test_sniffing_is_by_content_not_by_name(pki):
    assert sniff_format(minimal_pdf(), "letter.xml") == "pdf"
    assert sniff_format((VECTORS / "asice/onefile-ok.asice").read_bytes(), "a.pdf") == "asic"
    assert sniff_format(b'<?xml version="1.0"?><a/>', "a.bin") == "xml"
    assert sniff_format(cades(pki.signer, pki), "a.txt") == "cms"
    assert sniff_format(b"hello", "a.pdf") == "unknown"


def test_json_has_exactly_the_agreed_shape():
    report = ValidationReport(
        filename="f",
        signatures=[
            SignatureReport.from_sub_indication(
                None, signer="A", signing_time=datetime(2026, 1, 1, tzinfo=UTC), level=Level.T, covers=["f"]
            )
        ],
    )
    data = json.loads(report.to_json())
    assert set(data) == {"indication", "signatures", "unsigned_files", "warnings", "errors"}
    assert set(data["signatures"][0]) == {
        "indication",
        "sub_indication",
        "signer",
        "signing_time",
        "level",
        "qualification",
        "covers",
    }
    assert data["signatures"][0] == {
        "indication": "TOTAL_PASSED",
        "sub_indication": None,
        "signer": "A",
        "signing_time": "2026-01-01T00:00:00+00:00",
        "level": "T",
        "qualification": None,
        "covers": ["f"],
    }
    assert data["indication"] == "TOTAL_PASSED"


def test_overall_indication_rules():
    passed = SignatureReport.from_sub_indication(None)
    unknown = SignatureReport.from_sub_indication(SubIndication.NO_CERTIFICATE_CHAIN_FOUND)
    failed = SignatureReport.from_sub_indication(SubIndication.HASH_FAILURE)
    assert ValidationReport("f", signatures=[passed]).indication is Indication.TOTAL_PASSED
    assert ValidationReport("f", signatures=[passed, unknown]).indication is Indication.INDETERMINATE
    assert ValidationReport("f", signatures=[passed, unknown, failed]).indication is Indication.TOTAL_FAILED
    assert (
        ValidationReport("f", signatures=[passed], unsigned_files=["x"]).indication
        is Indication.INDETERMINATE
    )
    assert ValidationReport("f").indication is Indication.TOTAL_FAILED  # nothing signed
    assert ValidationReport("f", validator_crashed=True).indication is Indication.INDETERMINATE
    assert (
        ValidationReport("f", signatures=[passed], structural_failure=True).indication
        is Indication.TOTAL_FAILED
    )


def test_a_crashing_validator_becomes_an_indeterminate_report(monkeypatch):
    from portal.signing import pades

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pades, "validate_pdf", explode)
    report = validate(minimal_pdf(), "a.pdf")
    assert report.indication is Indication.INDETERMINATE
    assert report.errors == ["validation could not be completed: RuntimeError: boom"]


@pytest.mark.django_db
def test_reports_are_stored_with_the_file_digest(pki):
    report, stored = validate_and_store(
        sign_pdf(pki.signer, pki), "a.pdf", trust=TrustContext(anchors=[pki.root.asn1_cert])
    )
    stored.refresh_from_db()
    assert stored.indication == "TOTAL_PASSED" == str(report.indication)
    assert stored.report == report.as_dict()
    assert len(stored.sha256) == 64


# --- CLI ----------------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "signing", "validate", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_cli_prints_the_json_report_and_exits_0_for_a_failed_verdict():
    result = run_cli(str(VECTORS / "pades/pdf-signed-added-page.pdf"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["indication"] == "TOTAL_FAILED"
    assert data["signatures"][0]["sub_indication"] == "FORMAT_FAILURE"


def test_cli_with_trust_anchor_and_time(pki, tmp_path):
    pdf = tmp_path / "expired.pdf"
    pdf.write_bytes(sign_pdf(pki.expired_signer, pki))
    anchor = tmp_path / "root.pem"
    anchor.write_bytes(pki.root.pem)
    result = run_cli(str(pdf), "--trust-anchor", str(anchor), "--at", "2020-06-01T00:00:00+00:00", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["indication"] == "TOTAL_PASSED"
    result = run_cli(str(pdf), "--trust-anchor", str(anchor), "--json")
    assert json.loads(result.stdout)["signatures"][0]["sub_indication"] == "OUT_OF_BOUNDS_NO_POE"


def test_cli_with_trusted_lists_reports_which_lists_were_not_used():
    lists = VECTORS / "trusted-lists"
    result = run_cli(
        str(VECTORS / "asice/onefile-ok.asice"),
        "--trust-list",
        str(lists / "eu-lotl.xml"),
        "--trust-list",
        str(lists / "tsl-ee.xml"),
        "--at",
        "2026-07-01T00:00:00+00:00",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert any(w.startswith("trusted list EE not used: stale") for w in warnings)


def test_cli_exit_2_only_when_the_file_cannot_be_read(tmp_path):
    result = run_cli(str(tmp_path / "missing.pdf"), "--json")
    assert result.returncode == 2
    assert "cannot read file" in result.stderr
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"not a signature at all")
    result = run_cli(str(garbage), "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["indication"] == "TOTAL_FAILED"


# --- signer registry seam -----------------------------------------------------------------------


def test_signer_registry_validates_declared_options(monkeypatch):
    empty = signer_registry.Registry("signer", error=signer_registry.SignerConfigurationError)
    monkeypatch.setattr(signer_registry, "signers", empty)

    @signer_registry.signers.register
    class Dummy(signer_registry.Signer):
        name = "dummy"
        options = (signer_registry.Option("url"), signer_registry.Option("pin", required=False))

    assert signer_registry.signers.names() == ["dummy"]
    signer = signer_registry.get_signer("dummy", url="http://127.0.0.1")
    assert signer.config == {"url": "http://127.0.0.1", "pin": None}  # an option not given is None
    with pytest.raises(signer_registry.SignerConfigurationError, match="missing options"):
        signer_registry.get_signer("dummy")
    with pytest.raises(signer_registry.SignerConfigurationError, match="unknown options"):
        signer_registry.get_signer("dummy", url="u", colour="red")
    with pytest.raises(signer_registry.SignerConfigurationError, match="no signer named"):
        signer_registry.get_signer("csc")

    class Impostor(signer_registry.Signer):
        name = "dummy"

    with pytest.raises(signer_registry.SignerConfigurationError, match="registered twice"):
        signer_registry.signers.register(Impostor)


def test_a_csc_signer_gets_its_defaults_and_keeps_its_methods():
    signer = signer_registry.signers.from_setting(
        {
            "class": "csc",
            "service_url": "https://qtsp.example",
            "client_id": "portal",
            "client_secret": "secret",
            "credential_id": "seal",
            "tsa_url": "https://qtsp.example/tsa",
        }
    )
    assert signer.config["md_algorithm"] == "sha256"
    assert signer.display_name == "csc" and signer.trust_anchors() == []
    assert signer.setup().md_algorithm == "sha256"


def test_validate_works_inside_a_running_event_loop(pki):
    """Async views and Playwright's sync API run a loop in the calling thread."""
    signed = sign_pdf(pki.signer, pki)

    async def from_async_code():
        return validate(signed, "a.pdf", trust=TrustContext(anchors=[pki.root.asn1_cert]))

    # a fresh thread, so this test does not depend on whether the test thread already runs a loop
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        report = executor.submit(asyncio.run, from_async_code()).result()
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
