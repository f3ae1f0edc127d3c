"""The remote backend against real servers on 127.0.0.1 (Oxigraph server, Virtuoso): the same
terms and answers as the embedded store, writes in one request or in batches, the server's own
errors, credentials, and the commands on a remote store."""

from __future__ import annotations

import base64
import http.server
import json
import os
import threading
from collections import Counter
from typing import ClassVar

import pytest
from conftest import ROOT, make_config, run_cli
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from remote_servers import SERVERS, remote_settings

from paradiplomacy.build import prepare
from paradiplomacy.errors import StoreError
from paradiplomacy.namespaces import GRAPH_ONTOLOGY
from paradiplomacy.settings import Config
from paradiplomacy.store import OxigraphStore, QuerySyntaxError, open_store
from paradiplomacy.store.remote import USER_AGENT, RemoteStore

pytestmark = pytest.mark.slow  # real servers, processes or a browser

EX = "https://example.org/"
G1, G2 = URIRef(EX + "graph-1"), URIRef(EX + "graph-2")
ALL = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def remote_store(request, backend: str, **overrides) -> RemoteStore:
    cfg = make_config("unused", backend="remote", **{**remote_settings(request, backend), **overrides})
    store = open_store(cfg)
    store.replace_all([])
    return store


@pytest.fixture(params=list(SERVERS))
def remote(request):
    return remote_store(request, request.param)


@pytest.fixture
def embedded(tmp_path):
    return OxigraphStore(tmp_path / "embedded")


def shape(result) -> Counter:
    """Rows as a bag, blank nodes blurred (their labels are the server's own)."""
    if result.kind == "ask":
        return Counter({("ask", result.boolean): 1})
    rows = result.rows if result.kind == "select" else result.triples
    return Counter(tuple("_:" if isinstance(t, BNode) else t for t in row) for row in rows)


def term_quads():
    s = URIRef(EX + "s")
    values = [
        Literal("Hello", lang="en-GB"),
        Literal("Hebei", lang="zh-Latn-pinyin"),
        Literal("plain"),
        Literal("typed string", datatype=XSD.string),
        Literal("7", datatype=XSD.integer),
        Literal("true", datatype=XSD.boolean),
        Literal("false", datatype=XSD.boolean),
        Literal("2.5", datatype=XSD.decimal),
        Literal("2013", datatype=XSD.gYear),
        Literal("2020-01-01", datatype=XSD.date),
        Literal("2024-05-01T10:00:00+02:00", datatype=XSD.dateTime),
        Literal("https://example.org/x", datatype=XSD.anyURI),
        Literal("abc", datatype=URIRef(EX + "dt")),
        Literal('quote " backslash \\ tab \t newline \n unicode 中国 é', lang="zh"),
    ]
    quads = [(s, URIRef(f"{EX}p{i}"), v, G1) for i, v in enumerate(values)]
    b = BNode()
    return quads + [
        (s, URIRef(EX + "knows"), b, G2),
        (b, URIRef(EX + "name"), Literal("anon"), G2),
        (s, URIRef(EX + "name"), Literal("s"), G2),
    ]


def test_terms_come_back_as_from_the_embedded_store(remote, embedded):
    """Datatypes, language tags (lower case, as Oxigraph gives them), xsd:string, booleans
    (Virtuoso answers 1/0), escapes and blank nodes: SELECT and CONSTRUCT alike."""
    remote.replace_all(term_quads())
    embedded.replace_all(term_quads())
    for q in (ALL, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        assert shape(remote.query(q)) == shape(embedded.query(q))
    assert Literal("Hello", lang="en-gb") in remote.query("SELECT ?o { ?s ?p ?o }").column("o")
    assert len(remote) == len(embedded) == 17
    assert remote.named_graphs() == embedded.named_graphs() == [G1, G2]


def test_the_project_prefixes_are_added_unless_declared(remote):
    remote.replace_all(
        [
            (
                URIRef("https://w3id.org/paradiplomacy/resource/x"),
                URIRef("https://w3id.org/paradiplomacy/ontology#lobbiedBy"),
                Literal("y"),
                G1,
            )
        ]
    )
    assert remote.query("SELECT ?who WHERE { ?l pd:lobbiedBy ?who }").column("who") == [Literal("y")]
    own = "PREFIX pd: <https://example.org/elsewhere#>\nSELECT ?who WHERE { ?l pd:lobbiedBy ?who }"
    assert remote.query(own).rows == []
    assert remote.query("# PREFIX pd: <x> in a comment does not count\nASK { ?l pd:lobbiedBy ?who }").boolean


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"union_default": False},
        {"default_graphs": [G1]},
        {"named_graphs": [G2]},
        {"default_graphs": [G2], "named_graphs": [G1]},
    ],
    ids=str,
)
def test_the_dataset_of_a_query_is_chosen_as_on_the_embedded_store(remote, embedded, kwargs):
    remote.replace_all(term_quads())
    embedded.replace_all(term_quads())
    for q in ("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }"):
        assert shape(remote.query(q, **kwargs)) == shape(embedded.query(q, **kwargs)), q


