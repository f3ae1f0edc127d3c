"""Load on the SPARQL endpoint and the pages: N clients at once (threads, each with its own HTTP
session) for D seconds against `paradiplomacy serve` on 127.0.0.1, each asking, one request after
another, a mix of the competency questions (queries/*.rq, those without SERVICE), resource pages (as
HTML and as Turtle) and the other HTML pages (/, /ontology, /graph/inferred, /map, /network).

It reports the requests, the errors (an answer that is not 2xx, or no answer), the throughput, the
latency percentiles (overall and by kind), and the CPU time of this client and of the server (when it
started the server, or the server's workers are on this machine), so that one can tell whether the
client was the bottleneck. It exits 1 on any error. Its traffic goes to 127.0.0.1 only (or to --url),
and it stops by itself after D seconds, or sooner after --max-requests requests.

Usage: python benchmarks/load.py [--clients 50] [--seconds 60] [--max-requests 200000]
                                 [--url URL | --store DIR --workers N] [--json FILE]

Without --url it starts `paradiplomacy serve` on 127.0.0.1 and a free port over the project's own
ontology/ and data/ with the store in --store (default var/store; built on the first start, as
`paradiplomacy serve` does: about a minute) and stops it at the end. PARADIPLOMACY_SOURCES is taken
from the environment, else ../shared/sources when it is there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = "application/sparql-results+json"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = ["/", "/ontology", "/graph/inferred", "/map", "/network"]
SLUGS = "SELECT DISTINCT ?s WHERE { ?s a ?type FILTER(STRSTARTS(STR(?s), STR(pdr:))) } ORDER BY ?s LIMIT 300"
MIX = [("query", 5), ("resource", 3), ("page", 2)]  # kinds of request and their weights


def competency_questions(queries_dir: Path) -> list[str]:
    texts = [q.read_text(encoding="utf-8") for q in sorted(queries_dir.glob("*.rq"))]
    return [t for t in texts if "SERVICE" not in t.upper()]


def resource_slugs(session: requests.Session, url: str) -> list[str]:
    r = session.get(url + "/sparql", params={"query": SLUGS}, headers={"Accept": RESULTS}, timeout=60)
    r.raise_for_status()
    prefix = "https://w3id.org/paradiplomacy/resource/"
    return [b["s"]["value"][len(prefix) :] for b in r.json()["results"]["bindings"]]


class Client(threading.Thread):
    """One client: requests drawn from the mix, one after another, until the deadline."""

    def __init__(self, number: int, url: str, deadline: float, questions, slugs, timeout: float, tickets):
        super().__init__(name=f"client-{number}", daemon=True)
        self.url, self.deadline, self.questions, self.slugs, self.timeout = url, deadline, questions, slugs, timeout
        self.tickets = tickets  # one per request any client may still send
        self.random = random.Random(number)
        self.results: list[tuple[str, float, int | str]] = []  # (kind, seconds, status or error)

    def request(self) -> tuple[str, str, dict, dict]:
        kind = self.random.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
        if kind == "query":
            return kind, "/sparql", {"query": self.random.choice(self.questions)}, {"Accept": RESULTS}
        if kind == "resource":
            accept = BROWSER if self.random.random() < 0.7 else "text/turtle"
            return kind, "/resource/" + self.random.choice(self.slugs), {}, {"Accept": accept}
        return kind, self.random.choice(PAGES), {}, {"Accept": BROWSER}

    def run(self):
        session = requests.Session()
        while time.monotonic() < self.deadline and next(self.tickets, None) is not None:
            kind, path, params, headers = self.request()
            started = time.monotonic()
            try:
                r = session.get(self.url + path, params=params, headers=headers, timeout=self.timeout)
                outcome: int | str = r.status_code
            except requests.RequestException as exc:
                outcome = f"{type(exc).__name__}: {exc}"
            self.results.append((kind, time.monotonic() - started, outcome))
        session.close()


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


def latency_summary(seconds: list[float]) -> dict:
    s = sorted(seconds)
    return {
        "requests": len(s),
        **{f"p{p}_ms": round(percentile(s, p) * 1000, 1) for p in (50, 90, 99)},
        "max_ms": round(s[-1] * 1000, 1) if s else None,
    }


def process_cpu(pids) -> float | None:
    """CPU seconds (user and system) of these processes so far, from /proc; None where unreadable."""
    total = 0.0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None
    return total


def server_pids(url: str, server: subprocess.Popen | None) -> list[int]:
    try:
        workers = requests.get(url + "/health", timeout=30).json()["workers"]
    except (requests.RequestException, ValueError, KeyError):
        workers = []
    return ([server.pid] if server else []) + list(workers)


def run_load(
    url: str,
    clients: int = 50,
    seconds: float = 60,
    queries_dir: Path = ROOT / "queries",
    timeout: float = 60,
    server: subprocess.Popen | None = None,
    max_requests: int = 200_000,
) -> dict:
    """Run the load and return its figures (see the module's doc)."""
    with requests.Session() as s:
        slugs = resource_slugs(s, url)
    questions = competency_questions(queries_dir)
    if not slugs or not questions:
        raise SystemExit("nothing to ask: the store has no resources, or queries/ has no question without SERVICE")
    pids = server_pids(url, server)
    server_cpu, client_cpu, started = process_cpu(pids), time.process_time(), time.monotonic()
    tickets = iter(range(max_requests))  # shared: next() on a range iterator is atomic in CPython
    threads = [Client(i, url, started + seconds, questions, slugs, timeout, tickets) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 30)
    wall = time.monotonic() - started
    client_cpu = time.process_time() - client_cpu
    server_after = process_cpu(pids)  # the workers now: a worker replaced during the run is not counted
    results = [r for t in threads for r in t.results]
    errors = [
        (kind, outcome) for kind, _, outcome in results if not (isinstance(outcome, int) and 200 <= outcome < 300)
    ]
    by_kind = defaultdict(list)
    for kind, secs, _ in results:
        by_kind[kind].append(secs)
    return {
        "url": url,
        "clients": clients,
        "seconds": seconds,
        "wall_s": round(wall, 2),
        "requests": len(results),
        "errors": len(errors),
        "error_examples": sorted({str(e) for e in errors})[:10],
        "throughput_per_s": round(len(results) / wall, 1),
        "latency": latency_summary([secs for _, secs, _ in results]),
        "by_kind": {kind: latency_summary(v) for kind, v in sorted(by_kind.items())},
        "client_cpu_s": round(client_cpu, 1),
        "server_cpu_s": round(server_after - server_cpu, 1)
        if server_cpu is not None and server_after is not None
        else None,
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def report(figures: dict) -> str:
    lat = figures["latency"]
    lines = [
        f"load: {figures['clients']} clients for {figures['seconds']:g} s against {figures['url']}",
        f"requests {figures['requests']} ({figures['throughput_per_s']}/s), errors {figures['errors']}",
        f"latency: p50 {lat['p50_ms']} ms, p90 {lat['p90_ms']} ms, p99 {lat['p99_ms']} ms, max {lat['max_ms']} ms",
    ]
    for kind, k in figures["by_kind"].items():
        lines.append(
            f"  {kind}: {k['requests']} requests, p50 {k['p50_ms']} ms, p90 {k['p90_ms']} ms, "
            f"p99 {k['p99_ms']} ms, max {k['max_ms']} ms"
        )
    server_cpu = figures["server_cpu_s"]
    lines.append(
        f"CPU over {figures['wall_s']} s on {figures['cores']} cores: this client {figures['client_cpu_s']} s"
        + (f", the server and its workers {server_cpu} s" if server_cpu is not None else "")
        + f"; load average at the end {figures['load_average_1min']}"
    )
    lines += [f"error: {e}" for e in figures["error_examples"]]
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    """`paradiplomacy serve` on 127.0.0.1 over the project's data; returns once /health answers."""
    port = free_port()
    env = dict(os.environ)
    shared = ROOT.parent / "shared" / "sources"
    if "PARADIPLOMACY_SOURCES" not in env and shared.is_dir():
        env["PARADIPLOMACY_SOURCES"] = str(shared)
    command = [
        sys.executable,
        "-m",
        "paradiplomacy",
        "--home",
        str(ROOT),
        "--store",
        str(store),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with open(log, "w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900  # a first start builds the store
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(url + "/health", timeout=5).status_code == 200:
                return server, url
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit(f"the server did not start (see {log}):\n{log.read_text()[-2000:]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests in all")
    ap.add_argument("--url", help="a running server (default: start one on 127.0.0.1)")
    ap.add_argument("--store", type=Path, default=ROOT / "var" / "store", help="store of the server it starts")
    ap.add_argument("--workers", type=int, default=2, help="query workers of the server it starts")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for one answer")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.max_requests < 1 or not 0 < args.seconds <= 3600:
        ap.error("--clients and --max-requests must be positive, and --seconds at most 3600")
    server = None
    if args.url:
        url = args.url.rstrip("/")
    else:
        args.store.parent.mkdir(parents=True, exist_ok=True)
        server, url = start_server(args.store, args.workers, args.store.parent / "load-server.log")
    try:
        figures = run_load(
            url, args.clients, args.seconds, timeout=args.timeout, server=server, max_requests=args.max_requests
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
