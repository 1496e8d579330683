"""Where a price comes from (``dlrig.report.provenance``): a built-in price shows its cited
source and date, a quote imported from a PCPartPicker snapshot shows PCPartPicker and the
snapshot's date (read from ../shared/data at test time), a store's price list shows that
store and the list's date, an estimate says how it was made. Expected values are read
from the data files and the snapshot, never from the code under test."""

from __future__ import annotations

import datetime as dt
import json
import tarfile
import tomllib
from pathlib import Path
from urllib.parse import quote_plus

import pytest

import dlrig
from dlrig.catalog import builtin
from dlrig.report.provenance import quote_of

DATA = Path(dlrig.__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PCPP = SHARED / "pc-part-dataset-snapshots.tar.gz"
SNAPSHOT = dt.date(2025, 7, 23)


def _catalog_prices(part_id: str) -> list[dict]:
    for f in (DATA / "catalog").glob("*.toml"):
        for rows in tomllib.loads(f.read_text()).values():
            for part in rows:
                if part["id"] == part_id:
                    return part.get("prices", [])
    raise AssertionError(part_id)


def test_a_builtin_price_shows_its_cited_source_and_date():
    # gpu.toml: the Zotac GTX 1070 Mini's US price is NVIDIA's launch MSRP of the chip,
    # dated 2016-06-10, marked as a chip-MSRP stand-in for the board's own price.
    [row] = [p for p in _catalog_prices("gpu/zotac-geforce-gtx-1070-mini") if p["market"] == "us"]
    q = quote_of(builtin(), "gpu/zotac-geforce-gtx-1070-mini", "us", dt.date(2017, 1, 1))
    assert q.kind == "built-in" and q.store == "" and q.where == "built-in price"
    assert q.source == row["source"] and q.date == row["date"]
    assert q.price.amount == row["amount"] and q.price.currency == row["currency"]
    assert q.stand_in is row.get("stand_in", False) is True and "chip MSRP" in q.marks
    assert q.age_days == (dt.date(2017, 1, 1) - row["date"]).days and not q.old
    assert q.url is None and q.search_url is None  # the data file gives no link
    d = q.to_dict()
    assert d["source"] == row["source"] and d["date"] == row["date"].isoformat()


def test_an_old_builtin_price_is_flagged_old():
    [row] = [p for p in _catalog_prices("gpu/zotac-geforce-gtx-1070-mini") if p["market"] == "us"]
    day = row["date"] + dt.timedelta(days=400)
    q = quote_of(builtin(), "gpu/zotac-geforce-gtx-1070-mini", "us", day)
    assert q.old and "old" in q.marks and q.age_days == 400


def test_an_estimate_says_how_it_was_made():
    """Argentina today estimates from US prices (ar.toml: estimate_from = "us")."""
    doc = tomllib.loads((DATA / "markets" / "ar.toml").read_text())
    assert doc["market"]["estimate_from"] == "us"
    us = [p for p in _catalog_prices("cpu/intel-core-i3-12100f") if p["market"] == "us"]
    q = quote_of(builtin(), "cpu/intel-core-i3-12100f", "ar")
    assert q.kind == "estimated" and q.estimated and "estimated" in q.marks
    assert q.price.currency == "ARS" and q.store == ""
    assert any(p["source"] in q.source and str(q.date) == p["date"].isoformat() for p in us)
    assert "ARS/USD" in q.source


def test_a_store_price_list_shows_that_store_and_the_list_date(tmp_path):
    from dlrig.catalog.pricelist import import_price_list
    from dlrig.store import Database, load_catalog

    csv = tmp_path / "lista.csv"
    csv.write_text("producto;precio\nIntel Pentium G4560;95.000\n", encoding="utf-8")
    day = dt.date(2026, 3, 2)
    db_path = tmp_path / "dlrig.db"
    with Database(db_path) as db:
        res = import_price_list(db, csv, store="Compra Gamer", market="ar", currency="ARS",
                                date=day, catalog=builtin())
    assert res.written == 1
    q = quote_of(load_catalog(db_path), "cpu/intel-pentium-g4560", "ar", dt.date(2026, 3, 10))
    assert q.kind == "price list" and q.store == "Compra Gamer" and q.date == day
    assert q.price.amount == 95000 and q.price.currency == "ARS"
    assert q.age_days == 8 and q.url is None and q.search_url is None
    assert "Compra Gamer" in q.text and "2026-03-02" in q.text


def _snapshot_rows(stem: str) -> list[dict]:
    with tarfile.open(PCPP) as tar:
        member = next(m for m in tar.getmembers()
                      if m.name.endswith(f"{SNAPSHOT.isoformat()}/json/{stem}.json"))
        return json.load(tar.extractfile(member))


@pytest.mark.skipif(not PCPP.is_file(), reason=f"shared test data not found at {PCPP}")
def test_a_quote_from_a_pcpartpicker_snapshot_shows_pcpartpicker_and_the_snapshot_date(tmp_path):
    """Import the 2025-07-23 snapshot over the built-in catalog: a part priced by it
    shows PCPartPicker as who quoted it, the snapshot's date, the snapshot's price (the
    lowest of its rows for that part), no store URL (the dataset has none: API.md lists
    name, price and specs only) and a search of PCPartPicker labelled as a search."""
    from dlrig.catalog.pcpp import import_pcpp, read_dataset
    from dlrig.store import Database, load_catalog

    db_path = tmp_path / "dlrig.db"
    data = read_dataset(PCPP, SNAPSHOT)
    assert not any("url" in k or "link" in k for rows in data.values() for r in rows[:50]
                   for k in r)
    with Database(db_path) as db:
        res = import_pcpp(db, PCPP, SNAPSHOT, builtin(), data=data)
    cat = load_catalog(db_path)
    # The founding post's CPU, which the snapshot lists (and prices) by the catalog's name.
    name, pid = "Intel Pentium G4560", "cpu/intel-pentium-g4560"
    rows = [r for r in _snapshot_rows("cpu") if r["name"] == name and r["price"]]
    assert rows and pid in res.prices
    q = quote_of(cat, pid, "us", dt.date(2025, 8, 1))
    assert q.kind == "imported" and q.store == "PCPartPicker" and q.date == SNAPSHOT
    assert round(q.price.amount * 100) == res.prices[pid] <= min(round(r["price"] * 100)
                                                                  for r in rows)
    assert q.condition == "new" and q.age_days == 9 and q.url is None
    assert q.search_url == "https://pcpartpicker.com/search/?q=" + quote_plus(name)
    assert "search" in q.search_label and "not this quote" in q.search_label
    assert "PCPartPicker" in q.text and SNAPSHOT.isoformat() in q.text


def test_the_quote_macro_labels_a_search_as_a_search_and_shows_no_invented_link():
    from dlrig.catalog import LocalPrice
    from dlrig.report.provenance import provenance
    from dlrig.units import Money
    from dlrig.web.render import make_templates

    env = make_templates().env
    page = env.from_string('{% from "quote.html" import quote %}{{ quote(q) }}')
    lp = LocalPrice("cpu/x", Money(5900, "USD"), SNAPSHOT, "pcpp", False, None)
    out = page.render(q=provenance(lp, dt.date(2025, 8, 1), "Intel Pentium G4560"))
    assert "59 USD" in out and "PCPartPicker · new" in out
    assert f'<time datetime="{SNAPSHOT}">{SNAPSHOT}</time>' in out
    assert '>search PCPartPicker</a>' in out and out.count("href=") == 1
    built = quote_of(builtin(), "cpu/intel-pentium-g4560", "ar-2017-05")
    out = page.render(q=built.to_dict())  # the JSON form renders the same way
    assert "href=" not in out and "built-in price · new" in out
