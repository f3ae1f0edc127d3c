"""Links to Wikidata: the curated mapping, its graphs and provenance, the offline slice, and the
reconciler (`paradiplomacy link`) against a local SPARQL endpoint on 127.0.0.1 serving the slice."""

from __future__ import annotations

import csv
import http.server
import io
import re
import threading
from pathlib import Path

import pytest
from conftest import (
    ROOT,
    SHARED,
    SHARED_SLICE,
    WIKIDATA_SLICE,
    claim_mapping_text,
    make_config,
    needs_shared_slice,
    project_copy,
    run_cli,
)
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import PROV, RDFS, SKOS

from paradiplomacy.build import build
from paradiplomacy.errors import InvalidInput
from paradiplomacy.linking.mapping import link_iri, link_provenance_iri
from paradiplomacy.linking.reconcile import Entity, assess, fetch_facts, reconcile
from paradiplomacy.linking.wikidata import USER_AGENT, EndpointError, WikidataClient
from paradiplomacy.namespaces import (
    GRAPH_LINKSET,
    GRAPH_SAMEAS,
    GRAPH_SLICE,
    GRAPH_SLICE_PROVENANCE,
    PDR,
    VOID,
    WD,
    WDT,
)
from paradiplomacy.store import open_store

MAPPING = ROOT / "data" / "links" / "wikidata.csv"
QIDS_CSV = SHARED / "wikidata" / "qids.csv"
DCT = Namespace("http://purl.org/dc/terms/")
needs_qids = pytest.mark.skipif(not QIDS_CSV.is_file(), reason="../shared/wikidata/qids.csv is absent")
# entities that ../shared/wikidata/qids.csv marks unconfirmed, as they are in the graph
UNCONFIRMED = [
    "ministry-of-commerce",
    "policy-focac",
    "policy-belt-and-road-initiative",
    "ziec",
    "zhongding",
    "zhongmei",
    "shanglin-county",
]
# places and organisations typed in an asserted graph: a claim, the reference data or a dataset
PLACE_OR_ORG = """SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t } FILTER(?g NOT IN (pdg:ontology, pdg:inferred, pdg:wikidata))
  ?t rdfs:subClassOf* ?top VALUES ?top { org:Organization pd:EconomicZone } FILTER NOT EXISTS { ?s a pd:ActorGroup } }"""


def mapping_rows(path: Path = MAPPING) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("".join(lines))))


def links_in(store) -> dict[str, str]:
    rows = store.query("SELECT ?s ?o WHERE { ?s skos:exactMatch ?o }").rows
    return {str(s)[len(str(PDR)) :]: str(o)[len(str(WD)) :] for s, o in rows}


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


# ---- the curated links in the built graph ----------------------------------------------------------


def test_every_mapping_row_is_a_link_of_the_graph(store):
    assert links_in(store) == {r["slug"]: r["qid"] for r in mapping_rows()}
    assert len(mapping_rows()) >= 13


def test_links_only_places_and_organisations_of_the_graph(store):
    linkable = {str(s) for (s,) in store.query(PLACE_OR_ORG).rows}
    for slug, qid in links_in(store).items():
        assert str(PDR[slug]) in linkable, slug
        assert re.fullmatch(r"Q[1-9][0-9]*", qid), qid


def test_unconfirmed_entities_stay_unlinked(store):
    linked = links_in(store)
    for slug in UNCONFIRMED:
        assert slug not in linked, slug
    assert store.query("ASK { pdr:ministry-of-commerce ?p ?o }").boolean  # they are in the graph, just unlinked


