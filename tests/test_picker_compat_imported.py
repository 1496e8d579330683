"""The picker's verdicts on the imported catalog (open-db + a PCPartPicker snapshot, whose
parts often lack data) are ``dlrig check``'s on the same swapped build.

For every priced part of every slot, put into four builds (the plans ``dlrig plan`` gives
for the us market at 1,500 USD llm-finetune and 3,500 USD cnn, an unfinished list of only
a CPU and a board, and the first plan with a card whose power connectors nobody recorded),
``dlrig.picker.pick`` (every row, ``--all``) must say what ``check_build`` of the build
with that part in its place says:

- an error finding naming the part <=> the row is incompatible with that error as its
  conflict, or the error is pending (a rule summed over the build that a part of a slot
  the list has not filled yet adds to: a CPU without a cooler in a list with no cooler);
- a rule the check could not run for missing data ("not checked", ``Skip.missing``) is
  listed on the row as unverified when it could have judged the part: a one-part or a
  two-part rule whose skipped part or pair holds it, or a sum or GPU-set rule over its
  category (then the rule judged no part of that category, whichever part lacked the
  data). An unverified row is never a plain "compatible".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace as changed

import pytest

from dlrig.build import Build
from dlrig.catalog.source import open_catalog
from dlrig.optimize import PlanRequest, plan
from dlrig.optimize.solve import perf_workload_for
from dlrig.parts import Category
from dlrig.picker import ALL_ROWS, parse_query, pick, place, swap_line
from dlrig.rules import Severity, all_rules, check_build, context_for
from dlrig.rules.registry import GpuSetRule, LinearRule
from dlrig.units import Money

MARKET = "us"
CONNECTORS = ("power.connectors-8pin", "power.connectors-6pin", "power.connectors-16pin")


@pytest.fixture(scope="module")
def catalog(imported_db):
    return open_catalog(imported_db)


def _planned(catalog, budget: int, workload: str) -> Build:
    res = plan(catalog, PlanRequest(budget=Money.of(budget, "USD"), market=MARKET,
                                    workload=workload, explain=False))
    assert res.build is not None, res.status
    return res.build


def _priced(catalog, cat: Category) -> list:
    m = catalog.market(MARKET)
    return [p for p in catalog.parts(cat)
            if catalog.available(p, m) and catalog.local_price(p.id, m) is not None]


def _no_connectors(catalog, rule_id: str, cat: Category):
    """The first priced part of ``cat`` (by id) whose power connectors are not in the data."""
    rule = next(r for r in all_rules() if r.id == rule_id)
    ctx = context_for(catalog, MARKET)
    part = next((p for p in sorted(_priced(catalog, cat), key=lambda p: p.id)
                 if rule.unknown(p, ctx)), None)
    if part is None:
        pytest.skip(f"no priced {cat.value} without connector data in this snapshot")
    return part


@pytest.fixture(scope="module")
def builds(catalog):
    small = _planned(catalog, 1500, "llm-finetune")
    big = _planned(catalog, 3500, "cnn")
    bare = Build(tuple(i for i in small.items
                       if i.part.category in (Category.cpu, Category.motherboard)),
                 "cpu and board", MARKET)
    gpu = _no_connectors(catalog, CONNECTORS[0], Category.gpu)
    odd = place(small, gpu, 1, swap_line(small, Category.gpu))
    return [("1500 USD llm-finetune", small, "llm-finetune"), ("3500 USD cnn", big, "cnn"),
            ("cpu and board", bare, "llm-finetune"), ("card without connector data", odd,
                                                      "llm-finetune")]


def _judges_all(rule, cat: Category) -> bool:
    """A rule over all the parts of ``cat`` at once (the spec of the module docstring)."""
    if isinstance(rule, LinearRule):
        return rule.reads is None or cat in rule.reads
    if isinstance(rule, GpuSetRule):
        return (cat == Category.gpu or (cat == Category.motherboard and rule.reads_board)
                or (cat == Category.case and rule.reads_case))
    return False


def _rows(catalog, build: Build, workload: str, slot: Category, unpriced: bool = False):
    ctx = context_for(catalog, MARKET, workload=workload)
    query, errors = parse_query(slot, {"all": ["1"], **({"unpriced": ["1"]} if unpriced else {})})
    assert not errors
    query = changed(query, per_page=ALL_ROWS, replace=swap_line(build, slot))
    page = pick(catalog, build, query, ctx, MARKET, perf_workload_for(workload))
    assert page.shown == len(page.rows) == page.compatible + page.incompatible + page.unsupported
    # the page's count of compatible parts some rule could not judge is its rows' own
    assert page.unverified == sum(r.status == "compatible" and bool(r.unverified)
                                  for r in page.rows) == page.to_dict()["unverified"]
    return ctx, query, page.rows


def test_pick_agrees_with_check_on_imported_builds(catalog, builds):
    rules = {r.id: r for r in all_rules()}
    disagree: list[tuple] = []
    seen = Counter()
    for name, build, workload in builds:
        for slot in Category:
            ctx, query, rows = _rows(catalog, build, workload, slot)
            for row in rows:
                trial = place(build, row.part, row.quantity, query.replace)
                full = check_build(trial, ctx)
                errors = [f for f in full.by_severity(Severity.error) if row.part.id in f.parts]
                unverified = tuple(dict.fromkeys(
                    s.rule for s in full.unverified
                    if row.part.id in s.parts or (s.rule in rules and _judges_all(
                        rules[s.rule], slot))))
                pending = set(row.pending.split("; ")) if row.pending else set()
                blocking = [f for f in errors if f.message not in pending]
                want = "incompatible" if blocking else "fits"
                got = "incompatible" if row.status == "incompatible" else "fits"
                if got != want or (blocking and row.conflict != blocking[0]):
                    disagree.append((name, row.part.id, "error", blocking[:1], row.conflict))
                if len(pending) != len(errors) - len(blocking):
                    disagree.append((name, row.part.id, "pending", errors, row.pending))
                if row.unverified != unverified:
                    disagree.append((name, row.part.id, "unverified", unverified,
                                     row.unverified))
                if row.status == "unsupported" and (slot != Category.gpu or not row.reason):
                    disagree.append((name, row.part.id, "unsupported", row.reason))
                seen[row.status] += 1
                seen["unverified"] += bool(unverified)
                seen["pending"] += bool(pending)
    assert disagree == [], disagree[:10]
    # the comparison is not vacuous: every verdict occurs, over thousands of parts
    assert sum(seen[s] for s in ("compatible", "incompatible", "unsupported")) > 10_000, seen
    assert all(seen[k] > 20 for k in ("compatible", "incompatible", "unsupported",
                                      "unverified", "pending")), seen


def test_psu_for_a_card_without_connector_data_is_not_plain_compatible(catalog, builds):
    """The check names only the card when it cannot count its power connectors; every PSU
    the picker offers for that build must still say the connector rules were not run."""
    _, build, workload = builds[3]
    ctx, _, rows = _rows(catalog, build, workload, Category.psu)
    fits = [r for r in rows if r.status == "compatible"]
    assert fits
    for r in fits:
        assert set(CONNECTORS) <= set(r.unverified), (r.part.id, r.unverified)
        assert r.to_dict()["unverified"]


def test_card_for_a_psu_without_connector_data_is_not_plain_compatible(catalog, builds):
    """The reverse: a PSU whose connectors are unknown comes after the card in the build,
    so the check names the PSU; each card offered must say the rules did not judge it."""
    _, small, workload = builds[0]
    psu = _no_connectors(catalog, CONNECTORS[0], Category.psu)
    build = place(small, psu)
    _, _, rows = _rows(catalog, build, workload, Category.gpu)
    fits = [r for r in rows if r.status != "incompatible"]
    assert fits
    for r in fits:
        assert set(CONNECTORS) <= set(r.unverified), (r.part.id, r.unverified)


def test_gpu_without_length_in_a_case_with_a_known_limit_is_unverified(catalog, builds):
    """fit.gpu-length cannot judge a card whose length is not in the data (the snapshot
    prices none of them: listed with --unpriced), nor a case whose clearance is not: the
    row says so (as ``dlrig check`` lists it under "not checked"), never a plain fit."""
    _, build, workload = builds[0]
    case, gpu = build.first(Category.case), build.first(Category.gpu)
    assert case.max_gpu_length_mm is not None and gpu.length_mm is not None
    _, _, rows = _rows(catalog, build, workload, Category.gpu, unpriced=True)
    no_length = [r for r in rows if r.part.length_mm is None]
    _, _, rows = _rows(catalog, build, workload, Category.case)
    no_limit = [r for r in rows if r.part.max_gpu_length_mm is None]
    assert len(no_length) >= 5 and len(no_limit) >= 5
    for r in no_length + no_limit:
        assert r.status == "incompatible" or "fit.gpu-length" in r.unverified, r.part.id
        assert "fit.gpu-length" in r.to_dict()["unverified"] or r.status == "incompatible"
