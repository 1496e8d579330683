"""``python -m dlrig.bench``: the bench without the rest of the CLI.

For machines where only the bench's own dependencies are installed (a lent
GPU server with torch but none of the planner's packages): same runner, same
JSON, same tables and exit codes as ``dlrig bench``, fewer options.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from . import render
from .runner import SECTIONS, Options, Reporter, run


class _Lines(Reporter):
    def __init__(self, console: Console):
        self.c = console

    def section(self, name: str, steps: int) -> None:
        self.c.print(f"[bold]{name}[/]")

    def step(self, text: str) -> None:
        self.c.print(f"  {text}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dlrig.bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", type=Path)
    p.add_argument("--dir", type=Path, default=Path("."))
    p.add_argument("--only", default=",".join(SECTIONS))
    a = p.parse_args(argv)
    only = tuple(x.strip() for x in a.only.split(",") if x.strip())
    if not set(only) <= set(SECTIONS):
        p.error(f"--only takes a comma-separated subset of {','.join(SECTIONS)}")
    a.dir.mkdir(parents=True, exist_ok=True)
    out, err = Console(), Console(stderr=True)
    res = run(Options(quick=a.quick, directory=a.dir.resolve(), only=only), _Lines(err))
    if a.json:
        a.json.write_text(res.model_dump_json(indent=1))
    render.show(out, res)
    if res.failed:
        err.print(f"error: {len(res.failed)} measurement(s) failed: "
                  + ", ".join(f"{m.id} ({m.reason})" for m in res.failed[:3]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
