"""One way to answer: an HTML page or the same data as JSON.

Every route builds the library's own objects and hands them to ``respond``;
``Accept: application/json`` (or ``?format=json``) gets those objects as
JSON through ``jsonable``, a browser gets the template. Keeping the choice
in one place is what makes "every route answers JSON too" true by
construction rather than by remembering it per route.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel

from ..units import Money

HERE = Path(__file__).parent


def wants_json(request: Request) -> bool:
    """JSON when asked for by header or ``?format=json``; HTML otherwise."""
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first == "application/json" or (
        "application/json" in accept and "text/html" not in accept
    )


def jsonable(obj: Any) -> Any:
    """The library's objects as plain JSON values.

    Objects that know their JSON form (``to_dict``) are trusted; pydantic
    models and dataclasses are dumped field by field; money keeps its exact
    minor units beside a readable text so no client has to parse "1,234 USD".
    """
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Money):
        return {"minor": obj.minor, "currency": obj.currency, "amount": obj.amount, "text": str(obj)}
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, Path):
        return obj.name
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return jsonable(obj.to_dict())
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(jsonable(k) if not isinstance(k, str) else k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(x) for x in obj]
    return str(obj)


def _money(value: Any, decimals: bool | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Money):
        return value.format(decimals)
    return str(value)


def _pct(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value):.{digits}f} %"


def _num(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) and digits == 0:
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def _val(value: Any) -> str:
    """A finding's number or list as a person reads it."""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_val(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def make_templates() -> Jinja2Templates:
    """Autoescaping is on for every template: a build called ``<script>`` is text."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from ..report.check import headline
    from ..report.provenance import provenance

    env.globals["headline"] = headline  # the check's verdict, worded as the CLI words it
    # a LocalPrice as a buyer reads it (store, kind, cited source): one wording everywhere
    env.globals["provenance_of"] = provenance
    env.globals["data_warning"] = data_warning
    env.filters["money"] = _money
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    env.filters["val"] = _val
    return Jinja2Templates(env=env)


def respond(
    request: Request,
    template: str,
    context: dict[str, Any],
    data: Any,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
):
    """The page, or ``data`` as JSON: the same objects either way."""
    if wants_json(request):
        return JSONResponse(jsonable(data), status_code=status_code, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    ctx = {"request": request, "page": template.removesuffix(".html"), **context}
    return templates.TemplateResponse(request, template, ctx, status_code=status_code,
                                      headers=headers)


def page_key(request: Request) -> tuple:
    """What makes two page requests the same answer: the address, the query (in any
    order) and the format asked for."""
    return (request.url.path, tuple(sorted(request.query_params.multi_items())),
            wants_json(request))


def data_warning(request: Request) -> str | None:
    """The line the CLI prints on stderr when the database had damaged rows (left out of
    the catalog), for the top of every page; None when there were none."""
    source = getattr(request.app.state, "catalog", None)
    catalog = source.loaded() if source is not None else None
    damage = getattr(catalog, "damage", None)
    return damage.line() if damage is not None and damage.total else None


def busy_response(request: Request, exc):
    """503 with Retry-After for a ``web.solves.Busy``: the server is busy, try again."""
    msg = f"{exc.why}; try again in {exc.retry_after} s"
    headers = {"Retry-After": str(exc.retry_after)}
    if wants_json(request):
        return JSONResponse({"error": msg, "status": 503, "retry_after": exc.retry_after},
                            status_code=503, headers=headers)
    return respond(request, "error.html", {"title": "Busy", "message": msg, "status": 503},
                   None, status_code=503, headers=headers)
