"""ASiC-E with CAdES (EN 319 162-1 §4.4.3): META-INF/signature*.p7s signs an ASiCManifest whose
digests bind the data files. The containers are made here with ``openssl cms`` (an independent
CAdES producer) and zipfile."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from portal.signing.report import Indication, SubIndication
from portal.signing.trust import TrustContext
from portal.signing.validation import validate

ASICE = "application/vnd.etsi.asic-e+zip"
FILES = {"application.pdf": b"%PDF-1.7 the application", "annex/plan.txt": b"floor plan, v2"}


@pytest.fixture(scope="module")
def trusted(pki) -> TrustContext:
    return TrustContext(anchors=[pki.root.asn1_cert])


def asic_manifest(
    files: dict[str, bytes], signature: str = "META-INF/signature001.p7s", digest="sha256"
) -> bytes:
    algorithms = {
        "sha256": "http://www.w3.org/2001/04/xmlenc#sha256",
        "sha1": "http://www.w3.org/2000/09/xmldsig#sha1",
    }
    references = "".join(
        f'<asic:DataObjectReference URI="{name}" MimeType="application/octet-stream">'
        f'<ds:DigestMethod Algorithm="{algorithms[digest]}"/>'
        f"<ds:DigestValue>{base64.b64encode(hashlib.new(digest, content).digest()).decode()}</ds:DigestValue>"
        "</asic:DataObjectReference>"
        for name, content in files.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        f'<asic:SigReference URI="{signature}" MimeType="application/x-pkcs7-signature"/>'
        f"{references}</asic:ASiCManifest>"
    ).encode()


def openssl_cades(content: bytes, identity, tmp_path: Path) -> bytes:
    """A detached CAdES-BES (signingCertificateV2) over ``content``, made by openssl."""
    (tmp_path / "content").write_bytes(content)
    (tmp_path / "cert.pem").write_bytes(identity.pem)
    (tmp_path / "key.pem").write_bytes(
        identity.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-in", str(tmp_path / "content"),
         "-signer", str(tmp_path / "cert.pem"), "-inkey", str(tmp_path / "key.pem"), "-outform", "DER",
         "-out", str(tmp_path / "signature.p7s")],
        check=True, capture_output=True,
    )  # fmt: skip
    return (tmp_path / "signature.p7s").read_bytes()


def container(files: dict[str, bytes], meta: dict[str, bytes]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ASICE, compress_type=zipfile.ZIP_STORED)
        for name, content in {**files, **meta}.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def cades_asice(pki, tmp_path, *, signed=FILES, shipped=FILES, digest="sha256") -> bytes:
    manifest = asic_manifest(signed, digest=digest)
    signature = openssl_cades(manifest, pki.signer, tmp_path)
    return container(
        shipped,
        {"META-INF/ASiCManifest001.xml": manifest, "META-INF/signature001.p7s": signature},
    )


def test_cades_over_an_asic_manifest_covers_every_file(pki, trusted, tmp_path):
    report = validate(cades_asice(pki, tmp_path), "dossier.asice", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    [signature] = report.signatures
    assert signature.format == "CAdES" and signature.signer == "Erika Mustermann"
    assert signature.covers == sorted(FILES)
    assert report.unsigned_files == []


def test_a_tampered_data_file_is_a_hash_failure(pki, trusted, tmp_path):
    shipped = {**FILES, "annex/plan.txt": b"floor plan, v3"}
    report = validate(cades_asice(pki, tmp_path, shipped=shipped), "dossier.asice", trust=trusted)
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.HASH_FAILURE,
    ), report.to_json()
    assert any("'annex/plan.txt' was altered" in error for error in report.errors)
    assert signature.covers == []


def test_a_file_the_manifest_does_not_list_is_unsigned(pki, trusted, tmp_path):
    shipped = {**FILES, "extra.txt": b"slipped in later"}
    report = validate(cades_asice(pki, tmp_path, shipped=shipped), "dossier.asice", trust=trusted)
    assert report.indication is Indication.INDETERMINATE, report.to_json()
    assert report.unsigned_files == ["extra.txt"]
    assert report.signatures[0].indication is Indication.TOTAL_PASSED


def test_a_tampered_manifest_breaks_the_signature(pki, trusted, tmp_path):
    sealed = cades_asice(pki, tmp_path)
    with zipfile.ZipFile(BytesIO(sealed)) as archive:
        meta = {n: archive.read(n) for n in archive.namelist() if n.startswith("META-INF/")}
    forged = asic_manifest({**FILES, "annex/plan.txt": b"another plan"})
    report = validate(
        container(
            {**FILES, "annex/plan.txt": b"another plan"}, {**meta, "META-INF/ASiCManifest001.xml": forged}
        ),
        "dossier.asice",
        trust=trusted,
    )
    [signature] = report.signatures
    assert signature.indication is Indication.TOTAL_FAILED, report.to_json()
    assert signature.sub_indication is SubIndication.HASH_FAILURE
    assert set(report.unsigned_files) == set(FILES)


def test_a_manifest_naming_a_missing_file(pki, trusted, tmp_path):
    shipped = {"application.pdf": FILES["application.pdf"]}
    report = validate(cades_asice(pki, tmp_path, shipped=shipped), "dossier.asice", trust=trusted)
    [signature] = report.signatures
    assert signature.sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND, report.to_json()
    assert report.indication is not Indication.TOTAL_PASSED


def test_sha1_manifest_digests_are_refused(pki, trusted, tmp_path):
    report = validate(cades_asice(pki, tmp_path, digest="sha1"), "dossier.asice", trust=trusted)
    [signature] = report.signatures
    assert signature.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE, report.to_json()


def test_an_untrusted_signer_covers_the_files_but_does_not_pass(pki, tmp_path):
    report = validate(
        cades_asice(pki, tmp_path), "dossier.asice", trust=TrustContext(anchors=[pki.other_root.asn1_cert])
    )
    [signature] = report.signatures
    assert signature.indication is Indication.INDETERMINATE, report.to_json()
    assert signature.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert signature.covers == sorted(FILES)


def test_without_an_asic_manifest_a_p7s_over_several_files_signs_nothing(pki, trusted, tmp_path):
    signature = openssl_cades(FILES["application.pdf"], pki.signer, tmp_path)
    report = validate(container(FILES, {"META-INF/signature001.p7s": signature}), "d.asice", trust=trusted)
    assert report.signatures[0].sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND, report.to_json()
    assert set(report.unsigned_files) == set(FILES)
