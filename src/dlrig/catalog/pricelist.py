"""Read a store's price list (CSV) and import it as local prices.

Stores export what their spreadsheet writes: comma or semicolon separated,
UTF-8 or Latin-1, and in Argentina decimal commas with thousands dots
("1.234,56"). The parser accepts all of these, checks every row, and
reports each bad one with its line number and reason; a file with bad rows
imports nothing unless the user asks to skip them.

A list may say what condition each part is sold in (new, used, refurbished): a
``condition``/``condición``/``estado`` column in English or Spanish. A store that sells
one part new and used on one day keeps both quotes (the condition is part of a quote's
key); a list without the column takes the importer's default (new unless told).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import PriceListError
from ..files import read_bytes
from ..parts import Category
from ..units import CURRENCIES
from . import Catalog, records
from .records import shown
from .resolve import Match

# Header names a column may have (lower-case, accents folded), per field.
ALIASES = {
    "name": ("name", "part", "product", "producto", "descripcion", "description", "articulo", "item", "modelo"),
    "price": ("price", "precio", "amount", "importe", "valor", "price_usd", "precio_final"),
    "currency": ("currency", "moneda", "divisa"),
    "category": ("category", "categoria", "rubro", "type"),
    "id": ("id", "part_id", "dlrig_id"),
    "condition": ("condition", "condicion", "estado"),
}
# A condition cell's words (lower-case, accents folded), English and Spanish (both genders).
CONDITIONS = {
    "new": "new", "nuevo": "new", "nueva": "new",
    "used": "used", "usado": "used", "usada": "used",
    "refurbished": "refurbished", "reacondicionado": "refurbished",
    "reacondicionada": "refurbished",
}
MAX_BAD_SHOWN = 3


@dataclass
class Row:
    line: int
    name: str
    amount_minor: int
    currency: str
    category: Category | None = None
    part_id: str | None = None
    condition: str = "new"


@dataclass
class ParsedList:
    rows: list[Row] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"


def decode(raw: bytes, where: str) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Latin-1; never binary."""
    if not raw.strip():
        raise PriceListError(f"{where} line 1: empty file", hint="export the price list with a header row")
    sample = raw[:4096]
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    if b"\x00" in sample or ctrl > max(8, len(sample) * 0.01):  # one stray escape is a bad row
        raise PriceListError(f"{where} line 1: binary data, not a CSV text file",
                             hint="export the sheet as CSV (comma or semicolon separated)")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(header: str) -> str:
    """';' when the header has more semicolons than commas (and tabs), else ','."""
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


_NUM = re.compile(r"^[+-]?[\d.,\s']+$")
# Currency marks a store writes beside a price: 'U$S 149' is US dollars, 'AR$' and
# 'ARS' pesos; a bare '$' is the list's own currency (pesos in an Argentine list).
_MARK = r"u\$s|u\$d|us\$|usd|ar\$|ars|[a-z]{1,3}\$|\$"
_LEAD = re.compile(rf"^(?P<m>{_MARK}|[A-Z]{{3}}(?=[\s\d]))\s*", re.I)
_TRAIL = re.compile(rf"\s*(?P<m>{_MARK}|(?<=[\d\s])[A-Z]{{3}})$", re.I)
_TAX = re.compile(r"\s*(?:[cs]\s?/\s?iva|\+\s?iva|iva\s+incl\w*)\.?\s*$", re.I)


def _mark_currency(mark: str) -> str | None:
    m = mark.lower()
    if m in ("u$s", "u$d", "us$", "usd"):
        return "USD"
    if m in ("ar$", "ars"):
        return "ARS"
    return mark.upper() if mark.isalpha() and mark.upper() in CURRENCIES else None


def parse_price(text: str, decimal: str = "auto") -> tuple[Decimal, str | None]:
    """The amount and the currency its mark names: 'U$S 149' -> (149, 'USD'),
    '$ 1.234.567,89' -> (1234567.89, None: the list's own currency), '999 ARS'
    -> (999, 'ARS'). 'c/IVA', 's/IVA', '+IVA' after the amount are dropped (the
    amount is what the store asks). Raises ``ValueError`` with a short reason."""
    s = _TAX.sub("", str(text).strip())
    cur = None
    m = _LEAD.match(s)
    if m:
        cur, s = _mark_currency(m.group("m")), s[m.end():]
    m = _TRAIL.search(s)
    if m:
        cur, s = cur or _mark_currency(m.group("m")), s[:m.start()]
    return _amount(s.strip(), text, decimal), cur


