"""Tables of TOML files: built-in ones shipped with dlrig, the user's beside them.

Workload profiles and the model table are both kept this way: one TOML file
per row in ``dlrig/data/<kind>``, and the user's own in the platform's config
directory (``dlrig/<kind>``) and in a folder named by an environment variable
(later folders win, and a user file replaces a built-in of the same name).
One reader, so a broken file gets the same one-line error in both.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InputError


def builtin_files(kind: str) -> list[Any]:
    """The shipped ``dlrig/data/<kind>/*.toml`` files, by name."""
    root = resources.files("dlrig") / "data" / kind
    return sorted((f for f in root.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def user_dirs(kind: str, env_var: str) -> list[Path]:
    """Where the user's files of ``kind`` are looked for, in order (later ones win)."""
    from platformdirs import user_config_dir

    dirs = [Path(user_config_dir("dlrig")) / kind]
    env = os.environ.get(env_var)
    if env:
        dirs.append(Path(env))
    return dirs


def user_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        if d.is_dir():
            # regular files only: a FIFO named x.toml would block every command that lists
            files.extend(sorted(p for p in d.glob("*.toml") if p.is_file()))
    return files


def validation_message(err: ValidationError) -> str:
    e = err.errors()[0]
    loc = ".".join(str(x) for x in e["loc"]) or "file"
    return f"{loc}: {e['msg']}"


def read_row(path: Path | Any, model: type[BaseModel], what: str, hint: str) -> Any:
    """One file read and validated as ``model``; ``name`` defaults to the file's stem.

    Unreadable, non-TOML or invalid files raise one ``InputError`` line naming
    the file (``what``: 'workload file', 'model file').
    """
    from .files import read_text

    try:
        text = path.read_text(encoding="utf-8") if not isinstance(path, Path) else read_text(
            path, "build")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {what} {path}: {e}") from None
    except RecursionError:
        raise InputError(f"{what} {path} nests its values too deeply") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{what} {path} is not valid TOML: {e}") from None
    data.setdefault("name", Path(str(path)).stem)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise InputError(f"{what} {path}: {validation_message(e)}", hint=hint) from None
