"""Exchange rates: set, import, list; conversions use the rate of the date and say which."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from test_store_sample import dump, write_sample
from typer.testing import CliRunner

from dlrig.catalog.opendb import import_opendb
from dlrig.cli import app
from dlrig.errors import InputError
from dlrig.store import Database, load_catalog
from dlrig.store.rates import parse_rates_file

runner = CliRunner()
ENV = {"COLUMNS": "300"}


@pytest.fixture
def db(tmp_path):
    p = tmp_path / "r.db"
    with Database(p) as d:
        import_opendb(d, write_sample(tmp_path / "s"))
        with d.transaction() as c:
            c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                      "VALUES ('gpu/zotac-geforce-gtx-1070-mini', 'us', 40000, 'USD', '2026-01-10', 'test')")
    return p


def test_rates_set_and_the_rate_of_the_date_is_used(db):
    for rate, day in (("1000", "2026-01-01"), ("2000", "2026-02-01")):
        r = runner.invoke(app, ["rates", "set", "USD", "ARS", rate, "--date", day, "--db", str(db)], env=ENV)
        assert r.exit_code == 0, r.output
    cat = load_catalog(db)
    used = cat.rates.lookup("USD", "ARS", dt.date(2026, 1, 20))
    assert used.rate == Decimal("1000") and used.date == dt.date(2026, 1, 1)
    assert cat.rates.lookup("USD", "ARS", dt.date(2026, 3, 1)).rate == Decimal("2000")
    # ar estimates from the US price, flagged, and says which rate it used
    lp = cat.local_price("gpu/zotac-geforce-gtx-1070-mini", "ar", as_of=dt.date(2026, 1, 20))
    assert lp.estimated and "2026-01-01" in lp.basis and lp.money.currency == "ARS"
    m = cat.market("ar")
    assert lp.money.minor == round(40000 * 1000 * float(m.factor))


def test_as_of_hides_later_rates(db):
    runner.invoke(app, ["rates", "set", "USD", "ARS", "3000", "--date", "2031-01-01", "--db", str(db)])
    early = load_catalog(db, as_of=dt.date(2026, 6, 1))
    assert all(r.date <= dt.date(2026, 6, 1) for r in early.rates.all())


def test_rates_import_file_and_list(db, tmp_path):
    f = tmp_path / "rates.csv"
    f.write_text("base;quote;rate;date;kind;source\nUSD;ARS;1.450,5;2026-01-01;blue;dolarhoy\n"
                 "USD;ARS;1200;2026-01-01;official;bna\n", encoding="utf-8")
    r = runner.invoke(app, ["rates", "import", str(f), "--db", str(db)], env=ENV)
    assert r.exit_code == 0 and "2 rates imported" in r.output
    r = runner.invoke(app, ["rates", "list", "--db", str(db)], env=ENV)
    assert "1450.5" in r.output and "blue" in r.output and "dolarhoy" in r.output


@pytest.mark.parametrize("body,msg", [
    ("base,quote,rate\nUSD,ARS,1\n", "line 1: no date column"),
    ("base,quote,rate,date\nUSD,XYZ,1,2026-01-01\n", "line 2: unknown currency 'XYZ'"),
    ("base,quote,rate,date\nUSD,ARS,1000,2026-01-01\nUSD,ARS,-2,2026-01-02\n", "line 3: rate must be positive"),
    ("base,quote,rate,date,kind\nUSD,ARS,1000,2026-01-01,bitcoin\n", "line 2: unknown rate kind"),
    ("base,quote,rate,date\nUSD,ARS,1,yesterday\n", "line 2:"),
])
def test_bad_rates_file_names_the_line_and_imports_nothing(db, tmp_path, body, msg):
    f = tmp_path / "bad.csv"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=msg):
        parse_rates_file(f.read_bytes(), f.name)
    before = dump(db)
    r = runner.invoke(app, ["rates", "import", str(f), "--db", str(db)], env=ENV)
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1
    assert dump(db) == before


@pytest.mark.parametrize("args,msg", [
    (["USD", "ARS", "abc"], "not a number"), (["USD", "ARS", "0"], "rate must be positive"),
    (["USD", "ARS", "-5"], "rate must be positive (got -5)"),  # not click's "no such option" box
    (["USD", "USD", "1"], "from USD to USD is always 1"), (["usd", "USD", "2"], "always 1"),
    (["USD", "QQQ", "10"], "QQQ"), (["USD", "ARS", "10", "--kind", "street"], "street"),
])
def test_rates_set_rejects_bad_input_in_one_line(db, args, msg):
    before = dump(db)
    r = runner.invoke(app, ["rates", "set", *args, "--date", "2026-01-01", "--db", str(db)], env=ENV)
    assert r.exit_code == 2 and r.output.startswith("error:") and msg in r.output, r.output
    assert len(r.output.strip().splitlines()) == 1
    assert dump(db) == before


def test_rates_file_refuses_a_currency_to_itself(tmp_path):
    with pytest.raises(InputError, match="line 3: a rate from USD to itself"):
        parse_rates_file(b"base,quote,rate,date\nUSD,ARS,1000,2026-01-01\nUSD,usd,1,2026-01-02\n", "r.csv")


def test_rates_are_read_as_the_quote_currency_writes_them(db):
    """Argentina writes 1.445,50: `rates set USD ARS 1.445,50` was refused before."""
    r = runner.invoke(app, ["rates", "set", "USD", "ARS", "1.445,50", "--date", "2026-01-05",
                            "--db", str(db)], env=ENV)
    assert r.exit_code == 0, r.output
    assert "1445.50" in r.output


@pytest.mark.parametrize("args,msg", [
    # A rate dated after today would reprice every later plan.
    (["USD", "ARS", "1450", "--date", "2999-01-01"], "is in the future"),
    # 1,450 pesos per dollar typed as dollars per peso.
    (["USD", "ARS", "0.00069", "--date", "2026-01-01"], "if it is USD per ARS, the rate is"),
    (["USD", "ARS", "nan", "--date", "2026-01-01"], "not a number"),
])
def test_rates_that_would_silently_reprice_plans_are_refused(db, args, msg):
    before = dump(db)
    r = runner.invoke(app, ["rates", "set", *args, "--db", str(db)], env=ENV)
    assert r.exit_code == 2 and msg in r.output, r.output
    assert dump(db) == before
