"""``dlrig gpus`` and ``dlrig workloads`` through typer's runner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dlrig.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_user_profiles(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("DLRIG_WORKLOADS", raising=False)


def run(*args):
    return runner.invoke(app, list(args))


def test_gpus_json_lists_geforce_cards_above_the_floor_best_first():
    r = run("gpus", "--workload", "transformer", "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows and all({"name", "vram_gb", "relative_throughput"} <= set(row) for row in rows)
    assert all(row["vram_gb"] >= 12 for row in rows)
    rel = [row["relative_throughput"] for row in rows]
    assert rel == sorted(rel, reverse=True)
    names = {row["name"] for row in rows}
    assert "GeForce RTX 3090" in names and "GeForce RTX 3080" not in names  # 10 GB < 12
    assert not any(n.startswith(("A100", "H100")) for n in names)


def test_gpus_all_and_below_floor_and_limit():
    rows = json.loads(run("gpus", "-w", "cnn", "--all", "--below-floor", "--json").output)
    names = {row["name"] for row in rows}
    assert {"H100 SXM5 80 GB", "A100 SXM4 80 GB", "GeForce GTX 1050"} <= names
    top = json.loads(run("gpus", "-w", "cnn", "--all", "-n", "3", "--json").output)
    assert len(top) == 3 and top[0]["relative_throughput"] >= top[2]["relative_throughput"]


def test_gpus_table_names_the_reference_and_workload():
    r = run("gpus", "-w", "llm-inference", "-n", "5")
    assert r.exit_code == 0, r.output
    assert "relative" in r.output and "RTX 3090 = 1.00" in r.output and "llm-inference" in r.output


@pytest.mark.parametrize(
    "args, expect",
    [
        (("gpus", "-w", "gaming"), "unknown workload 'gaming'"),
        (("gpus", "--market", "mars"), "unknown market 'mars'"),
        (("gpus", "--sort", "cheapest"), "unknown sort 'cheapest'"),
        (("workloads", "nope"), "unknown workload 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expect):
    r = run(*args)
    assert r.exit_code == 2
    assert expect in r.output and "Traceback" not in r.output


def test_workloads_table_and_json_and_detail():
    r = run("workloads")
    assert r.exit_code == 0 and "cnn" in r.output and "llm-finetune" in r.output
    data = json.loads(run("workloads", "--json").output)
    by_name = {w["name"]: w for w in data}
    assert by_name["cnn"]["threads_per_gpu"] == 4
    assert by_name["cnn"]["sources"]["threads_per_gpu"].startswith("Dettmers")
    detail = run("workloads", "learning")
    assert detail.exit_code == 0 and "founding document" in detail.output


def test_user_profile_shows_up_in_both_commands(tmp_path, monkeypatch):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "big-llm.toml").write_text(
        'title = "70 B inference"\nvram_floor_gb = 48\nthreads_per_gpu = 2\n'
        "ram_per_vram = 2\ncompute_weight = 0.1\noverhead_share = 0.3\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DLRIG_WORKLOADS", str(d))
    assert "big-llm" in run("workloads").output
    rows = json.loads(run("gpus", "-w", "big-llm", "--all", "--json").output)
    assert rows and all(row["vram_gb"] >= 48 for row in rows)
