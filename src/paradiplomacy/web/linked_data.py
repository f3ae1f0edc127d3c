"""Dereferenceable IRIs: `/resource/<slug>` for https://w3id.org/paradiplomacy/resource/<slug>,
`/graph/<name>` for the named graphs, and `/ontology` for the ontology and its terms
(`/ontology#Term`). Browsers get HTML; Turtle, N-Triples, RDF/XML, JSON-LD and TriG by content
negotiation (or `?format=`)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request, url_for

from paradiplomacy.licences import part_of_graph
from paradiplomacy.namespaces import PDG, PDR, PREFIXES
from paradiplomacy.web import descriptions, ontology_view, resource_view
from paradiplomacy.web.context import INTERNAL_ROW_CAP, endpoint
from paradiplomacy.web.errors import HttpProblem
from paradiplomacy.web.formats import (
    HTML,
    PAGE_FORMATS,
    QUAD_FORMATS,
    Format,
    names,
    negotiate,
    pyoxigraph_format,
)
from paradiplomacy.web.terms import to_oxigraph

blueprint = Blueprint("linked_data", __name__)

# what is said about an IRI, and, when it names a graph (a claim, say), what that graph holds
DESCRIPTION = """CONSTRUCT { ?r ?p ?o . ?s ?q ?r . ?a ?b ?c }
                 WHERE { { ?r ?p ?o } UNION { ?s ?q ?r } UNION { GRAPH ?r { ?a ?b ?c } } }"""
ONTOLOGY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH pdg:ontology { ?s ?p ?o } }"
# the same, with the graphs kept (TriG, JSON-LD): each fact in the graph that holds it, the graph the IRI
# names, and the provenance graph of every claim among them (its quote, section, source): what the
# HTML page shows, grouped by claim
DESCRIPTION_QUADS = """SELECT ?r ?s ?p ?o ?g WHERE {
  { GRAPH ?g { ?r ?p ?o } BIND(?r AS ?s) }
  UNION { GRAPH ?g { ?s ?p ?r } BIND(?r AS ?o) }
  UNION { GRAPH ?r { ?s ?p ?o } BIND(?r AS ?g) }
  UNION { { SELECT DISTINCT ?r ?claim WHERE {
              { GRAPH ?claim { ?r ?x ?y } } UNION { GRAPH ?claim { ?y ?x ?r } } UNION { BIND(?r AS ?claim) } } }
          GRAPH ?g { ?claim a pd:Claim } GRAPH ?g { ?s ?p ?o } }
}"""


def _page_format() -> Format:
    fmt = negotiate(PAGE_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    if fmt is None:
        raise HttpProblem(406, f"this page can be {names(PAGE_FORMATS)}")
    return fmt


def _rdf(answer, fmt: Format) -> Response:
    response = Response(answer.body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers["X-SPARQL-MaxRows"] = str(INTERNAL_ROW_CAP)
    return response


def _html(body: str) -> Response:
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def _quads(iri: str, fmt: Format) -> Response:
    quads = {
        ox.Quad(to_oxigraph(row["s"]), to_oxigraph(row["p"]), to_oxigraph(row["o"]), to_oxigraph(row["g"]))
        for row in endpoint().rows(DESCRIPTION_QUADS, r=iri)
    }
    if not quads:
        raise HttpProblem(404, f"nothing is known about <{iri}>")
    ordered = sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    response = Response(
        ox.serialize(ordered, format=pyoxigraph_format(fmt.name), prefixes=PREFIXES), content_type=fmt.content_type
    )
    response.headers["Vary"] = "Accept"
    return response


def describe(iri: str) -> Response:
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise HttpProblem(404, f"{iri} is not an IRI of this graph") from None
    fmt = _page_format()
    if fmt.name in QUAD_FORMATS:
        return _quads(iri, fmt)
    if fmt is not HTML:
        answer = endpoint().graph(DESCRIPTION, fmt, r=iri)
        if answer.count == 0:
            raise HttpProblem(404, f"nothing is known about <{iri}>")
        return _rdf(answer, fmt)
    view = resource_view.build(endpoint(), iri)
    if view.empty:
        raise HttpProblem(404, f"nothing is known about <{iri}>")
    return _html(render_template("resource.html", view=view, formats=PAGE_FORMATS[1:], licences=_licences(view)))


def _licences(view) -> list:
    """The licences of the graphs whose data the page shows: each part once, the project's first."""
    parts = descriptions.licence_parts(endpoint())
    graphs = {g.graph.value for g in view.outgoing + view.incoming} | ({view.iri} if view.content else set())
    shown = {id(part_of_graph(parts, g)): part_of_graph(parts, g) for g in graphs}
    return [p for p in parts if id(p) in shown]


@blueprint.route("/resource/<path:slug>")
def resource(slug: str):
    return describe(str(PDR) + slug)


@blueprint.route("/graph/<path:name>")
def graph(name: str):
    return describe(str(PDG) + name)


@blueprint.route("/ontology")
def ontology():
    fmt = _page_format()
    if fmt is not HTML:
        return _rdf(endpoint().graph(ONTOLOGY, fmt), fmt)
    view = ontology_view.build(endpoint(), request.script_root)
    return _html(render_template("ontology.html", view=view, formats=PAGE_FORMATS[1:]))


@blueprint.route("/ontology/<path:version>")
def ontology_version(version: str):
    """The ontology's version IRIs (…/ontology/0.1.0) lead to the ontology."""
    return redirect(url_for("linked_data.ontology"), 303)
