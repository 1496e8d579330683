"""Slot placement (rules/layout.py): which GPUs a board and a case can seat.

Geometry from the ATX specification 2.2 (seven expansion-slot positions,
Micro-ATX four) and card widths from the makers' pages: the RTX 4090 Founders
Edition is a 3-slot card, the RTX 3090 Turbo and RTX A6000 2-slot blowers
(NVIDIA and Gigabyte product pages).
"""

from __future__ import annotations

from dlrig.parts import Motherboard
from dlrig.rules.layout import GpuShape, board_key, min_reach, placements, seat

THREE = GpuShape(3)
TWO_BLOWER = GpuShape(2, blower=True)


def board(slots, ff="ATX", expansion_slots=None, **kw) -> Motherboard:
    return Motherboard(id="motherboard/test", name="Test board", socket="AM5", chipset="X870E",
                       form_factor=ff, memory_type="DDR5", memory_slots=4, max_memory_gb=192,
                       pcie_slots=slots, expansion_slots=expansion_slots, **kw)


X8X8 = [dict(position=1, lanes=8, lanes_alone=16, source="cpu"),
        dict(position=4, lanes=8, source="cpu"),
        dict(position=7, lanes=4, source="chipset")]


def test_two_three_slot_cards_on_cpu_slots_three_positions_apart():
    layout = board_key(board(X8X8))
    s = seat(layout, (THREE, THREE), 7)
    assert s.placement is not None and s.placement.positions == (1, 4)
    assert s.placement.on_chipset == 0 and s.placement.narrowest == 8
    # A 3-slot card in position 4 reaches position 6: a 7-slot ATX case holds it.
    assert s.placement.reach == 6


def test_a_card_covering_the_next_slot_is_impossible():
    layout = board_key(board([dict(position=1, lanes=16, source="cpu"),
                              dict(position=3, lanes=4, source="chipset")]))
    s = seat(layout, (THREE, THREE), 8)
    assert s.placement is None and s.checked and "cover" in s.reason
    # Two-slot blowers clear each other there.
    assert seat(layout, (TWO_BLOWER, TWO_BLOWER), 8).placement is not None


def test_the_bottom_card_needs_the_case_slots_it_reaches():
    # Micro-ATX, x16 at positions 1 and 4: a 3-slot card in position 4 reaches 6.
    layout = board_key(board([dict(position=1, lanes=16, source="cpu"),
                              dict(position=4, lanes=4, source="chipset")], ff="Micro-ATX"))
    assert min_reach(layout, (THREE, THREE)) == 6
    assert seat(layout, (THREE, THREE), 4).placement is None
    assert seat(layout, (THREE, THREE), 6).placement is not None


def test_best_placement_prefers_cpu_lanes():
    layout = board_key(board(X8X8))
    best = placements(layout, (TWO_BLOWER, TWO_BLOWER))[0]
    assert best.sources == ("cpu", "cpu")


def test_unknown_positions_seat_one_card_but_do_not_check_two():
    layout = board_key(board([dict(lanes=16, source="cpu"), dict(lanes=4, source="chipset")]))
    one = seat(layout, (THREE,), 7)
    assert one.placement is not None and one.placement.reach == 3
    two = seat(layout, (TWO_BLOWER, TWO_BLOWER), 7)
    assert two.placement is None and not two.checked


def test_slot_order_bounds_positions():
    # MSI-style list of four slots top to bottom: x16 (CPU), x1, x16-size (x4 chipset), x1.
    b = board([dict(index=1, lanes=16, source="cpu"), dict(index=3, lanes=4, source="chipset")],
              expansion_slots=4)
    layout = board_key(b)
    # The two x16 slots are at least two positions apart, whatever the empty positions:
    # two 2-slot cards are proven to clear each other...
    two = seat(layout, (TWO_BLOWER, TWO_BLOWER), 8)
    assert two.placement is not None and two.placement.proven
    # ... but 3-slot cards may or may not: not checked, never an error.
    three = seat(layout, (THREE, THREE), 9)
    assert three.placement is None and not three.checked
    # The lower slot has one slot below it: position 6 at the lowest on ATX, so a 2-slot
    # card there reaches at most 7 (a 7-slot case), at least 4.
    assert (two.placement.reach_lo, two.placement.reach_hi) == (4, 7)
    assert seat(layout, (TWO_BLOWER, TWO_BLOWER), 6).placement is None


def test_more_cards_than_x16_slots_is_an_error_not_unknown():
    layout = board_key(board([dict(lanes=16, source="cpu")]))
    s = seat(layout, (TWO_BLOWER, TWO_BLOWER), 7)
    assert s.placement is None and s.checked and "x16-size slots" in s.reason
