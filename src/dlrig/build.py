"""Builds: parts x quantity, read from TOML build files or PCPartPicker lists.

The TOML format is documented in ``docs/build-format.md``. A part is either a
catalog reference (``ref``: an id or an unambiguous name) or an inline part
(``category`` plus its fields). Every error names the file, the part and the
field, in one line.

Build files and pasted lists come from anyone (a forum post, an upload), so nothing in one
is trusted: every value is checked for its type before it is used (``part = [1, 2]``, a
list as a category, ``notes = 5``, arrays nested 50,000 deep, NaN, integers of thousands
of digits, a name of megabytes each get one line naming the part and field), text is
cleaned of control characters (``dlrig.text``), and a list has at most ``MAX_ROWS`` rows of
at most ``MAX_LINE`` characters, so no input makes the matcher work without end.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from . import files, validate
from .catalog import Catalog, LocalPrice
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
from .text import clean, show
from .units import Money

_PART = TypeAdapter(Part)

MAX_PARTS = 64  # [[part]] tables in a build: a machine has a dozen
MAX_ROWS = 64  # part rows in a PCPartPicker list
MAX_LINE = 1000  # characters of one list row (PCPartPicker's longest names are ~150)
MAX_NAME = 200  # characters of a build's or a part's name, a ref, a market code
MAX_TEXT = 2000  # characters of any other text value (a note, a source)
MAX_NOTES = 50


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

    def __post_init__(self) -> None:
        # The row's text is the list's, as pasted: shown in tables, messages and the web.
        object.__setattr__(self, "text", clean(self.text, limit=MAX_LINE))

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "part": self.part, "text": self.text, "category": self.category,
                "status": self.status, "part_id": self.part_id, "part_name": self.part_name,
                "quantity": self.quantity, "confidence": self.confidence, "reason": self.reason,
                "candidates": list(self.candidates)}


class PartListError(BuildFileError):
    """A part list or build file with rows that match no part, or several: every such
    row is in ``rows`` (``RowMatch``), the message names them all. ``head`` says how
    many; ``lines`` has one line per row (with its closest parts), for a front end that
    lists them one per line; the message is ``head: line; line; ...``."""

    def __init__(self, message: str, rows: tuple[RowMatch, ...], *, hint: str | None = None,
                 head: str | None = None, lines: tuple[str, ...] = ()):
        super().__init__(message, hint=hint, code="unmatched_rows")
        self.rows = rows
        self.head = clean(head or message, limit=MAX_LINE)
        self.lines = tuple(clean(line, limit=MAX_LINE) for line in lines)


INTENT_FIELDS: dict[str, type] = {
    "workload": str, "model": str, "task": str, "quant": str, "context": int, "users": int,
    "batch": int, "power_limit": str, "dataset_gb": int, "circuit_w": int,
    "allow_bios_update": bool, "used": bool, "max_age_days": int, "rate_kind": str,
}
# The range of each whole-number requirement, in a build's [intent] and in the CLI's
# options alike (one definition): wider than any machine, narrow enough that the
# arithmetic downstream stays exact.
RANGES: dict[str, tuple[int, int]] = {
    "context": (1, 10_000_000),  # tokens (dlrig.llm's own range)
    "users": (1, 1000),
    "batch": (1, 65_536),
    "dataset_gb": (1, 1_000_000),
    "circuit_w": (100, 20_000),
    "max_age_days": (1, 36_500),
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

    def __post_init__(self) -> None:
        # Names and notes come from files and forms and are shown everywhere.
        object.__setattr__(self, "name", clean(str(self.name), limit=MAX_NAME))
        object.__setattr__(self, "notes", tuple(clean(str(n), lines=True, limit=MAX_TEXT)
                                                for n in self.notes))

    def intended(self, key: str, default: Any = None) -> Any:
        return dict(self.intent).get(key, default)

    def of(self, category: Category | str) -> list[BuildItem]:
        c = category if isinstance(category, Category) else Category(category)
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


def _label(t: dict[str, Any]) -> str:
    """What a [[part]] table is called in messages: its ref or name, if text, cleaned."""
    for key in ("ref", "name"):
        v = t.get(key)
        if isinstance(v, str) and v.strip():
            return clean(v.strip(), limit=80)
    return "?"


def _quantity(qty: Any, where: str) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= validate.MAX_QUANTITY:
        raise BuildFileError(f"{where}: field 'quantity' must be a whole number from 1 to "
                             f"{validate.MAX_QUANTITY} (got {show(qty)})",
                             hint="a desktop takes at most 8 GPUs and 16 memory modules",
                             field="quantity")
    return qty


def _category(value: Any, where: str) -> Category:
    if isinstance(value, str) and value in Category.__members__:
        return Category(value)
    raise BuildFileError(f"{where}: unknown category {show(value)}",
                         hint="use one of " + ", ".join(c.value for c in Category))


def _check_values(t: dict[str, Any], where: str, depth: int = 0) -> None:
    """An inline part's values before pydantic sees them: finite numbers, text of a sane
    length, short lists (a float field would take NaN or infinity, and an unbounded one
    keep it)."""
    for key, v in t.items():
        name = clean(str(key), limit=60)
        if isinstance(v, float) and not math.isfinite(v):
            raise BuildFileError(f"{where}: field '{name}' must be a finite number (got {v})",
                                 hint="give the value from the datasheet")
        if isinstance(v, str) and len(v) > (MAX_NAME if key in ("name", "id") else MAX_TEXT):
            raise BuildFileError(f"{where}: field '{name}' is {len(v):,} characters long",
                                 hint="shorten it")
        if isinstance(v, list) and len(v) > MAX_PARTS:
            raise BuildFileError(f"{where}: field '{name}' has {len(v):,} values",
                                 hint="a part lists a few")
        if isinstance(v, dict | list) and depth < 3:
            items = v if isinstance(v, dict) else {f"{name}[{i}]": x for i, x in enumerate(v)}
            _check_values(items, where, depth + 1)


def validation_line(err: ValidationError) -> str:
    """One line from a pydantic error: "field 'x': problem (got value)", the value short."""
    e = err.errors()[0]
    loc = [str(x) for x in e["loc"]]
    if len(loc) > 1 and loc[0] in Category.__members__:
        loc = loc[1:]  # the union's tag
    got = e.get("input")
    got_s = "" if isinstance(got, dict) else f" (got {show(got)})"
    return f"field '{'.'.join(loc)}': {e['msg']}{got_s}"


def _item_from_table(t: Any, catalog: Catalog, where: str) -> BuildItem:
    if not isinstance(t, dict):
        raise BuildFileError(f"{where}: must be a table (got {show(t)})",
                             hint='write [[part]] with ref = "<catalog id or name>"')
    t = dict(t)
    label = _label(t)
    qty = _quantity(t.pop("quantity", 1), f"{where}: part '{label}'")
    if "ref" in t:
        ref = t.pop("ref")
        cat = t.pop("category", None)
        if not isinstance(ref, str) or not ref.strip():
            raise BuildFileError(f"{where}: field 'ref' must be text (got {show(ref)})",
                                 hint='e.g. ref = "cpu/intel-pentium-g4560" or its name')
        if len(ref) > MAX_NAME:
            raise BuildFileError(f"{where}: field 'ref' is {len(ref):,} characters long",
                                 hint="give a catalog id or a part's name")
        if t:
            raise BuildFileError(
                f"{where}: part '{label}': unexpected field(s) "
                f"{clean(', '.join(sorted(map(str, t))), limit=200)} beside 'ref'",
                hint="a catalog reference takes only ref, category and quantity",
            )
        if cat is not None:
            cat = _category(cat, f"{where}: part '{label}'")
        try:
            return BuildItem(catalog.resolve(ref, cat), qty)
        except UnknownPartError as e:
            raise _Unresolved(e) from None
    if "category" not in t:
        raise BuildFileError(
            f"{where}: part '{label}' has neither 'ref' nor 'category'",
            hint="give ref = \"<catalog id or name>\" or an inline part with category = \"cpu\" etc.",
        )
    _category(t["category"], f"{where}: part '{label}'")
    _check_values(t, f"{where}: part '{label}'")
    t.setdefault("id", "inline/" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-"))
    try:
        return BuildItem(_PART.validate_python(t), qty)
    except ValidationError as e:
        raise BuildFileError(f"{where}: part '{label}': {validation_line(e)}",
                             hint="fix the value or its unit") from None


def _text(data: dict[str, Any], key: str, where: str, limit: int = MAX_NAME) -> str | None:
    v = data.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise BuildFileError(f"{where}: '{key}' must be text (got {show(v)})",
                             hint=f'write {key} = "..."')
    if len(v) > limit:
        raise BuildFileError(f"{where}: '{key}' is {len(v):,} characters long",
                             hint=f"at most {limit:,}")
    return v


def _notes(value: Any, where: str) -> tuple[str, ...]:
    """``notes``: a text, or a list of texts."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if (not isinstance(items, list) or len(items) > MAX_NOTES
            or not all(isinstance(n, str) and len(n) <= MAX_TEXT for n in items)):
        raise BuildFileError(f"{where}: 'notes' must be a text or a list of at most {MAX_NOTES} "
                             f"texts of up to {MAX_TEXT:,} characters (got {show(value)})",
                             hint='write notes = ["...", "..."]')
    return tuple(items)


