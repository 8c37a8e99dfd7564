"""XAdES signatures (ETSI EN 319 132-1): ds:Signature verified with signxml, the rest by hand.

Each ``ds:Signature`` is isolated from its sibling signatures, then signxml's ``XAdESVerifier`` checks,
with the certificate the signed SigningCertificate(V2) property names, SignedInfo's signature value, every
reference digest (detached references resolved against the container's files) and the signed properties
(signing-certificate digest). This module adds what signxml does not:

* algorithm strength: SHA-1/MD5 in SignatureMethod or a reference, or an RSA key under 2048 bits ->
  CRYPTO_CONSTRAINTS_FAILURE_NO_POE;
* the signer's chain against the trust context at the validation time (pyhanko-certvalidator, with the
  CRLs and OCSP responses of RevocationValues): certificate time checks are not left to signxml;
* the level: B; T when the signature timestamp verifies (imprint over the canonicalised
  ds:SignatureValue, TSA CMS signature and chain; a timestamp hashed with exclusive c14n while declaring
  none, as some DigiDoc producers do, is accepted with a warning); LT with CertificateValues and
  RevocationValues; LTA when a ``xades141:ArchiveTimeStamp`` verifies (EN 319 132-1 §5.5.2.2: every
  reference's data, SignedInfo, SignatureValue, KeyInfo, the unsigned signature properties before it and
  the other ds:Objects, canonicalised with its CanonicalizationMethod) and its TSA is trusted; otherwise
  LT with a warning saying why. A XAdES 1.3.2 ``xades:ArchiveTimeStamp`` is not verified (LT, warning);
* with trusted lists, the qualification.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import unquote

from asn1crypto import cms, ocsp, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography.x509 import load_der_x509_certificate
from lxml import etree
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from signxml.exceptions import (
    InvalidCertificate,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
    SignXMLException,
)
from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

from .common import as_utc, key_size_problem, run_sync, signer_name, validate_chain
from .report import Level, SignatureReport, SubIndication, ValidationReport
from .trust import TrustContext

logger = logging.getLogger(__name__)

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
NS = {"ds": DS, "xades": XADES, "xades141": XADES141}
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

_C14N = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
    "http://www.w3.org/2006/12/xml-c14n11": (False, False),
    "http://www.w3.org/2006/12/xml-c14n11#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}


class SignedDataMissing(LookupError):
    pass


def validate_xml(
    data: bytes, filename: str, trust: TrustContext, at: datetime | None, report: ValidationReport
) -> None:
    """A standalone XAdES file: enveloped/enveloping references only (detached data is not at hand)."""
    report.format = "XAdES"
    validate_signature_file(data, filename, {}, [], trust, at, report)


def validate_signature_file(
    content: bytes,
    name: str,
    entries: dict[str, bytes],
    data_files: list[str],
    trust: TrustContext,
    at: datetime | None,
    report: ValidationReport,
) -> set[str]:
    """Validate every ds:Signature in ``content``; return the data files covered by passing references."""
    try:
        document = etree.fromstring(content, parser=_SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        report.errors.append(f"{name}: not well-formed XML: {error}")
        report.signatures.append(
            SignatureReport.from_sub_indication(SubIndication.FORMAT_FAILURE, format="XAdES")
        )
        return set()
    signatures = (
        [document] if document.tag == f"{{{DS}}}Signature" else document.findall(f".//{{{DS}}}Signature")
    )
    if not signatures:
        report.errors.append(f"{name}: no ds:Signature element")
        return set()
    covered: set[str] = set()
    for index, signature in enumerate(signatures):
        label = f"{name}#{index + 1}" if len(signatures) > 1 else name
        try:
            result, files = _validate_one(document, signature, label, entries, data_files, trust, at, report)
        except Exception as error:
            logger.warning("XAdES validation crashed on %s", label, exc_info=True)
            report.validator_crashed = True
            report.errors.append(f"{label}: could not be validated: {type(error).__name__}: {error}")
            result, files = SignatureReport.from_sub_indication(SubIndication.GENERIC, format="XAdES"), set()
        report.signatures.append(result)
        covered |= files
    return covered


def _isolated(document: etree._Element, signature: etree._Element) -> etree._Element:
    """A copy of the document in which ``signature`` is the only ds:Signature (signxml takes the first)."""
    signatures = list(document.iter(f"{{{DS}}}Signature"))
    if document is signature or signatures == [signature]:
        return document  # alone already: no copy (a copy of a large signature file costs)
    position = signatures.index(signature)
    clone = copy.deepcopy(document)
    for other_index, other in enumerate(list(clone.iter(f"{{{DS}}}Signature"))):
        if other_index != position and other.getparent() is not None:
            other.getparent().remove(other)
    return clone


def _certificates(signature: etree._Element) -> list[asn1_x509.Certificate]:
    certs = []
    for path in (
        "ds:KeyInfo/ds:X509Data/ds:X509Certificate",
        ".//xades:CertificateValues/xades:EncapsulatedX509Certificate",
    ):
        for element in signature.findall(path, NS):
            certs.append(asn1_x509.Certificate.load(base64.b64decode("".join(element.text.split()))))
    return certs


def _signing_certificate(
    signature: etree._Element, certs: list[asn1_x509.Certificate]
) -> asn1_x509.Certificate | None:
    """The certificate whose digest the signed SigningCertificate(V2) property names, else the first one."""
    for cert_digest in signature.findall(".//xades:SignedSignatureProperties//xades:CertDigest", NS):
        method = cert_digest.find("ds:DigestMethod", NS).get("Algorithm", "")
        value = base64.b64decode("".join(cert_digest.findtext("ds:DigestValue", "", NS).split()))
        algorithm = method.rsplit("#", 1)[-1].replace("-", "")
        algorithm = {
            "sha1": "sha1",
            "sha224": "sha224",
            "sha256": "sha256",
            "sha384": "sha384",
            "sha512": "sha512",
        }.get(algorithm)
        if not algorithm:
            continue
        for cert in certs:
            if hashlib.new(algorithm, cert.dump()).digest() == value:
                return cert
    key_info_certs = signature.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    return certs[0] if key_info_certs else None


SIGNABLE_META_INF = {"META-INF/manifest.xml", "META-INF/metadata.xml"}


def _resolver(entries: dict[str, bytes], resolved: list[str]) -> Callable[[str], bytes]:
    def resolve(uri: str) -> bytes:
        path = unquote(uri)
        if path.startswith("./"):
            path = path[2:]
        # Of META-INF, only the manifest and our container metadata may be signed: never a signature.
        if (
            path not in entries
            or path == "mimetype"
            or (path.startswith("META-INF/") and path not in SIGNABLE_META_INF)
        ):
            raise SignedDataMissing(path)
        resolved.append(path)
        return entries[path]

    return resolve


def _references_own_document(signature: etree._Element) -> bool:
    for reference in signature.findall("ds:SignedInfo/ds:Reference", NS):
        uri = reference.get("URI")
        if reference.get("Type", "").endswith("#SignedProperties"):
            continue
        if uri == "" or (uri or "").startswith("#"):
            return True
    return False


def _weak_algorithms(signature: etree._Element) -> str | None:
    method = signature.find("ds:SignedInfo/ds:SignatureMethod", NS)
    algorithms = [method.get("Algorithm", "")] if method is not None else []
    algorithms += [
        d.get("Algorithm", "") for d in signature.findall("ds:SignedInfo/ds:Reference/ds:DigestMethod", NS)
    ]
    for algorithm in algorithms:
        lowered = algorithm.lower()
        if lowered.endswith(("sha1", "md5")) or "sha1" in lowered.rsplit("#", 1)[-1].split("-"):
            return f"weak algorithm {algorithm}"
    return None


def _validate_one(document, signature, label, entries, data_files, trust, at, report):
    result = SignatureReport(indication=SignatureReport.from_sub_indication(None).indication, format="XAdES")
    certs = _certificates(signature)
    signing_cert = _signing_certificate(signature, certs)
    if signing_cert is None:
        report.errors.append(f"{label}: no signing certificate in the signature")
        return SignatureReport.from_sub_indication(
            SubIndication.NO_SIGNING_CERTIFICATE_FOUND, format="XAdES"
        ), set()
    result.signer = signer_name(signing_cert)
    claimed_time = signature.findtext(".//xades:SignedSignatureProperties/xades:SigningTime", None, NS)
    claimed = (
        as_utc(datetime.fromisoformat(claimed_time.strip().replace("Z", "+00:00"))) if claimed_time else None
    )
    result.signing_time = claimed

    def fail(sub: SubIndication, message: str, files: set[str] = frozenset()):
        result.sub_indication = sub
        result.indication = SignatureReport.from_sub_indication(sub).indication
        result.covers = sorted(files)
        report.errors.append(f"{label}: {message}")
        return result, set(files) if sub is None else set()

    try:
        weak = _weak_algorithms(signature) or key_size_problem(signing_cert)
    except ValueError as error:
        return fail(SubIndication.FORMAT_FAILURE, f"the signer's public key cannot be read: {error}")
    if weak:
        return fail(SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE, weak)

    resolved: list[str] = []
    # signxml is asked for cryptography and references only: the time-dependent certificate checks
    # happen below, against the trust context at the validation time.
    config = XAdESSignatureConfiguration(
        require_x509=True,
        expect_references=True,
        verification_time=signing_cert.not_valid_before + timedelta(seconds=1),
    )
    try:
        XAdESVerifier().verify(
            _isolated(document, signature),
            x509_cert=load_der_x509_certificate(signing_cert.dump()),
            uri_resolver=_resolver(entries, resolved),
            expect_config=config,
        )
    except SignedDataMissing as error:
        return fail(
            SubIndication.SIGNED_DATA_NOT_FOUND, f"signed file {error.args[0]!r} is not in the container"
        )
    except InvalidDigest as error:
        return fail(SubIndication.HASH_FAILURE, f"a signed file or property was altered: {error}")
    except InvalidSignature as error:
        return fail(SubIndication.SIG_CRYPTO_FAILURE, f"the signature value does not verify: {error}")
    except etree.DocumentInvalid as error:
        return fail(
            SubIndication.FORMAT_FAILURE, f"not valid against the XML Signature / XAdES schema: {error}"
        )
    except (InvalidCertificate, InvalidInput, SignXMLException) as error:
        return fail(SubIndication.FORMAT_FAILURE, f"{type(error).__name__}: {error}")
    covered = {path for path in resolved if path in data_files}
    result.covers = sorted(covered)
    if not data_files and _references_own_document(signature):
        result.covers = [label]  # a standalone enveloped/enveloping signature covers its own file
    if signature.find(".//xades:SignedProperties", NS) is None:
        report.warnings.append(f"{label}: plain XML signature without XAdES signed properties")

    crls, ocsps = _revocation_values(signature, label, report)
    level, signing_time = _level(signature, trust, at, certs, label, report, crls, ocsps, entries)
    result.level = level
    result.signing_time = signing_time or claimed

    context = trust.validation_context(moment=at, other_certs=certs, crls=crls, ocsps=ocsps)
    chain = validate_chain(signing_cert, context)
    if chain.sub_indication is not None:
        result.sub_indication = chain.sub_indication
        result.indication = SignatureReport.from_sub_indication(chain.sub_indication).indication
        report.errors.append(f"{label}: the signer's certificate is not validated: {chain.message}")
        return result, covered
    result.qualification = trust.qualification(chain.path, result.signing_time)
    return result, covered


def _revocation_values(signature, label, report) -> tuple[list, list]:
    crls, ocsps = [], []
    for element in signature.findall(
        ".//xades:RevocationValues/xades:CRLValues/xades:EncapsulatedCRLValue", NS
    ):
        try:
            crls.append(asn1_crl.CertificateList.load(base64.b64decode("".join(element.text.split()))))
        except Exception:
            report.warnings.append(f"{label}: an embedded CRL cannot be read")
    for element in signature.findall(
        ".//xades:RevocationValues/xades:OCSPValues/xades:EncapsulatedOCSPValue", NS
    ):
        try:
            ocsps.append(ocsp.OCSPResponse.load(base64.b64decode("".join(element.text.split()))))
        except Exception:
            report.warnings.append(f"{label}: an embedded OCSP response cannot be read")
    return crls, ocsps


def _level(
    signature, trust, at, certs, label, report, crls=(), ocsps=(), entries=None
) -> tuple[Level, datetime | None]:
    """B unless a signature timestamp verifies (T); LT with certificate and revocation values;
    LTA when an archive timestamp over all of that verifies and its TSA is trusted."""
    timestamp_element = signature.find(".//xades:UnsignedSignatureProperties/xades:SignatureTimeStamp", NS)
    if timestamp_element is None:
        return Level.B, None
    time = _verify_signature_timestamp(
        signature, timestamp_element, trust, at, certs, label, report, crls=crls, ocsps=ocsps
    )
    if time is None:
        return Level.B, None
    unsigned = signature.find(".//xades:UnsignedSignatureProperties", NS)
    has_values = unsigned.find("xades:CertificateValues", NS) is not None and (
        unsigned.find("xades:RevocationValues", NS) is not None
    )
    if not has_values:
        return Level.T, time
    if unsigned.find("xades:ArchiveTimeStamp", NS) is not None:
        report.warnings.append(
            f"{label}: an XAdES 1.3.2 archive timestamp is not verified by this validator (only "
            "xades141:ArchiveTimeStamp is); level reported as LT"
        )
    for element in unsigned.findall("xades141:ArchiveTimeStamp", NS):
        if _verify_archive_timestamp(
            signature, element, entries or {}, trust, at, certs, label, report, crls, ocsps
        ):
            return Level.LTA, time
    return Level.LT, time


class ArchiveInputError(ValueError):
    """The archive timestamp's input cannot be computed (unsupported reference or transform)."""


