"""Descriptions of the service and of the dataset, in RDF: the SPARQL 1.1 Service Description
(at the endpoint) and a VoID description (at /.well-known/void), with figures read from the
store as it is now."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from flask import Response, url_for

from paradiplomacy.licences import DERIVED, PROJECT_LICENCE, LicensedPart, licensed_parts, part_triples
from paradiplomacy.namespaces import BASE, ONTOLOGY_IRI, PDR, PREFIXES
from paradiplomacy.web.context import endpoint
from paradiplomacy.web.formats import GRAPH_FORMATS, RESULT_FORMATS, Format, format_iri, pyoxigraph_format

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT = PREFIXES["dct"]
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
DCAT = "http://www.w3.org/ns/dcat#"
DESCRIPTION_PREFIXES = {**PREFIXES, "sd": SD, "void": VOID, "dcat": DCAT, "formats": "http://www.w3.org/ns/formats/"}

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
UNION_SIZES = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
                        (COUNT(DISTINCT ?o) AS ?objects)
                 WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"""
ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(pdr:))) }"
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY ?c"
PROPERTIES = """SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }
                GROUP BY ?p ORDER BY ?p"""
EXAMPLES = "SELECT DISTINCT ?x WHERE { ?x a pd:ProvinceLevelUnit } ORDER BY ?x LIMIT 3"


class _Triples:
    """A list of triples written with IRIs, blank node labels and plain values."""

    def __init__(self):
        self.triples: list[ox.Triple] = []

    @staticmethod
    def node(x):
        if isinstance(x, (ox.NamedNode, ox.BlankNode, ox.Literal)):
            return x
        if isinstance(x, rdflib.Literal):
            return (
                ox.Literal(str(x), datatype=ox.NamedNode(str(x.datatype)))
                if x.datatype
                else ox.Literal(str(x), language=x.language)
                if x.language
                else ox.Literal(str(x))
            )
        if isinstance(x, int):
            return ox.Literal(str(x), datatype=ox.NamedNode(XSD_INTEGER))
        return ox.NamedNode(x)

    def add(self, s, p, o) -> None:
        self.triples.append(ox.Triple(self.node(s), self.node(p), self.node(o)))


def rdf_response(triples: list[ox.Triple], fmt: Format) -> Response:
    body = ox.serialize(triples, format=pyoxigraph_format(fmt.name), prefixes=DESCRIPTION_PREFIXES)
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _number(rows, name: str) -> int:
    return int(rows[0][name].value) if rows and name in rows[0] else 0


def licence_parts(ep) -> list[LicensedPart]:
    """Which graphs are under which licence (paradiplomacy.licences), from the store as it is now."""
    derived = [{name: term.value for name, term in row.items()} for row in ep.rows(DERIVED)]
    project = ep.rows(PROJECT_LICENCE)
    return licensed_parts(derived, project[0]["license"].value if project else None)


def service_description(fmt: Format) -> Response:
    return rdf_response(service_triples(), fmt)


