"""A second recorded machine (H200, tests/bench/data): the verdict must read it right too.

Unlike the H100 run, this machine has *more* GPU memory (151 GB) than RAM
(135 GB), so the founding post's "RAM at least equal to GPU memory" claim
must fail here; the CPU feed is still the bottleneck.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dlrig.bench.compare import load
from dlrig.bench.schema import json_schema
from dlrig.bench.verdict import judge

from .test_recorded import SHARED_FIGURES

DATA = Path(__file__).parent / "data"
FULL = DATA / "h200-2026-11-27-full.json"
QUICK = DATA / "h200-2026-11-27-quick.json"
REFERENCE = DATA / "h200-2026-11-27-reference.json"


@pytest.mark.parametrize("path", [FULL, QUICK], ids=["full", "quick"])
def test_h200_results_validate(path):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(json.loads(path.read_text()), json_schema())
    r = load(path)
    assert r.inventory.gpus[0].name == "NVIDIA H200" and not r.failed


def test_h200_verdict_and_claims():
    full = load(FULL)
    v = judge(full)
    assert v.bottleneck == "cpu_feed"
    assert (v.loader_workers_needed, v.loader_workers_available) == (22, 16)
    claims = {c.claim: c for c in v.claims}
    ram = next(c for k, c in claims.items() if "RAM" in k)
    assert ram.holds is False and "135 GB of RAM for 151 GB of GPU memory" in ram.text


@pytest.mark.parametrize("bench_id, ref_key", sorted(SHARED_FIGURES.items()))
def test_h200_bench_agrees_with_plain_torch(bench_id, ref_key):
    full = load(FULL)
    reference = json.loads(REFERENCE.read_text())
    ratio = full.get(bench_id).value.median / reference[ref_key]
    assert 0.97 <= ratio <= 1.03, f"{bench_id}: bench / plain torch = {ratio:.3f}"
