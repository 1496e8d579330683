"""Our own recorded H100 results (tests/bench/data): schema, verdict, CLI, plain-torch check.

The files were written by ``dlrig bench`` on a lent H100 SXM (README there).
They are re-judged here with the current verdict code, so a change in the
verdict logic that would misread a real machine fails a test without a GPU.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlrig.bench.compare import load
from dlrig.bench.schema import json_schema
from dlrig.bench.verdict import judge, loader_curve, workers_needed
from dlrig.cli import app

DATA = Path(__file__).parent / "data"
FULL = DATA / "h100-sxm-2026-11-26-full.json"
QUICK = DATA / "h100-sxm-2026-11-26-quick.json"
REFERENCE = DATA / "h100-sxm-2026-11-26-reference.json"

# The five figures measured by both dlrig bench and benchmarks/torch_reference.py
# (plain torch and torchvision, no dlrig code), on the same machine, same session.
SHARED_FIGURES = {
    "gpu0.matmul.bf16.8192.burst": "bf16_matmul_8192_burst_tflops",
    "gpu0.matmul.bf16.8192.sustained": "bf16_matmul_8192_sustained_tflops",
    "gpu0.memory.copy": "device_copy_1GiB_GBps",
    "gpu0.pcie.h2d.pinned.1024": "pinned_h2d_1GiB_GBps",
    "gpu0.train.cnn": "torchvision_resnet50_bs128_bf16_images_per_s",
}


@pytest.fixture(scope="module")
def full():
    return load(FULL)


@pytest.mark.parametrize("path", [FULL, QUICK], ids=["full", "quick"])
def test_recorded_results_validate_against_the_published_schema(path):
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(path.read_text())
    jsonschema.validate(data, json_schema())  # what `dlrig bench --schema` prints
    r = load(path)  # and the reader accepts it
    assert r.inventory.gpus[0].name == "NVIDIA H100 80GB HBM3"
    assert not r.failed


def test_schema_rejects_a_broken_result():
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(FULL.read_text())
    data["measurements"][0]["status"] = "fine"  # not ok/skipped/failed
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


def test_full_run_verdict_recomputed_names_cpu_feed(full):
    v = judge(full)
    assert v.bottleneck == "cpu_feed"
    assert (v.loader_workers_needed, v.loader_workers_available) == (22, 16)
    # 22 = ceil(demand / each worker's share when all 16 run), from the recorded figures.
    curve = loader_curve(full)
    demand = full.get("gpu0.train.cnn").value.median
    assert workers_needed(curve, demand) == (22, False)
    assert "about 22 workers would be needed and this machine has 16 CPUs" in v.headline
    # The verdict stored by the run itself said the same.
    assert full.verdict.bottleneck == "cpu_feed" and full.verdict.loader_workers_needed == 22


def test_full_run_claims(full):
    claims = {c.claim: c for c in judge(full).claims}
    two = next(c for k, c in claims.items() if "two CPU threads" in k)
    ram = next(c for k, c in claims.items() if "RAM" in k)
    ssd = next(c for k, c in claims.items() if "SSD" in k)
    assert two.holds is False and "3,716 images/s" in two.text and "22 workers" in two.text
    assert ram.holds is True and "135 GB of RAM for 86 GB of GPU memory" in ram.text
    assert ssd.holds is True
    assert "1.94 GB/s = 25,011 JPEGs/s" in ssd.text and "9x what the workers decode" in ssd.text


def test_quick_run_verdict_also_names_cpu_feed():
    v = judge(load(QUICK))
    assert v.bottleneck == "cpu_feed"
    assert v.loader_workers_needed > v.loader_workers_available == 16


def test_small_pinned_copies_are_not_held_to_the_typical_range(full):
    lines = judge(full).against_specs
    small = next(x for x in lines if x.startswith("H2D pinned, 1 MiB"))
    assert "typical is" not in small and "latency" in small
    large = next(x for x in lines if x.startswith("H2D pinned, 1024 MiB"))
    assert "typical is 86-90 %" in large


def test_result_option_shows_the_recorded_run():
    res = CliRunner().invoke(app, ["bench", "--result", str(FULL)], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert "Bottleneck: CPU feed below GPU demand" in res.output
    assert "fails: two CPU threads per GPU" in res.output
    assert "holds: an SSD keeps data loading fed" in res.output
    assert "41 measurements in 73 s" in res.output


def test_compare_quick_with_full():
    res = CliRunner().invoke(app, ["bench", "--result", str(FULL), "--compare", str(QUICK)],
                             env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert "Compared with the earlier run" in res.output
    # Measured in both runs: the bf16 burst moved 771 -> 784, within noise.
    assert "771" in res.output and "+1.7 % (noise)" in res.output
    # Only the full run measured 1 MiB copies.
    assert "new in this run" in res.output


@pytest.mark.parametrize("bench_id, ref_key", sorted(SHARED_FIGURES.items()))
def test_bench_agrees_with_plain_torch_within_3_percent(full, bench_id, ref_key):
    """The bench measures what plain torch measures (same machine, same session)."""
    reference = json.loads(REFERENCE.read_text())
    assert reference["device"] == full.inventory.gpus[0].name
    ratio = full.get(bench_id).value.median / reference[ref_key]
    assert 0.97 <= ratio <= 1.03, f"{bench_id}: bench / plain torch = {ratio:.3f}"


def test_tables_fit_80_columns_without_breaking_words(full):
    """QA saw "measureme nt": no header, label or figure may be split at 80 columns."""
    import io

    from rich.console import Console

    from dlrig.bench import render
    from dlrig.bench.compare import compare

    full.verdict = judge(full)
    con = Console(width=80, record=True, file=io.StringIO())
    render.show(con, full)
    con.print(render.compare_table(compare(load(QUICK), full)))
    text = con.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    words = set(text.split())
    for header in ("measurement", "median", "p10-p90", "conditions", "before", "change"):
        assert header in words
    for m in full.measurements:
        cells = [m.short_label, m.reason or "", render._conditions(m)]
        if m.value:
            v = m.value
            cells += [render._fmt(v.median), f"{render._fmt(v.p10)}-{render._fmt(v.p90)}",
                      v.unit]
        for w in " ".join(cells).split():
            assert w in words, f"{w!r} of {m.id} is split or cut at 80 columns"
