"""Rendering of plans and sweeps: rich tables, forum-style markdown, CSV, PNG.

Rendering only; every number comes from ``dlrig.optimize`` (``PlanResult``,
``SweepRow``). The markdown is PCPartPicker's "Type | Item | Price" part
list, one row per unit, so ``dlrig check`` can read it back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import files
from ..optimize import objective
from ..optimize.result import PlanResult
from ..parts import Category
from ..units import Money
from .provenance import OLD_QUOTE_DAYS, Provenance, provenance

PCPP_TYPE = {
    Category.cpu: "CPU", Category.cooler: "CPU Cooler", Category.motherboard: "Motherboard",
    Category.memory: "Memory", Category.storage: "Storage", Category.gpu: "Video Card",
    Category.case: "Case", Category.psu: "Power Supply",
}
_STATUS_STYLE = {"optimal": "bold green", "feasible": "yellow", "infeasible": "bold red",
                 "unknown": "bold red"}


def money(m: Money | None) -> str:
    return "-" if m is None else m.format(decimals=False)


def both(local: Money | None, budget: Money | None) -> str:
    if local is None:
        return "-"
    if budget is None or budget.currency == local.currency:
        return money(local)
    return f"{money(local)} ({money(budget)})"


def headline(res: PlanResult) -> str:
    parts = [f"market {res.market}" + (f" ({res.as_of})" if res.as_of else ""),
             f"budget {money(res.budget)}" if res.budget else "no budget"]
    if res.job is not None:
        parts.append(f"model {res.job.label}")
    else:
        parts.append(f"workload {objective.floor_text(_workload(res))}")
    if res.gpus_asked is None:
        parts.append("GPU count: the planner's choice (1-4)")
    elif res.gpus != 1:
        parts.append(f"{res.gpus} GPUs")
    return "dlrig plan: " + ", ".join(parts)


def throughput_text(res: PlanResult) -> str:
    """The plan's speed in the unit it was planned for."""
    gpus = f"{res.gpus} GPUs" if res.gpus > 1 else "the GPU"
    if res.job is not None:
        return res.job.speed_text(res.throughput, res.gpus)
    text = (f"estimated throughput of {gpus}: {res.throughput:.3f} x the reference card "
            f"({_ref()}) for {res.workload or 'the default profile'}")
    if res.gpus > 1:
        text += " (the measured multi-GPU scaling, not the cards' sum)"
    return text


def status_line(res: PlanResult) -> str:
    st = res.stats
    stages = ", ".join(f"{s['stage']} {s['status'].lower()}" for s in st.stages) or "not solved"
    c = st.candidates
    no_cuda = c.get("gpus_without_estimate", 0)
    unverified = c.get("unverified", 0)
    notes = ([f"{no_cuda} priced GPUs left out: no CUDA throughput estimate"] if no_cuda else [])
    if unverified:
        notes.append(f"{unverified} parts set aside: data a rule needs is missing; "
                     "allow unverified parts to consider them")
    stale = c.get("stale", 0)
    if stale:
        notes.append(f"{stale} parts left out for stale prices (older than the market's "
                     "cut-off; a longer price age limit lets them in)")
    left_out = f" ({'; '.join(notes)})" if notes else ""
    return (f"status {res.status} (CP-SAT: {stages}); {c.get('priced', 0)} priced parts, "
            f"{c.get('valid', 0)} valid{left_out}, {c.get('after_pruning', c.get('valid', 0))} "
            f"after pruning; {st.variables} variables, {st.constraints} constraints; "
            f"{st.wall_s:.2f} s")


def power_text(res: PlanResult) -> str:
    p = res.power
    if p is None or p.psu_w is None:
        return "-"
    return (f"~{p.sustained_w} W sustained; PSU {p.psu_w} W: {p.headroom_w} W "
            f"({p.headroom_pct:.0f} %) headroom")