def parse_amount(text: str, decimal: str = "auto") -> Decimal:
    """'1.234,56' -> 1234.56, '1,234.56' -> 1234.56, '$ 999' -> 999, 'U$S 149' -> 149.

    With both separators the last one is the decimal mark. A lone separator
    followed by exactly three digits ('1.234', '1,234') is a thousands
    separator (no store prices in thousandths); otherwise it is the decimal
    mark. ``decimal='comma'`` or ``'point'`` overrides the guess.
    Raises ``ValueError`` with a short reason.
    """
    return parse_price(text, decimal)[0]


def _amount(s: str, text: str, decimal: str) -> Decimal:
    if not s:
        raise ValueError("empty price")
    if not _NUM.match(s) or not re.search(r"\d", s):
        raise ValueError(f"price '{shown(text)}' is not a number")
    neg = s.startswith("-")
    s = s.lstrip("+-").replace(" ", "").replace("'", "")
    if decimal == "comma":
        s = s.replace(".", "").replace(",", ".")
    elif decimal == "point":
        s = s.replace(",", "")
    else:
        if "," in s and "." in s:
            dec = "," if s.rfind(",") > s.rfind(".") else "."
            s = s.replace("." if dec == "," else ",", "").replace(",", ".")
        elif s.count(",") + s.count(".") > 0:
            sep = "," if "," in s else "."
            parts = s.split(sep)
            if len(parts) > 2 or len(parts[-1]) == 3:
                if not all(len(p) == 3 for p in parts[1:]) or not parts[0]:
                    raise ValueError(f"price '{shown(text)}' has misplaced separators")
                s = "".join(parts)
            else:
                s = s.replace(sep, ".")
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"price '{shown(text)}' is not a number") from None
    if not d.is_finite():
        raise ValueError(f"price '{shown(text)}' is not a number")
    return -d if neg else d


def category_of(text: str) -> Category | None:
    """A category column's value: dlrig's name ('gpu'), or a store's word for it in
    English or Spanish, singular or plural ('Video Card', 'Placas de Video',
    'Procesadores', 'Fuentes'); None when it names none."""
    from .selectors import CATEGORY_WORDS
    from .words import guess_category

    t = text.strip().lower()
    if t in {c.value for c in Category}:
        return Category(t)
    words = _fold(t).replace("_", " ").replace("-", " ").split()
    for cut in (0, 1, 2):  # as written, without a plural 's', without a plural 'es'
        w = [x[:-cut] if cut and x.endswith("es"[-cut:]) and len(x) > 3 else x for x in words]
        found = guess_category(" ".join(w)) or next(
            (CATEGORY_WORDS[x] for x in w if x in CATEGORY_WORDS), None)
        if found:
            return found
    return None


def condition_of(text: str) -> str | None:
    """A condition cell as dlrig's word ('Usado' -> 'used', 'REACONDICIONADO' ->
    'refurbished', ' Nuevo ' -> 'new'); None when it names no condition."""
    return CONDITIONS.get(_fold(text))


def check_condition(text: str) -> str:
    """A default condition given by a front end (``--condition``), or one line."""
    found = condition_of(text or "")
    if found is None:
        raise PriceListError(f"unknown condition '{shown((text or '').strip())}'",
                             hint="use new, used or refurbished (nuevo, usado, reacondicionado)",
                             field="condition")
    return found


def _fold(h: str) -> str:
    h = h.strip().lower()
    for a, b in zip("áéíóúüñ", "aeiouun", strict=True):
        h = h.replace(a, b)
    return re.sub(r"\s+", "_", h)


def parse_columns(spec: str | None) -> dict[str, str]:
    """'name=Producto,price=Precio' -> {'name': 'Producto', 'price': 'Precio'}."""
    out: dict[str, str] = {}
    for item in (spec or "").split(","):
        if not item.strip():
            continue
        key, sep, col = item.partition("=")
        if not sep or key.strip() not in ALIASES or not col.strip():
            raise PriceListError(f"bad column mapping '{item.strip()}'",
                                 hint="write FIELD=COLUMN, FIELD one of " + ", ".join(ALIASES))
        out[key.strip()] = col.strip()
    return out


def read_price_list(path: str | Path, currency: str, *, columns: dict[str, str] | None = None,
                    decimal: str = "auto", condition: str = "new") -> ParsedList:
    """``parse_price_list`` of a file read through ``dlrig.files`` (see ``import_price_list``)."""
    p = Path(path)
    raw = read_bytes(p, "price list")
    return parse_price_list(raw, shown(p.name, 120), currency, columns=columns, decimal=decimal,
                            condition=condition)


