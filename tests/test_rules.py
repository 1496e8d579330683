"""Each rule on its good and bad fixture (tests/rules/<rule-id>/), plus meta-tests.

A fixture is a build file with inline parts and an optional ``[check]`` table
for the context (``circuit_w``, ``dataset_gb``, ``allow_bios_update``, and a
``workload`` given as plain numbers so the test does not depend on the
built-in profiles).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

from dlrig.build import build_from_dict
from dlrig.catalog import Catalog
from dlrig.rules import Context, Severity, check_build
from dlrig.rules.registry import BuildRule, LinearRule, PairRule, UnaryRule, all_rules

FIXTURES = Path(__file__).parent / "rules"
RULES = {r.id: r for r in all_rules()}


def load_fixture(path: Path):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    check = data.pop("check", {})
    ctx = Context()
    for key in ("circuit_w", "dataset_gb", "allow_bios_update"):
        if key in check:
            setattr(ctx, key, check[key])
    if "workload" in check:
        ctx.workload = SimpleNamespace(**check["workload"])
    return build_from_dict(data, Catalog(), str(path)), ctx


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_good_fixture_passes_and_is_checked(rule_id):
    build, ctx = load_fixture(FIXTURES / rule_id / "good.toml")
    result = check_build(build, ctx)
    fired = [f for f in result.findings if f.rule == rule_id]
    assert not fired, fired
    skipped = [s for s in result.not_checked if s.startswith(rule_id + ":")]
    assert not skipped, f"good fixture must exercise the rule, not skip it: {skipped}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_bad_fixture_fires_with_its_severity(rule_id):
    rule = RULES[rule_id]
    build, ctx = load_fixture(FIXTURES / rule_id / "bad.toml")
    result = check_build(build, ctx)
    fired = [f for f in result.findings if f.rule == rule_id]
    assert fired, f"{rule_id} did not fire; findings: {[f.rule for f in result.findings]}"
    f = fired[0]
    assert f.severity == rule.severity
    assert f.fix and f.message
    assert f.parts, "a finding names the parts involved"
    assert "{" not in f.message and "}" not in f.message
    # The sentence carries the numbers (or generations) it compared.
    assert any(ch.isdigit() for ch in f.message), f.message
    if rule.severity == Severity.error:
        assert not result.ok


def test_every_rule_has_both_fixtures():
    dirs = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    missing = [r for r in RULES if not {(FIXTURES / r / "good.toml").is_file(),
                                        (FIXTURES / r / "bad.toml").is_file()} == {True}]
    assert not missing, f"rules without good.toml/bad.toml: {missing}"
    orphans = dirs - set(RULES)
    assert not orphans, f"fixture folders for unknown rules: {orphans}"


def test_every_rule_is_described():
    for r in RULES.values():
        assert r.title and len(r.rationale) > 40, r.id
        assert r.id.split(".")[0] in {"platform", "memory", "fit", "power", "dl"}, r.id


def test_error_rules_are_enforceable_by_the_optimizer():
    for r in RULES.values():
        if r.severity == Severity.error:
            assert isinstance(r, UnaryRule | PairRule | LinearRule), r.id
            assert not isinstance(r, BuildRule)


def test_buildrule_cannot_be_error():
    from dlrig.rules.registry import register

    with pytest.raises(ValueError):
        register(BuildRule(id="x.y", severity=Severity.error, title="t", rationale="r",
                           categories=(), test=lambda b, c: None))
