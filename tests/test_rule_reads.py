"""``LinearRule.reads``: the categories a linear rule can give a term, checked on real parts.

The optimizer evaluates a linear rule only on the parts of the categories it
declares (``candidates._linear_table``), so a declaration that misses a
category would silently drop terms from the model. These tests hold every
declaration against every built-in part and a synthetic catalog, under every
built-in workload and the context switches the rules read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dlrig.catalog.builtin import load_builtin
from dlrig.optimize import PlanRequest
from dlrig.optimize.solve import prepare
from dlrig.parts import Category
from dlrig.perf import workloads
from dlrig.rules import Context
from dlrig.rules.registry import LinearRule, all_rules
from dlrig.units import Money

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.synthetic import synthetic_catalog  # noqa: E402

LINEAR = [r for r in all_rules() if isinstance(r, LinearRule)]
DECLARED = [r for r in LINEAR if r.reads is not None]


@pytest.fixture(scope="module")
def parts():
    return load_builtin().parts() + synthetic_catalog(600, seed=7).parts()


def _contexts() -> list[Context]:
    out = [Context(), Context(dataset_gb=500), Context(circuit_w=1840, allow_bios_update=True)]
    out += [Context(workload=w) for w in workloads().values()]
    return out


def test_most_linear_rules_declare_what_they_read():
    # The power rules sum every part's draw and declare nothing; the rest declare.
    assert len(DECLARED) >= 10
    for r in DECLARED:
        assert r.reads and all(isinstance(c, Category) for c in r.reads), r.id


@pytest.mark.parametrize("rule", DECLARED, ids=lambda r: r.id)
def test_a_part_of_an_undeclared_category_gives_no_term(rule, parts):
    outside = [p for p in parts if p.category not in rule.reads]
    assert outside
    for ctx in _contexts():
        for p in outside:
            assert rule.lhs(p, ctx) == 0, (rule.id, p.id)
            assert rule.rhs(p, ctx) == 0, (rule.id, p.id)
            assert rule.unknown is None or not rule.unknown(p, ctx), (rule.id, p.id)


@pytest.mark.parametrize("rule", DECLARED, ids=lambda r: r.id)
def test_every_declared_category_gives_a_term_somewhere(rule, parts):
    """The data above exercises each declaration (and none is wider than the rule)."""
    seen = set()
    for ctx in _contexts():
        for p in parts:
            if p.category in rule.reads and p.category not in seen and (
                    rule.lhs(p, ctx) or rule.rhs(p, ctx)
                    or (rule.unknown is not None and rule.unknown(p, ctx))):
                seen.add(p.category)
    assert seen == set(rule.reads)


@pytest.mark.parametrize("market,workload", [("us", None), ("us", "llm-finetune"),
                                             ("ar-2017-05", "cnn")])
def test_the_optimizers_tables_equal_the_rule_on_every_candidate(market, workload):
    """The coefficient tables, built from the declared categories only, miss nothing."""
    prep = prepare(load_builtin(), PlanRequest(Money.of(1500, "USD"), market,
                                               workload=workload, explain=False))
    cands = prep.base.all()
    assert prep.base.linears
    for t in prep.base.linears:
        r, ctx = t.rule, prep.ctx
        coef = {c.id: r.lhs(c.part, ctx) - r.rhs(c.part, ctx) for c in cands}
        assert t.coef == {k: v for k, v in coef.items() if v}, r.id
        unknown = {c.id for c in cands if r.unknown is not None and r.unknown(c.part, ctx)}
        assert t.unknown == unknown, r.id
        assert t.cats == {prep.catalog.get(i).category for i in [*t.coef, *t.unknown]}, r.id
