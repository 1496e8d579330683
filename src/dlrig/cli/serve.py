"""``dlrig serve``: the local web UI over the same library as the CLI."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import InputError
from .root import app, console, guarded


@app.command()
@guarded
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on; the default is this machine only."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    db: Path | None = typer.Option(None, "--db", help="Local database (default: DLRIG_DB or the user data dir)."),
) -> None:
    """Serve the web UI (Plan, Swap, Check, Sweep, GPUs, Prices) on localhost.

    Example: dlrig serve --port 8000, then open http://127.0.0.1:8000/
    """
    import uvicorn

    from ..web import create_app

    if db is not None and db.exists() and not db.is_file():
        raise InputError(f"--db {db} is not a file", hint="give the path of a dlrig database file")
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]warning:[/] listening on {host}: anyone who can reach it can use "
                      "this server (it has no login)", highlight=False)
    console.print(f"dlrig web UI on http://{'[' + host + ']' if ':' in host else host}:{port}/ (Ctrl-C stops it)",
                  highlight=False)
    uvicorn.run(create_app(db=db), host=host, port=port, log_level="warning")
