"""Import speed and plan-on-the-database speed, on the real data in ../shared/data.

Run: ``python benchmarks/bench_import.py`` (or through ``make bench``: entry
function ``run()``). Prints one line per measurement and returns them as a
dict of seconds. Targets: open-db import under ~60 s on 2 cores;
``load_catalog`` of the full catalog with four snapshots of prices about
1 s; a three-row price list about the CLI's start-up plus one catalog
load; ``dlrig plan --db DB --market us --budget 1500 --workload llm-finetune``
under 5 s.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
OPENDB = SHARED / "buildcores-open-db-136a77ae.tar.gz"
PCPP = SHARED / "pc-part-dataset-snapshots.tar.gz"
SNAPSHOTS = (dt.date(2023, 7, 5), dt.date(2024, 1, 20), dt.date(2024, 5, 14), dt.date(2025, 7, 23))


def run(plan: bool = True) -> dict[str, float]:
    """Measure; returns {name: seconds}. Skips (empty dict) without the shared data."""
    if not OPENDB.is_file() or not PCPP.is_file():
        print(f"bench_import: skipped, shared data not found under {SHARED}")
        return {}
    from dlrig.catalog.opendb import import_opendb
    from dlrig.catalog.pcpp import import_pcpp
    from dlrig.store import Database, load_catalog

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="dlrig-bench-") as tmp:
        db_path = Path(tmp) / "bench.db"
        with Database(db_path) as db:
            t = time.perf_counter()
            res = import_opendb(db, OPENDB)
            out["opendb_import_s"] = time.perf_counter() - t
            print(f"open-db import: {out['opendb_import_s']:.1f} s ({res.added} parts)")
            t = time.perf_counter()
            again = import_opendb(db, OPENDB)
            out["opendb_reimport_s"] = time.perf_counter() - t
            print(f"open-db re-import: {out['opendb_reimport_s']:.1f} s ({again.added + again.changed} changes)")
            cat = load_catalog(db_path)
            for day in SNAPSHOTS:
                t = time.perf_counter()
                r = import_pcpp(db, PCPP, day, cat)
                out[f"pcpp_{day}_s"] = time.perf_counter() - t
                print(f"pcpp {day}: {out[f'pcpp_{day}_s']:.1f} s ({r.written} prices)")
        for key, kw in (("load_catalog_s", {}), ("load_catalog_no_prices_s", {"prices": False})):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                load_catalog(db_path, **kw)
                times.append(time.perf_counter() - t)
            out[key] = min(times)
            print(f"load_catalog{'(prices=False)' if kw else ''}: {out[key]:.2f} s (best of 3)")
        lst = Path(tmp) / "three.csv"
        lst.write_text("name,price\nIntel Core i5-12400F,150000\nGeForce RTX 3060 12GB,400000\n"
                       "Corsair RM750e,95000\n", encoding="utf-8")
        cmd = [sys.executable, "-c", "from dlrig.cli import main; main()", "prices", "import", "csv", str(lst),
               "--store", "bench", "--market", "ar", "--currency", "ARS", "--date", "2025-08-01",
               "--db", str(db_path), "--dry-run"]
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        out["csv_3_rows_s"] = time.perf_counter() - t
        print(f"dlrig prices import csv (3 rows, no category, --dry-run): {out['csv_3_rows_s']:.1f} s wall "
              f"({'ok' if p.returncode == 0 else f'exit {p.returncode}'})")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from dlrig.cli import main; main()", "--version"],
                       capture_output=True, text=True)
        out["cli_start_s"] = time.perf_counter() - t
        print(f"dlrig --version (CLI start-up, for reference): {out['cli_start_s']:.1f} s wall")
        if plan:
            cmd = [sys.executable, "-c", "from dlrig.cli import main; main()", "plan", "--db", str(db_path),
                   "--market", "us", "--budget", "1500", "--workload", "llm-finetune"]
            t = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True)
            out["plan_db_s"] = time.perf_counter() - t
            status = "ok" if p.returncode == 0 else f"exit {p.returncode}: {p.stderr.strip()[:200]}"
            print(f"dlrig plan --db DB --market us --budget 1500 --workload llm-finetune: "
                  f"{out['plan_db_s']:.1f} s wall ({status})")
    return out


if __name__ == "__main__":
    run()
