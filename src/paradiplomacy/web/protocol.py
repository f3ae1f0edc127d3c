"""`/sparql`: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

Queries by GET (`?query=`), by POST form-encoded, or by POST `application/sparql-query`, with
`default-graph-uri` and `named-graph-uri`; answers in the format that Accept (or a `format`
parameter) asks for. Updates by POST (form `update=` or `application/sparql-update`), only when
enabled, with the bearer token. GET without a query returns the service description.
"""

from __future__ import annotations

import codecs
import hmac
import threading
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request, url_for

from paradiplomacy.sparql.lexer import QUERY_FORMS, UPDATE_WORDS, request_form
from paradiplomacy.web import descriptions
from paradiplomacy.web.context import endpoint
from paradiplomacy.web.errors import HttpProblem
from paradiplomacy.web.formats import BY_NAME, GRAPH_FORMATS, HTML, RESULT_FORMATS, names, negotiate
from paradiplomacy.web.worker import QueryJob, UpdateJob

blueprint = Blueprint("sparql", __name__)
_updates = threading.Lock()  # one update at a time: each makes a new generation of the store

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"


@dataclass
class ProtocolRequest:
    query: str | None
    update: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    using_graphs: bool  # using-graph-uri or using-named-graph-uri given
    format: str | None


def _check_charset() -> None:
    """A query or update sent directly is UTF-8, the only charset of application/sparql-query and
    application/sparql-update (SPARQL 1.1 Protocol, 2.1.3 and 2.2.2; their media type registrations): any
    other charset is 415, told from the header alone, before the body is read or decoded."""
    charset = request.mimetype_params.get("charset", "utf-8")
    if codecs_name(charset) != "utf-8":
        raise HttpProblem(
            415,
            f"a {request.mimetype} body must be UTF-8 (SPARQL 1.1 Protocol: the query or update "
            f"string, UTF-8 encoded), not charset={charset[:40]}",
        )


def _body_text() -> str:
    """The body, decoded as UTF-8 (the only decoding ever applied to it)."""
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpProblem(400, f"the request body is not valid UTF-8: {exc}") from exc


def codecs_name(charset: str) -> str:
    """The codec a charset label names ("UTF8", "utf_8" are utf-8), or the label itself if none."""
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return charset.lower()


def _iris(values: list[str], parameter: str) -> tuple[str, ...]:
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError as exc:
            raise HttpProblem(400, f"{parameter} must be an absolute IRI, not {v!r}: {exc}") from exc
    return tuple(values)


def read_request() -> ProtocolRequest:
    """The operation and its parameters, wherever the protocol lets them stand; a request that
    gives more than one operation, or a body of the wrong media type, is refused. The cheap checks come
    first: an update is refused (disabled, no token) before its body is decoded."""
    params = request.args
    queries = params.getlist("query")
    if params.getlist("update"):  # never from the URL, which proxies and logs keep
        raise HttpProblem(
            400, f"an update must be sent by POST, in the body (a form field, or an {UPDATE_BODY} body), not in the URL"
        )
    updates: list[str] = []
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == FORM:
            queries = queries + request.form.getlist("query")  # the body's fields, and a query in the URL
            updates = request.form.getlist("update")
            params = request.values
        elif mimetype == QUERY_BODY:
            _check_charset()
            queries = queries + [_body_text()]
        elif mimetype == UPDATE_BODY:
            _check_charset()
            check_update_allowed()  # before the body is decoded
            updates = [_body_text()]
        else:
            raise HttpProblem(
                415,
                f"a POST to the SPARQL endpoint must be {FORM}, {QUERY_BODY} or {UPDATE_BODY}, "
                f"not {mimetype or 'a body without Content-Type'}",
            )
    if len(queries) + len(updates) > 1:
        what = (
            f"{len(queries)} queries"
            if not updates
            else f"{len(updates)} updates"
            if not queries
            else "a query and an update"
        )
        raise HttpProblem(400, f"the request gives {what}: send one operation per request")
    if request.method == "POST" and not queries and not updates:
        raise HttpProblem(400, "the request gives no query (and no update)")
    return ProtocolRequest(
        query=queries[0] if queries else None,
        update=updates[0] if updates else None,
        default_graphs=_iris(params.getlist("default-graph-uri"), "default-graph-uri"),
        named_graphs=_iris(params.getlist("named-graph-uri"), "named-graph-uri"),
        using_graphs=bool(params.getlist("using-graph-uri") or params.getlist("using-named-graph-uri")),
        format=params.get("format"),
    )


