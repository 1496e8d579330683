"""Shared test fixtures.

``shared_data`` points at ``../shared/data`` beside the repository (given to
the project for tests and benchmarks, never copied into it); tests that need
it skip with a reason when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path_factory, monkeypatch):
    """Never touch the user's real database (or cache folder) from a test."""
    monkeypatch.setenv("DLRIG_DB", str(tmp_path_factory.mktemp("db") / "dlrig.db"))
    # one cache folder for the session: the GPU-spec index is built once, not per test
    monkeypatch.setenv("DLRIG_CACHE", str(tmp_path_factory.getbasetemp() / "dlrig-cache"))
    # nor the user's config file (its market or workload would change the commands' defaults);
    # tests of the config file set their own
    monkeypatch.setenv("DLRIG_CONFIG", str(tmp_path_factory.mktemp("cfg") / "config.toml"))


@pytest.fixture
def no_hang():
    """A test that blocks (a FIFO or device opened instead of refused) fails after 30 s
    instead of hanging the suite. Modules opt in with ``pytestmark =
    pytest.mark.usefixtures("no_hang")``."""
    import signal

    def boom(*_):
        raise TimeoutError("blocked: a FIFO or device was opened instead of refused")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# A local database imported from the shared open-db archive and a PCPartPicker snapshot, built
# once per session by the commands a user runs; skipped when ../shared/data is absent.
IMPORTED_SNAPSHOT_DAY = "2025-07-23"


@pytest.fixture(scope="session")
def imported_db(shared_data, tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from dlrig.cli import app

    archive = shared_data / "buildcores-open-db-136a77ae.tar.gz"
    snapshots = shared_data / "pc-part-dataset-snapshots.tar.gz"
    if not archive.is_file() or not snapshots.is_file():
        pytest.skip("open-db archive or PCPartPicker snapshots not in ../shared/data")
    db = tmp_path_factory.mktemp("imported") / "dlrig.db"
    runner = CliRunner()
    for args in (["catalog", "import", "open-db", str(archive), "--db", str(db)],
                 ["prices", "import", "pcpp", str(snapshots), "--date", IMPORTED_SNAPSHOT_DAY,
                  "--db", str(db)]):
        out = runner.invoke(app, args)
        assert out.exit_code == 0, out.output
    return db
