"""Rich rendering of ``dlrig check`` findings and ``dlrig power`` estimates.

Rendering only: the numbers come from ``dlrig.rules.check_build`` and
``dlrig.power``; the JSON forms are the objects' ``to_dict``.

Laid out for an 80-column terminal: findings are two columns (the rule, and
the finding with its fix below it) rather than four narrow ones, rule ids
and numeric columns never wrap, and a number stays on the line of its unit
(``Glued``: rich wraps at any Unicode space, a no-break space included, so
the space between a number and its unit is a placeholder while rich wraps
and a plain space again in the output).
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ..parts import Category
from ..power import PowerEstimate, RunningCost
from ..rules import CheckResult, Severity
from ..rules.build import label
from ..rules.text import plural
from .provenance import Provenance

_STYLE = {Severity.error: "bold red", Severity.warning: "yellow", Severity.info: "cyan"}
_NOUN = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note"}

_GLUE = "\ue000"  # a private-use character: one cell wide and not whitespace
_UNIT = re.compile(r"(?<=\d) (?=(?:W|kW|kWh|GB|TB|MB|MB/s|GB/s|MT/s|mm|V|A|%|ms|us|h/day|"
                   r"[A-Z]{3}(?:/kWh)?)(?![\w]))")


class Glued:
    """A Text whose numbers are never wrapped apart from their units."""

    def __init__(self, text: str, style: str = "", prefix: Text | None = None) -> None:
        self.text = Text.assemble(prefix or "", Text(_UNIT.sub(_GLUE, text), style=style))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for seg in self.text.__rich_console__(console, options):
            if isinstance(seg, Segment) and _GLUE in seg.text:
                seg = Segment(seg.text.replace(_GLUE, " "), seg.style, seg.control)
            yield seg

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return self.text.__rich_measure__(console, options)


def keep_units(text: str, style: str = "", prefix: Text | None = None) -> Glued:
    return Glued(text, style, prefix)


def counts(result: CheckResult) -> str:
    """'1 error, 2 warnings, 0 notes'."""
    return ", ".join(plural(len(result.by_severity(s)), _NOUN[s]) for s in Severity)


def findings_table(result: CheckResult) -> Table:
    t = Table(show_lines=True, expand=True)
    width = max([len(f.rule) for f in result.findings] + [len("warning")])
    t.add_column("rule", no_wrap=True, min_width=width)
    t.add_column("finding and fix", ratio=1)
    for f in result.findings:
        rule = Text.assemble((f.severity.value, _STYLE[f.severity]), "\n", f.rule)
        body = Group(keep_units(f.message),
                     keep_units(f.fix, prefix=Text("fix: ", style="bold")))
        t.add_row(rule, body)
    return t


def headline(result: CheckResult) -> tuple[str, str]:
    """The check's verdict in one line, and its level: 'bad', 'incomplete', 'unverified' or
    'good'. One wording for the terminal and the web (a rule not checked for a part's
    missing data is never "OK")."""
    run = f"{plural(result.rules_run, 'rule')} run"
    missing = ", ".join(label(Category(m)) for m in result.missing)
    if not result.ok:
        s = f"NOT OK: {counts(result)} ({run})"
        if missing:
            s += f"; the build is also incomplete: no {missing}"
        return s, "bad"
    if missing:
        return (f"INCOMPLETE: no {missing}; no error among the parts there "
                f"({counts(result)}; {run}, those that need the missing parts not checked)",
                "incomplete")
    unverified = result.unverified
    if unverified:
        rules = len({s.rule for s in unverified})
        checked = result.rules_run - rules
        parts = len(result.unverified_parts)
        return (f"OK on {plural(checked, 'rule')}; {plural(rules, 'rule')} not checked for "
                f"{plural(parts, 'part')} whose data is missing (listed under Not checked): "
                f"unverified ({counts(result)})", "unverified")
    return f"OK: no error ({counts(result)}; {run})", "good"


_LEVEL_STYLE = {"bad": "bold red", "incomplete": "bold yellow", "unverified": "bold yellow",
                "good": "bold green"}


def verdict(result: CheckResult) -> Text:
    text, level = headline(result)
    return Text(text, style=_LEVEL_STYLE[level])


def match_rows(matches) -> Table | None:
    """What each row of a pasted list (or each [[part]] of a build file) became, and how
    sure: shown whenever a row was matched by more than its exact id or name."""
    if not matches or all(m.confidence == "exact" for m in matches):
        return None
    t = Table(title="what each row matched", expand=True, show_lines=True)
    t.add_column("row", no_wrap=True)
    t.add_column("as written", ratio=3)
    t.add_column("matched", ratio=3)
    t.add_column("how", ratio=2)
    for m in matches:
        where = f"line {m.line}" if m.line is not None else f"part {m.part}"
        t.add_row(where, keep_units(m.text), keep_units(m.part_name or "-"),
                  f"{m.confidence or m.status}"
                  + (f": {m.reason}" if m.reason and m.confidence != "exact" else ""))
    return t


def part_rows(bp, quotes: list[Provenance | None]) -> list[dict[str, Any]]:
    """The parts a check judged, each with its price in the market and where the price
    comes from (JSON for ``dlrig check --json`` and the Check page): ``bp`` a
    ``build.BuildPrice``, ``quotes`` its lines' provenance (``provenance.build_quotes``)."""
    out = []
    for line, q in zip(bp.lines, quotes, strict=True):
        part, total = line.item.part, line.total
        out.append({
            "category": part.category.value, "id": part.id, "name": part.name,
            "quantity": line.item.quantity,
            "unit_price": None if line.price is None else {
                "amount": line.price.money.amount, "currency": line.price.money.currency},
            "price": None if total is None else {"amount": total.amount,
                                                 "currency": total.currency},
            "provenance": None if q is None else q.to_dict(),
        })
    return out


