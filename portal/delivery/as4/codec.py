"""Build and receive AS4 messages: the public surface of the codec (lxml + cryptography, no Django).

Outbound: :func:`build_user_message`, :func:`build_receipt`, :func:`build_error_signal` return an
:class:`OutboundMessage` (exact bytes + Content-Type + MessageId + the references we signed).
Inbound: :func:`receive` returns a :class:`ParsedMessage` or raises :class:`EbmsError`, whose
``partial`` attribute holds what was established before the refusal; :func:`verify_receipt`
checks a receipt against the message we sent. python-xmlsec is not used: it cannot verify ``cid:``
attachment references.

**UserMessage** (eDelivery AS4): each payload gzipped (``CompressionType``, ``MimeType`` part properties),
a WS-Security signature (RSA-SHA256, exclusive c14n with ``InclusiveNamespaces PrefixList="S12"``,
SHA-256 references over ``eb:Messaging``, the Body and each attachment), then each attachment encrypted
with AES-128-GCM under one key wrapped RSA-OAEP (SHA-256, MGF1-SHA256) for the recipient; SOAP 1.2
``multipart/related`` with binary parts, the digested octets exactly. MessageId ``<uuid4>@<domain>``. The
EncryptedKey names the recipient's key by SubjectKeyIdentifier (``"SKI"``, the default, byte-compatible
with messages already stored) or, with ``encryption_key_reference="BST"``, by a second
BinarySecurityToken carrying its certificate (some implementations, e.g. the PyPI ``as4`` package,
read only that form). The envelope is written as canonical text (``templates.py``); when a quoted
fragment of a receipt redeclares one of our namespaces, the Messaging is canonicalized by lxml instead.

**Receiving** checks, in this order, each step refusing with its code: MIME framing (EBMS:0007) ->
hardened XML parse (no DTD or entities, no network, 8 MiB, depth 64, 100 000 elements: EBMS:0009) ->
one ``eb:Messaging``, its header fields (EBMS:0009), gzip only (EBMS:0303) -> security: one wsse:Security,
a signature when the policy demands it (EBMS:0103), signature value and references, the Messaging and
Body used being the ones signed (EBMS:0101) -> payload structure (EBMS:0008/0011/0007) -> decryption
(EBMS:0102) -> attachment digests on the decrypted octets (EBMS:0101), every payload signed
(EBMS:0103) -> gunzip within 200 MiB and a 1000:1 ratio (EBMS:0303) -> the signer's path and validity
at ``at`` against the truststore (EBMS:0101). Security is checked before content: a message failing
both is reported as a security failure. Any unexpected exception is an EbmsError, never a crash.
Duplicate detection is the inbound store's job: the codec is stateless.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import logging
import uuid
from dataclasses import dataclass, field

from cryptography import x509
from lxml import etree

from . import compression, dsig, ebms, mime, templates, xenc
from . import constants as c
from .dsig import ReferenceCheck, SignatureCheck, child, child_text, children, qn
from .ebms import PartInfo, Property, SignalMessage, UserMessage, UserMessageHeader
from .errors import (
    EXTERNAL_PAYLOAD_ERROR,
    FAILED_AUTHENTICATION,
    FAILED_DECRYPTION,
    FEATURE_NOT_SUPPORTED,
    INVALID_RECEIPT,
    MIME_INCONSISTENCY,
    OTHER,
    POLICY_NONCOMPLIANCE,
    EbmsError,
)
from .keys import KeyPair, Truststore
from .xmlsafe import parse_xml

ENVELOPE_NSMAP = {"S12": c.SOAP12}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignedReference:
    """One ds:Reference as (URI, digest method, digest value): what a receipt must give back."""

    uri: str
    digest_method: str
    digest_value: bytes

    @classmethod
    def of(cls, element: etree._Element) -> SignedReference:
        method = child(element, qn(c.DS, "DigestMethod"))
        value = "".join((child_text(element, qn(c.DS, "DigestValue")) or "").split())
        return cls(
            element.get("URI") or "",
            method.get("Algorithm") if method is not None else "",
            base64.b64decode(value),
        )


@dataclass
class Payload:
    content: bytes
    mime_type: str = "application/octet-stream"
    content_id: str | None = None
    compress: bool = True
    properties: list[Property] = field(default_factory=list)


@dataclass
class OutboundMessage:
    body: bytes
    content_type: str
    message_id: str
    references: list[SignedReference]
    ref_to_message_id: str | None = None


@dataclass
class ReceivedPayload:
    content_id: str | None
    mime_type: str | None
    content: bytes | bytearray | None  # None while encrypted and no key was given
    compressed: bool
    encrypted: bool
    properties: list[Property] = field(default_factory=list)


@dataclass
class SoapFault:
    code: str | None
    subcode: str | None
    reason: str | None


@dataclass
class ParsedMessage:
    kind: str | None = None  # user_message | receipt | error | pull_request
    message_id: str | None = None
    ref_to_message_id: str | None = None
    user_message: UserMessage | None = None
    signal: SignalMessage | None = None
    signals: list[SignalMessage] = field(default_factory=list)
    signature: SignatureCheck | None = None
    trusted: bool | None = None
    encrypted: bool = False
    decrypted: bool | None = None
    payloads: list[ReceivedPayload] = field(default_factory=list)
    fault: SoapFault | None = None
    undecrypted: list[str] = field(default_factory=list)
    envelope: etree._Element | None = None

    @property
    def references(self) -> list[ReferenceCheck]:
        return self.signature.references if self.signature else []

    @property
    def signed_references(self) -> list[SignedReference]:
        return [SignedReference.of(r.element) for r in self.references]


@dataclass
class ReceivePolicy:
    """What an inbound message must satisfy (the security part of a P-Mode)."""

    require_signature: bool = True
    require_encryption: bool = False
    require_trusted_signer: bool = True
    max_decompressed_bytes: int = compression.MAX_DECOMPRESSED_BYTES


# --------------------------------------------------------------------------------------------- building


def _envelope() -> tuple[etree._Element, etree._Element, etree._Element, etree._Element]:
    """An empty envelope as an lxml tree (Security, Messaging, Body), for hand-built messages
    (the builders below write their envelopes as text: see :mod:`templates`)."""
    root = etree.Element(qn(c.SOAP12, "Envelope"), nsmap=ENVELOPE_NSMAP)
    header = etree.SubElement(root, qn(c.SOAP12, "Header"))
    security = etree.SubElement(
        header,
        qn(c.WSSE, "Security"),
        {qn(c.SOAP12, "mustUnderstand"): "true"},
        nsmap={"wsse": c.WSSE, "wsu": c.WSU},
    )
    messaging = ebms.new_messaging({"eb": c.EB, "wsu": c.WSU})
    header.append(messaging)
    body = etree.SubElement(root, qn(c.SOAP12, "Body"), nsmap={"wsu": c.WSU})
    return root, security, messaging, body


def _reparse(root: etree._Element) -> tuple[etree._Element, etree._Element, etree._Element, etree._Element]:
    # lxml's subtree c14n misses in-scope namespaces of freshly built trees (the InclusiveNamespaces
    # prefixes): a hand-built tree is signed as a receiver will parse it, a parsed tree.
    root = etree.fromstring(etree.tostring(root))
    header = child(root, qn(c.SOAP12, "Header"))
    return (
        root,
        child(header, qn(c.WSSE, "Security")),
        child(header, ebms.eb("Messaging")),
        child(root, qn(c.SOAP12, "Body")),
    )


def _domain_of(message_id: str) -> str:
    return message_id.rsplit("@", 1)[-1] if "@" in message_id else "as4"


def _references(written: list[tuple[str, str, bytes]]) -> list[SignedReference]:
    return [SignedReference(uri, method, value) for uri, method, value in written]


_SOAP_XML = f"{mime.SOAP_CONTENT_TYPE}; charset=UTF-8"


def build_user_message(
    header: UserMessageHeader,
    payloads: list[Payload],
    *,
    sign_with: KeyPair,
    encrypt_for: x509.Certificate | None,
    domain: str,
    message_id: str | None = None,
    timestamp: str | None = None,
    token: str = c.X509V3,
    encryption_key_reference: str = "SKI",
) -> OutboundMessage:
    """gzip -> sign (Messaging, Body, every attachment) -> encrypt every attachment -> MIME.

    ``encryption_key_reference`` names the recipient's key in the EncryptedKey: "SKI" or "BST"."""
    message_id = message_id or ebms.new_message_id(domain)
    parts, prepared = [], []
    for payload in payloads:
        content_id = payload.content_id or f"{uuid.uuid4()}@{domain}"
        properties = [Property("MimeType", payload.mime_type)]
        content = payload.content
        if payload.compress:
            properties.append(Property("CompressionType", c.GZIP))
            content = compression.compress(content)
        parts.append(PartInfo("cid:" + content_id, properties + list(payload.properties)))
        prepared.append((content_id, c.GZIP if payload.compress else payload.mime_type, content))
    user = templates.user_message(
        header,
        message_id,
        timestamp or ebms.timestamp_now(),
        header.conversation_id or str(uuid.uuid4()),
        parts,
    )
    encryption = ""
    if encrypt_for is not None and prepared:
        encryption, encrypted = xenc.encrypt_attachments(
            encrypt_for, prepared, key_reference=encryption_key_reference
        )
        attachments = [(e.content_id, "application/octet-stream", e.ciphertext) for e in encrypted]
    else:
        attachments = prepared
    envelope, references = templates.signed_envelope(
        user,
        sign_with=sign_with,
        attachments=[(content_id, content) for content_id, _, content in prepared],
        security_head=encryption,
        token=token,
    )
    if attachments:
        data, content_type = mime.build_multipart(envelope, attachments)
    else:
        data, content_type = envelope, _SOAP_XML
    return OutboundMessage(data, content_type, message_id, _references(references))


