"""Which quotes a plan reads (issue 13): new only unless ``--used``; a real quote before a
chip-MSRP stand-in; stale quotes counted; an exchange rate kind asked for by name exists.

The quotes added here are test data (a card's price made up for the test, marked
source="test"); what is pinned is the selection rule, not any market's price.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dlrig.catalog import Catalog, builtin, pick_quote
from dlrig.errors import MarketError
from dlrig.optimize import OPTIMAL, PlanRequest, plan
from dlrig.parts import Category, Price
from dlrig.units import Money

D = dt.date(2025, 11, 1)


def _q(amount: int, condition: str = "new", stand_in: bool = False, date: dt.date = D,
       estimated: bool = False) -> Price:
    return Price(market="us", amount_minor=amount * 100, currency="USD", date=date,
                 source="test", condition=condition, stand_in=stand_in, estimated=estimated)


def test_the_quote_read_is_new_unless_used_is_allowed_then_the_cheapest():
    quotes = [_q(1000), _q(700, "used"), _q(800, "refurbished")]
    assert pick_quote(quotes).amount_minor == 100000
    both = ("new", "used", "refurbished")
    assert pick_quote(quotes, both).condition == "used"
    assert pick_quote([_q(700, "used")]) is None  # no new quote: not priced for a new plan


def test_a_stand_in_is_never_below_its_chips_real_street_price():
    """A partner board priced by its chip's launch MSRP costs at least what a board of the
    same chip really sells for (built-in data: the 5090 FE's street quote)."""
    cat = builtin()
    fe = cat.local_price("gpu/nvidia-geforce-rtx-5090-founders-edition", "us")
    astral = cat.local_price("gpu/asus-rog-astral-geforce-rtx-5090-oc", "us")
    assert not fe.stand_in and astral.stand_in
    assert astral.money.minor >= fe.money.minor
    assert "raised to the cheapest real quote" in astral.basis


def test_a_real_quote_beats_a_chip_msrp_stand_in_even_when_older():
    old_real = _q(1200, date=dt.date(2025, 3, 1))
    msrp = _q(999, stand_in=True, date=dt.date(2025, 10, 1))
    assert pick_quote([old_real, msrp]) is old_real
    assert pick_quote([msrp]) is msrp  # alone, the stand-in prices the board (marked)
    # per condition the latest quote (a store's before an estimate of the same day)
    assert pick_quote([_q(900, date=dt.date(2025, 1, 1)), _q(950)]).amount_minor == 95000
    assert pick_quote([_q(900, estimated=True), _q(950)]).estimated is False


@pytest.fixture(scope="module")
def with_used_3090():
    """The built-in catalog with a used RTX 3090 FE quote (test data) at 650 USD, newer than
    the built-in used quotes (the latest quote of a condition is the one read)."""
    base = builtin()
    cat = Catalog(parts=base.parts(), markets=base.markets.values())
    cat.rates = base.rates
    for p in base.parts():
        for q in base.prices(p.id):
            cat.add_price(p.id, q)
    fe = "gpu/nvidia-geforce-rtx-3090-founders-edition"
    cat.add_price(fe, Price(market="us", amount_minor=65000, currency="USD",
                            date=dt.date(2026, 11, 1), source="test", store="test store",
                            condition="used"))
    return cat, fe


def test_a_used_card_competes_only_when_asked_and_is_marked(with_used_3090):
    cat, fe = with_used_3090
    req = PlanRequest(Money.of(1500, "USD"), "us", workload="llm-inference", explain=False)
    new_only = plan(cat, req)
    assert new_only.status == OPTIMAL
    assert fe not in [p.part.id for p in new_only.parts]
    used = plan(cat, PlanRequest(Money.of(1500, "USD"), "us", workload="llm-inference",
                                 used=True, explain=False))
    assert used.status == OPTIMAL
    gpu = next(p for p in used.parts if p.part.category == Category.gpu)
    assert gpu.part.id == fe and gpu.unit_price.condition == "used"
    d = used.to_dict()
    row = next(p for p in d["parts"] if p["id"] == fe)
    assert row["condition"] == "used" and row["price_store"] == "test store"
    assert ("used", True) in used.build.intent  # a saved plan is priced as planned


def test_stale_quotes_are_counted_and_max_age_moves_the_cut_off():
    cat = builtin()
    wide = plan(cat, PlanRequest(Money.of(1500, "USD"), "us", explain=False))
    assert wide.ok
    narrow = plan(cat, PlanRequest(Money.of(1500, "USD"), "us", max_age_days=30))
    # The built-in quotes are months or years old: a 30-day cut-off leaves them out, said.
    assert narrow.stats.candidates["stale"] > wide.stats.candidates["stale"]
    assert "stale price" in (narrow.infeasibility.summary if narrow.infeasibility else "")


def test_an_exchange_rate_kind_asked_by_name_must_exist():
    cat = builtin()
    with pytest.raises(MarketError, match="no ccl exchange rate USD->ARS") as e:
        plan(cat, PlanRequest(Money.of(1500, "USD"), "ar", rate_kind="ccl", explain=False))
    assert e.value.field == "rate_kind"
    res = plan(cat, PlanRequest(Money.of(1500, "USD"), "ar", explain=False))
    assert any("official rate of" in n for n in res.notes)  # which rate, and its date
    blue = plan(cat, PlanRequest(Money.of(1500, "USD"), "ar", rate_kind="blue", explain=False))
    assert any("blue rate of" in n for n in blue.notes)
    # The card rate is derived from the official one and the dated surcharge when no card
    # quote exists that day (ArgentinaDatos' tarjeta = oficial x 1.6 on 2024-01-05).
    r = cat.rates.lookup("USD", "ARS", dt.date(2024, 1, 5), "card")
    assert r.kind == "card" and float(r.rate) == pytest.approx(830.25 * 1.6)