@needs_qids
def test_links_agree_with_the_checked_qids(built):
    """Each link has the QID that qids.csv gives (checked against several public sources) for an entity
    of the same name and kind, and every place or organisation of the graph (claims, reference data,
    datasets) named there with a confirmed QID is linked."""
    from paradiplomacy.linking.mapping import asserted, entity_kinds
    from paradiplomacy.namespaces import GRAPH_ONTOLOGY

    checked = {}
    for row in csv.DictReader(QIDS_CSV.open(encoding="utf-8")):
        names = {row["entity"], row["label"], re.sub(r"\s*\(.*\)", "", row["entity"])}
        names |= set(re.findall(r"\(([^)]*)\)", row["entity"]))
        # the kind of the row, from its code: a province-level unit (CN-XX), a state (XX/XXX), or other
        kind = "province" if row["iso_code"].startswith("CN-") else "state" if "/" in row["iso_code"] else "other"
        for n in names:
            if n.strip():
                checked.setdefault(_norm(n), []).append((row["qid"], row["confidence"], kind))
    result = built[2]
    kinds = entity_kinds(result.dataset, result.dataset.graph(GRAPH_ONTOLOGY))
    expected = {}
    for s, p, o in asserted(result.dataset, None, None, None):
        slug = str(s)[len(str(PDR)) :]
        if slug not in kinds or p not in (RDFS.label, SKOS.altLabel):
            continue
        for qid, confidence, kind in checked.get(_norm(str(o)), []):
            same_kind = kind == kinds[slug] or kind == "other" and kinds[slug] not in ("province", "state")
            if qid and confidence != "unconfirmed" and same_kind:
                expected.setdefault(slug, set()).add(qid)
    assert all(len(q) == 1 for q in expected.values()), expected
    assert {s: q.pop() for s, q in expected.items()} == {r["slug"]: r["qid"] for r in mapping_rows()}
    assert {"china", "jiangxi", "hebei", "chongqing", "guangxi", "zambia", "bank-of-china"} <= set(expected)
    assert sum(1 for k in kinds.values() if k == "province") == 31  # all linked, as the reference holds them


def test_links_agree_with_the_items_the_reference_data_is_derived_from(store):
    derived = store.query("""SELECT ?s ?item WHERE { GRAPH pdg:reference-provenance { ?s prov:wasDerivedFrom ?item }
        FILTER(STRSTARTS(STR(?item), "http://www.wikidata.org/entity/")) }""").rows
    linked = links_in(store)
    assert derived  # the reference data names the item of each province-level unit and African state
    for s, item in derived:
        slug = str(s)[len(str(PDR)) :]
        assert linked.get(slug) == str(item)[len(str(WD)) :], slug


def test_each_link_is_its_own_graph_with_its_provenance(store):
    rows = {r["slug"]: r for r in mapping_rows()}
    lines = MAPPING.read_text(encoding="utf-8").splitlines()
    for slug, row in rows.items():
        g = link_iri(slug)
        content = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}").rows
        assert content == [(PDR[slug], SKOS.exactMatch, WD[row["qid"]])]
        [prov] = store.query(f"""SELECT * WHERE {{ GRAPH <{link_provenance_iri(slug)}> {{
            <{g}> a pd:Link ; prov:wasDerivedFrom <{WD[row["qid"]]}>, pdr:linkset-wikidata ;
                  pd:evidenceFile ?file ; pd:evidenceLine ?line ; pd:mappingRow ?row ; pd:verificationEvidence ?ev ;
                  pd:reviewedBy ?by ; pd:reviewedOn ?on ; prov:wasGeneratedBy ?activity }} }}""").as_dicts()
        assert str(prov["file"]) == "data/links/wikidata.csv"
        assert lines[int(prov["line"]) - 1].startswith(f"{slug},{row['qid']},")  # file and line point at the row
        assert str(prov["ev"]) == row["evidence"] and str(prov["by"]) == row["reviewed_by"]
        assert str(prov["on"]) == row["reviewed_on"]
        assert store.query(f"ASK {{ <{prov['activity']}> a pd:LoadActivity }}").boolean


def test_the_link_set_says_its_version_and_size(store):
    version = re.search(r"^# version: (\S+)$", MAPPING.read_text(), re.M).group(1)
    [row] = store.query(f"""PREFIX void: <{VOID}>
        SELECT ?v ?n WHERE {{ GRAPH <{GRAPH_LINKSET}> {{
        pdr:linkset-wikidata a void:Linkset ; owl:versionInfo ?v ; void:triples ?n ;
        void:linkPredicate skos:exactMatch }} }}""").rows
    assert str(row[0]) == version and int(row[1]) == len(mapping_rows())


