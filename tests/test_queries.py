"""Competency questions (queries/*.rq): each answers its question from the paper, as expected.

Expected answers come from reading the paper (and, where stated, from the evidence files read
independently of the loader). A query added to queries/ without an expectation here fails."""

import pytest
import yaml
from conftest import PAPER, ROOT, SOURCES, needs_java
from rdflib import Literal

from paradiplomacy.namespaces import PD, PDR

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
QC = sorted((ROOT / "queries" / "qc").glob("*.rq"))


def run(store, name):
    return store.query((ROOT / "queries" / f"{name}.rq").read_text())


def slugs(rows, *cols):
    def short(t):
        s = str(t)
        for ns in (str(PDR), str(PD)):
            if s.startswith(ns):
                return s[len(ns) :]
        return t.toPython() if isinstance(t, Literal) and t.datatype else s

    return {tuple(short(r[c]) if r.get(c) is not None else None for c in cols) for r in rows}


def claims_yaml():
    for path in sorted((ROOT / "data" / "claims").glob("*.yaml")):
        yield from yaml.safe_load(path.read_text())["claims"]


def test_every_query_has_a_test():
    # federated queries (SERVICE) are tested in test_federation.py, against a local stand-in
    import ast

    names = set(globals())
    for other in ("test_federation.py", "test_dataset_queries.py"):  # and the analyses of imported datasets
        elsewhere = ast.parse((ROOT / "tests" / other).read_text())
        names |= {f.name for f in elsewhere.body if isinstance(f, ast.FunctionDef)}
    tested = {name[len("test_") :].replace("_", "-") for name in names if name.startswith("test_")}
    missing = [q.stem for q in QUERIES if q.stem not in tested]
    assert missing == [], f"queries without a test of their answer: {missing}"


def test_every_query_states_its_question():
    for q in QUERIES:
        first = q.read_text().splitlines()[0]
        assert first.startswith("# ") and first.endswith("?"), q.name


@pytest.mark.parametrize("query", QC, ids=[q.stem for q in QC])
def test_dataset_quality_control_query_returns_no_rows(store, query):
    rows = store.query(query.read_text()).rows
    assert rows == [], f"{query.name}: {rows[:5]}"


def test_twinned_provinces(store):
    rows = run(store, "twinned-provinces").as_dicts()
    assert slugs(rows, "province", "state", "mechanism", "sector") == {
        ("chongqing", "tanzania", "AgriculturalCentreTwinning", "sector-agriculture"),
        ("hebei", "democratic-republic-of-the-congo", "MedicalTeamTwinning", "sector-health"),
        ("jiangxi", "chad", "MedicalTeamTwinning", "sector-health"),
        ("jiangxi", "zambia", "ProvincialClustering", "sector-construction"),
    }
    assert all(r["source"] == PDR["lenz-china-provinces"] for r in rows)
    if (SOURCES / PAPER).is_file():  # every answer is backed by a quote that stands in the paper
        from paradiplomacy.evidence.quotes import SourceText

        text = SourceText((SOURCES / PAPER).read_text())
        assert all(text.find(str(r["quote"])) for r in rows)


@needs_java
def test_engagement_models(store):
    got = slugs(run(store, "engagement-models").as_dicts(), "engagement", "inferredModel")
    assert {
        ("hebei-drc-medical-teams", "CollaborativeEngagement"),
        ("chongqing-tanzania-atdc", "CollaborativeEngagement"),
        ("jiangxi-zambia-clustering", "InitiatorEngagement"),
        ("galamsey-illegal-mining", "DivergentEngagement"),
    } <= got
    assert not any(model == "SubordinateEngagement" for _, model in got)
    assert ("jiangxi-zambia-clustering", "CollaborativeEngagement") not in got
    assert ("galamsey-illegal-mining", "CollaborativeEngagement") not in got
    rests = slugs(run(store, "engagement-models").as_dicts(), "engagement", "inferredModel", "restsOn")
    assert ("provincial-twinning", "CollaborativeEngagement", "explicit statements") in rests
    assert ("jiangxi-zambia-clustering", "InitiatorEngagement", "interpretation") in rests
    assert ("hebei-drc-medical-teams", "CollaborativeEngagement", "interpretation") in rests


def test_provincial_soes(store):
    got = slugs(run(store, "provincial-soes").as_dicts(), "soe", "operatesIn", "backer")
    for soe in ("ziec", "zhongding", "zhongmei"):
        assert (soe, "zambia", "jiangxi") in got
    assert ("chongqing-atdc-implementing-soe", None, "chongqing") in got
    levels = slugs(run(store, "provincial-soes").as_dicts(), "soe", "backingSupport")
    assert ("ziec", "interpretation") in levels  # the paper implies, not states, that ZIEC is Jiangxi's


