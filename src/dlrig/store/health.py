"""Is the database sound, and making it so: the row checks ``load_catalog`` applies on
every read, ``dlrig db check`` and ``dlrig db repair``.

A database can be damaged by a disk (corrupt pages), by hand (``sqlite3 dlrig.db`` and an
``UPDATE``), or by an older dlrig that stored what it should have refused (a rate of
1e400 made every plan in its market die with ``decimal.InvalidOperation``). The entry
points validate what they write (``dlrig.validate``); the checks here cover what is
already stored, so a bad row is ignored and counted on read, listed by ``check`` and
removed by ``repair`` (after a backup copy), never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import get_args

from pydantic import TypeAdapter

from ..errors import DatabaseError
from ..market import Rate, RateKind
from ..parts import Part
from ..units import CURRENCIES
from .db import Connection, connect, damaged_error, failure, open_readonly, resolve_path
from .schema import SCHEMA_VERSION, reference

# The most a single part can cost, in minor units of any currency dlrig knows: 10^10
# units (ten billion pesos or yen) is thousands of times the dearest GPU in the dearest
# of them, so anything above is a typo or an overflow, not a price.
MAX_PRICE_MINOR = 10**12
KINDS = frozenset(get_args(RateKind))
PART = TypeAdapter(Part)


# -- one row at a time ----------------------------------------------------------------
def day(value) -> dt.date | None:
    """An ISO date as stored, or None when it is not one."""
    if type(value) is not str:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def part_problem(pid, data) -> tuple[Part | None, str]:
    """(the part, '') or (None, why the row is not a part)."""
    if type(data) not in (str, bytes):
        return None, f"its data is {type(data).__name__}, not JSON"
    try:
        part = PART.validate_json(data)
    except (ValueError, TypeError, RecursionError) as e:
        errs = getattr(e, "errors", None)
        why = errs()[0].get("msg", "invalid") if callable(errs) and errs() else str(e)
        return None, f"its data is not a valid part ({why.splitlines()[0][:120]})"
    if part.id != pid:
        return None, f"its data describes another part ({part.id})"
    return part, ""


def price_problem(amount, currency, date, source, store=None) -> str:
    """Why a price row cannot be a price ('' when it can)."""
    if type(amount) is not int:
        return f"amount {amount!r} is not a whole number of cents"
    if not 0 < amount <= MAX_PRICE_MINOR:
        return f"amount {amount} (minor units) is not a price"
    if currency not in CURRENCIES:
        return f"unknown currency {currency!r}"
    if day(date) is None:
        return f"date {date!r} is not a date"
    if type(source) is not str or not source:
        return f"source {source!r} is not a name"
    if store is not None and type(store) is not str:
        return f"store {store!r} is not a name"
    return ""


def rate_problem(base, quote, kind, date, rate, source, buy=None) -> tuple[Rate | None, str]:
    """(the rate, '') or (None, why the row is not a usable rate)."""
    from ..validate import RATE_RANGE

    base, quote = (c.strip().upper() if type(c) is str else c for c in (base, quote))
    if base not in CURRENCIES or quote not in CURRENCIES or base == quote:
        return None, f"currency pair {base!r}/{quote!r} is not one dlrig prices in"
    if kind not in KINDS:
        return None, f"unknown kind {kind!r}"
    d = day(date)
    if d is None:
        return None, f"date {date!r} is not a date"
    try:
        value = Decimal(str(rate).strip())
    except (InvalidOperation, ValueError):
        return None, f"rate {rate!r} is not a number"
    lo, hi = RATE_RANGE
    if not value.is_finite() or not lo <= value <= hi:
        return None, f"rate {rate} is outside {lo}-{hi:,}"
    if type(source) is not str:
        return None, f"source {source!r} is not a name"
    bought = None
    if buy is not None:
        try:
            bought = Decimal(str(buy).strip())
        except (InvalidOperation, ValueError):
            return None, f"buying rate {buy!r} is not a number"
        if not bought.is_finite() or not lo <= bought <= hi:
            return None, f"buying rate {buy} is outside {lo}-{hi:,}"
    return Rate.model_construct(base=base, quote=quote, rate=value, date=d, kind=kind,
                                source=source, buy=bought), ""


def unmatched_problem(amount, date, status) -> str:
    if amount is not None and (type(amount) is not int or not 0 <= amount <= MAX_PRICE_MINOR):
        return f"amount {amount!r} is not a price"
    if day(date) is None:
        return f"date {date!r} is not a date"
    if status not in ("unmatched", "ambiguous"):
        return f"unknown status {status!r}"
    return ""


@dataclass(frozen=True)
class Problem:
    table: str
    rowid: int
    what: str  # the row, as a person finds it: the part id, the rate's pair and date
    reason: str

    def line(self) -> str:
        return f"{self.table} {self.what}: {self.reason}"


# What each checked table's rows are read as, and the check that applies.
_SCANS = {
    "parts": "SELECT rowid, id, data, category FROM parts",
    "prices": "SELECT rowid, part_id, market, amount_minor, currency, date, source, store FROM prices",
    "rates": "SELECT rowid, base, quote, kind, date, rate, source FROM rates",
    "sources": "SELECT rowid, name, credit FROM sources",
    "unmatched": "SELECT rowid, source, name, amount_minor, date, status FROM unmatched",
}


def _row_problem(table: str, row: tuple) -> tuple[str, str]:
    """(what, reason) for one row of ``_SCANS[table]`` ('' reason when it is sound)."""
    if table == "parts":
        _, pid, data, category = row
        part, why = part_problem(pid, data)
        if part is not None and category != part.category.value:
            why = f"category {category!r} does not match its data ({part.category.value})"
        return repr(pid), why
    if table == "prices":
        _, pid, market, amount, cur, date, source, store = row
        return (f"{pid!r} {market} {date}", price_problem(amount, cur, date, source, store))
    if table == "rates":
        _, base, quote, kind, date, rate, source = row
        return f"{base}->{quote} {kind} {date}", rate_problem(base, quote, kind, date, rate,
                                                             source)[1]
    if table == "sources":
        _, name, credit = row
        return repr(name), "" if type(credit) is str and credit else f"credit {credit!r} is not text"
    _, source, name, amount, date, status = row
    return f"{source} {date} {str(name)[:40]!r}", unmatched_problem(amount, date, status)


def bad_rows(conn: Connection, tables=None) -> tuple[list[Problem], dict[str, int], list[str]]:
    """(problems, rows checked per table, tables that could not be read to the end)."""
    present = _tables(conn)
    problems: list[Problem] = []
    checked: dict[str, int] = {}
    unreadable: list[str] = []
    for table, sql in _SCANS.items():
        if table not in present or (tables is not None and table not in tables):
            continue
        n = 0
        try:
            for row in conn.execute(sql):
                n += 1
                what, why = _row_problem(table, row)
                if why:
                    problems.append(Problem(table, row[0], what, why))
        except DatabaseError as e:
            unreadable.append(f"{table}: unreadable after {n:,} rows ({e.message})")
        checked[table] = n
    return problems, checked, unreadable


def _tables(conn: Connection) -> dict[str, list[str]]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {n: [r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')] for n in names}


def _indexes(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


# -- dlrig db check -------------------------------------------------------------------
@dataclass
class Health:
    path: Path
    version: int
    integrity: list[str] = field(default_factory=list)  # integrity_check's findings
    schema: list[str] = field(default_factory=list)  # missing tables or columns
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # worth knowing, not wrong

    @property
    def ok(self) -> bool:
        return not (self.integrity or self.schema or self.problems or self.unreadable)

    def summary(self) -> str:
        parts = []
        if self.integrity:
            parts.append(f"{len(self.integrity)} damaged-page finding"
                         + ("s" if len(self.integrity) != 1 else ""))
        if self.schema:
            parts.append(f"{len(self.schema)} schema problem" + ("s" if len(self.schema) != 1 else ""))
        if self.unreadable:
            parts.append(f"{len(self.unreadable)} unreadable table"
                         + ("s" if len(self.unreadable) != 1 else ""))
        if self.problems:
            by: dict[str, int] = {}
            for p in self.problems:
                by[p.table] = by.get(p.table, 0) + 1
            parts.append(f"{len(self.problems)} bad row" + ("s" if len(self.problems) != 1 else "")
                         + " (" + ", ".join(f"{n} in {t}" for t, n in sorted(by.items())) + ")")
        return "; ".join(parts) or "ok"


def _expected(version: int) -> dict[str, tuple[str, list[str]]]:
    return reference(version if 0 < version <= SCHEMA_VERSION else SCHEMA_VERSION)


def _no_database(path: Path) -> DatabaseError:
    return DatabaseError(f"no database at {path}", hint="give the path with --db, or set DLRIG_DB",
                         field="db", code="no_database")


def check(path: str | Path | None = None) -> Health:
    """Everything ``dlrig db check`` says about the database at ``path`` (never writes)."""
    path = resolve_path(path)
    if not path.is_file():
        raise _no_database(path)
    conn = open_readonly(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        h = Health(path, version)
        if version > SCHEMA_VERSION:
            h.schema.append(f"schema v{version} is newer than this dlrig's (v{SCHEMA_VERSION}): "
                            "upgrade dlrig to check it")
            return h
        try:
            found = [r[0] for r in conn.execute("PRAGMA integrity_check(100)")]
            h.integrity = [] if found == ["ok"] else found
        except DatabaseError as e:
            h.integrity = [e.message]
        tables = _tables(conn)
        if version <= 0:
            h.schema.append(f"schema version {version} is not one dlrig writes (hand-edited?)")
        elif version < SCHEMA_VERSION:
            h.notes.append(f"schema v{version}: the next command that writes upgrades it to "
                           f"v{SCHEMA_VERSION}")
        for name, (sql, cols) in _expected(version).items():
            if not sql.startswith("CREATE TABLE"):
                continue
            if name not in tables:
                h.schema.append(f"table {name} is missing")
            elif missing := [c for c in cols if c not in tables[name]]:
                h.schema.append(f"table {name} lacks column{'s' if len(missing) > 1 else ''} "
                                + ", ".join(missing))
        try:
            fks = conn.execute("PRAGMA foreign_key_check").fetchall()
            h.schema += [f"{t} row {rowid}: refers to a missing {parent} row"
                         for t, rowid, parent, _ in fks]
        except DatabaseError:
            pass  # reported by integrity_check
        broken = {s.split()[1] for s in h.schema if s.startswith("table ")}
        h.problems, h.checked, h.unreadable = bad_rows(
            conn, [t for t in _SCANS if t not in broken])
        if "prices" in tables and "parts" in tables and not h.unreadable:
            h.notes += _orphans(conn)
        return h
    finally:
        conn.close()


def _orphans(conn: Connection) -> list[str]:
    """Prices of parts neither the database nor the built-in catalog has: unused, not wrong."""
    from ..catalog import builtin

    known = {p.id for p in builtin().parts()}
    try:
        ids = [r[0] for r in conn.execute(
            "SELECT DISTINCT part_id FROM prices WHERE part_id NOT IN (SELECT id FROM parts)")]
    except DatabaseError:
        return []
    lost = [i for i in ids if i not in known]
    if not lost:
        return []
    return [f"prices of {len(lost)} part{'s' if len(lost) != 1 else ''} no catalog has "
            f"(e.g. {lost[0]!r}) are kept but not used"]


# -- dlrig db repair ------------------------------------------------------------------
@dataclass
class Repair:
    path: Path
    backup: Path | None = None
    removed: list[Problem] = field(default_factory=list)
    recreated: list[str] = field(default_factory=list)  # tables and indexes made anew
    rebuilt: bool = False  # damaged pages: the rows that could be read, copied to a new file
    saved: dict[str, int] = field(default_factory=dict)  # rows copied per table (rebuilt)
    skipped: dict[str, int] = field(default_factory=dict)  # damaged regions passed over
    dropped: dict[str, int] = field(default_factory=dict)  # rows breaking a constraint
    before: Health | None = None
    after: Health | None = None

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.recreated or self.rebuilt or self.dropped)


def backup_copy(path: Path) -> Path:
    """``<name>.bak-<time>``: through SQLite when it can read the file (WAL included),
    else the raw bytes of the file and its ``-wal``."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    dst = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while dst.exists():
        dst = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    try:
        src = open_readonly(path)
        try:
            copy = sqlite3.connect(str(dst))
            try:
                src.backup(copy)
            finally:
                copy.close()
            return dst
        finally:
            src.close()
    except (sqlite3.Error, DatabaseError, OSError):  # fall back to copying the bytes
        for suffix in ("", "-journal"):
            dst.with_name(dst.name + suffix).unlink(missing_ok=True)
    try:
        shutil.copyfile(path, dst)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, dst.with_name(dst.name + "-wal"))
    except OSError as e:
        dst.unlink(missing_ok=True)
        from .db import fault

        raise fault(e, dst) from None
    return dst


