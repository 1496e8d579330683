"""Import a PCPartPicker-style dataset (``json/<category>.json``) as US prices.

The layout is docyx/pc-part-dataset's: one JSON array per category, each row
a part with its lowest listed US price (``null`` = no offer) on the scrape
date. PATH may be a snapshot folder (holding ``json/``), the ``json`` folder
itself, or a ``.tar.gz`` of snapshots (the one named after ``--date`` is
read). Rows are matched to catalog parts by the catalog's resolver
(``resolve.py``: the name's words, and the specs the row's fields state);
rows that match nothing, or more than one product, are kept in the
``unmatched`` table for review, never dropped.

``fetch_dataset`` downloads the same files as the project publishes them
(``data/json/<category>.json`` on its main branch, ``BASE_URL``) for
``dlrig prices update``: every file must arrive and be a clean list of parts
before anything is imported.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import LIMITS, read_bytes
from ..parts import Category
from . import Catalog, records
from .archive import members
from .records import BadValue, kind_of, load_json, shown
from .resolve import CHIP, Match

# The published files: github.com/docyx/pc-part-dataset, folder data/json/ (README.md:
# "available in JSON, JSON Lines, and CSV format ... in the ./data directory"), one
# <category>.json per part type (API.md lists the type ids), served raw by GitHub.
BASE_URL = "https://raw.githubusercontent.com/docyx/pc-part-dataset/main/data/json"
SOURCE = "pcpp"
CREDIT = "PCPartPicker prices via docyx/pc-part-dataset (MIT)"
MARKET = "us"
CONDITION = "new"  # rows name no condition (API.md has no such field): taken as retail stock, new
FILES: dict[str, Category] = {
    "cpu": Category.cpu, "video-card": Category.gpu, "motherboard": Category.motherboard,
    "memory": Category.memory, "internal-hard-drive": Category.storage,
    "power-supply": Category.psu, "case": Category.case, "cpu-cooler": Category.cooler,
}


def snapshot_date(path: str | Path) -> dt.date:
    """The scrape date a snapshot folder is named after ('.../2025-07-23/' or its 'json/').

    pc-part-dataset names each snapshot folder by its date, so ``--date``
    can be left out for a folder; anything else is a one-line error.
    """
    p = Path(path)
    name = p.parent.name if p.name == "json" else p.name
    try:
        return dt.date.fromisoformat(name)
    except ValueError:
        raise InputError(f"no scrape date given and '{p.name}' is not named after a date",
                         hint="give the scrape date, e.g. 2025-07-23", field="date") from None


def read_dataset(path: str | Path, date: dt.date) -> dict[str, list[Any]]:
    """``{file stem: rows}`` for the eight part files found under ``path``.

    Files are read through ``dlrig.files`` (a folder: regular files only, each at most
    ``LIMITS['archive member']``) or ``archive.members`` (a ``.tar.gz``: streamed with
    caps, links and odd names skipped, one snapshot held in memory at most twice). Rows
    are returned as the file has them; ``match_dataset`` sorts out the bad ones.
    """
    p = Path(path).expanduser()
    out: dict[str, list] = {}
    if p.is_dir():
        for d in (p / "json", p, p / date.isoformat() / "json"):
            found = [d / f"{k}.json" for k in FILES if _present(d / f"{k}.json")]
            if found:
                for f in found:
                    raw = read_bytes(f, "pc-part-dataset file", limit=LIMITS["archive member"])
                    out[f.stem] = _parse(raw, f)
                return out
        raise InputError(f"{p}: no json/<category>.json files", hint="give a snapshot folder of pc-part-dataset")
    snaps: list[str] = []
    chosen: dict[str, bytes] = {}  # the snapshot named after ``date``
    only: dict[str, bytes] = {}  # the first snapshot, used when it is the only one
    for name, raw in members(p, _in_json_folder):
        parts = name.split("/")
        snap, stem = "/".join(parts[:-2]), parts[-1][:-5]
        if snap not in snaps:
            snaps.append(snap)
        pick = next((x for x in snaps if x.split("/")[-1] == date.isoformat()), None)
        if snap == pick and stem in FILES:
            chosen[stem] = raw
        elif len(snaps) == 1 and stem in FILES:
            only[stem] = raw
        elif len(snaps) > 1:
            only.clear()
    files = chosen if any(x.split("/")[-1] == date.isoformat() for x in snaps) else (
        only if len(snaps) == 1 else None)
    if files is None:
        inside = ", ".join(shown(s.split("/")[-1] or "(top)") for s in snaps[:20]) or "none"
        raise InputError(f"{p}: no snapshot for {date}", hint="snapshots inside: " + inside)
    return {stem: _parse(raw, f"{p}:{stem}.json") for stem, raw in files.items()}


def _present(f: Path) -> bool:
    """Something is at ``f`` (a FIFO or a device too, which ``read_bytes`` then refuses)."""
    return f.exists() or f.is_symlink()


def _in_json_folder(name: str) -> bool:
    parts = name.split("/")
    return len(parts) >= 2 and parts[-2] == "json" and parts[-1].endswith(".json")


def _parse(raw: bytes, where: Any) -> list[Any]:
    try:
        rows = load_json(raw)
    except BadValue as e:
        raise InputError(f"{where}: {e}", hint="is this a pc-part-dataset file?") from None
    if not isinstance(rows, list):
        raise InputError(f"{where}: expected a JSON array of parts (got {kind_of(rows)})",
                         hint="is this a pc-part-dataset file?")
    return rows


def dataset_urls(base: str) -> dict[str, str]:
    """``{file stem: URL}`` of the eight part files under ``base`` (an http(s) folder)."""
    from .download import check_url

    root = check_url(base).rstrip("/")
    return {stem: f"{root}/{stem}.json" for stem in FILES}


def fetch_dataset(base: str = BASE_URL, *, timeout: float = 60.0, retries: int = 2,
                  on_progress: Callable[[int, int], None] | None = None
                  ) -> dict[str, list[Any]]:
    """The eight part files downloaded from ``base`` and checked, as ``read_dataset`` gives.

    Each file goes through ``download.download`` (http(s) only, ``timeout`` per wait,
    ``retries`` after a failed connection or a 5xx, at most ``LIMITS['archive member']``
    bytes, an HTML page refused) to a temporary folder that is always removed. What
    arrived must then be what the project publishes (``check_dataset``): a file that
    is not JSON, is cut short, is no list, is empty, or holds a row that cannot be used
    (a price of 0 or of a billion, a name that is no text) fails the whole download in
    one ``NetworkError`` line: the server sent something else, so nothing is imported.
    ``on_progress(files done, files)`` is called after each file.
    """
    import tempfile

    from ..errors import NetworkError
    from .download import check_timeout, download

    urls = dataset_urls(base)
    check_timeout(timeout)
    with tempfile.TemporaryDirectory(prefix="dlrig-pcpp-") as tmp:
        out: dict[str, list[Any]] = {}
        for stem, url in urls.items():
            target = download(url, Path(tmp) / f"{stem}.json", timeout, retries=retries,
                              limit=LIMITS["archive member"])
            try:
                raw = read_bytes(target, "pc-part-dataset file", limit=LIMITS["archive member"])
                if raw.lstrip()[:1] == b"<":  # an error page served as JSON or text
                    raise InputError(f"{shown(url, 120)}: the server sent a web page, not JSON")
                out[stem] = _parse(raw, shown(url, 120))
            except InputError as e:
                raise NetworkError(f"download failed: {e.message}",
                                   hint="check the address: it must name the folder holding "
                                        "<category>.json; the database was not changed") from None
            finally:
                target.unlink(missing_ok=True)
            if on_progress:
                on_progress(len(out), len(urls))
    check_dataset(out, urls)
    return out


def check_dataset(data: dict[str, list[Any]], where: dict[str, str]) -> None:
    """Refuse (one ``NetworkError`` line) a downloaded dataset with an empty file or any row
    ``check_row`` cannot use. A local snapshot may have bad rows, which are counted and
    skipped; the published files have none (0 in the four snapshots of 2023-07-05 to
    2025-07-23, 166,068 rows), so a download that has them is not what was published."""
    from ..errors import NetworkError

    hint = "check --url, or try again later; the database was not changed"
    bad: list[str] = []
    for stem, rows in data.items():
        if not rows:
            raise NetworkError(f"download failed: {shown(where[stem], 120)} holds no parts",
                               hint=hint)
        for i, row in enumerate(rows):
            try:
                name, cents = check_row(row)
                if cents is not None and not name:
                    raise BadValue("a price without a name")
            except BadValue as e:
                bad.append(f"{stem}.json row {i + 1}: {e}")
    if bad:
        more = f" (+{len(bad) - 3} more)" if len(bad) > 3 else ""
        raise NetworkError(f"download failed: {len(bad)} unusable row{'s' * (len(bad) > 1)}: "
                           + "; ".join(bad[:3]) + more, hint=hint)


def price_minor(v: Any) -> int | None:
    """USD cents from a row's ``price``; None for no offer or nonsense."""
    if v is None:
        return None
    try:
        return records.price_minor(v)
    except BadValue:
        return None


