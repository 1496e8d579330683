"""dlrig.files (one reader and writer for every file) and dlrig.text (control characters).

Hostile inputs from issue 12: a FIFO hung the readers, ``/dev/zero`` and a symlink to it
ended in MemoryError, ``--save`` over a FIFO replaced it, and escape sequences in names
reached the terminal. Each case here is made for real (``os.mkfifo``, a sparse file over
the limit, a symlink to a device) and must be refused before anything is opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlrig import files
from dlrig.errors import MAX_MESSAGE, DlrigError, InputError
from dlrig.text import clean, show

ZERO = Path("/dev/zero")
needs_zero = pytest.mark.skipif(not ZERO.exists(), reason="no /dev/zero here")


pytestmark = pytest.mark.usefixtures("no_hang")


def _one_line(e: DlrigError) -> str:
    line = e.one_line()
    assert "\n" not in line and line.strip()
    return line


# -- inputs ---------------------------------------------------------------------------------

def test_a_regular_file_is_read_and_a_bom_dropped(tmp_path):
    f = tmp_path / "b.toml"
    f.write_bytes("\ufeffname = 'é'\n".encode())
    assert files.read_text(f) == "name = 'é'\n"


def test_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for read in (files.check_input, files.read_bytes, files.read_text):
        with pytest.raises(InputError, match="FIFO") as e:
            read(fifo, "build")
        _one_line(e.value)


@needs_zero
def test_dev_zero_and_a_symlink_to_it_are_devices(tmp_path):
    link = tmp_path / "zero.toml"
    link.symlink_to(ZERO)
    for p in (ZERO, link):
        with pytest.raises(InputError, match="character device") as e:
            files.read_bytes(p, "bench result")
        _one_line(e.value)


def test_a_folder_and_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="folder"):
        files.read_text(tmp_path, "build")
    with pytest.raises(InputError, match="not found"):
        files.read_text(tmp_path / "nope.toml", "build")


def test_a_sparse_file_over_the_limit_is_refused_unread(tmp_path):
    f = tmp_path / "big.toml"
    with open(f, "wb") as h:
        h.truncate(files.LIMITS["build"] + 1)  # sparse: no disk used, nothing to read
    with pytest.raises(InputError, match="more than the 4 MB") as e:
        files.read_bytes(f, "build")
    _one_line(e.value)


def test_a_limit_given_by_the_caller_is_the_limit(tmp_path):
    """``limit`` replaces the kind's limit (an archive member's size, say)."""
    f = tmp_path / "r.json"
    f.write_bytes(b"x" * 100)
    assert files.read_bytes(f, "bench result", limit=100) == b"x" * 100
    with pytest.raises(InputError):
        files.read_bytes(f, "bench result", limit=99)


def test_non_utf8_is_one_line(tmp_path):
    f = tmp_path / "b.toml"
    f.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(InputError, match="UTF-8") as e:
        files.read_text(f)
    _one_line(e.value)


# -- outputs --------------------------------------------------------------------------------

def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.lstat().st_mode, p.lstat().st_mtime_ns) for p in folder.iterdir()}


def test_an_output_is_written_whole_with_ordinary_permissions(tmp_path):
    out = tmp_path / "plan.toml"
    files.write_output(out, "a = 1\n")
    assert out.read_text() == "a = 1\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o600)
    files.write_output(out, b"b = 2\n")
    assert out.read_bytes() == b"b = 2\n" and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml"]  # no temporary left


def test_a_fifo_target_is_refused_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    link = tmp_path / "link.csv"
    link.symlink_to(fifo)
    before = _listing(tmp_path)
    for target in (fifo, link):
        with pytest.raises(InputError, match="FIFO") as e:
            files.write_output(target, "x", "file", field="csv")
        _one_line(e.value)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _listing(tmp_path) == before


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_a_device_target_is_refused():
    with pytest.raises(InputError, match="character device"):
        files.check_output("/dev/null", "file")


def test_folders_missing_folders_and_empty_names(tmp_path):
    with pytest.raises(InputError, match="folder"):
        files.check_output(tmp_path, "file")
    with pytest.raises(InputError, match="does not exist"):
        files.check_output(tmp_path / "no" / "x.csv", "file")
    with pytest.raises(InputError, match="no file name"):
        files.check_output("", "file")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused_before_work(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(InputError, match="not writable"):
            files.check_output(ro / "x.csv", "file")
    finally:
        ro.chmod(0o755)


def test_a_symlink_to_a_regular_file_is_written_through(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text("old")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    files.write_output(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_history_plot_path_refuses_a_fifo(tmp_path):
    from dlrig.report.history import check_plot_path

    fifo = tmp_path / "h.png"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        check_plot_path(fifo)
    with pytest.raises(InputError, match=".png"):
        check_plot_path(tmp_path / "h.xyz")


# -- control characters ---------------------------------------------------------------------

HOSTILE = [
    "\x1b]0;owned\x07",  # OSC: set the window title, ended by BEL
    "\x1b[2J\x1b[H",  # CSI: clear the screen, cursor home
    "\x9b31m",  # 8-bit CSI (C1)
    "a\rb",  # carriage return: overwrite the line
    "\x7f\x00\x08",  # DEL, NUL, backspace
    "\u202eevil",  # right-to-left override
]
UNSAFE = {chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)]} | set(
    "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@pytest.mark.parametrize("text", HOSTILE)
def test_clean_shows_control_characters_as_escapes(text):
    out = clean(text)
    assert not set(out) & UNSAFE
    assert "\\x" in out or "\\u" in out or out == "a b"


def test_clean_keeps_ordinary_unicode_and_makes_one_line():
    text = "Café Ñandú 漢字 한국어 العربية 👩‍💻"
    assert clean(text) == text
    assert clean("a\nb\tc\r\nd") == "a b c d"
    assert clean("a\nb\tc\r\nd", lines=True) == "a\nb\tc\nd"


@given(st.text())
@settings(max_examples=200, deadline=None, derandomize=True)
def test_clean_is_safe_idempotent_and_changes_only_what_it_must(text):
    out = clean(text)
    assert not set(out) & UNSAFE
    assert clean(out) == out
    if not set(text) & UNSAFE:
        assert out == text
    assert clean(clean(text, limit=50), limit=50) == clean(text, limit=50)
    assert len(clean(text, limit=50)) <= 50


def test_show_is_short_and_never_fails():
    assert show(10**5000).startswith("a number of about 5001 digits")
    assert len(show("x" * 10_000_000)) < 70
    assert show([[1]]) == "a list of 1" and show(float("nan")) == "nan"
    assert show("\x1b[2J") == "'\\x1b[2J'"


def test_every_error_message_is_one_clean_capped_line():
    e = InputError("unknown part 'x\x1b]0;t\x07\ny'" + "z" * 10_000, hint="try\x9b1m this")
    line = _one_line(e)
    assert not set(line) & UNSAFE
    assert len(e.message) <= MAX_MESSAGE and "\\x1b]0;t\\x07 y" in line
    assert e.hint == "try\\x9b1m this"
