"""Fuzzed HTTP (hypothesis, derandomized): queries mutated from the competency questions or made of
random text, random parameters, headers, bodies, methods and paths, sent over real HTTP to
`paradiplomacy serve` (the `server` of tests/web_servers.py, and a server of its own that accepts
updates, for fuzzed updates with the token).

Whatever comes, the server answers with a status it means: no 5xx but the time limit's 503 (or the
busy pool's, with Retry-After); an error is the app's plain text (or its HTML page, for a browser), or
waitress's own plain text for what it refuses before the app sees it (400, 413, 431); no answer holds
a traceback or a path of the installation, and no HTML page holds the request's markup unescaped. No
fuzzed request makes the server call the listener on 127.0.0.1 whose address the fuzzed text names.

`pytest -s` prints the figures: requests tried, by status.
"""

import collections
import http.client
from urllib.parse import quote, quote_from_bytes, urlencode, urlsplit

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_servers import UPDATE_TOKEN, listener, start_writable

from paradiplomacy.sparql.lexer import tokenize

pytestmark = pytest.mark.slow  # real servers, processes or a browser

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TRAP = "TRAP"  # stands for the listener's address in the generated text; replaced when sent
XSS = "<script>alert(7331)</script>"
TALLY: collections.Counter = collections.Counter()  # status -> requests

QUERY_BASES = (
    [q.read_text() for q in sorted((ROOT / "queries").glob("*.rq"))]
    + [q.read_text() for q in sorted((ROOT / "tests" / "fixtures" / "web" / "queries").glob("*.rq"))]
    + [
        "ASK { ?s ?p ?o }",
        "DESCRIBE pdr:chongqing",
        "CONSTRUCT WHERE { ?s a pd:Ministry }",
        "SELECT * FROM <TRAP> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { SERVICE <TRAP> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
    ]
)
UPDATE_BASES = [
    "INSERT DATA { GRAPH pdg:fuzz { pdr:fuzzed rdfs:label 'x'@en , 1 , <TRAP> } }",
    "DELETE DATA { GRAPH pdg:fuzz { pdr:fuzzed rdfs:label 'x'@en } }",
    "DELETE WHERE { GRAPH pdg:fuzz { ?s ?p ?o } }",
    "INSERT { GRAPH pdg:fuzz { ?s rdfs:label ?l } } WHERE { ?s a pd:ProvinceLevelUnit ; rdfs:label ?l }",
    "WITH pdg:fuzz DELETE { ?s ?p ?o } INSERT { ?s rdfs:comment ?o } WHERE { ?s ?p ?o }",
    "CLEAR SILENT GRAPH pdg:fuzz",
    "DROP GRAPH pdg:fuzz",
    "CREATE GRAPH pdg:fuzz",
    "ADD pdg:fuzz TO pdg:fuzz2",
    "COPY pdg:fuzz TO pdg:fuzz2",
    "MOVE SILENT pdg:fuzz2 TO pdg:fuzz",
    "LOAD <TRAP> INTO GRAPH pdg:fuzz",
    "INSERT { GRAPH pdg:fuzz { ?s ?p ?o } } USING <TRAP> WHERE { ?s ?p ?o }",
    "INSERT { GRAPH pdg:fuzz { ?s ?p ?o } } WHERE { SERVICE <TRAP> { ?s ?p ?o } }",
]
FRAGMENTS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ".",
    ";",
    ",",
    "*",
    "?x",
    "$y",
    "_:b",
    "a",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "FILTER",
    "NOT EXISTS",
    "BIND",
    "AS",
    "VALUES",
    "UNDEF",
    "GRAPH",
    "SERVICE",
    "SERVICE SILENT",
    "ſERVICE",
    "FROM",
    "FROM NAMED",
    "LIMIT 3",
    "OFFSET 99999999999999",
    "ORDER BY",
    "GROUP BY",
    "HAVING",
    "DISTINCT",
    "<TRAP>",
    "TRAP",
    "<>",
    "<../../etc/passwd>",
    "<file:///etc/passwd>",
    "<http://127.0.0.1:1/>",
    "pd:",
    "pdr:chongqing",
    "nope:x",
    "rdfs:label",
    '""',
    "'''",
    '"\\u0000"',
    '"x"@en',
    '"1"^^xsd:integer',
    "1e999",
    "-0",
    "99999999999999999999",
    'REGEX(?x, "(a+)+$")',
    'REGEX(?x, "(")',
    "STR(",
    "CONCAT(",
    "COUNT(*)",
    "SUM(?x)",
    "GROUP_CONCAT(?x)",
    "(!rdf:type)*",
    "^",
    "|",
    "/",
    "+",
    "?",
    "!",
    "&&",
    "||",
    "=",
    "!=",
    "<",
    ">",
    "#",
    "\n",
    "\\",
    "%",
    "\u2028",
    "\ufeff",
    "\x00",
    "LOAD",
    "LOAD SILENT",
    "INSERT DATA",
    "DELETE WHERE",
    "CLEAR ALL",
    "DROP ALL",
    "WITH",
    "USING",
    "INTO GRAPH",
    "BASE <http://127.0.0.1:1/>",
    "PREFIX x: <TRAP>",
    "x:sparql",
    "<<",
    ">>",
    "<<(",
    ")>>",
    "TRIPLE(",
    'VERSION "1.2"',
    "{" * 600,
    "(" * 600,
    XSS,
    "\U0001f600",
]
OPS = ["respell", "delete", "duplicate", "swap", "replace", "insert", "truncate", "case"]