def check_row(row: Any) -> tuple[str, int | None]:
    """A row's cleaned name and cents (None: no offer); ``BadValue`` for a row that
    cannot be used: not an object, a price that is no price or beyond any part, a name
    that is no text, a number that is NaN, infinite or absurd (the resolver reads them)."""
    if not isinstance(row, dict):
        raise BadValue(f"not a JSON object ({kind_of(row)})")
    price = row.get("price")
    cents = None if price is None else records.price_minor(price)
    name = row.get("name")
    name = "" if name is None else records.text(name, "name")
    for key, value in row.items():
        for x in value if isinstance(value, list) else (value,):
            if isinstance(x, int | float) and not isinstance(x, bool):
                records.number(x, shown(key), limit=1e9)
    return name, cents


@dataclass
class CategoryReport:
    rows: int = 0
    priced: int = 0
    matched: int = 0
    by_chip: int = 0  # GPU rows priced on a chip-level entry
    ambiguous: int = 0
    unmatched: int = 0
    bad: int = 0  # rows that cannot be used (see ``PcppResult.bad``)
    sure: Counter = field(default_factory=Counter)  # matched rows by confidence (exact/spec/fuzzy/chip)

    def rate(self) -> float:
        return self.matched / self.priced if self.priced else 0.0


@dataclass
class PcppResult:
    date: dt.date
    categories: dict[Category, CategoryReport] = field(default_factory=dict)
    prices: dict[str, int] = field(default_factory=dict)  # part id -> lowest cents
    review: list[tuple[Category, int, str, int, Match]] = field(default_factory=list)
    written: int = 0
    reasons: Counter = field(default_factory=Counter)
    bad: list[tuple[Category, int, str]] = field(default_factory=list)  # category, row, why


