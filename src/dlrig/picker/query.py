"""What a person asks the picker: a slot, words, filters, a sort, a page.

Every field has a text form (a URL query: ``q=4090&vram=24&price_max=2000&sort=value``),
so a picker page is a link that can be shared and works without JavaScript;
``parse_query`` reads it and returns each bad value as a message beside its field, as
the web's forms do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..parts import Category
from .edit import MULTI
from .filters import filters_for

PER_PAGE = 25
MAX_PER_PAGE = 100  # what a URL may ask: a web page stays fast on the 25k-part catalog
ALL_ROWS = 0  # per_page for every row on one page: the library's and the CLI's, never a URL's
CONDITIONS = ("new", "used", "any")

# sort key -> (label, slots it applies to (None: all), descending by default)
SORTS: dict[str, tuple[str, frozenset[Category] | None, bool]] = {
    "price": ("Price", None, False),
    "name": ("Name", None, False),
    "throughput": ("Throughput", frozenset({Category.gpu}), True),
    "value": ("Throughput per money", frozenset({Category.gpu}), True),
    "vram": ("VRAM", frozenset({Category.gpu}), True),
    "cores": ("Cores", frozenset({Category.cpu}), True),
    "capacity": ("Capacity", frozenset({Category.memory, Category.storage}), True),
    "wattage": ("Wattage", frozenset({Category.psu}), True),
}


def sorts_for(slot: Category) -> list[str]:
    return [k for k, (_, slots, _) in SORTS.items() if slots is None or slot in slots]


def default_sort(slot: Category) -> str:
    return "throughput" if slot == Category.gpu else "price"


@dataclass(frozen=True)
class PickQuery:
    slot: Category
    text: str = ""
    filters: dict[str, Any] = field(default_factory=dict)  # key -> set of texts or a number
    price_min: float | None = None
    price_max: float | None = None
    condition: str = "new"
    sort: str = "price"
    desc: bool = False
    page: int = 1
    per_page: int = PER_PAGE  # ALL_ROWS (0): every row
    show_all: bool = False  # incompatible and unsupported parts too, each with why
    unpriced: bool = False  # parts without a price in the market too
    replace: str | None = None  # the line the chosen part takes the place of
    quantity: int | None = None  # of the chosen part (None: the replaced line's, else 1)

    def params(self, **change: Any) -> list[tuple[str, str]]:
        """The query as URL parameters (changed by ``change``), defaults left out."""
        q = {**self.__dict__, **change}
        out: list[tuple[str, str]] = []
        if q["text"]:
            out.append(("q", q["text"]))
        for f in filters_for(self.slot):
            v = q["filters"].get(f.key)
            if v is None:
                continue
            if f.kind == "choice":
                out.extend((f.key, x) for x in sorted(v))
            else:
                out.append((f.key, _text(v)))
        for k in ("price_min", "price_max"):
            if q[k] is not None:
                out.append((k, _text(q[k])))
        if q["condition"] != "new":
            out.append(("condition", q["condition"]))
        if q["sort"] != default_sort(self.slot) or q["desc"] != SORTS[q["sort"]][2]:
            out.append(("sort", q["sort"]))
            out.append(("order", "desc" if q["desc"] else "asc"))
        if q["page"] != 1:
            out.append(("page", str(q["page"])))
        if q["per_page"] != PER_PAGE:
            out.append(("per_page", str(q["per_page"])))
        if q["show_all"]:
            out.append(("all", "1"))
        if q["unpriced"]:
            out.append(("unpriced", "1"))
        if q["replace"]:
            out.append(("replace", q["replace"]))
        if q["quantity"] is not None:
            out.append(("qty", str(q["quantity"])))
        return out


# Commas only as thousands separators ("1,250" or "2,000,000"): "2,5" is not 25.
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def _text(v: float) -> str:
    """A number as a URL writes it, exactly: ``parse_query`` reads back the same value
    (``:g`` kept six digits, so a page link turned 1,234,567 into 1,234,570)."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _number(raw: str, what: str, errors: dict, key: str, low: float = 0,
            high: float = 1e12) -> float | None:
    raw = raw.strip().replace("_", "")
    if raw == "":
        return None
    if "," in raw:
        if not _GROUPED.fullmatch(raw):
            errors[key] = (f"'{raw}' is not a number; give the {what} like 24 or 1250 "
                           "(a comma only between thousands; a point before decimals)")
            return None
        raw = raw.replace(",", "")
    try:
        v = float(raw)
    except ValueError:
        errors[key] = f"'{raw}' is not a number; give the {what} like 24 or 1250"
        return None
    if not math.isfinite(v) or not low <= v <= high:
        errors[key] = f"the {what} must be from {low:g} to {high:g} (got {raw})"
        return None
    return v


