"""What an uploaded file is, and whether the portal keeps it.

**Policy** (:func:`evidence_policy`): what one evidence request accepts, from the snapshot's evidence
requirement for its evidence type: ``pdf``/``pdf_a`` → PDF, ``jpeg``, ``png``, ``asice`` (ASiC-E and CAdES
``.p7s``), ``xml``; none given → PDF, JPEG, PNG. The size limit is ``settings.DOCUMENT_MAX_BYTES``, lowered
by the requirement's ``max_size_mb`` when set. The view works it out before the body is read.

**Checks** (:func:`check_upload`), all from the content, never the name:

* type from magic bytes (``filetype``; ``%PDF-`` always counts as PDF);
* PDF: parsed with pyHanko's reader; unreadable or encrypted ones are refused, and every object reachable
  from the catalogue and trailer (at most :data:`MAX_PDF_OBJECTS`) is walked for ``/JS``, ``/JavaScript``,
  ``/Launch``, embedded files (``/EmbeddedFiles``, ``/EmbeddedFile``, file specs with ``/EF``) and
  ``/RichMedia``: refused, unless the PDF carries signatures (signed evidence is kept intact);
* images (PNG, JPEG, GIF, WebP, TIFF, BMP): at most :data:`MAX_IMAGE_PIXELS` (40 Mpx), verified by Pillow,
  turned upright and re-encoded without metadata; an image in a format the request does not take becomes
  a PDF (``converted_from`` records it) when PDF is accepted;
* ZIP: entry count (:data:`ZIP_MAX_ENTRIES`), declared total (at most four times ``DOCUMENT_MAX_BYTES``) and
  ratio (:data:`ZIP_MAX_RATIO`, above 1 MB) first, then opened with ``portal.signing.asic.open_container``
  (names, sizes, CRCs); only ASiC-E containers are kept, a plain ZIP is refused;
* DER CMS SignedData is a ``.p7s``;
* XML (where the request takes it) must be well-formed and carry no document type declaration (no
  entities, no DTD, no network).

Signed files (PDF with signatures, ASiC-E, ``.p7s``) are marked so the signing block validates them.

**Display names** (:func:`display_name`): basename only, NFC, no control / format / surrogate / private /
unassigned characters (bidi overrides included), ``<>:"/\\|?*`` replaced by ``_``, stem at most 120
characters, the extension of what the file really is. :func:`documents_for_delivery` (the submission
pipeline's entry point) makes them unique within an application.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO

import filetype
from django.conf import settings
from django.core.files.storage import storages
from django.utils.translation import gettext as _
from lxml import etree

from portal.dossiers.models import ScanStatus
from portal.signing import asic

# the evidence formats a procedure may accept (procedures.choices.DOCUMENT_FORMATS) -> what we sniff
DEFAULT_FORMATS = frozenset({"pdf", "jpeg", "png"})
KEPT_FORMATS = ("pdf", "jpeg", "png", "asice", "xml")
IMAGE_KINDS = {"image/png": "png", "image/jpeg": "jpeg"}
CONVERTIBLE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff", "image/bmp"}
MAX_IMAGE_PIXELS = 40_000_000
MAX_PDF_OBJECTS = 200_000
ZIP_MAX_ENTRIES = 200
ZIP_MAX_RATIO = 100
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.etsi.asic-e+zip": "asice",
    "application/pkcs7-signature": "p7s",
    "application/xml": "xml",
}
_UNWANTED_IN_NAMES = re.compile(r'[<>:"/\\|?*]')


class DocumentRefused(ValueError):
    """The file is not kept; the message says why, in the user's language."""


@dataclass(frozen=True)
class EvidencePolicy:
    """What one evidence request accepts, from the application's snapshot."""

    concept: str
    label: str
    evidence_type: str
    evidence_type_name: str
    formats: frozenset[str]
    max_bytes: int

    def format_names(self) -> str:
        names = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "asice": "ASiC-E / .p7s", "xml": "XML"}
        return ", ".join(names[key] for key in KEPT_FORMATS if key in self.formats)

    @property
    def accept_attribute(self) -> str:
        """A hint for the browser's file picker; the server decides from the content."""
        extensions = {
            "pdf": ".pdf",
            "jpeg": ".jpg,.jpeg",
            "png": ".png",
            "asice": ".asice,.sce,.p7s",
            "xml": ".xml",
        }
        wanted = [extensions[key] for key in KEPT_FORMATS if key in self.formats]
        if "pdf" in self.formats:  # images become PDF
            wanted.append(".jpg,.jpeg,.png")
        return ",".join(dict.fromkeys(",".join(wanted).split(",")))


