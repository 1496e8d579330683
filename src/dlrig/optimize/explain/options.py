"""Other builds worth showing: alternatives, the upgrade path, and what unspent money buys.

- *alternatives*: the best build within the budget with each of the next GPU
  choices down (a chip, in a count), one solve each with the GPU fixed;
- *upgrade path*: the cheapest build with each step of the plan's upgrade
  ladder (``candidates.upgrade_ladder``, the same ladder the PSU is sized
  for), kept when it beats every cheaper step;
- *unspent*: when the plan leaves money and no faster GPU fits, what it would
  buy: one more card (when the count is the solver's or the user's choice),
  more RAM or storage.
"""

from __future__ import annotations

from dataclasses import replace

from ...parts import Category
from .. import objective
from ..candidates import cheapest_by_chip, upgrade_ladder
from ..request import MAX_GPUS
from ..result import Option, Unspent
from ..solve import Outcome, Prepared, prepare, solve_prepared
from ..status import OPTIMAL
from .common import (
    chip_of,
    explain_limit,
    fmt,
    gpu_label,
    in_budget_currency,
    money_local,
    pct,
    plan_hints,
)

MAX_ALTERNATIVES = 3
MAX_ALTERNATIVE_SOLVES = 5  # GPU choices tried for the alternatives (some may not fit)
MAX_UPGRADES = 3
UNSPENT_SHARE = 0.05  # unspent money below this share of the budget is not worth a word


def _option(prep: Prepared, o: Outcome, label: str, plan_cost: int, plan_thr: float,
            note: str = "") -> Option:
    gpu = o.gpu()
    thr = o.score.throughput / objective.THROUGHPUT_SCALE
    budget = prep.budget_local.minor if prep.budget_local else None
    return Option(
        label=label,
        gpu=gpu_label(chip_of(gpu.part), o.gpu_count) if gpu else "no GPU",
        cost_local=money_local(prep, o.score.cost),
        cost_budget=in_budget_currency(prep, o.score.cost),
        throughput=thr,
        delta_cost=in_budget_currency(prep, o.score.cost - (budget if budget and label == "upgrade"
                                                             else plan_cost)),
        delta_throughput_pct=pct(thr, plan_thr),
        parts=[(c.id, q) for c, q in o.chosen],
        fits_budget=budget is None or o.score.cost <= budget,
        note=note,
    )


def chip_ids(prep: Prepared, chip: str) -> frozenset[str]:
    return frozenset(c.id for c in prep.base.by_cat[Category.gpu] if chip_of(c.part) == chip)


def choices_by_throughput(prep: Prepared) -> dict[tuple[str, int], float]:
    """Every valid (GPU chip, count) and the set's throughput (the same for all its boards)."""
    out: dict[tuple[str, int], float] = {}
    for o in prep.base.all_options:
        key = (chip_of(o.part), o.count)
        out[key] = max(out.get(key, 0.0), o.throughput)
    return out


def cost_floor(prep: Prepared, chip: str, count: int) -> int:
    """A lower bound on any build with ``count`` boards of ``chip``: its cheapest board x
    count plus the cheapest part of every category a build must have."""
    cs = prep.base.by_cat
    board = min(c.cost for c in cs[Category.gpu] if chip_of(c.part) == chip)
    rest = sum(min((c.cost for c in cs.get(cat, [])), default=0)
               for cat in (Category.cpu, Category.motherboard, Category.psu, Category.case,
                           Category.memory, Category.storage))
    return board * count + rest


def _note(o: Outcome) -> str:
    return "" if o.status == OPTIMAL else "time limit: not proven the best build with this GPU"


def _solve_choice(prep: Prepared, chip: str, count: int, budget, stages, hints) -> Outcome:
    return solve_prepared(prep, budget, require_any={Category.gpu: chip_ids(prep, chip)},
                          counts=(count,), stages=stages, time_limit_s=explain_limit(prep),
                          hints=hints)


def alternatives(prep: Prepared, out: Outcome) -> list[Option]:
    """The best build within the budget with each of the next GPU choices down.

    One solve per choice, in order of throughput below the plan's, with the
    GPU fixed (so only balance and cost are left to choose) and the plan's
    parts as hints; choices whose cheapest possible build is over budget are
    skipped without a solve, and at most ``MAX_ALTERNATIVE_SOLVES`` run.
    """
    return Alternatives(prep, out).finish()


