"""``dlrig --help`` from its cache prints exactly what typer renders, without importing typer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _help(cache: Path, columns: int = 100, importtime: bool = False):
    env = dict(os.environ, DLRIG_CACHE=str(cache), COLUMNS=str(columns),
               PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("NO_COLOR", None)
    cmd = [sys.executable] + (["-X", "importtime"] if importtime else []) + [
        "-c", "from dlrig.cli import main; main()", "--help"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout, r.stderr


def _imported(stderr: str) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def test_the_second_help_is_the_same_text_without_typer(tmp_path):
    first, err1 = _help(tmp_path, importtime=True)
    second, err2 = _help(tmp_path, importtime=True)
    assert "Usage: dlrig" in first and second == first
    assert "typer" in _imported(err1)  # rendered by typer the first time
    assert not {"typer", "rich", "click"} & _imported(err2)  # read from the cache after
    assert len(list((tmp_path / "help").glob("*.json"))) == 1


def test_the_cached_text_is_what_an_uncached_run_prints(tmp_path):
    _help(tmp_path)
    cached, _ = _help(tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    uncached, _ = _help(blocked)  # the cache cannot be written: rendered each time
    assert cached == uncached


def test_another_width_is_rendered_for_that_width(tmp_path):
    wide, _ = _help(tmp_path, columns=120)
    narrow, _ = _help(tmp_path, columns=70)
    assert wide != narrow
    assert max(len(line) for line in narrow.splitlines()) <= 70
    assert len(list((tmp_path / "help").glob("*.json"))) == 2


def test_an_altered_cache_file_is_not_printed(tmp_path):
    good, _ = _help(tmp_path)
    (kept,) = (tmp_path / "help").glob("*.json")
    data = json.loads(kept.read_text())
    data["text"] = "Usage: something else\n"
    kept.write_text(json.dumps(data))
    again, _ = _help(tmp_path)
    assert again == good
    kept.write_text('{"sha256": ')  # truncated
    assert _help(tmp_path)[0] == good