def _items(parts: list[Any], catalog: Catalog, where: str) -> list[BuildItem]:
    """Each [[part]] as a build item. A reference that matches no catalog part (or
    several) does not stop the reading: all of them are reported in one error
    (``PartListError``, one line per part with its closest matches), the same answer the
    CLI, the web and the library give; any other bad part stops at once."""
    items, bad, errs = [], [], []
    for n, t in enumerate(parts, 1):
        try:
            items.append(_item_from_table(t, catalog, f"{where} part {n}"))
        except _Unresolved as e:
            err = e.error
            errs.append(err)
            bad.append(RowMatch(None, err.ref, str(t.get("category") or ""),
                                "ambiguous" if err.ambiguous else "unmatched",
                                reason=err.message, candidates=tuple(err.candidates), part=n))
    if not bad:
        return items
    lines = tuple(f"part {r.part}: {e.one_line()}" for r, e in zip(bad, errs, strict=True))
    if len(bad) == 1:
        head = f"{where} part {bad[0].part}: {errs[0].message}"
        raise PartListError(head, tuple(bad), hint=errs[0].hint, head=head, lines=lines)
    head = f"{where}: {len(bad)} of {len(parts)} parts match no single catalog part"
    raise PartListError(f"{head}: " + "; ".join(lines), tuple(bad), head=head, lines=lines,
                        hint="check the names, or give an inline part")


