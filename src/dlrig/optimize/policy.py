"""Which registered rules the optimizer enforces, and how a rule's result reads.

The optimizer enforces exactly the rules ``dlrig check`` runs, taken from the
same registry, so a plan can never fail the checker with an error:

- every rule of severity *error* (Unary/Pair/Linear/GPU-set forms;
  BuildRules cannot be errors, the registry refuses them);
- every *warning* rule the solver can enforce (``PROMOTED``, each with the
  reason docs/plan.md gives): a plan is advice, and advice that the checker
  then warns about would contradict itself, so a saved plan checked with the
  same workload shows no error and no warning. Rules that judge software
  support (``dl.cuda-support``, ``dl.tensor-cores``) judge it as of the
  market's date, so the 2017 market's Pascal cards pass them.
  ``platform.bios-update`` is dropped from the list when the user allows a
  BIOS update;
- minus any rule id the caller relaxes (used to explain infeasibility).

Only the checker-only BuildRules (``build.incomplete``) stay outside; a plan
is a complete machine by construction.

A promoted rule forbids what it reports as a warning (or an error); an info
is advice, except for ``platform.bios-update``, whose info (a board with BIOS
flashback) is still excluded unless the user allows a BIOS update. A GPU-set
rule marked ``plan_unknown`` also forbids what it cannot check (missing
data must not let the optimizer build something nobody could verify).
"""

from __future__ import annotations

from ..rules import Context
from ..rules.registry import (
    BuildRule,
    GpuSetRule,
    NotChecked,
    Rule,
    Severity,
    Violation,
    all_rules,
)

# Warning rules the plan treats as hard, with the reason shown in docs/plan.md.
PROMOTED: dict[str, str] = {
    "platform.bios-update": "a build that needs a BIOS update before it boots is excluded "
                            "unless --allow-bios-update (even with BIOS flashback)",
    "power.psu-headroom": "the PSU keeps at least 25 % headroom over the sustained draw "
                          "(the founding post: power-supply problems are 'a real headache')",
    "power.transient": "the PSU rides the GPUs' transient spikes",
    "dl.cpu-threads": "the CPU has the workload's threads per GPU, so the GPU is fed",
    "dl.ssd": "datasets are read from an SSD (of the workload's size)",
    "memory.ram-vs-vram": "system RAM at least the workload's share of the GPUs' total VRAM",
    "dl.pcie-lanes": "every GPU of a multi-GPU build on x8 or wider CPU lanes (for training; "
                     "single-user inference that splits layers is only informed)",
    "dl.cpu-feed": "the CPU decodes images as fast as the GPUs consume them",
    "dl.tensor-cores": "mixed-precision work gets tensor cores (judged as of the market's "
                       "date: before mid-2018 nobody trained in mixed precision)",
    "dl.cuda-support": "current CUDA and PyTorch releases still support the GPU (judged as of "
                       "the market's date)",
    "dl.cuda-vendor": "an NVIDIA GPU (others are not rated and never candidates anyway)",
    "dl.passive-cooling": "no fanless datacenter card that needs a server's airflow",
    "dl.blower": "no three or more open-air cards touching each other",
    "power.connectors-adapter": "the PSU feeds a 16-pin card natively, no adapter from 8-pin "
                                "cables",
}
# Promoted rules whose info-level verdicts also forbid (all others: warnings and errors).
FORBID_INFO = {"platform.bios-update"}


def hard_rules(
    ctx: Context, extra_hard: tuple[str, ...] = (), relax: tuple[str, ...] = ()
) -> list[Rule]:
    """The registered rules the model enforces for ``ctx``, in registry order."""
    out = []
    for r in all_rules():
        if r.id in relax or isinstance(r, BuildRule):
            continue
        if is_promoted(r, ctx, extra_hard) or r.severity == Severity.error:
            out.append(r)
    return out


def is_promoted(rule: Rule, ctx: Context, extra_hard: tuple[str, ...] = ()) -> bool:
    if rule.id == "platform.bios-update" and ctx.allow_bios_update:
        return False
    return rule.id in PROMOTED or rule.id in extra_hard


def violates(rule: Rule, result: Violation | NotChecked | None, ctx: Context,
             extra_hard: tuple[str, ...] = (), unchecked_ok: tuple[str, ...] = (),
             allow_unverified: bool = False) -> bool:
    """Whether a rule's verdict on some parts forbids them in the plan.

    An error rule forbids when the checker would report an *error* (a
    severity override to warning/info does not forbid); a promoted rule
    forbids a warning or an error (an info too for ``FORBID_INFO``). "Not
    checked" for lack of a part's data (``NotChecked.missing``) forbids for
    error rules and for set rules marked ``plan_unknown``, unless the request
    allows unverified parts (``--allow-unverified``) or the rule is in
    ``unchecked_ok`` (an explanation asking what an unverifiable part would give).
    """
    if isinstance(result, NotChecked):
        if allow_unverified or rule.id in unchecked_ok:
            return False
        if isinstance(rule, GpuSetRule) and rule.plan_unknown:
            return True
        # Missing data must not let the optimizer pick a part nobody could verify: an
        # error rule that cannot judge it for lack of its data forbids it.
        return result.missing and rule.severity == Severity.error
    if not isinstance(result, Violation):
        return False
    severity = result.severity or rule.severity
    if is_promoted(rule, ctx, extra_hard):
        return severity != Severity.info or rule.id in FORBID_INFO
    return severity == Severity.error