@pytest.mark.slow
def test_no_owl_same_as_unless_asked(store, tmp_path):
    assert not store.query("ASK { ?s owl:sameAs ?o }").boolean
    home = project_copy(tmp_path)
    cfg = make_config(tmp_path / "store", home=home, backend="memory", wikidata_same_as=True)
    opted = open_store(cfg)
    build(cfg, opted, reason=False)
    same = opted.query("SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s owl:sameAs ?o } }").rows
    assert {g for g, _, _ in same} == {GRAPH_SAMEAS}
    assert {(str(s)[len(str(PDR)) :], str(o)[len(str(WD)) :]) for _, s, o in same} == set(links_in(opted).items())
    assert len(same) == len(mapping_rows(home / "data" / "links" / "wikidata.csv")) >= 13


def test_the_reasoner_never_reads_the_links(store):
    inferred = store.query(
        "ASK { GRAPH pdg:inferred { ?s ?p ?o FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/')) } }"
    )
    assert not inferred.boolean


# ---- the offline slice ------------------------------------------------------------------------------


def test_the_slice_is_loaded_into_its_own_graph_with_provenance(store):
    graphs = {g for (g,) in store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s <{WDT.P625}> ?c }} }}").rows}
    assert graphs == {GRAPH_SLICE}
    [row] = store.query(f"""SELECT ?file ?activity WHERE {{ GRAPH <{GRAPH_SLICE_PROVENANCE}> {{
        <{GRAPH_SLICE}> pd:evidenceFile ?file ; prov:wasGeneratedBy ?activity ; prov:wasDerivedFrom pdr:wikidata-slice }} }}""").rows
    assert str(row[0]) == "data/wikidata/slice.ttl"
    licence = store.query("SELECT ?l WHERE { pdr:wikidata-slice dct:license ?l }").rows
    assert licence == [(URIRef("http://creativecommons.org/publicdomain/zero/1.0/"),)]


def test_the_slice_holds_what_maps_and_queries_need_for_every_link():
    g = Graph().parse(WIKIDATA_SLICE)
    rows = mapping_rows()
    assert {s for s in g.subjects() if str(s).startswith(str(WD))} == {WD[r["qid"]] for r in rows}
    for row in rows:  # every linked item is in the slice, with its English label and, for a place, its code
        item = WD[row["qid"]]
        assert "en" in {lit.language for lit in g.objects(item, RDFS.label)}, row["qid"]
        if row["qid"] != "Q790068":  # Bank of China: only its label and description are in the sources
            assert g.value(item, WDT.P297) is not None or str(g.value(item, WDT.P300)).startswith("CN-"), row["qid"]
    # the places of the paper have their Chinese name, coordinates and population
    for slug in (
        "china",
        "jiangxi",
        "hebei",
        "chongqing",
        "guangxi",
        "zambia",
        "tanzania",
        "chad",
        "ghana",
        "togo",
        "democratic-republic-of-the-congo",
        "equatorial-guinea",
    ):
        item = WD[{r["slug"]: r["qid"] for r in rows}[slug]]
        assert "zh" in {lit.language for lit in g.objects(item, RDFS.label)}, slug
        assert g.value(item, WDT.P625) is not None and g.value(item, WDT.P1082) is not None, slug


def test_every_value_of_the_slice_keeps_its_source():
    g = Graph().parse(WIKIDATA_SLICE)
    P, PS = Namespace("http://www.wikidata.org/prop/"), Namespace("http://www.wikidata.org/prop/statement/")
    for item, prop, value in g.triples((None, None, None)):
        if not str(prop).startswith(str(WDT)):
            continue
        pid = str(prop)[len(str(WDT)) :]
        sources = {
            src
            for st in g.objects(item, P[pid])
            if (st, PS[pid], value) in g
            for src in g.objects(st, PROV.wasDerivedFrom)
        }
        if sources:
            assert all((src, None, None) in g for src in sources)  # each source is described
        else:  # an unreferenced statement: only a slice taken from Wikidata itself may hold one
            assert str(g.value(PDR["wikidata-slice"], DCT.source)).startswith("https://query.wikidata.org/"), (
                item,
                pid,
                value,
            )


