"""ASiC containers (ETSI EN 319 162-1/-2): our own container layer, then XAdES/CAdES per signature.

:func:`open_container` (also used to check uploads) opens the ZIP defensively, raising ``ContainerError``:
every entry name is checked (``entry_names.unsafe_name_reason``) and duplicates refused before anything
is read; at most :data:`MAX_ENTRIES` entries, :data:`MAX_ENTRY_BYTES` per entry (read with a cap, the
declared size not trusted), :data:`MAX_TOTAL_BYTES` in all, no encrypted entry, and an entry over 1 MB
may not expand more than :data:`MAX_COMPRESSION_RATIO` times; every entry is read, so CRC and deflate
errors refuse the container.

Then :func:`validate_container`:

* **mimetype**: missing, not first, compressed or with an extra field -> a warning (DSS accepts such
  containers); a mimetype other than ASiC-E / ASiC-S -> a structural failure (a plain ZIP).
* **manifest** (``META-INF/manifest.xml``): paths checked like entry names (unsafe -> structural
  failure); a listed file the container lacks is an error, an unlisted data file a warning.
* ASiC-S holds exactly one data file.
* **signatures**: ``META-INF/*signature*.xml`` is validated as XAdES, ``META-INF/*signature*.p7s`` as
  CAdES (over its ASiCManifest, or the single data file; see ``cades.py``). A data file counts as covered
  only by a signature whose reference to it verified; the others are ``unsigned_files`` (which make the
  overall result INDETERMINATE). No signature at all is an error.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from lxml import etree

from . import cades, xades
from .entry_names import unsafe_name_reason
from .report import ValidationReport
from .trust import TrustContext

ASICE_MIMETYPE = "application/vnd.etsi.asic-e+zip"
ASICS_MIMETYPE = "application/vnd.etsi.asic-s+zip"
MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

MAX_ENTRIES = 1000
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # larger ratios are zip bombs, not documents

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class ContainerError(ValueError):
    """The container cannot be opened safely; nothing in it is trusted."""


@dataclass
class Container:
    entries: dict[str, bytes]
    order: list[str]
    warnings: list[str] = field(default_factory=list)
    compressed_mimetype: bool = False

    @property
    def mimetype(self) -> str | None:
        raw = self.entries.get("mimetype")
        return raw.decode("ascii", "replace").strip() if raw is not None else None

    @property
    def data_files(self) -> list[str]:
        return [name for name in self.order if name != "mimetype" and not name.startswith("META-INF/")]

    @property
    def signature_files(self) -> list[str]:
        return [
            name
            for name in self.order
            if name.startswith("META-INF/")
            and "signature" in name.lower()
            and name.lower().endswith((".xml", ".p7s"))
        ]


def open_container(data: bytes) -> Container:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        raise ContainerError(f"not a ZIP container: {error}") from None
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ContainerError(f"{len(infos)} entries, more than the {MAX_ENTRIES} allowed")
    seen: set[str] = set()
    total = 0
    for info in infos:
        reason = unsafe_name_reason(info.filename.rstrip("/") if info.is_dir() else info.filename)
        if reason:
            raise ContainerError(f"unsafe container: {reason}")
        if info.filename in seen:
            raise ContainerError(f"unsafe container: entry {info.filename!r} appears twice")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise ContainerError(f"entry {info.filename!r} is encrypted")
        if info.file_size > MAX_ENTRY_BYTES:
            raise ContainerError(f"entry {info.filename!r} is larger than {MAX_ENTRY_BYTES} bytes")
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO
            and info.file_size > 1_000_000
        ):
            raise ContainerError(f"entry {info.filename!r} expands suspiciously (zip bomb?)")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ContainerError(f"the container expands to more than {MAX_TOTAL_BYTES} bytes")

    entries: dict[str, bytes] = {}
    order: list[str] = []
    for info in infos:
        if info.is_dir():
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(MAX_ENTRY_BYTES + 1)  # never trust the declared size alone
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            NotImplementedError,
            RuntimeError,
        ) as error:
            raise ContainerError(f"entry {info.filename!r} cannot be read: {error}") from None
        if len(content) > MAX_ENTRY_BYTES:
            raise ContainerError(f"entry {info.filename!r} is larger than {MAX_ENTRY_BYTES} bytes")
        entries[info.filename] = content
        order.append(info.filename)
    if not entries:
        raise ContainerError("the container is empty")

    container = Container(entries=entries, order=order)
    first = infos[0]
    if "mimetype" not in entries:
        container.warnings.append("the container has no mimetype entry")
    else:
        if first.filename != "mimetype":
            container.warnings.append("the mimetype entry is not the first entry of the container")
        mimetype_info = archive.getinfo("mimetype")
        if mimetype_info.compress_type != zipfile.ZIP_STORED:
            container.warnings.append("the mimetype entry is compressed (it must be stored)")
        if mimetype_info.extra:
            container.warnings.append("the mimetype entry has an extra field")
    return container


def manifest_paths(container: Container) -> list[str] | None:
    raw = container.entries.get("META-INF/manifest.xml")
    if raw is None:
        return None
    root = etree.fromstring(raw, parser=_SAFE_PARSER)
    paths = []
    for entry in root.iter(f"{{{MANIFEST_NS}}}file-entry"):
        paths.append(entry.get(f"{{{MANIFEST_NS}}}full-path", ""))
    return paths


def validate_container(
    data: bytes, filename: str, trust: TrustContext, at: datetime | None, report: ValidationReport
) -> None:
    try:
        container = open_container(data)
    except ContainerError as error:
        report.format = "ASiC"
        report.structural_failure = True
        report.errors.append(str(error))
        return
    report.warnings.extend(container.warnings)
    mimetype = container.mimetype
    if mimetype is not None and mimetype not in (ASICE_MIMETYPE, ASICS_MIMETYPE):
        report.format = "ZIP"
        report.structural_failure = True
        report.errors.append(f"not an ASiC container: mimetype is {mimetype!r}")
        return
    is_asics = mimetype == ASICS_MIMETYPE
    report.format = "ASiC-S" if is_asics else "ASiC-E"

    try:
        listed = manifest_paths(container)
    except etree.XMLSyntaxError as error:
        report.structural_failure = True
        report.errors.append(f"META-INF/manifest.xml is not well-formed: {error}")
        return
    data_files = container.data_files
    if listed is None:
        if not is_asics and any(name.endswith(".xml") for name in container.signature_files):
            report.warnings.append("the container has no META-INF/manifest.xml")
    else:
        for path in listed:
            if path == "/":
                continue
            reason = unsafe_name_reason(path)
            if reason:
                report.structural_failure = True
                report.errors.append(f"META-INF/manifest.xml lists {reason}")
            elif path not in container.entries:
                report.errors.append(f"META-INF/manifest.xml lists {path!r}, which is not in the container")
        for name in data_files:
            if name not in listed:
                report.warnings.append(f"{name!r} is not listed in META-INF/manifest.xml")
    if is_asics and len(data_files) != 1:
        report.structural_failure = True
        report.errors.append(
            f"an ASiC-S container holds exactly one data file, this one holds {len(data_files)}"
        )

    signature_files = container.signature_files
    if not signature_files:
        report.errors.append("the container holds no signature")
    covered: set[str] = set()
    for name in signature_files:
        content = container.entries[name]
        if name.lower().endswith(".xml"):
            covered |= xades.validate_signature_file(
                content, name, container.entries, data_files, trust, at, report
            )
        else:
            covered |= cades.validate_container_cms(
                content, name, container.entries, data_files, trust, at, report
            )
    report.unsigned_files = [name for name in data_files if name not in covered]
    for name in report.unsigned_files:
        report.warnings.append(f"{name!r} is not covered by any valid signature reference")
