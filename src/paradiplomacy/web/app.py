"""The Flask application: the SPARQL endpoint, the query interface and the linked-data pages,
on a pool of query worker processes."""

from __future__ import annotations

import atexit

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from paradiplomacy.settings import Config, SettingError
from paradiplomacy.web import caching, linked_data, maps, pages, protocol, reconcile, search, site
from paradiplomacy.web.context import Endpoint
from paradiplomacy.web.errors import HttpProblem, problem_response
from paradiplomacy.web.pool import PoolBusy, TimeLimitExceeded, WorkerLost, WorkerPool
from paradiplomacy.web.proxy import PublicURL
from paradiplomacy.web.terms import curie, href

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def safety_headers(config: Config, response: Response, method: str) -> Response:
    """The headers every answer carries: no sniffing, the referrer policy, the content security policy of
    pages, and CORS if the settings allow another origin."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if config.cors_origin:
        response.headers["Access-Control-Allow-Origin"] = config.cors_origin
        response.headers["Access-Control-Expose-Headers"] = "X-SPARQL-MaxRows, Content-Type"
        if method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def problem_of(exc: Exception, page: bool | None = None) -> Response | None:
    """The answer to a request that failed with `exc`, or None for an unexpected failure (500)."""
    if isinstance(exc, HttpProblem):
        return problem_response(exc.status, exc.message, exc.headers, page)
    if isinstance(exc, TimeLimitExceeded):
        return problem_response(
            503, f"{exc} (PARADIPLOMACY_QUERY_TIMEOUT): make the query more selective, or add a LIMIT", page=page
        )
    if isinstance(exc, PoolBusy):
        return problem_response(503, str(exc), {"Retry-After": "2"}, page)
    if isinstance(exc, WorkerLost):
        return problem_response(503, str(exc), {"Retry-After": "5"}, page)
    if isinstance(exc, HTTPException):
        allow = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
        return problem_response(exc.code or 500, exc.description or exc.name, allow, page)
    return None


def _register_error_handlers(app: Flask) -> None:
    for kind in (HttpProblem, TimeLimitExceeded, PoolBusy, WorkerLost, HTTPException):
        app.register_error_handler(kind, problem_of)


def service_routes(config: Config) -> dict[str, str]:
    """Where calls to allowed SERVICE endpoints really go (the service_map setting), if anywhere else."""
    from paradiplomacy.sparql.service import parse_map

    try:
        return parse_map(config.service_map)
    except ValueError as exc:
        raise SettingError(f"PARADIPLOMACY_SERVICE_MAP: {exc}") from exc


def create_app(config: Config, pool=None) -> Flask:
    """The application for these settings. Its queries run on `pool` (a WorkerPool, or an InlinePool
    for tests and embedding); by default it starts `config.workers` query worker processes on the
    store the settings name (stopped at exit)."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes  # a larger body is refused (413)
    app.config["MAX_FORM_MEMORY_SIZE"] = config.max_request_bytes  # a form field too (Flask's default: 500 kB)
    app.json.sort_keys = False
    service_routes(config)  # a malformed service map is a setting error here, not in every worker
    if pool is None:
        pool = WorkerPool(config)
        atexit.register(pool.close)
    app.extensions["paradiplomacy"] = Endpoint(config, pool)
    for blueprint in (protocol.blueprint, pages.blueprint, linked_data.blueprint):
        app.register_blueprint(blueprint)
    app.register_blueprint(maps.blueprint)  # the map and network views (issue 5)
    for blueprint in (site.blueprint, search.blueprint, reconcile.blueprint):  # entrance, lists, search (issue 17)
        app.register_blueprint(blueprint)
    app.after_request(lambda response: safety_headers(config, response, request.method))
    caching.register(app, config)  # ETag, Last-Modified and 304 from the store's generation
    app.wsgi_app = protocol.PostRoute(
        app.wsgi_app,
        app.extensions["paradiplomacy"],
        finish=lambda response, method: safety_headers(config, response, method),
        problem=lambda exc: problem_of(exc, page=False),
    )  # POST /sparql without Flask's dispatch
    app.wsgi_app = PublicURL(app.wsgi_app, config)  # the absolute URLs it writes: public_url, never Host
    _register_error_handlers(app)
    app.jinja_env.globals.update(curie=curie, link=lambda iri: href(iri, request.script_root))
    return app
