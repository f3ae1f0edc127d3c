"""Requests too large, or too deep for the query engine, are refused before they can hurt: a body over
PARADIPLOMACY_MAX_REQUEST_BYTES (1 MiB by default) is 413 however it is sent (form-encoded or not,
with a Content-Length or chunked), and waitress stops reading it at the limit; a request line and
headers over waitress's 256 KiB are 431; a request nested deeper than the engine can take, or of
more tokens than it may hold, is 400, and the worker that would have crashed on it lives on."""

import time

import pytest
import requests

from paradiplomacy.sparql.lexer import MAX_NESTING, MAX_TOKENS, TooComplex, checked_tokens, tokenize

pytestmark = pytest.mark.slow  # real servers, processes or a browser

LIMIT = 1 << 20  # the server's default PARADIPLOMACY_MAX_REQUEST_BYTES
JSON = "application/sparql-results+json"
ASK = "ASK { ?s ?p ?o }"


def endpoint(server):
    return server.url + "/sparql"


def padded(size: int) -> bytes:
    """A query of exactly `size` bytes: ASK, then a comment."""
    return (ASK + "\n#").encode() + b"x" * (size - len(ASK) - 2)


def direct(server, body, **kw):
    return requests.post(
        endpoint(server),
        data=body,
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
        timeout=60,
        **kw,
    )


def test_a_body_of_the_limit_is_answered_and_one_byte_more_is_413(server):
    assert direct(server, padded(LIMIT)).json()["boolean"] is True
    r = direct(server, padded(LIMIT + 1))
    assert r.status_code == 413 and r.headers["Content-Type"].startswith("text/plain")


def test_a_form_of_nearly_the_limit_is_answered(server):
    """Regression: Flask's own limit on a form field (500 kB) refused form queries that the 1 MiB limit
    lets through."""
    r = requests.post(endpoint(server), data={"query": padded(900_000).decode()}, headers={"Accept": JSON})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_a_form_over_the_limit_is_413(server):
    r = requests.post(endpoint(server), data={"query": "#" * (2 * LIMIT)})
    assert r.status_code == 413


def test_a_chunked_body_over_the_limit_is_413_and_read_no_further(server):
    """Without Content-Length (Transfer-Encoding: chunked), a body of 256 MiB is refused after its
    first MiBs: waitress stops reading it at the limit instead of buffering it all for the app."""
    sent = []

    def chunks():
        for _ in range(4096):
            sent.append(65536)
            yield b"#" * 65536

    started = time.monotonic()
    r = direct(server, chunks())
    assert r.status_code == 413 and r.request.headers.get("Transfer-Encoding") == "chunked"
    assert sum(sent) < 64 << 20 and time.monotonic() - started < 10, (sum(sent), time.monotonic() - started)
    small = requests.post(
        endpoint(server),
        data=iter([ASK.encode()]),
        timeout=60,
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
    )
    assert small.json()["boolean"] is True  # a chunked body within the limit is read as any other


def test_a_request_line_or_headers_over_256_kib_are_431(server):
    """waitress's limit on the request line and headers (max_request_header_size, 256 KiB) answers for
    what is not a body: a URL or a header that large is 431 Request Header Fields Too Large."""
    r = requests.get(endpoint(server), params={"query": ASK + " #" + "x" * (300 << 10)}, timeout=60)
    assert r.status_code == 431
    r = requests.get(endpoint(server), params={"query": ASK}, headers={"Cookie": "x" * (300 << 10)}, timeout=60)
    assert r.status_code == 431
    r = requests.get(endpoint(server), params={"query": ASK + " #" + "x" * (200 << 10)}, headers={"Accept": JSON})
    assert r.status_code == 200  # a query of 200 kB in the URL is within it


