"""The synthetic evidence generator: valid evidence of the ontology's shape, deterministic by seed,
and classified by the reasoner into every central-local model."""

import filecmp

import pytest
from conftest import ROOT, make_config, needs_java

from paradiplomacy.build import build
from paradiplomacy.evidence.synthetic import generate
from paradiplomacy.store import open_store


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, 400, seed=7)
    generate(b, 400, seed=7)
    generate(c, 400, seed=8)
    same = filecmp.dircmp(a / "data", b / "data")
    assert not same.diff_files and not filecmp.dircmp(a / "data" / "claims", b / "data" / "claims").diff_files
    assert filecmp.dircmp(a / "data" / "claims", c / "data" / "claims").diff_files


@pytest.mark.slow
@needs_java
def test_generated_project_builds_and_covers_every_model(tmp_path):
    out = tmp_path / "synthetic"
    counts = generate(out, 500, seed=1, ontology_dir=ROOT / "ontology")
    assert counts["claims"] == 500
    cfg = make_config(tmp_path / "store", home=out, sources_dir=str(out / "data" / "sources"))
    store = open_store(cfg)
    result = build(cfg, store)
    assert not result.evidence.unverified_sources  # every synthetic quote was checked against its text
    for model in ("CollaborativeEngagement", "InitiatorEngagement", "SubordinateEngagement", "DivergentEngagement"):
        n = store.query(f"SELECT (COUNT(?e) AS ?n) WHERE {{ GRAPH pdg:inferred {{ ?e a pd:{model} }} }}").rows[0][0]
        assert int(n) > 50, model
    provinces = store.query("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pd:ProvinceLevelUnit }").rows[0][0]
    states = store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a pd:ForeignState }").rows[0][0]
    assert (int(provinces), int(states)) == (31, 54)
    assert not store.query(
        "ASK { ?x rdfs:label ?l FILTER(LANG(?l) = 'en' && !CONTAINS(?l, '(synthetic)')) "
        "?c a pd:Claim . GRAPH ?c { ?x rdfs:label ?l } }"
    ).boolean
