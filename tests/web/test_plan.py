"""Plan and Sweep over the built-in catalog: the founding post's question."""

from __future__ import annotations

import tomllib

from dlrig.catalog.builtin import load_builtin
from dlrig.optimize import PlanRequest, plan
from dlrig.report.plan import plan_dict
from dlrig.units import Money

FOUNDING = "/plan?budget=1000&currency=USD&market=ar-2017-05"
J = {"Accept": "application/json"}


def test_empty_form(real_client):
    r = real_client.get("/plan")
    assert r.status_code == 200 and 'name="budget"' in r.text and 'id="result"' not in r.text


def test_founding_plan_page_shows_the_gtx_1070_and_the_total(real_client):
    r = real_client.get(FOUNDING)
    assert r.status_code == 200
    expected = plan(load_builtin(), PlanRequest(budget=Money.of(1000, "USD"), market="ar-2017-05"))
    assert "GTX 1070" in r.text
    assert expected.total_local.format(False) in r.text
    assert expected.total_budget.format(False) in r.text
    for p in expected.parts:
        assert p.reason.replace("'", "&#39;") in r.text
    assert 'href="/swap?' in r.text


def test_json_is_the_library_plan_result(real_client):
    got = real_client.get(FOUNDING, headers=J).json()
    expected = plan(load_builtin(), PlanRequest(budget=Money.of(1000, "USD"), market="ar-2017-05")).to_dict()
    for key in ("status", "total", "total_budget_currency", "throughput", "alternatives", "upgrades"):
        assert got[key] == expected[key], key
    # every part keeps the library's fields; the page adds where each price comes from
    assert len(got["parts"]) == len(expected["parts"])
    for g, e in zip(got["parts"], expected["parts"], strict=True):
        assert {k: g[k] for k in e} == e
        prov = g["provenance"]
        assert (prov["date"], prov["source"], prov["condition"]) == (
            e["price_date"], e["price_source"], e["condition"])


def test_downloads(real_client):
    t = real_client.get(FOUNDING + "&download=toml")
    assert t.headers["content-disposition"].startswith("attachment")
    data = tomllib.loads(t.text)
    assert any("gtx-1070" in p["ref"] for p in data["part"])
    md = real_client.get(FOUNDING + "&download=md")
    assert "Type|Item|Price" in md.text and "GTX 1070" in md.text
    js = real_client.get(FOUNDING + "&download=json")
    assert js.json()["status"] == "optimal"


def test_downloaded_markdown_checks_on_the_check_page(real_client):
    md = real_client.get(FOUNDING + "&download=md").text
    r = real_client.post("/check", data={"parts": md, "market": "ar-2017-05"}, headers=J)
    assert r.status_code == 200 and r.json()["result"]["ok"] is True


def test_impossible_plan_is_explained_not_an_error(real_client):
    r = real_client.get("/plan?budget=100&currency=USD&market=ar-2017-05")
    assert r.status_code == 200
    assert "No build fits" in r.text and 'id="infeasible"' in r.text
    j = real_client.get("/plan?budget=100&currency=USD&market=ar-2017-05", headers=J).json()
    assert j["status"] == "infeasible" and j["infeasibility"]["summary"]


def test_bad_values_are_shown_beside_their_fields(real_client):
    r = real_client.get("/plan?budget=-5&currency=XYZ&market=ar-2017-05&gpus=12&require=Unobtainium 9000")
    assert r.status_code == 422
    for f in ("budget", "currency", "gpus", "require"):
        assert f'id="err-{f}"' in r.text, f
    assert 'value="-5"' in r.text  # what was typed is kept
    j = real_client.get("/plan?budget=abc&market=ar-2017-05", headers=J).json()
    assert "not a number" in j["errors"]["budget"]


def test_huge_budget_is_refused_with_the_range(real_client):
    j = real_client.get("/plan?budget=1e30&market=us", headers=J).json()
    assert "between" in j["errors"]["budget"]


def test_budget_defaults_to_the_market_currency(real_client):
    j = real_client.get("/plan?budget=16100&market=ar-2017-05", headers=J).json()
    assert j["budget"]["currency"] == "ARS"


def test_sweep_page_plots_and_lists_the_gpu_at_each_step(real_client):
    r = real_client.get("/sweep?from=700&to=1100&step=200&currency=USD&market=ar-2017-05")
    assert r.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in r.text
    assert "GTX 1070" in r.text
    j = real_client.get("/sweep?from=700&to=1100&step=200&currency=USD&market=ar-2017-05", headers=J).json()
    assert [row["budget"] for row in j["rows"]] == [700, 900, 1100]  # SweepRow.to_dict
    svg = real_client.get("/sweep.svg?from=700&to=1100&step=200&currency=USD&market=ar-2017-05")
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.lstrip().startswith("<?xml")


