"""The rule registry: one table that both the checker and the optimizer read.

A rule is data with a stable id, a severity, a rationale and a *form* that
both consumers understand:

- ``UnaryRule``: a test on one part (``dl.vram-floor``): the checker reports
  it, the optimizer drops or forbids the part;
- ``PairRule``: a test on the *keys* of two parts of two categories (socket
  of the CPU vs socket of the board). The checker calls it on the build's
  parts; the optimizer groups candidate parts by key and forbids every
  incompatible pair of groups. Because the test only sees the keys, the two
  can never disagree;
- ``LinearRule``: ``sum(lhs(p) * qty(p)) <= sum(rhs(p) * qty(p))`` over the
  build's parts, in integers (watts x 100, GB, slots). The checker evaluates
  both sides; the optimizer adds the same inequality over its quantity
  variables;
- ``GpuSetRule``: a test on the build's GPUs together (how many, and their
  keys), and on the board's and the case's keys when the rule reads them
  (slot placement, a model that must fit in the GPUs' memory together). The
  checker calls it on the build's parts; the optimizer calls it on every
  (GPU board, count) option crossed with the board and case key groups, and
  forbids each bad combination;
- ``BuildRule``: anything else, checker-only; these may only be warnings or
  info, since the optimizer cannot enforce them (enforced at registration).

Tests (``tests/rules``) run each rule on a good and a bad fixture, and
``tests/test_docs.py`` fails when ``docs/rules.md`` misses a rule id.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..parts import AnyPart, Category


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on a build: the numbers compared, a sentence, a fix."""

    rule: str
    severity: Severity
    message: str
    parts: tuple[str, ...]
    fix: str
    values: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "parts": list(self.parts),
            "fix": self.fix,
            "values": self.values,
        }


@dataclass(frozen=True)
class Violation:
    """What a test returns when it fails; ``{a}``/``{b}`` become part names."""

    message: str
    fix: str
    values: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None  # override (e.g. warning -> info with BIOS flashback)


@dataclass(frozen=True)
class NotChecked:
    """The rule cannot judge; said in the report, never guessed.

    ``missing``: a part lacks the data the rule needs (a length, a chipset
    dlrig does not know): the build is then *unverified* on this rule, said
    in the headline, and the planner does not choose such a part for an
    error rule unless allowed. False when the rule simply does not apply to
    this build (no workload given, no case yet, not an NVIDIA card).
    """

    reason: str
    missing: bool = True


class Skip(str):
    """One "not checked" line, with what it is about (a ``str``: reports print it as is)."""

    rule: str
    parts: tuple[str, ...]
    missing: bool

    def __new__(cls, rule: str, text: str, parts: tuple[str, ...] = (), missing: bool = False):
        obj = super().__new__(cls, f"{rule}: {text}")
        obj.rule, obj.parts, obj.missing = rule, tuple(parts), missing
        return obj


@dataclass
class Context:
    """What a check or a plan is judged against besides the parts."""

    workload: Any = None  # dlrig.perf.Workload
    allow_bios_update: bool = False
    circuit_w: int = 1440  # 120 V x 15 A x 0.8 (US); 230 V x 10 A x 0.8 = 1840 elsewhere
    dataset_gb: int | None = None
    as_of: Any = None  # datetime.date of a historical market: judge software support as of then
    job: Any = None  # dlrig.llm.Job: a model the GPUs must run (--model), or None
    power_limit: Any = None  # dlrig.power.PowerLimit: GPUs capped below their board power


@dataclass
class Rule:
    id: str
    severity: Severity
    title: str
    rationale: str
    categories: tuple[Category, ...]
    fires_when: str = ""  # the exact condition, in words (docs/rules.md is generated from it)

    @property
    def form(self) -> str:
        return type(self).__name__.removesuffix("Rule").lower()

    def check(self, build, ctx: Context) -> tuple[list[Finding], list[str]]:
        raise NotImplementedError

    def _finding(self, v: Violation, parts: Iterable[AnyPart], names: dict[str, str]) -> Finding:
        return Finding(
            rule=self.id,
            severity=v.severity or self.severity,
            message=v.message.format(**names),
            parts=tuple(p.id for p in parts),
            fix=v.fix.format(**names),
            values=v.values,
        )