def parse_price_list(raw: bytes, where: str, currency: str, *, columns: dict[str, str] | None = None,
                     decimal: str = "auto", condition: str = "new") -> ParsedList:
    """Every row checked; ``bad`` holds ``(line, reason)`` for those that fail.

    ``condition``: what a row is sold as when the list has no condition column, or leaves
    a row's cell empty (``check_condition``'s words); a cell naming no condition is a bad
    row, like an unknown currency."""
    default = check_condition(condition)
    text, enc = decode(raw, where)
    first = text.splitlines()[0] if text.splitlines() else ""
    delim = sniff_delimiter(first)
    out = ParsedList(delimiter=delim, encoding=enc)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as e:
        raise PriceListError(f"{where} line 1: cannot read the header ({shown(str(e), 80)})") from None
    folded = [_fold(h) for h in header]
    col: dict[str, int] = {}
    for f, aliases in ALIASES.items():
        wanted = (_fold(columns[f]),) if columns and f in columns else aliases
        for i, h in enumerate(folded):
            if h in wanted:
                col[f] = i
                break
        else:
            if columns and f in columns:
                raise PriceListError(f"{where} line 1: no column '{shown(columns[f])}'",
                                     hint="columns found: " + _columns(header))
    for f in ("name", "price"):
        if f not in col:
            raise PriceListError(
                f"{where} line 1: no {f} column (found: {_columns(header) or 'none'})",
                hint=f"name it '{ALIASES[f][0]}', or map a column of the file to {f}",
                field="columns", code="missing_column")
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as e:  # a field past csv's limit, a stray quote: this row only
            out.bad.append((reader.line_num, f"unreadable CSV ({shown(str(e), 80)})"))
            continue
        try:
            row = _row(rec, reader.line_num, header, col, currency, decimal, default)
        except ValueError as e:  # BadValue too: the row's reason, in one line
            out.bad.append((reader.line_num, str(e)))
            continue
        if row is not None:
            out.rows.append(row)
    if not out.rows and not out.bad:
        raise PriceListError(f"{where} line 2: no price rows after the header", hint="is this the right file?")
    return out


def _columns(header: list[str]) -> str:
    """The header's columns as an error lists them: each quoted safely, at most 20."""
    names = [shown(h.strip()) for h in header[:20]]
    return ", ".join(names) + (f" (+{len(header) - 20} more)" if len(header) > 20 else "")


def _row(rec: list[str], line: int, header: list[str], col: dict[str, int], currency: str,
         decimal: str, condition: str = "new") -> Row | None:
    """One CSV record as a ``Row`` (None for a blank line); ``ValueError`` with the reason
    for a bad one. Cells are quoted back through ``shown``: one line, no control bytes."""
    if not any(c.strip() for c in rec):
        return None
    if len(rec) < len(header):
        raise ValueError(f"{len(rec)} fields, the header has {len(header)}")
    name = records.text(rec[col["name"]], "part name")
    if not name:
        raise ValueError("no part name")
    amount, marked = parse_price(rec[col["price"]], decimal)
    if amount < 0:
        raise ValueError(f"negative price {shown(amount)}")
    if (amount * 100).to_integral_value() == 0:  # a free part would win every plan
        raise ValueError(f"zero price '{shown(rec[col['price']].strip())}' (a price must be above 0)")
    minor = records.price_minor(amount)  # and below what any part costs
    cur = marked or currency  # 'U$S 149' in a peso list is in dollars
    if "currency" in col and rec[col["currency"]].strip():
        cur = rec[col["currency"]].strip().upper()
        if cur not in CURRENCIES:
            raise ValueError(f"unknown currency '{shown(rec[col['currency']].strip())}'")
    cat = None
    if "category" in col and rec[col["category"]].strip():
        cat = category_of(rec[col["category"]][:200])
        if cat is None:
            raise ValueError(f"unknown category '{shown(rec[col['category']].strip())}'")
    pid = rec[col["id"]].strip()[:200] if "id" in col and rec[col["id"]].strip() else None
    if "condition" in col and rec[col["condition"]].strip():
        cell = rec[col["condition"]]
        condition = condition_of(cell[:200]) or ""
        if not condition:
            raise ValueError(f"unknown condition '{shown(cell.strip())}' in column "
                             f"'{shown(header[col['condition']].strip())}' (new, used or "
                             "refurbished; nuevo, usado or reacondicionado)")
    return Row(line, name, minor, cur, cat, pid, condition)


@dataclass
class PriceListResult:
    parsed: ParsedList
    matched: list[tuple[Row, str]] = field(default_factory=list)
    review: list[tuple[Row, Match]] = field(default_factory=list)
    written: int = 0
    dry_run: bool = False
    how: dict[int, Match] = field(default_factory=dict)  # matched rows by line: confidence, reason


