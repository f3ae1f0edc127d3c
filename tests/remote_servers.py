"""Real SPARQL servers for the remote backend's tests, started on 127.0.0.1 only, on free ports,
once per session, and stopped at its end: the Oxigraph server (PyPI `oxigraph`) and Virtuoso
(Debian `virtuoso-opensource-7-bin`, installed by scripts/ensure-system-deps)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""

# The setup of docs/store-backends.md for a Virtuoso that holds the project: its anonymous SPARQL user may update,
# and Virtuoso's own graphs are private, so that the union of the graphs is the project's alone.
PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
VIRTUOSO_SETUP = " ".join(
    [
        'GRANT SPARQL_UPDATE TO "SPARQL";',
        f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{PRIVATE}', 1);",
        *(
            f"DB.DBA.RDF_GRAPH_GROUP_INS ('{PRIVATE}', '{g}');"
            for g in (
                "http://www.openlinksw.com/schemas/virtrdf#",
                "http://www.w3.org/ns/ldp#",
                "http://localuriqaserver/sparql",
            )
        ),
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);",
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7, 0);",
    ]
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, log: Path, name: str, seconds: float = 60) -> None:
    """Wait until the SPARQL endpoint at `url` answers; fail with the end of its log if it dies or is slow."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"{name} did not start: {log.read_text(errors='replace')[-1500:] if log.exists() else ''}")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def running_oxigraph(work: Path):
    """A read-write Oxigraph server with its database in `work`: yields its query, update and
    Graph Store URLs (as the remote_* settings)."""
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.fail("the `oxigraph` command is missing: `pip install -e '.[test]'` installs it")
    port = free_port()
    log = work / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [exe, "serve", "--location", str(work / "db"), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query", proc, log, "the Oxigraph server")
        yield {
            "remote_query_url": base + "/query",
            "remote_update_url": base + "/update",
            "remote_gsp_url": base + "/store",
            "remote_union": "union-default-graph",
        }
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A read-write Oxigraph server for the session: its query, update and Graph Store URLs."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph-server")) as urls:
        yield urls


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """Virtuoso Open Source set up as VIRTUOSO_SETUP says: its URLs (and, under "auth", its
    digest-authenticated endpoint with the dba account)."""
    exe, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if exe is None or isql is None:
        pytest.fail(
            "virtuoso-t or isql-vt is missing: run `bash scripts/ensure-system-deps` "
            "(Debian package virtuoso-opensource-7-bin)"
        )
    work = tmp_path_factory.mktemp("virtuoso")
    (work / "vsp").mkdir()
    sql_port, http_port = free_port(), free_port()
    ini = work / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=work, sql_port=sql_port, http_port=http_port))
    log = work / "virtuoso.log"
    with open(work / "stdout.log", "wb") as out:
        proc = subprocess.Popen(
            [exe, "+foreground", "+configfile", str(ini)], cwd=work, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{http_port}"
    wait_for(base + "/sparql", proc, log, "Virtuoso")
    granted = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", "exec=" + VIRTUOSO_SETUP],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if granted.returncode != 0 or "Error" in granted.stdout:
        _stop(proc)
        pytest.fail(f"cannot set Virtuoso up: {granted.stdout}{granted.stderr}")
    yield {
        "remote_query_url": base + "/sparql",
        "remote_update_url": base + "/sparql",
        "remote_gsp_url": base + "/sparql-graph-crud",
        "remote_union": "virtuoso",
        "auth": {"remote_query_url": base + "/sparql-auth", "remote_user": "dba", "remote_password": "dba"},
    }
    _stop(proc)


SERVERS = {"remote-oxigraph": "oxigraph_server", "remote-virtuoso": "virtuoso_server"}


def remote_settings(request, backend: str) -> dict:
    """The Config fields for a remote backend's server (started on first use)."""
    server = request.getfixturevalue(SERVERS[backend])
    return {k: v for k, v in server.items() if k != "auth"}
