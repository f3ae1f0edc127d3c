"""The engines that benchmarks/endpoint.py times, and what it needs to run them: the competency
questions, an HTTP client with keep-alive, server processes started on 127.0.0.1 and stopped,
peak memory of a process tree, and a normal form of answers to check that the engines agree.

Engines:
- raw: pyoxigraph in this process, on the store's current generation opened read-only, with the
  query semantics of our server (the union of the graphs as default graph, the project's
  prefixes), the answer serialised in full (SPARQL JSON, or Turtle for graphs): the floor. The union is
  the store's own default graph where the generation keeps it as a set (store/oxigraph.py, UNION_MARK),
  else Oxigraph's union of the graphs;
- ours: `paradiplomacy serve` (waitress, Flask, query worker processes);
- oxigraph-server: the Oxigraph server (`oxigraph serve-read-only`, PyPI `oxigraph`) on the same
  store directory, its default graph the same union (--union-default-graph only for a generation
  that does not keep it as a set);
- rdflib-endpoint: rdflib-endpoint (FastAPI, uvicorn) on an rdflib Dataset loaded from an N-Quads
  dump of the store (benchmarks/endpoint_rdflib.py).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from paradiplomacy.namespaces import PREFIXES  # noqa: E402
from paradiplomacy.sparql.prefixes import declarations  # noqa: E402
from paradiplomacy.store.oxigraph import UNION_MARK  # noqa: E402

try:
    import psutil
except ImportError:  # peak memory then comes from getrusage only
    psutil = None

HOST = "127.0.0.1"
SELECT_JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {
    XSD + t
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}


def log(message: str) -> None:
    print(time.strftime("%H:%M:%S ") + message, file=sys.stderr, flush=True)


# ---- the competency questions -------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    name: str  # file name without .rq
    question: str  # the first comment line
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE

    @property
    def accept(self) -> str:
        return TURTLE if self.form in ("CONSTRUCT", "DESCRIBE") else SELECT_JSON


def _code(text: str) -> str:
    """The query without comments, IRIs and strings (enough to find its form and SERVICE)."""
    text = re.sub(r"<[^<>\s]*>", " ", text)
    text = re.sub(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', " ", text)
    return re.sub(r"#[^\n]*", " ", text)


def competency_questions(directory: Path, only: list[str] | None = None) -> list[Query]:
    """Every *.rq of the directory that has no SERVICE clause (federated questions need the network)."""
    out = []
    for path in sorted(Path(directory).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        code = _code(text)
        if re.search(r"\bSERVICE\b", code, re.I):
            continue
        if only and path.stem not in only:
            continue
        form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", code, re.I)
        first = text.splitlines()[0] if text else ""
        out.append(
            Query(
                path.stem,
                first[1:].strip() if first.startswith("#") else "",
                text,
                form.group(1).upper() if form else "SELECT",
            )
        )
    return out


# ---- answers: what an engine returned, and its normal form ---------------------------------------


@dataclass
class Outcome:
    ok: bool
    seconds: float
    content_type: str = ""
    body: bytes = b""
    error: str = ""
    timeout: bool = False


def _norm_term(t: dict) -> tuple:
    kind, value = t.get("type"), t.get("value", "")
    if kind == "bnode":
        return ("b",)
    if kind in ("literal", "typed-literal"):
        dt, lang = t.get("datatype"), t.get("xml:lang")
        if dt == XSD + "string":
            dt = None
        if dt in NUMERIC:
            try:
                value = format(float(value), ".9g")
                dt = "numeric"
            except ValueError:
                pass
        return ("l", value, dt or "", (lang or "").lower())
    return ("u", value)


def _norm_ox(term) -> tuple:
    if isinstance(term, ox.BlankNode):
        return ("b",)
    if isinstance(term, ox.Literal):
        return _norm_term(
            {"type": "literal", "value": term.value, "datatype": term.datatype.value, "xml:lang": term.language}
        )
    return ("u", term.value)


def summarise(outcome: Outcome) -> tuple[int, str]:
    """(rows, digest) of an answer: SELECT rows (or 1 for ASK), or distinct triples of a graph; the
    digest is over the sorted normal forms (blank nodes blurred, numbers compared by value)."""
    ctype = outcome.content_type.split(";")[0].strip().lower()
    if ctype in (SELECT_JSON, "application/json"):
        data = json.loads(outcome.body)
        if "boolean" in data:
            rows = [repr(bool(data["boolean"]))]
        else:
            rows = sorted(repr(sorted((k, _norm_term(v)) for k, v in b.items())) for b in data["results"]["bindings"])
    elif ctype in (TURTLE, "application/n-triples"):
        fmt = ox.RdfFormat.TURTLE if ctype == TURTLE else ox.RdfFormat.N_TRIPLES
        rows = sorted(
            {
                repr((_norm_ox(t.subject), _norm_ox(t.predicate), _norm_ox(t.object)))
                for t in ox.parse(outcome.body, format=fmt)
            }
        )
    else:
        raise ValueError(f"unexpected content type {outcome.content_type!r}")
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


# ---- memory --------------------------------------------------------------------------------------


class TreeMemory:
    """Samples the resident memory of a process and all its descendants (psutil), keeping the peak
    of their sum; without psutil it records nothing."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> TreeMemory:
        if psutil is not None:
            self._thread.start()
        return self

    def _sample(self) -> int:
        try:
            root = psutil.Process(self.pid)
            procs = [root] + root.children(recursive=True)
        except psutil.Error:
            return 0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.peak


