"""Shell completion of values: market codes, workload and model names, config keys.

Each reads only file names (the built-in data folders and the user's table folders), never
a catalog or a database, so a TAB answers at once. ``lazy.tidy`` attaches them by option
name to every command, so an option called ``--market`` completes the same everywhere.
"""

from __future__ import annotations


def _stems(kind: str, env_var: str | None = None) -> list[str]:
    """The names of the ``*.toml`` files of a built-in table, and of the user's own."""
    from ..tables import builtin_files, user_dirs, user_files

    names = [f.name.removesuffix(".toml") for f in builtin_files(kind)]
    if env_var:
        names += [p.stem for p in user_files(user_dirs(kind, env_var))]
    return sorted(set(names))


def markets() -> list[str]:
    return _stems("markets")


def workloads() -> list[str]:
    return _stems("workloads", "DLRIG_WORKLOADS")


def models() -> list[str]:
    return _stems("models", "DLRIG_MODELS")


def config_keys() -> list[str]:
    from ..config import KEYS

    return list(KEYS)


def _matching(names: list[str], incomplete: str) -> list[str]:
    low = (incomplete or "").lower()
    return [n for n in names if n.lower().startswith(low)]


def _by(source):
    def complete(ctx, param, incomplete: str) -> list[str]:
        return _matching(source(), incomplete)

    return complete


def _config_value(ctx, param, incomplete: str) -> list[str]:
    """``dlrig config set KEY VALUE``: the values the key takes."""
    source = {"market": markets, "workload": workloads}.get(ctx.params.get("key") or "")
    return _matching(source(), incomplete) if source else []


# (command name or None for any command, parameter name) -> completer
COMPLETERS = {
    (None, "market"): _by(markets),
    (None, "workload"): _by(workloads),
    (None, "model"): _by(models),
    ("models", "name"): _by(models),
    ("workloads", "name"): _by(workloads),
    ("set", "key"): _by(config_keys),
    ("unset", "key"): _by(config_keys),
    ("set", "value"): _config_value,
}


def completer(command: str | None, param: str | None):
    return COMPLETERS.get((command, param)) or COMPLETERS.get((None, param))
