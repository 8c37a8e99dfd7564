"""Keys and certificates: PKCS#12, PEM/DER, Java keystores, and a truststore that resolves WS-Security
key references (BST, PKIPath, SubjectKeyIdentifier, IssuerSerial) and validates certificate paths."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from .errors import FAILED_AUTHENTICATION, EbmsError

MAX_PATH_LENGTH = 8


@dataclass(frozen=True)
class KeyPair:
    """A private key with its certificate (and the chain above it, if the keystore had one)."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def load_pkcs12(data: bytes, password: str | bytes | None) -> KeyPair:
    if isinstance(password, str):
        password = password.encode()
    key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    if key is None or cert is None:
        raise ValueError("the PKCS#12 file holds no private key with a certificate")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("only RSA keys are supported by the eDelivery AS4 profile")
    return KeyPair(key, cert, tuple(extra or ()))


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or many), DER, or a DER PkiPath (``SEQUENCE OF Certificate``)."""
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    try:
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        return load_pkipath(data)


def load_certificate(data: bytes) -> x509.Certificate:
    certificates = load_certificates(data)
    if len(certificates) != 1:
        raise ValueError(f"expected one certificate, found {len(certificates)}")
    return certificates[0]


def _read_tlv(data: bytes, pos: int) -> tuple[int, int, int, int]:
    """(tag, start of value, end of value, end of the whole TLV) of the DER item at ``pos``."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise ValueError("truncated DER")
    return tag, pos, end, end


def load_pkipath(data: bytes) -> list[x509.Certificate]:
    """X509PKIPathv1: ``SEQUENCE OF Certificate``, ordered from the trust anchor to the target."""
    tag, start, end, _ = _read_tlv(data, 0)
    if tag != 0x30:
        raise ValueError("a PkiPath is a DER SEQUENCE")
    certificates, pos = [], start
    while pos < end:
        _, _, _, item_end = _read_tlv(data, pos)
        certificates.append(x509.load_der_x509_certificate(data[pos:item_end]))
        pos = item_end
    if not certificates:
        raise ValueError("empty PkiPath")
    return certificates


def dump_pkipath(certificates: Iterable[x509.Certificate]) -> bytes:
    body = b"".join(c.public_bytes(serialization.Encoding.DER) for c in certificates)
    length = len(body)
    if length < 0x80:
        header = bytes([0x30, length])
    else:
        octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
        header = bytes([0x30, 0x80 | len(octets)]) + octets
    return header + body


@dataclass
class JavaKeystore:
    keys: dict[str, KeyPair] = field(default_factory=dict)
    certificates: dict[str, x509.Certificate] = field(default_factory=dict)


_JKS_KEY_PROTECTOR_OID = bytes.fromhex("2b060104012a02110101")  # 1.3.6.1.4.1.42.2.17.1.1


def load_jks(data: bytes, password: str) -> JavaKeystore:
    """Read a Java ``JKS`` keystore (what Domibus ships): private keys and trusted certificates."""
    pw = password.encode("utf-16-be")
    if len(data) < 32 or struct.unpack(">I", data[:4])[0] != 0xFEEDFEED:
        raise ValueError("not a JKS keystore")
    expected = hashlib.sha1(pw + b"Mighty Aphrodite" + data[:-20]).digest()  # noqa: S324 - JKS format
    if expected != data[-20:]:
        raise ValueError("JKS integrity check failed (wrong password or damaged file)")
    version, count = struct.unpack(">II", data[4:12])
    pos = 12
    store = JavaKeystore()

    def read_utf() -> str:
        nonlocal pos
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        value = data[pos + 2 : pos + 2 + length].decode("utf-8")
        pos += 2 + length
        return value

    def read_bytes() -> bytes:
        nonlocal pos
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        value = data[pos + 4 : pos + 4 + length]
        pos += 4 + length
        return value

    def read_cert() -> x509.Certificate:
        if version == 2:
            read_utf()  # certificate type, always X.509
        return x509.load_der_x509_certificate(read_bytes())

    for _ in range(count):
        (tag,) = struct.unpack(">I", data[pos : pos + 4])
        pos += 4
        alias = read_utf()
        pos += 8  # creation date
        if tag == 1:
            protected = read_bytes()
            (chain_length,) = struct.unpack(">I", data[pos : pos + 4])
            pos += 4
            chain = [read_cert() for _ in range(chain_length)]
            key = serialization.load_der_private_key(_jks_unprotect(protected, pw), None)
            if isinstance(key, rsa.RSAPrivateKey) and chain:
                store.keys[alias] = KeyPair(key, chain[0], tuple(chain[1:]))
        elif tag == 2:
            store.certificates[alias] = read_cert()
        else:
            raise ValueError(f"unsupported JKS entry type {tag}")
    return store