def build_receipt(
    received: ParsedMessage, *, sign_with: KeyPair, message_id: str | None = None, domain: str | None = None
) -> OutboundMessage:
    """A signed receipt for ``received``: non-repudiation (its ds:References) when it was signed,
    otherwise a reception-awareness receipt carrying a copy of its eb:UserMessage."""
    if received.user_message is None or received.message_id is None:
        raise ValueError("only a received UserMessage gets a receipt")
    message_id = message_id or ebms.new_message_id(domain or _domain_of(received.message_id))
    if received.signature is not None:
        quoted = [templates.quoted(reference.element) for reference in received.references]
        parts = "".join(
            f"<ebbp:MessagePartNRInformation>{fragment}</ebbp:MessagePartNRInformation>"
            for fragment, _ in quoted
        )
        content = (
            f'<ebbp:NonRepudiationInformation xmlns:ebbp="{c.EBBP}">{parts}</ebbp:NonRepudiationInformation>'
        )
        exact = all(in_place for _, in_place in quoted)
    else:
        content, exact = templates.quoted(received.user_message.element)
    signal = (
        f"<eb:SignalMessage>{templates.message_info(message_id, ebms.timestamp_now(), received.message_id)}"
        f"<eb:Receipt>{content}</eb:Receipt></eb:SignalMessage>"
    )
    envelope, references = templates.signed_envelope(signal, sign_with=sign_with, messaging_exact=exact)
    return OutboundMessage(envelope, _SOAP_XML, message_id, _references(references), received.message_id)


