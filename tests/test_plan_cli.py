"""``dlrig plan`` and ``dlrig sweep`` from the command line, and the plan/check property."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

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
    # Throughput, balance, cost and the builder's preference among equal prices (no
    # capacity stage: memory counts beyond the floor only for LLM workloads).
    stages = d["solver"]["stages"]
    assert [s["stage"] for s in stages] == ["throughput", "balance", "cost", "preference"]
    assert {s["status"] for s in stages} == {"OPTIMAL"}


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
    # A budget with no plan has no build: its build columns are blank, not 0.
    assert rows[0]["ram_gb"] == "" and rows[0]["throughput"] == "" and rows[0]["gpu"] == ""
    thr = [float(x["throughput"]) for x in rows if x["status"] == "optimal"]
    assert thr == sorted(thr) and thr[0] > 0  # more money never buys less throughput
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


# -- --db PATH and --no-db -------------------------------------------------------------

def test_a_missing_database_is_one_line(tmp_path):
    r = run("plan", "--db", str(tmp_path / "none.db"), "--market", "us", "--budget", "1500",
            "--workload", "llm-finetune")
    assert r.exit_code == 2, r.output
    assert "no database at" in r.output and "none.db" in r.output
    assert "dlrig catalog import open-db" in r.output and "Traceback" not in r.output
    r = run("sweep", "--db", str(tmp_path / "other.db"), "--market", "us",
            "--from", "1000", "--to", "1200", "--step", "100")
    assert r.exit_code == 2 and "other.db" in r.output and "Traceback" not in r.output
    r = run("plan", "--db", str(tmp_path / "x.db"), "--no-db", *POST, "--budget", "1000")
    assert r.exit_code == 2 and "exclude each other" in r.output


@pytest.mark.parametrize("name", ["plan", "sweep", "check", "power"])
def test_db_help_mentions_the_environment_variable(name):
    r = run(name, "--help")
    assert "--db" in r.output and "--no-db" in r.output and "DLRIG_DB" in r.output


def test_the_local_database_is_read_when_it_exists(tmp_path, monkeypatch):
    """No option: the database at $DLRIG_DB when it exists; --db PATH the same file;
    --no-db the built-in catalog only (one meaning on every command)."""
    from dlrig.store import Database

    path = tmp_path / "dlrig.db"
    with Database(path) as d, d.transaction():
        pass  # an empty, migrated database (kept: a commit happened): built-in + nothing
    monkeypatch.setenv("DLRIG_DB", str(path))
    r = run("plan", *POST, "--budget", "1000", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["status"] == "optimal"
    r2 = run("plan", "--db", str(path), *POST, "--budget", "1000", "--json")
    r3 = run("plan", "--no-db", *POST, "--budget", "1000", "--json")
    assert json.loads(r2.output)["total"] == json.loads(r.output)["total"]
    assert json.loads(r3.output)["total"] == json.loads(r.output)["total"]


def test_missing_rate_without_db_says_local_rates_need_db():
    from dlrig.catalog.source import Source
    from dlrig.cli.plan import rates_hint
    from dlrig.errors import MarketError

    with pytest.raises(MarketError) as e, rates_hint(Source(None)):
        raise MarketError("no official exchange rate USD->ARS on or before 2030-01-01",
                          hint="record a USD->ARS rate", code="missing_rate")
    assert "dlrig rates set" in str(e.value) and "--db" in str(e.value)
    with pytest.raises(MarketError) as e2, rates_hint(Source(Path("x.db"))):
        raise MarketError("no official exchange rate USD->ARS on or before 2030-01-01",
                          code="missing_rate")
    assert "--db" not in str(e2.value)


# -- outputs, bounds and dates ----------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["plan", *POST, "--budget", "1000", "--save", "/nonexistent/dir/x.toml"],
    ["sweep", *POST, "--from", "900", "--to", "1000", "--step", "100",
     "--csv", "/nonexistent/dir/x.csv"],
    ["sweep", *POST, "--from", "900", "--to", "1000", "--step", "100",
     "--plot", "/nonexistent/dir/x.png"],
])
def test_an_output_in_a_missing_folder_is_one_line_before_solving(args):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert "does not exist" in r.output and "Traceback" not in r.output
    assert "status" not in r.output  # refused before any plan was made


def test_outputs_are_written_whole(tmp_path):
    out = tmp_path / "s.csv"
    r = run("sweep", *POST, "--from", "900", "--to", "1000", "--step", "100", "--csv", str(out))
    assert r.exit_code == 0
    assert out.read_text().count("\n") == 3
    assert [p.name for p in tmp_path.iterdir()] == ["s.csv"]  # no temporary file left


@pytest.mark.parametrize("args, fragment", [
    (["plan", *POST, "--budget", "99999999999999999999"], "too large"),
    (["plan", *POST, "--budget", "2000000000"], "too large"),
    (["sweep", *POST, "--from", "1000", "--to", "5000000000", "--step", "1e9"], "too large"),
    (["plan", *POST, "--budget", "1000", "--as-of", "2999-01-01"], "in the future"),
])
def test_absurd_budgets_and_future_dates_are_one_line(args, fragment):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert fragment in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_the_plan_commands_import_no_solver_or_plotting():
    """`dlrig --help` must stay fast: OR-Tools, pandas and matplotlib load on use."""
    import subprocess
    import sys

    code = ("import sys, dlrig.cli, dlrig.cli.plan, dlrig.report.plan, dlrig.optimize; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'ortools', 'pandas', 'matplotlib'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- text ----------------------------------------------------------------------------------

def test_plan_text_has_no_broken_case_articles_or_repeats():
    r = run("plan", *POST, "--budget", "1000")
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    for bad in ("meets: ", "rAM", "cPU", "buys a ", "no floors", "and meets"):
        assert bad not in text, bad
    why = text[text.index("Why"):text.index("total:")]
    not_chosen = text[text.index("Not chosen"):]
    sentences = [s.strip() for s in not_chosen.split(" - ")[1:]]
    for s in sentences:
        head = s.split(":")[0]
        assert head not in why, f"{head!r} is in both Why and Not chosen"


def test_balance_line_adds_up():
    """'balance: 3 of 9 points' lists every term with its points, met or not."""
    import re

    from dlrig.optimize.objective import BALANCE_MAX

    r = run("plan", *POST, "--budget", "1000")
    text = " ".join(r.output.split())
    line = text[text.index("balance:"):text.index("Not chosen")]
    score = int(re.match(r"balance: (\d+) of (\d+) points", line).group(1))
    met = [int(x) for x in re.findall(r"\(\+(\d+)\)", line)]
    missed = [int(x) for x in re.findall(r"\((\d+)\)", line)]
    assert sum(met) == score and sum(met) + sum(missed) == BALANCE_MAX


def test_no_workload_headline_names_the_default_floor():
    r = run("plan", *POST, "--budget", "1000")
    text = " ".join(r.output.split())
    assert "RAM at least 1 x the GPUs' VRAM" in text
    assert "the workload's floor" not in text


def test_eight_gpus_infeasible_names_what_binds():
    r = run("plan", "--market", "us", "--budget", "20000", "--gpus", "8")
    assert r.exit_code == 1
    text = " ".join(r.output.split())
    assert "at any price" in text and "fit.pcie-slots" in text


def test_a_saved_model_plan_checks_clean_by_its_intent(tmp_path):
    """Issue 9: a plan for a model, saved, then checked: no error, no warning, and the
    check judges by the model the plan was for (Qwen2.5 32B at Q4_K_M needs a 24 GB card:
    its 19.9 GB file, bartowski's GGUF listing, plus KV cache and buffers). At 1,500 USD
    that is a used RTX 3090 (no new 24 GB card fits), so the plan lets used quotes in."""
    out = tmp_path / "plan.toml"
    r = run("plan", "--market", "us", "--budget", "1500", "--model", "qwen2.5-32b",
            "--quant", "q4_k_m", "--used", "--save", str(out))
    assert r.exit_code == 0, r.output
    assert "tokens/s" in " ".join(r.output.split())
    text = out.read_text()
    assert "[intent]" in text and 'model = "qwen2.5-32b"' in text
    r = run("check", str(out), "--json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["ok"] and not [f for f in d["findings"] if f["severity"] != "info"]
    assert d["context"]["model"].startswith("qwen2.5-32b")
    # The same build judged for a model it cannot hold: an error from dl.model-fits.
    r = run("check", str(out), "--model", "llama-3.1-70b", "--json")
    assert r.exit_code == 1
    assert "dl.model-fits" in {f["rule"] for f in json.loads(r.output)["findings"]}


def test_bad_intent_in_a_build_file_is_one_line(tmp_path):
    f = tmp_path / "b.toml"
    f.write_text('name = "x"\n[intent]\nmodel = 5\n[[part]]\nref = "cpu/intel-pentium-g4560"\n')
    r = run("check", str(f))
    assert r.exit_code == 2 and "intent 'model' must be str" in r.output
    f.write_text('name = "x"\n[intent]\ncolour = "red"\n[[part]]\nref = "cpu/intel-pentium-g4560"\n')
    r = run("check", str(f))
    assert r.exit_code == 2 and "unknown intent key 'colour'" in r.output


def test_the_cli_names_the_option_the_library_error_is_about():
    """Library errors name a parameter (``field``), the CLI its option: one wording each."""
    r = runner.invoke(app, ["plan", "--market", "us", "--budget", "1500", "--power-limit", "0.1"])
    assert r.exit_code == 2
    assert r.output.strip().startswith("error: --power-limit: power limit 0.1 is outside")
    r = runner.invoke(app, ["plan", "--market", "us", "--budget", "1500", "--gpus", "12"])
    assert "--gpus: GPU count must be 0 to 8" in r.output
