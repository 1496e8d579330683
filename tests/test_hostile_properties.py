"""Property tests for the importers (issue 12): whatever a store's CSV, an open-db record,
a pc-part-dataset row or a rates file holds, the importer never raises anything but a
one-line ``DlrigError``, leaves the database exactly as it was when it refuses, and stores
only values that pass its checks when it accepts.

Hypothesis runs derandomized (the same examples every run) with a modest budget.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_store_sample import dump, sample_records, write_sample

from dlrig.catalog import opendb, pcpp
from dlrig.catalog.pricelist import import_price_list
from dlrig.catalog.records import MAX_NAME, MAX_PRICE
from dlrig.errors import DlrigError
from dlrig.store import Database, load_catalog
from dlrig.store.db import copy_database
from dlrig.store.rates import import_rates
from dlrig.validate import RATE_RANGE

# DLRIG_PROPERTY_EXAMPLES raises the budget for a longer local hunt.
EXAMPLES = int(os.environ.get("DLRIG_PROPERTY_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DAY = dt.date(2025, 7, 23)

# Values a hostile or broken source writes where a number or a word goes.
NASTY_TEXT = st.sampled_from([
    "", " ", "0", "-1", "-0", "1e400", "1e-400", "NaN", "nan", "Infinity", "-inf", "1" + "0" * 30,
    "1e9999999999999999999999", "eight", "12 GB", "1.000", "1.000,50", "1,234.56", "$ 99",
    "U$S 149", "0,001", "\x1b[2J", "Intel\x1b]0;x\x07", "\x00", "a\tb", "a\nb", "=cmd|' /C calc'!A0",
    "x" * 400, "USD", "ARS", "official", "blue", "2025-01-01", "2999-01-01", "2025-02-30",
])
CELL = st.one_of(NASTY_TEXT, st.text(max_size=25),
                 st.decimals(allow_nan=True, allow_infinity=True).map(str),
                 st.integers(min_value=-10**40, max_value=10**40).map(str))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**40, max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True) | NASTY_TEXT | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)


def one_line(e: DlrigError) -> None:
    text = e.one_line()
    assert "\n" not in text and "\r" not in text and "\x1b" not in text, text


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A database with the sample checkout, its catalog, and a folder for inputs."""
    tmp = tmp_path_factory.mktemp("props")
    db = tmp / "w.db"
    with Database(db) as d:
        opendb.import_opendb(d, write_sample(tmp / "sample"))
    return db, load_catalog(db, prices=False), tmp


