"""Memoized RFC 4518 name preparation, installed into asn1crypto.

asn1crypto prepares each name attribute (RFC 4518 stringprep, ``NameTypeAndValue._ldap_string_prep``)
once per parsed object, and every validation parses its certificates afresh; pyHanko and certvalidator
compare issuer names for every certificate at hand, so the preparation took a fifth of a PAdES
validation (bench/README.md). It is a pure function of the string: memoized for the process.
Installed from ``SigningConfig.ready()``, only over the asn1crypto release it was checked against.
"""

from __future__ import annotations

import functools
import logging
from importlib.metadata import version

from asn1crypto import x509 as asn1_x509

logger = logging.getLogger(__name__)

CHECKED_ASN1CRYPTO_RELEASE = "1.5.1"
_asn1crypto_prep = asn1_x509.NameTypeAndValue._ldap_string_prep


@functools.lru_cache(maxsize=8192)
def _prepare(string: str) -> str:
    return _asn1crypto_prep(None, string)  # it does not use self


def ldap_string_prep(self, string):
    """asn1crypto's ``_ldap_string_prep``, same result, computed once per string."""
    try:
        return _prepare(string)
    except TypeError:  # not hashable: never seen in a certificate, prepared as before
        return _asn1crypto_prep(self, string)


def install() -> bool:
    """Put the memoized preparation into asn1crypto (only over the release it was checked against)."""
    installed = version("asn1crypto")
    if installed != CHECKED_ASN1CRYPTO_RELEASE:
        logger.warning(
            "asn1crypto %s is not the release the memoized name preparation was checked against (%s): "
            "not installed",
            installed,
            CHECKED_ASN1CRYPTO_RELEASE,
        )
        return False
    asn1_x509.NameTypeAndValue._ldap_string_prep = ldap_string_prep
    return True


def uninstall() -> None:
    asn1_x509.NameTypeAndValue._ldap_string_prep = _asn1crypto_prep
