"""Outbound envelopes written directly as canonical XML text.

The builders write the SOAP envelope as text in the form exclusive c14n gives it (start and end
tags, c14n escaping, attributes in c14n order, namespace declarations only where the canonical
form of a signed subtree has them). The canonical octets of ``eb:Messaging``, the Body and
``ds:SignedInfo`` are then the text just written plus the namespace declarations of the subtree's
apex, so nothing is built element by element, serialized, re-parsed and canonicalized per message.
What is signed is still what a receiver canonicalizes: a receiver parses the bytes and runs its own
c14n, and ``tests/delivery/test_as4_templates.py`` compares these forms with lxml's for awkward
values (markup characters, line breaks, non-ASCII, quoted copies of foreign ``ds:Reference``s).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from . import constants as c
from .dsig import DEFAULT_PREFIXES, exc_c14n, new_id
from .keys import KeyPair, dump_pkipath
from .xmlsafe import parse_xml

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;"}
)
_NEEDS_TEXT_ESCAPE = re.compile("[&<>\r]")
_NEEDS_ATTRIBUTE_ESCAPE = re.compile('[&<"\t\n\r]')


def _check(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    if _NOT_XML.search(value):
        # what lxml says when a tree is given such a value
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"
        )
    return value


def text(value: str) -> str:
    """``value`` as character data, escaped as c14n escapes it."""
    _check(value)
    return value.translate(_TEXT_ESCAPES) if _NEEDS_TEXT_ESCAPE.search(value) else value


def attribute(value: str) -> str:
    """``value`` as an attribute value (in double quotes), escaped as c14n escapes it."""
    _check(value)
    return value.translate(_ATTRIBUTE_ESCAPES) if _NEEDS_ATTRIBUTE_ESCAPE.search(value) else value


def element(tag: str, content: str | None = None, attributes: Iterable[tuple[str, str | None]] = ()) -> str:
    """``<tag a="..">text</tag>`` with unqualified attributes (c14n orders them by name; None: absent)."""
    pairs = sorted((name, value) for name, value in attributes if value is not None)
    attrs = "".join(f' {name}="{attribute(value)}"' for name, value in pairs)
    return f"<{tag}{attrs}>{text(content) if content else ''}</{tag}>"


# Namespace declarations a signed apex carries in its canonical form (exclusive c14n, PrefixList "S12":
# the S12 of the envelope is rendered on every apex; declarations sort by prefix, "S12" before "ds").
_S12 = f'xmlns:S12="{c.SOAP12}"'
_MESSAGING_DOC = f'<eb:Messaging xmlns:eb="{c.EB}" xmlns:wsu="{c.WSU}" wsu:Id="%s" S12:mustUnderstand="true">'
_MESSAGING_C14N = (
    f'<eb:Messaging {_S12} xmlns:eb="{c.EB}" xmlns:wsu="{c.WSU}" wsu:Id="%s" S12:mustUnderstand="true">'
)
_BODY_DOC = f'<S12:Body xmlns:wsu="{c.WSU}" wsu:Id="%s">'
_BODY_C14N = f'<S12:Body {_S12} xmlns:wsu="{c.WSU}" wsu:Id="%s">'
_SIGNED_INFO_C14N = f'<ds:SignedInfo {_S12} xmlns:ds="{c.DS}">'
_INCLUSIVE = f'<ec:InclusiveNamespaces xmlns:ec="{c.EXC_C14N}" PrefixList="{" ".join(DEFAULT_PREFIXES)}"></ec:InclusiveNamespaces>'
_SIGNED_INFO_HEAD = (
    f'<ds:CanonicalizationMethod Algorithm="{c.EXC_C14N}">{_INCLUSIVE}</ds:CanonicalizationMethod>'
    f'<ds:SignatureMethod Algorithm="{c.RSA_SHA256}"></ds:SignatureMethod>'
)
_XML_REFERENCE = (
    '<ds:Reference URI="#%s"><ds:Transforms>'
    f'<ds:Transform Algorithm="{c.EXC_C14N}">{_INCLUSIVE}</ds:Transform></ds:Transforms>'
    f'<ds:DigestMethod Algorithm="{c.SHA256}"></ds:DigestMethod><ds:DigestValue>%s</ds:DigestValue></ds:Reference>'
)
_ATTACHMENT_REFERENCE = (
    '<ds:Reference URI="cid:%s"><ds:Transforms>'
    f'<ds:Transform Algorithm="{c.SWA_CONTENT_SIGNATURE}"></ds:Transform></ds:Transforms>'
    f'<ds:DigestMethod Algorithm="{c.SHA256}"></ds:DigestMethod><ds:DigestValue>%s</ds:DigestValue></ds:Reference>'
)
_ENVELOPE_HEAD = f"<?xml version='1.0' encoding='UTF-8'?>\n<S12:Envelope {_S12}><S12:Header>"
_SECURITY_HEAD = f'<wsse:Security xmlns:wsse="{c.WSSE}" xmlns:wsu="{c.WSU}" S12:mustUnderstand="true">'
# The ebMS namespaces a signed eb:Messaging renders above a quoted fragment: a fragment declaring one
# of them itself would lose that declaration in the Messaging's canonical form.
_RENDERED_ABOVE_FRAGMENTS = tuple(
    f'xmlns:{prefix}="{uri}"'.encode()
    for prefix, uri in (("S12", c.SOAP12), ("eb", c.EB), ("wsu", c.WSU), ("ebbp", c.EBBP))
)


@functools.lru_cache(maxsize=64)
def _token_text(certificates: tuple[x509.Certificate, ...], token: str) -> str:
    if token == c.X509_PKIPATH:
        der = dump_pkipath(certificates)
    elif token == c.X509V3:
        der = certificates[-1].public_bytes(serialization.Encoding.DER)
    else:
        raise ValueError(f"unsupported token type {token!r}")
    return base64.b64encode(der).decode()


def quoted(fragment: etree._Element) -> tuple[str, bool]:
    """A received element (a ds:Reference, a UserMessage) to quote inside our eb:Messaging: its
    exclusive canonical form, and whether that stays its canonical form inside our Messaging."""
    octets = exc_c14n(fragment)
    return octets.decode("utf-8"), not any(d in octets for d in _RENDERED_ABOVE_FRAGMENTS)


def _canonical_messaging(messaging_id: str, inner: str) -> bytes:
    # for quoted fragments that redeclare a namespace of ours: lxml's c14n of the parsed Messaging
    document = f"<S12:Envelope {_S12}><S12:Header>{_MESSAGING_DOC % messaging_id}{inner}</eb:Messaging></S12:Header></S12:Envelope>"
    root = parse_xml(document.encode("utf-8"))
    return exc_c14n(root[0][0], list(DEFAULT_PREFIXES))


def signed_envelope(
    messaging_inner: str,
    *,
    sign_with: KeyPair | None,
    body_inner: str = "",
    attachments: Iterable[tuple[str, bytes]] = (),
    security_head: str = "",
    token: str = c.X509V3,
    messaging_exact: bool = True,
) -> tuple[bytes, list[tuple[str, str, bytes]]]:
    """The envelope: wsse:Security (``security_head`` first, then our token and a signature over
    eb:Messaging, the Body and each ``(content_id, octets)`` attachment), eb:Messaging around
    ``messaging_inner``, the Body around ``body_inner``. Without ``sign_with``: no wsse:Security.

    ``messaging_inner`` and ``body_inner`` are canonical text (written with :func:`text`,
    :func:`attribute`, :func:`element`); ``messaging_exact=False`` says a quoted fragment may
    canonicalize differently in place, and the Messaging is then canonicalized by lxml."""
    if sign_with is None:
        wsu = f'xmlns:wsu="{c.WSU}"'
        body = f"<S12:Body {wsu}>{body_inner}</S12:Body>" if body_inner else f"<S12:Body {wsu}/>"
        document = (
            f'{_ENVELOPE_HEAD}<eb:Messaging xmlns:eb="{c.EB}" {wsu} S12:mustUnderstand="true">{messaging_inner}'
            f"</eb:Messaging></S12:Header>{body}</S12:Envelope>"
        )
        return document.encode("utf-8"), []
    messaging_id, body_id = new_id("id"), new_id("id")
    messaging = f"{_MESSAGING_DOC % messaging_id}{messaging_inner}</eb:Messaging>"
    # the document's empty Body is written <S12:Body .../>, as lxml writes it: same parse, same c14n
    body = (
        f"{_BODY_DOC % body_id}{body_inner}</S12:Body>" if body_inner else (_BODY_DOC % body_id)[:-1] + "/>"
    )
    if messaging_exact:
        messaging_c14n = f"{_MESSAGING_C14N % messaging_id}{messaging_inner}</eb:Messaging>".encode()
    else:
        messaging_c14n = _canonical_messaging(messaging_id, messaging_inner)
    body_c14n = f"{_BODY_C14N % body_id}{body_inner}</S12:Body>".encode()
    references = [
        ("#" + messaging_id, c.SHA256, hashlib.sha256(messaging_c14n).digest()),
        ("#" + body_id, c.SHA256, hashlib.sha256(body_c14n).digest()),
    ]
    signed = [
        _XML_REFERENCE % (messaging_id, base64.b64encode(references[0][2]).decode()),
        _XML_REFERENCE % (body_id, base64.b64encode(references[1][2]).decode()),
    ]
    for content_id, content in attachments:
        digest = hashlib.sha256(content).digest()
        references.append(("cid:" + content_id, c.SHA256, digest))
        signed.append(_ATTACHMENT_REFERENCE % (attribute(content_id), base64.b64encode(digest).decode()))
    signed_info = _SIGNED_INFO_HEAD + "".join(signed)
    value = sign_with.private_key.sign(
        f"{_SIGNED_INFO_C14N}{signed_info}</ds:SignedInfo>".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    bst_id = new_id("X509")
    chain = (
        (*reversed(sign_with.chain), sign_with.certificate)
        if token == c.X509_PKIPATH
        else (sign_with.certificate,)
    )
    security = (
        f"{_SECURITY_HEAD}{security_head}"
        f'<wsse:BinarySecurityToken EncodingType="{c.BASE64_BINARY}" ValueType="{token}" wsu:Id="{bst_id}">'
        f"{_token_text(chain, token)}</wsse:BinarySecurityToken>"
        f'<ds:Signature xmlns:ds="{c.DS}" Id="{new_id("SIG")}"><ds:SignedInfo>{signed_info}</ds:SignedInfo>'
        f"<ds:SignatureValue>{base64.b64encode(value).decode()}</ds:SignatureValue>"
        f'<ds:KeyInfo Id="{new_id("KI")}"><wsse:SecurityTokenReference wsu:Id="{new_id("STR")}">'
        f'<wsse:Reference URI="#{bst_id}" ValueType="{token}"></wsse:Reference>'
        "</wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature></wsse:Security>"
    )
    document = f"{_ENVELOPE_HEAD}{security}{messaging}</S12:Header>{body}</S12:Envelope>"
    return document.encode("utf-8"), references


# ------------------------------------------------------------------------------------ the ebMS header


def message_info(message_id: str, timestamp: str, ref_to: str | None = None) -> str:
    ref = f"<eb:RefToMessageId>{text(ref_to)}</eb:RefToMessageId>" if ref_to else ""
    return (
        f"<eb:MessageInfo><eb:Timestamp>{text(timestamp)}</eb:Timestamp>"
        f"<eb:MessageId>{text(message_id)}</eb:MessageId>{ref}</eb:MessageInfo>"
    )


def _party(tag: str, party) -> str:
    ids = "".join(element("eb:PartyId", p.value, (("type", p.type or None),)) for p in party.party_ids)
    return f"<eb:{tag}>{ids}{element('eb:Role', party.role)}</eb:{tag}>"


def _property(prop) -> str:
    return element("eb:Property", prop.value, (("name", prop.name), ("type", prop.type or None)))


def user_message(header, message_id: str, timestamp: str, conversation_id: str, parts) -> str:
    """eb:UserMessage (same content and order as :func:`ebms.build_user_message`)."""
    out = [f'<eb:UserMessage mpc="{attribute(header.mpc)}">' if header.mpc else "<eb:UserMessage>"]
    out.append(message_info(message_id, timestamp))
    out.append(
        f"<eb:PartyInfo>{_party('From', header.from_party)}{_party('To', header.to_party)}</eb:PartyInfo>"
    )
    out.append("<eb:CollaborationInfo>")
    if header.agreement_ref:
        out.append(
            element(
                "eb:AgreementRef",
                header.agreement_ref,
                (("type", header.agreement_type or None), ("pmode", header.pmode or None)),
            )
        )
    out.append(element("eb:Service", header.service, (("type", header.service_type or None),)))
    out.append(element("eb:Action", header.action))
    out.append(element("eb:ConversationId", conversation_id))
    out.append("</eb:CollaborationInfo>")
    properties = [p for p in (header.original_sender, header.final_recipient) if p] + list(header.properties)
    if properties:
        out.append(
            f"<eb:MessageProperties>{''.join(_property(p) for p in properties)}</eb:MessageProperties>"
        )
    if parts:
        out.append("<eb:PayloadInfo>")
        for part in parts:
            out.append(f'<eb:PartInfo href="{attribute(part.href)}">' if part.href else "<eb:PartInfo>")
            if part.properties:
                out.append(
                    f"<eb:PartProperties>{''.join(_property(p) for p in part.properties)}</eb:PartProperties>"
                )
            out.append("</eb:PartInfo>")
        out.append("</eb:PayloadInfo>")
    out.append("</eb:UserMessage>")
    return "".join(out)


# ------------------------------------------------------------------------------------------ encryption


def encryption_header(
    *,
    key_id: str,
    wrapped_key: bytes,
    recipient_ski: bytes,
    data: list[tuple[str, str, str]],
    recipient: x509.Certificate | None = None,
) -> str:
    """xenc:EncryptedKey (RSA-OAEP SHA-256/MGF1-SHA256) and one xenc:EncryptedData per
    ``(data_id, content_id, mime_type)`` attachment (AES-128-GCM, SwA). The recipient's key is named
    by its SubjectKeyIdentifier, or, given ``recipient``, by a reference to a BinarySecurityToken
    carrying its certificate (written first: some receivers, the PyPI ``as4`` package among them,
    read no other form)."""
    references = "".join(f'<xenc:DataReference URI="#{d}"></xenc:DataReference>' for d, _, _ in data)
    token = ""
    if recipient is None:
        key_reference = (
            f'<wsse:KeyIdentifier EncodingType="{c.BASE64_BINARY}" ValueType="{c.X509_SKI}">'
            f"{base64.b64encode(recipient_ski).decode()}</wsse:KeyIdentifier>"
        )
    else:
        token_id = new_id("X509")
        token = (
            f'<wsse:BinarySecurityToken EncodingType="{c.BASE64_BINARY}" ValueType="{c.X509V3}" wsu:Id="{token_id}">'
            f"{_token_text((recipient,), c.X509V3)}</wsse:BinarySecurityToken>"
        )
        key_reference = f'<wsse:Reference URI="#{token_id}" ValueType="{c.X509V3}"></wsse:Reference>'
    out = [
        f'{token}<xenc:EncryptedKey xmlns:xenc="{c.XENC}" Id="{key_id}">'
        f'<xenc:EncryptionMethod Algorithm="{c.RSA_OAEP}">'
        f'<ds:DigestMethod xmlns:ds="{c.DS}" Algorithm="{c.SHA256}"></ds:DigestMethod>'
        f'<xenc11:MGF xmlns:xenc11="{c.XENC11}" Algorithm="{c.MGF1_SHA256}"></xenc11:MGF></xenc:EncryptionMethod>'
        f'<ds:KeyInfo xmlns:ds="{c.DS}"><wsse:SecurityTokenReference>{key_reference}'
        "</wsse:SecurityTokenReference></ds:KeyInfo>"
        f"<xenc:CipherData><xenc:CipherValue>{base64.b64encode(wrapped_key).decode()}</xenc:CipherValue></xenc:CipherData>"
        f"<xenc:ReferenceList>{references}</xenc:ReferenceList></xenc:EncryptedKey>"
    ]
    for data_id, content_id, mime_type in data:
        out.append(
            f'<xenc:EncryptedData xmlns:xenc="{c.XENC}" Id="{data_id}" MimeType="{attribute(mime_type)}" Type="{c.SWA_CONTENT_ONLY}">'
            f'<xenc:EncryptionMethod Algorithm="{c.AES128_GCM}"></xenc:EncryptionMethod>'
            f'<ds:KeyInfo xmlns:ds="{c.DS}"><wsse:SecurityTokenReference xmlns:wsse11="{c.WSSE11}" wsse11:TokenType="{c.ENCRYPTED_KEY_TOKEN}">'
            f'<wsse:Reference URI="#{key_id}"></wsse:Reference></wsse:SecurityTokenReference></ds:KeyInfo>'
            f'<xenc:CipherData><xenc:CipherReference URI="cid:{attribute(content_id)}"><xenc:Transforms>'
            f'<ds:Transform xmlns:ds="{c.DS}" Algorithm="{c.SWA_CIPHERTEXT}"></ds:Transform>'
            "</xenc:Transforms></xenc:CipherReference></xenc:CipherData></xenc:EncryptedData>"
        )
    return "".join(out)


def fault(prefix_value: str, reason: str) -> str:
    """A SOAP 1.2 Fault for the Body (``prefix_value`` like ``S12:Sender``)."""
    return (
        f"<S12:Fault><S12:Code><S12:Value>{text(prefix_value)}</S12:Value></S12:Code>"
        f'<S12:Reason><S12:Text xml:lang="en">{text(reason)}</S12:Text></S12:Reason></S12:Fault>'
    )