@dataclass
class UnaryRule(Rule):
    test: Callable[[AnyPart, Context], Violation | NotChecked | None] = None  # type: ignore[assignment]

    def check(self, build, ctx):
        findings, skipped = [], []
        seen = set()
        for item in build.of(self.categories[0]):
            if item.part.id in seen:
                continue
            seen.add(item.part.id)
            r = self.test(item.part, ctx)
            if isinstance(r, NotChecked):
                skipped.append(Skip(self.id, f"{item.part.name}: {r.reason}", (item.part.id,),
                                    r.missing))
            elif r is not None:
                findings.append(self._finding(r, [item.part], {"a": item.part.name}))
        return findings, skipped


@dataclass
class PairRule(Rule):
    """A test on ``(key_a(a), key_b(b))`` for parts a, b of two categories."""

    key_a: Callable[[AnyPart], Hashable] = None  # type: ignore[assignment]
    key_b: Callable[[AnyPart], Hashable] = None  # type: ignore[assignment]
    test: Callable[[Any, Any, Context], Violation | NotChecked | None] = None  # type: ignore[assignment]

    def check(self, build, ctx):
        findings, skipped = [], []
        a_parts = {i.part.id: i.part for i in build.of(self.categories[0])}
        b_parts = {i.part.id: i.part for i in build.of(self.categories[1])}
        if not a_parts or not b_parts:
            missing = self.categories[0] if not a_parts else self.categories[1]
            skipped.append(Skip(self.id, f"no {missing.value} in the build"))
            return findings, skipped
        for a, b in itertools.product(a_parts.values(), b_parts.values()):
            r = self.test(self.key_a(a), self.key_b(b), ctx)
            if isinstance(r, NotChecked):
                skipped.append(Skip(self.id, f"{a.name} / {b.name}: {r.reason}", (a.id, b.id),
                                    r.missing))
            elif r is not None:
                findings.append(self._finding(r, [a, b], {"a": a.name, "b": b.name}))
        return findings, skipped


@dataclass
class LinearRule(Rule):
    """``sum(lhs(p, ctx) * qty) + lhs_const <= sum(rhs(p, ctx) * qty) + rhs_const``.

    ``requires`` lists categories without which the rule is not checked
    (no PSU: the power rule says so instead of failing). ``describe`` turns
    the two sums into the sentence and fix.
    """

    lhs: Callable[[AnyPart, Context], int] = None  # type: ignore[assignment]
    rhs: Callable[[AnyPart, Context], int] = None  # type: ignore[assignment]
    lhs_const: Callable[[Context], int] = lambda ctx: 0
    rhs_const: Callable[[Context], int] = lambda ctx: 0
    requires: tuple[Category, ...] = ()
    describe: Callable[[int, int, Any, Context], Violation] = None  # type: ignore[assignment]
    parts_of: Callable[[Any], list[AnyPart]] | None = None  # parts to name; default: terms != 0
    unknown: Callable[[AnyPart, Context], str | None] | None = None
    """A part whose data this rule needs but lacks (reason), or None. The checker
    reports the rule as not checked; the optimizer should leave such a part
    out of the inequality (or out of the candidates) rather than guess."""
    reads: tuple[Category, ...] | None = None
    """The categories whose parts can get a non-zero ``lhs`` or ``rhs`` or an
    ``unknown`` reason, under any context; None (the default, always safe):
    every category. The optimizer evaluates the rule only on parts of these
    categories, which matters on catalogs of tens of thousands of parts. Not
    ``categories``, which names the parts a finding is about: the power rules
    sum every part's draw. ``tests/test_rule_reads.py`` checks the declaration
    against every built-in part."""

    def sums(self, build, ctx: Context) -> tuple[int, int]:
        lhs = self.lhs_const(ctx) + sum(self.lhs(i.part, ctx) * i.quantity for i in build.items)
        rhs = self.rhs_const(ctx) + sum(self.rhs(i.part, ctx) * i.quantity for i in build.items)
        return lhs, rhs

    def check(self, build, ctx):
        missing = [c for c in self.requires if not build.of(c)]
        if missing:
            return [], [Skip(self.id, f"no {', '.join(c.value for c in missing)} in the build")]
        if self.unknown is not None:
            for i in build.items:
                reason = self.unknown(i.part, ctx)
                if reason:
                    return [], [Skip(self.id, f"{i.part.name}: {reason}", (i.part.id,), True)]
        lhs, rhs = self.sums(build, ctx)
        if lhs <= rhs:
            return [], []
        v = self.describe(lhs, rhs, build, ctx)
        if self.parts_of is not None:
            involved = self.parts_of(build)
        else:
            involved = [i.part for i in build.items
                        if self.lhs(i.part, ctx) or self.rhs(i.part, ctx)]
        return [self._finding(v, involved, {})], []


