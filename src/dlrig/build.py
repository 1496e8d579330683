"""Builds: parts x quantity, read from TOML build files or PCPartPicker lists.

The TOML format is documented in ``docs/build-format.md``. A part is either a
catalog reference (``ref``: an id or an unambiguous name) or an inline part
(``category`` plus its fields). Every error names the file, the part and the
field, in one line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import validate
from .catalog import Catalog, LocalPrice
from .catalog.builtin import validation_message
from .errors import BuildFileError, InputError, MarketError, UnknownPartError
from .parts import (
    AnyPart,
    Case,
    Category,
    Cooler,
    Cpu,
    Gpu,
    Memory,
    Motherboard,
    Part,
    Psu,
    Storage,
)
from .units import Money

_PART = TypeAdapter(Part)


@dataclass(frozen=True)
class BuildItem:
    part: AnyPart
    quantity: int = 1


@dataclass(frozen=True)
class RowMatch:
    """What one row of a build's source became, and how sure the match is.

    ``line``: the row's line in a PCPartPicker list (None in a TOML build,
    where ``part`` is the [[part]] table's number); ``text``: the row's item
    as written (or the TOML ref); ``status``: 'matched', 'ambiguous' or
    'unmatched'; ``confidence``: 'exact' (id or same name), 'spec' (every
    word and stated spec agrees), 'fuzzy' (agrees, but the part says more,
    e.g. 'OC'), 'chip' (a GPU read as any board of its chip); ``reason``:
    why, in words; ``candidates``: the parts an ambiguous row fits, or the
    nearest ones of an unmatched row (suggestions, not matches).
    """

    line: int | None
    text: str
    category: str
    status: str
    part_id: str | None = None
    part_name: str | None = None
    quantity: int = 1
    confidence: str | None = None
    reason: str = ""
    candidates: tuple[str, ...] = ()
    part: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "part": self.part, "text": self.text, "category": self.category,
                "status": self.status, "part_id": self.part_id, "part_name": self.part_name,
                "quantity": self.quantity, "confidence": self.confidence, "reason": self.reason,
                "candidates": list(self.candidates)}


class PartListError(BuildFileError):
    """A PCPartPicker list with rows that match no part, or several: every such
    row is in ``rows`` (``RowMatch``), the message names them all."""

    def __init__(self, message: str, rows: tuple[RowMatch, ...], *, hint: str | None = None):
        super().__init__(message, hint=hint, code="unmatched_rows")
        self.rows = rows


INTENT_FIELDS: dict[str, type] = {
    "workload": str, "model": str, "task": str, "quant": str, "context": int, "users": int,
    "batch": int, "power_limit": str, "dataset_gb": int, "circuit_w": int,
    "allow_bios_update": bool,
}


@dataclass(frozen=True)
class Build:
    """A machine: what it is made of. Prices are looked up per market.

    ``intent``: what the machine was planned for (the plan's workload, model,
    task, quantisation, context, power limit...), saved with a plan so that
    ``dlrig check`` judges the saved build by the same requirements the
    planner enforced. Options given to ``check`` win over it. ``matches``:
    how each row of the file or list was resolved to a part, for showing.
    """

    items: tuple[BuildItem, ...]
    name: str = "build"
    market: str | None = None
    source: str | None = None
    notes: tuple[str, ...] = field(default=())
    intent: tuple[tuple[str, Any], ...] = ()
    matches: tuple[RowMatch, ...] = ()  # what each row of the source became (``RowMatch``)

    def intended(self, key: str, default: Any = None) -> Any:
        return dict(self.intent).get(key, default)

    def of(self, category: Category | str) -> list[BuildItem]:
        c = Category(category)
        return [i for i in self.items if i.part.category == c]

    def count(self, category: Category | str) -> int:
        return sum(i.quantity for i in self.of(category))

    def first(self, category: Category | str) -> AnyPart | None:
        items = self.of(category)
        return items[0].part if items else None

    # Typed shortcuts used throughout the rules.
    @property
    def cpu(self) -> Cpu | None:
        return self.first(Category.cpu)  # type: ignore[return-value]

    @property
    def board(self) -> Motherboard | None:
        return self.first(Category.motherboard)  # type: ignore[return-value]

    @property
    def case(self) -> Case | None:
        return self.first(Category.case)  # type: ignore[return-value]

    @property
    def psu(self) -> Psu | None:
        return self.first(Category.psu)  # type: ignore[return-value]

    @property
    def gpus(self) -> list[Gpu]:
        return [i.part for i in self.of(Category.gpu) for _ in range(i.quantity)]  # type: ignore[misc]

    @property
    def memory(self) -> list[Memory]:
        return [i.part for i in self.of(Category.memory) for _ in range(i.quantity)]  # type: ignore[misc]

    @property
    def storage(self) -> list[Storage]:
        return [i.part for i in self.of(Category.storage) for _ in range(i.quantity)]  # type: ignore[misc]

    @property
    def coolers(self) -> list[Cooler]:
        return [i.part for i in self.of(Category.cooler) for _ in range(i.quantity)]  # type: ignore[misc]

    def with_part(self, part: AnyPart, quantity: int = 1, replace: bool = True) -> Build:
        """A copy with ``part`` added, replacing the same category when ``replace``."""
        items = [i for i in self.items if not (replace and i.part.category == part.category)]
        items.append(BuildItem(part, quantity))
        order = list(Category)
        items.sort(key=lambda i: order.index(i.part.category))
        return Build(tuple(items), self.name, self.market, self.source, self.notes, self.intent)

    def to_toml_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name}
        if self.market:
            d["market"] = self.market
        if self.intent:
            d["intent"] = dict(self.intent)
        d["part"] = [
            {"ref": i.part.id, **({"quantity": i.quantity} if i.quantity != 1 else {})}
            for i in self.items
        ]
        return d


def _item_from_table(t: dict[str, Any], catalog: Catalog, where: str) -> BuildItem:
    t = dict(t)
    qty = t.pop("quantity", 1)
    label = t.get("ref") or t.get("name") or "?"
    try:
        validate.quantity(qty, "field 'quantity'", f"{where}: part '{label}'")
    except InputError as e:
        raise BuildFileError(e.message, hint=e.hint, field="quantity") from None
    if "ref" in t:
        ref = t.pop("ref")
        cat = t.pop("category", None)
        if t:
            raise BuildFileError(
                f"{where}: part '{ref}': unexpected field(s) {', '.join(sorted(t))} beside 'ref'",
                hint="a catalog reference takes only ref, category and quantity",
            )
        if not isinstance(ref, str):
            raise BuildFileError(f"{where}: field 'ref' must be text (got {ref!r})")
        try:
            return BuildItem(catalog.resolve(ref, cat), qty)
        except UnknownPartError as e:
            raise BuildFileError(f"{where}: {e.message}", hint=e.hint) from None
        except ValueError:
            raise BuildFileError(f"{where}: part '{ref}': unknown category '{cat}'",
                                 hint="use one of " + ", ".join(c.value for c in Category)) from None
    if "category" not in t:
        raise BuildFileError(
            f"{where}: part '{label}' has neither 'ref' nor 'category'",
            hint="give ref = \"<catalog id or name>\" or an inline part with category = \"cpu\" etc.",
        )
    if t["category"] not in {c.value for c in Category}:
        raise BuildFileError(
            f"{where}: part '{label}': unknown category '{t['category']}'",
            hint="use one of " + ", ".join(c.value for c in Category),
        )
    t.setdefault("id", "inline/" + re.sub(r"[^a-z0-9]+", "-", str(label).lower()).strip("-"))
    try:
        return BuildItem(_PART.validate_python(t), qty)
    except ValidationError as e:
        raise BuildFileError(f"{where}: part '{label}': {validation_message(e)}", hint="fix the value or its unit") from None


def build_from_dict(data: dict[str, Any], catalog: Catalog, where: str = "build") -> Build:
    parts = data.get("part")
    if not isinstance(parts, list) or not parts:
        raise BuildFileError(f"{where}: no parts", hint="add [[part]] tables, each with ref = \"...\"")
    unknown = set(data) - {"name", "market", "part", "notes", "source", "intent"}
    if unknown:
        raise BuildFileError(f"{where}: unknown top-level key(s) {', '.join(sorted(unknown))}",
                             hint="a build has name, market, notes, [intent] and [[part]] tables")
    items = [_item_from_table(t, catalog, f"{where} part {n}") for n, t in enumerate(parts, 1)]
    matches = tuple(
        RowMatch(None, str(t.get("ref")), i.part.category.value, "matched", i.part.id, i.part.name,
                 i.quantity, "exact", "catalog id" if t.get("ref") == i.part.id else "same name",
                 part=n)
        for n, (t, i) in enumerate(zip(parts, items, strict=True), 1) if isinstance(t, dict) and "ref" in t)
    return Build(tuple(items), str(data.get("name", Path(where).stem)), data.get("market"),
                 where, tuple(data.get("notes", ())), intent_from_dict(data.get("intent"), where),
                 matches)


def intent_from_dict(data: Any, where: str) -> tuple[tuple[str, Any], ...]:
    """The [intent] table of a build file, validated (known keys, right types)."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise BuildFileError(f"{where}: [intent] must be a table (got {type(data).__name__})",
                             hint="write [intent] with workload = \"cnn\" and the like")
    out = []
    for key, value in data.items():
        want = INTENT_FIELDS.get(key)
        if want is None:
            raise BuildFileError(f"{where}: unknown intent key '{key}'",
                                 hint="known: " + ", ".join(INTENT_FIELDS))
        if not isinstance(value, want) or (want is int and isinstance(value, bool)):
            raise BuildFileError(f"{where}: intent '{key}' must be {want.__name__} "
                                 f"(got {value!r})")
        out.append((key, value))
    return tuple(out)


