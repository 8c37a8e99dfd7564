"""ASiC-E: our container layer, XAdES verification and the portal's own sealed containers."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import zipfile
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import unquote

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from signxml import SignatureConfiguration, XMLVerifier

from portal.signing import asic
from portal.signing.asic_build import ContainerBuildError, build_asice
from portal.signing.report import Indication, Level, SubIndication
from portal.signing.trust import TrustContext
from portal.signing.validation import validate

from .pki import make_leaf, vector

FILES = {
    "application.pdf": b"%PDF-1.7 the application",
    "annexes/diploma scan.txt": "Zeugnis für Ärztin".encode(),
}


@pytest.fixture(scope="module")
def trusted(pki) -> TrustContext:
    return TrustContext(anchors=[pki.root.asn1_cert])


@pytest.fixture(scope="module")
def sealed(pki) -> bytes:
    return build_asice(FILES, pki.signer.key, pki.signer.cert)


def entries(container: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(BytesIO(container)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def rezip(items: list[tuple[str, bytes]], *, stored_mimetype: bool = True) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in items:
            stored = name == "mimetype" and stored_mimetype
            archive.writestr(
                zipfile.ZipInfo(name), content, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def replace_entry(container: bytes, name: str, content: bytes | None) -> bytes:
    items = [(info.filename, data) for info, data in entries(container)]
    items = [(n, content if n == name else data) for n, data in items if not (n == name and content is None)]
    return rezip(items)


# --- our containers: built, verified by us and independently ------------------------------------


def test_sealed_container_layout(sealed):
    items = entries(sealed)
    first, first_content = items[0]
    assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
    assert first_content == b"application/vnd.etsi.asic-e+zip"
    names = [info.filename for info, _ in items]
    assert names[1:] == [*FILES, "META-INF/manifest.xml", "META-INF/metadata.xml", "META-INF/signatures0.xml"]


def test_metadata_names_every_part_and_follows_its_schema(pki, trusted):

    from portal.signing.asic_build import METADATA_NS, METADATA_SCHEMA

    sealed = build_asice(FILES, pki.signer.key, pki.signer.cert, metadata={"dossier": "PSC-2026-0042"})
    contents = dict((info.filename, data) for info, data in entries(sealed))
    metadata = etree.fromstring(contents["META-INF/metadata.xml"])
    etree.XMLSchema(etree.parse(str(METADATA_SCHEMA))).assertValid(metadata)
    parts = {part.get("name"): part for part in metadata.iter(f"{{{METADATA_NS}}}Part")}
    assert set(parts) == set(contents)
    for name, content in FILES.items():
        assert parts[name].get("role") == "data" and parts[name].get("size") == str(len(content))
        assert base64.b64decode(parts[name].get("sha256")) == hashlib.sha256(content).digest()
    assert metadata.findtext(f"{{{METADATA_NS}}}Property[@name='dossier']") == "PSC-2026-0042"
    # the seal covers the metadata: changing it breaks the signature
    assert validate(sealed, "c.asice", trust=trusted).indication is Indication.TOTAL_PASSED
    forged = contents["META-INF/metadata.xml"].replace(b"PSC-2026-0042", b"PSC-2026-0043")
    report = validate(replace_entry(sealed, "META-INF/metadata.xml", forged), "c.asice", trust=trusted)
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures[0].sub_indication is SubIndication.HASH_FAILURE


def test_sealed_container_passes_our_validator(sealed, trusted):
    report = validate(sealed, "dossier.asice", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    [signature] = report.signatures
    assert signature.covers == sorted(FILES)
    assert signature.level is Level.B
    assert signature.signer == "Erika Mustermann"
    assert report.unsigned_files == [] and report.warnings == []


def test_sealed_container_verifies_with_plain_signxml_and_openssl(sealed, pki, tmp_path):
    """An independent path: signxml's plain XMLDSig verifier (not our XAdES code) + openssl on the chain."""
    contents = dict((info.filename, data) for info, data in entries(sealed))
    document = etree.fromstring(contents["META-INF/signatures0.xml"])
    cert_b64 = document.findtext(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    cert_pem = b"-----BEGIN CERTIFICATE-----\n" + cert_b64.encode() + b"\n-----END CERTIFICATE-----\n"
    resolved = []

    def resolve(uri):
        resolved.append(unquote(uri))
        return contents[unquote(uri)]

    results = XMLVerifier().verify(
        document,
        x509_cert=cert_pem.decode(),
        uri_resolver=resolve,
        expect_config=SignatureConfiguration(expect_references=len(FILES) + 2),
    )
    assert len(results) == len(FILES) + 2  # the files, the metadata, the signed properties
    assert sorted(resolved) == sorted([*FILES, "META-INF/metadata.xml"])

    (tmp_path / "root.pem").write_bytes(pki.root.pem)
    (tmp_path / "seal.pem").write_bytes(cert_pem)
    completed = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "root.pem"), str(tmp_path / "seal.pem")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().endswith("OK")


