"""What runs inside a query worker process: open the store read-only, then answer jobs, each
serialised natively by pyoxigraph in the format the client asked for.

The worker follows a rebuild made by any other process (the store's CURRENT pointer) before each
job. It never decides how long a job may take: the pool kills it when the time limit is over.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

import pyoxigraph as ox

from ..namespaces import PREFIXES
from ..store import OxigraphStore, QuerySyntaxError
from . import federation
from .formats import pyoxigraph_format

READY = "ready"


@dataclass(frozen=True)
class QueryJob:
    text: str
    results_format: str | None  # the format for SELECT and ASK answers (None: the client accepts none)
    graph_format: str | None  # the format for CONSTRUCT and DESCRIBE answers
    row_cap: int
    default_graphs: tuple[str, ...] | None = None  # None: the union of all graphs
    named_graphs: tuple[str, ...] | None = None  # None: all named graphs
    union_default: bool = True  # False when the query names its own dataset (FROM)
    substitutions: dict = field(default_factory=dict)  # variable name -> IRI


@dataclass(frozen=True)
class UpdateJob:
    text: str


@dataclass(frozen=True)
class PingJob:
    pass


@dataclass(frozen=True)
class Answer:
    body: bytes
    format: str | None  # a name of formats.BY_NAME; None for an update
    kind: str  # select, ask, graph, update, ping
    count: int = 0  # rows or triples in the answer
    truncated: bool = False  # the row cap cut the answer
    generation: str | None = None
    pid: int = 0


@dataclass(frozen=True)
class Failure:
    status: int  # the HTTP status the failure maps to
    message: str


def _capped_solutions(solutions: ox.QuerySolutions, cap: int, fmt) -> tuple[bytes, int, bool]:
    """Serialise at most `cap` solutions natively: they are written as SPARQL TSV (each term in
    pyoxigraph's own N-Triples form), read back as a QuerySolutions, and serialised in `fmt`."""
    names = [v.value for v in solutions.variables]
    lines = ["\t".join("?" + n for n in names)]
    rows = list(itertools.islice(solutions, cap + 1))
    for row in rows[:cap]:
        lines.append("\t".join("" if row[n] is None else str(row[n]) for n in names))
    capped = ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)
    return capped.serialize(format=fmt), min(len(rows), cap), len(rows) > cap


def _capped_triples(triples: ox.QueryTriples, cap: int, fmt) -> tuple[bytes, int, bool]:
    kept = list(itertools.islice(triples, cap + 1))
    body = ox.serialize(kept[:cap], format=fmt, prefixes=PREFIXES)
    return body, min(len(kept), cap), len(kept) > cap


@dataclass(frozen=True)
class ServicePolicy:
    allowed: frozenset[str]  # the endpoints SERVICE may call
    routes: dict  # public endpoint -> where its calls really go

    def prepare(self, text: str, update: bool = False) -> str:
        """The request as it may run: refused unless it calls only allowed endpoints, then routed."""
        return federation.route(text, federation.check(text, self.allowed, update), self.routes)


def run_query(store: OxigraphStore, job: QueryJob, services: ServicePolicy) -> Answer | Failure:
    result = store.execute(services.prepare(job.text), union_default=job.union_default,
                           default_graphs=job.default_graphs, named_graphs=job.named_graphs,
                           substitutions=job.substitutions)
    graph = isinstance(result, ox.QueryTriples)
    fmt = job.graph_format if graph else job.results_format
    if fmt is None:
        kind = "CONSTRUCT or DESCRIBE" if graph else "SELECT or ASK"
        return Failure(406, f"cannot answer a {kind} query in any format the request accepts")
    if isinstance(result, ox.QueryBoolean):
        return Answer(result.serialize(format=pyoxigraph_format(fmt)), fmt, "ask", 1, False, store.generation)
    capped = _capped_triples if graph else _capped_solutions
    body, count, truncated = capped(result, job.row_cap, pyoxigraph_format(fmt))
    return Answer(body, fmt, "graph" if graph else "select", count, truncated, store.generation)


def run_update(store: OxigraphStore, job: UpdateJob, services: ServicePolicy) -> Answer:
    text = services.prepare(job.text, update=True)
    writer = OxigraphStore(store.path)  # read-write, only for this update: a new generation
    try:
        writer.update(text)
    finally:
        writer.close()
    store.reopen_if_changed()
    return Answer(b"", None, "update", generation=store.generation)


def answer(store: OxigraphStore, job, services: ServicePolicy) -> Answer | Failure:
    """The outcome of one job; errors become a Failure with the status they map to."""
    try:
        store.reopen_if_changed()
        if isinstance(job, QueryJob):
            outcome = run_query(store, job, services)
        elif isinstance(job, UpdateJob):
            outcome = run_update(store, job, services)
        else:
            outcome = Answer(str(len(store)).encode(), None, "ping", generation=store.generation)
    except federation.Refused as exc:
        return Failure(403, str(exc))
    except QuerySyntaxError as exc:
        return Failure(400, str(exc))
    except Exception as exc:  # the store or the evaluator failed: the message, not a traceback
        return Failure(500, f"{type(exc).__name__}: {exc}")
    return replace(outcome, pid=os.getpid()) if isinstance(outcome, Answer) else outcome


def serve(conn, store_path: str, services: ServicePolicy) -> None:
    """A worker's life: open the store, say READY, then answer jobs until the connection closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its workers
    store = OxigraphStore(store_path, read_only=True)
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(answer(store, job, services))


def main(argv: list[str]) -> None:
    """`python -m paradiplomacy.web.worker FD STORE [--allow IRI]... [--route PUBLIC=LOCAL]...`,
    started by the pool with FD, its end of a socket pair."""
    parser = argparse.ArgumentParser(prog="paradiplomacy.web.worker")
    parser.add_argument("fd", type=int)
    parser.add_argument("store")
    parser.add_argument("--allow", action="append", default=[])
    parser.add_argument("--route", action="append", default=[])
    args = parser.parse_args(argv)
    routes = dict(pair.split("=", 1) for pair in args.route)
    serve(Connection(args.fd), args.store, ServicePolicy(frozenset(args.allow), routes))


if __name__ == "__main__":
    from paradiplomacy.web import worker  # under its own name, so that the server can unpickle its answers
    worker.main(sys.argv[1:])
