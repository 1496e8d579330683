"""Build BenchResults for the verdict tests: synthetic ones, and the recorded h100-probe.

The h100-probe files (shared/data) are raw results from a real H100 machine in
a format of their own; ``from_probe`` maps them onto dlrig's result model at
test time, so the verdict logic is tested on real figures without a GPU.
"""

from __future__ import annotations

import json
from pathlib import Path

from dlrig.bench.expected import gpu_spec, matmul_expected, memory_expected, pcie_expected
from dlrig.bench.nvml import telemetry_from_samples
from dlrig.bench.schema import (
    BenchResult,
    CpuInfo,
    GpuInfo,
    Inventory,
    Measurement,
    Stat,
    Telemetry,
)


def stat(median: float, unit: str, spread: float = 0.02) -> Stat:
    return Stat(median=median, p10=median * (1 - spread), p90=median * (1 + spread), n=10,
                unit=unit)


def inventory(cpus: int = 16, ram_gb: float = 128.0, gpus: list[GpuInfo] | None = None,
              absent: str | None = None) -> Inventory:
    return Inventory(hostname="test", os="Linux", python="3.12",
                     cpu=CpuInfo(model="test CPU", physical_cores=cpus, logical_cpus=cpus,
                                 usable_cpus=cpus),
                     ram_gb=ram_gb, gpus=gpus or [], gpu_absent_reason=absent)


def h100(**kw) -> GpuInfo:
    base = dict(index=0, name="NVIDIA H100 80GB HBM3", vram_gb=85.0, driver="580",
                power_limit_w=700.0, power_limit_default_w=700.0, pcie_gen_current=5,
                pcie_gen_max=5, pcie_width_current=16, pcie_width_max=16,
                pcie_read_under_load=True, spec=gpu_spec("NVIDIA H100 80GB HBM3"))
    base.update(kw)
    return GpuInfo(**base)


def loader_ms(curve: dict[int, float], kb: float = 75.0) -> list[Measurement]:
    return [Measurement(id=f"loader.workers.{n}", section="loader", label=f"{n} workers",
                        method="test", value=stat(v, "images/s"),
                        params={"workers": n, "jpeg_kb": kb}) for n, v in curve.items()]


def demand_m(images_s: float) -> Measurement:
    return Measurement(id="gpu0.train.cnn", section="gpu", label="ResNet-50 training step",
                       method="test", value=stat(images_s, "images/s"),
                       params={"model": "resnet50"})


def disk_m(gb_s: float, o_direct: bool = True, kind: str = "nvme") -> Measurement:
    return Measurement(id="disk.read.seq", section="disk", label="disk sequential read",
                       method="test", value=stat(gb_s, "GB/s"),
                       params={"o_direct": o_direct, "disk_kind": kind})


def matmul_m(tflops: float, dtype="bf16", n=8192, mode="sustained",
             reasons: list[str] | None = None, spec=None) -> Measurement:
    return Measurement(id=f"gpu0.matmul.{dtype}.{n}.{mode}", section="gpu",
                       label=f"{dtype} matmul {n}, {mode}", method="test",
                       value=stat(tflops, "TFLOP/s"),
                       params={"dtype": dtype, "n": n, "mode": mode},
                       telemetry=Telemetry(samples=10, sm_clock_mhz_min=1200,
                                           temp_c_max=88, throttle_reasons=reasons or []),
                       expected=matmul_expected(spec, dtype, mode))


def result(inv: Inventory, ms: list[Measurement]) -> BenchResult:
    return BenchResult(dlrig_version="test", started_at="2026-11-26T00:00:00+00:00",
                       duration_s=1.0, options={}, inventory=inv, measurements=ms)


# -- the recorded H100 probe ----------------------------------------------------

def _smi(env: dict) -> dict:
    # "name, driver, gen cur, gen max, width cur, width max, ..., power limit W, temp, ..."
    f = [x.strip() for x in env["smi"].split(",")]
    return {"driver": f[1], "gen": int(f[2]), "gen_max": int(f[3]), "width": int(f[4]),
            "width_max": int(f[5]), "power_limit": float(f[10].split()[0])}


