"""The filters each slot offers: the specs a builder narrows a list by.

A filter is data (a key, a label, a kind, the part's value), so the web form, the
JSON answer and the tests read one table and cannot disagree on what "24 GB" or
"at most 320 mm" selects. Kinds:

- ``choice``: the part's value is one of the chosen values (VRAM 24 GB, socket AM5);
  for a part whose value is a tuple (a case's board form factors, a cooler's sockets),
  any of them;
- ``min`` / ``max``: the part's number is at least / at most the bound (a PSU of at
  least 850 W, a card of at most 320 mm).

A part whose value is unknown (``None``) never passes a filter the person set: a
card whose length nobody recorded is not "at most 320 mm".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..parts import AnyPart, Category


@dataclass(frozen=True)
class Filter:
    key: str  # the query parameter, e.g. "vram" or "length_max"
    label: str
    kind: Literal["choice", "min", "max"]
    value: Callable[[AnyPart], Any]
    unit: str = ""

    def text(self, v: Any) -> str:
        """A value as the form and the query write it ('24', 'AM5', '10.5')."""
        if isinstance(v, float):
            return f"{v:g}"
        return str(v)

    def values_of(self, part: AnyPart) -> tuple[str, ...]:
        """The part's value(s) as texts; () when unknown."""
        v = self.value(part)
        if v is None:
            return ()
        if isinstance(v, tuple | list):
            return tuple(self.text(x) for x in v)
        return (self.text(v),)

    def passes(self, part: AnyPart, wanted: Any) -> bool:
        """Whether ``part`` passes this filter set to ``wanted`` (a set of texts for a
        choice, a number for a bound)."""
        if self.kind == "choice":
            return bool(wanted & set(self.values_of(part)))
        v = self.value(part)
        if v is None:
            return False
        return v >= wanted if self.kind == "min" else v <= wanted


def _ff(p):
    return p.form_factor


FILTERS: dict[Category, tuple[Filter, ...]] = {
    Category.gpu: (
        Filter("vram", "VRAM", "choice", lambda p: p.vram_gb, "GB"),
        Filter("length_max", "Length at most", "max", lambda p: p.length_mm, "mm"),
        Filter("slot_width_max", "Slot width at most", "max", lambda p: p.slot_width, "slots"),
        Filter("power_max", "Board power at most", "max", lambda p: p.board_power_w, "W"),
    ),
    Category.cpu: (
        Filter("socket", "Socket", "choice", lambda p: p.socket),
        Filter("cores_min", "Cores at least", "min", lambda p: p.cores),
    ),
    Category.motherboard: (
        Filter("socket", "Socket", "choice", lambda p: p.socket),
        Filter("form_factor", "Form factor", "choice", _ff),
        Filter("memory_type", "Memory type", "choice", lambda p: p.memory_type),
    ),
    Category.memory: (
        Filter("capacity", "Capacity (kit)", "choice", lambda p: p.total_gb, "GB"),
        Filter("memory_type", "Memory type", "choice", lambda p: p.memory_type),
    ),
    Category.storage: (
        Filter("capacity_min", "Capacity at least", "min", lambda p: p.capacity_gb, "GB"),
        Filter("interface", "Interface", "choice", lambda p: p.interface),
        Filter("kind", "Kind", "choice", lambda p: p.kind),
    ),
    Category.psu: (
        Filter("wattage_min", "Wattage at least", "min", lambda p: p.wattage_w, "W"),
        Filter("form_factor", "Form factor", "choice", _ff),
    ),
    Category.case: (
        Filter("form_factor", "Board form factor", "choice", lambda p: p.form_factors),
        Filter("gpu_length_min", "Takes GPUs of at least", "min", lambda p: p.max_gpu_length_mm,
               "mm"),
    ),
    Category.cooler: (
        Filter("socket", "Socket", "choice", lambda p: p.sockets),
        Filter("kind", "Kind", "choice", lambda p: p.kind),
        Filter("height_max", "Height at most", "max", lambda p: p.height_mm, "mm"),
    ),
}


def filters_for(slot: Category) -> tuple[Filter, ...]:
    return FILTERS[slot]


def choices(f: Filter, parts: Iterable[AnyPart]) -> list[tuple[str, int]]:
    """The values a choice filter offers among ``parts``, with how many parts have each:
    numbers in numeric order, words in alphabetical order."""
    counts: Counter[str] = Counter()
    for p in parts:
        counts.update(set(f.values_of(p)))

    def key(v: str):
        try:
            return (0, float(v), "")
        except ValueError:
            return (1, 0.0, v.lower())

    return [(v, counts[v]) for v in sorted(counts, key=key)]
