"""The registry of virus scanners: name -> class with declared, validated options.

``settings.DOCUMENT_SCANNER`` is ``{"class": <registered name>, **options}``. Registered here:
``none`` (the embedded default: nothing is scanned, and documents say so) and ``clamav`` (clamd's
INSTREAM command over TCP or a unix socket). A scanner that cannot be reached raises
:class:`ScannerUnavailable`: the document stays pending and is scanned again later.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from portal.core.registry import Option, validate_options


class ScannerConfigurationError(ValueError):
    pass


class ScannerUnavailable(Exception):
    """The scanner did not give a verdict (down, refused, timed out, answered nonsense)."""


@dataclass(frozen=True)
class Verdict:
    scanned: bool  # False: nobody looked (the "none" scanner)
    infected: bool
    detail: str  # the scanner's answer, e.g. "Eicar-Test-Signature"


class Scanner:
    """Base class: declare ``name`` and ``options``; implement ``scan``."""

    name: ClassVar[str]
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, **config: object) -> None:
        self.config = self.validate_options(config)

    @classmethod
    def validate_options(cls, config: dict) -> dict:
        return validate_options(f"scanner {cls.name!r}", cls.options, config, ScannerConfigurationError)

    def scan(self, data: bytes) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError


_REGISTRY: dict[str, type[Scanner]] = {}


def register(scanner_class: type[Scanner]) -> type[Scanner]:
    if scanner_class.name in _REGISTRY:
        raise ScannerConfigurationError(f"scanner {scanner_class.name!r} registered twice")
    _REGISTRY[scanner_class.name] = scanner_class
    return scanner_class


def registered_scanners() -> list[str]:
    return sorted(_REGISTRY)


def get_scanner(name: str, **config: object) -> Scanner:
    try:
        scanner_class = _REGISTRY[name]
    except KeyError:
        raise ScannerConfigurationError(f"no scanner named {name!r}; known: {sorted(_REGISTRY)}") from None
    return scanner_class(**config)


def configured_scanner() -> Scanner:
    from django.conf import settings

    config = dict(settings.DOCUMENT_SCANNER)
    return get_scanner(str(config.pop("class", "none")), **config)


@register
class NoScanner(Scanner):
    """Scans nothing. For the embedded default only: every document is marked "not scanned"."""

    name = "none"

    def scan(self, data: bytes) -> Verdict:
        return Verdict(scanned=False, infected=False, detail="no virus scanner configured")


@register
class ClamdScanner(Scanner):
    """clamd's INSTREAM: ``zINSTREAM\\0``, then chunks each prefixed with their length as a 4-byte
    big-endian integer, then a zero length; clamd answers ``stream: OK`` or ``stream: <name> FOUND``."""

    name = "clamav"
    options = (
        Option("address", str, help="tcp://host:port or unix:///path/to/clamd.sock"),
        Option("timeout", (int, float), required=False, help="seconds, default 30"),
        Option("chunk_size", int, required=False, help="bytes per INSTREAM chunk, default 64 KiB"),
    )

    @classmethod
    def validate_options(cls, config: dict) -> dict:
        config = super().validate_options(config)
        address = urlsplit(config["address"])
        if address.scheme == "tcp" and address.hostname and address.port:
            return config
        if address.scheme == "unix" and address.path:
            return config
        raise ScannerConfigurationError(
            f"scanner 'clamav': address {config['address']!r} is neither tcp://host:port nor unix:///path"
        )

    def _connect(self) -> socket.socket:
        address = urlsplit(self.config["address"])
        timeout = float(self.config.get("timeout", 30))
        try:
            if address.scheme == "unix":
                connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                connection.settimeout(timeout)
                connection.connect(address.path)
                return connection
            return socket.create_connection((address.hostname, address.port), timeout=timeout)
        except OSError as error:
            raise ScannerUnavailable(
                f"clamd at {self.config['address']} cannot be reached: {error}"
            ) from None

    def scan(self, data: bytes) -> Verdict:
        chunk_size = int(self.config.get("chunk_size", 64 * 1024))
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
