"""Workload profiles: what a kind of deep-learning job asks of a machine.

A profile holds the few numbers that change what machine to buy: the GPU
memory below which the job does not run at a useful size, CPU threads per GPU
to keep it fed, system RAM per GB of GPU memory, and how compute- vs
memory-bandwidth-bound its training (or serving) step is. Every number comes
with its source, so that a user can see why dlrig asks for it and override it
with their own TOML file.

Built-in profiles live in ``dlrig/data/workloads/*.toml``; user profiles are
read from the platform's user config directory (``dlrig/workloads/*.toml``)
and from the directory named by ``DLRIG_WORKLOADS``. A user file with a
built-in's name replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import InputError
from ..tables import builtin_files, read_row, user_files
from ..tables import user_dirs as table_user_dirs

ENV_DIR = "DLRIG_WORKLOADS"

# Numeric fields that a built-in profile must justify in its ``sources``.
SOURCED_FIELDS = (
    "vram_floor_gb",
    "threads_per_gpu",
    "ram_per_vram",
    "compute_weight",
    "matmul_intensity",
    "overhead_share",
    "min_ssd_gb",
    "scaling",
)
# Fields a built-in must justify when its scaling class uses them.
DATA_PARALLEL_FIELDS = ("dp_comm_share", "grad_traffic_gb_s")
OPTIONAL_SOURCED = ("capacity_band", "cpu_decode")  # justified when set
DECODE_FIELDS = ("decode",)

SCALING_CLASSES = ("data-parallel", "single-user-decode")


class DecodeJob(BaseModel):
    """The reference LLM job of a decode workload, as plain numbers (see ``decode.py``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight_bytes_per_token: float = Field(gt=0, description="bytes of weights read per token")
    kv_bytes_per_token: float = Field(ge=0, description="KV-cache bytes per token of context")
    context_tokens: float = Field(ge=0, description="mean tokens in the context while generating")
    layers: int = Field(ge=1, le=1000, description="transformer blocks")
    active_params: float = Field(gt=0, description="parameters used per token (prefill FLOPs)")
    quantized: bool = Field(True, description="quantised weights (llama.cpp int8 kernels)")


class Workload(BaseModel):
    """One kind of job, with the numbers that size a machine for it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, description="short id used on the command line, e.g. 'cnn'")
    title: str = Field(min_length=1)
    description: str = ""
    vram_floor_gb: float = Field(gt=0, le=512, description="GPU memory below which the job is impractical")
    threads_per_gpu: int = Field(ge=1, le=64, description="CPU threads to feed one GPU")
    ram_per_vram: float = Field(gt=0, le=16, description="system RAM / total GPU memory")
    mixed_precision: bool = Field(True, description="runs its matrix math in FP16/BF16 on tensor cores")
    compute_weight: float = Field(
        ge=0, le=1,
        description="share of a step spent in matrix math on the reference card "
        "(1 = compute-bound, 0 = memory-bandwidth-bound)",
    )
    matmul_intensity: float = Field(
        200.0, gt=0, le=10000,
        description="FLOP per byte of GPU memory traffic of the matrix math (roofline)",
    )
    overhead_share: float = Field(
        0.0, ge=0, lt=1,
        description="share of a step on the reference card that does not depend on the GPU",
    )
    min_ssd_gb: int = Field(0, ge=0, le=100000, description="fast storage the data and checkpoints need")
    scaling: Literal["data-parallel", "single-user-decode"] = Field(
        "data-parallel",
        description="how several GPUs share the job: data-parallel training (each GPU a slice "
        "of the batch) or one user's token generation (each token passes every GPU)",
    )
    dp_comm_share: float = Field(
        0.0, ge=0, le=5,
        description="data-parallel: share of a step added by gradient exchange for two "
        "reference cards (RTX 3090, 24 GB) on PCIe 4.0 x16",
    )
    grad_traffic_gb_s: float = Field(
        0.0, ge=0, le=1000,
        description="data-parallel: gradient GB each reference card exchanges per second of "
        "training (what a narrower PCIe link must carry)",
    )
    decode: DecodeJob | None = Field(
        None, description="single-user-decode: the reference LLM job the throughput is rated on",
    )
    capacity_band: float | None = Field(
        None, gt=0, le=1,
        description="LLM work: among GPU choices at least this share of the fastest affordable "
        "one's throughput, the one with the most memory for one model wins (the planner's "
        "capacity stage); None: memory counts only as the floor",
    )
    cpu_decode: bool = Field(
        False, description="the CPU decodes and augments the data (JPEG images) while the GPUs "
        "train: the rule dl.cpu-feed compares the CPU's loader supply with the GPUs' demand",
    )
    sources: dict[str, str] = Field(default_factory=dict, description="field -> where its number comes from")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", v):
            raise ValueError(f"workload name '{v}' must be lower-case letters, digits, '-' or '_'")
        return v

    @model_validator(mode="after")
    def _decode_needs_its_job(self) -> Workload:
        if self.scaling == "single-user-decode" and self.decode is None:
            raise ValueError("scaling 'single-user-decode' needs a [decode] table (the reference "
                             "job: weight_bytes_per_token, kv_bytes_per_token, context_tokens, "
                             "layers, active_params)")
        return self

    def required_sources(self) -> tuple[str, ...]:
        """Fields whose numbers a built-in profile must justify."""
        extra = DECODE_FIELDS if self.decode is not None else ()
        if self.scaling == "data-parallel":
            extra += DATA_PARALLEL_FIELDS
        extra += tuple(f for f in OPTIONAL_SOURCED if getattr(self, f))
        return SOURCED_FIELDS + extra

    def source(self, field: str) -> str:
        """Where the number in ``field`` comes from ('' when not given)."""
        return self.sources.get(field, "")


def _builtin_files() -> list[Any]:
    return builtin_files("workloads")


def user_dirs() -> list[Path]:
    """Where user profiles are looked for, in order (later ones win)."""
    return table_user_dirs("workloads", ENV_DIR)


def load_workload_file(path: Path | Any, *, require_sources: bool = False) -> Workload:
    """Read one profile TOML file; ``name`` defaults to the file's stem."""
    w = read_row(path, Workload, "workload file",
                 "see 'dlrig workloads' and docs/workloads.md for the fields")
    if require_sources:
        missing = [f for f in w.required_sources() if not w.source(f)]
        if missing:
            raise InputError(f"workload file {path}: no source for {', '.join(missing)}")
    return w


@cache
def builtin_workloads() -> dict[str, Workload]:
    """The profiles shipped with dlrig, each number with its source."""
    out: dict[str, Workload] = {}
    for f in _builtin_files():
        w = load_workload_file(f, require_sources=True)
        out[w.name] = w
    return out


def _user_files(dirs: Iterable[Path]) -> list[Path]:
    return user_files(dirs)


def workloads() -> dict[str, Workload]:
    """Built-in profiles, then user files (a user file replaces a same-named built-in)."""
    out = dict(builtin_workloads())
    for f in _user_files(user_dirs()):
        w = load_workload_file(f)
        out[w.name] = w
    return out


def get_workload(name: str | Workload) -> Workload:
    """The profile called ``name``; an ``InputError`` names the known ones."""
    if isinstance(name, Workload):
        return name
    known = workloads()
    key = (name or "").strip().lower()
    if key in known:
        return known[key]
    raise InputError(
        f"unknown workload '{name}'",
        hint="use one of " + ", ".join(sorted(known)) + ", or add a TOML file (see 'dlrig workloads')",
    )
