"""SPARQLWrapper, a common SPARQL client, against the server: every result format it knows, by GET
and both kinds of POST, with answers equal to the store's own (opened read-only here)."""

import csv
import io

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from paradiplomacy.namespaces import PD, PDR
from paradiplomacy.store import OxigraphStore

SELECT = "SELECT ?s ?label WHERE { ?s a pd:ProvinceLevelUnit ; rdfs:label ?label }"
CONSTRUCT = "CONSTRUCT { ?s a pd:ForeignState ; rdfs:label ?label } WHERE { ?s a pd:ForeignState ; rdfs:label ?label }"
PREFIXES = (
    "PREFIX pd: <https://w3id.org/paradiplomacy/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
WAYS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")]


@pytest.fixture(scope="module")
def expected(server):
    store = OxigraphStore(server.store, read_only=True)
    rows = {(str(r[0]), str(r[1])) for r in store.query(SELECT).rows}
    triples = set(store.query(CONSTRUCT).triples)
    store.close()
    assert rows and triples
    return rows, triples


def client(server, fmt, method, request_method, query):
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setMethod(method)
    sparql.setRequestMethod(request_method)
    sparql.setReturnFormat(fmt)
    sparql.setQuery(PREFIXES + query)
    return sparql.query()


@pytest.mark.parametrize("method, request_method", WAYS)
def test_select_in_json(server, expected, method, request_method):
    result = client(server, JSON, method, request_method, SELECT).convert()
    assert {(b["s"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]} == expected[0]


@pytest.mark.parametrize("method, request_method", WAYS)
def test_select_in_xml(server, expected, method, request_method):
    doc = client(server, XML, method, request_method, SELECT).convert()
    rows = set()
    for result in doc.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagName("binding")}
        rows.add((values["s"], values["label"]))
    assert rows == expected[0]


@pytest.mark.parametrize("fmt", [CSV, TSV])
@pytest.mark.parametrize("method, request_method", WAYS)
def test_select_in_csv_and_tsv(server, expected, fmt, method, request_method):
    text = client(server, fmt, method, request_method, SELECT).convert().decode("utf-8")
    if fmt == TSV:  # terms in Turtle syntax: read them with pyoxigraph's parser
        header = text.splitlines()[0]
        got = {(row["s"].value, row["label"].value) for row in ox.parse_query_results(text, ox.QueryResultsFormat.TSV)}
        assert header == "?s\t?label"
    else:
        rows = list(csv.reader(io.StringIO(text)))
        got = {tuple(r) for r in rows[1:]}
        assert rows[0] == ["s", "label"]
    assert got == expected[0]


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(server, fmt):
    yes = client(server, fmt, GET, URLENCODED, "ASK { ?s a pd:ProvinceLevelUnit }").convert()
    no = client(server, fmt, POST, POSTDIRECTLY, "ASK { ?s a pd:NoSuchClass }").convert()
    if fmt == JSON:
        assert yes["boolean"] is True and no["boolean"] is False
    else:
        assert yes.getElementsByTagName("boolean")[0].firstChild.data == "true"
        assert no.getElementsByTagName("boolean")[0].firstChild.data == "false"


@pytest.mark.parametrize("fmt, parse_as", [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, None), (JSONLD, None)])
@pytest.mark.parametrize("method, request_method", WAYS)
def test_construct_in_every_rdf_format(server, expected, fmt, parse_as, method, request_method):
    result = client(server, fmt, method, request_method, CONSTRUCT).convert()
    g = result if isinstance(result, Graph) else Graph().parse(data=result, format=parse_as)
    assert set(g) == expected[1]


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
def test_describe(server, fmt):
    result = client(
        server, fmt, GET, URLENCODED, "DESCRIBE <https://w3id.org/paradiplomacy/resource/tanzania>"
    ).convert()
    g = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert (PDR.tanzania, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), PD.ForeignState) in g
    assert (PDR.tanzania, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Tanzania", lang="en")) in g
