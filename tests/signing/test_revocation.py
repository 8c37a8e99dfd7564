"""Revocation data embedded in the file is honoured: a CRL in the PDF's DSS that lists the signer.

The signer certificates declare a CRL distribution point (as real ones do): nothing is fetched
from it (fetching is off), the CRL comes from the document.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.sign.validation import DocumentSecurityStore

from portal.signing.report import Indication, SubIndication
from portal.signing.trust import TrustContext
from portal.signing.validation import validate

from .pki import NOW, make_leaf, sign_pdf

CRL_URL = "http://127.0.0.1:9/psc-test-root.crl"  # never fetched


def crl_of(pki, revoked_serials: list[int]) -> asn1_crl.CertificateList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.root.cert.subject)
        .last_update(NOW - timedelta(hours=1))
        .next_update(NOW + timedelta(days=7))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(pki.root.key.public_key()), critical=False
        )
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(NOW - timedelta(days=2))
            .build()
        )
    der = builder.sign(pki.root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    return asn1_crl.CertificateList.load(der)


def with_dss_crl(pdf: bytes, crl: asn1_crl.CertificateList) -> bytes:
    stream = BytesIO(pdf)
    DocumentSecurityStore.add_dss(stream, sig_contents=None, crls=[crl], force_write=True)
    return stream.getvalue()


def test_signer_revoked_before_validation_is_reported(pki):
    revoked = make_leaf(pki.root, "Revoked Signer", crl_url=CRL_URL)
    signed = with_dss_crl(sign_pdf(revoked, pki), crl_of(pki, [revoked.cert.serial_number]))
    report = validate(signed, "a.pdf", trust=TrustContext(anchors=[pki.root.asn1_cert]))
    [signature] = report.signatures
    assert signature.indication is not Indication.TOTAL_PASSED, report.to_json()
    assert signature.sub_indication in (SubIndication.REVOKED_NO_POE, SubIndication.REVOKED)


def test_crl_that_does_not_list_the_signer_passes(pki):
    signer = make_leaf(pki.root, "Good Standing", crl_url=CRL_URL)
    signed = with_dss_crl(sign_pdf(signer, pki), crl_of(pki, [12345]))
    report = validate(signed, "a.pdf", trust=TrustContext(anchors=[pki.root.asn1_cert]))
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()


def test_declared_crl_missing_from_the_file_is_indeterminate_not_passed(pki):
    """The certificate says where its revocation status lives; without that status, no TOTAL_PASSED."""
    signer = make_leaf(pki.root, "Unchecked", crl_url=CRL_URL)
    signed = sign_pdf(signer, pki)
    report = validate(signed, "a.pdf", trust=TrustContext(anchors=[pki.root.asn1_cert]))
    [signature] = report.signatures
    assert signature.indication is Indication.INDETERMINATE, report.to_json()
    # pyHanko's classic PDF validator reports missing revocation data as a general chain failure
    assert signature.sub_indication in (
        SubIndication.TRY_LATER,
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    )
    lenient = TrustContext(anchors=[pki.root.asn1_cert], revocation_mode="soft-fail")
    assert validate(signed, "a.pdf", trust=lenient).indication is Indication.TOTAL_PASSED
