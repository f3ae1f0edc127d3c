"""The evidence in data/: verbatim quotes, the paper covered section by section, its endnotes and
bibliography complete, and the cases the paper discusses present with their facts."""

import subprocess
import sys
from collections import Counter

import pytest
import yaml

from conftest import CHECK_QUOTES, ROOT, SOURCES, needs_shared

CLAIMS = [c for p in sorted((ROOT / "data" / "claims").glob("*.yaml")) for c in yaml.safe_load(p.read_text())["claims"]]
SOURCES_YAML = yaml.safe_load((ROOT / "data" / "sources.yaml").read_text())["sources"]
PAPER = next(s for s in SOURCES_YAML if s["id"] == "lenz-china-provinces")


@needs_shared
@pytest.mark.parametrize("folder", ["data", "ontology"])
def test_every_quote_is_verbatim_in_its_source(folder):
    """The project's own check: ../shared/tools/check-quotes over data/ and the ontology's quotes."""
    out = subprocess.run([sys.executable, str(CHECK_QUOTES), folder], cwd=ROOT, capture_output=True, text=True,
                         env={"SOURCES_DIR": str(SOURCES), "PATH": "/usr/bin:/bin"})
    last = out.stdout.strip().splitlines()[-1]
    assert out.returncode == 0 and last.endswith(" 0 failed"), out.stdout[-3000:]
    assert int(last.split()[0]) >= (150 if folder == "data" else 50)


def test_well_over_sixty_claims_covering_every_section():
    assert len(CLAIMS) >= 100
    sections = Counter(c.get("section") for c in CLAIMS)
    per_file_default = {p.stem: yaml.safe_load(p.read_text()).get("section") for p in (ROOT / "data" / "claims").glob("*.yaml")}
    covered = {c.get("section") for c in CLAIMS} | set(per_file_default.values())
    assert {s["id"] for s in PAPER["sections"]} <= covered
    assert sum(sections.values()) == len(CLAIMS)


def test_all_27_endnotes_and_every_cited_work():
    notes = {n["number"]: n["cites"] for n in PAPER["endnotes"]}
    assert sorted(notes) == list(range(1, 28))
    assert all(notes[n] for n in notes)
    cited = {w for ws in notes.values() for w in ws}
    works = {s["id"] for s in SOURCES_YAML} - {"lenz-china-provinces"}
    assert cited == works, (cited ^ works)
    assert "year" not in PAPER  # the paper prints no publication year: none is invented


def test_interpretations_say_why():
    interpretations = [c for c in CLAIMS if c.get("support") == "interpretation"]
    assert interpretations and all(len(c.get("note", "")) > 40 for c in interpretations)


def facts(store, s):
    rows = store.query(f"SELECT DISTINCT ?p ?o WHERE {{ ?c a pd:Claim . GRAPH ?c {{ pdr:{s} ?p ?o }} }}").rows
    return {(str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1], str(o).rsplit("/", 1)[-1]) for p, o in rows}


@pytest.mark.parametrize("resource, expected", [
    ("jiangxi-zambia-clustering", {("type", "ontology#ProvincialClustering"), ("foreignCounterpart", "zambia"),
                                   ("sector", "sector-construction"), ("subStateActor", "ziec")}),
    ("ziec", {("type", "ontology#ProvincialSOE"), ("operatesIn", "zambia"), ("backedBy", "jiangxi")}),
    ("zhongding", {("type", "ontology#ProvincialSOE")}),
    ("zhongmei", {("type", "ontology#ProvincialSOE")}),
    ("zambia-jiangxi-chamber-of-commerce", {("type", "ontology#ChamberOfCommerce"), ("locatedIn", "zambia"),
                                            ("label", "赞比亚江西商会")}),
    ("bank-of-china-jiangxi-branch", {("type", "ontology#BankBranch"), ("subOrganizationOf", "bank-of-china"),
                                      ("label", "江西中行")}),
    ("jiangxi-zambia-economic-zone", {("year", "2018"), ("invokesPolicy", "policy-belt-and-road-initiative")}),
    ("jiangxi-firms-in-zambia", {("shareOfChineseCompanies", "0.2"), ("originProvince", "jiangxi")}),
    ("chongqing-atdc-lobbying", {("lobbiedBy", "chongqing"), ("lobbyTarget", "ministry-of-commerce"),
                                 ("lobbiedFor", "chongqing-tanzania-atdc"), ("successful", "true")}),
    ("hebei-drc-medical-teams", {("type", "ontology#MedicalTeamTwinning"), ("sector", "sector-health"),
                                 ("foreignCounterpart", "democratic-republic-of-the-congo")}),
    ("jiangxi-chad-medical-team", {("subStateActor", "jiangxi"), ("foreignCounterpart", "chad")}),
    ("jiangxi-equatorial-guinea-legislative-exchange", {("type", "ontology#LegislativeExchange"),
                                                        ("subStateActor", "jiangxi-peoples-congress"),
                                                        ("foreignCounterpart", "equatorial-guinea-chamber-of-deputies")}),
    ("togo-atdc", {("type", "ontology#AgriculturalCentreTwinning"), ("foreignCounterpart", "togo")}),
    ("equatorial-guinea-atdc", {("foreignCounterpart", "equatorial-guinea")}),
    ("galamsey-illegal-mining", {("subStateActor", "shanglin-county"), ("foreignCounterpart", "ghana"),
                                 ("startYear", "2008"), ("endYear", "2012"), ("approximateParticipantCount", "15000"),
                                 ("resultedIn", "galamsey-crisis-2013")}),
    ("shanglin-county", {("type", "ontology#County"), ("subOrganizationOf", "guangxi")}),
    ("coastal-provinces-medical-staff", {("divergesFromPolicy", "policy-medical-team-recruitment-criteria")}),
    ("provincial-soe-rescue-funds", {("invokesPolicy", "policy-belt-and-road-initiative")}),
    ("ye-bri-field-research", {("advancedIn", "ye-2020"), ("challenges", "principal-agent-explanation")}),
])
def test_the_papers_cases_are_in_the_graph(store, resource, expected):
    got = facts(store, resource)
    got |= {("type", o) for p, o in got if p == "22-rdf-syntax-ns#type"}
    missing = expected - got
    assert not missing, f"{resource} lacks {missing}"
