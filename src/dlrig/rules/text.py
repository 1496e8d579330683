"""Small helpers for rule sentences: part names, counts, lists."""

from __future__ import annotations

from ..parts import Category


def esc(text: str) -> str:
    """A part name made safe for ``str.format`` (rule sentences are templates)."""
    return str(text).replace("{", "{{").replace("}", "}}")


def names(build, category: Category) -> str:
    """'GeForce RTX 3090 x 2, GeForce RTX 3060' for the build's parts of a category."""
    out = []
    for i in build.of(category):
        out.append(esc(i.part.name) + (f" x {i.quantity}" if i.quantity > 1 else ""))
    return ", ".join(out) or f"no {category.value}"


def plural(n: int | float, word: str, words: str | None = None) -> str:
    return f"{n:g} {word if n == 1 else (words or word + 's')}"


def gb(x: float) -> str:
    return f"{x:g} GB"
