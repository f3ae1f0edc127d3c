"""Building and loading into each store backend: atomic, idempotent, provenance on every fact."""

import textwrap

import pyoxigraph as ox
import pytest
from conftest import make_config
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV
from remote_servers import SERVERS, remote_settings

from paradiplomacy.build import build, load_files, prepare
from paradiplomacy.errors import InvalidInput, StoreError
from paradiplomacy.namespaces import PD, PDR
from paradiplomacy.store import OxigraphStore, QuerySyntaxError, UpdateRefused, open_store
from paradiplomacy.store.oxigraph import UNION_MARK

# remote-oxigraph, remote-virtuoso: real servers on 127.0.0.1 (slow: outside the inner loop)
BACKENDS = ["oxigraph", "memory", *(pytest.param(name, marks=pytest.mark.slow) for name in SERVERS)]
LOBBYING = "SELECT ?who WHERE { ?l a pd:LobbyingForSelection ; pd:lobbiedBy ?who }"


@pytest.fixture(params=BACKENDS)
def project(request, mini_project, tmp_path):
    if request.param in SERVERS:  # a server shared by the session, emptied for each test
        cfg = make_config(
            tmp_path / "store", backend="remote", home=mini_project, **remote_settings(request, request.param)
        )
        store = open_store(cfg)
        store.replace_all([])
        assert store.is_empty()
        return cfg, store
    cfg = make_config(tmp_path / "store", backend=request.param, home=mini_project)
    return cfg, open_store(cfg)


def quads_without_times(store):
    """The dataset with time stamps dropped (they record when, not what). Blank nodes (OWL
    axioms of the ontology) get new labels on each parse, so they are counted, not compared."""
    rows = store.query("SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }").rows
    named = {
        r
        for r in rows
        if r[1] not in (PROV.generatedAtTime, PROV.startedAtTime, PD.seconds)
        and not any(isinstance(t, BNode) for t in r)
    }
    return named, sum(1 for r in rows if any(isinstance(t, BNode) for t in r))


@pytest.mark.parametrize("bulk_load", [None, 50], ids=["one-bulk-load", "bulk-loads-of-50"])
def test_a_build_written_from_its_staging_store_equals_one_written_from_rdflib_quads(
    mini_project, tmp_path, monkeypatch, bulk_load
):
    if bulk_load:  # many bulk loads, a blank node's quads among them: the same store
        monkeypatch.setattr("paradiplomacy.store.oxigraph.BULK_LOAD", bulk_load)
    staged = prepare(make_config(tmp_path / "unused", home=mini_project), datasets=False).dataset
    native, converted = OxigraphStore(tmp_path / "native"), OxigraphStore(tmp_path / "converted")
    native.replace_all_from(staged.store)
    converted.replace_all(staged.quads())
    assert len(native) == len(converted) == len(staged) > 0
    assert set(native.oxigraph()) == set(converted.oxigraph())  # the union default graph included
    assert any(isinstance(q.subject, ox.BlankNode) for q in native.oxigraph())  # kept with their labels


def test_a_write_from_a_staging_store_refuses_a_quad_for_the_default_graph(tmp_path):
    store, data = OxigraphStore(tmp_path / "store"), ox.Store()
    data.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    with pytest.raises(StoreError, match="a quad for the default graph"):
        store.replace_all_from(data)
    assert store.generation is None


CACHED = "read from the build cache"  # the build's stage when it reuses the last build's validated data


def test_a_rebuild_from_the_cache_writes_what_a_fresh_build_writes(mini_project, tmp_path):
    cfg = make_config(tmp_path / "store", home=mini_project)
    store = open_store(cfg)
    fresh = build(cfg, store, reason=False, cache=False)
    written = quads_without_times(store)
    assert CACHED not in build(cfg, store, reason=False).seconds  # nothing kept yet: made afresh, and kept
    again = build(cfg, store, reason=False)
    assert list(again.seconds)[0] == CACHED
    assert quads_without_times(store) == written and len(store) == again.quads == fresh.quads
    assert len(again.evidence.claims) == len(fresh.evidence.claims) and again.shacl == fresh.shacl