# ---- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def paradiplomacy_command() -> list[str]:
    """The command of the paradiplomacy this interpreter imports (its own environment's), never another one
    found on PATH: the benchmark measures the code it runs with."""
    return [sys.executable, "-m", "paradiplomacy"]


_started: list[subprocess.Popen] = []


def start_process(cmd: list[str], log_path: Path, env: dict | None = None) -> subprocess.Popen:
    """A server process in a session of its own (so that it and its children can be stopped)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
    _started.append(proc)
    return proc


def stop_process(proc: subprocess.Popen | None, grace: float = 15.0) -> None:
    """SIGTERM, then SIGKILL to its process group (the server's own children, such as query workers)."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the group the server leads: whatever it left behind
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait(timeout=10)
    if proc in _started:
        _started.remove(proc)


def stop_all() -> None:
    for proc in list(_started):
        stop_process(proc, grace=5)


def tail(path: Path, chars: int = 1500) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


# ---- HTTP ------------------------------------------------------------------------------------------


class HttpClient:
    """One keep-alive connection to a server engine: POST application/sparql-query, the whole
    answer read. It follows the engine to its new port when the engine is restarted."""

    def __init__(self, engine: ServerEngine):
        self.engine = engine
        self.path, self.prologue = engine.path, engine.prologue
        self.conn: http.client.HTTPConnection | None = None
        self.port = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __call__(self, query: Query, timeout: float) -> Outcome:
        text = (declarations() + query.text) if self.prologue else query.text
        body = text.encode("utf-8")
        headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": query.accept}
        if self.port != self.engine.port:
            self.close()
        for attempt in (0, 1):
            if self.conn is None:
                self.port = self.engine.port
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
            else:
                self.conn.timeout = timeout
                if self.conn.sock is not None:
                    self.conn.sock.settimeout(timeout)
            started = time.perf_counter()
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                seconds = time.perf_counter() - started
            except TimeoutError:
                self.close()
                return Outcome(
                    False, time.perf_counter() - started, error=f"no answer within {timeout:g} s", timeout=True
                )
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.CannotSendRequest,
                http.client.BadStatusLine,
            ) as exc:
                self.close()  # a keep-alive connection the server had closed: once more on a new one
                if attempt == 0:
                    continue
                return Outcome(False, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
            except OSError as exc:
                self.close()
                return Outcome(False, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            ctype = response.getheader("Content-Type", "")
            if response.status != 200:
                snippet = data[:300].decode("utf-8", "replace").replace("\n", " ")
                return Outcome(
                    False,
                    seconds,
                    ctype,
                    data,
                    f"HTTP {response.status}: {snippet}",
                    timeout=response.status in (503, 504) and "time" in snippet.lower(),
                )
            return Outcome(True, seconds, ctype, data)
        raise AssertionError("unreachable")


# ---- engines -------------------------------------------------------------------------------------

PROBE = Query("probe", "", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "SELECT")


def keeps_set_union(generation: Path) -> bool:
    """The generation's default graph is the union of its named graphs as a set (see store/oxigraph.py)."""
    return (Path(generation) / UNION_MARK).is_file()


def current_generation(store: Path) -> Path:
    """The generation directory the store's CURRENT pointer names (see src/paradiplomacy/store.py)."""
    name = (Path(store) / "CURRENT").read_text().strip()
    return Path(store) / name


class Engine:
    label = "engine"
    restarts = 0  # after queries it could not stop
    concurrent = True  # meaningful under concurrent clients
    startup_seconds: float | None = None  # from start to the first answer
    peak_rss: int = 0  # of its process tree while it ran (servers)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def client(self):
        """A callable (query, timeout) -> Outcome for one thread."""
        raise NotImplementedError

    def recover(self, timeout: float) -> None:
        """After a client gave up on a query: make sure the engine is free again."""


class RawEngine(Engine):
    """pyoxigraph in this process: the floor. It cannot stop a query, and it holds the GIL while it
    evaluates and serialises, so it is timed sequentially only."""

    label = "raw"
    concurrent = False

    def __init__(self, store: Path):
        self.generation = current_generation(store)
        self.store: ox.Store | None = None

    def start(self) -> None:
        started = time.perf_counter()
        self.store = ox.Store.read_only(str(self.generation))
        self.client()(PROBE, 60)
        self.startup_seconds = time.perf_counter() - started

    def stop(self) -> None:
        self.store = None

    def client(self):
        def run(query: Query, timeout: float) -> Outcome:
            started = time.perf_counter()
            try:
                result = self.store.query(
                    query.text, prefixes=PREFIXES, use_default_graph_as_union=not keeps_set_union(self.generation)
                )
                if isinstance(result, ox.QueryTriples):
                    body = ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
                    ctype = TURTLE
                else:
                    body = result.serialize(format=ox.QueryResultsFormat.JSON)
                    ctype = SELECT_JSON
            except (SyntaxError, OSError) as exc:
                return Outcome(False, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
            seconds = time.perf_counter() - started
            if seconds > timeout:
                return Outcome(
                    False, seconds, error=f"answered after {seconds:.1f} s, beyond {timeout:g} s", timeout=True
                )
            return Outcome(True, seconds, ctype, body)

        return run


class ServerEngine(Engine):
    """A SPARQL server in a process of its own on 127.0.0.1."""

    path = "/sparql"
    prologue = True  # send the project's PREFIX declarations with the query (our server adds them itself)
    ready_timeout = 120.0
    stop_grace = 15.0  # seconds between SIGTERM and SIGKILL

    def __init__(self, workdir: Path, timeout: float):
        self.workdir, self.timeout = Path(workdir), timeout
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.memory: TreeMemory | None = None

    @property
    def log_path(self) -> Path:
        return self.workdir / "logs" / f"{self.label}.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict | None:
        return None

    def start(self) -> None:
        self.port = free_port()
        started = time.perf_counter()
        self.proc = start_process(self.command(), self.log_path, self.environment())
        self.memory = TreeMemory(self.proc.pid).start()
        self.startup_seconds = self.wait_ready(started)

    def wait_ready(self, started: float) -> float:
        """Poll a query (not a health check) until it is answered; the seconds since `started`."""
        probe = HttpClient(self)
        deadline = started + self.ready_timeout
        try:
            while True:
                try:
                    outcome = probe(PROBE, 5)
                except OSError:
                    outcome = None
                if outcome is not None and outcome.ok:
                    return time.perf_counter() - started
                if self.proc.poll() is not None or time.perf_counter() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"{self.label} did not answer a query within {self.ready_timeout:g} s "
                        f"(exit {self.proc.returncode}): {tail(self.log_path)}"
                    )
                time.sleep(0.02)
        finally:
            probe.close()

    def stop(self) -> None:
        if self.memory is not None:
            self.peak_rss = max(self.peak_rss, self.memory.stop())
            self.memory = None
        stop_process(self.proc, self.stop_grace)
        self.proc = None

    def client(self):
        return HttpClient(self)

    def recover(self, timeout: float) -> None:
        """Wait until the server answers a trivial query again (it may still be busy with the query
        the client gave up on); restart it if it does not within `timeout` seconds."""
        probe = HttpClient(self)
        deadline = time.perf_counter() + timeout
        try:
            while time.perf_counter() < deadline:
                if self.proc is not None and self.proc.poll() is not None:
                    break
                if probe(PROBE, max(1.0, min(30.0, deadline - time.perf_counter()))).ok:
                    return
                time.sleep(0.2)
        finally:
            probe.close()
        log(f"  {self.label} is still busy after {timeout:g} s: restarting it")
        self.restarts += 1
        self.stop()
        self.start()


class OursEngine(ServerEngine):
    """`paradiplomacy serve` on the existing store."""

    prologue = False

    def __init__(
        self,
        workdir: Path,
        timeout: float,
        project: Path,
        store: Path,
        workers: int,
        row_cap: int | None,
        label: str = "ours",
    ):
        super().__init__(workdir, timeout)
        self.project, self.store, self.workers, self.row_cap = Path(project), Path(store), workers, row_cap
        self.label = label

    def command(self) -> list[str]:
        return paradiplomacy_command() + [
            "--home",
            str(self.project),
            "--store",
            str(self.store),
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]

    def environment(self) -> dict:
        env = dict(
            os.environ, PARADIPLOMACY_QUERY_TIMEOUT=str(self.timeout), PARADIPLOMACY_QUERIES=str(ROOT / "queries")
        )
        if self.row_cap is not None:
            env["PARADIPLOMACY_ROW_CAP"] = str(self.row_cap)
        for name in ("PARADIPLOMACY_UPDATES", "PARADIPLOMACY_UPDATE_TOKEN", "PARADIPLOMACY_BACKEND"):
            env.pop(name, None)
        return env


class OxigraphServerEngine(ServerEngine):
    """The Oxigraph server, read-only, on the store's current generation directory (the same
    RocksDB files: pyoxigraph and the `oxigraph` command are the same Oxigraph version)."""

    label = "oxigraph-server"
    path = "/query"

    def __init__(self, workdir: Path, timeout: float, store: Path):
        super().__init__(workdir, timeout)
        self.generation = current_generation(store)

    def command(self) -> list[str]:
        beside = Path(sys.executable).with_name("oxigraph")  # this environment's, the version of its pyoxigraph
        exe = str(beside) if beside.is_file() else shutil.which("oxigraph")
        if exe is None:
            raise RuntimeError("the `oxigraph` command is missing: pip install -e '.[bench]'")
        union = [] if keeps_set_union(self.generation) else ["--union-default-graph"]
        return [
            exe,
            "serve-read-only",
            "--location",
            str(self.generation),
            "--bind",
            f"{HOST}:{self.port}",
            *union,
            "--timeout-s",
            str(max(1, round(self.timeout))),
        ]


class RdflibEngine(ServerEngine):
    """rdflib-endpoint on an rdflib Dataset loaded from the N-Quads dump (benchmarks/endpoint_rdflib.py);
    its start-up time includes loading the dump."""

    label = "rdflib-endpoint"
    ready_timeout = 3600.0
    stop_grace = 1.0  # a busy uvicorn finishes its query before it stops; nothing of it is kept

    def __init__(self, workdir: Path, timeout: float, dump: Path):
        super().__init__(workdir, timeout)
        self.dump = Path(dump)

    def command(self) -> list[str]:
        return [
            sys.executable,
            str(Path(__file__).with_name("endpoint_rdflib.py")),
            "--dump",
            str(self.dump),
            "--host",
            HOST,
            "--port",
            str(self.port),
        ]


def rdflib_endpoint_missing() -> str | None:
    """Why rdflib-endpoint cannot run here, or None."""
    try:
        import rdflib_endpoint  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -e '.[bench]')"
    return None


@dataclass
class Timing:
    """The timings of one engine on one query."""

    status: str = "ok"  # ok, timeout, error, skipped
    warmup: float | None = None
    times: list[float] = field(default_factory=list)
    rows: int | None = None
    digest: str | None = None
    error: str = ""
