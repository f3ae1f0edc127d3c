"""POST /sparql is answered by a bare WSGI route in front of Flask (protocol.PostRoute, issue 14) with the same
functions as the Flask view that answers GET: the same answers, headers and problems either way."""

import pytest

from paradiplomacy.web.app import create_app
from paradiplomacy.web.context import Endpoint
from paradiplomacy.web.pool import InlinePool

QUERY = "SELECT ?label WHERE { pdr:hebei rdfs:label ?label } ORDER BY ?label"
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"
SAME_HEADERS = ("Content-Type", "Vary", "X-Content-Type-Options", "Referrer-Policy", "Access-Control-Allow-Origin")


@pytest.fixture(scope="module")
def cors_client(built):
    config, _, _ = built
    pool = InlinePool(config)
    yield create_app(config.with_overrides(cors_origin="https://example.org"), pool=pool).test_client()
    pool.close()


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "application/sparql-results+xml"])
def test_a_query_by_post_gets_the_answer_and_headers_of_the_same_query_by_get(cors_client, accept):
    by_get = cors_client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": accept})
    by_form = cors_client.post("/sparql", data={"query": QUERY}, headers={"Accept": accept})
    by_body = cors_client.post(
        "/sparql", data=QUERY.encode(), headers={"Accept": accept, "Content-Type": "application/sparql-query"}
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.data == by_form.data == by_body.data and b"Hebei" in by_get.data
    for name in SAME_HEADERS:
        assert by_get.headers.get(name) == by_form.headers.get(name) == by_body.headers.get(name), name
    assert by_form.headers["Access-Control-Allow-Origin"] == "https://example.org"


def test_a_refused_post_is_a_plain_text_problem_like_a_refused_get(cors_client):
    by_get = cors_client.get("/sparql", query_string={"query": "SELECT ?x WHERE {"}, headers={"Accept": BROWSER})
    by_post = cors_client.post("/sparql", data={"query": "SELECT ?x WHERE {"}, headers={"Accept": BROWSER})
    assert by_get.status_code == by_post.status_code == 400
    assert by_get.mimetype == by_post.mimetype == "text/plain"
    assert by_post.headers["X-Content-Type-Options"] == "nosniff"
    too_large = cors_client.post("/sparql", data={"query": "#" * (2 << 20)})
    assert too_large.status_code == 413 and too_large.mimetype == "text/plain"


def test_an_unexpected_failure_of_a_post_is_a_500_told_in_the_log_not_to_the_client(cors_client, monkeypatch, caplog):
    def fail(self, job, client=False, address=None):
        raise RuntimeError("a secret detail")

    monkeypatch.setattr(Endpoint, "run", fail)
    response = cors_client.post("/sparql", data={"query": QUERY})
    assert response.status_code == 500 and b"secret" not in response.data
    assert "a secret detail" in caplog.text