def build_error_signal(
    errors: list[EbmsError],
    *,
    ref_to_message_id: str | None,
    domain: str,
    sign_with: KeyPair | None = None,
    message_id: str | None = None,
    fault: tuple[str, str] | None = None,
) -> OutboundMessage:
    """An eb:SignalMessage with one eb:Error per refusal (signed when a key is given: eb:Messaging
    and the Body). ``fault`` = (``"Sender"`` | ``"Receiver"``, reason) puts a SOAP 1.2 Fault in the
    Body, before signing, so the signature covers it."""
    message_id = message_id or ebms.new_message_id(domain)
    body = templates.fault(f"S12:{fault[0]}", fault[1][:1024]) if fault is not None else ""
    items = []
    for error in errors:
        definition = error.definition
        attributes = [
            ("category", definition.category),
            ("errorCode", error.code),
            ("origin", definition.origin),
            ("severity", definition.severity),
            ("shortDescription", definition.short_description),
            ("refToMessageInError", ref_to_message_id or None),
        ]
        # eb:Error with its attributes in c14n order, then Description (xml:lang) and ErrorDetail
        start = templates.element("eb:Error", None, attributes)[: -len("</eb:Error>")]
        items.append(
            f'{start}<eb:Description xml:lang="en">{templates.text(definition.short_description or "")}'
            f"</eb:Description>{templates.element('eb:ErrorDetail', error.detail[:1024])}</eb:Error>"
        )
    signal = (
        f"<eb:SignalMessage>{templates.message_info(message_id, ebms.timestamp_now(), ref_to_message_id)}"
        f"{''.join(items)}</eb:SignalMessage>"
    )
    envelope, references = templates.signed_envelope(signal, sign_with=sign_with, body_inner=body)
    return OutboundMessage(envelope, _SOAP_XML, message_id, _references(references), ref_to_message_id)


