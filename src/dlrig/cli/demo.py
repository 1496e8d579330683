"""``dlrig demo``: the founding post's question, answered for 2017 and today.

The post asked for the best deep-learning machine for 1,000 USD bought in
Argentina in May 2017. The demo plans that budget in the post's market
(``ar-2017-05``) and in today's (``ar``, prices estimated from US list prices
with the local markup and taxes) and sets the two builds side by side, so the
first command a person runs shows what dlrig is for.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..catalog import builtin
from ..parts import Category
from ..units import Money
from .root import JSON_OPT, app, console, guarded, print_json

LABELS = {
    Category.cpu: "CPU", Category.cooler: "CPU Cooler", Category.motherboard: "Motherboard",
    Category.memory: "Memory", Category.storage: "Storage", Category.gpu: "Video Card",
    Category.case: "Case", Category.psu: "Power Supply",
}


def _cell(res, cat: Category) -> str:
    rows = [p for p in res.parts if p.part.category == cat]
    if not rows:
        return "-"
    return "\n".join(
        (f"{p.quantity} x " if p.quantity > 1 else "") + f"{escape(p.part.name)}\n"
        f"[dim]{p.total_local.format(False)}"
        f"{' = ' + p.total_budget.format(False) if p.total_budget.currency != p.total_local.currency else ''}"
        f"{' (est.)' if p.unit_price.estimated else ''}[/]"
        for p in rows
    )


def _summary(res) -> str:
    if not res.ok:
        return f"[bold red]{res.status}[/]: {escape(res.message or '')}"
    headroom = res.power.headroom_pct if res.power is not None else None
    return (
        f"[bold]{res.total_budget.format(False)}[/] ({res.total_local.format(False)}), "
        f"{res.status}\nthroughput {res.throughput:.2f} x RTX 3090\n"
        f"~{res.power.sustained_w} W, PSU headroom {headroom:.0f} %"
    )


@app.command()
@guarded
def demo(
    budget: Annotated[float, typer.Option(help="budget in USD")] = 1000,
    workload: Annotated[str | None, typer.Option(help="workload profile (see dlrig workloads)")] = None,
    as_json: bool = JSON_OPT,
) -> None:
    """Plan the founding post's 1,000 USD machine in its 2017 market and today.

    Example: dlrig demo --budget 1000
    """
    from ..optimize import PlanRequest, plan  # ortools loads only when planning

    cat = builtin()
    money = Money.of(budget, "USD")
    then = plan(cat, PlanRequest(budget=money, market="ar-2017-05", workload=workload))
    now = plan(cat, PlanRequest(budget=money, market="ar", workload=workload))
    m_then, m_now = cat.market("ar-2017-05"), cat.market("ar")
    if as_json:
        print_json({"budget": {"amount": float(budget), "currency": "USD"},
                    "then": then.to_dict(), "now": now.to_dict()})
        return
    console.print(
        f"[bold]dlrig demo[/]: the best deep-learning machine for {money.format(False)} "
        f"bought in Argentina, May 2017 (the founding post) and today"
        + (f", workload {workload}" if workload else "")
    )
    table = Table(show_lines=True)
    table.add_column("part")
    table.add_column(f"{m_then.code} ({m_then.date})")
    table.add_column(f"{m_now.code} (today)")
    for cat_ in LABELS:
        if any(p.part.category == cat_ for p in then.parts + now.parts):
            table.add_row(LABELS[cat_], _cell(then, cat_), _cell(now, cat_))
    table.add_row("total", _summary(then), _summary(now))
    console.print(table)
    if now.estimated_prices:
        rate = cat.rates.lookup("USD", m_now.currency, None, m_now.rate_kind)
        console.print(
            f"[dim]today's prices are estimates: US list price x {float(rate.rate):,.0f} "
            f"{m_now.currency}/USD ({rate.kind} rate of {rate.date}; 'dlrig rates update' fetches "
            f"today's) x {float(m_now.factor):.2f} markup and taxes; import a store's price list "
            "with 'dlrig prices import csv'[/]"
        )
    for label, res in (("2017", then), ("today", now)):
        # The GPU's reason, then what the planner turned down and why (the
        # i3-7100 and the GTX 1080 in 2017): the post's own arguments.
        reasons = [f"{p.part.name}: {p.reason}" for p in res.parts
                   if p.reason and p.part.category == Category.gpu]
        reasons += [f"not {x}" for x in res.not_chosen[:3]]
        if reasons:
            console.print(f"[bold]why ({label})[/]")
            for r in reasons:
                console.print(Text(f"  - {r}"))
    console.print(
        "[dim]next: dlrig plan --market ar-2017-05 --budget 1000 --currency USD  |  "
        "dlrig check examples/ar-2017-05/build.toml  |  dlrig gpus --workload cnn[/]"
    )
