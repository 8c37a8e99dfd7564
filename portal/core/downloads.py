"""One way to serve a file to download: the same headers for every file the portal hands out."""

from __future__ import annotations

import unicodedata
from typing import IO, overload
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase

# A served file is never a page of the portal: no script, no style, no frame, no form, own origin.
SERVED_FILE_CSP = "default-src 'none'; sandbox"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266: a plain ASCII ``filename`` every browser reads, plus ``filename*`` (RFC 5987, UTF-8)
    when the real name is not plain ASCII."""
    name = "".join(char for char in filename if unicodedata.category(char)[0] != "C").strip()
    fallback = "".join(
        char if " " <= char <= "~" and char not in '"\\' else "_"
        for char in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(char)
    )
    header = f'{"inline" if inline else "attachment"}; filename="{fallback or "download"}"'
    if name and fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


@overload
def file_response(
    data_or_file: bytes | str, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse: ...


@overload
def file_response(
    data_or_file: IO[bytes], filename: str, content_type: str, *, inline: bool = False
) -> FileResponse: ...


def file_response(
    data_or_file: bytes | str | IO[bytes], filename: str, content_type: str, *, inline: bool = False
) -> HttpResponseBase:
    """The bytes (or an open binary file, streamed and closed after) as a download named ``filename``,
    kept out of shared caches and unable to run as a page of the portal. ``X-Content-Type-Options:
    nosniff`` comes from SecurityMiddleware (``SECURE_CONTENT_TYPE_NOSNIFF``)."""
    if isinstance(data_or_file, bytes | str):
        response: HttpResponseBase = HttpResponse(data_or_file, content_type=content_type)
    else:
        response = FileResponse(data_or_file, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = SERVED_FILE_CSP
    return response
