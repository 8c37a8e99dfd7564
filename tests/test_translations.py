"""Every string a user can read is translated: the catalogues hold every message the code and templates
use (a string added without `makemessages` shows in English on a French page), each translated, and the
compiled catalogues (.mo, what Django reads) say what the .po files say."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "portal" / "locale"
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


def test_every_message_of_the_code_and_templates_is_in_each_catalogue_and_translated(tmp_path):
    """makemessages over a copy of the sources (it writes the catalogues it reads): nothing new, nothing
    untranslated or fuzzy."""
    for folder in ("portal", "procedures", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "tests").mkdir()
    for name in ("__init__.py", "settings.py"):
        shutil.copy(ROOT / "tests" / name, tmp_path / "tests" / name)
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    languages = [path.parent.parent.name for path in CATALOGUES]
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--no-location"]
    for language in languages:
        command += ["-l", language]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "STORAGE_ROOT": str(tmp_path / "var"),
    }
    result = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    problems = []
    for language in languages:
        catalogue = polib.pofile(str(tmp_path / "portal" / "locale" / language / "LC_MESSAGES" / "django.po"))
        problems += [
            f"{language}: untranslated: {entry.msgid!r}" for entry in catalogue.untranslated_entries()
        ]
        problems += [f"{language}: fuzzy: {entry.msgid!r}" for entry in catalogue.fuzzy_entries()]
    assert not problems, "\n".join(problems)
