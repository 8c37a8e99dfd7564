"""Transports: how the bytes of an AS4 message reach the partner. A registry, name -> class.

Each class declares its options; ``get_transport(name, options)`` validates them (unknown or
ill-typed options are a configuration error, raised when the P-Mode is loaded, not when sending).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from portal.delivery import domibus
from portal.delivery.as4.ebms import UserMessageHeader


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
    # True: another access point does the AS4 (signing, encryption, receipts); we hand it the
    # payloads and the ebMS header and follow its status instead of posting a signed message.
    handover: ClassVar[bool] = False

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


def _https_or_loopback(name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        try:
            loopback = parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return
        raise TransportConfigError(f"{name}: plain http is only allowed to a loopback address; use https")
    raise TransportConfigError(f"{name}: {value!r} is not an http(s) URL")


@dataclass
class Handover:
    """What the other access point answered, and its exact bytes (kept as evidence)."""

    value: Any
    raw: bytes


@register
class DomibusWsTransport(Transport):
    """Hand the message to an existing Domibus 5 access point through its WS plugin.

    Domibus signs, encrypts, sends and collects the AS4 receipt itself; we submit the payloads and
    the ebMS header (submitMessage), then follow getStatus until ACKNOWLEDGED or SEND_FAILURE.
    TLS verification is always on (``ca_bundle`` names the CAs); the plugin user authenticates
    with HTTP Basic (``username`` + ``password``/``password_env``) or a TLS client certificate.
    """

    name = "domibus-ws"
    handover = True
    options = {
        "endpoint": Option(
            str, None, "the WS plugin URL, e.g. https://domibus.example/domibus/services/wsplugin"
        ),
        "username": Option(str, None, "plugin user (HTTP Basic)"),
        "password": Option(str, None, "its password (prefer password_env)"),
        "password_env": Option(str, None, "environment variable holding the password"),
        "client_certificate": Option(str, None, "PEM certificate for TLS client authentication"),
        "client_key": Option(str, None, "PEM private key of the client certificate"),
        "ca_bundle": Option(str, None, "PEM file of CAs for Domibus's TLS certificate (else the system's)"),
        "timeout": Option((int, float), 60, "seconds to wait for an answer"),
        "connect_timeout": Option((int, float), 10, "seconds to establish the connection"),
        "poll_interval": Option((int, float), 30, "seconds before the first getStatus"),
        "poll_max_interval": Option((int, float), 900, "the longest wait between two getStatus"),
        "give_up_after": Option(
            (int, float), 172800, "seconds after the hand-over without a final status: failed (EBMS:0301)"
        ),
        "inbound": Option(bool, False, "also fetch messages for us (listPendingMessages / retrieveMessage)"),
    }
    endpoint: str
    username: str | None
    password: str | None
    password_env: str | None
    client_certificate: str | None
    client_key: str | None
    ca_bundle: str | None
    timeout: float
    connect_timeout: float
    poll_interval: float
    poll_max_interval: float
    give_up_after: float
    inbound: bool

    def validate(self) -> None:
        if not self.endpoint:
            raise TransportConfigError("domibus-ws.endpoint: the WS plugin URL is required")
        _https_or_loopback("domibus-ws.endpoint", self.endpoint)
        if min(self.timeout, self.connect_timeout, self.poll_interval, self.give_up_after) <= 0:
            raise TransportConfigError(
                "domibus-ws: timeouts, poll_interval and give_up_after must be positive"
            )
        if self.poll_max_interval < self.poll_interval:
            raise TransportConfigError("domibus-ws: poll_max_interval must be at least poll_interval")
        if self.password and self.password_env:
            raise TransportConfigError("domibus-ws: give password or password_env, not both")
        if self.password_env and os.environ.get(self.password_env) is None:
            raise TransportConfigError(
                f"domibus-ws.password_env: the variable {self.password_env} is not set"
            )
        if bool(self.username) != bool(self.password or self.password_env):
            raise TransportConfigError("domibus-ws: username and password go together")
        if self.client_key and not self.client_certificate:
            raise TransportConfigError("domibus-ws: client_key given without client_certificate")
        if not self.username and not self.client_certificate:
            raise TransportConfigError(
                "domibus-ws: the WS plugin needs an authenticated plugin user: "
                "username + password, or client_certificate"
            )

    # -------------------------------------------------------------------------------------- building

    def package(
        self,
        header: UserMessageHeader,
        payloads: list[domibus.SubmitPayload],
        *,
        message_id: str,
        timestamp: str,
    ) -> tuple[bytes, str]:
        """The submitRequest the outbox stores and (re)submits byte for byte."""
        body = domibus.build_submit_request(header, payloads, message_id=message_id, timestamp=timestamp)
        return body, domibus.SOAP_CONTENT_TYPE

    # --------------------------------------------------------------------------------------- calling

    def _post(self, body: bytes, operation: str) -> TransportResponse:
        cert: str | tuple[str, str] | None = None
        if self.client_certificate:
            cert = (self.client_certificate, self.client_key) if self.client_key else self.client_certificate
        password = os.environ.get(self.password_env) if self.password_env else self.password
        try:
            response = requests.post(
                self.endpoint,
                data=body,
                headers={"Content-Type": f'{domibus.SOAP_CONTENT_TYPE}; action="{operation}"'},
                timeout=(self.connect_timeout, self.timeout),
                verify=self.ca_bundle or True,
                cert=cert,
                auth=(self.username, password) if self.username else None,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise TransportError(f"{type(error).__name__}: {error}") from None
        if response.status_code in (401, 403) and b"Envelope" not in response.content[:2000]:
            raise domibus.DomibusFault(
                domibus.AUTHENTICATION_FAULT,
                f"HTTP {response.status_code}: the plugin user was not accepted",
                http_status=response.status_code,
            )
        return TransportResponse(response.status_code, response.headers.get("Content-Type"), response.content)

    def submit(self, body: bytes) -> Handover:
        """submitMessage: the messageID(s) Domibus accepted; raises DomibusFault, TransportError,
        DomibusAnswerError."""
        response = self._post(body, "submitMessage")
        return Handover(domibus.parse_submit_response(response.body, response.status), response.body)

    def status(self, message_id: str) -> Handover:
        response = self._post(domibus.status_request(message_id), "getStatus")
        return Handover(domibus.parse_status_response(response.body, response.status), response.body)

    def errors(self, message_id: str) -> Handover:
        response = self._post(domibus.errors_request(message_id), "getMessageErrors")
        return Handover(domibus.parse_errors_response(response.body, response.status), response.body)

    def pending(self) -> list[str]:
        response = self._post(domibus.list_pending_request(), "listPendingMessages")
        return domibus.parse_list_pending_response(response.body, response.status)

    def retrieve(self, message_id: str) -> Handover:
        response = self._post(domibus.retrieve_request(message_id), "retrieveMessage")
        return Handover(domibus.parse_retrieve_response(response.body, response.status), response.body)
