"""Files and servers the document tests share: PDFs with and without active content, images, ZIP
bombs, and a stand-in clamd that speaks the real INSTREAM protocol on 127.0.0.1 or a unix socket."""

from __future__ import annotations

import socketserver
import struct
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

from PIL import Image

from tests.signing.pki import VECTORS, minimal_pdf

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf_with(
    catalogue_extra: bytes = b"", extra_objects: tuple[bytes, ...] = (), text: str = "Statutes"
) -> bytes:
    """A well-formed PDF whose catalogue carries ``catalogue_extra`` (e.g. an OpenAction)."""
    return minimal_pdf(text, catalogue_extra=catalogue_extra, extra_objects=extra_objects)


PLAIN_PDF = minimal_pdf("Articles of association")
JAVASCRIPT_PDF = pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert\\('pwned'\\)) >>")
LAUNCH_PDF = pdf_with(b"/OpenAction 6 0 R", (b"<< /S /Launch /F (cmd.exe) >>",))
EMBEDDED_FILE_PDF = pdf_with(
    b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>",
    (b"<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>", b"<< /Length 2 >>\nstream\nMZ\nendstream"),
)
SIGNED_PDF_PATH = VECTORS / "pades" / "pdf-signed-original.pdf"
ASICE_PATH = VECTORS / "asice" / "onefile-ok.asice"


def png_with_metadata() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ana Silva, Rua das Flores 12")
    out = BytesIO()
    Image.new("RGB", (120, 80), (200, 30, 30)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def zip_bomb(megabytes: int = 60) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.etsi.asic-e+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("statutes.pdf", b"\0" * (megabytes * 1024 * 1024))
    return out.getvalue()


def zip_with_traversal() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.etsi.asic-e+zip")
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root rm -rf /")
    return out.getvalue()


def plain_zip() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("statutes.pdf", PLAIN_PDF)
    return out.getvalue()


class _ClamdHandler(socketserver.BaseRequestHandler):
    """clamd's INSTREAM: a command ended by NUL (z-prefix) or newline (n-prefix), then chunks, each
    prefixed by its length as a 4-byte big-endian integer, closed by a zero length."""

    def _read_exactly(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            received = self.request.recv(count - len(data))
            if not received:
                raise ConnectionError("client went away")
            data += received
        return data

    def handle(self) -> None:
        command = b""
        while not command.endswith((b"\0", b"\n")):
            received = self.request.recv(1)
            if not received:
                return
            command += received
        terminator = command[-1:]
        name = command[1:-1] if command[:1] in (b"z", b"n") else command[:-1]
        if name == b"PING":
            self.request.sendall(b"PONG" + terminator)
            return
        if name != b"INSTREAM":
            self.request.sendall(b"UNKNOWN COMMAND" + terminator)
            return
        stream = b""
        while True:
            (length,) = struct.unpack("!L", self._read_exactly(4))
            if length == 0:
                break
            stream += self._read_exactly(length)
        self.server.scanned.append(len(stream))
        if EICAR in stream:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND" + terminator)
        else:
            self.request.sendall(b"stream: OK" + terminator)


class _TCPClamd(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class _UnixClamd(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


@contextmanager
def clamd_standin(
    *, port: int | None = None, unix_path: str | None = None
) -> Iterator[socketserver.BaseServer]:
    """A clamd stand-in on 127.0.0.1:port (or a unix socket); ``server.scanned`` lists stream sizes."""
    server = (
        _UnixClamd(unix_path, _ClamdHandler) if unix_path else _TCPClamd(("127.0.0.1", port), _ClamdHandler)
    )
    server.scanned = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