def price_marks(lp) -> str:
    """What a price is, in marks after it: '*' estimated from another market, 'used',
    'refurbished', 'chip MSRP' (the chip's launch price standing in for the board's);
    ``report.provenance``'s marks, less 'old' (``price_date`` says that)."""
    from .provenance import provenance

    marks = ["*" if m == "estimated" else m for m in provenance(lp).marks if m != "old"]
    return (" " + " ".join(marks)) if marks else ""


def price_date(lp, res: PlanResult) -> str:
    """The quote's date, flagged 'old' when over a year before the plan's pricing day."""
    day = res.as_of or dt.date.today()
    old = (day - lp.date).days > OLD_QUOTE_DAYS
    return lp.date.isoformat() + (" (old)" if old else "")


def price_legend(res: PlanResult) -> list[str]:
    """The lines that explain the marks a plan's prices carry."""
    lps = [p.unit_price for p in res.parts]
    out = []
    if any(lp.estimated for lp in lps):
        out.append("* estimated from another market's price")
    if any(lp.condition == "used" for lp in lps):
        out.append("used: a second-hand quote (allowed by --used): usually no or a short "
                   "warranty; test it, and ask whether it was mined on")
    if any(lp.condition == "refurbished" for lp in lps):
        out.append("refurbished: a seller-refurbished quote (allowed by --used): check the "
                   "warranty it comes with")
    if any(lp.stand_in for lp in lps):
        out.append("chip MSRP: the chip's launch price standing in for this board's own; "
                   "partner boards usually cost more")
    day = res.as_of or dt.date.today()
    if any((day - lp.date).days > OLD_QUOTE_DAYS for lp in lps):
        out.append(f"old: the newest quote is more than {OLD_QUOTE_DAYS} days old; prices "
                   "may have moved ('dlrig prices update')")
    return out


def quotes(res: PlanResult) -> list[Provenance]:
    """Where each part's price comes from (``report.provenance``), in ``res.parts`` order,
    aged from the plan's pricing day."""
    day = res.as_of or dt.date.today()
    return [provenance(p.unit_price, day, p.part.name) for p in res.parts]


def plan_dict(res: PlanResult) -> dict:
    """The plan's JSON (``PlanResult.to_dict``) with each part's ``provenance`` added:
    store, condition, date and age, source, link (every existing field kept)."""
    d = res.to_dict()
    for part, q in zip(d["parts"], quotes(res), strict=True):
        part["provenance"] = q.to_dict()
    return d


def source_notes(qs: list[Provenance]) -> tuple[list[int], list[str]]:
    """Each quote's footnote number, and the footnotes: one per distinct source, so a
    table names who quoted a price in a word and cites the source once below."""
    seen: dict[str, int] = {}
    numbers = []
    for q in qs:
        numbers.append(seen.setdefault(q.cite, len(seen) + 1))
    return numbers, [f"[{n}] {key}" for key, n in seen.items()]


def parts_table(res: PlanResult) -> Table:
    """The part list: type, item, quantity, price (with its marks, its date and a footnote
    number), share; the caption's footnotes say who quoted each price (the store, or the
    kind of source) and cite the source."""
    cur = res.budget.currency if res.budget else res.currency
    qs = quotes(res)
    numbers, notes = source_notes(qs)
    t = Table("type", "item", "qty", f"price ({res.currency})",
              *([f"({cur})"] if cur != res.currency else []), "share",
              caption="\n".join(notes) or None, caption_justify="left")
    for p, n in zip(res.parts, numbers, strict=True):
        price = (money(p.total_local) + price_marks(p.unit_price) + f" [{n}]\n"
                 + price_date(p.unit_price, res))
        row = [PCPP_TYPE[p.part.category], Text(p.part.name), str(p.quantity), price]
        if cur != res.currency:
            row.append(money(p.total_budget))
        row += ["-" if p.share is None else f"{100 * p.share:.0f} %"]
        t.add_row(*row)
    return t


