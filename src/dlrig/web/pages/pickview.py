"""The picker on a page: the URL's query read into a ``PickQuery``, the library's page of
parts, and the links each row, sort heading and page number need.

Shared by the Build page (``/build/pick/<slot>``) and the Swap page (``/swap?slot=``):
all the picker's state is in the URL (the build as ``p=`` lines, the words, filters,
sort and page), so every list is a link that works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import Request

from ...build import Build
from ...optimize.solve import perf_workload_for
from ...parts import Category
from ...picker import PickPage, PickQuery, parse_query, pick


def query_of(request: Request, slot: Category) -> tuple[PickQuery, dict]:
    qp = request.query_params
    return parse_query(slot, {k: qp.getlist(k) for k in qp.keys()})


def run(catalog, build: Build, query: PickQuery, opts: dict,
        link: Callable[[Build], str], base: list[tuple[str, str]], path: str) -> PickPage:
    """The library's page, each row with ``link`` (where choosing it goes), and the
    page's own links: ``page_links`` (number -> URL), ``sort_links`` (key -> URL),
    ``toggle_all`` (the list with or without the parts that do not fit)."""
    pg = pick(catalog, build, query, opts["ctx"], opts["market"],
              perf_workload_for(opts["workload"]))
    for r in pg.rows + pg.others:
        r.link = link(r.build)
    q = pg.query

    def url(**change) -> str:
        return f"{path}?{urlencode(base + q.params(**change))}#picker"

    pg.page_links = {n: url(page=n) for n in _page_numbers(q.page, pg.pages)}
    pg.prev_link = url(page=q.page - 1) if q.page > 1 else None
    pg.next_link = url(page=q.page + 1) if q.page < pg.pages else None
    from ...picker.query import SORTS

    pg.sort_links = {k: url(sort=k, desc=(not q.desc) if k == q.sort else SORTS[k][2], page=1)
                     for k, _ in pg.sorts}
    pg.toggle_all = url(show_all=not q.show_all, page=1)
    bare = PickQuery(q.slot, replace=q.replace, quantity=q.quantity)
    pg.clear_link = f"{path}?{urlencode(base + bare.params())}#picker"
    pg.hidden = base + ([("replace", q.replace)] if q.replace else [])
    pg.action = path
    return pg


def _page_numbers(page: int, pages: int) -> list[int]:
    """The first, the last and the two either side of the current page."""
    keep = {1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}
    return sorted(keep)
