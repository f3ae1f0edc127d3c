"""A pool of worker processes that run queries under a time limit that really stops them.

pyoxigraph cannot cancel a query, so each query runs in a worker process (see worker.py) that
the pool kills when the limit is over, and replaces with a fresh one. A job waits for a free
worker first (bounded too); a worker that dies is replaced and the job fails, the server goes on.

A query that a worker answered quickly is answered in the server process when it comes again on the
same store generation (FastLane): the same text on the same data does the same work, and the round trip
to a worker was most of such a query's time.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
        fast = config.backend == "oxigraph" and config.fast_query_seconds > 0
        self.fast_lane = FastLane(config) if fast else None

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
        if self.fast_lane is not None:
            outcome = self.fast_lane.run(job)
            if outcome is not None:
                return outcome
        w, home = self._take(job, client)
        expired = threading.Event()
        watchdog = None
        try:
            w.await_ready(self.start_timeout)
            started = time.monotonic()  # the job's own time: a worker's start (1-2 s, once) is not the job's
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
            seconds = time.monotonic() - started
            if client:
                self._dispatch.ran(job, seconds)
            if self.fast_lane is not None:
                self.fast_lane.ran(job, outcome, seconds)
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
        if self.fast_lane is not None:
            self.fast_lane.close()


class InlinePool:
    """Runs each job in the calling thread, on a store opened in this process: no worker processes,
    hence no time limit (pyoxigraph cannot cancel a query). For tests through Flask's test client and
    for embedding the app; `paradiplomacy serve` uses WorkerPool. `serial`: one job at a time, as one
    worker would; else jobs run at once in the callers' threads (pyoxigraph releases the GIL while it
    evaluates)."""

    def __init__(self, config, serial: bool = True):
        from paradiplomacy.sparql.service import parse_map
        from paradiplomacy.store import open_store

        self._store = open_store(config, read_only=config.backend == "oxigraph")
        self._services = worker_module.ServicePolicy(frozenset(config.service_allow), parse_map(config.service_map))
        self._lock = threading.Lock() if serial else contextlib.nullcontext()
        self._max_answer_bytes = config.max_answer_bytes
        self.time_limit = config.query_timeout
        self.timeouts = 0
        self.closed = False

    def run(self, job, time_limit: float | None = None, client: bool = False):
        with self._lock:
            return worker_module.within_limits(
                worker_module.answer(self._store, job, self._services), job, self._max_answer_bytes
            )

    @property
    def generation(self) -> str | None:
        """The store generation this process reads, after following any rebuild."""
        self._store.reopen_if_changed()
        return self._store.generation

    def prepared(self, text: str) -> worker_module.Prepared | None:
        """The query as it would run here; None if it is refused (a worker tells why)."""
        try:
            return self._services.prepare(text)
        except Exception:
            return None

    def pids(self) -> list[int]:
        return []

    def close(self) -> None:
        self.closed = True
        self._store.close()


class FastLane:
    """Queries answered in the server process, in the request's own thread, without the round trip to a
    worker (0.2 ms on an idle machine, several ms when the machine is busy: two processes must be woken).

    Only a query that a worker has answered within `seconds` on the same store generation comes here: the
    same text, dataset, bindings and format on the same data does the same work, so it is answered as fast
    again. A query that calls SERVICE never comes (its time is the remote's), nor one that failed. pyoxigraph
    cannot be stopped in a thread, so `seconds` is kept at a tenth of the time limit at most; a query that
    ran over `seconds` here anyway goes back to the workers. The answer is what the worker would give:
    the same function makes it, under the same limits of rows and bytes.

    pyoxigraph recurses over a request's structure, and the server's threads do not have a worker's stack
    (worker.STACK_BYTES): a request of more than TOKENS tokens always goes to a worker. The deepest requests
    of that length measured (brackets, groups, subqueries, EXISTS, MINUS, paths and operator chains nested as
    deep as it allows) ran on a 2 MiB stack; `paradiplomacy serve` gives its request threads 16 MiB
    (cli.serve.REQUEST_STACK_BYTES). 10,000 terms added up took more than 8 MiB.

    The server's memory is not limited as a worker's is (worker_memory_bytes), so at most `workers` queries
    run here at once, each one that took little time where it was measured; when all those places are taken, a
    query goes to a worker."""

    REMEMBERED = 10_000  # jobs known to be fast (the most recently used are kept)
    TOKENS = 1_000  # the longest competency question has 374

    def __init__(self, config):
        self.seconds = min(config.fast_query_seconds, config.query_timeout / 10)
        self._inline = InlinePool(config, serial=False)
        self._places = threading.BoundedSemaphore(config.workers)
        self._lock = threading.Lock()
        self._known: OrderedDict[tuple, None] = OrderedDict()
        self.answered = 0

    @staticmethod
    def _key(job, generation: str | None) -> tuple | None:
        """The generation and every field of the query job (its bindings as sorted pairs): all of it decides
        the work, and a field added to QueryJob is part of the key without a change here."""
        if not isinstance(job, worker_module.QueryJob) or generation is None:
            return None
        fields = tuple(getattr(job, f.name) for f in dataclasses.fields(job) if f.name != "substitutions")
        return (generation, fields, tuple(sorted(job.substitutions.items())))

    def run(self, job):
        """The job's outcome, answered here, or None: it is not known to be fast (a worker answers it)."""
        key = self._key(job, self._inline.generation)
        if key is None:
            return None
        with self._lock:
            if key not in self._known:
                return None
            self._known.move_to_end(key)
        if not self._places.acquire(blocking=False):
            return None
        try:
            started = time.monotonic()
            outcome = self._inline.run(job)
            seconds = time.monotonic() - started
        finally:
            self._places.release()
        with self._lock:
            if seconds > self.seconds or not isinstance(outcome, worker_module.Answer):
                self._known.pop(key, None)
            self.answered += 1
        return outcome

    def ran(self, job, outcome, seconds: float) -> None:
        """A worker answered `job` in `seconds` (the round trip included): remember it if it was fast."""
        if seconds > self.seconds or not isinstance(outcome, worker_module.Answer):
            return
        key = self._key(job, outcome.generation)
        if key is None or key[0] != self._inline.generation:
            return
        prepared = self._inline.prepared(job.text)
        if prepared is None or prepared.services or prepared.tokens > self.TOKENS:
            return
        with self._lock:
            self._known[key] = None
            while len(self._known) > self.REMEMBERED:
                self._known.popitem(last=False)

    def close(self) -> None:
        self._inline.close()
