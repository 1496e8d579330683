"""LLM token generation (decode) and prompt processing (prefill) speed from chip specs.

Generating one token for one user reads every weight once (batch 1 is
memory-bound), plus the KV cache of the context so far, and pays a fixed
cost per layer (kernel launches and small latency-bound kernels):

    t = (W + c_kv * KV * ctx) / BW_eff + L * t_layer          (seconds per token)
    1 / BW_eff = a / BW + 1 / (beta * SMs * clock)

``BW_eff`` is the bandwidth llama.cpp's matrix-vector kernels reach: the
datasheet bandwidth ``BW`` (scaled by ``a``), capped by how many bytes each
streaming multiprocessor can keep in flight per clock (``beta``). The second
term is why an A100 or H100 generates tokens only ~1.2x as fast as an RTX 3090
despite twice the bandwidth: 108-114 SMs at 1.4-1.8 GHz cannot pull 2 TB/s
through a matrix-vector product.

Several GPUs:

* ``split="layer"`` (llama.cpp's default): each GPU holds a share of the layers
  (by VRAM) and a token passes through them in turn, so the times add up and
  each GPU boundary costs ``t_hop``. Two cards do not speed up one user.
* ``split="tensor"`` (vLLM, exllamav2, MLC, llama.cpp ``-sm row``): every GPU
  reads its slice of every layer at once, then the slices are summed with two
  all-reduces per layer, ``t_allreduce`` each (latency-bound at batch 1).
* ``split="none"``: the model on the first GPU only.

Prefill (prompt processing) is compute-bound: ``2 x params`` FLOPs per token
at ``eps`` of the chip's FP16 tensor peak with FP16 accumulation (llama.cpp
uses FP16 cuBLAS and int8 MMQ kernels, which GeForce cards run at full rate).

Every constant below was fitted by least squares to published llama.cpp and
MLC measurements (``published.py``, fit sets); ``benchmarks/perf_errors.py
--refit`` re-derives them and prints the errors on the fit and held-out sets.
Plain numbers in, so ``dlrig.llm`` can call this without ``dlrig.perf``
importing it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..catalog.gpu_specs import ChipSpec
from ..errors import InputError
from .peaks import HALF_RATE_FP32_ACC_CC, bandwidth_gb_s, is_cuda, is_geforce, tensor_tflops

# -- fitted constants (benchmarks/perf_errors.py --refit; docs/performance-model.md) ---------
# Fit set: XiongjieDai/GPU-Benchmarks-on-LLM-Inference @ aa72e0ec, 140 single-GPU rows
# (16 cards; Llama 3 8B Q4_K_M, 8B F16, 70B Q4_K_M; tg 512-8192), least squares on the
# relative error of the time per token.
BANDWIDTH_SCALE = 0.821  # a: seconds per byte, in units of 1 / datasheet bandwidth
BYTES_PER_SM_CLOCK = 13.57  # beta: bytes each SM streams per clock cycle
KV_READ_FACTOR = 1.80  # c_kv: KV-cache bytes cost ~2x a weight byte (no flash attention)
LAYER_SECONDS = 90.5e-6  # t_layer: fixed cost per layer per token
# Same source, 148 layer-split rows of 2-8 cards: median extra time per added GPU (robust to
# the A100 SXM x4 machine, whose extra time is 3-15x every other card's).
HOP_SECONDS = 0.233e-3
# MLC llm-perf-bench @ d401356f, 11 tensor-parallel 4-bit rows (2x RTX 4090; 2-8x A100 PCIe
# and A10G), least squares with the constants above held: time per all-reduce.
ALLREDUCE_SECONDS = 21.0e-6
ALLREDUCES_PER_LAYER = 2  # Megatron-style split: after attention and after the MLP
# Prefill, XiongjieDai pp512 (33 single-GPU rows): median share of the FP16-accumulate tensor
# peak reached, quantised (int8 MMQ kernels) and 16-bit (cuBLAS) weights.
PREFILL_EFFICIENCY = {True: 0.347, False: 0.454}

SPLITS = ("layer", "tensor", "none")
LINKS = ("pcie", "nvlink")


def effective_bandwidth(spec: ChipSpec) -> float | None:
    """Bytes/s llama.cpp's CUDA decode kernels reach on ``spec``.

    ``None`` without the figures, and for chips that are not NVIDIA: every
    constant was fitted on CUDA measurements (see ``is_cuda``).
    """
    if not is_cuda(spec):
        return None
    bw = bandwidth_gb_s(spec) * 1e9
    per_sm = spec.streaming_multiprocessors * spec.boost_clock_mhz * 1e6 * BYTES_PER_SM_CLOCK
    if bw <= 0 or per_sm <= 0:
        return None
    return 1.0 / (BANDWIDTH_SCALE / bw + 1.0 / per_sm)


def _check(weight_bytes: float, kv_bytes: float, context: float, layers: int,
           chips: Sequence[ChipSpec], split: str, link: str) -> None:
    if not chips:
        raise InputError("no GPU given for the decode estimate", hint="pass at least one chip")
    if split not in SPLITS:
        raise InputError(f"unknown split '{split}'", hint="use one of " + ", ".join(SPLITS))
    if link not in LINKS:
        raise InputError(f"unknown link '{link}'", hint="use 'pcie' or 'nvlink'")
    if weight_bytes <= 0 or kv_bytes < 0 or context < 0 or layers < 1:
        raise InputError(
            "decode job needs weight bytes > 0, KV bytes >= 0, context >= 0 and layers >= 1",
            hint="give bytes read per token, KV bytes per context token, tokens, layer count")


def _shares(chips: Sequence[ChipSpec]) -> list[float]:
    """Share of the layers (or of each layer) per GPU: llama.cpp splits by memory."""
    vram = [max(c.vram_gb, 0.0) for c in chips]
    total = sum(vram)
    return [v / total for v in vram] if total > 0 else [1.0 / len(chips)] * len(chips)


def decode_time(weight_bytes_per_token: float, kv_bytes_per_token: float, context_tokens: float,
                layers: int, chips: Sequence[ChipSpec], split: str = "layer",
                link: str = "pcie") -> float | None:
    """Seconds per generated token for one user; ``None`` for a chip that is not rated."""
    _check(weight_bytes_per_token, kv_bytes_per_token, context_tokens, layers, chips, split, link)
    if split == "none" or len(chips) == 1:
        chips, split = chips[:1], "layer"
    byte_load = weight_bytes_per_token + KV_READ_FACTOR * kv_bytes_per_token * context_tokens
    per_gpu = []
    for chip, share in zip(chips, _shares(chips), strict=True):
        bw = effective_bandwidth(chip)
        if bw is None:
            return None
        per_gpu.append(share * byte_load / bw)
    k = len(chips)
    fixed = layers * LAYER_SECONDS
    if split == "layer":
        return sum(per_gpu) + fixed + (k - 1) * HOP_SECONDS
    # tensor parallel: all GPUs read their slice at once, then sum the slices.
    # No NVLink measurement at batch 1 was found: NVLink gets the PCIe latency.
    return max(per_gpu) + fixed + layers * ALLREDUCES_PER_LAYER * ALLREDUCE_SECONDS


def decode_tps(weight_bytes_per_token: float, kv_bytes_per_token: float, context_tokens: float,
               layers: int, chips: Sequence[ChipSpec], split: str = "layer",
               link: str = "pcie") -> float | None:
    """Tokens/s one user gets (batch 1).

    ``None`` if a chip lacks the figures or is not NVIDIA (not rated, as in
    ``chip_throughput``).

    ``weight_bytes_per_token``: bytes of every weight except the token
    embedding; ``kv_bytes_per_token``: K+V bytes per token of context (all
    layers); ``context_tokens``: tokens already in the context (mean over the
    answer); ``layers``: transformer blocks.
    """
    t = decode_time(weight_bytes_per_token, kv_bytes_per_token, context_tokens, layers, chips,
                    split, link)
    return None if t is None else 1.0 / t


def prefill_peak_tflops(spec: ChipSpec, quantized: bool = True) -> float:
    """The dense rate llama.cpp's prompt kernels run against (TFLOP/s or TOPS).

    Tensor cores: the FP16 peak with FP16 accumulation (GeForce boards' full
    rate, twice what PyTorch AMP gets). Without tensor cores: int8 dot products
    (dp4a, 4x the FP32 rate on Pascal) for quantised weights, else the better
    of the FP16 and FP32 vector rates.
    """
    t = tensor_tflops(spec)
    if t:
        if is_geforce(spec) and spec.compute_capability in HALF_RATE_FP32_ACC_CC:
            t *= 2
        return t
    if quantized and spec.compute_capability and spec.compute_capability >= (6, 1):
        return 4 * spec.fp32_tflops
    return max(spec.fp32_tflops, spec.fp16_tflops)


def prefill_tps(active_params: float, chips: Sequence[ChipSpec], quantized: bool = True,
                split: str = "layer") -> float | None:
    """Prompt tokens/s (prompts of a few hundred tokens); ``None`` without compute figures.

    ``2 x active_params`` FLOPs per token at ``PREFILL_EFFICIENCY`` of the
    peak. Layer split: a prompt passes the GPUs in turn, so the per-GPU times
    add up (llama.cpp pipelines long prompts across GPUs, which this ignores).
    Tensor split is not modelled and is given the layer-split figure.
    """
    if active_params <= 0:
        raise InputError("active parameters must be > 0", hint="give the parameter count")
    _check(1.0, 0.0, 0.0, 1, chips, split, "pcie")
    if split == "none":
        chips = chips[:1]
    eff = PREFILL_EFFICIENCY[bool(quantized)]
    t = 0.0
    for chip, share in zip(chips, _shares(chips), strict=True):
        if not is_cuda(chip):
            return None
        peak = prefill_peak_tflops(chip, quantized) * 1e12
        if peak <= 0:
            return None
        t += share * 2 * active_params / (eff * peak)
    return 1.0 / t
