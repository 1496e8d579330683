"""The CLI's words for library errors: the option a ``field`` is given with, and the command
that helps with a ``code``. The library names parameters ("power limit"); only here do they
become options ("--power-limit"), so the web can say the same thing beside its inputs.
"""

from __future__ import annotations

from ..errors import DlrigError

# Library field -> the option that sets it (where the name differs from --<field>).
FLAGS = {
    "sweep": "--from/--to/--step",
    "stop": "--to",
    "start": "--from",
    "context": "--context",
}
# Failure kind -> what the CLI adds to the library's hint.
CODE_HINTS = {
    "unknown_part": "'dlrig catalog list' shows the parts",
    "missing_rate": "'dlrig rates set BASE QUOTE RATE --date YYYY-MM-DD' records one",
    "missing_column": "--columns FIELD=COLUMN maps one",
    "bad_rows": "--skip-bad-rows imports the good ones",
    "no_bench_result": "'dlrig bench --json FILE' writes one",
}


def flag(field: str) -> str:
    return FLAGS.get(field, "--" + field.replace("_", "-"))


def say(e: DlrigError) -> str:
    """One line for the terminal: the option at fault first, then the library's words."""
    text = e.one_line()
    extra = CODE_HINTS.get(e.code or "")
    if extra:
        text = f"{e.message} ({e.hint}; {extra})" if e.hint else f"{e.message} ({extra})"
    return f"{flag(e.field)}: {text}" if e.field else text