def count_requests(store, monkeypatch) -> list:
    sent = []
    real = store._send

    def counting(url, body, *args, **kw):
        sent.append((url, (body or b"")[:7]))
        return real(url, body, *args, **kw)

    monkeypatch.setattr(store, "_send", counting)
    return sent


@pytest.mark.parametrize("gsp", [False, True], ids=["sparql-update", "with-gsp"])
def test_a_write_larger_than_a_batch_keeps_every_blank_node_structure(request, mini_project, gsp, monkeypatch):
    """Small batches: many requests (and, with a GSP URL, the ontology graph by the Graph Store
    Protocol); the OWL axioms' blank nodes still form the same graph as the embedded store's."""
    quads = list(prepare(make_config("unused", home=mini_project)).dataset.quads((None, None, None, None)))
    for backend in SERVERS:
        settings = {"remote_batch": 50} if gsp else {"remote_batch": 50, "remote_gsp_url": ""}
        store = remote_store(request, backend, **settings)
        sent = count_requests(store, monkeypatch)
        store.replace_all(quads)
        gsp_url = remote_settings(request, backend)["remote_gsp_url"]
        assert len(sent) > len(quads) // 50, backend
        assert any(u.startswith(gsp_url) for u, _ in sent) == gsp, backend
        ontology = Dataset()
        ontology.parse(data=store.export("nquads"), format="nquads")
        expected = Dataset()
        for q in quads:
            expected.add(q)
        assert isomorphic(ontology.graph(GRAPH_ONTOLOGY), expected.graph(GRAPH_ONTOLOGY)), backend
        assert len(store) == len(
            {(s, p, o, g.identifier if hasattr(g, "identifier") else g) for s, p, o, g in quads}
        ), backend


def test_one_update_request_is_atomic(request):
    """What makes a write that fits one request atomic: the server runs the request in one
    transaction. Oxigraph server does; Virtuoso commits operation by operation."""
    for backend in SERVERS:
        store = remote_store(request, backend)
        store.replace_all(term_quads())
        before = shape(store.query(ALL))
        with pytest.raises(StoreError, match="does not exist|not been explicitly created"):
            store.update(
                f"DROP SILENT GRAPH <{G1}> ; INSERT DATA {{ GRAPH <{G2}> {{ <{EX}a> <{EX}b> 1 }} }} ; "
                "DROP GRAPH <https://example.org/no-such-graph>"
            )
        if backend == "remote-virtuoso":
            assert shape(store.query(ALL)) != before  # measured: the first two operations stay applied
            continue
        assert shape(store.query(ALL)) == before


def test_the_server_message_is_passed_on(remote):
    with pytest.raises(QuerySyntaxError) as info:
        remote.query("SELECT WHERE {")
    assert str(info.value).strip()  # the server's own words (Oxigraph: "error at 1:...", Virtuoso: "SP030")
    with pytest.raises(QuerySyntaxError):
        remote.update(
            "INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/b> } }"
        )
    assert remote.is_empty()


def test_an_unreachable_server_is_a_store_error():
    from remote_servers import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreError, match=f"cannot reach the SPARQL server at {url}"):
        RemoteStore(url, timeout=5).query("ASK {}")


def test_virtuoso_keeps_its_own_graphs(request, virtuoso_server):
    """Private to its anonymous user (remote_servers.VIRTUOSO_SETUP), so queries see the project's
    graphs alone; its dba sees them, and the store neither lists, counts, exports nor drops them."""
    store = remote_store(request, "remote-virtuoso")
    assert store.named_graphs() == [] and len(store) == 0 and store.export("nquads") == b""
    assert not store.query("ASK { ?s ?p ?o }").boolean
    dba = remote_store(request, "remote-virtuoso", **virtuoso_server["auth"])
    assert dba.named_graphs() == [] and len(dba) == 0 and dba.export("nquads") == b""
    own = dba.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").column("g")
    assert URIRef("http://www.openlinksw.com/schemas/virtrdf#") in own  # replace_all never dropped it


