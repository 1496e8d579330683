"""The keys of every command's ``--json`` answer: the contract scripts rely on.

``dlrig.cli.reference`` prints this table into docs/cli.md and ``tests/test_cli_json.py``
runs the commands and compares their answers' keys with it, so a renamed key fails a test
before it breaks someone's script. A shape is ``object`` (one JSON object) or ``list`` (a
list of objects, each with these keys). Keys are added, never renamed or removed, without a
note in the changelog.
"""

from __future__ import annotations

_RATE = ["date", "base", "quote", "kind", "rate", "buy", "source"]

JSON_KEYS: dict[str, tuple[str, list[str]]] = {
    "dlrig markets": ("list", ["code", "name", "currency", "rate_kind", "markup_pct",
                               "import_tax_pct", "estimate_from", "date"]),
    "dlrig catalog list": ("object", ["total", "parts", "sources"]),
    "dlrig catalog show": ("object", ["part", "prices", "sources"]),
    "dlrig catalog quarantine": ("list", ["category", "name", "reason", "record"]),
    "dlrig catalog import open-db": ("object", ["added", "changed", "unchanged", "kept",
                                                "generic", "seconds", "categories"]),
    "dlrig catalog update": ("object", ["added", "changed", "unchanged", "kept", "generic",
                                        "seconds", "categories"]),
    "dlrig db info": ("object", ["path", "schema", "size_bytes", "parts", "prices", "rates",
                                 "unmatched", "quarantined", "credits"]),
    "dlrig db check": ("object", ["path", "ok", "summary", "schema_version", "checked",
                                  "damaged", "schema", "unreadable", "problems",
                                  "problem_count", "notes"]),
    "dlrig db repair": ("object", ["path", "changed", "ok", "backup", "rebuilt", "saved",
                                   "skipped", "dropped", "recreated", "removed"]),
    "dlrig prices import pcpp": ("object", ["date", "market", "currency", "written", "review",
                                            "categories", "bad"]),
    "dlrig prices update": ("object", ["date", "market", "currency", "written", "review",
                                       "categories", "bad"]),
    "dlrig prices import csv": ("object", ["file", "rows", "encoding", "delimiter", "matched",
                                           "review", "bad", "written", "dry_run"]),
    "dlrig prices unmatched": ("object", ["total", "rows"]),
    "dlrig prices history": ("object", ["part", "name", "market", "quotes", "sources"]),
    "dlrig rates list": ("list", _RATE),
    "dlrig rates set": ("object", _RATE),
    "dlrig rates import": ("object", ["imported", "rates"]),
    "dlrig rates update": ("object", ["sources", "new", "changed", "unchanged", "kinds",
                                      "skipped"]),
    "dlrig update": ("object", ["steps", "parts_added", "parts_changed", "prices_written",
                                "prices_for_review", "rates_new", "rates_changed",
                                "rates_unchanged", "price_date", "notes"]),
    "dlrig config show": ("object", ["file", "exists", "settings"]),
    "dlrig demo": ("object", ["budget", "then", "now"]),
    "dlrig fit": ("object", ["memory", "max_count", "market", "speed_model", "gpus", "notes"]),
}
# Commands whose --json is a library object's own ``to_dict``/``model_dump``: documented
# where the object is (their keys are many and belong to the library).
LIBRARY_JSON = {
    "dlrig plan": "a plan (dlrig.optimize PlanResult.to_dict: status, parts, total, ...)",
    "dlrig sweep": "a list of sweep rows (SweepRow.to_dict), one per budget",
    "dlrig check": "the check report (dlrig.report.check)",
    "dlrig power": "the power report (dlrig.report.check)",
    "dlrig gpus": "a list of GPU scores (GpuScore.to_dict)",
    "dlrig workloads": "a list of workload profiles (Workload, as in its TOML file)",
    "dlrig models": "a list of models (ModelSpec, as in its TOML file)",
    "dlrig swap": "the slot's alternatives (build, slot, market, throughput, picker, "
                  "alternatives, compatible, incompatible, unsupported, unverified)",
    "dlrig bench": "with --json -: the result, whose JSON Schema --schema prints",
}


def markdown() -> list[str]:
    """The section of docs/cli.md."""
    out = ["## JSON output", "",
           "Every command that prints data takes `--json` (`dlrig bench --json -`): one JSON "
           "document on stdout, nothing else there; progress bars and warnings go to stderr. "
           "Keys are only ever added.", "",
           "| command | shape | keys |", "| --- | --- | --- |"]
    for path, (shape, keys) in JSON_KEYS.items():
        out.append(f"| `{path}` | {shape} | {', '.join(f'`{k}`' for k in keys)} |")
    for path, what in LIBRARY_JSON.items():
        out.append(f"| `{path}` | library | {what} |")
    return out + [""]
