"""CAdES: CMS signatures (.p7s), detached or enveloping, validated with pyHanko's CMS validator.

* **Stand-alone** (:func:`validate_cms`): enveloping when the CMS carries its content; detached, the
  signed data comes from ``detached_content`` (the only entry, or the one named like the ``.p7s``
  without its extension); without it the signature is SIGNED_DATA_NOT_FOUND.
* **In an ASiC container** (:func:`validate_container_cms`): a ``META-INF/*signature*.p7s`` signs the
  ``META-INF/ASiCManifest*.xml`` whose ``SigReference`` names it (ASiC-E, EN 319 162-1 §4.4.3). The CMS
  is validated over the manifest, then every ``DataObjectReference`` must name a data file of the
  container (a safe name, not ``mimetype``, not under META-INF) whose digest matches (SHA-2 or SHA-3;
  SHA-1/MD5 -> CRYPTO_CONSTRAINTS_FAILURE_NO_POE, a mismatch -> HASH_FAILURE, a missing file ->
  SIGNED_DATA_NOT_FOUND, a manifest listing nothing or an unknown digest -> FORMAT_FAILURE). One such
  problem and the signature covers nothing. Without a manifest naming it, a ``.p7s`` signs the single
  data file (ASiC-S); with several data files it signs nothing (SIGNED_DATA_NOT_FOUND).
* A signature whose data did not verify (hash, signature value or format failure) covers no file, so the
  files stay ``unsigned_files``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import datetime
from urllib.parse import unquote

from asn1crypto import cms, pem
from lxml import etree
from pyhanko.sign.validation import async_validate_detached_cms
from pyhanko.sign.validation.generic_cms import async_validate_cms_signature
from pyhanko.sign.validation.status import StandardCMSSignatureStatus

from .common import as_utc, run_sync, signer_name, sub_indication_from_pyhanko
from .entry_names import unsafe_name_reason
from .report import Level, SignatureReport, SubIndication, ValidationReport, indication_for
from .trust import TrustContext

logger = logging.getLogger(__name__)


def _load(data: bytes) -> cms.SignedData:
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    info = cms.ContentInfo.load(data)
    if info["content_type"].native != "signed_data":
        raise ValueError(f"CMS content type is {info['content_type'].native}, not signed data")
    signed_data = info["content"]
    signed_data.native  # noqa: B018  (parse everything now: a broken structure fails here, not later)
    return signed_data


def validate_cms(
    data: bytes,
    filename: str,
    trust: TrustContext,
    at: datetime | None,
    report: ValidationReport,
    detached_content: dict[str, bytes],
) -> None:
    report.format = "CAdES"
    try:
        signed_data = _load(data)
    except Exception as error:
        report.structural_failure = True
        report.errors.append(f"not a CMS signature: {type(error).__name__}: {error}")
        return
    encapsulated = signed_data["encap_content_info"]["content"]
    if encapsulated.native is not None:
        content, covers = None, [filename]
    elif len(detached_content) == 1:
        (_, content), covers = next(iter(detached_content.items())), list(detached_content)
    elif filename.endswith(".p7s") and filename[:-4] in detached_content:
        content, covers = detached_content[filename[:-4]], [filename[:-4]]
    else:
        report.errors.append("detached CAdES signature: the signed data is not at hand")
        report.signatures.append(
            SignatureReport.from_sub_indication(SubIndication.SIGNED_DATA_NOT_FOUND, format="CAdES")
        )
        return
    report.signatures.append(_validate(signed_data, content, covers, trust, at, report, filename))


# After these, nothing says the signature covers the data file as it is.
_DATA_NOT_VERIFIED = frozenset(
    {SubIndication.HASH_FAILURE, SubIndication.SIG_CRYPTO_FAILURE, SubIndication.FORMAT_FAILURE}
)


def validate_container_cms(content, name, entries, data_files, trust, at, report) -> set[str]:
    """A CAdES signature in an ASiC container: over the META-INF/ASiCManifest*.xml that names it
    (ASiC-E, EN 319 162-1 §4.4.3), else over the single data file (ASiC-S)."""
    try:
        signed_data = _load(content)
    except Exception as error:
        report.errors.append(f"{name}: not a CMS signature: {error}")
        report.signatures.append(
            SignatureReport.from_sub_indication(SubIndication.FORMAT_FAILURE, format="CAdES")
        )
        return set()
    manifest_name = asic_manifest_for(name, entries, report)
    if manifest_name is not None:
        return _validate_over_manifest(
            signed_data, name, manifest_name, entries, data_files, trust, at, report
        )
    if len(data_files) != 1:
        report.errors.append(
            f"{name}: no META-INF/ASiCManifest*.xml names this signature, so nothing says which of "
            f"the {len(data_files)} files it signs"
        )
        report.signatures.append(
            SignatureReport.from_sub_indication(SubIndication.SIGNED_DATA_NOT_FOUND, format="CAdES")
        )
        return set()
    result = _validate(signed_data, entries[data_files[0]], [data_files[0]], trust, at, report, name)
    report.signatures.append(result)
    if result.sub_indication in _DATA_NOT_VERIFIED:
        result.covers = []
        return set()
    return set(data_files)


ASIC_NS = "http://uri.etsi.org/02918/v1.2.1#"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
_DIGESTS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-256": "sha3_256",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-384": "sha3_384",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-512": "sha3_512",
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
}
_WEAK_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "SHA-1",
    "http://www.w3.org/2001/04/xmldsig-more#md5": "MD5",
}
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _is_asic_manifest(path: str) -> bool:
    return path.startswith("META-INF/") and "asicmanifest" in path.lower() and path.lower().endswith(".xml")


def asic_manifest_for(signature_name: str, entries: dict[str, bytes], report) -> str | None:
    """The ASiCManifest whose SigReference points at ``signature_name``, if any."""
    for path in sorted(entries):
        if not _is_asic_manifest(path):
            continue
        try:
            root = etree.fromstring(entries[path], parser=_SAFE_PARSER)
        except etree.XMLSyntaxError as error:
            report.errors.append(f"{path} is not well-formed: {error}")
            continue
        reference = root.find(f"{{{ASIC_NS}}}SigReference")
        if reference is not None and unquote(reference.get("URI", "")) == signature_name:
            return path
    return None


def _validate_over_manifest(signed_data, name, manifest_name, entries, data_files, trust, at, report):
    """The CMS signs the manifest; the manifest's digests bind the data objects it lists."""
    manifest = entries[manifest_name]
    result = _validate(signed_data, manifest, [], trust, at, report, name)
    report.signatures.append(result)
    if result.sub_indication in _DATA_NOT_VERIFIED:
        return set()
    root = etree.fromstring(manifest, parser=_SAFE_PARSER)
    covered: set[str] = set()
    problem: tuple[SubIndication, str] | None = None
    references = root.findall(f"{{{ASIC_NS}}}DataObjectReference")
    if not references:
        problem = (SubIndication.FORMAT_FAILURE, f"{manifest_name} lists no data object")
    for reference in references:
        path = unquote(reference.get("URI", ""))
        method = reference.find(f"{{{DS_NS}}}DigestMethod")
        algorithm = method.get("Algorithm", "") if method is not None else ""
        expected = base64.b64decode("".join((reference.findtext(f"{{{DS_NS}}}DigestValue") or "").split()))
        if (
            unsafe_name_reason(path)
            or path not in entries
            or path.startswith("META-INF/")
            or path == "mimetype"
        ):
            problem = problem or (
                SubIndication.SIGNED_DATA_NOT_FOUND,
                f"{manifest_name} references {path!r}, which is not a data file of the container",
            )
            continue
        if algorithm in _WEAK_DIGESTS:
            problem = problem or (
                SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
                f"{manifest_name} binds {path!r} with {_WEAK_DIGESTS[algorithm]}, which is too weak",
            )
            continue
        digest_name = _DIGESTS.get(algorithm)
        if digest_name is None:
            problem = problem or (SubIndication.FORMAT_FAILURE, f"unknown digest method {algorithm!r}")
            continue
        if not hmac.compare_digest(hashlib.new(digest_name, entries[path]).digest(), expected):
            problem = problem or (
                SubIndication.HASH_FAILURE,
                f"{path!r} was altered: its digest differs from the one in {manifest_name}",
            )
            continue
        covered.add(path)
    if problem is not None:
        # one reference that does not verify and the signature says nothing about any file
        sub, message = problem
        report.errors.append(f"{name}: {message}")
        if result.sub_indication is None or sub in _DATA_NOT_VERIFIED:
            result.sub_indication = sub
            result.indication = indication_for(sub)
            result.qualification = None
        result.covers = []
        return set()
    result.covers = sorted(covered)
    return covered


