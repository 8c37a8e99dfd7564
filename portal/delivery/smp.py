"""Dynamic discovery: OASIS BDXR SMP 1.0 / Peppol SMP client.

participant id -> SML host name (``B-<md5 hex of the lower-cased id>.<scheme>.<SML zone>``, all lower
case: the Peppol SML scheme; MD5 is the scheme's, not a security choice), or one fixed SMP ``url`` ->
``GET /{scheme}::{id}/services/{document scheme}::{document id}`` on that SMP (no redirects followed, at
most 4 MiB) -> SignedServiceMetadata, whose XML signature must be made by a certificate the SMP
truststore accepts (path and validity) and must verify (signxml) -> only the signed XML is read -> the
endpoint for the process with an AS4 transport profile (:data:`AS4_PROFILES`), active at that time
(ServiceActivationDate / ServiceExpirationDate) -> URL and certificate. A ``Redirect`` answer is refused;
BDXL (U-NAPTR, SML 2.x) lookups are not built.

The verified XML is cached in Django's cache for ``cache_seconds`` (default 1 hour). A P-Mode uses this
with ``"discovery": {participant_scheme, participant_id, document_scheme, document_id, process_scheme,
process_id}`` and the configuration's top-level ``"smp"`` (``sml_zone`` or ``url``, ``truststore``); such a
P-Mode has no static endpoint or certificate and is outbound only. Any failure is an :class:`SmpError`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import requests
from cryptography import x509
from django.core.cache import cache
from lxml import etree
from signxml import XMLVerifier

from portal.delivery.as4.errors import EbmsError
from portal.delivery.as4.keys import Truststore
from portal.delivery.as4.xmlsafe import parse_xml

BDXR = "http://docs.oasis-open.org/bdxr/ns/SMP/2016/05"
PEPPOL = "http://busdox.org/serviceMetadata/publishing/1.0/"
PEPPOL_ID = "http://busdox.org/transport/identifiers/1.0/"
DS = "http://www.w3.org/2000/09/xmldsig#"
AS4_PROFILES = ("bdxr-transport-ebms3-as4-v1p0", "peppol-transport-as4-v2_0")
MAX_RESPONSE_BYTES = 4 * 1024 * 1024


class SmpError(Exception):
    """The participant cannot be reached through discovery; the message says why."""


@dataclass(frozen=True)
class SmpEndpoint:
    url: str
    certificate: x509.Certificate
    transport_profile: str
    expires: dt.datetime | None


def sml_host(participant_id: str, scheme: str, zone: str) -> str:
    digest = hashlib.md5(participant_id.lower().encode(), usedforsecurity=False).hexdigest()
    return f"B-{digest}.{scheme}.{zone}".lower()


def sml_locator(zone: str) -> Callable[[str, str], str]:
    """The SMP base URL of a participant, by the SML's DNS name (resolved by the system)."""
    return lambda scheme, participant_id: f"http://{sml_host(participant_id, scheme, zone)}"


def _text(element, *paths: str) -> str | None:
    for path in paths:
        found = element.find(path)
        if found is not None and found.text:
            return found.text.strip()
    return None