def _not_acceptable(formats) -> HttpProblem:
    return HttpProblem(
        406,
        f"cannot answer in any format the request accepts; this answer can be {names(formats)} "
        "(ask with Accept, or with the format parameter)",
    )


def query_job(req: ProtocolRequest) -> QueryJob:
    form = request_form(req.query)
    if form in UPDATE_WORDS:
        raise HttpProblem(
            400, f"this is an update ({form}), not a query: POST it as {UPDATE_BODY} or as the update parameter"
        )
    results = negotiate(RESULT_FORMATS, request.headers.get("Accept"), req.format)
    graphs = negotiate(GRAPH_FORMATS, request.headers.get("Accept"), req.format)
    if form in ("SELECT", "ASK") and results is None:
        raise _not_acceptable(RESULT_FORMATS)
    if form in ("CONSTRUCT", "DESCRIBE") and graphs is None:
        raise _not_acceptable(GRAPH_FORMATS)
    if form not in QUERY_FORMS and results is None and graphs is None:
        raise _not_acceptable(RESULT_FORMATS + GRAPH_FORMATS)
    protocol_dataset = bool(req.default_graphs or req.named_graphs)
    return QueryJob(
        req.query,
        results.name if results else None,
        graphs.name if graphs else None,
        endpoint().config.row_cap,
        default_graphs=req.default_graphs if protocol_dataset else None,
        named_graphs=req.named_graphs if protocol_dataset else None,
        union_default=None,  # the worker reads the query's FROM, if any
        base_iri=request.base_url,
    )  # relative IRIs resolve against the endpoint's URL


def answer_query(req: ProtocolRequest) -> Response:
    answer = endpoint().run(query_job(req), client=True)
    response = Response(answer.body, content_type=BY_NAME[answer.format].content_type)
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers["X-SPARQL-MaxRows"] = str(endpoint().config.row_cap)
    return response


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def check_update_allowed() -> None:
    """Updates are enabled and the request has the update token (403, 401 otherwise)."""
    config = endpoint().config
    if not config.updates:
        raise HttpProblem(
            403,
            "SPARQL Update is disabled on this server: it is read-only "
            "(PARADIPLOMACY_UPDATES and PARADIPLOMACY_UPDATE_TOKEN enable it)",
        )
    token = _bearer_token()
    if not (token and config.update_token and hmac.compare_digest(token.encode(), config.update_token.encode())):
        raise HttpProblem(
            401,
            "an update needs the server's update token: Authorization: Bearer TOKEN",
            {"WWW-Authenticate": 'Bearer realm="paradiplomacy"'},
        )


def answer_update(req: ProtocolRequest) -> Response:
    check_update_allowed()
    if req.using_graphs or req.default_graphs or req.named_graphs:
        raise HttpProblem(
            400,
            "using-graph-uri and using-named-graph-uri are not supported: write USING or GRAPH in the update itself",
        )
    with _updates:
        endpoint().run(UpdateJob(req.update), client=True)
    return Response(status=204)


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql():
    req = read_request()
    if req.update is not None:
        return answer_update(req)
    if req.query is not None:
        return answer_query(req)
    fmt = negotiate(GRAPH_FORMATS + (HTML,), request.headers.get("Accept"), req.format)
    if fmt is HTML:  # a browser: the query interface
        return redirect(url_for("pages.query"), 303)
    if fmt is None:
        raise _not_acceptable(GRAPH_FORMATS)
    return descriptions.service_description(fmt)