def repair(path: str | Path | None = None) -> Repair:
    """Make the database sound again, after a backup copy.

    Bad rows are removed (the backup keeps them), missing tables and indexes are made
    anew, the schema version is set, then the file is compacted (VACUUM). A file with
    damaged pages is rebuilt: every row SQLite can still read, past the damaged pages,
    is copied into a new file that replaces it. A file SQLite cannot read at all is left
    as it is, with a copy, and the error says to import again.
    """
    path = resolve_path(path)
    if not path.is_file():
        raise _no_database(path)
    try:
        before = check(path)
    except DatabaseError as e:
        if e.code not in ("db_corrupt", "db_notadb", "db_schema", "db_error"):
            raise
        backup = backup_copy(path)
        raise failure(f"{path} is too damaged for SQLite to read ({e.message})",
                     f"move it away and import again ('dlrig catalog update', then your price "
                     f"lists and rates); a copy of it is at {backup}", "db_unrepairable") from None
    out = Repair(path, before=before)
    if before.version > SCHEMA_VERSION:
        raise failure(f"database {path} has schema v{before.version}, newer than this dlrig "
                     f"(v{SCHEMA_VERSION})", "upgrade dlrig to repair it; nothing was changed",
                     "db_newer", exit_code=2)
    if before.ok:
        out.after = before
        return out
    out.backup = backup_copy(path)
    if before.integrity or before.unreadable:
        _rebuild(path, before, out)
    else:
        _fix_in_place(path, before, out)
    if 0 < before.version < SCHEMA_VERSION:
        from .db import Database

        Database(path, create=False).close()  # the usual upgrade (with its own backup)
    out.after = check(path)
    return out