def _nvml_tel(nv: dict) -> Telemetry:
    sample = {"sm": nv["sm_clock_median"], "power": nv["power_median_W"],
              "temp": nv["temp_max_C"], "reasons": int(nv["throttle_reasons_or"], 16)}
    t = telemetry_from_samples([sample])
    return t.model_copy(update={"samples": nv["n"], "sm_clock_mhz_min": nv["sm_clock_min"],
                                "power_w_max": nv["power_max_W"]})


def from_probe(data: Path, demand_images_s: float | None = None) -> BenchResult:
    """run1's GPU, PCIe and disk figures with run2's steady-state loader curve.

    The probe recorded medians and maxima, not percentiles: p10 is set to the
    median and p90 to the maximum. ``demand_images_s`` adds a GPU demand
    figure (the probe did not train a CNN).
    """
    run1 = json.loads((data / "h100-probe" / "probe_run1.json").read_text())["sections"]
    run2 = json.loads((data / "h100-probe" / "probe_run2.json").read_text())["sections"]
    env, smi = run1["env"], _smi(run1["env"])
    spec = gpu_spec(env["name"])
    g = GpuInfo(index=0, name=env["name"], vram_gb=env["total_memory"] / 1e9,
                driver=smi["driver"], power_limit_w=smi["power_limit"],
                power_limit_default_w=smi["power_limit"], pcie_gen_current=smi["gen"],
                pcie_gen_max=smi["gen_max"], pcie_width_current=smi["width"],
                pcie_width_max=smi["width_max"], pcie_read_under_load=False, spec=spec)
    ms: list[Measurement] = []
    for dtype, by_n in run1["matmul"].items():
        if dtype not in ("fp32", "tf32", "fp16", "bf16"):
            continue  # e.g. the zeros-versus-random-data experiment
        for n, r in by_n.items():
            ms.append(Measurement(
                id=f"gpu0.matmul.{dtype}.{n}.burst", section="gpu", label=f"{dtype} matmul {n}",
                method="h100-probe", params={"dtype": dtype, "n": int(n), "mode": "burst"},
                value=Stat(median=r["median_TFLOPS"], p10=r["median_TFLOPS"],
                           p90=r["max_TFLOPS"], n=1, unit="TFLOP/s"),
                telemetry=_nvml_tel(r["nvml"]), expected=matmul_expected(spec, dtype, "burst")))
    copy = run1["membw"]["4096"]["copy_GBps_flushL2"]
    ms.append(Measurement(id="gpu0.memory.copy", section="memory", label="device memory copy",
                          method="h100-probe", value=stat(copy, "GB/s", 0),
                          expected=memory_expected(spec)))
    link = pcie_expected(smi["gen"], smi["width"])
    for key, direction, pinned in (("h2d_pinned_GBps", "h2d", True),
                                   ("d2h_pinned_GBps", "d2h", True),
                                   ("h2d_pageable_GBps", "h2d", False)):
        ms.append(Measurement(
            id=f"gpu0.pcie.{direction}.{'pinned' if pinned else 'pageable'}.1024", section="pcie",
            label=f"{direction} {'pinned' if pinned else 'pageable'} 1024 MiB",
            method="h100-probe", value=stat(run1["pcie"]["1024"][key], "GB/s", 0),
            params={"direction": direction, "pinned": pinned, "size_mib": 1024},
            expected=link if pinned else None))
    ms.append(Measurement(id="disk.read.seq", section="disk", label="disk sequential read",
                          method="h100-probe", value=stat(run1["disk"]["read_odirect_GBps"],
                                                          "GB/s", 0),
                          params={"o_direct": True, "disk_kind": "virtual"}))
    dl = run2["dataloader"]
    for n, r in dl["workers"].items():
        ms.append(Measurement(id=f"loader.workers.{n}", section="loader", label=f"{n} workers",
                              method="h100-probe", value=stat(r["img_per_s"], "images/s", 0),
                              params={"workers": int(n), "jpeg_kb": dl["avg_jpeg_KB"]}))
    if demand_images_s is not None:
        ms.append(demand_m(demand_images_s))
    # RAM was not recorded by the probe; 128 GB is the lent machine's stated memory.
    return result(inventory(cpus=env["sched_affinity"], ram_gb=128.0, gpus=[g]), ms)
