"""prices history (table + PNG), prices unmatched, db info, markets."""

from __future__ import annotations

import pytest
from test_store_sample import write_sample
from typer.testing import CliRunner

from dlrig.catalog.opendb import CREDIT, import_opendb
from dlrig.cli import app
from dlrig.store import Database

runner = CliRunner()
ENV = {"COLUMNS": "300"}
GPU = "gpu/zotac-geforce-gtx-1070-mini"


@pytest.fixture
def db(tmp_path):
    p = tmp_path / "h.db"
    with Database(p) as d:
        import_opendb(d, write_sample(tmp_path / "s"))
        with d.transaction() as c:
            c.executemany("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                          "VALUES (?, 'us', ?, 'USD', ?, 'pcpp')",
                          [(GPU, 45000, "2030-01-05"), (GPU, 40000, "2030-06-05")])
            c.execute("INSERT INTO rates VALUES ('USD', 'ARS', 'official', '2030-01-01', '1000', 'test')")
            c.execute("INSERT INTO unmatched (source, date, market, category, name, row, amount_minor, currency, "
                      "status, candidates) VALUES ('pcpp', '2030-01-05', 'us', 'gpu', 'Mystery Card', 3, 999, "
                      "'USD', 'unmatched', 'no part')")
    return p


def test_history_table_flags_estimates_and_writes_a_png(db, tmp_path):
    png = tmp_path / "h.png"
    r = runner.invoke(app, ["prices", "history", GPU, "--market", "ar", "--plot", str(png), "--db", str(db)],
                      env=ENV)
    assert r.exit_code == 0, r.output
    assert r.output.count("ESTIMATED") == 2 and "2030-06-05" in r.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    r = runner.invoke(app, ["prices", "history", GPU, "--db", str(db)], env=ENV)
    assert "450.00 USD" in r.output and "ESTIMATED" not in r.output and CREDIT in r.output


def test_history_plot_needs_png_suffix(db, tmp_path):
    r = runner.invoke(app, ["prices", "history", GPU, "--plot", str(tmp_path / "h.jpg"), "--db", str(db)])
    assert r.exit_code == 2


def test_unmatched_lists_review_rows(db):
    r = runner.invoke(app, ["prices", "unmatched", "--db", str(db)], env=ENV)
    assert r.exit_code == 0 and "Mystery Card" in r.output and "1 rows kept" in r.output


def test_db_info_shows_parts_prices_rates_and_credit(db):
    r = runner.invoke(app, ["db", "info", "--db", str(db)], env=ENV)
    assert r.exit_code == 0, r.output
    for s in ("schema v", "opendb", "2030-01-05", "USD->ARS", CREDIT, "pcpp"):
        assert s in r.output, s


def test_db_info_without_a_database_is_one_line(tmp_path):
    r = runner.invoke(app, ["db", "info", "--db", str(tmp_path / "none.db")], env=ENV)
    assert r.exit_code == 2 and "no database" in r.output and len(r.output.strip().splitlines()) == 1
    assert not (tmp_path / "none.db").exists()


def test_markets_lists_the_builtin_ones(tmp_path):
    r = runner.invoke(app, ["markets"], env=ENV)
    assert r.exit_code == 0
    for code in ("us", "ar", "ar-2017-05"):
        assert f" {code} " in r.output
    assert "estimated" in r.output


def test_catalog_show_credits_opendb(db):
    r = runner.invoke(app, ["catalog", "show", "gpu/some-board-gtx-1060-3gb", "--db", str(db)], env=ENV)
    assert r.exit_code == 0 and "GeForce GTX 1060 3 GB" in r.output and CREDIT in r.output
