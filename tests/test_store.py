"""The database: location, migrations, atomic imports (even under SIGKILL), load_catalog."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_store_sample import cpu, dump, sample_records, write_sample

from dlrig.catalog.opendb import import_opendb
from dlrig.errors import DatabaseError
from dlrig.store import Database, default_db_path, load_catalog
from dlrig.store.schema import MIGRATIONS, SCHEMA_VERSION


def test_default_path_follows_env_then_platformdirs(monkeypatch, tmp_path):
    monkeypatch.setenv("DLRIG_DB", str(tmp_path / "a.db"))
    assert default_db_path() == tmp_path / "a.db"
    monkeypatch.delenv("DLRIG_DB")
    from platformdirs import user_data_dir

    assert default_db_path() == Path(user_data_dir("dlrig", appauthor=False)) / "dlrig.db"


def test_new_database_is_wal_and_current(tmp_path):
    with Database(tmp_path / "n.db") as db:
        assert db.version == SCHEMA_VERSION
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_upgrade_from_v1_keeps_user_data_and_a_backup(tmp_path):
    p = tmp_path / "old.db"
    c = sqlite3.connect(p)
    for stmt in MIGRATIONS[0].split(";"):
        if stmt.strip():
            c.execute(stmt)
    c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
              "VALUES ('cpu/x', 'ar', 123456, 'ARS', '2017-05-31', 'store:y')")
    c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'blue', '2017-05-31', '16.2', 'user')")
    c.execute("PRAGMA user_version = 1")
    c.commit()
    c.close()
    with Database(p) as db:
        assert db.version == SCHEMA_VERSION
        assert db.conn.execute("SELECT amount_minor FROM prices").fetchall() == [(123456,)]
        assert db.conn.execute("SELECT rate FROM rates").fetchall() == [("16.2",)]
        assert db.conn.execute("SELECT COUNT(*) FROM unmatched").fetchone() == (0,)
    assert (tmp_path / "old.db.bak-v1").exists()


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "new.db"
    c = sqlite3.connect(p)
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    c.close()
    with pytest.raises(DatabaseError, match="newer than this dlrig"):
        Database(p)


def test_failed_transaction_leaves_previous_state(tmp_path):
    p = tmp_path / "t.db"
    with Database(p) as db:
        import_opendb(db, write_sample(tmp_path / "s"))
        before = dump(p)
        with pytest.raises(RuntimeError), db.transaction() as c:
            c.execute("DELETE FROM parts")
            raise RuntimeError("boom")
    assert dump(p) == before


def test_load_catalog_needs_a_database(tmp_path):
    with pytest.raises(DatabaseError, match="no database"):
        load_catalog(tmp_path / "absent.db")


def test_load_catalog_merges_builtin_and_filters_by_date(tmp_path):
    p = tmp_path / "m.db"
    with Database(p) as db:
        import_opendb(db, write_sample(tmp_path / "s"))
        with db.transaction() as c:
            c.executemany("INSERT INTO prices (part_id, market, amount_minor, currency, date, source) "
                          "VALUES ('cpu/intel-core-i3-7100', 'us', ?, 'USD', ?, 'test')",
                          [(11700, "2017-05-01"), (9900, "2018-05-01")])
    from dlrig.store import builtin_catalog

    base = builtin_catalog()
    cat = load_catalog(p)
    assert len(cat) >= len(base) and all(p_.id in cat for p_ in base.parts())
    assert set(base.markets) <= set(cat.markets)
    assert "cpu/intel-core-i3-7100" in cat
    mine = [x for x in cat.prices("cpu/intel-core-i3-7100") if x.source == "test"]
    assert len(mine) == 2
    old = load_catalog(p, as_of=dt.date(2017, 12, 31))
    assert all(x.date <= dt.date(2017, 12, 31) for x in old.prices("cpu/intel-core-i3-7100"))
    assert [x.amount_minor for x in old.prices("cpu/intel-core-i3-7100") if x.source == "test"] == [11700]


KILLER = textwrap.dedent("""
    import os, signal, sys
    from dlrig.catalog.opendb import import_opendb
    from dlrig.store import Database
    def die(done, total):
        os.kill(os.getpid(), signal.SIGKILL)
    with Database(sys.argv[1]) as db:
        import_opendb(db, sys.argv[2], on_progress=die, chunk=20)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_halfway_leaves_the_database_exactly_as_it_was(tmp_path):
    p = tmp_path / "k.db"
    with Database(p) as db:
        import_opendb(db, write_sample(tmp_path / "small"))
    before = dump(p)
    recs = sample_records()
    recs["CPU"] = [cpu(1000 + i, f"Intel Test CPU {i}") for i in range(200)]  # 200 new parts
    big = write_sample(tmp_path / "big", recs)
    r = subprocess.run([sys.executable, "-c", KILLER, str(p), str(big)], capture_output=True,
                       env={**os.environ}, timeout=120)
    assert r.returncode == -9, r.stderr.decode()[-500:]  # killed after the first 20 rows
    assert dump(p) == before
    with Database(p) as db:  # and the database still opens and imports
        assert import_opendb(db, big).added == 200


def test_load_catalog_switches_the_garbage_collector_back_on(tmp_path):
    """Loading runs with the cyclic GC paused (it is a quarter of the time);
    it must come back on after a load, and after a failed one."""
    import gc

    with Database(tmp_path / "g.db") as db:
        import_opendb(db, write_sample(tmp_path / "s"))
    assert gc.isenabled()
    load_catalog(tmp_path / "g.db")
    assert gc.isenabled()
    with pytest.raises(DatabaseError):
        load_catalog(tmp_path / "missing.db")
    assert gc.isenabled()
    gc.disable()
    try:
        load_catalog(tmp_path / "g.db")
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()


def test_load_catalog_prices_are_the_stored_ones(tmp_path):
    """Prices are built without re-validation: they must equal validated ones."""
    from dlrig.parts import Price

    with Database(tmp_path / "p.db") as db:
        import_opendb(db, write_sample(tmp_path / "s"))
        with db.transaction() as c:
            c.execute("INSERT INTO prices (part_id, market, amount_minor, currency, date, source, store, estimated) "
                      "VALUES ('gpu/zotac-geforce-gtx-1070-mini', 'ar', 123456, 'ARS', '2030-01-02', 'store:x', "
                      "'x', 0)")
    (p,) = [x for x in load_catalog(tmp_path / "p.db").prices("gpu/zotac-geforce-gtx-1070-mini")
            if x.source == "store:x"]
    assert p == Price(market="ar", amount_minor=123456, currency="ARS", date=dt.date(2030, 1, 2),
                      source="store:x", store="x", estimated=False)
