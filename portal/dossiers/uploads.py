"""Receiving an upload without ever holding more than the limit.

:class:`LimitedUploadHandler` replaces Django's handlers for the upload view: it refuses a request
whose declared length is already too large before reading any of its body, counts the bytes of the
one file as they stream in and stops reading the moment they pass the limit. It keeps the file in
memory (the limit is small), so nothing of an upload is ever written to a temporary file.
"""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

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
