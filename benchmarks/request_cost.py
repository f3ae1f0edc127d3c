"""Where the fixed cost of a request to /sparql goes (issue 14): one tiny query, answered in well under a
millisecond by the engine, sent over and over on one keep-alive connection to 127.0.0.1.

Over HTTP, each in its own process, one after the other, interleaved in rounds (other work on the machine
weighs on all alike): the Oxigraph server on the same store generation; a bare WSGI application that
answers a fixed body, under waitress and (if installed) granian: the HTTP server alone; the app
(`paradiplomacy.web.create_app`) under waitress, its queries answered in the server process (InlinePool)
and by query worker processes (WorkerPool, as `paradiplomacy serve` runs it); and under granian.
In this process: the app called as a WSGI callable (no HTTP), the worker round trip, the tokenizer.

    python benchmarks/request_cost.py --store var/store [--requests 400] [--rounds 3]

Figures are p50 in ms; a loaded machine makes every one larger (say so when you quote them).
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from endpoint_engines import free_port  # noqa: E402

QUERY = (
    "SELECT ?o WHERE { <https://w3id.org/paradiplomacy/resource/hebei> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?o }"
)
JSON = "application/sparql-results+json"

BARE = """
def app(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    body = b'{"head":{"vars":["o"]},"results":{"bindings":[]}}'
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(body)))])
    return [body]
