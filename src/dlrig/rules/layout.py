"""Where the GPUs go: slot placement on the board, and what the case must hold.

A board's x16-size slots sit at expansion-slot *positions* (1 = nearest the
CPU; ``parts.PcieSlot``). A card of width w in the slot at position p covers
positions p .. p + w - 1, so the next card needs a slot at p + w or lower,
and the bottom card reaches position p + w - 1, which the case's expansion
slots must cover (boards are mounted top-aligned, so board position n is case
slot n). ``seat`` searches every way to seat the cards and keeps the best:
fewest cards on chipset lanes, then the widest narrowest link, then the
shortest reach. The rules ``fit.pcie-slots``, ``fit.gpu-slots``,
``dl.pcie-lanes`` and ``dl.blower`` read this one function, and the planner
calls them through the registry, so placement has one definition.

Where a maker publishes only the *order* of the board's expansion slots
(``PcieSlot.index`` among ``expansion_slots``), positions are bounded: a slot
with ``i - 1`` slots above it is at position ``i`` or lower, and no lower than
the last position less the slots below it; two slots ``d`` ranks apart are at
least ``d`` positions apart. A placement is *proven* when it fits for every
position the bounds allow, *impossible* when it fits for none, and otherwise
not checked.

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
class SlotBounds:
    """One x16-size slot as placement reads it: where it can be, how it is wired."""

    lo: int  # highest position it can be at (1 = top)
    hi: int  # lowest position it can be at
    rank: int | None  # its index among all the board's expansion slots, when known
    lanes: int
    lanes_alone: int | None
    source: str | None

    @property
    def exact(self) -> bool:
        return self.lo == self.hi


@dataclass(frozen=True)
class BoardLayout:
    """What placement reads of a board (its key for the planner)."""

    form_factor: str
    x16_slots: int
    slots: tuple[SlotBounds, ...]

    @property
    def known(self) -> bool:
        return bool(self.slots) and all(s.source is not None for s in self.slots) and all(
            s.lo >= 1 for s in self.slots)


@dataclass(frozen=True)
class GpuShape:
    """What placement reads of a card: slots covered, cooler kind."""

    slots: int
    blower: bool = False
    passive: bool = False


def board_key(board) -> BoardLayout:
    positions = POSITIONS.get(board.form_factor, 7)
    n = board.expansion_slots
    slots = []
    for s in board.pcie_slots:
        if s.position is not None:
            lo = hi = s.position
        elif s.index is not None and n is not None:
            lo, hi = s.index, positions - (n - s.index)
        else:
            lo, hi = 0, 0  # unknown
        slots.append(SlotBounds(lo, hi, s.index, s.lanes, s.lanes_alone,
                                s.source if lo >= 1 else None))
    return BoardLayout(board.form_factor, board.pcie_x16_slots, tuple(slots))


def gpu_key(gpu) -> GpuShape:
    return GpuShape(math.ceil(gpu.slot_width - 1e-9), gpu.blower, gpu.passive)


def case_key(case) -> int:
    return case.expansion_slots


@dataclass(frozen=True)
class Placement:
    """One way to seat the cards: per card, its slot and the slot's lanes and source.

    ``positions`` are the slots' highest possible positions (exact where the
    data has them); ``reach_hi`` the lowest position a card may reach.
    """

    positions: tuple[int, ...]
    widths: tuple[int, ...]
    lanes: tuple[int, ...]
    sources: tuple[str, ...]
    shapes: tuple[GpuShape, ...] = ()
    reach_lo: int = 0  # the bottom card reaches at least this position
    reach_hi: int = 0  # ... and at most this one
    proven: bool = True  # the cards clear each other for every position the data allows
    exact: bool = True  # every slot's position is known exactly

    @property
    def reach(self) -> int:
        """The lowest expansion-slot position a card may cover (the case must have it)."""
        return self.reach_hi

    @property
    def on_chipset(self) -> int:
        return sum(1 for s in self.sources if s == "chipset")

    @property
    def narrowest(self) -> int:
        return min(self.lanes)

    def adjacent_open_air(self) -> int:
        """Open-air cards whose cooler touches the next card (no free slot between).

        With slot positions known only by order, cards are taken to touch where
        they may (the cautious reading for a cooling warning)."""
        order = sorted(range(len(self.positions)), key=lambda i: self.positions[i])
        touching = set()
        for a, b in itertools.pairwise(order):
            if self.positions[a] + self.widths[a] >= self.positions[b] or not self.exact:
                for i in (a, b):
                    sh = self.shapes[i] if self.shapes else None
                    if sh is not None and not sh.blower:
                        touching.add(i)
        return len(touching)

    def describe(self) -> str:
        """'x8 (CPU) in position 1, x4 (chipset) in position 4'."""
        order = sorted(range(len(self.positions)), key=lambda i: self.positions[i])
        where = "position" if self.exact else "slot rank"
        return ", ".join(f"x{self.lanes[i]} ({'CPU' if self.sources[i] == 'cpu' else 'chipset'}) "
                         f"in {where} {self.positions[i]}" for i in order)


def _quality(pl: Placement) -> tuple:
    """Lower is better: proven first, fewer cards on chipset lanes, wider narrowest link,
    shorter reach."""
    return (not pl.proven, pl.on_chipset, -pl.narrowest, pl.reach_hi)


def _gap(a: SlotBounds, b: SlotBounds) -> tuple[int, int]:
    """(fewest, most) positions between slot a and the lower slot b."""
    lo = b.lo - a.hi
    if a.rank is not None and b.rank is not None:
        lo = max(lo, b.rank - a.rank)
    return lo, b.hi - a.lo


@lru_cache(maxsize=4096)
def placements(layout: BoardLayout, shapes: tuple[GpuShape, ...]) -> tuple[Placement, ...]:
    """Every way to seat ``shapes`` in the board's slots that is not impossible, best first.

    Only for boards whose every x16-size slot has a known position (or order)
    and lane source (``layout.known``). Mixed cards are tried in every
    distinct order. A placement that fits only for some of the positions the
    data allows is kept with ``proven = False``.
    """
    k = len(shapes)
    slots = layout.slots
    if k == 0 or k > len(slots):
        return ()
    out = []
    for chosen in itertools.combinations(range(len(slots)), k):
        for order in set(itertools.permutations(shapes)):
            proven, possible = True, True
            for (i, j), card in zip(itertools.pairwise(chosen), order, strict=False):
                least, most = _gap(slots[i], slots[j])
                if most < card.slots:
                    possible = False
                    break
                if least < card.slots:
                    proven = False
            if not possible:
                continue
            lanes = tuple((slots[i].lanes_alone or slots[i].lanes) if k == 1 else slots[i].lanes
                          for i in chosen)
            last = slots[chosen[-1]]
            out.append(Placement(
                tuple(slots[i].lo for i in chosen), tuple(s.slots for s in order), lanes,
                tuple(slots[i].source for i in chosen), tuple(order),
                reach_lo=last.lo + order[-1].slots - 1, reach_hi=last.hi + order[-1].slots - 1,
                proven=proven, exact=all(slots[i].exact for i in chosen)))
    out.sort(key=_quality)
    return tuple(out)


@dataclass(frozen=True)
class Seating:
    """The outcome of seating the cards on a board (and in a case when one is given)."""

    placement: Placement | None  # the best one that fits (None: no proven way)
    reason: str = ""  # why there is none, or why it could not be checked
    checked: bool = True  # False: the data cannot tell (unknown layout, or bounds too loose)
    board_only: Placement | None = None  # best placement ignoring the case


def seat(layout: BoardLayout, shapes: tuple[GpuShape, ...], case_slots: int | None) -> Seating:
    """Seat the cards: the best placement the board and the case allow, proven.

    With an unknown layout one card is assumed in position 1 (the case check
    then equals the old "card slots <= case slots" test); two or more cannot
    be checked. With slot positions known only by order, a placement that
    may or may not fit is "not checked".
    """
    k = len(shapes)
    if k > layout.x16_slots:
        return Seating(None, f"{k} GPUs but {layout.x16_slots} x16-size slots")
    if layout.known:
        options = placements(layout, shapes)
    elif k == 1:
        w = shapes[0].slots
        options = (Placement((1,), (w,), (16,), ("cpu",), shapes, reach_lo=w, reach_hi=w),)
    else:
        return Seating(None, "the positions and wiring of the board's x16 slots are not in "
                             "the data", checked=False)
    if not options:
        where = ", ".join(str(s.lo) if s.exact else f"{s.lo}-{s.hi}" for s in layout.slots)
        return Seating(None, f"the cards cover {' + '.join(str(s.slots) for s in shapes)} slots "
                             f"and its x16 slots sit at positions {where}: a card would "
                             f"cover the next one's slot")
    board_best = options[0]
    if case_slots is None:
        fits = list(options)
    else:
        fits = [p for p in options if p.reach_lo <= case_slots]
        if not fits:
            reach = min(p.reach_lo for p in options)
            return Seating(None, f"the bottom card reaches expansion-slot position {reach} but "
                                 f"the case has {case_slots} slots", board_only=board_best)
    proven = [p for p in fits if p.proven and (case_slots is None or p.reach_hi <= case_slots)]
    if proven:
        return Seating(proven[0], board_only=board_best)
    return Seating(None, "the maker lists the board's slots in order but not their positions, "
                         "and whether the cards clear each other (and the case) depends on them",
                   checked=False, board_only=board_best)


def min_reach(layout: BoardLayout, shapes: tuple[GpuShape, ...]) -> int | None:
    """The lowest position the cards must reach on this board (None: they cannot be seated)."""
    s = seat(layout, shapes, None)
    if s.board_only is None:
        return None
    if not layout.known:
        return s.board_only.reach_lo
    return min(p.reach_lo for p in placements(layout, shapes))
