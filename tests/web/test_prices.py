"""Prices: CSV upload through the CLI's importer, the report, history."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from dlrig.web import create_app

J = {"Accept": "application/json"}
GOOD = "producto;precio\nZotac GeForce GTX 1070 Mini;7.900,00\nIntel Pentium G4560;1.350\n"
BAD = GOOD + "Acme thing;abc\n"
FORM = {"store": "Mexx", "market": "ar", "date": "2025-08-01"}


@pytest.fixture
def app_db(tmp_path):
    db = tmp_path / "web.db"
    return TestClient(create_app(db=db)), db


def _prices(db):
    if not db.exists():
        return 0
    with sqlite3.connect(db) as c:
        return c.execute("SELECT COUNT(*) FROM prices").fetchone()[0]


def test_bad_row_is_reported_with_its_line_and_nothing_written(app_db):
    client, db = app_db
    r = client.post("/prices", data=FORM, files={"file": ("lista.csv", BAD, "text/csv")})
    assert r.status_code == 422
    assert 'id="err-file"' in r.text and "line 4" in r.text
    # The page names its own control, never the CLI's --skip-bad-rows.
    assert "Import the good rows" in r.text and "--skip-bad-rows" not in r.text
    assert _prices(db) == 0


def test_good_rows_import_and_the_catalog_reloads(app_db):
    client, db = app_db
    r = client.post("/prices", data={**FORM, "skip_bad_rows": "1"},
                    files={"file": ("lista.csv", BAD, "text/csv")}, headers=J)
    assert r.status_code == 200
    rep = r.json()["report"]
    assert rep["written"] == 2 and rep["parsed"]["bad"] == [[4, "price 'abc' is not a number"]]
    assert _prices(db) == 2
    j = client.get("/prices?part=gpu/zotac-geforce-gtx-1070-mini&market=ar", headers=J).json()
    assert any(p["amount"] == 7900.0 and p["date"] == "2025-08-01" for p in j["history"])
    page = client.get("/prices?part=gpu/zotac-geforce-gtx-1070-mini&market=ar").text
    # The chart is its own URL with the history form's query: the page and a shared link
    # draw the same chart.
    src = "/prices.svg?part=gpu%2Fzotac-geforce-gtx-1070-mini&amp;market=ar"
    assert f'<img src="{src}"' in page
    svg = client.get(src.replace("&amp;", "&"))
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Zotac GeForce GTX 1070 Mini: price history" in svg.text  # its <title>
    assert "default-src 'none'" in svg.headers["content-security-policy"]


def test_dry_run_writes_nothing(app_db):
    client, db = app_db
    r = client.post("/prices", data={**FORM, "dry_run": "1"}, files={"file": ("l.csv", GOOD, "text/csv")}, headers=J)
    assert r.status_code == 200 and r.json()["report"]["dry_run"] is True
    assert _prices(db) == 0


def test_path_in_the_file_name_is_dropped(app_db):
    client, _ = app_db
    r = client.post("/prices", data=FORM, files={"file": ("../../etc/lista.csv", BAD, "text/csv")}, headers=J)
    msg = r.json()["errors"]["file"]
    assert msg.startswith("lista.csv:") and "etc" not in msg


def test_50_mb_upload_is_refused_with_a_message(app_db):
    client, db = app_db
    big = b"producto;precio\n" + b"x;1\n" * (50 * 1024 * 1024 // 4)
    r = client.post("/prices", data=FORM, files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413
    assert "50.0 MB" in r.text and "the limit is 2 MB" in r.text
    assert _prices(db) == 0


def test_hostile_store_name_and_future_date_are_refused(app_db):
    client, db = app_db
    r = client.post("/prices", data={**FORM, "store": "<script>x</script>", "date": "2999-01-01"},
                    files={"file": ("l.csv", GOOD, "text/csv")}, headers=J)
    assert r.status_code == 422
    assert "store" in r.json()["errors"] and "future" in r.json()["errors"]["date"]
    assert _prices(db) == 0


def test_missing_file_and_unknown_history_part(app_db):
    client, _ = app_db
    r = client.post("/prices", data=FORM, headers=J)
    assert r.status_code == 422 and "choose the store's CSV" in r.json()["errors"]["file"]
    r = client.get("/prices?part=flux capacitor", headers=J)
    assert r.status_code == 422 and "unknown part" in r.json()["errors"]["part"]


def test_history_chart_errors_are_one_line_text(app_db):
    client, _ = app_db
    r = client.get("/prices.svg?part=flux capacitor")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/plain")
    assert "unknown part" in r.text and "\n" not in r.text.strip()
    assert client.get("/prices.svg").status_code == 422
    r = client.get("/prices.svg?part=gpu/zotac-geforce-gtx-1070-mini&market=nowhere")
    assert r.status_code == 422 and "market" in r.text
