"""Compare two bench runs: after a driver update, a new riser, a BIOS change.

Measurements are paired by their stable ``id``. A change counts only when it
is larger than both runs' own spread (p10-p90 relative to the median) and
than 3 %, so ordinary run-to-run noise is not reported as a regression.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .. import files
from ..errors import InputError
from ..text import clean, show
from .schema import SCHEMA_VERSION, BenchResult, Measurement

MIN_CHANGE = 0.03


def load(path: Path) -> BenchResult:
    """Read a result file, refusing anything else with a one-line reason.

    Users pass the wrong file often (a log, a compressed result, another
    tool's JSON), so every way of not being a bench result says what the file
    is instead of raising a decoding traceback. Read through ``dlrig.files``: a FIFO,
    a device or a folder is refused before it is opened (a FIFO used to hang here), and
    so is a file over the bench result limit; JSON nested too deep for the parser and
    NaN/Infinity (JSON has neither; Python's parser takes them) are refused too.
    """
    if not os.path.exists(files.expand(path)):  # never raises, unlike Path.exists
        raise InputError(f"no bench result at {path}",
                         hint="save a bench run's JSON result first", code="no_bench_result")
    data = files.read_bytes(path, "bench result")
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_no_constant(path))
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a bench result: it is not UTF-8 text (binary or "
                         f"another encoding)", hint=_HINT) from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path} is not a bench result: not JSON ({e.msg} at line {e.lineno})",
                         hint=_HINT) from None
    except RecursionError:
        raise InputError(f"{path} is not a bench result: JSON nested too deep",
                         hint=_HINT) from None
    except ValueError as e:  # an integer of more digits than Python converts
        raise InputError(f"{path} is not a bench result: {e}", hint=_HINT) from None
    try:
        raw = _clean(raw)  # names in the file reach the terminal: no control characters
    except RecursionError:
        raise InputError(f"{path} is not a bench result: JSON nested too deep",
                         hint=_HINT) from None
    if not isinstance(raw, dict) or "schema_version" not in raw:
        raise InputError(f"{path} is JSON but not a dlrig bench result (no schema_version "
                         f"field)", hint=_HINT)
    version = raw["schema_version"]
    if version != SCHEMA_VERSION:
        raise InputError(f"{path} has bench schema version {show(version)}; this dlrig reads "
                         f"version {SCHEMA_VERSION}", hint="re-run 'dlrig bench' to get one")
    try:
        return BenchResult.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise InputError(f"{path} is not a valid bench result: {loc}: {first['msg']}",
                         hint=_HINT) from None


_HINT = "pass a file written by 'dlrig bench --json FILE'"


def _clean(value):
    """Every text in a parsed JSON document, cleaned (``dlrig.text.clean``)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): _clean(v) for k, v in value.items()}
    return value


def _no_constant(path):
    """``parse_constant`` for ``json.loads``: NaN and Infinity are not JSON, and a median of
    NaN would compare as no change to everything."""

    def refuse(name: str):
        raise InputError(f"{path} is not a bench result: it holds {name}, which JSON has not",
                         hint=_HINT)

    return refuse


@dataclass(frozen=True)
class Change:
    id: str
    label: str
    unit: str
    old: float | None
    new: float | None
    change_pct: float | None
    significant: bool
    note: str = ""
    short: str = ""  # the label as the table shows it


def _spread(m: Measurement) -> float:
    v = m.value
    return (v.p90 - v.p10) / v.median if v and v.median else 0.0


def compare(old: BenchResult, new: BenchResult) -> list[Change]:
    olds = {m.id: m for m in old.measurements}
    out = []
    for m in new.measurements:
        o = olds.pop(m.id, None)
        unit = m.value.unit if m.value else (o.value.unit if o and o.value else "")
        if o is None or o.value is None or m.value is None:
            note = ("new in this run" if o is None
                    else f"{m.status} now ({m.reason})" if m.value is None
                    else f"was {o.status} ({o.reason})")
            out.append(Change(m.id, m.label, unit, o.median if o else None, m.median, None,
                              False, note, m.short_label))
            continue
        pct = (m.value.median - o.value.median) / o.value.median * 100 if o.value.median else None
        noise = max(_spread(m), _spread(o), MIN_CHANGE) * 100
        out.append(Change(m.id, m.label, unit, o.value.median, m.value.median, pct,
                          pct is not None and abs(pct) > noise, "", m.short_label))
    for o in olds.values():
        out.append(Change(o.id, o.label, o.value.unit if o.value else "", o.median, None, None,
                          False, "not measured in this run", o.short_label))
    return out
