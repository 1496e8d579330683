"""Whole-build rules: is it a complete machine at all?

Every other rule compares parts that are there; a build holding only a CPU
passed them all ("OK: no error") because each rule that needs a missing
part was quietly listed under "Not checked". This rule says so up front.
"""

from __future__ import annotations

from ..parts import Category
from .registry import RULES, BuildRule, Severity, Violation, register

# The parts every working desktop needs. A GPU is not here: a CPU with
# integrated graphics drives a display (platform.graphics), and a CPU cooler
# may come in the CPU's box (platform.cpu-cooler).
REQUIRED = (Category.cpu, Category.motherboard, Category.memory, Category.storage,
            Category.psu, Category.case)

_LABEL = {Category.psu: "PSU", Category.cpu: "CPU", Category.gpu: "GPU"}


def label(category: Category) -> str:
    return _LABEL.get(category, category.value)


def missing_categories(build) -> list[Category]:
    return [c for c in REQUIRED if not build.of(c)]


def _unchecked_rules(missing: list[Category]) -> list[str]:
    """Ids of the registered rules that compare a missing category."""
    gone = set(missing)
    return [r.id for r in RULES.values()
            if r.id != "build.incomplete" and gone & set(r.categories)]


def _incomplete(build, ctx):
    missing = missing_categories(build)
    if not missing:
        return None
    have = len(REQUIRED) - len(missing)
    names = ", ".join(label(c) for c in missing)
    rules = _unchecked_rules(missing)
    return Violation(
        f"the build is incomplete: it has {have} of the {len(REQUIRED)} basic parts and no "
        f"{names}; {len(rules)} rules that compare those parts were not checked, so this "
        f"report cannot say the machine works",
        f"add the missing parts ({names}) to the build file (catalog references or inline "
        f"parts; see docs/build-format.md) and check again",
        {"missing": [c.value for c in missing], "unchecked_rules": rules},
    )


register(BuildRule(
    id="build.incomplete",
    fires_when="Fires when the build lacks any of a CPU, a motherboard, memory, storage, a PSU or a "
               "case (a GPU is not required: `platform.graphics` checks that something drives a "
               "display; a cooler is not: `platform.cpu-cooler` checks that). Lists the missing "
               "categories and how many rules compare them (those are under \"Not checked\"). The "
               "summary line then reads `INCOMPLETE: no ...` instead of `OK`, and `--json` carries "
               "`\"complete\": false` and `\"missing\"`; the exit code stays 0 unless another rule finds "
               "an error.",
    severity=Severity.warning,
    title="The build is a complete machine",
    rationale="A PC needs a CPU, a motherboard, memory, storage, a power supply and a case "
              "(and a GPU or a CPU with integrated graphics, which platform.graphics checks). "
              "Rules that compare a missing part with another are not checked, so without "
              "this rule a build holding only a CPU would read as 'no error'. A warning, not "
              "an error: a partial build is a fine question to ask (which board for this "
              "CPU?), but the summary line says the build is incomplete.",
    categories=REQUIRED,
    test=_incomplete,
    parts_of=lambda b: [i.part for i in b.items],
))