# --------------------------------------------------------------------------------------------- receiving


def _fail(result: ParsedMessage, error: EbmsError) -> EbmsError:
    error.partial = result  # type: ignore[attr-defined]
    if error.ref_to_message_id is None:
        error.ref_to_message_id = result.message_id
    return error


def receive(
    data: bytes,
    content_type: str | None = None,
    *,
    truststore: Truststore | None,
    decryption_key: KeyPair | None = None,
    at: dt.datetime | None = None,
    policy: ReceivePolicy | None = None,
    allow_undecrypted: bool = False,
) -> ParsedMessage:
    """Parse, verify, decrypt and decompress an inbound AS4 message, or raise :class:`EbmsError`.

    ``at`` is the time certificates must be valid at (now by default). With
    ``allow_undecrypted`` an encrypted message without a usable key is returned with its
    encrypted payloads unread (``content`` None) instead of being refused.
    """
    result = ParsedMessage()
    try:
        _receive(
            result,
            data,
            content_type,
            truststore,
            decryption_key,
            at,
            policy or ReceivePolicy(),
            allow_undecrypted,
        )
    except EbmsError as error:
        raise _fail(result, error) from None
    except Exception as error:  # a receiver must answer with an ebMS error, never crash
        logger.exception("unexpected failure while reading an AS4 message")
        raise _fail(
            result, EbmsError(OTHER, f"unprocessable message: {type(error).__name__}: {error}")
        ) from None
    return result


