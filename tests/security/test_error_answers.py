"""Errors are answered with the status that names whose fault they are and a message for the client,
never with the server's internals: what the client sent wrong is 4xx, a remote SERVICE endpoint that
fails is 502 (naming the endpoint as the query does, not where the server routes it), and an internal
failure is 500 with a message that says only that (its details go to the server's log). Each test is
the regression test of a bug that the fuzzing or the hostile requests found."""

import http.client
from urllib.parse import urlsplit

import pytest
import requests
from web_servers import WIKIDATA, StandIn

from paradiplomacy.errors import StoreError
from paradiplomacy.sparql.lexer import tokenize
from paradiplomacy.store import OxigraphStore
from paradiplomacy.web.worker import INTERNAL, PingJob, QueryJob, ServicePolicy, UpdateJob, answer

pytestmark = pytest.mark.slow  # real servers, processes or a browser

JSON = "application/sparql-results+json"


@pytest.mark.parametrize("text", ["\x85", "\u2028", "\u00a0SELECT * { ?s ?p ?o }", "ASK {\u3000}", "\x1c"])
def test_white_space_that_sparql_does_not_know_is_a_syntax_error(server, text):
    """Regression: the tokenizer matched no rule on white space other than SPARQL's own (U+0085, the
    line and paragraph separators, no-break spaces...), and the server answered 500."""
    r = requests.get(server.url + "/sparql", params={"query": text}, headers={"Accept": JSON})
    assert r.status_code == 400 and "error at" in r.text, r.text
    assert "".join(t.text for t in tokenize(text)) == "".join(text.split(" "))  # every character read


@pytest.mark.parametrize(
    "method, body, content_type",
    [("GET", None, None), ("POST", b"", "application/sparql-query"), ("POST", b"ASK {}", "application/sparql-query")],
)
def test_a_request_that_expects_100_continue_is_answered(server, method, body, content_type):
    """Regression (found by the fuzzing): to a request without a body (a GET, or Content-Length: 0) that
    said `Expect: 100-continue`, waitress sent `100 Continue`, then waited for a body that never came."""
    conn = http.client.HTTPConnection("127.0.0.1", urlsplit(server.url).port, timeout=10)
    headers = {"Expect": "100-continue", "Accept": JSON, **({"Content-Type": content_type} if content_type else {})}
    try:
        conn.request(method, "/sparql" + ("?query=ASK%20%7B%7D" if method == "GET" else ""), body, headers)
        r = conn.getresponse()
        assert r.status == (400 if body == b"" else 200), r.read()
    finally:
        conn.close()


def test_a_failing_service_endpoint_is_502_named_as_the_query_names_it(server, stand_in):
    """Regression: a SERVICE call that failed (here: the endpoint answers 500) was a 500 of the server,
    its message naming the address the call was routed to."""
    q = f"SELECT * WHERE {{ SERVICE <{WIKIDATA}> {{ ?s <{StandIn.FAIL}> ?o }} }}"
    r = requests.get(server.url + "/sparql", params={"query": q}, headers={"Accept": JSON})
    assert r.status_code == 502, r.text
    assert f"SERVICE <{WIKIDATA}>" in r.text and stand_in.url not in r.text


@pytest.mark.parametrize(
    "text, message",
    [
        ("CREATE GRAPH pdg:twice ; CREATE GRAPH pdg:twice", "already exists"),
        ("DROP GRAPH pdg:never-was", "does not exist"),
        ("MOVE pdg:never-was TO pdg:somewhere", "does not exist"),
    ],
)
def test_an_update_the_store_refuses_is_400_and_changes_nothing(writable, text, message):
    """Regression: pyoxigraph's refusal of an update operation (RuntimeError) was a 500."""
    before = writable.health()["generation"], writable.quads()
    r = writable.update(text)
    assert r.status_code == 400 and message in r.text, r.text
    assert (writable.health()["generation"], writable.quads()) == before


class BrokenStore(OxigraphStore):
    """An embedded store that fails as a damaged one would, with its path in the message."""

    def reopen_if_changed(self):
        raise StoreError(f"cannot open the store at {self.path}/gen-000007: IO error: Corruption")


class BrokenEvaluator(OxigraphStore):
    def execute(self, *args, **kwargs):
        raise OSError(f"IO error: While open a file for random read: {self.path}/000042.sst: No such file")


@pytest.mark.parametrize(
    "store_class, job",
    [
        (BrokenStore, QueryJob("ASK {}", "json", None, 10)),
        (BrokenStore, UpdateJob("CLEAR DEFAULT")),
        (BrokenStore, PingJob()),
        (BrokenEvaluator, QueryJob("ASK {}", "json", None, 10)),
    ],
    ids=["query", "update", "ping", "evaluation"],
)
def test_an_internal_failure_is_500_and_its_details_go_to_the_log_only(tmp_path, capfd, store_class, job):
    """Regression: every exception of the store or the evaluator was sent to the client as
    "TypeName: message", the store's files and paths included."""
    outcome = answer(store_class(tmp_path / "store", read_only=True), job, ServicePolicy(frozenset(), {}))
    assert (outcome.status, outcome.message) == (500, INTERNAL)
    assert str(tmp_path) in capfd.readouterr().err  # the log has the details


def test_an_update_that_fails_as_it_runs_keeps_the_store_as_it_was(tmp_path):
    writer = OxigraphStore(tmp_path / "store")
    writer.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 'c' } }")
    writer.close()
    store = OxigraphStore(tmp_path / "store", read_only=True)  # as a worker has it
    generation = store.generation
    outcome = answer(
        store, UpdateJob("INSERT DATA { <urn:x> <urn:y> 'z' } ; CREATE GRAPH <urn:g>"), ServicePolicy(frozenset(), {})
    )
    assert outcome.status == 400 and "already exists" in outcome.message
    store.reopen_if_changed()
    assert store.generation == generation and len(store) == 1
