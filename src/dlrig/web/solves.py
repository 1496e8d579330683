"""The web's solves: a bounded pool with a queue, shared identical requests, 503 when busy.

Measured before this module (issue 12): 200 concurrent plan requests all ran at once in
the server's thread pool; the built-in catalog answered at p50 26.5 s while ``GET /``
waited up to 18 s, and on the 25,530-part catalog 12 of 20 answers came back "feasible"
instead of "optimal" because CP-SAT's time limit ran out under contention: the same
request got a worse machine when the server was busy.

So the server now promises:

- **Bounded**: at most ``workers`` solves run at once (each CP-SAT solve uses
  ``SOLVER_THREADS`` threads, so the machine's cores are not oversubscribed); at most
  ``depth`` more wait in a queue. A request beyond that, or one that waited more than
  ``start_timeout_s`` without starting, is answered at once with ``Busy`` (HTTP 503 and a
  ``Retry-After`` estimated from recent solve times), never with a worse answer.
- **Deterministic**: a solve that did not prove its answer (``FEASIBLE`` or ``UNKNOWN``:
  the time limit ran out) is not served either: ``Unfinished`` (503). Every answer served
  is the proven optimum (or a proven infeasibility), the same the CLI gives.
- **Shared**: identical requests on the same catalog wait for one solve, and recent
  answers are kept (keyed by the request and the catalog object, which is replaced when
  the data changes), so a burst of the same plan costs one solve.
- **Waiting costs no thread**: callers ``await`` the solve; the server's own threads stay
  free for quick pages.
- **Whole pages are shared too** (``page``): identical page requests (same address, query
  and format, same catalog) wait for one rendering, recent pages are kept, and at most
  ``workers + depth`` pages are in progress; beyond that a request is refused at once,
  before any parsing. Of the admitted pages only ``workers + 1`` are read, solved and
  rendered at a time (the rest wait in the event loop), so a burst cannot starve the
  quick pages of CPU.
"""

from __future__ import annotations

import asyncio
import math
import os
import statistics
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

SOLVER_THREADS = 2  # CP-SAT workers per solve (PlanRequest.num_workers)


