"""The SOAP messages of the Domibus 5 WS plugin (``http://eu.domibus.wsplugin/``), built and read
with lxml: submitMessage, getStatus, getMessageErrors, listPendingMessages, retrieveMessage.

The shapes follow the plugin's WSDL/XSD (``WebServicePlugin.wsdl``): SOAP 1.2, document/literal,
the ebMS3 ``eb:Messaging`` header carried as a SOAP header block of submitRequest (in) and of
retrieveMessageResponse (out), payloads as ``LargePayloadType`` (``payloadId`` = the PartInfo
``href``, ``contentType``, base64 ``value``), faults with a ``FaultDetail`` (``code``, ``message``).
No HTTP here: :class:`portal.delivery.transports.DomibusWsTransport` posts these bytes. Answers are
parsed with the hardened parser, at most :data:`MAX_ANSWER_BYTES`.

What getStatus means for the outbox (``services.poll``): :data:`ACKNOWLEDGED` (with or without warning)
-> acknowledged, Domibus's answer kept as the evidence (the partner's AS4 receipt stays in Domibus);
:data:`FAILED` (``SEND_FAILURE``: Domibus exhausted its own retries) -> failed, getMessageErrors giving
the code; ``NOT_FOUND`` -> submit the same bytes again; :data:`IN_PROGRESS` and the rest -> ask later.
Faults: codes are normalised (``DOMIBUS:WS_PLUGIN:0002`` of 5.1+ and ``WS_PLUGIN:0002`` of 5.0;
``EBMS_0101`` in error lists and ``EBMS:0101`` in faults); :data:`RETRYABLE_FAULTS` (Domibus's own
trouble) are retried, :data:`AUTHENTICATION_FAULT` and the other refusals fail at once, and "already
exists" for our MessageId means an earlier submission got in (its answer was lost). A plugin code maps
to EBMS:0004 (:func:`ebms_code`).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from lxml import etree

from portal.delivery.as4 import constants as c
from portal.delivery.as4 import ebms
from portal.delivery.as4.ebms import PartInfo, Property, UserMessage, UserMessageHeader
from portal.delivery.as4.errors import ERROR_DEFINITIONS, OTHER, EbmsError
from portal.delivery.as4.xmlsafe import parse_xml

WSPLUGIN = "http://eu.domibus.wsplugin/"
SOAP_CONTENT_TYPE = "application/soap+xml; charset=UTF-8"
MAX_ANSWER_BYTES = 256 * 1024 * 1024

# getStatus answers (the plugin's messageStatus enumeration), grouped by what they mean for us.
ACKNOWLEDGED = frozenset({"ACKNOWLEDGED", "ACKNOWLEDGED_WITH_WARNING"})
FAILED = frozenset({"SEND_FAILURE"})
IN_PROGRESS = frozenset(
    {
        "READY_TO_SEND",
        "READY_TO_PULL",
        "BEING_PULLED",
        "SEND_ENQUEUED",
        "SEND_IN_PROGRESS",
        "WAITING_FOR_RECEIPT",
        "SEND_ATTEMPT_FAILED",
        "WAITING_FOR_RETRY",
    }
)
UNKNOWN = "NOT_FOUND"
STATUSES = (
    ACKNOWLEDGED
    | FAILED
    | IN_PROGRESS
    | {UNKNOWN, "RECEIVED", "RECEIVED_WITH_WARNINGS", "DELETED", "DOWNLOADED"}
)

# Fault codes that say "Domibus itself is in trouble": the same request may succeed later.
RETRYABLE_FAULTS = frozenset({"WS_PLUGIN:0001", "WS_PLUGIN:0006", "EBMS:0004", "EBMS:0005"})
AUTHENTICATION_FAULT = "WS_PLUGIN:0002"


class DomibusAnswerError(ValueError):
    """Domibus answered something that is not the SOAP message the WSDL promises."""


class DomibusFault(Exception):
    """A SOAP Fault from the WS plugin, with its FaultDetail code and message when present."""

    def __init__(self, code: str, message: str, *, reason: str = "", http_status: int | None = None) -> None:
        self.code = code
        self.message = message
        self.reason = reason
        self.http_status = http_status
        super().__init__(f"Domibus refused the request: {code} {message or reason}".strip())

    @property
    def retryable(self) -> bool:
        return _normalise_code(self.code) in RETRYABLE_FAULTS

    @property
    def authentication(self) -> bool:
        return _normalise_code(self.code) == AUTHENTICATION_FAULT or (self.http_status in (401, 403))

    @property
    def duplicate(self) -> bool:
        """The MessageId is already known to Domibus: an earlier submission of these bytes got in."""
        text = f"{self.message} {self.reason}".lower()
        return "already exists" in text or "duplicate" in text


def _normalise_code(code: str) -> str:
    # The plugin spells its own codes "WS_PLUGIN:0002" (5.0) or "DOMIBUS:WS_PLUGIN:0002" (5.1+),
    # and ebMS codes "EBMS:0004" in faults but "EBMS_0004" in error lists.
    code = (code or "").strip()
    code = code.removeprefix("DOMIBUS:")
    if code.startswith("EBMS_"):
        code = "EBMS:" + code[5:]
    return code


def ebms_code(code: str) -> str:
    """The EBMS code a Domibus error code stands for (EBMS:0004 when it is one of the plugin's own)."""
    code = _normalise_code(code)
    return code if code in ERROR_DEFINITIONS else OTHER


@dataclass
class SubmitPayload:
    content: bytes
    mime_type: str
    payload_id: str  # "cid:..." as in the PartInfo href
    properties: list[Property] = field(default_factory=list)


@dataclass
class RetrievedPayload:
    payload_id: str
    content_type: str | None
    content: bytes


@dataclass
class RetrievedMessage:
    user_message: UserMessage
    payloads: list[RetrievedPayload]


@dataclass
class ErrorResult:
    code: str  # as Domibus spells it
    detail: str
    ebms_code: str


# ------------------------------------------------------------------------------------------- requests


def _envelope() -> tuple[etree._Element, etree._Element, etree._Element]:
    root = etree.Element(f"{{{c.SOAP12}}}Envelope", nsmap={"soap": c.SOAP12, "ws": WSPLUGIN})
    header = etree.SubElement(root, f"{{{c.SOAP12}}}Header")
    body = etree.SubElement(root, f"{{{c.SOAP12}}}Body")
    return root, header, body


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _ws(local: str) -> str:
    return f"{{{WSPLUGIN}}}{local}"


def build_submit_request(
    header: UserMessageHeader, payloads: list[SubmitPayload], *, message_id: str, timestamp: str
) -> bytes:
    """submitRequest: the eb:Messaging header (MessageId fixed by us, so a resubmission is
    recognised by Domibus as the same message) and one ``payload`` per part, base64 inline."""
    if not payloads:
        raise ValueError("a submitRequest needs at least one payload")
    root, soap_header, body = _envelope()
    messaging = etree.SubElement(soap_header, ebms.eb("Messaging"), nsmap={"eb": c.EB})
    parts = [PartInfo(p.payload_id, [Property("MimeType", p.mime_type), *p.properties]) for p in payloads]
    ebms.build_user_message(messaging, header, message_id, timestamp, parts)
    request = etree.SubElement(body, _ws("submitRequest"))
    for payload in payloads:
        node = etree.SubElement(
            request, "payload", {"payloadId": payload.payload_id, "contentType": payload.mime_type}
        )
        etree.SubElement(node, "value").text = base64.b64encode(payload.content).decode("ascii")
    return _serialize(root)


def _simple_request(element: str, **children: str) -> bytes:
    root, _header, body = _envelope()
    request = etree.SubElement(body, _ws(element))
    for name, value in children.items():
        etree.SubElement(request, name).text = value
    return _serialize(root)


def status_request(message_id: str) -> bytes:
    return _simple_request("statusRequest", messageID=message_id)


def errors_request(message_id: str) -> bytes:
    return _simple_request("getMessageErrorsRequest", messageID=message_id)


def list_pending_request() -> bytes:
    return _simple_request("listPendingMessagesRequest")


def retrieve_request(message_id: str) -> bytes:
    return _simple_request("retrieveMessageRequest", messageID=message_id)


def operation_of(request: bytes) -> str:
    """The local name of the request element in a request's Body (for servers and logs)."""
    root = parse_xml(request, max_bytes=MAX_ANSWER_BYTES)
    body = root.find(f"{{{c.SOAP12}}}Body")
    if body is None or not len(body):
        raise DomibusAnswerError("no SOAP 1.2 Body with a request element")
    return etree.QName(body[0]).localname


# ------------------------------------------------------------------------------------------- answers


def _parse(data: bytes, http_status: int | None) -> etree._Element:
    """The answer's Body; a SOAP Fault becomes :class:`DomibusFault`."""
    if not data:
        raise DomibusAnswerError(f"HTTP {http_status} without a body")
    try:
        root = parse_xml(data, max_bytes=MAX_ANSWER_BYTES)
    except EbmsError as error:
        raise DomibusAnswerError(f"HTTP {http_status}, not a SOAP answer: {error.detail}") from None
    soap = etree.QName(root).namespace
    if soap not in (c.SOAP12, c.SOAP11) or etree.QName(root).localname != "Envelope":
        raise DomibusAnswerError(f"HTTP {http_status}, not a SOAP envelope")
    body = root.find(f"{{{soap}}}Body")
    if body is None:
        raise DomibusAnswerError("a SOAP envelope without a Body")
    fault = body.find(f"{{{soap}}}Fault")
    if fault is not None:
        raise _fault(fault, soap, http_status)
    return root


def _fault(fault: etree._Element, soap: str, http_status: int | None) -> DomibusFault:
    if soap == c.SOAP12:
        reason = fault.findtext(f"{{{soap}}}Reason/{{{soap}}}Text") or ""
        detail = fault.find(f"{{{soap}}}Detail")
        fallback = fault.findtext(f"{{{soap}}}Code/{{{soap}}}Value") or ""
    else:
        reason = fault.findtext("faultstring") or ""
        detail = fault.find("detail")
        fallback = fault.findtext("faultcode") or ""
    code, message = "", ""
    if detail is not None:
        for item in detail.iter():
            if etree.QName(item).localname == "code" and item.text:
                code = item.text.strip()
            elif etree.QName(item).localname == "message" and item.text:
                message = item.text.strip()
    return DomibusFault(code or fallback.strip(), message, reason=reason.strip(), http_status=http_status)


def _answer(data: bytes, http_status: int | None, element: str) -> etree._Element:
    root = _parse(data, http_status)
    body = root.find(f"{{{etree.QName(root).namespace}}}Body")
    answer = body.find(_ws(element))
    if answer is None:
        raise DomibusAnswerError(f"HTTP {http_status}: the answer has no {element}")
    return answer


def parse_submit_response(data: bytes, http_status: int | None = 200) -> list[str]:
    ids = [(n.text or "").strip() for n in _answer(data, http_status, "submitResponse").findall("messageID")]
    if not ids or not all(ids):
        raise DomibusAnswerError("submitResponse without a messageID")
    return ids


def parse_status_response(data: bytes, http_status: int | None = 200) -> str:
    status = (_answer(data, http_status, "getStatusResponse").text or "").strip()
    if status not in STATUSES:
        raise DomibusAnswerError(f"getStatusResponse with an unknown status {status!r}")
    return status


def parse_errors_response(data: bytes, http_status: int | None = 200) -> list[ErrorResult]:
    results = []
    for item in _answer(data, http_status, "getMessageErrorsResponse").findall("item"):
        code = (item.findtext("errorCode") or "").strip()
        results.append(ErrorResult(code, (item.findtext("errorDetail") or "").strip(), ebms_code(code)))
    return results


def parse_list_pending_response(data: bytes, http_status: int | None = 200) -> list[str]:
    answer = _answer(data, http_status, "listPendingMessagesResponse")
    return [(n.text or "").strip() for n in answer.findall("messageID") if (n.text or "").strip()]


def parse_retrieve_response(data: bytes, http_status: int | None = 200) -> RetrievedMessage:
    """The retrieved message: its eb:UserMessage (strictly parsed) and the decoded payloads, each
    of which must be the one a PartInfo names."""
    answer = _answer(data, http_status, "retrieveMessageResponse")
    root = answer.getroottree().getroot()
    header = root.find(f"{{{etree.QName(root).namespace}}}Header")
    messaging = header.find(ebms.eb("Messaging")) if header is not None else None
    if messaging is None:
        raise DomibusAnswerError("retrieveMessageResponse without the eb:Messaging header")
    try:
        user, _signals = ebms.parse_messaging(messaging)
    except EbmsError as error:
        raise DomibusAnswerError(f"the retrieved eb:Messaging is invalid: {error.detail}") from None
    if user is None:
        raise DomibusAnswerError("the retrieved eb:Messaging holds no UserMessage")
    payloads = []
    for node in answer.findall("payload"):
        try:
            content = base64.b64decode("".join((node.findtext("value") or "").split()), validate=True)
        except (binascii.Error, ValueError):
            raise DomibusAnswerError(f"payload {node.get('payloadId')!r} is not base64") from None
        payloads.append(RetrievedPayload(node.get("payloadId") or "", node.get("contentType"), content))
    described = {p.href for p in user.parts}
    given = {p.payload_id for p in payloads}
    if described != given:
        raise DomibusAnswerError(
            f"payloads {sorted(given)} do not match the PartInfo references {sorted(described)}"
        )
    return RetrievedMessage(user, payloads)