def evidence_policy(snapshot: dict, item: dict) -> EvidencePolicy:
    """The policy of the evidence request ``item`` (a field of ``snapshot``)."""
    identifier = (item.get("evidence_type") or {}).get("identifier", "")
    requirement = next(
        (
            entry
            for entry in snapshot.get("evidence", [])
            if (entry.get("evidence_type") or {}).get("identifier") == identifier
        ),
        {},
    )
    formats = {"pdf" if key == "pdf_a" else key for key in requirement.get("accepted_formats") or []}
    formats &= set(KEPT_FORMATS)
    limit = settings.DOCUMENT_MAX_BYTES
    if requirement.get("max_size_mb"):
        limit = min(limit, int(float(requirement["max_size_mb"]) * 1024 * 1024))
    return EvidencePolicy(
        concept=item["concept"],
        label=item["label"],
        evidence_type=identifier,
        evidence_type_name=(item.get("evidence_type") or {}).get("name", ""),
        formats=frozenset(formats) or DEFAULT_FORMATS,
        max_bytes=limit,
    )


def display_name(raw: str, extension: str) -> str:
    """A name safe to show and to offer as a download: no directories, no control or bidi characters,
    no characters file systems refuse, the extension of what the file really is."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: control characters; Cf: format characters, among them the bidi overrides (U+202E...)
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    name = _UNWANTED_IN_NAMES.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:120] or _("document")
    return f"{stem}.{extension}"


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    display_name: str
    mime_type: str
    signed: bool
    converted_from: str = ""


def _format_refused(policy: EvidencePolicy, what: str) -> DocumentRefused:
    return DocumentRefused(
        _("This file is %(what)s; for “%(label)s” we accept %(formats)s.")
        % {"what": what, "label": policy.label, "formats": policy.format_names()}
    )


def check_upload(data: bytes, raw_name: str, policy: EvidencePolicy) -> CheckedFile:
    """Decide from the content whether the file is kept, and in which form. Raises DocumentRefused."""
    if not data:
        raise DocumentRefused(_("The file is empty."))
    if len(data) > policy.max_bytes:
        raise too_large(policy)
    kind = filetype.guess(data)
    mime = kind.mime if kind is not None else ""
    if data[:5] == b"%PDF-":
        mime = "application/pdf"
    if mime == "application/pdf":
        if "pdf" not in policy.formats:
            raise _format_refused(policy, _("a PDF"))
        signed = check_pdf(data)
        return CheckedFile(data, display_name(raw_name, "pdf"), mime, signed)
    if mime in CONVERTIBLE_IMAGES:
        return _image(data, raw_name, mime, policy)
    if mime == "application/zip" or data[:4] == b"PK\x03\x04":
        check_zip(data)
        if "asice" not in policy.formats:
            raise _format_refused(policy, _("an ASiC-E container"))
        return CheckedFile(data, display_name(raw_name, "asice"), "application/vnd.etsi.asic-e+zip", True)
    if _is_cms_signature(data):
        if "asice" not in policy.formats:
            raise _format_refused(policy, _("a CAdES signature (.p7s)"))
        return CheckedFile(data, display_name(raw_name, "p7s"), "application/pkcs7-signature", True)
    if _starts_like_xml(data):
        if "xml" in policy.formats:
            check_xml(data)
            return CheckedFile(data, display_name(raw_name, "xml"), "application/xml", False)
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml"):
            raise _format_refused(policy, _("an XML file"))
    raise DocumentRefused(
        _(
            "We could not recognise this file from its content (whatever its name says); for “%(label)s” we accept %(formats)s."
        )
        % {"label": policy.label, "formats": policy.format_names()}
    )


def _starts_like_xml(data: bytes) -> bool:
    head = data[:1024]
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or head[:2] in (b"\xff\xfe", b"\xfe\xff")


def check_xml(data: bytes) -> None:
    """Well-formed XML without a document type declaration: no entity can expand or reach out."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise DocumentRefused(
            _("This XML file is not well-formed (line %(line)s): %(problem)s")
            % {"line": error.lineno or "?", "problem": error.msg}
        ) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise DocumentRefused(
            _(
                "XML files with a document type declaration (<!DOCTYPE ...>) are refused: they can hide entities."
            )
        )


def too_large(policy: EvidencePolicy) -> DocumentRefused:
    return DocumentRefused(
        _("The file is larger than %(size)s MB, the most we accept for “%(label)s”.")
        % {"size": round(policy.max_bytes / (1024 * 1024), 1), "label": policy.label}
    )


# --- PDF --------------------------------------------------------------------------------------

_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "embedded files",
    "/RichMedia": "embedded media",
}
_ACTIVE_ACTIONS = {"/Launch": "an action that launches programs", "/JavaScript": "JavaScript"}


