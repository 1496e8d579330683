"""The console script's own error handling: one line on stderr, exit 2."""

import subprocess
import sys

import pytest

from dlrig import __version__


def run(*args):
    return subprocess.run([sys.executable, "-c", "from dlrig.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args, needle", [
    (["plan", "--market", "us", "--budget", "abc"], "--budget: budget 'abc' is not a number"),
    (["plan", "--budget", "100"], "Missing option '--market'"),
    (["plan", "--market", "us", "--budget", "nan"], "--budget: budget 'nan' is not a number"),
    (["nosuchcommand"], "No such command"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle):
    r = run(*args)
    assert r.returncode == 2
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    assert needle in lines[0] and "Traceback" not in r.stderr


def test_version():
    r = run("--version")
    assert r.returncode == 0 and __version__ in r.stdout


def test_unknown_part_suggests_parts_of_the_same_category(tmp_path):
    from dlrig.catalog import builtin
    from dlrig.errors import UnknownPartError

    with pytest.raises(UnknownPartError) as e:
        builtin().resolve("cpu/nonexistent-thing")
    suggested = e.value.one_line().split("closest matches:")[1]
    assert "[cpu/" in suggested and "[gpu/" not in suggested and "[storage/" not in suggested
