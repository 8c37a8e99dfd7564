"""The test QTSP's PKI: generated once into a folder under STORAGE_ROOT, never shipped.

Root CA -> issuing CA -> {OCSP responder, TSA, the signer credential, the portal's e-seal}.
The URLs of the OCSP responder and the CRL are baked into the certificates, so each service URL
gets its own folder. Private keys are written with mode 0600 and never leave that folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

# The identities of the PKI, by file stem.
ROOT, ISSUING, OCSP, TSA, SIGNER, SEAL = "root", "issuing-ca", "ocsp", "tsa", "signer", "e-seal"
SIGNER_CREDENTIAL_ID = "test-signer-1"
SIGNER_NAME = "Erika Mustermann (test QTSP)"
CLIENT_ID = "psc-portal"


@dataclass(frozen=True)
class Identity:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class TestPKI:
    folder: Path
    service_url: str
    identities: dict[str, Identity]

    def __getitem__(self, name: str) -> Identity:
        return self.identities[name]

    @property
    def root_pem(self) -> bytes:
        return self[ROOT].cert.public_bytes(serialization.Encoding.PEM)

    def revoked(self) -> dict[int, datetime]:
        """Serial -> revocation time of the certificates revoked with ``revoke``."""
        path = self.folder / "revoked.json"
        if not path.exists():
            return {}
        return {
            int(serial): datetime.fromisoformat(at) for serial, at in json.loads(path.read_text()).items()
        }

    def revoke(self, serial: int, at: datetime | None = None) -> None:
        revoked = {str(s): t.isoformat() for s, t in self.revoked().items()}
        revoked[str(serial)] = (at or datetime.now(UTC)).isoformat()
        (self.folder / "revoked.json").write_text(json.dumps(revoked))

    def issued_by_issuing_ca(self) -> dict[int, x509.Certificate]:
        return {
            identity.cert.serial_number: identity.cert
            for name, identity in self.identities.items()
            if name in (OCSP, TSA, SIGNER, SEAL)
        }


def folder_for(storage_root: Path, service_url: str) -> Path:
    parts = urlsplit(service_url)
    return Path(storage_root) / "test-qtsp" / f"{parts.hostname}-{parts.port or 80}"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PSC Test QTSP (not trusted outside tests)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, signature: bool = False, non_repudiation: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signature,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _issue(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: Identity | None,
    *,
    ca: bool = False,
    usage: x509.KeyUsage,
    eku: list | None = None,
    crl_url: str | None = None,
    ocsp_url: str | None = None,
    ocsp_no_check: bool = False,
    days: int = 825,
) -> x509.Certificate:
    now = datetime.now(UTC).replace(microsecond=0)
    issuer_name = issuer.cert.subject if issuer else _name(subject)
    issuer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if crl_url:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ocsp_url:
        access = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    if ocsp_no_check:
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def generate(folder: Path, service_url: str) -> TestPKI:
    base = service_url.rstrip("/")
    keys = {name: rsa.generate_private_key(65537, 2048) for name in (ROOT, ISSUING, OCSP, TSA, SIGNER, SEAL)}
    identities: dict[str, Identity] = {}
    identities[ROOT] = Identity(
        _issue("PSC Test QTSP Root CA", keys[ROOT], None, ca=True, usage=_key_usage(ca=True), days=3650),
        keys[ROOT],
    )
    identities[ISSUING] = Identity(
        _issue(
            "PSC Test QTSP Issuing CA", keys[ISSUING], identities[ROOT], ca=True,
            usage=_key_usage(ca=True), crl_url=f"{base}/pki/crl/root.crl", days=3000,
        ),
        keys[ISSUING],
    )  # fmt: skip
    issuing = identities[ISSUING]
    leaves = {
        OCSP: dict(
            subject="PSC Test QTSP OCSP Responder", usage=_key_usage(signature=True),
            eku=[ExtendedKeyUsageOID.OCSP_SIGNING], ocsp_no_check=True,
        ),
        TSA: dict(
            subject="PSC Test QTSP Time-Stamping Authority", usage=_key_usage(signature=True),
            eku=[ExtendedKeyUsageOID.TIME_STAMPING], ocsp_url=f"{base}/pki/ocsp",
        ),
        SIGNER: dict(
            subject=SIGNER_NAME, usage=_key_usage(signature=True, non_repudiation=True),
            ocsp_url=f"{base}/pki/ocsp",
        ),
        SEAL: dict(
            subject="Point of Single Contact e-seal (test QTSP)",
            usage=_key_usage(signature=True, non_repudiation=True), ocsp_url=f"{base}/pki/ocsp",
        ),
    }  # fmt: skip
    for name, spec in leaves.items():
        subject = spec.pop("subject")
        identities[name] = Identity(_issue(subject, keys[name], issuing, **spec), keys[name])

    # Written into a private temporary folder and renamed, so a reader never sees half a PKI.
    folder.parent.mkdir(parents=True, exist_ok=True)
    final, folder = folder, Path(tempfile.mkdtemp(dir=folder.parent, prefix=".generating-"))
    for name, identity in identities.items():
        (folder / f"{name}.pem").write_bytes(identity.cert.public_bytes(serialization.Encoding.PEM))
        _write_private(
            folder / f"{name}.key",
            identity.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
    (folder / "service.json").write_text(json.dumps({"service_url": base}))
    _write_private(
        folder / "client.json",
        json.dumps({"client_id": CLIENT_ID, "client_secret": secrets.token_urlsafe(24)}).encode(),
    )
    try:
        folder.rename(final)
    except OSError:  # another process generated it first: use that one
        shutil.rmtree(folder, ignore_errors=True)
        return load(final)
    return TestPKI(final, base, identities)


def load(folder: Path) -> TestPKI:
    service_url = json.loads((folder / "service.json").read_text())["service_url"]
    identities = {}
    for name in (ROOT, ISSUING, OCSP, TSA, SIGNER, SEAL):
        cert = x509.load_pem_x509_certificate((folder / f"{name}.pem").read_bytes())
        key = serialization.load_pem_private_key((folder / f"{name}.key").read_bytes(), password=None)
        identities[name] = Identity(cert, key)
    return TestPKI(folder, service_url, identities)


def load_or_generate(storage_root: Path, service_url: str) -> TestPKI:
    """The PKI for ``service_url``: generated on first use, then reused (root stays the same)."""
    folder = folder_for(storage_root, service_url)
    if (folder / "service.json").exists():
        return load(folder)
    return generate(folder, service_url)


def client_credentials(folder: Path) -> tuple[str, str]:
    data = json.loads((folder / "client.json").read_text())
    return data["client_id"], data["client_secret"]


def root_certificate(storage_root: Path, service_url: str) -> asn1_x509.Certificate:
    """The root CA to trust for signatures made by the test QTSP at ``service_url`` (public part only)."""
    pem = (folder_for(storage_root, service_url) / f"{ROOT}.pem").read_bytes()
    return asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    )
