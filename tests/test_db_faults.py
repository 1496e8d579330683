"""The database under faults: busy, full, read-only, damaged, hand-edited, and commands that
fail. Each answer is one line on stderr, exit 1 (the tool failed, not the input) or 2 (the
path given is wrong), no traceback, the database unchanged and no file created.

Faults are real where the machine allows: a second connection holding SQLite's write lock,
SQLite's own page limit (``PRAGMA max_page_count`` makes SQLite answer SQLITE_FULL exactly
as a full disk does) and, as root, a 1 MiB tmpfs filled to the last byte, ``chmod`` (or, as
root, whom chmod does not stop, a read-only bind mount / remount), and bytes overwritten in
the file. Only the I/O-error line is checked on a constructed ``sqlite3`` error: a disk that
fails reads cannot be made here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_store_sample import cpu, dump, sample_records, write_sample
from typer.testing import CliRunner

from dlrig.catalog.opendb import import_opendb
from dlrig.cli import app
from dlrig.errors import DatabaseError
from dlrig.store import Database, load_catalog
from dlrig.store import db as dbmod

runner = CliRunner()
ENV = {"COLUMNS": "200"}
ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A small database: the sample open-db parts, a USD->ARS rate and a US price."""
    d = tmp_path_factory.mktemp("tpl")
    p = d / "t.db"
    with Database(p) as db:
        import_opendb(db, write_sample(d / "s"))
        with db.transaction() as c:
            c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2025-01-01', '1000', 't')")
            c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                      "VALUES ('gpu/zotac-geforce-gtx-1070-mini', 'us', 40000, 'USD', '2025-01-02', 't')")
    return p


@pytest.fixture
def db(template, tmp_path) -> Path:
    p = tmp_path / "d.db"
    shutil.copyfile(template, p)
    return p


@pytest.fixture
def big(tmp_path) -> Path:
    """An open-db archive with 200 more CPUs: an import that needs new pages."""
    recs = sample_records()
    recs["CPU"] = [cpu(1000 + i, f"Intel Test CPU {i}") for i in range(200)]
    return write_sample(tmp_path / "big", recs)


def cli(*args, code: int, needle: str):
    """Run a command in-process; assert one line on stderr with ``needle``, exit ``code``."""
    r = runner.invoke(app, list(map(str, args)), env=ENV)
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert isinstance(r.exception, SystemExit), r.exception  # not an uncaught traceback
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, r.stderr
    assert needle in lines[0], lines[0]
    assert "Traceback" not in r.output
    return lines[0]


def ok(*args) -> str:
    r = runner.invoke(app, list(map(str, args)), env=ENV)
    assert r.exit_code == 0, (r.output, r.exception)
    return r.stdout


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def mount(*args) -> bool:
    return subprocess.run(["mount", *map(str, args)], capture_output=True).returncode == 0


# -- busy ------------------------------------------------------------------------------
@pytest.fixture
def writer(db):
    """Another connection holding the write lock, with a change not yet committed."""
    c = sqlite3.connect(db, isolation_level=None)
    c.execute("BEGIN IMMEDIATE")
    c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'blue', '2025-01-03', '1200', 'other')")
    yield c
    c.execute("ROLLBACK")
    c.close()


def test_a_second_writer_waits_briefly_then_says_busy(db, writer, monkeypatch):
    before = dump(db)  # the writer's row is not committed: not in the dump
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT", 0.3)
    t0 = time.monotonic()
    line = cli("rates", "set", "USD", "ARS", "1100", "--date", "2025-01-02", "--db", db,
               code=1, needle="is busy: another dlrig command is writing to it")
    assert time.monotonic() - t0 < 5 and "try again when it finishes" in line
    with pytest.raises(DatabaseError) as e:
        with Database(db) as d, d.transaction():
            pass
    assert e.value.code == "db_busy" and e.value.exit_code == 1
    writer.execute("ROLLBACK")
    writer.execute("BEGIN")
    assert dump(db) == before


def test_readers_are_not_blocked_by_a_writer(db, writer):
    cat = load_catalog(db)  # WAL: the committed state, at once
    assert "cpu/intel-core-i3-7100" in cat
    assert all(r.kind != "blue" for r in cat.rates.all() if r.source == "other")
    assert "schema v" in ok("db", "info", "--db", db)
    ok("catalog", "list", "-c", "cpu", "--db", db)


