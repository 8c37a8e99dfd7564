"""P-Modes as data: who we are, whom we exchange with, how, and how hard we retry.

The configuration is one JSON document (``settings.DELIVERY_PMODES_FILE``); paths inside it are
relative to the file. It is validated as a whole when loaded: a mistake names its place and
nothing half-configured is used. Example::

    {
      "domain": "psc.example.eu",
      "party": {"id": "psc-portal", "type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered"},
      "key": {"pkcs12": "portal.p12", "password": "..."},
      "truststore": ["ca.pem"],
      "pmodes": {
        "authority-be": {
          "partner": {"id": "authority-be", "type": "urn:...:unregistered", "certificate": "be.pem"},
          "endpoint": "https://ap.authority.example.be/as4",
          "service": "urn:eu:psc:services:submission", "service_type": "urn:eu:psc:services",
          "action": "SubmitDossier", "agreement": "urn:eu:psc:agreements:delivery",
          "transport": "as4", "transport_options": {"timeout": 60},
          "retry": {"max_attempts": 8, "base_delay": 60, "max_delay": 3600}
        }
      }
    }

* ``key``: our PKCS#12 with ``password`` inline or ``password_env`` (the name of an environment variable);
  ``truststore``: PEM anchors for partners' signatures.
* Per P-Mode: ``partner`` (id, type, certificate), ``endpoint`` (https, or plain http to loopback only),
  ``service`` (+ ``service_type``), ``action`` (+ ``inbound_actions`` accepted from the partner),
  ``agreement``, ``transport`` + ``transport_options`` (checked by the transport's declared options),
  ``encrypt`` (default true), ``retry`` (``max_attempts`` 8, ``base_delay`` 60 s, ``factor`` 2,
  ``max_delay`` 3600 s by default: the wait after attempt n is ``base_delay * factor^(n-1)``, capped),
  and ``discovery`` instead of endpoint and certificate (needs the top-level ``smp``; see ``smp.py``).
  A ``domibus-ws`` P-Mode needs no partner certificate or endpoint: Domibus holds them.
* Top level, optionally: ``smp`` and ``channels`` (``agreement``, ``transport_options``, ``retry`` for
  P-Modes made from catalogue channels).

Unknown keys are errors. An inbound message matches the P-Mode whose partner is its From party, with a
certificate, addressed to our party, with that Service (and type) and an accepted Action. The file is
re-read when its modification time changes (:func:`configuration`).
"""

from __future__ import annotations

import ipaddress
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from django.conf import settings

from portal.delivery.as4 import constants as c
from portal.delivery.as4.ebms import Party, UserMessageHeader
from portal.delivery.as4.keys import KeyPair, Truststore, load_certificates, load_pkcs12
from portal.delivery.smp import SmpClient, sml_locator
from portal.delivery.transports import Transport, TransportConfigError, transports

UNREGISTERED = "urn:oasis:names:tc:ebcore:partyid-type:unregistered"


class PModeError(ValueError):
    """The delivery configuration is wrong; the message says where."""


@dataclass(frozen=True)
class PartyRef:
    id: str
    type: str | None

    def matches(self, party: Party) -> bool:
        return any(p.value == self.id and (p.type or None) == self.type for p in party.party_ids)

    def __str__(self) -> str:
        return f"{self.id} ({self.type})" if self.type else self.id


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 60.0  # seconds before the 2nd attempt
    factor: float = 2.0
    max_delay: float = 3600.0  # the cap

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt (exponential, capped)."""
        return min(self.max_delay, self.base_delay * self.factor ** max(0, attempts - 1))


@dataclass(frozen=True)
class Discovery:
    """Where the partner's endpoint and certificate are looked up (SMP) instead of configured."""

    participant_scheme: str
    participant_id: str
    document_scheme: str
    document_id: str
    process_scheme: str
    process_id: str


