"""Signing and validation speed, each against raw pyHanko / signxml measured in the same run.

- sign B-T: ours = CSC v2 through the running test QTSP (service token, credentials/info, OAuth2
  consent with one-time code, credentials/authorize, signHash) + signature timestamp from its TSA;
  baseline = pyHanko signing with the same key held locally + the same TSA. The ratio is the
  price of remote signing with the user's consent.
- sign B-LTA: ours = the above + DSS (OCSP/CRL fetched from the QTSP) + document timestamp;
  baseline = pyHanko's one-shot B-LTA (local key, same TSA, same fetching).
- validate B-LTA offline: ours = validate() (report, level, DSS, document timestamps), which runs
  pyHanko's EN 319 102-1 LTA process and its classic validation as a second opinion;
  baseline = those two pyHanko passes on their own (ades_lta_validation with the same policy, plus
  the classic validation with the DSS material). The classic pass alone is printed for reference.
- ASiC-E with 3 x 1 MiB files: ours = build_asice() (B-B) and validate();
  build baseline = zip (deflate) + SHA-256 of the files + signxml XMLSigner over a manifest;
  verify baseline = our container through zipfile + signxml's XAdESVerifier + certvalidator.

Run: DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/bench_signing.py
Targets (issue 6): B-LTA validation <= 120 ms, ASiC-E build <= 150 ms.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["STORAGE_ROOT"] = tempfile.mkdtemp(prefix="psc-bench-signing-")
os.environ.pop("DATABASE_URL", None)

import aiohttp
import django

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from lxml import etree  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper  # noqa: E402
from pyhanko.sign.validation import DocumentSecurityStore, async_validate_pdf_signature  # noqa: E402
from pyhanko.sign.validation.ades import ades_lta_validation  # noqa: E402
from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec  # noqa: E402
from pyhanko_certvalidator import CertificateValidator, ValidationContext  # noqa: E402
from pyhanko_certvalidator.errors import PathValidationError  # noqa: E402
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: E402
from signxml import XMLSigner  # noqa: E402
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier  # noqa: E402

from portal.signing.asic_build import build_asice  # noqa: E402
from portal.signing.common import run_sync  # noqa: E402
from portal.signing.csc import AutomaticTestConsent  # noqa: E402
from portal.signing.pdf_sign import sign_b_t, sign_pdf_remote  # noqa: E402
from portal.signing.signers import get_signer  # noqa: E402
from portal.signing.testqtsp import pki as test_pki  # noqa: E402
from portal.signing.trust import TrustContext  # noqa: E402
from portal.signing.validation import validate  # noqa: E402
from tests.signing.pki import minimal_pdf  # noqa: E402


def timed(function, rounds: int) -> float:
    """Median wall time in ms after one warm-up call."""
    function()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def start_qtsp() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_test_qtsp", "--port", str(port)],
        cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/csc/v2/info", timeout=2).status_code == 200:
                return process, url
        except requests.ConnectionError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the test QTSP did not start")


def main() -> None:
    logging.disable(logging.INFO)  # pyHanko logs every OCSP/CRL fetch
    rounds = int(os.environ.get("BENCH_ROUNDS", "15"))
    process, url = start_qtsp()
    try:
        run(url, rounds)
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(url: str, rounds: int) -> None:
    qtsp_pki = test_pki.load(test_pki.folder_for(settings.STORAGE_ROOT, url))
    setup = get_signer("test-qtsp", service_url=url).setup()
    root = qtsp_pki[test_pki.ROOT].asn1_cert
    signer_identity, issuing = qtsp_pki[test_pki.SIGNER], qtsp_pki[test_pki.ISSUING]
    pdf = minimal_pdf("Benchmark dossier")
    tsa_url = f"{url}/pki/tsa"

    def raw_pyhanko(lta: bool) -> bytes:
        async def sign() -> bytes:
            local = signers.SimpleSigner(
                signing_cert=signer_identity.asn1_cert,
                signing_key=signer_identity.asn1_key,
                cert_registry=SimpleCertificateStore.from_certs([issuing.asn1_cert]),
            )
            context = ValidationContext(trust_roots=[root], allow_fetching=True) if lta else None
            metadata = signers.PdfSignatureMetadata(
                field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
                embed_validation_info=lta, use_pades_lta=lta, validation_context=context,
            )  # fmt: skip
            try:
                async with aiohttp.ClientSession() as session:  # one session, as ours uses
                    output = await signers.async_sign_pdf(
                        IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=local,
                        timestamper=HTTPTimeStamper(tsa_url, session=session), bytes_reserved=16384,
                    )  # fmt: skip
            finally:
                if context is not None:
                    await context.aclose()
            return output.getvalue()

        return run_sync(sign())

    consent = AutomaticTestConsent()
    bt_ours = timed(lambda: sign_b_t(pdf, setup, consent), rounds)
    bt_raw = timed(lambda: raw_pyhanko(False), rounds)
    lta_ours = timed(lambda: sign_pdf_remote(pdf, setup, consent), rounds)
    lta_raw = timed(lambda: raw_pyhanko(True), rounds)

    lta_pdf = sign_pdf_remote(pdf, setup, consent)
    trust = TrustContext(anchors=[root])
    report = validate(lta_pdf, "bench.pdf", trust=trust)
    assert report.signatures[0].level.value == "LTA" and report.indication.value == "TOTAL_PASSED", (
        report.to_json()
    )

    def raw_validate() -> None:
        reader = PdfFileReader(io.BytesIO(lta_pdf))
        dss = DocumentSecurityStore.read_dss(reader)
        context = ValidationContext(
            trust_roots=[root], allow_fetching=False, other_certs=list(dss.load_certs()),
            crls=[ref.get_object().data for ref in dss.crls], ocsps=[ref.get_object().data for ref in dss.ocsps],
        )  # fmt: skip
        status = run_sync(async_validate_pdf_signature(reader.embedded_signatures[0], context))
        assert status.bottom_line

    def raw_ades() -> None:
        reader = PdfFileReader(io.BytesIO(lta_pdf))
        spec = PdfSignatureValidationSpec(signature_validation_spec=trust.signature_validation_spec())
        result = run_sync(ades_lta_validation(reader.embedded_signatures[0], spec))
        assert result.ades_subindic.name == "OK", result

    validate_ours = timed(lambda: validate(lta_pdf, "bench.pdf", trust=trust), rounds)
    validate_classic = timed(raw_validate, rounds)
    validate_raw = timed(lambda: (raw_ades(), raw_validate()), rounds)

    seal = qtsp_pki[test_pki.SEAL]
    files = {f"annex-{n}.bin": os.urandom(1024 * 1024) for n in range(3)}
    container = build_asice(files, seal.key, seal.cert, chain=[issuing.cert])
    assert sorted(validate(container, "c.asice", trust=trust).signatures[0].covers) == sorted(files)

    seal_asn1 = seal.asn1_cert

    def raw_build() -> bytes:
        root_element = etree.Element("Manifest")
        for name, data in files.items():
            etree.SubElement(root_element, "File", name=name).text = hashlib.sha256(data).hexdigest()
        signature = XMLSigner().sign(root_element, key=seal.key, cert=[seal.cert])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("mimetype", "application/vnd.etsi.asic-e+zip", compress_type=zipfile.ZIP_STORED)
            for name, data in files.items():
                archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
            archive.writestr("META-INF/signatures0.xml", etree.tostring(signature))
        return out.getvalue()

    def raw_verify() -> None:
        """The same container through plain zipfile + signxml's XAdESVerifier + certvalidator:
        what our validator does, minus our container layer and report."""
        with zipfile.ZipFile(io.BytesIO(container)) as archive:
            contents = {name: archive.read(name) for name in archive.namelist()}
        XAdESVerifier().verify(
            contents["META-INF/signatures0.xml"],
            x509_cert=seal.cert,
            uri_resolver=lambda uri: contents[uri],
            expect_config=XAdESSignatureConfiguration(require_x509=True, expect_references=True),
        )
        context = ValidationContext(trust_roots=[root], revocation_mode="hard-fail", crls=[], ocsps=[])
        validator = CertificateValidator(
            seal_asn1, intermediate_certs=[issuing.asn1_cert], validation_context=context
        )
        # a B-B seal carries no OCSP response: INDETERMINATE in both, as it should be
        with contextlib.suppress(PathValidationError):
            run_sync(validator.async_validate_path())

    build_ours = timed(lambda: build_asice(files, seal.key, seal.cert, chain=[issuing.cert]), rounds)
    build_raw = timed(raw_build, rounds)
    verify_ours = timed(lambda: validate(container, "c.asice", trust=trust), rounds)
    verify_raw = timed(raw_verify, rounds)

    print(f"signing benchmark: median of {rounds} rounds, test QTSP on {url} (separate process)")
    print(f"{'operation':<34}{'ours ms':>10}{'raw ms':>10}{'ratio':>8}  target")
    rows = [
        ("sign PAdES B-T (CSC v2 + consent)", bt_ours, bt_raw, ""),
        ("sign PAdES B-LTA", lta_ours, lta_raw, ""),
        ("validate B-LTA offline", validate_ours, validate_raw, "<= 120 ms"),
        ("  (raw = classic pass only)", validate_ours, validate_classic, ""),
        ("build ASiC-E 3 x 1 MiB (B-B)", build_ours, build_raw, "<= 150 ms"),
        ("verify ASiC-E 3 x 1 MiB", verify_ours, verify_raw, ""),
    ]
    for name, ours, raw, target in rows:
        print(f"{name:<34}{ours:>10.1f}{raw:>10.1f}{ours / raw:>8.2f}  {target}")


if __name__ == "__main__":
    main()
