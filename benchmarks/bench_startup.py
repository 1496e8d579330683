"""Start-up time of the ``dlrig`` command, as a ratio to the solver's own import (issue 14).

F is the time of ``python -c "from ortools.sat.python import cp_model"``: the floor that
the solver dependency forces on any process that plans. Each command is run as a whole
process (``python -c "from dlrig.cli import main; main()" ...``, what the console script
does), once to warm the caches (the OS's file cache, dlrig's GPU-spec index), then 5
times interleaved with F, so a busy machine slows both alike; each figure is the median.

Targets: ``dlrig --version`` and ``dlrig --help`` at most 0.35 F; the plan command's
target (1.6 F with its full explanation) is shared with the planner's work.

    python benchmarks/bench_startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

FLOOR = [sys.executable, "-c", "from ortools.sat.python import cp_model"]
DLRIG = [sys.executable, "-c", "from dlrig.cli import main; main()"]
COMMANDS = (
    ("dlrig --version", ["--version"], 0.35),
    ("dlrig --help", ["--help"], 0.35),
    ("dlrig plan --market us --budget 1500 --workload llm-finetune --json",
     ["plan", "--market", "us", "--budget", "1500", "--workload", "llm-finetune", "--json"],
     1.6),
)


def wall(cmd: list[str], env: dict[str, str], timeout: float = 300) -> float:
    """Seconds a whole process takes (its output discarded); RuntimeError if it fails."""
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=timeout)
    took = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[3:])} exited {r.returncode}: {r.stderr.decode()}")
    return took


def run(rounds: int = 5) -> dict:
    """Median seconds of F and of each command over ``rounds`` interleaved runs."""
    env = dict(os.environ)
    # The built-in catalog only: a database path that does not exist.
    env["DLRIG_DB"] = str(Path("/nonexistent/dlrig-bench-startup.db"))
    env["COLUMNS"] = "100"
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    wall(FLOOR, env)
    for _, args, _ in COMMANDS:  # warm-up, not counted
        wall(DLRIG + args, env)
    floor: list[float] = []
    times: dict[str, list[float]] = {label: [] for label, _, _ in COMMANDS}
    for _ in range(rounds):
        floor.append(wall(FLOOR, env))
        for label, args, _ in COMMANDS:
            times[label].append(wall(DLRIG + args, env))
    f = statistics.median(floor)
    rows = []
    for label, _, target in COMMANDS:
        s = statistics.median(times[label])
        rows.append({"command": label, "median_s": s, "ratio": s / f, "target_ratio": target,
                     "runs_s": times[label]})
    return {"F_s": f, "F_runs_s": floor, "rounds": rounds, "commands": rows}


def report(res: dict) -> None:
    print(f"  F = python -c 'from ortools.sat.python import cp_model': median "
          f"{res['F_s']:.3f} s over {res['rounds']} runs")
    print(f"  {'command':<70} {'median s':>8} {'x F':>6} {'target':>7}")
    for r in res["commands"]:
        mark = "" if r["ratio"] <= r["target_ratio"] else "  (over)"
        print(f"  {r['command']:<70} {r['median_s']:>8.3f} {r['ratio']:>6.2f} "
              f"{r['target_ratio']:>6.2f}F{mark}")


if __name__ == "__main__":
    report(run())
