"""The verdict logic against recorded H100 results and synthetic machines."""

from __future__ import annotations

import math

import pytest

from dlrig.bench.verdict import judge, per_worker, workers_needed

from .results import (
    demand_m,
    disk_m,
    from_probe,
    h100,
    inventory,
    loader_ms,
    matmul_m,
    result,
)

# A ResNet-50 mixed-precision step on an H100 consumes 2,600-2,800 images/s
# (published benchmarks, quoted in shared/data/h100-probe/README.md).
H100_RESNET50 = 2600.0


@pytest.fixture(scope="module")
def probe(shared_data):
    return from_probe(shared_data, demand_images_s=H100_RESNET50)


def test_probe_16_vcpus_cannot_feed_an_h100(probe):
    v = judge(probe)
    assert v.bottleneck == "cpu_feed"
    curve = {int(m.params["workers"]): m.value.median for m in probe.section("loader")}
    best = max(curve.values())
    assert best < H100_RESNET50
    # Needed workers extrapolate from the per-worker rate at the top count.
    top = max(curve)
    assert v.loader_workers_needed == math.ceil(H100_RESNET50 / (curve[top] / top))
    assert v.loader_workers_needed > v.loader_workers_available == 16
    assert f"{curve[top]:,.0f}" in v.headline and "16 CPUs" in v.headline


def test_probe_two_threads_per_gpu_claim_fails(probe):
    claim = next(c for c in judge(probe).claims if "two" in c.claim)
    assert claim.holds is False
    solo, _ = per_worker({int(m.params["workers"]): m.value.median
                          for m in probe.section("loader")})
    assert f"each worker decodes {solo:,.0f}" in claim.text
    assert 150 < solo < 190  # README: "~170 per added worker core"


def test_probe_power_cap_is_not_called_throttling(probe):
    v = judge(probe)
    ids = {f.id: f for f in v.findings}
    assert "power_cap" in ids and ids["power_cap"].severity == "info"
    assert not any(f.id == "throttling" and f.severity == "bottleneck" for f in v.findings)


def test_probe_figures_set_against_datasheet(probe):
    lines = judge(probe).against_specs
    bf16 = probe.get("gpu0.matmul.bf16.8192.burst").value.median
    line = next(x for x in lines if x.startswith("bf16 matmul 8192"))
    assert f"{100 * bf16 / 989.4:.0f} % of the 989.4 TFLOP/s" in line
    assert "typical is" in line
    copy = probe.get("gpu0.memory.copy").value.median
    assert any(f"{100 * copy / 3360:.0f} % of the 3,360.0 GB/s" in x for x in lines)
    h2d = probe.get("gpu0.pcie.h2d.pinned.1024").value.median
    assert any(f"{h2d:,.1f} GB/s = {100 * h2d / 63.01:.0f} %" in x for x in lines)


def test_probe_with_a_slower_gpu_is_fed(probe):
    # The same CPUs behind a GPU that trains 1,000 images/s: 8 workers suffice.
    slow = probe.model_copy(deep=True)
    slow.measurements = [m for m in slow.measurements if m.id != "gpu0.train.cnn"]
    slow.measurements.append(demand_m(1000.0))
    v = judge(slow)
    assert v.bottleneck == "none"
    assert v.loader_workers_needed == 8


def _healthy(**kw):
    ms = loader_ms({0: 200, 1: 180, 2: 360, 4: 720, 8: 1400, 16: 2700}) + [
        demand_m(kw.get("demand", 1900.0)), disk_m(kw.get("disk", 3.0))]
    return ms


def test_healthy_machine_names_no_bottleneck():
    v = judge(result(inventory(gpus=[h100()]), _healthy()))
    assert v.bottleneck == "none"
    assert v.loader_workers_needed == 16
    claim = next(c for c in v.claims if "two" in c.claim)
    assert claim.holds is False and "1,900 images/s" in claim.text


def test_thermal_throttling_comes_first():
    spec = h100().spec
    ms = _healthy(demand=5000.0) + [matmul_m(500, reasons=["hw_thermal_slowdown"], spec=spec)]
    v = judge(result(inventory(gpus=[h100()]), ms))
    assert v.bottleneck == "throttling"
    assert "hw_thermal_slowdown" in v.headline
    # The CPU feed problem is still reported, after it.
    ids = [f.id for f in v.findings if f.severity == "bottleneck"]
    assert ids == ["throttling", "cpu_feed"]


def test_lowered_power_limit_is_throttling():
    g = h100(power_limit_w=450.0)
    assert judge(result(inventory(gpus=[g]), _healthy())).bottleneck == "throttling"


def test_degraded_link_comes_before_cpu_feed():
    g = h100(pcie_gen_current=3, pcie_width_current=8)
    v = judge(result(inventory(gpus=[g]), _healthy(demand=5000.0)))
    assert v.bottleneck == "pcie_link"
    assert "PCIe 3.0 x8" in v.headline and "5.0 x16" in v.headline


def test_idle_link_reading_is_not_called_degraded():
    g = h100(pcie_gen_current=1, pcie_read_under_load=False)
    assert judge(result(inventory(gpus=[g]), _healthy())).bottleneck == "none"


def test_hard_disk_below_feed():
    ms = _healthy(disk=0.1)  # 0.1 GB/s / 75 KB = 1,333 JPEGs/s < 1,900 demanded
    v = judge(result(inventory(gpus=[h100()]), ms))
    assert v.bottleneck == "disk_feed"
    assert "1,333 JPEGs/s" in v.headline
    ssd = next(c for c in v.claims if "SSD" in c.claim)
    assert ssd.holds is False


def test_without_gpu_the_verdict_says_why():
    inv = inventory(cpus=2, absent="torch is not installed")
    v = judge(result(inv, loader_ms({0: 90, 1: 80, 2: 150}) + [disk_m(0.5)]))
    assert v.bottleneck == "unknown"
    assert "torch is not installed" in v.headline
    two = next(c for c in v.claims if "two" in c.claim)
    assert two.holds is None and "150 images/s" in two.text


def test_ram_claim():
    small = judge(result(inventory(ram_gb=16, gpus=[h100()]), _healthy()))
    claim = next(c for c in small.claims if "RAM" in c.claim)
    assert claim.holds is False and "16 GB of RAM for 85 GB" in claim.text


def test_workers_needed_uses_measured_counts_first():
    curve = {0: 100.0, 1: 100.0, 2: 200.0, 4: 390.0}
    assert workers_needed(curve, 150.0) == (2, True)
    # Beyond the curve: extrapolate from each worker's share at the top count.
    assert workers_needed(curve, 1000.0) == (math.ceil(1000 / 97.5), False)
