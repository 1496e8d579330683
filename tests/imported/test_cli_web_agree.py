"""The same input gives the same answer from the CLI and the web (issue 11), on an imported
catalog: the web app over a database and ``--db`` of the same file read one catalog.

Timings (``solver``'s wall times, a sweep row's ``wall_s``) are the only fields left out.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dlrig.cli import app

runner = CliRunner()
J = {"accept": "application/json"}


@pytest.fixture(scope="module")
def web(imported_db):
    from dlrig.web.app import create_app

    return TestClient(create_app(imported_db))


def _cli(*args: str) -> object:
    out = runner.invoke(app, list(args))
    assert out.exit_code in (0, 1), out.output
    return json.loads(out.stdout)


def _untimed(d):
    if isinstance(d, dict):
        return {k: _untimed(v) for k, v in d.items() if k not in ("solver", "wall_s")}
    if isinstance(d, list):
        return [_untimed(v) for v in d]
    return d


@pytest.mark.parametrize("query,args", [
    ("budget=1500&market=us", ["--budget", "1500", "--market", "us"]),
    ("budget=3000&market=us&workload=cnn", ["--budget", "3000", "--market", "us",
                                            "--workload", "cnn"]),
    ("budget=2500&market=us&model=qwen3-32b", ["--budget", "2500", "--market", "us",
                                               "--model", "qwen3-32b"]),
])
def test_plan(web, imported_db, query, args):
    got = web.get("/plan?" + query, headers=J).json()
    want = _cli("plan", "--db", str(imported_db), *args, "--json")
    assert _untimed(got) == _untimed(want)


def test_sweep(web, imported_db):
    got = web.get("/sweep?market=us&from=800&to=1600&step=400", headers=J).json()["rows"]
    want = _cli("sweep", "--db", str(imported_db), "--market", "us", "--from", "800", "--to",
                "1600", "--step", "400", "--json")
    assert _untimed(got) == _untimed(want)


@pytest.mark.parametrize("query,args", [
    ("workload=cnn&market=us", ["--workload", "cnn", "--market", "us"]),
    ("workload=llm-inference&market=us&show=all&below_floor=1",
     ["--workload", "llm-inference", "--market", "us", "--show", "all", "--below-floor"]),
])
def test_gpus(web, imported_db, query, args):
    got = web.get("/gpus?" + query, headers=J).json()["gpus"]
    want = _cli("gpus", "--db", str(imported_db), *args, "--json")
    assert got == want


def test_check_of_a_saved_plan_uses_its_intent_in_both(web, imported_db, tmp_path):
    """A plan saved for the cnn workload is judged for cnn by the web's Check page too."""
    saved = tmp_path / "plan.toml"
    out = runner.invoke(app, ["plan", "--db", str(imported_db), "--market", "us", "--budget",
                              "2000", "--workload", "cnn", "--save", str(saved)])
    assert out.exit_code == 0, out.output
    want = _cli("check", str(saved), "--db", str(imported_db), "--json")
    r = web.post("/check", files={"build_file": ("plan.toml", saved.read_bytes())}, headers=J)
    assert r.status_code == 200, r.text
    got = r.json()["result"]
    for key in ("ok", "verified", "findings", "not_checked", "unverified", "rules_run"):
        assert got[key] == want[key], key
    assert want["context"]["workload"] == "cnn"


def test_check_of_a_pcpartpicker_list(web, imported_db, tmp_path):
    text = "\n".join([
        "[PCPartPicker Part List](https://pcpartpicker.com/list/abc123)",
        "",
        "Type|Item|Price",
        ":----|:----|:----",
        "**CPU** | [AMD Ryzen 7 7700X 4.5 GHz 8-Core Processor](https://pcpartpicker.com/"
        "product/x) | $249.99 @ Amazon",
        "**Motherboard** | [MSI MAG B650 TOMAHAWK WIFI ATX AM5 Motherboard](https://"
        "pcpartpicker.com/product/x) | $199.99 @ Amazon",
        "**Memory** | [Corsair Vengeance 32 GB (2 x 16 GB) DDR5-6000 CL30 Memory](https://"
        "pcpartpicker.com/product/x) | $99.99 @ Amazon",
        "**Storage** | [Samsung 990 Pro 2 TB M.2-2280 PCIe 4.0 X4 NVME Solid State Drive]"
        "(https://pcpartpicker.com/product/x) | $169.99 @ Amazon",
        "**Video Card** | [NVIDIA Founders Edition GeForce RTX 4090 24 GB Video Card](https://"
        "pcpartpicker.com/product/x) | $1599.99 @ Best Buy",
        "**Case** | [Fractal Design North ATX Mid Tower Case](https://pcpartpicker.com/product/x)"
        " | $139.99 @ Amazon",
        "**Power Supply** | [Corsair RM1000x 1000 W 80+ Gold Certified Fully Modular ATX Power "
        "Supply](https://pcpartpicker.com/product/x) | $189.99 @ Amazon",
        "| *Prices include shipping, taxes, rebates, and discounts* |",
        "| **Total** | **$2459.93** |",
    ]) + "\n"
    path = tmp_path / "list.md"
    path.write_text(text)
    out = runner.invoke(app, ["check", str(path), "--db", str(imported_db), "--market", "us",
                              "--json"])
    assert out.exit_code in (0, 1), out.output
    want = json.loads(out.stdout)
    r = web.post("/check", data={"parts": text, "market": "us"}, headers=J)
    assert r.status_code == 200, r.text
    got = r.json()["result"]
    for key in ("ok", "verified", "findings", "not_checked", "unverified", "rules_run"):
        assert got[key] == want[key], key
    # What each row became, and how sure: the same rows in both.
    assert r.json()["build"]["matches"] == want["matches"]
    assert [m["line"] for m in want["matches"]] == [5, 6, 7, 8, 9, 10, 11]
    page = web.post("/check", data={"parts": text, "market": "us"}).text
    assert "What each row matched" in page