def _active_content(reader) -> str | None:
    """The first kind of active content found walking every object reachable from the catalogue."""
    from pyhanko.pdf_utils import generic

    seen: set = set()
    pending = [reader.root, reader.trailer_view]
    visited = 0
    while pending:
        node = pending.pop()
        if isinstance(node, generic.IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return "too many objects"
        if isinstance(node, generic.DictionaryObject):
            for key in node:
                if key in _ACTIVE_KEYS:
                    return _ACTIVE_KEYS[key]
            action = node.get("/S") if "/S" in node else None
            if action in _ACTIVE_ACTIONS:
                return _ACTIVE_ACTIONS[action]
            if node.get("/Type") == "/Filespec" and "/EF" in node:
                return "embedded files"
            pending.extend(node.raw_get(key) for key in node if key != "/Parent")
        elif isinstance(node, generic.ArrayObject):
            pending.extend(node)
    return None


def check_pdf(data: bytes) -> bool:
    """Parse the PDF; refuse it when it cannot be read or carries active content (JavaScript,
    launch actions, embedded files) unless it is signed evidence. Returns whether it is signed."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    unreadable = DocumentRefused(
        _(
            "This PDF cannot be read: it is damaged or not really a PDF. Save it again as PDF and upload it again."
        )
    )
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        if reader.encrypted:
            raise DocumentRefused(
                _(
                    "This PDF is protected by a password; the authority could not open it. Upload it without the protection."
                )
            )
        signed = bool(reader.embedded_signatures)
        found = None if signed else _active_content(reader)
    except DocumentRefused:
        raise
    except (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise unreadable from None
    if found:
        raise DocumentRefused(
            _(
                "This PDF contains %(what)s, which we do not accept in documents (it could run code on the authority's computers). Print it to a new PDF and upload that."
            )
            % {"what": found}
        )
    return signed


# --- Images -----------------------------------------------------------------------------------


def _image(data: bytes, raw_name: str, mime: str, policy: EvidencePolicy) -> CheckedFile:
    from PIL import Image, ImageOps

    unreadable = DocumentRefused(_("This image cannot be read: it is damaged or not really an image."))
    try:
        with Image.open(BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DocumentRefused(
                    _("This image is too large (more than 40 megapixels); scan it at a lower resolution.")
                )
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            kind = IMAGE_KINDS.get(mime)
            out = BytesIO()
            if kind in policy.formats:
                # re-encoded without its metadata (camera, place, time)
                if kind == "png":
                    image.save(out, format="PNG", optimize=True)
                else:
                    image.convert("RGB").save(out, format="JPEG", quality=92)
                return CheckedFile(out.getvalue(), display_name(raw_name, EXTENSIONS[mime]), mime, False)
            if "pdf" not in policy.formats:
                raise _format_refused(policy, _("an image"))
            image.convert("RGB").save(out, format="PDF", resolution=150)
            return CheckedFile(
                out.getvalue(), display_name(raw_name, "pdf"), "application/pdf", False, converted_from=mime
            )
    except DocumentRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise unreadable from None


# --- ZIP / ASiC-E, CMS ------------------------------------------------------------------------


def check_zip(data: bytes) -> None:
    """Open a ZIP defensively; refuse bombs and tricks, and anything that is not an ASiC-E container."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DocumentRefused(_("This ZIP file is damaged.")) from None
    declared = sum(info.file_size for info in infos)
    if (
        len(infos) > ZIP_MAX_ENTRIES
        or declared > 4 * settings.DOCUMENT_MAX_BYTES
        or (declared > 1_000_000 and declared / max(len(data), 1) > ZIP_MAX_RATIO)
    ):
        raise DocumentRefused(
            _("This archive expands to far more than its size (a “ZIP bomb”); we do not open it.")
        )
    try:
        container = asic.open_container(data)
    except asic.ContainerError as error:
        message = str(error)
        if "zip bomb" in message or "expands" in message or "larger than" in message:
            raise DocumentRefused(
                _("This archive expands to far more than its size (a “ZIP bomb”); we do not open it.")
            ) from None
        if "unsafe" in message:
            raise DocumentRefused(
                _(
                    "This archive contains file names that try to leave the archive (e.g. “../”); we do not open it."
                )
            ) from None
        raise DocumentRefused(_("This ZIP file cannot be opened safely.")) from None
    if container.mimetype != asic.ASICE_MIMETYPE and not container.signature_files:
        raise DocumentRefused(
            _(
                "We accept ZIP files only as signed ASiC-E containers. Upload the documents one by one instead."
            )
        )


def _is_cms_signature(data: bytes) -> bool:
    if data[:1] != b"\x30":
        return False
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(data, strict=False)
        return (
            info["content_type"].native == "signed_data"
            and info["content"]["signer_infos"].native is not None
        )
    except (ValueError, TypeError, KeyError):
        return False


# --- Reading stored documents -----------------------------------------------------------------


def read_document(document) -> bytes:
    with storages["private"].open(document.stored_name, "rb") as handle:
        return handle.read()


def usable_documents(application) -> list:
    """The documents attached to the application that may go to its authority (clean, or not scanned
    by configuration), in the order they were attached."""
    attachments = application.documents.select_related("document").filter(
        document__scan_status__in=[ScanStatus.CLEAN, ScanStatus.NOT_SCANNED]
    )
    return [attachment.document for attachment in attachments]


def documents_for_delivery(application) -> list[tuple[str, bytes, str]]:
    """(display-safe file name, content, MIME type) of every usable document attached to the
    application, in the order they were attached; names are made unique within the application."""
    result: list[tuple[str, bytes, str]] = []
    used: set[str] = set()
    for document in usable_documents(application):
        name = document.display_name
        stem, _dot, extension = name.rpartition(".")
        counter = 2
        while name.lower() in used:
            name = f"{stem}-{counter}.{extension}"
            counter += 1
        used.add(name.lower())
        result.append((name, read_document(document), document.mime_type))
    return result
