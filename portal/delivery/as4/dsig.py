"""WS-Security XML signatures for AS4: exclusive c14n, RSA-SHA2, references over XML elements by
``wsu:Id`` and over attachments by ``cid:`` (SwA Attachment-Content-Signature-Transform)."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm as UnsupportedCryptography
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from . import constants as c
from .errors import FAILED_AUTHENTICATION, POLICY_NONCOMPLIANCE, EbmsError, UnsupportedAlgorithm
from .keys import KeyPair, Truststore, dump_pkipath, load_pkipath, public_key_of

SIGNATURE_HASHES = {
    c.RSA_SHA256: hashes.SHA256,
    c.RSA_SHA384: hashes.SHA384,
    c.RSA_SHA512: hashes.SHA512,
}
DIGESTS = {c.SHA256: "sha256", c.SHA384: "sha384", c.SHA512: "sha512"}
C14N_METHODS = {c.EXC_C14N: False, c.EXC_C14N_WITH_COMMENTS: True}
ID_ATTRIBUTES = (f"{{{c.WSU}}}Id", "Id", "ID", "{http://www.w3.org/XML/1998/namespace}id")
DEFAULT_PREFIXES = ("S12",)


@functools.cache
def qn(ns: str, local: str) -> str:
    # cached: a message's parse asks for the same few dozen names ~90 times
    return f"{{{ns}}}{local}"


# Direct-child lookups by tag through lxml's C iterator: about half the cost of find()/findall(),
# which go through ElementPath; a parse asks for some sixty children.
def child(parent: etree._Element, tag: str) -> etree._Element | None:
    """The first child element ``tag`` (as ``parent.find(tag)``)."""
    return next(parent.iterchildren(tag), None)


def children(parent: etree._Element, tag: str) -> list[etree._Element]:
    """Every child element ``tag`` (as ``parent.findall(tag)``)."""
    return list(parent.iterchildren(tag))


def child_text(parent: etree._Element, tag: str) -> str | None:
    """The text of the first child ``tag`` (as ``parent.findtext(tag)``: None if absent, else a string)."""
    node = next(parent.iterchildren(tag), None)
    return None if node is None else (node.text or "")


def grandchildren(parent: etree._Element, tag: str, subtag: str) -> list[etree._Element]:
    """Every ``tag/subtag`` below ``parent`` (as ``parent.findall("tag/subtag")``)."""
    return [node for middle in parent.iterchildren(tag) for node in middle.iterchildren(subtag)]


def new_id(prefix: str) -> str:
    # 128 random bits, as a uuid4 has (122), without building a UUID object per identifier
    return f"{prefix}-{os.urandom(16).hex()}"


def exc_c14n(element: etree._Element, prefixes: list[str] | None = None, comments: bool = False) -> bytes:
    try:
        return etree.tostring(
            element,
            method="c14n",
            exclusive=True,
            with_comments=comments,
            inclusive_ns_prefixes=prefixes or None,
        )
    except etree.C14NError as exc:
        raise EbmsError(
            FAILED_AUTHENTICATION, f"cannot canonicalize {etree.QName(element).localname}: {exc}"
        ) from None


# the identifier attributes themselves, in document order: one XPath run in C, no walk in Python
_ID_ATTRIBUTES = etree.XPath("//@wsu:Id | //@Id | //@ID | //@xml:id", namespaces={"wsu": c.WSU})


def index_ids(root: etree._Element) -> dict[str, etree._Element]:
    """Every element identifier in the document; a repeated identifier is a wrapping attempt."""
    ids: dict[str, etree._Element] = {}
    for value in _ID_ATTRIBUTES(root):
        element = value.getparent()
        value = str(value)
        if value in ids and ids[value] is not element:
            raise EbmsError(FAILED_AUTHENTICATION, f"the identifier {value!r} occurs more than once")
        ids[value] = element
    return ids


@dataclass
class ReferenceCheck:
    uri: str
    digest_method: str
    digest_value: bytes
    transforms: list[str]
    element: etree._Element  # the ds:Reference as received
    valid: bool | None = None  # None: not checked (yet), e.g. an attachment still encrypted
    target: etree._Element | None = None

    @property
    def is_attachment(self) -> bool:
        return self.uri.startswith("cid:")

    @property
    def content_id(self) -> str:
        return self.uri[4:]


@dataclass
class SignatureCheck:
    signature: etree._Element
    certificate: x509.Certificate
    key_reference: str  # BST | PKIPath | SKI | IssuerSerial
    references: list[ReferenceCheck]
    signature_value_valid: bool = False
    chain: list[x509.Certificate] = field(default_factory=list)
    presented: list[x509.Certificate] = field(default_factory=list)

    @property
    def signer(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def valid(self) -> bool:
        return self.signature_value_valid and all(r.valid for r in self.references)


def _prefix_list(parent: etree._Element) -> list[str]:
    node = child(parent, qn(c.EXC_C14N, "InclusiveNamespaces"))
    if node is None:
        return []
    return [p for p in (node.get("PrefixList") or "").split() if p != "#default"]


_DIGEST_FUNCTIONS = {c.SHA256: hashlib.sha256, c.SHA384: hashlib.sha384, c.SHA512: hashlib.sha512}


def _digest(method: str, data: bytes) -> bytes:
    function = _DIGEST_FUNCTIONS.get(method)
    if function is None:
        raise UnsupportedAlgorithm("digest", method)
    return function(data).digest()


# ------------------------------------------------------------------------------------------------ sign


@dataclass
class SignTarget:
    """An element (signed by its ``wsu:Id``) or an attachment (by ``cid:``)."""

    element: etree._Element | None = None
    content_id: str | None = None
    content: bytes | None = None


def ensure_wsu_id(element: etree._Element, prefix: str) -> str:
    for attribute in ID_ATTRIBUTES:
        if element.get(attribute):
            return element.get(attribute)
    value = new_id(prefix)
    element.set(qn(c.WSU, "Id"), value)
    return value


def sign(
    security: etree._Element,
    targets: list[SignTarget],
    key: KeyPair,
    *,
    prefixes: tuple[str, ...] = DEFAULT_PREFIXES,
    token: str = c.X509V3,
) -> etree._Element:
    """Append a BinarySecurityToken (our certificate, or with ``token=X509_PKIPATH`` our certificate
    path) and a ds:Signature over ``targets`` to wsse:Security."""
    bst_id = new_id("X509")
    bst = etree.SubElement(
        security,
        qn(c.WSSE, "BinarySecurityToken"),
        {"EncodingType": c.BASE64_BINARY, "ValueType": token, qn(c.WSU, "Id"): bst_id},
    )
    if token == c.X509_PKIPATH:
        der = dump_pkipath([*reversed(key.chain), key.certificate])
    elif token == c.X509V3:
        der = key.certificate.public_bytes(serialization.Encoding.DER)
    else:
        raise ValueError(f"unsupported token type {token!r}")
    bst.text = base64.b64encode(der).decode()
    signature = etree.SubElement(security, qn(c.DS, "Signature"), {"Id": new_id("SIG")}, nsmap={"ds": c.DS})
    signed_info = etree.SubElement(signature, qn(c.DS, "SignedInfo"))
    c14n_method = etree.SubElement(signed_info, qn(c.DS, "CanonicalizationMethod"), Algorithm=c.EXC_C14N)
    etree.SubElement(
        c14n_method,
        qn(c.EXC_C14N, "InclusiveNamespaces"),
        PrefixList=" ".join(prefixes),
        nsmap={"ec": c.EXC_C14N},
    )
    etree.SubElement(signed_info, qn(c.DS, "SignatureMethod"), Algorithm=c.RSA_SHA256)
    for target in targets:
        reference = etree.SubElement(signed_info, qn(c.DS, "Reference"))
        transforms = etree.SubElement(reference, qn(c.DS, "Transforms"))
        if target.element is not None:
            reference.set("URI", "#" + ensure_wsu_id(target.element, "id"))
            transform = etree.SubElement(transforms, qn(c.DS, "Transform"), Algorithm=c.EXC_C14N)
            etree.SubElement(
                transform,
                qn(c.EXC_C14N, "InclusiveNamespaces"),
                PrefixList=" ".join(prefixes),
                nsmap={"ec": c.EXC_C14N},
            )
            digest = hashlib.sha256(exc_c14n(target.element, list(prefixes))).digest()
        else:
            reference.set("URI", "cid:" + target.content_id)
            etree.SubElement(transforms, qn(c.DS, "Transform"), Algorithm=c.SWA_CONTENT_SIGNATURE)
            digest = hashlib.sha256(target.content).digest()
        etree.SubElement(reference, qn(c.DS, "DigestMethod"), Algorithm=c.SHA256)
        etree.SubElement(reference, qn(c.DS, "DigestValue")).text = base64.b64encode(digest).decode()
    value = key.private_key.sign(exc_c14n(signed_info, list(prefixes)), padding.PKCS1v15(), hashes.SHA256())
    etree.SubElement(signature, qn(c.DS, "SignatureValue")).text = base64.b64encode(value).decode()
    key_info = etree.SubElement(signature, qn(c.DS, "KeyInfo"), Id=new_id("KI"))
    str_ = etree.SubElement(key_info, qn(c.WSSE, "SecurityTokenReference"), {qn(c.WSU, "Id"): new_id("STR")})
    etree.SubElement(str_, qn(c.WSSE, "Reference"), URI="#" + bst_id, ValueType=token)
    return signature


# ---------------------------------------------------------------------------------------------- verify


def _b64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise EbmsError(FAILED_AUTHENTICATION, f"{what} is not valid base64") from None


def _certificate_from_token(token: etree._Element) -> tuple[x509.Certificate, list[x509.Certificate], str]:
    value_type = token.get("ValueType")
    data = _b64(token.text, "BinarySecurityToken")
    try:
        if value_type == c.X509V3:
            certificate = _load_der(data)
            return certificate, [certificate], "BST"
        if value_type == c.X509_PKIPATH:
            path = [readable(item) for item in load_pkipath(data)]
            return path[-1], path, "PKIPath"
    except (ValueError, UnsupportedCryptography) as exc:
        raise EbmsError(FAILED_AUTHENTICATION, f"unreadable security token: {exc}") from None
    raise EbmsError(FAILED_AUTHENTICATION, f"unsupported BinarySecurityToken ValueType {value_type!r}")


def readable(certificate: x509.Certificate) -> x509.Certificate:
    """``certificate``, once every field a verifier reads has parsed (cryptography parses lazily)."""
    _ = (certificate.subject, certificate.issuer, certificate.not_valid_after_utc, certificate.extensions)
    public_key_of(certificate)
    return certificate


@functools.lru_cache(maxsize=256)
def _load_der(data: bytes) -> x509.Certificate:
    # the same token bytes in every message of a partner: parse (and fully read) them once
    return readable(x509.load_der_x509_certificate(data))


def message_certificates(root: etree._Element) -> list[x509.Certificate]:
    """Every certificate the message carries in a BinarySecurityToken."""
    found: list[x509.Certificate] = []
    for token in root.iter(qn(c.WSSE, "BinarySecurityToken")):
        try:
            found.extend(_certificate_from_token(token)[1])
        except EbmsError:
            continue
    return found


def resolve_key_info(
    key_info: etree._Element | None,
    ids: dict[str, etree._Element],
    truststore: Truststore | None,
    extra: list[x509.Certificate],
) -> tuple[x509.Certificate, list[x509.Certificate], str]:
    """The certificate a ds:KeyInfo points at: (certificate, certificates presented, reference kind)."""
    if key_info is None:
        raise EbmsError(FAILED_AUTHENTICATION, "the signature has no KeyInfo")
    store = truststore or Truststore()
    token_ref = child(key_info, qn(c.WSSE, "SecurityTokenReference"))
    holder = token_ref if token_ref is not None else key_info
    reference = child(holder, qn(c.WSSE, "Reference"))
    if reference is not None:
        uri = reference.get("URI") or ""
        token = ids.get(uri[1:]) if uri.startswith("#") else None
        if token is None or token.tag != qn(c.WSSE, "BinarySecurityToken"):
            raise EbmsError(FAILED_AUTHENTICATION, f"security token {uri!r} not found in the message")
        return _certificate_from_token(token)
    identifier = child(holder, qn(c.WSSE, "KeyIdentifier"))
    if identifier is not None:
        if identifier.get("ValueType") != c.X509_SKI:
            raise EbmsError(
                FAILED_AUTHENTICATION, f"unsupported KeyIdentifier ValueType {identifier.get('ValueType')!r}"
            )
        ski = _b64(identifier.text, "KeyIdentifier")
        certificate = store.find_by_ski(ski, extra)
        if certificate is None:
            raise EbmsError(
                FAILED_AUTHENTICATION, f"no known certificate has the SubjectKeyIdentifier {ski.hex()}"
            )
        return certificate, [certificate], "SKI"
    x509_data = child(holder, qn(c.DS, "X509Data"))
    if x509_data is not None:
        issuer_serial = child(x509_data, qn(c.DS, "X509IssuerSerial"))
        if issuer_serial is not None:
            issuer = child_text(issuer_serial, qn(c.DS, "X509IssuerName")) or ""
            try:
                serial = int((child_text(issuer_serial, qn(c.DS, "X509SerialNumber")) or "").strip())
            except ValueError:
                raise EbmsError(FAILED_AUTHENTICATION, "X509SerialNumber is not a number") from None
            certificate = store.find_by_issuer_serial(issuer, serial, extra)
            if certificate is None:
                raise EbmsError(
                    FAILED_AUTHENTICATION, f"no known certificate issued by {issuer!r} with serial {serial}"
                )
            return certificate, [certificate], "IssuerSerial"
        embedded = child(x509_data, qn(c.DS, "X509Certificate"))
        if embedded is not None:
            try:
                certificate = readable(x509.load_der_x509_certificate(_b64(embedded.text, "X509Certificate")))
            except (ValueError, UnsupportedCryptography) as exc:
                raise EbmsError(FAILED_AUTHENTICATION, f"unreadable X509Certificate: {exc}") from None
            return certificate, [certificate], "BST"
    raise EbmsError(FAILED_AUTHENTICATION, "unsupported key reference in KeyInfo")


def read_references(signed_info: etree._Element) -> list[ReferenceCheck]:
    checks = []
    for reference in children(signed_info, qn(c.DS, "Reference")):
        transforms = [
            t.get("Algorithm") or ""
            for t in grandchildren(reference, qn(c.DS, "Transforms"), qn(c.DS, "Transform"))
        ]
        method = child(reference, qn(c.DS, "DigestMethod"))
        checks.append(
            ReferenceCheck(
                uri=reference.get("URI") or "",
                digest_method=method.get("Algorithm") if method is not None else "",
                digest_value=_b64(child_text(reference, qn(c.DS, "DigestValue")), "DigestValue"),
                transforms=transforms,
                element=reference,
            )
        )
    return checks


def verify_signature(
    root: etree._Element,
    signature: etree._Element,
    ids: dict[str, etree._Element],
    *,
    truststore: Truststore | None,
    certificates: list[x509.Certificate] | None = None,
) -> SignatureCheck:
    """Check the signature value and every XML reference; attachment references are left to
    :func:`check_attachment_reference` (they may still be encrypted). Trust is checked by the caller."""
    signed_info = child(signature, qn(c.DS, "SignedInfo"))
    if signed_info is None:
        raise EbmsError(FAILED_AUTHENTICATION, "ds:Signature without SignedInfo")
    c14n = child(signed_info, qn(c.DS, "CanonicalizationMethod"))
    c14n_uri = c14n.get("Algorithm") if c14n is not None else None
    if c14n_uri not in C14N_METHODS:
        raise UnsupportedAlgorithm("canonicalization", c14n_uri)
    method = child(signed_info, qn(c.DS, "SignatureMethod"))
    method_uri = method.get("Algorithm") if method is not None else None
    if method_uri not in SIGNATURE_HASHES:
        raise UnsupportedAlgorithm("signature", method_uri)
    references = read_references(signed_info)
    if not references:
        raise EbmsError(FAILED_AUTHENTICATION, "the signature has no references")
    for reference in references:
        if reference.digest_method not in DIGESTS:
            raise UnsupportedAlgorithm("digest", reference.digest_method)
    certificate, presented, kind = resolve_key_info(
        child(signature, qn(c.DS, "KeyInfo")),
        ids,
        truststore,
        message_certificates(root) if certificates is None else certificates,
    )
    check = SignatureCheck(signature, certificate, kind, references, presented=presented)
    public_key = public_key_of(certificate)
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise UnsupportedAlgorithm("signature key", type(public_key).__name__)
    value = _b64(child_text(signature, qn(c.DS, "SignatureValue")), "SignatureValue")
    try:
        public_key.verify(
            value,
            exc_c14n(signed_info, _prefix_list(c14n), C14N_METHODS[c14n_uri]),
            padding.PKCS1v15(),
            SIGNATURE_HASHES[method_uri](),
        )
        check.signature_value_valid = True
    except InvalidSignature:
        check.signature_value_valid = False
    for reference in references:
        if reference.is_attachment:
            continue
        if not reference.uri.startswith("#"):
            raise EbmsError(FAILED_AUTHENTICATION, f"unsupported reference URI {reference.uri!r}")
        target = ids.get(reference.uri[1:])
        if target is None:
            raise EbmsError(FAILED_AUTHENTICATION, f"reference {reference.uri!r} points at nothing")
        reference.target = target
        reference.valid = hmac.compare_digest(
            _digest(reference.digest_method, _xml_transform(reference, target)), reference.digest_value
        )
    return check


def _xml_transform(reference: ReferenceCheck, target: etree._Element) -> bytes:
    transforms = grandchildren(reference.element, qn(c.DS, "Transforms"), qn(c.DS, "Transform"))
    if len(transforms) != 1 or transforms[0].get("Algorithm") not in C14N_METHODS:
        raise UnsupportedAlgorithm("reference transform", ",".join(reference.transforms) or None)
    transform = transforms[0]
    return exc_c14n(target, _prefix_list(transform), C14N_METHODS[transform.get("Algorithm")])


def check_attachment_reference(reference: ReferenceCheck, content: bytes, headers: dict[str, str]) -> bool:
    if reference.transforms == [c.SWA_CONTENT_SIGNATURE]:
        data = content
    elif reference.transforms == [c.SWA_COMPLETE_SIGNATURE]:
        data = _complete_attachment_octets(content, headers)
    else:
        raise UnsupportedAlgorithm("attachment transform", ",".join(reference.transforms) or None)
    reference.valid = hmac.compare_digest(_digest(reference.digest_method, data), reference.digest_value)
    return reference.valid


_COMPLETE_HEADERS = (
    "content-description",
    "content-disposition",
    "content-id",
    "content-location",
    "content-type",
)


def _complete_attachment_octets(content: bytes, headers: dict[str, str]) -> bytes:
    """SwA 1.1 section 5.3.2: the canonical MIME headers followed by the content."""
    lines = []
    for name in _COMPLETE_HEADERS:
        if name in headers:
            canonical = "-".join(part.capitalize() for part in name.split("-"))
            if name == "content-id":
                canonical = "Content-ID"
            lines.append(f"{canonical}: {' '.join(headers[name].split())}\r\n")
    return "".join(lines).encode("utf-8") + b"\r\n" + content


def find_signature(security: etree._Element) -> etree._Element | None:
    signatures = children(security, qn(c.DS, "Signature"))
    if len(signatures) > 1:
        raise EbmsError(POLICY_NONCOMPLIANCE, "more than one signature in the security header")
    return signatures[0] if signatures else None
