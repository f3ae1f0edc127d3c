"""Hostile queries end by the time limit while other clients keep being served: a cartesian product,
closures of property paths over everything, a huge OFFSET, catastrophic regular expressions, a
string doubled 40 times (the time limit stops it long before it is 16 TB), sorting and grouping of
products, a megabyte of text. Each is either
answered sooner or stopped at PARADIPLOMACY_QUERY_TIMEOUT (503; its worker process is killed and
replaced) or, sooner, at the worker's memory limit PARADIPLOMACY_WORKER_MEMORY_BYTES (503 naming it), while another client, asking simple queries and a resource page all along, is answered
within a second each time. The test server has 2 workers: one runs the hostile query, the other
answers the bystander.

Oxigraph's regular expressions (Rust's `regex` crate) do not backtrack: `(a+)+$` takes linear time,
so a regex alone ends fast; over a product it is the product that the time limit stops.

`pytest -s` prints each query's end and the bystander's slowest answer.
"""

import os
import threading
import time

import pytest
import requests
from web_servers import QUERY_TIMEOUT, start, web_project

pytestmark = pytest.mark.slow  # real servers, processes or a browser

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^10 rows to count
JSON = "application/sparql-results+json"
# the longest the other client may wait for any answer: a client queued behind the hostile query would wait
# for the whole time limit; one served beside it waits milliseconds (p99 in the load benchmark), so half the
# limit tells the two apart on a loaded machine too (1.0 s failed at 1.17 and 1.43 s beside other jobs)
BYSTANDER_LIMIT = QUERY_TIMEOUT / 2
DOUBLINGS = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(40))
HOSTILE = {
    "cartesian product": PATHOLOGICAL,
    "closure of any property, both ways": "SELECT (COUNT(*) AS ?n) WHERE { ?a (!rdf:nothing|^!rdf:nothing)* ?b }",
    "closure of alternatives, times all": "SELECT (COUNT(*) AS ?n) WHERE { ?a (pd:p|^pd:p|!rdf:type)* ?b . ?c ?d ?e }",
    "closures nested in a closure": "SELECT (COUNT(*) AS ?n) WHERE { ?a ((!rdf:x)*/(!rdf:x)*/(!rdf:x)*)* ?b . ?b ?c ?d }",
    "a path of 200 closures": "SELECT (COUNT(*) AS ?n) WHERE { ?a " + "/".join(["(!rdf:x)*"] * 200) + " ?b }",
    "sequences of closures nested 100 deep": "SELECT (COUNT(*) AS ?n) WHERE { ?a "
    + "(" * 100
    + "(!rdf:x)*"
    + "/(^!rdf:x)*)" * 100
    + " ?b }",
    "OFFSET 10^12 over a product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } OFFSET 1000000000000 LIMIT 1",
    "OFFSET 10^12 over a sorted product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i "
    "OFFSET 1000000000000 LIMIT 1",
    "catastrophic regex over concatenated strings": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?t ?q ?x "
    "FILTER(REGEX(CONCAT(STR(?o), STR(?x), '!'), '^(a+)+$|^(.*a){20}x$|((a|a)+)+b')) }",
    "catastrophic regex, each string once": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
    "FILTER(REGEX(CONCAT(STR(?o), STR(?o), STR(?o), STR(?o), '!'), '^(([a-z])+.)+[A-Z]([a-z])+$|^(\\\\w+\\\\s?)*$')) }",
    "strings doubled 40 times": f'SELECT (STRLEN(?v40) AS ?n) WHERE {{ BIND("0123456789abcdef" AS ?v0) {DOUBLINGS} }}',
    "grouping a product": "SELECT ?a ?f (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?a ?f",
    "NOT EXISTS for each fact": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c FILTER NOT EXISTS { ?d ?e ?f "
    "FILTER(STR(?f) = CONCAT(STR(?c), 'x')) } }",
    "two VALUES of 3000, times all": "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { "
    + " ".join(map(str, range(3000)))
    + " } VALUES ?y { "
    + " ".join(map(str, range(3000)))
    + " } ?a ?b ?c }",
    "DESCRIBE everything": "DESCRIBE ?s WHERE { ?s ?p ?o }",
    "a megabyte of words and dots": "a." * ((1 << 19) - 1),
}
FIGURES: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    print("\n" + "\n".join(FIGURES))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_query_over_the_time_limit_is_stopped_and_the_server_goes_on(server):
    before = set(server.worker_pids())
    quick_answers = []

    def ask_while_busy():
        time.sleep(1)
        started = time.monotonic()
        r = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": JSON})
        quick_answers.append((r.json()["boolean"], time.monotonic() - started))

    other = threading.Thread(target=ask_while_busy)
    other.start()
    started = time.monotonic()
    r = requests.get(server.url + "/sparql", params={"query": PATHOLOGICAL}, headers={"Accept": JSON}, timeout=60)
    elapsed = time.monotonic() - started
    other.join()

    assert r.status_code == 503
    assert f"time limit of {QUERY_TIMEOUT} s" in r.text and "PARADIPLOMACY_QUERY_TIMEOUT" in r.text
    assert QUERY_TIMEOUT <= elapsed < QUERY_TIMEOUT + 3, elapsed
    # the other worker answered meanwhile, without waiting for the long query
    assert quick_answers[0][0] is True and quick_answers[0][1] < QUERY_TIMEOUT - 1, quick_answers
    # the worker that ran the query is gone (killed, not left computing), and was replaced
    after = set(server.worker_pids())
    killed = before - after
    assert len(killed) == 1 and len(after) == len(before)
    assert not any(alive(pid) for pid in killed)
    assert all(alive(pid) for pid in after)
    # and the server answers at once
    started = time.monotonic()
    r = requests.get(
        server.url + "/sparql",
        params={"query": "SELECT ?s WHERE { ?s a pd:ProvinceLevelUnit }"},
        headers={"Accept": JSON},
    )
    assert r.status_code == 200 and r.json()["results"]["bindings"]
    assert time.monotonic() - started < 2
    print(
        f"\ntime limit {QUERY_TIMEOUT} s: answered 503 after {elapsed:.2f} s; worker(s) {sorted(killed)} killed; "
        f"a concurrent query answered in {quick_answers[0][1]:.3f} s"
    )


def test_a_deep_query_a_worker_answers_quickly_is_never_answered_on_the_servers_stack(tmp_path):
    """The fast lane (web.pool.FastLane) answers a query again in the server's own request thread once a worker
    has answered it within fast_query_seconds; 40,000 conditions joined by && are answered by a worker (512 MiB
    stack) in about 0.7 s, and need more than a request thread's 16 MiB: with a bound above that time, asked
    again, they must go to a worker again, not crash the server."""
    server = start(tmp_path, web_project(tmp_path), workers=1, query_timeout=30, fast_query_seconds=3)
    try:
        deep = "SELECT ?s WHERE { ?s ?p ?o FILTER(" + " && ".join(["true"] * 40_000) + ") } LIMIT 1"
        for _ in range(3):
            r = requests.post(server.url + "/sparql", data={"query": deep}, headers={"Accept": JSON}, timeout=60)
            assert r.status_code == 200, r.text[:300]
        assert server.process.poll() is None
        assert server.health()["status"] == "ok"
    finally:
        server.stop()


def settle(server) -> None:
    """Wait until both workers are up (one replaced after a time-out starts when it is first asked)."""
    threads = [
        threading.Thread(
            target=requests.get,
            args=(server.url + "/sparql",),
            kwargs={"params": {"query": "ASK { ?s ?p ?o }"}, "headers": {"Accept": JSON}, "timeout": 30},
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


class Bystander(threading.Thread):
    """Another client: a simple query, then a resource page, again and again until stopped; each
    answer's status and time."""

    def __init__(self, server):
        super().__init__()
        self.server, self.answers, self.stopped = server, [], threading.Event()

    def run(self):
        requests_ = [
            ("/sparql", {"query": "ASK { pdr:chongqing ?p ?o }"}, {"Accept": JSON}),
            ("/resource/chongqing", {}, {"Accept": "text/html"}),
        ]
        i = 0
        while not self.stopped.wait(0.2):
            path, params, headers = requests_[i % 2]
            started = time.monotonic()
            r = requests.get(self.server.url + path, params=params, headers=headers, timeout=30)
            self.answers.append((path, r.status_code, time.monotonic() - started))
            i += 1


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_query_ends_by_the_time_limit_while_another_client_is_served(server, name):
    settle(server)
    bystander = Bystander(server)
    bystander.start()
    started = time.monotonic()
    try:
        r = requests.post(
            server.url + "/sparql",
            data=HOSTILE[name].encode(),
            timeout=60,
            headers={"Content-Type": "application/sparql-query", "Accept": "*/*"},
        )
        elapsed = time.monotonic() - started
        time.sleep(0.5)  # the bystander goes on a little after the end, while a killed worker is replaced
    finally:
        bystander.stopped.set()
        bystander.join()
    slowest = max(seconds for _, _, seconds in bystander.answers)
    FIGURES.append(
        f"{name}: {r.status_code} after {elapsed:.2f} s; the other client got {len(bystander.answers)} "
        f"answers, the slowest in {slowest:.3f} s"
    )
    assert r.status_code in (200, 400, 503), r.text[:300]
    if r.status_code == 503:  # stopped at the time limit, or sooner at the worker's memory limit (issue 18)
        assert f"time limit of {QUERY_TIMEOUT} s" in r.text or "PARADIPLOMACY_WORKER_MEMORY_BYTES" in r.text, r.text
    assert elapsed < QUERY_TIMEOUT + 3, elapsed
    assert all(status == 200 for _, status, _ in bystander.answers), bystander.answers
    assert len(bystander.answers) >= 2 and slowest < BYSTANDER_LIMIT, bystander.answers
