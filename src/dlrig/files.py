"""Every file dlrig reads or writes goes through here: one set of limits for every input.

Hostile or mistaken inputs found before this module: a FIFO given as a price list hung the
importer forever, ``/dev/zero`` and a 1 GiB CSV line ended in ``MemoryError`` tracebacks,
``--save`` over a FIFO replaced it with a regular file. So:

- **Inputs** must be regular files (after following symlinks): a FIFO, a device, a socket
  or a folder is refused before it is opened, so nothing blocks. Each kind of input has a
  size limit (``LIMITS``); a larger file is refused, never read into memory.
- **Outputs** are written to a temporary file in the target's folder and renamed over it,
  so a failed write leaves nothing half-written; an existing target that is not a regular
  file (a FIFO, a device) is refused.

Errors are ``InputError`` with ``field`` set to what the path was given as, one line each.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import InputError

MB = 1024 * 1024
# The most dlrig reads of each kind of input: far beyond any real one, far below memory.
LIMITS = {
    "build": 4 * MB,  # a TOML build or a PCPartPicker list: a few KB
    "price list": 64 * MB,  # a store's CSV: thousands of rows
    "rates": 16 * MB,
    "bench result": 16 * MB,
    "model config": 16 * MB,  # a Hugging Face config.json
    "model file": 4 * 1024 * 1024 * MB,  # a .gguf: only its header is read (mapped, not loaded)
    "archive": 1024 * MB,  # open-db / pc-part-dataset archives (compressed)
    "archive member": 64 * MB,  # one file inside an archive, decompressed
    "archive total": 2048 * MB,  # all files inside an archive, decompressed
}

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a folder"))


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return None if stat.S_ISREG(mode) else "not a regular file"


def expand(path: str | Path) -> Path:
    """``path`` with a leading ``~`` expanded; as given when it cannot be (``~nobody/x``:
    ``Path.expanduser`` raises for an unknown user, and the file is then simply not found)."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        return Path(path)


def check_input(path: str | Path, what: str = "build", *, field: str | None = None,
                limit: int | None = None) -> Path:
    """``path`` if it is a regular file no larger than the limit for ``what``; else one line.

    Symlinks are followed (a link to ``/dev/zero`` is a device). Nothing is opened.
    """
    p = expand(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(f"{what} file not found: {p}", hint="check the path",
                         field=field) from None
    except OSError as e:
        raise InputError(f"cannot read {what} file {p}: {e.strerror or e}",
                         hint="check the path and its permissions", field=field) from None
    kind = _kind(st.st_mode)
    if kind is not None:
        raise InputError(f"{what} file {p} is {kind}, not a regular file",
                         hint="give the path of a file", field=field)
    cap = limit if limit is not None else LIMITS.get(what, 64 * MB)
    if st.st_size > cap:
        raise InputError(f"{what} file {p} is {st.st_size / MB:,.0f} MB, more than the "
                         f"{cap / MB:,.0f} MB a {what} can be", hint="check it is the right file",
                         field=field)
    return p


def read_bytes(path: str | Path, what: str = "build", *, field: str | None = None,
               limit: int | None = None) -> bytes:
    """The whole of a checked input (``check_input``), read with the cap enforced again (a
    file that grows while read is cut off and refused, never read without end)."""
    p = check_input(path, what, field=field, limit=limit)
    cap = limit if limit is not None else LIMITS.get(what, 64 * MB)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise InputError(f"cannot read {what} file {p}: {e.strerror or e}",
                         hint="check its permissions", field=field) from None
    with os.fdopen(fd, "rb") as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise InputError(f"{what} file {p} is larger than the {cap / MB:,.0f} MB a {what} can be",
                         hint="check it is the right file", field=field)
    return data


def read_text(path: str | Path, what: str = "build", *, field: str | None = None,
              limit: int | None = None) -> str:
    """A checked input as UTF-8 text (a BOM is dropped)."""
    data = read_bytes(path, what, field=field, limit=limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file", hint="save it as UTF-8",
                         field=field) from None


def check_output(path: str | Path, what: str = "output", *, field: str | None = None) -> Path:
    """Where an output may be written: its folder exists and is writable, and it is a new
    file or a regular one (never a folder, FIFO or device; a symlink is judged by what it
    points to). Checked before any work, so nothing is wasted and nothing is created."""
    p = expand(path)
    if not str(path).strip():
        raise InputError(f"no file name for the {what}", hint="give the name of a file",
                         field=field)
    try:
        st = p.stat()  # follows a symlink: where it points decides
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise InputError(f"cannot write {what} {p}: a part of the path is a file, not a folder",
                         hint="give a path through folders", field=field) from None
    except OSError as e:
        import errno

        hint = ("use a shorter name" if e.errno == errno.ENAMETOOLONG
                else "check the folder's permissions")
        raise InputError(f"cannot write {what} {p}: {e.strerror or e}",
                         hint=hint, field=field) from None
    if st is not None:
        kind = _kind(st.st_mode)
        if kind is not None:
            raise InputError(f"cannot write {what} {p}: it is {kind}",
                             hint="give the name of a file", field=field)
    folder = (p.resolve() if p.is_symlink() else p).parent
    if not folder.is_dir():
        raise InputError(f"cannot write {what} {p}: folder {folder} does not exist",
                         hint="create it first, or write somewhere else", field=field)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {what} {p}: folder {folder} is not writable",
                         hint="write somewhere else", field=field)
    return p


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once, at import (os.umask can only be read by setting it): new outputs get the
# permissions any program's new files get (0644 under the usual umask), not mkstemp's 0600.
_NEW_FILE_MODE = 0o666 & ~_umask()


def write_output(path: str | Path, data: str | bytes, what: str = "output", *,
                 field: str | None = None) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder, flushed to disk,
    and a rename: never half-written, and never over something that is not a regular file.
    A file replaced keeps its permissions; a new one gets the umask's."""
    p = check_output(path, what, field=field)
    target = p.resolve() if p.is_symlink() else p
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = _NEW_FILE_MODE
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise InputError(f"cannot write {what} {p}: {e.strerror or e}",
                         hint="check the folder's permissions and free space",
                         field=field) from None
    done = False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        done = True
    except OSError as e:
        raise InputError(f"cannot write {what} {p}: {e.strerror or e}",
                         hint="check the folder's permissions and free space",
                         field=field) from None
    finally:
        if not done:  # a full disk, or Ctrl-C mid-write: no temporary file is left behind
            Path(tmp).unlink(missing_ok=True)
    return p