class _Unresolved(Exception):
    """A [[part]] ref that matches no single catalog part (``_items`` gathers them)."""

    def __init__(self, error: UnknownPartError):
        super().__init__(error.one_line())
        self.error = error


def build_from_dict(data: dict[str, Any], catalog: Catalog, where: str = "build", *,
                    paths: bool = True) -> Build:
    """A build from a TOML document's table. ``paths=False`` (an upload to the web): an
    [intent] model must be a name from the model table, never a file on this machine."""
    if not isinstance(data, dict):
        raise BuildFileError(f"{where}: not a build (got {show(data)})",
                             hint="a build has name, market, notes, [intent] and [[part]] tables")
    unknown = set(data) - {"name", "market", "part", "notes", "source", "intent"}
    if unknown:
        raise BuildFileError(
            f"{where}: unknown top-level key(s) "
            f"{clean(', '.join(sorted(map(str, unknown))), limit=200)}",
            hint="a build has name, market, notes, [intent] and [[part]] tables")
    parts = data.get("part")
    if parts is None or parts == []:
        raise BuildFileError(f"{where}: no parts", hint="add [[part]] tables, each with ref = \"...\"")
    if not isinstance(parts, list):
        raise BuildFileError(f"{where}: 'part' must be [[part]] tables (got {show(parts)})",
                             hint="add [[part]] tables, each with ref = \"...\"")
    if len(parts) > MAX_PARTS:
        raise BuildFileError(f"{where}: {len(parts):,} parts; a build has at most {MAX_PARTS}",
                             hint="give each part once, with quantity = N")
    name = _text(data, "name", where)
    market = _text(data, "market", where)
    _text(data, "source", where, MAX_TEXT)
    notes = _notes(data.get("notes"), where)
    intent = intent_from_dict(data.get("intent"), where, paths=paths)
    items = _items(parts, catalog, where)
    matches = tuple(
        RowMatch(None, t["ref"], i.part.category.value, "matched", i.part.id, i.part.name,
                 i.quantity, "exact", "catalog id" if t["ref"] == i.part.id else "same name",
                 part=n)
        for n, (t, i) in enumerate(zip(parts, items, strict=True), 1) if "ref" in t)
    return Build(tuple(items), Path(where).stem if name is None else name, market,
                 where, notes, intent, matches)


