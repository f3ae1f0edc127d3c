"""Errors as HTTP answers: plain text for machine clients and the SPARQL endpoint, an HTML page
for browsers on the other pages."""

from __future__ import annotations

from flask import Response, render_template, request


class HttpProblem(Exception):
    """A request that fails with an HTTP status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _wants_html() -> bool:
    if request.path.startswith("/sparql"):
        return False
    return (
        request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html"
        and "text/html" in request.accept_mimetypes.values()
    )


def problem_response(status: int, message: str, headers: dict | None = None, page: bool | None = None) -> Response:
    """The answer to a failed request; `page`: as an HTML page (None: if the request is a browser's, outside
    /sparql; only where a Flask request is current)."""
    if _wants_html() if page is None else page:
        response = Response(
            render_template("error.html", status=status, message=message),
            status,
            content_type="text/html; charset=utf-8",
        )
    else:
        response = Response(message.rstrip("\n") + "\n", status, content_type="text/plain; charset=utf-8")
    response.headers.update(headers or {})
    return response
