"""Names the importers and the CLI have called the resolver by (``resolve.py``).

``Matcher`` (rows of a price list), ``spec_filters`` (a pc-part-dataset row's
specs as a filter) and ``find_part`` (``catalog show``, ``prices history``)
all ask the catalog's one ``Resolver``, so a name means the same part
wherever it is typed. The matching rules live in ``resolve.py`` and
``words.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..parts import AnyPart, Category
from . import Catalog
from .agree import checks_of, disagree, row_specs
from .resolve import CHIP, GENERIC_PREFIX, Match, Resolver

__all__ = ["GENERIC_PREFIX", "Match", "Matcher", "find_part", "spec_filters"]


class Matcher:
    """A price list's view of the resolver: one row at a time, by category."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.resolver: Resolver = catalog.resolver

    @property
    def _entries(self) -> dict[Category, Any]:
        """The categories indexed so far (an index is built on first use)."""
        return self.resolver._idx

    def _indexed(self, category: Category):
        return self.resolver.index(category)

    def match(self, category: Category, name: str, keep: Callable[[AnyPart], bool] | None = None) -> Match:
        return self.resolver.match(name, category, keep=keep)

    def match_gpu(self, name: str, chipset: str, vram: float | None, length: float | None = None) -> Match:
        """A board by chip + VRAM + name, else the chip-level entry, else unmatched."""
        specs = {"vram_gb": float(vram) if vram else None, "length_mm": length}
        return self.resolver.match(name, Category.gpu, specs={k: v for k, v in specs.items() if v},
                                   chipset=chipset or None)

    def match_chip(self, name: str) -> Match | None:
        """The chip-level entry for a row that names only a GPU chip ('GeForce RTX
        3060 12GB'); None when the name is not a chip's alone (a board, a CPU)."""
        if self.resolver.chip_set(name) is None:
            return None
        m = self.resolver.match(name, Category.gpu)
        return m if m.status == "matched" and m.confidence == CHIP else None


class _Probe:
    """An index entry for a part outside any index (a spec check needs its year)."""

    def __init__(self, part: AnyPart):
        from .resolve import _year

        self.part = part
        self.year = _year(part.name)
        self.year_slack = 0


def spec_filters(category: Category, row: dict[str, Any]) -> Callable[[AnyPart], bool]:
    """A predicate keeping only parts whose specs agree with a pc-part-dataset row."""
    checks = checks_of(row_specs(category, row))
    return lambda p: disagree(_Probe(p), checks) is None  # type: ignore[arg-type]


def find_part(catalog: Catalog, ref: str, category: Category | str | None = None) -> AnyPart:
    """A part the way people type it: an id, a full name, or a few words
    (``Resolver.find``): a chip-level GPU entry for a chip's name, one part
    for words only it holds, an error listing them when several do."""
    return catalog.resolver.find(ref, category)
