"""Compatibility and deep-learning balance rules, and the checker.

``check_build`` runs every registered rule (see ``registry``) and returns the
findings, what could not be checked, and the power estimate.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from .registry import RULES, Context, Finding, Rule, Severity, all_rules, register

MODULES = ("build", "platform", "memory", "fit", "power", "dl")

# What dlrig never checks, said in every report so silence is not read as a pass.
NOT_CHECKED = (
    "BIOS version actually flashed on a board bought today (the shipped version is assumed)",
    "M.2 slots that disable SATA ports or share PCIe lanes",
    "RAM module height against the CPU cooler",
    "front-panel connectors, fan headers and RGB controllers",
    "case airflow and noise",
    "whether a part is in stock",
)


def load_all() -> None:
    for m in MODULES:
        importlib.import_module(f"{__name__}.{m}")


@dataclass
class CheckResult:
    findings: list[Finding]
    not_checked: list[str]
    power: Any = None  # dlrig.power.PowerEstimate
    rules_run: int = 0
    general_not_checked: tuple[str, ...] = field(default=NOT_CHECKED)

    @property
    def ok(self) -> bool:
        return not any(f.severity == Severity.error for f in self.findings)

    def by_severity(self, sev: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity == sev]

    @property
    def missing(self) -> list[str]:
        """Categories a complete machine needs and the build lacks (rule build.incomplete)."""
        for f in self.findings:
            if f.rule == "build.incomplete":
                return list(f.values.get("missing", []))
        return []

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "complete": self.complete,
            "missing": self.missing,
            "findings": [f.to_dict() for f in self.findings],
            "not_checked": self.not_checked + list(self.general_not_checked),
            "rules_run": self.rules_run,
            "power": self.power.to_dict() if self.power is not None else None,
        }


_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}


def check_build(build, ctx: Context | None = None) -> CheckResult:
    """Run every rule on ``build``; findings sorted errors first."""
    from ..power import estimate

    ctx = ctx or Context()
    findings: list[Finding] = []
    skipped: list[str] = []
    rules = all_rules()
    for rule in rules:
        f, s = rule.check(build, ctx)
        findings.extend(f)
        skipped.extend(s)
    findings.sort(key=lambda f: (_ORDER[f.severity], f.rule))
    return CheckResult(findings, skipped, estimate(build), len(rules))


__all__ = ["RULES", "CheckResult", "Context", "Finding", "Rule", "Severity", "check_build", "register"]
