"""The user's defaults file: the market, currency, workload and database a person uses
every day, so ``dlrig plan --budget 1500`` need not repeat ``--market ar --currency USD``.

One TOML file, ``config.toml`` in the platform's config folder (platformdirs), or the file
``$DLRIG_CONFIG`` names. Every key is optional; an option given on the command line always
wins over the file. ``db`` is the default database, as ``$DLRIG_DB`` (which wins over it):
a configured path that does not exist yet is where imports create the database, and
commands that read parts use the built-in catalog until then. A bad file is one
``InputError`` line naming the file, the key and the fix; it is checked when it is read,
so a typo is found by the next command, not by the plan it quietly changed.

The library only reads and writes the file; the CLI turns the values into option defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

ENV = "DLRIG_CONFIG"
FILE_NAME = "config.toml"
MAX_BYTES = 64 * 1024  # a config file holds four short keys
# key -> what it is the default of (the help of 'dlrig config set' and 'config show').
KEYS: dict[str, str] = {
    "market": "where parts are bought (--market), e.g. us, ar",
    "currency": "currency of budgets and amounts (--currency), e.g. USD",
    "workload": "workload profile (--workload), e.g. cnn",
    "db": "the local database file (--db; $DLRIG_DB wins over it)",
}


def path() -> Path:
    """The config file: ``$DLRIG_CONFIG`` if set, else ``<user config dir>/config.toml``."""
    env = os.environ.get(ENV)
    if env:
        from .files import expand

        return expand(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("dlrig", appauthor=False)) / FILE_NAME


def _fix(key: str) -> str:
    return f"'dlrig config set {key} VALUE' writes a good one, 'dlrig config unset {key}' removes it"


def check_value(key: str, value: object) -> str:
    """``value`` as stored for ``key``, checked as the commands would check it; an
    ``InputError`` says what is wrong (without the file: ``load`` and ``set_value`` add it)."""
    if key not in KEYS:
        raise InputError(f"unknown key '{key}'", hint="keys: " + ", ".join(KEYS))
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{key} must be a non-empty string, not {value!r}")
    v = value.strip()
    if key == "market":
        known = market_codes()
        if v.lower() not in known:
            raise InputError(f"unknown market '{v}'", hint="use one of " + ", ".join(known))
        return v.lower()
    if key == "currency":
        from .units import check_currency

        return check_currency(v)
    if key == "workload":
        from .perf import get_workload

        return get_workload(v).name
    return _check_db(v)


def _check_db(v: str) -> str:
    """A database path that can be opened or created: not a folder or another kind of
    file, no NUL, not too long for the file system, its folders folders. A path that does
    not exist yet is fine (imports create it)."""
    import errno
    import stat

    from .files import expand

    if "\x00" in v:
        raise InputError("db holds a NUL character", hint="give the path of a database file")
    try:
        mode = expand(v).stat().st_mode
    except OSError as e:
        why = {errno.ENAMETOOLONG: "is too long for the file system",
               errno.ENOTDIR: "goes through a file as if it were a folder",
               errno.ELOOP: "goes through a loop of symbolic links"}.get(e.errno)
        if why:
            raise InputError(f"the db path {why}: {v}",  # why first: a long path is cut
                             hint="give the path of a database file") from None
        return v  # not there yet (or not ours to look at): opening it says more
    if stat.S_ISDIR(mode):
        raise InputError(f"db {v} is a folder", hint="give the path of a database file")
    if not stat.S_ISREG(mode):
        raise InputError(f"db {v} is not a regular file",
                         hint="give the path of a database file")
    return v


def market_codes() -> list[str]:
    """The built-in markets' codes (the names of their files): cheap, nothing parsed."""
    from .tables import builtin_files

    return [f.name.removesuffix(".toml") for f in builtin_files("markets")]


