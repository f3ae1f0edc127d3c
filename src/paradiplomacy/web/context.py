"""What the request handlers share: the settings, the worker pool, and the reader of the graph."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app

from paradiplomacy.settings import Config
from paradiplomacy.web.errors import HttpProblem
from paradiplomacy.web.formats import Format
from paradiplomacy.web.pool import PoolBusy, WorkerPool
from paradiplomacy.web.terms import Term
from paradiplomacy.web.worker import Answer, Failure, PingJob, QueryJob

INTERNAL_ROW_CAP = 100_000  # the pages' own queries: large enough for any page of this graph


class Admission:
    """How many clients' SPARQL requests may hold a request thread at once, running or waiting for a worker
    (workers + queued_queries), and how many of them one client address may hold (client_queries): the
    others are refused at once, so that request threads stay free for pages, static files and /health."""

    def __init__(self, config: Config):
        self.slots = threading.BoundedSemaphore(config.workers + config.queued_queries)
        self.per_client = config.client_queries
        self._lock = threading.Lock()
        self._held: dict[str, int] = {}

    @contextmanager
    def admit(self, client: str):
        with self._lock:
            if self.per_client and self._held.get(client, 0) >= self.per_client:
                raise HttpProblem(
                    429,
                    f"this client already has {self.per_client} SPARQL requests running or "
                    "waiting (PARADIPLOMACY_CLIENT_QUERIES); send the next when one is answered",
                    {"Retry-After": "1"},
                )
            self._held[client] = self._held.get(client, 0) + 1
        try:
            if not self.slots.acquire(blocking=False):
                raise PoolBusy(
                    "every query worker is busy and the queue of waiting queries is full "
                    "(PARADIPLOMACY_WORKERS, PARADIPLOMACY_QUEUED_QUERIES); try again later"
                )
            try:
                yield
            finally:
                self.slots.release()
        finally:
            with self._lock:
                self._held[client] -= 1
                if not self._held[client]:
                    del self._held[client]


@dataclass
class Endpoint:
    config: Config
    pool: WorkerPool
    admission: Admission = None

    def __post_init__(self):
        if self.admission is None:
            self.admission = Admission(self.config)

    def run(self, job, client: bool = False, address: str = "") -> Answer:
        """Run a job on the pool; a failure becomes the HTTP problem it maps to. A client's job (a SPARQL
        request from `address`) is admitted first (Admission) and takes one of the clients' workers; the
        server's own (its pages' queries) may also take the worker kept for them."""
        if client:
            with self.admission.admit(address):
                outcome = self.pool.run(job, client=True)
        else:
            outcome = self.pool.run(job)
        if isinstance(outcome, Failure):
            raise HttpProblem(outcome.status, outcome.message)
        return outcome

    def rows(self, sparql: str, **iris: str) -> list[dict[str, Term]]:
        """The solutions of one of the app's own SELECT queries, variables bound to the IRIs given."""
        answer = self.run(QueryJob(sparql, "json", None, INTERNAL_ROW_CAP, substitutions=iris))
        bindings = json.loads(answer.body)["results"]["bindings"]
        return [{name: Term.from_json(value) for name, value in b.items()} for b in bindings]

    def graph(self, sparql: str, fmt: Format, **iris: str) -> Answer:
        """One of the app's own CONSTRUCT queries, serialised in `fmt`."""
        return self.run(QueryJob(sparql, None, fmt.name, INTERNAL_ROW_CAP, substitutions=iris))

    def ping(self) -> Answer:
        return self.run(PingJob())


def endpoint() -> Endpoint:
    return current_app.extensions["paradiplomacy"]
