"""The query interface (`/query`, YASGUI with the competency questions as examples), `/health`, and
the VoID description of the dataset (`/.well-known/void`) and the service description
(`/service-description`), as RDF or, for a browser, as a page."""

from __future__ import annotations

from flask import Blueprint, jsonify, make_response, render_template, request, url_for

from paradiplomacy.namespaces import BASE, PD, PDG, PDR, PREFIXES
from paradiplomacy.store.oxigraph import current_generation
from paradiplomacy.web import description_view, descriptions
from paradiplomacy.web.context import endpoint
from paradiplomacy.web.errors import HttpProblem
from paradiplomacy.web.examples import read_examples
from paradiplomacy.web.formats import GRAPH_FORMATS, HTML, names, negotiate

blueprint = Blueprint("pages", __name__)


@blueprint.route("/query")
def query():
    examples = read_examples(endpoint().config.path("queries_dir"))
    root = request.script_root
    ui = {
        "endpoint": url_for("sparql.sparql", _external=True),
        "examples": [{"name": e.name, "title": e.title, "query": e.query} for e in examples],
        "prefixes": PREFIXES,
        "pages": {str(PDR): root + "/resource/", str(PDG): root + "/graph/", str(PD): root + "/ontology#"},
    }
    return render_template("query.html", examples=examples, ui=ui)


@blueprint.route("/health")
def health():
    """Answered by the web process alone, without a worker (so it answers while every worker is busy): the
    store's current generation from its CURRENT pointer (none for a remote store), and no more: the worker
    processes and their counts are not the public's business."""
    config = endpoint().config
    current = current_generation(config.path("store")) if config.backend == "oxigraph" else None
    response = jsonify(status="ok", generation=current[0] if current else None)
    response.headers["Cache-Control"] = "no-store"
    return response


# RDF first: a client that accepts anything gets Turtle; a browser, which prefers HTML, gets the page
DESCRIPTION_FORMATS = GRAPH_FORMATS + (HTML,)


def _description(what: str, triples, subject: str, title: str):
    fmt = negotiate(DESCRIPTION_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    if fmt is None:
        raise HttpProblem(406, f"the {what} can be {names(DESCRIPTION_FORMATS)}")
    if fmt is HTML:
        view = description_view.build(endpoint(), triples(), subject, title)
        response = make_response(render_template("description.html", view=view, formats=GRAPH_FORMATS))
        response.headers["Vary"] = "Accept"
        return response
    return descriptions.rdf_response(triples(), fmt)


@blueprint.route("/.well-known/void")
def void():
    return _description("VoID description", descriptions.void_triples, BASE, "The dataset (VoID description)")


@blueprint.route("/service-description")
def service_description():
    """The service description of /sparql (which gives it as RDF to a GET without a query), as a page too."""
    return _description(
        "service description",
        descriptions.service_triples,
        url_for("sparql.sparql", _external=True),
        "The SPARQL service",
    )
