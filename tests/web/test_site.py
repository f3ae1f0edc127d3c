"""The site's entrance, search, lists and downloads (issue #17), in-process: Flask's test client on the
app over the real graph (built once per session), its queries answered by real worker processes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from paradiplomacy.namespaces import PD, PDR
from web.conftest import Page

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


def count(store, query: str) -> int:
    return int(next(iter(store.query(query).as_dicts()))["n"])


def test_the_home_page_says_what_the_graph_is_and_leads_everywhere(client, store):
    r = client.get("/", headers=HTML)
    assert r.status_code == 200
    page = Page(r.text)
    assert "China's Provinces as Global Actors: Evidence from China-Africa Relations" in page.text
    assert "Lenz, Charlotte" in page.text
    for model in ("province as subordinate", "province as collaborative partner", "province as agent and initiator"):
        assert model in page.text
    claims = count(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a pd:Claim }")
    rows = count(store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a pd:FinancedProject }")
    assert f"{claims:,} claims of the paper" in page.text and f"{rows:,} dataset rows" in page.text
    assert "actors" in page.text and "engagements" in page.text and "Built 20" in page.text
    for target in (
        "/query",
        "/browse",
        "/map",
        "/network",
        "/ontology",
        "/.well-known/void",
        "/download/paradiplomacy-kg.trig",
    ):
        assert target in page.links, target
    assert "home-search" in page.ids


def test_the_query_interface_has_its_own_address(client):
    page = Page(client.get("/query", headers=HTML).text)
    assert "yasgui" in page.ids and "/static/app.js" in page.scripts
    assert client.get("/sparql", headers=HTML).headers["Location"].endswith("/query")


def search(client, q: str, **params) -> dict:
    r = client.get("/search", query_string={"q": q, "format": "json", **params})
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


@pytest.mark.parametrize("typed", ["Jiangxi", "jiangxi", "JIANGX", "江西"])
def test_search_finds_a_province_by_english_pinyin_or_chinese_name(client, typed):
    answer = search(client, typed)
    first = answer["results"][0]
    assert first["id"] == str(PDR.jiangxi) and first["label"] == "Jiangxi" and first["page"] == "/resource/jiangxi"
    assert {"id": str(PD.ProvinceLevelUnit), "label": "province-level unit"} in first["types"]


def test_search_ranks_the_exact_name_first_and_matches_alternative_names_and_pinyin(client):
    answer = search(client, "zambia")
    assert answer["results"][0]["id"] == str(PDR.zambia) and answer["results"][0]["exact"]
    scores = [h["score"] for h in answer["results"]]
    assert scores == sorted(scores, reverse=True) and len(scores) > 1
    pinyin = search(client, "baotuan chuhai")["results"]
    assert pinyin and pinyin[0]["matchKind"] == "pinyin"


def test_search_facets_count_types_and_filter_by_them(client):
    answer = search(client, "jiangxi")
    facets = {f["id"]: f["count"] for f in answer["facets"]}
    assert facets[str(PD.ProvinceLevelUnit)] == 1 and len(facets) > 1
    only = search(client, "jiangxi", type=str(PD.ProvinceLevelUnit))
    assert [h["id"] for h in only["results"]] == [str(PDR.jiangxi)] and only["total"] == 1


def test_search_as_html_lists_hits_with_links_and_facets(client):
    r = client.get("/search", query_string={"q": "Jiangxi"}, headers=HTML)
    page = Page(r.text)
    assert r.status_code == 200 and "/resource/jiangxi" in page.links
    assert "Types" in page.text and any("type=" in link for link in page.links)
    assert "Nothing" not in client.get("/search?q=", headers=HTML).text


def rows_of(html: str) -> int:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")


@pytest.mark.parametrize(
    "name, expected, asked",
    [
        ("provinces", 31, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pd:ProvinceLevelUnit }"),
        ("states", None, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pd:ForeignState }"),
        ("sections", None, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pd:Section }"),
    ],
)
def test_each_list_has_a_row_for_each_resource(client, store, name, expected, asked):
    n = count(store, asked)
    if expected is not None:
        assert n == expected
    r = client.get(f"/browse/{name}", headers=HTML)
    assert r.status_code == 200
    assert rows_of(r.text) == min(n, 50) and f"{n} rows" in Page(r.text).text


def test_the_province_list_counts_engagements_and_links_to_pages(client):
    page = Page(client.get("/browse/provinces", headers=HTML).text)
    assert "/resource/jiangxi" in page.links and "江西" in page.text and "Engagements (paper)" in page.text


def test_lists_drill_down_and_paginate(client, store):
    overview = Page(client.get("/browse/mechanisms", headers=HTML).text)
    medical = next(link for link in overview.links if "MedicalTeamTwinning" in link)
    first = client.get(medical, headers=HTML)
    total = count(
        store,
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a pd:MedicalTeamTwinning "
        "FILTER EXISTS { ?e pd:subStateActor|pd:foreignCounterpart ?x } }",
    )
    assert total > 50 and f"{total} rows" in Page(first.text).text and "page 1 of" in first.text
    second = client.get(medical + "&page=2", headers=HTML)
    assert rows_of(second.text) == min(total - 50, 50) and second.text != first.text
    assert client.get("/browse/claims", headers=HTML).status_code == 400  # a section must be named
    assert client.get("/browse/nothing", headers=HTML).status_code == 404


def test_every_list_of_the_browse_page_answers(client):
    page = Page(client.get("/browse", headers=HTML).text)
    lists = [link for link in page.links if link.startswith("/browse/")]
    assert len(lists) == 7
    for link in lists:
        r = client.get(link, headers=HTML)
        assert r.status_code == 200 and rows_of(r.text) > 0, link


@pytest.mark.slow
def test_the_whole_graph_downloads_with_its_named_graphs(client, store):
    r = client.get("/download/paradiplomacy-kg.trig")
    assert r.status_code == 200 and r.mimetype == "application/trig"
    assert "attachment" in r.headers["Content-Disposition"]
    dataset = ox.Dataset(ox.parse(r.data, format=ox.RdfFormat.TRIG))
    assert len(dataset) == len(store)
    assert ox.NamedNode(str(PDR["claim-lenz-col-chongqing-lobbied-mofcom"])) in {q.graph_name for q in dataset}


OA_EXACT = ox.NamedNode("http://www.w3.org/ns/oa#exact")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.mark.parametrize(
    "media_type, rdf_format", [("application/trig", ox.RdfFormat.TRIG), ("application/ld+json", ox.RdfFormat.JSON_LD)]
)
def test_a_resources_rdf_keeps_the_claim_graphs_its_page_shows(client, media_type, rdf_format):
    html = Page(client.get("/resource/jiangxi", headers=HTML).text)
    shown_claims = {
        str(PDR) + link[len("/resource/") :]
        for link in html.links
        if link.startswith("/resource/claim-") and not link.endswith("-provenance")
    }
    r = client.get("/resource/jiangxi", headers={"Accept": media_type})
    assert r.status_code == 200 and r.mimetype == media_type
    dataset = ox.Dataset(ox.parse(r.data, format=rdf_format))
    jiangxi = ox.NamedNode(str(PDR.jiangxi))
    graphs_with_facts = {q.graph_name.value for q in dataset if jiangxi in (q.subject, q.object)}
    claim = ox.NamedNode(str(PD.Claim))
    claims = {q.subject.value for q in dataset if q.predicate == RDF_TYPE and q.object == claim}
    assert shown_claims and shown_claims <= graphs_with_facts  # each claim of the page is a graph of the RDF
    assert shown_claims <= claims  # ... with its provenance
    for c in shown_claims:  # the provenance sits in the claim's own provenance graph, with the quote
        provenance = {q.graph_name for q in dataset if q.subject == ox.NamedNode(c) and q.predicate == RDF_TYPE}
        assert provenance and all(g.value != c for g in provenance)
        quotes = [q for q in dataset if q.predicate == OA_EXACT and q.graph_name in provenance]
        assert quotes, c
    assert len(client.get("/resource/jiangxi", headers={"Accept": "text/turtle"}).data) > 0


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.slow
def test_void_is_a_page_for_a_browser_and_rdf_for_a_client(client, store):
    page = client.get("/.well-known/void", headers=BROWSER)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = Page(page.text).text
    provinces = count(store, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a pd:ProvinceLevelUnit }")
    assert "province-level unit" in text and f"province-level unit {provinces}" in text  # a label, not pd:...
    assert "Classes (" in text and "Properties (" in text and "SPARQL endpoint" in text
    for accept in ("*/*", "text/turtle"):
        r = client.get("/.well-known/void", headers={"Accept": accept})
        assert r.mimetype == "text/turtle", accept
        assert len(list(ox.parse(r.data, format=ox.RdfFormat.TURTLE))) > 100


@pytest.mark.slow
def test_the_service_description_is_a_page_too(client, store):
    page = client.get("/service-description", headers=BROWSER)
    text = Page(page.text).text
    assert page.status_code == 200 and "SPARQL 1.1 Query" in text and "Named graphs (" in text
    named = count(store, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert f"Named graphs ({named})" in text
    rdf = client.get("/service-description", headers={"Accept": "text/turtle"})
    assert rdf.mimetype == "text/turtle" and b"sd:Service" in rdf.data
    assert "/service-description" in Page(client.get("/", headers=HTML).text).links