def _read(file: Path) -> dict:
    """The file's table, or {} when there is no file. A file over ``MAX_BYTES`` is refused
    unread (four short lines need a few hundred bytes), as is TOML the parser cannot take:
    arrays nested too deep (``RecursionError``), an integer over Python's digit limit."""
    try:
        raw = None
        if file.is_file():
            with open(file, "rb") as h:
                raw = h.read(MAX_BYTES + 1)
    except OSError as e:
        raise InputError(f"cannot read the config file {file}: {e.strerror or e}",
                         hint=f"fix its permissions, or point ${ENV} at another file") from None
    if raw is None:
        if file.exists():
            raise InputError(f"the config file {file} is not a file",
                             hint=f"remove it, or point ${ENV} at a TOML file")
        return {}
    if len(raw) > MAX_BYTES:
        raise InputError(f"the config file {file} is over {MAX_BYTES // 1024} KB, "
                         "too large for a config file",
                         hint="it holds four keys at most: delete it and 'dlrig config set' "
                              "the ones you need")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except RecursionError:
        why = "values nested too deep"
    except (UnicodeDecodeError, ValueError) as e:  # TOMLDecodeError is a ValueError
        why = str(e)
    raise InputError(f"the config file {file} is not valid TOML: {why}",
                     hint="write lines like market = \"us\", or delete the file")


def load(file: Path | None = None) -> dict[str, str]:
    """The file's settings, each checked (``check_value``); {} when there is no file."""
    file = path() if file is None else file
    data = _read(file)
    out: dict[str, str] = {}
    for key, value in data.items():
        if key not in KEYS:
            raise InputError(f"the config file {file}: unknown key '{key}'",
                             hint=f"keys: {', '.join(KEYS)}; 'dlrig config unset {key}' "
                                  "removes it")
        try:
            out[key] = check_value(key, value)
        except InputError as e:
            raise InputError(f"the config file {file}: {key}: {e.message}",
                             hint=(e.hint + "; " if e.hint else "") + _fix(key)) from None
    return out


def _write(file: Path, data: dict) -> None:
    import tomli_w

    from .files import write_output

    try:
        file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create the folder of the config file {file}: "
                         f"{e.strerror or e}", hint=f"point ${ENV} at a file you can write") from None
    # the known keys in their order, then any other key as it was (unset removes those)
    ordered = {k: data[k] for k in KEYS if k in data}
    ordered.update({k: v for k, v in data.items() if k not in KEYS})
    write_output(file, tomli_w.dumps(ordered), "config file")


def set_value(key: str, value: str, file: Path | None = None) -> str:
    """Write ``key = value`` (checked) into the file, keeping the other keys; returns the
    value as stored. A bad file must be fixed first: only its bad key may be unset or set."""
    file = path() if file is None else file
    stored = check_value(key, value)
    data = _read(file)
    unknown = [k for k in data if k not in KEYS]
    if unknown:  # never drop what someone wrote there without a word
        raise InputError(f"the config file {file} has an unknown key '{unknown[0]}'",
                         hint=f"remove it first: dlrig config unset {unknown[0]}")
    data[key] = stored
    _write(file, data)
    return stored


def unset(key: str, file: Path | None = None) -> bool:
    """Remove ``key`` from the file (an unknown key too, so a typo can be removed); False
    when it was not there."""
    file = path() if file is None else file
    data = _read(file)
    if key not in data:
        if key not in KEYS:
            raise InputError(f"unknown key '{key}'", hint="keys: " + ", ".join(KEYS))
        return False
    del data[key]
    _write(file, data)
    return True


@dataclass(frozen=True)
class Setting:
    """One key's value in effect and where it comes from (what 'dlrig config show' says)."""

    key: str
    value: str | None
    source: str  # 'config file', '$DLRIG_DB', 'default' or 'unset'
    meaning: str

    def to_dict(self) -> dict:
        return {"key": self.key, "value": self.value, "source": self.source}


def settings(file: Path | None = None) -> list[Setting]:
    """Every key's value in effect: the file's, the environment's (``db``), or the default
    (each command's own: the market a build names, the market's currency...)."""
    values = load(file)
    out = []
    for key, meaning in KEYS.items():
        if key == "db" and os.environ.get("DLRIG_DB"):
            out.append(Setting(key, os.environ["DLRIG_DB"], "$DLRIG_DB", meaning))
        elif key in values:
            out.append(Setting(key, values[key], "config file", meaning))
        elif key == "db":
            from .store.db import default_db_path

            out.append(Setting(key, str(default_db_path()), "default", meaning))
        else:
            out.append(Setting(key, None, "unset", meaning))
    return out


def export_db(values: dict[str, str]) -> None:
    """Make the configured ``db`` this process's default database (``$DLRIG_DB``, read by
    every part of dlrig that opens the default database, the web included), unless
    ``$DLRIG_DB`` is already set: the environment wins over the file."""
    if values.get("db") and not os.environ.get("DLRIG_DB"):
        from .files import expand

        os.environ["DLRIG_DB"] = str(expand(values["db"]))