def _receive(
    result: ParsedMessage,
    data: bytes,
    content_type: str | None,
    truststore: Truststore | None,
    key: KeyPair | None,
    at: dt.datetime | None,
    policy: ReceivePolicy,
    allow_undecrypted: bool,
) -> None:
    transport = mime.parse_transport(data, content_type)
    root = parse_xml(transport.envelope)
    result.envelope = root
    soap = etree.QName(root).namespace
    body_node = child(root, qn(soap, "Body")) if soap in ebms.SOAP_NAMESPACES else None
    fault = child(body_node, qn(soap, "Fault")) if body_node is not None else None
    if fault is not None:
        result.fault = _parse_fault(fault, soap)
        if root.find(f".//{ebms.eb('Messaging')}") is None:
            result.kind = "error"
            raise EbmsError(OTHER, f"SOAP Fault: {result.fault.reason or result.fault.code}")
    messaging, body, soap = ebms.find_messaging(root)
    user, signals = ebms.parse_messaging(messaging)
    result.signals = signals
    if user is not None:
        result.kind, result.user_message = "user_message", user
        result.message_id, result.ref_to_message_id = user.message_id, user.ref_to_message_id
    else:
        signal = signals[0]
        result.kind, result.signal = signal.kind, signal
        result.message_id, result.ref_to_message_id = signal.message_id, signal.ref_to_message_id

    ids = dsig.index_ids(root)
    carried = dsig.message_certificates(root)
    header = child(root, qn(soap, "Header"))
    securities = children(header, qn(c.WSSE, "Security"))
    if len(securities) > 1:
        raise EbmsError(POLICY_NONCOMPLIANCE, "more than one wsse:Security header")
    security = securities[0] if securities else None
    signature = dsig.find_signature(security) if security is not None else None
    signature_required = policy.require_signature and result.kind != "error"
    if signature is None:
        if signature_required:
            raise EbmsError(POLICY_NONCOMPLIANCE, "the message is not signed (no WS-Security signature)")
    else:
        check = dsig.verify_signature(root, signature, ids, truststore=truststore, certificates=carried)
        result.signature = check
        if not check.signature_value_valid:
            raise EbmsError(FAILED_AUTHENTICATION, "the signature value does not verify")
        for reference in check.references:
            if reference.valid is False:
                raise EbmsError(FAILED_AUTHENTICATION, f"digest mismatch for {reference.uri}")
        signed_targets = {id(r.target) for r in check.references if r.target is not None}
        if id(messaging) not in signed_targets:
            raise EbmsError(FAILED_AUTHENTICATION, "the eb:Messaging header used is not the one signed")
        if id(body) not in signed_targets and result.kind != "error":
            raise EbmsError(FAILED_AUTHENTICATION, "the SOAP Body is not signed")

    if user is not None:
        _check_payload_structure(user, body, transport)

    attachments = {cid: (part.content, part.headers) for cid, part in transport.attachments.items()}
    encryption = xenc.find_encryption(security, ids, carried, truststore, key) if security is not None else []
    encrypted_ids = {cid for info in encryption for cid in info.content_ids}
    result.encrypted = bool(encrypted_ids)
    if policy.require_encryption and user is not None and user.parts:
        unencrypted = [p.content_id for p in user.parts if p.content_id not in encrypted_ids]
        if unencrypted:
            raise EbmsError(POLICY_NONCOMPLIANCE, f"payloads not encrypted: {', '.join(unencrypted)}")
    if encryption:
        if key is None:
            if not allow_undecrypted:
                raise EbmsError(
                    FAILED_DECRYPTION, "the message is encrypted and no decryption key is configured"
                )
            result.decrypted = False
            result.undecrypted = sorted(encrypted_ids)
        else:
            for info in encryption:
                for item in xenc.decrypt_attachments(info, ids, key, attachments):
                    attachments[item.content_id] = (item.content, item.headers)
            result.decrypted = True

    if result.signature is not None:
        for reference in result.signature.references:
            if not reference.is_attachment:
                continue
            if reference.content_id not in attachments:
                raise EbmsError(
                    FAILED_AUTHENTICATION, f"signed attachment {reference.uri} is not in the message"
                )
            if reference.content_id in result.undecrypted:
                continue
            content, headers = attachments[reference.content_id]
            if not dsig.check_attachment_reference(reference, content, headers):
                raise EbmsError(FAILED_AUTHENTICATION, f"digest mismatch for attachment {reference.uri}")
        if user is not None:
            signed_cids = {r.content_id for r in result.signature.references if r.is_attachment}
            unsigned = [p.href for p in user.parts if p.content_id and p.content_id not in signed_cids]
            if unsigned and policy.require_signature:
                raise EbmsError(
                    POLICY_NONCOMPLIANCE, f"payloads not covered by the signature: {', '.join(unsigned)}"
                )

    if user is not None:
        budget = policy.max_decompressed_bytes
        for part in user.parts:
            cid = part.content_id
            content, _headers = attachments[cid]
            encrypted = cid in encrypted_ids
            if cid in result.undecrypted:
                result.payloads.append(
                    ReceivedPayload(
                        cid, part.mime_type, None, part.compression_type is not None, True, part.properties
                    )
                )
                continue
            if part.compression_type is not None:
                content = compression.decompress(content, limit=budget)
                budget -= len(content)
            result.payloads.append(
                ReceivedPayload(
                    cid,
                    part.mime_type,
                    content,
                    part.compression_type is not None,
                    encrypted,
                    part.properties,
                )
            )

    if result.signature is not None:
        if truststore is None:
            result.trusted = False
            if policy.require_trusted_signer:
                raise EbmsError(FAILED_AUTHENTICATION, "no truststore given: the signer cannot be trusted")
        else:
            try:
                truststore.validate(
                    result.signature.certificate, intermediates=result.signature.presented, at=at
                )
                result.trusted = True
            except EbmsError:
                result.trusted = False
                if policy.require_trusted_signer:
                    raise
    if result.kind == "receipt":
        _check_receipt_structure(result)


