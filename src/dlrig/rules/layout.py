"""Where the GPUs go: slot placement on the board, and what the case must hold.

A board's x16-size slots sit at expansion-slot *positions* (1 = nearest the
CPU; ``parts.PcieSlot``). A card of width w in the slot at position p covers
positions p .. p + w - 1, so the next card needs a slot at p + w or lower,
and the bottom card reaches position p + w - 1, which the case's expansion
slots must cover (boards are mounted top-aligned, so board position n is case
slot n). ``place`` searches every way to seat the cards and keeps the best:
fewest cards on chipset lanes, then the widest narrowest link, then the
shortest reach. The rules ``fit.pcie-slots``, ``fit.gpu-slots``,
``dl.pcie-lanes`` and ``dl.blower`` read this one function, and the planner
calls them through the registry, so placement has one definition.

Keys, not parts, are passed (``board_key``, ``gpu_key``, ``case_key``), as
``GpuSetRule`` requires: the planner groups parts by them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

# Expansion-slot positions of a board of each form factor (ATX specification 2.2:
# seven; Micro-ATX four; Mini-ITX one; E-ATX/EEB keep ATX's seven; XL-ATX 8-9).
POSITIONS = {"E-ATX": 7, "ATX": 7, "Micro-ATX": 4, "Mini-ITX": 1, "Mini-DTX": 2,
             "XL-ATX": 9, "SSI-EEB": 7, "SSI-CEB": 7}


@dataclass(frozen=True)
class BoardLayout:
    """What placement reads of a board (its key for the planner)."""

    form_factor: str
    x16_slots: int
    slots: tuple  # ((position | None, lanes, lanes_alone | None, source | None), ...)

    @property
    def known(self) -> bool:
        return bool(self.slots) and all(p is not None and src is not None
                                        for p, _, _, src in self.slots)


@dataclass(frozen=True)
class GpuShape:
    """What placement reads of a card: slots covered, cooler kind."""

    slots: int
    blower: bool = False
    passive: bool = False


def board_key(board) -> BoardLayout:
    return BoardLayout(board.form_factor, board.pcie_x16_slots,
                       tuple((s.position, s.lanes, s.lanes_alone, s.source)
                             for s in board.pcie_slots))


def gpu_key(gpu) -> GpuShape:
    return GpuShape(math.ceil(gpu.slot_width - 1e-9), gpu.blower, gpu.passive)


def case_key(case) -> int:
    return case.expansion_slots


@dataclass(frozen=True)
class Placement:
    """One way to seat the cards: per card, its slot's position, lanes and source."""

    positions: tuple[int, ...]
    widths: tuple[int, ...]
    lanes: tuple[int, ...]
    sources: tuple[str, ...]
    shapes: tuple[GpuShape, ...] = ()

    @property
    def reach(self) -> int:
        """The lowest expansion-slot position a card covers (the case must have it)."""
        return max(p + w - 1 for p, w in zip(self.positions, self.widths, strict=True))

    @property
    def on_chipset(self) -> int:
        return sum(1 for s in self.sources if s == "chipset")

    @property
    def narrowest(self) -> int:
        return min(self.lanes)

    def adjacent_open_air(self) -> int:
        """Open-air cards whose cooler touches the next card (no free slot between)."""
        order = sorted(range(len(self.positions)), key=lambda i: self.positions[i])
        touching = set()
        for a, b in itertools.pairwise(order):
            if self.positions[a] + self.widths[a] >= self.positions[b]:
                for i in (a, b):
                    sh = self.shapes[i] if self.shapes else None
                    if sh is not None and not sh.blower:
                        touching.add(i)
        return len(touching)

    def describe(self) -> str:
        """'x8 (CPU) in position 1, x4 (chipset) in position 4'."""
        order = sorted(range(len(self.positions)), key=lambda i: self.positions[i])
        return ", ".join(f"x{self.lanes[i]} ({'CPU' if self.sources[i] == 'cpu' else 'chipset'}) "
                         f"in position {self.positions[i]}" for i in order)


def _quality(pl: Placement) -> tuple:
    """Lower is better: fewer cards on chipset lanes, wider narrowest link, shorter reach."""
    return (pl.on_chipset, -pl.narrowest, pl.reach)


@lru_cache(maxsize=4096)
def placements(layout: BoardLayout, shapes: tuple[GpuShape, ...]) -> tuple[Placement, ...]:
    """Every way to seat ``shapes`` in the board's known slots, best first (empty: none).

    Only for boards whose every x16-size slot has a known position and lane
    source (``layout.known``). Mixed cards are tried in every distinct order.
    """
    k = len(shapes)
    slots = layout.slots
    if k == 0 or k > len(slots):
        return ()
    out = []
    for chosen in itertools.combinations(range(len(slots)), k):
        for order in set(itertools.permutations(shapes)):
            ok = True
            for (i, a), b in zip(itertools.pairwise(chosen), order, strict=False):
                if slots[a][0] < slots[i][0] + b.slots:
                    ok = False
                    break
            if not ok:
                continue
            lanes = tuple((slots[i][2] or slots[i][1]) if k == 1 else slots[i][1] for i in chosen)
            out.append(Placement(tuple(slots[i][0] for i in chosen),
                                 tuple(s.slots for s in order), lanes,
                                 tuple(slots[i][3] for i in chosen), tuple(order)))
    out.sort(key=_quality)
    return tuple(out)


@dataclass(frozen=True)
class Seating:
    """The outcome of seating the cards on a board (and in a case when one is given)."""

    placement: Placement | None  # the best one that fits (None: no physical way)
    reason: str = ""  # why there is none, or why it could not be checked
    checked: bool = True  # False: the board's layout is unknown
    board_only: Placement | None = None  # best placement ignoring the case


def seat(layout: BoardLayout, shapes: tuple[GpuShape, ...], case_slots: int | None) -> Seating:
    """Seat the cards: the best placement the board and the case allow.

    With an unknown layout one card is assumed in position 1 (the case check
    then equals the old "card slots <= case slots" test); two or more cannot
    be checked.
    """
    k = len(shapes)
    if k > layout.x16_slots:
        return Seating(None, f"{k} GPUs but {layout.x16_slots} x16-size slots")
    if layout.known:
        options = placements(layout, shapes)
    elif k == 1:
        options = (Placement((1,), (shapes[0].slots,), (16,), ("cpu",), shapes),)
    else:
        return Seating(None, "the positions and wiring of the board's x16 slots are not in "
                             "the data", checked=False)
    if not options:
        positions = ", ".join(str(s[0]) for s in layout.slots)
        return Seating(None, f"the cards cover {' + '.join(str(s.slots) for s in shapes)} slots "
                             f"and its x16 slots sit at positions {positions}: a card would "
                             f"cover the next one's slot")
    if case_slots is None:
        return Seating(options[0], board_only=options[0])
    fits = [p for p in options if p.reach <= case_slots]
    if not fits:
        reach = min(p.reach for p in options)
        return Seating(None, f"the bottom card reaches expansion-slot position {reach} but the "
                             f"case has {case_slots} slots", board_only=options[0])
    return Seating(fits[0], board_only=options[0])


def min_reach(layout: BoardLayout, shapes: tuple[GpuShape, ...]) -> int | None:
    """The lowest position the cards must reach on this board (None: they cannot be seated)."""
    s = seat(layout, shapes, None)
    if s.placement is None:
        return None
    if not layout.known:
        return s.placement.reach
    return min(p.reach for p in placements(layout, shapes))