def test_virtuoso_digest_credentials(request, virtuoso_server):
    auth = virtuoso_server["auth"]
    assert remote_store(request, "remote-virtuoso", **auth).query("ASK { }").boolean
    wrong = make_config("unused", backend="remote", **{**auth, "remote_password": "not-the-password"})
    with pytest.raises(StoreError, match="401") as info:
        open_store(wrong).query("ASK { }")
    assert "not-the-password" not in str(info.value)
    assert "not-the-password" not in json.dumps(wrong.describe())


class Recorder(http.server.BaseHTTPRequestHandler):
    """A stand-in SPARQL server that records each request's headers."""

    seen: list = []
    extra: dict = {}

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Recorder.seen.append(dict(self.headers.items()))
        if Recorder.extra.get("challenge") and "Authorization" not in self.headers:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps(
            {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}
        )
        self.send_response(200)
        for k, v in Recorder.extra.items():
            if k != "challenge":
                self.send_header(k, v)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recorder.seen, Recorder.extra = [], {}
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_credentials_and_user_agent_are_sent(recorder):
    """Basic only when the server asks for it, then at once; a bearer token always."""
    Recorder.extra = {"challenge": True}
    store = RemoteStore(recorder, user="ann", password="s3cret")
    store.query("SELECT ?x {}")
    store.query("SELECT ?x {}")
    RemoteStore(recorder, token="tok-123").query("SELECT ?x {}")
    unasked, answer, at_once, bearer = Recorder.seen
    assert "Authorization" not in unasked
    assert answer["Authorization"] == at_once["Authorization"] == "Basic " + base64.b64encode(b"ann:s3cret").decode()
    assert bearer["Authorization"] == "Bearer tok-123"
    assert unasked["User-Agent"] == bearer["User-Agent"] == USER_AGENT and USER_AGENT.startswith("paradiplomacy-kg/")


