"""What a person asks the planner for, validated before any model is built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..catalog import Catalog
from ..errors import InputError
from ..parts import Category
from ..units import Money

MAX_GPUS = 8
MAX_AUTO_GPUS = 4  # the most GPUs the planner considers when it chooses the count itself
MAX_BUDGET_UNITS = 10**9  # a billion of any currency: far beyond a PC, well within int64


@dataclass(frozen=True)
class Selector:
    """A --require/--exclude argument resolved to catalog parts.

    A reference is a part id or an unambiguous name, a GPU chipset ("GTX
    1070", "GeForce RTX 3090"): then any board of that chip matches, or a
    maker ("intel": Intel CPUs; "nvidia": any NVIDIA-chip board; "asus gpu").
    ``label`` says in words what it covers.
    """

    ref: str
    category: Category
    ids: frozenset[str]
    label: str


@dataclass(frozen=True)
class PlanRequest:
    """One plan: a budget in any currency, a market, a workload or a model, a GPU count.

    ``gpus``: a fixed number of identical boards, or None to let the solver
    choose 1 to ``MAX_AUTO_GPUS`` (the default when a model is given: a 70B
    model may need two cards; without one, a single GPU). ``model`` with
    ``task``/``quant``/``context``/``users``/``batch`` describes a model the
    machine must run (``dlrig.llm``); its memory need then replaces the
    workload's VRAM floor and its speed is the objective.
    """

    budget: Money | None
    market: str
    workload: str | None = None
    gpus: int | str | None = "default"
    model: str | None = None
    task: str = "inference"
    quant: str | None = None
    context: int | None = None
    users: int = 1
    batch: int | None = None
    power_limit: str | None = None  # "0.7" (of board power) or "300W" per GPU
    require: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    allow_bios_update: bool = False
    allow_unverified: bool = False  # let parts whose data is missing for an error rule compete
    used: bool = False  # let used and refurbished quotes compete (marked in the answer)
    max_age_days: int | None = None  # stale-price cut-off (None: the market's own)
    rate_kind: str | None = None  # exchange rate kind (None: the market's own)
    as_of: dt.date | None = None
    circuit_w: int | None = None
    dataset_gb: int | None = None
    # Internal knobs used by the explanation (relaxations) and tests.
    exclude_ids: frozenset[str] = frozenset()
    require_any: tuple[frozenset[str], ...] = ()
    relax_rules: tuple[str, ...] = ()
    workload_overrides: tuple[tuple[str, float], ...] = ()  # e.g. (("min_ssd_gb", 240),)
    extra_hard: tuple[str, ...] = ()
    unchecked_ok: tuple[str, ...] = ()  # set rules whose "not checked" the plan accepts
    max_drives: int = 4  # drives a plan may buy (more never helps the objective)
    time_limit_s: float = 10.0
    num_workers: int = 1
    explain: bool = True
    meta: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        # One default everywhere (CLI, web, library): with a model the count is the
        # solver's to choose; without one, a single GPU. "auto" asks for the choice.
        if self.gpus == "default":
            object.__setattr__(self, "gpus", None if self.model else 1)
        elif self.gpus == "auto":
            object.__setattr__(self, "gpus", None)
        elif isinstance(self.gpus, str):
            try:
                object.__setattr__(self, "gpus", int(self.gpus))
            except ValueError:
                raise InputError(f"GPU count must be a number or 'auto' (got '{self.gpus}')",
                                 hint="e.g. 2, or auto", field="gpus") from None
        if self.budget is not None and self.budget.minor <= 0:
            raise InputError(f"budget must be positive (got {self.budget})",
                             hint="e.g. 1000 USD", field="budget")
        if self.budget is not None and self.budget.amount > MAX_BUDGET_UNITS:
            raise InputError(f"budget {self.budget.amount:,.0f} {self.budget.currency} is too "
                             f"large (at most {MAX_BUDGET_UNITS:,} units of the currency)",
                             hint="give the budget in units of the currency, e.g. 1500",
                             field="budget")
        if self.gpus is not None and not 0 <= self.gpus <= MAX_GPUS:
            raise InputError(f"GPU count must be 0 to {MAX_GPUS} or auto (got {self.gpus})",
                             hint="identical GPUs: 2 plans two of the same board; auto lets "
                                  f"the planner choose 1 to {MAX_AUTO_GPUS}", field="gpus")
        if self.gpus == 0 and self.model:
            raise InputError("0 GPUs cannot run a model", hint="leave the GPU count to the "
                             "planner (auto)", field="gpus")
        if self.max_age_days is not None and not 1 <= self.max_age_days <= 36500:
            raise InputError(f"price age limit must be 1 to 36,500 days (got {self.max_age_days})",
                             hint="e.g. 365 for quotes of the last year", field="max_age_days")
        if self.rate_kind is not None:
            from typing import get_args

            from ..market import RateKind

            if self.rate_kind not in get_args(RateKind):
                raise InputError(f"unknown exchange rate kind '{self.rate_kind}'",
                                 hint="use one of " + ", ".join(get_args(RateKind)),
                                 field="rate_kind")
        if not 1 <= self.max_drives <= 8:
            raise InputError(f"max_drives must be 1 to 8 (got {self.max_drives})",
                             field="max_drives")
        if self.time_limit_s <= 0:
            raise InputError("time limit must be positive")


def intent_of(req: PlanRequest) -> tuple[tuple[str, object], ...]:
    """What the plan was asked for, saved with its build (``Build.intent``) so that
    ``dlrig check`` judges the saved build by the same requirements."""
    out: list[tuple[str, object]] = []
    for key in ("workload", "model", "quant", "context", "batch", "power_limit", "dataset_gb",
                "circuit_w"):
        v = getattr(req, key)
        if v is not None:
            out.append((key, v))
    if req.model:
        out.insert(2, ("task", req.task))
        if req.users != 1:
            out.append(("users", req.users))
    if req.allow_bios_update:
        out.append(("allow_bios_update", True))
    if req.used:
        out.append(("used", True))
    for key in ("max_age_days", "rate_kind"):
        if getattr(req, key) is not None:
            out.append((key, getattr(req, key)))
    return tuple(out)


def gpu_counts(req: PlanRequest) -> tuple[int, ...]:
    """The GPU counts the solver may choose from."""
    if req.gpus is not None:
        return (req.gpus,)
    return tuple(range(1, MAX_AUTO_GPUS + 1))


def resolve_selector(catalog: Catalog, ref: str, where: str) -> Selector:
    """A part (id or name), a GPU chip ('RTX 4090': any board of it), or a maker
    ('intel': Intel CPUs, 'nvidia': GPUs with an NVIDIA chip, 'asus gpu'), read
    by the catalog's one resolver; the label says what the selector covers."""
    s = catalog.resolver.selector(ref, where)
    return Selector(ref, s.category, s.ids, s.label)