def _validate(signed_data, content, covers, trust, at, report, label) -> SignatureReport:
    certs = [choice.chosen for choice in signed_data["certificates"]] if signed_data["certificates"] else []
    signer_context = trust.validation_context(moment=at, other_certs=certs)
    ts_context = trust.validation_context(moment=at, other_certs=certs, for_timestamps=True)
    try:
        if content is None:
            status = run_sync(
                async_validate_cms_signature(
                    signed_data, status_cls=StandardCMSSignatureStatus, validation_context=signer_context
                )
            )
        else:
            status = run_sync(
                async_validate_detached_cms(
                    content,
                    signed_data,
                    signer_validation_context=signer_context,
                    ts_validation_context=ts_context,
                )
            )
    except Exception as error:
        sub = (
            sub_indication_from_pyhanko(getattr(error, "ades_subindication", None))
            or SubIndication.FORMAT_FAILURE
        )
        report.errors.append(f"{label}: {type(error).__name__}: {error}")
        return SignatureReport.from_sub_indication(sub, covers=covers, format="CAdES")

    result = SignatureReport(
        indication=indication_for(None),
        signer=signer_name(status.signing_cert),
        covers=covers,
        format="CAdES",
    )
    sub = None
    if not status.intact:
        sub = SubIndication.HASH_FAILURE
        report.errors.append(f"{label}: the signed data was altered")
    elif not status.valid:
        sub = SubIndication.SIG_CRYPTO_FAILURE
        report.errors.append(f"{label}: the signature value does not verify")
    elif status.trust_problem_indic is not None:
        sub = sub_indication_from_pyhanko(status.trust_problem_indic)
        report.errors.append(f"{label}: the signer's certificate is not validated: {sub}")
    timestamp = getattr(status, "timestamp_validity", None)
    timestamp_ok = timestamp is not None and timestamp.intact and timestamp.valid
    if timestamp is not None and not timestamp_ok:
        report.warnings.append(f"{label}: the signature timestamp is broken")
    result.signing_time = as_utc(
        timestamp.timestamp if timestamp_ok else getattr(status, "signer_reported_dt", None)
    )
    result.level = Level.T if timestamp_ok else Level.B
    if sub is None and status.validation_path is not None:
        result.qualification = trust.qualification(status.validation_path, result.signing_time)
    result.sub_indication = sub
    result.indication = indication_for(sub)
    return result