def load_build(path: str | Path, catalog: Catalog) -> Build:
    """Read a TOML build file, or a PCPartPicker markdown part list (.md/.txt)."""
    p = Path(path)
    if not p.is_file():
        raise BuildFileError(f"build file not found: {p}", hint="check the path")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BuildFileError(f"{p}: not a UTF-8 text file", hint="save it as UTF-8") from None
    if p.suffix.lower() in (".md", ".txt", ".markdown") or looks_like_pcpp(text):
        return parse_pcpp_markdown(text, catalog, where=str(p))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise BuildFileError(f"{p}: invalid TOML: {e}", hint="fix the syntax") from None
    return build_from_dict(data, catalog, str(p))


# -- PCPartPicker markdown part lists ------------------------------------------

PCPP_TYPES = {
    "cpu": Category.cpu,
    "cpu cooler": Category.cooler,
    "motherboard": Category.motherboard,
    "memory": Category.memory,
    "storage": Category.storage,
    "video card": Category.gpu,
    "case": Category.case,
    "power supply": Category.psu,
}
# PCPartPicker's plain-text export: "CPU: AMD Ryzen 7 7700X 4.5 GHz 8-Core Processor  ($249.99
# @ Amazon)", one line per item (a price in parentheses, or none).
_TEXT_ROW = re.compile(r"^\s*(?P<type>[A-Za-z ]+?):\s+(?P<item>.+?)(?:\s+\((?:[^()]*\d[^()]*)\))?\s*$")


