"""THE catalog every command and the web read: built-in parts, plus the local database.

One rule, the same for ``plan``, ``sweep``, ``check``, ``power``, ``fit``,
``gpus``, ``catalog``, ``prices`` and ``serve``:

- ``--db PATH``: that database (it must exist: a typo must not silently plan
  on built-in data);
- ``--no-db``: the built-in catalog only;
- otherwise the local database when it exists (``$DLRIG_DB``, else the user
  data dir where ``dlrig catalog import`` writes), else the built-in catalog.

Built-in parts win over imported parts with the same id, so a saved plan's
references resolve the same way everywhere (``plan --save`` then ``check``).
Loaded catalogs are kept per (path, modification time, date), so the web and
a sweep read a database once until an import changes it.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from . import Catalog

_CACHE: dict[tuple, Catalog] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Source:
    """Where a command's catalog comes from (said in reports: 'catalog: built-in + ...')."""

    path: Path | None  # None: the built-in catalog only
    explicit: bool = False

    def describe(self) -> str:
        return "built-in" if self.path is None else f"built-in + {self.path}"


def locate(db: str | Path | None = None, *, no_db: bool = False) -> Source:
    """The database a command reads (see the module docstring); checked before any work."""
    from ..store.db import default_db_path

    if db is not None and no_db:
        raise InputError("a database path and 'no database' exclude each other",
                         hint="give one of them", field="db")
    if no_db:
        return Source(None)
    if db is not None and str(db) != "":
        path = Path(db).expanduser()
        if path.is_dir():
            raise InputError(f"database path {path} is a folder",
                             hint="give the path of a dlrig database file, e.g. ~/dlrig.db",
                             field="db")
        if not path.is_file():
            raise InputError(f"no database at {path}",
                             hint="import parts first ('dlrig catalog import open-db "
                                  "buildcores-open-db.tar.gz'), or give no path to use the "
                                  "default database or the built-in catalog", field="db")
        return Source(path, explicit=True)
    path = default_db_path()
    return Source(path if path.is_file() else None)


def open_catalog(db: str | Path | None = None, *, no_db: bool = False,
                 as_of: dt.date | None = None, prices: bool = True,
                 source: Source | None = None) -> Catalog:
    """The catalog for a command: built-in, merged with the database ``locate`` finds."""
    src = source or locate(db, no_db=no_db)
    if src.path is None:
        from . import builtin

        return builtin()
    try:
        stamp = _stamp(src.path)
    except OSError as e:
        raise InputError(f"cannot read the database {src.path}: {e.strerror or e}") from None
    key = (str(src.path), stamp, as_of, prices)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
    from ..store import load_catalog

    cat = load_catalog(src.path, as_of=as_of, prices=prices)
    with _LOCK:
        for k in [k for k in _CACHE if k[0] == key[0]]:
            del _CACHE[k]  # an older state of the same file
        _CACHE[key] = cat
    return cat


def _stamp(path: Path) -> tuple:
    """What changes when the database does: the file, and SQLite's write-ahead log (an
    import lands in ``-wal`` until a checkpoint moves it into the file)."""
    st = path.stat()
    wal = path.with_name(path.name + "-wal")
    w = wal.stat() if wal.exists() else None
    return (st.st_mtime_ns, st.st_size, w.st_mtime_ns if w else 0, w.st_size if w else 0)


def clear() -> None:
    """Forget loaded databases (tests; after writing to a database in place)."""
    with _LOCK:
        _CACHE.clear()
