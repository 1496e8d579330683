"""Swap (dlrig.optimize.swap, `dlrig swap BUILD SLOT`, the web's Swap page): one library
function, one answer; alternatives checked with the check's rules; multi-GPU throughput is
the measured scaling, never the cards' sum."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dlrig.build import Build, BuildItem
from dlrig.catalog import builtin
from dlrig.cli import app
from dlrig.optimize.solve import perf_workload_for
from dlrig.optimize.swap import alternatives, build_throughput
from dlrig.parts import Category
from dlrig.rules import context_for

runner = CliRunner()


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("swap") / "plan.toml"
    r = runner.invoke(app, ["plan", "--no-db", "--market", "us", "--budget", "2000", "--save",
                            str(path)])
    assert r.exit_code == 0, r.output
    return path


def test_a_cpu_of_another_socket_conflicts_with_the_board(saved):
    r = runner.invoke(app, ["swap", str(saved), "cpu", "--no-db", "--all", "-n", "0", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    board = next(i.part for i in _items(saved) if i.part.category == Category.motherboard)
    cat = builtin()
    for a in data["alternatives"]:
        if cat.get(a["id"]).socket != board.socket:  # an AM5 CPU on an LGA1700 board
            assert not a["compatible"] and a["conflict"]["severity"] == "error", a
    assert data["compatible"] >= 1 and data["incompatible"] >= 1
    # Compatible ones are listed first.
    flags = [a["compatible"] for a in data["alternatives"]]
    assert flags == sorted(flags, reverse=True)


def test_cli_and_web_give_the_same_alternatives(saved):
    from dlrig.web.app import create_app

    cli = json.loads(runner.invoke(app, ["swap", str(saved), "gpu", "--no-db", "--all", "-n",
                                         "0", "--json"]).stdout)
    web = TestClient(create_app(None))
    query = "&".join(f"p={i.part.id}" + (f"*{i.quantity}" if i.quantity > 1 else "")
                     for i in _items(saved))
    got = web.get(f"/swap?{query}&market=us&slot=gpu",
                  headers={"accept": "application/json"}).json()
    assert got["alternatives"] == cli["alternatives"]
    assert got["throughput"] == cli["throughput"]


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
    alts = alternatives(cat, build, Category.case, ctx, "us", perf_workload_for(None))
    assert alts and all(a.build.of(Category.case)[0].part.id == a.part.id for a in alts)