def _fix_in_place(path: Path, before: Health, out: Repair) -> None:
    conn = connect(path, "rw")
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            target = before.version if 0 < before.version <= SCHEMA_VERSION else SCHEMA_VERSION
            out.recreated = _fix_schema(conn, reference(target), out.dropped)
            out.removed = _remove_bad(conn)
            if before.version <= 0:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("VACUUM")
    finally:
        conn.close()


def _fix_schema(conn: Connection, expected: dict[str, tuple[str, list[str]]],
                dropped: dict[str, int]) -> list[str]:
    """Create missing tables and indexes; a table lacking columns is remade with them
    (its rows copied; rows that break a constraint of the full table are left out)."""
    made = []
    tables = _tables(conn)
    for name, (sql, cols) in expected.items():
        if not sql.startswith("CREATE TABLE"):
            continue
        if name not in tables:
            conn.execute(sql)
            made.append(f"table {name}")
        elif any(c not in tables[name] for c in cols):
            common = ", ".join(f'"{c}"' for c in cols if c in tables[name])
            conn.execute(f'ALTER TABLE "{name}" RENAME TO "_old_{name}"')
            conn.execute(sql)
            n0 = conn.total_changes
            conn.execute(f'INSERT OR IGNORE INTO "{name}" ({common}) SELECT {common} FROM "_old_{name}"')
            kept = conn.total_changes - n0
            had = conn.execute(f'SELECT COUNT(*) FROM "_old_{name}"').fetchone()[0]
            conn.execute(f'DROP TABLE "_old_{name}"')
            made.append(f"table {name} (with its missing columns)")
            if had > kept:  # a NOT NULL column it never had: those rows cannot be kept
                dropped[name] = had - kept
    indexes = _indexes(conn)
    for name, (sql, _) in expected.items():
        if sql.startswith("CREATE INDEX") and name not in indexes:
            conn.execute(sql)
            made.append(f"index {name}")
    return made