def token_lists(texts):
    """Each text as its tokens, each token with what may stand in for it: another variable, name or
    IRI, literal or language tag of the texts (a keyword or a sign stands only for itself)."""
    lists = [tokenize(text) for text in texts]
    kind = {"iri": "term", "pname": "term", "var": "var", "string": "string", "number": "number", "langtag": "langtag"}
    same = collections.defaultdict(set)
    for t in (t for tokens in lists for t in tokens if t.kind in kind):
        same[kind[t.kind]].add(t.text)
    same["number"] |= {"0", "-1", "1e308", "99999999999999999999", "0.0000001"}
    same["string"] |= {'""', "'<script>alert(7331)</script>'", '"(a+)+$"', "'\\u0000'", '"""\n"""'}
    pools = {k: sorted(v) for k, v in same.items()}
    return [[(pools[kind[t.kind]] if t.kind in kind else [t.text], t.text) for t in tokens] for tokens in lists]


@st.composite
def mutated(draw, bases, ops=tuple(OPS)):
    """A base text, tokenized, then a few grammar-ish edits: a token spelt as another of its kind
    (mostly), tokens deleted, doubled, swapped, replaced or joined by SPARQL fragments, the text cut
    short, keywords' case changed."""
    tokens = list(draw(st.sampled_from(bases)))  # (what may stand in for it, its text)
    for _ in range(draw(st.integers(1, 4))):
        op, i = draw(st.sampled_from(ops)), draw(st.integers(0, max(len(tokens) - 1, 0)))
        if op == "insert" or not tokens:
            tokens.insert(i, (FRAGMENTS, draw(st.sampled_from(FRAGMENTS))))
        elif op == "respell":  # a variable, name, IRI or literal of the same kind (the others stay as they are)
            i = draw(st.sampled_from([j for j, (pool, _) in enumerate(tokens) if len(pool) > 1] or [i]))
            tokens[i] = (tokens[i][0], draw(st.sampled_from(tokens[i][0])))
        elif op == "replace":
            tokens[i] = (FRAGMENTS, draw(st.sampled_from(FRAGMENTS)))
        elif op == "delete":
            del tokens[i]
        elif op == "duplicate":
            tokens.insert(i, tokens[i])
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == "truncate":
            tokens = tokens[:i]
        else:
            tokens[i] = (tokens[i][0], tokens[i][1].swapcase())
    return " ".join(text for _, text in tokens)


def texts(bases):
    """Texts of requests: the bases, their variables, names and literals respelt (mostly still valid),
    the bases mutated (mostly invalid), random text, SPARQL fragments at random."""
    tokens = token_lists(bases)
    return st.one_of(
        mutated(tokens, ("respell",)),
        mutated(tokens),
        st.sampled_from(bases),
        st.text(max_size=200),
        st.lists(st.sampled_from(FRAGMENTS), max_size=25).map(" ".join),
    )


