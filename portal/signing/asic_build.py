"""Building ASiC-E containers sealed with XAdES (the successor of SPOCS' OCD).

``build_asice(files, seal_key, seal_cert)`` -> bytes: ``mimetype`` first and stored, the data
files, ``META-INF/manifest.xml``, ``META-INF/metadata.xml`` (our schema,
``schemas/asic-metadata-1.xsd``: every part named, data files with media type, size and SHA-256)
and ``META-INF/signatures0.xml`` holding one XAdES baseline signature whose references cover every
data file and the metadata: B-B; B-T when a time-stamper is given; B-LT when also a
``long_term`` validation context is given (the chains' certificates and their OCSP responses and
CRLs embedded as CertificateValues / RevocationValues).

The XML is assembled here rather than by signxml's signer because the ds:Signature must live
inside ``asic:XAdESSignatures`` and reference detached files; exclusive c14n everywhere keeps the
digests independent of that wrapper. Verification is done by signxml (see ``xades.py``).
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import uuid
import zipfile
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from lxml import etree

from .asic import ASICE_MIMETYPE, MANIFEST_NS, MAX_ENTRIES
from .common import run_sync
from .entry_names import unsafe_name_reason

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
ASIC = "http://uri.etsi.org/02918/v1.2.1#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
_SIGNATURE_METHODS = {
    "rsa": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "ec": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
}


METADATA_NS = "urn:eu:psc-portal:asic-metadata:1"
METADATA_NAME = "META-INF/metadata.xml"
SIGNATURE_NAME = "META-INF/signatures0.xml"
METADATA_SCHEMA = Path(__file__).resolve().parent / "schemas" / "asic-metadata-1.xsd"


class ContainerBuildError(ValueError):
    pass


def _ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def _xades(tag: str) -> str:
    return f"{{{XADES}}}{tag}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {key: value for key, value in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _digest_method(parent: etree._Element) -> None:
    _sub(parent, _ds("DigestMethod"), Algorithm=SHA256)


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def _signature_method(key) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return _SIGNATURE_METHODS["rsa"]
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _SIGNATURE_METHODS["ec"]
    raise ContainerBuildError(f"unsupported seal key type {type(key).__name__}")


def _sign(key, data: bytes) -> tuple[str, bytes]:
    if isinstance(key, rsa.RSAPrivateKey):
        return _SIGNATURE_METHODS["rsa"], key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        size = (key.curve.key_size + 7) // 8
        return _SIGNATURE_METHODS["ec"], r.to_bytes(size, "big") + s.to_bytes(size, "big")  # XMLDSig: r || s
    raise ContainerBuildError(f"unsupported seal key type {type(key).__name__}")


def _check_files(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    checked = []
    seen = set()
    for name, content in files:
        reason = unsafe_name_reason(name)
        if reason:
            raise ContainerBuildError(f"cannot add a file with {reason}")
        if name == "mimetype" or name.startswith("META-INF/"):
            raise ContainerBuildError(f"{name!r} is reserved for the container itself")
        if name in seen:
            raise ContainerBuildError(f"{name!r} added twice")
        seen.add(name)
        checked.append((name, bytes(content)))
    if not checked:
        raise ContainerBuildError("a container needs at least one data file")
    if len(checked) + 4 > MAX_ENTRIES:
        raise ContainerBuildError(f"more than {MAX_ENTRIES - 4} files")
    return checked


def _media_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def build_manifest(names: list[str]) -> bytes:
    root = etree.Element(f"{{{MANIFEST_NS}}}manifest", nsmap={"manifest": MANIFEST_NS})
    root.set(f"{{{MANIFEST_NS}}}version", "1.2")
    entry = etree.SubElement(root, f"{{{MANIFEST_NS}}}file-entry")
    entry.set(f"{{{MANIFEST_NS}}}full-path", "/")
    entry.set(f"{{{MANIFEST_NS}}}media-type", ASICE_MIMETYPE)
    for name in names:
        entry = etree.SubElement(root, f"{{{MANIFEST_NS}}}file-entry")
        entry.set(f"{{{MANIFEST_NS}}}full-path", name)
        entry.set(f"{{{MANIFEST_NS}}}media-type", _media_type(name))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def build_metadata(
    files: list[tuple[str, bytes]], *, created: datetime, properties: dict[str, str] | None = None
) -> bytes:
    """``META-INF/metadata.xml``: the parts of the container (schema ``asic-metadata-1.xsd``)."""
    root = etree.Element(f"{{{METADATA_NS}}}ContainerMetadata", nsmap={None: METADATA_NS}, version="1")
    _sub(root, f"{{{METADATA_NS}}}Created", created.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(root, f"{{{METADATA_NS}}}Producer", "Point of Single Contact portal")
    for name, value in (properties or {}).items():
        _sub(root, f"{{{METADATA_NS}}}Property", str(value), name=str(name))
    _sub(root, f"{{{METADATA_NS}}}Part", name="mimetype", role="mimetype", mediaType="text/plain")
    for name, content in files:
        _sub(
            root, f"{{{METADATA_NS}}}Part", name=name, role="data", mediaType=_media_type(name),
            size=str(len(content)), sha256=_b64(hashlib.sha256(content).digest()),
        )  # fmt: skip
    _sub(root, f"{{{METADATA_NS}}}Part", name="META-INF/manifest.xml", role="manifest", mediaType="text/xml")
    _sub(root, f"{{{METADATA_NS}}}Part", name=METADATA_NAME, role="metadata", mediaType="text/xml")
    _sub(root, f"{{{METADATA_NS}}}Part", name=SIGNATURE_NAME, role="signature", mediaType="text/xml")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _long_term_values(seal_cert: x509.Certificate, chain, token, context) -> tuple[list, list, list]:
    """Validate the seal's and the TSA's chains with ``context`` (fetching OCSP/CRLs as it allows).

    Returns (certificates, CRLs, OCSP responses) to embed, all asn1crypto objects.
    """
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    seal = asn1_x509.Certificate.load(seal_cert.public_bytes(serialization.Encoding.DER))
    intermediates = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain]
    signed_data = token["content"]
    token_certs = [choice.chosen for choice in signed_data["certificates"] if choice.name == "certificate"]
    sid = signed_data["signer_infos"][0]["sid"].chosen
    tsa = next(
        (
            c
            for c in token_certs
            if c.issuer == sid["issuer"] and c.serial_number == sid["serial_number"].native
        ),
        None,
    )
    if tsa is None:
        raise ContainerBuildError("the signature timestamp carries no TSA certificate")

    async def paths():
        # one event loop for both chains: the context's fetchers keep their HTTP session
        found = []
        for leaf, others in ((seal, intermediates), (tsa, token_certs)):
            validator = CertificateValidator(
                leaf, intermediate_certs=[*intermediates, *others], validation_context=context
            )
            try:
                found.append(await validator.async_validate_usage(set()))
            except (PathBuildingError, PathValidationError) as error:
                raise ContainerBuildError(
                    f"no validation data for {leaf.subject.human_friendly}: {error}"
                ) from None
        return found

    certificates: dict[bytes, asn1_x509.Certificate] = {}
    for path in run_sync(paths()):
        for cert in path:
            certificates[cert.sha256] = cert
    for response in context.ocsps:  # the responders' certificates travel inside the responses
        for cert in response["response_bytes"]["response"].parsed["certs"] or []:
            certificates[cert.sha256] = cert
    return list(certificates.values()), list(context.crls), list(context.ocsps)


def build_xades_signature(
    files: list[tuple[str, bytes]],
    seal_key,
    seal_cert: x509.Certificate,
    *,
    chain: Iterable[x509.Certificate] = (),
    signing_time: datetime | None = None,
    timestamper=None,
    long_term=None,
    archive_timestamp: bool = False,
) -> bytes:
    """The ``asic:XAdESSignatures`` document with one XAdES signature over ``files``."""
    if long_term is not None and timestamper is None:
        raise ContainerBuildError("XAdES B-LT needs a signature timestamp: give a timestamper")
    if archive_timestamp and long_term is None:
        raise ContainerBuildError("XAdES B-LTA builds on B-LT: give the long-term validation context")
    signature_id = f"S-{uuid.uuid4().hex}"
    signing_time = (signing_time or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    root = etree.Element(f"{{{ASIC}}}XAdESSignatures", nsmap={"asic": ASIC, "ds": DS, "xades": XADES})
    signature = _sub(root, _ds("Signature"), Id=signature_id)
    signed_info = _sub(signature, _ds("SignedInfo"))
    _sub(signed_info, _ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
    method = _sub(signed_info, _ds("SignatureMethod"))
    for index, (name, content) in enumerate(files):
        reference = _sub(signed_info, _ds("Reference"), Id=f"{signature_id}-r{index}", URI=quote(name))
        _digest_method(reference)
        _sub(reference, _ds("DigestValue"), _b64(hashlib.sha256(content).digest()))
    properties_reference = _sub(
        signed_info,
        _ds("Reference"),
        Type="http://uri.etsi.org/01903#SignedProperties",
        URI=f"#{signature_id}-SignedProperties",
    )
    transforms = _sub(properties_reference, _ds("Transforms"))
    _sub(transforms, _ds("Transform"), Algorithm=EXC_C14N)
    _digest_method(properties_reference)
    properties_digest = _sub(properties_reference, _ds("DigestValue"))
    signature_value = _sub(signature, _ds("SignatureValue"), Id=f"{signature_id}-SignatureValue")

    key_info = _sub(signature, _ds("KeyInfo"))
    x509_data = _sub(key_info, _ds("X509Data"))
    for cert in (seal_cert, *chain):
        _sub(x509_data, _ds("X509Certificate"), _b64(cert.public_bytes(serialization.Encoding.DER)))

    qualifying = _sub(
        _sub(signature, _ds("Object")), _xades("QualifyingProperties"), Target=f"#{signature_id}"
    )
    signed_properties = _sub(qualifying, _xades("SignedProperties"), Id=f"{signature_id}-SignedProperties")
    signature_properties = _sub(signed_properties, _xades("SignedSignatureProperties"))
    _sub(signature_properties, _xades("SigningTime"), signing_time.strftime("%Y-%m-%dT%H:%M:%SZ"))
    cert_digest = _sub(
        _sub(_sub(signature_properties, _xades("SigningCertificateV2")), _xades("Cert")), _xades("CertDigest")
    )
    _digest_method(cert_digest)
    _sub(cert_digest, _ds("DigestValue"), _b64(seal_cert.fingerprint(hashes.SHA256())))
    data_properties = _sub(signed_properties, _xades("SignedDataObjectProperties"))
    for index, (name, _) in enumerate(files):
        data_format = _sub(
            data_properties, _xades("DataObjectFormat"), ObjectReference=f"#{signature_id}-r{index}"
        )
        _sub(data_format, _xades("MimeType"), _media_type(name))

    properties_digest.text = _b64(hashlib.sha256(_c14n(signed_properties)).digest())
    method.set("Algorithm", _signature_method(seal_key))
    _, raw_signature = _sign(seal_key, _c14n(signed_info))
    signature_value.text = _b64(raw_signature)

    if timestamper is not None:
        imprint = hashlib.sha256(_c14n(signature_value)).digest()
        token = run_sync(timestamper.async_timestamp(imprint, "sha256"))
        unsigned = _sub(_sub(qualifying, _xades("UnsignedProperties")), _xades("UnsignedSignatureProperties"))
        timestamp = _sub(unsigned, _xades("SignatureTimeStamp"), Id=f"{signature_id}-T0")
        _sub(timestamp, _ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
        _sub(timestamp, _xades("EncapsulatedTimeStamp"), _b64(token.dump()))
        if long_term is not None:
            certificates, crls, ocsps = _long_term_values(seal_cert, chain, token, long_term)
            values = _sub(unsigned, _xades("CertificateValues"))
            for cert in certificates:
                _sub(values, _xades("EncapsulatedX509Certificate"), _b64(cert.dump()))
            revocation = _sub(unsigned, _xades("RevocationValues"))
            if crls:
                crl_values = _sub(revocation, _xades("CRLValues"))
                for crl in crls:
                    _sub(crl_values, _xades("EncapsulatedCRLValue"), _b64(crl.dump()))
            if ocsps:
                ocsp_values = _sub(revocation, _xades("OCSPValues"))
                for response in ocsps:
                    _sub(ocsp_values, _xades("EncapsulatedOCSPValue"), _b64(response.dump()))
            if archive_timestamp:
                _add_archive_timestamp(signature, unsigned, dict(files), timestamper, signature_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _add_archive_timestamp(
    signature, unsigned, files: dict[str, bytes], timestamper, signature_id: str
) -> None:
    """xades141:ArchiveTimeStamp over the references, the signature and its values: B-LTA."""
    from urllib.parse import unquote

    from .xades import archive_timestamp_input

    stamped = archive_timestamp_input(signature, lambda uri: files[unquote(uri)], EXC_C14N)
    token = run_sync(timestamper.async_timestamp(hashlib.sha256(stamped).digest(), "sha256"))
    archive = _sub(unsigned, f"{{{XADES141}}}ArchiveTimeStamp", Id=f"{signature_id}-A0")
    _sub(archive, _ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
    _sub(archive, _xades("EncapsulatedTimeStamp"), _b64(token.dump()))


def _compression_for(content: bytes) -> int:
    """Deflate what deflates, store what does not: PDFs, images and archives are compressed
    already, and deflating them costs about 30 ms per MiB to gain nothing (bench/README.md)."""
    sample = content[:65536]
    if len(sample) < 4096:
        return zipfile.ZIP_DEFLATED
    return zipfile.ZIP_DEFLATED if len(zlib.compress(sample, 1)) < 0.9 * len(sample) else zipfile.ZIP_STORED


def build_asice(
    files: dict[str, bytes] | Iterable[tuple[str, bytes]],
    seal_key,
    seal_cert: x509.Certificate,
    *,
    chain: Iterable[x509.Certificate] = (),
    signing_time: datetime | None = None,
    timestamper=None,
    long_term=None,
    archive_timestamp: bool = False,
    metadata: dict[str, str] | None = None,
) -> bytes:
    """An ASiC-E container sealed over all ``files`` (name -> bytes) with ``seal_key``/``seal_cert``.

    ``chain``: intermediate certificates to embed. ``timestamper``: a pyHanko ``TimeStamper``
    (for instance ``HTTPTimeStamper(url)``) to reach XAdES B-T. ``long_term``: a pyhanko-certvalidator
    ``ValidationContext`` (trust roots, fetching allowed, hard-fail) to reach B-LT: the seal's and
    the TSA's chains must validate with it, else ``ContainerBuildError`` and nothing is built.
    ``archive_timestamp``: with ``long_term``, add a xades141:ArchiveTimeStamp from ``timestamper``
    over the signature and its validation data: B-LTA.
    ``metadata``: extra properties for ``META-INF/metadata.xml`` (for instance a dossier reference).
    """
    checked = _check_files(files.items() if isinstance(files, dict) else files)
    chain = list(chain)
    signing_time = (signing_time or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    metadata_xml = build_metadata(checked, created=signing_time, properties=metadata)
    signatures = build_xades_signature(
        [*checked, (METADATA_NAME, metadata_xml)], seal_key, seal_cert, chain=chain,
        signing_time=signing_time, timestamper=timestamper, long_term=long_term,
        archive_timestamp=archive_timestamp,
    )  # fmt: skip
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), ASICE_MIMETYPE.encode("ascii"), compress_type=zipfile.ZIP_STORED
        )
        for name, content in checked:
            archive.writestr(name, content, compress_type=_compression_for(content))
        archive.writestr(
            "META-INF/manifest.xml",
            build_manifest([name for name, _ in checked]),
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(METADATA_NAME, metadata_xml, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(SIGNATURE_NAME, signatures, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