def _time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class SmpClient:
    def __init__(
        self,
        locate: Callable[[str, str], str],
        truststore: Truststore,
        *,
        timeout: float = 10,
        cache_seconds: int = 3600,
        verify_tls: bool | str = True,
    ) -> None:
        self.locate = locate
        self.truststore = truststore
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self.verify_tls = verify_tls

    def endpoint(
        self,
        participant_scheme: str,
        participant_id: str,
        document_scheme: str,
        document_id: str,
        process_scheme: str,
        process_id: str,
        *,
        transport_profiles: tuple[str, ...] = AS4_PROFILES,
        at: dt.datetime | None = None,
    ) -> SmpEndpoint:
        key = (
            "smp:"
            + hashlib.sha256(
                "\0".join((participant_scheme, participant_id, document_scheme, document_id)).encode()
            ).hexdigest()
        )
        signed = cache.get(key)
        if signed is None:
            signed = self._fetch(participant_scheme, participant_id, document_scheme, document_id)
            cache.set(key, signed, self.cache_seconds)
        return self._select(parse_xml(signed), process_scheme, process_id, transport_profiles, at)

    def _fetch(self, participant_scheme, participant_id, document_scheme, document_id) -> bytes:
        base = self.locate(participant_scheme, participant_id).rstrip("/")
        participant = quote(f"{participant_scheme}::{participant_id}", safe="")
        document = quote(f"{document_scheme}::{document_id}", safe="")
        url = f"{base}/{participant}/services/{document}"
        try:
            response = requests.get(url, timeout=self.timeout, verify=self.verify_tls, allow_redirects=False)
        except requests.RequestException as error:
            raise SmpError(f"SMP {url} unreachable: {type(error).__name__}") from None
        if response.status_code == 404:
            raise SmpError(f"{participant_scheme}::{participant_id} does not accept {document_id}")
        if response.status_code != 200:
            raise SmpError(f"SMP {url} answered HTTP {response.status_code}")
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise SmpError("the SMP answer is too large")
        return self._verified(response.content)

    def _verified(self, data: bytes) -> bytes:
        """The signed ServiceMetadata, as covered by a signature from a trusted SMP certificate."""
        try:
            root = parse_xml(data)
        except EbmsError as error:
            raise SmpError(f"the SMP answer is not acceptable XML: {error.detail}") from None
        encoded = root.findtext(f".//{{{DS}}}X509Certificate")
        if not encoded:
            raise SmpError("the SMP answer is not signed (no ds:Signature with a certificate)")
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode("".join(encoded.split())))
        except ValueError:
            raise SmpError("the SMP signature's certificate cannot be read") from None
        try:
            self.truststore.validate(certificate)
        except EbmsError as error:
            raise SmpError(f"the SMP certificate is not trusted: {error.detail}") from None
        try:
            result = XMLVerifier().verify(data, x509_cert=certificate)
        except Exception as error:
            raise SmpError(f"the SMP signature does not verify: {error}") from None
        return etree.tostring(result.signed_xml)

    def _select(self, root, process_scheme, process_id, profiles, at) -> SmpEndpoint:
        at = at or dt.datetime.now(dt.UTC)
        for ns in (BDXR, PEPPOL):
            if root.find(f".//{{{ns}}}Redirect") is not None:
                raise SmpError("SMP redirects are not followed")
            for process in root.iter(f"{{{ns}}}Process"):
                identifier = process.find(f"{{{ns}}}ProcessIdentifier")
                if identifier is None:
                    identifier = process.find(f"{{{PEPPOL_ID}}}ProcessIdentifier")
                if identifier is None or (identifier.text or "").strip() != process_id:
                    continue
                if (identifier.get("scheme") or "") != process_scheme:
                    continue
                for endpoint in process.iter(f"{{{ns}}}Endpoint"):
                    profile = endpoint.get("transportProfile")
                    if profile not in profiles:
                        continue
                    url = _text(
                        endpoint,
                        f"{{{ns}}}EndpointURI",
                        "{http://www.w3.org/2005/08/addressing}EndpointReference/{http://www.w3.org/2005/08/addressing}Address",
                    )
                    activation = _time(_text(endpoint, f"{{{ns}}}ServiceActivationDate"))
                    expiration = _time(_text(endpoint, f"{{{ns}}}ServiceExpirationDate"))
                    if (activation and at < activation) or (expiration and at > expiration):
                        continue
                    encoded = _text(endpoint, f"{{{ns}}}Certificate")
                    if not url or not encoded:
                        raise SmpError("the SMP endpoint lacks its address or certificate")
                    certificate = x509.load_der_x509_certificate(base64.b64decode("".join(encoded.split())))
                    return SmpEndpoint(url, certificate, profile, expiration)
        raise SmpError(
            f"no active endpoint for process {process_scheme}::{process_id} with {', '.join(profiles)}"
        )
