"""Docs that tests keep honest: every rule id, the power formulas, the build format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dlrig.cli
from dlrig.power import EFFICIENCY_CURVES
from dlrig.rules.registry import all_rules

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def rules_md() -> str:
    return (DOCS / "rules.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_every_rule_has_a_section_in_rules_md(rules_md, rule):
    m = re.search(rf"^### {re.escape(rule.id)}\n(.*?)(?=^##|\Z)", rules_md, re.M | re.S)
    assert m, f"docs/rules.md has no '### {rule.id}' section"
    body = m.group(1)
    assert f"Severity: {rule.severity.value}" in body, f"{rule.id}: severity not documented"
    assert "Fires when" in body and "Fix:" in body
    assert f"| [`{rule.id}`]" in rules_md, f"{rule.id} missing from the summary table"


def test_rules_md_documents_no_unknown_rule(rules_md):
    ids = {r.id for r in all_rules()}
    documented = set(re.findall(r"^### ([a-z]+\.[a-z0-9-]+)$", rules_md, re.M))
    assert documented == ids, documented ^ ids


def test_power_md_states_the_model_and_the_curves():
    text = (DOCS / "power.md").read_text(encoding="utf-8")
    for rating, (lo, mid, hi) in EFFICIENCY_CURVES.items():
        label = {"none": "none", "80+": "80 Plus"}.get(rating, rating.replace("80+", "80 Plus"))
        row = re.search(rf"^\| {re.escape(label)}[^|]*\| (\d+) \| (\d+) \| (\d+) \|$", text, re.M)
        assert row, f"docs/power.md lacks the {rating} curve"
        assert tuple(int(x) for x in row.groups()) == (lo, mid, hi), rating
    for s in ("284 W", "314 W", "1.6", "200 %", "1440 W", "1840 W", "0.15 USD", "Dettmers"):
        assert s in text, s


def test_power_md_matches_the_code_constants():
    from dlrig import power

    text = (DOCS / "power.md").read_text(encoding="utf-8")
    assert f"| motherboard | {power.BOARD_W} W" in text
    assert f"| memory | {power.DIMM_W} W per module" in text
    assert f"| HDD (3.5\") | {power.HDD_W} W" in text
    assert f"{power.DEFAULT_TARIFF:g} USD" in text
    assert f"{power.DEFAULT_HOURS_PER_DAY:g} hours a day" in text


def test_build_format_md_covers_refs_inline_quantity_and_pcpartpicker():
    text = (DOCS / "build-format.md").read_text(encoding="utf-8")
    for s in ("ref =", "quantity", "category", "inline", "PCPartPicker", "Type|Item|Price",
              "exit code 2"):
        assert s in text, s
    from dlrig.parts import Category

    for c in Category:
        assert f"| {c.value} |" in text, f"required fields of {c.value} not documented"


@pytest.mark.parametrize("name", ["check", "power"])
def test_commands_have_help_with_an_example(name):
    cmd = next(c for c in dlrig.cli.app.registered_commands if c.name == name)
    doc = cmd.callback.__doc__ or ""
    assert "Example: dlrig " + name in doc


def test_rules_md_is_generated_from_the_registry_and_fixtures(rules_md):
    from dlrig.rules.docs import generate

    fresh = generate(Path(__file__).resolve().parent / "rules")
    assert rules_md == fresh, ("docs/rules.md is out of date: run "
                               "python -m dlrig.rules.docs tests/rules > docs/rules.md")


def test_rules_md_rationales_match_the_registry(rules_md):
    for r in all_rules():
        assert r.rationale in rules_md, f"{r.id}: docs/rules.md has a stale rationale"
