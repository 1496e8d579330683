"""GPU search and build checks (dlrig.llm.fit), and the speed-model seam."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlrig.build import load_build
from dlrig.catalog import builtin
from dlrig.llm import Job, resolve_model
from dlrig.llm import fit as fitmod

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ar-2017-05" / "build.toml"


@pytest.fixture
def no_speed(monkeypatch):
    monkeypatch.setattr(fitmod, "_decode_tps", None)


def test_70b_needs_two_24_gb_cards_and_no_single_geforce_runs_it(no_speed):
    report = fitmod.fit_gpus(Job(resolve_model("llama-3.1-70b"), "inference", "q4_k_m", 8192),
                             market="us")
    rows = {r.chip: r for r in report.rows}
    assert all(r.count != 1 for r in report.rows)  # RTX 5090 (32 GB) is the largest GeForce
    assert rows["GeForce RTX 4090"].count == 2 and rows["GeForce RTX 3090"].count == 2
    r4090 = rows["GeForce RTX 4090"]
    assert r4090.price is not None and r4090.total_price.minor == 2 * r4090.price.minor
    assert all(r.decode_tps is None for r in report.rows)
    counts = [r.count for r in report.runs]
    assert counts == sorted(counts)


def test_all_adds_datacenter_parts(no_speed):
    job = Job(resolve_model("llama-3.1-70b"), "inference", "q4_k_m", 8192)
    report = fitmod.fit_gpus(job, include_all=True)
    assert any(r.count == 1 and "H100" in r.chip for r in report.rows)


def test_speed_seam_calls_decode_tps_with_model_quant_chips_context(monkeypatch):
    calls = []

    def fake(model, quant, chips, context):
        calls.append((model.name, quant, len(chips), context))
        return 12.5

    monkeypatch.setattr(fitmod, "_decode_tps", fake)
    report = fitmod.fit_gpus(Job(resolve_model("llama-3.1-8b"), "inference", "q4_k_m", 4096))
    assert calls and all(c[0] == "llama-3.1-8b" and c[1] == "q4_k_m" and c[3] == 4096 for c in calls)
    assert {r.decode_tps for r in report.runs} == {12.5}
    # training rows get no decode speed
    calls.clear()
    fitmod.fit_gpus(Job(resolve_model("llama-3.2-1b"), "qlora"))
    assert calls == []


def test_build_with_one_gtx_1070(no_speed):
    build = load_build(EXAMPLE, builtin())
    small = fitmod.fit_build(Job(resolve_model("llama-3.1-8b"), "inference", "q4_k_m", 2048), build)
    assert small.ok and small.gpus[0][1] == 8
    big = fitmod.fit_build(Job(resolve_model("llama-3.1-70b"), "inference", "q4_k_m", 8192), build)
    assert not big.ok and "add" in big.missing and "more GPU" in big.missing
    train = fitmod.fit_build(Job(resolve_model("llama-3.1-8b"), "full"), build)
    assert not train.ok and "--task qlora" in train.missing
