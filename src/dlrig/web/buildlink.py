"""A build as a link: ``?p=<part id>&p=<part id>*2&market=...``.

Pages pass builds to each other in the URL instead of in server-side
sessions, so any result can be bookmarked, shared and reproduced, and the
server keeps no state per visitor.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..build import Build, BuildItem
from ..catalog import Catalog
from ..errors import InputError, UnknownPartError

MAX_ITEMS = 32


def build_params(build: Build, **extra: str | int | None) -> list[tuple[str, str]]:
    params = [("p", i.part.id if i.quantity == 1 else f"{i.part.id}*{i.quantity}") for i in build.items]
    if build.name and build.name != "build":
        params.append(("name", build.name))
    for k, v in extra.items():
        if v is not None and v != "":
            params.append((k, str(v)))
    return params


def build_query(build: Build, **extra: str | int | None) -> str:
    return urlencode(build_params(build, **extra))


def build_from_params(refs: list[str], catalog: Catalog, name: str = "build",
                      market: str | None = None) -> Build:
    """The build a link names; unknown ids raise ``InputError`` with the closest matches."""
    if not refs:
        raise InputError("no parts given", hint="plan a build, or paste a part list on the Check page")
    if len(refs) > MAX_ITEMS:
        raise InputError(f"too many parts ({len(refs)})", hint=f"a build has at most {MAX_ITEMS} lines")
    items = []
    for ref in refs:
        pid, _, qty_s = ref.partition("*")
        qty = 1
        if qty_s:
            if not (qty_s.isascii() and qty_s.isdigit()) or not 1 <= int(qty_s) <= 16:
                raise InputError(f"part '{pid}': quantity must be a whole number from 1 to 16 (got {qty_s!r})")
            qty = int(qty_s)
        try:
            items.append(BuildItem(catalog.get(pid.strip()), qty))
        except UnknownPartError as e:
            raise InputError(e.message, hint=e.hint) from None
    return Build(tuple(items), name[:120] or "build", market)
