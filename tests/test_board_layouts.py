"""Two-GPU seating on real boards' slot layouts, as hardwareluxx.de's reviews place them.

Each review's lane table ("PCIe-Slots und deren Lane-Anbindung", page 3 of the
review: hardwareluxx.de/index.php/artikel/hardware/mainboards/<ARTICLE>.html?start=2)
has one row per expansion-slot position of the ATX board, top to bottom, "-" for
a position without a slot; the rows are quoted below. The boards are built-in
catalog parts declared ``unpriced`` (no stored source states a US price; see the
note in src/dlrig/data/catalog/motherboard.toml): they are planned where the user's
imported price lists price them. These tests check that each catalog entry records
the quoted rows, and that placement seats two cards on it as worked out by hand.

Expectations are worked out by hand from the rows and the ATX rule of
docs/data.md: a card w slots wide in position p covers positions p .. p + w - 1,
so the next card needs a slot at p + w or lower and the case needs p + w - 1
expansion slots. The catalog's RTX 3090 Founders Edition is a three-slot card,
the Gigabyte RTX 3090 Turbo a two-slot blower.
"""

from __future__ import annotations

import re

import pytest

from dlrig.catalog import builtin
from dlrig.catalog.builtin import unpriced_parts
from dlrig.rules.layout import GpuShape, board_key, seat

THREE = GpuShape(3)
TWO_BLOWER = GpuShape(2, blower=True)


def _cpu(pos, lanes, alone=None):
    return dict(position=pos, lanes=lanes, lanes_alone=alone or lanes, source="cpu")


def _pch(pos, lanes):
    return dict(position=pos, lanes=lanes, lanes_alone=lanes, source="chipset")


# name: (article, quoted rows, x16-size slots as the catalog must record them:
# position, lanes with every x16-size slot in use, lanes alone, bus)
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


IDS = {
    "ASUS ProArt B550-Creator": "motherboard/asus-proart-b550-creator",
    "Gigabyte X570S AORUS Master": "motherboard/gigabyte-x570s-aorus-master",
    "ASRock X570 Phantom Gaming X": "motherboard/asrock-x570-phantom-gaming-x",
    "MSI MPG X870E Carbon WiFi": "motherboard/msi-mpg-x870e-carbon-wifi",
    "ASUS ProArt B760-Creator D4": "motherboard/asus-proart-b760-creator-d4",
    "ASUS ROG Strix X870E-E Gaming WiFi": "motherboard/asus-rog-strix-x870e-e-gaming-wifi",
    "ASUS TUF Gaming X870-Plus WiFi": "motherboard/asus-tuf-gaming-x870-plus-wifi",
    "Gigabyte Z890 AORUS Master": "motherboard/gigabyte-z890-aorus-master",
}


@pytest.fixture(scope="module")
def cat():
    return builtin()


def _board(cat, name: str):
    return cat.get(IDS[name])


def _rows(name: str) -> list[str]:
    return [r.strip().strip('"') for r in BOARDS[name][1].split("|")]


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_catalog_records_the_quoted_rows(cat, name):
    """Every x16-size row of the quoted table is a recorded slot, in its row's position,
    with the row's bus (CPU or chipset), its width alone and its PCIe generation (the
    highest the row names); an ATX table has seven rows. The lanes with every slot in
    use are the hand-read ones of BOARDS (the reviews' split tables, quoted there)."""
    rows = _rows(name)
    assert len(rows) == 7
    x16 = [(i + 1, r) for i, r in enumerate(rows) if r.split(",")[0].endswith("x16")]
    b = _board(cat, name)
    assert b.form_factor == "ATX" and b.layout_known
    slots = b.pcie_slots
    assert [s.position for s in slots] == [p for p, _ in x16]
    for s, (_, row) in zip(slots, x16, strict=True):
        on_cpu = "(CPU)" in row or "Ryzen" in row
        assert s.source == ("cpu" if on_cpu else "chipset"), (name, row)
        assert f"x{s.lanes_alone}" in row.split(",")[1], (name, row)
        assert s.gen == max(int(g) for g in re.findall(r"PCIe (\d)\.0", row)), (name, row)
    want = [(d["position"], d["lanes"], d["lanes_alone"], d["source"]) for d in BOARDS[name][2]]
    assert [(s.position, s.lanes, s.lanes_alone, s.source) for s in slots] == want
    assert b.pcie_gen == slots[0].gen


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_layout_only_boards_carry_their_reason_and_no_price(cat, name):
    """No stored source states a US price for these boards: each says so
    (``unpriced``) and has no built-in price, so only an imported list prices it."""
    assert unpriced_parts().get(IDS[name])
    assert cat.prices(IDS[name]) == []


@pytest.mark.parametrize(("name", "case", "shapes"),
                         [(n, c, s) for n, cases in sorted(EXPECTED.items()) for c, s in cases])
def test_two_gpus_seat_as_worked_out_by_hand(cat, name, case, shapes):
    want = EXPECTED[name][(case, shapes)]
    s = seat(board_key(_board(cat, name)), SHAPES[shapes], case)
    if want is None:
        assert s.placement is None and s.checked
        return
    positions, lanes, reach = want
    assert s.placement is not None, s.reason
    assert s.placement.positions == positions
    assert s.placement.lanes == lanes
    assert s.placement.reach == reach