def test_sweep_with_too_many_steps_or_a_reversed_range(real_client):
    j = real_client.get("/sweep?from=100&to=5000&step=1&market=us", headers=J).json()
    assert "steps" in j["errors"]["step"]
    j = real_client.get("/sweep?from=900&to=100&step=100&market=us", headers=J).json()
    assert "at least the first" in j["errors"]["to"]


def test_a_plan_for_a_model_is_the_same_from_the_web_the_cli_and_the_library(real_client):
    """The Plan form's model fields: Llama 3.1 8B at Q4_K_M, the GPU count the planner's."""
    import json

    from typer.testing import CliRunner

    from dlrig.cli import app

    url = "/plan?budget=1500&currency=USD&market=us&model=llama-3.1-8b&quant=q4_k_m"
    page = real_client.get(url)
    assert page.status_code == 200 and "tokens/s" in page.text and "the planner" in page.text
    got = real_client.get(url, headers=J).json()
    lib = plan_dict(plan(load_builtin(), PlanRequest(budget=Money.of(1500, "USD"), market="us",
                                                     model="llama-3.1-8b", quant="q4_k_m")))
    cli = json.loads(CliRunner().invoke(app, ["plan", "--market", "us", "--budget", "1500",
                                              "--model", "llama-3.1-8b", "--quant", "q4_k_m",
                                              "--json"]).output)
    for key in ("status", "parts", "total", "throughput", "gpus", "model"):
        assert got[key] == lib[key], key
    for key in ("status", "total", "throughput", "gpus", "model"):
        assert cli[key] == lib[key], key
    # the CLI's parts carry every library field; their provenance, where it prints it
    for c, g in zip(cli["parts"], got["parts"], strict=True):
        assert c == {k: g[k] for k in c}
    assert got["gpus_chosen_by_solver"] is True


def test_model_form_errors_stay_beside_their_fields(real_client):
    r = real_client.get("/plan?budget=1500&market=us&model=no-such-model")
    assert r.status_code == 422 and "unknown model" in r.text
    r = real_client.get("/plan?budget=1500&market=us&model=gemma-2-9b&context=100000")
    assert r.status_code == 422 and "context" in r.text
    r = real_client.get("/plan?budget=1500&market=us&power_limit=0.1")
    assert r.status_code == 422 and "power limit 0.1 is outside" in r.text
    # The library's words, not the CLI's option names, beside the field that holds the value.
    assert "--power-limit" not in r.text
    j = real_client.get("/plan?budget=1500&market=us&model=gemma-2-9b&context=100000",
                        headers={"accept": "application/json"}).json()
    assert set(j["errors"]) == {"context"} and "--context" not in j["errors"]["context"]
    # A path is never read from the web: only the model table's names are accepted.
    r = real_client.get("/plan?budget=1500&market=us&model=/etc/passwd")
    assert r.status_code == 422 and "unknown model" in r.text


def test_the_web_reads_budgets_in_the_markets_format(real_client):
    """As the CLI (dlrig.validate.amount): '1.000' dollars is a question, not one dollar."""
    j = real_client.get("/plan?budget=1.000&market=us",
                        headers={"accept": "application/json"}).json()
    assert "ambiguous in USD" in j["errors"]["budget"]


def _builtin_prices(market: str) -> dict[str, dict]:
    """Each built-in part's price row in ``market``, read from the data files (the
    hand-curated source each price cites), not from the code under test."""
    from pathlib import Path

    import dlrig

    data = Path(dlrig.__file__).parent / "data"
    out = {}
    for f in (data / "catalog").glob("*.toml"):
        for rows in tomllib.loads(f.read_text()).values():
            for part in rows:
                for price in part.get("prices", []):
                    if price["market"] == market:
                        out[part["id"]] = price
    for f in (data / "markets").glob("*.toml"):  # a market file's own [[prices]]
        doc = tomllib.loads(f.read_text())
        if doc["market"]["code"] == market:
            out.update({row["part"]: row for row in doc.get("prices", [])})
    return out


def test_plan_page_shows_each_price_store_condition_date_and_source(real_client):
    """Issue 15: the Plan page says where each price comes from. The founding post's
    market holds one built-in quote per part (the curated data file cites its source and
    date), so each row shows that date and cites that source."""
    import html

    res = plan(load_builtin(), PlanRequest(budget=Money.of(1000, "USD"), market="ar-2017-05"))
    page = html.unescape(real_client.get(FOUNDING).text)
    data = _builtin_prices("ar-2017-05")
    for p in res.parts:
        row = data[p.part.id]
        day = row["date"].isoformat()
        assert f'built-in price · new · <time datetime="{day}">{day}</time>' in page
        assert f'title="built-in: {row["source"]}"' in page
    js = real_client.get(FOUNDING + "&download=json").json()
    for part in js["parts"]:
        row = data[part["id"]]
        prov = part["provenance"]
        assert prov["kind"] == "built-in" and prov["source"] == row["source"]
        assert prov["date"] == row["date"].isoformat() and prov["url"] is None
        assert prov["price"]["amount"] == row["amount"]