def test_divergent_engagements(store):
    got = slugs(run(store, "divergent-engagements").as_dicts(), "engagement", "how", "against")
    assert ("galamsey-illegal-mining", "conflictsWithInterestsOf", "central-government") in got
    assert ("coastal-provinces-medical-staff", "divergesFromPolicy", "policy-medical-team-recruitment-criteria") in got
    assert ("provincial-soe-rescue-funds", "divergesFromPolicy", "policy-belt-and-road-initiative") in got
    assert {e for e, _, _ in got} <= {
        "galamsey-illegal-mining",
        "coastal-provinces-medical-staff",
        "provincial-soe-rescue-funds",
        "bri-ambiguity-leveraging",
    }


def test_policies_invoked(store):
    got = slugs(run(store, "policies-invoked").as_dicts(), "policy", "activity")
    assert ("policy-belt-and-road-initiative", "jiangxi-zambia-economic-zone") in got
    assert ("policy-belt-and-road-initiative", "provincial-soe-rescue-funds") in got
    assert all(p.startswith("policy-") for p, _ in got)


def test_single_source_facts(store):
    rows = run(store, "single-source-facts").as_dicts()
    # every fact rests on one source: the paper, or a work the editors consulted for what an endnote names
    others = {PDR[c["source"]] for c in claims_yaml() if c.get("source")}
    assert rows and all(r["sources"].toPython() == 1 for r in rows)
    assert PDR["lenz-china-provinces"] in {r["theSource"] for r in rows} <= {PDR["lenz-china-provinces"]} | others
    counts = {(r["s"], r["p"], r["o"]): r["claims"].toPython() for r in rows}
    assert counts[(PDR["jiangxi-zambia-clustering"], PD.initiatedBy, PDR.ziec)] == 2
    assert counts[(PDR["galamsey-illegal-mining"], PD.approximateParticipantCount, Literal(15000))] >= 1


def test_fact_provenance(store):
    [row] = run(store, "fact-provenance").as_dicts()
    assert row["claim"] == PDR["claim-lenz-ini-galamsey-illegal-mining"]
    assert "Guangxi Province's Shanglin County supported around 15,000 Chinese" in str(row["quote"])
    assert str(row["section"]) == "Provinces as initiators: economic relations"
    assert row["endnote"].toPython() == 27 and row["work"] == PDR["hess-aidoo-2016"]
    assert str(row["citation"]).startswith("Hess, S., Aidoo, R. (2016).")


def test_medical_teams(store):
    got = slugs(run(store, "medical-teams").as_dicts(), "province", "country", "implementer")
    assert got == {
        ("hebei", "democratic-republic-of-the-congo", "hebei"),
        ("jiangxi", "chad", "jiangxi-health-commission"),
    }


def test_atdc_implementation(store):
    rows = run(store, "atdc-implementation").as_dicts()
    # the paper's ATDCs (those its claims declare); the rows of imported datasets are tested in test_dataset_queries
    paper = set(
        store.query("SELECT ?a { ?c a pd:Claim . GRAPH ?c { ?a a pd:AgriculturalCentreTwinning } }").column("a")
    )
    assert {r["atdc"] for r in rows} - paper <= set(
        store.query("SELECT ?a { ?g a pd:DatasetGraph . GRAPH ?g { ?a a pd:AgriculturalCentreTwinning } }").column("a")
    )
    rows = [r for r in rows if r["atdc"] in paper]
    assert {c for (c,) in slugs(rows, "country")} == {"tanzania", "togo", "equatorial-guinea"}
    problems = {s: str(r["problem"]) for r in rows if "problem" in r for (s,) in slugs([r], "country")}
    assert "coordination" in problems["togo"] and "coordination" in problems["equatorial-guinea"]
    assert "tanzania" not in problems
    assert ("tanzania", "ministry-of-commerce") in slugs(rows, "country", "designedBy")


def test_illegal_activity_abroad(store):
    [row] = slugs(
        run(store, "illegal-activity-abroad").as_dicts(),
        "actor",
        "country",
        "sector",
        "start",
        "end",
        "participants",
        "result",
        "resultYear",
    )
    assert row == ("shanglin-county", "ghana", "sector-mining", 2008, 2012, 15000, "galamsey-crisis-2013", 2013)


def test_interpretations(store):
    rows = run(store, "interpretations").as_dicts()
    expected = {c["id"] for c in claims_yaml() if c.get("support") == "interpretation"}
    assert {str(r["claim"])[len(str(PDR)) + len("claim-") :] for r in rows} == expected
    assert all(str(r["note"]).strip() and ("quote" in r or "locator" in r) for r in rows)


