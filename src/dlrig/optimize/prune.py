"""Dominance pruning: drop parts that provably cannot be in an optimal build.

Part A dominates part B of the same category when A costs no more, every
hard pair rule accepts A with every group of the other category that it
accepts B with, every hard GPU-set rule judges A's key as it judges B's (the
board's and the GPU's keys must be equal; a case key the rule declares
monotone may be larger), every hard linear rule gets no larger a contribution
from A than from B (or A makes the checker skip the rule, as B does not), and
A is at least as good on every objective feature (``objective.features``).
Replacing B by A in any feasible build then keeps it feasible and no worse,
so B can go. Identical parts (same signature) keep the cheapest; then a
Pareto pass drops the rest. This is what keeps a 30,000-part catalog to a
few hundred variables.
"""

from __future__ import annotations

from collections import defaultdict
from operator import ge
from typing import TYPE_CHECKING

from ..parts import Category
from . import objective

if TYPE_CHECKING:  # pragma: no cover
    from .candidates import Candidate, Candidates

_INF = float("inf")


def compat_masks(cs: Candidates) -> dict[Category, list[tuple[dict, dict]]]:
    """Per category, per hard pair rule on it: (part id -> key, key -> accepted groups).

    The accepted groups are a bitmask over the other side's key groups, so
    "A accepts every group B accepts" is ``mask_b & ~mask_a == 0``.
    """
    cols: dict[Category, list[tuple[dict, dict]]] = defaultdict(list)
    for t in cs.pairs:
        ca, cb = t.rule.categories[0], t.rule.categories[1]
        idx_a = {k: i for i, k in enumerate(t.keys_a)}
        idx_b = {k: i for i, k in enumerate(t.keys_b)}
        full_b = (1 << len(t.keys_b)) - 1
        full_a = (1 << len(t.keys_a)) - 1
        row = {ka: full_b for ka in t.keys_a}
        col = {kb: full_a for kb in t.keys_b}
        for ka, kb in t.bad:
            row[ka] &= ~(1 << idx_b[kb])
            col[kb] &= ~(1 << idx_a[ka])
        cols[ca].append((t.key_of, row))
        if cb != ca:
            cols[cb].append((t.key_of, col))
    return cols


def set_rule_features(cs: Candidates, cat: Category, ids: list[str]) -> tuple[list, list]:
    """(equal-only, higher-is-better) columns the hard GPU-set rules add for a category.

    A board, GPU or case is compared by what the rule's table says of it (its
    *profile*: the combinations it fails, ``set_profiles``), not by its key: the model
    reads nothing else, and dozens of board layouts that a single-GPU plan never
    tells apart then stop keeping each other's dearer twins in.
    """
    eq, hb = [], []
    for t in cs.sets:
        if cat == Category.gpu:
            prof = set_profiles(t)[0]
            eq.append([prof.get(t.gpu_key_of.get(i), _OK) for i in ids])
        elif cat == Category.motherboard and t.rule.reads_board:
            prof = set_profiles(t)[1]
            eq.append([prof.get(t.board_key_of.get(i), _OK) for i in ids])
        elif cat == Category.case and t.rule.reads_case:
            if t.rule.case_monotone:
                hb.append([t.case_key_of.get(i) for i in ids])
            else:
                prof = set_profiles(t)[2]
                eq.append([prof.get(t.case_key_of.get(i), _OK) for i in ids])
    return eq, hb


_OK = frozenset()  # the profile of a key that fails nowhere


def set_profiles(t) -> tuple[dict, dict, dict]:
    """Per GPU key, board key and case key of a set table, the combinations it fails.

    Two keys with the same profile are the same to the model (``model.set_rules``
    reads only ``t.bad``), so the pruning may treat them as equal. Kept on the table,
    which restrictions share.
    """
    hit = t.profiles
    if hit is not None:
        return hit
    gpu: dict = defaultdict(set)
    board: dict = defaultdict(set)
    case: dict = defaultdict(set)
    case_keys = set(t.case_key_of.values())
    for (b, (g, k)), cases in t.bad.items():
        gpu[g].add((b, k, cases))
        board[b].add((g, k, cases))
        for c in (case_keys if cases is None else cases):
            case[c].add((b, g, k))
    hit = tuple({key: frozenset(v) for key, v in d.items()} for d in (gpu, board, case))
    t.profiles = hit
    return hit


