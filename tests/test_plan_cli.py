"""``dlrig plan`` and ``dlrig sweep`` from the command line, and the plan/check property."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dlrig.build import parse_pcpp_markdown
from dlrig.catalog.builtin import load_builtin
from dlrig.cli import app
from dlrig.optimize import PlanRequest, plan
from dlrig.optimize.solve import prepare
from dlrig.perf import workloads
from dlrig.rules import check_build
from dlrig.units import Money

runner = CliRunner()
POST = ["--market", "ar-2017-05", "--currency", "USD"]


def run(*args):
    return runner.invoke(app, list(args))


def test_plan_exit_0_and_json():
    r = run("plan", *POST, "--budget", "1000", "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["status"] == "optimal"
    assert d["total_budget_currency"]["currency"] == "USD"
    assert d["total_budget_currency"]["amount"] <= 1000
    assert {p["category"] for p in d["parts"]} >= {"cpu", "gpu", "memory", "motherboard",
                                                    "storage", "psu", "case"}
    assert all(p["reason"] for p in d["parts"])
    assert d["check"]["ok"] is True
    assert [s["status"] for s in d["solver"]["stages"]] == ["OPTIMAL"] * 3


def test_plan_infeasible_exit_1_with_one_paragraph():
    r = run("plan", *POST, "--budget", "300")
    assert r.exit_code == 1
    assert "Nothing fits 300 USD" in r.output and "over budget" in r.output


def test_plan_markdown_reads_back_as_a_build_that_passes_check():
    r = run("plan", *POST, "--budget", "1000", "--md")
    assert r.exit_code == 0, r.output
    assert "Type|Item|Price" in r.output and "**Total**" in r.output
    cat = load_builtin()
    build = parse_pcpp_markdown(r.output, cat)
    assert build.count("gpu") == 1 and build.cpu.name == "Intel Pentium G4560"
    assert check_build(build, prepare(cat, PlanRequest(Money.of(1000, "USD"),
                                                       "ar-2017-05")).ctx).ok


def test_plan_rich_output_names_status_and_reasons():
    r = run("plan", *POST, "--budget", "1000")
    assert r.exit_code == 0
    for s in ("status optimal", "Why", "Upgrade path", "i3-7100"):
        assert s in r.output.replace("\n", " ") or s in r.output, s


@pytest.mark.parametrize("args, fragment", [
    (["--budget", "1000", "--market", "nowhere"], "unknown market"),
    (["--budget", "1000", "--market", "us", "--currency", "XYZ"], "unknown currency"),
    (["--budget", "-5", "--market", "us"], "budget"),
    (["--budget", "1000", "--market", "us", "--json", "--md"], "exclude each other"),
    (["--budget", "1000", "--market", "us", "--as-of", "31/05/2017"], "bad --as-of"),
    (["--budget", "1000", "--market", "us", "--workload", "nope"], "unknown workload"),
    (["--budget", "1000", "--market", "us", "--require", "no such part zz"], "unknown part"),
    (["--budget", "1000", "--market", "us", "--gpus", "9"], "--gpus"),
])
def test_plan_bad_input_exit_2(args, fragment):
    r = run("plan", *args)
    assert r.exit_code == 2, r.output
    assert fragment in r.output
    assert "Traceback" not in r.output


def test_plan_save_writes_a_build_file(tmp_path):
    out = tmp_path / "plan.toml"
    r = run("plan", *POST, "--budget", "1000", "--save", str(out))
    assert r.exit_code == 0
    r2 = run("check", str(out), "--market", "ar-2017-05")
    assert r2.exit_code == 0, r2.output


def test_sweep_csv_and_plot(tmp_path):
    png, out = tmp_path / "sweep.png", tmp_path / "sweep.csv"
    r = run("sweep", *POST, "--from", "300", "--to", "1100", "--step", "200",
            "--csv", str(out), "--plot", str(png))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [float(x["budget"]) for x in rows] == [300, 500, 700, 900, 1100]
    assert rows[0]["status"] == "infeasible" and rows[-1]["status"] == "optimal"
    thr = [float(x["throughput"]) for x in rows]
    assert thr == sorted(thr)  # more money never buys less throughput
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_bad_range_exit_2():
    r = run("sweep", "--market", "us", "--from", "1000", "--to", "500", "--step", "100")
    assert r.exit_code == 2 and "bad sweep range" in r.output


CATALOG = load_builtin()
MARKETS = sorted(CATALOG.markets)
WORKLOADS = [None, *sorted(workloads())]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(market=st.sampled_from(MARKETS), workload=st.sampled_from(WORKLOADS),
       budget=st.integers(min_value=200, max_value=6000), gpus=st.sampled_from([1, 1, 1, 2]),
       bios=st.booleans())
def test_every_plan_passes_check_with_no_error(market, workload, budget, gpus, bios):
    req = PlanRequest(budget=Money.of(budget, "USD"), market=market, workload=workload,
                      gpus=gpus, allow_bios_update=bios, explain=False)
    res = plan(CATALOG, req)
    if not res.ok:
        assert res.build is None
        return
    assert res.check.ok, [f.message for f in res.check.findings if f.severity.value == "error"]
    assert res.total_local.minor <= res.budget_local.minor
    assert res.build.count("gpu") == gpus


def test_plan_md_documents_the_policy_objective_and_statuses():
    from pathlib import Path

    from dlrig.optimize.objective import BALANCE_TERMS
    from dlrig.optimize.policy import PROMOTED

    text = (Path(__file__).resolve().parents[1] / "docs" / "plan.md").read_text(encoding="utf-8")
    for rule_id in PROMOTED:
        assert f"`{rule_id}`" in text, rule_id
    for name, weight, _ in BALANCE_TERMS:
        assert f"| `{name}` | {weight} |" in text, name
    for status in ("optimal", "feasible", "infeasible", "unknown"):
        assert f"| `{status}` |" in text


@pytest.mark.parametrize("name", ["plan", "sweep"])
def test_plan_commands_have_help_with_an_example(name):
    cmd = next(c for c in app.registered_commands if c.name == name)
    assert "Example: dlrig " + name in (cmd.callback.__doc__ or "")
