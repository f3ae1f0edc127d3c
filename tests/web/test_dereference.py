"""Every resource, graph and ontology term dereferences through the server: an HTML page, and RDF
that says something about it. On the mini project, every IRI of the graph; on the project's own
graph (which holds thousands of imported records), every IRI of an unusual shape and every graph
name, and two IRIs of each combination of classes."""

import re
from collections import defaultdict

import pytest
from rdflib import Graph, URIRef

from paradiplomacy.namespaces import PD
from paradiplomacy.store import OxigraphStore
from paradiplomacy.web.terms import local_path

from .conftest import Page


@pytest.fixture
def server(app_server):
    """In this module, the app in this process (web_servers.InProcessServer): its pages and protocol
    need no subprocess; tests/security and the browser tests use the real server."""
    return app_server


@pytest.fixture
def real_server(real_app_server):
    return real_app_server


IRIS = """SELECT DISTINCT ?x ?class WHERE {
  { ?x ?p ?o } UNION { ?s ?p ?x } UNION { GRAPH ?x { ?a ?b ?c } }
  FILTER(isIRI(?x) && (STRSTARTS(STR(?x), STR(pdr:)) || STRSTARTS(STR(?x), STR(pdg:))))
  OPTIONAL { ?x a ?class }
}"""
TERMS = "SELECT DISTINCT ?t WHERE { { ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } FILTER(STRSTARTS(STR(?t), STR(pd:))) }"
PLAIN = re.compile(r"https://w3id\.org/paradiplomacy/resource/[a-z0-9-]+")


def graph_iris(server) -> tuple[dict[str, frozenset], set[str]]:
    """Each IRI of the project's namespaces in the server's store, with its classes; and the
    names of the graphs."""
    store = OxigraphStore(server.store, read_only=True)
    classes = defaultdict(set)
    for x, cls in store.query(IRIS).rows:
        classes[str(x)].add(str(cls) if cls is not None else "")
    names = {str(g) for g in store.named_graphs()}
    store.close()
    return {iri: frozenset(c) for iri, c in classes.items()}, names


def sample(iris: dict[str, frozenset]) -> list[str]:
    """Every IRI of an unusual shape or a graph's name, and two of each combination of classes."""
    chosen, per_signature = set(), defaultdict(list)
    for iri in sorted(iris):
        if not PLAIN.fullmatch(iri):
            chosen.add(iri)
        elif len(per_signature[iris[iri]]) < 2:
            per_signature[iris[iri]].append(iri)
            chosen.add(iri)
    return sorted(chosen)


def failures(server, iris, graph_names: set[str]) -> list:
    """The IRIs whose page or RDF is missing, or whose RDF says nothing about them (a graph's
    name may say only what the graph holds)."""
    failed = []
    for iri in iris:
        path = local_path(iri)
        html = server.get(path, headers={"Accept": "text/html"})
        turtle = server.get(path, headers={"Accept": "text/turtle"})
        if html.status_code != 200 or turtle.status_code != 200:
            failed.append((iri, html.status_code, turtle.status_code))
            continue
        g = Graph().parse(data=turtle.text, format="turtle")
        if not (any(URIRef(iri) in (s, o) for s, _, o in g) or (iri in graph_names and len(g))):
            failed.append((iri, "nothing about it"))
    return failed


@pytest.mark.slow
def test_every_iri_of_the_mini_graph_dereferences(server):
    iris, graph_names = graph_iris(server)
    assert len(iris) > 50 and any("/graph/" in iri for iri in iris)
    assert failures(server, sorted(iris), graph_names) == []


@pytest.mark.slow
def test_the_project_graph_dereferences(real_server):
    iris, graph_names = graph_iris(real_server)
    chosen = sample(iris)
    assert len(iris) > 200 and len(chosen) > 50
    assert any("/graph/" in iri for iri in chosen)
    assert failures(real_server, chosen, graph_names) == []


def test_every_ontology_term_used_in_the_graph_has_its_anchor(real_server):
    store = OxigraphStore(real_server.store, read_only=True)
    terms = {str(t)[len(PD) :] for t in store.query(TERMS).column("t")} - {""}  # "": the namespace, the page
    store.close()
    page = Page(real_server.get("/ontology", headers={"Accept": "text/html"}).text)
    assert len(terms) > 50
    assert sorted(terms - page.ids) == []