def service_triples() -> list[ox.Triple]:
    ep = endpoint()
    url = url_for("sparql.sparql", _external=True)
    t = _Triples()
    t.add(url, RDF_TYPE, SD + "Service")
    t.add(url, SD + "endpoint", url)
    t.add(url, SD + "supportedLanguage", SD + "SPARQL11Query")
    if ep.config.updates:
        t.add(url, SD + "supportedLanguage", SD + "SPARQL11Update")
    for f in RESULT_FORMATS + GRAPH_FORMATS:
        t.add(url, SD + "resultFormat", format_iri(f.name))
    t.add(url, SD + "feature", SD + "UnionDefaultGraph")
    if ep.config.service_allow:
        t.add(url, SD + "feature", SD + "BasicFederatedQuery")
    t.add(url, SD + "defaultEntailmentRegime", "http://www.w3.org/ns/entailment/Simple")
    t.add(url, DCT + "title", ox.Literal("paradiplomacy-kg SPARQL endpoint", language="en"))
    t.add(
        url,
        PREFIXES["rdfs"] + "comment",
        ox.Literal(
            f"Read-only unless updates are enabled. Queries are stopped after {ep.config.query_timeout:g} s; answers "
            f"hold at most {ep.config.row_cap} rows or triples (X-SPARQL-MaxRows says when one was cut); SERVICE may "
            f"call only: {' '.join(ep.config.service_allow) or 'no endpoint'}. The default graph is the union of all "
            "graphs unless the request names its dataset.",
            language="en",
        ),
    )
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
    t.add(url, SD + "defaultDataset", dataset)
    t.add(dataset, RDF_TYPE, SD + "Dataset")
    t.add(dataset, PREFIXES["rdfs"] + "seeAlso", url_for("pages.void", _external=True))
    t.add(dataset, SD + "defaultGraph", default)
    t.add(default, RDF_TYPE, SD + "Graph")
    t.add(default, VOID + "triples", _number(ep.rows(UNION_SIZES), "triples"))
    for i, row in enumerate(ep.rows(GRAPH_SIZES)):
        named, graph = ox.BlankNode(f"named{i}"), ox.BlankNode(f"graph{i}")
        t.add(dataset, SD + "namedGraph", named)
        t.add(named, RDF_TYPE, SD + "NamedGraph")
        t.add(named, SD + "name", row["g"].value)
        t.add(named, SD + "graph", graph)
        t.add(graph, RDF_TYPE, SD + "Graph")
        t.add(graph, VOID + "triples", int(row["n"].value))
    return t.triples


def void_description(fmt: Format) -> Response:
    return rdf_response(void_triples(), fmt)


def void_triples() -> list[ox.Triple]:
    ep = endpoint()
    t = _Triples()
    sizes = ep.rows(UNION_SIZES)
    t.add(BASE, RDF_TYPE, VOID + "Dataset")
    t.add(BASE, DCT + "title", ox.Literal("paradiplomacy-kg", language="en"))
    t.add(
        BASE,
        DCT + "description",
        ox.Literal(
            "A linked-data knowledge graph of sub-state actors in foreign relations: China's provinces in Africa, "
            "every fact with the quote, section and source that support it.",
            language="en",
        ),
    )
    t.add(BASE, RDF_TYPE, DCAT + "Dataset")
    t.add(
        BASE,
        DCT + "rights",
        ox.Literal(
            "Its parts are under different licences: each void:subset names its own (dct:license) and the "
            "attribution it requires (dct:bibliographicCitation).",
            language="en",
        ),
    )
    graph_sizes = {row["g"].value: int(row["n"].value) for row in ep.rows(GRAPH_SIZES)}
    for triple in part_triples(BASE, licence_parts(ep), graph_sizes):
        t.add(*triple)
    t.add(BASE, VOID + "sparqlEndpoint", url_for("sparql.sparql", _external=True))
    t.add(BASE, VOID + "uriSpace", ox.Literal(str(PDR)))
    t.add(BASE, VOID + "vocabulary", str(ONTOLOGY_IRI))
    for f in RESULT_FORMATS + GRAPH_FORMATS:
        t.add(BASE, VOID + "feature", format_iri(f.name))
    for name in ("triples", "properties"):
        t.add(BASE, VOID + name, _number(sizes, name))
    t.add(BASE, VOID + "distinctSubjects", _number(sizes, "subjects"))
    t.add(BASE, VOID + "distinctObjects", _number(sizes, "objects"))
    t.add(BASE, VOID + "entities", _number(ep.rows(ENTITIES), "n"))
    classes = ep.rows(CLASSES)
    t.add(BASE, VOID + "classes", len(classes))
    for row in ep.rows(EXAMPLES):
        t.add(BASE, VOID + "exampleResource", row["x"].value)
    for i, row in enumerate(classes):
        part = ox.BlankNode(f"class{i}")
        t.add(BASE, VOID + "classPartition", part)
        t.add(part, VOID + "class", row["c"].value)
        t.add(part, VOID + "entities", int(row["n"].value))
    for i, row in enumerate(ep.rows(PROPERTIES)):
        part = ox.BlankNode(f"property{i}")
        t.add(BASE, VOID + "propertyPartition", part)
        t.add(part, VOID + "property", row["p"].value)
        t.add(part, VOID + "triples", int(row["n"].value))
    return t.triples
