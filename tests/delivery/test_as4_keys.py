"""Key material and trust: PKCS#12, PEM/DER/PkiPath, JKS, distinguished names, certificate paths."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from portal.delivery.as4 import keys
from portal.delivery.as4.errors import EbmsError

from .conftest import vector
from .pki import NOW, issue, p12_bytes, pem


def test_pkcs12_round_trip_and_wrong_password(pki):
    data = p12_bytes(pki.sender, "pw")
    pair = keys.load_pkcs12(data, "pw")
    assert pair.certificate == pki.sender.certificate and pair.chain == pki.sender.chain
    with pytest.raises(ValueError):
        keys.load_pkcs12(data, "wrong")


def test_certificates_from_pem_der_and_pkipath(pki):
    chain = [pki.root.certificate, pki.intermediate.certificate, pki.sender.certificate]
    assert keys.load_certificates(b"".join(pem(c) for c in chain)) == chain
    der = pki.sender.certificate.public_bytes(serialization.Encoding.DER)
    assert keys.load_certificates(der) == [pki.sender.certificate]
    assert keys.load_certificates(keys.dump_pkipath(chain)) == chain
    with pytest.raises(ValueError):
        keys.load_certificate(b"".join(pem(c) for c in chain))


def test_jks_wrong_password_is_detected():
    with pytest.raises(ValueError, match="integrity"):
        keys.load_jks(vector("domibus/main_conf_domibus_keystores_gateway_keystore.jks"), "nope")


@pytest.mark.parametrize(
    "spelling",
    [
        "CN=portal access point,O=PSC test PKI,C=EU",
        "CN=portal access point, O=PSC test PKI, C=EU",
        "C=EU, O=PSC test PKI, CN=portal access point",
        "cn=Portal Access Point,o=psc test pki,c=eu",
    ],
)
def test_distinguished_names_compare_across_spellings(pki, spelling):
    assert keys.normalize_dn(spelling) == keys.normalize_dn(pki.sender.certificate.subject)


def test_email_attribute_spellings():
    assert keys.normalize_dn("E=a@b.eu,CN=x") == keys.normalize_dn("EMAILADDRESS=a@b.eu, CN=x")
    assert keys.normalize_dn("CN=x,O=a\\,b") != keys.normalize_dn("CN=x,O=a,O=b")


def test_key_reference_lookups(pki):
    store = keys.Truststore([pki.root.certificate], known=[pki.sender.certificate])
    sender = pki.sender.certificate
    assert store.find_by_ski(keys.subject_key_identifier(sender)) == sender
    assert store.find_by_issuer_serial(sender.issuer.rfc4514_string(), sender.serial_number) == sender
    assert store.find_by_issuer_serial(sender.issuer.rfc4514_string(), sender.serial_number + 1) is None


def test_paths_to_an_anchor(pki):
    anchored = keys.Truststore([pki.root.certificate])
    path = anchored.validate(pki.sender.certificate, intermediates=[pki.intermediate.certificate])
    assert path == [pki.sender.certificate, pki.intermediate.certificate, pki.root.certificate]
    with pytest.raises(EbmsError, match="not trusted"):
        anchored.validate(pki.sender.certificate)  # intermediate missing
    with pytest.raises(EbmsError, match="not trusted"):
        anchored.validate(pki.stranger.certificate, intermediates=list(pki.stranger.chain))
    # a partner certificate trusted as such needs no path
    assert keys.Truststore([pki.sender.certificate]).validate(pki.sender.certificate) == [
        pki.sender.certificate
    ]


def test_a_leaf_cannot_act_as_a_ca(pki):
    impostor = issue("impostor", pki.sender)  # issued by an end-entity certificate
    with pytest.raises(EbmsError, match="not a CA"):
        keys.Truststore([pki.root.certificate]).validate(
            impostor.certificate, intermediates=[pki.sender.certificate, pki.intermediate.certificate]
        )


def test_validity_is_checked_on_every_certificate_of_the_path(pki):
    store = keys.Truststore([pki.root.certificate], known=[pki.intermediate.certificate])
    with pytest.raises(EbmsError, match="not yet valid"):
        store.validate(pki.sender.certificate, at=NOW - dt.timedelta(days=30))
    with pytest.raises(EbmsError, match="expired"):
        store.validate(pki.sender.certificate, at=NOW + dt.timedelta(days=400))
    store.validate(pki.sender.certificate, at=NOW)


def test_ski_is_computed_when_the_extension_is_missing(pki):
    certificate = (
        x509.CertificateBuilder()
        .subject_name(pki.sender.certificate.subject)
        .issuer_name(pki.sender.certificate.subject)
        .public_key(pki.sender.private_key.public_key())
        .serial_number(1)
        .not_valid_before(NOW)
        .not_valid_after(NOW + dt.timedelta(days=1))
        .sign(pki.sender.private_key, hashes.SHA256())
    )
    assert keys.subject_key_identifier(certificate) == keys.subject_key_identifier(pki.sender.certificate)
