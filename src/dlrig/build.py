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
from rapidfuzz import fuzz, process

from .catalog import Catalog, LocalPrice, normalize_name
from .catalog.builtin import validation_message
from .errors import BuildFileError, MarketError, UnknownPartError
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
    planner enforced. Options given to ``check`` win over it.
    """

    items: tuple[BuildItem, ...]
    name: str = "build"
    market: str | None = None
    source: str | None = None
    notes: tuple[str, ...] = field(default=())
    intent: tuple[tuple[str, Any], ...] = ()

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
    if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1 or qty > 16:
        raise BuildFileError(
            f"{where}: part '{label}': field 'quantity' must be a whole number from 1 to 16 (got {qty!r})"
        )
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
    return Build(tuple(items), str(data.get("name", Path(where).stem)), data.get("market"),
                 where, tuple(data.get("notes", ())), intent_from_dict(data.get("intent"), where))


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
_NOISE = re.compile(
    r"\b(\d+(\.\d+)?\s*ghz|\d+-core|(dual|quad|hexa|octa|\d+)-?core|processor|video card|"
    r"desktop memory|internal solid state drive|internal hard drive|atx power supply|"
    r"fully modular|semi-modular|non-modular|tower case|mid tower|full tower|"
    r"cl\d+|\d+\s*rpm|cpu cooler|m\.2-\d+|nvme|pcie \d\.0 x\d)\b",
    re.I,
)


def looks_like_pcpp(text: str) -> bool:
    return bool(re.search(r"^\s*\|?\s*Type\s*\|\s*Item\s*\|", text, re.M))


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


def match_name(name: str, catalog: Catalog, category: Category, threshold: float = 82) -> AnyPart | None:
    """The catalog part a store's or PCPartPicker's name refers to, or None.

    Exact normalised names win; otherwise rapidfuzz's token-set score, kept
    only when it clears ``threshold`` and beats the runner-up clearly.
    """
    try:
        return catalog.resolve(name, category)
    except UnknownPartError:
        pass
    pool = {p.id: normalize_name(p.name) for p in catalog.parts(category)}
    query = normalize_name(_NOISE.sub(" ", name))
    hits = process.extract(query, pool, scorer=fuzz.token_set_ratio, limit=2)
    if not hits or hits[0][1] < threshold:
        return None
    if len(hits) > 1 and hits[1][1] >= hits[0][1] - 1 and hits[1][1] >= threshold:
        # Two equally good names: prefer the one with more shared tokens.
        a, b = hits[0], hits[1]
        ra = fuzz.token_sort_ratio(query, a[0])
        rb = fuzz.token_sort_ratio(query, b[0])
        if abs(ra - rb) < 3:
            return None
        return catalog.get(a[2] if ra > rb else b[2])
    return catalog.get(hits[0][2])


def parse_pcpp_markdown(text: str, catalog: Catalog, where: str = "part list") -> Build:
    """A build from PCPartPicker's "Type | Item | Price" markdown table."""
    items: list[BuildItem] = []
    problems: list[str] = []
    rows = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            continue
        typ = cells[0].strip("* ").lower()
        if typ not in PCPP_TYPES:
            continue
        rows += 1
        name, qty = _clean_item(cells[1])
        part = match_name(name, catalog, PCPP_TYPES[typ])
        if part is None:
            near = catalog.closest(name, PCPP_TYPES[typ], limit=3)
            problems.append(f"line {lineno}: no catalog {PCPP_TYPES[typ].value} matches '{name}'"
                            + (f" (closest: {'; '.join(near)})" if near else ""))
            continue
        items.append(BuildItem(part, qty))
    if rows == 0:
        raise BuildFileError(f"{where}: no 'Type | Item | Price' rows found",
                             hint="paste PCPartPicker's markdown part list, or use a TOML build file")
    if problems:
        raise BuildFileError(f"{where}: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
                             hint="add the part to the catalog or use a TOML build with an inline part")
    merged: dict[str, int] = {}
    parts: dict[str, AnyPart] = {}
    for i in items:
        merged[i.part.id] = merged.get(i.part.id, 0) + i.quantity
        parts[i.part.id] = i.part
    return Build(tuple(BuildItem(parts[k], q) for k, q in merged.items()), "PCPartPicker list", source=where)


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
