"""A throw-away test PKI made with cryptography: roots, signers, a TSA, and a minimal PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from portal.demo.qtsp.pki import Identity
from portal.signing.common import run_sync

NOW = datetime.now(UTC).replace(microsecond=0)


_KEYS: dict[int, list[rsa.RSAPrivateKey]] = {}


def _key(bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PSC Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_root(common_name: str = "PSC Test Root CA") -> Identity:
    key = _key(2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=3650))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(cert, key)


def make_leaf(
    issuer: Identity,
    common_name: str,
    *,
    bits: int = 2048,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    tsa: bool = False,
    hash_algorithm: hashes.HashAlgorithm | None = None,
    crl_url: str | None = None,
    encipherment_only: bool = False,
) -> Identity:
    key = _key(bits)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - timedelta(days=30))
        .not_valid_after(not_after or NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    )
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        ).add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
    elif encipherment_only:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, True, False, False, False, False, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
    cert = builder.sign(issuer.key, hash_algorithm or hashes.SHA256())
    return Identity(cert, key)


def minimal_pdf(
    text: str = "Hello from the Point of Single Contact",
    *,
    catalogue_extra: bytes = b"",
    extra_objects: tuple[bytes, ...] = (),
) -> bytes:
    """A one-page PDF with a correct cross-reference table; ``catalogue_extra`` goes into the catalogue
    (e.g. an OpenAction) and ``extra_objects`` follow the page's objects (numbered from 6)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalogue_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "signatures"


@dataclass
class SigningPKI:
    root: Identity
    signer: Identity
    expired_signer: Identity
    weak_signer: Identity
    tsa: Identity
    other_root: Identity
    stranger: Identity  # issued by other_root, which nobody trusts


def build_pki() -> SigningPKI:
    root = make_root()
    other_root = make_root("Somebody Else's Root CA")
    return SigningPKI(
        root=root,
        signer=make_leaf(root, "Erika Mustermann"),
        expired_signer=make_leaf(
            root,
            "Expired Signer",
            not_before=datetime(2020, 1, 1, tzinfo=UTC),
            not_after=datetime(2021, 1, 1, tzinfo=UTC),
        ),
        weak_signer=make_leaf(root, "RSA-1024 Signer", bits=1024),
        tsa=make_leaf(root, "PSC Test TSA", tsa=True),
        other_root=other_root,
        stranger=make_leaf(other_root, "Unknown Stranger"),
    )


def sign_pdf(
    identity: Identity,
    pki: SigningPKI,
    *,
    pdf: bytes | None = None,
    md_algorithm: str = "sha256",
    timestamp: bool = False,
    timestamp_at: datetime | None = None,
    field_name: str = "Signature1",
) -> bytes:
    signer = signers.SimpleSigner(
        signing_cert=identity.asn1_cert,
        signing_key=identity.asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([pki.root.asn1_cert, pki.other_root.asn1_cert]),
    )
    timestamper = (
        DummyTimeStamper(
            tsa_cert=pki.tsa.asn1_cert,
            tsa_key=pki.tsa.asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs([pki.root.asn1_cert]),
            fixed_dt=timestamp_at,
        )
        if timestamp or timestamp_at
        else None
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf or minimal_pdf()))
    output = run_sync(
        signers.async_sign_pdf(
            writer,
            signers.PdfSignatureMetadata(field_name=field_name, md_algorithm=md_algorithm),
            signer=signer,
            timestamper=timestamper,
        )
    )
    return output.getvalue()


def vector(relative: str) -> bytes:
    return (VECTORS / relative).read_bytes()