def _flag(values: Sequence[str]) -> bool:
    return bool(values) and values[-1].lower() in ("1", "on", "true", "yes")


def _choice_text(t: str) -> str:
    """A choice as ``Filter.text`` writes a part's value: '8.0' and '8' are both '8'."""
    try:
        x = float(t)
    except ValueError:
        return t
    return f"{x:g}" if math.isfinite(x) else t


def parse_query(slot: Category, params: Mapping[str, Sequence[str]]) -> tuple[PickQuery, dict]:
    """The query ``params`` (name -> the values given) ask for, and a message per bad
    field (a bad value is left out of the query, never guessed)."""
    errors: dict[str, str] = {}

    def one(name: str, limit: int = 200) -> str:
        vals = params.get(name) or [""]
        v = str(vals[-1]).strip()
        if len(v) > limit:
            errors[name] = f"too long: {len(v):,} characters, at most {limit}"
            return ""
        return v

    filters: dict[str, Any] = {}
    for f in filters_for(slot):
        if f.kind == "choice":
            vals = {_choice_text(str(v).strip()) for v in params.get(f.key) or []
                    if str(v).strip()}
            if len(vals) > 64:
                errors[f.key] = "too many values (at most 64)"
            elif vals:
                filters[f.key] = vals
        else:
            v = _number(one(f.key, 40), f"{f.label.lower()} ({f.unit or 'a number'})", errors,
                        f.key)
            if v is not None:
                filters[f.key] = v
    pmin = _number(one("price_min", 40), "lowest price", errors, "price_min")
    pmax = _number(one("price_max", 40), "highest price", errors, "price_max")
    if pmin is not None and pmax is not None and pmin > pmax:
        errors["price_max"] = f"the highest price ({pmax:g}) is below the lowest ({pmin:g})"
        pmax = None
    condition = one("condition", 20) or "new"
    if condition not in CONDITIONS:
        errors["condition"] = f"unknown condition '{condition}'; choose one of {', '.join(CONDITIONS)}"
        condition = "new"
    sort = one("sort", 40) or default_sort(slot)
    allowed = sorts_for(slot)
    if sort not in allowed:
        errors["sort"] = f"cannot sort {slot.value} parts by '{sort}'; choose one of {', '.join(allowed)}"
        sort = default_sort(slot)
    order = one("order", 10)
    if order not in ("", "asc", "desc"):
        errors["order"] = f"unknown order '{order}'; choose asc or desc"
        order = ""
    desc = SORTS[sort][2] if not order else order == "desc"
    page = _number(one("page", 12), "page number", errors, "page", 1, 1_000_000)
    per = _number(one("per_page", 12), "rows per page", errors, "per_page", 5, MAX_PER_PAGE)
    qty = _number(one("qty", 12), "quantity", errors, "qty", 1, 16)
    for k, v in (("page", page), ("per_page", per), ("qty", qty)):
        if v is not None and not float(v).is_integer():
            errors[k] = f"the {k.replace('_', ' ')} must be a whole number (got {v:g})"
    if qty is not None and qty != 1 and "qty" not in errors and slot not in MULTI:
        errors["qty"] = (f"a build holds one {slot.value}, so it takes no quantity of "
                         f"{qty:g}; only " + ", ".join(c.value for c in Category if c in MULTI)
                         + " take more than one")
    q = PickQuery(slot=slot, text=one("q"), filters=filters, price_min=pmin, price_max=pmax,
                  condition=condition, sort=sort, desc=desc,
                  page=int(page) if page and "page" not in errors else 1,
                  per_page=int(per) if per and "per_page" not in errors else PER_PAGE,
                  show_all=_flag(params.get("all") or []),
                  unpriced=_flag(params.get("unpriced") or []),
                  replace=one("replace") or None,
                  quantity=int(qty) if qty and "qty" not in errors else None)
    return q, errors