@needs_shared_slice
def test_the_slice_is_a_faithful_extract_of_the_shared_slice():
    ours, theirs = Graph().parse(WIKIDATA_SLICE), Graph().parse(SHARED_SLICE)
    if not str(ours.value(PDR["wikidata-slice"], DCT.source)).endswith("shared/wikidata/wikidata_slice.ttl"):
        pytest.skip("the slice was regenerated from another source than ../shared")
    for row in mapping_rows():
        item = WD[row["qid"]]
        for prop in [RDFS.label, SKOS.altLabel] + [
            WDT[p] for p in ("P31", "P17", "P131", "P297", "P298", "P299", "P300", "P625", "P1082", "P36")
        ]:
            assert set(ours.objects(item, prop)) == set(theirs.objects(item, prop)), (row["qid"], prop)


# ---- a malformed mapping or slice: file, line and field; nothing written ------------------------------

BAD_ROWS = [
    ("zambia,X953,Zambia,high,ev,me,2026-01-01", "qid"),
    ("nowhere-land,Q1029,Mozambique,high,ev,me,2026-01-01", "slug"),  # not a resource of the graph
    ("jiangxi-zambia-clustering,Q1029,Mozambique,high,ev,me,2026-01-01", "slug"),  # an engagement
    ("zambia,Q953,Zambia,high,,me,2026-01-01", "evidence"),
    ("zambia,Q953,Zambia,high,ev,me,29/11/2026", "reviewed_on"),
    ("zambia,Q953,Zambia,high,ev,,2026-01-01", "reviewed_by"),
    ("jiangxi,Q1029,Mozambique,high,ev,me,2026-01-01", "slug"),  # a second link for a linked slug
    ("ziec,Q953,Zambia,high,ev,me,2026-01-01", "qid"),  # a QID already linked
]


