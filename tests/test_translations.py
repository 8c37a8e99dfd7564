"""The compiled catalogues (.mo, what Django reads) say what the .po files say: a .po edited or merged
without `compilemessages` would otherwise ship old or missing translations unnoticed."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "portal" / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_the_compiled_catalogue_matches_its_source(po_path):
    with po_path.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete or entry.fuzzy:
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
            if not all(forms):
                continue
            got = [
                translations.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt
                else translations.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
            expected = [forms[0], forms[min(1, len(forms) - 1)]]
        else:
            if not entry.msgstr:
                continue
            got = (
                translations.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else translations.gettext(entry.msgid)
            )
            expected = entry.msgstr
        if got != expected:
            stale.append(entry.msgid)
    assert not stale, f"{po_path.parent.parent.name}: run compilemessages; stale or missing: {stale[:10]}"


def test_there_are_catalogues_to_check():
    assert {path.parent.parent.name for path in CATALOGUES} >= {"fr", "de"}