def _csv_text(rows: list[list[str]], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return buf.getvalue()


# -- store price lists -----------------------------------------------------------------
@SETTINGS
@given(header=st.sampled_from([["name", "price"], ["producto", "precio", "moneda"],
                               ["name", "price", "currency", "category", "id"]]),
       cells=st.lists(st.lists(CELL, min_size=0, max_size=6), min_size=1, max_size=6),
       good=st.booleans(), delimiter=st.sampled_from([",", ";"]), skip=st.booleans())
def test_a_price_list_of_random_cells(world, header, cells, good, delimiter, skip):
    db, catalog, tmp = world
    rows = [header] + ([["Intel Pentium G4560", "1500"] + [""] * (len(header) - 2)] if good else [])
    rows += cells
    path = tmp / "list.csv"
    path.write_text(_csv_text(rows, delimiter), encoding="utf-8")
    before = dump(db)
    with Database(db) as d:
        try:
            res = import_price_list(d, path, store="mexx", market="ar", currency="ARS", date=DAY,
                                    catalog=catalog, skip_bad_rows=skip)
        except DlrigError as e:
            event("refused")
            one_line(e)
            assert dump(db) == before
            return
    event(f"accepted: {len(res.parsed.rows)} rows, {len(res.parsed.bad)} bad")
    for line, why in res.parsed.bad:
        assert isinstance(line, int) and "\n" not in why and "\x1b" not in why
    for r in res.parsed.rows:
        assert 0 < r.amount_minor <= MAX_PRICE * 100 and len(r.name) <= MAX_NAME
        assert not any(ord(c) < 32 for c in r.name)
    with sqlite3.connect(str(db)) as c:
        amounts = [a for (a,) in c.execute("SELECT amount_minor FROM prices")]
    assert all(0 < a <= MAX_PRICE * 100 for a in amounts)


# -- open-db records -------------------------------------------------------------------
def _paths(rec, prefix=""):
    """Every dotted path of a record's fields (what a mutation may replace)."""
    for k, v in rec.items():
        yield prefix + k
        if isinstance(v, dict):
            yield from _paths(v, prefix + k + ".")


BASES = [(folder, rec) for folder, recs in sample_records().items() for rec in recs[:1]]


@st.composite
def mutated_record(draw):
    folder, base = draw(st.sampled_from(BASES))
    if draw(st.integers(0, 9)) == 0:
        return folder, draw(JSON)  # the whole record replaced
    rec = json.loads(json.dumps(base))
    for path in draw(st.lists(st.sampled_from(sorted(_paths(base))), min_size=1, max_size=4)):
        d = rec
        keys = path.split(".")
        for k in keys[:-1]:
            d = d[k] if isinstance(d.get(k), dict) else d.setdefault(k, {})
            if not isinstance(d, dict):
                break
        else:
            d[keys[-1]] = draw(JSON)
    return folder, rec


@SETTINGS
@given(records=st.lists(mutated_record(), min_size=1, max_size=5))
def test_open_db_records_of_random_values_never_stop_the_import(records):
    items = [(folder, f"00000000-0000-0000-0000-{i:012d}", rec)
             for i, (folder, rec) in enumerate(records)]
    conv = opendb.convert(iter(items))
    for st_ in conv.stats.values():
        for outcome, n in (("usable", st_.usable), ("unusable", sum(st_.unusable.values())),
                           ("quarantined", sum(st_.quarantined.values()))):
            if n:
                event(outcome)
        assert st_.records == st_.usable + sum(st_.unusable.values()) + sum(st_.quarantined.values())
        for why in [*st_.unusable, *st_.quarantined]:
            assert "\n" not in why and "\x1b" not in why, why
    for p in conv.parts:
        assert p.name and not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in p.name)
        json.loads(p.model_dump_json())  # storable
    for _uuid, _cat, name, why in conv.quarantine:
        assert "\x1b" not in name and "\n" not in why


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records=st.lists(mutated_record(), min_size=1, max_size=4))
def test_open_db_checkouts_with_random_records_import_the_good_ones(world, records):
    db, _, tmp = world
    root = tmp / "co"
    if root.exists():
        for f in root.rglob("*.json"):
            f.unlink()
    good = sample_records()["CPU"][2]  # Intel Core i3-7100
    recs: dict[str, list] = {"CPU": [good]}
    for i, (folder, rec) in enumerate(records):
        recs.setdefault(folder, []).append({"__raw": rec, "opendb_id": f"11111111-0000-0000-0000-{i:012d}"})
    for folder, rs in recs.items():
        d = root / "open-db" / folder
        d.mkdir(parents=True, exist_ok=True)
        for r in rs:
            body = r["__raw"] if "__raw" in r else r
            (d / f"{r['opendb_id']}.json").write_text(json.dumps(body), encoding="utf-8")
    target = tmp / "co.db"
    copy_database(db, target)
    with Database(target) as d:
        opendb.import_opendb(d, root)
        ids = {r[0] for r in d.conn.execute("SELECT id FROM parts")}
    assert "cpu/intel-core-i3-7100" in ids


# -- pc-part-dataset rows ---------------------------------------------------------------
ROW = st.one_of(
    st.fixed_dictionaries({"name": st.one_of(st.just("AMD Ryzen 5 3600"), JSON),
                           "price": st.one_of(st.just(99.5), JSON)},
                          optional={"core_count": JSON, "memory": JSON, "speed": JSON,
                                    "modules": JSON, "length": JSON, "wattage": JSON,
                                    "chipset": JSON, "socket": JSON, "form_factor": JSON}),
    JSON)


