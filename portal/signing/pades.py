"""PAdES: signatures embedded in PDF, validated with pyHanko.

Per signature, pyHanko's classic validator runs first and gives the PDF-specific verdicts: a ByteRange
that does not cover the file -> FORMAT_FAILURE; a digest mismatch -> HASH_FAILURE; a bad signature value
-> SIG_CRYPTO_FAILURE; changes after signing that pyHanko's difference analysis does not allow ->
FORMAT_FAILURE, unless every later revision only adds markup annotations (comments) and their
appearances, which is allowed with a warning (as DSS does). After a FORMAT_FAILURE no AdES process
runs: nothing can make such a document pass.

Otherwise the verdict is that of pyHanko's EN 319 102-1 process, chosen by what the signature carries:
a signature timestamp and a later document timestamp -> validation with long-term data (§5.6.3,
``ades_lta_validation``; the document timestamps are the evidence record); a signature timestamp only
-> validation with time (§5.5); neither -> basic validation (§5.3). The classic verdict is a second
opinion: when it differs, a warning says "the classic validation disagrees with the AdES process"; when
the AdES process cannot run, the classic verdict is reported with a warning. Closed gaps of the
with-time process: a best signature time before the signer certificate's notBefore -> NOT_YET_VALID,
after its notAfter -> OUT_OF_BOUNDS_NO_POE; a chain failure caused by missing revocation data ->
TRY_LATER.

One rule is more lenient than strict EN 319 102-1: revocation data for the newest document timestamp
need not be fresh at the validation time. When the AdES process is INDETERMINATE for that reason but the
classic run's simplified past signature validation accepts the signature (valid at the time its
signature timestamp proves, with the DSS's revocation data, under a document timestamp trusted when it
stamped and whose TSA certificate is still valid), the signature passes with a warning naming both. So
a B-LTA signature passes later without fresh OCSP, and needs a new document timestamp before that TSA
certificate expires.

Level: B; T with a valid signature timestamp or a later document timestamp; LT when a DSS was added
after the signature; LTA when a valid document timestamp covers that DSS. With trusted lists, the
qualification. PDFs pyHanko cannot parse get a raw check (each ``/ByteRange`` located in the bytes, the
CMS message digest compared), so a truncated or altered file is still reported as not intact.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import re
from datetime import UTC, datetime

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.ades import (
    _dss_to_local_knowledge,
    ades_basic_validation,
    ades_lta_validation,
    ades_with_time_validation,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

from .common import as_utc, run_sync, signer_name, sub_indication_from_pyhanko, validate_chain
from .report import Level, SignatureReport, SubIndication, ValidationReport, indication_for
from .trust import TrustContext

logger = logging.getLogger(__name__)

# Annotation types a reader may add after signing without touching the signed content
# (ISO 32000 §12.5.6); widgets (form fields) and links are not among them.
_MARKUP_ANNOTATIONS = frozenset(
    {
        "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight",
        "/Underline", "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup",
    }
)  # fmt: skip


def validate_pdf(
    data: bytes, filename: str, trust: TrustContext, at: datetime | None, report: ValidationReport
) -> None:
    report.format = "PAdES"
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:
        # pyHanko cannot even read the structure: still tell whether the signed bytes were touched.
        report.errors.append(f"the PDF structure cannot be read: {type(error).__name__}: {error}")
        _raw_integrity_check(data, filename, report)
        return
    if not embedded:
        report.errors.append("the PDF holds no signature")
        return

    signatures = [sig for sig in embedded if sig.sig_object_type == "/Sig"]
    doc_timestamps = [sig for sig in embedded if sig.sig_object_type == "/DocTimeStamp"]
    if not signatures:
        report.errors.append("the PDF holds document timestamps only, no signature")
    context_kwargs = _dss_material(reader, report)
    valid_doc_ts_revisions = _valid_document_timestamps(doc_timestamps, trust, at, context_kwargs, report)
    dss_revision = _dss_revision(reader)

    for sig in signatures:
        try:
            report.signatures.append(
                _validate_signature(
                    sig, filename, trust, at, context_kwargs, valid_doc_ts_revisions, dss_revision, report
                )
            )
        except Exception as error:
            logger.warning("pyHanko failed on a signature of %s", filename, exc_info=True)
            report.validator_crashed = True
            report.errors.append(
                f"signature {sig.field_name!r} could not be validated: {type(error).__name__}: {error}"
            )
            report.signatures.append(
                SignatureReport.from_sub_indication(
                    SubIndication.GENERIC, signer=_safe_signer(sig), covers=[filename], format="PAdES"
                )
            )


def _safe_signer(sig: EmbeddedPdfSignature) -> str:
    try:
        return signer_name(sig.signer_cert)
    except Exception:
        return ""


def _dss_material(reader: PdfFileReader, report: ValidationReport) -> dict:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return {}
    except Exception as error:
        report.warnings.append(f"the document security store cannot be read: {error}")
        return {}
    try:
        return {
            "other_certs": list(dss.load_certs()),
            "crls": [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls],
            "ocsps": [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps],
        }
    except Exception as error:
        report.warnings.append(f"the document security store is damaged: {error}")
        return {}


def _dss_revision(reader: PdfFileReader) -> int | None:
    """The first revision in which the catalogue carries a /DSS, if any."""
    for revision in range(reader.xrefs.total_revisions):
        try:
            if "/DSS" in reader.get_historical_root(revision):
                return revision
        except Exception:
            logger.info("revision %d of the PDF cannot be read", revision, exc_info=True)
    return None


def _valid_document_timestamps(doc_timestamps, trust, at, context_kwargs, report) -> list[int]:
    revisions = []
    for ts in doc_timestamps:
        try:
            status = run_sync(
                async_validate_pdf_timestamp(
                    ts,
                    validation_context=trust.validation_context(
                        moment=at, for_timestamps=True, **context_kwargs
                    ),
                )
            )
        except Exception as error:
            report.warnings.append(f"document timestamp {ts.field_name!r} could not be validated: {error}")
            continue
        if status.intact and status.valid:
            revisions.append(ts.signed_revision)
            if not status.trusted:
                report.warnings.append(
                    f"document timestamp {ts.field_name!r} ({status.timestamp.isoformat()}) is intact but its TSA is not trusted"
                )
        else:
            report.warnings.append(
                f"document timestamp {ts.field_name!r} is broken (not intact or not valid)"
            )
    return revisions


# Sub-indications the PDF layer decides before any AdES process runs: the ByteRange and what was
# changed after signing are PAdES (EN 319 142-1) matters pyHanko's AdES processes leave to the caller.
_PDF_STRUCTURE_FAILURES = frozenset({SubIndication.FORMAT_FAILURE})


def _validate_signature(sig, filename, trust, at, context_kwargs, doc_ts_revisions, dss_revision, report):
    """The AdES verdict (EN 319 102-1 via pyHanko's processes) is the one reported; the classic
    validation runs too, and any disagreement between the two is a warning."""
    label = f"signature {sig.field_name!r}"
    classic, validation_path, classic_rescued = _classic_validation(
        sig, filename, trust, at, context_kwargs, doc_ts_revisions, dss_revision, report
    )
    classic_sub = classic.sub_indication
    result = classic
    if classic_sub in _PDF_STRUCTURE_FAILURES:
        ades = None  # the document itself fails: no signature process can make it pass
    else:
        try:
            ades = _ades_validation(sig, trust, at)
        except Exception as error:
            logger.warning("pyHanko's AdES process failed on %s", label, exc_info=True)
            ades = None
            report.warnings.append(
                f"{label}: the AdES validation process could not run ({type(error).__name__}: {error}); "
                "the classic validation's verdict is reported"
            )
    if ades is not None:
        sub = sub_indication_from_pyhanko(ades.ades_subindic)
        if sub in _RECOVERABLE_WITH_POE and classic_rescued:
            # Strict EN 319 102-1 wants revocation data for the newest document timestamp that is
            # fresh at the validation time (fetched online, or a newer document timestamp). The
            # portal's documented rule accepts, as DSS's default policy does, the data that
            # timestamp preserved, provided its TSA is still within its validity: both are said.
            report.warnings.append(
                f"{label}: the AdES process says {_verdict(sub)} without fresh revocation data for "
                "the latest document timestamp; the signature is accepted on the revocation data "
                "the document timestamp preserved (validate online, or add a document timestamp)"
            )
            sub = None
        sub = _expiry_after_proven_time(sig, ades, sub)
        if SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE in (sub, classic_sub):
            refined = _missing_revocation_data(sig, trust, at, context_kwargs)
            sub, classic_sub = (refined(s) for s in (sub, classic_sub))
            if sub is SubIndication.TRY_LATER and sub == classic_sub:
                result.messages = [
                    "the signer's certificate status cannot be checked: the revocation data it "
                    "declares is neither in the file nor fetched (TRY_LATER)"
                ]
        if sub != classic_sub:
            report.warnings.append(
                f"{label}: the classic validation disagrees with the AdES process: "
                f"{_verdict(classic_sub)} instead of {_verdict(sub)}"
                + (f" ({'; '.join(classic.messages)})" if classic.messages else "")
            )
            result.messages = [_ades_message(sub, ades.failure_msg)] if sub is not None else []
        api_path = ades.api_status.validation_path if ades.api_status is not None else None
        validation_path = (api_path or validation_path) if sub is None else None
        result.level = _confirmed_level(result.level, ades, label, report)
        result.sub_indication = sub
        result.indication = indication_for(sub)
        result.qualification = (
            trust.qualification(validation_path, result.signing_time) if validation_path else None
        )
    for message in result.messages:
        if result.sub_indication is not None:
            report.errors.append(f"{label}: {message}")
    return result


def _expiry_after_proven_time(sig: EmbeddedPdfSignature, ades, sub: SubIndication | None):
    """EN 319 102-1 §5.5.4: a best signature time before the signer certificate was issued fails
    (NOT_YET_VALID); one after it expired proves nothing (OUT_OF_BOUNDS_NO_POE). pyHanko's
    with-time process only judges the first when the current time already found the certificate
    out of bounds, so both are checked here whatever the process said."""
    best = as_utc(getattr(ades, "best_signature_time", None))
    if sub is None and best is not None:
        if best < sig.signer_cert.not_valid_before:
            return SubIndication.NOT_YET_VALID
        if best > sig.signer_cert.not_valid_after:
            return SubIndication.OUT_OF_BOUNDS_NO_POE
    return sub


def _missing_revocation_data(sig, trust, at, context_kwargs):
    """pyHanko reports a chain without the revocation data it declares as a general chain failure;
    EN 319 102-1 §5.2.6 calls that TRY_LATER. certvalidator's own error tells them apart."""
    chain = validate_chain(sig.signer_cert, trust.validation_context(moment=at, **context_kwargs))
    is_missing = chain.sub_indication is SubIndication.TRY_LATER

    def refine(sub: SubIndication | None) -> SubIndication | None:
        if is_missing and sub is SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE:
            return SubIndication.TRY_LATER
        return sub

    return refine


def _verdict(sub: SubIndication | None) -> str:
    return str(indication_for(sub)) + (f"/{sub}" if sub else "")


def _ades_message(sub: SubIndication, failure_msg: str | None) -> str:
    if sub in (SubIndication.HASH_FAILURE,):
        return "the signed bytes were altered: not intact"
    if sub is SubIndication.SIG_CRYPTO_FAILURE:
        return "the signature value does not verify with the signer's key"
    return f"{sub}" + (f": {failure_msg}" if failure_msg else "")


def _ades_validation(
    sig: EmbeddedPdfSignature, trust: TrustContext, at: datetime | None, *, retroactive_revinfo: bool = False
):
    """The EN 319 102-1 process that fits what the signature carries, through pyHanko:

    - a signature timestamp and a later document timestamp: validation of signatures with
      long-term data (§5.6.3, ``ades_lta_validation``; the document timestamps are the evidence
      record, past signature validation §5.6.2.4 included);
    - a signature timestamp only: validation with time (§5.5, ``ades_with_time_validation``);
    - neither: basic validation (§5.3, ``ades_basic_validation``).
    The DSS's certificates, CRLs and OCSP responses are local knowledge in every case.
    """
    moment = as_utc(at) or datetime.now(UTC)
    timing = ValidationTimingInfo(
        validation_time=moment, best_signature_time=moment, point_in_time_validation=at is not None
    )
    spec = trust.signature_validation_spec(retroactive_revinfo=retroactive_revinfo)
    has_signature_timestamp = next(extract_tst_data_iter(sig.signer_info, signed=False), None) is not None
    later_doc_timestamp = any(
        other.sig_object_type == "/DocTimeStamp" and other.signed_revision > sig.signed_revision
        for other in sig.reader.embedded_signatures
    )
    if has_signature_timestamp and later_doc_timestamp:
        pdf_spec = PdfSignatureValidationSpec(signature_validation_spec=spec)
        return run_sync(ades_lta_validation(sig, pdf_spec, timing_info=timing))
    spec = dataclasses.replace(spec, local_knowledge=_dss_to_local_knowledge(sig.reader))
    if not has_signature_timestamp:
        # (pyHanko's basic process builds a plain CMS status whatever status class it is given;
        # the PDF-specific coverage and modification checks are the classic validation's anyway)
        return run_sync(
            ades_basic_validation(sig.signed_data, spec, timing_info=timing, raw_digest=sig.compute_digest())
        )
    if not sig._integrity_checked:  # the classic validation normally did it already: not twice
        sig.compute_integrity_info()
    return run_sync(
        ades_with_time_validation(
            sig.signed_data,
            spec,
            timing_info=timing,
            raw_digest=sig.compute_digest(),
            extra_status_kwargs=sig.summarise_integrity_info(),
            status_cls=PdfSignatureStatus,
        )
    )


def _confirmed_level(level: Level | None, ades, label: str, report: ValidationReport) -> Level | None:
    """The level says what the signature carries (intact timestamps, DSS, document timestamps);
    whether the document timestamps also hold as an evidence record under the AdES process
    (trusted TSA, chain valid) is said in a warning, the verdict carries the consequence."""
    if level is Level.LTA and getattr(ades, "oldest_evidence_record_timestamp", False) is None:
        report.warnings.append(
            f"{label}: the document timestamps do not validate as an evidence record "
            "(EN 319 102-1 §5.6.3): no proof of existence from them"
        )
    return level


def _classic_validation(sig, filename, trust, at, context_kwargs, doc_ts_revisions, dss_revision, report):
    """pyHanko's classic validator plus our level analysis and simplified past validation."""
    signer_context = trust.validation_context(moment=at, **context_kwargs)
    ts_context = trust.validation_context(moment=at, for_timestamps=True, **context_kwargs)
    status = run_sync(
        async_validate_pdf_signature(
            sig, signer_validation_context=signer_context, ts_validation_context=ts_context
        )
    )
    result = SignatureReport(
        indication=indication_for(None),  # settled below
        signer=signer_name(status.signing_cert),
        covers=[filename],
        format="PAdES",
    )
    label = f"signature {sig.field_name!r}"
    sub: SubIndication | None = None

    if status.coverage == SignatureCoverageLevel.UNCLEAR or status.coverage is None:
        sub = SubIndication.FORMAT_FAILURE
        result.messages.append("the ByteRange does not cover the document as PAdES requires: not intact")
    elif not status.intact:
        sub = SubIndication.HASH_FAILURE
        result.messages.append("the signed bytes were altered: not intact")
    elif not status.valid:
        sub = SubIndication.SIG_CRYPTO_FAILURE
        result.messages.append("the signature value does not verify with the signer's key")
    elif status.docmdp_ok is False or status.modification_level == ModificationLevel.OTHER:
        if _only_markup_annotations_added(sig):
            report.warnings.append(f"{label}: annotations (comments) were added after signing")
        else:
            sub = SubIndication.FORMAT_FAILURE
            result.messages.append(
                "the document was modified after signing in a way the signature does not allow"
            )
    if sub is None and status.trust_problem_indic is not None:
        sub = sub_indication_from_pyhanko(status.trust_problem_indic)
        result.messages.append(f"the signer's certificate is not validated: {sub}")

    timestamp = status.timestamp_validity
    timestamp_ok = timestamp is not None and timestamp.intact and timestamp.valid
    if timestamp is not None and not timestamp_ok:
        report.warnings.append(f"{label}: the signature timestamp is broken")
    elif timestamp_ok and not timestamp.trusted:
        report.warnings.append(f"{label}: the signature timestamp's TSA is not trusted")
    result.signing_time = as_utc(timestamp.timestamp if timestamp_ok else status.signer_reported_dt)

    # PAdES baseline: a document timestamp after the signature also gives the POE of level T.
    later_doc_timestamps = [revision for revision in doc_ts_revisions if revision > sig.signed_revision]
    level = Level.B
    if timestamp_ok or later_doc_timestamps:
        level = Level.T
        if dss_revision is not None and dss_revision > sig.signed_revision:
            level = Level.LT
            if any(revision >= dss_revision for revision in later_doc_timestamps):
                level = Level.LTA
    result.level = level

    validation_path = status.validation_path
    rescued = False
    if (
        sub in _RECOVERABLE_WITH_POE
        and level is Level.LTA
        and timestamp_ok
        and _preserved_by_document_timestamp(sig, trust, at, context_kwargs, dss_revision)
    ):
        # Past signature validation (EN 319 102-1 §5.6.2.4, simplified): the signature timestamp,
        # preserved by a document timestamp over the DSS, proves the signature existed at its
        # time; judge the chain then, with the revocation data in the DSS.
        poe = timestamp.timestamp
        poe_status = _validate_at_poe(sig, trust, poe, context_kwargs)
        poe_timestamp = poe_status.timestamp_validity
        if (
            poe_status.trust_problem_indic is None
            and poe_status.intact
            and poe_status.valid
            and poe_timestamp is not None
            and poe_timestamp.trusted
        ):
            report.warnings.append(
                f"{label}: {sub} at the validation time; validated at {poe.isoformat()}, the time the "
                "signature timestamp proves, with the revocation data preserved by the document timestamp"
            )
            report.warnings[:] = [
                w for w in report.warnings if w != f"{label}: the signature timestamp's TSA is not trusted"
            ]
            result.messages = [m for m in result.messages if "not validated" not in m]
            sub, validation_path, rescued = None, poe_status.validation_path, True

    if sub is None and validation_path is not None:
        result.qualification = trust.qualification(validation_path, result.signing_time)
    result.sub_indication = sub
    result.indication = indication_for(sub)
    return result, validation_path if sub is None else None, rescued


_RECOVERABLE_WITH_POE = frozenset(
    {
        SubIndication.TRY_LATER,
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
        SubIndication.OUT_OF_BOUNDS_NO_POE,
        SubIndication.REVOKED_NO_POE,
        SubIndication.NO_POE,
    }
)


def _preserved_by_document_timestamp(sig, trust, at, context_kwargs, dss_revision) -> bool:
    """A document timestamp over the DSS whose TSA was trusted when it stamped and whose certificate
    is still within its validity now (else a newer document timestamp is needed)."""
    now = as_utc(at) or datetime.now(UTC)
    for ts in sig.reader.embedded_signatures:
        if ts.sig_object_type != "/DocTimeStamp" or dss_revision is None or ts.signed_revision < dss_revision:
            continue
        try:
            stamped_at = ts.self_reported_timestamp
            status = run_sync(
                async_validate_pdf_timestamp(
                    ts,
                    validation_context=trust.validation_context(
                        moment=stamped_at, for_timestamps=True, retroactive_revinfo=True, **context_kwargs
                    ),
                )
            )
        except Exception:
            logger.info(
                "document timestamp %s cannot be checked at its own time", ts.field_name, exc_info=True
            )
            continue
        if status.intact and status.valid and status.trusted and ts.signer_cert.not_valid_after > now:
            return True
    return False


def _validate_at_poe(sig, trust, poe, context_kwargs):
    """The signature judged at ``poe``; revocation data issued after it still speaks for it."""
    return run_sync(
        async_validate_pdf_signature(
            sig,
            signer_validation_context=trust.validation_context(
                moment=poe, retroactive_revinfo=True, **context_kwargs
            ),
            ts_validation_context=trust.validation_context(
                moment=poe, for_timestamps=True, retroactive_revinfo=True, **context_kwargs
            ),
        )
    )


def _only_markup_annotations_added(sig: EmbeddedPdfSignature) -> bool:
    """True if every revision after the signed one only adds comment-type annotations.

    Allowed changes: new markup annotations and their appearance streams, a page's /Annots,
    the document information dictionary and XMP metadata, and a /Names tree holding only /AP.
    Anything else (pages, content streams, form fields, actions, embedded files) is a modification.
    """
    reader = sig.reader
    try:
        if sig.docmdp_level is not None and sig.docmdp_level < MDPPerm.ANNOTATE:
            return False
        for revision in range(sig.signed_revision + 1, reader.xrefs.total_revisions):
            for ref in reader.xrefs.explicit_refs_in_revision(revision):
                if not _allowed_annotation_change(reader, ref, revision):
                    return False
        return True
    except Exception:
        logger.info("annotation analysis failed", exc_info=True)
        return False


def _allowed_annotation_change(reader: PdfFileReader, ref, revision: int) -> bool:
    new = reader.get_object(ref, revision=revision)
    try:
        old = reader.get_object(ref, revision=revision - 1)
    except Exception:
        old = None
    if isinstance(old, generic.NullObject):
        old = None  # the object is new in this revision
    if isinstance(new, generic.StreamObject):
        kind = new.get("/Type")
        return (
            (kind in (None, "/XObject") and new.get("/Subtype") == "/Form")  # appearance stream
            or kind in ("/ObjStm", "/XRef")
            or (kind == "/Metadata" and new.get("/Subtype") == "/XML")
        )
    if not isinstance(new, generic.DictionaryObject):
        return isinstance(new, generic.ArrayObject) and old is None  # a new /Annots array
    if new.get("/Subtype") in _MARKUP_ANNOTATIONS:
        return True
    if old is None:
        # a new /Names-style node that only maps appearance names, or an appearance dictionary
        return set(new.keys()) <= {"/AP", "/Names", "/N", "/R", "/D"}
    if not isinstance(old, generic.DictionaryObject):
        return False
    changed = {key for key in set(new.keys()) | set(old.keys()) if _raw(new, key) != _raw(old, key)}
    if new.get("/Type") == "/Page":
        return changed <= {"/Annots"}
    if new.get("/Type") == "/Catalog":
        return changed <= {"/Names", "/Metadata"}
    # the document information dictionary
    return changed <= {"/ModDate", "/Producer", "/Creator", "/Title", "/Author", "/Subject", "/Keywords"}


def _raw(dictionary: generic.DictionaryObject, key: str):
    try:
        return dictionary.raw_get(key)
    except KeyError:
        return None


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _raw_integrity_check(data: bytes, filename: str, report: ValidationReport) -> None:
    """For PDFs pyHanko cannot parse: find each ByteRange and check the CMS digest over it."""
    for match in _BYTE_RANGE.finditer(data):
        start1, length1, start2, length2 = (int(value) for value in match.groups())
        if start1 != 0 or start1 + length1 > start2 or start2 + length2 > len(data):
            report.signatures.append(
                SignatureReport.from_sub_indication(
                    SubIndication.FORMAT_FAILURE, covers=[filename], format="PAdES"
                )
            )
            report.errors.append("a ByteRange points outside the file: not intact")
            continue
        gap = data[start1 + length1 : start2].strip()
        try:
            contents = bytes.fromhex(gap.strip(b"<>").decode("ascii"))
            signed_data = cms.ContentInfo.load(contents.rstrip(b"\x00"))["content"]
            signer_info = signed_data["signer_infos"][0]
            digest_name = signer_info["digest_algorithm"]["algorithm"].native
            claimed = next(
                attr["values"][0].native
                for attr in signer_info["signed_attrs"]
                if attr["type"].native == "message_digest"
            )
        except Exception as error:
            report.errors.append(f"a signature's contents cannot be read: {type(error).__name__}")
            report.signatures.append(
                SignatureReport.from_sub_indication(
                    SubIndication.FORMAT_FAILURE, covers=[filename], format="PAdES"
                )
            )
            continue
        actual = hashlib.new(
            digest_name, data[start1 : start1 + length1] + data[start2 : start2 + length2]
        ).digest()
        certs = [c.chosen for c in signed_data["certificates"]] if signed_data["certificates"] else []
        signer = signer_name(certs[0]) if certs else ""
        if actual != claimed:
            report.errors.append("the signed bytes were altered: not intact")
            report.signatures.append(
                SignatureReport.from_sub_indication(
                    SubIndication.HASH_FAILURE, signer=signer, covers=[filename], format="PAdES"
                )
            )
        else:
            report.validator_crashed = True
            report.signatures.append(
                SignatureReport.from_sub_indication(
                    SubIndication.GENERIC, signer=signer, covers=[filename], format="PAdES"
                )
            )
    if not report.signatures:
        report.validator_crashed = True