@dataclass
class GpuSetRule(Rule):
    """A test on the GPUs together, with the board and case when the rule reads them.

    ``test(gpu_keys, board_key, case_key, ctx)`` sees only keys, as a
    ``PairRule`` does, so the checker and the optimizer cannot disagree:
    ``gpu_keys`` is a tuple with one ``gpu_key(gpu)`` per card (a board
    bought twice appears twice), ``board_key``/``case_key`` are None when the
    rule does not read them (``reads_board``/``reads_case``) or the build has
    none. A build without GPUs is not judged.

    ``plan_unknown``: the planner forbids a combination the test cannot
    check (``NotChecked``) instead of allowing it: missing data (a board whose
    slot positions nobody recorded) must not let the optimizer build a
    multi-GPU machine nobody could verify. The checker still says "not
    checked".
    """

    test: Callable[[tuple, Any, Any, Context], Violation | NotChecked | None] = None  # type: ignore[assignment]
    gpu_key: Callable[[AnyPart], Hashable] = lambda g: g.id
    board_key: Callable[[AnyPart], Hashable] | None = None
    case_key: Callable[[AnyPart], Hashable] | None = None
    plan_unknown: bool = False
    case_monotone: bool = False
    """A larger case key never makes the verdict worse (more expansion slots), so the
    planner's pruning may prefer larger keys instead of comparing only equal ones."""

    @property
    def reads_board(self) -> bool:
        return self.board_key is not None

    @property
    def reads_case(self) -> bool:
        return self.case_key is not None

    def keys_of(self, build) -> tuple[tuple, Any, Any]:
        gpus = tuple(self.gpu_key(i.part) for i in build.of(Category.gpu)
                     for _ in range(i.quantity))
        board = build.first(Category.motherboard)
        case = build.first(Category.case)
        return (gpus,
                self.board_key(board) if self.reads_board and board is not None else None,
                self.case_key(case) if self.reads_case and case is not None else None)

    def check(self, build, ctx):
        if not build.of(Category.gpu):
            return [], []
        gpus, board, case = self.keys_of(build)
        r = self.test(gpus, board, case, ctx)
        if isinstance(r, NotChecked):
            parts = [i.part.id for i in build.of(Category.gpu)]
            if self.reads_board and build.board is not None:
                parts.append(build.board.id)
            return [], [Skip(self.id, r.reason, tuple(parts), r.missing)]
        if r is None:
            return [], []
        parts = [i.part for i in build.of(Category.gpu)]
        names = {"gpus": ", ".join(i.part.name + (f" x {i.quantity}" if i.quantity > 1 else "")
                                   for i in build.of(Category.gpu))}
        for cat, key in ((Category.motherboard, "board"), (Category.case, "case")):
            p = build.first(cat)
            if p is not None and (self.reads_board if key == "board" else self.reads_case):
                parts.append(p)
                names[key] = p.name
        return [self._finding(r, parts, names)], []


@dataclass
class BuildRule(Rule):
    """A checker-only rule over the whole build (warnings and info only)."""

    test: Callable[[Any, Context], list[Violation | NotChecked] | Violation | NotChecked | None] = None  # type: ignore[assignment]
    parts_of: Callable[[Any], list[AnyPart]] = lambda build: []

    def check(self, build, ctx):
        r = self.test(build, ctx)
        results = r if isinstance(r, list) else ([] if r is None else [r])
        findings, skipped = [], []
        for x in results:
            if isinstance(x, NotChecked):
                skipped.append(Skip(self.id, x.reason, (), x.missing))
            else:
                findings.append(self._finding(x, self.parts_of(build), {}))
        return findings, skipped


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add a rule to the table; ids are unique and error rules are solver-enforceable."""
    if rule.id in RULES:
        raise ValueError(f"duplicate rule id {rule.id}")
    if isinstance(rule, BuildRule) and rule.severity == Severity.error:
        raise ValueError(f"{rule.id}: a BuildRule cannot be an error (the optimizer could not enforce it)")
    RULES[rule.id] = rule
    return rule


def all_rules() -> list[Rule]:
    from . import load_all

    load_all()
    return list(RULES.values())
