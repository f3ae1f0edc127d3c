"""No request makes the server call an address it was not told to: SERVICE only to the allow-list,
LOAD never; FROM, FROM NAMED, USING, WITH, GRAPH, ADD, COPY and MOVE name graphs of the store and fetch
nothing. Each is proven by a listener on 127.0.0.1 that must receive no connection. An update needs
the bearer token, and one refused leaves the data as it was (the store's generation and its quads,
counted before and after)."""

import pytest
import requests
from web_servers import UPDATE_TOKEN, listener

pytestmark = pytest.mark.slow  # real servers, processes or a browser

JSON = "application/sparql-results+json"
INSERT = "INSERT DATA { GRAPH pdg:test-updates { pdr:updated-thing rdfs:label 'updated' } }"


def state(server) -> tuple:
    return server.health()["generation"], server.quads()


REFUSED_FORMS = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z . {{ SELECT ?s WHERE {{ SERVICE<{url}>{{ ?s ?p ?o }} }} }} }}",
    "PREFIX evil: <{base}> SELECT * WHERE {{ SERVICE evil:sparql {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # a comment, then the call\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?a ?b ?c FILTER(?a<?b&&'>'=?c) SERVICE <{url}> {{ ?s ?p ?o }} FILTER(?c='') }}",
    'SELECT * WHERE {{ ?a ?b ?c FILTER(?a<?b#>) """\n) SERVICE <{url}> {{ ?s ?p ?o }}\n# """\n}}',
    "SELECT * WHERE {{ VALUES ?endpoint {{ <{url}> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("form", REFUSED_FORMS)
def test_service_to_an_address_off_the_allow_list_is_refused_and_never_called(server, form):
    with listener() as (url, connections):
        query = form.format(url=url, base=url[: -len("sparql")])
        r = requests.post(server.url + "/sparql", data={"query": query}, headers={"Accept": "*/*"})
        assert r.status_code == 403, r.text
        assert "SERVICE" in r.text
    assert connections == [], "the server called the address"


def test_service_in_text_only_is_not_refused(server):
    q = (
        "SELECT ?label WHERE { # SERVICE <http://127.0.0.1:9/> in a comment\n"
        '  ?s rdfs:label ?label FILTER(?label != "SERVICE <http://127.0.0.1:9/> { }") } LIMIT 1'
    )
    assert requests.get(server.url + "/sparql", params={"query": q}).status_code == 200


def test_service_on_the_allow_list_is_called(server, stand_in):
    calls = len(stand_in.requests)
    q = f"SELECT ?capital WHERE {{ SERVICE <{stand_in.url}> {{ ?country ?p ?capital }} }}"
    r = requests.get(server.url + "/sparql", params={"query": q}, headers={"Accept": JSON})
    assert r.status_code == 200, r.text
    assert [b["capital"]["value"] for b in r.json()["results"]["bindings"]] == ["Dodoma"]
    assert len(stand_in.requests) == calls + 1


def test_from_and_from_named_fetch_nothing(server):
    with listener() as (url, connections):
        for q in (
            f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        ):
            r = requests.get(server.url + "/sparql", params={"query": q}, headers={"Accept": JSON})
            assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    assert connections == []


def test_an_allowed_public_service_is_routed_where_the_service_map_says(server, stand_in):
    calls = len(stand_in.requests)
    q = "SELECT ?capital WHERE { SERVICE <https://query.wikidata.org/sparql> { ?country ?p ?capital } }"
    r = requests.get(server.url + "/sparql", params={"query": q}, headers={"Accept": JSON})
    assert r.status_code == 200, r.text
    assert [b["capital"]["value"] for b in r.json()["results"]["bindings"]] == ["Dodoma"]
    assert len(stand_in.requests) == calls + 1 and "capital" in stand_in.requests[-1]