def match_rows(rows: list[Row], catalog: Catalog
               ) -> tuple[list[tuple[Row, str]], list[tuple[Row, Match]], dict[int, Match]]:
    """Rows to part ids: an id column wins; else the catalog's resolver reads the
    name in the row's category (a column, or what the name says: 'Placa de
    Video', 'Procesador'...), else in every category. A row that names only a
    GPU chip ('GeForce RTX 3060 12GB') is priced on its chip-level entry."""
    resolver = catalog.resolver
    ok: list[tuple[Row, str]] = []
    review: list[tuple[Row, Match]] = []
    how: dict[int, Match] = {}
    for r in rows:
        if r.part_id and r.part_id in catalog:
            ok.append((r, r.part_id))
            how[r.line] = Match("matched", r.part_id, "exact", "id column")
            continue
        m = resolver.match_any(r.name, r.category)
        if m.status == "matched" and m.part_id:
            ok.append((r, m.part_id))
            how[r.line] = m
        else:
            review.append((r, m))
    return ok, review, how


def import_price_list(db, path: str | Path, *, store: str, market: str, currency: str, date: dt.date,
                      catalog: Catalog, columns: dict[str, str] | None = None, decimal: str = "auto",
                      dry_run: bool = False, skip_bad_rows: bool = False,
                      parsed: ParsedList | None = None, condition: str = "new") -> PriceListResult:
    """Check the whole file, then write it in one transaction (or not at all).

    The store's name and the list's date are checked first (``dlrig.validate``): the
    same checks the web's form makes, so neither front end stores a quote dated after
    today or a store name no report can show. The file is read through ``dlrig.files``
    (a regular file of at most ``LIMITS['price list']``: a FIFO or ``/dev/zero`` is
    refused before it is opened); ``parsed``: the list already read with
    ``read_price_list``, so a front end can refuse a bad file before it opens a database.
    ``condition``: the rows' condition where the list does not say (``parse_price_list``).
    Every quote is written with its store, condition and date: a part the list sells new
    and used is two quotes, each the lowest of its condition.
    """
    from ..validate import not_future, store_name

    store = store_name(store)
    not_future(date, "price list date")
    p = Path(path)
    if parsed is None:
        parsed = read_price_list(p, currency, columns=columns, decimal=decimal,
                                 condition=condition)
    if parsed.bad and not skip_bad_rows:
        listed = "; ".join(f"line {ln}: {why}" for ln, why in parsed.bad[:MAX_BAD_SHOWN])
        more = f" (+{len(parsed.bad) - MAX_BAD_SHOWN} more)" if len(parsed.bad) > MAX_BAD_SHOWN else ""
        raise PriceListError(
            f"{shown(p.name, 120)}: {len(parsed.bad)} bad row{'s' if len(parsed.bad) > 1 else ''}, nothing imported: {listed}{more}",
            hint="fix them, or import only the good rows", code="bad_rows")
    res = PriceListResult(parsed, dry_run=dry_run)
    res.matched, res.review, res.how = match_rows(parsed.rows, catalog)
    if dry_run:
        return res
    source, day = f"store:{store}", date.isoformat()
    best: dict[tuple[str, str], Row] = {}
    for r, pid in res.matched:  # a part listed twice in one condition: its lowest price
        key = (pid, r.condition)
        if key not in best or r.amount_minor < best[key].amount_minor:
            best[key] = r
    with db.transaction() as c:
        c.executemany(
            "INSERT INTO prices (part_id, market, amount_minor, currency, date, source, store, "
            "estimated, condition) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) "
            "ON CONFLICT(part_id, market, date, source, store, condition) "
            "DO UPDATE SET amount_minor=excluded.amount_minor, currency=excluded.currency",
            [(pid, market, r.amount_minor, r.currency, day, source, store, cond)
             for (pid, cond), r in sorted(best.items())])
        c.execute("DELETE FROM unmatched WHERE source = ? AND date = ? AND market = ?", (source, day, market))
        c.executemany(
            "INSERT INTO unmatched (source, date, market, category, name, row, amount_minor, currency, "
            "status, candidates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(source, day, market, r.category.value if r.category else "", r.name, r.line, r.amount_minor,
              r.currency, h.status, ", ".join(h.candidates) or h.reason) for r, h in res.review])
        db.set_source(c, source, f"price list of {store}", None)
        db.log_import(c, "csv", str(p), {"store": store, "market": market, "date": day,
                                         "prices": len(best), "review": len(res.review),
                                         "bad_skipped": len(parsed.bad),
                                         "conditions": dict(Counter(k[1] for k in best))})
    res.written = len(best)
    return res
