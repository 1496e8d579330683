"""What the explanations share: re-scoring a changed build, money in words, labels.

Every sentence of an explanation is computed from a solve or a swap judged
by the same rules and objective as the plan (``check_build``, the promoted
rules, ``objective.score``), never written per part.
"""

from __future__ import annotations

from ...build import Build
from ...parts import AnyPart, Category
from ...units import Money
from .. import objective
from ..candidates import Candidate
from ..policy import violates
from ..solve import Outcome, Prepared

EXPLAIN_TIME_LIMIT_S = 2.0
MAX_SWAPS = 30  # better parts tried per slot when looking for one that fits

LABEL = {Category.cpu: "CPU", Category.gpu: "GPU", Category.memory: "memory kit",
         Category.motherboard: "board", Category.storage: "drive", Category.psu: "PSU",
         Category.case: "case", Category.cooler: "cooler"}


def chip_of(part) -> str:
    return getattr(part, "chipset", part.name)


def short_chip(name: str) -> str:
    return name.removeprefix("NVIDIA ").removeprefix("GeForce ")


def gpu_label(chip: str, count: int) -> str:
    """'RTX 3090', or '2 x RTX 3090' for a multi-GPU choice."""
    return short_chip(chip) if count == 1 else f"{count} x {short_chip(chip)}"


def fmt(money: Money) -> str:
    return money.format(decimals=False)


def pct(new: float, old: float) -> float | None:
    return None if not old else 100.0 * (new - old) / old


def hard_violations(prep: Prepared, build: Build) -> list[tuple[str, str]]:
    """(rule id, message) of every hard requirement the build breaks.

    The same verdicts the model enforces (``policy.violates``): checker
    findings of the hard rules, and "not checked" for a part's missing data
    where the planner forbids what it cannot verify (unless the request
    allows unverified parts).

    Only the hard rules run (``check_build`` would run every rule and estimate
    the power, and this is called for every swap an explanation tries); their
    findings are ordered as ``check_build`` orders them, errors first, then by
    rule id, so the first violation named is the same.
    """
    return _violations(prep, [(r, r.check(build, prep.ctx)) for r in prep.hard])


def _violations(prep: Prepared, results: list) -> list[tuple[str, str]]:
    from ...rules import _ORDER
    from ...rules.registry import NotChecked, Violation

    req, ctx = prep.req, prep.ctx
    findings, not_checked = [], []
    for _, (f, s) in results:
        findings.extend(f)
        not_checked.extend(s)
    findings.sort(key=lambda f: (_ORDER[f.severity], f.rule))
    rules = {r.id: r for r in prep.hard}
    out = []
    for f in findings:
        rule = rules.get(f.rule)
        if rule is not None and violates(rule, Violation(f.message, f.fix, f.values, f.severity),
                                         ctx, req.extra_hard, req.unchecked_ok):
            out.append((f.rule, f.message))
    for line in not_checked:
        rid = getattr(line, "rule", None) or line.split(":", 1)[0]
        rule = rules.get(rid)
        if rule is not None and violates(rule, NotChecked(line, getattr(line, "missing", False)),
                                         ctx, req.extra_hard, req.unchecked_ok,
                                         req.allow_unverified):
            out.append((rid, "unverified: " + line.split(":", 1)[1].strip()))
    return out


def reads(rule, cat: Category) -> bool:
    """Whether a rule's verdict can depend on the part of ``cat`` (True when unsure).

    From each rule form's contract: a unary or pair rule reads its categories, a
    linear rule its declared ``reads`` (all when undeclared) and ``requires``, a
    GPU-set rule the GPUs and the board or case it declares it reads.
    """
    from ...rules.registry import GpuSetRule, LinearRule, PairRule, UnaryRule

    if isinstance(rule, UnaryRule | PairRule):
        return cat in rule.categories
    if isinstance(rule, LinearRule):
        return rule.reads is None or cat in rule.reads or cat in rule.requires
    if isinstance(rule, GpuSetRule):
        return (cat == Category.gpu or (cat == Category.motherboard and rule.reads_board)
                or (cat == Category.case and rule.reads_case))
    return True


