"""A model to plan for: its memory need and its speed on any set of GPU boards.

``dlrig plan --model`` and ``dlrig check`` of a saved plan put a ``PlanJob``
in the rule context; the rule ``dl.model-fits`` asks it whether the GPUs
hold the job (``memory.fits``, one definition for the checker, the planner
and ``dlrig fit``), and the planner asks it how fast each GPU choice runs
the job, which becomes the objective:

- inference: tokens/s for one user (``speed.decode_tps``, the same figure
  ``dlrig fit`` prints); the layers are split across the cards (llama.cpp's
  default), which adds their memory but not their speed;
- fine-tuning (lora, qlora, full): data parallel, every card holds the whole
  job, and the throughput is the ``llm-finetune`` workload's relative
  throughput of the set (``perf.set_throughput``: one card's times the
  measured multi-GPU scaling).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property

from ..parts import Gpu
from .memory import GIB, FitResult, Job, MemoryBreakdown, breakdown, fits
from .models import resolve_model

INFERENCE_WORKLOAD = "llm-inference"
TRAINING_WORKLOAD = "llm-finetune"


@dataclass(frozen=True)
class PlanJob:
    """A ``memory.Job`` seen by the planner and the checker."""

    job: Job

    @property
    def task(self) -> str:
        return self.job.task

    @property
    def workload_name(self) -> str:
        """The workload profile for the rest of the machine (RAM, SSD, threads per GPU)."""
        return INFERENCE_WORKLOAD if self.job.task == "inference" else TRAINING_WORKLOAD

    @property
    def quant(self) -> str | None:
        return (self.job.quant or self.job.model.quant) if self.job.task == "inference" else None

    @property
    def label(self) -> str:
        j = self.job
        what = f"{self.quant} inference" if j.task == "inference" else f"{j.task} fine-tuning"
        users = f", {j.users} users" if j.users > 1 else ""
        return f"{j.model.name} ({what}, {j.tokens:,} tokens{users})"

    @cached_property
    def breakdown(self) -> MemoryBreakdown:
        return breakdown(self.job)

    @property
    def need_gb(self) -> float:
        return self.breakdown.total / 1e9

    def fits(self, vram_gb: list[float]) -> FitResult:
        return fits(self.breakdown, vram_gb)

    def throughput(self, gpu: Gpu, count: int) -> float:
        """The objective's value of ``count`` boards: tokens/s, or relative training speed."""
        from ..catalog.gpu_specs import chip

        spec = chip(gpu.chipset)
        if spec is None:
            return 0.0
        if self.job.task == "inference":
            from .speed import decode_tps

            t = decode_tps(self.job.model, self.quant, [spec] * count, self.job.tokens)
        else:
            from ..perf import set_throughput

            t = set_throughput(spec, count, TRAINING_WORKLOAD)
        return float(t or 0.0)

    def speed_text(self, value: float, count: int) -> str:
        if self.job.task == "inference":
            split = (f" ({count} GPUs split the layers: more memory, not more speed for one "
                     f"user)" if count > 1 else "")
            return (f"estimated speed: {value:.1f} tokens/s for one user of {self.label}"
                    f"{split}")
        return (f"estimated throughput: {value:.3f} x one RTX 3090 for {self.label} "
                f"(data parallel over {count} GPU{'s' if count > 1 else ''})")

    def fit_text(self, gpu: Gpu, count: int) -> str:
        """'holds 44.8 GB (41.7 GiB) of llama-3.1-70b in 2 x 24 GB'."""
        need = self.breakdown.total
        return (f"{count} x {gpu.vram_gb:g} GB hold the {need / 1e9:.1f} GB "
                f"({need / GIB:.1f} GiB) {self.job.model.name} needs")

    def to_dict(self) -> dict:
        return {"label": self.label, **self.breakdown.to_dict()}


def job_for(model: str, *, task: str = "inference", quant: str | None = None,
            context: int | None = None, users: int = 1, batch: int | None = None) -> PlanJob:
    """A plan job from the command line's words (InputError on a bad one)."""
    spec = resolve_model(model)
    kw = {}
    if task == "inference":
        kw["quant"] = quant if quant is not None else (None if spec.quant else "q4_k_m")
    return PlanJob(Job(spec, task=task, context=context, users=users, batch=batch or 1, **kw))


def largest_model(vram_gb: list[float], *, task: str = "inference", quant: str = "q4_k_m",
                  context: int | None = None):
    """The largest model of the table (by parameters) that ``vram_gb`` cards run, or None.

    What "the biggest model this machine can run" means in plan reasons:
    judged by the same ``memory.fits`` as ``dlrig fit`` and dl.model-fits.
    Remembered per model table (the same spec objects: the built-in table is loaded
    once; a user's files give new objects, so a changed file is read again), as a
    plan's reasons ask it for every GPU they compare.
    """
    from .models import models

    specs = tuple(sorted(models().values(), key=lambda m: (m.params_b, m.name)))
    return _largest(tuple(vram_gb), task, quant, context, _SpecKey(specs))


class _SpecKey:
    """A model table as a cache key: equal when it holds the very same spec objects."""

    def __init__(self, specs: tuple):
        self.specs = specs
        self._ids = tuple(id(s) for s in specs)

    def __hash__(self) -> int:
        return hash(self._ids)

    def __eq__(self, other) -> bool:
        return isinstance(other, _SpecKey) and self._ids == other._ids


@functools.lru_cache(maxsize=512)
def _largest(vram_gb: tuple, task: str, quant: str, context: int | None, table: _SpecKey):
    for spec in reversed(table.specs):  # the largest first: the first that fits
        try:
            job = Job(spec, task=task, context=context,
                      **({"quant": quant} if task == "inference" else {}))
        except Exception:  # noqa: BLE001 - a model this context or quant does not apply to
            continue
        if fits(job, list(vram_gb)).ok:
            return spec
    return None


def capacity_text(vram_gb: list[float], quant: str = "q4_k_m", task: str = "inference") -> str:
    """'runs models up to Qwen2.5 32B (32.5 B) at Q4_K_M' for a set of cards, or for
    fine-tuning (data parallel: every card holds the job) 'fine-tunes ... with QLoRA'."""
    if task != "inference":
        m = largest_model(vram_gb[:1], task=task)
        what = {"qlora": "with QLoRA", "lora": "with LoRA", "full": "fully"}[task]
        if m is None:
            return f"fine-tunes none of the table's models {what}"
        return f"fine-tunes models up to {m.title} ({m.params_b:g} B) {what}"
    m = largest_model(vram_gb, quant=quant)
    if m is None:
        return f"runs none of the table's models at {quant.upper()}"
    return f"runs models up to {m.title} ({m.params_b:g} B) at {quant.upper()}"
