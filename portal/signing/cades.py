"""CAdES: CMS signatures (.p7s), detached or enveloping, validated with pyHanko's CMS validator."""

from __future__ import annotations

import logging
from datetime import datetime

from asn1crypto import cms, pem
from pyhanko.sign.validation import async_validate_detached_cms
from pyhanko.sign.validation.generic_cms import async_validate_cms_signature
from pyhanko.sign.validation.status import StandardCMSSignatureStatus

from .common import as_utc, run_sync, signer_name, sub_indication_from_pyhanko
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
    """ASiC-S with CAdES: META-INF/signature.p7s over the single data file."""
    try:
        signed_data = _load(content)
    except Exception as error:
        report.errors.append(f"{name}: not a CMS signature: {error}")
        report.signatures.append(
            SignatureReport.from_sub_indication(SubIndication.FORMAT_FAILURE, format="CAdES")
        )
        return set()
    if len(data_files) != 1:
        report.errors.append(f"{name}: CAdES in ASiC-E needs an ASiCManifest, which is not supported yet")
        report.signatures.append(
            SignatureReport.from_sub_indication(SubIndication.FORMAT_FAILURE, format="CAdES")
        )
        return set()
    result = _validate(signed_data, entries[data_files[0]], [data_files[0]], trust, at, report, name)
    report.signatures.append(result)
    if result.sub_indication in _DATA_NOT_VERIFIED:
        result.covers = []
        return set()
    return set(data_files)


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