def intent_from_dict(data: Any, where: str, *, paths: bool = True) -> tuple[tuple[str, Any], ...]:
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
            raise BuildFileError(f"{where}: unknown intent key {show(key)}",
                                 hint="known: " + ", ".join(INTENT_FIELDS))
        if not isinstance(value, want) or (want is int and isinstance(value, bool)):
            raise BuildFileError(f"{where}: intent '{key}' must be {want.__name__} "
                                 f"(got {show(value)})",
                                 hint=f"fix '{key}' in [intent]")
        if want is int and key in RANGES and not RANGES[key][0] <= value <= RANGES[key][1]:
            lo, hi = RANGES[key]
            raise BuildFileError(f"{where}: intent '{key}' must be from {lo:,} to {hi:,} "
                                 f"(got {show(value)})", hint=f"fix '{key}' in [intent]")
        if want is str and len(value) > MAX_NAME:
            raise BuildFileError(f"{where}: intent '{key}' is {len(value):,} characters long",
                                 hint=f"fix '{key}' in [intent]")
        if key == "model" and not paths and _looks_like_path(value) and not _named(value):
            raise BuildFileError(f"{where}: intent 'model' {show(value)} is a file path; "
                                 "here it must be a model's name",
                                 hint="name one from the model table ('dlrig models')")
        out.append((key, value))
    return tuple(out)


def _looks_like_path(model: str) -> bool:
    """A model given as a file (config.json, a folder, a .gguf) rather than a table name."""
    m = model.strip().lower()
    return ("/" in m or "\\" in m or m.startswith("~") or m.endswith((".json", ".gguf"))
            or m in (".", ".."))


def _named(model: str) -> bool:
    """Whether ``model`` is a name or alias of the model table ('meta-llama/Llama-3.1-8B')."""
    from .llm.models import models

    key = model.strip().lower()
    return any(key == m.name or key in (a.lower() for a in m.aliases) for m in models().values())


