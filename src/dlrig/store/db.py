"""Opening the SQLite database: location, WAL, migrations, atomic writes, faults.

Every import runs inside ``Database.transaction()``: one ``BEGIN IMMEDIATE``
... ``COMMIT``. In WAL mode an import that raises, or a process killed
halfway, leaves the committed state exactly as it was (SQLite discards the
uncommitted frames on the next open).

**One place for SQLite's failures** (``fault``). Every statement runs through
``Connection``/``Cursor`` below, so a busy, full, read-only, damaged or
unreadable database reaches the user as one ``DatabaseError`` line that says
what to do, from the CLI, the web and the importers alike, never as a
traceback. These are the tool's failures, not the input's: exit code 1.

- A second writer waits ``BUSY_TIMEOUT`` seconds (not SQLite's 30), then says
  the database is busy. Readers never wait for a writer (WAL).
- Where the file or its folder cannot be written, a command that only reads
  still works: it opens the file read-only (``mode=ro``), and where even the
  ``-shm`` file cannot be created (a read-only folder), as immutable.
- No failed command leaves a database file behind: a ``Database`` that
  created its file removes it on ``close`` unless a transaction committed.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import DatabaseError
from .schema import MIGRATIONS, SCHEMA_VERSION, TABLES

# Seconds a writer waits for another writer before saying the database is busy. Imports
# hold the lock only while they write (they parse first), so a few seconds cover a
# 'rates set' behind another; a long import is reported, not waited for.
BUSY_TIMEOUT = 5.0
# Below this much free space an I/O failure is reported as a full disk.
_FULL_BELOW = 1 << 20


def default_db_path() -> Path:
    """``$DLRIG_DB`` if set, else ``<user data dir>/dlrig.db`` (platformdirs)."""
    env = os.environ.get("DLRIG_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("dlrig", appauthor=False)) / "dlrig.db"


def resolve_path(path: str | Path | None) -> Path:
    return Path(path).expanduser() if path else default_db_path()


# -- SQLite's states, as one line each ------------------------------------------------
_NOTHING = "nothing was changed"


def failure(message: str, hint: str, code: str, exit_code: int = 1,
            field: str | None = None) -> DatabaseError:
    """A ``DatabaseError``; ``field='db'`` only where the path given is at fault."""
    e = DatabaseError(message, hint=hint, field=field, code=code)
    e.exit_code = exit_code  # the tool (its storage), not the input, failed
    return e


def _writable(p: Path) -> bool:
    return os.access(p, os.W_OK)


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent if path.parent.exists() else ".").free < _FULL_BELOW
    except OSError:
        return False


def readonly_error(path: Path, what: str = "") -> DatabaseError:
    """Why ``path`` cannot be written: the file, its folder, or the disk."""
    folder = path.parent
    if not _writable(folder):
        return failure(f"the folder {folder} is read-only: SQLite must write the database's "
                      f"-wal and -shm files beside {path.name} to create or change it{what}",
                      f"make the folder writable, or copy the database to a writable folder "
                      f"and give that path with --db or DLRIG_DB; {_NOTHING}", "db_readonly")
    if path.exists() and not _writable(path):
        return failure(f"the database {path} is read-only{what}",
                      f"make it writable (chmod u+w {path}), or copy it elsewhere and give "
                      f"that path with --db or DLRIG_DB; {_NOTHING}", "db_readonly")
    return failure(f"the database {path} cannot be written{what} (attempt to write a "
                  "read-only database)", f"check the disk is mounted read-write; {_NOTHING}",
                  "db_readonly")


def full_error(path: Path) -> DatabaseError:
    return failure(f"the disk holding {path} is full (or the database reached its size limit)",
                  f"free some space, or give a database on another disk with --db; {_NOTHING}",
                  "db_full")


def busy_error(path: Path) -> DatabaseError:
    return failure(f"the database {path} is busy: another dlrig command is writing to it "
                  f"(waited {BUSY_TIMEOUT:g} s)",
                  f"try again when it finishes; {_NOTHING}", "db_busy")


def damaged_error(path: Path, detail: str) -> DatabaseError:
    return failure(f"the database {path} is damaged ({detail})",
                  "run 'dlrig db repair' (it keeps a backup copy first), or import again into "
                  "a new database", "db_corrupt")


def fault(e: BaseException, path: Path) -> DatabaseError:
    """THE mapping from a SQLite (or file system) failure to one line with a fix."""
    if isinstance(e, DatabaseError):
        return e
    if isinstance(e, OSError) and not isinstance(e, sqlite3.Error):
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            return full_error(path)
        if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return readonly_error(path)
        return failure(f"cannot use the database {path}: {e.strerror or e}",
                      f"check the path and its folder; {_NOTHING}", "db_io")
    code = getattr(e, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    name = getattr(e, "sqlite_errorname", None) or type(e).__name__
    text = (str(e).splitlines() or [name])[0]
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return busy_error(path)
    if primary == sqlite3.SQLITE_FULL or (
            primary in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN) and _disk_full(path)):
        return full_error(path)
    if primary == sqlite3.SQLITE_READONLY:
        if name == "SQLITE_READONLY_DBMOVED":
            return failure(f"the database {path} was moved or deleted while in use",
                          f"run the command again; {_NOTHING}", "db_io")
        return readonly_error(path)
    if primary in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        if (path.parent.is_dir() and not _writable(path.parent)) or (
                path.exists() and not _writable(path)):
            return readonly_error(path)
        return failure(f"cannot open the database {path} ({text})",
                      "check that the file and its folder exist and can be read", "db_cantopen")
    if primary == sqlite3.SQLITE_CORRUPT:
        return damaged_error(path, text)
    if primary == sqlite3.SQLITE_NOTADB:
        return failure(f"{path} is not a dlrig database, or its first page is damaged ({text})",
                      "give the path of a dlrig database; if it was one, move it away and "
                      "import again ('dlrig catalog update'), or run 'dlrig db repair' to keep "
                      "a copy and see what can be saved", "db_notadb")
    if primary == sqlite3.SQLITE_IOERR:
        return failure(f"cannot read or write the database {path}: disk I/O error ({name})",
                      f"check the disk and its free space, then run the command again; {_NOTHING}",
                      "db_io")
    if primary == sqlite3.SQLITE_NOMEM:
        return failure(f"SQLite ran out of memory reading {path}",
                      f"close other programs and run the command again; {_NOTHING}", "db_io")
    if "no such table" in text or "no such column" in text or "has no column" in text:
        return failure(f"the database {path} lacks part of its schema ({text}; hand-edited or "
                      "damaged)", "run 'dlrig db repair' to recreate it (it keeps a backup "
                      "copy first), or import again into a new database", "db_schema")
    return failure(f"database error on {path}: {text}", f"run 'dlrig db check'; {_NOTHING}",
                  "db_error")


class Cursor(sqlite3.Cursor):
    """A cursor whose failures are ``fault`` lines (iteration included)."""

    def execute(self, sql, parameters=(), /):
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as e:
            raise fault(e, self.connection.path) from None

    def executemany(self, sql, seq, /):
        try:
            return super().executemany(sql, seq)
        except sqlite3.Error as e:
            raise fault(e, self.connection.path) from None

    def executescript(self, script, /):
        try:
            return super().executescript(script)
        except sqlite3.Error as e:
            raise fault(e, self.connection.path) from None

    def fetchone(self):
        try:
            return super().fetchone()
        except sqlite3.Error as e:
            raise fault(e, self.connection.path) from None

    def fetchmany(self, size=1):
        try:
            return super().fetchmany(size)
        except sqlite3.Error as e:
            raise fault(e, self.connection.path) from None

    def fetchall(self):
        try:
            return super().fetchall()
        except sqlite3.Error as e:
            raise fault(e, self.connection.path) from None

    def __next__(self):
        try:
            return super().__next__()
        except sqlite3.Error as e:
            raise fault(e, self.connection.path) from None


class Connection(sqlite3.Connection):
    """``sqlite3.Connection`` whose statements raise ``fault`` lines; ``path`` names it."""

    path: Path

    def cursor(self, factory=Cursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq, /):
        return self.cursor().executemany(sql, seq)

    def executescript(self, script, /):
        return self.cursor().executescript(script)

    def commit(self):
        try:
            super().commit()
        except sqlite3.Error as e:
            raise fault(e, self.path) from None

    def rollback(self):
        try:
            super().rollback()
        except sqlite3.Error as e:
            raise fault(e, self.path) from None


def connect(path: Path, mode: str, *, immutable: bool = False) -> Connection:
    """A ``Connection`` to ``path`` opened with ``mode`` ro, rw (must exist) or rwc.

    The URI form makes SQLite itself refuse to create a file in ro and rw mode
    (no race between "does it exist" and opening it).
    """
    uri = path.absolute().as_uri() + f"?mode={mode}" + ("&immutable=1" if immutable else "")
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT,
                               factory=Connection)
    except sqlite3.Error as e:
        raise fault(e, path) from None
    conn.path = path
    try:  # SQLite opens lazily: read the schema now, so an unreadable file fails here
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except DatabaseError:
        conn.close()
        raise
    return conn


def _wal_has_frames(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def open_readonly(path: Path) -> Connection:
    """Read ``path`` without writing anything, even in a read-only folder.

    Where the file can be written it is opened as usual but ``query_only`` (so the last
    reader to close still tidies SQLite's -wal and -shm files away). Otherwise
    ``mode=ro``, which still needs the ``-shm`` file of a WAL database; where even that
    cannot be created (a read-only folder) and no ``-wal`` holds changes, the file is
    opened as immutable: nobody can write it there either, so nothing changes under us.
    """
    try:
        conn = connect(path, "rw")
        conn.execute("PRAGMA query_only = 1")
        return conn
    except DatabaseError as e:
        if e.code not in ("db_readonly", "db_cantopen"):
            raise
    try:
        return connect(path, "ro")
    except DatabaseError as e:
        if e.code not in ("db_readonly", "db_cantopen") or _wal_has_frames(path):
            raise
    return connect(path, "ro", immutable=True)


class Database:
    """A connection to dlrig's database, migrated to the current schema.

    ``create``: a missing file is created (and removed again on ``close`` when
    nothing was committed: a failed or dry-run command leaves no file behind).
    ``readonly``: never writes (read commands); also what a ``create=False``
    database falls back to where the file or its folder cannot be written.
    """

    def __init__(self, path: str | Path | None = None, *, create: bool = True,
                 readonly: bool = False):
        self.path = resolve_path(path)
        self.readonly = readonly
        self.conn: Connection | None = None
        self._created = False
        self._committed = False
        self._made: list[Path] = []
        if self.path.exists():
            if not self.path.is_file():
                raise failure(f"{self.path} is not a database file", "give the path of a dlrig "
                             "database file, e.g. ~/dlrig.db", "db_path", exit_code=2, field="db")
        elif create and not readonly:
            self._make_folder()
            self._created = True
        else:
            raise DatabaseError(
                f"no database at {self.path}",
                hint="import data first: 'dlrig catalog update' or 'dlrig catalog import open-db PATH'",
                field="db", code="no_database",
            )
        try:
            self.conn = self._open()
            version = self._checked_version()
            self._configure()
            if version < SCHEMA_VERSION:
                self._upgrade(version)
        except BaseException:
            self._discard()
            raise

    # -- opening -------------------------------------------------------------------
    def _make_folder(self) -> None:
        missing = [p for p in [self.path.parent, *self.path.parent.parents] if not p.exists()]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise fault(e, self.path) from None
        self._made = missing  # innermost first: removed in this order if nothing is kept

    def _open(self) -> Connection:
        if self.readonly:
            return open_readonly(self.path)
        try:
            return connect(self.path, "rwc" if self._created else "rw")
        except DatabaseError as e:
            if self._created or e.code not in ("db_readonly", "db_cantopen"):
                raise
            self.readonly = True  # reads still work where writes cannot
            return open_readonly(self.path)

    def _configure(self) -> None:
        """WAL and friends: only once the file is known to be dlrig's (the journal mode
        is written into the file's header)."""
        if self.readonly:
            return
        try:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
        except DatabaseError as e:
            if self._created or e.code != "db_readonly":
                raise
            self.conn.close()
            self.conn = None
            self.readonly = True
            self.conn = open_readonly(self.path)

    def _checked_version(self) -> int:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise failure(f"database {self.path} has schema v{version}, newer than this dlrig "
                         f"(v{SCHEMA_VERSION})", "upgrade dlrig, or use another database file",
                         "db_newer", exit_code=2, field="db")
        if version < 0:
            raise failure(f"database {self.path} has schema version {version}, which no dlrig "
                         "writes (hand-edited?)", "run 'dlrig db repair'", "db_schema")
        if version == 0:
            tables = {r[0] for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
            if tables & set(TABLES):
                raise failure(f"database {self.path} has dlrig's tables but no schema version "
                             "(hand-edited?)", "run 'dlrig db repair'", "db_schema")
            if tables:
                raise failure(f"{self.path} is an SQLite database, but not dlrig's (it has "
                             f"tables {', '.join(sorted(tables)[:5])})",
                             "give the path of a dlrig database, or a new file", "db_not_dlrig",
                             exit_code=2, field="db")
        return version

    def _upgrade(self, version: int) -> None:
        if not self.readonly:
            self._migrate(version)
            return
        # A read-only open of an older database: upgrade through a writable connection
        # (as every command did before), or say why that cannot be done.
        self.conn.close()
        self.conn = None
        try:
            self.conn = connect(self.path, "rw")
            self._migrate(version)
        except DatabaseError as e:
            if e.code in ("db_readonly", "db_cantopen"):
                e = readonly_error(self.path, f" (it must be upgraded from schema v{version} "
                                              f"to v{SCHEMA_VERSION} once)")
            raise e from None
        finally:
            if self.conn is not None:
                self.conn.close()
                self.conn = None
        self.conn = open_readonly(self.path)

    # -- schema --------------------------------------------------------------
    def _migrate(self, version: int) -> None:
        """Apply the missing migrations in one transaction, after a backup copy.

        An existing database is first copied to ``<name>.bak-v<version>`` so
        that even a bug in a migration cannot cost the user their prices.
        """
        if version > 0:
            backup = self.path.with_name(f"{self.path.name}.bak-v{version}")
            try:
                dst = sqlite3.connect(str(backup))
                with dst:
                    self.conn.backup(dst)
                dst.close()
            except (sqlite3.Error, OSError) as e:
                backup.unlink(missing_ok=True)
                raise fault(e, self.path) from None
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while this one waited for the lock.
            now_at = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for i in range(now_at, SCHEMA_VERSION):
                for stmt in _statements(MIGRATIONS[i]):
                    self.conn.execute(stmt)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.conn.execute("COMMIT")
        except DatabaseError as e:
            self._rollback()
            raise failure(f"cannot upgrade {self.path} to schema v{SCHEMA_VERSION}: {e.message}",
                         e.hint or "the database was left unchanged", e.code or "db_error") from None

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # -- transactions ----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """All-or-nothing: commit on success, roll back on any exception."""
        if self.readonly:
            raise readonly_error(self.path)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except DatabaseError:
                self._rollback()
                raise
            self._committed = True

    def _rollback(self) -> None:
        """Roll back if a transaction is open (SQLite ends some on its own: a full disk)."""
        if self.conn is not None and self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except DatabaseError:
                pass  # the connection is closed next; SQLite discards the frames

    def log_import(self, conn: sqlite3.Connection, kind: str, path: str, summary: dict) -> None:
        conn.execute(
            "INSERT INTO imports (kind, path, at, summary) VALUES (?, ?, ?, ?)",
            (kind, path, now(), json.dumps(summary, sort_keys=True)),
        )

    def set_source(self, conn: sqlite3.Connection, name: str, credit: str, version: str | None) -> None:
        conn.execute(
            "INSERT INTO sources (name, credit, version, imported_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET credit=excluded.credit, version=excluded.version, "
            "imported_at=excluded.imported_at",
            (name, credit, version, now()),
        )

    def credits(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT credit FROM sources ORDER BY name")
                if isinstance(r[0], str)]

    # -- closing ---------------------------------------------------------------
    def close(self) -> None:
        """Close; a file this object created and never committed to is removed."""
        if self.conn is None:
            return
        remove = self._created and not self._committed and self._empty()
        self.conn.close()
        self.conn = None
        if remove:
            self._remove_files()

    def _discard(self) -> None:
        """After a failed open: close, and remove the file if this object created it."""
        remove = self._created
        if self.conn is not None:
            remove = remove and self._empty()
            self.conn.close()
            self.conn = None
        if remove:
            self._remove_files()

    def _empty(self) -> bool:
        """No row in any table: nothing anyone wrote (another process included)."""
        try:
            tables = [r[0] for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            return not any(self.conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()
                           for t in tables)
        except DatabaseError:
            return False

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            except OSError:
                pass
        for folder in self._made:
            try:
                folder.rmdir()
            except OSError:
                break

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def copy_database(src: Path, dst: Path) -> None:
    """A consistent copy (for tests and backups) through SQLite's backup API."""
    if not src.exists():
        raise DatabaseError(f"no database at {src}")
    a = open_readonly(src)
    try:
        b = sqlite3.connect(str(dst))
        with b:
            a.backup(b)
        b.close()
    except (sqlite3.Error, OSError) as e:
        raise fault(e, dst) from None
    finally:
        a.close()