def looks_like_pcpp(text: str) -> bool:
    """PCPartPicker's markdown table, or its plain-text export."""
    if re.search(r"^\s*\|?\s*Type\s*\|\s*Item\s*\|", text, re.M):
        return True
    return bool(re.search(r"^PCPartPicker Part List", text, re.M)) and any(
        _text_row(line) for line in text.splitlines())


def _text_row(line: str) -> tuple[str, str] | None:
    """(type, item) of a plain-text export line ("Video Card: ..."), or None."""
    m = _TEXT_ROW.match(line)
    if not m or m.group("type").strip().lower() not in PCPP_TYPES:
        return None
    return m.group("type").strip().lower(), m.group("item").strip()


def _clean_item(item: str) -> tuple[str, int]:
    """Name without the link and PCPartPicker's descriptors; module count."""
    m = re.match(r"\s*\[(.+?)\]\(.*?\)\s*$", item)
    name = m.group(1) if m else item.strip()
    qty = 1
    q = re.search(r"\((\d+)\s*x\)|\b(\d+)\s*x\s*$", name)
    if q:
        qty = int(q.group(1) or q.group(2))
        name = name[: q.start()].strip()
    return name, qty


def resolve_row(name: str, catalog: Catalog, category: Category, line: int | None = None,
                quantity: int = 1) -> RowMatch:
    """One list row resolved by the catalog's resolver (``catalog/resolve.py``):
    its words, model numbers, capacities and specs must agree with the part's,
    or the row is unmatched (with the nearest parts as suggestions)."""
    m = catalog.resolver.match(name, category)
    if m.status == "matched" and m.part_id:
        part = catalog.get(m.part_id)
        return RowMatch(line, name, category.value, "matched", part.id, part.name, quantity,
                        m.confidence, m.reason)
    cands = m.candidates if m.status == "ambiguous" else tuple(catalog.closest(name, category, limit=3))
    return RowMatch(line, name, category.value, m.status, quantity=quantity, reason=m.reason,
                    candidates=cands)


