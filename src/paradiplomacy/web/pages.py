"""The query interface (`/query`, YASGUI with the competency questions as examples), `/health`, and
the VoID description of the dataset (`/.well-known/void`)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for

from paradiplomacy.namespaces import PD, PDG, PDR, PREFIXES
from paradiplomacy.web import descriptions
from paradiplomacy.web.context import endpoint
from paradiplomacy.web.errors import HttpProblem
from paradiplomacy.web.examples import read_examples
from paradiplomacy.web.formats import GRAPH_FORMATS, negotiate, names

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
    ep = endpoint()
    ping = ep.ping()
    return jsonify(status="ok", generation=ping.generation, quads=int(ping.body), workers=ep.pool.pids(),
                   timeouts=ep.pool.timeouts, query_timeout=ep.config.query_timeout, row_cap=ep.config.row_cap)


@blueprint.route("/.well-known/void")
def void():
    fmt = negotiate(GRAPH_FORMATS, request.accept_mimetypes, request.args.get("format"))
    if fmt is None:
        raise HttpProblem(406, f"the VoID description can be {names(GRAPH_FORMATS)}")
    return descriptions.void_description(fmt)
