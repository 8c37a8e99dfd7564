"""The memoized RFC 4518 name preparation: installed from the app over the pinned asn1crypto release
only, and preparing names as asn1crypto does (so names compare as they did), once per string."""

from __future__ import annotations

import logging
from importlib.metadata import version

import pytest
from asn1crypto import x509 as asn1_x509

from portal.signing import name_speedups

ASN1CRYPTO = name_speedups._asn1crypto_prep
NAMES = [
    "Chamber of Crafts",
    "  Chamber   of  CRAFTS ",
    "Salão Ana",
    "Straße\u00ad 1",
    "\uff21\uff22\uff23",
    "",
    "a\u200bb",
]


def installed() -> bool:
    return asn1_x509.NameTypeAndValue._ldap_string_prep is name_speedups.ldap_string_prep


def test_installed_from_the_app_on_the_pinned_asn1crypto_release():
    assert name_speedups.CHECKED_ASN1CRYPTO_RELEASE == "1.5.1" == version("asn1crypto")
    assert installed()  # by SigningConfig.ready()
    name_speedups.uninstall()
    try:
        assert asn1_x509.NameTypeAndValue._ldap_string_prep is ASN1CRYPTO
        assert name_speedups.install() is True and installed()
    finally:
        name_speedups.install()


def test_not_installed_over_another_asn1crypto_release(monkeypatch, caplog):
    monkeypatch.setattr(name_speedups, "version", lambda name: "1.6.0")
    name_speedups.uninstall()
    try:
        with caplog.at_level(logging.WARNING, logger="portal.signing.name_speedups"):
            assert name_speedups.install() is False
        assert asn1_x509.NameTypeAndValue._ldap_string_prep is ASN1CRYPTO
        assert "asn1crypto 1.6.0 is not the release" in caplog.text and "1.5.1" in caplog.text
    finally:
        monkeypatch.undo()
        assert name_speedups.install()


@pytest.mark.parametrize("string", NAMES)
def test_the_same_preparation_as_asn1crypto(string):
    assert name_speedups.ldap_string_prep(None, string) == ASN1CRYPTO(None, string)


def test_each_string_is_prepared_once():
    name_speedups._prepare.cache_clear()
    first = asn1_x509.Name.build({"common_name": "Chamber of Crafts", "country_name": "PT"})
    second = asn1_x509.Name.build({"common_name": "chamber  of crafts", "country_name": "pt"})
    assert first == second  # compared through the prepared strings
    assert asn1_x509.Name.build({"common_name": "Chamber of Crafts"}) == asn1_x509.Name.build(
        {"common_name": "CHAMBER OF CRAFTS"}
    )
    info = name_speedups._prepare.cache_info()
    assert (info.misses, info.hits) == (5, 1)  # five different strings; "Chamber of Crafts" twice