def _jks_unprotect(protected: bytes, pw: bytes) -> bytes:
    _, start, _, _ = _read_tlv(protected, 0)  # EncryptedPrivateKeyInfo
    _, alg_start, _alg_end, alg_next = _read_tlv(protected, start)
    _, oid_start, oid_end, _ = _read_tlv(protected, alg_start)
    if protected[oid_start:oid_end] != _JKS_KEY_PROTECTOR_OID:
        raise ValueError("unsupported JKS key protection algorithm")
    _, value_start, value_end, _ = _read_tlv(protected, alg_next)
    blob = protected[value_start:value_end]
    salt, encrypted, check = blob[:20], blob[20:-20], blob[-20:]
    stream, digest = bytearray(), salt
    while len(stream) < len(encrypted):
        digest = hashlib.sha1(pw + digest).digest()  # noqa: S324 - JKS format
        stream += digest
    plain = bytes(a ^ b for a, b in zip(encrypted, stream, strict=False))
    if hashlib.sha1(pw + plain).digest() != check:  # noqa: S324 - JKS format
        raise ValueError("wrong JKS key password")
    return plain


# Certificates are immutable values (hashed and compared by their DER): what is derived from one
# is computed once per certificate, not once per message.


@functools.lru_cache(maxsize=512)
def public_key_of(certificate: x509.Certificate):
    """The certificate's public key, parsed once."""
    return certificate.public_key()


@functools.lru_cache(maxsize=512)
def fingerprint_of(certificate: x509.Certificate) -> bytes:
    return certificate.fingerprint(_SHA256)


@functools.lru_cache(maxsize=512)
def subject_key_identifier(certificate: x509.Certificate) -> bytes:
    try:
        return certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(public_key_of(certificate)).digest


