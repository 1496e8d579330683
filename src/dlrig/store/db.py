"""Opening the SQLite database: location, WAL, migrations, atomic writes.

Every import runs inside ``Database.transaction()``: one ``BEGIN IMMEDIATE``
... ``COMMIT``. In WAL mode an import that raises, or a process killed
halfway, leaves the committed state exactly as it was (SQLite discards the
uncommitted frames on the next open).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import DatabaseError
from .schema import MIGRATIONS, SCHEMA_VERSION


def default_db_path() -> Path:
    """``$DLRIG_DB`` if set, else ``<user data dir>/dlrig.db`` (platformdirs)."""
    env = os.environ.get("DLRIG_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("dlrig", appauthor=False)) / "dlrig.db"


def resolve_path(path: str | Path | None) -> Path:
    return Path(path).expanduser() if path else default_db_path()


class Database:
    """A connection to dlrig's database, migrated to the current schema."""

    def __init__(self, path: str | Path | None = None, *, create: bool = True):
        self.path = resolve_path(path)
        if not self.path.exists() and not create:
            raise DatabaseError(
                f"no database at {self.path}",
                hint="import data first: 'dlrig catalog update' or 'dlrig catalog import open-db PATH'",
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except (sqlite3.Error, OSError) as e:
            raise DatabaseError(
                f"cannot open database {self.path}: {e}",
                hint="check the path, or give another (or set DLRIG_DB)", field="db",
            ) from None
        if version > SCHEMA_VERSION:
            self.conn.close()
            raise DatabaseError(
                f"database {self.path} has schema v{version}, newer than this dlrig (v{SCHEMA_VERSION})",
                hint="upgrade dlrig, or use another database file", field="db",
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)

    # -- schema --------------------------------------------------------------
    def _migrate(self, version: int) -> None:
        """Apply the missing migrations in one transaction, after a backup copy.

        An existing database is first copied to ``<name>.bak-v<version>`` so
        that even a bug in a migration cannot cost the user their prices.
        """
        has_data = version > 0
        if has_data:
            backup = self.path.with_name(f"{self.path.name}.bak-v{version}")
            dst = sqlite3.connect(str(backup))
            with dst:
                self.conn.backup(dst)
            dst.close()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            for i in range(version, SCHEMA_VERSION):
                for stmt in _statements(MIGRATIONS[i]):
                    self.conn.execute(stmt)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            self.conn.execute("ROLLBACK")
            raise DatabaseError(f"cannot migrate {self.path} to schema v{SCHEMA_VERSION}: {e}",
                                hint="the database was left unchanged") from None

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # -- transactions ----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: commit on success, roll back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

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
        return [r[0] for r in self.conn.execute("SELECT credit FROM sources ORDER BY name")]

    def close(self) -> None:
        self.conn.close()

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
    a, b = sqlite3.connect(str(src)), sqlite3.connect(str(dst))
    with b:
        a.backup(b)
    a.close()
    b.close()
