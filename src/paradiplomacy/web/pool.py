"""A pool of worker processes that run queries under a time limit that really stops them.

pyoxigraph cannot cancel a query, so each query runs in a worker process (see worker.py) that
the pool kills when the limit is over, and replaces with a fresh one. A job waits for a free
worker first (bounded too); a worker that dies is replaced and the job fails, the server goes on.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
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
                pass_fds=[child_end.fileno()], stdin=subprocess.DEVNULL)
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
        self._idle: queue.Queue[_Worker] = queue.Queue()  # the clients' workers (and the pages', when free)
        self._own: queue.Queue[_Worker] = queue.Queue()  # the pages' worker: never taken by a client's query
        self.time_limit = config.query_timeout
        self.wait_limit = config.worker_wait
        self.start_timeout = start_timeout
        self.timeouts = 0
        self.closed = False
        for _ in range(config.workers):
            self._idle.put(self._start())
        self._own.put(self._start())

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

    def _take(self, client: bool) -> tuple[_Worker, queue.Queue]:
        """A free worker (and the queue it goes back to), waited for at most wait_limit seconds: a client's
        query waits for one of the clients' workers; the server's own takes any that is free, else its own."""
        try:
            if client:
                return self._idle.get(timeout=self.wait_limit), self._idle
            try:
                return self._idle.get_nowait(), self._idle
            except queue.Empty:
                return self._own.get(timeout=self.wait_limit), self._own
        except queue.Empty:
            raise PoolBusy(f"every query worker stayed busy for {self.wait_limit:g} s "
                           "(PARADIPLOMACY_WORKER_WAIT, PARADIPLOMACY_WORKERS); try again later") from None

    def run(self, job, time_limit: float | None = None, client: bool = False):
        """Run a job on a free worker and return its outcome (worker.Answer or worker.Failure).

        Raises TimeLimitExceeded (the worker was killed and replaced), PoolBusy (no worker became
        free in time) or WorkerLost (the worker died; it was replaced)."""
        limit = self.time_limit if time_limit is None else time_limit
        w, home = self._take(client)
        expired = threading.Event()
        watchdog = None
        try:
            w.await_ready(self.start_timeout)
            w.conn.send(job)
            if not w.conn.poll(limit):
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
                raise WorkerLost(f"the query worker stopped (signal {-status}), most likely at its memory limit of "
                                 f"{self._config.worker_memory_bytes:,} bytes (PARADIPLOMACY_WORKER_MEMORY_BYTES): "
                                 "make the query more selective, or add a LIMIT") from exc
            raise WorkerLost(f"the query worker failed ({str(exc) or type(exc).__name__}) and was replaced") from exc
        finally:
            if watchdog is not None:
                watchdog.cancel()
            home.put(w)

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