def test_works_behind_claims(store):
    sources = yaml.safe_load((ROOT / "data" / "sources.yaml").read_text())["sources"]
    paper = next(s for s in sources if s["id"] == "lenz-china-provinces")
    cites = {n["number"]: n["cites"] for n in paper["endnotes"]}
    expected = {(work, c["id"]) for c in claims_yaml() for n in c.get("endnotes", []) for work in cites[n]}
    rows = run(store, "works-behind-claims").as_dicts()
    got = {(w, c[len("claim-") :]) for w, c in slugs(rows, "work", "claim")}
    assert got == expected
    assert ("hess-aidoo-2016", "lenz-ini-galamsey-illegal-mining") in got


def test_actors_by_province(store):
    got = slugs(run(store, "actors-by-province").as_dicts(), "province", "relation", "actor")
    assert ("guangxi", "http://www.w3.org/ns/org#subOrganizationOf", "shanglin-county") in got
    for soe in ("ziec", "zhongding", "zhongmei"):
        assert ("jiangxi", "backedBy", soe) in got
    assert ("chongqing", "backedBy", "chongqing-atdc-implementing-soe") in got
    assert any(p == "jiangxi" and a == "jiangxi-settler-construction-firms" for p, _, a in got)


def test_lobbying(store):
    got = slugs(
        run(store, "lobbying").as_dicts(), "lobbying", "kind", "lobbiedBy", "target", "forActivity", "successful"
    )
    assert (
        "chongqing-atdc-lobbying",
        "LobbyingForSelection",
        "chongqing",
        "ministry-of-commerce",
        "chongqing-tanzania-atdc",
        True,
    ) in got


def test_scholarly_debate(store):
    got = slugs(run(store, "scholarly-debate").as_dicts(), "position", "advancedIn", "challenges")
    assert ("ye-bri-field-research", "ye-2020", "principal-agent-explanation") in got


STATEMENTS = ("exemplifiesModel", "contradictsModel", "exemplifiesAlignment")


@needs_java
def test_paper_vs_reasoner(store):
    rows = run(store, "paper-vs-reasoner").as_dicts()
    declared = {
        (item["id"], prop, v)
        for c in claims_yaml()
        for item in c.get("assert", [])
        for prop in STATEMENTS
        for v in ([item[prop]] if isinstance(item.get(prop), str) else item.get(prop, []))
    }
    assert slugs(rows, "resource", "statement", "sourceModel") == declared
    # every statement of the paper about its models agrees with the reasoner
    disagreements = [r for r in rows if not r["agrees"].toPython()]
    assert disagreements == []
    for r in rows:  # a model the source asserts is found in a class the model points to; a rejected one in none
        if "exemplifies" in str(r["statement"]):
            assert store.query(f"ASK {{ <{r['sourceModel']}> rdfs:seeAlso <{r['inferredClass']}> }}").boolean
        else:
            assert "inferredClass" not in r
    got = slugs(rows, "resource", "inferredClass", "restsOn")
    # the sectors and the medical-team twinning as such are tested too (issue 15)
    assert {
        ("sector-health", "CollaborativeSector", "explicit statements"),
        ("sector-agriculture", "CollaborativeSector", "explicit statements"),
        ("sector-economy", "InitiatorSector", "interpretation"),
        ("provincial-medical-team-twinning", "CollaborativeEngagement", "interpretation"),
        ("provincial-twinning", "CollaborativeEngagement", "explicit statements"),
        ("galamsey-illegal-mining", "DivergentEngagement", "explicit statements"),
    } <= got
    assert ("chinese-provinces", "contradictsModel", "model-province-as-subordinate") in declared


@needs_java
def test_explain_model_memberships(store):
    rows = run(store, "explain-model-memberships").as_dicts()
    got = slugs(rows, "resource", "model", "property", "value")
    assert ("hebei-drc-medical-teams", "CollaborativeEngagement", "designedBy", "central-government") in got
    assert ("hebei-drc-medical-teams", "CollaborativeEngagement", "implementedBy", "hebei") in got
    assert ("galamsey-illegal-mining", "DivergentEngagement", "conflictsWithInterestsOf", "central-government") in got
    assert ("jiangxi-zambia-clustering", "InitiatorEngagement", "initiatedBy", "ziec") in got
    # every inferred model membership is explained by at least one asserted fact
    inferred = slugs(
        store.query("""SELECT ?r ?m WHERE { GRAPH pdg:inferred { ?r a ?m }
        VALUES ?m { pd:SubordinateEngagement pd:CollaborativeEngagement pd:InitiatorEngagement pd:DivergentEngagement
                    pd:SubordinateActor pd:CollaborativePartnerActor pd:InitiatorActor pd:DivergentActor } }""").as_dicts(),
        "r",
        "m",
    )
    assert inferred == {(r, m) for r, m, _, _ in got}
