"""Hostile files, outputs, option values and names on the command line (issue 12, items 2,
3, 9, 11, 12 and 13 for build files, CLI outputs and options).

Before: a FIFO given to ``bench --result`` hung it forever, ``/dev/zero`` ended in
MemoryError, ``--save`` replaced a FIFO with a regular file, ``sweep --plot x.xyz`` failed
after solving every budget, ``plan --dataset-gb 10**30`` and wrong-typed builds gave
tracebacks, and escape sequences in names reached the terminal. Each command here runs as
the console script runs it (``dlrig.cli.main``); every refusal must be exit 2 with exactly
one line on stderr starting with "error:", no traceback, and no file created or changed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlrig.cli import main
from dlrig.files import LIMITS

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "examples" / "ar-2017-05" / "build.toml"
RESULT = REPO / "tests" / "bench" / "data" / "h100-sxm-2026-11-26-quick.json"
ZERO = Path("/dev/zero")
UNSAFE = {chr(c) for c in [*range(0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)]}


@dataclass
class Run:
    code: int
    out: str
    err: str


def cli(*argv: str | Path) -> Run:
    """``dlrig ARGV`` in this process, as the console script runs it."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in argv])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    return Run(code, out.getvalue(), err.getvalue())


def refused(r: Run, *words: str, code: int = 2) -> str:
    """The one error line of a refused command (and that there is exactly one)."""
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert r.code == code, (r.code, r.err[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error:"), r.err[-2000:]
    assert "Traceback" not in r.err + r.out
    assert not set(r.err + r.out) & UNSAFE, r.err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def clean_run(r: Run) -> None:
    """A command that did not refuse: 0 or 1, and nothing raw reached the terminal."""
    assert r.code in (0, 1), (r.code, r.err[-2000:])
    assert "Traceback" not in r.err + r.out and not set(r.err + r.out) & UNSAFE


pytestmark = pytest.mark.usefixtures("no_hang")


def _listing(folder: Path) -> dict[str, tuple[int, int, int]]:
    return {p.name: (p.lstat().st_mode, p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in folder.iterdir()}


# -- input files that are not files ---------------------------------------------------------

def _hostile(tmp_path: Path, kind: str, name: str, what: str) -> Path:
    p = tmp_path / name
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "dev-zero-link":
        if not ZERO.exists():
            pytest.skip("no /dev/zero here")
        p.symlink_to(ZERO)
    elif kind == "folder":
        p.mkdir()
    elif kind == "sparse-over-limit":
        with open(p, "wb") as h:
            h.truncate(LIMITS[what] + 1)
    return p


KINDS = {"fifo": "FIFO", "dev-zero-link": "character device", "folder": "folder",
         "sparse-over-limit": "MB"}
READERS = {
    "check": (lambda p: ["check", p, "--no-db"], "b.toml", "build"),
    "power": (lambda p: ["power", p, "--no-db"], "b.toml", "build"),
    "swap": (lambda p: ["swap", p, "gpu", "--no-db", "--market", "us"], "b.md", "build"),
    "fit --build": (lambda p: ["fit", "llama-3.1-8b", "--build", p, "--no-db"], "b.toml", "build"),
    "fit --bench": (lambda p: ["fit", "llama-3.1-8b", "--bench", p], "r.json", "bench result"),
    "bench --result": (lambda p: ["bench", "--result", p], "r.json", "bench result"),
    "bench --compare": (lambda p: ["bench", "--result", RESULT, "--compare", p], "r.json",
                        "bench result"),
    "fit config.json": (lambda p: ["fit", p], "config.json", "model config"),
    "plan --model": (lambda p: ["plan", "--market", "us", "--no-db", "--budget", "1000",
                                "--model", p], "config.json", "model config"),
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("reader", list(READERS))
def test_files_that_are_not_regular_files_are_one_line(tmp_path, reader, kind):
    argv, name, what = READERS[reader]
    p = _hostile(tmp_path, kind, name, what)
    t = time.perf_counter()
    refused(cli(*argv(p)), KINDS[kind])
    assert time.perf_counter() - t < 10


@pytest.mark.parametrize("kind", ["fifo", "dev-zero-link"])
def test_a_gguf_that_is_not_a_file_is_one_line(tmp_path, kind):
    p = _hostile(tmp_path, kind, "m.gguf", "model file")
    refused(cli("fit", p), KINDS[kind])


def test_a_config_folder_holding_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "config.json")
    refused(cli("fit", tmp_path), "FIFO")


# -- wrong-typed build files on the command line --------------------------------------------

BAD_BUILDS = {
    "part = [1, 2]\n": "must be a table",
    'notes = 5\n[[part]]\nref = "cpu/intel-pentium-g4560"\n': "'notes'",
    '[[part]]\ncategory = ["cpu"]\nname = "x"\n': "unknown category",
    '[[part]]\nref = "cpu/intel-pentium-g4560"\ncategory = "zzz"\n': "unknown category 'zzz'",
    "x = " + "[" * 50_000 + "]" * 50_000 + "\n": "nested too deep",
    '[[part]]\nref = "cpu/intel-pentium-g4560\\u001b]0;t\\u0007"\n': "\\x1b]0;t\\x07",
}


@pytest.mark.parametrize("command", ["check", "power", "swap"])
@pytest.mark.parametrize("text", list(BAD_BUILDS), ids=list(BAD_BUILDS.values()))
def test_wrong_typed_builds_are_one_line_in_every_command(tmp_path, command, text):
    f = tmp_path / "b.toml"
    f.write_text(text)
    extra = ["gpu", "--market", "us"] if command == "swap" else []
    refused(cli(command, f, *extra, "--no-db"), BAD_BUILDS[text], "b.toml")


def test_the_guarded_path_under_clirunner_is_one_line_too(tmp_path):
    from typer.testing import CliRunner

    from dlrig.cli import app

    fifo = tmp_path / "b.toml"
    os.mkfifo(fifo)
    r = CliRunner().invoke(app, ["check", str(fifo), "--no-db"])
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "FIFO" in lines[0]


# -- escape sequences and markup in names ---------------------------------------------------

HOSTILE_NAMES = ('name = "\\u001b]0;owned\\u0007\\u001b[2J[/][bold]B"\n'
                 'notes = "\\u009b31m"\n'
                 '[[part]]\ncategory = "cpu"\nname = "\\u001b[31m[/]CPU\\r"\nsocket = "AM4"\n'
                 'microarchitecture = "Zen"\ngeneration = "ryzen-1000"\ncores = 4\nthreads = 8\n'
                 'base_clock_ghz = 3.0\ntdp_w = 65\n'
                 '[[part]]\nref = "Zotac GeForce GTX 1070 Mini"\n')


@pytest.mark.parametrize("argv", [
    ["check", "@"], ["check", "@", "--json"], ["power", "@"], ["power", "@", "--json"],
    ["swap", "@", "gpu", "--market", "us"], ["swap", "@", "cpu", "--market", "us", "--json"],
    ["fit", "llama-3.2-1b", "--build", "@"],
], ids=" ".join)
def test_escapes_and_markup_in_names_never_reach_the_terminal(tmp_path, argv):
    f = tmp_path / "b.toml"
    f.write_text(HOSTILE_NAMES)
    r = cli(*[f if a == "@" else a for a in argv], "--no-db")
    clean_run(r)
    if argv[0] in ("check", "power") and "--json" not in argv:
        assert "\\x1b]0;owned\\x07\\x1b[2J[/][bold]B" in r.out  # shown, not obeyed
    if argv[0] == "check" and "--json" not in argv:
        assert "\\x1b[31m[/]CPU" in r.out


def test_a_database_row_is_cleaned_as_it_is_read():
    """The store validates each part row's JSON with the same model (dlrig.store)."""
    from pydantic import TypeAdapter

    from dlrig.parts import Part

    row = json.dumps({"category": "case", "id": "case/x\u001b[2J", "name": "Case\u001b]0;t\u0007",
                      "form_factors": ["ATX"], "brand": "\u009bB"})
    part = TypeAdapter(Part).validate_json(row)
    assert (part.id, part.name, part.brand) == ("case/x\\x1b[2J", "Case\\x1b]0;t\\x07", "\\x9bB")


def test_a_model_title_from_a_file_is_cleaned():
    from dlrig.llm import resolve_model
    from dlrig.llm.models import ModelSpec

    data = resolve_model("llama-3.2-1b").model_dump()
    data["title"] = "Llama\u001b]0;owned\u0007"
    data["aliases"] = ("x\u001b[2J",)
    m = ModelSpec.model_validate(data)
    assert m.title == "Llama\\x1b]0;owned\\x07" and m.aliases == ("x\\x1b[2J",)


# -- outputs: checked before any work, never over a FIFO, nothing created -------------------

PLAN = ["plan", "--market", "us", "--no-db", "--budget", "1000"]
SWEEP = ["sweep", "--market", "us", "--no-db", "--from", "900", "--to", "1000", "--step", "100"]


def _fifo(tmp: Path, name: str) -> Path:
    os.mkfifo(tmp / name)
    return tmp / name


def _link_to_fifo(tmp: Path, name: str) -> Path:
    (tmp / name).symlink_to(_fifo(tmp, "target.fifo"))
    return tmp / name


OUTPUTS = {
    "save fifo": (lambda t: [*PLAN, "--save", _fifo(t, "p.toml")], "FIFO"),
    "save link to fifo": (lambda t: [*PLAN, "--save", _link_to_fifo(t, "p.toml")], "FIFO"),
    "save folder": (lambda t: [*PLAN, "--save", t], "folder"),
    "save missing folder": (lambda t: [*PLAN, "--save", t / "no" / "p.toml"], "does not exist"),
    "save empty": (lambda t: [*PLAN, "--save", ""], "no file name"),
    "save stdout": (lambda t: [*PLAN, "--save", "-"], "stdout"),
    "csv fifo": (lambda t: [*SWEEP, "--csv", _fifo(t, "s.csv")], "FIFO"),
    "plot fifo": (lambda t: [*SWEEP, "--plot", _fifo(t, "s.png")], "FIFO"),
    "plot xyz": (lambda t: [*SWEEP, "--plot", t / "s.xyz"], ".xyz"),
    "bench json fifo": (lambda t: ["bench", "--result", RESULT, "--json", _fifo(t, "r.json")],
                        "FIFO"),
    "bench json missing folder": (lambda t: ["bench", "--json", t / "no" / "r.json"],
                                  "does not exist"),
}


@pytest.mark.parametrize("case", list(OUTPUTS))
def test_outputs_are_refused_before_any_work_and_nothing_changes(tmp_path, case):
    argv, words = OUTPUTS[case]
    argv = argv(tmp_path)
    before = _listing(tmp_path)
    t = time.perf_counter()
    r = cli(*argv)
    line = refused(r, words)
    assert time.perf_counter() - t < 5  # no solve, no measurement
    assert r.out == "" and "status" not in line
    assert _listing(tmp_path) == before
    for p in tmp_path.iterdir():
        if p.name.endswith((".fifo", ".toml", ".csv", ".png", ".json")) and not p.is_symlink():
            assert stat.S_ISFIFO(p.stat().st_mode)


def test_outputs_that_are_fine_are_written(tmp_path):
    clean_run(cli(*SWEEP, "--plot", tmp_path / "s.svg", "--csv", tmp_path / "s.csv"))
    assert (tmp_path / "s.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "s.csv").read_text().startswith("budget,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "s.svg"]


# -- option values --------------------------------------------------------------------------

BIG = str(10**30)
OPTIONS = [
    (["sweep", "--market", "us", "--no-db", "--from", "nan", "--to", "1000", "--step", "100"],
     "--from"),
    (["sweep", "--market", "us", "--no-db", "--from", "500", "--to", "1000", "--step", "1e400"],
     "--step"),
    ([*PLAN, "--dataset-gb", BIG], "--dataset-gb"),
    ([*PLAN, "--time-limit", "nan"], "--time-limit"),
    ([*PLAN, "--circuit-w", "-1"], "--circuit-w"),
    ([*PLAN, "--model", "llama-3.1-8b", "--context", BIG], "--context"),
    ([*PLAN, "--model", "llama-3.1-8b", "--users", "0"], "--users"),
    (["check", BUILD, "--no-db", "--dataset-gb", BIG], "--dataset-gb"),
    (["check", BUILD, "--no-db", "--model", "llama-3.1-8b", "--context", "1e400"], "--context"),
    (["power", BUILD, "--no-db", "--hours-per-day", "nan"], "hours per day"),
    (["power", BUILD, "--no-db", "--tariff", "inf"], "tariff"),
    (["fit", "llama-3.1-8b", "--context", BIG], "--context"),
    (["fit", "llama-3.1-8b", "--task", "lora", "--batch", BIG], "--batch"),
    (["gpus", "--limit", "-1"], "--limit"),
    (["swap", BUILD, "gpu", "--no-db", "--market", "us", "--per-page", "nan"], "--per-page"),
    (["swap", BUILD, "gpu", "--no-db", "--market", "us", "--price-max", "nan"], "--price-max"),
    (["bench", "--only", ""], "--only"),
    (["demo", "--budget", "1e400"], "finite"),
]


@pytest.mark.parametrize("argv, words", OPTIONS, ids=[" ".join(map(str, a[-2:])) for a, _ in OPTIONS])
def test_hostile_option_values_are_one_line(argv, words):
    refused(cli(*argv), words)


NOBODY = "~no_such_user_dlrig/x"  # Path.expanduser raises for an unknown user
ODD_PATHS = [
    (["check", NOBODY + ".toml", "--no-db"], "not found"),
    (["check", "", "--no-db"], "folder"),
    (["check", "/", "--no-db"], "folder"),
    (["check", "\x1b[2J.toml", "--no-db"], "\\x1b[2J.toml"),
    (["fit", NOBODY + ".gguf"], "not found"),
    (["fit", NOBODY + "/config.json"], "not found"),
    (["bench", "--result", NOBODY + ".json"], "no bench result"),
    ([*PLAN, "--save", NOBODY + ".toml"], "does not exist"),
    ([*PLAN, "--model", "/"], "/config.json: not found"),
]


@pytest.mark.parametrize("argv, words", ODD_PATHS, ids=[" ".join(a[:1] + a[-1:]) for a, _ in ODD_PATHS])
def test_odd_paths_are_one_line(argv, words):
    refused(cli(*argv), words)


VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "-1", "0", "1e400", "1e-400", BIG, "", " ", "-0",
                     "1e308", "0x10", "1_000", "１２"]),
    st.floats().map(repr), st.integers().map(str),
    st.text(st.characters(blacklist_characters="\x00"), max_size=12))
CHEAP = [  # commands that finish in milliseconds when the value is fine
    (["check", BUILD, "--no-db"], ["--circuit-w", "--dataset-gb", "--workload", "--market",
                                   "--power-limit"]),
    (["power", BUILD, "--no-db"], ["--tariff", "--hours-per-day", "--days-per-year",
                                   "--utilisation", "--currency", "--power-limit"]),
    (["fit", "llama-3.2-1b"], ["--context", "--batch", "--users", "--rank", "--max-gpus",
                               "--limit", "--quant", "--kv-type", "--task"]),
    (["gpus"], ["--limit", "--workload", "--sort", "--show"]),
    (["swap", BUILD, "gpu", "--no-db", "--market", "us"],
     ["--per-page", "--workload", "--search", "--filter", "--price-max", "--page", "--sort"]),
]
PAIRS = [(base, opt) for base, opts in CHEAP for opt in opts]


@given(st.sampled_from(PAIRS), VALUES)
@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
def test_random_option_values_never_give_a_traceback(pair, value):
    base, option = pair
    r = cli(*base, option, value)
    if r.code == 2:
        refused(r)
    else:
        clean_run(r)
