"""The Check page: pasted lists, uploaded build files, links; HTML and JSON."""

from __future__ import annotations

import html

from conftest import FOUNDING

from dlrig.build import parse_pcpp_markdown
from dlrig.perf import get_workload
from dlrig.rules import Context, check_build

PCPP = """Type|Item|Price
:----|:----|:----
**CPU** | [Intel Pentium G4560 3.5 GHz Dual-Core Processor](https://pcpartpicker.com/p/1) | $64.99
**Motherboard** | [Gigabyte GA-B250M-DS3H Micro ATX LGA1151 Motherboard](https://pcpartpicker.com/p/2) | $75.00
**Memory** | [Kingston 2 x 8 GB DDR4-2400 Memory](https://pcpartpicker.com/p/3) | $120.00
**Video Card** | [Zotac GeForce GTX 1070 Mini 8 GB Video Card](https://pcpartpicker.com/p/4) | $379.00
**Case** | [Thermaltake Core V1 Mini ITX Desktop Case](https://pcpartpicker.com/p/5) | $50.00
"""

TOML = """name = "{name}"
[[part]]
ref = "cpu/g4560"
[[part]]
ref = "mb/b250m"
[[part]]
ref = "case/100r"
[[part]]
ref = "psu/evga500"
"""


def test_empty_form(client):
    r = client.get("/check")
    assert r.status_code == 200
    assert 'name="parts"' in r.text and 'name="build_file"' in r.text
    assert client.get("/check", headers={"Accept": "application/json"}).json() == {"result": None}


def test_pasted_list_shows_the_form_factor_error_with_numbers_and_fix(client):
    r = client.post("/check", data={"parts": PCPP, "market": "us", "workload": "cnn"})
    assert r.status_code == 200
    page = html.unescape(r.text)
    assert 'data-rule="fit.form-factor"' in page
    assert "Micro-ATX" in page and "Fix:" in page
    assert "1 error" in page
    assert "688 USD" in page  # 64 + 75 + 120 + 379 + 50 from the test catalog
    assert "What was not checked" in page


