"""prices history (table + PNG), prices unmatched, db info, markets."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from test_store_sample import gpu, write_sample
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
                          [(GPU, 45000, "2026-01-05"), (GPU, 40000, "2026-06-05")])
            c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2026-01-01', '1000', 'test')")
            c.execute("INSERT INTO unmatched (source, date, market, category, name, row, amount_minor, currency, "
                      "status, candidates) VALUES ('pcpp', '2026-01-05', 'us', 'gpu', 'Mystery Card', 3, 999, "
                      "'USD', 'unmatched', 'no part')")
    return p


def test_history_table_flags_estimates_and_writes_a_png(db, tmp_path):
    png = tmp_path / "h.png"
    r = runner.invoke(app, ["prices", "history", GPU, "--market", "ar", "--plot", str(png), "--db", str(db)],
                      env=ENV)
    assert r.exit_code == 0, r.output
    assert r.output.count("ESTIMATED") == 2 and "2026-06-05" in r.output
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
    for s in ("schema v", "opendb", "2026-01-05", "USD->ARS", CREDIT, "pcpp"):
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


# -- QA fixes: examples that work, one-line failures, 80 columns ----------------------
NARROW = {"COLUMNS": "80"}


def _too_wide(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if len(ln) > 80]


DOCS = Path(__file__).resolve().parents[1] / "docs" / "prices.md"


def _documented_history_commands() -> list[list[str]]:
    """Every `dlrig prices history ...` line of docs/prices.md and of the command's help."""
    from dlrig.cli.prices import history_cmd

    text = DOCS.read_text(encoding="utf-8") + "\n" + history_cmd.__doc__.replace("`", "\n")
    lines = re.findall(r"^\s*dlrig (prices history .+?)\s*$", text, re.M)
    assert len(lines) >= 3, lines
    return [shlex.split(ln) for ln in lines]


@pytest.mark.parametrize("argv", _documented_history_commands(), ids=" ".join)
def test_documented_history_examples_work(argv, tmp_path, monkeypatch):
    """The docs' and help's examples, run as written, on a catalog holding an RTX 3060 12 GB."""
    recs = {"GPU": [gpu(95, "MSI GeForce RTX 3060 Ventus 2X 12G", "GeForce RTX 3060 12GB", 12, 235, 170),
                    gpu(96, "ASUS Dual GeForce RTX 3060 8GB", "GeForce RTX 3060 8GB", 8, 200, 170)]}
    db = tmp_path / "doc.db"
    with Database(db) as d:
        import_opendb(d, write_sample(tmp_path / "s", recs))
        with d.transaction() as c:
            c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                      "VALUES ('gpu/generic-geforce-rtx-3060-12gb', 'us', 29900, 'USD', '2026-01-05', 'pcpp')")
            c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2026-01-01', '1000', 'test')")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, [*argv, "--db", str(db)], env=NARROW)
    assert r.exit_code == 0, r.output
    assert "GeForce RTX 3060 12 GB (any board)" in r.output and "12 GB 12 GB" not in r.output
    assert not _too_wide(r.output)
    if "--plot" in argv:
        assert (tmp_path / argv[argv.index("--plot") + 1]).read_bytes()[:4] == b"\x89PNG"
    r = runner.invoke(app, ["prices", "history", "RTX 3060", "--db", str(db)], env=ENV)
    assert r.exit_code == 2 and "ambiguous" in r.output  # 8 GB or 12 GB: not guessed


def test_history_without_prices_is_one_line_exit_1(db):
    r = runner.invoke(app, ["prices", "history", "gpu/some-board-gtx-1060-3gb", "--db", str(db)], env=ENV)
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: no prices for"), r.output


def test_history_of_an_unknown_part_exits_2(db):
    r = runner.invoke(app, ["prices", "history", "Voodoo 5 6000", "--db", str(db)], env=ENV)
    assert r.exit_code == 2 and "unknown part" in r.output and len(r.output.strip().splitlines()) == 1


def test_history_of_an_ambiguous_chip_lists_the_ids(db):
    r = runner.invoke(app, ["prices", "history", "GTX", "--db", str(db)], env=ENV)
    assert r.exit_code == 2 and "ambiguous" in r.output and "gpu/generic-geforce-gtx-1070-8gb" in r.output


def test_catalog_show_formats_values_for_people(db):
    r = runner.invoke(app, ["catalog", "show", "cpu/intel-pentium-g4560", "--db", str(db)], env=NARROW)
    assert r.exit_code == 0, r.output
    assert "DDR4" in r.output and "('" not in r.output and "True" not in r.output and "False" not in r.output
    assert "yes" in r.output and "54 W" in r.output and "3.5 GHz" in r.output
    r = runner.invoke(app, ["catalog", "show", GPU, "--db", str(db)], env=NARROW)
    assert "1 x 8-pin" in r.output and "210 mm" in r.output and "pin8" not in r.output


@pytest.mark.parametrize("args", [["markets"], ["prices", "unmatched"], ["db", "info"]])
def test_tables_fit_80_columns_without_breaking_words(db, args):
    r = runner.invoke(app, [*args, "--db", str(db)], env=NARROW)
    assert r.exit_code == 0, r.output
    assert not _too_wide(r.output)
    for broken in ("currenc ", "officia ", "estimat ", "candidat "):
        assert broken not in r.output


def test_opendb_report_fits_80_columns_and_shows_registered(tmp_path):
    r = runner.invoke(app, ["catalog", "import", "open-db", str(write_sample(tmp_path / "s")),
                            "--db", str(tmp_path / "n.db")], env=NARROW)
    assert r.exit_code == 0, r.output
    assert not _too_wide(r.output)
    assert "registered: yes for 0" in r.output and "registered_memory: yes for 0" in r.output
    assert "motherboard" in r.output and "quarant" in r.output
