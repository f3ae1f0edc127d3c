"""What the request handlers share: the settings, the worker pool, and the reader of the graph."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import current_app

from paradiplomacy.settings import Config
from paradiplomacy.web.errors import HttpProblem
from paradiplomacy.web.formats import Format
from paradiplomacy.web.pool import WorkerPool
from paradiplomacy.web.terms import Term
from paradiplomacy.web.worker import Answer, Failure, PingJob, QueryJob

INTERNAL_ROW_CAP = 100_000  # the pages' own queries: large enough for any page of this graph


@dataclass
class Endpoint:
    config: Config
    pool: WorkerPool

    def run(self, job) -> Answer:
        """Run a job on the pool; a failure becomes the HTTP problem it maps to."""
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
