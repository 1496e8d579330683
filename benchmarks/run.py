"""``make bench``: run every planner benchmark and print a summary.

    python benchmarks/run.py            # everything (a few minutes on 2 cores)
    python benchmarks/run.py --quick    # smaller sizes, for a smoke run

The GPU reference measurement (``benchmarks/torch_reference.py``) needs a
CUDA machine and is run by hand, not here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import bench_plan  # noqa: E402
from benchmarks.synthetic import synthetic_catalog  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--skip-import", action="store_true",
                    help="skip bench_import (importing the shared data sets)")
    args = ap.parse_args()
    from dlrig.catalog.builtin import load_builtin

    t0 = time.perf_counter()
    print(f"dlrig planner benchmarks on {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}; CP-SAT num_workers=2")
    results: dict = {}

    sizes = (100, 1000, 10000) if args.quick else bench_plan.SIZES
    lat = bench_plan.latency(sizes, cold_runs=3 if args.quick else 5,
                             warm_runs=5 if args.quick else 10)
    results["latency"] = lat
    print("\nPlan latency (explanations off), synthetic catalogs, median over runs:")
    print(f"{'parts':>7} {'cold s':>8} {'cold p90':>9} {'warm s':>8} {'warm p90':>9} "
          f"{'valid':>6} {'pruned to':>9} {'vars':>5}")
    for r in lat:
        print(f"{r['parts']:>7} {r['cold_median_s']:>8.3f} {r['cold_p90_s']:>9.3f} "
              f"{r['warm_median_s']:>8.3f} {r['warm_p90_s']:>9.3f} {r['valid']:>6} "
              f"{r['after_pruning']:>9} {r['variables']:>5}")

    builtin = load_builtin()
    ex = bench_plan.explain_latency(builtin)
    results["explained_plan_s"] = ex
    print(f"\nFull plan with reasons, alternatives and upgrades (ar-2017-05): median {ex:.3f} s")

    sw = [bench_plan.sweep_time(builtin, "ar-2017-05", "USD", 300, 25),
          bench_plan.sweep_time(builtin, "us", "USD", 400, 100)]
    big = synthetic_catalog(10000 if args.quick else 30000, seed=5)
    sw.append(bench_plan.sweep_time(big, "syn", "USD", 500, 100))
    sw[-1]["market"] = f"syn ({len(big)} parts)"
    results["sweep"] = sw
    print("\n50-budget sweep (one solve per budget, candidates prepared once):")
    for s in sw:
        print(f"  {s['market']:<18} {s['steps']} budgets in {s['total_s']:.2f} s "
              f"({1000 * s['per_step_s']:.0f} ms each), {s['feasible']} feasible")

    vx = bench_plan.versus_exhaustive(range(8) if args.quick else range(20))
    results["exhaustive"] = vx
    print(f"\nVersus exhaustive search (small synthetic catalogs): {vx['matched']}/{vx['cases']} "
          f"optima identical ({vx['feasible']} feasible cases)")
    for m in vx["mismatches"]:
        print(f"  MISMATCH seed {m[0]} budget {m[1]}: plan {m[2]} exhaustive {m[3]}")

    cats = [(builtin, "ar-2017-05", "USD"), (builtin, "us", "USD")]
    cats += [(synthetic_catalog(400, seed=s), "syn", "USD") for s in range(3 if args.quick else 6)]
    gr = bench_plan.versus_greedy(cats, range(600, 4001, 200))
    results["greedy"] = gr
    worse = gr["cases"] - gr["equal"]
    print(f"\nVersus greedy GPU-first ({gr['cases']} feasible cases): greedy worse in {worse} "
          f"({100 * worse / max(1, gr['cases']):.0f} %)")
    print(f"  no build found: {gr['no_build']}")
    loss = gr["throughput_loss_pct"]
    if loss:
        print(f"  lower throughput: {len(loss)} (median -{statistics.median(loss):.1f} %, "
              f"worst -{max(loss):.1f} %)")
    bal = gr["balance_loss_points"]
    if bal:
        print(f"  same throughput, less balance: {len(bal)} (median -{statistics.median(bal):g} "
              f"of {bench_plan.BALANCE_MAX} points)")
    extra = gr["extra_cost_pct"]
    if extra:
        print(f"  same throughput and balance, dearer: {len(extra)} "
              f"(median +{statistics.median(extra):.1f} %)")
    if not args.skip_import:
        from benchmarks import bench_import

        print("\nImport and plan-on-the-database (benchmarks/bench_import.py):")
        try:
            results["import"] = bench_import.run()
        except Exception as e:  # noqa: BLE001 - report it, keep the planner figures
            print(f"  bench_import failed: {type(e).__name__}: {e}")
    from dlrig.optimize.grid import grid_table, run_grid

    print("\nPlan grid (markets x budgets x workloads x 1-4 GPUs), each saved plan checked again:")
    tg = time.perf_counter()
    rows = run_grid(builtin)
    print(grid_table(rows))
    ok = [r for r in rows if r.ok]
    flagged = [r for r in ok if r.findings]
    print(f"  {len(rows)} cases, {len(ok)} plans, {len(flagged)} with a warning or error "
          f"after saving, {time.perf_counter() - tg:.1f} s")
    results["grid"] = [r.__dict__ for r in rows]
    from benchmarks import bench_load

    print("\nThe web server under a 200-request burst, built-in catalog (benchmarks/bench_load.py):")
    results["load"] = bench_load.run()
    bench_load.report(results["load"])
    if not args.skip_import:
        from benchmarks import bench_warm

        print("\nThe warm server and sweeps on the imported catalog (benchmarks/bench_warm.py):")
        results["warm"] = bench_warm.run()
        bench_warm.report(results["warm"])
    from benchmarks import bench_startup

    print("\nStart-up, whole processes, against F = importing CP-SAT (benchmarks/bench_startup.py):")
    results["startup"] = bench_startup.run()
    bench_startup.report(results["startup"])
    from benchmarks import perf_errors

    print("\nPerformance model against published tables (benchmarks/perf_errors.py):")
    results["perf_errors"] = perf_errors.summary()
    print(f"\nTotal benchmark time {time.perf_counter() - t0:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0 if not vx["mismatches"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
