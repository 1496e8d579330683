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
a sweep read a database once until an import changes it; threads asking for the
same database wait for one load instead of each loading it.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import DatabaseError, InputError
from . import Catalog

# Catalogs kept (each date of a dated plan is one): a few, a full one is ~25,000 parts.
MAX_CACHED = 8
_CACHE: dict[tuple, Catalog] = {}  # (path, stamp, as_of, prices) -> catalog; oldest first
_FILLING: dict[str, threading.Lock] = {}  # path -> held while that database is loaded
_LOCK = threading.Lock()  # guards the two dicts


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
    """The catalog for a command: built-in, merged with the database ``locate`` finds.

    Safe to call from many threads (the web): a database is loaded once per state, by
    one thread, while the others wait for it. A database that cannot be read (busy,
    damaged, gone, unreadable) raises one ``DatabaseError`` line, never anything else.
    """
    src = source or locate(db, no_db=no_db)
    if src.path is None:
        from . import builtin

        return builtin()
    try:
        key = (str(src.path), _stamp(src.path), as_of, prices)
    except OSError as e:
        raise _unreadable(src.path, e) from None
    hit = _cached(key)
    if hit is not None:
        return hit
    with _lock_for(src.path):
        hit = _cached(key)  # another thread loaded it while this one waited
        if hit is not None:
            return hit
        cat = _load(src.path, as_of, prices)
        with _LOCK:
            for k in [k for k in _CACHE if k[0] == key[0] and k[1] != key[1]]:
                del _CACHE[k]  # an older state of the same file
            _CACHE[key] = cat
            while len(_CACHE) > MAX_CACHED:
                del _CACHE[next(iter(_CACHE))]  # least recently used first
    return cat


def _cached(key: tuple) -> Catalog | None:
    with _LOCK:
        hit = _CACHE.pop(key, None)
        if hit is not None:
            _CACHE[key] = hit  # most recently used last
        return hit


def _load(path: Path, as_of: dt.date | None, prices: bool) -> Catalog:
    import sqlite3

    from ..store import load_catalog
    from ..store.db import fault

    try:
        return load_catalog(path, as_of=as_of, prices=prices)
    except (sqlite3.Error, OSError) as e:  # the store maps its own; a last guard for the web
        raise fault(e, path) from None


def _lock_for(path: Path) -> threading.Lock:
    with _LOCK:
        return _FILLING.setdefault(str(path), threading.Lock())


def _unreadable(path: Path, e: OSError) -> DatabaseError:
    err = DatabaseError(f"cannot read the database {path}: {e.strerror or e}",
                        hint="check that it exists and can be read", field="db",
                        code="db_cantopen")
    err.exit_code = 1
    return err


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