LATIN1 = st.characters(min_codepoint=0x20, max_codepoint=0xFF)
ACCEPTS = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            "*/*",
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
            "text/turtle",
            "application/n-triples",
            "application/rdf+xml",
            "application/ld+json",
            "application/trig",
            "text/html",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "image/png",
            "application/json;q=0",
            "*/*;q=abc",
            "text/*;q=0.5, */*;q=0.1",
            ";;;,,",
            "application/sparql-results+json; charset=utf-16",
            "x" * 5000,
        ]
    ),
    st.text(LATIN1, max_size=60),
)
PARAMS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "default-graph-uri",
                "named-graph-uri",
                "format",
                "query",
                "update",
                "using-graph-uri",
                "using-named-graph-uri",
                "timeout",
                "x",
                "",
                "Query",
                "format[]",
            ]
        ),
        st.one_of(
            st.sampled_from(
                [
                    "json",
                    "xml",
                    "csv",
                    "tsv",
                    "turtle",
                    "ntriples",
                    "rdfxml",
                    "jsonld",
                    "trig",
                    "html",
                    "text/html",
                    "*/*",
                    "application/sparql-results+json;q=0.5",
                    "https://w3id.org/paradiplomacy/graph/inferred",
                    "https://w3id.org/paradiplomacy/resource/claim-chongqing-lobbied-mofcom-for-atdc",
                    "<TRAP>",
                    TRAP,
                    "http://a b",
                    "",
                    "\x00",
                    "%",
                    "relative",
                    "urn:x",
                    "ASK {}",
                ]
            ),
            st.text(max_size=40),
        ),
    ),
    max_size=4,
)
HEADERS = st.lists(
    st.tuples(
        st.one_of(
            st.sampled_from(
                [
                    "Authorization",
                    "Content-Encoding",
                    "Accept-Encoding",
                    "Accept-Charset",
                    "Accept-Language",
                    "Origin",
                    "Cookie",
                    "X-Forwarded-For",
                    "X-Forwarded-Host",
                    "X-Forwarded-Proto",
                    "Forwarded",
                    "Host",
                    "Expect",
                    "Range",
                    "If-None-Match",
                    "If-Modified-Since",
                    "Referer",
                    "User-Agent",
                    "X-HTTP-Method-Override",
                    "Access-Control-Request-Method",
                    "Access-Control-Request-Headers",
                ]
            ),
            st.text(st.sampled_from("abcxyzXYZ-_0123456789"), min_size=1, max_size=20),
        ),
        st.one_of(
            st.sampled_from(
                [
                    "Bearer wrong",
                    f"Bearer {UPDATE_TOKEN}",
                    "Basic Zm9vOmJhcg==",
                    "bearer",
                    "Bearer",
                    "gzip",
                    "deflate, br",
                    "utf-16;q=1",
                    "100-continue",
                    "bytes=0-0,5-1",
                    "*",
                    "null",
                    "http://evil.example",
                    "127.0.0.1",
                    "%00",
                    XSS,
                    "\x00",
                    "x" * 8000,
                ]
            ),
            st.text(LATIN1, max_size=60),
        ),
    ),
    max_size=4,
)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            None,
            "",
            "application/x-www-form-urlencoded",
            "application/sparql-query",
            "application/sparql-update",
            "application/x-www-form-urlencoded; charset=latin-1",
            "application/sparql-query; charset=utf-16",
            "application/sparql-query; charset=nope",
            "application/sparql-update; charset=",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
            "text/plain",
            "application/json",
            "application/sparql-query;;;q=1",
        ]
    ),
    st.text(LATIN1, max_size=40),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252", "utf-32"])


@pytest.fixture(scope="module")
def trap():
    """The listener the fuzzed text names; after the module, it must have had no connection."""
    with listener() as (url, connections):
        yield url
    assert connections == [], "a fuzzed request made the server call the listener"


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    tried = sum(TALLY.values())
    other_5xx = {s: n for s, n in TALLY.items() if s >= 500 and s != 503}
    print(
        f"\nfuzzed {tried} requests: {dict(sorted(TALLY.items()))} by status; {TALLY[503]} answered 503 by the "
        f"time limit, other 5xx: {other_5xx or 0}"
    )


