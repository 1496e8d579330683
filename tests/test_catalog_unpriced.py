"""``unpriced``: a catalog part with no price must say why, and cannot also be priced.

A part specified from cited sources may have no price anyone can cite; its table
then states ``unpriced = "<why>"`` (docs/data.md, "Prices"). The loader keeps the
statement checked: an empty reason, or a price beside the reason (in the part's
table or in a market file), is a one-line CatalogError, not a silent gap.
"""

from __future__ import annotations

import pytest

from dlrig.catalog.builtin import load_dir, unpriced_parts
from dlrig.errors import CatalogError

BOARD = """[[motherboard]]
id = "motherboard/test-board"
name = "Test Board"
socket = "AM4"
chipset = "B550"
form_factor = "ATX"
memory_type = "DDR4"
memory_slots = 4
max_memory_gb = 128
"""
PRICE = ('prices = [{ market = "us", amount = 100, currency = "USD", date = 2024-01-01, '
         'source = "a dated quote" }]\n')
US = '[market]\ncode = "us"\nname = "United States"\ncurrency = "USD"\n'


def _write(root, board_extra: str, market_extra: str = ""):
    (root / "catalog").mkdir()
    (root / "markets").mkdir()
    (root / "catalog" / "motherboard.toml").write_text(BOARD + board_extra, encoding="utf-8")
    (root / "markets" / "us.toml").write_text(US + market_extra, encoding="utf-8")
    return root


def test_an_unpriced_part_loads_without_prices_and_its_reason_is_read(tmp_path):
    root = _write(tmp_path, 'unpriced = "no citable price"\n')
    cat = load_dir(root)
    assert "motherboard/test-board" in cat
    assert cat.prices("motherboard/test-board") == []
    assert unpriced_parts(root) == {"motherboard/test-board": "no citable price"}


@pytest.mark.parametrize("extra", ['unpriced = ""\n', 'unpriced = "  "\n', "unpriced = true\n"])
def test_unpriced_needs_a_reason(tmp_path, extra):
    with pytest.raises(CatalogError, match="must say why"):
        load_dir(_write(tmp_path, extra))


def test_a_part_cannot_be_unpriced_and_priced(tmp_path):
    with pytest.raises(CatalogError, match="cannot be 'unpriced'"):
        load_dir(_write(tmp_path, 'unpriced = "no citable price"\n' + PRICE))


def test_a_market_file_cannot_price_an_unpriced_part(tmp_path):
    quote = ('[[prices]]\npart = "motherboard/test-board"\namount = 100\ncurrency = "USD"\n'
             'date = 2024-01-01\nsource = "a dated quote"\n')
    with pytest.raises(CatalogError, match="declares 'unpriced'"):
        load_dir(_write(tmp_path, 'unpriced = "no citable price"\n', quote))


def test_a_priced_part_is_not_unpriced(tmp_path):
    root = _write(tmp_path, PRICE)
    assert len(load_dir(root).prices("motherboard/test-board")) == 1
    assert unpriced_parts(root) == {}
