"""Receiving an upload without ever holding more than the limit.

:class:`LimitedUploadHandler` is installed as the upload view's only handler, after the view has worked
out the evidence request's size limit and before anything reads the body (the view is ``csrf_exempt``
outside and ``csrf_protect`` inside, because the CSRF check itself reads the body):

* a declared ``Content-Length`` above the limit plus :data:`MULTIPART_OVERHEAD` (1 MiB for the other
  fields and the framing) is refused without reading one byte of the body;
* the file's bytes are counted as they stream in (64 KiB chunks), and reading stops
  (``StopUpload(connection_reset=True)``) the moment they pass the limit;
* one file only: a second file part stops the upload too;
* the file is kept in memory (the limit is small), so nothing of an upload is written to a temporary file.

A refusal is recorded in ``handler.refusal`` (``too_large`` or ``several_files``) for the view to render.

:func:`parse_keeping_raw_file_names` parses the body through Django's multipart parser but also returns
each file name as the client sent it, because Django quietly strips folders and unprintable characters.
:func:`unsafe_file_name` refuses a name with a folder path (``/`` or ``\\``) or control / format
characters (Unicode Cc and Cf, bidi overrides included); characters some file systems refuse
(``<>:"|?*``) are replaced in the displayed name later (``documents.py``), not refused.
"""

from __future__ import annotations

import html
import unicodedata
from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

# room for the form's other fields and the multipart framing around the file
MULTIPART_OVERHEAD = 1024 * 1024


class LimitedUploadHandler(FileUploadHandler):
    chunk_size = 64 * 1024

    def __init__(self, max_bytes: int, request=None) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.refusal: str | None = None  # "too_large" or "several_files"
        self.received = 0
        self.buffer: BytesIO | None = None
        self.files_seen = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.max_bytes + MULTIPART_OVERHEAD:
            # the body is never read: a 1 GB upload costs nothing but its headers
            self.refusal = "too_large"
            return QueryDict(mutable=True), MultiValueDict()
        return None

    def new_file(
        self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None
    ):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.files_seen += 1
        if self.files_seen > 1:
            self.refusal = "several_files"
            raise StopUpload(connection_reset=True)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.refusal = "too_large"
            self.buffer = None
            # stop reading the body here: what is left of it is never received
            raise StopUpload(connection_reset=True)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int):
        if self.buffer is None:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class _RawNameParser(MultiPartParser):
    """Django's parser, remembering each file name as the client sent it: Django quietly strips
    directories and unprintable characters, and we refuse such a name rather than guess."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.raw_file_names: list[str] = []

    def sanitize_file_name(self, file_name):
        self.raw_file_names.append(html.unescape(file_name))
        return super().sanitize_file_name(file_name)


def parse_keeping_raw_file_names(request: HttpRequest) -> list[str]:
    """Parse the request body now (through ``request.upload_handlers``) and return the file names as sent."""
    names: list[str] = []

    def parse_file_upload(meta, post_data):
        parser = _RawNameParser(meta, post_data, request.upload_handlers, request.encoding)
        try:
            return parser.parse()
        finally:
            names.extend(parser.raw_file_names)

    request.parse_file_upload = parse_file_upload
    request.POST  # noqa: B018 - parse the body now, through the handlers only
    return names


def unsafe_file_name(raw: str) -> str | None:
    """Why a file name as sent cannot be taken (a folder path, control or direction-changing
    characters), or None. Characters some file systems refuse are replaced later, not refused."""
    if "/" in raw or "\\" in raw:
        return _("The file name contains a folder path. Rename the file and upload it again.")
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in raw):
        return _(
            "The file name contains control or text-direction characters. Rename the file and upload it again."
        )
    return None
