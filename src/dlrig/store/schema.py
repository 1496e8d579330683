"""The database schema, as an ordered list of migrations.

``PRAGMA user_version`` records how many migrations a database has had.
Migrations only ever add (tables, columns, indexes): a user's prices, rates
and review rows survive every upgrade. A database written by a newer dlrig
(a higher version than ``SCHEMA_VERSION``) is refused rather than guessed at.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: parts, their source aliases, prices, rates, and where the data came from.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,          -- 'opendb', 'pcpp', 'store:<name>', ...
        credit TEXT NOT NULL,           -- shown wherever the data is shown
        version TEXT,                   -- e.g. archive digest
        imported_at TEXT NOT NULL
    );
    CREATE TABLE parts (
        id TEXT PRIMARY KEY,
        category TEXT NOT NULL,
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        data TEXT NOT NULL              -- the validated part model, as JSON
    );
    CREATE INDEX parts_category ON parts (category, source);
    CREATE TABLE part_aliases (         -- source records merged into one part
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        part_id TEXT NOT NULL,
        PRIMARY KEY (source, source_id)
    );
    CREATE TABLE prices (
        id INTEGER PRIMARY KEY,
        part_id TEXT NOT NULL,
        market TEXT NOT NULL,
        amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
        currency TEXT NOT NULL,
        date TEXT NOT NULL,
        source TEXT NOT NULL,
        store TEXT NOT NULL DEFAULT '',
        estimated INTEGER NOT NULL DEFAULT 0,
        UNIQUE (part_id, market, date, source, store)
    );
    CREATE INDEX prices_part ON prices (part_id, market, date);
    CREATE TABLE rates (
        base TEXT NOT NULL,
        quote TEXT NOT NULL,
        kind TEXT NOT NULL,
        date TEXT NOT NULL,
        rate TEXT NOT NULL,             -- decimal as text: exact
        source TEXT NOT NULL,
        PRIMARY KEY (base, quote, kind, date)
    );
    CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        at TEXT NOT NULL,
        summary TEXT NOT NULL
    );
    """,
    # 2: rows held back for review instead of being dropped.
    """
    CREATE TABLE quarantine (
        source TEXT NOT NULL,
        source_id TEXT NOT NULL,
        category TEXT NOT NULL,
        name TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (source, source_id)
    );
    CREATE TABLE unmatched (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        date TEXT NOT NULL,
        market TEXT NOT NULL,
        category TEXT NOT NULL,
        name TEXT NOT NULL,
        row INTEGER NOT NULL,           -- position in the source file
        amount_minor INTEGER,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,           -- 'unmatched' or 'ambiguous'
        candidates TEXT NOT NULL DEFAULT '',
        UNIQUE (source, date, market, category, row)
    );
    CREATE INDEX prices_market_date ON prices (market, date);
    """,
    # 3: a quote's condition (new, used, refurbished) and whether it is a chip's launch
    # price standing in for a board's own (issue 13); a rate's buying side beside its
    # selling one. The prices table is rebuilt so one store may quote a part new and used
    # on one day (the condition joins the unique key); every row is kept, as 'new'.
    """
    CREATE TABLE prices_v3 (
        id INTEGER PRIMARY KEY,
        part_id TEXT NOT NULL,
        market TEXT NOT NULL,
        amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
        currency TEXT NOT NULL,
        date TEXT NOT NULL,
        source TEXT NOT NULL,
        store TEXT NOT NULL DEFAULT '',
        estimated INTEGER NOT NULL DEFAULT 0,
        condition TEXT NOT NULL DEFAULT 'new'
            CHECK (condition IN ('new', 'used', 'refurbished')),
        stand_in INTEGER NOT NULL DEFAULT 0,
        UNIQUE (part_id, market, date, source, store, condition)
    );
    INSERT INTO prices_v3 (id, part_id, market, amount_minor, currency, date, source, store,
                           estimated)
        SELECT id, part_id, market, amount_minor, currency, date, source, store, estimated
        FROM prices;
    DROP TABLE prices;
    ALTER TABLE prices_v3 RENAME TO prices;
    CREATE INDEX prices_part ON prices (part_id, market, date);
    CREATE INDEX prices_market_date ON prices (market, date);
    ALTER TABLE rates ADD COLUMN buy TEXT;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def reference(version: int = SCHEMA_VERSION) -> dict[str, tuple[str, list[str]]]:
    """What a database at ``version`` holds: table or index name -> (its SQL, its columns).

    Built by running the migrations on an empty in-memory database, so it cannot drift
    from them; ``dlrig db check`` compares a file with it and ``db repair`` recreates
    what is missing from it.
    """
    import sqlite3

    c = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS[:version]:
            c.executescript(script)
        out = {}
        for kind, name, sql in c.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"):
            cols = [r[1] for r in c.execute(f'PRAGMA table_info("{name}")')] if kind == "table" else []
            out[name] = (sql, cols)
        return out
    finally:
        c.close()


# Every table the current schema has (a database with any of them is dlrig's).
TABLES = tuple(name for name, (sql, _) in reference().items() if sql.startswith("CREATE TABLE"))
