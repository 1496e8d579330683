"""Swap (`dlrig swap BUILD SLOT`, the web's Swap page): both list a slot's alternatives
with the part picker (dlrig.picker), so one query gives the same rows from both; parts
are checked with the check's rules; multi-GPU throughput is the measured scaling, never
the cards' sum."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dlrig.build import Build, BuildItem
from dlrig.catalog import builtin
from dlrig.cli import app
from dlrig.optimize.solve import perf_workload_for
from dlrig.parts import Category
from dlrig.picker import build_throughput, parse_query, pick
from dlrig.rules import Severity, check_build, context_for

runner = CliRunner()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("swap") / "plan.toml"
    r = runner.invoke(app, ["plan", "--no-db", "--market", "us", "--budget", "2000", "--save",
                            str(path)])
    assert r.exit_code == 0, r.output
    return path


def _cli(saved, slot: str, *args: str) -> dict:
    r = runner.invoke(app, ["swap", str(saved), slot, "--no-db", "--json", *args])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_a_cpu_of_another_socket_conflicts_with_the_board(saved):
    data = _cli(saved, "cpu", "-n", "0")
    board = next(i.part for i in _items(saved) if i.part.category == Category.motherboard)
    cat = builtin()
    for a in data["alternatives"]:
        if cat.get(a["id"]).socket != board.socket:  # an AM5 CPU on an LGA1700 board
            assert not a["compatible"] and a["conflict"]["severity"] == "error", a
            assert a["status"] == "incompatible" and a["reason"] == a["conflict"]["message"]
    assert data["compatible"] >= 1 and data["incompatible"] >= 1
    # Without --all, the rows are the compatible ones, then (as on the web) the others.
    flags = [a["compatible"] for a in data["alternatives"]]
    assert flags == sorted(flags, reverse=True)
    assert all(r["compatible"] for r in data["picker"]["rows"])
    assert len(data["picker"]["rows"]) == data["compatible"]  # -n 0: every row


# (the CLI's options, the web page's query parameters): the same question
SAME = [
    ("gpu", [], []),
    ("gpu", ["--all", "-n", "0", "--sort", "price"],
     [("all", "1"), ("per_page", "100"), ("sort", "price")]),
    ("gpu", ["-q", "rtx", "-f", "vram=16,24", "--price-max", "2,000", "--sort", "value"],
     [("q", "rtx"), ("vram", "16"), ("vram", "24"), ("price_max", "2000"), ("sort", "value")]),
    ("cpu", ["--all", "-f", "socket=AM5", "--order", "desc", "--page", "2", "-n", "5"],
     [("all", "1"), ("socket", "AM5"), ("order", "desc"), ("page", "2"), ("per_page", "5")]),
    ("memory", ["--condition", "any"], [("condition", "any")]),
]


@pytest.mark.parametrize("slot,args,params", SAME)
def test_cli_and_web_give_the_same_alternatives(saved, slot, args, params):
    from dlrig.web.app import create_app

    cli = _cli(saved, slot, *args)
    web = TestClient(create_app(None))
    build = [("p", i.part.id + (f"*{i.quantity}" if i.quantity > 1 else ""))
             for i in _items(saved)]
    got = web.get("/swap?" + urlencode([*build, ("market", "us"), ("slot", slot), *params]),
                  headers={"accept": "application/json"}).json()
    assert cli["alternatives"], "an empty list would compare equal for nothing"
    assert got["alternatives"] == cli["alternatives"]
    assert got["throughput"] == cli["throughput"]
    if "-n" in args and args[args.index("-n") + 1] == "0":
        # every row on the CLI, one page of 100 on the web: the same rows when it fits
        assert got["picker"]["pages"] == 1
        assert {k: v for k, v in got["picker"].items() if k != "per_page"} == \
            {k: v for k, v in cli["picker"].items() if k != "per_page"}
    else:
        assert got["picker"] == cli["picker"]


def test_filters_and_words_narrow_the_rows(saved):
    # NVIDIA's GeForce RTX 4090 and 3090 pages: 24 GB of GDDR6X each
    data = _cli(saved, "gpu", "--all", "-n", "0", "-q", "rtx", "-f", "vram=24")
    cat = builtin()
    assert data["alternatives"]
    for a in data["alternatives"]:
        part = cat.get(a["id"])
        assert part.vram_gb == 24 and "rtx" in part.name.lower()
    names = {a["name"] for a in data["alternatives"]}
    assert "NVIDIA GeForce RTX 4090 Founders Edition" in names


def test_the_table_shows_the_price_with_its_source_and_date(saved):
    r = runner.invoke(app, ["swap", str(saved), "cpu", "--no-db", "--all", "-n", "5"],
                      env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "vs now" in out and "price (USD)" in out and "fits" in out
    assert "built-in price, 20" in out  # who quoted it and when
    assert "needs socket AM4" in out  # why a Ryzen 5 5600 does not fit an LGA1700 board
    assert "page 1 of" in out and "--page 2" in out
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("args,needle", [
    (["-f", "colour=red"], "unknown gpu filter 'colour'"),
    (["-f", "vram"], "'vram' is not KEY=VALUE"),
    (["--price-max", "cheap"], "--price-max: 'cheap' is not a number"),
    (["--sort", "cores"], "--sort: cannot sort gpu parts by 'cores'"),
    (["-n", "3"], "-n 0 lists every row"),
    (["--replace", "gpu/nope"], "no gpu 'gpu/nope' to replace"),
])
def test_bad_options_are_one_line_errors(saved, args, needle):
    r = runner.invoke(app, ["swap", str(saved), "gpu", "--no-db", *args])
    assert r.exit_code != 0
    assert needle in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1, r.output


def _items(path):
    from dlrig.build import load_build

    return load_build(path, builtin()).items


def test_two_gpus_are_scored_by_the_measured_scaling_not_twice_one():
    # Lambda deeplearning-benchmark (pytorch-train-throughput-fp16.csv @ aa5addb6), ResNet-50:
    # 2 x RTX 4090 2,468 images/s against 1,301 for one: 1.90 x, not 2.
    cat = builtin()
    gpu = cat.get("gpu/nvidia-geforce-rtx-4090-founders-edition")
    wl = perf_workload_for("cnn")
    ctx = context_for(cat, "us", workload="cnn")
    one = build_throughput(Build((BuildItem(gpu, 1),), "one"), wl, ctx)
    two = build_throughput(Build((BuildItem(gpu, 2),), "two"), wl, ctx)
    assert two / one == pytest.approx(2468 / 1301, rel=0.1)
    assert two / one < 2


def test_the_swapped_build_is_checked_as_a_whole():
    cat = builtin()
    res = runner.invoke(app, ["plan", "--no-db", "--market", "us", "--budget", "1500",
                              "--json"])
    ids = [p["id"] for p in json.loads(res.stdout)["parts"]]
    build = Build(tuple(BuildItem(cat.get(i), 1) for i in ids), "b")
    ctx = context_for(cat, "us")
    query, errors = parse_query(Category.case, {"all": ["1"], "per_page": ["100"]})
    assert not errors
    rows = pick(cat, build, query, ctx, "us", perf_workload_for(None)).rows
    assert rows
    for r in rows:
        assert [i.part.id for i in r.build.of(Category.case)] == [r.part.id]
        errors = [f for f in check_build(r.build, ctx).by_severity(Severity.error)
                  if r.part.id in f.parts]
        blocking = [f for f in errors if f.message not in r.pending]
        assert r.compatible == (not blocking), (r.part.id, errors)