def _problem(r: RowMatch) -> str:
    if r.status == "ambiguous":
        return (f"line {r.line}: '{r.text}' fits several catalog {r.category} parts "
                f"({', '.join(r.candidates[:4])})")
    near = f"; closest: {'; '.join(r.candidates)}" if r.candidates else ""
    return f"line {r.line}: no catalog {r.category} matches '{r.text}' ({r.reason}{near})"


def parse_pcpp_markdown(text: str, catalog: Catalog, where: str = "part list") -> Build:
    """A build from PCPartPicker's "Type | Item | Price" markdown table.

    Every row is resolved; rows that match no part, or several, are all
    reported in one error (``PartListError``, each with its line), and the
    build records what each row became (``Build.matches``).
    """
    found: list[RowMatch] = []
    rows = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            row = _text_row(line)  # the plain-text export
            if row is None:
                continue
            cells = list(row)
        typ = cells[0].strip("* ").lower()
        if typ not in PCPP_TYPES:
            continue
        rows += 1
        name, qty = _clean_item(cells[1])
        try:
            validate.quantity(qty, f"quantity of '{name}'", f"{where} line {lineno}")
        except InputError as e:
            raise BuildFileError(e.message, hint=e.hint, field="quantity") from None
        found.append(resolve_row(name, catalog, PCPP_TYPES[typ], lineno, qty))
    if rows == 0:
        raise BuildFileError(f"{where}: no 'Type | Item | Price' rows found",
                             hint="paste PCPartPicker's markdown or plain-text part list, or use "
                                  "a TOML build file")
    bad = tuple(r for r in found if r.status != "matched")
    if bad:
        raise PartListError(
            f"{where}: {len(bad)} of {rows} rows match no single catalog part: "
            + "; ".join(_problem(r) for r in bad), bad,
            hint="check the names, import a larger catalog ('dlrig catalog import open-db'), "
                 "or use a TOML build with an inline part")
    merged: dict[str, int] = {}
    parts: dict[str, AnyPart] = {}
    for r in found:
        if r.part_id:
            merged[r.part_id] = merged.get(r.part_id, 0) + r.quantity
            parts[r.part_id] = catalog.get(r.part_id)
    for pid, q in merged.items():
        try:
            validate.quantity(q, f"{parts[pid].name} in all", where)
        except InputError as e:
            raise BuildFileError(e.message, hint=e.hint, field="quantity") from None
    return Build(tuple(BuildItem(parts[k], q) for k, q in merged.items()), "PCPartPicker list",
                 source=where, matches=tuple(found))


@dataclass(frozen=True)
class PricedItem:
    """A build line with its price in one market (None when the catalog has none)."""

    item: BuildItem
    price: LocalPrice | None

    @property
    def total(self) -> Money | None:
        return None if self.price is None else self.price.money * self.item.quantity


@dataclass(frozen=True)
class BuildPrice:
    """A build priced in one market: each line, the total, the estimated and unpriced lines."""

    market: str | None
    lines: tuple[PricedItem, ...]
    total: Money | None

    @property
    def missing(self) -> list[str]:
        return [x.item.part.name for x in self.lines if x.price is None]

    @property
    def estimated(self) -> int:
        return sum(1 for x in self.lines if x.price is not None and x.price.estimated)


def price_build(build: Build, catalog: Catalog, market: str | None) -> BuildPrice:
    """Each line's catalog price in ``market`` (latest quote, else an estimate) and the sum.

    One function for ``dlrig check`` and the web pages, so both show the same
    total. A part the catalog does not hold, or a missing exchange rate,
    leaves that line unpriced rather than failing the whole check.
    """
    lines, total = [], None
    for item in build.items:
        lp = None
        if market and item.part.id in catalog:
            try:
                lp = catalog.local_price(item.part.id, market)
            except MarketError:
                lp = None
        line = PricedItem(item, lp)
        lines.append(line)
        if line.total is not None:
            total = line.total if total is None else total + line.total
    return BuildPrice(market, tuple(lines), total)


def build_of(parts: Iterable[tuple[AnyPart, int]], name: str = "build", market: str | None = None) -> Build:
    return Build(tuple(BuildItem(p, q) for p, q in parts), name, market)
