"""Two-GPU seating on real boards' slot layouts, as hardwareluxx.de's reviews place them.

Each review's lane table ("PCIe-Slots und deren Lane-Anbindung", page 3 of the
review: hardwareluxx.de/index.php/artikel/hardware/mainboards/<ARTICLE>.html?start=2)
has one row per expansion-slot position of the ATX board, top to bottom, "-" for
a position without a slot; the rows are quoted below. These boards are *not* in
the built-in catalog: no stored source gave a US price for any of them, and every
built-in part needs one (see the note in src/dlrig/data/catalog/motherboard.toml).
The layouts are pinned here so that placement is checked on real boards, and so
that each can become a catalog entry as written once a US price is sourced.

Expectations are worked out by hand from the rows and the ATX rule of
docs/data.md: a card w slots wide in position p covers positions p .. p + w - 1,
so the next card needs a slot at p + w or lower and the case needs p + w - 1
expansion slots. The catalog's RTX 3090 Founders Edition is a three-slot card,
the Gigabyte RTX 3090 Turbo a two-slot blower.
"""

from __future__ import annotations

import pytest

from dlrig.parts import Motherboard
from dlrig.rules.layout import GpuShape, board_key, seat

THREE = GpuShape(3)
TWO_BLOWER = GpuShape(2, blower=True)


def _cpu(pos, lanes, alone=None):
    return dict(position=pos, lanes=lanes, lanes_alone=alone or lanes, source="cpu")


def _pch(pos, lanes):
    return dict(position=pos, lanes=lanes, lanes_alone=lanes, source="chipset")


# name: (article, quoted rows, x16-size slots as the catalog would record them)
BOARDS = {
    "ASUS ProArt B550-Creator": (
        "56041-einzigartig-mit-thunderbolt-4-das-asus-proart-b550-creator-im-test",
        '"-" | "PCIe 4.0 x16, x16/x8 (CPU)" | "-" | "PCIe 3.0 x1, x1 (B550)" | '
        '"PCIe 4.0 x16, x8 (CPU)" | "PCIe 3.0 x1, x1 (B550)" | "PCIe 3.0 x16, x4 (B550)"',
        [_cpu(2, 8, 16), _cpu(5, 8), _pch(7, 4)]),
    "Gigabyte X570S AORUS Master": (
        "56811-passive-pch-kuehlung-und-sinnvolle-aenderungen-gigabyte-x570s-aorus-master-im-test",
        '"-" | "PCIe 4.0 x16, x16/x8 (CPU)" | "-" | "-" | "PCIe 4.0 x16, x8 (CPU)" | "-" | '
        '"PCIe 4.0 x16, x4 (X570)"',
        [_cpu(2, 8, 16), _cpu(5, 8), _pch(7, 4)]),
    "ASRock X570 Phantom Gaming X": (
        "50624-oc-nur-mit-matisse-asrock-x570-phantom-gaming-x-im-test",
        '"-" | "PCIe 4.0 x16, x16/x8 (CPU)" | "-" | "PCIe 4.0 x1, x1 (X570)" | '
        '"PCIe 4.0 x16, x8 (CPU)" | "PCIe 4.0 x1, x1 (X570)" | "PCIe 4.0 x16, x4 (X570)"',
        [_cpu(2, 8, 16), _cpu(5, 8), _pch(7, 4)]),
    # With the second CPU slot in use the first runs x8 and the second x4 (the
    # review's split table: "PCIe 5.0 x16 (1): x16 | x8 ...; PCIe 5.0 x16 (2): - | x4").
    "MSI MPG X870E Carbon WiFi": (
        "64652-msi-mpg-x870e-carbon-wifi-im-test-fuer-die-gehobene-mittelklasse",
        '"-" | "PCIe 5.0/4.0 x16, PCIe 5.0 x16/x8 (Ryzen 7000/9000)" | "-" | "-" | "-" | '
        '"PCIe 5.0/4.0 x16, PCIe 5.0 x4 (Ryzen 7000/9000)" | "PCIe 4.0 x16, PCIe 4.0 x4 (X870E)"',
        [_cpu(2, 8, 16), _cpu(6, 4), _pch(7, 4)]),
    "ASUS ProArt B760-Creator D4": (
        "61205-asus-proart-b760-creator-d4-im-test-guenstiges-board-fuer-content-creator",
        '"-" | "PCIe 5.0 x16, x16 (CPU)" | "-" | "-" | "PCIe 4.0 x16, x4 (B760)" | "-" | '
        '"PCIe 3.0 x1, x1 (B760)"',
        [_cpu(2, 16), _pch(5, 4)]),
    # x16/x8: the x8 applies when the M.2_2/M.2_3 sockets take four lanes each, not
    # when the second x16-size slot is used, so the slot keeps 16 lanes beside it.
    "ASUS ROG Strix X870E-E Gaming WiFi": (
        "64908-asus-rog-strix-x870e-e-gaming-wifi-im-test-das-hero-lite-fuer-120-euro-weniger",
        '"-" | "-" | "PCIe 5.0/4.0 x16, PCIe 5.0 x16/x8 (Ryzen 7000/9000)" | "-" | "-" | "-" | '
        '"PCIe 4.0 x16, PCIe 4.0 x4 (X870E)"',
        [_cpu(3, 16), _pch(7, 4)]),
    "ASUS TUF Gaming X870-Plus WiFi": (
        "65080-asus-tuf-gaming-x870-plus-wifi-im-test-solide-und-gleichzeitig-hochpreisig",
        '"-" | "PCIe 5.0/4.0 x16, PCIe 5.0 x16/x8 (Ryzen 7000/9000)" | "-" | "-" | "-" | "-" | '
        '"PCIe 4.0 x16, PCIe 4.0 x4 (X870)"',
        [_cpu(2, 16), _pch(7, 4)]),
    # x16/x8: x8 when the M.2_D socket takes four of the 16 lanes (same page).
    "Gigabyte Z890 AORUS Master": (
        "65757-gigabyte-z890-aorus-master-im-test-nicht-fuer-die-speichertakt-jaeger-geeignet",
        '"-" | "PCIe 5.0 x16, x16/x8 (CPU)" | "-" | "-" | "-" | "PCIe 4.0 x16, x4 (Z890)" | '
        '"PCIe 4.0 x16, x1 (Z890)"',
        [_cpu(2, 16), _pch(6, 4), _pch(7, 1)]),
}

