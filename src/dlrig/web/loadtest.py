"""A bounded load test of ``dlrig serve`` on 127.0.0.1: a burst of plan requests, with the
home page probed throughout. Used by ``tests/web/test_load.py`` (correctness only) and
``benchmarks/bench_load.py`` (the figures ``make bench`` reports).

It serves the app with uvicorn in a thread on a free local port, sends ``n`` plan requests
at once (budgets cycling through ``budgets``, so some are identical and share a solve) with
httpx, and records each answer's status, time and body, and the home page's latency every
``probe_every_s`` while the burst lasts. Nothing leaves this machine.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    status: int
    seconds: float
    body: Any = None  # the JSON answer
    retry_after: str | None = None


@dataclass
class LoadResult:
    answers: list[Answer]
    home_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    home_at_s: list[float] = field(default_factory=list)  # when each probe was sent

    def share(self, status: int) -> float:
        return sum(a.status == status for a in self.answers) / max(1, len(self.answers))

    def summary(self) -> dict[str, Any]:
        ok = [a.seconds for a in self.answers if a.status == 200]
        q = statistics.quantiles(ok, n=100) if len(ok) >= 2 else ok * 99 or [0.0] * 99
        return {
            "requests": len(self.answers), "served": sum(a.status == 200 for a in self.answers),
            "busy_503": sum(a.status == 503 for a in self.answers),
            "errors_5xx": sum(a.status >= 500 and a.status != 503 for a in self.answers),
            "p50_s": round(statistics.median(ok), 3) if ok else None,
            "p99_s": round(q[98], 3) if ok else None,
            "served_per_s": round(len(ok) / self.wall_s, 2) if self.wall_s else None,
            "home_max_s": round(max(self.home_s), 3) if self.home_s else None,
            "home_p50_s": round(statistics.median(self.home_s), 3) if self.home_s else None,
            "wall_s": round(self.wall_s, 2),
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn serving ``app`` on 127.0.0.1 in a background thread (a context manager)."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


class ProcessServer:
    """``dlrig serve`` in a process of its own on 127.0.0.1 (a context manager): the load
    generator then does not share the server's interpreter (and its GIL), as a browser
    would not. ``env`` adds to the environment (DLRIG_DB...)."""

    def __init__(self, env: dict[str, str] | None = None):
        self.port = free_port()
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ProcessServer:
        import httpx

        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from dlrig.cli import main; main()", "serve", "--port",
             str(self.port)], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.url + "/", timeout=1).raise_for_status()
                return self
            except httpx.HTTPError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr \
                        else ""
                    raise RuntimeError(f"dlrig serve did not start: {err[-500:]}") from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


_PROBE = """
import json, sys, time, os, httpx
url, every, stop = sys.argv[1], float(sys.argv[2]), sys.argv[3]
out = []
with httpx.Client(timeout=60) as c:
    t0 = time.perf_counter()
    while not os.path.exists(stop):
        t = time.perf_counter()
        c.get(url + "/").raise_for_status()
        out.append((t - t0, time.perf_counter() - t))
        time.sleep(every)
print(json.dumps(out))
"""


class ProbeProcess:
    """GET / every ``every`` seconds from a process of its own (its latencies are then the
    server's, not the load generator's queue), until the context ends."""

    def __init__(self, url: str, every: float, folder: str):
        self.stop = os.path.join(folder, "stop-probe")
        self.proc = subprocess.Popen([sys.executable, "-c", _PROBE, url, str(every), self.stop],
                                     stdout=subprocess.PIPE)
        self.samples: list[tuple[float, float]] = []

    def finish(self) -> list[tuple[float, float]]:
        import json

        open(self.stop, "w").close()
        out, _ = self.proc.communicate(timeout=120)
        self.samples = json.loads(out or b"[]")
        return self.samples


async def _burst(url: str, queries: list[str], probe_every_s: float,
                 probe_process: bool = False) -> LoadResult:
    import tempfile

    import httpx

    limits = httpx.Limits(max_connections=len(queries) + 4, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        done = asyncio.Event()
        home: list[float] = []
        starts: list[float] = []
        t0 = time.perf_counter()

        async def probe():
            while not done.is_set():
                t = time.perf_counter()
                r = await client.get("/")
                r.raise_for_status()
                home.append(time.perf_counter() - t)
                starts.append(t - t0)
                try:
                    await asyncio.wait_for(done.wait(), probe_every_s)
                except TimeoutError:
                    pass

        async def one(q: str) -> Answer:
            t = time.perf_counter()
            r = await client.get("/plan?" + q, headers={"accept": "application/json"})
            body = r.json() if r.headers.get("content-type", "").startswith("application/json") \
                else None
            return Answer(r.status_code, time.perf_counter() - t, body,
                          r.headers.get("retry-after"))

        # A started server has rendered a page and read its catalog (the empty plan form).
        for warm in ("/", "/plan"):
            (await client.get(warm)).raise_for_status()
        with tempfile.TemporaryDirectory() as folder:
            outside = ProbeProcess(url, probe_every_s, folder) if probe_process else None
            if outside is not None:
                await asyncio.sleep(0.5)  # the probe process has started and sent once
            t0 = time.perf_counter()
            prober = asyncio.create_task(probe()) if outside is None else None
            answers = await asyncio.gather(*(one(q) for q in queries))
            wall = time.perf_counter() - t0
            done.set()
            if prober is not None:
                await prober
            else:
                for at, took in outside.finish():
                    home.append(took)
                    starts.append(at)
    return LoadResult(list(answers), home, wall, starts)


def burst(app, queries: list[str], probe_every_s: float = 0.05,
          probe_process: bool = False) -> LoadResult:
    """Serve ``app`` (or, given a ``ProcessServer``, use that server) and send every query
    in ``queries`` to /plan at once.

    The client runs its own event loop in a thread of its own, so it works wherever it is
    called from (a test process where another library keeps a loop running, too)."""
    out: dict[str, Any] = {}

    def client(url: str) -> None:
        try:
            out["result"] = asyncio.run(_burst(url, queries, probe_every_s, probe_process))
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = e

    if isinstance(app, ProcessServer):
        client(app.url)
    else:
        with Server(app) as srv:
            t = threading.Thread(target=client, args=(srv.url,))
            t.start()
            t.join()
    if "error" in out:
        raise out["error"]
    return out["result"]


def plan_queries(n: int, market: str = "us", budgets=(900, 1200, 1500, 2000, 2500, 3000, 4000,
                                                      5000)) -> list[str]:
    """``n`` plan queries cycling through ``budgets`` (so identical ones recur)."""
    return [f"budget={budgets[i % len(budgets)]}&market={market}" for i in range(n)]
