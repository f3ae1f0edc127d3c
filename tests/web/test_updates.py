"""Writes: SPARQL Update only when enabled, and then it writes a new generation; the server follows a
write made by another process (`paradiplomacy load`, `paradiplomacy build`); and it will not start
with updates on but no token. (That an update needs the token, and that LOAD and SERVICE in an
update fetch nothing: tests/security/test_remote_calls.py.)"""

import os

import pytest
import requests
from conftest import run_cli, sources_dir
from rdflib import Graph, Namespace, URIRef
from web_servers import web_project

pytestmark = pytest.mark.slow  # real servers, processes or a browser

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
JSON = "application/sparql-results+json"
INSERT = "INSERT DATA { GRAPH pdg:test-updates { pdr:updated-thing rdfs:label 'updated' } }"
ASK = "ASK { pdr:updated-thing rdfs:label 'updated' }"


def ask(server, query=ASK) -> bool:
    r = requests.get(server.url + "/sparql", params={"query": query}, headers={"Accept": JSON})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


@pytest.mark.parametrize("as_form", [True, False])
def test_update_with_the_token_writes_a_new_generation(writable, as_form):
    writable.update("DROP SILENT GRAPH pdg:test-updates")
    generation = writable.health()["generation"]
    r = writable.update(INSERT, as_form=as_form)
    assert r.status_code == 204, r.text
    assert ask(writable)
    assert writable.health()["generation"] != generation


def test_malformed_update_is_400_and_changes_nothing(writable):
    generation = writable.health()["generation"]
    r = writable.update("INSERT DATA { pdr:a pdr:b }")
    assert r.status_code == 400 and "error at" in r.text
    assert writable.health()["generation"] == generation


def test_service_description_says_updates_are_supported(writable):
    r = requests.get(writable.url + "/sparql", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(writable.url + "/sparql"), SD.supportedLanguage, SD.SPARQL11Update) in g


def cli(server, *args):
    return run_cli("--home", str(server.home), "--store", str(server.store), "--sources", str(sources_dir()), *args)


def test_the_server_follows_a_load_and_a_build_by_another_process(writable, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "<https://w3id.org/paradiplomacy/resource/loaded-thing> "
        "<http://www.w3.org/2000/01/rdf-schema#label> 'loaded' .\n"
    )
    loaded = "ASK { pdr:loaded-thing rdfs:label 'loaded' }"
    assert not ask(writable, loaded)
    result = cli(writable, "load", str(extra))
    assert result.returncode == 0, result.stderr
    assert ask(writable, loaded)
    assert requests.get(writable.url + "/resource/loaded-thing").status_code == 200
    result = cli(writable, "build", "--no-reason")
    assert result.returncode == 0, result.stderr
    assert not ask(writable, loaded)  # a build starts again from ontology/ and data/
    assert ask(writable, "ASK { pdr:chongqing a pd:ProvinceLevelUnit }")


def test_serve_refuses_updates_without_a_token(tmp_path):
    home = web_project(tmp_path)
    result = run_cli(
        "--home",
        str(home),
        "--store",
        str(tmp_path / "store"),
        "serve",
        "--port",
        "9",
        env={**os.environ, "PARADIPLOMACY_UPDATES": "yes"},
    )
    assert result.returncode == 2 and "PARADIPLOMACY_UPDATE_TOKEN" in result.stderr
    assert not (tmp_path / "store").exists()  # it stopped before building anything
