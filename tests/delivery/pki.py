"""A throw-away test PKI (root CA -> intermediate CA -> access point certificates), made per test run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from portal.delivery.as4.keys import KeyPair

NOW = dt.datetime.now(dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PSC test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def issue(
    common_name: str,
    issuer: KeyPair | None = None,
    *,
    ca: bool = False,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    key_size: int = 2048,
) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    subject = _name(common_name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    signing_key = issuer.private_key if issuer else key
    certificate = builder.sign(signing_key, hashes.SHA256())
    chain = (issuer.certificate, *issuer.chain) if issuer else ()
    return KeyPair(key, certificate, chain)


@dataclass
class TestPki:
    root: KeyPair
    intermediate: KeyPair
    sender: KeyPair
    receiver: KeyPair
    expired: KeyPair
    stranger: KeyPair  # same names, different (untrusted) root


def make_pki() -> TestPki:
    long_ago = NOW - dt.timedelta(days=800)
    root = issue("PSC Test Root CA", ca=True, not_before=long_ago, not_after=NOW + dt.timedelta(days=3650))
    intermediate = issue("PSC Test Issuing CA", root, ca=True, not_before=long_ago)
    stranger_root = issue("PSC Test Root CA", ca=True)
    return TestPki(
        root=root,
        intermediate=intermediate,
        sender=issue("portal access point", intermediate),
        receiver=issue("authority access point", intermediate),
        expired=issue(
            "expired access point",
            intermediate,
            not_before=NOW - dt.timedelta(days=400),
            not_after=NOW - dt.timedelta(days=30),
        ),
        stranger=issue("portal access point", issue("PSC Test Issuing CA", stranger_root, ca=True)),
    )


def p12_bytes(key: KeyPair, password: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"test",
        key.private_key,
        key.certificate,
        list(key.chain) or None,
        serialization.BestAvailableEncryption(password.encode()),
    )


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
