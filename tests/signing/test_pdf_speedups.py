"""The fast hex-string reader gives what pyHanko's own reader gives: the same value, the same stream
position after it, the same error; on generated strings and on every object of the vector PDFs."""

from __future__ import annotations

import io
import logging
import random
import re
from importlib.metadata import version
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from portal.signing import pdf_speedups

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "signatures"
PYHANKO = pdf_speedups._pyhanko_reader
UNREADABLE = {"pades_infinite_loop.pdf", "pdf-signed-corrupted.pdf"}  # even the structure (PROVENANCE.md)


def outcome(reader, data: bytes):
    stream = io.BytesIO(data)
    try:
        value = reader(stream)
    except PdfError as error:
        return ("error", type(error), str(error))
    return (type(value), bytes(value.original_bytes), stream.tell())


def generated_cases(count: int) -> list[bytes]:
    chooser = random.Random(20261127)  # noqa: S311 (reproducible test data)
    cases = [b"<>", b"<0>", b"<ABC>", b"< 4 1 >rest", b"<41", b"<4G>", b"<41%comment\n42>", b"<\x0041\x00>"]
    for _ in range(count):
        length = chooser.choice([0, 1, 2, 33, 511, 512, 513, 2047, 2048, 2049, 9000, 70000])
        digits = bytearray(chooser.choice(b"0123456789abcdefABCDEF") for _ in range(length))
        for _ in range(chooser.randint(0, 5)):  # white space, sometimes a stray byte or a comment
            digits.insert(chooser.randint(0, len(digits)), chooser.choice(b" \n\r\t\f\x00 \n\r\t\f\x00zX%("))
        tail = chooser.choice([b">", b"> /Filter", b">>", b""])
        cases.append(b"<" + bytes(digits) + tail + b" 0 obj")
    return cases


@pytest.mark.parametrize("data", generated_cases(300), ids=lambda data: f"{len(data)}B")
def test_the_fast_reader_agrees_with_pyhanko_on_generated_strings(data):
    assert outcome(pdf_speedups.read_hex_string_from_stream, data) == outcome(PYHANKO, data)


def test_a_signature_contents_is_decoded_in_one_step_not_byte_by_byte():
    contents = bytes(random.Random(1).randrange(256) for _ in range(16384))  # noqa: S311
    data = b"<" + contents.hex().encode() + b"0" * 20000 + b">"
    value = pdf_speedups.read_hex_string_from_stream(io.BytesIO(data))
    assert bytes(value.original_bytes) == contents + b"\0" * 10000


def every_object(path: Path) -> list:
    try:
        reader = PdfFileReader(io.BytesIO(path.read_bytes()), strict=False)
    except PdfError as error:  # a vector that is not even readable: the same failure of both
        return [("unreadable", str(error))]
    found = []
    for revision in range(reader.xrefs.total_revisions):
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            try:
                value = repr(reader.get_object(ref, revision=revision))
                found.append((revision, ref.idnum, re.sub(r" at 0x[0-9a-f]+", "", value)))
            except Exception as error:  # the damaged vectors: the same failure is expected of both
                found.append((revision, ref.idnum, type(error).__name__))
    return found


@pytest.mark.parametrize("path", sorted(VECTORS.rglob("*.pdf")), ids=lambda path: path.name)
def test_every_object_of_the_vector_pdfs_reads_the_same(path):
    fast = every_object(path)
    pdf_speedups.uninstall()
    try:
        assert generic.read_hex_string_from_stream is PYHANKO
        slow = every_object(path)
    finally:
        assert pdf_speedups.install()
    assert fast == slow
    assert len(fast) > 1 or path.name in UNREADABLE


def test_installed_from_the_app_on_the_pinned_pyhanko_release():
    assert pdf_speedups.CHECKED_PYHANKO_RELEASE == "0.38.0" == version("pyHanko")
    assert generic.read_hex_string_from_stream is pdf_speedups.read_hex_string_from_stream  # by ready()
    pdf_speedups.uninstall()
    try:
        assert generic.read_hex_string_from_stream is PYHANKO
        assert pdf_speedups.install() is True
        assert generic.read_hex_string_from_stream is pdf_speedups.read_hex_string_from_stream
    finally:
        pdf_speedups.install()


def test_not_installed_over_another_pyhanko_release(monkeypatch, caplog):
    monkeypatch.setattr(pdf_speedups, "version", lambda name: "0.39.0")
    pdf_speedups.uninstall()
    try:
        with caplog.at_level(logging.WARNING, logger="portal.signing.pdf_speedups"):
            assert pdf_speedups.install() is False
        assert generic.read_hex_string_from_stream is PYHANKO
        assert "pyHanko 0.39.0 is not the release" in caplog.text and "0.38.0" in caplog.text
    finally:
        monkeypatch.undo()
        assert pdf_speedups.install()