def load_build(path: str | Path, catalog: Catalog) -> Build:
    """Read a TOML build file, or a PCPartPicker markdown part list (.md/.txt).

    Read through ``dlrig.files``: a FIFO, a device, a folder or a file over the build
    limit is refused before it is opened.
    """
    try:
        text = files.read_text(path, "build")
    except BuildFileError:
        raise
    except InputError as e:
        raise BuildFileError(e.message, hint=e.hint, field=e.field, code=e.code) from None
    return build_from_text(text, catalog, str(files.expand(path)))


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """A TOML document's table, or one line: a syntax error, arrays nested too deep for the
    parser (``RecursionError``), an integer of more digits than Python converts."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise BuildFileError(f"{where}: invalid TOML: {e}",
                             hint="fix the syntax, or give PCPartPicker's part list "
                                  "(Type | Item | Price) as it is") from None
    except RecursionError:
        raise BuildFileError(f"{where}: invalid TOML: values nested too deep",
                             hint="a build nests tables and arrays a few levels") from None
    except ValueError as e:  # int('9' * 5000): over Python's digit limit
        raise BuildFileError(f"{where}: invalid TOML: {e}", hint="fix the value") from None


def build_from_text(text: str, catalog: Catalog, where: str, *, paths: bool = True) -> Build:
    """A build from a PCPartPicker list (markdown or plain text; also when ``where`` ends in
    .md/.txt) or a TOML build file's text: one reader for the CLI and the web (which gives
    ``paths=False``: an uploaded build names no file on the server, see ``build_from_dict``)."""
    if not text.strip():
        raise BuildFileError(f"{where}: empty",
                             hint="give a PCPartPicker part list or a TOML build with [[part]] "
                                  "tables")
    if where.lower().endswith((".md", ".txt", ".markdown")) or looks_like_pcpp(text):
        return parse_pcpp_markdown(text, catalog, where=where)
    return build_from_dict(parse_toml(text, where), catalog, where, paths=paths)


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
    # [ \t], not \s: '\s*' at every line start of a text of blank lines is quadratic.
    if re.search(r"^[ \t]*\|?[ \t]*Type[ \t]*\|[ \t]*Item[ \t]*\|", text, re.M):
        return True
    return bool(re.search(r"^PCPartPicker Part List", text, re.M)) and any(
        _text_row(line) for line in text.splitlines())


def _text_row(line: str) -> tuple[str, str] | None:
    """(type, item) of a plain-text export line ("Video Card: ..."), or None."""
    if len(line) > MAX_LINE:
        return None
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
        digits = q.group(1) or q.group(2)
        qty = int(digits) if len(digits) <= 12 else 10**12  # a count; a 5,000-digit one stays text
        name = name[: q.start()].strip()
    return clean(name), qty


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


def _long_row(where: str, lineno: int, line: str) -> None:
    raise BuildFileError(f"{where} line {lineno}: a row of {len(line):,} characters; a "
                         f"part list's rows are at most {MAX_LINE:,}",
                         hint="paste PCPartPicker's list as it exports it")


def parse_pcpp_markdown(text: str, catalog: Catalog, where: str = "part list") -> Build:
    """A build from PCPartPicker's "Type | Item | Price" markdown table.

    Every row is resolved; rows that match no part, or several, are all
    reported in one error (``PartListError``, each with its line), and the
    build records what each row became (``Build.matches``).
    """
    found: list[RowMatch] = []
    rows = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|", 2)]
        if len(cells) < 2:
            row = _text_row(line)  # the plain-text export
            if row is None:
                if len(line) > MAX_LINE and line.split(":", 1)[0].strip().lower() in PCPP_TYPES:
                    _long_row(where, lineno, line)
                continue
            cells = list(row)
        typ = cells[0].strip("* ").lower()
        if typ not in PCPP_TYPES:
            continue
        if len(line) > MAX_LINE:
            _long_row(where, lineno, line)
        rows += 1
        if rows > MAX_ROWS:
            raise BuildFileError(f"{where}: more than {MAX_ROWS} part rows (line {lineno})",
                                 hint="a part list has one row per part; split it")
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
        head = f"{where}: {len(bad)} of {rows} rows match no single catalog part"
        lines = tuple(_problem(r) for r in bad)
        raise PartListError(
            f"{head}: " + "; ".join(lines), bad, head=head, lines=lines,
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

    A saved plan's ``[intent]`` (used quotes allowed, a rate kind, an age limit) prices it
    as the plan did.

    One function for ``dlrig check`` and the web pages, so both show the same
    total. A part the catalog does not hold, or a missing exchange rate,
    leaves that line unpriced rather than failing the whole check.
    """
    lines, total = [], None
    terms = None
    if market:
        try:  # a saved plan is priced as it was planned: used quotes, rate kind, age limit
            terms = catalog.market(market).with_terms(
                used=bool(build.intended("used")), max_age_days=build.intended("max_age_days"),
                rate_kind=build.intended("rate_kind"))
        except MarketError:
            terms = None
    for item in build.items:
        lp = None
        if terms is not None and item.part.id in catalog:
            try:
                lp = catalog.local_price(item.part.id, terms)
            except MarketError:
                lp = None
        line = PricedItem(item, lp)
        lines.append(line)
        if line.total is not None:
            total = line.total if total is None else total + line.total
    return BuildPrice(market, tuple(lines), total)


def build_of(parts: Iterable[tuple[AnyPart, int]], name: str = "build", market: str | None = None) -> Build:
    return Build(tuple(BuildItem(p, q) for p, q in parts), name, market)
