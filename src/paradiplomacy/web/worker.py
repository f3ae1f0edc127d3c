"""What runs inside a query worker process: open the store read-only, then answer jobs, each
serialised natively by pyoxigraph in the format the client asked for.

The worker follows a rebuild made by any other process (the store's CURRENT pointer) before each
job. It never decides how long a job may take: the pool kills it when the time limit is over.

pyoxigraph's parser and evaluator recurse over a request's structure, so the worker answers on a
thread with a large stack (STACK_BYTES) and refuses, as too complex, any request beyond the limits of
sparql.lexer.checked_tokens, which that stack holds with a wide margin: no request text can crash it.
Every failure becomes a status and a message for the client; an unexpected one is told only as
"internal", its details going to the server's log.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
import threading
import traceback
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

import pyoxigraph as ox

from paradiplomacy.errors import StoreError
from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.sparql import service as federation
from paradiplomacy.sparql.lexer import TooComplex, checked_tokens, has_dataset_clause
from paradiplomacy.sparql.service import parse_map
from paradiplomacy.store import QuerySyntaxError, Store, UpdateRefused, open_store
from paradiplomacy.web.formats import pyoxigraph_format

READY = "ready"
STACK_BYTES = 512 << 20  # the answering thread's stack (address space, used only as deep as a request goes)
INTERNAL = "an internal error stopped the request; the server's log has the details"
OUT_OF_MEMORY = (
    "the query ran out of memory in its worker (MemoryError: a value or an answer too large to build; "
    "the worker's memory is limited by PARADIPLOMACY_WORKER_MEMORY_BYTES, answers by "
    "PARADIPLOMACY_MAX_ANSWER_BYTES): make it more selective, or add a LIMIT"
)


def too_large(size: int, limit: int) -> Failure:
    return Failure(
        422,
        f"the answer is {size:,} bytes, over the limit of {limit:,} bytes "
        "(PARADIPLOMACY_MAX_ANSWER_BYTES): add a LIMIT, or select fewer or shorter values",
    )


def within_limits(outcome, job, max_answer_bytes: int):
    """A query's answer, or, when its serialised body is over the byte cap, the refusal that names it:
    measured in the worker, before anything is sent to the web process."""
    if (
        isinstance(job, QueryJob)
        and isinstance(outcome, Answer)
        and max_answer_bytes
        and len(outcome.body) > max_answer_bytes
    ):
        return too_large(len(outcome.body), max_answer_bytes)
    return outcome


def limit_memory(limit: int) -> None:
    """Bound this process's address space (RLIMIT_AS): an allocation beyond it fails (a MemoryError, or
    the abort of pyoxigraph's allocator), instead of the machine's memory going to one query."""
    if limit > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@dataclass(frozen=True)
class QueryJob:
    text: str
    results_format: str | None  # the format for SELECT and ASK answers (None: the client accepts none)
    graph_format: str | None  # the format for CONSTRUCT and DESCRIBE answers
    row_cap: int
    default_graphs: tuple[str, ...] | None = None  # None: the union of all graphs
    named_graphs: tuple[str, ...] | None = None  # None: all named graphs
    union_default: bool | None = True  # False: the store's default graph; None: False if the query says FROM
    substitutions: dict = field(default_factory=dict)  # variable name -> IRI
    base_iri: str | None = None  # what relative IRIs of the query resolve against (the endpoint's URL)


@dataclass(frozen=True)
class UpdateJob:
    text: str


@dataclass(frozen=True)
class PingJob:
    pass


@dataclass(frozen=True)
class ExportJob:
    format: str  # a format of the store's export (store.EXPORT_FORMATS): the whole store, graphs kept


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


TSV_FORMAT = ox.QueryResultsFormat.TSV


def _capped_solutions(solutions: ox.QuerySolutions, cap: int, fmt) -> tuple[bytes, int, bool]:
    """Serialise at most `cap` solutions, natively and without a Python object per row: pyoxigraph writes
    them all as SPARQL TSV, where every row is one line (its terms in N-Triples syntax, whose strings escape
    line breaks); the rows are counted and cut on those bytes, then, unless TSV was asked for, read back and
    written in `fmt` by pyoxigraph. Measured on 87,141 rows (SPARQL JSON, 31 MB): 1.2-1.35x of serialising
    them straight to JSON, where the TSV written row by row in Python took 2.9x; straight to `fmt` cannot
    be cut, because JSON, XML and CSV rows cannot be told apart on their bytes alone."""
    tsv = solutions.serialize(format=TSV_FORMAT)
    rows = tsv.count(b"\n") - 1  # a header line, then one line a row
    truncated = rows > cap
    if truncated:
        end = tsv.find(b"\n") + 1
        for _ in range(cap):
            end = tsv.find(b"\n", end) + 1
        tsv, rows = tsv[:end], cap
    if fmt == TSV_FORMAT:
        return tsv, rows, truncated
    return ox.parse_query_results(tsv, TSV_FORMAT).serialize(format=fmt), rows, truncated


def _capped_triples(triples: ox.QueryTriples, cap: int, fmt) -> tuple[bytes, int, bool]:
    kept = list(itertools.islice(triples, cap + 1))
    body = ox.serialize(kept[:cap], format=fmt, prefixes=PREFIXES)
    return body, min(len(kept), cap), len(kept) > cap


class ServiceFailed(Exception):
    """A request that calls SERVICE failed while it ran (most likely the remote endpoint did)."""


class UpdateFailed(Exception):
    """An update that the store refused as it ran (a graph that exists already, or does not exist)."""


@dataclass(frozen=True)
class Prepared:
    text: str  # the request as it runs: its SERVICE calls routed
    services: tuple[str, ...]  # the endpoints its SERVICE clauses name
    names_dataset: bool  # it says FROM or FROM NAMED
    tokens: int  # how many tokens it has


PREPARED_CACHE = 256  # requests whose preparation a worker remembers (the most recent)
PREPARED_CACHE_CHARS = 16_384  # longer requests are prepared anew each time (the cache stays under 4 MiB)


@dataclass(frozen=True)
class ServicePolicy:
    allowed: frozenset[str]  # the endpoints SERVICE may call
    routes: dict  # public endpoint -> where its calls really go
    _prepared: OrderedDict = field(default_factory=OrderedDict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)  # InlinePool: threads

    def prepare(self, text: str, update: bool = False) -> Prepared:
        """The request as it may run: refused unless it is within the limits of the query engine
        (TooComplex) and calls only allowed endpoints (federation.Refused), then routed.

        A pure function of the text, so the last PREPARED_CACHE requests that passed are remembered: a
        request sent again (the same question from a page, a dashboard, a benchmark) is not tokenized again
        (0.1-1 ms for the competency questions). A refused one is checked anew every time."""
        key = (text, update)
        with self._lock:
            prepared = self._prepared.get(key)
            if prepared is not None:
                self._prepared.move_to_end(key)
                return prepared
        prepared = self._prepare(text, update)
        if len(text) <= PREPARED_CACHE_CHARS:
            with self._lock:
                self._prepared[key] = prepared
                if len(self._prepared) > PREPARED_CACHE:
                    self._prepared.popitem(last=False)
        return prepared

    def _prepare(self, text: str, update: bool) -> Prepared:
        tokens = checked_tokens(text)
        calls = federation.check(text, self.allowed, update, tokens)
        return Prepared(
            federation.route(text, calls, self.routes),
            tuple(c.target for c in calls),
            has_dataset_clause(text, tokens),
            len(tokens),
        )

    def service_failed(self, prepared: Prepared, exc: Exception) -> ServiceFailed:
        """The failure of a request that calls SERVICE, told with the public endpoints it names (the
        error of pyoxigraph names the addresses the calls were routed to). An endpoint that could not be
        reached at all (refused, no such host, no network, no answer) is said so in one short sentence."""
        named = federation.describe(prepared.services)
        reason = unreachable(exc)
        if reason:
            return ServiceFailed(
                f"The external service {named} is unreachable from this server ({reason}); "
                "a query without SERVICE answers from the graph alone."
            )
        message = str(exc)
        for public, local in self.routes.items():
            message = message.replace(local, public)
        return ServiceFailed(f"the request calls SERVICE {named}, and it failed while it ran: {message}")


def unreachable(exc: Exception) -> str | None:
    """Why a SERVICE endpoint could not be reached, if that is what the error says; None when it was
    reached and answered with an error (pyoxigraph raises a plain OSError for both: "Error 500 ... returned
    by URL" for an answer, "failed to lookup address information" for a name that does not resolve)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionError):
        return "connection lost"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if type(exc) is OSError and "lookup address" in str(exc):
        return "its name does not resolve: no network, or no such host"
    return None


def run_query(store: Store, job: QueryJob, services: ServicePolicy) -> Answer | Failure:
    prepared = services.prepare(job.text)
    try:
        return _evaluate(store, job, prepared)
    except StoreError:  # QuerySyntaxError too
        raise
    except Exception as exc:
        if prepared.services:
            raise services.service_failed(prepared, exc) from exc
        raise


def _evaluate(store: Store, job: QueryJob, prepared: Prepared) -> Answer | Failure:
    union = not prepared.names_dataset if job.union_default is None else job.union_default
    result = store.execute(
        prepared.text,
        union_default=union,
        default_graphs=job.default_graphs,
        named_graphs=job.named_graphs,
        substitutions=job.substitutions,
        base_iri=job.base_iri,
    )
    graph = not isinstance(
        result, (ox.QuerySolutions, ox.QueryBoolean)
    )  # triples: pyoxigraph's own, or a remote's list
    fmt = job.graph_format if graph else job.results_format
    if fmt is None:
        kind = "CONSTRUCT or DESCRIBE" if graph else "SELECT or ASK"
        return Failure(406, f"cannot answer a {kind} query in any format the request accepts")
    if isinstance(result, ox.QueryBoolean):
        return Answer(result.serialize(format=pyoxigraph_format(fmt)), fmt, "ask", 1, False, store.generation)
    capped = _capped_triples if graph else _capped_solutions
    body, count, truncated = capped(result, job.row_cap, pyoxigraph_format(fmt))
    return Answer(body, fmt, "graph" if graph else "select", count, truncated, store.generation)


def run_update(store, job: UpdateJob, services: ServicePolicy) -> Answer:
    prepared = services.prepare(job.text, update=True)
    text = prepared.text
    writer = store.writer()  # the worker's embedded store is read-only: a read-write one, for this update only
    try:
        writer.update(text)
    except StoreError:
        raise
    except Exception as exc:
        if prepared.services:
            raise services.service_failed(prepared, exc) from exc
        if isinstance(exc, RuntimeError):  # pyoxigraph's refusal of an operation: CREATE of a graph that exists...
            raise UpdateFailed(str(exc)) from exc
        raise
    finally:
        if writer is not store:
            writer.close()
    store.reopen_if_changed()
    return Answer(b"", None, "update", generation=store.generation)


def answer(store: Store, job, services: ServicePolicy) -> Answer | Failure:
    """The outcome of one job; errors become a Failure with the status they map to."""
    try:
        store.reopen_if_changed()
        if isinstance(job, QueryJob):
            outcome = run_query(store, job, services)
        elif isinstance(job, UpdateJob):
            outcome = run_update(store, job, services)
        elif isinstance(job, ExportJob):
            outcome = Answer(store.export(job.format), None, "export", len(store), generation=store.generation)
        else:
            outcome = Answer(str(len(store)).encode(), None, "ping", generation=store.generation)
    except federation.Refused as exc:
        return Failure(403, str(exc))
    except (QuerySyntaxError, TooComplex, UpdateFailed, UpdateRefused) as exc:
        return Failure(400, str(exc))
    except ServiceFailed as exc:
        return Failure(502, str(exc))
    except StoreError as exc:
        if store.upstream:  # the remote store did not answer, or not as it should
            return Failure(502, str(exc))
        traceback.print_exc()  # the embedded store failed: its message names its files, for the log only
        return Failure(500, INTERNAL)
    except MemoryError:  # the worker's address space (RLIMIT_AS) is spent: this request asked too much
        return Failure(503, OUT_OF_MEMORY)
    except Exception:  # the store or the evaluator failed: the log has the traceback, the client a message
        traceback.print_exc()
        return Failure(500, INTERNAL)
    return replace(outcome, pid=os.getpid()) if isinstance(outcome, Answer) else outcome


def serve(conn) -> None:
    """A worker's life: receive the settings, open the store they name read-only, say READY, then
    answer jobs until the connection closes."""
    config = conn.recv()
    limit_memory(config.worker_memory_bytes)
    store = open_store(config, read_only=True)
    services = ServicePolicy(frozenset(config.service_allow), parse_map(config.service_map))
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        outcome = within_limits(answer(store, job, services), job, config.max_answer_bytes)
        try:
            conn.send(outcome)
        except MemoryError:  # pickling the answer took the rest of the address space
            del outcome
            conn.send(Failure(503, OUT_OF_MEMORY))


def main(argv: list[str]) -> None:
    """`python -m paradiplomacy.web.worker FD`, started by the pool with FD, its end of a socket pair;
    the settings come as the first message on it."""
    parser = argparse.ArgumentParser(prog="paradiplomacy.web.worker")
    parser.add_argument("fd", type=int)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its workers
    threading.stack_size(STACK_BYTES)
    answering = threading.Thread(target=serve, name="answering", args=(Connection(args.fd),))
    answering.start()
    answering.join()


if __name__ == "__main__":
    from paradiplomacy.web import worker  # under its own name, so that the server can unpickle its answers

    worker.main(sys.argv[1:])
