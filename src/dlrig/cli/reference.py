"""Generate ``docs/cli.md`` from the typer app itself.

Like sqlite-utils' documentation tests: the reference is produced from the
commands' own docstrings and options, and ``tests/test_cli_docs.py`` fails
when the committed file differs, so a new or changed option cannot go
undocumented. Regenerate with ``python -m dlrig.cli.reference > docs/cli.md``.
"""

from __future__ import annotations

from typing import Any

import typer

from . import _load, app

HEADER = """# dlrig command reference

Generated from the commands themselves by `python -m dlrig.cli.reference > docs/cli.md`;
`tests/test_cli_docs.py` fails when this file is out of date.

Exit codes everywhere: 0 success, 1 a negative verdict (a check with errors, no
build that fits, a failed measurement), 2 bad input (one line on stderr saying
what is wrong and how to fix it).

Defaults: `dlrig config set market|currency|workload|db VALUE` writes them to the config
file (`dlrig config path`); an option given on the command line wins over the file, and
`$DLRIG_DB` over its `db`. Shell completion: `dlrig --install-completion`. Commands that
take more than a second draw a progress bar on stderr when it is a terminal (none with
`--quiet` or `--json`). The keys of every `--json` answer are listed at the end.
"""


def _param_row(p: Any) -> str:
    is_arg = p.param_type_name == "argument"
    if is_arg:
        name = f"`{(p.metavar or p.name).upper()}`"
        kind = "argument" + ("" if p.required else " (optional)")
        help_ = getattr(p, "help", "") or ""
    else:
        opts = ", ".join(f"`{o}`" for o in p.opts + p.secondary_opts)
        name = opts
        kind = "flag" if getattr(p, "is_flag", False) else f"value `{p.metavar}`" if p.metavar else "value"
        help_ = p.help or ""
    default = ""
    if not is_arg and p.default not in (None, False, (), "") and not callable(p.default):
        default = f" (default: `{p.default}`)"
    return f"| {name} | {kind} | {help_.replace('|', '/').strip()}{default} |"


def _section(path: str, cmd: Any) -> list[str]:
    out = [f"## `{path}`", ""]
    doc = (cmd.help or "").strip()
    if doc:
        out += [doc.replace("\b\n", ""), ""]
    params = [p for p in cmd.params if p.name != "help"]
    if params:
        out += ["| parameter | kind | meaning |", "| --- | --- | --- |"]
        out += [_param_row(p) for p in params]
        out.append("")
    return out


def _walk(group: Any, prefix: str) -> list[tuple[str, Any]]:
    found = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        if getattr(cmd, "hidden", False):
            continue
        path = f"{prefix} {name}"
        if hasattr(cmd, "commands"):
            found += _walk(cmd, path)
        else:
            found.append((path, cmd))
    return found


def commands() -> list[tuple[str, Any]]:
    """Every leaf command as (``dlrig x y``, click command)."""
    _load()
    root = typer.main.get_command(app)
    return _walk(root, "dlrig")


def markdown() -> str:
    from .jsonkeys import markdown as json_section

    lines = [HEADER]
    for path, cmd in commands():
        lines += _section(path, cmd)
    lines += json_section()
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