def check_signature(
    data: bytes, content_type: str | None = None, *, truststore: Truststore | None = None
) -> SignatureCheck:
    """Verify only the signature value and the XML references of a message (attachment
    references stay unchecked): for envelopes kept without their attachments, and for tools."""
    transport = mime.parse_transport(data, content_type)
    root = parse_xml(transport.envelope)
    soap = etree.QName(root).namespace
    security = root.find(f"{qn(soap, 'Header')}/{qn(c.WSSE, 'Security')}")
    signature = dsig.find_signature(security) if security is not None else None
    if signature is None:
        raise EbmsError(POLICY_NONCOMPLIANCE, "the message is not signed (no WS-Security signature)")
    return dsig.verify_signature(root, signature, dsig.index_ids(root), truststore=truststore)


def _check_payload_structure(
    user: UserMessage, body: etree._Element, transport: mime.TransportMessage
) -> None:
    if len(body) or any(not p.href for p in user.parts):
        raise EbmsError(
            FEATURE_NOT_SUPPORTED,
            "payloads in the SOAP Body are not supported: AS4 carries them as attachments",
        )
    referenced = set()
    for part in user.parts:
        if part.content_id not in transport.attachments:
            raise EbmsError(EXTERNAL_PAYLOAD_ERROR, f"payload {part.href} is not in the message")
        referenced.add(part.content_id)
    extra = set(transport.attachments) - referenced
    if extra:
        raise EbmsError(
            MIME_INCONSISTENCY, f"attachments not described in PayloadInfo: {', '.join(sorted(extra))}"
        )


def _parse_fault(fault: etree._Element, soap: str) -> SoapFault:
    if soap == c.SOAP12:
        return SoapFault(
            code=fault.findtext(f"{qn(soap, 'Code')}/{qn(soap, 'Value')}"),
            subcode=fault.findtext(f"{qn(soap, 'Code')}/{qn(soap, 'Subcode')}/{qn(soap, 'Value')}"),
            reason=fault.findtext(f"{qn(soap, 'Reason')}/{qn(soap, 'Text')}"),
        )
    return SoapFault(code=fault.findtext("faultcode"), subcode=None, reason=fault.findtext("faultstring"))


