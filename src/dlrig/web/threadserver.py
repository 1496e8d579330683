"""The app under uvicorn in a daemon thread of this process, on a free 127.0.0.1 port.

For browser tests and ``benchmarks/screenshots.py``: a real HTTP server a browser can load
pages from, started and stopped within one process (``dlrig serve`` is the user's way).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ThreadServer:
    server: object  # uvicorn.Server
    thread: threading.Thread
    url: str  # http://127.0.0.1:PORT

    def stop(self, wait_s: float = 5.0) -> None:
        self.server.should_exit = True
        self.thread.join(wait_s)


def serve(app, start_timeout_s: float = 20.0) -> ThreadServer:
    """Start ``app``; RuntimeError when it has not started within ``start_timeout_s``."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.monotonic() + start_timeout_s
    while not srv.started:
        if time.monotonic() > deadline or not t.is_alive():
            srv.should_exit = True
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    return ThreadServer(srv, t, f"http://127.0.0.1:{port}")