"""
APP = """
import os
from pathlib import Path
from paradiplomacy.settings import Config
from paradiplomacy.web import create_app
from paradiplomacy.web.pool import InlinePool
config = Config(home=Path(os.environ["RC_HOME"]), store=os.environ["RC_STORE"], workers=2, query_timeout=60)
app = create_app(config, pool=InlinePool(config) if os.environ.get("RC_INLINE") else None)
"""
WAITRESS = """
import sys
sys.path.insert(0, sys.argv[2])
from rc_app import app
from waitress import serve
serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=6, _quiet=True)
"""


def p50_over_http(port: int, path: str, requests: int) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urllib.parse.urlencode({"query": QUERY})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON}
    times = []
    for _ in range(requests + 20):
        started = time.perf_counter()
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"{path} on {port}: HTTP {response.status}")
    conn.close()
    return statistics.median(times[20:]) * 1000


def wait_ready(port: int, path: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server on {port} exited ({proc.returncode})")
        try:
            p50_over_http(port, path, 1)
            return
        except (OSError, RuntimeError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError(f"no answer on {port} within {seconds:g} s")


def servers(store: Path, home: Path, workdir: Path) -> dict:
    """name -> (command, environment, path): each server of the comparison."""
    generation = store / (store / "CURRENT").read_text().strip()
    (workdir / "rc_bare.py").write_text(BARE)
    (workdir / "rc_app.py").write_text(APP)
    (workdir / "rc_waitress.py").write_text(WAITRESS)
    env = dict(os.environ, RC_HOME=str(home), RC_STORE=str(store), PYTHONPATH=str(ROOT / "src"))
    oxigraph = Path(sys.executable).with_name("oxigraph")
    union = [] if (generation / "DEFAULT-GRAPH-IS-UNION").is_file() else ["--union-default-graph"]
    out = {
        "oxigraph-server": (
            lambda port: [
                str(oxigraph if oxigraph.is_file() else shutil.which("oxigraph")),
                "serve-read-only",
                "--location",
                str(generation),
                "--bind",
                f"127.0.0.1:{port}",
                *union,
            ],
            env,
            "/query",
        )
    }
    bare_waitress = WAITRESS.replace("from rc_app import app", "from rc_bare import app")
    (workdir / "rc_bare_waitress.py").write_text(bare_waitress)
    out["bare WSGI, waitress"] = (
        lambda port: [sys.executable, str(workdir / "rc_bare_waitress.py"), str(port), str(workdir)],
        env,
        "/sparql",
    )
    out["app, waitress, queries in the server"] = (
        lambda port: [sys.executable, str(workdir / "rc_waitress.py"), str(port), str(workdir)],
        dict(env, RC_INLINE="1"),
        "/sparql",
    )
    out["app, waitress, worker processes"] = (
        lambda port: [sys.executable, str(workdir / "rc_waitress.py"), str(port), str(workdir)],
        env,
        "/sparql",
    )
    granian = Path(sys.executable).with_name("granian")
    if granian.is_file():
        for name, module in (("bare WSGI, granian", "rc_bare:app"), ("app, granian, worker processes", "rc_app:app")):
            out[name] = (
                lambda port, module=module: [
                    str(granian),
                    "--interface",
                    "wsgi",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    "1",
                    "--blocking-threads",
                    "6",
                    "--working-dir",
                    str(workdir),
                    module,
                ],
                env,
                "/sparql",
            )
    return out


def in_process(store: Path, home: Path, requests: int) -> dict:
    from werkzeug.test import EnvironBuilder

    from paradiplomacy.settings import Config
    from paradiplomacy.sparql.lexer import tokenize
    from paradiplomacy.web import create_app
    from paradiplomacy.web.pool import InlinePool, WorkerPool
    from paradiplomacy.web.worker import QueryJob, ServicePolicy

    def p50(f, n=requests):
        times = []
        for _ in range(n + 20):
            started = time.perf_counter()
            f()
            times.append(time.perf_counter() - started)
        return statistics.median(times[20:]) * 1000

    config = Config(home=home, store=str(store), workers=1, query_timeout=60)
    job = QueryJob(QUERY, "json", "turtle", 10_000, union_default=None)
    inline, pool = InlinePool(config), WorkerPool(config)
    app = create_app(config, pool=inline)
    environ = EnvironBuilder(
        path="/sparql", method="POST", data={"query": QUERY}, headers={"Accept": JSON}
    ).get_environ()
    body = environ["wsgi.input"].read()

    def call():
        env = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        b"".join(app(env, lambda *a: None))

    longest = max((p.read_text() for p in (ROOT / "queries").glob("*.rq")), key=len)
    policy = ServicePolicy(frozenset(), {})
    try:
        return {
            "the app as a WSGI callable, queries in this process": p50(call),
            "the query job in this process (InlinePool)": p50(lambda: inline.run(job)),
            "the query job on a worker process (WorkerPool)": p50(lambda: pool.run(job)),
            f"tokenizing the longest question ({len(longest)} chars)": p50(lambda: tokenize(longest)),
            "preparing it, not remembered (tokens, SERVICE check)": p50(lambda: policy._prepare(longest, False)),
            "preparing it again (remembered)": p50(lambda: policy.prepare(longest)),
        }
    finally:
        pool.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True, help="a built store (paradiplomacy build)")
    ap.add_argument("--home", type=Path, default=ROOT, help="the project (default: this checkout)")
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench" / "request-cost")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[float]] = {}
    started = {}
    try:
        for name, (command, env, path) in servers(args.store.resolve(), args.home.resolve(), args.workdir).items():
            port = free_port()
            proc = subprocess.Popen(
                command(port),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=open(args.workdir / f"{port}.log", "w"),
                start_new_session=True,
            )
            started[name] = (proc, port, path)
            wait_ready(port, path, proc)
        for _ in range(args.rounds):
            for name, (_, port, path) in started.items():
                results.setdefault(name, []).append(p50_over_http(port, path, args.requests))
    finally:
        for proc, _, _ in started.values():
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
    print(
        f"over HTTP on 127.0.0.1, p50 ms of {args.requests} requests, per round ({args.rounds} rounds); "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for name, values in results.items():
        print(f"  {name:42} " + "  ".join(f"{v:6.2f}" for v in values))
    print("in this process, p50 ms")
    for name, value in in_process(args.store.resolve(), args.home.resolve(), args.requests).items():
        print(f"  {name:58} {value:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
