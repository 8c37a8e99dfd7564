"""PAdES signing through a CSC remote signing service: B-T at the QTSP, B-LTA on the server.

1. ``sign_b_t``: pyHanko prepares the signature field and the signed attributes; the QTSP signs
   their hash (after the user's consent to that hash); the signature gets an RFC 3161 signature
   timestamp from the QTSP's TSA -> PAdES B-T.
2. ``upgrade_to_lta``: the validation data of the signer's and the TSA's chains (certificates,
   OCSP responses, CRLs, fetched now) go into the document security store, then a document
   timestamp covers everything -> PAdES B-LTA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import aiohttp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.csc_signer import CSCServiceSessionInfo, fetch_certs_in_csc_credential
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, ValidationError

from .common import run_sync
from .csc import Authorization, ConsentAuthorizationManager, CSCService, CSCv2Signer


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


def _field_name(pdf: bytes, base: str) -> str:
    """A new signature field, so a PDF that is already signed gets a further signature."""
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    taken = {name for name, _, _ in fields.enumerate_sig_fields(reader)}
    return next(f"{base}{n}" for n in range(1, 1000) if f"{base}{n}" not in taken)


async def async_sign_b_t(pdf: bytes, setup: RemoteSigningSetup, authorization: Authorization) -> bytes:
    writer = _writer(pdf)
    field_name = _field_name(pdf, setup.field_name)
    async with aiohttp.ClientSession() as session:
        service_token = await setup.service.service_token(session)
        session_info = CSCServiceSessionInfo(
            setup.service.session_url, setup.service.credential_id, oauth_token=service_token, api_ver="v2"
        )
        credential = await fetch_certs_in_csc_credential(session, session_info)
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


async def async_upgrade_to_lta(pdf: bytes, setup: RemoteSigningSetup) -> bytes:
    """Add validation data for every signature's chain and a document timestamp over it all."""
    context = ValidationContext(
        trust_roots=list(setup.trust_anchors), allow_fetching=True, revocation_mode="hard-fail"
    )
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = [sig for sig in reader.embedded_signatures if sig.sig_object_type == "/Sig"]
        if not signatures:
            raise PdfSigningError("the PDF holds no signature to upgrade")
        current = BytesIO(pdf)
        for index in range(len(signatures)):
            # each update is a new revision: re-read to get the signature in the latest one
            signature = PdfFileReader(current, strict=False).embedded_signatures[index]
            current = await async_add_validation_info(signature, context)
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


def sign_pdf_remote(pdf: bytes, setup: RemoteSigningSetup, authorization: Authorization) -> bytes:
    """B-T through the QTSP, then B-LTA here, in one event loop."""

    async def both() -> bytes:
        return await async_upgrade_to_lta(await async_sign_b_t(pdf, setup, authorization), setup)

    return run_sync(both())


def sign_pdf(
    pdf_bytes: bytes, signer_name: str | None = None, authorization: Authorization | None = None
) -> bytes:
    """PAdES B-LTA over ``pdf_bytes`` with the configured signer ``signer_name`` (default:
    SIGNING_DEFAULT_SIGNER). ``authorization`` obtains the user's consent at the QTSP; without one,
    the signer's automatic authorization (the test QTSP only) is used."""
    from .signers import configured_signer

    signer = configured_signer(signer_name)
    return signer.sign_pdf(pdf_bytes, authorization or signer.automatic_authorization())
