"""XML Encryption of SwA attachments for AS4: AES-GCM content, RSA-OAEP key transport."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree

from . import constants as c
from . import templates
from .dsig import child, child_text, children, grandchildren, new_id, qn, resolve_key_info
from .errors import FAILED_DECRYPTION, EbmsError, UnsupportedAlgorithm
from .keys import KeyPair, Truststore, public_key_of, subject_key_identifier

GCM_KEY_BYTES = {c.AES128_GCM: 16, c.AES256_GCM: 32}
HASHES = {
    c.DIGEST_SHA1: hashes.SHA1,
    c.SHA256: hashes.SHA256,
    c.SHA384: hashes.SHA384,
    c.SHA512: hashes.SHA512,
}
MGFS = {
    c.MGF1_SHA1: hashes.SHA1,
    c.MGF1_SHA256: hashes.SHA256,
    c.MGF1_SHA384: hashes.SHA384,
    c.MGF1_SHA512: hashes.SHA512,
}


@dataclass
class EncryptedAttachment:
    content_id: str
    mime_type: str
    ciphertext: bytes


_OAEP_SHA256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def encrypt_attachments(
    recipient: x509.Certificate,
    attachments: list[tuple[str, str, bytes]],
    *,
    key_reference: str = "SKI",
) -> tuple[str, list[EncryptedAttachment]]:
    """Encrypt each ``(content_id, mime_type, content)`` under one fresh AES-128 key, wrapped with
    RSA-OAEP (SHA-256, MGF1-SHA256) for ``recipient``. Returns the xenc:EncryptedKey and
    xenc:EncryptedData elements (as text, to go first into wsse:Security) and the ciphertexts.
    ``key_reference`` names the recipient's key: "SKI" (SubjectKeyIdentifier) or "BST" (its
    certificate in a BinarySecurityToken, referenced)."""
    if key_reference not in ("SKI", "BST"):
        raise ValueError(f"unsupported key reference {key_reference!r}")
    key = AESGCM.generate_key(bit_length=128)
    aes = AESGCM(key)
    wrapped = public_key_of(recipient).encrypt(key, _OAEP_SHA256)
    results, data = [], []
    for content_id, mime_type, content in attachments:
        nonce = os.urandom(12)
        results.append(EncryptedAttachment(content_id, mime_type, nonce + aes.encrypt(nonce, content, None)))
        data.append((new_id("ED"), content_id, mime_type))
    header = templates.encryption_header(
        key_id=new_id("EK"),
        wrapped_key=wrapped,
        recipient_ski=subject_key_identifier(recipient),
        data=data,
        recipient=recipient if key_reference == "BST" else None,
    )
    return header, results


@dataclass
class DecryptedAttachment:
    content_id: str
    content: bytes
    mime_type: str | None
    headers: dict[str, str]


@dataclass
class EncryptionInfo:
    """What the security header says is encrypted, and for which certificate."""

    encrypted_key: etree._Element
    key_reference: str | None
    recipient: x509.Certificate | None
    content_ids: list[str]
    for_us: bool | None = None  # None: no decryption key to compare with


def find_encryption(
    security: etree._Element,
    ids: dict[str, etree._Element],
    extra: list[x509.Certificate],
    truststore: Truststore | None,
    decryption_key: KeyPair | None,
) -> list[EncryptionInfo]:
    infos = []
    for encrypted_key in children(security, qn(c.XENC, "EncryptedKey")):
        store = Truststore([decryption_key.certificate]) if decryption_key else truststore
        recipient, kind, for_us = None, None, None
        try:
            recipient, _, kind = resolve_key_info(
                child(encrypted_key, qn(c.DS, "KeyInfo")), ids, store, extra
            )
            if decryption_key is not None:
                for_us = recipient == decryption_key.certificate
        except EbmsError:
            for_us = False if decryption_key is not None else None
        content_ids = []
        for data in _data_elements(encrypted_key, ids):
            uri = _cipher_uri(data)
            if uri is not None:
                content_ids.append(uri[4:])
        infos.append(EncryptionInfo(encrypted_key, kind, recipient, content_ids, for_us))
    return infos


def _data_elements(encrypted_key: etree._Element, ids: dict[str, etree._Element]) -> list[etree._Element]:
    elements = []
    for reference in grandchildren(encrypted_key, qn(c.XENC, "ReferenceList"), qn(c.XENC, "DataReference")):
        uri = reference.get("URI") or ""
        target = ids.get(uri[1:]) if uri.startswith("#") else None
        if target is None or target.tag != qn(c.XENC, "EncryptedData"):
            raise EbmsError(FAILED_DECRYPTION, f"encrypted data {uri!r} not found in the message")
        elements.append(target)
    return elements


def _cipher_uri(data: etree._Element) -> str | None:
    found = grandchildren(data, qn(c.XENC, "CipherData"), qn(c.XENC, "CipherReference"))
    reference = found[0] if found else None
    if reference is None:
        return None
    uri = reference.get("URI") or ""
    if not uri.startswith("cid:"):
        raise EbmsError(FAILED_DECRYPTION, f"unsupported CipherReference {uri!r}")
    return uri


def unwrap_key(encrypted_key: etree._Element, key: KeyPair) -> bytes:
    method = child(encrypted_key, qn(c.XENC, "EncryptionMethod"))
    algorithm = method.get("Algorithm") if method is not None else None
    digest = child(method, qn(c.DS, "DigestMethod")) if method is not None else None
    digest_uri = digest.get("Algorithm") if digest is not None else c.DIGEST_SHA1
    if digest_uri not in HASHES:
        raise UnsupportedAlgorithm("key transport digest", digest_uri)
    if algorithm == c.RSA_OAEP_MGF1P:
        mgf = hashes.SHA1
    elif algorithm == c.RSA_OAEP:
        mgf_element = child(method, qn(c.XENC11, "MGF"))
        mgf_uri = mgf_element.get("Algorithm") if mgf_element is not None else c.MGF1_SHA1
        if mgf_uri not in MGFS:
            raise UnsupportedAlgorithm("MGF", mgf_uri)
        mgf = MGFS[mgf_uri]
    else:
        raise UnsupportedAlgorithm("key transport", algorithm)
    params = child_text(method, qn(c.XENC, "OAEPparams"))
    label = _b64(params) if params else None
    values = grandchildren(encrypted_key, qn(c.XENC, "CipherData"), qn(c.XENC, "CipherValue"))
    cipher_value = _b64((values[0].text or "") if values else None)
    try:
        return key.private_key.decrypt(
            cipher_value, padding.OAEP(mgf=padding.MGF1(mgf()), algorithm=HASHES[digest_uri](), label=label)
        )
    except ValueError:
        raise EbmsError(
            FAILED_DECRYPTION, "the symmetric key cannot be unwrapped with our private key"
        ) from None


def _b64(text: str | None) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise EbmsError(FAILED_DECRYPTION, "invalid base64 in the encryption header") from None


def decrypt_attachments(
    info: EncryptionInfo,
    ids: dict[str, etree._Element],
    key: KeyPair,
    attachments: dict[str, tuple[bytes, dict[str, str]]],
) -> list[DecryptedAttachment]:
    if info.for_us is False:
        raise EbmsError(FAILED_DECRYPTION, "the message is encrypted for another certificate")
    symmetric = unwrap_key(info.encrypted_key, key)
    results = []
    for data in _data_elements(info.encrypted_key, ids):
        algorithm = child(data, qn(c.XENC, "EncryptionMethod"))
        algorithm_uri = algorithm.get("Algorithm") if algorithm is not None else None
        if algorithm_uri not in GCM_KEY_BYTES:
            raise UnsupportedAlgorithm("content encryption", algorithm_uri)
        if len(symmetric) != GCM_KEY_BYTES[algorithm_uri]:
            raise EbmsError(FAILED_DECRYPTION, "the unwrapped key has the wrong length")
        uri = _cipher_uri(data)
        if uri is None:
            raise EbmsError(FAILED_DECRYPTION, "encrypted XML content is not supported, only attachments")
        content_id = uri[4:]
        if content_id not in attachments:
            raise EbmsError(FAILED_DECRYPTION, f"encrypted attachment {uri} is not in the message")
        ciphertext, headers = attachments[content_id]
        if len(ciphertext) < 28:
            raise EbmsError(FAILED_DECRYPTION, f"ciphertext of {uri} is too short")
        try:
            plain = AESGCM(symmetric).decrypt(ciphertext[:12], ciphertext[12:], None)
        except InvalidTag:
            raise EbmsError(
                FAILED_DECRYPTION, f"{uri}: authentication tag mismatch (altered ciphertext)"
            ) from None
        data_type = data.get("Type")
        if data_type == c.SWA_CONTENT_ONLY or data_type is None:
            new_headers = dict(headers)
            if data.get("MimeType"):
                new_headers["content-type"] = data.get("MimeType")
            results.append(DecryptedAttachment(content_id, plain, data.get("MimeType"), new_headers))
        elif data_type == c.SWA_CONTENT_ONLY.replace("Content-Only", "Complete"):
            from .mime import _parse_headers, _split_head

            head, body = _split_head(plain)
            new_headers = {**headers, **_parse_headers(head)}
            results.append(
                DecryptedAttachment(content_id, body, new_headers.get("content-type"), new_headers)
            )
        else:
            raise UnsupportedAlgorithm("encrypted data type", data_type)
    return results