def _c14n(element: etree._Element, algorithm: str) -> bytes:
    exclusive, comments = _C14N.get(algorithm, (False, False))
    return etree.tostring(element, method="c14n", exclusive=exclusive, with_comments=comments)


def _element_by_id(signature: etree._Element, identifier: str) -> etree._Element | None:
    for element in signature.getroottree().getroot().iter():
        if isinstance(element.tag, str) and identifier in (
            element.get("Id"),
            element.get("ID"),
            element.get("id"),
        ):
            return element
    return None


def archive_timestamp_input(
    signature: etree._Element,
    resolve: Callable[[str], bytes],
    algorithm: str,
    *,
    before: etree._Element | None = None,
) -> bytes:
    """What a xades141:ArchiveTimeStamp stamps (EN 319 132-1 §5.5.2.2, XAdES 1.4.1 §8.2.1):
    every reference's data as signed, then ds:SignedInfo, ds:SignatureValue and ds:KeyInfo, the
    unsigned signature properties before the archive timestamp (``before``; all when None) and
    the ds:Objects other than the one holding the qualifying properties, XML canonicalised with
    ``algorithm``. ``resolve`` gives a detached reference's bytes."""
    parts: list[bytes] = []
    for reference in signature.findall("ds:SignedInfo/ds:Reference", NS):
        uri = reference.get("URI")
        transforms = [t.get("Algorithm", "") for t in reference.findall("ds:Transforms/ds:Transform", NS)]
        if not uri:
            raise ArchiveInputError("a reference to the enclosing document is not supported")
        if uri.startswith("#"):
            target = _element_by_id(signature, uri[1:])
            if target is None:
                raise ArchiveInputError(f"reference {uri} names no element")
            if any(t not in _C14N for t in transforms):
                raise ArchiveInputError(f"a transform of reference {uri} is not supported")
            parts.append(_c14n(target, transforms[-1] if transforms else algorithm))
        else:
            if transforms:
                raise ArchiveInputError(f"transforms on the detached reference {uri} are not supported")
            parts.append(resolve(uri))
    for path in ("ds:SignedInfo", "ds:SignatureValue", "ds:KeyInfo"):
        element = signature.find(path, NS)
        if element is not None:
            parts.append(_c14n(element, algorithm))
    unsigned = signature.find(".//xades:UnsignedSignatureProperties", NS)
    for child in unsigned if unsigned is not None else ():
        if child is before:
            break
        if isinstance(child.tag, str):
            parts.append(_c14n(child, algorithm))
    for element in signature.findall("ds:Object", NS):
        if element.find("xades:QualifyingProperties", NS) is None:
            parts.append(_c14n(element, algorithm))
    return b"".join(parts)