@pytest.fixture(scope="module")
def fuzz_writable(tmp_path_factory):
    """A server of its own that accepts updates: fuzzed updates may drop everything."""
    s = start_writable(tmp_path_factory.mktemp("fuzz-writable"))
    yield s
    s.stop()


def _bytes(value, trap: str) -> bytes:
    if isinstance(value, bytes):
        return value.replace(TRAP.encode(), trap.encode())
    return value.replace(TRAP, trap).encode("latin-1", "replace")


def send(server, trap: str, method: str, path: str, headers=(), body: bytes | None = None):
    """Send a request as given (http.client checks only that it can be framed); check the answer."""
    path = path.replace(TRAP, quote(trap, safe=""))
    conn = http.client.HTTPConnection("127.0.0.1", int(urlsplit(server.url).port), timeout=20)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            if value is not None:
                conn.putheader(name, _bytes(value, trap))
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        answer = response.read()
    finally:
        conn.close()
    sent = (method + path + repr(headers)).encode() + (body or b"")
    check(server, response.status, response.headers, answer, sent)
    return response.status


def check(server, status: int, headers, body: bytes, sent: bytes) -> None:
    TALLY[status] += 1
    text = body.decode("utf-8", "replace")
    shown = f"{status} {headers.get('Content-Type')}: {text[:300]!r}"
    assert status < 500 or status == 503 and ("time limit" in text or headers.get("Retry-After")), shown
    for leak in (
        "Traceback",
        'File "',
        '.py"',
        ".py:",
        "site-packages",
        "/home/",
        str(ROOT),
        str(server.home),
        str(server.store),
        "[build-system]",
        "from __future__ import",
    ):
        assert leak.encode() in sent or leak not in text, f"{leak!r} in {shown}"
    content_type = headers.get("Content-Type", "")
    if status >= 400 and body:
        assert content_type.split(";")[0] in ("text/plain", "text/html"), shown
    if content_type.startswith("text/html"):
        assert XSS not in text and 'href="javascript:' not in text.lower(), shown


def sparql_request(operation: str, text: str, how: str, params, accept, extra_headers, encoding: str):
    """A protocol request: the operation as a URL parameter, a form field or the body."""
    headers = [("Accept", accept), *extra_headers]
    fields = [(operation, text)] if how in ("get", "form") else []
    query = urlencode(fields + list(params) if how == "get" else params)
    path = "/sparql" + (f"?{query}" if query else "")
    if how == "get":
        return "GET", path, headers, None
    if how == "form":
        body = urlencode(fields, encoding=encoding, errors="replace").encode("ascii")
        return "POST", path, headers + [("Content-Type", "application/x-www-form-urlencoded")], body
    media_type = "application/sparql-query" if operation == "query" else "application/sparql-update"
    return (
        "POST",
        path,
        headers + [("Content-Type", f"{media_type}; charset={encoding}")],
        text.encode(encoding, "replace"),
    )


@settings(FUZZ, max_examples=2400)
@given(
    text=texts(QUERY_BASES),
    how=st.sampled_from(["get", "form", "direct"]),
    accept=st.sampled_from([None, "*/*", "application/sparql-results+xml", "text/csv", "text/turtle", "text/html"]),
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16"]),
)
def test_fuzzed_queries(server, trap, text, how, accept, encoding):
    """Fuzzed query texts, in requests otherwise well formed."""
    send(server, trap, *sparql_request("query", text, how, [], accept, [], encoding))


@settings(FUZZ, max_examples=1000)
@given(
    text=st.sampled_from(QUERY_BASES) | mutated(token_lists(QUERY_BASES), ("respell",)),
    how=st.sampled_from(["get", "form", "direct"]),
    params=PARAMS,
    accept=ACCEPTS,
    extra_headers=HEADERS,
    encoding=ENCODINGS,
)
def test_fuzzed_parameters_and_headers(server, trap, text, how, params, accept, extra_headers, encoding):
    """Queries mostly valid, with fuzzed parameters, Accept and other headers, and text encodings."""
    send(server, trap, *sparql_request("query", text, how, params, accept, extra_headers, encoding))


