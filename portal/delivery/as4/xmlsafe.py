"""Hardened XML parsing: no DTD, no entities, no network, bounded size and depth."""

from __future__ import annotations

import functools
import threading

from lxml import etree

from .errors import INVALID_HEADER, EbmsError

MAX_XML_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_ELEMENTS = 100_000


_local = threading.local()


def _parser() -> etree.XMLParser:
    # one per thread (an lxml parser must not be shared between threads), made once
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
    )


@functools.lru_cache(maxsize=8)
def _deeper_than(max_depth: int) -> etree.XPath:
    # compiled once: the 65-step path costs more to compile than to evaluate on an envelope
    return etree.XPath("boolean(/*" + "/*" * max_depth + ")")


def parse_xml(
    data: bytes, *, max_bytes: int = MAX_XML_BYTES, max_depth: int = MAX_DEPTH, code: str = INVALID_HEADER
) -> etree._Element:
    """Parse ``data`` as one XML document or raise :class:`EbmsError` with ``code``.

    A document type declaration is refused outright (it is the carrier of entity expansion and
    external entity attacks); so are documents above ``max_bytes`` or nested deeper than ``max_depth``.
    """
    if len(data) > max_bytes:
        raise EbmsError(code, f"XML document of {len(data)} bytes exceeds the limit of {max_bytes}")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise EbmsError(code, f"not well-formed XML: {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise EbmsError(code, "XML with a document type declaration is refused")
    # Counted by libxml2 in C: a Python walk over every element costs more than the signature check.
    # An element takes at least 4 bytes ("<a/>"): a smaller document cannot exceed the count.
    if len(data) > 4 * MAX_ELEMENTS and root.xpath("count(//*)") > MAX_ELEMENTS:
        raise EbmsError(code, f"XML document has more than {MAX_ELEMENTS} elements")
    if _deeper_than(max_depth)(root):
        raise EbmsError(code, f"XML nesting deeper than {max_depth} levels")
    return root