def test_json_is_the_library_result(client, catalog):
    r = client.post("/check", data={"parts": PCPP, "market": "us", "workload": "cnn"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 200
    got = r.json()
    build = parse_pcpp_markdown(PCPP, catalog, where="part list")
    expected = check_build(build, Context(workload=get_workload("cnn"), circuit_w=1440))
    assert got["result"]["findings"] == [f.to_dict() for f in expected.findings]
    assert got["result"]["ok"] is False
    assert [i["part"]["id"] for i in got["build"]["items"]] == [i.part.id for i in build.items]


def test_uploaded_toml_build_is_checked_and_its_name_escaped(client):
    name = "<script>alert(1)</script>"
    r = client.post("/check", data={"market": "us"},
                    files={"build_file": ("../../etc/build.toml", TOML.format(name=name), "text/plain")})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert 'id="result"' in r.text


def test_upload_error_names_the_file_without_its_path(client):
    r = client.post("/check", data={"market": "us"},
                    files={"build_file": ("../../secret/bad.toml", "name = [", "text/plain")})
    assert r.status_code == 422
    page = html.unescape(r.text)
    assert 'id="err-build_file"' in r.text
    assert "bad.toml" in page and "secret" not in page and "../" not in page


def test_binary_upload_is_refused(client):
    r = client.post("/check", files={"build_file": ("x.toml", b"\x00\x01\x02", "application/octet-stream")},
                    headers={"Accept": "application/json"})
    assert r.status_code == 422
    assert "binary" in r.json()["errors"]["build_file"]


def test_unknown_part_in_pasted_list_is_shown_beside_the_field(client):
    bad = PCPP.replace("Thermaltake Core V1 Mini ITX Desktop Case", "Acme Cardboard Box 9000")
    r = client.post("/check", data={"parts": bad}, headers={"Accept": "application/json"})
    assert r.status_code == 422
    msg = r.json()["errors"]["parts"]
    assert "line 7" in msg and "Acme Cardboard Box 9000" in msg
    r = client.post("/check", data={"parts": bad})
    assert 'id="err-parts"' in r.text and "Acme Cardboard Box 9000" in r.text
    assert "Acme Cardboard Box 9000" in r.text.split('id="f-parts"')[1]  # what was typed is kept


def test_nothing_submitted(client):
    r = client.post("/check", data={}, headers={"Accept": "application/json"})
    assert r.status_code == 422 and "paste a part list" in r.json()["errors"]["parts"]


def test_bad_option_values_are_reported_per_field(client):
    r = client.post("/check", data={"parts": PCPP, "market": "mars", "dataset_gb": "-5"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert "unknown market 'mars'" in errors["market"]
    assert "more than zero" in errors["dataset_gb"]


def test_link_reproduces_the_check(client):
    q = "&".join(f"p={p}" for p in FOUNDING) + "&market=us&workload=cnn"
    r = client.get(f"/check?{q}", headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.json()["result"]["ok"] is True
    page = client.get(f"/check?{q}").text
    assert "788 USD" in page and "/swap?" in page


def test_link_with_unknown_part_says_so(client):
    r = client.get("/check?p=cpu/nope", headers={"Accept": "application/json"})
    assert r.status_code == 422 and "unknown part 'cpu/nope'" in r.json()["errors"]["parts"]


def test_link_with_bad_quantity(client):
    r = client.get("/check?p=cpu/g4560*99", headers={"Accept": "application/json"})
    assert r.status_code == 422 and "quantity" in r.json()["errors"]["parts"]


def test_dataset_size_reaches_the_rules(client):
    q = "&".join(f"p={p}" for p in FOUNDING) + "&market=us&dataset_gb=100000"
    j = client.get(f"/check?{q}", headers={"Accept": "application/json"}).json()
    assert any(f["rule"] == "dl.ssd" and f["values"].get("dataset_gb") == 100000
               for f in j["result"]["findings"])


# -- prices with provenance; every unmatched row at once (issue 15) -----------------------

def test_check_page_shows_each_price_with_its_store_condition_date_and_source(real_client):
    """The founding build in its market: the page shows each part's price with where it
    comes from (the market file's cited source and date); the JSON carries the same rows
    ``dlrig check --json`` prints as ``parts``."""
    import json
    import tomllib
    from pathlib import Path

    from typer.testing import CliRunner

    from dlrig.cli import app

    repo = Path(__file__).resolve().parents[2]
    build = repo / "examples" / "ar-2017-05" / "build.toml"
    doc = tomllib.loads((repo / "src" / "dlrig" / "data" / "markets" / "ar-2017-05.toml")
                        .read_text())
    prices = {row["part"]: row for row in doc["prices"]}
    files = {"build_file": ("build.toml", build.read_bytes(), "text/plain")}
    r = real_client.post("/check", files=files, data={"market": "ar-2017-05"},
                         headers={"Accept": "application/json"})
    assert r.status_code == 200
    parts = r.json()["parts"]
    assert len(parts) == 7
    for p in parts:
        row = prices[p["id"]]
        assert p["provenance"]["source"] == row["source"]
        assert p["provenance"]["date"] == row["date"].isoformat()
        assert p["price"] == {"amount": row["amount"], "currency": "ARS"}
    cli = json.loads(CliRunner().invoke(app, ["check", str(build), "--json"]).stdout)
    assert cli["parts"] == parts  # the CLI and the web agree
    page = html.unescape(real_client.post("/check", files=files,
                                          data={"market": "ar-2017-05"}).text)
    assert page.count('<span class="quote" data-kind="built-in"') == 7
    assert 'built-in price · new · <time datetime="2017-05-31">2017-05-31</time>' in page
    assert f'title="built-in: {prices["cpu/intel-pentium-g4560"]["source"]}"' in page


def test_every_unmatched_part_of_an_uploaded_build_is_named(real_client):
    """The same answer as ``dlrig check``: both unknown parts, each with its closest."""
    text = ('[[part]]\nref = "Zotac GTX 1070 Maxi"\n[[part]]\nref = "cpu/intel-pentium-g4560"\n'
            '[[part]]\nref = "Corsair Carbide 100X"\ncategory = "case"\n')
    r = real_client.post("/check", files={"build_file": ("b.toml", text.encode(), "text/plain")},
                         headers={"Accept": "application/json"})
    assert r.status_code == 422
    msg = r.json()["errors"]["build_file"]
    assert "2 of 3 parts match no single catalog part" in msg
    assert "part 1: unknown part 'Zotac GTX 1070 Maxi'" in msg
    assert "part 3: unknown part 'Corsair Carbide 100X'" in msg
    assert "gpu/zotac-geforce-gtx-1070-mini" in msg and "case/corsair-carbide-100r" in msg