# name: (case slots, shapes) -> (positions, lanes, reach), or None where no seating fits.
EXPECTED = {
    # Two CPU x8 slots three apart: two three-slot cards cover 2-4 and 5-7.
    "ASUS ProArt B550-Creator": {(7, "3+3"): ((2, 5), (8, 8), 7)},
    "Gigabyte X570S AORUS Master": {(7, "3+3"): ((2, 5), (8, 8), 7)},
    "ASRock X570 Phantom Gaming X": {(7, "3+3"): ((2, 5), (8, 8), 7)},
    # CPU slots four apart: three-slot cards reach position 8 (an 8-slot case),
    # two-slot cards end at 7.
    "MSI MPG X870E Carbon WiFi": {(7, "3+3"): None, (8, "3+3"): ((2, 6), (8, 4), 8),
                                  (7, "2+2"): ((2, 6), (8, 4), 7)},
    # CPU x16 and the chipset's x4 three apart.
    "ASUS ProArt B760-Creator D4": {(7, "3+3"): ((2, 5), (16, 4), 7)},
    # A card in the bottom position 7 reaches 8 (two-slot) or 9 (three-slot).
    "ASUS ROG Strix X870E-E Gaming WiFi": {(7, "2+2"): None, (8, "2+2"): ((3, 7), (16, 4), 8),
                                           (9, "3+3"): ((3, 7), (16, 4), 9)},
    "ASUS TUF Gaming X870-Plus WiFi": {(7, "2+2"): None, (9, "3+3"): ((2, 7), (16, 4), 9)},
    # The x4 slot in 6 beats the x1 slot in 7 (wider, shorter reach).
    "Gigabyte Z890 AORUS Master": {(7, "3+3"): None, (8, "3+3"): ((2, 6), (16, 4), 8),
                                   (7, "2+2"): ((2, 6), (16, 4), 7)},
}

SHAPES = {"3+3": (THREE, THREE), "2+2": (TWO_BLOWER, TWO_BLOWER)}


def _board(name: str) -> Motherboard:
    slots = BOARDS[name][2]
    return Motherboard(id="motherboard/review-layout", name=name, socket="AM5", chipset="X870E",
                       form_factor="ATX", memory_type="DDR5", memory_slots=4, max_memory_gb=192,
                       pcie_slots=slots)


def _rows(name: str) -> list[str]:
    return [r.strip().strip('"') for r in BOARDS[name][1].split("|")]


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_recorded_slots_are_the_quoted_rows(name):
    """Every x16-size row of the quoted table is a recorded slot, in its row's position,
    with the row's bus (CPU or chipset); an ATX table has seven rows."""
    rows = _rows(name)
    assert len(rows) == 7
    x16 = [(i + 1, r) for i, r in enumerate(rows) if r.split(",")[0].endswith("x16")]
    slots = _board(name).pcie_slots
    assert [s.position for s in slots] == [p for p, _ in x16]
    for s, (_, row) in zip(slots, x16, strict=True):
        on_cpu = "(CPU)" in row or "Ryzen" in row
        assert s.source == ("cpu" if on_cpu else "chipset"), (name, row)
        assert f"x{s.lanes_alone}" in row.split(",")[1], (name, row)


@pytest.mark.parametrize(("name", "case", "shapes"),
                         [(n, c, s) for n, cases in sorted(EXPECTED.items()) for c, s in cases])
def test_two_gpus_seat_as_worked_out_by_hand(name, case, shapes):
    want = EXPECTED[name][(case, shapes)]
    s = seat(board_key(_board(name)), SHAPES[shapes], case)
    if want is None:
        assert s.placement is None and s.checked
        return
    positions, lanes, reach = want
    assert s.placement is not None, s.reason
    assert s.placement.positions == positions
    assert s.placement.lanes == lanes
    assert s.placement.reach == reach
