"""The app shell: pages, JSON negotiation, errors, the body-size limit, `dlrig serve`."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dlrig.units import Money
from dlrig.web import create_app
from dlrig.web.inputs import safe_name
from dlrig.web.render import jsonable


def test_index_lists_every_page(client):
    r = client.get("/")
    assert r.status_code == 200
    for path in ("/check", "/gpus"):
        assert f'href="{path}"' in r.text
    j = client.get("/", headers={"Accept": "application/json"}).json()
    assert {"path": "/check", "label": "Check"} in j["pages"]


def test_static_files_are_served(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert client.get("/static/app.js").status_code == 200


def test_unknown_page_is_404_in_html_and_json(client):
    r = client.get("/nope")
    assert r.status_code == 404 and "There is no page at this address" in r.text
    r = client.get("/nope", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["status"] == 404


def test_format_query_parameter_asks_for_json(client):
    r = client.get("/?format=json")
    assert r.headers["content-type"].startswith("application/json")


def test_browser_accept_header_gets_html(client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/", headers={"Accept": accept})
    assert r.headers["content-type"].startswith("text/html")


def test_jsonable_keeps_exact_money():
    assert jsonable(Money(123456, "ARS")) == {"minor": 123456, "currency": "ARS", "amount": 1234.56,
                                              "text": "1,234.56 ARS"}


@pytest.mark.parametrize("name,expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\prices.csv", "prices.csv"),
    ("a<b>\"c.csv", "a_b__c.csv"),
    ("<script>x</script>.csv", "script_.csv"),
    ("", "upload"),
    ("...", "upload"),
])
def test_safe_name_keeps_only_a_harmless_base_name(name, expected):
    assert safe_name(name) == expected


def test_body_over_the_limit_is_refused_without_reading_it(catalog):
    c = TestClient(create_app(catalog=catalog, max_body=1024))
    big = b"x" * (64 * 1024)
    r = c.post("/check", files={"build_file": ("big.toml", big, "text/plain")})
    assert r.status_code == 413
    assert "the limit is" in r.text and "MB" in r.text
    r = c.post("/check", files={"build_file": ("big.toml", big, "text/plain")},
               headers={"Accept": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["errors"]["build_file"]


def test_chunked_body_over_the_limit_is_refused(catalog):
    c = TestClient(create_app(catalog=catalog, max_body=1024))

    def chunks():
        for _ in range(100):
            yield b"parts=" + b"y" * 1000

    r = c.post("/check", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def test_serve_command_is_registered():
    from dlrig.cli import app

    r = CliRunner().invoke(app, ["serve", "--help"])
    assert r.exit_code == 0
    assert "127.0.0.1" in r.output and "--db" in r.output


def test_serve_refuses_a_directory_as_db(tmp_path):
    from dlrig.cli import app

    r = CliRunner().invoke(app, ["serve", "--db", str(tmp_path)])
    assert r.exit_code == 2 and "is not a file" in r.output


def test_damaged_database_rows_are_said_on_every_page(tmp_path):
    """As the CLI says on stderr: rows left out of the catalog as damaged, and what to run."""
    import sqlite3

    from fastapi.testclient import TestClient

    from dlrig.store import Database
    from dlrig.web.app import create_app

    path = tmp_path / "d.db"
    with Database(path) as d, d.transaction():
        pass
    c = sqlite3.connect(path)
    c.execute("PRAGMA ignore_check_constraints = 1")
    c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2025-06-01', '1e400', 'x')")
    c.commit()
    c.close()
    client = TestClient(create_app(path))
    page = client.get("/plan?budget=1000000&market=ar").text
    assert 'id="data-warning"' in page and "dlrig db check" in page