TOO_DEEP_OR_LONG = {
    "braces": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "functions": "SELECT * WHERE { FILTER(" + "STR(" * 3000 + "1" + ")" * 3000 + ") }",
    "exists": "SELECT * WHERE { " + "FILTER EXISTS { " * 2000 + "}" * 2000 + " }",
    "triple terms": "SELECT * WHERE { ?s ?p " + "<<( ?s ?p " * 10000 + "?o" + " )>>" * 10000 + " . }",
    "too many tokens": "SELECT * WHERE { FILTER(" + "&&".join(["true"] * (MAX_TOKENS // 2)) + ") }",
}
WITHIN_THE_LIMITS = {
    "exists": "SELECT * WHERE { " + "FILTER EXISTS { " * (MAX_NESTING - 1) + "}" * (MAX_NESTING - 1) + " }",
    "functions": "SELECT * WHERE { FILTER(" + "STR(" * (MAX_NESTING - 2) + "1" + ")" * (MAX_NESTING - 2) + ") }",
    "subqueries": "SELECT * WHERE " + "{ SELECT * WHERE " * (MAX_NESTING // 2) + "{}" + "}" * (MAX_NESTING // 2),
    "a long chain, deep": "SELECT * WHERE { "
    + "FILTER EXISTS { " * (MAX_NESTING - 2)
    + "FILTER("
    + "&&".join(["true"] * 80_000)
    + ")"
    + "}" * (MAX_NESTING - 2)
    + " }",
    "negations": "SELECT * WHERE { FILTER(" + "!" * (MAX_TOKENS - 20) + "true) }",
}


@pytest.mark.parametrize("name", TOO_DEEP_OR_LONG)
def test_a_request_too_deep_or_too_long_for_the_engine_is_400_and_crashes_nothing(server, name):
    """Regression: pyoxigraph's parser recurses, and a request nested a few thousand deep overflowed the
    worker's stack: the worker died (SIGSEGV) and the client got 500."""
    workers = server.worker_pids()
    r = direct(server, TOO_DEEP_OR_LONG[name].encode())
    assert r.status_code == 400, r.text[:300]
    assert "nests brackets" in r.text or "tokens" in r.text
    assert server.worker_pids() == workers  # none died


@pytest.mark.parametrize("name", WITHIN_THE_LIMITS)
def test_the_deepest_and_longest_requests_within_the_limits_are_answered(server, name):
    """The worker's stack (worker.STACK_BYTES) holds what the limits let through, with room to spare."""
    workers = server.worker_pids()
    r = direct(server, WITHIN_THE_LIMITS[name].encode())
    assert r.status_code == 200, r.text[:300]
    assert server.worker_pids() == workers


def test_the_limits_count_brackets_and_tokens_outside_strings_and_comments():
    assert len(checked_tokens("SELECT * { ?s ?p '" + "{" * 10_000 + "' } # " + "(" * 10_000)) == 7
    with pytest.raises(TooComplex, match=f"at most {MAX_NESTING}"):
        checked_tokens("ASK " + "{" * (MAX_NESTING + 1))
    with pytest.raises(TooComplex, match=f"more than {MAX_TOKENS} tokens"):
        checked_tokens("ASK { " + "?x " * MAX_TOKENS + "}")


@pytest.mark.parametrize("run", ["a.", "a-", "é.", "_:b.", "a:b."])
def test_tokenizing_takes_time_linear_in_the_text(run):
    """Regression: a run of words and dots with no colon (`a.a.a.a...`) was scanned again for a prefixed
    name at each word, in quadratic time: 32 kB took 8 s, 1 MiB would have taken hours of the web
    process (the query's form is read there), holding Python's lock meanwhile."""
    started = time.monotonic()
    tokenize(run * 250_000)
    assert time.monotonic() - started < 5


def test_a_megabyte_of_words_and_dots_is_refused_at_once(server):
    started = time.monotonic()
    r = requests.post(
        endpoint(server),
        data=b"a." * (LIMIT // 2 - 1),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
        timeout=60,
    )
    assert r.status_code == 400 and time.monotonic() - started < 5