def test_a_changed_claim_file_is_read_again_and_a_bad_one_still_writes_nothing(mini_project, tmp_path):
    cfg = make_config(tmp_path / "store", home=mini_project)
    store = open_store(cfg)
    build(cfg, store, reason=False)
    claims = mini_project / "data" / "claims" / "mini.yaml"
    claims.write_text(claims.read_text().replace("successful: true", "successful: false"))
    assert CACHED not in build(cfg, store, reason=False).seconds
    changed = "ASK { pdr:chongqing-atdc-lobbying pd:successful false }"
    assert store.query(changed).boolean
    claims.write_text(claims.read_text().replace("successful: false", "successful: false\n        startYear: 1x"))
    with pytest.raises(InvalidInput, match=r"mini.yaml:\d+: claims\[0\]\.assert\[4\]\.startYear: malformed year"):
        build(cfg, store, reason=False)
    assert store.query(changed).boolean


def test_build_then_query(project):
    cfg, store = project
    build(cfg, store, reason=False)
    assert store.query(LOBBYING).column("who") == [PDR.chongqing]


def test_every_asserted_triple_sits_in_a_claim_graph_with_source_and_quote(project):
    cfg, store = project
    build(cfg, store, reason=False)
    orphans = store.query("""
        SELECT ?s ?p ?o WHERE {
          GRAPH ?g { ?s ?p ?o }
          FILTER(STRSTARTS(STR(?g), STR(pdr:claim-)) && !STRENDS(STR(?g), "-provenance"))
          FILTER NOT EXISTS { ?g a pd:Claim ; prov:wasDerivedFrom ?source ;
                                 oa:hasTarget/oa:hasSelector/oa:exact ?quote }
        }""").rows
    assert orphans == []
    row = store.query("""
        SELECT ?quote ?section ?note WHERE {
          GRAPH ?g { pdr:chongqing-atdc-lobbying pd:lobbiedBy pdr:chongqing }
          ?g oa:hasTarget/oa:hasSelector/oa:exact ?quote ; pd:section/dct:title ?section ; pd:citesEndnote/pd:endnoteNumber ?note
        }""").as_dicts()
    assert row == [
        {
            "quote": Literal(
                "Chongqing, for example, successfully lobbied the Ministry of Commerce to be "
                "granted the ATDC in Tanzania."
            ),
            "section": Literal("Provinces as collaborative actors: health and agriculture"),
            "note": Literal(16),
        }
    ]


@pytest.mark.slow
def test_failed_build_leaves_the_store_as_it_was(project):
    cfg, store = project
    build(cfg, store, reason=False)
    before = quads_without_times(store)
    path = cfg.home / "data" / "claims" / "mini.yaml"
    path.write_text(path.read_text().replace("lobbiedBy: chongqing", "lobbiedBy: nowhere"))
    with pytest.raises(InvalidInput):
        build(cfg, store, reason=False)
    assert quads_without_times(store) == before
    if cfg.backend == "oxigraph":  # and a fresh reader sees it too
        assert quads_without_times(open_store(cfg, read_only=True)) == before


@pytest.mark.slow
def test_rebuild_is_idempotent(project):
    """With reasoning: the inferred graph is rebuilt the same too."""
    cfg, store = project
    build(cfg, store)
    first = quads_without_times(store)
    build(cfg, store)
    assert quads_without_times(store) == first
    assert len(first[0]) > 1000 and first[1] > 100


