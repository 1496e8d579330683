"""The plan form (budget, currency, market, workload, GPUs, options), shared by
Plan, Swap and Sweep, turned into the library's ``PlanRequest``.

Values are checked here only as far as a form must (a number, in range, one
of the choices); part references are resolved by the optimizer's own
``resolve_selector`` so the messages are the CLI's.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ...catalog import Catalog
from ...errors import DlrigError
from ...optimize import PlanRequest
from ...optimize.request import MAX_GPUS, resolve_selector
from ...units import CURRENCIES, Money
from ..forms import Form
from .common import default_market, workload_options

MAX_BUDGET = 10_000_000_000  # major units: beyond any machine, still exact in int64 minor units
MAX_REFS = 20

FIELDS = ("budget", "currency", "market", "workload", "gpus", "model", "task", "quant", "context",
          "power_limit", "require", "exclude", "bios", "unverified", "used", "max_age",
          "rate_kind", "circuit", "dataset_gb")
TASK_OPTIONS = (("inference", "inference"), ("lora", "LoRA fine-tuning"),
                ("qlora", "QLoRA fine-tuning"), ("full", "full fine-tuning (AdamW)"))


def model_options() -> list[tuple[str, str]]:
    """The model table (built-in and the user's TOML files): the web never reads a path."""
    from ...llm import models

    return [("", "none (plan for the workload)"),
            *((name, f"{m.title} ({m.params_b:g} B)") for name, m in models().items())]


def quant_options() -> list[tuple[str, str]]:
    from ...llm import FILE_TYPES

    return [("", "Q4_K_M (default)"), *((q, q) for q in FILE_TYPES)]


def currency_options() -> list[tuple[str, str]]:
    return [("", "the market's"), *((c, f"{c} - {name}") for c, name in CURRENCIES.items())]


def _refs(form: Form, name: str, catalog: Catalog) -> tuple[str, ...]:
    raw = form.text(name, "", 2000)
    refs = tuple(r.strip() for r in re.split(r"[,\n;]+", raw) if r.strip())
    if len(refs) > MAX_REFS:
        form.errors[name] = f"at most {MAX_REFS} parts (got {len(refs)})"
        return ()
    for r in refs:
        try:
            resolve_selector(catalog, r, where=name)
        except DlrigError as e:
            form.errors[name] = e.one_line()
            break
    return refs


def parse_plan(form: Form, catalog: Catalog, *, budget_required: bool = True) -> tuple[PlanRequest | None, dict]:
    """The request and the values to show again in the form (what was typed)."""
    values = {k: form.text(k, "", 2000) for k in FIELDS}
    market = form.choice("market", catalog.markets, default=default_market(catalog), what="market")
    values["market"] = market or ""
    currency = form.choice("currency", CURRENCIES, default="", what="currency")
    values["currency"] = currency or ""
    money = currency or (catalog.market(market).currency if market else "USD")
    budget = form.amount("budget", money, low=0.01, high=MAX_BUDGET, what="budget",
                         required=budget_required)
    workload = form.choice("workload", [k for k, _ in workload_options()], default="", what="workload")
    gpus_raw = form.text("gpus", "", 10).lower()
    if gpus_raw in ("", "auto"):
        gpus = "auto" if gpus_raw == "auto" else "default"
    else:
        gpus = form.integer("gpus", default=1, low=0, high=MAX_GPUS, what="number of GPUs")
    values["gpus"] = gpus_raw
    model = form.choice("model", [k for k, _ in model_options()], default="", what="model")
    task = form.choice("task", [k for k, _ in TASK_OPTIONS], default="inference", what="task")
    quant = form.choice("quant", [k for k, _ in quant_options()], default="", what="quantisation")
    context = form.integer("context", default=0, low=0, high=10_000_000, what="context in tokens")
    power_limit = form.text("power_limit", "", 20)
    if power_limit:
        from ...power import parse_power_limit

        try:
            parse_power_limit(power_limit)
        except DlrigError as e:
            form.errors["power_limit"] = e.one_line()
    circuit = form.choice("circuit", ("auto", "1440", "1840"), default="auto", what="circuit")
    from typing import get_args

    from ...market import RateKind

    rate_kind = form.choice("rate_kind", ("", *get_args(RateKind)), default="",
                            what="exchange rate kind")
    max_age = form.integer("max_age", default=0, low=0, high=36500, what="price age in days")
    max_age = max_age or None
    dataset = form.number("dataset_gb", low=1, high=1_000_000, what="dataset size in GB",
                          required=False)
    require = _refs(form, "require", catalog)
    exclude = _refs(form, "exclude", catalog)
    if not form.ok or market is None:
        if market is None:
            form.errors.setdefault("market", "no market is defined; add one to the catalog")
        return None, values
    circuit_w = None if circuit in (None, "auto") else int(circuit)
    try:
        req = PlanRequest(
            budget=(Money.of(Decimal(budget), currency or catalog.market(market).currency)
                    if budget is not None else None),
            market=market, workload=workload or None, gpus=gpus, require=require, exclude=exclude,
            allow_bios_update=form.flag("bios"), circuit_w=circuit_w,
            allow_unverified=form.flag("unverified"), used=form.flag("used"),
            max_age_days=max_age, rate_kind=rate_kind or None,
            dataset_gb=int(dataset) if dataset is not None else None,
            model=model or None, task=task or "inference", quant=quant or None,
            context=context or None, power_limit=power_limit or None,
        )
        if req.model:
            from ...llm.job import job_for

            job_for(req.model, task=req.task, quant=req.quant, context=req.context)
    except DlrigError as e:  # the library's own checks, should the form's miss one
        field = e.field if e.field in FIELDS else ("model" if model else "budget")
        form.errors[field] = e.one_line()
        return None, values
    return req, values


def plan_params(values: dict) -> dict:
    """The form's values worth putting in a link (empty ones left out)."""
    return {k: values.get(k) for k in FIELDS if values.get(k) not in (None, "", "auto")}