@SETTINGS
@given(rows=st.lists(ROW, max_size=6),
       stem=st.sampled_from(["cpu", "video-card", "memory", "power-supply", "motherboard"]))
def test_pcpp_rows_of_random_values(world, rows, stem):
    db, catalog, tmp = world
    snap = tmp / "2025-07-23" / "json"
    snap.mkdir(parents=True, exist_ok=True)
    for f in snap.glob("*.json"):
        f.unlink()
    (snap / f"{stem}.json").write_text(json.dumps(rows), encoding="utf-8")
    before = dump(db)
    with Database(db) as d:
        try:
            res = pcpp.import_pcpp(d, snap.parent, DAY, catalog)
        except DlrigError as e:
            event("refused")
            one_line(e)
            assert dump(db) == before
            return
    event(f"accepted: {len(res.prices)} priced, {len(res.bad)} bad")
    rep = next(r for c, r in res.categories.items() if pcpp.FILES[stem] == c)
    assert rep.rows == len(rows) and rep.priced + rep.bad <= rep.rows
    for _, _, why in res.bad:
        assert "\n" not in why and "\x1b" not in why
    assert all(0 < cents <= MAX_PRICE * 100 for cents in res.prices.values())


# -- rates files ------------------------------------------------------------------------
RATE_CELL = st.one_of(NASTY_TEXT, CELL, st.floats(min_value=1e-8, max_value=1e9).map(repr))
PLAUSIBLE = st.floats(min_value=0.5, max_value=5000).map(lambda x: f"{x:.2f}")


@SETTINGS
@given(rows=st.lists(st.tuples(st.sampled_from(["USD", "USD", "EUR", "usd", "XXX", ""]),
                               st.sampled_from(["ARS", "ARS", "BRL", "", "\x1b"]),
                               st.one_of(PLAUSIBLE, RATE_CELL),
                               st.one_of(st.just("2025-01-02"), st.just("2024-06-30"), RATE_CELL),
                               st.sampled_from(["official", "blue", "", "nope"]),
                               st.one_of(st.just("test"), RATE_CELL)),
                     min_size=1, max_size=3))
def test_rates_files_of_random_cells(world, rows):
    db, _, tmp = world
    path = tmp / "rates.csv"
    path.write_text(_csv_text([["base", "quote", "rate", "date", "kind", "source"],
                               *map(list, rows)], ","), encoding="utf-8")
    before = dump(db)
    with Database(db) as d:
        try:
            rates = import_rates(d, path)
        except DlrigError as e:
            event("refused")
            one_line(e)
            assert dump(db) == before
            return
    event("accepted")
    lo, hi = RATE_RANGE
    for r in rates:
        assert lo <= r.rate <= hi and r.date <= dt.date.today() and r.rate.is_finite()
    with sqlite3.connect(str(db)) as c:
        stored = [Decimal(v) for (v,) in c.execute("SELECT rate FROM rates")]
    assert all(lo <= v <= hi for v in stored)


def test_the_property_inputs_reach_both_outcomes(world):
    """Not a vacuous property: the strategies above produce accepted and refused inputs
    (checked on fixed examples of each, the way the properties check them)."""
    db, catalog, tmp = world
    ok = tmp / "ok.csv"
    ok.write_text("name,price\nIntel Pentium G4560,1500\n", encoding="utf-8")
    bad = tmp / "bad.csv"
    bad.write_text("name,price\nIntel Pentium G4560,1e400\n", encoding="utf-8")
    with Database(db) as d:
        assert import_price_list(d, ok, store="mexx", market="ar", currency="ARS", date=DAY,
                                 catalog=catalog).written == 1
        with pytest.raises(DlrigError):
            import_price_list(d, bad, store="mexx", market="ar", currency="ARS", date=DAY,
                              catalog=catalog)
    assert Path(ok).exists()
