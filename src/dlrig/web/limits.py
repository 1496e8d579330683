"""A cap on request bodies, enforced before any route or parser runs.

The body is read in the server's chunks into a buffer of at most
``max_bytes``; past that the rest is read and thrown away (so the browser
sees an answer instead of a reset connection) up to ``drain_bytes``, then
the connection is abandoned. The route is then called with an empty body
and ``request.state.too_large`` set, so it can re-render its form with the
message beside the upload field. A 50 MB upload never sits in memory.
"""

from __future__ import annotations

from typing import Any

MAX_BODY = 2 * 1024 * 1024
DRAIN = 256 * 1024 * 1024


class BodyLimit:
    def __init__(self, app: Any, max_bytes: int = MAX_BODY, drain_bytes: int = DRAIN):
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = drain_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        chunks: list[bytes] = []
        size = 0
        more = True
        too_large = declared is not None and declared > self.max_bytes
        while more and not too_large:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            more = message.get("more_body", False)
            if size > self.max_bytes:
                too_large = True
            else:
                chunks.append(body)
        if too_large:
            seen = max(size, 0)
            while more and seen < self.drain_bytes:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                seen += len(message.get("body", b""))
                more = message.get("more_body", False)
            state = scope.setdefault("state", {})
            state["too_large"] = {"limit": self.max_bytes, "size": declared or seen}
            scope = dict(scope)
            scope["headers"] = [
                (k, v) for k, v in scope["headers"]
                if k not in (b"content-length", b"content-type", b"transfer-encoding")
            ] + [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"0")]
            chunks = []
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope) -> int | None:
    for k, v in scope.get("headers", []):
        if k == b"content-length":
            try:
                return int(v)
            except ValueError:
                return None
    return None


def too_large_message(request) -> str | None:
    info = getattr(request.state, "too_large", None)
    if not info:
        return None
    mb = info["size"] / 1024 / 1024
    limit = info["limit"] / 1024 / 1024
    return (f"the upload is {mb:,.1f} MB; the limit is {limit:g} MB - "
            "split the file or remove rows you do not need")
