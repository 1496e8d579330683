"""What a value must be before dlrig stores it or plans with it: one set of checks for the
CLI, the web and the importers.

Before this module the web refused future price dates and odd store names while the CLI
stored them (a quote dated 2999 then won every later plan), ``--budget 1.000`` silently
meant one dollar while the CSV importer read "1.000" as a thousand, and a part list with a
quantity of 999,999,999 was checked as a 54 GW machine. Each check raises ``InputError``
with ``field`` set, so every front end says the same thing in its own words.

**Numbers in the market's format** (``amount``): amounts are read the way the currency is
written where it is used. Argentina (and the euro, real and Chilean peso here) writes
1.234,56; the US 1,234.56. A lone separator followed by exactly three digits is the
thousands separator when the currency writes it that way ("1.000" ARS is a thousand), and
ambiguous otherwise ("1.000" USD: one dollar or a thousand?): dlrig asks instead of
guessing. Both separators ("1.445,50", "1,445.50") are never ambiguous: the last one is
the decimal mark.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from .errors import InputError

# Where a currency is written with a decimal comma and thousands dots (es-AR, most of the
# euro area, pt-BR); the others here are written 1,234.56.
DECIMAL_COMMA = frozenset({"ARS", "EUR", "BRL"})
MAX_QUANTITY = 16  # of one part in a build: 8 GPUs, 16 memory modules, drives
STORE_RE = re.compile(r"^[\w .&'()+-]{1,60}$")
# An exchange rate outside this is a typo, whatever the pair (1 USD = 0.000001 to 10^7 units).
RATE_RANGE = (Decimal("0.000001"), Decimal("10000000"))
# A new rate this many times off the latest known one for the pair is inverted or mistyped.
RATE_JUMP = 20

# A currency mark before or after the number: 'U$S 149', '$ 1.000', '1500 USD', 'AR$ 99'.
_MARK = re.compile(r"^(?:u\$[sd]|us\$|ar\$|[a-z]{1,3}\$|\$|[a-z]{3}(?=[\s\d]))\s*"
                   r"|\s*(?:u\$[sd]|\$|[a-z]{3})$", re.I)
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?e[+-]?\d+$", re.I)
_NUMBER = re.compile(r"^[+-]?[\d.,' ]*\d[\d.,' ]*$")


def amount(text: str | float | int | Decimal, currency: str, *, field: str = "budget",
           what: str = "amount") -> Decimal:
    """An amount written as a person writes it in ``currency`` (see the module docstring)."""
    if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
        return finite(Decimal(text), what, field)
    if isinstance(text, float):
        return finite(Decimal(repr(text)), what, field)
    s = str(text).strip().replace("\u00a0", " ")
    s = _MARK.sub("", s)
    if _SCIENTIFIC.match(s):  # 1e6: no separators to read
        try:
            return finite(Decimal(s), what, field)
        except InvalidOperation:  # an exponent past what Decimal holds (1e99999999999999)
            raise InputError(f"{what} '{text}' is out of range", hint="e.g. 1500",
                             field=field) from None
    if not s or not _NUMBER.match(s):
        raise InputError(f"{what} '{text}' is not a number", hint="e.g. 1500", field=field)
    neg = s.startswith("-")
    s = s.lstrip("+-").replace(" ", "").replace("'", "")
    comma = currency in DECIMAL_COMMA
    thousands, decimal = (".", ",") if comma else (",", ".")
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        grp = "." if dec == "," else ","
        body, _, frac = s.rpartition(dec)
        if dec in body or not _grouped(body, grp):
            raise InputError(f"{what} '{text}' has misplaced separators",
                             hint=_example(currency), field=field)
        s = body.replace(grp, "") + "." + frac
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        groups = s.split(sep)
        if len(groups) > 2 or len(groups[-1]) == 3:
            if not _grouped(s, sep):
                raise InputError(f"{what} '{text}' has misplaced separators",
                                 hint=_example(currency), field=field)
            if sep != thousands:
                whole = int(s.replace(sep, ""))
                if len(groups) == 2:
                    raise InputError(
                        f"{what} '{text}' is ambiguous in {currency}: "
                        f"{Decimal(groups[0] + '.' + groups[1]).normalize():f} or {whole}?",
                        hint=f"write it without a separator ({whole}) or as {currency} "
                             f"writes it ({_example(currency)})", field=field)
                raise InputError(f"{what} '{text}' groups digits with '{sep}', which "
                                 f"{currency} uses as the decimal mark",
                                 hint=_example(currency), field=field)
            s = s.replace(sep, "")
        else:
            s = s.replace(sep, ".")
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise InputError(f"{what} '{text}' is not a number", hint="e.g. 1500",
                         field=field) from None
    return finite(-d if neg else d, what, field)


def _grouped(body: str, sep: str) -> bool:
    """'1.234.567' grouped by threes after the first group of 1-3 digits."""
    groups = body.split(sep)
    return (1 <= len(groups[0]) <= 3 or len(groups) == 1) and all(len(g) == 3
                                                                   for g in groups[1:])


def _example(currency: str) -> str:
    return "e.g. 1.500 or 1.500,50" if currency in DECIMAL_COMMA else "e.g. 1,500 or 1500.50"


def finite(value: Decimal | float, what: str, field: str | None = None) -> Decimal:
    d = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not d.is_finite():
        raise InputError(f"{what} must be a finite number (got {value})", field=field)
    return d


def positive(value: Decimal, what: str, field: str | None = None) -> Decimal:
    if value <= 0:
        raise InputError(f"{what} must be positive (got {value})", field=field)
    return value


def not_future(day: dt.date, what: str = "date", field: str | None = "date",
               today: dt.date | None = None) -> dt.date:
    """A quote or a rate dated after today would win every later plan: refused."""
    today = today or dt.date.today()
    if day > today:
        raise InputError(f"{what} {day.isoformat()} is in the future (today is "
                         f"{today.isoformat()})", hint="give the day the figure was quoted",
                         field=field)
    return day


def store_name(name: str) -> str:
    """A store's name as prices record it: letters, digits, spaces and . & ' ( ) + -."""
    name = (name or "").strip()
    if not name:
        raise InputError("no store named", hint="name the store the list comes from",
                         field="store")
    if not STORE_RE.match(name):
        raise InputError(f"store name '{name[:80]}' has characters a store name does not",
                         hint="use letters, digits, spaces and . & ' ( ) + - only (at most 60)",
                         field="store")
    return name


def quantity(n: int, what: str = "quantity", where: str = "") -> int:
    """How many of one part a build line holds: 1 to ``MAX_QUANTITY``."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_QUANTITY:
        pre = f"{where}: " if where else ""
        raise InputError(f"{pre}{what} must be a whole number from 1 to {MAX_QUANTITY} "
                         f"(got {n!r})", hint="a desktop takes at most 8 GPUs and 16 memory "
                         "modules", field="quantity")
    return n


def rate(base: str, quote: str, value: Decimal, known: Decimal | None = None) -> Decimal:
    """An exchange rate (units of ``quote`` per ``base``): finite, in range, not inverted.

    ``known``: the latest rate dlrig has for the pair; a new one more than ``RATE_JUMP``
    times off it is refused (1450 ARS per USD typed as 0.00069, or a digit too many).
    """
    finite(value, "rate", "rate")
    lo, hi = RATE_RANGE
    if not lo <= value <= hi:
        raise InputError(f"rate {value} {quote} per {base} is outside {lo}-{hi:,}",
                         hint="give units of the second currency per one of the first",
                         field="rate")
    if known is not None and known > 0:
        ratio = value / known
        if ratio > RATE_JUMP or ratio < Decimal(1) / RATE_JUMP:
            inverse = (Decimal(1) / value).quantize(Decimal("0.0001")) if value else value
            raise InputError(
                f"rate {value} {quote} per {base} is {ratio:.3g} x the last known {known}",
                hint=f"if it is {base} per {quote}, the rate is {inverse}; if the jump is "
                     "real, record it in two steps", field="rate")
    return value