@pytest.mark.slow
@pytest.mark.parametrize("row,field", BAD_ROWS, ids=[f for _, f in BAD_ROWS])
def test_a_malformed_mapping_row_fails_the_build_and_writes_nothing(tmp_path, row, field):
    text = claim_mapping_text()
    if field in ("qid", "evidence", "reviewed_on", "reviewed_by") and row.startswith("zambia,"):
        text = "\n".join(line for line in text.splitlines() if not line.startswith("zambia,")) + "\n"
    text += row + "\n"
    home = project_copy(tmp_path)
    line = text.splitlines().index(row) + 1
    cfg = make_config(tmp_path / "store", home=home)
    store = open_store(cfg)
    build(cfg, store, reason=False)
    before, generation = len(store), (tmp_path / "store" / "CURRENT").read_text()
    (home / "data" / "links" / "wikidata.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        build(cfg, store, reason=False)
    [problem] = exc.value.problems
    assert (problem.file, problem.line, problem.field) == ("data/links/wikidata.csv", line, field)
    assert len(store) == before and (tmp_path / "store" / "CURRENT").read_text() == generation


def test_a_malformed_mapping_row_through_the_cli(tmp_path):
    text = claim_mapping_text() + "togo,Q945,Togo,high,ev,me,2026-13-45\n"
    home = project_copy(tmp_path, text)
    r = run_cli("--home", str(home), "--store", str(tmp_path / "store"), "build", "--no-reason")
    assert r.returncode == 1, r.stderr
    line = len(text.splitlines())
    assert f"data/links/wikidata.csv:{line}: reviewed_on:" in r.stderr and "nothing was written" in r.stderr
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").glob("gen-*"))


@pytest.mark.slow
def test_a_mapping_without_version_or_with_a_wrong_header_is_refused(tmp_path):
    text = claim_mapping_text()
    home = project_copy(tmp_path, text.replace("# version: ", "# edition: "))
    with pytest.raises(InvalidInput) as exc:
        build(
            make_config(tmp_path / "s1", home=home, backend="memory"),
            open_store(make_config(tmp_path / "s1", backend="memory")),
            reason=False,
        )
    assert exc.value.problems[0].field == "version"
    home2 = project_copy(tmp_path / "b", text.replace("slug,qid,label", "slug,item,label"))
    with pytest.raises(InvalidInput) as exc:
        build(
            make_config(tmp_path / "s2", home=home2, backend="memory"),
            open_store(make_config(tmp_path / "s2", backend="memory")),
            reason=False,
        )
    assert "CSV header" in exc.value.problems[0].message


@pytest.mark.slow
def test_a_malformed_slice_fails_with_its_file_and_line(tmp_path):
    home = project_copy(tmp_path)
    path = home / "data" / "wikidata" / "slice.ttl"
    lines = path.read_text(encoding="utf-8").splitlines()
    broken = next(i for i, line in enumerate(lines) if line.startswith("wd:Q953 "))
    lines[broken] = lines[broken].replace("wd:Q953 ", "wd:Q953 <unclosed ", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        build(
            make_config(tmp_path / "s", home=home, backend="memory"),
            open_store(make_config(tmp_path / "s", backend="memory")),
            reason=False,
        )
    [problem] = exc.value.problems
    assert problem.file == "data/wikidata/slice.ttl" and "not valid Turtle" in problem.message


# ---- the reconciler against the local stand-in ---------------------------------------------------------

REMOVED = [
    "china",
    "jiangxi",
    "guangxi",
    "zambia",
    "democratic-republic-of-the-congo",
    "equatorial-guinea",
    "bank-of-china",
]


def _without(slugs) -> tuple[str, dict]:
    text = claim_mapping_text()
    kept = [line for line in text.splitlines() if not any(line.startswith(f"{s},") for s in slugs)]
    removed = {r["slug"]: r["qid"] for r in claim_rows() if r["slug"] in slugs}
    return "\n".join(kept) + "\n", removed


def claim_rows() -> list[dict]:
    """The rows of the mapping of a project copy (claim_mapping_text)."""
    return list(
        csv.DictReader(
            io.StringIO("".join(line + "\n" for line in claim_mapping_text().splitlines() if not line.startswith("#")))
        )
    )


def read_review(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


@pytest.mark.slow
def test_link_proposes_the_right_items_for_unlinked_resources(tmp_path, wikidata_standin):
    text, removed = _without(REMOVED)
    home = project_copy(tmp_path, text)
    review = tmp_path / "review.csv"
    r = run_cli(
        "--home",
        str(home),
        "--store",
        str(tmp_path / "store"),
        "link",
        "--endpoint",
        wikidata_standin,
        "-o",
        str(review),
    )
    assert r.returncode == 0, r.stderr
    rows = read_review(review)
    best = {row["slug"]: row["qid"] for row in rows if row["rank"] == "1"}
    assert {s: best.get(s) for s in removed} == removed  # every removed link is proposed first, rightly
    assert set(best) == set(removed)  # and nothing else is proposed: no wrong link
    for slug in ("ministry-of-commerce", "ziec", "zhongding", "zhongmei", "shanglin-county"):
        assert [row["decision"] for row in rows if row["slug"] == slug] == ["no candidate"], slug
    jiangxi = next(row for row in rows if row["slug"] == "jiangxi" and row["rank"] == "1")
    assert "Q1615742" in jiangxi["checks"] and "CN-JX" in jiangxi["checks"] and float(jiangxi["score"]) >= 0.9
    zambia = next(row for row in rows if row["slug"] == "zambia" and row["rank"] == "1")
    assert "ZM/ZMB" in zambia["checks"] and zambia["endpoint"] == wikidata_standin
    assert all(row["accept"] == "" for row in rows)  # nothing is accepted without review
    assert claim_mapping_text() != text and (home / "data/links/wikidata.csv").read_text() == text


@pytest.mark.slow
def test_accept_adds_only_the_reviewed_rows_and_raises_the_version(tmp_path, wikidata_standin):
    text, removed = _without(["zambia", "jiangxi"])
    home = project_copy(tmp_path, text)
    review = tmp_path / "review.csv"
    args = ("--home", str(home), "--store", str(tmp_path / "store"))
    assert run_cli(*args, "link", "--endpoint", wikidata_standin, "-o", str(review)).returncode == 0
    rows = read_review(review)
    for row in rows:
        if row["slug"] == "zambia" and row["rank"] == "1":
            row["accept"] = "yes"
    with review.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    # without a reviewer the row is refused, and the mapping is unchanged
    r = run_cli(*args, "link", "--accept", str(review))
    assert r.returncode == 1 and "reviewed_by" in r.stderr
    assert (home / "data/links/wikidata.csv").read_text() == text
    r = run_cli(*args, "link", "--accept", str(review), "--reviewer", "A. Reviewer")
    assert r.returncode == 0, r.stderr
    after = mapping_rows(home / "data/links/wikidata.csv")
    added = [row for row in after if row["slug"] == "zambia"]
    assert len(after) == len(claim_rows()) - 1 and [a["qid"] for a in added] == ["Q953"]
    assert added[0]["reviewed_by"] == "A. Reviewer" and "ZM/ZMB" in added[0]["evidence"]
    version = int(re.search(r"^# version: (\d+)$", text, re.M).group(1))
    assert f"# version: {version + 1}" in (home / "data/links/wikidata.csv").read_text()
    assert not any(row["slug"] == "jiangxi" for row in after)  # proposed, but nobody accepted it
    r = run_cli(*args, "build", "--no-reason")
    assert r.returncode == 0, r.stderr
    r = run_cli(*args, "query", "ASK { pdr:zambia skos:exactMatch <http://www.wikidata.org/entity/Q953> }")
    assert r.stdout.strip() == "true"
    # accepting the same row again is refused: zambia is linked now
    r = run_cli(*args, "link", "--accept", str(review), "--reviewer", "A. Reviewer")
    assert r.returncode == 1 and "already linked" in r.stderr


@pytest.mark.slow
def test_a_rejected_candidate_cannot_be_accepted(tmp_path):
    home = project_copy(tmp_path)
    review = tmp_path / "review.csv"
    review.write_text(
        "slug,label,kind,rank,qid,wikidata_label,score,decision,checks,accept,reviewed_by,reviewed_on,"
        "endpoint,retrieved_at\nziec,ZIEC,firm,,Q953,Zambia,0.5,rejected,x,yes,me,,http://127.0.0.1/,t\n"
    )
    before = (home / "data/links/wikidata.csv").read_text()
    r = run_cli("--home", str(home), "--store", str(tmp_path / "store"), "link", "--accept", str(review))
    assert r.returncode == 1 and "only a proposed candidate" in r.stderr
    assert (home / "data/links/wikidata.csv").read_text() == before


def test_type_and_code_checks_reject_items_of_the_wrong_kind(wikidata_standin):
    ep = WikidataClient(wikidata_standin)
    facts = fetch_facts(ep, ["Q953", "Q57052", "Q148", "Q790068"], ["Q3624078"])
    # a state must be a sovereign state: Jiangxi (a province of China) is not, whatever its name
    a = assess(Entity("x", "state", {"en": ["Jiangxi"]}), facts["Q57052"])
    assert a.decision == "rejected" and "not a sovereign state" in "; ".join(a.checks)
    # a province must be a province-level division of China: Zambia has no ISO 3166-2:CN code
    pf = fetch_facts(ep, ["Q953", "Q57052"], ["Q1615742", "Q57362", "Q1208802"])
    assert assess(Entity("x", "province", {"en": ["Zambia"]}), pf["Q953"]).decision == "rejected"
    assert assess(Entity("x", "province", {"en": ["Jiangxi"]}, country="Q148"), pf["Q57052"]).decision == "proposed"
    # a Chinese body must not be in another country
    pf["Q57052"].values["P17"] = {"Q953"}
    assert assess(Entity("x", "province", {"en": ["Jiangxi"]}, country="Q148"), pf["Q57052"]).decision == "rejected"
    # a county must be located in its province
    county = Entity("x", "county", {"en": ["Jiangxi"]}, country="Q148", province="Q15176")
    cf = fetch_facts(ep, ["Q57052"], [])
    cf["Q57052"].values.pop("P17", None)
    assert assess(county, cf["Q57052"]).decision == "rejected"
    # a state needs an ISO 3166-1 code
    china = facts["Q148"]
    assert assess(Entity("x", "state", {"en": ["China"]}), china).decision == "proposed"
    china.values.pop("P297")
    assert assess(Entity("x", "state", {"en": ["China"]}), china).decision == "rejected"


@needs_shared_slice
def test_reconciling_among_similar_names(wikidata_standin_full):
    """Against the fuller slice (all 31 province-level units and 54 African states), similar names
    rank below the right item: the two Congos, Guinea and Equatorial Guinea, Hebei, Henan and Hubei."""
    ep = WikidataClient(wikidata_standin_full)
    cases = [
        (Entity("drc", "state", {"en": ["Democratic Republic of the Congo"]}), "Q974"),
        (Entity("eg", "state", {"en": ["Equatorial Guinea"]}), "Q983"),
        (Entity("gn", "state", {"en": ["Guinea"]}), "Q1006"),
        (Entity("hebei", "province", {"en": ["Hebei"]}, country="Q148"), "Q21208"),
        (Entity("gx", "province", {"en": ["Guangxi"], "zh": ["广西"]}, country="Q148"), "Q15176"),
        (Entity("cn", "state", {"en": ["China"]}), "Q148"),
    ]
    for entity, qid in cases:
        proposed = [a for a in reconcile(ep, entity) if a.decision == "proposed"]
        assert proposed and proposed[0].facts.qid == qid, (entity.slug, [(a.facts.qid, a.score) for a in proposed])
        assert all(a.score < proposed[0].score for a in proposed[1:]), entity.slug
    # a sub-national item is never proposed as a state, nor a state as a province
    for a in reconcile(ep, Entity("x", "state", {"en": ["Sichuan"]})):
        assert a.decision == "rejected", a.facts.qid
    assert not [
        a for a in reconcile(ep, Entity("x", "province", {"en": ["Ghana"]}, country="Q148")) if a.decision == "proposed"
    ]


@pytest.mark.slow
def test_refresh_slice_regenerates_it_from_the_endpoint(tmp_path, wikidata_standin):
    home = project_copy(tmp_path)
    target = home / "data" / "wikidata" / "slice.ttl"
    target.unlink()
    r = run_cli(
        "--home",
        str(home),
        "--store",
        str(tmp_path / "store"),
        "link",
        "--refresh-slice",
        "--endpoint",
        wikidata_standin,
    )
    assert r.returncode == 0, r.stderr
    new, served = Graph().parse(target), Graph().parse(WIKIDATA_SLICE)
    for row in claim_rows():
        item = WD[row["qid"]]
        for p in [RDFS.label, SKOS.altLabel] + [WDT[x] for x in ("P31", "P297", "P298", "P300", "P625", "P1082")]:
            assert set(new.objects(item, p)) == set(served.objects(item, p)), (row["qid"], p)
    subjects = {s for s in new.subjects() if str(s).startswith(str(WD))}
    assert subjects == {WD[r["qid"]] for r in claim_rows()}  # the linked items, and only they
    assert str(new.value(PDR["wikidata-slice"], URIRef("http://purl.org/dc/terms/source"))) == wikidata_standin
    assert target.read_text().startswith("# Offline slice of Wikidata")
    assert run_cli("--home", str(home), "--store", str(tmp_path / "store"), "build", "--no-reason").returncode == 0


@pytest.mark.slow
def test_link_status_lists_linked_and_unlinked(tmp_path):
    r = run_cli("--store", str(tmp_path / "store"), "link", "--status")
    assert r.returncode == 0, r.stderr
    lines = dict(line.split()[0::2] for line in r.stdout.splitlines())
    assert lines["jiangxi"] == "Q57052" and lines["ziec"] == "unlinked" and lines["shanglin-county"] == "unlinked"
    assert f"{len(mapping_rows())} of" in r.stderr


# ---- the HTTP client: User-Agent and backoff -------------------------------------------------------------


class _Stub(http.server.BaseHTTPRequestHandler):
    """Answers 429 a given number of times, then an empty SPARQL result; records each request."""

    def do_POST(self):
        server = self.server
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server.seen.append(dict(self.headers))
        if len(server.seen) <= server.refusals:
            self.send_response(429)
            if server.retry_after is not None:
                self.send_header("Retry-After", server.retry_after)
            self.end_headers()
            return
        body = b'{"head": {"vars": ["item"]}, "results": {"bindings": []}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Stub)
    server.seen, server.refusals, server.retry_after = [], 0, None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_requests_carry_a_descriptive_user_agent(stub):
    WikidataClient(f"http://127.0.0.1:{stub.server_port}/sparql").select("SELECT ?item WHERE {}")
    ua = stub.seen[0]["User-Agent"]
    assert ua == USER_AGENT and ua.startswith("paradiplomacy-kg/") and "https://w3id.org/paradiplomacy" in ua


def recorded_waits(monkeypatch) -> list:
    """The waits of urllib3's Retry (the project's HTTP stack backs off through it), recorded
    instead of slept: its module's clock, replaced for that module alone."""
    import time
    import types

    import urllib3.util.retry

    waits = []
    monkeypatch.setattr(urllib3.util.retry, "time", types.SimpleNamespace(sleep=waits.append, time=time.time))
    return waits


def test_backoff_on_429_honours_retry_after(stub, monkeypatch):
    waits = recorded_waits(monkeypatch)
    stub.refusals, stub.retry_after = 2, "7"
    rows = WikidataClient(f"http://127.0.0.1:{stub.server_port}/sparql").select("SELECT ?item WHERE {}")
    assert rows == [] and len(stub.seen) == 3 and waits == [7.0, 7.0]


def test_backoff_on_429_without_retry_after_doubles_then_gives_up(stub, monkeypatch):
    waits = recorded_waits(monkeypatch)
    stub.refusals = 100
    with pytest.raises(EndpointError, match="429"):
        WikidataClient(f"http://127.0.0.1:{stub.server_port}/sparql", retries=3, backoff=0.5).select(
            "SELECT ?item WHERE {}"
        )
    assert waits == [0.5, 1.0, 2.0] and len(stub.seen) == 4


@pytest.mark.slow
def test_an_unreachable_endpoint_is_an_error_not_a_traceback(tmp_path):
    from conftest import free_port

    text, _ = _without(["zambia"])
    home = project_copy(tmp_path, text)
    r = run_cli(
        "--home",
        str(home),
        "--store",
        str(tmp_path / "s"),
        "link",
        "--only",
        "zambia",
        "--endpoint",
        f"http://127.0.0.1:{free_port()}/sparql",
        "-o",
        str(tmp_path / "r.csv"),
    )
    assert r.returncode == 2 and "cannot reach the SPARQL endpoint" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_build_says_what_it_linked_and_warns_of_items_missing_from_the_slice(tmp_path):
    r = run_cli("--store", str(tmp_path / "s"), "validate", "--all")  # checked, whatever var/validate-cache holds
    assert r.returncode == 0, r.stderr
    version = re.search(r"^# version: (\S+)$", MAPPING.read_text(), re.M).group(1)
    assert (
        f"linked {len(mapping_rows())} resources to Wikidata (data/links/wikidata.csv, version {version})" in r.stderr
    )
    assert "warning" not in r.stderr.split("linked", 1)[1]
    home = project_copy(tmp_path)
    (home / "data" / "wikidata" / "slice.ttl").unlink()
    r = run_cli("--home", str(home), "--store", str(tmp_path / "s2"), "validate")
    assert r.returncode == 0, r.stderr
    assert "warning: the offline slice says nothing of" in r.stderr and "zambia (Q953)" in r.stderr
