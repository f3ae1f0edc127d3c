"""Conditional requests: pages, descriptions and query answers carry an ETag and Last-Modified from the
store's generation (each build or update makes a new one), and a request that revalidates with
If-None-Match or If-Modified-Since gets 304 without the query being run again.

The ETag is weak (the same generation, URL and Accept give an equivalent answer, not necessarily the
same bytes); a store that keeps no generations (a remote one) gets neither header."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, g, request

from paradiplomacy.settings import Config
from paradiplomacy.store.oxigraph import current_generation

REVALIDATED = {
    "sparql.sparql",
    "linked_data.resource",
    "linked_data.graph",
    "linked_data.ontology",
    "pages.void",
    "pages.index",
}


def _etag(generation: str) -> str:
    varies = "\n".join((generation, request.full_path, request.headers.get("Accept", "")))
    return hashlib.sha256(varies.encode()).hexdigest()[:32]


def register(app: Flask, config: Config) -> None:
    if config.backend != "oxigraph":
        return
    store = config.path("store")

    @app.before_request
    def revalidate():
        if request.method not in ("GET", "HEAD") or request.endpoint not in REVALIDATED:
            return None
        current = current_generation(store)
        if current is None:
            return None
        generation, modified = current
        g.validators = (_etag(generation), modified.replace(microsecond=0))
        etag, modified = g.validators
        if request.if_none_match:
            fresh = request.if_none_match.contains_weak(etag)
        else:
            since = request.if_modified_since
            fresh = since is not None and modified <= since
        if fresh:
            response = Response(status=304)
            _stamp(response)
            response.headers["Vary"] = "Accept"
            return response
        return None

    @app.after_request
    def stamp(response: Response) -> Response:
        if response.status_code == 200:
            _stamp(response)
        return response


def _stamp(response: Response) -> None:
    validators = g.get("validators")
    if validators is None:
        return
    etag, modified = validators
    response.set_etag(etag, weak=True)
    response.last_modified = modified
    response.headers.setdefault("Cache-Control", "no-cache")  # may be stored, but revalidated before each use
