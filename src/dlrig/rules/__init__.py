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

    @property
    def unverified(self) -> list:
        """The rules not checked because a part lacks data (``Skip`` lines with ``missing``)."""
        return [s for s in self.not_checked if getattr(s, "missing", False)]

    @property
    def unverified_parts(self) -> list[str]:
        return list(dict.fromkeys(p for s in self.unverified for p in s.parts))

    @property
    def verified(self) -> bool:
        """No rule was left unchecked for lack of a part's data."""
        return not self.unverified

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "complete": self.complete,
            "missing": self.missing,
            "verified": self.verified,
            "unverified": [{"rule": s.rule, "parts": list(s.parts), "reason": str(s)}
                           for s in self.unverified],
            "findings": [f.to_dict() for f in self.findings],
            "not_checked": self.not_checked + list(self.general_not_checked),
            "rules_run": self.rules_run,
            "power": self.power.to_dict() if self.power is not None else None,
        }


_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}


def context_for(catalog, market: str | None, *, workload=None, circuit_w: int | None = None,
                allow_bios_update: bool = False, dataset_gb: int | None = None,
                as_of=None, job=None, power_limit=None) -> Context:
    """The context a build is judged in for a market, defaulted one way everywhere.

    ``dlrig check``, the planner and the web pages all call this, so a
    market's date (the 2017 market judges as of 2017-05-31) and its circuit
    are never defaulted differently. ``workload`` is a profile name or a
    ``Workload``; ``job`` a ``dlrig.llm.Job`` (a model the GPUs must run);
    ``power_limit`` a ``power.PowerLimit`` or its text ("0.7", "300W").
    """
    from ..market import circuit_default
    from ..power import parse_power_limit

    m = catalog.market(market) if market else None
    if isinstance(workload, str):
        from ..perf import get_workload

        workload = get_workload(workload) if workload else None
    return Context(
        workload=workload or None,
        allow_bios_update=allow_bios_update,
        circuit_w=circuit_w or circuit_default(m),
        dataset_gb=dataset_gb,
        as_of=as_of or (m.date if m else None),
        job=job,
        power_limit=parse_power_limit(power_limit),
    )


def context_for_build(catalog, build, market: str | None = None, **given) -> Context:
    """The context a saved build is judged in: the options given, else its ``[intent]``.

    A plan saves what it was asked for (workload, model, task, quantisation,
    context, power limit, ...) in the build file, so ``dlrig check`` of a
    saved plan enforces the requirements the planner did. ``given`` holds the
    check's own options (None: not given); they win over the intent.
    """
    keys = ("workload", "model", "task", "quant", "context", "users", "batch", "power_limit",
            "dataset_gb", "circuit_w", "allow_bios_update")
    opts = {k: given.get(k) if given.get(k) not in (None, False) else build.intended(k)
            for k in keys}
    job = None
    if opts["model"]:
        from ..llm.job import job_for

        job = job_for(opts["model"], task=opts["task"] or "inference", quant=opts["quant"],
                      context=opts["context"], users=opts["users"] or 1, batch=opts["batch"])
        if not opts["workload"]:
            opts["workload"] = job.workload_name
    return context_for(catalog, market or build.market, workload=opts["workload"],
                       circuit_w=opts["circuit_w"], allow_bios_update=bool(
                           opts["allow_bios_update"]), dataset_gb=opts["dataset_gb"],
                       job=job, power_limit=opts["power_limit"])


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
    return CheckResult(findings, skipped, estimate(build, ctx.power_limit), len(rules))


__all__ = ["RULES", "CheckResult", "Context", "Finding", "Rule", "Severity", "check_build",
           "context_for", "context_for_build", "register"]
