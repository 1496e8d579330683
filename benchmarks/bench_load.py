"""The web server under a 200-request burst (issue 12), on the built-in catalog.

Two bursts against ``dlrig serve`` on 127.0.0.1 (``dlrig.web.loadtest``): 200 plan requests
over 8 budgets (identical requests share one solve), and 200 all different (the queue
fills and the rest get 503 + Retry-After). For each: how many were served, 503s, other
5xx (must be 0), p50/p99 of the served answers, served per second, and the home page's
latency while the burst lasted (probed every 50 ms from a process of its own, so the figure is
the server's, not the load generator's queue). Every served answer is checked to be
"optimal" (never a degraded "feasible" plan).

    python benchmarks/bench_load.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def run() -> list[dict]:
    from dlrig.web.loadtest import ProcessServer, burst, plan_queries
    from dlrig.web.solves import SolveQueue

    # The server in a process of its own (dlrig serve), the built-in catalog only.
    env = {"DLRIG_DB": str(Path("/nonexistent/dlrig-bench.db"))}
    q = SolveQueue()
    workers, depth = q.workers, q.depth
    q.shutdown()
    out = []
    for label, budgets in (("200 requests, 8 budgets", (900, 1200, 1500, 2000, 2500, 3000,
                                                        4000, 5000)),
                           ("200 requests, all different", tuple(range(800, 5800, 25)))):
        with ProcessServer(env) as srv:
            res = burst(srv, plan_queries(200, budgets=budgets), probe_process=True)
        s = res.summary()
        s["label"] = label
        s["workers"], s["depth"] = workers, depth
        s["solves"] = len({a.body["budget"]["amount"] for a in res.answers if a.status == 200})
        s["not_optimal"] = sum(a.status == 200 and a.body["status"] != "optimal"
                               for a in res.answers)
        out.append(s)
    return out


def report(rows: list[dict]) -> None:
    print(f"  {'burst':<28} {'served':>6} {'503':>4} {'5xx':>4} {'p50 s':>6} {'p99 s':>6} "
          f"{'per s':>6} {'GET / max':>9} {'plans':>6}")
    for r in rows:
        print(f"  {r['label']:<28} {r['served']:>6} {r['busy_503']:>4} {r['errors_5xx']:>4} "
              f"{r['p50_s'] or 0:>6.2f} {r['p99_s'] or 0:>6.2f} {r['served_per_s'] or 0:>6.1f} "
              f"{r['home_max_s'] or 0:>8.3f}s {r['solves']:>6}")
        if r["not_optimal"]:
            print(f"    {r['not_optimal']} served answers were not optimal (must be 0)")
    w = rows[0]
    print(f"  ({w['workers']} solve at a time, queue {w['depth']}; GET / p50 "
          f"{w['home_p50_s']} s)")


if __name__ == "__main__":
    report(run())