def render_plan(console: Console, res: PlanResult) -> None:
    console.print(Text(headline(res), style="bold"))
    if not res.ok:
        console.print(Text(res.status.upper(), style=_STATUS_STYLE.get(res.status, "bold")))
        if res.infeasibility:
            console.print(Text(res.infeasibility.summary))
            if res.infeasibility.relaxations:
                t = Table("requirement", "without it", title="Requirements dropped one at a time")
                for r, e in res.infeasibility.relaxations:
                    t.add_row(Text(str(r)), Text(str(e)))
                console.print(t)
        elif res.message:
            console.print(Text(res.message))
        console.print(Text(status_line(res), style="dim"))
        return
    console.print(parts_table(res))
    console.print(Text("Why", style="bold"))
    for p in res.parts:
        console.print(Text(f"  - {p.part.name}: {p.reason}"))
    total = both(res.total_local, res.total_budget)
    left = ""
    if res.budget_local and res.total_local:
        left = f" ({100 * res.total_local.minor / res.budget_local.minor:.0f} % of the budget)"
    console.print(Text(f"total: {total}{left}", style="bold"))
    console.print(Text(throughput_text(res)))
    if res.capacity_gb:
        console.print(Text(f"model memory: {res.capacity_gb} GB of VRAM one model can use"))
    console.print(f"power: {power_text(res)}")
    if res.unspent is not None:
        console.print(Text(f"unspent: {money(res.unspent.amount)}; no faster GPU choice fits. "
                           "It would buy: " + "; ".join(res.unspent.suggestions)))
    for note in res.notes:
        console.print(Text(note, style="dim"))
    if res.score is not None:
        console.print(Text(balance_text(res)))
    for line in price_legend(res):
        console.print(Text(line, style="dim"))
    if res.not_chosen:
        console.print(Text("Not chosen", style="bold"))
        for s in res.not_chosen:
            console.print(Text("  - " + s))
    if res.alternatives:
        console.print(options_table(res, res.alternatives, "Alternatives (next GPU choices)"))
    if res.upgrades:
        console.print(Text("Upgrade path", style="bold"))
        for u in res.upgrades:
            console.print(Text("  - " + upgrade_text(u)))
    if res.check is not None:
        from .check import headline as check_headline

        w = [f for f in res.check.findings if f.severity.value != "info"]
        words, level = check_headline(res.check)
        console.print(Text(f"dlrig check: {words}", style={"good": "green", "bad": "bold red"}
                           .get(level, "yellow")))
        for f in w:
            console.print(Text(f"  - {f.rule}: {f.message}", style="yellow"))
    console.print(Text(status_line(res), style=_STATUS_STYLE.get(res.status, "dim")))


def _workload(res: PlanResult):
    if not res.workload:
        return None
    from ..perf import get_workload

    return get_workload(res.workload)


def balance_text(res: PlanResult) -> str:
    """Every balance term with its points, met or not, so the total adds up."""
    wl = _workload(res)
    met = set(res.score.terms)
    yes = [f"{objective.term_text(n, wl)} (+{w})" for n, w, _ in objective.BALANCE_TERMS
           if n in met]
    no = [f"{objective.term_text(n, wl)} ({w})" for n, w, _ in objective.BALANCE_TERMS
          if n not in met]
    text = f"balance: {res.score.balance} of {objective.BALANCE_MAX} points"
    if yes:
        text += "; met: " + ", ".join(yes)
    if no:
        text += "; not met: " + ", ".join(no)
    return text


def _ref() -> str:
    from ..perf import REFERENCE_CHIP

    return REFERENCE_CHIP


def upgrade_text(u) -> str:
    sign = "+" if u.delta_cost.minor >= 0 else ""
    text = (f"{sign}{money(u.delta_cost)} (total {money(u.cost_budget)}): upgrade to {u.gpu}, "
            f"+{u.delta_throughput_pct:.0f} % throughput")
    return text + (f" ({u.note})" if u.note else "")