def nri_references(signal: SignalMessage) -> list[SignedReference]:
    """The ds:References a receipt's ebbp:NonRepudiationInformation gives back (EBMS:0302 if malformed)."""
    receipt = signal.receipt
    nri = child(receipt, qn(c.EBBP, "NonRepudiationInformation")) if receipt is not None else None
    if nri is None:
        raise EbmsError(INVALID_RECEIPT, "the receipt has no ebbp:NonRepudiationInformation")
    references = []
    for part in children(nri, qn(c.EBBP, "MessagePartNRInformation")):
        reference = child(part, qn(c.DS, "Reference"))
        if reference is None:
            raise EbmsError(INVALID_RECEIPT, "ebbp:MessagePartNRInformation without ds:Reference")
        try:
            references.append(SignedReference.of(reference))
        except ValueError:
            raise EbmsError(INVALID_RECEIPT, "unreadable DigestValue in the receipt") from None
    if not references:
        raise EbmsError(INVALID_RECEIPT, "the receipt's NonRepudiationInformation is empty")
    return references


def _check_receipt_structure(result: ParsedMessage) -> None:
    receipt = result.signal.receipt
    if child(receipt, qn(c.EBBP, "NonRepudiationInformation")) is not None:
        nri_references(result.signal)
    elif child(receipt, ebms.eb("UserMessage")) is None:
        raise EbmsError(
            INVALID_RECEIPT,
            "eb:Receipt holds neither ebbp:NonRepudiationInformation nor a copy of the UserMessage",
        )


def sent_references(data: bytes, content_type: str | None = None) -> tuple[str, list[SignedReference]]:
    """(MessageId, signed references) of a message we sent, read back from its stored bytes."""
    transport = mime.parse_transport(data, content_type)
    root = parse_xml(transport.envelope)
    messaging, _body, _soap = ebms.find_messaging(root)
    user, signals = ebms.parse_messaging(messaging)
    message_id = user.message_id if user is not None else signals[0].message_id
    signed_info = root.find(f".//{qn(c.DS, 'Signature')}/{qn(c.DS, 'SignedInfo')}")
    if signed_info is None:
        return message_id, []
    return message_id, [SignedReference.of(r) for r in children(signed_info, qn(c.DS, "Reference"))]


def verify_receipt(
    data: bytes,
    content_type: str | None = None,
    *,
    sent_message_id: str,
    sent: list[SignedReference],
    truststore: Truststore,
    at: dt.datetime | None = None,
) -> ParsedMessage:
    """Accept ``data`` only as a signed, trusted NRR receipt for our message: RefToMessageId is
    ``sent_message_id`` and the NonRepudiationInformation equals ``sent`` exactly (EBMS:0302 otherwise)."""
    try:
        result = receive(data, content_type, truststore=truststore, at=at)
    except EbmsError as error:
        if error.code in (FAILED_AUTHENTICATION, POLICY_NONCOMPLIANCE):
            raise
        raise EbmsError(INVALID_RECEIPT, error.detail, ref_to_message_id=sent_message_id) from None
    if result.kind == "error":
        codes = ", ".join(e.code for e in result.signal.errors)
        raise EbmsError(INVALID_RECEIPT, f"the peer answered with an error signal ({codes})")
    if result.kind != "receipt":
        raise EbmsError(INVALID_RECEIPT, f"expected a receipt, got a {result.kind}")
    if result.ref_to_message_id != sent_message_id:
        raise EbmsError(
            INVALID_RECEIPT, f"the receipt refers to {result.ref_to_message_id!r}, not to {sent_message_id!r}"
        )
    got = nri_references(result.signal)
    if not _same_references(got, sent):
        raise EbmsError(
            INVALID_RECEIPT, "the receipt's NonRepudiationInformation differs from what we signed"
        )
    return result


def _same_references(got: list[SignedReference], sent: list[SignedReference]) -> bool:
    if len(got) != len(sent):
        return False
    key = lambda r: (r.uri, r.digest_method)  # noqa: E731
    for a, b in zip(sorted(got, key=key), sorted(sent, key=key), strict=True):
        if (
            a.uri != b.uri
            or a.digest_method != b.digest_method
            or not hmac.compare_digest(a.digest_value, b.digest_value)
        ):
            return False
    return True
