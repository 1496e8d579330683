"""``dlrig rates update`` against recorded DolarAPI and ArgentinaDatos answers, and the
dated card surcharge.

The answers in tests/data/rates/ are the services' own, as their repositories store them
(README there): DolarAPI's /v1/dolares of 2026-06-14 and ArgentinaDatos' per-casa
history thinned to fewer days. A server on 127.0.0.1 started here replays them, whole or
spoiled one way at a time; no test reaches any other address (the services' default
addresses are pointed at a closed local port for the whole module).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
import tomllib
from collections import Counter
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_store_sample import dump
from typer.testing import CliRunner

from dlrig.cli import app
from dlrig.errors import NetworkError
from dlrig.market import CardSurcharge, Rate, Rates
from dlrig.store import Database, load_catalog

runner = CliRunner()
ENV = {"COLUMNS": "300"}
REC = Path(__file__).resolve().parent / "data" / "rates"
AR_TOML = Path(__file__).resolve().parents[1] / "src" / "dlrig" / "data" / "markets" / "ar.toml"
# The casas and the dlrig kinds they are stored as (docs/prices.md, "Exchange rates").
KIND_OF = {"oficial": "official", "blue": "blue", "bolsa": "mep", "contadoconliqui": "ccl",
           "mayorista": "wholesale", "cripto": "crypto", "tarjeta": "card"}
ART = dt.timezone(dt.timedelta(hours=-3))


def recorded(name: str):
    return json.loads((REC / name).read_text(encoding="utf-8"))


def history(casa: str) -> list[dict]:
    return recorded(f"argentinadatos-{casa}.json")


def today_quotes() -> list[dict]:
    return recorded("dolarapi-dolares.json")


def art_day(stamp: str) -> str:
    return dt.datetime.fromisoformat(stamp).astimezone(ART).date().isoformat()


def one_line(r, *needles: str, code: int) -> str:
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert len(lines) == 1 and lines[0].startswith("error:"), r.output
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def rates_rows(path: Path) -> list[tuple]:
    return dump(path)["rates"]


# -- the local server ---------------------------------------------------------------------
JSON = "application/json"


def _body(value) -> bytes:
    return json.dumps(value).encode()


def _good_routes() -> dict[str, tuple]:
    routes = {"/v1/dolares": (200, (REC / "dolarapi-dolares.json").read_bytes(), JSON)}
    for casa in KIND_OF:
        routes[f"/v1/cotizaciones/dolares/{casa}"] = (
            200, (REC / f"argentinadatos-{casa}.json").read_bytes(), JSON)
    return routes


def _spoiled(field: str, value, at: int = 0) -> bytes:
    items = today_quotes()
    if value is _DROP:
        del items[at][field]
    else:
        items[at][field] = value
    return _body(items)


_DROP = object()
_OK = (REC / "dolarapi-dolares.json").read_bytes()
_HIST = "/v1/cotizaciones/dolares/"


def _jump() -> bytes:
    items = history("oficial")
    for x in items:
        if x["fecha"] == "2017-05-31":
            x["venta"], x["compra"] = x["venta"] * 100, x["compra"] * 100  # 1,600 after 16
    return _body(items)


def _twice() -> bytes:
    items = history("blue")
    return _body(items + items[-1:])


# case -> (path replaced, (status, body, content type[, declared length[, delay s]]),
#          extra options, what the one line says)
BAD = {
    "an HTML error page": ("/v1/dolares", (200, b"<!doctype html><html>Error 1020</html>",
                                           "text/html"), [], "the server sent a web page"),
    "HTML served as JSON": ("/v1/dolares", (200, b"<!DOCTYPE html>\n<html></html>", JSON), [],
                            "the server sent a web page"),
    "JSON that is an object": ("/v1/dolares", (200, _body({"error": "rate limited"}), JSON), [],
                               "the answer is an object, not a list of quotes"),
    "an empty list": ("/v1/dolares", (200, b"[]", JSON), [], "an empty list"),
    "an item that is no object": ("/v1/dolares", (200, b"[1450]", JSON), [],
                                  "item 1 is not an object"),
    "a missing venta": ("/v1/dolares", (200, _spoiled("venta", _DROP), JSON), [],
                        "item 1: no 'venta'"),
    "a missing date": ("/v1/dolares", (200, _spoiled("fechaActualizacion", _DROP, 2), JSON), [],
                       "item 3: no 'fechaActualizacion'"),
    "a null venta": ("/v1/dolares", (200, _spoiled("venta", None), JSON), [],
                     "item 1: 'venta' is null"),
    "a venta written as text": ("/v1/dolares", (200, _spoiled("venta", "1450"), JSON), [],
                                "'venta' is '1450', not a number"),
    "a negative venta": ("/v1/dolares", (200, _spoiled("venta", -1450), JSON), [],
                         "rate -1450 ARS per USD is outside"),
    "a zero venta": ("/v1/dolares", (200, _spoiled("venta", 0), JSON), [], "is outside"),
    "an absurd venta": ("/v1/dolares", (200, _spoiled("venta", 1.45e12), JSON), [],
                        "is outside 0.000001-10,000,000"),
    "an absurd compra": ("/v1/dolares", (200, _spoiled("compra", 145000), JSON), [],
                         "'compra' 145000 is 100 x its 'venta' 1450"),
    "a quote from the future": ("/v1/dolares", (200, _spoiled("fechaActualizacion",
                                                              "2099-01-01T12:00:00.000Z"), JSON),
                                [], "dated in the future"),
    "a date that is none": ("/v1/dolares", (200, _spoiled("fechaActualizacion", "ayer"), JSON),
                            [], "'fechaActualizacion' 'ayer' is not a date"),
    "a quote of euros": ("/v1/dolares", (200, _spoiled("moneda", "EUR"), JSON), [],
                         "'moneda' is 'EUR', not USD"),
    "a day 100 x the day before": (_HIST + "oficial", (200, _jump(), JSON), [],
                                   "official rate of 2017-05-31: rate 1600 ARS per USD is 100 x "
                                   "the last known 16"),
    "another casa's history": (_HIST + "blue", (200, (REC / "argentinadatos-oficial.json")
                                                .read_bytes(), JSON), [],
                               "casa 'oficial' in the answer for 'blue'"),
    "a day twice": (_HIST + "blue", (200, _twice(), JSON), [], "a second quote for blue on"),
    "HTTP 500": ("/v1/dolares", (500, b"Internal Server Error", "text/plain"),
                 ["--retries", "1"], "HTTP 500"),
    "HTTP 404": (_HIST + "tarjeta", (404, b"Not Found", "text/plain"), [], "HTTP 404"),
    "a timeout": ("/v1/dolares", (200, _OK, JSON, None, 3), ["--timeout", "0.5", "--retries",
                                                             "0"], "no answer within 0.5 s"),
    "a cut-off body": ("/v1/dolares", (200, _OK[:300], JSON, len(_OK)), ["--retries", "0"],
                       "rates update: dolarapi: http://127.0.0.1"),
    "a cut-off JSON": ("/v1/dolares", (200, _OK[:300], JSON), [],
                       "the answer is cut off (incomplete JSON)"),
}


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, dict[str, tuple]] = {}
    hits: Counter = Counter()

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        self.hits[self.path] += 1
        prefix, _, rest = self.path.lstrip("/").partition("/")
        status, body, ctype, length, delay = (*self.routes.get(prefix, {}).get(
            "/" + rest, (404, b"", "text/plain")), None, None)[:5]
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may leave first (the timeout case)
            self.wfile.write(body)
        if length is not None:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture(autouse=True)
def _nowhere_else(monkeypatch):
    """The services' real addresses point at a closed local port: a test that forgot
    --url fails here instead of reaching the internet."""
    monkeypatch.setattr("dlrig.sources.dolarapi.BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setattr("dlrig.sources.argentinadatos.BASE_URL", "http://127.0.0.1:9")


@pytest.fixture
def server(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr("dlrig.sources.http.BACKOFF_S", 0.05)
    good = _good_routes()
    routes = {"ok": good}
    for i, (path, answer, _extra, _said) in enumerate(BAD.values()):
        routes[f"bad{i}"] = {**good, path: answer}
    _Handler.routes = routes
    _Handler.hits = Counter()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def update(url: str, db: Path, *extra: str):
    return runner.invoke(app, ["rates", "update", "--url", url, "--db", str(db), *extra],
                         env=ENV)


def expected_rows(since: str = "") -> dict[tuple, tuple]:
    """(kind, day) -> (rate, source, buy) as the recorded answers give them."""
    out = {}
    for casa, kind in KIND_OF.items():
        for x in history(casa):
            if x["fecha"] >= since:
                out[(kind, x["fecha"])] = (str(x["venta"]), "argentinadatos", str(x["compra"]))
    for x in today_quotes():
        out[(KIND_OF[x["casa"]], art_day(x["fechaActualizacion"]))] = (
            str(x["venta"]), "dolarapi", str(x["compra"]))
    return out


def stored(db: Path) -> dict[tuple, tuple]:
    rows = rates_rows(db)
    assert all(r[:2] == ("USD", "ARS") for r in rows)
    return {(k, d): (rate, src, buy) for _b, _q, k, d, rate, src, buy in rows}


# -- a good update --------------------------------------------------------------------------
def test_an_update_stores_every_recorded_quote_with_its_kind_side_day_and_source(server,
                                                                                tmp_path):
    db = tmp_path / "r.db"
    r = update(f"{server}/ok", db)
    assert r.exit_code == 0, r.output
    got = stored(db)
    assert got == expected_rows()
    # spot checks read off the recorded answers
    assert got[("official", "2017-05-31")] == ("16", "argentinadatos", "16")
    assert got[("official", "2026-06-12")] == ("1450", "dolarapi", "1400")
    assert got[("mep", "2026-06-14")] == ("1452.2", "dolarapi", "1449.4")
    assert got[("card", "2026-06-12")] == ("1885", "dolarapi", "1820")
    # the summary: rates per kind, the newest day and value
    out = r.output
    assert "official" in out and "2026-06-12" in out and "1,450.00" in out
    assert f"{len(got):,} new, 0 changed, 0 already stored" in out
    with Database(db) as d:
        credits = d.credits()
    assert any("DolarAPI" in c for c in credits) and any("ArgentinaDatos" in c for c in credits)
    # a plan's catalog reads them: the blue rate of a day, the official of 2017
    cat = load_catalog(db, prices=False)
    assert cat.rates.lookup("USD", "ARS", dt.date(2026, 6, 20), "blue").rate == Decimal("1460")
    assert cat.rates.lookup("USD", "ARS", dt.date(2017, 5, 31)).rate == Decimal("16")


def test_running_it_again_changes_nothing(server, tmp_path):
    db = tmp_path / "r.db"
    assert update(f"{server}/ok", db).exit_code == 0
    before = dump(db)
    r = update(f"{server}/ok", db)
    assert r.exit_code == 0, r.output
    assert "0 new, 0 changed" in r.output and "(nothing written)" in r.output
    assert dump(db) == before


def test_since_limits_the_history(server, tmp_path):
    db = tmp_path / "r.db"
    r = update(f"{server}/ok", db, "--since", "2026-01-01")
    assert r.exit_code == 0, r.output
    got = stored(db)
    assert got == expected_rows(since="2026-01-01")
    assert min(d for _k, d in got) >= "2026-01-01"


def test_one_source_fetches_only_its_own(server, tmp_path):
    db = tmp_path / "r.db"
    r = update(f"{server}/ok", db, "--source", "dolarapi")
    assert r.exit_code == 0, r.output
    assert len(rates_rows(db)) == len(today_quotes())
    assert set(_Handler.hits) == {"/ok/v1/dolares"}


def test_a_rate_a_year_older_is_not_compared(server, tmp_path):
    """From 2023-11 the built-in rate before the history is 2017's 16 pesos (22 x less than
    November 2023's official): more than a year apart, it says nothing and is not held
    against the new one."""
    db = tmp_path / "r.db"
    r = update(f"{server}/ok", db, "--source", "argentinadatos", "--since", "2023-11-01")
    assert r.exit_code == 0, r.output
    assert min(d for _k, d in stored(db)) == "2023-11-01"


def test_a_history_20_times_off_a_stored_rate_is_refused(server, tmp_path):
    db = tmp_path / "r.db"
    r = runner.invoke(app, ["rates", "set", "USD", "ARS", "1600", "--date", "2017-05-30",
                            "--db", str(db)], env=ENV)
    assert r.exit_code == 0, r.output
    before = dump(db)
    r = update(f"{server}/ok", db, "--source", "argentinadatos")
    one_line(r, "argentinadatos official rate of 2017-05-30",
             "x the last known 1600 of 2017-05-30", code=NetworkError.exit_code)
    assert dump(db) == before


# -- bad answers: one line, exit 1, nothing changed -----------------------------------------
@pytest.mark.parametrize("case", BAD, ids=list(BAD))
@pytest.mark.parametrize("existing", [True, False], ids=["existing db", "no db yet"])
def test_a_bad_answer_changes_nothing(server, tmp_path, case, existing):
    db = tmp_path / "r.db"
    if existing:
        assert update(f"{server}/ok", db, "--since", "2026-02-01").exit_code == 0
        before = dump(db)
    path, _answer, extra, said = BAD[case]
    t0 = time.perf_counter()
    r = update(f"{server}/bad{list(BAD).index(case)}", db, *extra)
    one_line(r, "rates update", said, code=NetworkError.exit_code)
    assert time.perf_counter() - t0 < 15
    if existing:
        assert dump(db) == before
    else:
        assert not db.exists()


@pytest.mark.parametrize("args,said", [
    (["--url", "ftp://127.0.0.1/x"], "is a ftp:// address"),
    (["--url", "file:///etc/passwd"], "is a file:// address"),
    (["--url", "http:///v1"], "names no host"),
    (["--url", "127.0.0.1"], "is no http(s) address"),
    (["--url", "http://127.0.0.1:9", "--source", "bcra"], "unknown rates source 'bcra'"),
    (["--url", "http://127.0.0.1:9", "--since", "2099-01-01"], "in the future"),
    (["--url", "http://127.0.0.1:9", "--since", "soon"], "'soon' is not a date"),
])
def test_bad_options_are_one_line_exit_2_before_any_download(tmp_path, args, said):
    db = tmp_path / "r.db"
    r = runner.invoke(app, ["rates", "update", *args, "--db", str(db)], env=ENV)
    one_line(r, said, code=2)
    assert not db.exists()


# -- the card rate: official x (1 + the surcharge of its day) -------------------------------
def surcharges() -> list[CardSurcharge]:
    data = tomllib.loads(AR_TOML.read_text(encoding="utf-8"))
    return [CardSurcharge(**s) for s in data["card_surcharges"]]


def test_the_surcharge_table_is_dated_sourced_and_in_order():
    table = surcharges()
    assert [s.date for s in table] == sorted(s.date for s in table)
    assert all(s.currency == "ARS" and len(s.source) > 40 for s in table)
    # the PAIS tax began with Ley 27.541 (2019-12-23) at 30 %; it ended on 2024-12-23,
    # leaving the 30 % income-tax perception
    assert (table[0].date, table[0].pct) == (dt.date(2019, 12, 23), 30)
    assert (table[-1].date, table[-1].pct) == (dt.date(2024, 12, 23), 30)


def test_each_surcharge_matches_argentinadatos_card_series_in_its_first_days():
    """ArgentinaDatos' tarjeta / oficial on each period's first three days is 1 + pct/100
    within 2 % (its oficial is whole pesos until 2020: 131.26 / 80 = 1.641 for 1.65). Only
    the first days: the series moves to 2.55 on 2023-11-08, two weeks before RG 5450/2023
    was published (Telam, 2023-11-23)."""
    oficial = {x["fecha"]: Decimal(str(x["venta"])) for x in history("oficial")}
    tarjeta = {x["fecha"]: Decimal(str(x["venta"])) for x in history("tarjeta")}
    for s in surcharges():
        days = [(s.date + dt.timedelta(days=i)).isoformat() for i in range(3)]
        days = [d for d in days if d in oficial and d in tarjeta]
        assert days, s.date
        for d in days:
            ratio = tarjeta[d] / oficial[d]
            assert abs(ratio / (1 + s.pct / 100) - 1) < Decimal("0.02"), (s.date, d, ratio)


def test_the_card_rate_of_dolarapi_is_its_official_times_the_surcharge():
    """DolarAPI's answer of 2026-06-14 quotes tarjeta 1,885 / 1,820 with oficial 1,450 /
    1,400: dlrig's card rate from the official alone and the 2024-12-23 surcharge is the
    same 1,885."""
    quotes = {x["casa"]: x for x in today_quotes()}
    rates = Rates([Rate(base="USD", quote="ARS", rate=Decimal(str(quotes["oficial"]["venta"])),
                        date=dt.date(2026, 6, 12), kind="official", source="dolarapi")])
    for s in surcharges():
        rates.add_surcharge(s)
    card = rates.lookup("USD", "ARS", dt.date(2026, 6, 13), "card")
    assert card.kind == "card" and card.rate == Decimal(str(quotes["tarjeta"]["venta"]))
    assert "card surcharge from 2024-12-23" in card.source
    # the inverse pair is derived too
    back = rates.lookup("ARS", "USD", dt.date(2026, 6, 13), "card")
    assert abs(back.rate * card.rate - 1) < Decimal("1e-20")


def _r(day: str, rate: str, kind: str = "official") -> Rate:
    return Rate(base="USD", quote="ARS", rate=Decimal(rate), date=dt.date.fromisoformat(day),
                kind=kind, source="t")


def test_a_quoted_card_rate_wins_until_a_newer_official_or_surcharge():
    rates = Rates([_r("2024-12-20", "1044.5"), _r("2024-12-20", "1671.2", "card")])
    for s in surcharges():
        rates.add_surcharge(s)
    # the quote of the day (official x 1.6 before the PAIS tax ended) is used as quoted
    assert rates.lookup("USD", "ARS", dt.date(2024, 12, 22), "card").rate == Decimal("1671.2")
    # on 2024-12-23 the surcharge fell to 30 %: the official of 12-20 x 1.3, dated 12-23
    after = rates.lookup("USD", "ARS", dt.date(2024, 12, 23), "card")
    assert after.rate == Decimal("1044.5") * Decimal("1.3") and after.date == dt.date(2024, 12, 23)
    # a newer official moves the derived card rate; a newer card quote beats it again
    rates.add(_r("2025-01-02", "1050"))
    assert rates.lookup("USD", "ARS", dt.date(2025, 1, 3), "card").rate == Decimal("1365.0")
    rates.add(_r("2025-01-03", "1370", "card"))
    assert rates.lookup("USD", "ARS", dt.date(2025, 1, 3), "card").rate == Decimal("1370")


def test_before_any_surcharge_the_card_rate_falls_back_to_the_official_and_says_so():
    rates = Rates([_r("2017-05-31", "16")])
    for s in surcharges():
        rates.add_surcharge(s)
    r = rates.lookup("USD", "ARS", dt.date(2017, 6, 1), "card")
    assert r.kind == "official" and r.rate == Decimal("16")


def test_rates_look_up_the_latest_on_or_before_a_day_and_the_last_added_of_a_day():
    rates = Rates([_r("2020-01-02", "60"), _r("2020-01-01", "59"), _r("2020-01-03", "61")])
    assert rates.lookup("USD", "ARS", dt.date(2020, 1, 2)).rate == Decimal("60")
    rates.add(_r("2020-01-02", "60.5"))  # a second rate of one day: the one added last
    assert rates.lookup("USD", "ARS", dt.date(2020, 1, 2)).rate == Decimal("60.5")
    assert [r.date.day for r in rates.all()] == [1, 2, 2, 3]


# -- the built-in rates are the recorded answers' ---------------------------------------------
def test_the_founding_market_takes_argentinadatos_official_of_2017_05_31():
    day = {x["fecha"]: x for x in history("oficial")}["2017-05-31"]
    cat = load_builtin_catalog()
    r = cat.rates.lookup("USD", "ARS", dt.date(2017, 5, 31))
    assert (r.rate, r.buy, r.kind) == (Decimal(str(day["venta"])), Decimal(str(day["compra"])),
                                       "official")
    assert "ArgentinaDatos" in r.source and "2017-05-31" in r.source
    assert "ArgentinaDatos" in cat.market("ar-2017-05").note


def test_the_ar_market_rates_are_the_recorded_answers():
    by_day = {(KIND_OF[c], x["fecha"]): x for c in KIND_OF for x in history(c)}
    for x in today_quotes():
        by_day[(KIND_OF[x["casa"]], art_day(x["fechaActualizacion"]))] = x
    cat = load_builtin_catalog()
    ar = [r for r in cat.rates.all() if r.quote == "ARS" and r.date.year >= 2024]
    assert ar
    for r in ar:
        x = by_day[(r.kind, r.date.isoformat())]
        assert (r.rate, r.buy) == (Decimal(str(x["venta"])), Decimal(str(x["compra"]))), r


def load_builtin_catalog():
    from dlrig.catalog import builtin

    return builtin()