@pytest.mark.slow
def test_load_evidence_and_rdf_then_reload_replaces(project, tmp_path):
    cfg, store = project
    build(cfg, store, reason=False)
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        textwrap.dedent("""\
        source: lenz-china-provinces
        section: provinces-as-initiators
        claims:
          - id: galamsey-test
            quote: "One stark example is the 2013 Galamsey Crisis in Ghana, ... complicated Beijing's overall foreign policy towards Ghana."
            endnotes: [27]
            assert:
              - id: galamsey-crisis-2013
                type: Event
                label: 2013 Galamsey crisis
                year: 2013
        """)
    )
    ttl = tmp_path / "extra.ttl"
    ttl.write_text("<https://example.org/a> <https://example.org/p> 'x' .\n")
    counts = load_files(cfg, store, [extra, ttl])
    assert counts["claims"] == 1 and counts["rdf_quads"] == 1
    size = len(store)
    assert store.query("ASK { pdr:galamsey-crisis-2013 pd:year 2013 }").boolean
    assert store.query("ASK { GRAPH pdg:import-extra-ttl { <https://example.org/a> ?p ?o } }").boolean
    assert store.query(LOBBYING).column("who") == [PDR.chongqing]  # the build is still there
    load_files(cfg, store, [extra, ttl])
    assert len(store) == size


@pytest.mark.slow
def test_failed_load_changes_nothing(project, tmp_path):
    cfg, store = project
    build(cfg, store, reason=False)
    before = quads_without_times(store)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://example.org/a> <https://example.org/p> .\n")
    good = tmp_path / "good.ttl"
    good.write_text("<https://example.org/a> <https://example.org/p> 'x' .\n")
    with pytest.raises(InvalidInput) as info:
        load_files(cfg, store, [good, bad])
    assert "bad.ttl" in str(info.value)
    assert quads_without_times(store) == before


def test_export_formats(project):
    cfg, store = project
    build(cfg, store, reason=False)
    nquads = store.export("nquads").decode()
    assert "<https://w3id.org/paradiplomacy/resource/claim-chongqing-lobbied-mofcom-for-atdc> ." in nquads
    assert "TextQuoteSelector" in nquads
    for fmt in ("trig", "turtle", "jsonld", "ntriples", "rdfxml"):
        assert len(store.export(fmt)) > 10000, fmt


def test_syntax_error_is_reported(project):
    cfg, store = project
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT WHERE {")


def test_on_disk_store_switches_generations_atomically(mini_project, tmp_path):
    cfg = make_config(tmp_path / "store", home=mini_project)
    store = open_store(cfg)
    build(cfg, store, reason=False)
    build(cfg, store, reason=False)
    store_dir = tmp_path / "store"
    current = (store_dir / "CURRENT").read_text().strip()
    assert current == "gen-000002"
    assert sorted(p.name for p in store_dir.glob("gen-*")) == ["gen-000001", "gen-000002"]
    reader = OxigraphStore(store_dir, read_only=True)
    assert reader.query(LOBBYING).column("who") == [PDR.chongqing]


def test_an_unbuilt_store_is_empty(tmp_path):
    store = open_store(make_config(tmp_path / "nothing"))
    assert store.is_empty()


# ---- the union default graph is a set ------------------------------------------------------------

TWICE = """\
@prefix ex: <https://example.org/> .
ex:g1 { ex:hebei ex:twinnedWith ex:drc . ex:hebei ex:label "Hebei" }
ex:g2 { ex:hebei ex:twinnedWith ex:drc }
"""
COUNT_TWINNED = "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/hebei> <https://example.org/twinnedWith> ?o }"
GRAPHS_TWINNED = "SELECT ?g WHERE { GRAPH ?g { <https://example.org/hebei> <https://example.org/twinnedWith> ?o } }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_HEBEI = "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/hebei> ?p ?o }"


