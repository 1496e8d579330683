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
    text = " ".join(r.output.split())  # the note wraps at words
    assert "relative" in text and "RTX 3090 = 1.00" in text and "llm-inference" in text


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


# -- readable at 80 columns (the default terminal, and any piped output) -------------


def table_rows(output: str) -> list[list[str]]:
    """Cells of the body rows of a rich table (lines between the heavy header rule and the end)."""
    rows, body = [], False
    for line in output.splitlines():
        if line.startswith("┡"):
            body = True
        elif line.startswith("└"):
            body = False
        elif body and line.startswith("│"):
            rows.append([c.strip() for c in line.strip("│").split("│")])
    return rows


def header_words(output: str) -> set[str]:
    words = set()
    for line in output.splitlines():
        if line.startswith("┃"):
            for cell in line.strip("┃").split("┃"):
                words.update(cell.split())
    return words


def narrow(*args, columns=80):
    r = runner.invoke(app, list(args), env={"COLUMNS": str(columns)})
    assert r.exit_code == 0, r.output
    assert "…" not in r.output
    assert max(len(line.rstrip()) for line in r.output.splitlines()) <= columns
    return r.output


@pytest.mark.parametrize("market", ["us", "ar"])
def test_gpus_table_at_80_columns_shows_whole_numbers_and_the_main_columns(market):
    out = narrow("gpus", "--workload", "cnn", "--market", market, "--show", "all")
    assert {"GPU", "VRAM", "relative", "price", "per", "1,000"} <= header_words(out)
    rows = table_rows(out)
    data = json.loads(run("gpus", "--workload", "cnn", "--market", market, "--show", "all",
                          "--json").output)
    assert len(rows) == len(data) > 20
    priced = 0
    for cells, row in zip(rows, data, strict=True):
        assert row["name"].endswith(cells[0])  # whole name, "GeForce " may be dropped
        assert f"{row['relative_throughput']:.2f}" in cells
        if row["price"] is not None:
            priced += 1
            price = next(c for c in cells if c.endswith(row["price"]["currency"]))
            assert float(price.lstrip("~").split()[0].replace(",", "")) == row["price"]["amount"]
            per = float(cells[-1])
            assert per == pytest.approx(row["throughput_per_1000"], rel=0.01) and per > 0
    assert priced >= 5


def test_gpus_at_80_columns_drops_secondary_columns_that_a_wide_terminal_shows():
    wide = narrow("gpus", "-w", "cnn", "--all", "--market", "us", columns=200)
    assert {"arch", "tensor", "TFLOP/s", "GB/s", "price"} <= header_words(wide)
    assert any(r[0] == "GeForce RTX 4090" for r in table_rows(wide))
    slim = narrow("gpus", "-w", "cnn", "--all", "--market", "us")
    assert "arch" not in header_words(slim) and "price" in header_words(slim)
    assert len(table_rows(slim)) == len(table_rows(wide))


def test_gpus_at_40_columns_still_cuts_no_number():
    out = narrow("gpus", "-w", "transformer", "--market", "us", "-n", "5", columns=40)
    data = json.loads(run("gpus", "-w", "transformer", "--market", "us", "-n", "5", "--json").output)
    rows = table_rows(out)
    assert [r[1] for r in rows] == [f"{d['relative_throughput']:.2f}" for d in data]
    assert all(d["name"].endswith(r[0]) for r, d in zip(rows, data, strict=True))


def test_workloads_table_at_80_columns():
    out = narrow("workloads")
    assert {"name", "VRAM", "floor", "title"} <= header_words(out)
    names = [r[0] for r in table_rows(out) if r[0]]
    assert {"cnn", "learning", "llm-finetune", "llm-inference", "transformer"} <= set(names)
    text = " ".join(out.split())
    assert "CNN training (ResNet-50 on JPEG images)" in text.replace(" │ ", " ").replace("│ ", "")
    cnn = next(r for r in table_rows(out) if r[0] == "cnn")
    assert "8 GB" in cnn
    assert "compute" in header_words(narrow("workloads", columns=160))


def test_workload_detail_at_80_columns_folds_long_sources():
    out = narrow("workloads", "transformer")
    assert "BERT" in out


def test_plot_writes_the_value_chart_of_the_listed_cards(tmp_path):
    out = tmp_path / "value.svg"
    r = run("gpus", "--market", "us", "--no-db", "--plot", str(out), "--json")
    assert r.exit_code == 0, r.output
    svg = out.read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in svg
    assert json.loads(r.stdout)  # the JSON stays clean: the "written" line went to stderr


def test_plot_needs_a_market_and_a_known_suffix(tmp_path):
    r = run("gpus", "--no-db", "--plot", str(tmp_path / "v.svg"))
    assert r.exit_code == 2 and "needs a market" in r.output
    assert not (tmp_path / "v.svg").exists()
    r = run("gpus", "--market", "us", "--no-db", "--plot", str(tmp_path / "v.xyz"))
    assert r.exit_code == 2 and ".png" in r.output and "Traceback" not in r.output