@dataclass(frozen=True)
class PMode:
    id: str
    partner: PartyRef
    partner_certificate: x509.Certificate | None  # None: discovered per message (SMP)
    endpoint: str | None
    service: str
    service_type: str | None
    action: str
    agreement: str | None
    transport_name: str
    transport_options: dict[str, Any]
    retry: RetryPolicy
    encrypt: bool = True
    inbound_actions: tuple[str, ...] = ()
    discovery: Discovery | None = None
    # set for a P-Mode made from a catalogue delivery channel: everything needed to rebuild it,
    # kept on each outbox entry so retries do not depend on any file
    document: dict[str, Any] | None = field(default=None, compare=False)

    def transport(self) -> Transport:
        return transports.build(self.transport_name, self.transport_options)

    def header(self, us: PartyRef, **values: Any) -> UserMessageHeader:
        return UserMessageHeader(
            from_party=Party.of(us.id, c.ROLE_INITIATOR, us.type),
            to_party=Party.of(self.partner.id, c.ROLE_RESPONDER, self.partner.type),
            service=self.service,
            service_type=self.service_type,
            action=self.action,
            agreement_ref=self.agreement,
            **values,
        )


@dataclass(frozen=True)
class ChannelDefaults:
    """What a catalogue delivery channel does not say: agreement, transport options, retry policy
    (the configuration's optional ``"channels"`` object)."""

    agreement: str | None = None
    transport_options: dict[str, Any] = field(default_factory=dict)
    retry: RetryPolicy = RetryPolicy()


@dataclass
class Configuration:
    domain: str
    party: PartyRef
    key: KeyPair
    truststore: Truststore
    pmodes: dict[str, PMode] = field(default_factory=dict)
    smp: SmpClient | None = None
    channels: ChannelDefaults = field(default_factory=ChannelDefaults)

    def resolve(self, pmode: PMode) -> tuple[str, x509.Certificate]:
        """The endpoint and certificate to send to: configured, or discovered through the SMP."""
        if pmode.discovery is None:
            return pmode.endpoint, pmode.partner_certificate
        d = pmode.discovery
        found = self.smp.endpoint(
            d.participant_scheme,
            d.participant_id,
            d.document_scheme,
            d.document_id,
            d.process_scheme,
            d.process_id,
        )
        return found.url, found.certificate

    def pmode(self, pmode_id: str) -> PMode:
        try:
            return self.pmodes[pmode_id]
        except KeyError:
            raise PModeError(
                f"no P-Mode {pmode_id!r} (known: {', '.join(sorted(self.pmodes)) or 'none'})"
            ) from None

    def inbound_pmode(self, header: UserMessageHeader) -> PMode | None:
        """The P-Mode agreed with the sender for this Service/Action, addressed to us; else None."""
        if not self.party.matches(header.to_party):
            return None
        for pmode in self.pmodes.values():
            if (
                pmode.partner_certificate is not None
                and pmode.partner.matches(header.from_party)
                and pmode.service == header.service
                and (pmode.service_type or None) == (header.service_type or None)
                and header.action in (pmode.action, *pmode.inbound_actions)
            ):
                return pmode
        return None


# ------------------------------------------------------------------------------------------ validation


