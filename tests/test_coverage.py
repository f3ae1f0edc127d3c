"""Coverage of the paper: a claim whose facts are only `aboutTopic` (a quote recorded with no fact a
query can find behind it) must say in its note why no fact is drawn, so that coverage cannot silently
regress; and some of the facts drawn for issue 15 are found by SPARQL with their claims."""

import re

import pytest
from conftest import ROOT

from paradiplomacy.evidence.ontology import Vocabulary, load_ontology
from paradiplomacy.evidence.reader import read_evidence

# the wording a note uses to say why a quote is kept without facts (docs/evidence-format.md, step 3)
SAYS_WHY = re.compile(r"\bno (?:further )?fact\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(load_ontology(ROOT / "ontology"))


def topic_only(evidence) -> list:
    """The claims whose assert states no property but aboutTopic (types and names aside)."""
    return [c for c in evidence.claims if {v.name for item in c.items for v in item.values} <= {"aboutTopic"}]


def unexplained(evidence) -> list[str]:
    return [
        f"{c.where.file}:{c.where.line}: {c.id}"
        for c in topic_only(evidence)
        if not (c.note and SAYS_WHY.search(c.note))
    ]


def test_every_claim_without_facts_says_why(vocab):
    evidence = read_evidence(ROOT / "data", vocab, root=ROOT)
    assert topic_only(evidence), "the paper has framing sentences kept with aboutTopic only"
    assert unexplained(evidence) == []


def test_a_claim_without_facts_and_without_a_reason_is_found(mini_project, vocab):
    claims = mini_project / "data" / "claims" / "topic.yaml"
    claims.write_text(
        "source: lenz-china-provinces\nsection: provinces-as-collaborative-actors\nclaims:\n"
        "  - id: t-twinning-framework\n"
        '    quote: "Twinning serves as a framework for decentralised cooperation in China\'s foreign aid policy."\n'
        "    assert:\n      - id: sector-aid-policy\n        aboutTopic: tanzania\n",
        encoding="utf-8",
    )
    evidence = read_evidence(mini_project / "data", vocab, root=mini_project)
    assert unexplained(evidence) == ["data/claims/topic.yaml:4: t-twinning-framework"]
    claims.write_text(
        claims.read_text().replace("    assert:", '    note: "A note that gives no reason."\n    assert:')
    )
    assert len(unexplained(read_evidence(mini_project / "data", vocab, root=mini_project))) == 1
    claims.write_text(claims.read_text().replace("gives no reason.", "No fact is drawn: a framing sentence."))
    assert unexplained(read_evidence(mini_project / "data", vocab, root=mini_project)) == []


def test_provincial_interests_driven_by_cadre_criteria(store):
    rows = store.query("""SELECT ?claim ?support WHERE {
        ?claim a pd:Claim ; pd:supportLevel ?support .
        GRAPH ?claim { pdr:provincial-governments pd:interestsDrivenBy pdr:policy-cadre-evaluation-criteria } }""").rows
    assert [(str(c).rsplit("/", 1)[1], str(s).rsplit("#", 1)[1]) for c, s in rows] == [
        ("claim-lenz-dis-provincial-interests-driven-by-cadre-criteria", "Interpretation")
    ]


def test_the_works_the_endnotes_cite_report_what_their_titles_state(store):
    """A cited work's title that states a finding is the work's position, quoting the endnote's citation."""
    rows = store.query("""SELECT ?work ?position ?quote WHERE {
        ?claim a pd:Claim ; oa:hasTarget/oa:hasSelector/oa:exact ?quote .
        GRAPH ?claim { ?position a pd:ScholarlyPosition ; pd:advancedIn ?work ; pd:aboutTopic pdr:chinese-provinces } }""").as_dicts()
    by_work = {str(r["work"]).rsplit("/", 1)[1]: r for r in rows}
    assert {"wong-2018", "chen-jian-2009", "raftery-2017", "chen-2010"} <= set(by_work)
    assert "More than peripheral: How provinces influence China's foreign policy." in str(by_work["wong-2018"]["quote"])
    # the title is evidence of what the work reports, nothing more: each such claim quotes the citation
    titles = store.query("""SELECT ?quote ?title WHERE {
        ?claim a pd:Claim ; oa:hasTarget/oa:hasSelector/oa:exact ?quote .
        GRAPH ?claim { ?position pd:advancedIn ?work } ?work dct:title ?title
        FILTER(STRSTARTS(STR(?claim), STR(pdr:claim-lenz-title-))) }""").rows
    assert len(titles) >= 10 and all(str(title)[:40] in str(quote) for quote, title in titles)
    aid = store.query(
        "ASK { pdr:shi-hoebink-subnational-actors-in-aid pd:advancedIn pdr:shi-hoebink-2020 ; "
        "pd:aboutTopic pdr:sector-aid-policy }"
    ).boolean
    assert aid


def test_a_risk_the_paper_names_is_a_possibility_not_a_conflict(store):
    """'local agents can possibly act against the interests of Beijing': mayConflictWithInterestsOf, on our
    reading of 'local agents', and no divergence is inferred from a possibility."""
    rows = store.query("""SELECT ?claim ?support WHERE { ?claim a pd:Claim ; pd:supportLevel ?support .
        GRAPH ?claim { pdr:local-agents-economic-interests-abroad pd:mayConflictWithInterestsOf pdr:central-government ;
                       pd:subStateActor pdr:chinese-provinces } }""").rows
    assert [str(s).rsplit("#", 1)[1] for _, s in rows] == ["Interpretation"]
    assert not store.query("ASK { pdr:local-agents-economic-interests-abroad pd:conflictsWithInterestsOf ?x }").boolean
    assert not store.query(
        "ASK { GRAPH pdg:inferred { pdr:local-agents-economic-interests-abroad a pd:DivergentEngagement } }"
    ).boolean
