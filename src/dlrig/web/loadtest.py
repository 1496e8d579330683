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
import socket
import statistics
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


async def _burst(url: str, queries: list[str], probe_every_s: float) -> LoadResult:
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
        t0 = time.perf_counter()
        prober = asyncio.create_task(probe())
        answers = await asyncio.gather(*(one(q) for q in queries))
        wall = time.perf_counter() - t0
        done.set()
        await prober
    return LoadResult(list(answers), home, wall, starts)


def burst(app, queries: list[str], probe_every_s: float = 0.05) -> LoadResult:
    """Serve ``app`` and send every query in ``queries`` to /plan at once.

    The client runs its own event loop in a thread of its own, so it works wherever it is
    called from (a test process where another library keeps a loop running, too)."""
    out: dict[str, Any] = {}

    def client(url: str) -> None:
        try:
            out["result"] = asyncio.run(_burst(url, queries, probe_every_s))
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = e

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