def prune(cs: Candidates, only: set[Category] | None = None) -> None:
    """Prune every category of ``cs`` in place (or those in ``only``)."""
    if only is not None and not only:
        return
    mask_cols = compat_masks(cs)
    for cat, cands in cs.by_cat.items():
        if len(cands) < 2 or (only is not None and cat not in only):
            continue
        protected = cs.required.get(cat, frozenset()) if cat in cs.multi else frozenset()
        ids = [c.id for c in cands]
        # Value columns, each "higher is better": the hard linear rules that give this
        # category a term, as -(lhs - rhs), or +inf when the part makes the checker skip
        # the rule (then it is never the tighter one); then the objective's features.
        cols: list = []
        for t in cs.linears:
            coef, unk = t.coef, t.unknown
            if t.cats is not None and cat not in t.cats:
                continue
            if t.cats is None and not any(i in coef or i in unk for i in ids):
                continue
            if unk:
                cols.append([_INF if i in unk else -coef.get(i, 0) for i in ids])
            else:
                cols.append([-coef.get(i, 0) for i in ids])
        feats = [objective.features(c, cs) for c in cands]
        cols.extend(zip(*(hb for _, hb in feats), strict=True))
        set_eq, set_hb = set_rule_features(cs, cat, ids)
        cols.extend(set_hb)
        # Columns equal across the whole category cannot tell parts apart: drop them.
        cols = [col for col in cols if len(set(col)) > 1]
        values = list(zip(*cols, strict=True)) if cols else [()] * len(cands)
        eqs = [eq + tuple(col[n] for col in set_eq) for n, (eq, _) in enumerate(feats)]
        masks = [[mk[key_of[i]] for i in ids] for key_of, mk in mask_cols.get(cat, ())]
        masks = list(zip(*masks, strict=True)) if masks else [()] * len(cands)
        rows = list(zip(cands, eqs, masks, values, strict=True))
        # 1. identical signatures: keep the cheapest (then the preferred, then the smallest id).
        best: dict[tuple, tuple] = {}
        for r in rows:
            if r[0].id in protected:
                best[("keep", r[0].id)] = r
                continue
            key = r[1:]
            cur = best.get(key)
            if cur is None:
                best[key] = r
            elif _order(r[0]) < _order(cur[0]):
                cs.pruned_by[cur[0].id] = r[0].id
                best[key] = r
            else:
                cs.pruned_by[r[0].id] = cur[0].id
        # 2. Pareto: a cheaper-or-equal part at least as good everywhere.
        by_eq: dict[tuple, list] = defaultdict(list)
        for r in best.values():
            by_eq[r[1]].append(r)
        keep: list[Candidate] = []
        for group in by_eq.values():
            group.sort(key=lambda r: _order(r[0]))
            keep.extend(pareto(group, protected, cs.pruned_by))
        order = {c.id: i for i, c in enumerate(cands)}
        keep.sort(key=lambda c: order[c.id])
        cs.by_cat[cat] = keep
    for pid, by in cs.pruned_by.items():
        cs.dropped.setdefault(pid, f"dominated by {by}")
    cs.sync_options()


def _order(c: Candidate) -> tuple:
    """Which of two parts equal on every rule and feature to keep: the cheaper, then the one a
    builder prefers (``objective.preference``: NVMe, a shorter card...), then the smaller id."""
    return (c.cost, -objective.preference(c.part), c.id)


def pareto(group: list[tuple], protected: frozenset[str],
           pruned_by: dict[str, str]) -> list[Candidate]:
    """The rows of ``group`` (sorted by cost, then id) that no earlier row dominates.

    A row is dropped when an earlier row (no dearer) is at least as good in
    every value column and accepts every key group it accepts (``dominates``);
    it is recorded as pruned by the *first* such row. That first row is never
    itself dropped (whatever dominates it would, by transitivity, dominate the
    row and come earlier), so this is the classic front sweep, without comparing
    each row with the whole front: per value column, a bitset of the rows at
    least as good as each value; their intersection with the earlier rows gives
    the candidates in order, and only those have their key-group masks compared.
    An earlier row at equal cost must also be preferred, else it is only a tie.
    """
    if len(group) == 1:
        return [group[0][0]]
    at_least: list[dict] = []
    for col in zip(*(r[3] for r in group), strict=True):
        rows_at: dict = defaultdict(int)
        for i, v in enumerate(col):
            rows_at[v] |= 1 << i
        acc, ge_bits = 0, {}
        for v in sorted(rows_at, reverse=True):
            acc |= rows_at[v]
            ge_bits[v] = acc
        at_least.append(ge_bits)
    keep = []
    for i, r in enumerate(group):
        c = r[0]
        if c.id in protected:
            keep.append(c)
            continue
        cand = (1 << i) - 1
        for ge_bits, v in zip(at_least, r[3], strict=True):
            cand &= ge_bits[v]
            if not cand:
                break
        dom = None
        m = r[2]
        while cand:
            low = cand & -cand
            f = group[low.bit_length() - 1]
            if not any(y & ~x for x, y in zip(f[2], m, strict=True)):
                dom = f
                break
            cand ^= low
        if dom is None:
            keep.append(c)
        else:
            pruned_by[c.id] = dom[0].id
    return keep


def dominates(a: tuple, b: tuple) -> bool:
    """Row ``a`` (no dearer) is at least as good as row ``b`` in every respect."""
    if not all(map(ge, a[3], b[3])):
        return False
    return not any(y & ~x for x, y in zip(a[2], b[2], strict=True))