def test_two_writers_serialise(db):
    """The second waits for the first (within BUSY_TIMEOUT) and both land."""
    gate = threading.Event()

    def first():
        with Database(db) as d, d.transaction() as c:
            c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'blue', '2025-02-01', '1300', 'a')")
            gate.set()
            time.sleep(0.5)

    t = threading.Thread(target=first)
    t.start()
    gate.wait(5)
    t0 = time.monotonic()
    with Database(db) as d, d.transaction() as c:
        waited = time.monotonic() - t0  # BEGIN IMMEDIATE waited for the first to commit
        c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'blue', '2025-02-02', '1310', 'b')")
    t.join()
    assert waited > 0.3
    assert {r[5] for r in dump(db)["rates"]} >= {"a", "b"}


# -- full ------------------------------------------------------------------------------
def test_a_full_database_is_one_line_and_unchanged(db, big, monkeypatch):
    """SQLite's page limit answers SQLITE_FULL, as a full disk does."""
    before = dump(db)
    real = dbmod.connect

    def capped(path, mode, **kw):
        conn = real(path, mode, **kw)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(dbmod, "connect", capped)
    line = cli("catalog", "import", "open-db", big, "--db", db, code=1,
               needle=f"the disk holding {db} is full")
    assert "nothing was changed" in line
    monkeypatch.undo()
    assert dump(db) == before


@pytest.mark.skipif(not ROOT, reason="mounting a tmpfs needs root")
def test_a_full_disk_is_one_line_and_unchanged(template, big, tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if not mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt):
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        p = mnt / "d.db"
        shutil.copyfile(template, p)
        before = dump(p)
        with contextlib.suppress(OSError), open(mnt / "filler", "wb") as f:
            while True:  # fill the disk to the last byte
                f.write(b"\0" * 4096)
                f.flush()
        with contextlib.suppress(OSError), open(mnt / "filler2", "wb") as f:
            while True:
                f.write(b"\0")
                f.flush()
        cli("catalog", "import", "open-db", big, "--db", p, code=1,
            needle=f"the disk holding {p} is full")
        (mnt / "filler").unlink()
        assert dump(p) == before
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


