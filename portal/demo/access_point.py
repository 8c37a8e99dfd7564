"""Key material and P-Modes for the embedded demo: the portal and one demo authority access point.

Generated once into ``STORAGE_ROOT/delivery/demo`` (never committed): a demo root CA, a key and
certificate for the portal and for the authority, the portal's P-Mode file
(``settings.DELIVERY_PMODES_FILE``, written only if absent) and the authority's own configuration.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from portal.delivery.as4.keys import KeyPair, load_pkcs12
from portal.delivery.pmodes import UNREGISTERED

PORTAL_PARTY = "psc-portal"
# the party id of the demo authority access point that rundemo starts and load_demo connects to
DEMO_AUTHORITY_PARTY = "authority-demo"
DEMO_SERVICE = "urn:eu:psc:services:submission"
DEMO_SERVICE_TYPE = "urn:eu:psc:services"
DEMO_ACTION = "SubmitPackage"
DEMO_AGREEMENT = "urn:eu:psc:agreements:delivery"


def issue(common_name: str, issuer: KeyPair | None = None, *, ca: bool = False, days: int = 825) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PSC demo (not for production)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=not ca, content_commitment=not ca, key_encipherment=not ca, data_encipherment=False,
        key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(issuer.private_key if issuer else key, hashes.SHA256())
    )
    return KeyPair(key, certificate, (issuer.certificate, *issuer.chain) if issuer else ())


def _write(path: Path, data: bytes, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def write_key(path: Path, key: KeyPair, password: str) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"ap", key.private_key, key.certificate, list(key.chain) or None,
        serialization.BestAvailableEncryption(password.encode()),
    )  # fmt: skip
    _write(path, data)


def write_certificate(path: Path, certificate: x509.Certificate) -> None:
    _write(path, certificate.public_bytes(serialization.Encoding.PEM), 0o644)


def configuration_document(
    *, domain: str, party: str, key_file: str, password: str, truststore: list[str], pmodes: dict
) -> dict:
    return {
        "domain": domain,
        "party": {"id": party, "type": UNREGISTERED},
        "key": {"pkcs12": key_file, "password": password},
        "truststore": truststore,
        "pmodes": pmodes,
    }


def pmode_document(partner: str, certificate_file: str, endpoint: str, **extra) -> dict:
    return {
        "partner": {"id": partner, "type": UNREGISTERED, "certificate": certificate_file},
        "endpoint": endpoint,
        "service": DEMO_SERVICE,
        "service_type": DEMO_SERVICE_TYPE,
        "action": DEMO_ACTION,
        "agreement": DEMO_AGREEMENT,
        "transport": "as4",
        **extra,
    }


def write_json(path: Path, document: dict) -> None:
    _write(path, json.dumps(document, indent=2).encode())


def ensure_demo(folder: Path, party: str, port: int, portal_pmodes_file: Path, portal_url: str) -> Path:
    """Make (once) the demo keys and both configurations; return the authority's configuration file."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_file, portal_file = folder / "demo-ca.p12", folder / "portal.p12"
    secrets_file = folder / "passwords.json"
    passwords = json.loads(secrets_file.read_text()) if secrets_file.exists() else {}
    if not ca_file.exists():
        passwords["ca"] = secrets.token_urlsafe(18)
        write_json(secrets_file, passwords)
        write_key(ca_file, issue("PSC demo AS4 root CA", ca=True, days=3650), passwords["ca"])
    ca = load_pkcs12(ca_file.read_bytes(), passwords["ca"])
    write_certificate(folder / "demo-ca.pem", ca.certificate)
    if not portal_file.exists():
        passwords["portal"] = secrets.token_urlsafe(18)
        write_json(secrets_file, passwords)
        portal_key = issue("PSC portal access point (demo)", ca)
        write_key(portal_file, portal_key, passwords["portal"])
        write_certificate(folder / "portal.pem", portal_key.certificate)
    party_key_file = folder / f"{party}.p12"
    if not party_key_file.exists():
        passwords[party] = secrets.token_urlsafe(18)
        write_json(secrets_file, passwords)
        party_key = issue(f"{party} access point (demo)", ca)
        write_key(party_key_file, party_key, passwords[party])
        write_certificate(folder / f"{party}.pem", party_key.certificate)
    endpoint = f"http://127.0.0.1:{port}/as4"
    # the portal's file is (re)written only if it is absent or one the demo wrote (the port may change)
    owned_marker = folder / "portal-pmodes-written-by-demo.txt"
    owned = owned_marker.exists() and owned_marker.read_text() == str(portal_pmodes_file.resolve())
    if owned or not portal_pmodes_file.exists():
        document = configuration_document(
            domain="psc.demo.localhost",
            party=PORTAL_PARTY,
            key_file=os.path.relpath(portal_file, portal_pmodes_file.parent),
            password=passwords["portal"],
            truststore=[os.path.relpath(folder / "demo-ca.pem", portal_pmodes_file.parent)],
            pmodes={
                party: pmode_document(
                    party,
                    os.path.relpath(folder / f"{party}.pem", portal_pmodes_file.parent),
                    endpoint,
                    retry={"max_attempts": 8, "base_delay": 30, "max_delay": 1800},
                )
            },
        )
        # catalogue channels (demo_channel below) are sent with these
        document["channels"] = {
            "agreement": DEMO_AGREEMENT,
            "retry": {"max_attempts": 8, "base_delay": 30, "max_delay": 1800},
        }
        write_json(portal_pmodes_file, document)
        owned_marker.write_text(str(portal_pmodes_file.resolve()))
    authority_file = folder / f"{party}-access-point.json"
    write_json(
        authority_file,
        configuration_document(
            domain=f"{party}.demo.localhost",
            party=party,
            key_file=f"{party}.p12",
            password=passwords[party],
            truststore=["demo-ca.pem"],
            pmodes={"portal": pmode_document(PORTAL_PARTY, "portal.pem", f"{portal_url}/as4")},
        ),
    )
    return authority_file


def demo_channel(folder: Path, party: str, port: int) -> dict[str, str]:
    """The catalogue delivery channel settings of the demo access point ``party`` on ``port``
    (its keys must exist: :func:`ensure_demo` first)."""
    return {
        "party_id": party,
        "party_id_type": UNREGISTERED,
        "endpoint_url": f"http://127.0.0.1:{port}/as4",
        "certificate_pem": (folder / f"{party}.pem").read_text(),
        "service": DEMO_SERVICE,
        "service_type": DEMO_SERVICE_TYPE,
        "action": DEMO_ACTION,
    }
