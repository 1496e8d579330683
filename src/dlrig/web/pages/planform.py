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

FIELDS = ("budget", "currency", "market", "workload", "gpus", "require", "exclude", "bios",
          "circuit", "dataset_gb")


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
    budget = form.number("budget", low=0.01, high=MAX_BUDGET, what="budget", required=budget_required)
    workload = form.choice("workload", [k for k, _ in workload_options()], default="", what="workload")
    gpus = form.integer("gpus", default=1, low=0, high=MAX_GPUS, what="number of GPUs")
    values["gpus"] = str(gpus) if "gpus" not in form.errors else values["gpus"]
    circuit = form.choice("circuit", ("auto", "1440", "1840"), default="auto", what="circuit")
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
            dataset_gb=int(dataset) if dataset is not None else None,
        )
    except DlrigError as e:  # the library's own checks, should the form's miss one
        form.errors["budget"] = e.one_line()
        return None, values
    return req, values


def plan_params(values: dict) -> dict:
    """The form's values worth putting in a link (empty ones left out)."""
    return {k: values.get(k) for k in FIELDS if values.get(k) not in (None, "", "auto")}