# -- read-only -------------------------------------------------------------------------
@contextlib.contextmanager
def readonly_file(p: Path):
    """``p`` cannot be written: chmod, or as root (whom chmod does not stop) a read-only
    bind mount of the file."""
    if not ROOT:
        p.chmod(0o444)
        try:
            yield
        finally:
            p.chmod(0o644)
        return
    if not (mount("--bind", p, p) and mount("-o", "remount,bind,ro", p)):
        subprocess.run(["umount", str(p)], check=False)
        pytest.skip("cannot make a read-only file here (root, and no bind mounts)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(p)], check=False)


@pytest.fixture
def ro_folder(template, tmp_path):
    """(folder, database) where the folder cannot be written."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if ROOT:
        if not mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", folder):
            pytest.skip("this machine does not allow mounting a tmpfs")
        shutil.copyfile(template, folder / "d.db")
        if not mount("-o", "remount,ro", folder):
            subprocess.run(["umount", str(folder)], check=False)
            pytest.skip("cannot remount read-only")
        try:
            yield folder, folder / "d.db"
        finally:
            subprocess.run(["umount", str(folder)], check=False)
    else:
        shutil.copyfile(template, folder / "d.db")
        folder.chmod(0o555)
        try:
            yield folder, folder / "d.db"
        finally:
            folder.chmod(0o755)


def test_a_read_only_database_file(db):
    before = dump(db)
    with readonly_file(db):
        line = cli("rates", "set", "USD", "ARS", "1100", "--date", "2025-01-02", "--db", db,
                   code=1, needle=f"the database {db} is read-only")
        assert "nothing was changed" in line
        assert "schema v" in ok("db", "info", "--db", db)  # reading still works
        assert "zotac" in ok("catalog", "list", "-c", "gpu", "--db", db).lower()
    assert dump(db) == before


def test_read_only_folder_reads_work_and_writes_say_why(ro_folder):
    folder, p = ro_folder
    before, files = digest(p), sorted(os.listdir(folder))
    assert "schema v" in ok("db", "info", "--db", p)
    assert "zotac" in ok("catalog", "list", "-c", "gpu", "--db", p).lower()
    assert "ok: nothing wrong" in ok("db", "check", "--db", p)
    cat = load_catalog(p)
    assert "cpu/intel-core-i3-7100" in cat
    line = cli("rates", "set", "USD", "ARS", "1100", "--date", "2025-01-02", "--db", p, code=1,
               needle=f"the folder {folder} is read-only")
    assert "-wal and -shm" in line
    cli("rates", "set", "USD", "ARS", "1100", "--date", "2025-01-02", "--db", folder / "new.db",
        code=1, needle=f"the folder {folder} is read-only")
    assert digest(p) == before and sorted(os.listdir(folder)) == files  # no -wal, no -shm


# -- damaged files ---------------------------------------------------------------------
def test_a_file_whose_first_page_is_overwritten(db):
    with open(db, "r+b") as f:
        f.write(b"this is not SQLite" * 10)
    before = digest(db)
    for args in (["db", "info"], ["catalog", "list"], ["db", "check"],
                 ["rates", "set", "USD", "ARS", "1100", "--date", "2025-01-02"]):
        cli(*args, "--db", db, code=1, needle="is not a dlrig database, or its first page is damaged")
    line = cli("db", "repair", "--db", db, code=1, needle="is too damaged for SQLite to read")
    backups = list(db.parent.glob("d.db.bak-*"))
    assert len(backups) == 1 and str(backups[0]) in line and "import again" in line
    assert digest(db) == before and digest(backups[0]) == before


def _many_prices(p: Path, n: int = 3000) -> None:
    c = sqlite3.connect(p)
    c.executemany("INSERT INTO prices (part_id, market, amount_minor, currency, date, source, store) "
                  "VALUES ('cpu/intel-core-i3-7100', 'us', ?, 'USD', '2024-01-01', 'bulk', ?)",
                  [(10000 + i, f"s{i}") for i in range(n)])
    c.commit()
    c.close()


def _leaf_page(p: Path, table: str) -> tuple[int, int, int]:
    """(page number, page size, rows on it) of a leaf page in the middle of ``table``."""
    c = sqlite3.connect(p)
    try:
        pages = c.execute("SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' "
                          "ORDER BY pageno", (table,)).fetchall()
        size = c.execute("PRAGMA page_size").fetchone()[0]
    finally:
        c.close()
    assert len(pages) > 3
    pageno, cells = pages[len(pages) // 2]
    return pageno, size, cells


def test_damaged_pages_are_refused_then_repaired(db):
    _many_prices(db)
    total = dump(db)["prices"]
    pageno, size, cells = _leaf_page(db, "prices")
    with open(db, "r+b") as f:
        f.seek((pageno - 1) * size)
        f.write(b"\xff" * size)
    before = digest(db)
    cli("catalog", "list", "--db", db, code=1, needle="is damaged (database disk image is malformed)")
    cli("db", "info", "--db", db, code=1, needle="run 'dlrig db repair'")
    cli("db", "check", "--db", db, code=1, needle="damaged-page finding")
    assert digest(db) == before
    out = ok("db", "repair", "--db", db)
    assert "rebuilt from its readable rows" in out and "damaged region" in out
    backup = next(db.parent.glob("d.db.bak-*")).read_bytes()  # the damaged file, page by page
    assert backup[(pageno - 1) * size:pageno * size] == b"\xff" * size
    assert "ok: nothing wrong" in ok("db", "check", "--db", db)
    kept = dump(db)["prices"]
    assert len(kept) == len(total) - cells  # only the rows of the damaged page are lost
    assert set(kept) <= set(total)
    assert "cpu/intel-core-i3-7100" in load_catalog(db)


# -- hand-edited rows ------------------------------------------------------------------
BAD_RATES = ["1e400", "0", "-5", "1e-400", "NaN", "abc"]
# Parts only the database has (the built-in catalog's win over the database's).
GOOD_CPU, GOOD_GPU = "cooler/cooler-master-hyper-212", "gpu/some-board-gtx-1060-3gb"
GOOD_RAM = "memory/kingston-valueram-ddr4-2400-16gb-2x8gb"


def _hand_edit(p: Path) -> None:
    """Rows as a hand (or an older dlrig) might leave them."""
    c = sqlite3.connect(p)
    c.execute("PRAGMA ignore_check_constraints = 1")  # as a hand-edited schema would allow
    for i, r in enumerate(BAD_RATES):  # later than the good rate: each would win
        c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', ?, ?, 'hand')",
                  (f"2025-06-{i + 1:02d}", r))
    c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2025-13-40', '1100', 'hand')")
    c.execute("UPDATE parts SET data = '{not json' WHERE id = ?", (GOOD_CPU,))
    c.execute("UPDATE parts SET data = '{\"id\": \"x\"}' WHERE id = ?", (GOOD_GPU,))
    for amount, day in ((10**15, "2025-01-03"), (-1, "2025-01-04"), ("lots", "2025-01-05"),
                        (500, "someday")):
        c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                  "VALUES (?, 'us', ?, 'USD', ?, 'hand')", (GOOD_RAM, amount, day))
    c.commit()
    c.close()


def test_hand_edited_rows_are_ignored_counted_checked_and_repaired(db):
    sane = load_catalog(db).rates.lookup("USD", "ARS", None).rate
    _hand_edit(db)
    cat = load_catalog(db)
    # 'someday' sorts after every date: not read at all (check still finds it).
    assert cat.damage.counts == {"parts": 2, "prices": 3, "rates": len(BAD_RATES) + 1}
    assert "damaged database rows ignored" in cat.sources[-1] and "dlrig db check" in cat.sources[-1]
    assert GOOD_CPU not in cat and GOOD_GPU not in cat
    assert cat.rates.lookup("USD", "ARS", None).rate == sane  # not 1e400, 0 or NaN
    # A plan in the market no longer dies on the rate (it did: decimal.InvalidOperation).
    r = runner.invoke(app, ["plan", "--market", "ar", "--budget", "2000000", "--db", str(db),
                            "--json"], env=ENV)
    assert r.exit_code == 0, r.output
    # ... and says on stderr that rows were left out, and how to look at them.
    assert "damaged database rows ignored" in r.stderr and "dlrig db check" in r.stderr
    assert json.loads(r.stdout)["status"] == "optimal"  # stdout stays clean JSON
    before = dump(db)
    out = runner.invoke(app, ["db", "check", "--db", str(db)], env=ENV)
    assert out.exit_code == 1 and "rate 1e400 is outside" in out.stdout
    assert "its data is not a valid part" in out.stdout and "'someday' is not a date" in out.stdout
    assert dump(db) == before  # check never writes
    rep = ok("db", "repair", "--db", db)
    # The negative amount breaks the table's CHECK: integrity_check finds it, the rebuilt
    # table leaves it out; every other bad row is removed by name.
    assert rep.count("removed:") == 2 + 3 + 1 + len(BAD_RATES)  # the '2025-13-40' rate too
    assert "left out: 1 prices row breaking the table's constraints" in rep
    assert "ok: nothing wrong" in ok("db", "check", "--db", db)
    assert load_catalog(db).damage.total == 0
    assert next(db.parent.glob("d.db.bak-*")).exists()


def test_a_missing_table_is_refused_then_recreated(db):
    c = sqlite3.connect(db)
    c.execute("DROP TABLE rates")
    c.commit()
    c.close()
    before = dump(db)
    cli("catalog", "list", "--db", db, code=1, needle="lacks part of its schema (no such table: rates")
    cli("db", "check", "--db", db, code=1, needle="1 schema problem")
    assert dump(db) == before
    assert "made anew: table rates" in ok("db", "repair", "--db", db)
    assert "ok: nothing wrong" in ok("db", "check", "--db", db)
    ok("catalog", "list", "--db", db)


@pytest.mark.parametrize("version, code, needle", [
    (99, 2, "has schema v99, newer than this dlrig"),
    (-3, 1, "has schema version -3, which no dlrig writes"),
])
def test_an_unknown_schema_version(db, version, code, needle):
    c = sqlite3.connect(db)
    c.execute(f"PRAGMA user_version = {version}")
    c.close()
    before = dump(db)
    cli("catalog", "list", "--db", db, code=code, needle=needle)
    cli("rates", "set", "USD", "ARS", "1100", "--date", "2025-01-02", "--db", db, code=code,
        needle=needle)
    assert dump(db) == before
    if version < 0:
        ok("db", "repair", "--db", db)
        assert "ok: nothing wrong" in ok("db", "check", "--db", db)


def test_another_programs_database_is_not_touched(tmp_path):
    p = tmp_path / "other.db"
    c = sqlite3.connect(p)
    c.execute("CREATE TABLE moz_places (url TEXT)")
    c.commit()
    c.close()
    before = digest(p)
    cli("rates", "set", "USD", "ARS", "1100", "--date", "2025-01-02", "--db", p, code=2,
        needle="is an SQLite database, but not dlrig's")
    assert digest(p) == before


# -- no file created -------------------------------------------------------------------
def test_failed_commands_create_no_database(tmp_path, big):
    new = tmp_path / "a" / "b" / "new.db"
    cli("catalog", "import", "open-db", tmp_path / "absent.tar.gz", "--db", new, code=2,
        needle="absent.tar.gz")
    assert not new.exists() and not (tmp_path / "a").exists()
    csv = tmp_path / "list.csv"
    csv.write_text("name,price\nRTX 4090,1999\n", encoding="utf-8")
    ok("prices", "import", "csv", csv, "--store", "Shop", "--market", "us", "--currency", "USD",
       "--date", "2025-01-02", "--dry-run", "--db", new)
    assert not new.exists() and not (tmp_path / "a").exists()
    cli("db", "info", "--db", new, code=2, needle="no database at")
    assert not new.exists()
    with Database(new):  # opened (as the web's dry-run upload does), nothing written
        pass
    assert not new.exists()
    with pytest.raises(RuntimeError), Database(new) as d, d.transaction():
        raise RuntimeError("an import that fails halfway")
    assert not new.exists() and not list(new.parent.glob("new.db*")) if new.parent.exists() else True
    with Database(new) as d, d.transaction() as c:  # a commit keeps it
        c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2025-01-01', '1000', 't')")
    assert new.exists()
    import_opendb_ok = ok("catalog", "import", "open-db", big, "--db", tmp_path / "fresh.db")
    assert "parts added" in import_opendb_ok and (tmp_path / "fresh.db").exists()


# -- the web reads through catalog.source ----------------------------------------------
def test_source_loads_once_under_concurrent_threads_and_fails_as_one_line(db, monkeypatch):
    import dlrig.store as store
    from dlrig.catalog import source

    source.clear()
    calls = []
    real = store.load_catalog

    def counting(*a, **k):
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to arrive
        return real(*a, **k)

    monkeypatch.setattr(store, "load_catalog", counting)
    src = source.Source(db, explicit=True)
    out: list = []
    threads = [threading.Thread(target=lambda: out.append(source.open_catalog(source=src)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(out) == 8 and all(c is out[0] for c in out)
    # Damaged while the server runs: the next read is one DatabaseError, not a 500.
    with open(db, "r+b") as f:
        f.write(b"garbage!" * 8)
    with pytest.raises(DatabaseError) as e:
        source.open_catalog(source=src)
    assert e.value.code == "db_notadb" and e.value.exit_code == 1
    db.unlink()  # gone
    with pytest.raises(DatabaseError):
        source.open_catalog(source=src)
    source.clear()


def test_an_io_error_is_one_line():
    """SQLITE_IOERR_READ cannot be caused here (the disk would have to fail): the mapping
    is checked on the error SQLite raises for it."""
    e = sqlite3.OperationalError("disk I/O error")
    e.sqlite_errorcode, e.sqlite_errorname = 266, "SQLITE_IOERR_READ"
    err = dbmod.fault(e, Path("/data/dlrig.db"))
    assert err.one_line().startswith("cannot read or write the database /data/dlrig.db: disk I/O")
    assert "\n" not in err.one_line() and err.exit_code == 1 and err.code == "db_io"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX console script")
def test_the_console_script_says_busy_in_one_line(db, writer):
    """Through ``dlrig`` itself (not the test runner): stderr, exit 1, no traceback."""
    env = {**os.environ, "DLRIG_DB": str(db)}
    code = ("import dlrig.store.db as m; m.BUSY_TIMEOUT = 0.2; "
            "from dlrig.cli import main; main()")
    r = subprocess.run([sys.executable, "-c", code, "rates", "set", "USD", "ARS", "1100",
                        "--date", "2025-01-02"], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 1, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and "is busy" in lines[0] and "Traceback" not in r.stderr
