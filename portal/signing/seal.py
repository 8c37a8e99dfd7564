"""The portal's e-seal: which key seals the containers the portal sends, and at which level.

Configured by ``SIGNING_SEAL_PKCS12`` (+ ``SIGNING_SEAL_PASSWORD``), ``SIGNING_SEAL_TSA_URL`` and the
roots in ``SIGNING_TRUST_ANCHORS``: XAdES B-LT with a TSA and roots, B-T with a TSA only, else B-B.
Outside production, without that configuration, the development e-seal an installed app registers
is used (the demo app's: the bundled test QTSP's, B-LT with its TSA, OCSP and CRL), like
``manage.py signing build-asice``; in production it must be configured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .asic_build import build_asice


class SealNotConfigured(RuntimeError):
    """No e-seal is available; the message says what to configure."""


@dataclass
class PortalSeal:
    key: object
    certificate: object  # cryptography x509.Certificate
    chain: list = field(default_factory=list)
    tsa_url: str = ""
    trust_roots: list = field(default_factory=list)  # asn1crypto certificates, for B-LT

    @property
    def level(self) -> str:
        if self.tsa_url and self.trust_roots:
            return "LT"
        return "T" if self.tsa_url else "B"


def _configured() -> PortalSeal:
    from cryptography.hazmat.primitives.serialization import pkcs12

    from .trust import load_certificates

    path = Path(settings.SIGNING_SEAL_PKCS12)
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            path.read_bytes(), (settings.SIGNING_SEAL_PASSWORD or "").encode() or None
        )
    except OSError as error:
        raise SealNotConfigured(f"SIGNING_SEAL_PKCS12: cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise SealNotConfigured(f"SIGNING_SEAL_PKCS12: cannot open {path}: {error}") from None
    if key is None or certificate is None:
        raise SealNotConfigured(f"SIGNING_SEAL_PKCS12: {path} holds no key with its certificate")
    roots = [c for name in settings.SIGNING_TRUST_ANCHORS for c in load_certificates(Path(name).read_bytes())]
    return PortalSeal(key, certificate, list(chain or []), settings.SIGNING_SEAL_TSA_URL, roots)


# Outside production, without SIGNING_SEAL_PKCS12, an installed app may offer a development e-seal
# (the demo app offers the bundled test QTSP's): a callable that returns it or raises SealNotConfigured.
_development_seal: Callable[[], PortalSeal] | None = None


def register_development_seal(provider: Callable[[], PortalSeal]) -> Callable[[], PortalSeal]:
    global _development_seal
    _development_seal = provider
    return provider


def development_seal() -> PortalSeal:
    """The e-seal used when none is configured (never in production)."""
    if settings.PRODUCTION or _development_seal is None:
        raise SealNotConfigured("no portal e-seal: set SIGNING_SEAL_PKCS12 (and SIGNING_SEAL_TSA_URL)")
    return _development_seal()


def portal_seal() -> PortalSeal:
    if settings.SIGNING_SEAL_PKCS12:
        return _configured()
    return development_seal()


def seal_container(files: Iterable[tuple[str, bytes]], *, metadata: dict[str, str] | None = None) -> bytes:
    """An ASiC-E container over ``files`` sealed with the portal's e-seal.

    Raises :class:`SealNotConfigured`, ``asic_build.ContainerBuildError`` (bad files, or no
    validation data for B-LT) or ``OSError`` (the TSA or a revocation service cannot be reached)."""
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

    seal = portal_seal()
    timestamper = HTTPTimeStamper(seal.tsa_url) if seal.tsa_url else None
    long_term = None
    if seal.level == "LT":
        from pyhanko_certvalidator import ValidationContext

        long_term = ValidationContext(
            trust_roots=seal.trust_roots, allow_fetching=True, revocation_mode="hard-fail"
        )
    return build_asice(
        list(files), seal.key, seal.certificate, chain=seal.chain, timestamper=timestamper,
        long_term=long_term, metadata=metadata,
    )  # fmt: skip
