"""Price sources (issue 13): `dlrig prices update` against a local server, store CSVs with a
condition column, and `prices history` showing each quote's condition, store and date.

The update is tested against a server on 127.0.0.1 started here, serving the fixture files
of ``tests/data/prices/pcpp/``: a few rows per category, written for these tests in the
layout docyx/pc-part-dataset publishes (``data/json/<category>.json``, one JSON array of
parts per file; fields per category as its ``API.md`` lists them, ``price`` in USD or
``null``). Their prices are test inputs, not real prices. No test reaches another address.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import tempfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_store_sample import PCPP, dump, need_shared, write_sample
from typer.testing import CliRunner

from dlrig.catalog import opendb, pcpp
from dlrig.catalog.pricelist import check_condition, condition_of, parse_price_list
from dlrig.cli import app
from dlrig.errors import NetworkError, PriceListError
from dlrig.store import Database

runner = CliRunner()
ENV = {"COLUMNS": "200"}
FIXTURES = Path(__file__).parent / "data" / "prices" / "pcpp"
DAY = "2025-07-23"
GPU = "gpu/zotac-geforce-gtx-1070-mini"
# The fixture rows that match a part of the sample catalog (test_store_sample), and the
# rows kept for review: read from the fixture files, where each row is written by hand.
MATCHED = {
    "cpu/intel-core-i3-7100": 11750, GPU: 37999, "motherboard/gigabyte-ga-b250m-ds3h": 7999,
    "memory/kingston-valueram-ddr4-2400-16gb-2x8gb": 4550, "storage/sandisk-ssd-plus-120gb": 2499,
    "psu/evga-500-w1": 4499, "cooler/cooler-master-hyper-212": 2999,
}
REVIEW = {"AMD Athlon 64 X2 4000+", "3dfx Voodoo5", "Corsair Carbide Series 100R"}


def one_line(r, *needles: str, code: int) -> str:
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


@pytest.fixture
def db(tmp_path):
    """The sample open-db catalog, no prices."""
    p = tmp_path / "p.db"
    with Database(p) as d:
        opendb.import_opendb(d, write_sample(tmp_path / "sample"))
    return p


def _prices(path: Path) -> list[tuple]:
    c = sqlite3.connect(str(path))
    try:
        return sorted(c.execute("SELECT part_id, market, amount_minor, currency, date, source, "
                                "store, estimated, condition, stand_in FROM prices"))
    finally:
        c.close()


def _review(path: Path) -> list[tuple]:
    c = sqlite3.connect(str(path))
    try:
        return sorted(c.execute("SELECT source, date, market, category, name, row, amount_minor, "
                                "status FROM unmatched"))
    finally:
        c.close()


# -- the local server ------------------------------------------------------------------
HTML = b"<!DOCTYPE html><html><head><title>Rate limited</title></head><body>Slow down</body></html>"


def _good(stem: str) -> bytes:
    return (FIXTURES / f"{stem}.json").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    """``/<case>/<stem>.json``: the fixture file, or the case's bad answer for one file."""

    files: dict[str, bytes] = {}
    hits: Counter = Counter()

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8",
              length: int | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        self.hits[path] += 1
        case, _, name = path.strip("/").rpartition("/")
        stem = name.removesuffix(".json")
        if stem not in pcpp.FILES or not name.endswith(".json"):
            return self._send(404, b"Not Found")
        body = self.files.get(stem) or _good(stem)
        if case in ("good", "shared"):
            return self._send(200, body)
        if case == "flaky" and stem == "cpu" and self.hits[path] == 1:
            return self._send(503, b"busy")
        if case == "flaky":
            return self._send(200, body)
        # Every bad case spoils one file, the video cards, after the others were served.
        if stem != "video-card":
            return self._send(200, body)
        if case == "html":
            return self._send(200, HTML, "text/html; charset=utf-8")
        if case == "html-as-text":  # an error page GitHub-style, served as text/plain
            return self._send(200, HTML)
        if case == "500":
            return self._send(500, b"Internal Server Error")
        if case == "404":
            return self._send(404, b"404: Not Found")
        if case == "truncated":  # a complete answer whose JSON stops half way
            return self._send(200, body[: len(body) // 2])
        if case == "cut-off":  # the connection closes before Content-Length bytes came
            self.close_connection = True
            return self._send(200, body[: len(body) // 2], length=len(body))
        if case == "object":
            return self._send(200, json.dumps({"parts": json.loads(body)}).encode())
        if case == "empty":
            return self._send(200, b"[]")
        rows = json.loads(body)
        if case == "absurd":
            rows[0]["price"] = 1e12
        elif case == "zero":
            rows[0]["price"] = 0
        elif case == "negative":
            rows[0]["price"] = -379.99
        elif case == "nameless":
            rows[0]["name"] = None
        elif case == "not-rows":
            rows[0] = "Zotac GeForce GTX 1070 Mini 379.99"
        else:
            return self._send(404, b"Not Found")
        return self._send(200, json.dumps(rows).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up is expected in the cut-off case


@pytest.fixture
def server(tmp_path, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # to see that nothing is left there
    monkeypatch.setattr("dlrig.sources.http.BACKOFF_S", 0.05)
    _Handler.files, _Handler.hits = {}, Counter()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", temp
    httpd.shutdown()
    httpd.server_close()


def _update(base: str, db: Path, *extra: str):
    return runner.invoke(app, ["prices", "update", "--url", base, "--db", str(db), *extra],
                         env=ENV)


# -- prices update ----------------------------------------------------------------------
def test_update_imports_every_file_as_new_us_prices(server, db):
    base, temp = server
    r = _update(f"{base}/good", db, "--date", DAY)
    assert r.exit_code == 0, r.output
    assert {f"/good/{s}.json" for s in pcpp.FILES} == set(_Handler.hits)
    got = {(pid, m, cur, day, src, store, est, cond, stand): cents
           for pid, m, cents, cur, day, src, store, est, cond, stand in _prices(db)}
    assert got == {(pid, "us", "USD", DAY, "pcpp", "", 0, "new", 0): cents
                   for pid, cents in MATCHED.items()}
    assert {row[4] for row in _review(db)} == REVIEW
    assert "7 part prices written; 3 rows kept for review" in r.output
    assert list(temp.iterdir()) == []


def test_update_imports_exactly_what_import_pcpp_imports(server, db, tmp_path):
    """The same files, once downloaded and once from a folder: the same prices, the same
    review rows (the import log differs only in the path it names)."""
    base, _ = server
    other = tmp_path / "other.db"
    other.write_bytes(db.read_bytes())
    assert _update(f"{base}/good", db, "--date", DAY).exit_code == 0
    r = runner.invoke(app, ["prices", "import", "pcpp", str(FIXTURES), "--date", DAY,
                            "--db", str(other)], env=ENV)
    assert r.exit_code == 0, r.output
    assert _prices(db) == _prices(other) and _review(db) == _review(other)
    assert len(_prices(db)) == len(MATCHED)


def test_update_dates_the_quotes_today_without_date(server, db):
    base, _ = server
    r = _update(f"{base}/good/", db)  # a trailing slash is the same folder
    assert r.exit_code == 0, r.output
    assert {row[4] for row in _prices(db)} == {dt.date.today().isoformat()}
    assert "the download day" in r.output


def test_update_twice_changes_nothing(server, db):
    base, _ = server
    assert _update(f"{base}/good", db, "--date", DAY).exit_code == 0
    prices, review = _prices(db), _review(db)
    assert _update(f"{base}/good", db, "--date", DAY).exit_code == 0
    assert _prices(db) == prices and _review(db) == review


def test_a_server_error_is_tried_again(server, db):
    base, _ = server
    r = _update(f"{base}/flaky", db, "--date", DAY)
    assert r.exit_code == 0, r.output
    assert _Handler.hits["/flaky/cpu.json"] == 2 and len(_prices(db)) == len(MATCHED)


BAD = {
    "an HTML page": ("html", [], "the server sent a web page"),
    "an HTML page served as text": ("html-as-text", [], "the server sent a web page, not JSON"),
    "HTTP 500": ("500", ["--retries", "1"], "HTTP 500"),
    "HTTP 404": ("404", [], "HTTP 404"),
    "truncated JSON": ("truncated", [], "not valid JSON"),
    "a cut-off body": ("cut-off", ["--retries", "0"], "download failed"),
    "JSON that is not a list": ("object", [], "expected a JSON array of parts (got an object)"),
    "an empty list": ("empty", [], "holds no parts"),
    "an absurd price": ("absurd", [], "video-card.json row 1: price is beyond any part"),
    "a zero price": ("zero", [], "video-card.json row 1: price 0 is not above 0"),
    "a negative price": ("negative", [], "video-card.json row 1: price -379.99 is not above 0"),
    "a price without a name": ("nameless", [], "video-card.json row 1: a price without a name"),
    "a row that is no object": ("not-rows", [], "video-card.json row 1: not a JSON object"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_response_changes_nothing(server, db, case):
    """One spoilt file of eight: one line, exit code 1, the database as it was, and no
    temporary file left."""
    base, temp = server
    path, extra, expected = BAD[case]
    assert _update(f"{base}/good", db, "--date", "2025-01-02").exit_code == 0  # earlier prices
    before = dump(db)
    r = _update(f"{base}/{path}", db, "--date", DAY, *extra)
    msg = one_line(r, expected, code=NetworkError.exit_code)
    assert "download failed" in msg and "the database was not changed" in msg
    assert dump(db) == before
    assert list(temp.iterdir()) == []
    assert _Handler.hits[f"/{path}/video-card.json"] >= 1


def test_retries_are_counted(server, db):
    base, _ = server
    r = _update(f"{base}/500", db, "--retries", "2")
    one_line(r, "HTTP 500", "after 3 tries", code=NetworkError.exit_code)
    assert _Handler.hits["/500/video-card.json"] == 3


def test_no_server_is_one_line(db, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr("dlrig.sources.http.BACKOFF_S", 0.01)
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    before = dump(db)
    r = _update(f"http://127.0.0.1:{port}/json", db, "--retries", "1")
    one_line(r, "download failed", code=NetworkError.exit_code)
    assert dump(db) == before


@pytest.mark.parametrize("url,expected", [
    ("file:///etc", "is a file:// address"),
    ("ftp://127.0.0.1/json", "is a ftp:// address"),
    ("http:///json", "names no host"),
])
def test_update_takes_only_http_urls(tmp_path, url, expected):
    r = _update(url, tmp_path / "x.db")
    one_line(r, expected, code=2)
    assert not (tmp_path / "x.db").exists()


def test_update_refuses_a_future_date_before_downloading(server, db):
    base, _ = server
    before = dump(db)
    r = _update(f"{base}/good", db, "--date", "2999-01-01")
    one_line(r, "2999-01-01", code=2)
    assert not _Handler.hits and dump(db) == before


def test_the_default_url_is_the_published_folder():
    """docyx/pc-part-dataset README.md: the parts are "available in JSON, JSON Lines, and CSV
    format ... in the ./data directory"; the JSON files are data/json/<category>.json on the
    main branch (the repository's listing), served raw by raw.githubusercontent.com."""
    urls = pcpp.dataset_urls(pcpp.BASE_URL)
    assert urls["video-card"] == ("https://raw.githubusercontent.com/docyx/pc-part-dataset/"
                                  "main/data/json/video-card.json")
    assert set(urls) == set(pcpp.FILES)


@pytest.mark.shared_data
def test_update_of_the_published_files_matches_import_pcpp(server, db, tmp_path):
    """The 2025-07-23 files of docyx/pc-part-dataset (../shared/data, read at test time,
    served from memory): every published category name is one ``FILES`` asks for, the
    files pass the download's checks, and the update stores what ``import pcpp`` of the
    archive stores."""
    need_shared(PCPP)
    from dlrig.catalog.archive import members

    snap = {}
    for name, raw in members(PCPP, lambda n: n.startswith(f"{DAY}/json/")):
        snap[name.rsplit("/", 1)[-1].removesuffix(".json")] = raw
    assert set(pcpp.FILES) <= set(snap)
    _Handler.files = {k: v for k, v in snap.items() if k in pcpp.FILES}
    base, _ = server
    other = tmp_path / "other.db"
    other.write_bytes(db.read_bytes())
    r = _update(f"{base}/shared", db, "--date", DAY)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["prices", "import", "pcpp", str(PCPP), "--date", DAY,
                            "--db", str(other)], env=ENV)
    assert r.exit_code == 0, r.output
    assert _prices(db) == _prices(other) and _review(db) == _review(other)
    assert {row[8] for row in _prices(db)} == {"new"}


# -- store CSVs: the condition column ------------------------------------------------
@pytest.mark.parametrize("cell,condition", [
    ("new", "new"), ("Nuevo", "new"), ("NUEVA", "new"), (" used ", "used"), ("Usado", "used"),
    ("usada", "used"), ("Refurbished", "refurbished"), ("REACONDICIONADO", "refurbished"),
    ("reacondicionada", "refurbished"),
])
def test_condition_words(cell, condition):
    assert condition_of(cell) == condition


@pytest.mark.parametrize("cell", ["como nuevo", "open box", "usado!", "En stock", "nu evo", "-"])
def test_other_words_name_no_condition(cell):
    assert condition_of(cell) is None


@pytest.mark.parametrize("header", ["condition", "Condition", "Condición", "CONDICION",
                                    "estado", "Estado"])
def test_condition_column_aliases(header):
    raw = (f"Producto;Precio;{header}\n"
           "ZOTAC GeForce GTX 1070 Mini;$ 450.000;Usado\n"
           "ZOTAC GeForce GTX 1070 Mini;$ 620.000;Nuevo\n"
           "SanDisk SSD PLUS 120GB;$ 30.000;Reacondicionado\n"
           "EVGA 500 W1;$ 60.000;\n").encode()
    out = parse_price_list(raw, "l.csv", "ARS")
    assert not out.bad
    assert [r.condition for r in out.rows] == ["used", "new", "refurbished", "new"]


def test_a_mapped_condition_column():
    raw = b"Producto,Precio,Situacion\nEVGA 500 W1,60000,usado\n"
    out = parse_price_list(raw, "l.csv", "ARS", columns={"condition": "Situacion"})
    assert [r.condition for r in out.rows] == ["used"]


def test_bad_conditions_are_bad_rows_with_their_line():
    raw = (b"Producto;Precio;Estado\n"
           b"ZOTAC GeForce GTX 1070 Mini;$ 450.000;Usado\n"
           b"EVGA 500 W1;$ 60.000;En stock\n"
           b"\n"
           b"SanDisk SSD PLUS 120GB;$ 30.000;como nuevo\n")
    out = parse_price_list(raw, "l.csv", "ARS")
    assert [r.line for r in out.rows] == [2]
    assert [ln for ln, _ in out.bad] == [3, 5]
    assert "unknown condition 'En stock' in column 'Estado'" in out.bad[0][1]
    assert "unknown condition 'como nuevo'" in out.bad[1][1]


def test_the_default_condition():
    raw = b"Producto,Precio\nEVGA 500 W1,60000\n"
    assert parse_price_list(raw, "l.csv", "ARS").rows[0].condition == "new"
    assert parse_price_list(raw, "l.csv", "ARS", condition="usado").rows[0].condition == "used"
    with pytest.raises(PriceListError, match="unknown condition 'mint'"):
        parse_price_list(raw, "l.csv", "ARS", condition="mint")
    assert check_condition("Refurbished") == "refurbished"


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _import(db: Path, f: Path, *extra: str, store: str = "mexx"):
    return runner.invoke(app, ["prices", "import", "csv", str(f), "--store", store, "--market",
                               "ar", "--currency", "ARS", "--date", "2025-08-01", "--db", str(db),
                               *extra], env=ENV)


def test_one_store_quotes_a_part_new_and_used_on_one_day(db, tmp_path):
    f = _csv(tmp_path / "l.csv", "Producto;Precio;Condición\n"
                                 "ZOTAC GeForce GTX 1070 Mini;$ 450.000;Usado\n"
                                 "ZOTAC GeForce GTX 1070 Mini;$ 470.000;usado\n"
                                 "ZOTAC GeForce GTX 1070 Mini;$ 620.000;Nuevo\n"
                                 "EVGA 500 W1;$ 60.000;reacondicionado\n")
    r = _import(db, f)
    assert r.exit_code == 0, r.output
    assert "3 prices written" in r.output and "1 refurbished" in r.output
    got = {(pid, cond): (cents, cur, day, src, store)
           for pid, m, cents, cur, day, src, store, est, cond, stand in _prices(db)}
    assert got == {
        (GPU, "used"): (45000000, "ARS", "2025-08-01", "store:mexx", "mexx"),  # the lower used
        (GPU, "new"): (62000000, "ARS", "2025-08-01", "store:mexx", "mexx"),
        ("psu/evga-500-w1", "refurbished"): (6000000, "ARS", "2025-08-01", "store:mexx", "mexx"),
    }


def test_condition_flag_is_the_default_for_a_list_without_the_column(db, tmp_path):
    f = _csv(tmp_path / "l.csv", "Producto;Precio\nZOTAC GeForce GTX 1070 Mini;$ 450.000\n")
    r = _import(db, f, "--condition", "used")
    assert r.exit_code == 0, r.output
    assert [(row[0], row[8]) for row in _prices(db)] == [(GPU, "used")]
    g = _csv(tmp_path / "g.csv", "Producto;Precio;Estado\n"
                                 "EVGA 500 W1;$ 60.000;nuevo\nSanDisk SSD PLUS 120GB;$ 30.000;\n")
    r = _import(db, g, "--condition", "refurbished")
    assert r.exit_code == 0, r.output
    assert {row[0]: row[8] for row in _prices(db)} == {
        GPU: "used", "psu/evga-500-w1": "new", "storage/sandisk-ssd-plus-120gb": "refurbished"}


def test_a_bad_condition_flag_is_one_line(db, tmp_path):
    f = _csv(tmp_path / "l.csv", "Producto;Precio\nEVGA 500 W1;$ 60.000\n")
    before = dump(db)
    one_line(_import(db, f, "--condition", "mint"), "unknown condition 'mint'", code=2)
    assert dump(db) == before


def test_a_list_with_a_bad_condition_imports_nothing(db, tmp_path):
    f = _csv(tmp_path / "l.csv", "Producto;Precio;Estado\n"
                                 "EVGA 500 W1;$ 60.000;usado\n"
                                 "SanDisk SSD PLUS 120GB;$ 30.000;Disponible\n")
    before = dump(db)
    one_line(_import(db, f), "1 bad row, nothing imported",
             "line 3: unknown condition 'Disponible' in column 'Estado'", code=2)
    assert dump(db) == before
    r = _import(db, f, "--skip-bad-rows")
    assert r.exit_code == 0 and "line 3: unknown condition" in r.output
    assert [(row[0], row[8]) for row in _prices(db)] == [("psu/evga-500-w1", "used")]


# -- history: condition, store, date ----------------------------------------------------
def test_history_shows_each_quotes_condition_store_and_date(db, tmp_path, server):
    base, _ = server
    assert _update(f"{base}/good", db, "--date", "2025-07-23").exit_code == 0
    f = _csv(tmp_path / "l.csv", "Producto,Precio,Condition\n"
                                 "ZOTAC GeForce GTX 1070 Mini,199.00,used\n"
                                 "ZOTAC GeForce GTX 1070 Mini,249.00,refurbished\n")
    r = runner.invoke(app, ["prices", "import", "csv", str(f), "--store", "ebay", "--market", "us",
                            "--currency", "USD", "--date", "2025-08-01", "--db", str(db)], env=ENV)
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["prices", "history", GPU, "--market", "us", "--db", str(db)], env=ENV)
    assert r.exit_code == 0, r.output
    rows = {ln.split("│")[5].strip(): ln for ln in r.output.splitlines()
            if ln.startswith("│") and "USD" in ln}
    assert "2025-08-01" in rows["used"] and "199.00 USD" in rows["used"] and "ebay" in rows["used"]
    assert "2025-08-01" in rows["refurbished"] and "249.00 USD" in rows["refurbished"]
    new = [ln for ln in r.output.splitlines() if "pcpp" in ln]
    assert len(new) == 1 and "2025-07-23" in new[0] and "379.99 USD" in new[0] and "new" in new[0]
    r = runner.invoke(app, ["prices", "history", GPU, "--market", "us", "--json", "--db", str(db)],
                      env=ENV)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    got = {(q["date"], q["source"], q["store"], q["condition"], q["amount"], q["currency"])
           for q in doc["quotes"] if q["source"] in ("pcpp", "store:ebay")}
    assert got == {("2025-07-23", "pcpp", "", "new", 379.99, "USD"),
                   ("2025-08-01", "store:ebay", "ebay", "used", 199.0, "USD"),
                   ("2025-08-01", "store:ebay", "ebay", "refurbished", 249.0, "USD")}
    assert doc["part"] == GPU and all(q["market"] == "us" for q in doc["quotes"])
