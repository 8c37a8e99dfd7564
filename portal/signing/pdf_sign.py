"""PAdES signing through a CSC remote signing service: B-T at the QTSP, B-LTA on the server.

1. ``sign_b_t``: pyHanko prepares the signature field and the signed attributes; the QTSP signs
   their hash (after the user's consent to that hash); the signature gets an RFC 3161 signature
   timestamp from the QTSP's TSA -> PAdES B-T.
2. ``upgrade_to_lta``: the validation data of the signer's and the TSA's chains (certificates,
   OCSP responses, CRLs, fetched now) go into the document security store, then a document
   timestamp covers everything -> PAdES B-LTA.

Interactive signing of several PDFs with one consent (the dossier's signing step) splits step 1:
``prepare_b_t`` (field, byte-range digest, signed attributes) for each PDF, ``sign_hashes`` (the QTSP
signs every hash after the user's one consent), ``finish_pdf_presigned`` (the CMS around each
signature value, the signature timestamp, then step 2). A signature value that does not verify over
the prepared signed attributes is refused (:func:`check_signature_value`).

Step 2 fetches the validation data with revocation checking in hard-fail mode: a revoked signer or a
chain that does not validate gives :class:`PdfSigningError` and no output. Signing is an incremental
update, so the original bytes (a PDF/A with its attachments) stay a prefix of the signed file.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import aiohttp
from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.csc_signer import CSCServiceSessionInfo, fetch_certs_in_csc_credential
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, ValidationError
from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator, SignatureValidationContext

from .common import run_sync
from .csc import Authorization, ConsentAuthorizationManager, CSCError, CSCService, CSCv2Signer


class PdfSigningError(ValueError):
    """The PDF cannot be signed (unreadable, encrypted) or the QTSP refused; nothing was produced."""


@dataclass(frozen=True)
class RemoteSigningSetup:
    service: CSCService
    tsa_url: str
    trust_anchors: Sequence[asn1_x509.Certificate]
    md_algorithm: str = "sha256"
    field_name: str = "Signature"


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as error:
        raise PdfSigningError(f"not a PDF that can be signed: {type(error).__name__}: {error}") from None
    if writer.prev.encrypted:
        raise PdfSigningError("the PDF is encrypted; it cannot be signed")
    return writer


def _field_name(writer: IncrementalPdfFileWriter, base: str) -> str:
    """A new signature field, so a PDF that is already signed gets a further signature. Read from
    the writer's own reader: parsing the PDF a second time doubled the parsing of a signing."""
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    return next(f"{base}{n}" for n in range(1, 1000) if f"{base}{n}" not in taken)


async def async_sign_b_t(pdf: bytes, setup: RemoteSigningSetup, authorization: Authorization) -> bytes:
    """One go: pyHanko's CSC signer asks ``authorization`` for consent while it signs."""
    writer = _writer(pdf)
    field_name = _field_name(writer, setup.field_name)
    async with aiohttp.ClientSession() as session:
        session_info, credential = await _credential(session, setup)
        manager = ConsentAuthorizationManager(
            session_info,
            credential,
            session=session,
            service=setup.service,
            authorization=authorization,
            md_algorithm=setup.md_algorithm,
        )
        signer = CSCv2Signer(session, manager, embed_roots=False)
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name, md_algorithm=setup.md_algorithm, subfilter=fields.SigSeedSubFilter.PADES
        )
        pdf_signer = signers.PdfSigner(
            metadata, signer=signer, timestamper=HTTPTimeStamper(setup.tsa_url, session=session)
        )
        output = await pdf_signer.async_sign_pdf(writer)
    return output.getvalue()


@dataclass(frozen=True)
class PreparedPdfSignature:
    """A PDF with its signature field and reserved space written, and the signed attributes whose
    hash the user must consent to. Kept between the user's consent and the signing (``to_state``
    is JSON-safe; ``prepared_pdf`` goes to file storage)."""

    prepared_pdf: bytes
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    signed_attrs: bytes
    md_algorithm: str

    @property
    def hash_b64(self) -> str:
        """The hash the QTSP signs: of the DER signed attributes."""
        return base64.b64encode(hashlib.new(self.md_algorithm, self.signed_attrs).digest()).decode("ascii")

    def to_state(self) -> dict:
        return {
            "document_digest": base64.b64encode(self.document_digest).decode("ascii"),
            "reserved_region": [self.reserved_region_start, self.reserved_region_end],
            "signed_attrs": base64.b64encode(self.signed_attrs).decode("ascii"),
            "md_algorithm": self.md_algorithm,
        }

    @classmethod
    def from_state(cls, state: dict, prepared_pdf: bytes) -> PreparedPdfSignature:
        start, end = state["reserved_region"]
        return cls(
            prepared_pdf=prepared_pdf,
            document_digest=base64.b64decode(state["document_digest"]),
            reserved_region_start=int(start),
            reserved_region_end=int(end),
            signed_attrs=base64.b64decode(state["signed_attrs"]),
            md_algorithm=str(state["md_algorithm"]),
        )


