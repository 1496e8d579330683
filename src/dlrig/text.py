"""Text from outside dlrig (files, databases, forms, archives) made safe to show.

Hostile input found before this module: a build named ``"\\u001b]0;owned\\u0007\\u001b[2J"``
retitled and cleared the terminal of whoever ran ``dlrig check`` on it, and part names
imported from open-db or read from the database did the same in every table. So text is
cleaned where it enters dlrig (the part models, builds, every ``DlrigError``), once, and
everything shown afterwards is safe wherever it is printed.

``clean`` replaces the characters a terminal acts on instead of printing (C0 controls
but tab and newline, DEL, C1 controls such as the 8-bit CSI) and those that reorder or
break displayed text (bidi overrides, line and paragraph separators) with a visible
escape (``\\x1b``), so what was there can still be seen and searched for. Ordinary Unicode
(accents, CJK, emoji) is kept as it is.
"""

from __future__ import annotations

import re
from typing import Any

# Acted on by terminals, or reorder/split what is shown: C0 (less tab and newline), DEL,
# C1, the Arabic letter mark, LRM/RLM, bidi embeddings/overrides/isolates, U+2028/U+2029.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_LINES = re.compile(f"[{_CONTROL}]")
_UNSAFE_LINE = re.compile(f"[\t\n{_CONTROL}]")
_BREAKS = re.compile("\r\n|[\t\n]")


def _escape(m: re.Match[str]) -> str:
    o = ord(m.group())
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def clean(text: str, *, lines: bool = False, limit: int | None = None) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``), at most ``limit``
    characters (cut with '…').

    One line unless ``lines``: tabs, newlines and CR LF become one space each (a name or an
    error message stays on its line). With ``lines``, tabs and newlines are kept.
    Idempotent: cleaning clean text changes nothing.
    """
    if not text.isprintable():  # the common case (printable) costs one pass at C speed
        if lines:
            text = _UNSAFE_LINES.sub(_escape, text.replace("\r\n", "\n"))
        else:
            text = _UNSAFE_LINE.sub(_escape, _BREAKS.sub(" ", text))
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text


def clean_value(value: Any) -> Any:
    """``clean`` applied to a string, or to each string of a list or tuple; else unchanged."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list | tuple) and any(isinstance(v, str) for v in value):
        return type(value)(clean(v) if isinstance(v, str) else v for v in value)
    return value


def show(value: Any, limit: int = 60) -> str:
    """A value from a file, as an error message echoes it: ``repr``-like, cleaned, short.

    Never fails and never takes long: a 10 MB string is cut, an integer of thousands of
    digits is described (``repr`` of one raises), a list nested 50,000 deep is named by type.
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int) and value.bit_length() > 200:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, str):
        cut = value[: limit + 1]
        return "'" + clean(cut, limit=limit) + "'"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        if len(value) > 20 or any(isinstance(v, list | tuple | dict) for v in value):
            return f"a list of {len(value)}"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__}"
    return clean(text, limit=limit)