class Busy(http.server.BaseHTTPRequestHandler):
    """A stand-in SPARQL server that first refuses as told (status, Retry-After), then answers."""

    seen: ClassVar[list] = []
    refusals: ClassVar[list] = []

    def do_POST(self):
        Busy.seen.append(self.rfile.read(int(self.headers.get("Content-Length", 0))).split(b"=", 1)[0])
        if Busy.refusals:
            status, retry_after = Busy.refusals.pop(0)
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"busy")
            return
        body = json.dumps(
            {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def test_queries_are_retried_on_429_and_503_updates_never(monkeypatch):
    """A query is idempotent: sent again after a 429 or 503, as long as Retry-After says or, without
    it, a doubling wait. An update is not: its 503 is the answer."""
    import time
    import types

    import urllib3.util.retry

    waits = []  # urllib3's Retry sleeps through its module's clock: recorded here, not slept
    monkeypatch.setattr(urllib3.util.retry, "time", types.SimpleNamespace(sleep=waits.append, time=time.time))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = RemoteStore(f"http://127.0.0.1:{server.server_address[1]}/sparql")
        Busy.seen, Busy.refusals = [], [(503, "5"), (429, None)]
        assert store.query("SELECT ?x {}").rows == [(Literal("1"),)]
        assert Busy.seen == [b"query"] * 3 and waits == [5.0, 2.0]
        Busy.seen, Busy.refusals = [], [(503, "5")]
        with pytest.raises(StoreError, match="answered 503 Service Unavailable: busy"):
            store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        assert Busy.seen == [b"update"] and waits == [5.0, 2.0]
    finally:
        server.shutdown()
        server.server_close()


def test_a_cut_answer_is_an_error_not_a_short_one(recorder):
    Recorder.extra = {"X-SPARQL-MaxRows": "1"}
    with pytest.raises(StoreError, match="cut the answer at 1 rows"):
        RemoteStore(recorder).query("SELECT ?x {}")
    Recorder.extra = {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results"}
    with pytest.raises(StoreError, match="incomplete answer: RC...: Returning incomplete results"):
        RemoteStore(recorder).query("SELECT ?x {}")


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PARADIPLOMACY_REMOTE_BATCH", "123")
    monkeypatch.setenv("PARADIPLOMACY_REMOTE_SYSTEM_GRAPHS", "urn:a urn:b")
    monkeypatch.setenv("PARADIPLOMACY_REMOTE_TOKEN", "t0ken")
    cfg = Config.from_env()
    assert cfg.remote_batch == 123 and cfg.remote_system_graphs == ("urn:a", "urn:b")
    assert "t0ken" not in json.dumps(cfg.describe())


@pytest.mark.parametrize("backend", list(SERVERS))
def test_the_commands_on_a_remote_store(request, backend, mini_project):
    env = dict(os.environ, PARADIPLOMACY_HOME=str(mini_project), PARADIPLOMACY_BACKEND="remote")
    env.update(
        {
            s: str(v)
            for s, v in (("PARADIPLOMACY_" + k.upper(), v) for k, v in remote_settings(request, backend).items())
        }
    )
    remote_store(request, backend)  # empty
    built = run_cli("build", "--no-reason", env=env)
    assert built.returncode == 0, built.stderr
    out = run_cli("query", "SELECT ?who WHERE { ?l pd:lobbiedBy ?who }", "--format", "csv", env=env)
    assert out.stdout.splitlines() == ["who", "https://w3id.org/paradiplomacy/resource/chongqing"], out.stderr
    exported = run_cli("export", "--format", "nquads", env=env)
    assert "<https://w3id.org/paradiplomacy/resource/claim-chongqing-lobbied-mofcom-for-atdc> ." in exported.stdout
    stats = json.loads(run_cli("stats", "--json", env=env).stdout)
    assert stats["claims"] == 1 and stats["store"] == env["PARADIPLOMACY_REMOTE_QUERY_URL"]


QUESTIONS = [
    q
    for q in sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "queries" / "qc").glob("*.rq"))
    if "SERVICE" not in q.read_text()
]  # the federated ones would leave this machine
# Where Virtuoso 7.2.5 itself departs from SPARQL 1.1 (measured against Oxigraph and rdflib):
VIRTUOSO_DEPARTS = {
    "atdc-implementation.rq": "Virtuoso's SELECT DISTINCT returns some rows twice",
    "explain-model-memberships.rq": "Virtuoso's property paths (rdf:rest*/rdf:first, rdfs:subClassOf*) joined with "
    "GRAPH ?claim and a UNION on an OPTIONAL variable miss most rows the others find",
    "fact-provenance.rq": "Virtuoso's SPARQL compiler fails (SP031 internal error ssg_print_rvr_fixed_val) on "
    "VALUES (?s ?p ?o) joined with GRAPH ?claim { ?s ?p ?o }",
    "lobbying.rq": "Virtuoso evaluates rdfs:subClassOf+ inside FILTER NOT EXISTS wrongly (the narrowest class is lost)",
    "paper-vs-reasoner.rq": "Virtuoso types boolean expressions (EXISTS, comparisons) as xsd:integer 1/0, "
    "indistinguishable from integers in its answer",
    "twinned-provinces.rq": "Virtuoso evaluates rdfs:subClassOf+ inside FILTER NOT EXISTS wrongly (no twinning found)",
}
# ...and where it does so only on some runs (seen both ways on one machine), so a pass is no news
VIRTUOSO_SOMETIMES = {"atdc-implementation.rq"}


@pytest.fixture(params=list(SERVERS))
def paper(request, built, monkeypatch):
    """The project's whole graph on a server (unless it is there already): in one update request
    on Oxigraph server, so atomically; in requests of at most 4 MiB on Virtuoso."""
    store = remote_store_as_is(request, request.param)
    if len(store) != len(built[1]) or not store.query("ASK { pdr:hebei a pd:ProvinceLevelUnit }").boolean:
        ds = Dataset()
        ds.parse(data=built[1].export("nquads"), format="nquads")
        sent = count_requests(store, monkeypatch)
        store.replace_all(ds.quads((None, None, None, None)))
        updates = [body for _, body in sent].count(b"update=")
        if request.param == "remote-oxigraph":  # one request per batch; the project's graph fits one
            assert updates == -(-len(store) // store.batch) == 1
        else:
            assert updates >= 1
        monkeypatch.undo()
    assert len(store) == len(built[1])
    return request.param, store


def remote_store_as_is(request, backend: str) -> RemoteStore:
    return open_store(make_config("unused", backend="remote", **remote_settings(request, backend)))


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_the_competency_questions_answer_as_on_the_embedded_store(request, paper, built, question):
    backend, store = paper
    if backend == "remote-virtuoso" and question.name in VIRTUOSO_DEPARTS:
        request.applymarker(
            pytest.mark.xfail(reason=VIRTUOSO_DEPARTS[question.name], strict=question.name not in VIRTUOSO_SOMETIMES)
        )
    text = question.read_text()
    assert shape(store.query(text)) == shape(built[1].query(text))
