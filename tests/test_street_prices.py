"""The built-in US street and used prices: dated, sourced, marked for what they are.

Launch MSRPs stay as history; dated 2025-2026 quotes read in public sources follow
them. A used quote says ``condition = "used"``; a partner board's price that is only
the chip's launch MSRP says ``stand_in = true``. Figures are pinned to the text they
were read in (cited at each).
"""

from __future__ import annotations

import datetime as dt

import pytest

from dlrig.catalog import builtin
from dlrig.parts import Category

RTX_3090 = ("gpu/gigabyte-geforce-rtx-3090-turbo", "gpu/nvidia-geforce-rtx-3090-founders-edition")
RTX_4090 = ("gpu/nvidia-geforce-rtx-4090-founders-edition", "gpu/asus-tuf-geforce-rtx-4090-oc")
A6000 = "gpu/nvidia-rtx-a6000"
P40 = "gpu/nvidia-tesla-p40"


@pytest.fixture(scope="module")
def cat():
    return builtin()


def us_quotes(cat, part_id, condition=None):
    return [p for p in cat.prices(part_id, "us")
            if condition is None or p.condition == condition]


def latest(quotes):
    return max(quotes, key=lambda p: p.date)


# -- used quotes ------------------------------------------------------------------------

def test_rtx_3090_has_a_recent_used_quote(cat):
    # BestLLMfor, "Two RTX 3090s for Local LLM" (2026-05-16): used RTX 3090s "have settled
    # around $750 on Reddit's hardware swap and eBay's sold-listings filter".
    for pid in RTX_3090:
        q = latest(us_quotes(cat, pid, "used"))
        assert q.condition == "used" and q.date == dt.date(2026, 5, 16)
        assert q.amount_minor == 750_00 and "BestLLMfor" in q.source


def test_rtx_4090_has_street_and_used_quotes_from_may_2026(cat):
    # runlocalai.co, "Best GPU for local AI in 2026" (May 2026): the RTX 4090 "still in
    # retail at $1,800-2,000 new, $1,400-1,700 used"; dlrig stores the midpoints.
    for pid in RTX_4090:
        new = latest(us_quotes(cat, pid, "new"))
        used = latest(us_quotes(cat, pid, "used"))
        assert new.amount_minor == 1900_00 and used.amount_minor == 1550_00
        assert new.date == used.date == dt.date(2026, 5, 1)
        assert not new.stand_in and "runlocalai" in new.source and "runlocalai" in used.source


def test_workstation_and_datacenter_cards_people_buy_used_have_used_quotes(cat):
    # SpecPicks, "Best GPU for Local Llama 70B in 2026": "a single used RTX A6000 48 GB at
    # $2,800". Local AI Master, "Tesla P40 for Local LLMs (2026)" (2026-06-20): "often
    # around $260-$330 as of June 2026" (midpoint 295).
    assert latest(us_quotes(cat, A6000, "used")).amount_minor == 2800_00
    assert latest(us_quotes(cat, P40, "used")).amount_minor == 295_00
    assert latest(us_quotes(cat, P40, "used")).date == dt.date(2026, 6, 20)


def test_condition_and_source_agree_on_every_us_price(cat):
    """A price whose source reads as second-hand is marked used, and only such a price."""
    for part in cat.parts():
        for p in us_quotes(cat, part.id):
            says_used = p.source.startswith(("used:", "used market:"))
            assert (p.condition == "used") == says_used, (part.id, p.source)


def test_used_quotes_are_recent(cat):
    for part in cat.parts(Category.gpu):
        for p in us_quotes(cat, part.id, "used"):
            assert p.date >= dt.date(2025, 1, 1), (part.id, p.date)


# -- stand-ins ----------------------------------------------------------------------------

def test_chip_msrp_on_a_partner_board_is_a_stand_in(cat):
    """'NVIDIA launch MSRP (chip; ...)' is the chip's price, not the board's own: a stand-in.
    A Founders Edition price is NVIDIA's own board's and never one."""
    seen = 0
    for part in cat.parts(Category.gpu):
        for p in us_quotes(cat, part.id):
            chip_msrp = p.source.startswith("NVIDIA launch MSRP (chip")
            assert p.stand_in == chip_msrp, (part.id, p.source)
            if "Founders Edition" in p.source:
                assert not p.stand_in
            seen += chip_msrp
    assert seen >= 20


def test_asus_astral_5090_price_is_a_stand_in(cat):
    # The ASUS ROG Astral's record says the board lists higher than the chip's 1,999 USD,
    # and no source in hand states its own price: it keeps a stand-in only.
    quotes = us_quotes(cat, "gpu/asus-rog-astral-geforce-rtx-5090-oc")
    assert quotes and all(p.stand_in for p in quotes)


# -- street prices --------------------------------------------------------------------------

def test_rtx_5090_street_price_follows_its_launch_msrp(cat):
    # runlocalai.co (May 2026): "$1,999 MSRP, $2,300-2,800 street" (midpoint 2,550).
    quotes = us_quotes(cat, "gpu/nvidia-geforce-rtx-5090-founders-edition", "new")
    assert {p.amount_minor for p in quotes} >= {1999_00, 2550_00}
    assert latest(quotes).amount_minor == 2550_00


def test_ddr5_street_prices_of_the_2025_shortage(cat):
    # Nerd Reactor (December 2025): "Corsair's similarly spec'd Vengeance DDR5 kit jumped
    # from $134.99 in September to $427.99 by December". ai-checker.webcoda.com.au (Pangoly
    # price history): the Crucial 64GB DDR5-5600 kit "By December 3rd, it peaked at $549.99".
    corsair = latest(us_quotes(cat, "memory/corsair-vengeance-32gb-2x16gb-ddr5-6000"))
    crucial = latest(us_quotes(cat, "memory/crucial-64gb-2x32gb-ddr5-5600"))
    assert (corsair.amount_minor, corsair.date) == (427_99, dt.date(2025, 12, 1))
    assert (crucial.amount_minor, crucial.date) == (549_99, dt.date(2025, 12, 3))


def test_every_2025_2026_us_quote_is_dated_and_sourced(cat):
    for part in cat.parts():
        for p in us_quotes(cat, part.id):
            if p.date >= dt.date(2025, 6, 1):
                assert p.source.strip() and p.date <= dt.date.today(), (part.id, p)