def count(store, query=COUNT_TWINNED) -> int:
    return int(store.query(query).rows[0][0])


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_a_fact_stated_in_two_graphs_counts_once_in_the_union(backend, mini_project, tmp_path):
    """COUNT over the default graph (the union) sees the fact once; GRAPH ?g finds both graphs that state it;
    loading again, replacing one graph, or dropping both keeps the union exact."""
    cfg = make_config(tmp_path / "store", backend=backend, home=mini_project)
    store = open_store(cfg)
    trig = tmp_path / "twice.trig"
    trig.write_text(TWICE)
    load_files(cfg, store, [trig])
    assert count(store) == 1 and count(store, COUNT_HEBEI) == 2
    # the store's own default graph (not the union) holds nothing: it is the union's, kept by the store
    assert store.query(COUNT_ALL, union_default=False).rows[0][0].toPython() == 0
    from_g2 = "SELECT (COUNT(*) AS ?n) FROM <https://example.org/g2> WHERE { ?s ?p ?o }"
    assert store.query(from_g2, union_default=False).rows[0][0].toPython() == 1  # a FROM still chooses
    assert sorted(str(g) for g in store.query(GRAPHS_TWINNED).column("g")) == [
        "https://example.org/g1",
        "https://example.org/g2",
    ]
    size = len(store)  # the quads of the named graphs (3, and their provenance), the union not counted again
    assert size == 3 + count(
        store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH pdg:import-twice-trig-provenance { ?s ?p ?o } }"
    )
    load_files(cfg, store, [trig])  # the same file again replaces its graphs
    assert count(store) == 1 and len(store) == size
    store.add([], replace_graphs=[URIRef("https://example.org/g2")])  # g1 still states it
    assert count(store) == 1 and count(store, COUNT_HEBEI) == 2 and len(store) == size - 1
    store.add([], replace_graphs=[URIRef("https://example.org/g1")])  # nobody does
    assert count(store) == 0 and count(store, COUNT_HEBEI) == 0 and len(store) == size - 3


def test_the_union_as_a_set_survives_updates_and_stays_out_of_exports(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    store.update("INSERT DATA { GRAPH <urn:g1> { <urn:a> <urn:p> 1 } GRAPH <urn:g2> { <urn:a> <urn:p> 1 , 2 } }")
    assert count(store, COUNT_ALL) == 2 and len(store) == 3
    nquads = store.export("nquads").decode().splitlines()
    assert len(nquads) == 3 and all(line.rstrip(" .").endswith(("<urn:g1>", "<urn:g2>")) for line in nquads)
    assert len(store.export("ntriples").decode().splitlines()) == 2  # the union: each triple once
    store.update("DROP GRAPH <urn:g2>")
    assert count(store, COUNT_ALL) == 1
    generation = store.generation
    with pytest.raises(UpdateRefused, match="default graph"):  # the default graph is the store's to keep
        store.update("INSERT DATA { <urn:x> <urn:y> 'z' }")
    assert store.generation == generation and count(store, COUNT_ALL) == 1
    reader = OxigraphStore(tmp_path / "store", read_only=True)  # another process sees the same
    assert count(reader, COUNT_ALL) == 1 and len(reader) == 1


def test_a_generation_written_before_the_union_was_a_set_is_still_read_as_the_union(tmp_path):
    """A store built by an earlier version (no mark, facts only in named graphs) answers as before, and its
    next write keeps the union as a set."""
    store = OxigraphStore(tmp_path / "store")
    store.update("INSERT DATA { GRAPH <urn:g1> { <urn:a> <urn:p> 1 } GRAPH <urn:g2> { <urn:a> <urn:p> 1 } }")
    gen = tmp_path / "store" / store.generation
    store.close()
    old = ox.Store(str(gen))  # as an earlier version wrote it: no default graph, no mark
    old.clear_graph(ox.DefaultGraph())
    old.flush()
    del old
    (gen / UNION_MARK).unlink()
    store = OxigraphStore(tmp_path / "store")
    assert count(store, COUNT_ALL) == 2 and len(store) == 2  # Oxigraph's union, as before
    store.add([(URIRef("urn:b"), URIRef("urn:p"), Literal(3), URIRef("urn:g3"))])
    assert count(store, COUNT_ALL) == 2 and len(store) == 3