async def _credential(session: aiohttp.ClientSession, setup: RemoteSigningSetup):
    service_token = await setup.service.service_token(session)
    session_info = CSCServiceSessionInfo(
        setup.service.session_url, setup.service.credential_id, oauth_token=service_token, api_ver="v2"
    )
    return session_info, await fetch_certs_in_csc_credential(session, session_info)


async def async_prepare_b_t(pdf: bytes, setup: RemoteSigningSetup) -> PreparedPdfSignature:
    """Step 1 of interactive signing: the signature field, the byte-range digest, the signed
    attributes (with the credential's certificate from ``credentials/info``)."""
    writer = _writer(pdf)
    field_name = _field_name(writer, setup.field_name)
    async with aiohttp.ClientSession() as session:
        _, credential = await _credential(session, setup)
        placeholder = signers.ExternalSigner(
            signing_cert=credential.signing_cert,
            cert_registry=credential.as_cert_store(),
            signature_value=bytes(512),
            embed_roots=False,
        )
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name, md_algorithm=setup.md_algorithm, subfilter=fields.SigSeedSubFilter.PADES
        )
        pdf_signer = signers.PdfSigner(
            metadata, signer=placeholder, timestamper=HTTPTimeStamper(setup.tsa_url, session=session)
        )
        prepared_digest, _, output = await pdf_signer.async_digest_doc_for_signing(writer)
        signed_attrs = await placeholder.signed_attrs(
            prepared_digest.document_digest, setup.md_algorithm, use_pades=True
        )
    return PreparedPdfSignature(
        prepared_pdf=output.getvalue(),
        document_digest=prepared_digest.document_digest,
        reserved_region_start=prepared_digest.reserved_region_start,
        reserved_region_end=prepared_digest.reserved_region_end,
        signed_attrs=signed_attrs.dump(),
        md_algorithm=setup.md_algorithm,
    )


async def _embed(prepared: PreparedPdfSignature, signature_cms) -> bytes:
    """The prepared PDF with the CMS written into its reserved placeholder."""
    output = BytesIO(prepared.prepared_pdf)
    await PdfTBSDocument.async_finish_signing(
        output,
        PreparedByteRangeDigest(
            prepared.document_digest, prepared.reserved_region_start, prepared.reserved_region_end
        ),
        signature_cms,
    )
    return output.getvalue()


async def async_sign_hashes(
    setup: RemoteSigningSetup, hashes_b64: list[str], md_algorithm: str, authorization: Authorization
) -> tuple[list[bytes], str]:
    """Have the QTSP sign several hashes after ONE consent: the consent's credential token,
    ``credentials/authorize`` with ``numSignatures`` = N and all N hashes (one SAD), one
    ``signatures/signHash`` with all N. Returns the signature values in the order of ``hashes_b64``
    (each checked against the credential's certificate) and the signature mechanism used."""
    hash_algorithm_oid = algos.DigestAlgorithmId(md_algorithm).dotted
    async with aiohttp.ClientSession() as session:
        session_info, credential = await _credential(session, setup)
        mechanism = signers.ExternalSigner(
            credential.signing_cert, credential.as_cert_store(), embed_roots=False
        ).get_signature_mechanism_for_digest(md_algorithm)
        token = await authorization.credential_token(session, setup.service, hashes_b64, hash_algorithm_oid)
        authorized = await setup.service.call(
            session,
            "credentials/authorize",
            {
                "credentialID": setup.service.credential_id,
                "numSignatures": len(hashes_b64),
                "hashes": hashes_b64,
                "hashAlgorithmOID": hash_algorithm_oid,
            },
            token,
        )
        signed = await setup.service.call(
            session,
            "signatures/signHash",
            {
                "credentialID": setup.service.credential_id,
                "SAD": str(authorized.get("SAD", "")),
                "hashes": hashes_b64,
                "hashAlgorithmOID": hash_algorithm_oid,
                "signAlgo": mechanism["algorithm"].dotted,
            },
            session_info.oauth_token,
        )
    values = signed.get("signatures")
    if not isinstance(values, list) or len(values) != len(hashes_b64):
        raise CSCError(f"the QTSP returned {len(values or [])} signatures for {len(hashes_b64)} hashes")
    try:
        signatures = [base64.b64decode(value, validate=True) for value in values]
    except (TypeError, ValueError):
        raise CSCError("the QTSP returned a signature that is not base64") from None
    return signatures, mechanism["algorithm"].native