def _remove_bad(conn: Connection) -> list[Problem]:
    problems, _, _ = bad_rows(conn)
    for p in problems:
        conn.execute(f'DELETE FROM "{p.table}" WHERE rowid = ?', (p.rowid,))
    return problems


def _rebuild(path: Path, before: Health, out: Repair) -> None:
    """Copy every readable row into a new file with the full schema; it replaces ``path``."""
    tmp = path.with_name(path.name + ".repair-tmp")
    for suffix in ("", "-wal", "-shm", "-journal"):
        tmp.with_name(tmp.name + suffix).unlink(missing_ok=True)
    old = connect(path, "rw")
    new = None
    try:
        old.execute("BEGIN IMMEDIATE")  # no writer may change it while it is copied
        new = connect(tmp, "rwc")
        target = before.version if 0 < before.version <= SCHEMA_VERSION else SCHEMA_VERSION
        expected = reference(target)
        have = _tables(old)
        new.execute("BEGIN")
        for name, (sql, cols) in expected.items():
            new.execute(sql)
            if not sql.startswith("CREATE TABLE") or name not in have:
                if sql.startswith("CREATE TABLE"):
                    out.recreated.append(f"table {name}")
                continue
            common = [c for c in cols if c in have[name]]
            rows, gaps = _salvage(old, name, common)
            marks = ", ".join("?" for _ in common)
            names = ", ".join(f'"{c}"' for c in common)
            n0 = new.total_changes
            new.executemany(f'INSERT OR IGNORE INTO "{name}" ({names}) VALUES ({marks})', rows)
            out.saved[name] = new.total_changes - n0
            if len(rows) > out.saved[name]:  # a NULL, a duplicate, a failed CHECK
                out.dropped[name] = len(rows) - out.saved[name]
            if gaps:
                out.skipped[name] = gaps
        out.removed = _remove_bad(new)
        new.execute(f"PRAGMA user_version = {target}")
        new.execute("COMMIT")
        new.execute("PRAGMA journal_mode=WAL")
        new.close()
        new = None
        old.execute("ROLLBACK")
        old.close()
        old = None
        for suffix in ("-wal", "-shm"):  # the damaged file's log must not meet the new file
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        os.replace(tmp, path)
        out.rebuilt = True
    finally:
        if new is not None:
            new.close()
        if old is not None:
            old.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            tmp.with_name(tmp.name + suffix).unlink(missing_ok=True)