@settings(FUZZ, max_examples=500)
@given(
    text=texts(UPDATE_BASES),
    how=st.sampled_from(["form", "direct"]),
    params=st.just([]) | PARAMS,
    accept=ACCEPTS,
    token=st.sampled_from([UPDATE_TOKEN, UPDATE_TOKEN, None, "wrong"]),
    encoding=ENCODINGS,
)
def test_fuzzed_updates(fuzz_writable, trap, text, how, params, accept, token, encoding):
    """With the token, on a server that accepts updates; and against the read-only one."""
    auth = [("Authorization", f"Bearer {token}")] if token else []
    status = send(fuzz_writable, trap, *sparql_request("update", text, how, params, accept, auth, encoding))
    assert token == UPDATE_TOKEN or status != 204, "an update without the token was applied"


@settings(FUZZ, max_examples=1000)
@given(
    method=st.sampled_from(["POST", "POST", "POST", "PUT", "PATCH"]),
    content_type=CONTENT_TYPES,
    body=st.one_of(
        st.binary(max_size=400),
        texts(QUERY_BASES).map(lambda t: t.encode("utf-16")),
        st.binary(max_size=200).map(lambda b: b"query=" + b),
        st.binary(max_size=200).map(lambda b: b'--xyz\r\nContent-Disposition: form-data; name="query"\r\n\r\n' + b),
    ),
    params=PARAMS,
    accept=ACCEPTS,
    extra_headers=HEADERS,
)
def test_fuzzed_bodies(server, trap, method, content_type, body, params, accept, extra_headers):
    path = "/sparql" + (f"?{urlencode(params)}" if params else "")
    send(server, trap, method, path, [("Accept", accept), ("Content-Type", content_type), *extra_headers], body)


SEGMENTS = st.one_of(
    st.sampled_from(
        [
            "chongqing",
            "markup-state",
            "claim-markup-labour-division",
            "inferred",
            "..",
            "%2e%2e",
            "%2F",
            "%00",
            "%ff%fe",
            "%",
            "%zz",
            XSS,
            quote(XSS),
            "javascript:alert(7331)",
            "a" * 3000,
            "../../pyproject.toml",
            "..%2F..%2Fpyproject.toml",
            "vendor/yasgui/../../../../../../etc/passwd",
            "~",
            ";",
            "?",
            "#",
            "TRAP",
            "paradiplomacy.ttl",
            "app.py",
            "__init__.py",
        ]
    ),
    st.text(max_size=30).map(lambda t: quote(t, safe="/:@")),
    st.binary(max_size=30).map(quote_from_bytes),
)


@settings(FUZZ, max_examples=1200)
@given(
    method=st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "TRACE", "PROPFIND"]),
    root=st.sampled_from(
        [
            "/resource/",
            "/graph/",
            "/sparql/",
            "/sparql",
            "/ontology/",
            "/ontology",
            "/static/",
            "/static/vendor/yasgui/",
            "/map",
            "/map.json",
            "/network",
            "/network.json",
            "/.well-known/void",
            "/health",
            "/",
            "//",
            "/resource",
            "/%2e%2e/",
            "/nothing/",
        ]
    ),
    segments=st.lists(SEGMENTS, max_size=4),
    params=PARAMS,
    accept=ACCEPTS,
    extra_headers=HEADERS,
)
def test_fuzzed_paths(server, trap, method, root, segments, params, accept, extra_headers):
    path = root + "/".join(segments) + (f"?{urlencode(params)}" if params else "")
    send(server, trap, method, path, [("Accept", accept), *extra_headers], b"" if method == "POST" else None)


def test_the_servers_answer_as_before_the_fuzzing(server, fuzz_writable):
    for s in (server, fuzz_writable):
        health = s.health()
        # the clients' workers (2, 1) and the one kept for the pages
        assert health["status"] == "ok" and len(s.worker_pids()) == (3 if s is server else 2)
    assert (
        send(
            server,
            "",
            "GET",
            "/sparql?" + urlencode({"query": "ASK { pdr:chongqing ?p ?o }"}),
            [("Accept", "application/sparql-results+json")],
        )
        == 200
    )
