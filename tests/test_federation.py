"""Federated queries (queries/*-wikidata.rq): they name the public Wikidata Query Service, and run here
against a local stand-in on 127.0.0.1 (an Oxigraph server serving the offline slice), to which the
service_map setting sends them without editing the query. Each query's answer is checked against the
curated links and the slice, read independently of the store."""

from __future__ import annotations

import csv
import io
import os

import pytest
from conftest import ROOT, WIKIDATA_SLICE, run_cli
from rdflib import Graph

from paradiplomacy.namespaces import PDR, WD, WDT
from paradiplomacy.settings import Config
from paradiplomacy.sparql.service import parse_map, resolve, rewrite_services, service_iris

WDQS = "https://query.wikidata.org/sparql"
FEDERATED = sorted((ROOT / "queries").glob("*-wikidata.rq"))


def mapping() -> dict[str, str]:
    text = (ROOT / "data" / "links" / "wikidata.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO("".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))))
    return {r["slug"]: r["qid"] for r in rows}


def slice_value(qid: str, pid: str):
    g = _slice()
    return g.value(WD[qid], WDT[pid])


_SLICE: list[Graph] = []


def _slice() -> Graph:
    if not _SLICE:
        _SLICE.append(Graph().parse(WIKIDATA_SLICE))
    return _SLICE[0]


def slug(term) -> str:
    return str(term)[len(str(PDR)) :]


@pytest.fixture(scope="module")
def federated(store, wikidata_standin):
    """Run a query of queries/ on the built store, its Wikidata SERVICE sent to the local stand-in."""
    config = Config(service_map=f"{WDQS}={wikidata_standin}")

    def run(name):
        text = (ROOT / "queries" / f"{name}.rq").read_text()
        assert WDQS in service_iris(text)  # the query itself names the public service
        local = resolve(text, config)
        assert WDQS not in service_iris(local) and wikidata_standin in service_iris(local)
        return store.query(local).as_dicts()

    return run


def test_federated_queries_name_only_the_public_wikidata_service():
    assert FEDERATED
    for q in FEDERATED:
        text = q.read_text()
        assert set(service_iris(text)) == {WDQS}, q.name
        assert "127.0.0.1" not in text and "localhost" not in text, q.name


TWINNED = """SELECT DISTINCT ?province ?state WHERE { ?e a ?m . ?m rdfs:subClassOf+ pd:Twinning .
  ?e pd:subStateActor ?province ; pd:foreignCounterpart ?state . ?province a pd:ProvinceLevelUnit . ?state a pd:ForeignState }"""
# the paper's twinnings, as test_twinned_provinces has them
PAPER_TWINNINGS = {
    ("chongqing", "tanzania"),
    ("hebei", "democratic-republic-of-the-congo"),
    ("jiangxi", "chad"),
    ("jiangxi", "zambia"),
}


def test_twinned_states_wikidata(federated, store):
    rows = federated("twinned-states-wikidata")
    links = mapping()
    pairs = {(slug(r["province"]), slug(r["state"])) for r in store.query(TWINNED).as_dicts()}  # asked locally
    assert PAPER_TWINNINGS <= pairs
    expected = set()
    for p, s in pairs:
        iso, population = slice_value(links[s], "P297"), slice_value(links[s], "P1082")
        if iso is not None and population is not None:  # the slice's gaps are Wikidata's answer here
            expected.add((p, s, links[s], str(iso), population.toPython()))
    got = {
        (
            slug(r["province"]),
            slug(r["state"]),
            str(r["item"])[len(str(WD)) :],
            str(r["iso"]),
            r["population"].toPython(),
        )
        for r in rows
    }
    assert got == expected
    assert ("jiangxi", "zambia", "Q953", "ZM", 17094130) in {(a, b, c, d, int(e)) for a, b, c, d, e in got}
    assert PAPER_TWINNINGS <= {(a, b) for a, b, *_ in got}


def test_engagement_places_wikidata(federated):
    rows = federated("engagement-places-wikidata")
    links = mapping()
    got = {(slug(r["engagement"]), slug(r["province"]), slug(r["state"])) for r in rows}
    assert {
        ("chongqing-tanzania-atdc", "chongqing", "tanzania"),
        ("hebei-drc-medical-teams", "hebei", "democratic-republic-of-the-congo"),
        ("jiangxi-chad-medical-team", "jiangxi", "chad"),
        ("jiangxi-zambia-clustering", "jiangxi", "zambia"),
        ("jiangxi-equatorial-guinea-legislative-exchange", "jiangxi", "equatorial-guinea"),
        ("galamsey-illegal-mining", "guangxi", "ghana"),  # through Shanglin County, a county of Guangxi
    } <= got
    for r in rows:  # the coordinates and codes are Wikidata's, as the slice has them
        p, s = links[slug(r["province"])], links[slug(r["state"])]
        assert str(slice_value(p, "P300")).startswith("CN-")
        assert r["provinceCoordinates"] == slice_value(p, "P625") and r["stateCoordinates"] == slice_value(s, "P625")
        assert str(r["provinceCode"]) == str(slice_value(p, "P300")) and str(r["stateCode"]) == str(
            slice_value(s, "P297")
        )


def test_the_cli_sends_service_calls_where_the_service_map_says(store, wikidata_standin, tmp_path, built):
    cfg = built[0]
    env = {**os.environ, "PARADIPLOMACY_SERVICE_MAP": f"{WDQS}={wikidata_standin}"}
    r = run_cli("--store", cfg.store, "query", "queries/twinned-states-wikidata.rq", "--format", "csv", env=env)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {("Chad", "TD"), ("Democratic Republic of the Congo", "CD"), ("Tanzania", "TZ"), ("Zambia", "ZM")} <= {
        (row["stateLabel"], row["iso"]) for row in rows
    }
    assert all(row["population"] for row in rows)


def test_a_malformed_service_map_is_an_error(built):
    env = {**os.environ, "PARADIPLOMACY_SERVICE_MAP": "https://query.wikidata.org/sparql"}
    r = run_cli("--store", built[0].store, "query", "ASK {}", env=env)
    assert r.returncode == 2 and "PARADIPLOMACY_SERVICE_MAP" in r.stderr and "Traceback" not in r.stderr


def test_rewriting_touches_only_service_iris():
    query = f"""PREFIX wq: <https://query.wikidata.org/>
# SERVICE <{WDQS}> in a comment stays
SELECT * WHERE {{
  BIND("SERVICE <{WDQS}>" AS ?text)
  SERVICE <{WDQS}> {{ ?a ?b ?c }}
  service silent wq:sparql {{ ?a ?b ?c }}
  SERVICE <http://example.org/other> {{ ?a ?b ?c }}
  SERVICE ?endpoint {{ ?a ?b ?c }}
}}"""
    assert service_iris(query) == [WDQS, WDQS, "http://example.org/other"]
    out = rewrite_services(query, parse_map(f"{WDQS}=http://127.0.0.1:9/query"))
    assert out.count("<http://127.0.0.1:9/query>") == 2
    assert f"# SERVICE <{WDQS}> in a comment stays" in out and f'BIND("SERVICE <{WDQS}>" AS ?text)' in out
    assert "SERVICE <http://example.org/other>" in out and "SERVICE ?endpoint" in out
    assert rewrite_services(query, {}) == query
    with pytest.raises(ValueError):
        parse_map("no-pair-here")
