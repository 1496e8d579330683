"""Prepare a plan request and solve it: the CP-SAT planner without its explanations.

``planner.plan`` (the public entry point) calls this module and then
``explain``; ``explain`` calls back into this module for its re-solves, never
the other way round. One request is *prepared* once (workload, rule policy, budget in the market's
currency, valid candidate parts with their rule tables); each solve then
restricts and prunes the candidates, builds a small model and solves the
lexicographic objective stage by stage (``objective.py``). Explanations,
alternatives and sweeps re-solve the same prepared request with other
budgets, exclusions or relaxations.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.sat.python import cp_model

from ..build import Build, BuildItem
from ..catalog import Catalog
from ..parts import Category
from ..rules import Context, check_build, context_for
from ..units import Money
from . import objective
from .candidates import MULTI, ONE, Candidate, Candidates, GpuOption, build_candidates, restrict
from .model import PlanModel
from .policy import hard_rules
from .request import PlanRequest, intent_of
from .result import PlannedPart, PlanResult, SolverStats
from .status import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN

STAGES = ("throughput", "capacity", "balance", "cost", "preference")
DEFAULT_PERF_WORKLOAD = "cnn"  # ranks GPUs when no --workload is given (no floors applied)
# CP-SAT parameters for every solve (see docs/plan.md, "Solver settings").
# Probing (presolve) costs more than it saves on these small models: measured 1.3 s
# against 2.1 s for the three stages of a 570-variable plan on the imported catalog.
SOLVER_PARAMS: dict[str, Any] = {"cp_model_probing_level": 0, "linearization_level": 2,
                                 "cp_model_presolve": False}
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 6
# The web solves in several threads: the cache's reads and writes hold this lock (the
# preparation itself runs outside it, so two different requests prepare in parallel).
_CACHE_LOCK = threading.Lock()


@dataclass
class Prepared:
    """A request turned into the pieces every solve of it shares."""

    catalog: Catalog
    req: PlanRequest
    ctx: Context
    workload: Any  # perf.Workload or None
    perf_workload: Any
    hard: list
    base: Candidates
    budget_local: Money | None
    candidates_s: float = 0.0
    _restricted: dict = field(default_factory=dict)

    @property
    def market(self):
        return self.base.market

    def candidates(self, exclude_ids=frozenset(), require_any=None,
                   drop_rules=frozenset(), prune: bool = True,
                   counts: tuple[int, ...] | None = None) -> Candidates:
        if counts is not None and tuple(counts) == self.base.counts:
            counts = None
        key = (exclude_ids, tuple(sorted((k.value, v) for k, v in (require_any or {}).items())),
               drop_rules, prune, counts)
        cs = self._restricted.get(key)
        if cs is None:
            plain = not exclude_ids and not require_any and not drop_rules and counts is None
            reuse = None if plain or not prune else self.candidates()
            cs = restrict(self.base, exclude_ids, require_any, drop_rules, prune, reuse, counts)
            if len(self._restricted) > 64:
                self._restricted.clear()
            self._restricted[key] = cs
        return cs

    def to_budget_currency(self, money: Money) -> Money:
        if self.req.budget is None or money.currency == self.req.budget.currency:
            return money
        m = self.market
        return self.catalog.convert(money, self.req.budget.currency, self.base.as_of, m.rate_kind)




def perf_workload_for(name: str | None):
    from ..perf import get_workload, workloads

    if name:
        return get_workload(name)
    known = workloads()
    return known.get(DEFAULT_PERF_WORKLOAD) or known[sorted(known)[0]]


def clear_cache() -> None:
    """Forget prepared requests (call after changing a catalog's prices in place)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def prepare(catalog: Catalog, req: PlanRequest) -> Prepared:
    """Resolve the workload, the hard rules, the budget and the candidates.

    Cached per catalog object and size, rule set and request (not budget), so
    sweeps and explanations price and prune once; see ``clear_cache``.
    """
    from ..rules.registry import RULES, all_rules

    all_rules()  # load every rule module before the key reads the registry
    key = (id(catalog), len(catalog), tuple(RULES), _request_key(req))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit.catalog is catalog:
            _CACHE.move_to_end(key)
        else:
            hit = None
    if hit is not None:
        return replace(hit, req=req, budget_local=_budget_local(catalog, req, hit.base))
    t0 = time.perf_counter()
    from ..perf import get_workload

    workload = get_workload(req.workload) if req.workload else None
    job = None
    if req.model:
        from ..llm.job import job_for

        job = job_for(req.model, task=req.task, quant=req.quant, context=req.context,
                      users=req.users, batch=req.batch)
        if workload is None:
            workload = get_workload(job.workload_name)
    if workload is not None and req.workload_overrides:
        workload = workload.model_copy(update=dict(req.workload_overrides))
    perf_wl = perf_workload_for(workload.name if workload else None)
    ctx = context_for(catalog, req.market, workload=workload, circuit_w=req.circuit_w,
                      allow_bios_update=req.allow_bios_update, dataset_gb=req.dataset_gb,
                      as_of=req.as_of, job=job, power_limit=req.power_limit)
    hard = hard_rules(ctx, req.extra_hard, req.relax_rules)
    base = build_candidates(catalog, req, ctx, workload, perf_wl, hard)
    prep = Prepared(catalog, req, ctx, workload, perf_wl, hard, base,
                    _budget_local(catalog, req, base), time.perf_counter() - t0)
    with _CACHE_LOCK:
        _CACHE[key] = prep
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return prep


def _request_key(req: PlanRequest) -> tuple:
    return (req.market, req.workload, req.gpus, req.model, req.task, req.quant, req.context,
            req.users, req.batch, req.power_limit, req.require, req.exclude,
            req.allow_bios_update, req.allow_unverified, req.used, req.max_age_days,
            req.rate_kind, req.as_of, req.circuit_w, req.dataset_gb,
            req.exclude_ids,
            req.require_any, req.relax_rules, req.workload_overrides, req.extra_hard,
            req.unchecked_ok, req.max_drives)


def _budget_local(catalog: Catalog, req: PlanRequest, base: Candidates) -> Money | None:
    if req.budget is None:
        return None
    m = base.market
    if req.budget.currency == m.currency:
        return req.budget
    return catalog.convert(req.budget, m.currency, base.as_of, m.rate_kind)


# -- one solve -------------------------------------------------------------------------

@dataclass
class Outcome:
    status: str
    chosen: list[tuple[Candidate, int]] = field(default_factory=list)
    option: GpuOption | None = None  # the GPU option chosen (board and count)
    score: objective.Score | None = None
    stages: list[dict] = field(default_factory=list)
    variables: int = 0
    constraints: int = 0
    wall_s: float = 0.0
    model_s: float = 0.0
    empty: list[Category] = field(default_factory=list)
    core: list[str] = field(default_factory=list)  # rules that together bind (assume=True)

    @property
    def ok(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)

    def gpu(self) -> Candidate | None:
        return next((c for c, _ in self.chosen if c.part.category == Category.gpu), None)

    @property
    def gpu_count(self) -> int:
        return self.option.count if self.option is not None else 0


def empty_categories(cs: Candidates) -> list[Category]:
    need = [Category.cpu, Category.motherboard, Category.psu, Category.case,
            Category.memory, Category.storage] + ([Category.gpu] if cs.counts else [])
    out = [c for c in need if not cs.by_cat.get(c)]
    if cs.counts and Category.gpu not in out and not cs.options:
        out.append(Category.gpu)
    return out


def model_for(cs: Candidates, max_drives: int, assume: bool = False) -> PlanModel:
    """The candidates' model without a budget, built once and kept with them.

    Solves work on a ``clone`` of it, so threads may share it (building it twice in
    a race is harmless: both are the same model).
    """
    key = ("model", max_drives, assume)
    pm = cs.solved.get(key)
    if pm is None:
        pm = cs.solved[key] = PlanModel(cs, None, max_drives=max_drives, assume=assume)
    return pm


def _constant(cs: Candidates, stage: str) -> int | None:
    """The value of a GPU stage when every GPU option gives the same one (None: several).

    One option is always chosen, so such a stage has nothing to choose: its value is
    known and its bound holds in every build (an alternative with the GPU fixed).
    """
    if stage == "throughput":
        vals = {objective.throughput_int(o.throughput) for o in cs.options}
    elif stage == "capacity":
        vals = {o.capacity for o in cs.options}
    else:
        return None
    return vals.pop() if len(vals) == 1 else None


def solve(cs: Candidates, budget_minor: int | None, *, stages=STAGES,
          time_limit_s: float = 10.0, num_workers: int = 1, max_drives: int = 4,
          hints: dict[str, int] | None = None, assume: bool = False) -> Outcome:
    """Solve the lexicographic objective over ``cs``, stage by stage.

    ``hints`` (part id -> 0/1) warm-start the first stage, as explanations
    do with the plan's own parts; each later stage starts from the previous
    stage's solution. With ``assume``, every rule is enforced by
    an assumed literal, and an infeasible first stage reports in ``core``
    rules that together leave no build (CP-SAT's sufficient assumptions).

    Two shortcuts keep every answer exact:

    - a GPU stage (throughput, capacity) whose value is the same for every GPU
      option left (an alternative with its chip fixed) is not solved;
    - from the cost stage on, the answer does not depend on the budget: the
      cheapest build that keeps the earlier stages' values costs no more than
      the build the previous stage found within the budget, and the later
      stages only break ties at that cost. Such tails are kept with the
      candidates, keyed by the earlier stages' bounds, so a sweep or a later
      request that reaches the same bounds reuses them (``cached`` in the
      stage's record). Only proven-optimal tails are kept.
    """
    t0 = time.perf_counter()
    empty = empty_categories(cs)
    if empty:
        return Outcome(INFEASIBLE, empty=empty, wall_s=time.perf_counter() - t0)
    pm = model_for(cs, max_drives, assume)
    model, terms = pm.model.clone(), pm.terms
    if budget_minor is not None:
        model.add(pm.cost <= budget_minor)
    guards = list(pm.guards.items())
    if guards:
        model.add_assumptions([lit for _, lit in guards])
    for pid, val in (hints or {}).items():
        if pid in pm.x:
            model.add_hint(pm.x[pid], val)
    band = objective.capacity_band(cs.workload, cs.ctx) if "capacity" in stages else None
    proto = model.proto
    out = Outcome(UNKNOWN, variables=len(proto.variables), constraints=len(proto.constraints))
    out.model_s = time.perf_counter() - t0
    deadline = t0 + time_limit_s
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = num_workers
    for name, value in SOLVER_PARAMS.items():
        setattr(solver.parameters, name, value)
    status_all = OPTIMAL
    sol = None  # the last stage's solution vector
    plan_stages = [st for st in stages if st != "capacity" or band is not None]
    if "capacity" in plan_stages:
        plan_stages.insert(plan_stages.index("capacity") + 1, "throughput")
    ranks = max(1, sum(len(v) for v in cs.by_cat.values())) * max(1, max_drives)
    bounds: dict[str, int] = {}  # expression -> the bound the stages so far put on it
    pending: list[dict] = []  # records of stages decided without a solve
    tail_key = tail_start = kept = None
    done = True  # every stage ran (or was decided) without an early stop
    gpu_stages = [i for i, st in enumerate(plan_stages)
                  if st in GPU_STAGES and not isinstance(terms[st], int)]
    narrow_after = gpu_stages[-1] if gpu_stages and not guards else None
    # GPU stages from each option's cheapest build (``GPU_LOOKUP`` off: by the solver).
    lookup = narrow_after is not None and GPU_LOOKUP
    for i, stage in enumerate(plan_stages):
        if i - 1 == narrow_after and (sol is not None or lookup):
            pm, model = _narrow(cs, pm, model, sol, bounds, budget_minor, max_drives)
            terms = pm.terms
        expr = terms[stage]
        if isinstance(expr, int):
            continue  # nothing to choose (no GPU: throughput is 0)
        later = plan_stages[i + 1:]
        if lookup and i in gpu_stages:
            ts = time.perf_counter()
            value = _gpu_stage_value(cs, pm, stage, bounds, budget_minor, max_drives,
                                     deadline)
            if value is not None:
                out.stages.append({"stage": stage, "status": "OPTIMAL",
                                   "wall_s": round(time.perf_counter() - ts, 4),
                                   "value": value, "note": _LOOKUP_NOTE})
                _bound(bounds, stage, value, band, later)
                continue
            # Unproven or no option fits: the solver decides, from this stage on.
            lookup = False
            if any(r.get("note") == _LOOKUP_NOTE for r in out.stages):
                pm, model = _narrow(cs, pm, model, None, bounds, budget_minor, max_drives)
                terms = pm.terms
                expr = terms[stage]
        if stage == "cost" and not guards and (sol is not None or budget_minor is None):
            tail_key = ("tail", max_drives, tuple(sorted(bounds.items())),
                        tuple(plan_stages[i:]))
            hit = cs.solved.get(tail_key)
            if hit is not None:
                sol, kept = None, hit
                for p in pending:
                    p["status"] = "OPTIMAL"
                out.stages.extend(dict(info, wall_s=0.0, cached=True) for info in hit[2])
                tail_key = None
                break
        value = (_constant(cs, stage)
                 if any(not isinstance(terms[st], int) for st in later) else None)
        if value is not None:
            pending.append({"stage": stage, "status": None, "wall_s": 0.0, "value": value,
                            "note": "every GPU option left gives this value"})
            out.stages.append(pending[-1])
            _bound(bounds, stage, value, band, later)
            continue
        rest = tuple(plan_stages[i:])
        weights = (_tail_weights(cs, pm, ranks, budget_minor, rest, max_drives)
                   if MERGE_TAIL and not guards else None)
        if weights is not None:
            merged = _merged_tail(solver, model, terms, weights, rest, ranks, deadline)
            if merged is not None:
                records, sol = merged
                out.stages.extend(records)
                for p in pending:
                    p["status"] = "OPTIMAL"
                pending = []
                for r in records:
                    _bound(bounds, r["stage"], r["value"], band, ())
                    if r["stage"] == "cost" and not guards:
                        tail_start = len(out.stages) - len(records) + records.index(r)
                        before = {k: v for k, v in bounds.items() if k != "cost"
                                  and k != "preference"}
                        tail_key = ("tail", max_drives, tuple(sorted(before.items())),
                                    ("cost", "preference"))
                break
        if stage == "cost":
            model.minimize(expr)
        elif stage == "preference":
            model.maximize(expr * (ranks + 1) - terms["ids"])
        else:
            model.maximize(expr)
        solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
        ts = time.perf_counter()
        st = solver.solve(model)
        info = {"stage": stage, "status": solver.status_name(st),
                "wall_s": round(time.perf_counter() - ts, 4)}
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # The stages decided without a solve are not reported for a stopped solve.
            out.stages[:] = [r for r in out.stages if all(r is not p for p in pending)]
            out.stages.append(info)
            done = False
            if st == cp_model.INFEASIBLE:
                out.status = INFEASIBLE
                if guards:
                    core = solver.sufficient_assumptions_for_infeasibility()
                    names = {lit.index: rid for rid, lit in guards}
                    out.core = [names[i] for i in core if i in names]
            else:
                out.status = UNKNOWN if sol is None else FEASIBLE
            break
        out.stages.append(info)
        for p in pending:
            p["status"] = info["status"]
        pending = []
        if st == cp_model.FEASIBLE:
            status_all = FEASIBLE
        val = int(solver.value(expr))
        info["value"] = val
        sol = list(solver.response_proto.solution)
        if stage == "cost" and tail_key is not None:
            tail_start = len(out.stages) - 1
        # Fix this stage's optimum for the next ones, and start them from here. The first
        # throughput stage of a capacity plan keeps only the band, so memory can count.
        if stage == "cost":
            model.add(expr <= val)
        elif stage == "throughput" and band is not None and "capacity" in later:
            model.add(expr >= math.ceil(band * val - 1e-9))
        else:
            model.add(expr >= val)
        _bound(bounds, stage, val, band, later)
        model.clear_hints()
        hint = model.proto.solution_hint
        hint.vars.extend(range(len(sol)))
        hint.values.extend(sol)
    if sol is not None:
        out.chosen, out.option = pm.chosen(sol)
    elif kept is not None:
        out.chosen, out.option = list(kept[0]), kept[1]
    if done:
        out.status = status_all
        if tail_start is not None and status_all == OPTIMAL:
            _keep(cs, tail_key, (tuple(out.chosen), out.option,
                                 [dict(r) for r in out.stages[tail_start:]]), MAX_TAILS)
    if out.chosen and out.status != INFEASIBLE:
        out.score = score_outcome(cs, out)
        if out.status == UNKNOWN:
            out.status = FEASIBLE
    out.wall_s = time.perf_counter() - t0
    return out


GPU_STAGES = ("throughput", "capacity")
GPU_LOOKUP = True  # tests turn it off to compare the lookup with the solver's own stages
_LOOKUP_NOTE = "the best value among the GPU options whose cheapest build fits the budget"
MAX_MIN_COSTS = 4096  # per candidate set: one integer per GPU option looked at
MERGE_TAIL = True  # tests turn it off to compare the one weighted solve with the stages
_MERGE_NOTE = "one solve for the last stages, each weighted above everything after it"
_EXACT = 2 ** 53  # objective magnitudes a double holds exactly; larger: solve stage by stage


def _tail_weights(cs: Candidates, pm: PlanModel, ranks: int, budget_minor: int | None,
                  rest: tuple, max_drives: int) -> tuple[int, int] | None:
    """Weights (balance, cost) that make one solve of ``balance * W1 - cost * W2 +
    tie-break`` the lexicographic optimum of the stages ``rest`` (balance, cost,
    preference; or cost, preference), or None when that is not possible exactly.

    The tie-break (``preference * (ranks + 1) - ids``) spans less than W2, so one unit of
    cost outweighs any tie-break; the cost spans at most the budget, so one point of balance
    (W1 = W2 * (budget + 2)) outweighs any cost and tie-break. Only when the largest value
    stays below 2**53, where the solver's arithmetic is exact: otherwise stage by stage.
    """
    if budget_minor is None or rest not in (("balance", "cost", "preference"),
                                            ("cost", "preference")):
        return None
    pref = ids = 0
    for cat, cands in cs.by_cat.items():
        if not cands:
            continue
        k = max_drives if cat in MULTI else 1
        pref += k * max(abs(objective.quote_preference(c)) for c in cands)
        ids += k * max(pm.rank_of[c.id] for c in cands)
    w2 = 2 * (pref * (ranks + 1) + ids) + 1
    w1 = w2 * (budget_minor + 2)
    top = objective.BALANCE_MAX * w1 + budget_minor * w2 + w2
    return (w1, w2) if top < _EXACT else None


def _merged_tail(solver, model, terms: dict, weights: tuple[int, int], rest: tuple,
                 ranks: int, deadline: float):
    """Solve the stages ``rest`` as one weighted objective (``_tail_weights``): (stage
    records, solution), or None when not proven optimal (then stage by stage)."""
    w1, w2 = weights
    obj = terms["preference"] * (ranks + 1) - terms["ids"] - terms["cost"] * w2
    if rest[0] == "balance":
        obj = obj + terms["balance"] * w1
    model.maximize(obj)
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
    ts = time.perf_counter()
    st = solver.solve(model)
    if st != cp_model.OPTIMAL:
        return None
    wall = round(time.perf_counter() - ts, 4)
    records = [{"stage": stage, "status": "OPTIMAL", "wall_s": wall if k == 0 else 0.0,
                "value": int(solver.value(terms[stage])), "note": _MERGE_NOTE}
               for k, stage in enumerate(rest)]
    return records, list(solver.response_proto.solution)


def _gpu_stage_value(cs: Candidates, pm: PlanModel, stage: str, bounds: dict[str, int],
                     budget_minor: int | None, max_drives: int, deadline: float) -> int | None:
    """A GPU stage's optimum without solving the whole model (None: let the solver decide).

    A build's throughput and capacity are its GPU option's. So the stage's optimum is
    the best value among the options that meet the earlier stages' bounds and whose
    cheapest build (every rule, no budget: ``_min_cost``, kept with the candidates)
    fits the budget. Options are tried from the best value down; one whose parts
    alone (the option and the cheapest part of every other slot it needs) cost more
    than the budget is passed over without a solve. None when a cheapest build is
    not proven in time, or no option fits (the solver then proves that itself).
    """
    def key(o) -> int:
        return objective.throughput_int(o.throughput) if stage == "throughput" else o.capacity

    floor = _floor_cost(cs)
    opts = [o for o in cs.options
            if objective.throughput_int(o.throughput) >= bounds.get("throughput", -1)
            and o.capacity >= bounds.get("capacity", -1)]
    # The best value first and, among equal values, the cheapest option first: the first
    # one whose cheapest build fits decides, so its dearer twins need no solve.
    for o in sorted(opts, key=lambda o: (-key(o), o.cand.cost * o.count, o.id)):
        if budget_minor is not None and o.cand.cost * o.count + floor > budget_minor:
            continue
        cost = _min_cost(cs, pm, o, max_drives, deadline)
        if cost is False:
            return None
        if cost is not None and (budget_minor is None or cost <= budget_minor):
            return key(o)
    return None


def _floor_cost(cs: Candidates) -> int:
    """The least the parts other than the GPUs can cost: the cheapest of each slot a build
    must fill (a lower bound: it ignores every rule)."""
    hit = cs.solved.get(("floor",))
    if hit is None:
        hit = sum(min((c.cost for c in cs.by_cat.get(cat, [])), default=0)
                  for cat in (*ONE, Category.memory, *MULTI))
        cs.solved[("floor",)] = hit
    return hit


def _min_cost(cs: Candidates, pm: PlanModel, o, max_drives: int, deadline: float):
    """The cost of the cheapest build with GPU option ``o`` under every rule and no budget
    (None: no build has it; False: not proven in time). Kept in ``cs.min_costs``, which
    the sets with the same builds share (``candidates.restrict``)."""
    key = (max_drives, o.id)
    if key in cs.min_costs:
        return cs.min_costs[key]
    model = pm.model.clone()
    model.add(pm.y[o.id] == 1)
    model.minimize(pm.cost)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    # Presolve on: with one GPU option fixed it removes the others' rule tables
    # (measured 40 ms against 58 ms per option on the imported catalog).
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
    st = solver.solve(model)
    if st == cp_model.OPTIMAL:
        cost = int(round(solver.objective_value))
    elif st == cp_model.INFEASIBLE:
        cost = None
    else:
        return False
    with _KEEP_LOCK:
        if len(cs.min_costs) >= MAX_MIN_COSTS:
            cs.min_costs.clear()
        cs.min_costs[key] = cost
    return cost
# What one candidate set keeps (``Candidates.solved``): a warm server plans many budgets
# of the same request, each reaching a few GPU choices and balance values.
MAX_TAILS = 512  # budget-free answers (a few part ids each)
MAX_NARROW = 8  # models over the GPU options one throughput level leaves (~1 MB each)
_KEEP_LOCK = threading.Lock()


def _keep(cs: Candidates, key: tuple, value, most: int) -> None:
    """Keep ``value`` with the candidates, forgetting the oldest of its kind past ``most``."""
    with _KEEP_LOCK:
        mine = [k for k in cs.solved if k[0] == key[0]]
        for k in mine[:max(0, len(mine) + 1 - most)]:
            del cs.solved[k]
        cs.solved[key] = value


def _narrow(cs: Candidates, pm: PlanModel, model, sol, bounds: dict[str, int],
            budget_minor: int | None, max_drives: int):
    """After the GPU stages: the model over the GPU options that can still be chosen.

    Every option under a GPU stage's bound is out of every build the later stages
    look at; a model without them (and without the boards left with no option) is
    the same problem, with the same id ranks, and much smaller constraints for the
    board and case rules. Kept with the candidates per set of options left.
    """
    keep = [o for o in cs.options
            if objective.throughput_int(o.throughput) >= bounds.get("throughput", -1)
            and o.capacity >= bounds.get("capacity", -1)]
    if len(keep) == len(cs.options):
        return pm, model
    key = ("narrow", max_drives, tuple(o.id for o in keep))
    sub = cs.solved.get(key)
    if sub is None:
        ids = {o.cand.id for o in keep}
        by_cat = dict(cs.by_cat)
        by_cat[Category.gpu] = [c for c in cs.by_cat[Category.gpu] if c.id in ids]
        narrow = replace(cs, by_cat=by_cat, options=keep, solved={}, _costs=None)
        sub = PlanModel(narrow, None, max_drives=max_drives, rank_of=pm.rank_of)
        _keep(cs, key, sub, MAX_NARROW)
    new = sub.model.clone()
    if budget_minor is not None:
        new.add(sub.cost <= budget_minor)
    if sol is not None:
        hint = sub.hint(*pm.chosen(sol))
        proto = new.proto.solution_hint
        proto.vars.extend(list(hint))
        proto.values.extend(list(hint.values()))
    return sub, new


def _bound(bounds: dict[str, int], stage: str, val: int, band: float | None, later) -> None:
    """Record the bound a stage puts on its expression (the tightest one per expression)."""
    if stage == "cost":  # an upper bound
        bounds[stage] = min(bounds.get(stage, val), val)
        return
    if stage == "throughput" and band is not None and "capacity" in later:
        val = math.ceil(band * val - 1e-9)
    bounds[stage] = max(bounds.get(stage, val), val)


def score_outcome(cs: Candidates, out: Outcome) -> objective.Score:
    items = [(c.part, q, c.cost) for c, q in out.chosen]
    o = out.option
    thr = {(o.cand.id, o.count): o.throughput} if o else {}
    cap = {(o.cand.id, o.count): o.capacity} if o else {}
    upg = {o.cand.id: o.cand.upgrade_w} if o else {}
    stand = frozenset(c.id for c, _ in out.chosen if c.price.stand_in)
    return objective.score(items, cs.workload, thr, cap, upg, cs.ctx, stand)


def solve_prepared(prep: Prepared, budget_minor: int | None = -1, *, exclude_ids=frozenset(),
                   require_any=None, drop_rules=frozenset(), stages=STAGES,
                   time_limit_s: float | None = None, prune: bool = True,
                   counts: tuple[int, ...] | None = None, hints: dict[str, int] | None = None,
                   assume: bool = False) -> Outcome:
    """Solve a variant of a prepared request (budget -1: the request's own).

    The candidates do not depend on the budget; a variant with fewer GPU
    counts (``counts``, a subset of the request's) reuses them too.
    """
    if budget_minor == -1:
        budget_minor = prep.budget_local.minor if prep.budget_local else None
    cs = prep.candidates(frozenset(exclude_ids), require_any, frozenset(drop_rules), prune,
                         counts)
    return solve(cs, budget_minor, stages=stages,
                 time_limit_s=time_limit_s or prep.req.time_limit_s,
                 num_workers=prep.req.num_workers, max_drives=prep.req.max_drives,
                 hints=hints, assume=assume)


# -- the plan ----------------------------------------------------------------------------

def make_build(outcome: Outcome, name: str, market: str, intent=()) -> Build:
    order = list(Category)
    items = sorted(outcome.chosen, key=lambda cq: (order.index(cq[0].part.category), cq[0].id))
    return Build(tuple(BuildItem(c.part, q) for c, q in items), name, market, intent=intent)


def rate_notes(prep: Prepared, res: PlanResult) -> list[str]:
    """Which exchange rate priced the plan, and of what day (issue 13: a plan in pesos
    says whether it used the official or the blue rate, and when it was quoted)."""
    m = prep.market
    currencies = {p.unit_price.money.currency for p in res.parts if p.unit_price.estimated}
    base = prep.catalog.markets.get(m.estimate_from) if m.estimate_from else None
    if not currencies or base is None or base.currency == m.currency:
        return []
    from ..errors import MarketError

    try:
        rate = prep.catalog.rates.lookup(base.currency, m.currency, prep.base.as_of, m.rate_kind)
    except MarketError:
        return []
    return [f"prices estimated from market {base.code} at the {rate.kind} rate of {rate.date}: "
            f"{float(rate.rate):,.2f} {m.currency}/{base.currency} ({rate.source}), x "
            f"{float(m.factor):.2f} markup and taxes"]


def result_from(prep: Prepared, out: Outcome) -> PlanResult:
    req = prep.req
    m = prep.market
    res = PlanResult(
        status=out.status, market=m.code, currency=m.currency, as_of=prep.base.as_of,
        workload=prep.workload.name if prep.workload else None,
        gpus=out.gpu_count if out.ok else (req.gpus or 0), gpus_asked=req.gpus,
        job=prep.ctx.job,
        budget=req.budget, budget_local=prep.budget_local,
        hard_rules=[r.id for r in prep.hard],
    )
    cs_stats = dict(prep.base.stats)
    res.stats = SolverStats(stages=out.stages, candidates=cs_stats, variables=out.variables,
                            constraints=out.constraints, model_s=out.model_s,
                            candidates_s=prep.candidates_s)
    if not out.ok:
        return res
    res.stats.candidates["after_pruning"] = sum(
        len(v) for v in prep.candidates().by_cat.values())
    build = make_build(out, f"plan: {m.code}" + (f", {req.budget}" if req.budget else ""), m.code,
                       intent_of(req))
    res.build = build
    budget_local = prep.budget_local
    total = Money(0, m.currency)
    for item in build.items:
        c = next(c for c, _ in out.chosen if c.id == item.part.id)
        line = Money(c.cost * item.quantity, m.currency)
        total = total + line
        share = line.minor / budget_local.minor if budget_local else None
        res.parts.append(PlannedPart(item.part, item.quantity, c.price, line,
                                     prep.to_budget_currency(line), share))
    res.total_local = total
    res.total_budget = prep.to_budget_currency(total)
    res.notes += rate_notes(prep, res)
    res.score = out.score
    res.throughput = out.score.throughput / objective.THROUGHPUT_SCALE if out.score else 0.0
    res.capacity_gb = out.score.capacity if out.score else 0
    res.check = check_build(build, prep.ctx)
    res.power = res.check.power
    return res
