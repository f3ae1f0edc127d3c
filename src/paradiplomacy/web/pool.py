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

    def __init__(self, args: tuple[str, ...]):
        parent_end, child_end = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "paradiplomacy.web.worker", str(child_end.fileno()), *args],
                pass_fds=[child_end.fileno()], stdin=subprocess.DEVNULL)
        finally:
            child_end.close()
        self.conn = Connection(parent_end.detach())
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
    def __init__(self, size: int, store_path, time_limit: float, allowed_services=(), routes: dict | None = None,
                 start_timeout: float = 120.0, remote: bool = False):
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self._args = (str(store_path), *(f"--allow={iri}" for iri in allowed_services),
                      *(f"--route={public}={local}" for public, local in (routes or {}).items()),
                      *(("--remote",) if remote else ()))
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self.time_limit = time_limit
        self.start_timeout = start_timeout
        self.timeouts = 0
        self.closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        w = _Worker(self._args)
        with self._lock:
            self._workers.add(w)
        return w

    def _replace(self, w: _Worker) -> _Worker:
        w.stop()
        with self._lock:
            self._workers.discard(w)
        return w if self.closed else self._start()

    def run(self, job, time_limit: float | None = None):
        """Run a job on a free worker and return its outcome (worker.Answer or worker.Failure).

        Raises TimeLimitExceeded (the worker was killed and replaced), PoolBusy (no worker became
        free in time) or WorkerLost (the worker died; it was replaced)."""
        limit = self.time_limit if time_limit is None else time_limit
        try:  # a busy worker is free, or killed and replaced, within the time limit
            w = self._idle.get(timeout=self.time_limit + 5)
        except queue.Empty:
            raise PoolBusy("every query worker is busy; try again later") from None
        try:
            w.await_ready(self.start_timeout)
            w.conn.send(job)
            if not w.conn.poll(limit):
                self.timeouts += 1
                w = self._replace(w)
                raise TimeLimitExceeded(limit)
            return w.conn.recv()
        except (EOFError, OSError, WorkerLost) as exc:
            if self.closed:
                raise WorkerLost("the server is shutting down") from exc
            w = self._replace(w)
            raise WorkerLost(f"the query worker failed ({str(exc) or type(exc).__name__}) and was replaced") from exc
        finally:
            self._idle.put(w)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._workers)

    def close(self) -> None:
        self.closed = True
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for w in workers:
            w.stop()
