"""A pool of worker processes that run queries under a time limit that really stops them.

pyoxigraph cannot cancel a query, so each query runs in a worker process (see worker.py) that
the pool kills when the limit is over, and replaces with a fresh one. A job waits for a free
worker first (bounded too); a worker that dies is replaced and the job fails, the server goes on.
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from multiprocessing.connection import Connection

from paradiplomacy.web import worker as worker_module


class TimeLimitExceeded(Exception):
    def __init__(self, limit: float):
        self.limit = limit
        super().__init__(f"the query was stopped after the time limit of {limit:g} s")


class PoolBusy(Exception):
    pass


class WorkerLost(Exception):
    pass


class _Worker:
    """One worker process (`python -m paradiplomacy.web.worker`) and the parent's end of the
    socket pair it answers on."""

    def __init__(self, config):
        parent_end, child_end = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "paradiplomacy.web.worker", str(child_end.fileno())],
                pass_fds=[child_end.fileno()],
                stdin=subprocess.DEVNULL,
            )
        finally:
            child_end.close()
        self.conn = Connection(parent_end.detach())
        self.conn.send(config)  # the worker's first message: every setting, as the server has them
        self.ready = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def await_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.conn.poll(timeout) or self.conn.recv() != worker_module.READY:
            raise WorkerLost(f"a query worker did not start within {timeout:g} s")
        self.ready = True

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.conn.close()


class _Dispatch:
    """Who gets a worker that becomes free: the waiting jobs in order of arrival, on any worker for the server's
    own queries (a page's: few, and quick), on the clients' workers for a client's. The server's own count as
    arrived HEAD_START seconds earlier, so that a page does not queue behind the clients' queries (and cannot
    hold them back longer than that); and a client's query whose text ran slowly here before (SLOW seconds or more) counts as arrived
    DEFERRAL seconds later: a slow question sent again and again lets the queries that arrive within that
    second go first, instead of making each of them wait behind it; it is not held back longer than that.
    The worker kept for the server's own queries goes only to those: pages never wait behind the clients'."""

    SLOW = 0.25  # seconds
    DEFERRAL = 1.0  # seconds
    HEAD_START = 2.0  # seconds
    REMEMBERED = 10_000  # query texts whose last duration is kept

    def __init__(self):
        self._cond = threading.Condition()
        self._free: dict[str, list] = {"clients": [], "own": []}
        self._waiting: list[tuple[float, int, bool]] = []  # (when it counts as arrived, arrival, the server's own)
        self._arrivals = itertools.count()
        self._durations: OrderedDict[int, float] = OrderedDict()

    def put(self, w, kind: str) -> None:
        with self._cond:
            self._free[kind].append(w)
            self._cond.notify_all()

    def deferral(self, job) -> float:
        with self._cond:
            return self.DEFERRAL if self._durations.get(hash(getattr(job, "text", None)), 0.0) >= self.SLOW else 0.0

    def ran(self, job, seconds: float) -> None:
        key = hash(getattr(job, "text", None))
        with self._cond:
            self._durations[key] = seconds
            self._durations.move_to_end(key)
            while len(self._durations) > self.REMEMBERED:
                self._durations.popitem(last=False)

    def _grant(self, me) -> tuple[object, str] | None:
        ordered = sorted(self._waiting)
        if me[2] and self._free["own"] and next(t for t in ordered if t[2]) == me:
            return self._free["own"].pop(), "own"
        if self._free["clients"] and ordered[0] == me:
            return self._free["clients"].pop(), "clients"
        return None

    def take(self, own: bool, deferral: float, timeout: float) -> tuple[object, str] | None:
        """A free worker and its kind, or None after `timeout` seconds."""
        with self._cond:
            me = (time.monotonic() + (-self.HEAD_START if own else deferral), next(self._arrivals), own)
            self._waiting.append(me)
            deadline = time.monotonic() + timeout
            try:
                while True:
                    granted = self._grant(me)
                    if granted is not None:
                        return granted
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return None
                    self._cond.wait(remaining)
            finally:
                self._waiting.remove(me)
                self._cond.notify_all()  # another may be first now


class WorkerPool:
    RECEIVE_GRACE = 5.0  # seconds beyond the time limit to receive an answer that has begun to come

    def __init__(self, config, start_timeout: float = 120.0):
        """`config.workers` workers for the clients' queries, and one more kept for the server's own (its pages'
        queries), on the store the settings name, each query stopped after `config.query_timeout` seconds."""
        if config.workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self._config = config
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._dispatch = _Dispatch()
        self.time_limit = config.query_timeout
        self.wait_limit = config.worker_wait
        self.start_timeout = start_timeout
        self.timeouts = 0
        self.closed = False
        for _ in range(config.workers):
            self._dispatch.put(self._start(), "clients")
        self._dispatch.put(self._start(), "own")

    def _start(self) -> _Worker:
        w = _Worker(self._config)
        with self._lock:
            self._workers.add(w)
        return w

    def _replace(self, w: _Worker) -> _Worker:
        w.stop()
        with self._lock:
            self._workers.discard(w)
        return w if self.closed else self._start()

    def _take(self, job, client: bool) -> tuple[_Worker, str]:
        """A free worker (and its kind), waited for at most wait_limit seconds: a client's query waits for one
        of the clients' workers; the server's own takes the first free, its own or a client's."""
        granted = self._dispatch.take(not client, self._dispatch.deferral(job) if client else 0.0, self.wait_limit)
        if granted is None:
            raise PoolBusy(
                f"every query worker stayed busy for {self.wait_limit:g} s "
                "(PARADIPLOMACY_WORKER_WAIT, PARADIPLOMACY_WORKERS); try again later"
            )
        return granted

    def run(self, job, time_limit: float | None = None, client: bool = False):
        """Run a job on a free worker and return its outcome (worker.Answer or worker.Failure).

        Raises TimeLimitExceeded (the worker was killed and replaced), PoolBusy (no worker became
        free in time) or WorkerLost (the worker died; it was replaced)."""
        limit = self.time_limit if time_limit is None else time_limit
        w, home = self._take(job, client)
        started = time.monotonic()
        expired = threading.Event()
        watchdog = None
        try:
            w.await_ready(self.start_timeout)
            w.conn.send(job)
            if not w.conn.poll(limit):
                if client:
                    self._dispatch.ran(job, limit)
                self.timeouts += 1
                w = self._replace(w)
                raise TimeLimitExceeded(limit)
            # the answer has begun to come: receiving it has a deadline too (the worker is killed past it)
            watchdog = threading.Timer(self.RECEIVE_GRACE, lambda: (expired.set(), w.process.kill()))
            watchdog.start()
            outcome = w.conn.recv()
            watchdog.cancel()
            if expired.is_set():  # killed just as the answer was complete: the answer stands, the worker is new
                w = self._replace(w)
            if client:
                self._dispatch.ran(job, time.monotonic() - started)
            return outcome
        except (EOFError, OSError, WorkerLost) as exc:
            if self.closed:
                raise WorkerLost("the server is shutting down") from exc
            if expired.is_set():
                self.timeouts += 1
                w = self._replace(w)
                raise TimeLimitExceeded(limit) from exc
            try:
                status = w.process.wait(timeout=2)  # it closed its end: it is dying, or dead
            except subprocess.TimeoutExpired:
                status = None
            w = self._replace(w)
            if status is not None and self._config.worker_memory_bytes > 0 and status < 0:
                raise WorkerLost(
                    f"the query worker stopped (signal {-status}), most likely at its memory limit of "
                    f"{self._config.worker_memory_bytes:,} bytes (PARADIPLOMACY_WORKER_MEMORY_BYTES): "
                    "make the query more selective, or add a LIMIT"
                ) from exc
            raise WorkerLost(f"the query worker failed ({str(exc) or type(exc).__name__}) and was replaced") from exc
        finally:
            if watchdog is not None:
                watchdog.cancel()
            self._dispatch.put(w, home)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def close(self) -> None:
        self.closed = True
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for w in workers:
            w.stop()


class InlinePool:
    """Runs each job in the calling thread, on a store opened in this process: no worker processes,
    hence no time limit (pyoxigraph cannot cancel a query). For tests through Flask's test client and
    for embedding the app; `paradiplomacy serve` uses WorkerPool."""

    def __init__(self, config):
        from paradiplomacy.sparql.service import parse_map
        from paradiplomacy.store import open_store

        self._store = open_store(config, read_only=config.backend == "oxigraph")
        self._services = worker_module.ServicePolicy(frozenset(config.service_allow), parse_map(config.service_map))
        self._lock = threading.Lock()  # one job at a time, as one worker would
        self.time_limit = config.query_timeout
        self.timeouts = 0
        self.closed = False

    def run(self, job, time_limit: float | None = None, client: bool = False):
        with self._lock:
            return worker_module.answer(self._store, job, self._services)

    def pids(self) -> list[int]:
        return []

    def close(self) -> None:
        self.closed = True
        self._store.close()
