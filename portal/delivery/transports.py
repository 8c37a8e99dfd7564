"""Transports: how the bytes of an AS4 message reach the partner. A registry, name -> class.

Each class declares its options; ``get_transport(name, options)`` validates them (unknown or
ill-typed options are a configuration error, raised when the P-Mode is loaded, not when sending).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import requests


class TransportConfigError(ValueError):
    pass


class TransportError(Exception):
    """The message did not get an HTTP answer (refused, reset, timed out, TLS failure)."""


@dataclass(frozen=True)
class Option:
    kind: type | tuple[type, ...]
    default: Any = None
    help: str = ""


@dataclass
class TransportResponse:
    status: int
    content_type: str | None
    body: bytes


class Transport:
    name: ClassVar[str]
    options: ClassVar[dict[str, Option]] = {}

    def __init__(self, **options: Any) -> None:
        for key, value in options.items():
            setattr(self, key, value)

    def validate(self) -> None:
        """Check the option values together (types are already checked)."""

    def send(self, endpoint: str, body: bytes, content_type: str) -> TransportResponse:
        raise NotImplementedError


TRANSPORTS: dict[str, type[Transport]] = {}


def register(cls: type[Transport]) -> type[Transport]:
    TRANSPORTS[cls.name] = cls
    return cls


def get_transport(name: str, options: dict[str, Any] | None = None) -> Transport:
    try:
        cls = TRANSPORTS[name]
    except KeyError:
        raise TransportConfigError(
            f"unknown transport {name!r} (known: {', '.join(sorted(TRANSPORTS))})"
        ) from None
    options = dict(options or {})
    unknown = set(options) - set(cls.options)
    if unknown:
        raise TransportConfigError(f"{name}: unknown option(s) {', '.join(sorted(unknown))}")
    values = {}
    for key, option in cls.options.items():
        value = options.get(key, option.default)
        kinds = option.kind if isinstance(option.kind, tuple) else (option.kind,)
        if value is not None and (
            not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)
        ):
            expected = " or ".join(k.__name__ for k in kinds)
            raise TransportConfigError(f"{name}.{key}: expected {expected}, got {value!r}")
        values[key] = value
    transport = cls(**values)
    transport.validate()
    return transport


@register
class As4HttpTransport(Transport):
    """Direct HTTP POST of the AS4 message to the partner's endpoint (TLS verified, always)."""

    name = "as4"
    options = {
        "timeout": Option((int, float), 60, "seconds to connect and to wait for the answer"),
        "connect_timeout": Option((int, float), 10, "seconds to establish the connection"),
        "ca_bundle": Option(
            str, None, "PEM file of CAs for the endpoint's TLS certificate (else the system's)"
        ),
        "client_certificate": Option(str, None, "PEM certificate for TLS client authentication"),
        "client_key": Option(str, None, "PEM private key of the client certificate"),
    }
    timeout: float
    connect_timeout: float
    ca_bundle: str | None
    client_certificate: str | None
    client_key: str | None

    def validate(self) -> None:
        if self.timeout <= 0 or self.connect_timeout <= 0:
            raise TransportConfigError("as4: timeouts must be positive")
        if self.client_key and not self.client_certificate:
            raise TransportConfigError("as4: client_key given without client_certificate")

    def send(self, endpoint: str, body: bytes, content_type: str) -> TransportResponse:
        cert: str | tuple[str, str] | None = None
        if self.client_certificate:
            cert = (self.client_certificate, self.client_key) if self.client_key else self.client_certificate
        try:
            response = requests.post(
                endpoint,
                data=body,
                headers={"Content-Type": content_type, "MIME-Version": "1.0", "SOAPAction": '""'},
                timeout=(self.connect_timeout, self.timeout),
                verify=self.ca_bundle or True,
                cert=cert,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise TransportError(f"{type(error).__name__}: {error}") from None
        return TransportResponse(response.status_code, response.headers.get("Content-Type"), response.content)
