"""Linked data over HTTP: resources, graphs and ontology terms dereference, as HTML for browsers
(facts grouped with their provenance, inferences marked) and as RDF by content negotiation; and
markup in the data is text on every HTML page."""

import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from paradiplomacy.namespaces import PD, PDR
from paradiplomacy.store import OxigraphStore

from .conftest import Page


@pytest.fixture
def server(app_server):
    """In this module, the app in this process (web_servers.InProcessServer): its pages and protocol
    need no subprocess; tests/security and the browser tests use the real server."""
    return app_server


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
QUOTE = "Chongqing, for example, successfully lobbied the Ministry of Commerce to be granted the ATDC in Tanzania."
MARKUP = ["<script>alert(", "<b>bold</b>", "<img src=x", "<iframe", "</dd></dl>"]


def page(server, path, **kw):
    r = server.get(path, headers=BROWSER, **kw)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8", (path, r.status_code)
    return r, Page(r.text)


def test_resource_page_groups_facts_with_their_provenance(server):
    r, p = page(server, "/resource/chongqing")
    assert r.status_code == 200 and r.headers["Vary"] == "Accept"
    assert "Chongqing" in p.text
    # the claim's group: its quote, section and source, and the facts it supports
    assert QUOTE in p.text
    assert "Provinces as collaborative actors: health and agriculture" in p.text
    assert "China's Provinces as Global Actors: Evidence from China-Africa Relations" in p.text
    assert "/resource/claim-chongqing-lobbied-mofcom-for-atdc" in p.links
    assert "/resource/lenz-china-provinces" in p.links
    # the reasoner's inferences, marked as such
    assert "inferred by the reasoner" in p.text
    assert "/ontology#SubStateActor" in p.links
    assert 'class="type inferred"' in r.text and 'class="group group-inferred"' in r.text
    # facts that point to it
    assert "Referenced by" in p.text and "/resource/chongqing-atdc-lobbying" in p.links


def test_interpretation_claims_show_their_note(server):
    _, p = page(server, "/resource/markup-state")
    assert "interpretation" in p.text
    assert "A note with <script>alert('note')</script>" in p.text  # as text


def test_claim_page_shows_what_its_graph_holds(server):
    _, p = page(server, "/resource/claim-chongqing-lobbied-mofcom-for-atdc")
    assert "What this graph holds" in p.text
    assert "/resource/chongqing-tanzania-atdc" in p.links and QUOTE in p.text