class SwapChecker:
    """``hard_violations`` of builds that differ from one build by one part.

    The reasons swap up to ``MAX_SWAPS`` parts into each slot of the plan; a
    rule that found nothing in the plan and does not read the swapped part's
    category (``reads``) finds nothing in the swapped build either, so only the
    other rules run again. The answer is the one ``hard_violations`` gives.
    """

    def __init__(self, prep: Prepared, build: Build):
        self.prep = prep
        self.base = [(r, r.check(build, prep.ctx)) for r in prep.hard]
        self._again: dict[Category, list[tuple[int, object]]] = {}  # per category: reruns

    def violations(self, build: Build, cat: Category) -> list[tuple[str, str]]:
        ctx = self.prep.ctx
        again = self._again.get(cat)
        if again is None:
            again = self._again[cat] = [(i, r) for i, (r, res) in enumerate(self.base)
                                        if res[0] or res[1] or reads(r, cat)]
        results = list(self.base)
        for i, r in again:
            results[i] = (r, r.check(build, ctx))
        return _violations(self.prep, results)


def unit_cost(prep: Prepared, part: AnyPart) -> int | None:
    cost = prep.base.cost_of(part.id)
    if cost is not None:
        return cost
    lp = prep.catalog.local_price(part.id, prep.market, prep.base.as_of)
    return lp.money.minor if lp else None


def _gpu_values(prep: Prepared, build: Build):
    """(throughputs, capacities, upgrade watts) of a build's GPU choice, as ``score`` wants."""
    thr, cap, upg = {}, {}, {}
    for item in build.of(Category.gpu):
        p, k = item.part, item.quantity
        opt = next((o for o in prep.base.all_options if o.cand.id == p.id and o.count == k), None)
        cand = prep.base.get(p.id) or Candidate(p, None, unit_cost(prep, p) or 0,
                                                 objective.throughput(p, prep.perf_workload))
        if opt is None:
            t = objective.option_throughput(cand, k, prep.perf_workload, prep.ctx)
            c = objective.capacity(p, k, prep.workload, prep.ctx)
        else:
            t, c = opt.throughput, opt.capacity
        thr[(p.id, k)], cap[(p.id, k)] = t, c
        upg[p.id] = cand.upgrade_w
    return thr, cap, upg


def score_build(prep: Prepared, build: Build) -> objective.Score:
    items = [(i.part, i.quantity, unit_cost(prep, i.part) or 0) for i in build.items]
    thr, cap, upg = _gpu_values(prep, build)
    return objective.score(items, prep.workload, thr, cap, upg, prep.ctx)


def swap(build: Build, old: AnyPart, new: AnyPart) -> Build:
    qty = next(i.quantity for i in build.items if i.part.id == old.id)
    items = [i for i in build.items if i.part.id != old.id]
    b = Build(tuple(items), build.name, build.market)
    return b.with_part(new, qty, replace=False)


def money_local(prep: Prepared, minor: int) -> Money:
    return Money(minor, prep.market.currency)


def in_budget_currency(prep: Prepared, minor: int) -> Money:
    return prep.to_budget_currency(money_local(prep, minor))


def workload_phrase(prep: Prepared) -> str:
    if prep.ctx.job is not None:
        return f"for {prep.ctx.job.label}"
    return f"for {prep.workload.name}" if prep.workload else "for GPU training"


def rule_title(prep: Prepared, rule_id: str) -> str:
    for r in prep.hard:
        if r.id == rule_id:
            return r.title
    return rule_id


def term_label(prep: Prepared, term: str) -> str:
    return objective.term_text(term, prep.workload)


def explain_limit(prep: Prepared) -> float:
    """Time limit of one explanation solve: short, so a plan answers in seconds.

    An explanation stopped by it still gives a valid build, marked not proven.
    """
    return min(EXPLAIN_TIME_LIMIT_S, prep.req.time_limit_s)


def plan_hints(out: Outcome) -> dict[str, int]:
    """The plan's own parts (GPU aside), to warm-start explanation solves."""
    return {c.id: 1 for c, _ in out.chosen if c.part.category != Category.gpu}
