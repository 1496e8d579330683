"""``dlrig db check`` / ``dlrig db repair`` beyond the fault tests: a healthy file is left
alone, a table missing a column is remade, a lost schema version is set, an older schema is
repaired and upgraded, hand-edited review rows are shown and removed, a busy database is
not repaired underneath its writer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_db_faults import cli, digest, ok, runner
from test_store_sample import dump, write_sample

from dlrig.catalog.opendb import import_opendb
from dlrig.cli import app
from dlrig.errors import DatabaseError
from dlrig.store import Database, load_catalog
from dlrig.store import db as dbmod
from dlrig.store.health import check, repair
from dlrig.store.schema import MIGRATIONS, SCHEMA_VERSION


@pytest.fixture
def db(tmp_path) -> Path:
    p = tmp_path / "d.db"
    with Database(p) as d:
        import_opendb(d, write_sample(tmp_path / "s"))
        with d.transaction() as c:
            c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2025-01-01', '1000', 't')")
    return p


def test_a_healthy_database_is_left_alone(db):
    before = digest(db)
    assert "nothing to repair" in ok("db", "repair", "--db", db)
    assert digest(db) == before and not list(db.parent.glob("d.db.bak-*"))
    h = check(db)
    assert h.ok and h.checked["parts"] == len(dump(db)["parts"]) and h.checked["rates"] == 1


def test_a_table_missing_a_column_is_remade(db):
    c = sqlite3.connect(db)
    c.execute("ALTER TABLE imports DROP COLUMN summary")
    c.commit()
    c.close()
    assert "table imports lacks column summary" in runner.invoke(
        app, ["db", "check", "--db", str(db)]).stdout
    out = ok("db", "repair", "--db", db)
    assert "made anew: table imports (with its missing columns)" in out
    assert "left out: 1 imports row" in out  # summary is NOT NULL: the old row cannot be kept
    assert check(db).ok


def test_a_lost_schema_version_is_set_again(db):
    c = sqlite3.connect(db)
    c.execute("PRAGMA user_version = 0")
    c.close()
    cli("catalog", "list", "--db", db, code=1, needle="has dlrig's tables but no schema version")
    ok("db", "repair", "--db", db)
    assert check(db).version == SCHEMA_VERSION and check(db).ok
    assert "cpu/intel-core-i3-7100" in load_catalog(db)


def test_an_older_schema_is_repaired_then_upgraded(tmp_path):
    p = tmp_path / "v1.db"
    c = sqlite3.connect(p)
    c.executescript(MIGRATIONS[0])
    c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'blue', '2017-05-31', '16.2', 'user')")
    c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'blue', '2017-06-30', '1e400', 'user')")
    c.execute("PRAGMA user_version = 1")
    c.commit()
    c.close()
    h = check(p)
    assert [x.reason for x in h.problems] == ["rate 1e400 is outside 0.000001-10,000,000"]
    assert any("upgrades it to v" in n for n in h.notes)
    r = repair(p)
    assert len(r.removed) == 1 and r.after.ok and r.after.version == SCHEMA_VERSION
    assert (tmp_path / "v1.db.bak-v1").exists() and r.backup.exists()
    assert dump(p)["rates"] == [("USD", "ARS", "blue", "2017-05-31", "16.2", "user", None)]


def test_hand_edited_review_rows_are_shown_then_removed(db):
    c = sqlite3.connect(db)
    c.execute("INSERT INTO unmatched (source, date, market, category, name, row, amount_minor, "
              "currency, status) VALUES ('pcpp', '2025-01-05', 'us', 'gpu', 12345, 3, 'lots', "
              "'USD', 'unmatched')")
    c.commit()
    c.close()
    r = runner.invoke(app, ["prices", "unmatched", "--db", str(db)], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "1 rows kept for review" in r.stdout, r.output
    h = check(db)
    assert [p.reason for p in h.problems] == ["amount 'lots' is not a price"]
    repair(db)
    assert dump(db)["unmatched"] == []


def test_a_busy_database_is_not_repaired_underneath_its_writer(db, monkeypatch):
    c = sqlite3.connect(db)
    c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2025-02-01', '0', 'hand')")
    c.commit()
    before = dump(db)
    c.isolation_level = None
    c.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT", 0.2)
    try:
        with pytest.raises(DatabaseError) as e:
            repair(db)
        assert e.value.code == "db_busy"
    finally:
        c.execute("ROLLBACK")
        c.close()
    assert dump(db) == before


def test_check_of_a_missing_database_is_one_line(tmp_path):
    cli("db", "check", "--db", tmp_path / "none.db", code=2, needle="no database at")
    cli("db", "repair", "--db", tmp_path / "none.db", code=2, needle="no database at")
    assert not (tmp_path / "none.db").exists()


def test_the_damage_line_names_the_database_only_when_it_is_not_the_default(db, monkeypatch):
    c = sqlite3.connect(db)
    c.execute("INSERT INTO rates (base, quote, kind, date, rate, source) VALUES ('USD', 'ARS', 'official', '2025-02-01', 'NaN', 'hand')")
    c.commit()
    c.close()
    assert load_catalog(db).damage.line().endswith(f"run 'dlrig db check --db {db}'")
    monkeypatch.setenv("DLRIG_DB", str(db))
    assert load_catalog(db).damage.line() == ("1 damaged database row ignored (1 rates): run "
                                              "'dlrig db check'")