def _salvage(conn: Connection, table: str, cols: list[str]) -> tuple[list[tuple], int]:
    """The rows of ``table`` that can be read, skipping damaged pages; (rows, how many
    damaged regions were passed over).

    Forward until a page fails; then one row at a time (the cursor reads a row ahead, so
    the failure may surface a row early) up to the first that cannot be read; then on
    from the first rowid past the damage from which reading works again.
    """
    names = ", ".join(f'"{c}"' for c in cols)
    forward = f'SELECT rowid, {names} FROM "{table}" WHERE rowid >= ? ORDER BY rowid'
    one = forward + " LIMIT 1"
    rows: list[tuple] = []
    gaps = 0
    start: int | None = -(1 << 63)
    while start is not None:
        last = None
        try:
            for r in conn.execute(forward, (start,)):
                rows.append(tuple(r[1:]))
                last = r[0]
            break
        except DatabaseError:
            gaps += 1
        x = last + 1 if last is not None else start
        while True:
            try:
                r = conn.execute(one, (x,)).fetchone()
            except DatabaseError:
                break
            if r is None:
                return rows, gaps
            rows.append(tuple(r[1:]))
            x = r[0] + 1
        start = _readable_from(conn, table, x)
    return rows, gaps


def _readable_from(conn: Connection, table: str, lo: int) -> int | None:
    """The smallest rowid above ``lo`` from which ``table`` reads again (None: nowhere)."""
    top = (1 << 63) - 1

    def reads(x: int) -> bool:
        try:
            conn.execute(f'SELECT rowid FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1',
                         (x,)).fetchone()
            return True
        except DatabaseError:
            return False

    step = 1
    while not reads(min(lo + step, top)):
        if lo + step >= top:
            return None
        step *= 2
    bad, good = lo + step // 2, min(lo + step, top)  # reads(bad) failed (or bad == lo)
    while good - bad > 1:
        mid = (bad + good) // 2
        if reads(mid):
            good = mid
        else:
            bad = mid
    return good


# -- what load_catalog says about the rows it left out ---------------------------------
@dataclass
class Damage:
    """Rows ``load_catalog`` ignored because they cannot be what their table holds."""

    path: Path
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, table: str) -> None:
        self.counts[table] = self.counts.get(table, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        from .db import default_db_path

        n = self.total
        where = "" if self.path == default_db_path() else f" --db {self.path}"
        detail = ", ".join(f"{k} {t}" for t, k in sorted(self.counts.items()))
        return (f"{n} damaged database row{'s' if n != 1 else ''} ignored ({detail}): run "
                f"'dlrig db check{where}'")


__all__ = ["Damage", "Health", "Problem", "Repair", "backup_copy", "bad_rows", "check",
           "damaged_error", "day", "part_problem", "price_problem", "rate_problem", "repair"]
