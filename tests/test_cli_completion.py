"""Shell completion: typer's protocol (the variables its bash script sets), through the lazy
root group. Expected values are read from the data folders at test time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import dlrig
from dlrig.cli.lazy import COMMANDS

DATA = Path(dlrig.__file__).parent / "data"
PROBE = """
import json, sys
from dlrig.cli import main
try:
    main([])
finally:
    mods = sorted(m for m in sys.modules if m.startswith("dlrig.cli."))
    print("\\n" + json.dumps(mods), file=sys.stderr)
"""


def complete(words: str, *, code: str = "import sys; from dlrig.cli import main; main([])",
             **env_extra):
    """What bash would offer for ``words`` (the last word is the one being completed)."""
    env = dict(os.environ, _DLRIG_COMPLETE="complete_bash", COMP_WORDS=words,
               COMP_CWORD=str(len(words.split(" ")) - 1), **env_extra)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout.split(), r.stderr


def _stems(kind: str) -> list[str]:
    return sorted(p.stem for p in (DATA / kind).glob("*.toml"))


def test_command_names_complete_from_the_table_without_importing_commands():
    got, err = complete("dlrig ", code=PROBE)
    assert sorted(got) == sorted(COMMANDS)
    imported = json.loads(err.strip().splitlines()[-1])
    assert not {m for m in imported if m.split(".")[2] in {m for m, _ in COMMANDS.values()}}
    assert complete("dlrig pl")[0] == ["plan"]


def test_subcommands_and_options_complete():
    assert set(complete("dlrig catalog ")[0]) >= {"list", "show", "import", "update"}
    assert complete("dlrig plan --mar")[0] == ["--market"]
    assert "--json" in complete("dlrig db check --")[0]


@pytest.mark.parametrize("words, kind, prefix", [
    ("dlrig plan --market a", "markets", "a"),
    ("dlrig gpus -m ", "markets", ""),
    ("dlrig sweep --workload ", "workloads", ""),
    ("dlrig fit qwen", "models", "qwen"),
    ("dlrig plan --model llama-3", "models", "llama-3"),
    ("dlrig models gem", "models", "gem"),
    ("dlrig config set market ", "markets", ""),
])
def test_values_complete_from_the_built_in_tables(words, kind, prefix, tmp_path):
    got, _ = complete(words, DLRIG_MODELS=str(tmp_path), DLRIG_WORKLOADS=str(tmp_path),
                      XDG_CONFIG_HOME=str(tmp_path))
    want = [s for s in _stems(kind) if s.startswith(prefix)]
    assert want and sorted(got) == want


def test_config_keys_complete():
    assert complete("dlrig config set ")[0] == ["market", "currency", "workload", "db"]


def test_show_and_install_completion(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), SHELL="/bin/bash")
    main = "import sys; from dlrig.cli import main; main(sys.argv[1:])"
    r = subprocess.run([sys.executable, "-c", main, "--show-completion", "bash"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0 and "_DLRIG_COMPLETE=complete_bash" in r.stdout
    r = subprocess.run([sys.executable, "-c", main, "--install-completion", "bash"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    script = tmp_path / ".bash_completions" / "dlrig.sh"
    assert "_DLRIG_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()
