"""--require/--exclude arguments as sets of parts, with words for what they cover.

A selector is a part (id or name), a GPU chip ('RTX 4090': any board of it;
'RTX 3060 12GB': only the 12 GB boards), or a maker: 'intel' and 'amd' alone
mean their CPUs, 'nvidia' (or 'amd gpu', 'intel gpu') the GPUs whose chip
they make, whoever made the board; any other maker is its parts in the
category named beside it ('asus gpu', 'msi motherboard'), or in the only
category it makes parts of. A maker of several categories without one named
is a one-line error asking which.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError, UnknownPartError
from ..parts import AnyPart, Category
from . import words as W

if TYPE_CHECKING:
    from .resolve import Resolver


CATEGORY_WORDS: dict[str, Category] = {
    **dict.fromkeys(("cpu", "cpus", "processor", "processors", "procesador", "procesadores"), Category.cpu),
    **dict.fromkeys(("gpu", "gpus", "card", "cards", "graphics", "video"), Category.gpu),
    **dict.fromkeys(("memory", "ram", "memoria"), Category.memory),
    **dict.fromkeys(("motherboard", "motherboards", "board", "boards", "mobo", "mother"),
                    Category.motherboard),
    **dict.fromkeys(("storage", "ssd", "ssds", "drive", "drives", "disk", "disks", "disco"),
                    Category.storage),
    **dict.fromkeys(("psu", "psus", "supply", "supplies", "fuente"), Category.psu),
    **dict.fromkeys(("case", "cases", "gabinete"), Category.case),
    **dict.fromkeys(("cooler", "coolers"), Category.cooler),
}
PLURAL = {Category.cpu: "CPUs", Category.gpu: "GPUs", Category.memory: "memory kits",
          Category.motherboard: "motherboards", Category.storage: "drives",
          Category.psu: "power supplies", Category.case: "cases", Category.cooler: "coolers"}
CHIP_VENDORS = {"nvidia": "NVIDIA", "geforce": "NVIDIA", "amd": "AMD", "radeon": "AMD",
                "intel": "Intel", "arc": "Intel"}


@dataclass(frozen=True)
class PartSet:
    """A --require/--exclude argument's parts, and in words what it covers."""

    category: Category
    ids: frozenset[str]
    label: str


def selector(r: Resolver, ref: str, where: str = "") -> PartSet:
    """A part (id or name), a GPU chip ('RTX 4090': any board of it), or a
    maker ('intel': Intel CPUs; 'nvidia': GPUs with an NVIDIA chip; 'asus
    gpu': ASUS boards), with a label saying what it covers."""
    hits = r.exact(ref)
    if len(hits) == 1:
        return PartSet(hits[0].category, frozenset({hits[0].id}), hits[0].name)
    chip = chip_set(r, ref)
    if chip is not None:
        return chip
    brand = brand_set(r, ref, where)
    if brand is not None:
        return brand
    try:
        p = r.find(ref)
    except UnknownPartError as e:
        raise UnknownPartError(ref, e.candidates, ambiguous=e.ambiguous, where=where) from None
    return PartSet(p.category, frozenset({p.id}), p.name)

def chip_set(r: Resolver, ref: str) -> PartSet | None:
    """Every board of the GPU chip ``ref`` names and nothing else ('RTX 3060 12GB')."""
    facts = W.read_text(ref, Category.gpu)
    idx = r.index(Category.gpu)
    chip = r._chip_of(facts, None, idx)
    if chip is None or facts.words:
        return None
    v = facts.specs.get("vram_gb")
    ids = frozenset(idx.entries[i].part.id for i in idx.by_chip[chip]
                    if v is None or idx.entries[i].part.vram_gb == v)
    if not ids:
        return None
    name = re.sub(r"\s*\d+\s*GB$", "", idx.entries[idx.by_chip[chip][0]].part.chipset)
    size = f" {v:g} GB" if v else ""
    return PartSet(Category.gpu, ids, f"any {name}{size} board ({len(ids)} in the catalog)")

def brand_set(r: Resolver, ref: str, where: str = "") -> PartSet | None:
    """A maker's parts in one category, or None when ``ref`` names no maker.

    'nvidia' (or 'amd gpu', 'intel gpu') means the GPU chip's maker, whoever
    made the board; 'intel' and 'amd' alone mean their CPUs; any other
    maker is its parts in the category named beside it ('asus gpu'), or in
    the only category it makes parts of.
    """
    toks = [t for t in W.fold(ref).replace("!", " ").split() if t]
    cats = {CATEGORY_WORDS[t] for t in toks if t in CATEGORY_WORDS}
    rest = " ".join(t for t in toks if t not in CATEGORY_WORDS)
    if not rest or len(cats) > 1:
        return None
    cat = next(iter(cats)) if cats else None
    pre = f"{where}: " if where else ""
    vendor = CHIP_VENDORS.get(rest)
    if vendor and (cat == Category.gpu or rest in ("nvidia", "geforce", "radeon", "arc")):
        ids = frozenset(p.id for p in r.catalog.parts(Category.gpu) if chip_vendor(p) == vendor)
        if not ids:
            raise InputError(f"{pre}'{ref}': the catalog has no GPU with an {vendor} chip",
                             hint="import a catalog with 'dlrig catalog import open-db'")
        return PartSet(Category.gpu, ids, f"GPUs with an {vendor} chip, any board maker "
                       f"({len(ids)} in the catalog)")
    by_cat: dict[Category, set[str]] = defaultdict(set)
    for p in r.catalog.parts():
        if p.brand and " ".join(W.fold(p.brand).replace("!", " ").split()) == rest:
            by_cat[p.category].add(p.id)
    if not by_cat:
        return None
    if cat is None and vendor and Category.cpu in by_cat:
        cat = Category.cpu  # 'intel', 'amd': the CPU makers
    if cat is None and len(by_cat) > 1:
        raise InputError(f"{pre}'{ref}' makes parts in {len(by_cat)} categories "
                         f"({', '.join(sorted(c.value for c in by_cat))})",
                         hint=f"say which, e.g. '{ref} {sorted(by_cat)[0].value}'")
    cat = cat or next(iter(by_cat))
    ids = frozenset(by_cat.get(cat, ()))
    brand = r.catalog.get(next(iter(set().union(*by_cat.values())))).brand
    if not ids:
        raise InputError(f"{pre}'{ref}': the catalog has no {brand} {PLURAL[cat]}",
                         hint=f"{brand} makes: {', '.join(sorted(c.value for c in by_cat))}")
    return PartSet(cat, ids, f"{brand} {PLURAL[cat]} ({len(ids)} in the catalog)")


def chip_vendor(p: AnyPart) -> str | None:
    from .gpu_specs import chip

    spec = chip(p.chipset)  # type: ignore[union-attr]
    if spec is not None:
        return spec.manufacturer
    low = p.chipset.lower()  # type: ignore[union-attr]
    for w, vendor in (("geforce", "NVIDIA"), ("rtx", "NVIDIA"), ("quadro", "NVIDIA"), ("tesla", "NVIDIA"),
                      ("radeon", "AMD"), ("firepro", "AMD"), ("arc", "Intel")):
        if w in low:
            return vendor
    return None
