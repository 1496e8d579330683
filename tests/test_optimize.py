"""The planner on the founding post's market, and its contract with the rule registry."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from dlrig.catalog.builtin import load_builtin
from dlrig.optimize import INFEASIBLE, OPTIMAL, PlanRequest, plan
from dlrig.optimize.solve import _CACHE, prepare, solve_prepared
from dlrig.parts import Category
from dlrig.rules import check_build
from dlrig.rules.registry import RULES, LinearRule, Severity, UnaryRule, Violation
from dlrig.units import Money

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.synthetic import synthetic_catalog  # noqa: E402

POST = "ar-2017-05"


@pytest.fixture(scope="module")
def catalog():
    return load_builtin()


def usd(n: float) -> Money:
    return Money.of(n, "USD")


@pytest.fixture(scope="module")
def post_plan(catalog):
    return plan(catalog, PlanRequest(budget=usd(1000), market=POST))


def _part(res, cat: Category):
    return next(p.part for p in res.parts if p.part.category == cat)


def test_the_post_budget_gets_the_posts_gpu_and_cpu(post_plan):
    res = post_plan
    assert res.status == OPTIMAL
    assert _part(res, Category.gpu).chipset.endswith("GTX 1070")
    assert _part(res, Category.cpu).name == "Intel Pentium G4560"
    assert res.total_budget.currency == "USD" and res.total_budget.minor <= usd(1000).minor


def test_the_post_plan_passes_check_and_the_posts_own_constraints(post_plan):
    res = post_plan
    chk = check_build(res.build, prepare(load_builtin(), PlanRequest(usd(1000), POST)).ctx)
    assert chk.ok, [f.message for f in chk.findings]
    rules_fired = {f.rule for f in chk.findings}
    assert "platform.bios-update" not in rules_fired  # Kaby Lake without a BIOS update
    assert not {"fit.gpu-length", "fit.form-factor"} & rules_fired  # the case fits
    assert any(s.kind == "SSD" for s in res.build.storage)
    assert res.power.psu_w >= 1.25 * res.power.sustained_w  # >= 25 % headroom
    assert sum(p.share for p in res.parts) == pytest.approx(
        res.total_local.minor / res.budget_local.minor)


def test_the_post_plan_says_why_not_the_i3_and_not_the_1080(post_plan):
    why_not = " | ".join(post_plan.not_chosen)
    i3 = next(s for s in post_plan.not_chosen if "i3-7100" in s)
    assert "x the price" in i3 and "% clock" in i3 and "no gain" in i3
    gtx1080 = next(s for s in post_plan.not_chosen if "GTX 1080" in s)
    assert "over budget" in gtx1080 and "% throughput" in gtx1080, why_not
    assert all(p.reason for p in post_plan.parts)


def test_the_post_plan_offers_alternatives_and_an_upgrade_path(post_plan):
    gpu = _part(post_plan, Category.gpu).chipset
    alts = post_plan.alternatives
    assert 1 <= len(alts) <= 3
    assert len({a.gpu for a in alts}) == len(alts) and all(a.gpu not in gpu for a in alts)
    assert all(a.fits_budget for a in alts)
    ups = post_plan.upgrades
    assert ups and all(u.delta_cost.minor > 0 and u.delta_throughput_pct > 0 for u in ups)
    assert [u.cost_local.minor for u in ups] == sorted(u.cost_local.minor for u in ups)
    thr = [u.throughput for u in ups]
    assert thr == sorted(thr) and len(set(thr)) == len(thr)  # each step buys more


def test_falling_budgets_step_down_to_a_1060_before_running_out(catalog):
    chips = []
    for b in range(1000, 250, -50):
        res = plan(catalog, PlanRequest(budget=usd(b), market=POST, explain=False))
        if not res.ok:
            break
        chips.append(_part(res, Category.gpu).chipset)
    assert chips[0].endswith("GTX 1070")
    assert any("GTX 1060" in c for c in chips), chips
    assert not res.ok  # it does run out before 250 USD


def test_300_usd_explains_that_nothing_fits(catalog):
    res = plan(catalog, PlanRequest(budget=usd(300), market=POST))
    assert res.status == INFEASIBLE and res.build is None
    inf = res.infeasibility
    assert inf.cheapest is not None and inf.cheapest.cost_budget.minor > usd(300).minor
    assert inf.over_budget.minor == inf.cheapest.cost_budget.minor - usd(300).minor
    assert str(inf.cheapest.cost_budget.format(decimals=False)) in inf.summary
    assert "over budget" in inf.summary and inf.binding
    assert inf.relaxations  # each relaxable requirement was tried


def test_the_plan_is_optimal_for_its_own_objective_without_pruning(catalog):
    for b in (700, 900, 1000, 1400):
        prep = prepare(catalog, PlanRequest(budget=usd(b), market=POST, explain=False))
        pruned = solve_prepared(prep)
        full = solve_prepared(prep, prune=False)
        assert pruned.status == full.status
        if pruned.ok:
            assert pruned.score.key == full.score.key


def test_pruning_keeps_the_optimum_on_a_synthetic_catalog():
    cat = synthetic_catalog(1500, seed=11)
    for b in (900, 1600, 3500):
        prep = prepare(cat, PlanRequest(budget=usd(b), market="syn", explain=False))
        pruned, full = solve_prepared(prep), solve_prepared(prep, prune=False)
        assert pruned.status == full.status == OPTIMAL
        assert pruned.score.key == full.score.key
    assert prep.base.stats["valid"] > prep.candidates().stats["candidates"]


class _TempRule:
    """Register a rule for one test and take it out again."""

    def __init__(self, rule):
        self.rule = rule

    def __enter__(self):
        RULES[self.rule.id] = self.rule
        _CACHE.clear()
        return self.rule

    def __exit__(self, *exc):
        RULES.pop(self.rule.id, None)
        _CACHE.clear()


def test_a_new_unary_error_rule_is_enforced_without_touching_the_optimizer(catalog):
    req = PlanRequest(budget=usd(1000), market=POST, explain=False)
    rule = UnaryRule(
        id="test.no-gtx-1070", severity=Severity.error, title="no GTX 1070",
        rationale="test", categories=(Category.gpu,),
        test=lambda g, ctx: Violation("{a} is a 1070", "no") if "1070" in g.chipset else None)
    with _TempRule(rule):
        res = plan(catalog, req)
        assert res.ok and "1070" not in _part(res, Category.gpu).chipset
        assert res.check.ok
    assert "1070" in _part(plan(catalog, req), Category.gpu).chipset


def test_a_new_linear_rule_becomes_the_same_inequality(catalog):
    """A made-up rule: at most 900 W of PSU (lhs = PSU watts, rhs = 900)."""
    req = PlanRequest(budget=usd(3000), market="us", explain=False)
    before = _part(plan(catalog, req), Category.psu).wattage_w
    cap = min(before - 1, 600)
    rule = LinearRule(
        id="test.psu-cap", severity=Severity.error, title="small PSU", rationale="test",
        categories=(Category.psu,), lhs=lambda p, ctx: getattr(p, "wattage_w", 0) * 1
        if p.category == Category.psu else 0, rhs=lambda p, ctx: 0,
        rhs_const=lambda ctx: cap, requires=(Category.psu,),
        describe=lambda lhs, rhs, build, ctx: Violation("too big", "smaller"))
    with _TempRule(rule):
        res = plan(catalog, req)
        if res.ok:
            assert _part(res, Category.psu).wattage_w <= cap
            assert res.check.ok
        else:
            assert res.status == INFEASIBLE


def test_a_warning_rule_stays_soft_unless_promoted(catalog):
    req = PlanRequest(budget=usd(1000), market=POST, explain=False)
    rule = UnaryRule(
        id="test.warn-1070", severity=Severity.warning, title="1070 warning", rationale="test",
        categories=(Category.gpu,),
        test=lambda g, ctx: Violation("{a}", "x") if "1070" in g.chipset else None)
    with _TempRule(rule):
        assert "1070" in _part(plan(catalog, req), Category.gpu).chipset
        promoted = plan(catalog, replace(req, extra_hard=("test.warn-1070",)))
        assert "1070" not in _part(promoted, Category.gpu).chipset


def test_allowing_a_bios_update_never_costs_more(catalog):
    for b in (700, 1000):
        strict = plan(catalog, PlanRequest(budget=usd(b), market=POST, explain=False))
        loose = plan(catalog, PlanRequest(budget=usd(b), market=POST, explain=False,
                                          allow_bios_update=True))
        assert loose.score.key >= strict.score.key


def test_require_and_exclude(catalog):
    base = PlanRequest(budget=usd(1000), market=POST, explain=False)
    res = plan(catalog, replace(base, exclude=("GTX 1070",)))
    assert "1070" not in _part(res, Category.gpu).chipset
    res = plan(catalog, replace(base, require=("Intel Core i3-7100",)))
    assert _part(res, Category.cpu).name == "Intel Core i3-7100"
    assert res.check.ok


def test_k_identical_gpus(catalog):
    # Two cards for training need a board whose slot layout seats both on x8+ CPU lanes;
    # in the built-in catalog that is a workstation board (docs/data.md: consumer boards'
    # slot positions are mostly not in the data, so they carry one GPU in a plan).
    res = plan(catalog, PlanRequest(budget=usd(10000), market="us", gpus=2, explain=False))
    assert res.ok
    gpus = res.build.of(Category.gpu)
    assert len(gpus) == 1 and gpus[0].quantity == 2
    assert res.check.ok and not res.check.by_severity(Severity.warning)
    assert res.build.board.pcie_x16_slots >= 2
    assert all(s.lanes >= 8 and s.source == "cpu" for s in res.build.board.pcie_slots[:2])


def test_a_workload_floor_is_enforced(catalog):
    from dlrig.perf import workloads

    for name, w in workloads().items():
        res = plan(catalog, PlanRequest(budget=usd(2500), market="us", workload=name,
                                        explain=False))
        if res.ok:
            assert all(g.vram_gb >= w.vram_floor_gb for g in res.build.gpus), name
            ram = sum(m.total_gb for m in res.build.memory)
            assert ram >= w.ram_per_vram * max(g.vram_gb for g in res.build.gpus) - 1e-9
            ssd = sum(s.capacity_gb for s in res.build.storage if s.kind == "SSD")
            assert ssd >= w.min_ssd_gb


def test_bad_requests_are_input_errors(catalog):
    from dlrig.errors import InputError, MarketError, UnknownPartError

    with pytest.raises(InputError):
        PlanRequest(budget=usd(1000), market=POST, gpus=9)
    with pytest.raises(MarketError):
        plan(catalog, PlanRequest(budget=usd(1000), market="nowhere"))
    with pytest.raises(UnknownPartError):
        plan(catalog, PlanRequest(budget=usd(1000), market=POST, require=("Pentium G9999x",)))


def test_fast_local_price_agrees_with_the_catalog(catalog):
    from dlrig.optimize.candidates import local_price

    for code, m in catalog.markets.items():
        for when in (None, m.date):
            for p in catalog.parts():
                assert local_price(catalog, p.id, m, when) == catalog.local_price(p.id, m, when), \
                    (code, p.id)


def _with_amd_card(catalog):
    """The built-in catalog plus a cheap Radeon RX 7900 XTX (24 GB, no CUDA) priced in 'us'."""
    from dlrig.catalog import Catalog
    from dlrig.parts import Price

    base = next(g for g in catalog.parts(Category.gpu) if g.chipset.endswith("RTX 4070"))
    amd = base.model_copy(update={"id": "gpu/test-radeon-rx-7900-xtx", "brand": "AMD",
                                  "name": "Test Radeon RX 7900 XTX", "chipset":
                                  "Radeon RX 7900 XTX", "vram_gb": 24.0})
    cat = Catalog(parts=[*catalog.parts(), amd], markets=catalog.markets.values())
    cat.rates = catalog.rates
    for p in catalog.parts():
        for q in catalog.prices(p.id):
            cat.add_price(p.id, q)
    cat.add_price(amd.id, Price(market="us", amount_minor=10_000, currency="USD",
                                date=catalog.market("us").date or dt.date(2025, 7, 1),
                                source="test"))
    return cat, amd


def test_a_gpu_without_a_cuda_estimate_is_left_out_and_counted(catalog):
    """An AMD card has no CUDA throughput (perf returns None): never planned, and counted."""
    from dlrig.perf import gpu_throughput

    cat, amd = _with_amd_card(catalog)
    assert gpu_throughput(amd, "cnn") is None
    res = plan(cat, PlanRequest(budget=usd(3000), market="us", workload="llm-finetune",
                                explain=False))
    assert res.status == OPTIMAL
    assert _part(res, Category.gpu).id != amd.id
    assert res.stats.candidates["gpus_without_estimate"] >= 1
    prep = prepare(cat, PlanRequest(budget=usd(3000), market="us", workload="llm-finetune"))
    assert "no CUDA throughput estimate" in prep.base.dropped[amd.id]
    # --require on it cannot be met: the only required GPU was left out.
    req = PlanRequest(budget=usd(3000), market="us", require=(amd.id,), explain=False)
    assert plan(cat, req).status == INFEASIBLE