class Alternatives:
    """``alternatives``, with its first solves handed to ``submit`` (a thread pool's).

    The first ``MAX_ALTERNATIVES`` choices that pass the budget test are
    solved whatever the outcomes, so they can run side by side; the outcomes
    are then taken in order and the loop goes on as a sequential one would.
    """

    def __init__(self, prep: Prepared, out: Outcome, submit=None):
        self.prep, self.out = prep, out
        gpu = out.gpu()
        self.choices = iter(())
        self.first: list = []
        if gpu is None:
            return
        plan_key = (chip_of(gpu.part), out.gpu_count)
        plan_thr = out.option.throughput
        budget = prep.budget_local.minor if prep.budget_local else None
        ranked = sorted(((t, key) for key, t in choices_by_throughput(prep).items()
                         if key != plan_key and t <= plan_thr),
                        key=lambda tk: (-tk[0], tk[1]))
        self.choices = (key for _, key in ranked
                        if budget is None or cost_floor(prep, *key) <= budget)
        self.hints = plan_hints(out)
        for key in self.choices:
            call = (self._solve, key)
            self.first.append((key, submit(*call) if submit else call))
            if len(self.first) >= min(MAX_ALTERNATIVES, MAX_ALTERNATIVE_SOLVES):
                break

    def _solve(self, key: tuple[str, int]) -> Outcome:
        return _solve_choice(self.prep, key[0], key[1], -1,
                             ("capacity", "balance", "cost", "preference"), self.hints)

    def finish(self) -> list[Option]:
        prep, out = self.prep, self.out
        if out.gpu() is None:
            return []
        plan_thr = out.score.throughput / objective.THROUGHPUT_SCALE
        opts: list[Option] = []
        tries = 0

        def take(key, o: Outcome) -> None:
            if o.ok and o.gpu() is not None:
                opts.append(_option(prep, o, f"with {gpu_label(*key)}", out.score.cost,
                                    plan_thr, _note(o)))

        for key, job in self.first:
            tries += 1
            take(key, job[0](*job[1:]) if isinstance(job, tuple) else job.result())
        for key in self.choices:
            if len(opts) >= MAX_ALTERNATIVES or tries >= MAX_ALTERNATIVE_SOLVES:
                break
            tries += 1
            take(key, self._solve(key))
        return opts


def upgrades(prep: Prepared, out: Outcome) -> list[Option]:
    """The plan's upgrade ladder, priced: the cheapest build with each step, no budget.

    The steps are the ones the PSU was sized for (``upgrade_ladder``: faster
    chips at up to twice the card's price, in the same count); a step is
    kept when its build beats every cheaper one.
    """
    gpu = out.gpu()
    if gpu is None or prep.budget_local is None:
        return []
    gpus = prep.base.by_cat[Category.gpu]
    ladder = upgrade_ladder(gpus, gpu, cheapest_by_chip(gpus))
    plan_thr = out.score.throughput / objective.THROUGHPUT_SCALE
    hints = plan_hints(out)
    found: list[Outcome] = []
    for step in ladder:
        # No budget: the same for every budget, so the solve's tail is kept and reused
        # (``solve``); the preference stage makes it one answer, whatever was asked first.
        o = _solve_choice(prep, chip_of(step.part), out.gpu_count, None, ("cost", "preference"),
                          hints)
        if o.ok:
            found.append(o)
    found.sort(key=lambda o: (o.score.cost, -o.score.throughput))
    steps, best = [], out.score.throughput
    for o in found:
        if o.score.throughput > best:
            best = o.score.throughput
            steps.append(_option(prep, o, "upgrade", out.score.cost, plan_thr, _note(o)))
        if len(steps) >= MAX_UPGRADES:
            break
    return steps


def unspent(prep: Prepared, out: Outcome) -> Unspent | None:
    """Money left when no better GPU fits, and what it would buy.

    Said only when the unspent share is at least ``UNSPENT_SHARE`` of the
    budget. Suggestions, each priced by a solve or a price: one more card of
    the plan's GPU (``--gpus N+1``: the build's total and throughput), and
    the first upgrade step when it fits after all.
    """
    budget = prep.budget_local.minor if prep.budget_local else None
    if budget is None or out.score is None:
        return None
    left = budget - out.score.cost
    if left < UNSPENT_SHARE * budget:
        return None
    gpu = out.gpu()
    tips: list[str] = []
    if gpu is not None and out.gpu_count < MAX_GPUS:
        k = out.gpu_count + 1
        p2 = prep if k in prep.base.counts else prepare(
            prep.catalog, replace(prep.req, gpus=k, explain=False))
        o = _solve_choice(p2, chip_of(gpu.part), k, -1, ("balance", "cost"), plan_hints(out))
        if o.ok:
            thr = o.score.throughput / objective.THROUGHPUT_SCALE
            gain = pct(thr, out.score.throughput / objective.THROUGHPUT_SCALE)
            tips.append(f"--gpus {k}: {gpu_label(chip_of(gpu.part), k)} for "
                        f"{fmt(in_budget_currency(prep, o.score.cost))} in all"
                        + (f", {gain:+.0f} % throughput" if gain is not None else ""))
        else:
            tips.append(f"{gpu_label(chip_of(gpu.part), k)} does not fit the budget with this "
                        f"market's boards, cases and PSUs; nothing faster does either")
    tips.append("more RAM or a larger NVMe drive for datasets and model files")
    return Unspent(in_budget_currency(prep, left), tips)
