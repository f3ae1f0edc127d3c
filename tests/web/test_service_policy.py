"""The SERVICE allow-list and the tokenizer behind it, without a server: comments and strings that
mention SERVICE pass, every way of writing a call to another endpoint is refused, and a text the
tokenizer might misread is refused unless a second parser agrees."""

import pyoxigraph as ox
import pytest

from paradiplomacy.sparql.lexer import has_dataset_clause, request_form, tokenize
from paradiplomacy.sparql.prefixes import with_prefixes
from paradiplomacy.sparql.service import Refused, check, route

WIKIDATA = "https://query.wikidata.org/sparql"
ALLOWED = frozenset({WIKIDATA})
EVIL = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize(
    "query, targets",
    [
        ("SELECT * { ?s ?p ?o }", []),
        (f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}", [WIKIDATA]),
        ("PREFIX w: <https://query.wikidata.org/> SELECT * { SERVICE SILENT w:sparql { ?s ?p ?o } }", [WIKIDATA]),
        (f"SELECT * {{ SERVICE <{WIKIDATA[:-1]}\\u006C> {{ ?s ?p ?o }} }}", [WIKIDATA]),
        ("SELECT * { # SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n ?s ?p ?o }", []),
        ('SELECT * { ?s ?p "SERVICE <http://127.0.0.1:9/sparql> { }" }', []),
        ("SELECT * { ?s ?p '''\nSERVICE <http://127.0.0.1:9/sparql> { }\n''' }", []),
        ("SELECT ?service WHERE { ?service pdr:public-service <http://example.org/service> }", []),
    ],
)
def test_allowed(query, targets):
    assert [c.target for c in check(query, ALLOWED)] == targets


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"select * {{ service<{EVIL}>{{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{EVIL}> {{ ?s ?p ?o }} }}",
        "PREFIX pd: <http://127.0.0.1:9/> SELECT * { SERVICE pd:sparql { ?s ?p ?o } }",
        f"SELECT * {{ VALUES ?e {{ <{EVIL}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "BASE <http://127.0.0.1:9/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE nope:sparql { ?s ?p ?o } }",
        f"SELECT * {{ ſERVICE <{EVIL}> {{ ?s ?p ?o }} }}",  # a look-alike letter: refused, not guessed
        # `<` read as an IRI by a tokenizer but as "less than" by the parser, hiding a call in a "string"
        f"SELECT * {{ ?a ?b ?c FILTER(?a<?b&&'>'=?c) SERVICE <{EVIL}> {{ ?s ?p ?o }} FILTER(?c='') }}",
        f'SELECT * {{ ?a ?b ?c FILTER(?a<?b#>) """\n) SERVICE <{EVIL}> {{ ?s ?p ?o }}\n# """\n}}',
        f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} SERVICE <{EVIL}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE <{WIKIDATA}> {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }} }}",
    ],
)
def test_refused(query):
    with pytest.raises(Refused):
        check(query, ALLOWED)


def test_nothing_is_allowed_with_an_empty_allow_list():
    with pytest.raises(Refused, match="no remote endpoint"):
        check(f"SELECT * {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}", frozenset())


@pytest.mark.parametrize(
    "update",
    [
        f"LOAD <{EVIL}>",
        f"load silent <{EVIL}> into graph <http://g>",
        f"INSERT DATA {{ <http://a> <http://b> 'c' }} ; LOAD <{EVIL}>",
    ],
)
def test_load_is_always_refused(update):
    with pytest.raises(Refused, match="LOAD"):
        check(update, ALLOWED, update=True)


def test_an_update_that_mentions_load_in_a_literal_passes():
    assert check("INSERT DATA { <http://a> <http://b> 'download, loaded' }", ALLOWED, update=True) == []


def test_route_rewrites_only_the_checked_calls():
    query = (
        f"PREFIX w: <https://query.wikidata.org/> SELECT * {{ ?s ?p '<{WIKIDATA}>' "
        f"SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} SERVICE w:sparql {{ ?s ?p ?o }} }}"
    )
    routed = route(query, check(query, ALLOWED), {WIKIDATA: "http://127.0.0.1:7878/query"})
    assert routed.count("SERVICE <http://127.0.0.1:7878/query>") == 2
    assert f"'<{WIKIDATA}>'" in routed  # the string is untouched
    ox.Store().query(routed.replace("SERVICE", "GRAPH"))  # still a query


@pytest.mark.parametrize(
    "text, form",
    [
        ("PREFIX a: <http://a/> # comment\nBASE <http://b/> select * {}", "SELECT"),
        ("ASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://a>", "DESCRIBE"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
        ("WITH <http://g> DELETE {} WHERE {}", "WITH"),
        ("# only a comment", None),
        ("'unterminated", None),
    ],
)
def test_request_form(text, form):
    assert request_form(text) == form


def test_dataset_clause():
    assert has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    assert has_dataset_clause("SELECT * FROM NAMED <http://g> { GRAPH ?g { ?s ?p ?o } }")
    assert not has_dataset_clause("SELECT * { ?s ?p 'FROM <http://g>' } # FROM <http://g>")


def test_tokens_and_positions():
    text = 'SELECT ?x WHERE { ?x a pd:Claim ; rdfs:label "a \\" b"@en }'
    tokens = tokenize(text)
    assert [t.kind for t in tokens] == [
        "word",
        "var",
        "word",
        "punct",
        "var",
        "word",
        "pname",
        "punct",
        "pname",
        "string",
        "langtag",
        "punct",
    ]
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_examples_get_declarations_for_the_predeclared_prefixes_they_use():
    query = "# Title?\n# Description.\nSELECT ?q WHERE { pdr:x oa:exact ?q ; ex:y ?z }"
    completed = with_prefixes(query, used_only=True)
    assert completed.splitlines()[:4] == [
        "# Title?",
        "# Description.",
        "PREFIX oa: <http://www.w3.org/ns/oa#>",
        "PREFIX pdr: <https://w3id.org/paradiplomacy/resource/>",
    ]
    assert "PREFIX ex:" not in completed  # not a project prefix: left for the parser to report
    declared = "PREFIX oa: <http://www.w3.org/ns/oa#>\nSELECT * { ?a oa:exact ?b }"
    assert with_prefixes(declared, used_only=True) == declared


def test_a_prepared_request_is_remembered_and_a_refused_one_checked_every_time():
    from paradiplomacy.web import worker

    policy = worker.ServicePolicy(frozenset({"https://query.wikidata.org/sparql"}), {})
    allowed = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    first = policy.prepare(allowed)
    assert policy.prepare(allowed) is first and first.services == ("https://query.wikidata.org/sparql",)
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"
    for _ in range(2):
        with pytest.raises(Refused):
            policy.prepare(refused)
    for i in range(worker.PREPARED_CACHE + 1):  # the oldest is forgotten first
        policy.prepare(f"ASK {{ ?s ?p {i} }}")
    assert policy.prepare(allowed) is not first and len(policy._prepared) == worker.PREPARED_CACHE
    long = "ASK {}" + " " * worker.PREPARED_CACHE_CHARS
    assert policy.prepare(long) is not policy.prepare(long)
