"""`/sparql`: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

Queries by GET (`?query=`), by POST form-encoded, or by POST `application/sparql-query`, with
`default-graph-uri` and `named-graph-uri`; answers in the format that Accept (or a `format`
parameter) asks for. Updates by POST (form `update=` or `application/sparql-update`), only when
enabled, with the bearer token. GET without a query returns the service description.

Every function here takes the request (a werkzeug Request) and the Endpoint explicitly: the Flask view
`sparql` calls them for GET (whose answers are revalidated: web.caching), and `PostRoute`, a bare WSGI
route in front of Flask, calls the same functions for POST, without Flask's dispatch (issue 14: that
dispatch was about a third of a small query's time in the server).
"""

from __future__ import annotations

import codecs
import hmac
import logging
import threading
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.exceptions import InternalServerError
from werkzeug.wrappers import Request

from paradiplomacy.sparql.lexer import QUERY_FORMS, UPDATE_WORDS, request_form
from paradiplomacy.web import descriptions
from paradiplomacy.web.context import Endpoint, endpoint
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


def _check_charset(request: Request) -> None:
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


def _body_text(request: Request) -> str:
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


def read_request(request: Request, ep: Endpoint) -> ProtocolRequest:
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
            _check_charset(request)
            queries = queries + [_body_text(request)]
        elif mimetype == UPDATE_BODY:
            _check_charset(request)
            check_update_allowed(request, ep)  # before the body is decoded
            updates = [_body_text(request)]
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


def query_job(request: Request, ep: Endpoint, req: ProtocolRequest) -> QueryJob:
    form = request_form(req.query)
    if form in UPDATE_WORDS:
        raise HttpProblem(
            400, f"this is an update ({form}), not a query: POST it as {UPDATE_BODY} or as the update parameter"
        )
    accept = request.headers.get("Accept")
    results = negotiate(RESULT_FORMATS, accept, req.format)
    graphs = negotiate(GRAPH_FORMATS, accept, req.format)
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
        ep.config.row_cap,
        default_graphs=req.default_graphs if protocol_dataset else None,
        named_graphs=req.named_graphs if protocol_dataset else None,
        union_default=None,  # the worker reads the query's FROM, if any
        base_iri=request.base_url,
    )  # relative IRIs resolve against the endpoint's URL


def answer_query(request: Request, ep: Endpoint, req: ProtocolRequest) -> Response:
    answer = ep.run(query_job(request, ep, req), client=True, address=request.remote_addr or "")
    response = Response(answer.body, content_type=BY_NAME[answer.format].content_type)
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers["X-SPARQL-MaxRows"] = str(ep.config.row_cap)
    return response


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def check_update_allowed(request: Request, ep: Endpoint) -> None:
    """Updates are enabled and the request has the update token (403, 401 otherwise)."""
    config = ep.config
    if not config.updates:
        raise HttpProblem(
            403,
            "SPARQL Update is disabled on this server: it is read-only "
            "(PARADIPLOMACY_UPDATES and PARADIPLOMACY_UPDATE_TOKEN enable it)",
        )
    token = _bearer_token(request)
    if not (token and config.update_token and hmac.compare_digest(token.encode(), config.update_token.encode())):
        raise HttpProblem(
            401,
            "an update needs the server's update token: Authorization: Bearer TOKEN",
            {"WWW-Authenticate": 'Bearer realm="paradiplomacy"'},
        )


def answer_update(request: Request, ep: Endpoint, req: ProtocolRequest) -> Response:
    check_update_allowed(request, ep)
    if req.using_graphs or req.default_graphs or req.named_graphs:
        raise HttpProblem(
            400,
            "using-graph-uri and using-named-graph-uri are not supported: write USING or GRAPH in the update itself",
        )
    with _updates:
        ep.run(UpdateJob(req.update), client=True, address=request.remote_addr or "")
    return Response(status=204)


def answer(request: Request, ep: Endpoint, req: ProtocolRequest) -> Response | None:
    """The answer to a query or an update; None for a request that gives neither (a GET: the service
    description, or the query interface for a browser)."""
    if req.update is not None:
        return answer_update(request, ep, req)
    if req.query is not None:
        return answer_query(request, ep, req)
    return None


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql():
    ep = endpoint()
    req = read_request(request, ep)
    answered = answer(request, ep, req)
    if answered is not None:
        return answered
    fmt = negotiate(GRAPH_FORMATS + (HTML,), request.headers.get("Accept"), req.format)
    if fmt is HTML:  # a browser: the query interface
        return redirect(url_for("pages.query"), 303)
    if fmt is None:
        raise _not_acceptable(GRAPH_FORMATS)
    return descriptions.service_description(fmt)


class PostRoute:
    """WSGI: POST /sparql answered by `answer` without Flask's dispatch, with the headers (`finish`) and the
    problem answers (`problem`) the app gives; every other request goes on to the app. Only POST comes
    here: a GET's answer is revalidated against the store's generation (web.caching), Flask's part."""

    def __init__(self, app, ep: Endpoint, finish, problem):
        self.app, self.ep, self.finish, self.problem = app, ep, finish, problem

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/sparql" or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        request = Request(environ)
        request.max_content_length = request.max_form_memory_size = self.ep.config.max_request_bytes
        try:
            response = answer(request, self.ep, read_request(request, self.ep))  # a POST gives one, or is refused
        except Exception as exc:  # ours, the pool's, or werkzeug's own (a body over the limit: 413)
            response = self.problem(exc)
            if response is None:
                logging.getLogger(__name__).exception("POST /sparql failed")
                response = self.problem(InternalServerError())
        return self.finish(response, "POST")(environ, start_response)
