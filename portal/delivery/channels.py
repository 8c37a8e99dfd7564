"""P-Modes made from a delivery channel given by another block (the catalogue's competent authority).

A channel's settings are what an editor typed into the catalogue::

    {"party_id": "AU-TAX-OFFICE", "party_id_type": "urn:...:unregistered", "endpoint_url": "https://...",
     "certificate_pem": "-----BEGIN CERTIFICATE-----...", "service": "urn:...", "service_type": "urn:...",
     "action": "SubmitDossier"}

:func:`pmode_from_channel` validates them (a :class:`ChannelError` names the setting and what is wrong)
and completes them with the configuration's ``"channels"`` defaults (agreement, transport options,
retry policy). The resulting P-Mode carries a ``document`` that :func:`pmode_from_document` turns back
into the same P-Mode: ``services.send`` keeps it on the outbox entry, so retries, resends and the sweep
use exactly what the message was sent with, whatever the catalogue or the file say later.

Such a P-Mode is outbound only: the partner's certificate is the one agreed in the catalogue, and its
receipts must be signed with exactly that certificate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from cryptography import x509

from portal.delivery.as4.keys import load_certificates
from portal.delivery.pmodes import (
    ChannelDefaults,
    PartyRef,
    PMode,
    PModeError,
    RetryPolicy,
    _endpoint,
    _retry,
    configuration,
)
from portal.delivery.transports import TransportConfigError, transports

CHANNEL_PREFIX = "channel:"
REQUIRED = ("party_id", "endpoint_url", "certificate_pem", "service", "action")
OPTIONAL = ("party_id_type", "service_type")
DOCUMENT_VERSION = 1


class ChannelError(PModeError):
    """The settings of a delivery channel are wrong; the message names the setting."""


def _text(settings: Mapping, key: str, *, required: bool) -> str | None:
    value = settings.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ChannelError(f"delivery channel: '{key}' is required")
        return None
    if not isinstance(value, str):
        raise ChannelError(f"delivery channel: '{key}' must be text, not {type(value).__name__}")
    return value.strip()


def _certificate(pem: str, *, at: dt.datetime | None) -> x509.Certificate:
    try:
        certificates = load_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise ChannelError(
            f"delivery channel: 'certificate_pem' is not a PEM certificate ({error})"
        ) from None
    if len(certificates) != 1:
        raise ChannelError(
            f"delivery channel: 'certificate_pem' must hold exactly one certificate, not {len(certificates)}"
        )
    certificate = certificates[0]
    if at is not None:
        if at < certificate.not_valid_before_utc:
            raise ChannelError(
                f"delivery channel: the certificate is valid only from {certificate.not_valid_before_utc:%Y-%m-%d}"
            )
        if at > certificate.not_valid_after_utc:
            raise ChannelError(
                f"delivery channel: the certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}"
            )
    return certificate


def _validated(settings: Any, *, at: dt.datetime | None) -> tuple[dict[str, str | None], x509.Certificate]:
    if not isinstance(settings, Mapping):
        raise ChannelError("delivery channel: the settings must be an object")
    unknown = sorted(set(settings) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ChannelError(f"delivery channel: unknown setting(s) {', '.join(unknown)}")
    values = {key: _text(settings, key, required=True) for key in REQUIRED}
    values.update({key: _text(settings, key, required=False) for key in OPTIONAL})
    try:
        values["endpoint_url"] = _endpoint(values["endpoint_url"], "delivery channel: 'endpoint_url'")
    except PModeError as error:
        raise ChannelError(str(error)) from None
    certificate = _certificate(values["certificate_pem"], at=at)
    return values, certificate


def _pmode(values: dict, certificate: x509.Certificate, defaults: ChannelDefaults) -> PMode:
    document = {
        "version": DOCUMENT_VERSION,
        "settings": values,
        "agreement": defaults.agreement,
        "transport_options": dict(defaults.transport_options),
        "retry": asdict(defaults.retry),
    }
    return PMode(
        id=f"{CHANNEL_PREFIX}{values['party_id']}"[:300],
        partner=PartyRef(values["party_id"], values["party_id_type"]),
        partner_certificate=certificate,
        endpoint=values["endpoint_url"],
        service=values["service"],
        service_type=values["service_type"],
        action=values["action"],
        agreement=defaults.agreement,
        transport_name="as4",
        transport_options=dict(defaults.transport_options),
        retry=defaults.retry,
        document=document,
    )


def pmode_from_channel(settings: Mapping[str, Any], *, defaults: ChannelDefaults | None = None) -> PMode:
    """A P-Mode for sending to a catalogue channel (``delivery_channel["settings"]`` of transport
    ``as4``). The certificate must be valid now. Raises :class:`ChannelError`."""
    values, certificate = _validated(settings, at=dt.datetime.now(dt.UTC))
    return _pmode(values, certificate, defaults or configuration().channels)


def pmode_from_document(document: Mapping[str, Any]) -> PMode:
    """The P-Mode a message was sent with, from the ``document`` kept on its outbox entry."""
    if not isinstance(document, Mapping) or document.get("version") != DOCUMENT_VERSION:
        raise ChannelError("the stored channel P-Mode is not one this version understands")
    values, certificate = _validated(document.get("settings"), at=None)
    options = document.get("transport_options") or {}
    try:
        transports.build("as4", options)
    except TransportConfigError as error:
        raise ChannelError(f"the stored channel P-Mode: {error}") from None
    retry: RetryPolicy = _retry(document.get("retry"), "the stored channel P-Mode's retry")
    return _pmode(values, certificate, ChannelDefaults(document.get("agreement"), options, retry))
