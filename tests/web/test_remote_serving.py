"""`paradiplomacy serve` over a remote store (backend 'remote'): the same endpoint, pages and safety
rules, with the graph kept by a SPARQL 1.1 server (here an Oxigraph server on 127.0.0.1, its own for
this module), which the endpoint builds on first start as it does the embedded store."""

import subprocess
import sys

import pytest
import requests
from remote_servers import free_port, running_oxigraph
from SPARQLWrapper import JSON, SPARQLWrapper
from web_servers import ROW_CAP, listener, start, web_project

from paradiplomacy.store.remote import RemoteStore
from paradiplomacy.web.worker import QueryJob, ServicePolicy, answer

pytestmark = pytest.mark.slow  # real servers, processes or a browser

CLAIM = "https://w3id.org/paradiplomacy/resource/claim-chongqing-lobbied-mofcom-for-atdc"


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    with running_oxigraph(tmp_path_factory.mktemp("served-oxigraph")) as urls:
        yield urls


@pytest.fixture(scope="module")
def remote_server(tmp_path_factory, remote):
    tmp = tmp_path_factory.mktemp("web-remote")
    s = start(tmp, web_project(tmp), backend="remote", row_cap=ROW_CAP, workers=2, **remote)
    yield s
    s.stop()


def test_the_server_builds_the_remote_store_on_first_start(remote_server, remote):
    assert "is empty: building it" in remote_server.log.read_text()
    direct = RemoteStore(remote["remote_query_url"], remote["remote_update_url"])
    assert CLAIM in {str(g) for g in direct.named_graphs()}
    assert not (remote_server.store / "CURRENT").exists()  # nothing on disk: the server keeps it


def test_sparqlwrapper_reads_the_remote_graph_through_the_endpoint(remote_server):
    client = SPARQLWrapper(remote_server.url + "/sparql")
    client.setReturnFormat(JSON)
    client.setQuery("SELECT DISTINCT ?p WHERE { ?p a pd:ProvinceLevelUnit }")
    rows = client.query().convert()["results"]["bindings"]
    assert [r["p"]["value"] for r in rows] == ["https://w3id.org/paradiplomacy/resource/chongqing"]
    client.setQuery("ASK { GRAPH ?g { ?s pd:lobbiedBy pdr:chongqing } }")
    assert client.query().convert()["boolean"] is True


def test_graph_answers_and_the_row_cap_work_over_the_remote(remote_server):
    r = requests.get(
        remote_server.url + "/sparql",
        headers={"Accept": "text/turtle"},
        params={"query": "CONSTRUCT { pdr:chongqing rdfs:label ?l } WHERE { pdr:chongqing rdfs:label ?l }"},
    )
    assert r.status_code == 200 and "Chongqing" in r.text
    r = requests.get(
        remote_server.url + "/sparql",
        headers={"Accept": "application/sparql-results+json"},
        params={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"},
    )
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == ROW_CAP
    assert r.headers["X-SPARQL-MaxRows"] == str(ROW_CAP)


def test_resource_pages_bind_the_resource_over_the_remote(remote_server):
    r = requests.get(remote_server.url + "/resource/chongqing", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "Chongqing" in r.text and "lobbied the Ministry of Commerce" in r.text
    r = requests.get(remote_server.url + "/resource/chongqing", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "pd:lobbiedBy pdr:chongqing" in r.text


def test_service_off_the_allow_list_is_refused_over_the_remote_too(remote_server):
    with listener() as (url, connections):
        r = requests.post(
            remote_server.url + "/sparql", data={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}
        )
        assert r.status_code == 403
    assert connections == []


def test_a_remote_that_does_not_answer_is_a_502_naming_it():
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    outcome = answer(
        RemoteStore(url, timeout=5), QueryJob("ASK { ?s ?p ?o }", "json", None, 10), ServicePolicy(frozenset(), {})
    )
    assert outcome.status == 502 and f"cannot reach the SPARQL server at {url}" in outcome.message


def test_serve_on_an_unreachable_remote_says_so_and_exits(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/query"
    env_settings = {
        "PARADIPLOMACY_BACKEND": "remote",
        "PARADIPLOMACY_REMOTE_QUERY_URL": url,
        "PARADIPLOMACY_REMOTE_TIMEOUT": "5",
    }
    import os

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "paradiplomacy",
            "--home",
            str(web_project(tmp_path)),
            "serve",
            "--port",
            str(free_port()),
        ],
        env={**os.environ, **env_settings},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert f"cannot reach the SPARQL server at {url}" in done.stderr and "Traceback" not in done.stderr