def _require(data: dict, key: str, where: str, kind: type = str) -> Any:
    if key not in data or data[key] in (None, ""):
        raise PModeError(f"{where}: '{key}' is required")
    value = data[key]
    if not isinstance(value, kind):
        raise PModeError(f"{where}.{key}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _optional(data: dict, key: str, where: str, kind: type = str, default: Any = None) -> Any:
    value = data.get(key, default)
    if value is not None and not isinstance(value, kind):
        raise PModeError(f"{where}.{key}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _only(data: Any, allowed: set[str], where: str) -> dict:
    if not isinstance(data, dict):
        raise PModeError(f"{where}: expected an object")
    unknown = set(data) - allowed
    if unknown:
        raise PModeError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return data


def _read(base: Path, name: str, where: str) -> bytes:
    path = (base / name).resolve()
    try:
        return path.read_bytes()
    except OSError as error:
        raise PModeError(f"{where}: cannot read {path}: {error.strerror}") from None


def _certificate(base: Path, name: str, where: str) -> x509.Certificate:
    try:
        certificates = load_certificates(_read(base, name, where))
    except PModeError:
        raise
    except Exception as error:
        raise PModeError(f"{where}: {name} is not a certificate: {error}") from None
    if len(certificates) != 1:
        raise PModeError(f"{where}: {name} must hold exactly one certificate")
    return certificates[0]


def _party(data: Any, where: str, *, with_certificate: bool) -> dict:
    allowed = {"id", "type", "certificate"} if with_certificate else {"id", "type"}
    data = _only(data, allowed, where)
    _require(data, "id", where)
    _optional(data, "type", where)
    return data


def _endpoint(value: str, where: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and parts.hostname:
        try:
            loopback = parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return value
        raise PModeError(f"{where}: plain http is only allowed to a loopback address; use https")
    raise PModeError(f"{where}: {value!r} is not an http(s) URL")


def _retry(data: Any, where: str) -> RetryPolicy:
    data = _only(data or {}, {"max_attempts", "base_delay", "factor", "max_delay"}, where)
    defaults = RetryPolicy()
    max_attempts = _optional(data, "max_attempts", where, int, defaults.max_attempts)
    numbers = {}
    for key in ("base_delay", "factor", "max_delay"):
        value = data.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PModeError(f"{where}.{key}: expected a number")
        numbers[key] = float(value)
    if max_attempts < 1:
        raise PModeError(f"{where}.max_attempts: at least 1")
    if numbers["base_delay"] < 0 or numbers["factor"] < 1 or numbers["max_delay"] < numbers["base_delay"]:
        raise PModeError(f"{where}: need base_delay >= 0, factor >= 1 and max_delay >= base_delay")
    return RetryPolicy(max_attempts=max_attempts, **numbers)


def load_configuration(data: Any, base_dir: Path) -> Configuration:
    """Validate a configuration document (already parsed JSON); raise :class:`PModeError`."""
    data = _only(data, {"domain", "party", "key", "truststore", "pmodes", "smp", "channels"}, "configuration")
    domain = _require(data, "domain", "configuration")
    party = _party(data.get("party"), "party", with_certificate=False)
    key_data = _only(data.get("key"), {"pkcs12", "password", "password_env"}, "key")
    password = key_data.get("password")
    if key_data.get("password_env"):
        password = os.environ.get(key_data["password_env"])
        if password is None:
            raise PModeError(f"key.password_env: the variable {key_data['password_env']} is not set")
    try:
        key = load_pkcs12(_read(base_dir, _require(key_data, "pkcs12", "key"), "key"), password)
    except PModeError:
        raise
    except Exception as error:
        raise PModeError(f"key: cannot open the PKCS#12 file: {error}") from None
    anchors = []
    for index, name in enumerate(_require(data, "truststore", "configuration", list)):
        anchors.append(_certificate(base_dir, name, f"truststore[{index}]"))
    smp = _smp(data.get("smp"), base_dir) if data.get("smp") is not None else None
    pmodes: dict[str, PMode] = {}
    for pmode_id, item in _optional(data, "pmodes", "configuration", dict, {}).items():
        where = f"pmodes.{pmode_id}"
        item = _only(
            item,
            {
                "partner", "endpoint", "service", "service_type", "action", "agreement", "transport",
                "transport_options", "retry", "encrypt", "inbound_actions", "discovery",
            },
            where,
        )  # fmt: skip
        partner = _party(item.get("partner"), f"{where}.partner", with_certificate=True)
        transport_name = _optional(item, "transport", where, str, "as4")
        transport_options = _optional(item, "transport_options", where, dict, {})
        try:
            transports.build(transport_name, transport_options)
        except TransportConfigError as error:
            raise PModeError(f"{where}.transport: {error}") from None
        inbound_actions = _optional(item, "inbound_actions", where, list, [])
        if not all(isinstance(a, str) and a for a in inbound_actions):
            raise PModeError(f"{where}.inbound_actions: a list of action names")
        discovery = None
        if "discovery" in item:
            fields = {f for f in Discovery.__dataclass_fields__}
            found = _only(item["discovery"], fields, f"{where}.discovery")
            discovery = Discovery(**{f: _require(found, f, f"{where}.discovery") for f in sorted(fields)})
            if smp is None:
                raise PModeError(f"{where}.discovery: needs the top-level 'smp' settings")
            if "endpoint" in item or "certificate" in partner:
                raise PModeError(f"{where}: with discovery, the SMP gives the endpoint and the certificate")
        # A hand-over transport (domibus-ws): the other access point holds the partner's endpoint
        # and certificate; ours are optional and unused for sending.
        handover = transports.get(transport_name).handover
        pmodes[pmode_id] = PMode(
            id=pmode_id,
            partner=PartyRef(partner["id"], partner.get("type")),
            partner_certificate=None
            if discovery or (handover and "certificate" not in partner)
            else _certificate(
                base_dir, _require(partner, "certificate", f"{where}.partner"), f"{where}.partner"
            ),
            endpoint=None
            if discovery or (handover and "endpoint" not in item)
            else _endpoint(_require(item, "endpoint", where), f"{where}.endpoint"),
            discovery=discovery,
            service=_require(item, "service", where),
            service_type=_optional(item, "service_type", where),
            action=_require(item, "action", where),
            agreement=_optional(item, "agreement", where),
            transport_name=transport_name,
            transport_options=transport_options,
            retry=_retry(item.get("retry"), f"{where}.retry"),
            encrypt=_optional(item, "encrypt", where, bool, True),
            inbound_actions=tuple(inbound_actions),
        )
    known = [p.partner_certificate for p in pmodes.values() if p.partner_certificate is not None]
    truststore = Truststore(anchors, known=known)
    channels = _channel_defaults(data.get("channels"))
    party_ref = PartyRef(party["id"], party.get("type"))
    return Configuration(domain, party_ref, key, truststore, pmodes, smp, channels)


def _channel_defaults(data: Any) -> ChannelDefaults:
    data = _only(data or {}, {"agreement", "transport_options", "retry"}, "channels")
    transport_options = _optional(data, "transport_options", "channels", dict, {})
    try:
        transports.build("as4", transport_options)
    except TransportConfigError as error:
        raise PModeError(f"channels.transport_options: {error}") from None
    return ChannelDefaults(
        agreement=_optional(data, "agreement", "channels"),
        transport_options=transport_options,
        retry=_retry(data.get("retry"), "channels.retry"),
    )


def _smp(data: Any, base_dir: Path) -> SmpClient:
    """``{"sml_zone": "..."} or {"url": "..."}``, ``"truststore": [PEM...]``, ``"cache_seconds"``."""
    data = _only(data, {"sml_zone", "url", "truststore", "cache_seconds", "timeout"}, "smp")
    if bool(data.get("sml_zone")) == bool(data.get("url")):
        raise PModeError("smp: give either 'sml_zone' (DNS discovery) or 'url' (one fixed SMP)")
    if data.get("url"):
        url = _endpoint(data["url"], "smp.url").rstrip("/")
        locate = lambda scheme, participant: url  # noqa: E731
    else:
        locate = sml_locator(_require(data, "sml_zone", "smp"))
    anchors = [
        _certificate(base_dir, name, f"smp.truststore[{i}]")
        for i, name in enumerate(_require(data, "truststore", "smp", list))
    ]
    return SmpClient(
        locate,
        Truststore(anchors),
        cache_seconds=_optional(data, "cache_seconds", "smp", int, 3600),
        timeout=float(_optional(data, "timeout", "smp", int, 10)),
    )


def load_file(path: str | Path) -> Configuration:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PModeError(f"cannot read the delivery configuration {path}: {error.strerror}") from None
    except ValueError as error:
        raise PModeError(f"{path} is not valid JSON: {error}") from None
    return load_configuration(data, path.parent)


_cache: dict[tuple[str, int], Configuration] = {}
_cache_lock = threading.Lock()


def configuration() -> Configuration:
    """The configuration in ``settings.DELIVERY_PMODES_FILE``, re-read when the file changes."""
    path = Path(settings.DELIVERY_PMODES_FILE)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise PModeError(
            f"no delivery configuration at {path} (set DELIVERY_PMODES_FILE; "
            "`manage.py run_access_point` writes a demo one)"
        ) from None
    key = (str(path), stamp)
    with _cache_lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = load_file(path)
        return _cache[key]