def test_b_t_with_a_signature_timestamp(pki, trusted):
    timestamper = DummyTimeStamper(
        tsa_cert=pki.tsa.asn1_cert,
        tsa_key=pki.tsa.asn1_key,
        certs_to_embed=SimpleCertificateStore.from_certs([pki.root.asn1_cert]),
        fixed_dt=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    container = build_asice(FILES, pki.signer.key, pki.signer.cert, timestamper=timestamper)
    report = validate(container, "c.asice", trust=trusted)
    [signature] = report.signatures
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert signature.level is Level.T
    assert signature.signing_time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_build_refuses_unsafe_or_reserved_names(pki):
    for name in ["../escape.txt", "/abs.txt", "a\\b.txt", "mimetype", "META-INF/x.xml", "bell\x07.txt"]:
        with pytest.raises(ContainerBuildError):
            build_asice({name: b"x"}, pki.signer.key, pki.signer.cert)
    with pytest.raises(ContainerBuildError):
        build_asice({}, pki.signer.key, pki.signer.cert)


# --- negative matrix on our own containers ----------------------------------------------------


def test_tampered_data_file_is_a_hash_failure(sealed, trusted):
    report = validate(
        replace_entry(sealed, "application.pdf", b"%PDF-1.7 the applicatioN"), "c.asice", trust=trusted
    )
    [signature] = report.signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.HASH_FAILURE,
    )
    assert sorted(report.unsigned_files) == sorted(FILES)  # no passing reference covers anything


def test_added_file_is_reported_as_unsigned(sealed, trusted):
    items = [(info.filename, data) for info, data in entries(sealed)] + [("smuggled.exe", b"MZ")]
    report = validate(rezip(items), "c.asice", trust=trusted)
    assert report.signatures[0].indication is Indication.TOTAL_PASSED
    assert report.unsigned_files == ["smuggled.exe"]
    assert report.indication is Indication.INDETERMINATE


def test_removed_file_is_signed_data_not_found(sealed, trusted):
    report = validate(replace_entry(sealed, "application.pdf", None), "c.asice", trust=trusted)
    assert report.signatures[0].sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND


def test_untrusted_root(pki, trusted):
    container = build_asice(FILES, pki.stranger.key, pki.stranger.cert)
    [signature] = validate(container, "c.asice", trust=trusted).signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )


def test_expired_seal_fails_now_passes_then(pki, trusted):
    container = build_asice(
        FILES, pki.expired_signer.key, pki.expired_signer.cert, signing_time=datetime(2020, 6, 1, tzinfo=UTC)
    )
    [now] = validate(container, "c.asice", trust=trusted).signatures
    assert now.sub_indication is SubIndication.OUT_OF_BOUNDS_NO_POE
    then = validate(container, "c.asice", trust=trusted, at=datetime(2020, 6, 2, tzinfo=UTC))
    assert then.indication is Indication.TOTAL_PASSED, then.to_json()


def test_rsa_1024_seal_is_refused(pki, trusted):
    container = build_asice(FILES, pki.weak_signer.key, pki.weak_signer.cert)
    [signature] = validate(container, "c.asice", trust=trusted).signatures
    assert signature.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE


def test_certificate_not_meant_for_signing_is_refused(pki, trusted):
    encryption_only = make_leaf(pki.root, "Encryption Only", encipherment_only=True)
    container = build_asice(FILES, encryption_only.key, encryption_only.cert)
    [signature] = validate(container, "c.asice", trust=trusted).signatures
    assert signature.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert signature.indication is Indication.TOTAL_FAILED


def test_sha1_signature_is_refused(sealed, pki, trusted):
    """Re-sign SignedInfo with RSA-SHA1 for real: a correct but too weak signature."""
    contents = [(info.filename, data) for info, data in entries(sealed)]
    document = etree.fromstring(dict(contents)["META-INF/signatures0.xml"])
    ns = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
    signed_info = document.find(".//ds:SignedInfo", ns)
    signed_info.find("ds:SignatureMethod", ns).set("Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    c14n = etree.tostring(signed_info, method="c14n", exclusive=True)
    value = pki.signer.key.sign(c14n, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    document.find(".//ds:SignatureValue", ns).text = base64.b64encode(value).decode()
    tampered = [(n, etree.tostring(document) if n == "META-INF/signatures0.xml" else d) for n, d in contents]
    [signature] = validate(rezip(tampered), "c.asice", trust=trusted).signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    )


def test_forged_signature_value_is_a_crypto_failure(sealed, trusted):
    contents = [(info.filename, data) for info, data in entries(sealed)]
    xml = dict(contents)["META-INF/signatures0.xml"]
    document = etree.fromstring(xml)
    value = document.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    raw = bytearray(base64.b64decode(value.text))
    raw[10] ^= 0xFF
    value.text = base64.b64encode(bytes(raw)).decode()
    forged = [(n, etree.tostring(document) if n == "META-INF/signatures0.xml" else d) for n, d in contents]
    [signature] = validate(rezip(forged), "c.asice", trust=trusted).signatures
    assert (signature.indication, signature.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.SIG_CRYPTO_FAILURE,
    )


def test_tampered_byte_in_a_dss_vector(trusted):
    original = vector("asice/onefile-ok.asice")
    report = validate(replace_entry(original, "test.text", b"Hello world!!"), "c.asice")
    assert report.signatures[0].sub_indication is SubIndication.HASH_FAILURE


# --- the container layer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("/etc/passwd", "absolute"),
        ("C:/Windows/evil.txt", "absolute"),
        ("a/../../evil.txt", "relative path segment"),
        ("./hidden.txt", "relative path segment"),
        ("dir\\evil.txt", "backslash"),
        ("tab\there.txt", "control character"),
        ("del\x7f.txt", "control character"),
    ],
)
def test_unsafe_entry_names_refuse_the_container(sealed, name, reason):
    items = [(info.filename, data) for info, data in entries(sealed)] + [(name, b"x")]
    report = validate(rezip(items), "c.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures == []
    assert any("unsafe container" in error and reason in error for error in report.errors)


def test_duplicate_entry_names_refuse_the_container(sealed):
    items = [(info.filename, data) for info, data in entries(sealed)] + [("application.pdf", b"other")]
    with pytest.warns(UserWarning):  # zipfile itself warns about the duplicate
        container = rezip(items)
    report = validate(container, "c.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert any("appears twice" in error for error in report.errors)


def test_entry_count_limit(sealed, monkeypatch):
    monkeypatch.setattr(asic, "MAX_ENTRIES", 3)
    report = validate(sealed, "c.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert any("more than the 3 allowed" in error for error in report.errors)


def test_entry_size_limit(sealed, monkeypatch):
    monkeypatch.setattr(asic, "MAX_ENTRY_BYTES", 16)
    report = validate(sealed, "c.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert any("larger than 16 bytes" in error for error in report.errors)


def test_zip_bomb_is_refused(sealed):
    items = [(info.filename, data) for info, data in entries(sealed)] + [("zeros.bin", b"\0" * 20_000_000)]
    report = validate(rezip(items), "c.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert any("zip bomb" in error for error in report.errors)


def test_mimetype_not_first_or_compressed_is_a_warning(sealed, trusted):
    items = [(info.filename, data) for info, data in entries(sealed)]
    reordered = items[1:] + items[:1]
    report = validate(rezip(reordered, stored_mimetype=False), "c.asice", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED
    assert "the mimetype entry is not the first entry of the container" in report.warnings
    assert "the mimetype entry is compressed (it must be stored)" in report.warnings


def test_wrong_mimetype_is_not_an_asic_container(sealed):
    report = validate(replace_entry(sealed, "mimetype", b"application/zip"), "c.zip")
    assert report.indication is Indication.TOTAL_FAILED
    assert any("not an ASiC container" in error for error in report.errors)


def test_corrupt_entry_crc_is_refused(sealed):
    data = bytearray(sealed)
    position = data.index(b"META-INF/manifest.xml") + len(b"META-INF/manifest.xml") + 5
    data[position] ^= 0xFF  # inside the deflated manifest
    report = validate(bytes(data), "c.asice")
    assert report.indication is Indication.TOTAL_FAILED
    assert report.errors


# --- ASiC-S with CAdES, standalone XAdES, hostile XML -----------------------------------------


def test_asics_with_detached_cades(pki, trusted):
    from .test_cades_cli_report import DOCUMENT, cades

    container = rezip(
        [
            ("mimetype", b"application/vnd.etsi.asic-s+zip"),
            ("declaration.txt", DOCUMENT),
            ("META-INF/signature.p7s", cades(pki.signer, pki)),
        ]
    )
    report = validate(container, "declaration.asics", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert report.signatures[0].covers == ["declaration.txt"]
    altered = replace_entry(container, "declaration.txt", DOCUMENT.upper())
    report = validate(altered, "declaration.asics", trust=trusted)
    assert report.signatures[0].sub_indication is SubIndication.HASH_FAILURE
    assert report.unsigned_files == ["declaration.txt"]


def test_asics_with_two_data_files_is_refused(pki, trusted):
    container = rezip([("mimetype", b"application/vnd.etsi.asic-s+zip"), ("a.txt", b"a"), ("b.txt", b"b")])
    report = validate(container, "x.asics", trust=trusted)
    assert report.indication is Indication.TOTAL_FAILED
    assert any("exactly one data file" in error for error in report.errors)


def test_standalone_enveloped_xades(pki, trusted):
    from signxml.xades import XAdESSigner

    document = etree.fromstring(b"<Declaration><Applicant>Erika Mustermann</Applicant></Declaration>")
    signed = XAdESSigner().sign(
        document,
        key=pki.signer.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        cert=[pki.signer.pem.decode()],
    )
    data = etree.tostring(signed)
    report = validate(data, "declaration.xml", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert report.signatures[0].covers == ["declaration.xml"]
    tampered = data.replace(b"Erika", b"Erica")
    assert validate(tampered, "declaration.xml", trust=trusted).signatures[0].sub_indication is (
        SubIndication.HASH_FAILURE
    )


def test_external_entities_are_never_resolved(sealed, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    hostile = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
        '<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">&e;</asic:XAdESSignatures>'
    ).encode()
    report = validate(replace_entry(sealed, "META-INF/signatures0.xml", hostile), "c.asice")
    assert "TOP-SECRET-VALUE" not in report.to_json()
    assert report.indication is not Indication.TOTAL_PASSED


def test_compressible_files_are_deflated_and_compressed_ones_stored(pki, trusted):
    import os

    files = {"letter.txt": b"Dear applicant, " * 4096, "scan.jpg": os.urandom(256 * 1024)}
    container = build_asice(files, pki.signer.key, pki.signer.cert)
    kinds = {info.filename: info.compress_type for info, _ in entries(container)}
    assert (kinds["letter.txt"], kinds["scan.jpg"]) == (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED)
    report = validate(container, "c.asice", trust=trusted)
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert sorted(report.signatures[0].covers) == sorted(files)