def check_signature_value(
    prepared: PreparedPdfSignature, signature: bytes, mechanism: str, signing_cert: asn1_x509.Certificate
) -> None:
    """The QTSP's signature value must verify over the prepared signed attributes."""
    try:
        DefaultSignatureValidator().validate_signature(
            signature,
            prepared.signed_attrs,
            signing_cert.public_key,
            algos.SignedDigestAlgorithm({"algorithm": mechanism}),
            SignatureValidationContext(contextual_md_algorithm=prepared.md_algorithm),
        )
    except (InvalidSignature, ValueError) as error:
        raise PdfSigningError(f"the QTSP's signature does not match the document's hash: {error}") from None


async def async_finish_b_t_presigned(
    prepared: PreparedPdfSignature, setup: RemoteSigningSetup, signature: bytes, mechanism: str
) -> bytes:
    """Step 2 when the QTSP already signed the hash (a batch): the CMS around that signature value,
    the signature timestamp, the placeholder filled."""
    async with aiohttp.ClientSession() as session:
        _, credential = await _credential(session, setup)
        check_signature_value(prepared, signature, mechanism, credential.signing_cert)
        signer = signers.ExternalSigner(
            credential.signing_cert,
            credential.as_cert_store(),
            signature_value=signature,
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
            embed_roots=False,
        )
        signature_cms = await signer.async_sign_prescribed_attributes(
            prepared.md_algorithm,
            signed_attrs=cms.CMSAttributes.load(prepared.signed_attrs),
            timestamper=HTTPTimeStamper(setup.tsa_url, session=session),
        )
    return await _embed(prepared, signature_cms)


async def async_upgrade_to_lta(pdf: bytes, setup: RemoteSigningSetup) -> bytes:
    """Add validation data for every signature's chain and a document timestamp over it all."""
    context = ValidationContext(
        trust_roots=list(setup.trust_anchors), allow_fetching=True, revocation_mode="hard-fail"
    )
    try:
        current = BytesIO(pdf)
        reader = PdfFileReader(current, strict=False)
        positions = [
            position
            for position, sig in enumerate(reader.embedded_signatures)
            if sig.sig_object_type == "/Sig"
        ]
        if not positions:
            raise PdfSigningError("the PDF holds no signature to upgrade")
        for count, position in enumerate(positions):
            if count:
                # each update is a new revision: re-read to get the signature in the latest one
                reader = PdfFileReader(current, strict=False)
            current = await async_add_validation_info(reader.embedded_signatures[position], context)
        async with aiohttp.ClientSession() as session:
            timestamper = HTTPTimeStamper(setup.tsa_url, session=session)
            output = await signers.PdfTimeStamper(timestamper).async_timestamp_pdf(
                IncrementalPdfFileWriter(current, strict=False),
                setup.md_algorithm,
                validation_context=context,
            )
    except (PathBuildingError, ValidationError) as error:
        raise PdfSigningError(f"the signature's certificates do not validate, no B-LTA: {error}") from error
    finally:
        await context.aclose()  # the fetcher's HTTP session
    return output.getvalue()


def sign_b_t(pdf: bytes, setup: RemoteSigningSetup, authorization: Authorization) -> bytes:
    return run_sync(async_sign_b_t(pdf, setup, authorization))


def upgrade_to_lta(pdf: bytes, setup: RemoteSigningSetup) -> bytes:
    return run_sync(async_upgrade_to_lta(pdf, setup))


def prepare_b_t(pdf: bytes, setup: RemoteSigningSetup) -> PreparedPdfSignature:
    return run_sync(async_prepare_b_t(pdf, setup))


def sign_hashes(
    setup: RemoteSigningSetup, hashes_b64: list[str], md_algorithm: str, authorization: Authorization
) -> tuple[list[bytes], str]:
    return run_sync(async_sign_hashes(setup, hashes_b64, md_algorithm, authorization))


def finish_pdf_presigned(
    prepared: PreparedPdfSignature, setup: RemoteSigningSetup, signature: bytes, mechanism: str
) -> bytes:
    """Step 2 with a signature value the QTSP already gave, then B-LTA, in one event loop."""

    async def both() -> bytes:
        finished = await async_finish_b_t_presigned(prepared, setup, signature, mechanism)
        return await async_upgrade_to_lta(finished, setup)

    return run_sync(both())


def sign_pdf_remote(pdf: bytes, setup: RemoteSigningSetup, authorization: Authorization) -> bytes:
    """B-T through the QTSP, then B-LTA here, in one event loop."""

    async def both() -> bytes:
        return await async_upgrade_to_lta(await async_sign_b_t(pdf, setup, authorization), setup)

    return run_sync(both())