@functools.lru_cache(maxsize=512)
def directly_issued_by(certificate: x509.Certificate, candidate: x509.Certificate) -> bool:
    """Whether ``candidate``'s key signed ``certificate`` (names, algorithm and signature): a pure
    function of the two certificates, so its result is kept; validity dates are checked per use."""
    try:
        certificate.verify_directly_issued_by(candidate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


_ATTRIBUTE_ALIASES = {
    "E": "EMAILADDRESS",
    "EMAIL": "EMAILADDRESS",
    "1.2.840.113549.1.9.1": "EMAILADDRESS",
    "S": "ST",
    "2.5.4.5": "SERIALNUMBER",
    "2.5.4.97": "ORGANIZATIONIDENTIFIER",
}


def normalize_dn(name: str | x509.Name) -> frozenset[str]:
    """A distinguished name as a set of ``TYPE=value`` (comparing Java, .NET and OpenSSL spellings)."""
    if isinstance(name, x509.Name):
        name = name.rfc4514_string({x509.NameOID.EMAIL_ADDRESS: "EMAILADDRESS"})
    items, current, escaped = [], [], False
    for char in name:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char in ",;+":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    normalized = set()
    for item in items:
        if "=" not in item:
            continue
        key, _, value = item.partition("=")
        key = key.strip().upper()
        key = _ATTRIBUTE_ALIASES.get(key, key)
        normalized.add(f"{key}={value.strip().lower()}")
    return frozenset(normalized)


def describe(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string()


class Truststore:
    """Trust anchors and known certificates; resolves key references and validates paths."""

    def __init__(
        self, certificates: Iterable[x509.Certificate] = (), *, known: Iterable[x509.Certificate] = ()
    ) -> None:
        """``certificates`` are trusted as they are (anchors: CAs or partner certificates);
        ``known`` ones (intermediate CAs, partner certificates) only help to resolve key
        references and to build a path up to an anchor."""
        self.anchors: list[x509.Certificate] = []
        self.known: list[x509.Certificate] = list(known)
        self._fingerprints: set[bytes] = set()
        for certificate in certificates:
            self.add(certificate)

    def add(self, certificate: x509.Certificate) -> None:
        fingerprint = fingerprint_of(certificate)
        if fingerprint not in self._fingerprints:
            self._fingerprints.add(fingerprint)
            self.anchors.append(certificate)

    def __contains__(self, certificate: x509.Certificate) -> bool:
        return fingerprint_of(certificate) in self._fingerprints

    def find_by_ski(self, ski: bytes, extra: Iterable[x509.Certificate] = ()) -> x509.Certificate | None:
        for certificate in [*extra, *self.known, *self.anchors]:
            if subject_key_identifier(certificate) == ski:
                return certificate
        return None

    def find_by_issuer_serial(
        self, issuer: str, serial: int, extra: Iterable[x509.Certificate] = ()
    ) -> x509.Certificate | None:
        wanted = normalize_dn(issuer)
        for certificate in [*extra, *self.known, *self.anchors]:
            if certificate.serial_number == serial and normalize_dn(certificate.issuer) == wanted:
                return certificate
        return None

    def validate(
        self,
        certificate: x509.Certificate,
        *,
        intermediates: Iterable[x509.Certificate] = (),
        at: dt.datetime | None = None,
    ) -> list[x509.Certificate]:
        """The path from ``certificate`` to a trusted certificate, valid at ``at``; else EBMS:0101."""
        at = at or dt.datetime.now(dt.UTC)
        path = [certificate]
        pool = [c for c in [*intermediates, *self.known] if c != certificate]
        current = certificate
        while current not in self:
            if len(path) > MAX_PATH_LENGTH:
                raise EbmsError(FAILED_AUTHENTICATION, "certificate path too long")
            issuer = self._find_issuer(current, pool)
            if issuer is None:
                raise EbmsError(
                    FAILED_AUTHENTICATION, f"certificate {describe(certificate)!r} is not trusted"
                )
            if issuer not in self and not _is_ca(issuer):
                raise EbmsError(FAILED_AUTHENTICATION, f"{describe(issuer)!r} is not a CA certificate")
            path.append(issuer)
            pool = [c for c in pool if c != issuer]
            current = issuer
        for item in path:
            check_validity(item, at)
        return path

    def _find_issuer(
        self, certificate: x509.Certificate, pool: list[x509.Certificate]
    ) -> x509.Certificate | None:
        for candidate in [*self.anchors, *pool]:
            if candidate.subject != certificate.issuer or candidate == certificate:
                continue
            if directly_issued_by(certificate, candidate):
                return candidate
        return None


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def check_validity(certificate: x509.Certificate, at: dt.datetime) -> None:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    if at < certificate.not_valid_before_utc:
        raise EbmsError(
            FAILED_AUTHENTICATION,
            f"certificate {describe(certificate)!r} is not yet valid at {at.isoformat()}",
        )
    if at > certificate.not_valid_after_utc:
        raise EbmsError(
            FAILED_AUTHENTICATION,
            f"certificate {describe(certificate)!r} expired on "
            f"{certificate.not_valid_after_utc.isoformat()} (checked at {at.isoformat()})",
        )


_SHA256 = hashes.SHA256()
