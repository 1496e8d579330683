"""What the web app holds between requests: the catalog and where it came from.

The catalog is loaded once (it is read-mostly) and reloaded after a price
import, so every page sees the same parts and prices the CLI would.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..catalog import Catalog


class CatalogSource:
    """The built-in catalog, with the local database's prices when there is one."""

    def __init__(self, db: Path | None = None, catalog: Catalog | None = None):
        self.db = db
        self._fixed = catalog
        self._catalog: Catalog | None = catalog
        self._lock = threading.Lock()

    def get(self) -> Catalog:
        if self._catalog is None:
            with self._lock:
                if self._catalog is None:
                    self._catalog = self._load()
        return self._catalog

    def loaded(self) -> Catalog | None:
        """The catalog if it is loaded already (no waiting), else None."""
        return self._catalog

    def invalidate(self) -> None:
        """Forget the loaded catalog; the next page reads the database again."""
        if self._fixed is None:
            self._catalog = None

    @property
    def db_path(self) -> Path:
        """Where imports go: ``--db``, else ``DLRIG_DB``, else the user data dir."""
        from ..store import resolve_path

        return resolve_path(self.db)

    def _load(self) -> Catalog:
        """The catalog the CLI reads too (``dlrig.catalog.source``): built-in, merged with
        the database when it exists.

        A database that does not exist yet is not an error here: the Prices
        page creates it on the first import, and says which one is in use.
        """
        from ..catalog.source import Source, open_catalog

        path = self.db_path
        return open_catalog(source=Source(path if path.is_file() else None))
