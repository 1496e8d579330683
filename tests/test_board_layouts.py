"""Slot positions of the two-GPU boards, pinned to the reviews that place them.

Each board's positions come from hardwareluxx.de's lane table for it: one row
per expansion-slot position of the ATX board, top to bottom, "-" for a
position without a slot (the rows are quoted in the board's catalog comment).
The seating expectations are worked out by hand from those rows and the ATX
rule docs/data.md states: a card w slots wide in position p covers positions
p .. p + w - 1, so the next card needs a slot at p + w or lower and the case
needs p + w - 1 expansion slots. NVIDIA's GeForce RTX 3090 Founders Edition is
a three-slot card (the catalog's slot_width 3), the Gigabyte RTX 3090 Turbo a
two-slot blower.
"""

from __future__ import annotations

import pytest

from dlrig.catalog import builtin
from dlrig.rules.layout import GpuShape, board_key, seat

THREE_SLOT = GpuShape(3)
TWO_SLOT_BLOWER = GpuShape(2, blower=True)


@pytest.fixture(scope="module")
def cat():
    return builtin()


def _slots(board):
    return [(s.position, s.lanes, s.lanes_alone, s.source) for s in board.pcie_slots]


def test_proart_b550_creator_two_cpu_slots_three_apart(cat):
    """hardwareluxx.de, "Das ASUS ProArt B550-Creator im Test", page 3
    (hardwareluxx.de/index.php/artikel/hardware/mainboards/56041-...-im-test.html?start=2):
    rows "-", "PCIe 4.0 x16 x16/x8 (CPU)", "-", "PCIe 3.0 x1 (B550)", "PCIe 4.0 x16 x8
    (CPU)", "PCIe 3.0 x1 (B550)", "PCIe 3.0 x16 x4 (B550)": the CPU's x8/x8 slots in
    positions 2 and 5, the chipset x4 slot in 7. Two three-slot cards cover 2-4 and
    5-7: both on x8 CPU lanes, and a 7-slot case holds them."""
    b = cat.get("motherboard/asus-proart-b550-creator")
    assert _slots(b) == [(2, 8, 16, "cpu"), (5, 8, 8, "cpu"), (7, 4, 4, "chipset")]
    s = seat(board_key(b), (THREE_SLOT, THREE_SLOT), 7)
    assert s.placement is not None
    assert s.placement.positions == (2, 5)
    assert s.placement.lanes == (8, 8) and s.placement.sources == ("cpu", "cpu")
    assert s.placement.reach == 7


def test_x570s_aorus_master_two_cpu_slots_three_apart(cat):
    """hardwareluxx.de, "Gigabyte X570S AORUS Master im Test", page 3
    (hardwareluxx.de/index.php/artikel/hardware/mainboards/56811-...-im-test.html?start=2):
    rows "-", "PCIe 4.0 x16 x16/x8 (CPU)", "-", "-", "PCIe 4.0 x16 x8 (CPU)", "-",
    "PCIe 4.0 x16 x4 (X570)" -- "lediglich drei mechanische PCIe-4.0-x16-Slots"."""
    b = cat.get("motherboard/gigabyte-x570s-aorus-master")
    assert _slots(b) == [(2, 8, 16, "cpu"), (5, 8, 8, "cpu"), (7, 4, 4, "chipset")]
    s = seat(board_key(b), (THREE_SLOT, THREE_SLOT), 7)
    assert s.placement is not None and s.placement.positions == (2, 5)
    assert s.placement.on_chipset == 0 and s.placement.narrowest == 8


def test_x870e_carbon_cpu_slots_four_apart_need_an_eight_slot_case_for_three_slot_cards(cat):
    """hardwareluxx.de, "MSI MPG X870E Carbon WiFi im Test", page 3
    (www.hardwareluxx.de/index.php/artikel/hardware/mainboards/64652-...-im-test-...html?start=2):
    rows "-", "PCIe 5.0 x16/x8 (Ryzen 7000/9000)", "-", "-", "-", "PCIe 5.0 x4 (Ryzen
    7000/9000)", "PCIe 4.0 x4 (X870E)"; the lane split table gives slot (1) x8 and
    slot (2) x4 when both are used. Two three-slot cards in 2 and 6 cover 2-4 and 6-8:
    position 5 stays free, but the bottom card needs an 8-slot case; two-slot cards
    end at position 7."""
    b = cat.get("motherboard/msi-mpg-x870e-carbon-wifi")
    assert _slots(b) == [(2, 8, 16, "cpu"), (6, 4, 4, "cpu"), (7, 4, 4, "chipset")]
    layout = board_key(b)
    assert seat(layout, (THREE_SLOT, THREE_SLOT), 7).placement is None
    s8 = seat(layout, (THREE_SLOT, THREE_SLOT), 8)
    assert s8.placement is not None and s8.placement.positions == (2, 6)
    assert s8.placement.lanes == (8, 4) and s8.placement.on_chipset == 0
    assert s8.placement.adjacent_open_air() == 0  # 2 + 3 = 5 < 6: a free position between
    s7 = seat(layout, (TWO_SLOT_BLOWER, TWO_SLOT_BLOWER), 7)
    assert s7.placement is not None and s7.placement.reach == 7


def test_proart_b760_creator_d4_cpu_x16_and_chipset_x4_three_apart(cat):
    """hardwareluxx.de, "ASUS ProArt B760-Creator D4 im Test", page 3
    (hardwareluxx.de/index.php/artikel/hardware/mainboards/61205-...-im-test-...html?start=2):
    rows "-", "PCIe 5.0 x16 x16 (CPU)", "-", "-", "PCIe 4.0 x16 x4 (B760)", "-", "PCIe
    3.0 x1" (a mechanical x1 slot). Two three-slot cards cover 2-4 and 5-7, the second
    on the chipset's x4 lanes; four-slot cards cannot both seat (2 + 4 > 5)."""
    b = cat.get("motherboard/asus-proart-b760-creator-d4")
    assert _slots(b) == [(2, 16, 16, "cpu"), (5, 4, 4, "chipset")]
    layout = board_key(b)
    s = seat(layout, (THREE_SLOT, THREE_SLOT), 7)
    assert s.placement is not None and s.placement.positions == (2, 5)
    assert s.placement.on_chipset == 1 and s.placement.reach == 7
    assert seat(layout, (GpuShape(4), GpuShape(4)), 9).placement is None
