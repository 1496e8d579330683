"""Import a PCPartPicker-style dataset (``json/<category>.json``) as US prices.

The layout is docyx/pc-part-dataset's: one JSON array per category, each row
a part with its lowest listed US price (``null`` = no offer) on the scrape
date. PATH may be a snapshot folder (holding ``json/``), the ``json`` folder
itself, or a ``.tar.gz`` of snapshots (the one named after ``--date`` is
read). Rows are matched to catalog parts by the catalog's resolver
(``resolve.py``: the name's words, and the specs the row's fields state);
rows that match nothing, or more than one product, are kept in the
``unmatched`` table for review, never dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..parts import Category
from . import Catalog
from .resolve import CHIP, Match

SOURCE = "pcpp"
CREDIT = "PCPartPicker prices via docyx/pc-part-dataset (MIT)"
MARKET = "us"
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


def read_dataset(path: str | Path, date: dt.date) -> dict[str, list[dict[str, Any]]]:
    """``{file stem: rows}`` for the eight part files found under ``path``."""
    p = Path(path)
    out: dict[str, list] = {}
    if p.is_dir():
        for d in (p / "json", p, p / date.isoformat() / "json"):
            if any((d / f"{k}.json").is_file() for k in FILES):
                for k in FILES:
                    f = d / f"{k}.json"
                    if f.is_file():
                        out[k] = _parse(f.read_bytes(), f)
                return out
        raise InputError(f"{p}: no json/<category>.json files", hint="give a snapshot folder of pc-part-dataset")
    if not p.is_file():
        raise InputError(f"dataset not found: {p}", hint="give a snapshot folder or a .tar.gz")
    try:
        with tarfile.open(p, "r:*") as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".json")
                       and m.name.split("/")[-2:-1] == ["json"]]
            snaps = sorted({m.name.rsplit("/json/", 1)[0] for m in members})
            pick = [s for s in snaps if s.rstrip("/").split("/")[-1] == date.isoformat()]
            if not pick and len(snaps) == 1:
                pick = snaps
            if not pick:
                raise InputError(f"{p}: no snapshot for {date}",
                                 hint="snapshots inside: " + ", ".join(s.split("/")[-1] for s in snaps))
            for m in members:
                stem = m.name.rsplit("/", 1)[-1][:-5]
                if m.name.rsplit("/json/", 1)[0] == pick[0] and stem in FILES:
                    fh = tar.extractfile(m)
                    out[stem] = _parse(fh.read() if fh else b"[]", m.name)
    except (tarfile.TarError, OSError, EOFError) as e:
        raise InputError(f"{p}: not a readable archive ({e})", hint="give a snapshot folder or .tar.gz") from None
    return out


def _parse(raw: bytes, where: Any) -> list[dict[str, Any]]:
    try:
        rows = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"{where}: invalid JSON ({e})", hint="is this a pc-part-dataset file?") from None
    if not isinstance(rows, list):
        raise InputError(f"{where}: expected a JSON array of parts")
    return [r for r in rows if isinstance(r, dict)]


def price_minor(v: Any) -> int | None:
    """USD cents from a row's ``price``; None for no offer or nonsense."""
    if v is None or isinstance(v, bool):
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        return None
    if not d.is_finite() or d <= 0:
        return None
    return int((d * 100).to_integral_value())


@dataclass
class CategoryReport:
    rows: int = 0
    priced: int = 0
    matched: int = 0
    by_chip: int = 0  # GPU rows priced on a chip-level entry
    ambiguous: int = 0
    unmatched: int = 0
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


def match_dataset(data: dict[str, list[dict]], catalog: Catalog, date: dt.date) -> PcppResult:
    """Match every priced row; the lowest price per part wins (as on the site)."""
    resolver = catalog.resolver
    res = PcppResult(date, {c: CategoryReport() for c in FILES.values()})
    for stem, rows in data.items():
        cat = FILES[stem]
        rep = res.categories[cat]
        for i, row in enumerate(rows):
            rep.rows += 1
            cents = price_minor(row.get("price"))
            name = str(row.get("name") or "").strip()
            if cents is None or not name:
                continue
            rep.priced += 1
            hit = resolver.match_row(cat, row)
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


def import_pcpp(db, path: str | Path, date: dt.date, catalog: Catalog) -> PcppResult:
    """Match, then write prices and review rows in one transaction.

    Re-importing the same snapshot replaces that date's pcpp prices and
    review rows with identical ones: nothing changes.
    """
    from ..validate import not_future

    not_future(date, "scrape date")
    res = match_dataset(read_dataset(path, date), catalog, date)
    day = date.isoformat()
    with db.transaction() as c:
        c.executemany(
            "INSERT INTO prices (part_id, market, amount_minor, currency, date, source, store, estimated) "
            "VALUES (?, ?, ?, 'USD', ?, ?, '', 0) ON CONFLICT(part_id, market, date, source, store) "
            "DO UPDATE SET amount_minor=excluded.amount_minor",
            [(pid, MARKET, cents, day, SOURCE) for pid, cents in sorted(res.prices.items())])
        c.execute("DELETE FROM unmatched WHERE source = ? AND date = ? AND market = ?", (SOURCE, day, MARKET))
        c.executemany(
            "INSERT INTO unmatched (source, date, market, category, name, row, amount_minor, currency, "
            "status, candidates) VALUES (?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?)",
            [(SOURCE, day, MARKET, cat.value, name, i, cents, hit.status,
              ", ".join(hit.candidates) or hit.reason) for cat, i, name, cents, hit in res.review])
        db.set_source(c, SOURCE, CREDIT, None)
        db.log_import(c, "pcpp", str(path), {
            "date": day, "prices": len(res.prices),
            **{k.value: [v.priced, v.matched, v.ambiguous, v.unmatched] for k, v in res.categories.items()},
        })
    res.written = len(res.prices)
    return res
