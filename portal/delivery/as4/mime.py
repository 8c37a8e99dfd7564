"""SOAP 1.2 with attachments: ``multipart/related`` build and parse, and raw HTTP framing."""

from __future__ import annotations

import base64
import binascii
import functools
import itertools
import quopri
import re
import uuid
from dataclasses import dataclass, field

from .errors import MIME_INCONSISTENCY, EbmsError

MAX_MESSAGE_BYTES = 512 * 1024 * 1024
MAX_PARTS = 1000
SOAP_CONTENT_TYPE = "application/soap+xml"

_HEADER_LINE = re.compile(rb"^[A-Za-z0-9!#$%&'*+.^_`|~-]+:")
_HTTP_START = re.compile(rb"^(HTTP/\d(\.\d)? \d{3}|[A-Z]+ \S+ HTTP/\d(\.\d)?)")


@dataclass
class MimePart:
    headers: dict[str, str]
    content: bytes

    @property
    def content_id(self) -> str | None:
        value = self.headers.get("content-id")
        return normalize_content_id(value) if value else None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "application/octet-stream")


@dataclass
class TransportMessage:
    """What arrived: the SOAP envelope bytes, attachments by Content-ID, and the outer headers."""

    envelope: bytes
    attachments: dict[str, MimePart] = field(default_factory=dict)
    content_type: str = SOAP_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def normalize_content_id(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("cid:"):
        value = value[4:]
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    return value.strip()


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """``type/subtype; a=b; c="d"`` -> (``type/subtype``, {a: b, c: d}) with lower-case keys."""
    media_type, params = _parse_content_type(value)
    return media_type, dict(params)


@functools.lru_cache(maxsize=256)
def _parse_content_type(value: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    # the parts' Content-Types repeat from message to message (the outer one, with its boundary, does not)
    parts = _split_params(value)
    media_type = parts[0].strip().lower() if parts else ""
    params: dict[str, str] = {}
    for item in parts[1:]:
        if "=" not in item:
            continue
        key, _, val = item.partition("=")
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1].replace('\\"', '"')
        params[key.strip().lower()] = val
    return media_type, tuple(params.items())


_PARAMETER = re.compile(r'(?:[^;"]|"(?:\\.|[^"\\])*")+')


def _split_params(value: str) -> list[str]:
    return _PARAMETER.findall(value) or [""]


def _parse_headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    last = None
    for raw in block.split(b"\n"):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw:
            continue
        if raw[:1] in (b" ", b"\t") and last:
            headers[last] += " " + raw.strip().decode("latin-1")
            continue
        if b":" not in raw:
            raise EbmsError(MIME_INCONSISTENCY, f"malformed MIME header line {raw[:80]!r}")
        name, _, value = raw.partition(b":")
        last = name.strip().decode("latin-1").lower()
        headers[last] = value.strip().decode("latin-1")
    return headers


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    match = re.search(rb"\r?\n\r?\n", data)
    if not match:
        raise EbmsError(MIME_INCONSISTENCY, "headers are not followed by an empty line")
    return data[: match.start()], data[match.end() :]


def _dechunk(body: bytes) -> bytes:
    out, pos = bytearray(), 0
    while True:
        end = body.find(b"\n", pos)
        if end < 0:
            raise EbmsError(MIME_INCONSISTENCY, "truncated chunked transfer encoding")
        size_text = body[pos:end].strip().split(b";")[0]
        try:
            size = int(size_text, 16)
        except ValueError:
            raise EbmsError(MIME_INCONSISTENCY, "bad chunk size in chunked transfer encoding") from None
        pos = end + 1
        if size == 0:
            return bytes(out)
        out += body[pos : pos + size]
        pos += size
        if body[pos : pos + 2] == b"\r\n":
            pos += 2
        elif body[pos : pos + 1] == b"\n":
            pos += 1


def decode_transfer_encoding(content: bytes, encoding: str | None) -> bytes:
    encoding = (encoding or "binary").strip().lower()
    if encoding in ("binary", "8bit", "7bit"):
        return content
    if encoding == "base64":
        try:
            return base64.b64decode(re.sub(rb"\s+", b"", content), validate=True)
        except (binascii.Error, ValueError):
            raise EbmsError(MIME_INCONSISTENCY, "invalid base64 content in a MIME part") from None
    if encoding == "quoted-printable":
        return quopri.decodestring(content)
    raise EbmsError(MIME_INCONSISTENCY, f"unsupported Content-Transfer-Encoding {encoding!r}")


def parse_multipart(body: bytes, content_type: str) -> TransportMessage:
    media_type, params = parse_content_type(content_type)
    if media_type != "multipart/related":
        raise EbmsError(MIME_INCONSISTENCY, f"expected multipart/related, got {media_type!r}")
    boundary = params.get("boundary")
    if not boundary:
        raise EbmsError(MIME_INCONSISTENCY, "multipart/related without a boundary")
    parts = _split_parts(body, boundary.encode("latin-1"))
    if not parts:
        raise EbmsError(MIME_INCONSISTENCY, "multipart/related with no parts")
    start = params.get("start")
    root_index = 0
    if start:
        start_id = normalize_content_id(start)
        ids = [p.content_id for p in parts]
        if start_id not in ids:
            raise EbmsError(MIME_INCONSISTENCY, f"start part <{start_id}> is not in the message")
        root_index = ids.index(start_id)
    root = parts[root_index]
    root_type, _ = parse_content_type(root.content_type)
    if root_type not in (SOAP_CONTENT_TYPE, "text/xml", "application/xop+xml"):
        raise EbmsError(MIME_INCONSISTENCY, f"root part has Content-Type {root_type!r}, not SOAP")
    attachments: dict[str, MimePart] = {}
    for index, part in enumerate(parts):
        if index == root_index:
            continue
        cid = part.content_id
        if not cid:
            raise EbmsError(MIME_INCONSISTENCY, "an attachment has no Content-ID")
        if cid in attachments:
            raise EbmsError(MIME_INCONSISTENCY, f"two attachments share the Content-ID <{cid}>")
        attachments[cid] = part
    return TransportMessage(envelope=root.content, attachments=attachments, content_type=content_type)


def _delimiters(body: bytes, boundary: bytes) -> list[tuple[int, int, bool]]:
    """(start incl. the preceding line break, end after the line, is closing) of each delimiter line."""
    marker = b"--" + boundary
    found: list[tuple[int, int, bool]] = []
    position = 0
    while True:
        index = body.find(marker, position)
        if index < 0:
            return found
        position = index + 1
        if index and body[index - 1 : index] != b"\n":
            continue
        end = index + len(marker)
        closing = body[end : end + 2] == b"--"
        end += 2 if closing else 0
        while body[end : end + 1] in (b" ", b"\t"):
            end += 1
        if body[end : end + 2] == b"\r\n":
            end += 2
        elif body[end : end + 1] == b"\n":
            end += 1
        elif end < len(body) and not closing:
            continue  # the boundary followed by other text: content, not a delimiter
        start = index - 2 if body[index - 2 : index] == b"\r\n" else index - 1 if index else index
        found.append((start, end, closing))
        if closing:
            return found
        position = end


def _split_parts(body: bytes, boundary: bytes) -> list[MimePart]:
    delimiters = _delimiters(body, boundary)
    if not delimiters:
        raise EbmsError(MIME_INCONSISTENCY, "the boundary does not occur in the body")
    if not delimiters[-1][2]:
        raise EbmsError(MIME_INCONSISTENCY, "multipart body has no closing boundary")
    parts: list[MimePart] = []
    for (_, content_start, _), (next_start, _, _) in itertools.pairwise(delimiters):
        chunk = body[content_start:next_start]
        if chunk.startswith(b"\r\n"):
            head, content = b"", chunk[2:]
        elif chunk.startswith(b"\n"):
            head, content = b"", chunk[1:]
        else:
            head, content = _split_head(chunk)
        headers = _parse_headers(head)
        content = decode_transfer_encoding(content, headers.get("content-transfer-encoding"))
        parts.append(MimePart(headers=headers, content=content))
        if len(parts) > MAX_PARTS:
            raise EbmsError(MIME_INCONSISTENCY, f"more than {MAX_PARTS} MIME parts")
    return parts


def parse_transport(data: bytes, content_type: str | None = None) -> TransportMessage:
    """Read what a peer sent: a bare SOAP envelope, a MIME body, or a raw HTTP message.

    ``content_type`` is the HTTP Content-Type when known; otherwise it is taken from the
    leading headers or, for a body that starts with a boundary line, from that line.
    """
    if len(data) > MAX_MESSAGE_BYTES:
        raise EbmsError(MIME_INCONSISTENCY, f"message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    headers: dict[str, str] = {}
    if content_type is None:
        stripped = data.lstrip()
        if _HTTP_START.match(stripped) or _HEADER_LINE.match(stripped):
            head, data = _split_head(stripped)
            lines = head.split(b"\n", 1)
            if _HTTP_START.match(lines[0]):
                head = lines[1] if len(lines) > 1 else b""
            headers = _parse_headers(head)
            content_type = headers.get("content-type")
            if "chunked" in headers.get("transfer-encoding", "").lower() and re.match(
                rb"^[0-9a-fA-F]+[ \t;]*[^\r\n]*\r?\n", data
            ):
                data = _dechunk(data)
        elif stripped.startswith(b"--"):
            first_line = stripped.split(b"\n", 1)[0].rstrip(b"\r")
            boundary = first_line[2:].decode("latin-1")
            content_type = f'multipart/related; boundary="{boundary}"; type="{SOAP_CONTENT_TYPE}"'
            data = stripped
        else:
            content_type = SOAP_CONTENT_TYPE
    media_type, _ = parse_content_type(content_type or SOAP_CONTENT_TYPE)
    if media_type.startswith("multipart/"):
        message = parse_multipart(data, content_type)
    elif media_type in (SOAP_CONTENT_TYPE, "text/xml", "application/xml"):
        message = TransportMessage(envelope=data.strip(), content_type=content_type)
    else:
        raise EbmsError(MIME_INCONSISTENCY, f"unsupported Content-Type {media_type!r}")
    message.headers = headers
    return message


def build_multipart(
    envelope: bytes, attachments: list[tuple[str, str, bytes]], *, boundary: str | None = None
) -> tuple[bytes, str]:
    """Frame ``envelope`` and ``(content_id, content_type, content)`` attachments as SOAP-with-attachments.

    Returns (body, Content-Type header value). Attachments go binary: AS4 peers accept it and it
    keeps the signed octets exactly as digested.
    """
    boundary = boundary or f"MIMEBoundary_{uuid.uuid4().hex}"
    root_id = f"root.{uuid.uuid4().hex}@as4"
    chunks = [
        f"--{boundary}\r\n"
        f"Content-Type: {SOAP_CONTENT_TYPE}; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: binary\r\n"
        f"Content-ID: <{root_id}>\r\n\r\n".encode("ascii"),
        envelope,
    ]
    for content_id, content_type, content in attachments:
        chunks.append(
            f"\r\n--{boundary}\r\n"
            f"Content-Type: {content_type}\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            f"Content-ID: <{content_id}>\r\n\r\n".encode("ascii")
        )
        chunks.append(content)
    chunks.append(f"\r\n--{boundary}--\r\n".encode("ascii"))
    content_type = (
        f'multipart/related; boundary="{boundary}"; type="{SOAP_CONTENT_TYPE}"; start="<{root_id}>"'
    )
    return b"".join(chunks), content_type
