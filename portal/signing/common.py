"""Helpers shared by the format validators: certificate chains, names, sub-indications."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import load_der_x509_certificate
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import (
    DisallowedAlgorithmError,
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.path import ValidationPath

from .report import SubIndication

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one of pyHanko's coroutines from synchronous code, even inside a running event loop.

    ``asyncio.run`` refuses when the calling thread already runs a loop (an async view, Playwright's
    sync API in tests); then the coroutine gets its own loop in a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


# Weakest algorithms the portal accepts for new evidence (ETSI TS 119 312 / SOG-IS):
MIN_RSA_BITS = 2048
WEAK_DIGESTS = frozenset({"md5", "sha1"})


def sub_indication_from_pyhanko(value) -> SubIndication | None:
    """pyHanko's AdESFailure / AdESIndeterminate members carry the EN 319 102-1 names; AdESPassed
    is no sub-indication at all."""
    if value is None or type(value).__name__ == "AdESPassed":
        return None
    name = getattr(value, "name", str(value))
    try:
        return SubIndication[name]
    except KeyError:
        return SubIndication.GENERIC


def signer_name(cert: asn1_x509.Certificate | None) -> str:
    if cert is None:
        return ""
    try:
        common_name = cert.subject.native.get("common_name")
    except Exception:
        common_name = None
    if isinstance(common_name, list):
        common_name = common_name[0]
    return common_name or cert.subject.human_friendly


def as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def key_size_problem(cert: asn1_x509.Certificate) -> str | None:
    """A reason the key is too weak, or None. Raises ValueError if the key cannot be read at all."""
    public_key = load_der_x509_certificate(cert.dump()).public_key()
    if isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size < MIN_RSA_BITS:
        return f"RSA key of {public_key.key_size} bits is below the {MIN_RSA_BITS} bits required"
    return None


@dataclass
class ChainResult:
    path: ValidationPath | None
    sub_indication: SubIndication | None
    message: str = ""


# A signing certificate must allow digital signatures or non-repudiation (either, as pyHanko does
# for PDF signers: many QES certificates carry only nonRepudiation).
SIGNER_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)

# Most specific first: several of these are subclasses of PathValidationError.
_CHAIN_ERRORS: tuple[tuple[type[Exception], SubIndication], ...] = (
    (PathBuildingError, SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
    (RevokedError, SubIndication.REVOKED_NO_POE),
    (ExpiredError, SubIndication.OUT_OF_BOUNDS_NO_POE),
    (NotYetValidError, SubIndication.NOT_YET_VALID),
    (DisallowedAlgorithmError, SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE),
    (InsufficientRevinfoError, SubIndication.TRY_LATER),
    (InvalidCertificateError, SubIndication.CHAIN_CONSTRAINTS_FAILURE),
    (PathValidationError, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE),
    (ValidationError, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE),
)


def validate_chain(cert: asn1_x509.Certificate, validation_context) -> ChainResult:
    """Build and validate the signer's path and key usage; map certvalidator's errors to EN 319 102-1."""
    validator = CertificateValidator(cert, validation_context=validation_context)
    try:
        path = run_sync(validator.async_validate_path())
    except (PathBuildingError, ValidationError) as error:
        sub_indication = next(sub for kind, sub in _CHAIN_ERRORS if isinstance(error, kind))
        return ChainResult(None, sub_indication, str(error))
    try:
        SIGNER_KEY_USAGE.validate(cert)
    except InvalidCertificateError as error:
        return ChainResult(None, SubIndication.CHAIN_CONSTRAINTS_FAILURE, f"key usage: {error}")
    return ChainResult(path, None)
