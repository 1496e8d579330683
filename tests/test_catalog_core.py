"""The catalog's mechanics on a small hand-made catalog (not the built-in data)."""

import datetime as dt
from decimal import Decimal

import pytest

from dlrig.catalog import Catalog, normalize_name
from dlrig.errors import MarketError, UnknownPartError
from dlrig.market import Market, Rate
from dlrig.parts import Cpu, Price


def _cpu(id_, name, released=None):
    return Cpu(id=id_, name=name, socket="AM4", microarchitecture="Zen 3", generation="ryzen-5000",
               cores=6, threads=12, base_clock_ghz=3.7, tdp_w=65, released=released)


def _price(market, amount, cur, date, estimated=False):
    return Price(market=market, amount_minor=amount * 100, currency=cur, date=date,
                 source="test", estimated=estimated)


@pytest.fixture
def cat():
    c = Catalog(
        parts=[_cpu("cpu/a", "AMD Ryzen 5 5600"), _cpu("cpu/b", "AMD Ryzen 5 5600X"),
               _cpu("cpu/c", "AMD Ryzen 5 5600X3D", released=dt.date(2023, 7, 7))],
        markets=[
            Market(code="us", name="US", currency="USD", max_price_age_days=365 * 5),
            Market(code="ar", name="AR", currency="ARS", markup_pct=20, import_tax_pct=10,
                   estimate_from="us"),
            Market(code="old", name="old", currency="USD", date=dt.date(2022, 1, 1)),
        ],
        rates=[Rate(base="USD", quote="ARS", rate=Decimal("1000"), date=dt.date(2024, 1, 1)),
               Rate(base="USD", quote="ARS", rate=Decimal("1400"), date=dt.date(2025, 6, 1))],
    )
    c.add_price("cpu/a", _price("us", 100, "USD", dt.date(2024, 2, 1)))
    c.add_price("cpu/a", _price("us", 90, "USD", dt.date(2025, 7, 1)))
    c.add_price("cpu/b", _price("ar", 250000, "ARS", dt.date(2025, 1, 1)))
    c.add_price("cpu/c", _price("us", 300, "USD", dt.date(2015, 1, 1)))
    return c


def test_normalize_name_folds_spacing_and_units():
    assert normalize_name("GeForce GTX 1060 6 GB") == normalize_name("geforce gtx-1060 6GB")


def test_resolve_by_id_and_by_name(cat):
    assert cat.resolve("cpu/a").id == "cpu/a"
    assert cat.resolve("amd ryzen 5 5600x").id == "cpu/b"


def test_unknown_part_lists_closest(cat):
    with pytest.raises(UnknownPartError) as e:
        cat.resolve("Ryzen 5 5600XT")
    assert "closest matches" in e.value.one_line()
    assert "5600" in e.value.one_line()


def test_latest_quote_on_or_before_date(cat):
    assert cat.local_price("cpu/a", "us", dt.date(2025, 1, 1)).money.minor == 10000
    assert cat.local_price("cpu/a", "us", dt.date(2025, 8, 1)).money.minor == 9000
    assert cat.local_price("cpu/a", "us", dt.date(2024, 1, 1)) is None


def test_estimate_is_flagged_and_uses_rate_of_the_date(cat):
    p = cat.local_price("cpu/a", "ar", dt.date(2025, 1, 1))
    assert p.estimated
    # 100 USD x 1000 ARS/USD x 1.2 x 1.1
    assert p.money.minor == 132000 * 100
    assert "1,000.00 ARS/USD" in p.basis
    quoted = cat.local_price("cpu/b", "ar", dt.date(2025, 2, 1))
    assert not quoted.estimated and quoted.money.minor == 25000000


def test_stale_prices_are_ignored(cat):
    assert cat.local_price("cpu/c", "us", dt.date(2025, 1, 1)) is None


def test_release_date_limits_a_historical_market(cat):
    m = cat.market("old")
    assert cat.available(cat.get("cpu/a"), m)
    assert not cat.available(cat.get("cpu/c"), m)


def test_missing_rate_is_a_one_line_error(cat):
    """The library says what is missing and tags the kind; the CLI names its command."""
    from dlrig.cli.wording import say

    with pytest.raises(MarketError, match="no official exchange rate USD->EUR") as info:
        cat.local_price("cpu/a", "ar", dt.date(2024, 3, 1)) and cat.rates.lookup("USD", "EUR", None)
    assert info.value.code == "missing_rate"
    assert "dlrig" not in info.value.one_line()
    assert "dlrig rates set" in say(info.value)


def test_unknown_market(cat):
    with pytest.raises(MarketError, match="unknown market 'xx'"):
        cat.market("xx")


def test_circuit_default_comes_from_the_market():
    from dlrig.market import circuit_default

    assert circuit_default(None) == 1440
    assert circuit_default(Market(code="x", name="x", currency="USD")) == 1440
    assert circuit_default(Market(code="y", name="y", currency="EUR")) == 1840
    assert circuit_default(Market(code="z", name="z", currency="ARS", circuit_w=1760)) == 1760
