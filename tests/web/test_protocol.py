"""The SPARQL 1.1 Protocol over real HTTP: the three ways to send a query, the dataset parameters,
content negotiation, the errors the protocol names, the service description and VoID."""

import csv
import io
import json
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from web_servers import ROW_CAP

from paradiplomacy.namespaces import PDR


@pytest.fixture
def server(app_server):
    """In this module, the app in this process (web_servers.InProcessServer): its pages and protocol
    need no subprocess; tests/security and the browser tests use the real server."""
    return app_server


SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
LOBBYING = "SELECT ?who WHERE { ?l a pd:LobbyingForSelection ; pd:lobbiedBy ?who }"
JSON = "application/sparql-results+json"


def endpoint(server):
    return server.url + "/sparql"


def bindings(response):
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_get_form_post_and_direct_post_give_the_same_answer(server):
    get = server.get("/sparql", params={"query": LOBBYING}, headers={"Accept": JSON})
    form = server.post("/sparql", data={"query": LOBBYING}, headers={"Accept": JSON})
    direct = server.post(
        "/sparql",
        data=LOBBYING.encode(),
        headers={"Accept": JSON, "Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert (
        bindings(get) == bindings(form) == bindings(direct) == [{"who": {"type": "uri", "value": str(PDR.chongqing)}}]
    )
    assert get.headers["Content-Type"].startswith(JSON)


@pytest.mark.parametrize(
    "accept, media_type",
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/*;q=0.9, application/sparql-results+xml;q=0.1", "text/csv"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_answers_in_the_accepted_format(server, accept, media_type):
    r = server.get("/sparql", params={"query": LOBBYING}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media_type
    assert str(PDR.chongqing) in r.text
    assert r.headers["Vary"] == "Accept"


def test_no_accept_header_means_json(server):
    r = server.get("/sparql", params={"query": LOBBYING}, headers={"Accept": ""})
    assert r.headers["Content-Type"] == JSON


@pytest.mark.parametrize(
    "fmt, media_type",
    [
        ("json", JSON),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
    ],
)
def test_format_parameter_overrides_accept(server, fmt, media_type):
    r = server.get("/sparql", params={"query": LOBBYING, "format": fmt}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    "accept, parse_as",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("application/trig", "trig"),
    ],
)
def test_construct_answers_in_every_rdf_format(server, accept, parse_as):
    q = "CONSTRUCT { ?l pd:lobbiedBy ?who } WHERE { ?l pd:lobbiedBy ?who }"
    r = server.post("/sparql", data={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == accept
    g = Graph().parse(data=r.text, format=parse_as)
    assert set(g) == {
        (PDR["chongqing-atdc-lobbying"], URIRef("https://w3id.org/paradiplomacy/ontology#lobbiedBy"), PDR.chongqing)
    }


def test_describe_answers_turtle(server):
    r = server.get("/sparql", params={"query": "DESCRIBE pdr:chongqing"}, headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    assert (PDR.chongqing, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Chongqing", lang="en")) in g


def test_ask_in_json_and_xml(server):
    q = "ASK { pdr:chongqing a pd:ProvinceLevelUnit }"
    assert server.get("/sparql", params={"query": q}, headers={"Accept": JSON}).json()["boolean"] is True
    xml = server.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in xml.text


def test_malformed_query_is_400_with_the_parsers_message(server):
    r = server.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert r.text.startswith("error at 1:") and "expected" in r.text


def test_two_queries_are_refused(server):
    r = server.get("/sparql" + "?query=" + quote(LOBBYING) + "&query=" + quote(LOBBYING))
    assert r.status_code == 400 and "2 queries" in r.text
    r = server.post(
        "/sparql" + "?query=" + quote(LOBBYING),
        data=LOBBYING.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 400 and "2 queries" in r.text


def test_a_query_and_an_update_are_refused(server):
    r = server.post("/sparql", data={"query": LOBBYING, "update": "CLEAR ALL"})
    assert r.status_code == 400 and "a query and an update" in r.text


def test_an_update_sent_as_a_query_is_refused(server):
    r = server.post("/sparql", data={"query": "INSERT DATA { pdr:a pdr:b pdr:c }"})
    assert r.status_code == 400 and "update" in r.text


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "multipart/form-data; boundary=x", None])
def test_wrong_media_type_is_415(server, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    r = server.post("/sparql", data=LOBBYING.encode(), headers=headers)
    assert r.status_code == 415, r.text


def test_unmet_accept_is_406_and_says_what_is_offered(server):
    r = server.get("/sparql", params={"query": LOBBYING}, headers={"Accept": "image/png"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.text
    r = server.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a pd:Ministry }"}, headers={"Accept": "text/csv"})
    assert r.status_code == 406 and "text/turtle" in r.text
    r = server.get("/sparql", params={"query": LOBBYING, "format": "turtle"})
    assert r.status_code == 406


def test_updates_are_refused_by_a_read_only_server(server):
    before = server.get("/sparql", params={"query": "ASK { pdr:x pdr:y pdr:z }"}, headers={"Accept": JSON})
    for request in (
        dict(data={"update": "INSERT DATA { pdr:x pdr:y pdr:z }"}),
        dict(data=b"INSERT DATA { pdr:x pdr:y pdr:z }", headers={"Content-Type": "application/sparql-update"}),
    ):
        r = server.post("/sparql", **request)
        assert r.status_code == 403 and "read-only" in r.text
    r = server.get("/sparql", params={"update": "INSERT DATA { pdr:x pdr:y pdr:z }"})
    assert r.status_code == 400
    after = server.get("/sparql", params={"query": "ASK { pdr:x pdr:y pdr:z }"}, headers={"Accept": JSON})
    assert before.json()["boolean"] is after.json()["boolean"] is False


def test_default_graph_is_the_union_unless_the_request_names_graphs(server):
    claim = str(PDR["claim-chongqing-lobbied-mofcom-for-atdc"])
    q = "SELECT (COUNT(*) AS ?n) WHERE { pdr:chongqing ?p ?o }"
    union = int(bindings(server.get("/sparql", params={"query": q}))[0]["n"]["value"])
    only_claim = int(bindings(server.get("/sparql", params={"query": q, "default-graph-uri": claim}))[0]["n"]["value"])
    nothing = int(
        bindings(server.get("/sparql", params={"query": q, "default-graph-uri": "https://example.org/no-such-graph"}))[
            0
        ]["n"]["value"]
    )
    assert union > only_claim == 2 and nothing == 0  # the claim says: a province-level unit, labelled Chongqing


def test_the_union_default_graph_is_a_set(real_app_server):
    """A fact that several graphs state counts once over the default graph (COUNT, aggregates), and GRAPH ?g
    still finds every graph that states it. On the paper's graph, where several claims state one fact."""

    def one(query):
        return bindings(real_app_server.get("/sparql", params={"query": query}, headers={"Accept": JSON}))

    shared = one(
        "SELECT ?s ?p ?o (COUNT(?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s) && isIRI(?o)) } "
        "GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1) LIMIT 1"
    )
    assert shared, "the paper's graph has a fact stated in more than one graph"
    s, p, o = (shared[0][v] for v in ("s", "p", "o"))
    assert s["type"] == "uri" and p["type"] == "uri" and o["type"] == "uri"
    fact = f"<{s['value']}> <{p['value']}> <{o['value']}>"
    assert one(f"SELECT (COUNT(*) AS ?n) WHERE {{ {fact} }}")[0]["n"]["value"] == "1"
    assert (
        one(f"SELECT (COUNT(?g) AS ?n) WHERE {{ GRAPH ?g {{ {fact} }} }}")[0]["n"]["value"] == shared[0]["n"]["value"]
    )
    union = one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]["value"]
    distinct = one("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert union == distinct[0]["n"]["value"]


def test_named_graph_parameter_limits_graph_patterns(server):
    claim = str(PDR["claim-chongqing-lobbied-mofcom-for-atdc"])
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { pdr:chongqing ?p ?o } }"
    everywhere = {b["g"]["value"] for b in bindings(server.get("/sparql", params={"query": q}))}
    named = {b["g"]["value"] for b in bindings(server.post("/sparql", data={"query": q, "named-graph-uri": claim}))}
    assert claim in everywhere and len(everywhere) > 1 and named == {claim}


def test_protocol_dataset_wins_over_from_and_from_is_honoured(server):
    claim = str(PDR["claim-chongqing-lobbied-mofcom-for-atdc"])
    q = f"SELECT (COUNT(*) AS ?n) FROM <{claim}> WHERE {{ ?s ?p ?o }}"
    from_only = int(bindings(server.get("/sparql", params={"query": q}))[0]["n"]["value"])
    assert from_only == len(
        Graph().parse(
            data=server.get(
                "/sparql",
                params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{claim}> {{ ?s ?p ?o }} }}"},
                headers={"Accept": "text/turtle"},
            ).text,
            format="turtle",
        )
    )
    overridden = int(
        bindings(server.get("/sparql", params={"query": q, "default-graph-uri": "https://example.org/no-such-graph"}))[
            0
        ]["n"]["value"]
    )
    assert overridden == 0


def test_a_graph_parameter_must_be_an_iri(server):
    r = server.get("/sparql", params={"query": LOBBYING, "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "default-graph-uri" in r.text


def test_row_cap_cuts_the_answer_and_says_so(server):
    r = server.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(r.text)))
    assert len(rows) == ROW_CAP + 1 and r.headers["X-SPARQL-MaxRows"] == str(ROW_CAP)
    small = server.get("/sparql", params={"query": LOBBYING})
    assert "X-SPARQL-MaxRows" not in small.headers
    g = server.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"}
    )
    assert len(g.text.strip().splitlines()) == ROW_CAP and g.headers["X-SPARQL-MaxRows"] == str(ROW_CAP)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_capped_answer_is_byte_for_byte_what_pyoxigraph_writes_for_those_rows(server, fmt):
    """Cut or not, the body is pyoxigraph's own serialisation of the rows it holds: the whole answer under the
    cap, the first ROW_CAP rows (the same as LIMIT ROW_CAP) over it."""
    import pyoxigraph as ox

    from paradiplomacy.store import OxigraphStore
    from paradiplomacy.web.formats import pyoxigraph_format

    store = OxigraphStore(server.store, read_only=True)
    for query, cut in (("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", True), (LOBBYING, False)):
        r = server.get("/sparql", params={"query": query, "format": fmt})
        assert r.status_code == 200, r.text
        expected = store.execute(query + (f" LIMIT {ROW_CAP}" if cut else "")).serialize(format=pyoxigraph_format(fmt))
        assert r.content == expected
        assert ("X-SPARQL-MaxRows" in r.headers) is cut
    assert isinstance(store.execute(LOBBYING), ox.QuerySolutions)


def _service_description(server, accept, parse_as):
    r = server.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == accept
    return Graph().parse(data=r.text, format=parse_as)


@pytest.mark.parametrize("accept, parse_as", [("text/turtle", "turtle"), ("application/rdf+xml", "xml")])
def test_get_without_query_is_the_service_description(server, accept, parse_as):
    g = _service_description(server, accept, parse_as)
    service = URIRef(endpoint(server))
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g
    assert {SD.UnionDefaultGraph, SD.BasicFederatedQuery} <= set(g.objects(service, SD.feature))
    formats = set(g.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats and len(formats) == 9
    names = set(g.objects(None, SD.name))
    assert PDR["claim-chongqing-lobbied-mofcom-for-atdc"] in names


def test_a_browser_asking_the_endpoint_without_query_gets_the_interface(server):
    r = server.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/query")


def test_void_describes_the_dataset(server):
    r = server.get("/.well-known/void", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    dataset = URIRef("https://w3id.org/paradiplomacy/")
    assert (dataset, VOID.sparqlEndpoint, URIRef(endpoint(server))) in g
    triples = int(g.value(dataset, VOID.triples))
    count = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
    assert triples == int(bindings(server.get("/sparql", params={"query": count}))[0]["n"]["value"]) > 1000
    partitions = {
        g.value(p, VOID["class"]): int(g.value(p, VOID.entities)) for p in g.objects(dataset, VOID.classPartition)
    }
    assert partitions[URIRef("https://w3id.org/paradiplomacy/ontology#LobbyingForSelection")] == 1
    rdfxml = server.get("/.well-known/void", headers={"Accept": "application/rdf+xml"})
    assert len(Graph().parse(data=rdfxml.text, format="xml")) == len(g)


def test_cors_for_browser_clients_of_other_sites(server):
    r = server.get("/sparql", params={"query": LOBBYING}, headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-SPARQL-MaxRows" in r.headers["Access-Control-Expose-Headers"]
    preflight = server.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_unknown_path_is_404_and_wrong_method_405(server):
    assert server.get("/nothing-here").status_code == 404
    r = server.request("DELETE", "/sparql")
    assert r.status_code == 405 and "POST" in r.headers["Allow"]


def test_json_results_are_what_the_store_answers(server):
    q = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 20"
    rows = bindings(server.get("/sparql", params={"query": q}))
    tsv = server.get("/sparql", params={"query": q, "format": "tsv"}).text.splitlines()
    assert len(rows) == len(tsv) - 1 == 20
    assert json.dumps(rows[0]["label"]).count("value") == 1


def test_relative_iris_of_a_query_resolve_against_the_endpoint(server):
    """As the W3C protocol tests expect: `CONSTRUCT { <s> <p> 1 }` answers with resolved IRIs, not a 400."""
    r = server.post(
        "/sparql", data={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"}, headers={"Accept": "application/n-triples"}
    )
    assert r.status_code == 200, r.text
    assert r.text.strip() == (f'<{server.url}/s> <{server.url}/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    own = server.post(
        "/sparql",
        data={"query": "BASE <http://example.org/b/> CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples"},
    )
    assert own.text.startswith("<http://example.org/b/s>")  # the query's own BASE wins


@pytest.mark.parametrize("charset", ["utf-16", "UTF-16LE", "latin-1", "nope"])
@pytest.mark.parametrize("media_type", ["application/sparql-query", "application/sparql-update"])
def test_a_body_in_another_charset_than_utf8_is_refused_naming_the_rule(server, charset, media_type):
    text = "ASK {}" if media_type.endswith("query") else "CLEAR SILENT GRAPH <urn:x>"
    r = server.post(
        "/sparql",
        data=text.encode("utf-16" if charset.lower().startswith("utf-16") else "latin-1"),
        headers={"Content-Type": f"{media_type}; charset={charset}", "Accept": JSON},
    )
    assert r.status_code == 415 and "must be UTF-8" in r.text and f"charset={charset}" in r.text


@pytest.mark.parametrize("charset", ["utf-8", "UTF8", "utf_8"])
def test_a_utf8_body_is_answered_whatever_the_label_spells(server, charset):
    r = server.post(
        "/sparql",
        data="ASK { ?s ?p 'Zhōngguó' }".encode(),
        headers={"Content-Type": f"application/sparql-query; charset={charset}", "Accept": JSON},
    )
    assert r.status_code == 200 and "boolean" in r.json()
