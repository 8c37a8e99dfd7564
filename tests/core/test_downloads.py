"""The one download helper: the same headers on every file the portal hands out."""

from io import BytesIO
from urllib.parse import unquote

import pytest
from django.http import FileResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

from portal.core.downloads import content_disposition, file_response


def test_bytes_are_an_attachment_kept_out_of_caches_that_cannot_run_as_a_page():
    response = file_response(b"%PDF-1.7\n", "application.pdf", "application/pdf")
    assert response.content == b"%PDF-1.7\n"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="application.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert not response.has_header("X-Content-Type-Options")  # SecurityMiddleware's job


def test_an_open_file_is_streamed_with_the_same_headers():
    handle = BytesIO(b"hello")
    response = file_response(handle, "hello.txt", "text/plain", inline=True)
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == b"hello"
    assert response["Content-Disposition"] == 'inline; filename="hello.txt"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_security_middleware_adds_nosniff_to_a_download(settings):
    settings.SECURE_CONTENT_TYPE_NOSNIFF = True
    middleware = SecurityMiddleware(lambda request: file_response(b"{}", "data.json", "application/json"))
    response = middleware(RequestFactory().get("/"))
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        ("Statuts société.pdf", "Statuts societe.pdf"),
        ("Straße.pdf", "Stra_e.pdf"),
        ("证书.pdf", "__.pdf"),
        ('a "quoted"\\name.pdf', "a _quoted__name.pdf"),
    ],
)
def test_a_name_that_is_not_plain_ascii_gets_a_utf8_filename_star(filename, fallback):
    header = content_disposition(filename)
    plain, star = header.split("; filename*=UTF-8''")
    assert plain == f'attachment; filename="{fallback}"'
    assert unquote(star) == filename


def test_control_characters_never_reach_the_header():
    header = content_disposition("evil\r\nSet-Cookie: x=1.pdf")
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="evilSet-Cookie: x=1.pdf"')


def test_an_empty_name_still_gives_a_valid_header():
    assert content_disposition("") == 'attachment; filename="download"'
