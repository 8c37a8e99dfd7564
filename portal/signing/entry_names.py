"""Which names a container entry may have: the same rule when reading (ASiC, CAdES references) and building.

:func:`unsafe_name_reason` refuses an empty name, a backslash, an ASCII control character (0x00-0x1f,
0x7f), an absolute name (``/x`` or a drive letter ``C:``) and any ``.`` or ``..`` path segment; it returns
the reason in words (for the report), or None for a safe name. Duplicates and size limits are the
container layer's (``asic.py``); any other character, non-ASCII included, is allowed.
"""

from __future__ import annotations

import re

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def unsafe_name_reason(name: str) -> str | None:
    if name == "":
        return "an empty entry name"
    if "\\" in name:
        return f"a backslash in entry name {name!r}"
    if _CONTROL_CHARACTERS.search(name):
        return f"a control character in entry name {name!r}"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return f"an absolute entry name {name!r}"
    if any(part in ("..", ".") for part in name.split("/")):
        return f"a relative path segment in entry name {name!r}"
    return None
