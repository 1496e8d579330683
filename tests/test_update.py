"""``dlrig update`` against a local server replaying open-db, pc-part-dataset and the rate
services (issue 13): it fills the database; offline it changes nothing and says so.

The open-db archive is the synthetic sample the store tests build; the price files and
rate answers are the recorded/fixture files of tests/data (see their READMEs). Nothing
here reaches any address but 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_store_sample import tar_sample, write_sample
from typer.testing import CliRunner

from dlrig.cli import app
from dlrig.sources.argentinadatos import CASAS

runner = CliRunner()
DATA = Path(__file__).resolve().parent / "data"


class _Handler(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        body = self.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        ctype = "application/gzip" if self.path.endswith(".gz") else "application/json"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def server(tmp_path, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    archive = tar_sample(write_sample(tmp_path / "co"), tmp_path / "open-db.tar.gz")
    files = {"/open-db.tar.gz": archive.read_bytes()}
    for f in (DATA / "prices" / "pcpp").glob("*.json"):
        files[f"/prices/{f.name}"] = f.read_bytes()
    files["/rates/v1/dolares"] = (DATA / "rates" / "dolarapi-dolares.json").read_bytes()
    for casa in CASAS:
        files[f"/rates/v1/cotizaciones/dolares/{casa}"] = (
            DATA / "rates" / f"argentinadatos-{casa}.json").read_bytes()
    _Handler.files = files
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _args(url: str, db: Path, prices: str | None = None) -> list[str]:
    return ["update", "--db", str(db), "--catalog-url", f"{url}/open-db.tar.gz",
            "--prices-url", prices or f"{url}/prices", "--rates-url", f"{url}/rates",
            "--since", "2026-01-01", "--retries", "0", "--timeout", "5"]


def _dump(db: Path) -> list:
    import sqlite3

    c = sqlite3.connect(db)
    try:
        return [list(c.execute(f"SELECT * FROM {t} ORDER BY 1"))  # noqa: S608 - our tables
                for t in ("parts", "prices", "rates")]
    finally:
        c.close()


def test_update_fills_the_database_and_plans_use_todays_rate(server, tmp_path):
    db = tmp_path / "d.db"
    r = runner.invoke(app, _args(server, db))
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "parts added" in out and "US prices written" in out and "rates:" in out
    parts, prices, rates = _dump(db)
    assert parts and prices and rates
    assert {row[2] for row in rates} >= {"official", "blue", "card"}  # kinds of the services
    # A plan in pesos at today's blue rate says which rate and which day it used.
    plan = runner.invoke(app, ["plan", "--db", str(db), "--market", "ar", "--budget", "1500",
                               "--currency", "USD", "--rate-kind", "blue", "--json"])
    assert plan.exit_code == 0, plan.output
    notes = json.loads(plan.stdout)["notes"]
    newest_blue = max(row[3] for row in rates if row[2] == "blue")
    assert any(f"blue rate of {newest_blue}" in n for n in notes), notes
    # A second update changes nothing.
    again = runner.invoke(app, _args(server, db))
    assert again.exit_code == 0 and "0 parts added" in " ".join(again.output.split())


def test_offline_nothing_changes_and_no_database_is_created(server, tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    new = tmp_path / "new.db"
    r = runner.invoke(app, _args(server, new, prices=f"{closed}/prices"))
    assert r.exit_code == 1
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    assert not new.exists()  # the catalog had downloaded, but nothing was written
    old = tmp_path / "old.db"
    assert runner.invoke(app, _args(server, old)).exit_code == 0
    before = _dump(old)
    r = runner.invoke(app, _args(server, old, prices=f"{closed}/prices"))
    assert r.exit_code == 1 and _dump(old) == before


def test_only_some_steps_and_bad_input():
    r = runner.invoke(app, ["update", "--only", "weather"])
    assert r.exit_code == 2 and "unknown update step 'weather'" in r.output
    r = runner.invoke(app, ["update", "--catalog-url", "file:///etc/passwd"])
    assert r.exit_code == 2 and "http" in r.output
