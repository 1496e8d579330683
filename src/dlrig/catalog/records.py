"""What a field of an imported record may hold, checked the same way by every importer.

Importers read data they do not control (open-db's JSON, pc-part-dataset's JSON, a
store's CSV). Before this module a price of 10^30 reached SQLite as an integer it cannot
hold (``OverflowError``), an infinite memory speed reached ``int()`` and a name could carry
terminal escape sequences into the database. So every importer reads a record's fields
through these checks; each failure is a ``BadValue`` whose message is the reason the
importer counts, quarantines or reports with the row's line, never a traceback.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

# The longest name in open-db (snapshot 136a77ae, 29,487 records) is 276 characters, in
# pc-part-dataset 163: a name ten times as long as any real one is not a part's name.
MAX_NAME = 300
# A part's price, in major units of any currency: an H100 is about 3 x 10^4 USD and
# 4 x 10^7 ARS; 10^12 leaves room for any currency dlrig could be given and stays far
# below what SQLite's 64-bit integers hold in minor units (10^14 < 9.2 x 10^18).
MAX_PRICE = Decimal(10) ** 12
# Control characters other than tab and line breaks (which fold to spaces): C0, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\t\r\n]+")


class BadValue(ValueError):
    """A field's value cannot be true or cannot be stored; the message is the reason, in
    one line."""


class WrongType(BadValue):
    """A field holds another kind of value than the format's (a number where text goes)."""


def shown(value: Any, limit: int = 40) -> str:
    """A value as an error may quote it: one line, control characters escaped, short."""
    text = value if isinstance(value, str) else _short_repr(value)
    text = text.encode("unicode_escape").decode("ascii") if _needs_escape(text) else text
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _needs_escape(text: str) -> bool:
    return bool(_CONTROL.search(text) or any(c in text for c in "\t\r\n"))


def _short_repr(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float | Decimal):
        return number_words(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def number_words(value: int | float | Decimal) -> str:
    """A number in a message: '149.99', '1e+30' (never an int too large for a float)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    d = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    if not d.is_finite():
        return str(d)
    return f"{d:.4g}" if abs(d) >= 10**9 else f"{d.normalize():f}"


def kind_of(value: Any) -> str:
    """A JSON value's kind in words ('a list', 'a number'), for 'X is not text (got ...)'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)


def text(value: Any, what: str, *, limit: int = MAX_NAME) -> str:
    """Text as dlrig stores it: tabs and line breaks folded to a space, no other
    control character (an escape sequence in a name would reach a terminal), at most
    ``limit`` characters. Raises ``BadValue`` otherwise (a number is not text)."""
    if not isinstance(value, str):
        raise WrongType(f"{what} is not text (got {kind_of(value)})")
    if _CONTROL.search(value):
        raise BadValue(f"{what} holds control characters ('{shown(value)}')")
    value = _BREAKS.sub(" ", value).strip()
    if len(value) > limit:
        raise BadValue(f"{what} is too long ({len(value):,} characters, at most {limit})")
    return value


def number(value: Any, what: str, *, limit: float = 1e7) -> float | int | None:
    """A positive number, None for a missing or non-numeric one (open-db writes 0 for
    'unknown'); ``BadValue`` for one no part can have: NaN, infinite, or beyond ``limit``
    (10^7: no size, speed, wattage or count of a desktop part comes near it)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue(f"{what} is not a finite number ({value})")
    if abs(value) > limit:
        raise BadValue(f"{what} is beyond any part ({number_words(value)})")
    return value if value > 0 else None


def price_minor(value: Decimal | int | float | str, what: str = "price") -> int:
    """A price in minor units (cents): finite, above 0 after rounding, at most
    ``MAX_PRICE``. A free part would win every plan; 10^30 does not fit the database."""
    if isinstance(value, bool):
        raise BadValue(f"{what} is not a number (got {kind_of(value)})")
    try:
        d = value if isinstance(value, Decimal) else Decimal(
            repr(value) if isinstance(value, float) else str(value).strip())
    except (InvalidOperation, ValueError):
        raise BadValue(f"{what} '{shown(value)}' is not a number") from None
    if not d.is_finite():
        raise BadValue(f"{what} '{shown(value)}' is not a finite number")
    if d <= 0:
        raise BadValue(f"{what} {number_words(d)} is not above 0")
    if d > MAX_PRICE:
        raise BadValue(f"{what} {number_words(d)} is more than any part costs "
                       f"(at most {number_words(MAX_PRICE)})")
    minor = int((d * 100).to_integral_value())
    if minor == 0:
        raise BadValue(f"{what} {number_words(d)} rounds to 0 cents")
    return minor


def load_json(raw: bytes) -> Any:
    """A JSON document; ``BadValue`` for one that is not valid UTF-8 JSON or is nested
    deeper than Python's parser goes (a record nested 100,000 deep)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise BadValue("JSON nested too deeply") from None
    except UnicodeDecodeError:
        raise BadValue("not UTF-8 text") from None
    except ValueError as e:  # JSONDecodeError, and ints longer than 4,300 digits
        raise BadValue(f"not valid JSON ({shown(str(e), 80)})") from None