def test_update_needs_the_token(writable):
    before = state(writable)
    for token in (None, "", "wrong", UPDATE_TOKEN + "x", UPDATE_TOKEN[:-1], UPDATE_TOKEN.upper()):
        for as_form in (True, False):
            r = writable.update(INSERT, token, as_form)
            assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    for authorization in ("Basic " + UPDATE_TOKEN, UPDATE_TOKEN, f"Bearer  {UPDATE_TOKEN} x", f"Token {UPDATE_TOKEN}"):
        r = requests.post(writable.url + "/sparql", data={"update": INSERT}, headers={"Authorization": authorization})
        assert r.status_code == 401, authorization
    assert state(writable) == before


def test_updates_are_refused_by_a_read_only_server_even_with_a_token(server):
    before = state(server)
    r = requests.post(
        server.url + "/sparql", data={"update": INSERT}, headers={"Authorization": f"Bearer {UPDATE_TOKEN}"}
    )
    assert r.status_code == 403 and "read-only" in r.text
    assert state(server) == before


LOADS = [
    "LOAD <{url}>",
    "LOAD SILENT <{url}> INTO GRAPH pdg:x",
    "load silent <{url}> into graph <http://example.org/g>",
    "LoAd <{url}>",
    "INSERT DATA {{ pdr:a rdfs:label 'x' }} ; # then\n LOAD <{url}>",
    "PREFIX l: <{base}> LOAD l:sparql INTO GRAPH pdg:x",
    "BASE <{base}> LOAD <sparql>",
    "LOAD <{url}> ; LOAD SILENT <{url}?again>",
    "CLEAR SILENT GRAPH pdg:x ; LOAD SILENT <{url}> INTO GRAPH pdg:x",
]


@pytest.mark.parametrize("form", LOADS)
@pytest.mark.parametrize("token", [UPDATE_TOKEN, None], ids=["with the token", "without"])
def test_load_is_refused_fetches_nothing_and_changes_nothing(writable, form, token):
    before = state(writable)
    with listener() as (url, connections):
        r = writable.update(form.format(url=url, base=url[: -len("sparql")]), token)
        if token:
            assert r.status_code == 403 and "LOAD" in r.text, r.text
        else:
            assert r.status_code == 401
    assert connections == [], "the server fetched the address"
    assert state(writable) == before


SERVICE_IN_UPDATES = [
    "INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "DELETE {{ ?s ?p ?o }} INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} WHERE {{ ?s a pd:Ministry "
    "OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "WITH pdg:x INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "PREFIX e: <{base}> INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
    "INSERT DATA {{ pdr:a rdfs:label 'x' }} ; INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} WHERE "
    "{{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
]


@pytest.mark.parametrize("form", SERVICE_IN_UPDATES)
def test_an_update_with_a_service_off_the_allow_list_is_refused_and_changes_nothing(writable, form):
    before = state(writable)
    with listener() as (url, connections):
        r = writable.update(form.format(url=url, base=url[: -len("sparql")]))
        assert r.status_code == 403 and "SERVICE" in r.text, r.text
    assert connections == [], "the server called the address"
    assert state(writable) == before


GRAPH_NAMES_IN_UPDATES = (
    [
        "INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} USING <{url}> WHERE {{ ?s ?p ?o }}",
        "INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} USING NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "WITH <{url}> INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
        "INSERT {{ GRAPH pdg:x {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
    ]
    + [f"{op} <{{url}}> TO pdg:x" for op in ("ADD", "COPY SILENT", "MOVE SILENT")]
    + [f"{op} SILENT GRAPH <{{url}}>" for op in ("CLEAR", "DROP")]
)


@pytest.mark.parametrize("form", GRAPH_NAMES_IN_UPDATES)
def test_graph_names_in_an_update_fetch_nothing(writable, form):
    """They name graphs of the store (none by that name here), so the update adds no quad."""
    quads = state(writable)[1]
    with listener() as (url, connections):
        r = writable.update(form.format(url=url))
        assert r.status_code == 204, r.text
    assert connections == [], "the server fetched the address"
    assert state(writable)[1] == quads
