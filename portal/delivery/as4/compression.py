"""gzip for AS4 payloads, with limits against decompression bombs."""

from __future__ import annotations

import gzip
import zlib

from .errors import DECOMPRESSION_FAILURE, EbmsError

MAX_DECOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 1000


def compress(data: bytes, level: int = 6) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


def decompress(data: bytes, *, limit: int = MAX_DECOMPRESSED_BYTES, max_ratio: int = MAX_RATIO) -> bytes:
    """Gunzip ``data`` (all members), refusing output above ``limit`` or ``max_ratio`` times the input."""
    limit = min(limit, max(len(data) * max_ratio, 1024 * 1024))
    out = bytearray()
    remaining = data
    try:
        while remaining:
            decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            chunk = decoder.decompress(remaining, limit + 1 - len(out))
            out += chunk
            while decoder.unconsumed_tail and len(out) <= limit:
                out += decoder.decompress(decoder.unconsumed_tail, limit + 1 - len(out))
            if len(out) > limit:
                raise EbmsError(DECOMPRESSION_FAILURE, f"payload decompresses to more than {limit} bytes")
            if not decoder.eof:
                raise EbmsError(DECOMPRESSION_FAILURE, "truncated gzip stream")
            remaining = decoder.unused_data
    except zlib.error as exc:
        raise EbmsError(DECOMPRESSION_FAILURE, f"not a valid gzip stream: {exc}") from None
    if not data:
        raise EbmsError(DECOMPRESSION_FAILURE, "empty gzip stream")
    return bytes(out)
