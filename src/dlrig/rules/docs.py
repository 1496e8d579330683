"""docs/rules.md, generated from the registry and the rules' fixtures.

Every rule's section comes from what the code holds: its title, severity,
form, rationale (with its sources) and ``fires_when``, and an example
sentence produced by running ``dlrig check`` on its ``bad.toml`` fixture. So
the page cannot drift from the rules; ``tests/test_docs.py`` fails when the
committed file differs from what this prints.

Regenerate with ``python -m dlrig.rules.docs tests/rules > docs/rules.md``.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

from . import NOT_CHECKED, Context, check_build
from .registry import BuildRule, GpuSetRule, LinearRule, PairRule, Rule, UnaryRule, all_rules

SECTIONS = (("build", "Build"), ("platform", "Platform"), ("memory", "Memory"), ("fit", "Fit"),
            ("power", "Power"), ("dl", "Deep-learning balance"))

FORMS = {
    UnaryRule: "unary (one part; the optimizer drops parts that fail)",
    PairRule: "pair (two parts' keys; the optimizer forbids incompatible pairs)",
    LinearRule: "linear (integer inequality over part quantities; the optimizer adds it)",
    GpuSetRule: "GPU set (the GPUs together, with the board and case where it reads them; the "
                "optimizer forbids every failing combination of GPU choice, board and case)",
    BuildRule: "build (checker only: warnings and info)",
}

INTRO = """\
# Rules

`dlrig check BUILD` runs every rule below on a build and grades it: each
finding has a rule id, a severity, a sentence naming the parts and the
numbers compared, and a fix. Nothing is ever blocked: an **error** means the
machine will not work as built (exit code 1), a **warning** that it works
worse than it should, **info** that something is worth knowing. Rules whose
data is missing are listed under "Not checked" instead of guessed, and a build
with such a rule is never "OK": the headline says "OK on N rules; M rules not
checked for K parts whose data is missing ...: unverified". The planner does
not choose a part an error rule cannot judge for lack of its data unless asked
(`dlrig plan --allow-unverified`).

The same table drives `dlrig plan`: error rules are written in one of four
forms the CP-SAT optimizer enforces (unary, pair, linear, GPU set), so the
checker and the optimizer cannot disagree; the planner also enforces some
warnings (docs/plan.md, "Which rules are hard"). Ids are stable; fixtures for
each rule live in `tests/rules/<rule-id>/good.toml` and `bad.toml`, and
`expect.toml` beside them lists every finding each must give (as
`"rule-id:severity"`, compared exactly, in the manner of pylint's functional
tests): a good fixture gives none, a bad one its own finding and only the
others its parts imply.

This page is generated from the registry and the fixtures
(`python -m dlrig.rules.docs tests/rules > docs/rules.md`); a test fails when
it is out of date.

Options that change the verdicts: `--workload NAME` (VRAM floor, threads per
GPU, RAM per GB of VRAM, mixed precision, SSD size, CPU image decoding),
`--model` with `--task`/`--quant`/`--context` (the memory the GPUs must hold),
`--power-limit`, `--circuit-w W` (default: the market's circuit, 1440 W in the
US), `--dataset-gb N`, `--allow-bios-update`. A build saved by `dlrig plan
--save` carries these in its `[intent]` table.
"""

OUTRO = """\
## Adding a rule

Register it in `src/dlrig/rules/<concern>.py` with a new id, a title, a
rationale that names its source, a `fires_when` sentence, and a test that
returns a `Violation` (a sentence with the part names and the numbers, and a
fix), a `NotChecked` (the data is missing) or `None`. Error rules must be
`UnaryRule`, `PairRule`, `LinearRule` or `GpuSetRule`. A `NotChecked` for a
reason other than missing part data (the rule does not apply: no workload
given, no case yet) takes `missing=False`, so the build is not called
unverified. Add `tests/rules/<id>/good.toml`, `bad.toml` and `expect.toml` and
regenerate this page; `tests/test_rules.py` and `tests/test_docs.py` fail until
all exist and every finding is declared.
"""


def load_fixture(path: Path):
    """A rule fixture: a build file with inline parts and an optional ``[check]`` table.

    ``[check]`` sets the context: ``circuit_w``, ``dataset_gb``,
    ``allow_bios_update``; ``workload`` as plain numbers (so a fixture does not
    depend on the built-in profiles) or ``workload_profile`` (a built-in
    profile, for rules that need the throughput model); ``model`` with
    ``task``/``quant``/``context`` (the built-in model table).
    """
    from ..build import build_from_dict
    from ..catalog import Catalog

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    check = data.pop("check", {})
    ctx = Context()
    for key in ("circuit_w", "dataset_gb", "allow_bios_update"):
        if key in check:
            setattr(ctx, key, check[key])
    if "workload" in check:
        ctx.workload = SimpleNamespace(**check["workload"])
    if "workload_profile" in check:
        from ..perf import get_workload

        ctx.workload = get_workload(check["workload_profile"])
    if "model" in check:
        from ..llm.job import job_for

        ctx.job = job_for(check["model"], task=check.get("task", "inference"),
                          quant=check.get("quant"), context=check.get("context"))
    return build_from_dict(data, Catalog(), str(path)), ctx


def _form(rule: Rule) -> str:
    for cls, text in FORMS.items():
        if isinstance(rule, cls):
            return text
    return type(rule).__name__


def _anchor(rule_id: str) -> str:
    return rule_id.replace(".", "")


def _example(rule: Rule, fixtures: Path) -> list[str]:
    path = fixtures / rule.id / "bad.toml"
    if not path.is_file():
        return []
    build, ctx = load_fixture(path)
    found = [f for f in check_build(build, ctx).findings if f.rule == rule.id]
    if not found:
        return []
    f = found[0]
    return ["", f"Example (`tests/rules/{rule.id}/bad.toml`):", "", f"> {f.message}", ">",
            f"> Fix: {f.fix}"]


def generate(fixtures: Path) -> str:
    rules = all_rules()
    lines = [INTRO, "| id | severity | title |", "|---|---|---|"]
    ordered: list[Rule] = []
    for prefix, _ in SECTIONS:
        ordered += [r for r in rules if r.id.split(".")[0] == prefix]
    for r in ordered:
        lines.append(f"| [`{r.id}`](#{_anchor(r.id)}) | {r.severity.value} | {r.title} |")
    for prefix, heading in SECTIONS:
        lines += ["", f"## {heading}"]
        for r in (r for r in ordered if r.id.split(".")[0] == prefix):
            lines += ["", f"### {r.id}", "",
                      f"**{r.title}.** Severity: {r.severity.value}. Form: {_form(r)}.", "",
                      r.rationale, "", r.fires_when or "Fires when: see the rationale."]
            lines += _example(r, fixtures)
    lines += ["", "## Never checked", "",
              "Said at the end of every `dlrig check` report, so that silence is not read "
              "as a pass: " + "; ".join(NOT_CHECKED) + ".", "", OUTRO]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    fixtures = Path(args[0]) if args else Path("tests/rules")
    sys.stdout.write(generate(fixtures))


if __name__ == "__main__":
    main()
