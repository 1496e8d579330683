"""The built-in markets: one per currency offered, each sourced, each planning, each
powering ``dlrig power`` with its own mains and tariff.

Every figure pinned here is a published one, cited where it is used: NVIDIA's local
launch prices (which the markets' markup and VAT must reproduce from the US price),
the cited VAT rates, socket ratings, tariffs and Federal Reserve exchange rates.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlrig.catalog import builtin
from dlrig.cli import app
from dlrig.errors import InputError
from dlrig.market import Market, Tariff, circuit_default, mains_default
from dlrig.power import efficiency_pct, running_cost, tariff_for
from dlrig.units import CURRENCIES

REPO = Path(__file__).resolve().parents[1]
POST_BUILD = REPO / "examples" / "ar-2017-05" / "build.toml"
NEW_MARKETS = ("de", "uk", "in", "br")
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def cat():
    return builtin()


# -- every currency offered has a market ----------------------------------------------


def test_every_currency_offered_has_a_market_and_every_market_currency_is_offered(cat):
    market_currencies = {m.currency for m in cat.markets.values()}
    assert set(CURRENCIES) == market_currencies


def test_new_markets_estimate_from_us_and_say_what_they_rest_on(cat):
    for code in NEW_MARKETS:
        m = cat.market(code)
        assert m.estimate_from == "us" and m.max_price_age_days == 1826
        assert m.note and len(m.sources) >= 4, code
        assert m.tariff is not None and m.tariff.source and m.tariff.currency == m.currency
        assert m.mains_v and m.circuit_w


# -- markups and VAT reproduce NVIDIA's local launch prices ----------------------------

JAN_2025 = dt.date(2025, 1, 31)  # the month the RTX 50 series launched (rates: Jan average)
FE_5090 = "gpu/nvidia-geforce-rtx-5090-founders-edition"


@pytest.mark.parametrize("code, published, source", [
    # Eurogamer.de, Digital Foundry "Nvidia GeForce RTX 5090 Test" (2025-01):
    # "Mit einem Preis von 2.329 Euro".
    ("de", 2329, "Eurogamer.de"),
    # Digital Foundry RTX 5090 review (Eurogamer, 2025-01): "At $2000/£1940".
    ("uk", 1940, "Digital Foundry"),
    # Digit.in RTX 5090 review (2025-01): "At a price of INR 2,14,000".
    ("in", 214000, "Digit.in"),
    # airobots.com.br (CES 2025): NVIDIA's suggested price for Brazil, RTX 5090 R$ 19.999.
    ("br", 19999, "airobots.com.br"),
])
def test_market_estimate_of_the_rtx_5090_matches_its_local_launch_price(cat, code, published,
                                                                        source):
    lp = cat.local_price(FE_5090, code, JAN_2025)
    assert lp is not None and lp.estimated
    assert lp.money.currency == cat.market(code).currency
    assert float(lp.money.amount) == pytest.approx(published, rel=0.005), source


@pytest.mark.parametrize("part, usd, brl", [
    # airobots.com.br (CES 2025): R$ 10.000 / 7.500 / 5.500 for the RTX 5080, 5070 Ti, 5070,
    # whose US launch MSRPs are 999, 749 and 549 USD.
    ("gpu/nvidia-geforce-rtx-5080-founders-edition", 999, 10000),
    ("gpu/msi-geforce-rtx-5070-ti-ventus-3x-oc", 749, 7500),
    ("gpu/nvidia-geforce-rtx-5070-founders-edition", 549, 5500),
])
def test_brazil_factor_holds_across_the_rtx_50_launch_prices(cat, part, usd, brl):
    m = cat.market("br")
    rate = cat.rates.lookup("USD", "BRL", JAN_2025).rate
    assert float(Decimal(usd) * rate * m.factor) == pytest.approx(brl, rel=0.005)


def test_vat_rates_are_the_published_ones(cat):
    # mindlink.lv "VAT rates in EU": Germany 19 %; caponeshop.it "Tax rules": United
    # Kingdom 20 %; busy.in "GST rate for computer and IT hardware": graphics cards 18 %.
    assert cat.market("de").vat_pct == 19
    assert cat.market("uk").vat_pct == 20
    assert cat.market("in").vat_pct == 18
    # US list prices exclude sales tax; Argentina's and Brazil's markups are all-in.
    assert {cat.market(c).vat_pct for c in ("us", "ar", "br")} == {0}


def test_factor_multiplies_markup_import_tax_and_vat():
    m = Market(code="x", name="x", currency="EUR", markup_pct=10, import_tax_pct=5, vat_pct=20)
    assert m.factor == Decimal("1.1") * Decimal("1.05") * Decimal("1.2")


@pytest.mark.parametrize("quote, rate", [
    # US Federal Reserve H.10 monthly averages for January 2025 (FRED EXUSEU and EXUSUK
    # inverted, EXINUS, EXBZUS) as published in github.com/datasets/exchange-rates,
    # data/monthly.csv @ fa7d949: 0.9656 EUR, 0.8095 GBP, 86.2652 INR, 6.0109 BRL per USD.
    ("EUR", "0.9656"), ("GBP", "0.8095"), ("INR", "86.2652"), ("BRL", "6.0109"),
])
def test_rates_are_the_federal_reserve_monthly_averages(cat, quote, rate):
    r = cat.rates.lookup("USD", quote, JAN_2025)
    assert r.rate == Decimal(rate) and r.date == JAN_2025
    assert "Federal Reserve H.10" in r.source
    latest = cat.rates.lookup("USD", quote, None)
    assert latest.date >= dt.date(2026, 6, 30)


# -- mains and circuits ---------------------------------------------------------------

@pytest.mark.parametrize("code, volts, amps", [
    ("us", 120, 15),  # NEC 15 A circuits (existing us.toml)
    ("ar", 220, 10),  # IRAM 2073 10 A outlets (existing ar.toml)
    ("de", 230, 16),  # schuko-wzv.de: Schuko "16 A ... 3,680 W at 230 V"
    ("uk", 230, 13),  # BS 1363 plugs fused at 13 A (automaticwasher.org forum)
    ("in", 230, 6),   # IS 1293 6 A sockets (sidverma.io; indiaquickfacts.com)
    ("br", 127, 10),  # NBR 14136 10 A sockets (Senado Federal), 127 V (ABNT via eriberto.pro.br)
])
def test_circuit_is_volts_times_the_cited_rating_times_0_8(cat, code, volts, amps):
    m = cat.market(code)
    assert mains_default(m) == volts
    assert circuit_default(m) == round(volts * amps * 0.8)


def test_mains_default_without_a_market_is_us():
    assert mains_default(None) == 120


def test_230_v_curves_are_the_80_plus_eu_internal_figures():
    # latex4ei/tex4tum _article/electronics/computer/psu.md, "Non-Redundant PSU" (230 V EU
    # internal): Gold 90 / 92 / 89 % at 20 / 50 / 100 % load; Bronze 85 / 88 / 85 %.
    assert efficiency_pct("80+ Gold", 0.5, 230) == 92
    assert efficiency_pct("80+ Gold", 0.2, 230) == 90
    assert efficiency_pct("80+ Bronze", 1.0, 230) == 85
    # On 120 V (and 127 V) the 115 V curves hold: Gold 90 % at half load.
    assert efficiency_pct("80+ Gold", 0.5, 120) == 90
    assert efficiency_pct("80+ Gold", 0.5, 127) == 90
    assert efficiency_pct("80+ Gold", 0.5) == 90


# -- tariffs --------------------------------------------------------------------------

@pytest.mark.parametrize("code, per_kwh, currency", [
    # Eurostat news release 2025-10-29 (nrg_pc_204): Germany EUR 38.35 per 100 kWh, H1 2025.
    ("de", 0.3835, "EUR"),
    # Ofgem energy price cap, 1 July - 30 September 2025: 25.73 pence per kWh (Direct Debit).
    ("uk", 0.2573, "GBP"),
    # KERC order for 2024-25 (The New Indian Express, 2024-02-29): Rs 5.90 per unit.
    ("in", 5.90, "INR"),
    # ANEEL InfoTarifa (MegaWhat, 2025-04-07): residential B1 average R$ 736/MWh, March 2025.
    ("br", 0.736, "BRL"),
    # ENRE res. 823-842/2025 (lenergygroup.com): Edesur excess consumption $ 125.37 per kWh.
    ("ar", 125.37, "ARS"),
])
def test_market_tariff_is_the_published_figure(cat, code, per_kwh, currency):
    t = cat.market(code).tariff
    assert (t.per_kwh, t.currency) == (per_kwh, currency)
    chosen = tariff_for(cat.market(code))
    assert (chosen.per_kwh, chosen.currency, chosen.date) == (per_kwh, currency, t.date)
    assert code in chosen.source


def test_tariff_for_falls_back_to_the_named_default(cat):
    us = tariff_for(cat.market("us"))
    assert (us.per_kwh, us.currency) == (0.15, "USD") and "default" in us.source
    assert "states no tariff" in tariff_for(cat.market("ar-2017-05")).source
    assert tariff_for(None).per_kwh == 0.15


def test_explicit_tariff_wins_in_the_market_currency_unless_told(cat):
    assert tariff_for(cat.market("de"), 0.5) == tariff_for(cat.market("de"), 0.5, "EUR")
    assert tariff_for(cat.market("de"), 0.5).currency == "EUR"
    assert tariff_for(cat.market("de"), 0.2, "usd").currency == "USD"
    assert tariff_for(None, 0.2).currency == "USD"


def test_a_currency_without_a_tariff_must_match_the_markets(cat):
    with pytest.raises(InputError, match="in EUR"):
        tariff_for(cat.market("de"), None, "USD")
    assert tariff_for(cat.market("de"), None, "EUR").per_kwh == 0.3835


def test_tariff_model_refuses_nonsense():
    with pytest.raises(ValueError):
        Tariff(per_kwh=0, currency="EUR", date=dt.date(2025, 1, 1), source="x")
    with pytest.raises(InputError):
        Tariff(per_kwh=0.3, currency="JPY", date=dt.date(2025, 1, 1), source="x")


def test_running_cost_names_its_tariff():
    c = running_cost(500, 0.3835, "EUR", 10, 300, 1.0, "Eurostat", dt.date(2025, 1, 1))
    assert c.kwh_per_year == pytest.approx(500 * 10 * 300 / 1000)
    assert c.cost.amount == pytest.approx(1500 * 0.3835)
    assert "Eurostat, 2025-01-01" in c.assumptions()
    assert c.to_dict()["tariff_date"] == "2025-01-01"


# -- dlrig power through the CLI --------------------------------------------------------

def power_json(*args):
    r = run("power", POST_BUILD, "--json", "--no-db", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.mark.parametrize("code, per_kwh, currency", [
    ("de", 0.3835, "EUR"), ("uk", 0.2573, "GBP"), ("ar", 125.37, "ARS"),
])
def test_power_uses_the_markets_tariff_and_mains(code, per_kwh, currency):
    d = power_json("--market", code)
    rc = d["running_cost"]
    assert d["market"] == code
    assert (rc["tariff_per_kwh"], rc["currency"]) == (per_kwh, currency)
    kwh = d["wall_w"] * 8 * 365 / 1000  # the defaults: 8 h a day, 365 days, full load
    assert rc["cost_per_year"] == pytest.approx(kwh * per_kwh, abs=0.01)
    assert rc["tariff_source"] and rc["tariff_date"]
    assert d["mains_v"] in (220, 230) and d["efficiency_curve_v"] == 230


def test_power_on_230_v_draws_less_at_the_wall_than_on_us_mains():
    eu = power_json("--market", "de")
    us = power_json("--market", "us")
    assert us["efficiency_curve_v"] == 115 and us["mains_v"] == 120
    assert eu["sustained_w"] == us["sustained_w"]
    assert eu["efficiency_pct"] > us["efficiency_pct"] and eu["wall_w"] < us["wall_w"]


def test_power_explicit_tariff_still_wins():
    rc = power_json("--market", "de", "--tariff", "0.5")["running_cost"]
    assert (rc["tariff_per_kwh"], rc["currency"], rc["tariff_source"]) == (0.5, "EUR", "given")


def test_power_currency_that_is_not_the_tariffs_is_one_line_exit_2():
    r = run("power", POST_BUILD, "--no-db", "--market", "de", "--currency", "USD")
    assert r.exit_code == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "EUR" in lines[0]


def test_power_text_names_the_tariffs_source():
    r = run("power", POST_BUILD, "--no-db", "--market", "uk")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "0.2573 GBP/kWh" in out and "Ofgem" in out


# -- each new market plans ------------------------------------------------------------

@pytest.mark.parametrize("code, budget", [
    ("de", 2000), ("uk", 2000), ("in", 200000), ("br", 12000),
])
def test_new_market_plans_a_build_with_estimated_prices(code, budget):
    r = run("plan", "--market", code, "--budget", budget, "--no-db", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["status"] == "optimal" and d["market"] == code
    currency = builtin().market(code).currency
    assert d["total"]["currency"] == currency and 0 < d["total"]["amount"] <= budget
    categories = {p["category"] for p in d["parts"]}
    assert {"cpu", "gpu", "memory", "motherboard", "storage", "psu", "case"} <= categories
    assert all(p["price_estimated"] for p in d["parts"])
    assert d["check"]["ok"] is True