class Busy(Exception):
    """The server cannot start this solve now; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int, why: str = "the server is busy planning other builds"):
        super().__init__(why)
        self.retry_after = retry_after
        self.why = why


@dataclass
class _Job:
    future: Future
    enqueued: float
    started: bool = False


@dataclass
class SolveStats:
    solved: int = 0
    shared: int = 0
    cached: int = 0
    busy: int = 0
    unfinished: int = 0
    durations: deque = field(default_factory=lambda: deque(maxlen=64))

    def to_dict(self) -> dict[str, Any]:
        d = list(self.durations)
        return {"solved": self.solved, "shared": self.shared, "cached": self.cached,
                "busy": self.busy, "unfinished": self.unfinished,
                "median_solve_s": round(statistics.median(d), 3) if d else None}


class SolveQueue:
    """Run solves for the web; see the module docstring."""

    def __init__(self, workers: int | None = None, depth: int | None = None,
                 start_timeout_s: float = 20.0, cache_size: int = 128):
        cpus = os.cpu_count() or 1
        self.workers = workers or max(1, cpus // SOLVER_THREADS)
        self.depth = depth if depth is not None else 32 * self.workers
        self.start_timeout_s = start_timeout_s
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="dlrig-solve")
        self._lock = threading.Lock()
        self._inflight: dict[Hashable, _Job] = {}
        self._cache: OrderedDict[Hashable, tuple[Any, Any]] = OrderedDict()
        self._cache_size = cache_size
        self._pending = 0  # queued or running
        self._pages: OrderedDict[Hashable, tuple[Any, Any]] = OrderedDict()
        self._pages_inflight: dict[Hashable, asyncio.Future] = {}
        self._pages_pending = 0
        self._turns: asyncio.Semaphore | None = None  # pages being built now (see page)
        self.stats = SolveStats()

    def retry_after(self) -> int:
        """Seconds until a new request would likely start: the queue ahead, at the median
        recent solve time (1 s at least)."""
        d = list(self.stats.durations)
        per = statistics.median(d) if d else 1.0
        return max(1, math.ceil(per * max(1, self._pending) / self.workers))

    async def run(self, key: Hashable, anchor: Any, fn: Callable[[], Any],
                  proven: Callable[[Any], bool] = lambda r: True) -> Any:
        """``fn()``'s result, computed at most once for identical ``key`` on the same
        ``anchor`` (the catalog object: a new one means new data). ``proven(result)``
        says whether it may be served (and kept)."""
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] is anchor:
                self._cache.move_to_end(key)
                self.stats.cached += 1
                return hit[1]
            job = self._inflight.get(key)
            if job is not None:
                self.stats.shared += 1
            else:
                if self._pending >= self.workers + self.depth:
                    self.stats.busy += 1
                    raise Busy(self.retry_after())
                job = _Job(Future(), time.monotonic())
                self._pending += 1
                self._inflight[key] = job
                self._pool.submit(self._work, key, anchor, job, fn, proven)
        return await asyncio.wrap_future(job.future)

    def _work(self, key, anchor, job: _Job, fn, proven) -> None:
        try:
            if time.monotonic() - job.enqueued > self.start_timeout_s:
                with self._lock:
                    self.stats.busy += 1
                raise Busy(self.retry_after())
            job.started = True
            t0 = time.monotonic()
            result = fn()
            with self._lock:
                self.stats.durations.append(time.monotonic() - t0)
                self.stats.solved += 1
                if not proven(result):
                    self.stats.unfinished += 1
                    raise Busy(self.retry_after(), "the solver could not prove the best build "
                                                   "in time; try again")
                self._cache[key] = (anchor, result)
                if len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            job.future.set_result(result)
        except BaseException as e:  # noqa: BLE001 - handed to the waiting request
            job.future.set_exception(e)
        finally:
            with self._lock:
                self._pending -= 1
                if self._inflight.get(key) is job:
                    del self._inflight[key]

    async def page(self, key: Hashable, anchor: Any, make: Callable[[], Awaitable[Any]],
                   refuse: Callable[[Busy], Any] | None = None) -> Any:
        """The response ``make()`` builds, built once for identical ``key`` on the same
        ``anchor`` (see the module docstring); a 200 response is kept and served again.
        A request refused at the door gets ``refuse(busy)`` (the 503 page) at once; without
        ``refuse`` it raises ``Busy``."""
        with self._lock:
            hit = self._pages.get(key)
            if hit is not None and hit[0] is anchor:
                self._pages.move_to_end(key)
                self.stats.cached += 1
                return _copy(hit[1])
            fut = self._pages_inflight.get(key)
            owner = fut is None
            if owner:
                if self._pages_pending >= self.workers + self.depth:
                    self.stats.busy += 1
                    busy = Busy(self.retry_after())
                    if refuse is None:
                        raise busy
                    return refuse(busy)  # no exception through the server's middleware
                fut = asyncio.get_running_loop().create_future()
                fut.add_done_callback(_consume)
                self._pages_inflight[key] = fut
                self._pages_pending += 1
            else:
                self.stats.shared += 1
        if not owner:
            return _copy(await asyncio.shield(fut))
        if self._turns is None:  # made on first use, in the server's event loop
            self._turns = asyncio.Semaphore(self.workers + 1)
        try:
            # Admitted pages wait their turn in the event loop (no thread, no CPU): only a
            # few parse and render at once, so a burst does not starve the quick pages.
            async with self._turns:
                resp = await make()
            if getattr(resp, "status_code", None) == 200:
                with self._lock:
                    self._pages[key] = (anchor, resp)
                    if len(self._pages) > self._cache_size:
                        self._pages.popitem(last=False)
            fut.set_result(resp)
            return resp
        except BaseException as e:
            if not fut.done():
                fut.set_exception(e)
            raise
        finally:
            with self._lock:
                self._pages_pending -= 1
                if self._pages_inflight.get(key) is fut:
                    del self._pages_inflight[key]

    def clear(self) -> None:
        """Forget kept answers (after the data changed in place)."""
        with self._lock:
            self._cache.clear()
            self._pages.clear()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _consume(fut: asyncio.Future) -> None:
    """Mark a shared page's failure as seen (its owner re-raised it already)."""
    if not fut.cancelled():
        fut.exception()


def _copy(resp: Any) -> Any:
    """A fresh response with a kept one's body and headers (a response is sent once)."""
    from starlette.responses import Response

    return Response(content=resp.body, status_code=resp.status_code,
                    headers={k: v for k, v in resp.headers.items() if k != "content-length"})
