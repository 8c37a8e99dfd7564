"""The ebMS3 header (``eb:Messaging``): data classes, building and strict parsing."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass, field

from lxml import etree

from . import constants as c
from .dsig import child, children, grandchildren, qn
from .errors import (
    DECOMPRESSION_FAILURE,
    EXTERNAL_PAYLOAD_ERROR,
    FEATURE_NOT_SUPPORTED,
    INVALID_HEADER,
    VALUE_INCONSISTENT,
    EbmsError,
)

SOAP_NAMESPACES = (c.SOAP12, c.SOAP11)
SUPPORTED_COMPRESSION = (c.GZIP,)


@functools.cache
def eb(local: str) -> str:
    return qn(c.EB, local)


@dataclass
class PartyId:
    value: str
    type: str | None = None


@dataclass
class Party:
    party_ids: list[PartyId]
    role: str

    @classmethod
    def of(cls, value: str, role: str, type: str | None = None) -> Party:
        return cls([PartyId(value, type)], role)


@dataclass
class Property:
    name: str
    value: str
    type: str | None = None


@dataclass
class PartInfo:
    href: str | None
    properties: list[Property] = field(default_factory=list)

    @property
    def content_id(self) -> str | None:
        return self.href[4:] if self.href and self.href.startswith("cid:") else None

    def get_property(self, name: str) -> str | None:
        for item in self.properties:
            if item.name == name:
                return item.value
        return None

    @property
    def mime_type(self) -> str | None:
        return self.get_property("MimeType")

    @property
    def compression_type(self) -> str | None:
        return self.get_property("CompressionType")


@dataclass
class UserMessageHeader:
    """What a sender decides about a UserMessage (the P-Mode leg plus per-message values)."""

    from_party: Party
    to_party: Party
    service: str
    action: str
    service_type: str | None = None
    agreement_ref: str | None = None
    agreement_type: str | None = None
    pmode: str | None = None
    conversation_id: str | None = None
    original_sender: Property | None = None
    final_recipient: Property | None = None
    properties: list[Property] = field(default_factory=list)
    mpc: str | None = None


@dataclass
class UserMessage:
    message_id: str
    timestamp: str
    header: UserMessageHeader
    parts: list[PartInfo]
    ref_to_message_id: str | None = None
    element: etree._Element | None = None


@dataclass
class ErrorItem:
    code: str
    severity: str | None
    category: str | None
    origin: str | None
    short_description: str | None
    ref_to_message_in_error: str | None
    description: str | None
    detail: str | None


@dataclass
class SignalMessage:
    kind: str  # receipt | error | pull_request
    message_id: str
    timestamp: str
    ref_to_message_id: str | None
    element: etree._Element
    errors: list[ErrorItem] = field(default_factory=list)
    mpc: str | None = None
    receipt: etree._Element | None = None


def new_message_id(domain: str) -> str:
    return f"{uuid.uuid4()}@{domain}"


def timestamp_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ------------------------------------------------------------------------------------------------ build


def new_messaging(nsmap: dict | None = None) -> etree._Element:
    messaging = etree.Element(eb("Messaging"), nsmap=nsmap or {"eb": c.EB})
    messaging.set(qn(c.SOAP12, "mustUnderstand"), "true")
    return messaging


def add_message_info(
    parent: etree._Element, message_id: str, timestamp: str, ref_to: str | None = None
) -> None:
    info = etree.SubElement(parent, eb("MessageInfo"))
    etree.SubElement(info, eb("Timestamp")).text = timestamp
    etree.SubElement(info, eb("MessageId")).text = message_id
    if ref_to:
        etree.SubElement(info, eb("RefToMessageId")).text = ref_to


def _add_party(parent: etree._Element, tag: str, party: Party) -> None:
    element = etree.SubElement(parent, eb(tag))
    for party_id in party.party_ids:
        node = etree.SubElement(element, eb("PartyId"))
        node.text = party_id.value
        if party_id.type:
            node.set("type", party_id.type)
    etree.SubElement(element, eb("Role")).text = party.role


def _add_property(parent: etree._Element, prop: Property) -> None:
    node = etree.SubElement(parent, eb("Property"), name=prop.name)
    if prop.type:
        node.set("type", prop.type)
    node.text = prop.value


def build_user_message(
    messaging: etree._Element,
    header: UserMessageHeader,
    message_id: str,
    timestamp: str,
    parts: list[PartInfo],
) -> etree._Element:
    user = etree.SubElement(messaging, eb("UserMessage"))
    if header.mpc:
        user.set("mpc", header.mpc)
    add_message_info(user, message_id, timestamp)
    party_info = etree.SubElement(user, eb("PartyInfo"))
    _add_party(party_info, "From", header.from_party)
    _add_party(party_info, "To", header.to_party)
    collaboration = etree.SubElement(user, eb("CollaborationInfo"))
    if header.agreement_ref:
        agreement = etree.SubElement(collaboration, eb("AgreementRef"))
        agreement.text = header.agreement_ref
        if header.agreement_type:
            agreement.set("type", header.agreement_type)
        if header.pmode:
            agreement.set("pmode", header.pmode)
    service = etree.SubElement(collaboration, eb("Service"))
    service.text = header.service
    if header.service_type:
        service.set("type", header.service_type)
    etree.SubElement(collaboration, eb("Action")).text = header.action
    etree.SubElement(collaboration, eb("ConversationId")).text = header.conversation_id or str(uuid.uuid4())
    properties = [p for p in (header.original_sender, header.final_recipient) if p] + list(header.properties)
    if properties:
        holder = etree.SubElement(user, eb("MessageProperties"))
        for prop in properties:
            _add_property(holder, prop)
    if parts:
        payload_info = etree.SubElement(user, eb("PayloadInfo"))
        for part in parts:
            node = etree.SubElement(payload_info, eb("PartInfo"))
            if part.href:
                node.set("href", part.href)
            if part.properties:
                holder = etree.SubElement(node, eb("PartProperties"))
                for prop in part.properties:
                    _add_property(holder, prop)
    return user


# ------------------------------------------------------------------------------------------------ parse


def _text(element: etree._Element, path: str) -> str | None:
    node = child(element, path)
    if node is None or node.text is None:
        return None
    return node.text.strip()


def _required(element: etree._Element, local: str, where: str) -> str:
    value = _text(element, eb(local))
    if not value:
        raise EbmsError(INVALID_HEADER, f"{where} has no eb:{local}")
    return value


def _message_info(parent: etree._Element, where: str) -> tuple[str, str, str | None]:
    info = child(parent, eb("MessageInfo"))
    if info is None:
        raise EbmsError(INVALID_HEADER, f"{where} has no eb:MessageInfo")
    message_id = _required(info, "MessageId", "MessageInfo")
    timestamp = _required(info, "Timestamp", "MessageInfo")
    try:
        dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise EbmsError(INVALID_HEADER, f"eb:Timestamp {timestamp!r} is not an xsd:dateTime") from None
    if message_id.startswith("<") or " " in message_id:
        raise EbmsError(INVALID_HEADER, f"eb:MessageId {message_id!r} is not a valid message identifier")
    return message_id, timestamp, _text(info, eb("RefToMessageId"))


def _party(parent: etree._Element, tag: str) -> Party:
    element = child(parent, eb(tag))
    if element is None:
        raise EbmsError(INVALID_HEADER, f"eb:PartyInfo has no eb:{tag}")
    ids = [PartyId((n.text or "").strip(), n.get("type")) for n in children(element, eb("PartyId"))]
    if not ids or not all(i.value for i in ids):
        raise EbmsError(INVALID_HEADER, f"eb:{tag} has no eb:PartyId")
    return Party(ids, _required(element, "Role", f"eb:{tag}"))


def _properties(parent: etree._Element | None) -> list[Property]:
    if parent is None:
        return []
    return [
        Property(n.get("name") or "", (n.text or "").strip(), n.get("type"))
        for n in children(parent, eb("Property"))
    ]


def find_messaging(root: etree._Element) -> tuple[etree._Element, etree._Element, str]:
    """(eb:Messaging, S:Body, SOAP namespace) of an envelope: exactly one of each, or EBMS:0009."""
    soap = etree.QName(root).namespace
    if soap not in SOAP_NAMESPACES or etree.QName(root).localname != "Envelope":
        raise EbmsError(INVALID_HEADER, "the document is not a SOAP envelope")
    header = child(root, qn(soap, "Header"))
    body = child(root, qn(soap, "Body"))
    if header is None or body is None:
        raise EbmsError(INVALID_HEADER, "the SOAP envelope lacks a Header or a Body")
    if len(children(root, qn(soap, "Header"))) > 1 or len(children(root, qn(soap, "Body"))) > 1:
        raise EbmsError(INVALID_HEADER, "more than one SOAP Header or Body")
    direct = children(header, eb("Messaging"))
    if len(direct) != 1:
        raise EbmsError(INVALID_HEADER, f"expected one eb:Messaging header block, found {len(direct)}")
    for other in root.iter(eb("Messaging")):
        # Only a receipt may quote another eb:Messaging; anywhere else it is a wrapping attempt.
        if other is not direct[0] and not any(a.tag == eb("Receipt") for a in other.iterancestors()):
            raise EbmsError(INVALID_HEADER, "an eb:Messaging element outside the SOAP header block")
    return direct[0], body, soap


def parse_user_message(user: etree._Element) -> UserMessage:
    message_id, timestamp, ref_to = _message_info(user, "eb:UserMessage")
    party_info = child(user, eb("PartyInfo"))
    collaboration = child(user, eb("CollaborationInfo"))
    if party_info is None or collaboration is None:
        raise EbmsError(INVALID_HEADER, "eb:UserMessage lacks PartyInfo or CollaborationInfo")
    service = child(collaboration, eb("Service"))
    if service is None or not (service.text or "").strip():
        raise EbmsError(INVALID_HEADER, "eb:CollaborationInfo has no eb:Service")
    agreement = child(collaboration, eb("AgreementRef"))
    properties = _properties(child(user, eb("MessageProperties")))
    by_name = {p.name: p for p in properties}
    header = UserMessageHeader(
        from_party=_party(party_info, "From"),
        to_party=_party(party_info, "To"),
        service=service.text.strip(),
        service_type=service.get("type"),
        action=_required(collaboration, "Action", "eb:CollaborationInfo"),
        agreement_ref=(agreement.text or "").strip() if agreement is not None else None,
        agreement_type=agreement.get("type") if agreement is not None else None,
        pmode=agreement.get("pmode") if agreement is not None else None,
        conversation_id=_required(collaboration, "ConversationId", "eb:CollaborationInfo"),
        original_sender=by_name.get("originalSender"),
        final_recipient=by_name.get("finalRecipient"),
        properties=[p for p in properties if p.name not in ("originalSender", "finalRecipient")],
        mpc=user.get("mpc"),
    )
    parts = []
    for node in grandchildren(user, eb("PayloadInfo"), eb("PartInfo")):
        part = PartInfo(node.get("href"), _properties(child(node, eb("PartProperties"))))
        if part.href and not part.href.startswith("cid:"):
            raise EbmsError(
                EXTERNAL_PAYLOAD_ERROR, f"external payload reference {part.href!r} is not supported"
            )
        compression = part.compression_type
        if compression is not None and compression not in SUPPORTED_COMPRESSION:
            raise EbmsError(DECOMPRESSION_FAILURE, f"unsupported CompressionType {compression!r}")
        if compression is not None and not part.mime_type:
            raise EbmsError(
                VALUE_INCONSISTENT, f"part {part.href} is compressed but has no MimeType property"
            )
        parts.append(part)
    hrefs = [p.href for p in parts]
    if len(set(hrefs)) != len(hrefs):
        raise EbmsError(VALUE_INCONSISTENT, "two PartInfo elements reference the same payload")
    return UserMessage(message_id, timestamp, header, parts, ref_to, user)


def parse_signal(signal: etree._Element) -> SignalMessage:
    message_id, timestamp, ref_to = _message_info(signal, "eb:SignalMessage")
    receipt = child(signal, eb("Receipt"))
    pull = child(signal, eb("PullRequest"))
    errors = children(signal, eb("Error"))
    if receipt is not None:
        if not ref_to:
            raise EbmsError(INVALID_HEADER, "a receipt without RefToMessageId")
        return SignalMessage("receipt", message_id, timestamp, ref_to, signal, receipt=receipt)
    if errors:
        items = [
            ErrorItem(
                code=e.get("errorCode") or "",
                severity=e.get("severity"),
                category=e.get("category"),
                origin=e.get("origin"),
                short_description=e.get("shortDescription"),
                ref_to_message_in_error=e.get("refToMessageInError"),
                description=_text(e, eb("Description")),
                detail=_text(e, eb("ErrorDetail")),
            )
            for e in errors
        ]
        return SignalMessage("error", message_id, timestamp, ref_to, signal, errors=items)
    if pull is not None:
        return SignalMessage("pull_request", message_id, timestamp, ref_to, signal, mpc=pull.get("mpc"))
    raise EbmsError(FEATURE_NOT_SUPPORTED, "signal message of an unsupported kind")


def parse_messaging(messaging: etree._Element) -> tuple[UserMessage | None, list[SignalMessage]]:
    users = children(messaging, eb("UserMessage"))
    signals = children(messaging, eb("SignalMessage"))
    if len(users) > 1:
        raise EbmsError(FEATURE_NOT_SUPPORTED, "bundling of several UserMessages is not supported by AS4")
    if not users and not signals:
        raise EbmsError(INVALID_HEADER, "eb:Messaging contains neither a UserMessage nor a SignalMessage")
    user = parse_user_message(users[0]) if users else None
    return user, [parse_signal(s) for s in signals]
