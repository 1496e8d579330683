"""``dlrig --help`` from a cache: the root help typer rendered, kept per terminal and source.

Rendering the root help means importing typer's rich help renderer (``typer.rich_utils``
imports rich's Markdown and markdown-it: about 0.14 s, most of the command's time). The
root help depends only on the command table and root options (``cli/lazy.py``,
``cli/root.py``), the typer and rich versions, and the terminal it is drawn for (width,
colours, whether it is a terminal). So the first ``dlrig --help`` for a given key renders
it as before and keeps the exact text in the user cache folder (``$DLRIG_CACHE``, like the
GPU-spec index); later ones print that text without importing typer. The key includes the
size and time of every file of ``dlrig/cli`` and of typer's and rich's packages, so an
edit or an upgrade renders again; a missing, unreadable or altered file (its SHA-256 is
kept with it) is rendered again too, and a folder that cannot be written only means no
cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

# What rich and typer read from the environment to decide colours and width.
_ENV = ("COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE",
        "TTY_INTERACTIVE", "TERMINAL_WIDTH", "_TYPER_FORCE_DISABLE_TERMINAL",
        "TYPER_USE_RICH", "JUPYTER_COLUMNS", "JUPYTER_LINES")


def _folder() -> Path:
    folder = os.environ.get("DLRIG_CACHE")
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("dlrig")
    return Path(folder) / "help"


def _stat(path: Path) -> list:
    try:
        st = path.stat()
        return [path.name, st.st_size, st.st_mtime_ns]
    except OSError:
        return [path.name, None, None]


def _package_files(name: str) -> list:
    """Size and time of a package's top files, found without importing it."""
    from importlib.util import find_spec

    spec = find_spec(name)
    if spec is None or not spec.origin:
        return [name, None]
    folder = Path(spec.origin).parent
    return [name] + [_stat(p) for p in sorted(folder.glob("*.py"))]


def key() -> str:
    """What the root help's text depends on, hashed."""
    from .. import __version__

    here = Path(__file__).resolve().parent
    out = sys.stdout
    try:
        tty = out.isatty()
        size = list(os.get_terminal_size(out.fileno())) if tty else None
    except (OSError, ValueError, AttributeError):
        tty, size = False, None
    parts = {
        "python": sys.version, "dlrig": __version__,
        "cli": [_stat(p) for p in sorted(here.glob("*.py"))],
        "typer": _package_files("typer"), "rich": _package_files("rich"),
        "env": {k: os.environ.get(k) for k in _ENV}, "tty": tty, "size": size,
        "encoding": getattr(out, "encoding", None),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def cached(k: str) -> str | None:
    """The kept help text for key ``k``, or None (missing, unreadable or altered)."""
    try:
        data = json.loads((_folder() / f"{k}.json").read_text(encoding="utf-8"))
        text = data["text"]
        if hashlib.sha256(text.encode()).hexdigest() != data["sha256"]:
            return None
        return text
    except (OSError, ValueError, KeyError, TypeError):
        return None


def keep(k: str, text: str) -> None:
    """Write the help text for ``k`` whole (a temporary file renamed over), or nothing."""
    folder = _folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{k}.{os.getpid()}.tmp"
        body = json.dumps({"sha256": hashlib.sha256(text.encode()).hexdigest(), "text": text})
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, folder / f"{k}.json")
    except OSError:
        pass


class Tee:
    """sys.stdout that also keeps what is written (the terminal's own properties, such as
    ``isatty`` and ``fileno``, are the real stream's, so the text is drawn as before).
    Bytes (click writes its closing newline as ``b"\\n"``) go to the real binary stream
    after a flush, as click itself does, and are kept decoded; bytes that do not decode
    make the capture incomplete, so nothing is cached."""

    def __init__(self, stream):
        self._stream = stream
        self.parts: list[str] = []
        self.complete = True

    def write(self, s) -> int:
        if isinstance(s, bytes | bytearray):
            self.keep_bytes(s)
            self._stream.flush()
            return self._stream.buffer.write(s)
        self.parts.append(s)
        return self._stream.write(s)

    def keep_bytes(self, b) -> None:
        try:
            self.parts.append(bytes(b).decode(getattr(self._stream, "encoding", None)
                                              or "utf-8"))
        except (UnicodeDecodeError, LookupError):
            self.complete = False

    @property
    def buffer(self):
        return _Bypass(self, self._stream.buffer)

    @property
    def text(self) -> str | None:
        return "".join(self.parts) if self.complete else None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class _Bypass:
    """The real binary stream; what is written there is kept (decoded) by the Tee."""

    def __init__(self, tee: Tee, stream):
        self._tee, self._stream = tee, stream

    def write(self, b) -> int:
        self._tee.keep_bytes(b)
        return self._stream.write(b)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