@pytest.mark.parametrize(
    "fmt, media_type, parse_as",
    [
        ("turtle", "text/turtle", "turtle"),
        ("ntriples", "application/n-triples", "nt"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("rdfxml", "application/rdf+xml", "xml"),
        ("trig", "application/trig", "trig"),
    ],
)
def test_resource_in_rdf_by_content_negotiation(server, fmt, media_type, parse_as):
    by_accept = server.get("/resource/chongqing", headers={"Accept": media_type})
    by_param = server.get("/resource/chongqing", params={"format": fmt})
    for r in (by_accept, by_param):
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media_type
        g = (Dataset(default_union=True) if fmt in ("trig", "jsonld") else Graph()).parse(data=r.text, format=parse_as)
        assert (PDR.chongqing, RDFS.label, Literal("Chongqing", lang="en")) in g
        assert (PDR["chongqing-atdc-lobbying"], PD.lobbiedBy, PDR.chongqing) in g  # incoming too


def test_unknown_resource_is_404(server):
    r, p = page(server, "/resource/no-such-thing")
    assert r.status_code == 404 and "nothing is known" in p.text
    assert server.get("/resource/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404


def test_unacceptable_page_format_is_406(server):
    assert server.get("/resource/chongqing", headers={"Accept": "image/png"}).status_code == 406


def test_graph_pages(server):
    r, p = page(server, "/graph/inferred")
    assert r.status_code == 200 and "What this graph holds" in p.text
    r = server.get("/graph/inferred", headers={"Accept": "text/turtle"})
    assert r.status_code == 200


def test_ontology_page_documents_every_term(server):
    store = OxigraphStore(server.store, read_only=True)
    terms = store.query("""SELECT DISTINCT ?t WHERE { GRAPH pdg:ontology {
        ?t a ?kind VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } }
        FILTER(STRSTARTS(STR(?t), STR(pd:))) }""").column("t")
    store.close()
    r, p = page(server, "/ontology")
    assert r.status_code == 200 and len(terms) > 50
    missing = [t for t in terms if str(t)[len(PD) :] not in p.ids]
    assert missing == []
    assert {"classes", "object-properties", "datatype-properties"} <= p.ids


def test_ontology_page_shows_definition_quote_and_hierarchy(server):
    r, p = page(server, "/ontology")
    section = r.text.split('id="ProvinceLevelUnit"', 1)[1].split("</article>", 1)[0]
    term = Page(section)
    assert "subclass of" in term.text and "#SubStateActor" in term.links
    assert "superclass of" in term.text or "equivalent to" in term.text or "range of" in term.text
    actor = Page(r.text.split('id="Actor"', 1)[1].split("</article>", 1)[0])
    assert "superclass of" in actor.text and "#SubStateActor" in actor.links
    defined = [t for t in r.text.split("<article")[1:] if 'class="quote"' in t]
    assert defined, "no term shows a source quote"
    assert 'class="definition"' in defined[0]


def test_ontology_in_rdf(server):
    r = server.get("/ontology", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    assert (PD.ProvinceLevelUnit, RDF.type, OWL.Class) in g
    assert server.get("/ontology/0.1.0", allow_redirects=False).headers["Location"].endswith("/ontology")


def assert_markup_is_text(html: str, path: str) -> None:
    for fragment in MARKUP:
        assert fragment not in html, f"{path}: raw {fragment!r} in the page"


@pytest.mark.parametrize(
    "path, shown",
    [
        ("/query", "Which labels contain <script>alert('example')</script> markup?"),
        ("/resource/markup-state", "<script>alert('label')</script> & <b>bold</b> \"quoted\""),
        ("/resource/claim-markup-labour-division", "A note with <script>alert('note')</script> & an <img src=x"),
        ("/ontology", "A definition with </dd></dl><script>alert('definition')</script> in it."),
        ("/ontology", "A quote with <iframe src=\"javascript:alert('quote')\"></iframe>."),
        ("/ontology", "<script>alert('class')</script> class"),
        ("/resource/claim-markup-labour-division-provenance", "A note with <script>alert('note')</script>"),
        ("/graph/inferred", "<script>alert('label')</script> & <b>bold</b>"),
        ("/resource/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "<script>alert(1)</script>"),
    ],
)
def test_markup_in_the_data_is_shown_as_text_on_every_page(server, path, shown):
    r, p = page(server, path)
    assert shown in p.text
    assert_markup_is_text(r.text, path)
    assert not any(link.lower().startswith("javascript:") for link in p.links)
    assert all(s.startswith("/static/") or s == "application/json" for s in p.scripts)


def test_a_script_iri_is_never_a_link(server):
    r, p = page(server, "/resource/markup-state")
    assert "javascript:alert('seeAlso')" in p.text
    assert not any("javascript" in link for link in p.links)


def test_html_pages_carry_a_content_security_policy(server):
    r = server.get("/resource/chongqing", headers=BROWSER)
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_example_titles_are_escaped_in_the_interface_configuration(server):
    r, _ = page(server, "/query")
    config = r.text.split('<script type="application/json" id="ui-config">', 1)[1].split("</script>", 1)[0]
    assert "<" not in config and "\\u003cscript\\u003ealert('example')" in config.replace("\\u0027", "'")


@pytest.mark.reasoner
def test_each_classification_says_what_it_rests_on(real_app_server):
    """The real graph: Hebei's medical teams are collaborative on an interpretation (the labour division
    is our reading), the provinces' twinning on explicit statements; each marker lists the claims."""
    r, p = page(real_app_server, "/resource/hebei-drc-medical-teams")
    assert r.status_code == 200
    assert "rests on an interpretation" in p.text and "rests on explicit statements" not in p.text
    answer = real_app_server.get(
        "/sparql",
        params={
            "query": (
                "SELECT DISTINCT ?c WHERE { ?c pd:supportLevel pd:Interpretation . "
                "{ GRAPH ?c { pdr:hebei-drc-medical-teams ?p ?o } } UNION { GRAPH ?c { ?s ?q pdr:hebei-drc-medical-teams } } }"
            )
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    interpretation_claims = [b["c"]["value"] for b in answer.json()["results"]["bindings"]]
    assert interpretation_claims
    for claim in interpretation_claims:
        assert "/resource/" + claim.rsplit("/", 1)[1] in p.links
    r, p = page(real_app_server, "/resource/provincial-twinning")
    assert "rests on explicit statements" in p.text and "rests on an interpretation" not in p.text
