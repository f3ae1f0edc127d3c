"""The row cap of the query workers (web/worker.py `_capped_solutions`): answers cut on the bytes of pyoxigraph's
own TSV, then written by pyoxigraph in the format asked for, are the bytes pyoxigraph writes for those rows."""

import pyoxigraph as ox
import pytest

from paradiplomacy.web.worker import _capped_solutions

EX = "http://example.org/"
FORMATS = [ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV]
QUERIES = [
    "SELECT ?s ?p ?o ?x WHERE { GRAPH ?g { ?s ?p ?o } OPTIONAL { ?o ?y ?x } } ORDER BY ?s ?p ?o",
    "SELECT * {}",
    "SELECT * { FILTER(false) }",
    "SELECT ?unbound {}",
    "SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o ORDER BY ?o",
]


@pytest.fixture(scope="module")
def store():
    s = ox.Store()
    node = lambda x: ox.NamedNode(EX + x)  # noqa: E731
    objects = [
        ox.Literal('two\nlines\tand a tab, "quotes", \\ and é ☃'),
        ox.Literal("fr", language="fr"),
        ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal('<result> }},{"x":{} ,{}'),
        node("o"),
        ox.BlankNode("b1"),
    ]
    for i, o in enumerate(objects):
        s.add(ox.Quad(node(f"s{i}"), node("p"), o, node("g")))
        s.add(ox.Quad(ox.BlankNode(f"n{i}"), node("q"), o, node("g")))
    return s


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
@pytest.mark.parametrize("query", QUERIES)
def test_capped_bodies_are_pyoxigraphs_own(store, query, fmt):
    def run(text):
        return store.query(text, use_default_graph_as_union=True)

    whole = run(query).serialize(format=fmt)
    rows = len(list(run(query)))
    for cap in (0, 1, 2, rows - 1, rows, rows + 5):
        if cap < 0:
            continue
        body, count, truncated = _capped_solutions(run(query), cap, fmt)
        assert (count, truncated) == (min(rows, cap), rows > cap)
        assert body == (run(f"{query} LIMIT {cap}").serialize(format=fmt) if rows > cap else whole)
