"""Store price lists: separators, encodings, Argentine numbers, bad rows, atomicity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_store_sample import dump, write_sample
from typer.testing import CliRunner

from dlrig.catalog.opendb import import_opendb
from dlrig.catalog.pricelist import parse_amount, parse_price_list
from dlrig.cli import app
from dlrig.errors import PriceListError
from dlrig.store import Database

runner = CliRunner()


@pytest.mark.parametrize("text,value", [
    ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("$ 1.234.567,89", "1234567.89"),
    ("999", "999"), ("12,5", "12.5"), ("12.50", "12.50"), ("1.234", "1234"), ("ARS 45.000", "45000"),
    ("-3,5", "-3.5"), ("US$ 379", "379"),
])
def test_parse_amount(text, value):
    assert parse_amount(text) == Decimal(value)


def test_parse_amount_override():
    assert parse_amount("1.234", "point") == Decimal("1.234")
    assert parse_amount("1,234", "comma") == Decimal("1.234")


@pytest.mark.parametrize("bad", ["abc", "", "12a", "1.2.3,4.5", "--1", "1e5", "nan"])
def test_parse_amount_rejects(bad):
    with pytest.raises(ValueError):
        parse_amount(bad)


def _fmt(cents: int, style: str) -> str:
    whole, frac = divmod(cents, 100)
    if style == "ar":
        return f"{whole:,}".replace(",", ".") + f",{frac:02d}"
    if style == "us":
        return f"{whole:,}.{frac:02d}"
    return f"{whole}.{frac:02d}"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**11), st.sampled_from(["ar", "us", "plain"]))
def test_amount_round_trips_in_every_style(cents, style):
    assert parse_amount(_fmt(cents, style)) == Decimal(cents) / 100


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parser_never_crashes_on_junk(raw):
    try:
        out = parse_price_list(raw, "junk.csv", "ARS")
    except PriceListError as e:
        assert "\n" not in e.one_line() and "line " in e.one_line()
    else:
        assert all(r.amount_minor > 0 for r in out.rows)
        assert all(isinstance(line, int) and line >= 1 for line, _ in out.bad)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20),
                          st.integers(1, 10**9)), min_size=1, max_size=8),
       st.sampled_from([",", ";"]), st.sampled_from(["utf-8", "latin-1"]))
def test_good_rows_survive_any_separator_and_encoding(rows, sep, enc):
    rows = [(n.replace(sep, " ").replace('"', " ").strip() or "x", c) for n, c in rows]
    rows = [(n, c) for n, c in rows if n.encode(enc, "ignore").decode(enc) == n]
    if not rows:
        return
    style = "ar" if sep == ";" else "plain"
    text = f"producto{sep}precio\n" + "".join(f'"{n}"{sep}"{_fmt(c, style)}"\n' for n, c in rows)
    raw = text.encode(enc)
    if enc == "latin-1":  # Latin-1 bytes that also read as UTF-8 are UTF-8 by rule ('Â¡' is '¡')
        try:
            assume(raw.decode("utf-8") == text)
        except UnicodeDecodeError:
            pass
    out = parse_price_list(raw, "x.csv", "ARS")
    assert not out.bad and [(r.name, r.amount_minor) for r in out.rows] == rows


# -- through the CLI, against a database -------------------------------------------
@pytest.fixture
def db(tmp_path):
    p = tmp_path / "p.db"
    with Database(p) as d:
        import_opendb(d, write_sample(tmp_path / "s"))
    return p


def _run(db, path, *extra):
    return runner.invoke(app, ["prices", "import", "csv", str(path), "--store", "mexx", "--market", "ar",
                               "--currency", "ARS", "--date", "2017-05-31", "--db", str(db), *extra],
                         env={"COLUMNS": "300"})


def test_argentine_semicolon_latin1_list_imports(db, tmp_path):
    f = tmp_path / "lista.csv"
    f.write_bytes("Descripción;Precio\nIntel Pentium G4560;1.234,56\nZOTAC GeForce GTX 1070 Mini;9.999,00\n"
                  "Placa rara sin match;10,00\n".encode("latin-1"))
    r = _run(db, f)
    assert r.exit_code == 0, r.output
    assert "latin-1" in r.output and "';' separated" in r.output and "2 prices written" in r.output
    with Database(db) as d:
        rows = dict(d.conn.execute("SELECT part_id, amount_minor FROM prices WHERE store = 'mexx'"))
        review = d.conn.execute("SELECT name, status FROM unmatched").fetchall()
    assert rows["cpu/intel-pentium-g4560"] == 123456
    assert review == [("Placa rara sin match", "unmatched")]


def test_dry_run_and_column_mapping(db, tmp_path):
    f = tmp_path / "l.csv"
    f.write_text("Art,Valor final\nIntel Pentium G4560,\"1.234,56\"\n", encoding="utf-8")
    before = dump(db)
    r = _run(db, f, "--columns", "name=Art,price=Valor final", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "1 matched" in r.output and "dry run: nothing written" in r.output
    assert dump(db) == before


BAD = {
    "wrong columns": (b"foo,bar\nx,1\n", "line 1: no name column"),
    "text in a price": (b"name,price\nIntel Pentium G4560,abc\n", "line 2: price 'abc' is not a number"),
    "negative price": (b"name,price\nIntel Pentium G4560,1\nIntel Core i3-7100,-5\n", "line 3: negative price"),
    "zero price": (b"name,price\nIntel Pentium G4560,1\nIntel Core i3-7100,\"0,00\"\n", "line 3: zero price '0,00'"),
    "zero in another style": (b"name;price\nIntel Core i3-7100;$ 0\n", "line 2: zero price '$ 0'"),
    "unknown currency": (b"name,price,currency\nIntel Pentium G4560,100,XYZ\n", "line 2: unknown currency 'XYZ'"),
    "empty file": (b"", "line 1: empty file"),
    "binary junk": (bytes(range(256)) * 4, "line 1: binary data"),
    "short row": (b"name,price,currency\nIntel Pentium G4560,100\n", "line 2: 2 fields"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_csv_is_one_line_exit_2_and_db_unchanged(db, tmp_path, case):
    raw, expected = BAD[case]
    f = tmp_path / "bad.csv"
    f.write_bytes(raw)
    before = dump(db)
    r = _run(db, f)
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    assert expected in lines[0]
    assert dump(db) == before


def test_skip_bad_rows_imports_the_good_ones(db, tmp_path):
    f = tmp_path / "mixed.csv"
    f.write_text("name,price\nIntel Pentium G4560,100\nIntel Core i3-7100,abc\n", encoding="utf-8")
    refused = _run(db, f)
    assert refused.exit_code == 2 and "--skip-bad-rows imports the good ones" in refused.output
    r = _run(db, f, "--skip-bad-rows")
    assert r.exit_code == 0, r.output
    assert "line 3: price 'abc' is not a number" in r.output and "1 prices written" in r.output


def test_a_row_naming_only_a_chip_is_priced_on_the_chip_level_entry(db, tmp_path):
    f = tmp_path / "chips.csv"
    f.write_text("name,price\nGeForce GTX 1070 8GB,350000\nZOTAC GeForce GTX 1070 Mini,360000\n", encoding="utf-8")
    r = _run(db, f)
    assert r.exit_code == 0, r.output
    with Database(db) as d:
        rows = dict(d.conn.execute("SELECT part_id, amount_minor FROM prices WHERE store = 'mexx'"))
    assert rows == {"gpu/generic-geforce-gtx-1070-8gb": 35000000, "gpu/zotac-geforce-gtx-1070-mini": 36000000}


def test_import_loads_no_prices_and_indexes_only_the_rows_categories(db, tmp_path, monkeypatch):
    """A three-row list should not pay for the whole catalog's prices and tokens."""
    from dlrig.catalog import pricelist, resolve
    from dlrig.store import load_catalog

    seen = []
    real = resolve.Resolver.index  # the one resolver indexes a category on first use
    monkeypatch.setattr(resolve.Resolver, "index", lambda self, c: seen.append(c) or real(self, c))
    f = tmp_path / "cpu.csv"
    f.write_text("name,price,category\nIntel Pentium G4560,100,cpu\n", encoding="utf-8")
    gpu = "gpu/zotac-geforce-gtx-1070-mini"
    with Database(db) as d, d.transaction() as c:
        c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                  "VALUES (?, 'us', 40000, 'USD', '2026-01-01', 'pcpp')", (gpu,))
    def sources(c):
        return {p.source for p in c.prices(gpu)}

    assert "pcpp" in sources(load_catalog(db)) and "pcpp" not in sources(load_catalog(db, prices=False))
    cat = load_catalog(db, prices=False)
    with Database(db) as d:
        res = pricelist.import_price_list(d, f, store="x", market="ar", currency="ARS",
                                          date=dt.date(2026, 1, 1), catalog=cat, dry_run=True)
    assert len(res.matched) == 1 and set(seen) == {pricelist.Category.cpu}
