"""gzip for AS4 payloads, with limits against decompression bombs."""

from __future__ import annotations

import gzip
import zlib

from .errors import DECOMPRESSION_FAILURE, EbmsError

MAX_DECOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 1000
CHUNK = 1024 * 1024


def compress(data: bytes, level: int = 6) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


def _decompress_small(data: bytes, limit: int) -> bytearray | None:
    """One call for the common case, a payload of one gzip member that fits in a chunk; None
    for anything else (several members, a trailer that understates the size): the general path."""
    decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(data, min(limit, CHUNK) + 1)
    except zlib.error as exc:
        raise EbmsError(DECOMPRESSION_FAILURE, f"not a valid gzip stream: {exc}") from None
    if len(out) > limit:
        raise EbmsError(DECOMPRESSION_FAILURE, f"payload decompresses to more than {limit} bytes")
    if not decoder.eof or decoder.unused_data or decoder.unconsumed_tail or len(out) > CHUNK:
        return None
    return bytearray(out)


def decompress(data: bytes, *, limit: int = MAX_DECOMPRESSED_BYTES, max_ratio: int = MAX_RATIO) -> bytearray:
    """Gunzip ``data`` (all members), refusing output above ``limit`` or ``max_ratio`` times the input.

    The output is written in 1 MiB steps into one buffer sized from the gzip trailer (bounded by
    the limits), so a large payload costs its own size once, not twice.
    """
    if not data:
        raise EbmsError(DECOMPRESSION_FAILURE, "empty gzip stream")
    limit = min(limit, max(len(data) * max_ratio, 1024 * 1024))
    hint = int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0
    if len(data) <= CHUNK and hint <= CHUNK:
        small = _decompress_small(data, limit)
        if small is not None:
            return small
    out = bytearray(min(hint, limit))
    view: memoryview | None = memoryview(out)
    written = 0

    def write(chunk: bytes) -> None:
        nonlocal written, view
        end = written + len(chunk)
        if end > limit:
            raise EbmsError(DECOMPRESSION_FAILURE, f"payload decompresses to more than {limit} bytes")
        if view is not None and end <= len(out):
            view[written:end] = chunk
        else:
            if view is not None:
                view.release()
                view = None
                del out[written:]
            out.extend(chunk)
        written = end

    source = memoryview(data)
    position = 0
    try:
        while position < len(data):  # one gzip member per round
            decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            while not decoder.eof and position < len(data):
                # feed the input in slices: unconsumed_tail is a copy of what is left of the slice
                piece = source[position : position + CHUNK]
                position += len(piece)
                write(decoder.decompress(piece, CHUNK))
                while decoder.unconsumed_tail and not decoder.eof:
                    write(decoder.decompress(decoder.unconsumed_tail, CHUNK))
            if not decoder.eof:
                write(decoder.flush())
                if not decoder.eof:
                    raise EbmsError(DECOMPRESSION_FAILURE, "truncated gzip stream")
            position -= len(decoder.unused_data)
    except zlib.error as exc:
        raise EbmsError(DECOMPRESSION_FAILURE, f"not a valid gzip stream: {exc}") from None
    finally:
        source.release()
        if view is not None:
            view.release()
    del out[written:]
    return out
