"""A faster reader for PDF hex strings, installed into pyHanko's parser.

pyHanko reads a hex string one byte at a time through a generator (``read_non_whitespace`` per
byte). A signature's ``/Contents`` is such a string, tens of thousands of digits long, and validating
a B-LTA PDF reads two of them: about 45 ms of a ~120 ms validation went there. This reader finds the
closing ``>`` in chunks and decodes with ``binascii``; whatever it does not handle the same way for
certain (a comment inside the string, a byte that is neither a digit nor white space, a missing ``>``)
it hands back to pyHanko's own function, at the same stream position, so errors stay pyHanko's.
Installed only over the pyHanko release it was checked against (a test compares the two readers).
"""

from __future__ import annotations

import binascii
import logging
from importlib.metadata import version
from typing import IO

from pyhanko.pdf_utils import generic

logger = logging.getLogger(__name__)

CHECKED_PYHANKO_RELEASE = "0.38.0"
_WHITESPACE = b" \n\r\t\f\x00"  # pyhanko.pdf_utils.misc.PDF_WHITESPACE
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_pyhanko_reader = generic.read_hex_string_from_stream


def read_hex_string_from_stream(stream: IO[bytes]):
    """pyHanko's ``read_hex_string_from_stream``, same result and stream position, linear time."""
    start = stream.tell()
    buffer = bytearray()
    size = 512
    end = -1
    while end == -1:
        more = stream.read(size)
        if not more:
            break
        searched_from = max(len(buffer), 1)  # byte 0 is the opening '<'
        buffer += more
        end = buffer.find(b">", searched_from)
        size *= 4
    digits = bytes(buffer[1:end]).translate(None, _WHITESPACE) if end != -1 else b""
    if end == -1 or b"%" in digits or digits.translate(None, _HEX_DIGITS):
        stream.seek(start)
        return _pyhanko_reader(stream)
    stream.seek(start + end + 1)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> bool:
    """Put the fast reader into pyHanko's parser (only over the release it was checked against)."""
    installed = version("pyHanko")
    if installed != CHECKED_PYHANKO_RELEASE:
        logger.warning(
            "pyHanko %s is not the release the fast hex-string reader was checked against (%s): not installed",
            installed,
            CHECKED_PYHANKO_RELEASE,
        )
        return False
    generic.read_hex_string_from_stream = read_hex_string_from_stream
    return True


def uninstall() -> None:
    generic.read_hex_string_from_stream = _pyhanko_reader
