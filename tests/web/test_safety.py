"""Safe by default: a query over its time limit is really stopped (its worker process killed and
replaced) while the server goes on answering; SERVICE calls only the allow-list, proven by a
listener on 127.0.0.1 that must receive no connection."""

import os
import threading
import time

import pytest
import requests

from .conftest import QUERY_TIMEOUT, listener

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^10 rows to count
JSON = "application/sparql-results+json"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_query_over_the_time_limit_is_stopped_and_the_server_goes_on(server):
    before = set(server.health()["workers"])
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
    after = set(server.health()["workers"])
    killed = before - after
    assert len(killed) == 1 and len(after) == 2
    assert not any(alive(pid) for pid in killed)
    assert all(alive(pid) for pid in after)
    # and the server answers at once
    started = time.monotonic()
    r = requests.get(server.url + "/sparql", params={"query": "SELECT ?s WHERE { ?s a pd:ProvinceLevelUnit }"},
                     headers={"Accept": JSON})
    assert r.status_code == 200 and r.json()["results"]["bindings"]
    assert time.monotonic() - started < 2
    print(f"\ntime limit {QUERY_TIMEOUT} s: answered 503 after {elapsed:.2f} s; worker(s) {sorted(killed)} killed; "
          f"a concurrent query answered in {quick_answers[0][1]:.3f} s")


REFUSED_FORMS = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z . {{ SELECT ?s WHERE {{ SERVICE<{url}>{{ ?s ?p ?o }} }} }} }}",
    "PREFIX evil: <{base}> SELECT * WHERE {{ SERVICE evil:sparql {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # a comment, then the call\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?a ?b ?c FILTER(?a<?b&&'>'=?c) SERVICE <{url}> {{ ?s ?p ?o }} FILTER(?c='') }}",
    "SELECT * WHERE {{ ?a ?b ?c FILTER(?a<?b#>) \"\"\"\n) SERVICE <{url}> {{ ?s ?p ?o }}\n# \"\"\"\n}}",
    "SELECT * WHERE {{ VALUES ?endpoint {{ <{url}> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("form", REFUSED_FORMS)
def test_service_to_an_address_off_the_allow_list_is_refused_and_never_called(server, form):
    with listener() as (url, connections):
        query = form.format(url=url, base=url[:-len("sparql")])
        r = requests.post(server.url + "/sparql", data={"query": query}, headers={"Accept": "*/*"})
        assert r.status_code == 403, r.text
        assert "SERVICE" in r.text
    assert connections == [], "the server called the address"


def test_service_in_text_only_is_not_refused(server):
    q = ('SELECT ?label WHERE { # SERVICE <http://127.0.0.1:9/> in a comment\n'
         '  ?s rdfs:label ?label FILTER(?label != "SERVICE <http://127.0.0.1:9/> { }") } LIMIT 1')
    assert requests.get(server.url + "/sparql", params={"query": q}).status_code == 200


def test_service_on_the_allow_list_is_called(server, stand_in):
    calls = len(stand_in.requests)
    q = f"SELECT ?capital WHERE {{ SERVICE <{stand_in.url}> {{ ?country ?p ?capital }} }}"
    r = requests.get(server.url + "/sparql", params={"query": q}, headers={"Accept": JSON})
    assert r.status_code == 200, r.text
    assert [b["capital"]["value"] for b in r.json()["results"]["bindings"]] == ["Dodoma"]
    assert len(stand_in.requests) == calls + 1


def test_from_and_from_named_fetch_nothing(server):
    with listener() as (url, connections):
        for q in (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
            r = requests.get(server.url + "/sparql", params={"query": q}, headers={"Accept": JSON})
            assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    assert connections == []


def test_an_allowed_public_service_is_routed_where_the_service_map_says(server, stand_in):
    calls = len(stand_in.requests)
    q = "SELECT ?capital WHERE { SERVICE <https://query.wikidata.org/sparql> { ?country ?p ?capital } }"
    r = requests.get(server.url + "/sparql", params={"query": q}, headers={"Accept": JSON})
    assert r.status_code == 200, r.text
    assert [b["capital"]["value"] for b in r.json()["results"]["bindings"]] == ["Dodoma"]
    assert len(stand_in.requests) == calls + 1 and "capital" in stand_in.requests[-1]