def match_dataset(data: dict[str, list[dict]], catalog: Catalog, date: dt.date) -> PcppResult:
    """Match every priced row; the lowest price per part wins (as on the site)."""
    resolver = catalog.resolver
    res = PcppResult(date, {c: CategoryReport() for c in FILES.values()})
    for stem, rows in data.items():
        cat = FILES[stem]
        rep = res.categories[cat]
        for i, row in enumerate(rows):
            rep.rows += 1
            try:
                name, cents = check_row(row)
                if cents is not None and not name:
                    raise BadValue("a price without a name")
            except BadValue as e:
                rep.bad += 1
                res.bad.append((cat, i, str(e)))
                continue
            if cents is None:
                continue  # no offer on the scrape date
            rep.priced += 1
            hit = resolver.match_row(cat, {**row, "name": name})
            if hit.status == "matched" and hit.part_id:
                rep.matched += 1
                rep.by_chip += hit.confidence == CHIP
                rep.sure[hit.confidence] += 1
                old = res.prices.get(hit.part_id)
                res.prices[hit.part_id] = cents if old is None else min(old, cents)
            else:
                if hit.status == "ambiguous":
                    rep.ambiguous += 1
                else:
                    rep.unmatched += 1
                res.reasons[hit.status] += 1
                res.review.append((cat, i, name, cents, hit))
    return res


def import_pcpp(db, path: str | Path, date: dt.date, catalog: Catalog,
                data: dict[str, list[Any]] | None = None) -> PcppResult:
    """Match, then write prices and review rows in one transaction.

    ``data``: the dataset already read (``read_dataset``), so a front end can refuse a
    bad file before it opens the database. Re-importing the same snapshot replaces that
    date's pcpp prices and review rows with identical ones: nothing changes.
    """
    from ..validate import not_future

    not_future(date, "scrape date")
    res = match_dataset(data if data is not None else read_dataset(path, date), catalog, date)
    day = date.isoformat()
    with db.transaction() as c:
        c.executemany(
            "INSERT INTO prices (part_id, market, amount_minor, currency, date, source, store, "
            "estimated, condition) VALUES (?, ?, ?, 'USD', ?, ?, '', 0, ?) "
            "ON CONFLICT(part_id, market, date, source, store, condition) "
            "DO UPDATE SET amount_minor=excluded.amount_minor",
            [(pid, MARKET, cents, day, SOURCE, CONDITION) for pid, cents in sorted(res.prices.items())])
        c.execute("DELETE FROM unmatched WHERE source = ? AND date = ? AND market = ?", (SOURCE, day, MARKET))
        c.executemany(
            "INSERT INTO unmatched (source, date, market, category, name, row, amount_minor, currency, "
            "status, candidates) VALUES (?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?)",
            [(SOURCE, day, MARKET, cat.value, name, i, cents, hit.status,
              ", ".join(hit.candidates) or hit.reason) for cat, i, name, cents, hit in res.review])
        db.set_source(c, SOURCE, CREDIT, None)
        db.log_import(c, "pcpp", str(path), {
            "date": day, "prices": len(res.prices), "bad": len(res.bad),
            **{k.value: [v.priced, v.matched, v.ambiguous, v.unmatched] for k, v in res.categories.items()},
        })
    res.written = len(res.prices)
    return res
