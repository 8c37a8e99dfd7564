"""Transports: how the bytes of an AS4 message reach the partner. A registry, name -> class.

Each class declares its options; ``transports.build(name, options)`` validates them (unknown or
ill-typed options are a configuration error, raised when the P-Mode is loaded, not when sending).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from portal.core.registry import ConfigurationError, Option, Plugin, Registry
from portal.delivery import domibus
from portal.delivery.as4.ebms import UserMessageHeader


class TransportConfigError(ConfigurationError):
    pass


class TransportError(Exception):
    """The message did not get an HTTP answer (refused, reset, timed out, TLS failure)."""


@dataclass
class TransportResponse:
    status: int
    content_type: str | None
    body: bytes


CONNECT_TIMEOUT = Option(
    "connect_timeout", (int, float), required=False, default=10, help="seconds to establish the connection"
)


class Transport(Plugin):
    # True: another access point does the AS4 (signing, encryption, receipts); we hand it the
    # payloads and the ebMS header and follow its status instead of posting a signed message.
    handover: ClassVar[bool] = False

    def send(self, endpoint: str, body: bytes, content_type: str) -> TransportResponse:
        raise NotImplementedError


transports: Registry[Transport] = Registry("transport", error=TransportConfigError)


@transports.register
class As4HttpTransport(Transport):
    """Direct HTTP POST of the AS4 message to the partner's endpoint (TLS verified, always)."""

    name = "as4"
    options = (
        Option(
            "timeout",
            (int, float),
            required=False,
            default=60,
            help="seconds to connect and to wait for the answer",
        ),
        CONNECT_TIMEOUT,
        Option(
            "ca_bundle",
            str,
            required=False,
            help="PEM file of CAs for the endpoint's TLS certificate (else the system's)",
        ),
        Option(
            "client_certificate", str, required=False, help="PEM certificate for TLS client authentication"
        ),
        Option("client_key", str, required=False, help="PEM private key of the client certificate"),
    )
    timeout: float
    connect_timeout: float
    ca_bundle: str | None
    client_certificate: str | None
    client_key: str | None

    def check_options(self) -> None:
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


@transports.register
class DomibusWsTransport(Transport):
    """Hand the message to an existing Domibus 5 access point through its WS plugin.

    Domibus signs, encrypts, sends and collects the AS4 receipt itself; we submit the payloads and
    the ebMS header (submitMessage), then follow getStatus until ACKNOWLEDGED or SEND_FAILURE.
    TLS verification is always on (``ca_bundle`` names the CAs); the plugin user authenticates
    with HTTP Basic (``username`` + ``password``/``password_env``) or a TLS client certificate.
    """

    name = "domibus-ws"
    handover = True
    # endpoint is required, but check_options says so in words
    options = (
        Option(
            "endpoint",
            str,
            required=False,
            help="the WS plugin URL, e.g. https://domibus.example/domibus/services/wsplugin",
        ),
        Option("username", str, required=False, help="plugin user (HTTP Basic)"),
        Option("password", str, required=False, help="its password (prefer password_env)"),
        Option("password_env", str, required=False, help="environment variable holding the password"),
        Option(
            "client_certificate", str, required=False, help="PEM certificate for TLS client authentication"
        ),
        Option("client_key", str, required=False, help="PEM private key of the client certificate"),
        Option(
            "ca_bundle",
            str,
            required=False,
            help="PEM file of CAs for Domibus's TLS certificate (else the system's)",
        ),
        Option("timeout", (int, float), required=False, default=60, help="seconds to wait for an answer"),
        CONNECT_TIMEOUT,
        Option(
            "poll_interval",
            (int, float),
            required=False,
            default=30,
            help="seconds before the first getStatus",
        ),
        Option(
            "poll_max_interval",
            (int, float),
            required=False,
            default=900,
            help="the longest wait between two getStatus",
        ),
        Option(
            "give_up_after",
            (int, float),
            required=False,
            default=172800,
            help="seconds after the hand-over without a final status: failed (EBMS:0301)",
        ),
        Option(
            "inbound",
            bool,
            required=False,
            default=False,
            help="also fetch messages for us (listPendingMessages / retrieveMessage)",
        ),
    )
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

    def check_options(self) -> None:
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
