"""Which registered rules the optimizer enforces, and how a rule's result reads.

The optimizer enforces exactly the rules ``dlrig check`` runs, taken from the
same registry, so a plan can never fail the checker with an error:

- every rule of severity *error* (Unary/Pair/Linear forms; BuildRules cannot
  be errors, the registry refuses them);
- a few *warning* rules that a well-balanced plan should never trip
  (``PROMOTED``): a plan is advice, and advice that the checker then warns
  about would contradict itself. ``platform.bios-update`` is dropped from
  the list when the user allows a BIOS update;
- minus any rule id the caller relaxes (used to explain infeasibility).

Warning rules that stay soft (``dl.tensor-cores``, ``dl.cuda-support``,
``power.connectors-adapter``...) would rule out whole markets (every card of
2017 is Pascal) or are matters of taste; the report lists what the checker
says about the plan.
"""

from __future__ import annotations

from ..rules import Context
from ..rules.registry import BuildRule, NotChecked, Rule, Severity, Violation, all_rules

# Warning rules the plan treats as hard, with the reason shown in docs/plan.md.
PROMOTED: dict[str, str] = {
    "platform.bios-update": "a build that needs a BIOS update before it boots is excluded "
                            "unless --allow-bios-update (even with BIOS flashback)",
    "power.psu-headroom": "the PSU keeps at least 25 % headroom over the sustained draw "
                          "(the founding post: power-supply problems are 'a real headache')",
    "power.transient": "the PSU rides the GPUs' transient spikes",
    "dl.cpu-threads": "the CPU has the workload's threads per GPU, so the GPU is fed",
    "dl.ssd": "datasets are read from an SSD",
}


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
             extra_hard: tuple[str, ...] = ()) -> bool:
    """Whether a Unary/Pair test result forbids the part(s) in the plan.

    An error rule forbids when the checker would report an *error* (a
    severity override to warning/info does not forbid); a promoted warning
    rule forbids on any violation. "Not checked" never forbids: the checker
    does not report an error for it either.
    """
    if not isinstance(result, Violation):
        return False
    if is_promoted(rule, ctx, extra_hard):
        return True
    return (result.severity or rule.severity) == Severity.error
