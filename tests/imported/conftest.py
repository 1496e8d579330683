"""A local database imported from the shared open-db archive and a PCPartPicker snapshot.

Built once per test session with the same commands a user runs (``dlrig catalog import
open-db``, ``dlrig prices import pcpp``); skipped when ../shared/data is absent. Nothing
from the archive is copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

SNAPSHOT_DAY = "2025-07-23"


@pytest.fixture(scope="session")
def imported_db(shared_data, tmp_path_factory) -> Path:
    from dlrig.cli import app

    archive = shared_data / "buildcores-open-db-136a77ae.tar.gz"
    snapshots = shared_data / "pc-part-dataset-snapshots.tar.gz"
    if not archive.is_file() or not snapshots.is_file():
        pytest.skip("open-db archive or PCPartPicker snapshots not in ../shared/data")
    db = tmp_path_factory.mktemp("imported") / "dlrig.db"
    runner = CliRunner()
    for args in (["catalog", "import", "open-db", str(archive), "--db", str(db)],
                 ["prices", "import", "pcpp", str(snapshots), "--date", SNAPSHOT_DAY,
                  "--db", str(db)]):
        out = runner.invoke(app, args)
        assert out.exit_code == 0, out.output
    return db