def parts_table(bp, quotes: list[Provenance | None], currency: str | None) -> Table:
    """The parts a check judged: type, name, quantity, price with its marks, date and a
    footnote number; the caption's footnotes say who quoted each price and cite it."""
    notes: dict[str, int] = {}
    t = Table(title="Parts judged", expand=True)
    t.add_column("type", no_wrap=True)
    t.add_column("part", ratio=1)
    t.add_column("qty", justify="right", no_wrap=True)
    t.add_column(f"price ({currency})" if currency else "price", no_wrap=True)
    for line, q in zip(bp.lines, quotes, strict=True):
        part = line.item.part
        if q is None or line.total is None:
            price = "no price" if bp.market else "-"
        else:
            n = notes.setdefault(q.cite, len(notes) + 1)
            marks = "".join(f" {m}" for m in q.marks if m != "old")
            price = (f"{line.total.format(decimals=False)}{marks} [{n}]\n"
                     f"{q.date.isoformat()}{' (old)' if q.old else ''}")
        t.add_row(label(part.category), keep_units(part.name), str(line.item.quantity), price)
    if notes:
        t.caption = "\n".join(f"[{n}] {key}" for key, n in notes.items())
        t.caption_justify = "left"
    return t


def _bullets(lines: list[str]) -> Table:
    """A list whose wrapped lines stay indented under their text."""
    t = Table.grid(padding=(0, 1))
    t.add_column(no_wrap=True)
    t.add_column()
    for line in lines:
        t.add_row(" -", keep_units(line, style="dim"))
    return t


def render_check(console: Console, result: CheckResult, build_name: str,
                 context: dict[str, Any], price: str | None = None, matches=(),
                 parts: Table | None = None) -> None:
    """The check as a terminal reads it: the context, what each row matched, the parts
    judged with their prices and provenance (``parts_table``), the findings, the verdict."""
    console.print(Text(f"dlrig check: {build_name}", style="bold"))
    console.print(keep_units("context: " + ", ".join(f"{k} {v}" for k, v in context.items()),
                             style="dim"))
    table = match_rows(matches)
    if table is not None:
        console.print(table)
    if parts is not None:
        console.print(parts)
    if result.findings:
        console.print(findings_table(result))
    console.print(verdict(result))
    if result.power is not None:
        console.print(keep_units("power: " + power_line(result.power)))
    if price:
        console.print(keep_units("price: " + price))
    console.print(Text("Not checked", style="bold"))
    console.print(_bullets(result.not_checked + list(result.general_not_checked)))


def psu_size_text(est: PowerEstimate) -> str:
    """The one recommended size: '850 W' (the build's PSU type decides the spike test)."""
    return f"{est.recommended_psu_w} W"


def power_line(est: PowerEstimate) -> str:
    s = (f"~{est.sustained_w} W sustained, ~{est.transient_w} W transient peak; "
         f"recommended PSU {psu_size_text(est)}")
    if est.psu_w is not None:
        s += (f"; {est.psu_name}: {est.psu_w} W, {est.headroom_w} W ({est.headroom_pct:.0f} %) "
              f"headroom, ~{est.wall_w} W at the wall")
    return s


def render_power(console: Console, est: PowerEstimate, cost: RunningCost | None,
                 build_name: str) -> None:
    console.print(Text(f"dlrig power: {build_name}", style="bold"))
    t = Table(title="Sustained DC draw by part")
    t.add_column("part", ratio=1)
    t.add_column("qty", justify="right", no_wrap=True)
    t.add_column("watts", justify="right", no_wrap=True)
    for name, qty, watts in est.by_part:
        t.add_row(Text(name), str(qty), str(watts))
    t.add_row(Text("total sustained", style="bold"), "", Text(str(est.sustained_w), style="bold"))
    console.print(t)
    s = Table("", "", show_header=False, box=None)
    s.columns[0].no_wrap = True

    def row(key: str, value: str) -> None:
        s.add_row(key, keep_units(value))

    row("sustained", f"~{est.sustained_w} W (the total above)")
    row("transient peak", f"~{est.transient_w} W (GPUs at ~1.6 x board power for < 1 ms)")
    kind = "an ATX 3.x unit (200 % for 100 us)" if est.psu_atx3 else "a pre-ATX-3 unit"
    row("recommended PSU", f"{psu_size_text(est)}: 25 % over sustained, riding the peak as "
        f"{kind}")
    if est.power_limit:
        row("power limit", f"GPUs capped at {est.power_limit} (spikes counted at stock)")
    if est.psu_w is None:
        row("chosen PSU", "none in the build: no headroom or wall power")
    else:
        atx = "ATX 3.x" if est.psu_atx3 else "pre-ATX-3"
        row("chosen PSU", f"{est.psu_name}: {est.psu_w} W, {est.psu_efficiency}, {atx}")
        row("headroom", f"{est.headroom_w} W ({est.headroom_pct:.0f} % of the rating); "
            f"load {est.load_pct:.0f} %; rides spikes up to {est.transient_capacity_w} W")
        row("wall power", f"~{est.wall_w} W at {est.efficiency_pct:.1f} % efficiency "
            f"(80 Plus curve at {est.load_pct:.0f} % load, {est.curve_v} V)")
    if cost is not None:
        row("running cost", f"{cost.kwh_per_year:,.0f} kWh/year = {cost.cost} per year")
        row("assumptions", cost.assumptions())
    console.print(s)
