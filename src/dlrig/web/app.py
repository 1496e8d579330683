"""The FastAPI application: a thin, server-rendered layer over the library.

Routes parse a form, call the same library functions as the CLI, and hand
the returned objects to ``render.respond`` (HTML or JSON). Nothing here
decides what a build is worth; that is the library's job.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..catalog import Catalog
from ..errors import DlrigError
from .limits import MAX_BODY, BodyLimit
from .render import HERE, busy_response, make_templates, respond, wants_json
from .solves import Busy, SolveQueue
from .state import CatalogSource

log = logging.getLogger("dlrig.web")

# Page modules, in menu order: (module, path, menu label).
PAGES = (
    ("plan", "/plan", "Plan"),
    ("build", "/build", "Build"),
    ("swap", "/swap", "Swap"),
    ("check", "/check", "Check"),
    ("sweep", "/sweep", "Sweep"),
    ("gpus", "/gpus", "GPUs"),
    ("prices", "/prices", "Prices"),
)


def create_app(db: Path | None = None, catalog: Catalog | None = None,
               max_body: int = MAX_BODY, solve_options: dict | None = None) -> FastAPI:
    """The web app over the database at ``db`` (or the built-in catalog).

    ``catalog`` fixes the catalog (tests use a small hand-made one).
    """
    app = FastAPI(title="dlrig", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.templates = make_templates()
    app.state.catalog = CatalogSource(db, catalog)
    app.state.db = db
    app.state.max_body = max_body
    app.state.solves = SolveQueue(**(solve_options or {}))
    app.state.menu = []
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(BodyLimit, max_bytes=max_body)

    for module, path, label in PAGES:
        name = f"{__name__.rsplit('.', 1)[0]}.pages.{module}"
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:  # a page whose library API has not landed
            if e.name != name:
                raise
            continue
        app.include_router(mod.router)
        app.state.menu.append((path, label))

    @app.get("/")
    async def index(request: Request):  # no thread: stays quick while solves queue
        pages = [{"path": p, "label": label} for p, label in app.state.menu]
        return respond(request, "index.html", {"pages": pages}, {"pages": pages})

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy):
        return busy_response(request, exc)

    @app.exception_handler(DlrigError)
    async def dlrig_error(request: Request, exc: DlrigError):
        if exc.exit_code != 2:  # the server's own storage failed (busy, full, damaged...)
            return unavailable(request, exc)
        return _error(request, 400, "Cannot do that", exc.one_line())

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        text = {404: "There is no page at this address.",
                405: "This page does not take that kind of request."}.get(exc.status_code, str(exc.detail))
        return _error(request, exc.status_code, "Not found" if exc.status_code == 404 else "Error", text)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return _error(request, 422, "Bad request", "; ".join(str(e.get("msg")) for e in exc.errors()))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return _error(request, 500, "Something went wrong",
                      "dlrig hit an internal error; nothing was changed. The server log has the details.")

    return app


def unavailable(request: Request, exc: DlrigError):
    """503 for a failure of the server's own data (a busy, full, read-only or damaged
    database): not the request's fault, and worth retrying (a busy database soon)."""
    retry = "5" if exc.code == "db_busy" else "60"
    if wants_json(request):
        return JSONResponse({"error": exc.one_line(), "status": 503, "code": exc.code},
                            status_code=503, headers={"Retry-After": retry})
    return respond(request, "error.html", {"title": "Unavailable", "message": exc.one_line(),
                                           "status": 503}, None, status_code=503,
                   headers={"Retry-After": retry})


def _error(request: Request, status: int, title: str, message: str):
    if wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    return respond(request, "error.html", {"title": title, "message": message, "status": status},
                   None, status_code=status)
