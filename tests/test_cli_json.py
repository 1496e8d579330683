"""``--json`` answers: one JSON document on stdout whose keys are the ones docs/cli.md lists
(``dlrig.cli.jsonkeys``), for every data command that runs without a network."""

from __future__ import annotations

import json

import pytest
from test_store_sample import write_sample
from typer.testing import CliRunner

from dlrig.catalog.opendb import import_opendb
from dlrig.cli import app
from dlrig.cli.jsonkeys import JSON_KEYS
from dlrig.cli.reference import commands
from dlrig.store import Database

runner = CliRunner()
GPU = "gpu/zotac-geforce-gtx-1070-mini"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("json")
    p = tmp / "j.db"
    with Database(p) as d:
        import_opendb(d, write_sample(tmp / "s"))
        with d.transaction() as c:
            c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                      "VALUES (?, 'us', 45000, 'USD', '2026-01-05', 'pcpp')", (GPU,))
            c.execute("INSERT INTO unmatched (source, date, market, category, name, row, "
                      "amount_minor, currency, status, candidates) VALUES ('pcpp', '2026-01-05', "
                      "'us', 'gpu', 'Mystery Card', 3, 999, 'USD', 'unmatched', 'a, b')")
    return p


def answer(path: str, *args: str):
    r = runner.invoke(app, [*path.split()[1:], *args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def keys_match(path: str, data) -> None:
    shape, keys = JSON_KEYS[path]
    if shape == "list":
        assert isinstance(data, list) and data, path
        for item in data:
            assert list(item) == keys, (path, list(item))
    else:
        assert isinstance(data, dict) and list(data) == keys, (path, list(data))


def test_every_listed_command_exists_and_has_json():
    known = dict(commands())
    for path in JSON_KEYS:
        assert path in known, path
        assert any("--json" in p.opts for p in known[path].params), path


def test_every_data_command_has_json():
    """Commands that print data take --json (serve and the config writers print none)."""
    printing_nothing = {"dlrig serve", "dlrig config set", "dlrig config unset",
                        "dlrig config path"}
    for path, cmd in commands():
        if path not in printing_nothing:
            assert any("--json" in p.opts for p in cmd.params), path


@pytest.mark.parametrize("path, args", [
    ("dlrig markets", ()),
    ("dlrig catalog list", ("-c", "gpu")),
    ("dlrig catalog show", (GPU,)),
    ("dlrig catalog quarantine", ()),
    ("dlrig db info", ()),
    ("dlrig db check", ()),
    ("dlrig prices unmatched", ()),
    ("dlrig prices history", (GPU,)),
    ("dlrig rates list", ()),
    ("dlrig config show", ()),
])
def test_keys_are_the_documented_ones(db, path, args):
    needs_db = path.split()[1] in ("catalog", "db", "prices", "rates")
    data = answer(path, *args, *(("--db", str(db)) if needs_db else ()))
    if path == "dlrig catalog quarantine" and not data:
        pytest.skip("the sample archive quarantines nothing")
    keys_match(path, data)


def test_import_and_rate_commands_answer_in_json(tmp_path):
    p = str(tmp_path / "n.db")
    keys_match("dlrig catalog import open-db",
               answer("dlrig catalog import open-db", str(write_sample(tmp_path / "s")), "--db", p))
    data = answer("dlrig rates set", "USD", "ARS", "16", "--date", "2017-06-01", "--db", p)
    keys_match("dlrig rates set", data)
    assert data["rate"] == 16.0 and data["kind"] == "official"
    f = tmp_path / "r.csv"
    f.write_text("base,quote,rate,date\nUSD,ARS,17,2017-07-03\n")
    data = answer("dlrig rates import", str(f), "--db", p)
    keys_match("dlrig rates import", data)
    assert data["imported"] == 1 and data["rates"][0]["rate"] == 17.0
    keys_match("dlrig db repair", answer("dlrig db repair", "--db", p))


def test_price_list_dry_run_in_json(db, tmp_path):
    f = tmp_path / "list.csv"
    f.write_text("name,price\nZOTAC GeForce GTX 1070 Mini,100000\nNo Such Thing,5\n")
    data = answer("dlrig prices import csv", str(f), "--store", "s", "--market", "ar",
                  "--currency", "ARS", "--date", "2026-01-02", "--dry-run", "--db", str(db))
    keys_match("dlrig prices import csv", data)
    assert data["rows"] == 2 and data["written"] == 0 and data["dry_run"] is True


def test_fit_keys():
    keys_match("dlrig fit", answer("dlrig fit", "llama-3.2-1b", "--limit", "1"))
