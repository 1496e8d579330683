"""The picker's quick compatibility check (``picker.compat.judge``, a subset of the rules)
gives ``check_build``'s own verdict: for every part of every slot of the built-in
catalog put into two builds (the RTX 5090 workstation example, and the 2017 founding
build), the first error naming the part and the rules unverified for it are the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlrig.build import load_build
from dlrig.catalog import builtin
from dlrig.parts import Category
from dlrig.picker import place
from dlrig.picker.compat import judge
from dlrig.rules import Severity, check_build, context_for

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("path,market,workload", [
    ("rtx-5090-workstation.toml", "us", "cnn"),
    ("ar-2017-05/build.toml", "ar-2017-05", None),
])
def test_judge_agrees_with_check_build(path, market, workload):
    catalog = builtin()
    build = load_build(EXAMPLES / path, catalog)
    ctx = context_for(catalog, market, workload=workload)
    disagree, conflicts = [], 0
    for slot in Category:
        for part in catalog.parts(slot):
            trial = place(build, part)
            full = check_build(trial, ctx)
            want = next((f for f in full.by_severity(Severity.error) if part.id in f.parts), None)
            want_unv = tuple(dict.fromkeys(s.rule for s in full.unverified if part.id in s.parts))
            got = judge(trial, part, ctx)
            conflicts += want is not None
            if (got.conflict, got.unverified) != (want, want_unv):
                disagree.append((part.id, want and want.rule, got.conflict and got.conflict.rule))
    assert disagree == []
    assert conflicts > 20  # the builds really refuse parts: the comparison is not vacuous
