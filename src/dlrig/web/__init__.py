"""The local web UI (``dlrig serve``): FastAPI + Jinja2 over the library."""

from .app import create_app

__all__ = ["create_app"]
