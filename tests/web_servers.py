"""Servers for the web and security tests: `paradiplomacy serve` in a real subprocess on 127.0.0.1, on a
store in a temporary directory that the server builds on its first start. The fixtures are registered
for the whole suite by tests/conftest.py, so that tests/web and tests/security share one server of each
kind per session.

- `server`: a copy of the mini project (tests/fixtures/mini-claims.yaml) with the web fixtures
  (tests/fixtures/web: evidence and an ontology class whose texts hold markup, example queries),
  a small row cap and a short time limit, and an allow-list that names a local SPARQL stand-in;
- `real_server`: the project's own ontology/, data/ and queries/, as they are now;
- `writable`: the web project again, with updates on (the bearer token UPDATE_TOKEN);
- `listener()`: a TCP listener on 127.0.0.1 that proves no connection was made to it.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from remote_servers import _stop, free_port

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
ROW_CAP = 40
WIKIDATA = "https://query.wikidata.org/sparql"  # allowed by default; routed to a stand-in in every test
QUERY_TIMEOUT = 4
UPDATE_TOKEN = "correct horse battery staple"  # the `writable` servers' update token


def _stop_with_parent() -> None:
    """In the child: have Linux send it SIGTERM when the test process dies, however it dies."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """`paradiplomacy serve` in a subprocess; its log is kept to show when a test fails."""

    def __init__(self, home: Path, store: Path, log: Path, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.home, self.store, self.log = home, store, log
        from conftest import sources_dir  # here: tests/conftest.py imports this module

        env = {**os.environ, "PARADIPLOMACY_SOURCES": str(sources_dir())}
        env.update({f"PARADIPLOMACY_{k.upper()}": _env_value(v) for k, v in settings.items()})
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "paradiplomacy",
                "--home",
                str(home),
                "--store",
                str(store),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            stdout=open(log, "w"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_stop_with_parent,
        )

    def wait_until_healthy(self, timeout: float = 300) -> None:
        wait_until_healthy(self.url, self.process, self.log, timeout)

    def health(self) -> dict:
        return requests.get(self.url + "/health", timeout=30).json()

    def worker_pids(self) -> list[int]:
        """The server's query worker processes (its child processes), seen from outside: /health does not
        show them to the public."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):  # gone meanwhile
                continue
            if parent == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def quads(self) -> int:
        """How many quads the named graphs hold, counted by a query."""
        r = requests.get(
            self.url + "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        r.raise_for_status()
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    def update(self, text: str, token: str | None = UPDATE_TOKEN, as_form: bool = True) -> requests.Response:
        """POST a SPARQL Update (form-encoded, or as application/sparql-update), with this bearer token."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if as_form:
            return requests.post(self.url + "/sparql", data={"update": text}, headers=headers, timeout=60)
        headers["Content-Type"] = "application/sparql-update"
        return requests.post(self.url + "/sparql", data=text.encode(), headers=headers, timeout=60)

    def request(self, method: str, path: str, **kw) -> requests.Response:
        return requests.request(method, self.url + path, **{"timeout": 60, **kw})

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw):
        return self.request("POST", path, **kw)

    def stop(self) -> None:
        _stop(self.process)


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    """Return once the server at `url` answers /health; raise, with its log, if it exits or does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(url + "/health", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not become healthy in {timeout} s:\n{log.read_text()}")


def _env_value(value) -> str:
    """A setting as its environment variable spells it: a list of values space-separated."""
    return " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


class TestClientResponse:
    """A Flask test response read as a `requests.Response` is (the attributes the tests use)."""

    def __init__(self, response):
        self._response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.content = response.get_data()

    @property
    def text(self) -> str:
        return self.content.decode(self._response.mimetype_params.get("charset", "utf-8"), "replace")

    def json(self):
        return json.loads(self.content)


class InProcessServer:
    """The app in this process, through Flask's test client, on an InlinePool over a store built
    here: the protocol, negotiation and pages without a subprocess or a socket (no time limit: a test
    of the limit, of HTTP itself or of concurrency uses `Server`). Same calls as `Server`."""

    def __init__(self, home: Path, store: Path, built: bool = False, **settings):
        from conftest import make_config

        from paradiplomacy.build import build
        from paradiplomacy.store import open_store
        from paradiplomacy.web import create_app
        from paradiplomacy.web.pool import InlinePool

        self.home, self.store = home, store
        self.config = make_config(store, home=home, **settings)
        # the address the app advertises without a public URL: the listening one (requests go to the app, no socket)
        self.url = f"http://{self.config.host}:{self.config.port}"
        if not built:  # else `store` holds the project's graph already (the session's `built` fixture)
            writer = open_store(self.config)
            try:
                build(self.config, writer)
            finally:
                writer.close()
        self.pool = InlinePool(self.config)
        self.client = create_app(self.config, pool=self.pool).test_client()

    def request(
        self, method: str, path: str, params=None, data=None, headers=None, allow_redirects=True, timeout=None
    ) -> TestClientResponse:
        return TestClientResponse(
            self.client.open(
                path, method=method, query_string=params, data=data, headers=headers, follow_redirects=allow_redirects
            )
        )

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw):
        return self.request("POST", path, **kw)

    def health(self) -> dict:
        return self.get("/health").json()

    def stop(self) -> None:
        self.pool.close()


def web_project(base: Path) -> Path:
    """The mini project with the web fixtures: markup in evidence and ontology, example queries."""
    home = base / "project"
    (home / "data" / "claims").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", home / "ontology")
    shutil.copy(FIXTURES / "web" / "ontology" / "markup.ttl", home / "ontology" / "markup.ttl")
    shutil.copy(ROOT / "data" / "sources.yaml", home / "data" / "sources.yaml")
    shutil.copy(FIXTURES / "mini-claims.yaml", home / "data" / "claims" / "mini.yaml")
    shutil.copy(FIXTURES / "web" / "claims" / "markup.yaml", home / "data" / "claims" / "markup.yaml")
    shutil.copytree(FIXTURES / "web" / "queries", home / "queries")
    return home


@contextmanager
def listener():
    """A TCP listener on 127.0.0.1; yields (url, connections), connections counted after the block."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    connections = []
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", connections
        deadline = time.monotonic() + 0.5  # any call would have been made before the answer came
        while time.monotonic() < deadline:
            try:
                conn, _ = sock.accept()
                connections.append(conn)
                conn.close()
            except TimeoutError:
                pass
    finally:
        sock.close()


class StandIn:
    """A SPARQL endpoint on 127.0.0.1 that answers every query with one fixed row, and counts the
    requests it gets: the target of the allowed SERVICE calls in the tests. A query that names
    FAIL it answers with a 500 and no results, as a failing endpoint would."""

    FAIL = "urn:x-stand-in:fail"

    ANSWER = {
        "head": {"vars": ["capital"]},
        "results": {"bindings": [{"capital": {"type": "literal", "value": "Dodoma"}}]},
    }

    def __init__(self):
        stand_in = self
        self.requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                stand_in.requests.append(self.path + " " + self.rfile.read(length).decode("utf-8", "replace"))
                fail = quote(StandIn.FAIL, safe="") in stand_in.requests[-1] or StandIn.FAIL in stand_in.requests[-1]
                body = b"internal error" if fail else json.dumps(StandIn.ANSWER).encode()
                self.send_response(500 if fail else 200)
                self.send_header("Content-Type", "text/plain" if fail else "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/sparql"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self):
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture(scope="session")
def stand_in():
    s = StandIn()
    yield s
    s.close()


def start(tmp: Path, home: Path, **settings) -> Server:
    server = Server(home, tmp / "store", tmp / "server.log", **settings)
    try:
        server.wait_until_healthy()
    except Exception:
        server.stop()
        raise
    return server


def web_settings(stand_in) -> dict:
    """The settings of the web project's servers, real and in-process: SERVICE may reach the stand-in."""
    return dict(
        row_cap=ROW_CAP,
        query_timeout=QUERY_TIMEOUT,
        fast_query_seconds=QUERY_TIMEOUT / 10,  # the fast lane at its widest (web.pool.FastLane)
        service_allow=(WIKIDATA, stand_in.url),
        service_map=f"{WIKIDATA}={stand_in.url}",
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory, stand_in):
    tmp = tmp_path_factory.mktemp("web")
    s = start(tmp, web_project(tmp), workers=2, **web_settings(stand_in))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, stand_in):
    """The web project served in this process (see InProcessServer), with the `server` fixture's settings."""
    tmp = tmp_path_factory.mktemp("web-app")
    s = InProcessServer(web_project(tmp), tmp / "store", **web_settings(stand_in))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def real_app_server(built, stand_in):
    """The project as it is (the graph of the session's `built` fixture, not built again), served in this
    process; calls to the Wikidata Query Service go to the stand-in."""
    config = built[0]
    s = InProcessServer(ROOT, config.path("store"), built=True, service_map=f"{WIKIDATA}={stand_in.url}")
    yield s
    s.stop()


def start_writable(tmp: Path) -> Server:
    """A server of the web project that accepts updates with UPDATE_TOKEN, on one worker; SERVICE may
    call nothing (an empty allow-list), so that no update can reach past 127.0.0.1."""
    return start(tmp, web_project(tmp), updates="yes", update_token=UPDATE_TOKEN, workers=1, service_allow="")


@pytest.fixture(scope="session")
def writable(tmp_path_factory):
    s = start_writable(tmp_path_factory.mktemp("web-updates"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def real_server(tmp_path_factory, stand_in):
    """The project as it is; calls to the Wikidata Query Service go to the local stand-in."""
    tmp = tmp_path_factory.mktemp("web-real")
    s = start(tmp, ROOT, workers=2, service_map=f"{WIKIDATA}={stand_in.url}")
    yield s
    s.stop()
