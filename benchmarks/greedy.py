"""A greedy GPU-first heuristic, the way people often build: the benchmark's foil.

Take the fastest GPU the budget allows, then for each remaining slot the
cheapest part that the checker and the workload floors accept with what is
already chosen (one kit of memory, one drive, a cooler only when the CPU
needs one); if the finished build breaks a requirement or the budget, try the
next GPU chip. No backtracking beyond the GPU.
"""

from __future__ import annotations

from dlrig.build import Build, BuildItem
from dlrig.optimize.policy import is_promoted
from dlrig.optimize.solve import Prepared
from dlrig.parts import Category
from dlrig.rules import check_build

ORDER = (Category.cpu, Category.motherboard, Category.memory, Category.storage, Category.case,
         Category.psu, Category.cooler)


def _hard(prep: Prepared, build: Build, partial: bool = False) -> bool:
    """Whether the build breaks a hard rule; on a partial build, only rules whose
    categories are all present (the SSD rule cannot judge a build with no drive yet)."""
    ids = {r.id: r for r in prep.hard}
    have = {i.part.category for i in build.items}
    for f in check_build(build, prep.ctx).findings:
        r = ids.get(f.rule)
        if r is None or (partial and not set(r.categories) <= have):
            continue
        if (f.severity.value == "error"
                or (is_promoted(r, prep.ctx) and f.severity.value == "warning")):
            return True
    return False


def greedy(prep: Prepared, budget_minor: int):
    """(Score, Build) of the greedy build, or None when it finds none."""
    base = prep.base
    gpus = sorted(base.by_cat[Category.gpu], key=lambda c: (-c.throughput, c.cost, c.id))
    others = {cat: sorted(base.by_cat[cat], key=lambda c: (c.cost, c.id)) for cat in ORDER}
    tried_chips = set()
    for g in gpus:
        if g.part.chipset in tried_chips or g.cost * prep.req.gpus > budget_minor:
            continue
        chosen = [(g, prep.req.gpus)]
        for cat in ORDER:
            pick = None
            for c in others[cat]:
                trial = chosen + [(c, 1)]
                b = Build(tuple(BuildItem(x.part, q) for x, q in trial), "greedy")
                if not _hard(prep, b, partial=True):
                    pick = c
                    break
            if pick is None and cat != Category.cooler:
                break
            if pick is not None and (cat != Category.cooler or _needs_cooler(chosen)):
                chosen.append((pick, 1))
        else:
            build = Build(tuple(BuildItem(x.part, q) for x, q in chosen), "greedy")
            cost = sum(x.cost * q for x, q in chosen)
            if cost <= budget_minor and not _hard(prep, build):
                from dlrig.optimize.explain.common import score_build

                return score_build(prep, build), build
        tried_chips.add(g.part.chipset)
    return None


def _needs_cooler(chosen) -> bool:
    return any(x.part.category == Category.cpu and not x.part.cooler_included for x, _ in chosen)