def options_table(res: PlanResult, opts, title: str) -> Table:
    t = Table("GPU", "total", "vs plan", "throughput", title=title)
    for o in opts:
        d = o.delta_throughput_pct
        t.add_row(Text(o.gpu), money(o.cost_budget), money(o.delta_cost),
                  f"{o.throughput:.3f} ({'' if d is None else f'{d:+.0f} %'})")
    return t


def plan_markdown(res: PlanResult) -> str:
    """Forum part list: 'Type|Item|Price', one row per unit, then totals and notes."""
    lines = [f"**{headline(res)}** ({res.status})", ""]
    if not res.ok:
        lines.append(res.infeasibility.summary if res.infeasibility else res.message)
        return "\n".join(lines) + "\n"
    lines += ["Type|Item|Price", ":----|:----|:----"]
    for p in res.parts:
        unit_local = Money(p.total_local.minor // p.quantity, p.total_local.currency)
        unit_budget = Money(p.total_budget.minor // p.quantity, p.total_budget.currency)
        for _ in range(p.quantity):
            marks = price_marks(p.unit_price).replace(" *", " (estimated)")
            lines.append(f"**{PCPP_TYPE[p.part.category]}** | {p.part.name} | "
                         f"{both(unit_local, unit_budget)}{marks} "
                         f"({price_date(p.unit_price, res)})")
    lines.append(f" | **Total** | **{both(res.total_local, res.total_budget)}**")
    lines.append(f" | *Estimated draw* | {power_text(res)}")
    lines.append(f" | *Estimated throughput* | {throughput_text(res)}")
    lines.append("")
    lines.append("Why:")
    lines.append("")
    for p in res.parts:
        lines.append(f"- **{p.part.name}**: {p.reason}")
    lines.append("")
    lines.append(balance_text(res))
    if res.not_chosen:
        lines += ["", "Not chosen:", ""] + [f"- {s}" for s in res.not_chosen]
    if res.upgrades:
        lines += ["", "Upgrade path:", ""] + [f"- {upgrade_text(u)}" for u in res.upgrades]
    if res.alternatives:
        lines += ["", "Alternatives:", ""]
        for o in res.alternatives:
            lines.append(f"- {o.gpu}: {money(o.cost_budget)} ({money(o.delta_cost)} vs plan), "
                         f"throughput {o.throughput:.3f}")
    lines += ["", f"*{status_line(res)}*"]
    return "\n".join(lines) + "\n"


# -- sweeps --------------------------------------------------------------------------------

SWEEP_FIELDS = ("budget", "currency", "status", "total", "total_market_currency", "gpu", "cpu",
                "ram_gb", "throughput", "parts", "wall_s")


def sweep_table(rows, title: str) -> Table:
    t = Table("budget", "status", "total", "GPU", "CPU", "RAM", "throughput", title=title)
    for r in rows:
        t.add_row(money(r.budget), r.status, money(r.total),
                  Text((r.gpu or "-").removeprefix("GeForce ")), Text(r.cpu or "-"),
                  f"{r.ram_gb} GB" if r.ok else "-", f"{r.throughput:.3f}" if r.ok else "-")
    return t


def sweep_csv(rows) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=SWEEP_FIELDS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r.to_dict())
    return buf.getvalue()


def sweep_plot_bytes(rows, title: str, fmt: str = "png") -> bytes:
    """The sweep chart (``report.charts.sweep_chart``) as image bytes in ``fmt``."""
    from .charts import sweep_chart

    return sweep_chart(rows, title, fmt)


def sweep_plot(rows, path: str | Path, title: str) -> Path:
    """``sweep_plot_bytes`` written to ``path`` (the web layer serves the bytes instead),
    atomically and never over a FIFO or a device (``dlrig.files``)."""
    fmt = plot_format(path)
    return files.write_output(path, sweep_plot_bytes(rows, title, fmt), "plot", field="plot")


def plot_format(path: str | Path) -> str:
    """The image format a file name asks for (its suffix; PNG when it has none), refused
    before any work when unknown (``report.charts.chart_format``)."""
    from .charts import chart_format

    return chart_format(path)
