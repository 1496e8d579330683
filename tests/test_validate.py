"""One set of input checks for the CLI, the web and the importers (dlrig.validate).

Issue 11: ``--budget 1.000`` silently meant 1 USD while the CSV importer read "1.000" as a
thousand; a quote dated 2999 won every later plan; a part list with a quantity of
999,999,999 was checked as a 54 GW machine.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from dlrig import validate
from dlrig.cli import app
from dlrig.errors import InputError

runner = CliRunner()


@pytest.mark.parametrize("text,currency,value", [
    ("1.000", "ARS", Decimal(1000)),  # es-AR: the dot groups thousands
    ("1.500.000", "ARS", Decimal(1500000)),
    ("1.445,50", "ARS", Decimal("1445.50")),
    ("1450,5", "ARS", Decimal("1450.5")),
    ("1,000", "USD", Decimal(1000)),  # en-US: the comma groups thousands
    ("1,445.50", "USD", Decimal("1445.50")),
    ("1.445,50", "USD", Decimal("1445.50")),  # both separators: the last is the decimal mark
    ("2.5", "USD", Decimal("2.5")),
    ("U$S 149", "USD", Decimal(149)),  # Argentine stores' dollar mark
    ("$ 1.000", "ARS", Decimal(1000)),
    ("1500 USD", "USD", Decimal(1500)),
])
def test_amounts_are_read_as_the_currency_writes_them(text, currency, value):
    assert validate.amount(text, currency) == value


@pytest.mark.parametrize("text,currency,msg", [
    ("1.000", "USD", "ambiguous in USD: 1 or 1000?"),
    ("1,000", "ARS", "ambiguous in ARS: 1 or 1000?"),
    ("1.000.000", "USD", "groups digits with '.'"),
    ("1,00,000", "USD", "misplaced separators"),
    ("abc", "USD", "not a number"),
    ("nan", "USD", "not a number"),
    ("", "USD", "not a number"),
])
def test_ambiguous_or_broken_amounts_are_refused(text, currency, msg):
    with pytest.raises(InputError, match=msg) as e:
        validate.amount(text, currency)
    assert e.value.field == "budget"


def test_future_dates_quantities_and_store_names():
    today = dt.date(2026, 11, 27)
    assert validate.not_future(today, today=today) == today
    with pytest.raises(InputError, match="2999-01-01 is in the future"):
        validate.not_future(dt.date(2999, 1, 1), "price date", today=today)
    assert validate.quantity(8) == 8
    for bad in (0, 17, 999_999_999, True, 2.0):
        with pytest.raises(InputError, match="from 1 to 16"):
            validate.quantity(bad)
    assert validate.store_name("Compra Gamer") == "Compra Gamer"
    for bad in ("", "<script>", "x" * 61):
        with pytest.raises(InputError):
            validate.store_name(bad)


def test_an_inverted_or_mistyped_rate_is_refused():
    validate.rate("USD", "ARS", Decimal(1450), known=Decimal(1180))
    with pytest.raises(InputError, match="if it is USD per ARS, the rate is 1449"):
        validate.rate("USD", "ARS", Decimal("0.00069"), known=Decimal(1180))
    with pytest.raises(InputError, match="x the last known"):
        validate.rate("USD", "ARS", Decimal(145000), known=Decimal(1180))
    with pytest.raises(InputError, match="outside"):
        validate.rate("USD", "ARS", Decimal("1e9"))


def test_the_cli_reads_budgets_in_the_markets_format():
    # 1.000 pesos is a thousand pesos: the founding market plans (nothing fits that little).
    r = runner.invoke(app, ["plan", "--market", "ar-2017-05", "--budget", "20.000", "--json",
                            "--no-db"])
    assert r.exit_code in (0, 1), r.output
    assert '"amount": 20000.0' in r.output
    # In dollars "1.000" is a question, not one dollar.
    r = runner.invoke(app, ["plan", "--market", "us", "--budget", "1.000", "--no-db"])
    assert r.exit_code == 2
    assert "--budget: budget '1.000' is ambiguous in USD: 1 or 1000?" in r.output



def test_a_quote_dated_after_today_never_wins_a_plan():
    """Issue 11: a quote dated 2999 won every later plan. Prices are read as of today."""
    from dlrig.catalog import Catalog, builtin
    from dlrig.parts import Price

    base = builtin()
    cat = Catalog(parts=base.parts(), markets=base.markets.values())
    cat.rates = base.rates
    for p in base.parts():
        for q in base.prices(p.id):
            cat.add_price(p.id, q)
    gpu = next(p for p in base.parts() if p.id.startswith("gpu/"))
    today = base.local_price(gpu.id, "us")
    cat.add_price(gpu.id, Price(market="us", amount_minor=1, currency="USD",
                                date=dt.date(2999, 1, 1), source="typo"))
    assert cat.local_price(gpu.id, "us") == today
    # The planner's fast path reads the same day.
    from dlrig.optimize.candidates import local_price as planner_price

    assert planner_price(cat, gpu.id, cat.market("us"), None) == today
    assert cat.local_price(gpu.id, "us", dt.date(2999, 6, 1)).money.minor == 1


def test_importers_refuse_future_dates_and_odd_store_names(tmp_path):
    from dlrig.catalog import builtin
    from dlrig.catalog.pricelist import import_price_list
    from dlrig.store import Database

    f = tmp_path / "list.csv"
    f.write_text("name,price\nRTX 4090,1999\n", encoding="utf-8")
    db = Database(tmp_path / "d.db")
    with pytest.raises(InputError, match="is in the future"):
        import_price_list(db, f, store="Shop", market="us", currency="USD",
                          date=dt.date(2999, 1, 1), catalog=builtin())
    with pytest.raises(InputError, match="store name"):
        import_price_list(db, f, store="<b>Shop</b>", market="us", currency="USD",
                          date=dt.date(2025, 1, 1), catalog=builtin())


def test_a_part_list_quantity_is_capped(tmp_path):
    """999,999,999 x a GPU was checked as a 54 GW machine; now the line is refused."""
    from dlrig.build import load_build
    from dlrig.catalog import builtin
    from dlrig.errors import BuildFileError

    lst = tmp_path / "list.md"
    lst.write_text("Type|Item|Price\n:----|:----|:----\n"
                   "**Video Card** | NVIDIA GeForce RTX 5090 Founders Edition (999999999 x) "
                   "| $1999.00\n", encoding="utf-8")
    with pytest.raises(BuildFileError, match=r"line 3: quantity of .* from 1 to 16 "
                                             r"\(got 999999999\)"):
        load_build(lst, builtin())