def _verify_archive_timestamp(
    signature, element, entries, trust, at, certs, label, report, crls, ocsps
) -> bool:
    encapsulated = element.find("xades:EncapsulatedTimeStamp", NS)
    method = element.find("ds:CanonicalizationMethod", NS)
    algorithm = (
        method.get("Algorithm") if method is not None else "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    )
    if encapsulated is None or algorithm not in _C14N:
        report.warnings.append(
            f"{label}: the archive timestamp is not encapsulated or its canonicalization is unknown"
        )
        return False
    try:
        stamped = archive_timestamp_input(signature, _resolver(entries, []), algorithm, before=element)
        token = cms.ContentInfo.load(base64.b64decode("".join(encapsulated.text.split())))
        status = run_sync(
            validate_tst_signed_data(
                token["content"],
                trust.validation_context(
                    moment=at, other_certs=certs, for_timestamps=True, crls=crls, ocsps=ocsps
                ),
                expected_tst_imprint=lambda digest: hashlib.new(digest, stamped).digest(),
            )
        )
    except (ArchiveInputError, SignedDataMissing) as error:
        report.warnings.append(f"{label}: the archive timestamp cannot be checked: {error}")
        return False
    except Exception as error:
        report.warnings.append(
            f"{label}: the archive timestamp cannot be verified: {type(error).__name__}: {error}"
        )
        return False
    if not (status.get("intact") and status.get("valid")):
        report.warnings.append(f"{label}: the archive timestamp does not match the signature and its values")
        return False
    if status.get("trust_problem_indic") is not None or status.get("validation_path") is None:
        report.warnings.append(f"{label}: the archive timestamp's TSA is not trusted; level reported as LT")
        return False
    return True


def _verify_signature_timestamp(
    signature, element, trust, at, certs, label, report, *, crls=(), ocsps=()
) -> datetime | None:
    encapsulated = element.find("xades:EncapsulatedTimeStamp", NS)
    if encapsulated is None:
        report.warnings.append(f"{label}: the signature timestamp is not encapsulated")
        return None
    method = element.find("ds:CanonicalizationMethod", NS)
    declared = (
        method.get("Algorithm") if method is not None else "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    )
    exclusive, comments = _C14N.get(declared, (False, False))
    signature_value = signature.find("ds:SignatureValue", NS)
    declared_c14n = etree.tostring(
        signature_value, method="c14n", exclusive=exclusive, with_comments=comments
    )
    # Some producers (seen in DigiDoc containers) hash the exclusive form while declaring none:
    # accepted, with a warning, because the imprint still binds the very same signature value.
    other_c14n = etree.tostring(
        signature_value, method="c14n", exclusive=not exclusive, with_comments=comments
    )
    try:
        token = cms.ContentInfo.load(base64.b64decode("".join(encapsulated.text.split())))
        signed_data = token["content"]
        tst_info = tsp.TSTInfo.load(signed_data["encap_content_info"]["content"].contents)
        imprint = tst_info["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        c14n = declared_c14n
        expected = imprint["hashed_message"].native
        if (
            hashlib.new(algorithm, declared_c14n).digest() != expected
            and hashlib.new(algorithm, other_c14n).digest() == expected
        ):
            c14n = other_c14n
            report.warnings.append(
                f"{label}: the signature timestamp was computed with a canonicalization other than the declared one"
            )
        status = run_sync(
            validate_tst_signed_data(
                signed_data,
                trust.validation_context(
                    moment=at, other_certs=certs, for_timestamps=True, crls=crls, ocsps=ocsps
                ),
                expected_tst_imprint=lambda algorithm: hashlib.new(algorithm, c14n).digest(),
            )
        )
    except Exception as error:
        report.warnings.append(
            f"{label}: the signature timestamp cannot be verified: {type(error).__name__}: {error}"
        )
        return None
    if not (status.get("intact") and status.get("valid")):
        report.warnings.append(f"{label}: the signature timestamp does not match the signature value")
        return None
    if status.get("trust_problem_indic") is not None or status.get("validation_path") is None:
        report.warnings.append(f"{label}: the signature timestamp's TSA is not trusted")
    return as_utc(status.get("timestamp"))
