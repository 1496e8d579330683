"""The warm server and the sweeps on the imported catalog, against issue 14's targets.

Needs the shared data (open-db archive and the PCPartPicker snapshots in
../shared/data); without it, prints that it skipped. Builds a database the way a
user does (``dlrig catalog import open-db``, ``dlrig prices import pcpp --date
2025-07-23``), or takes one with ``--db``, then measures:

- a warm ``dlrig serve``: the app in this process (FastAPI's TestClient, so no
  network), its catalog loaded and one plan served; then the Plan page (with its
  full explanation) for 8 budgets it has not seen, then 8 other unseen budgets in
  the same range (each 50 USD above one of the first), and the Sweep page's 30-step
  sweeps (the web's limit) over 3 ranges it has not seen. Targets: a plan page at
  most 0.3 s, a 30-step sweep at most 3 s.
- whole processes, interleaved with F (``from ortools.sat.python import cp_model``):
  ``dlrig plan`` and ``dlrig sweep`` over 50 budgets on the built-in catalog and on
  the database. Targets: ``plan --db`` at most 2.5 F, a 50-budget sweep at most
  5 x one plan.

    python benchmarks/bench_warm.py [--db DB] [--rounds 3]

``DLRIG_SRC`` picks the source tree that is measured (default: this checkout's),
so an older commit's tree can be measured by the same script.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:  # as part of make bench (package) or run as a script
    from .bench_startup import wall
except ImportError:
    from bench_startup import wall

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
OPENDB = SHARED / "buildcores-open-db-136a77ae.tar.gz"
PCPP = SHARED / "pc-part-dataset-snapshots.tar.gz"
SRC = Path(os.environ.get("DLRIG_SRC", REPO / "src"))
DLRIG = [sys.executable, "-c", "from dlrig.cli import main; main()"]
FLOOR = [sys.executable, "-c", "from ortools.sat.python import cp_model"]
PLAN_ARGS = ["plan", "--market", "us", "--budget", "1500", "--workload", "llm-finetune",
             "--json"]
SWEEP_ARGS = ["sweep", "--market", "us", "--workload", "llm-finetune", "--from", "600",
              "--to", "5500", "--step", "100"]  # 50 budgets
PAGE_BUDGETS = (1150, 1350, 1650, 1950, 2450, 2950, 3650, 4450)
SWEEP_RANGES = ((500, 3400, 100), (650, 3550, 100), (1000, 5350, 150))  # 30 steps each


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env["COLUMNS"] = "100"
    return env


def build_db(folder: Path) -> Path:
    """The imported database, made by the commands a user runs."""
    db = folder / "bench-warm.db"
    for args in (["catalog", "import", "open-db", str(OPENDB), "--db", str(db)],
                 ["prices", "import", "pcpp", str(PCPP), "--date", "2025-07-23", "--db",
                  str(db)]):
        r = subprocess.run(DLRIG + args, env=_env(), capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:3])}: {r.stderr.strip()}")
    return db


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    return wall(cmd, env, timeout=600)


def processes(db: Path, rounds: int) -> dict:
    """Whole-process medians, interleaved with F."""
    env = _env()
    builtin_env = dict(env, DLRIG_DB="/nonexistent/dlrig-bench-warm.db")
    cmds = {
        "plan (built-in)": (DLRIG + PLAN_ARGS, builtin_env),
        "sweep 50 (built-in)": (DLRIG + SWEEP_ARGS, builtin_env),
        "plan --db": (DLRIG + PLAN_ARGS + ["--db", str(db)], env),
        "sweep 50 --db": (DLRIG + SWEEP_ARGS + ["--db", str(db)], env),
    }
    _wall(FLOOR, env)
    for cmd, e in cmds.values():  # warm the file cache and dlrig's GPU-spec index
        _wall(cmd, e)
    floor: list[float] = []
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(rounds):
        floor.append(_wall(FLOOR, env))
        for k, (cmd, e) in cmds.items():
            times[k].append(_wall(cmd, e))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"F_s": statistics.median(floor), "median_s": med, "runs_s": times,
            "rounds": rounds}


def server(db: Path) -> dict:
    """A warm app in this process: plan pages and 30-step sweep pages it has not seen."""
    sys.path.insert(0, str(SRC))
    from fastapi.testclient import TestClient

    from dlrig.web.app import create_app

    client = TestClient(create_app(db=db))
    t = time.perf_counter()
    r = client.get("/plan", params={"market": "us", "budget": "1500",
                                    "workload": "llm-finetune"})
    first = time.perf_counter() - t
    assert r.status_code == 200, r.text[:300]
    pages = []
    for b in PAGE_BUDGETS:
        t = time.perf_counter()
        r = client.get("/plan", params={"market": "us", "budget": str(b),
                                        "workload": "llm-finetune"})
        pages.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text[:300]
    # The same price range again, 8 budgets 50 USD above the first ones (also unseen): a
    # server that has served a range before (its GPU options' cheapest builds known).
    again = []
    for b in PAGE_BUDGETS:
        t = time.perf_counter()
        r = client.get("/plan", params={"market": "us", "budget": str(b + 50),
                                        "workload": "llm-finetune"})
        again.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text[:300]
    sweeps = []
    for lo, hi, step in SWEEP_RANGES:
        t = time.perf_counter()
        r = client.get("/sweep", params={"market": "us", "workload": "llm-finetune",
                                         "from": str(lo), "to": str(hi), "step": str(step)})
        sweeps.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text[:300]
    return {"first_plan_s": first, "plan_pages_s": pages, "plan_page_median_s":
            statistics.median(pages), "range_again_s": again,
            "range_again_median_s": statistics.median(again), "sweep_pages_s": sweeps,
            "sweep_page_median_s": statistics.median(sweeps)}


def run(db: Path | None = None, rounds: int = 3) -> dict:
    if db is None and (not OPENDB.is_file() or not PCPP.is_file()):
        print(f"bench_warm: skipped, shared data not found under {SHARED}")
        return {}
    with tempfile.TemporaryDirectory(prefix="dlrig-bench-warm-") as tmp:
        if db is None:
            t = time.perf_counter()
            db = build_db(Path(tmp))
            print(f"  imported database built in {time.perf_counter() - t:.0f} s")
        srv = server(db)
        proc = processes(db, rounds)
    return {"server": srv, "processes": proc}


def report(res: dict) -> None:
    if not res:
        return
    s, p = res["server"], res["processes"]
    f, m = p["F_s"], p["median_s"]
    print(f"  warm server, imported catalog: first plan {s['first_plan_s']:.2f} s (loads the "
          f"catalog); plan page median {s['plan_page_median_s']:.3f} s over "
          f"{len(s['plan_pages_s'])} budgets (max {max(s['plan_pages_s']):.3f}; target 0.3)")
    print(f"  the same range again (8 other unseen budgets, +50 USD): median "
          f"{s['range_again_median_s']:.3f} s (max {max(s['range_again_s']):.3f})")
    print(f"  30-step sweep page median {s['sweep_page_median_s']:.2f} s "
          f"(runs {', '.join(f'{x:.2f}' for x in s['sweep_pages_s'])}; target 3)")
    print(f"  F = {f:.3f} s; whole processes, median of {p['rounds']}:")
    for k, v in m.items():
        print(f"    {k:<22} {v:>6.2f} s  {v / f:>5.2f} F")
    print(f"  50-budget sweep / one plan: built-in "
          f"{m['sweep 50 (built-in)'] / m['plan (built-in)']:.2f} x, imported "
          f"{m['sweep 50 --db'] / m['plan --db']:.2f} x (target 5); plan --db "
          f"{m['plan --db'] / f:.2f} F (target 2.5)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="an imported database (default: build one)")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    report(run(a.db, a.rounds))
