"""The registry of virus scanners: name -> class with declared, validated options.

``settings.DOCUMENT_SCANNER`` is ``{"class": <registered name>, **options}``. Registered here:

* ``none`` (the embedded default): nothing is scanned; documents are marked "not scanned" and count as
  usable.
* ``clamav``: clamd's ``zINSTREAM`` over ``tcp://host:port`` or ``unix:///path``, the data in chunks
  (64 KiB by default) each prefixed by its length as a 4-byte big-endian integer, then a zero length;
  ``stream: OK`` is clean, ``stream: <name> FOUND`` infected.

A scanner that cannot be reached, stops answering or answers anything else raises
:class:`ScannerUnavailable` (no verdict): the document stays pending and is scanned again later
(``vault.py``).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from portal.core.registry import ConfigurationError, Option, Plugin, Registry


class ScannerConfigurationError(ConfigurationError):
    pass


class ScannerUnavailable(Exception):
    """The scanner did not give a verdict (down, refused, timed out, answered nonsense)."""


@dataclass(frozen=True)
class Verdict:
    scanned: bool  # False: nobody looked (the "none" scanner)
    infected: bool
    detail: str  # the scanner's answer, e.g. "Eicar-Test-Signature"


class Scanner(Plugin):
    """Base class: declare ``name`` and ``options``; implement ``scan``."""

    def scan(self, data: bytes) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError


scanners: Registry[Scanner] = Registry("scanner", error=ScannerConfigurationError)


def configured_scanner() -> Scanner:
    """The scanner ``settings.DOCUMENT_SCANNER`` names (``{"class": name, **options}``)."""
    return scanners.from_setting(settings.DOCUMENT_SCANNER, default_name="none")


@scanners.register
class NoScanner(Scanner):
    """Scans nothing. For the embedded default only: every document is marked "not scanned"."""

    name = "none"

    def scan(self, data: bytes) -> Verdict:
        return Verdict(scanned=False, infected=False, detail="no virus scanner configured")


@scanners.register
class ClamdScanner(Scanner):
    """clamd's INSTREAM: ``zINSTREAM\\0``, then chunks each prefixed with their length as a 4-byte
    big-endian integer, then a zero length; clamd answers ``stream: OK`` or ``stream: <name> FOUND``."""

    name = "clamav"
    options = (
        Option("address", str, help="tcp://host:port or unix:///path/to/clamd.sock"),
        Option("timeout", (int, float), required=False, default=30, help="seconds"),
        Option("chunk_size", int, required=False, default=64 * 1024, help="bytes per INSTREAM chunk"),
    )
    address: str
    timeout: float
    chunk_size: int

    def check_options(self) -> None:
        address = urlsplit(self.address)
        if address.scheme == "tcp" and address.hostname and address.port:
            return
        if address.scheme == "unix" and address.path:
            return
        raise ScannerConfigurationError(
            f"scanner 'clamav': address {self.address!r} is neither tcp://host:port nor unix:///path"
        )

    def _connect(self) -> socket.socket:
        address = urlsplit(self.address)
        timeout = float(self.timeout)
        try:
            if address.scheme == "unix":
                connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                connection.settimeout(timeout)
                connection.connect(address.path)
                return connection
            return socket.create_connection((address.hostname, address.port), timeout=timeout)
        except OSError as error:
            raise ScannerUnavailable(f"clamd at {self.address} cannot be reached: {error}") from None

    def scan(self, data: bytes) -> Verdict:
        chunk_size = self.chunk_size
        with self._connect() as connection:
            try:
                connection.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), chunk_size):
                    chunk = data[start : start + chunk_size]
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
                answer = b""
                while not answer.endswith(b"\0"):
                    received = connection.recv(4096)
                    if not received:
                        break
                    answer += received
            except OSError as error:
                raise ScannerUnavailable(f"clamd stopped answering: {error}") from None
        text = answer.rstrip(b"\0\n").decode("utf-8", "replace")
        _stream, _colon, verdict = text.partition(": ")
        if verdict == "OK":
            return Verdict(scanned=True, infected=False, detail="OK")
        if verdict.endswith(" FOUND"):
            return Verdict(scanned=True, infected=True, detail=verdict.removesuffix(" FOUND"))
        # "INSTREAM size limit exceeded. ERROR" and the like: no verdict, try again later
        raise ScannerUnavailable(f"clamd gave no verdict: {text[:200]!r}")
