"""OWL 2 RL over an ontology that is not the project's, loaded as a user would: each construct
entails what the OWL 2 RL rules say (and nothing unsound), for both engines; what `reasonable` has
no rule for is named in a warning; an inconsistency names the graph and its file; `load` then
`reason` answers class and property queries over the entailments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import make_config, run_cli
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, XSD

from paradiplomacy.build import load_files, reason_store
from paradiplomacy.errors import InvalidInput
from paradiplomacy.reasoning.reasoners import InconsistentInput
from paradiplomacy.store import open_store

U = Namespace("http://example.org/univ#")
FIXTURES = Path(__file__).parent / "fixtures" / "owl-rl"
ONTOLOGY, DATA = FIXTURES / "university.ttl", FIXTURES / "university-data.nt"


def _owl_file(tmp_path: Path) -> Path:
    """The ontology as RDF/XML, the usual form of a published .owl file."""
    path = tmp_path / "univ-bench.owl"
    Graph().parse(ONTOLOGY).serialize(path, format="xml")
    return path


def reasoned(tmp_path, engine: str, *extra: Path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = make_config(tmp_path / "store", backend="memory", home=tmp_path)
    store = open_store(config)
    load_files(config, store, [_owl_file(tmp_path), DATA, *extra])
    inference = reason_store(store, use_hermit=False, engine=engine)
    return store, inference


@pytest.fixture(params=["reasonable", "owlrl"], scope="module")
def university(request, tmp_path_factory):
    return reasoned(tmp_path_factory.mktemp(request.param), request.param)


def holds(store, s, p, o) -> bool:
    return store.query(
        f"ASK {{ GRAPH <https://w3id.org/paradiplomacy/graph/inferred> {{ {s.n3()} {p.n3()} {o.n3()} }} }}"
    ).boolean


def test_subclass_and_subproperty(university):
    store, _ = university
    assert holds(store, U.grace, RDF.type, U.Person)  # cax-sco, twice
    assert holds(store, U.ada, U.worksFor, U.physics)  # prp-spo1
    assert holds(store, U.bob, U.studiesSince, Literal("2024", datatype=XSD.gYear))  # a literal keeps its type


def test_domain_and_range(university):
    store, _ = university
    assert holds(store, U.ada, RDF.type, U.Employee) and holds(store, U.physics, RDF.type, U.Organization)


def test_inverse_symmetric_transitive(university):
    store, _ = university
    assert holds(store, U.grace, U.memberOf, U.physics)  # prp-inv2
    assert holds(store, U.grace, U.collaboratesWith, U.ada)  # prp-symp
    assert holds(store, U.physics, U.subOrganizationOf, U.univ0)  # prp-trp


def test_some_all_and_has_value(university):
    store, _ = university
    assert holds(store, U.ada, RDF.type, U.Chair)  # cls-svf1
    assert holds(store, U.qft, RDF.type, U.GraduateCourse)  # cls-avf
    assert holds(store, U.grace, RDF.type, U.Physicist)  # cls-hv2
    assert holds(store, U.erin, U.memberOf, U.physics)  # cls-hv1
    assert not holds(store, U.bob, RDF.type, U.Physicist)


def test_intersection_both_ways(university):
    store, _ = university
    assert holds(store, U.grace, RDF.type, U.TeachingProfessor)  # cls-int1
    assert not holds(store, U.ada, RDF.type, U.TeachingProfessor)  # ada teaches nothing


def test_intersection_member_gets_each_class(tmp_path):
    extra = tmp_path / "tp.nt"
    extra.write_text(f"<{U.hedy}> <{RDF.type}> <{U.TeachingProfessor}> .\n")
    store, _ = reasoned(tmp_path, "reasonable", extra)
    assert holds(store, U.hedy, RDF.type, U.Professor) and holds(store, U.hedy, RDF.type, U.Person)  # cls-int2


def test_equality(university):
    store, _ = university
    assert holds(store, U.frank, U.worksFor, U.physics)  # eq-rep-s
    assert holds(store, U.franklin, OWL.sameAs, U.frank)  # eq-sym
    assert holds(store, U.grace, OWL.sameAs, URIRef(U["prof-hopper"]))  # prp-fp: two advisors are one
    assert holds(store, URIRef(U["prof-hopper"]), RDF.type, U.Professor)
    assert holds(store, U.carol, OWL.sameAs, U["c-smith"])  # prp-ifp: one homepage, one person
    assert not holds(store, U.carol, OWL.sameAs, U.dan)  # `reasonable`'s own prp-ifp would say so
    assert not store.query(f"ASK {{ {U.dan.n3()} owl:sameAs ?x FILTER(?x != {U.dan.n3()}) }}").boolean


def test_nothing_trivial_or_asserted_is_written(university):
    store, inference = university
    assert not holds(store, U.grace, RDF.type, OWL.Thing)
    assert not holds(store, U.grace, OWL.sameAs, U.grace)
    assert not store.query("ASK { GRAPH pdg:inferred { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }").boolean
    assert not holds(store, U.physics, RDF.type, U.Department)  # asserted, so not inferred
    assert inference.read.tbox and inference.read.data


def test_property_chains_are_named_as_ignored_by_reasonable_and_entailed_by_owlrl(tmp_path):
    store, inference = reasoned(tmp_path / "r", "reasonable")
    [warning] = [w for w in inference.warnings if "prp-spo2" in w]
    assert "owl:propertyChainAxiom" in warning and "univ-bench-owl" in warning and "chairOf" in warning
    assert not holds(store, U.ada, U.chairOf, U["science-faculty"])
    reference, _ = reasoned(tmp_path / "o", "owlrl")
    assert holds(reference, U.ada, U.chairOf, U["science-faculty"])


def test_inconsistency_names_the_graph_and_file_and_writes_nothing(tmp_path):
    config = make_config(tmp_path / "store", backend="memory", home=tmp_path)
    store = open_store(config)
    load_files(config, store, [_owl_file(tmp_path), DATA])
    bad = tmp_path / "clash.ttl"
    bad.write_text(f"<{U.qm}> a <{U.Student}> .\n")
    before = len(store)
    with pytest.raises(InconsistentInput) as info:
        load_files(config, store, [bad], reason=True)
    text = str(info.value)
    assert "clash.ttl" in text and "cax-dw" in text and "univ#qm" in text
    assert len(store) == before


def test_functional_data_property_with_two_values_is_inconsistent(tmp_path):
    onto, data = tmp_path / "o.ttl", tmp_path / "d.ttl"
    onto.write_text(f"<{U}> a <{OWL.Ontology}> . <{U.born}> a <{OWL.DatatypeProperty}>, <{OWL.FunctionalProperty}> .\n")
    data.write_text(f'<{U.ada}> <{U.born}> "1815"^^<{XSD.gYear}>, "1816"^^<{XSD.gYear}> .\n')
    config = make_config(tmp_path / "store", backend="memory", home=tmp_path)
    with pytest.raises(InconsistentInput) as info:
        load_files(config, open_store(config), [onto, data], reason=True)
    assert "prp-fp" in str(info.value) and "d.ttl" in str(info.value)


@pytest.mark.slow
def test_load_then_reason_answers_queries_over_the_entailments(tmp_path):
    """What a new user does: load an OWL ontology and its data, reason, query."""
    # a user's own ontology and data, loaded from a directory that is no project: into the store named
    env = {k: v for k, v in os.environ.items() if k != "PARADIPLOMACY_HOME"} | {
        "PARADIPLOMACY_STORE": str(tmp_path / "store")
    }
    loaded = run_cli("load", "--no-reason", str(_owl_file(tmp_path)), str(DATA), env=env, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    out = run_cli("reason", env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "1 ontology graph(s)" in out.stderr and "univ-bench-owl" in out.stderr
    assert "prp-spo2" in out.stderr and "peak memory" in out.stderr
    people = run_cli(
        "query", "--format", "csv", f"SELECT ?p WHERE {{ ?p a <{U.Person}> }} ORDER BY ?p", env=env, cwd=tmp_path
    )
    assert {U.grace, U.bob, U.ada} <= {URIRef(x) for x in people.stdout.split()[1:]}
    members = run_cli(
        "query",
        "--format",
        "csv",
        f"SELECT ?m WHERE {{ <{U.physics}> <{U.hasMember}> ?m . ?m <{U.memberOf}> <{U.physics}> }}",
        env=env,
        cwd=tmp_path,
    )
    assert str(U.grace) in members.stdout


def test_tbox_option_reads_a_graph_without_owl_ontology_as_an_ontology(tmp_path):
    onto = tmp_path / "axioms.ttl"
    onto.write_text(
        "".join(
            line + "\n"
            for line in Graph().parse(ONTOLOGY).serialize(format="nt").splitlines()
            if "Ontology>" not in line
        )
    )
    config = make_config(tmp_path / "store", backend="memory", home=tmp_path)
    store = open_store(config)
    load_files(config, store, [onto, DATA])
    graph = "https://w3id.org/paradiplomacy/graph/import-axioms-ttl"
    plain = reason_store(store, use_hermit=False)
    assert URIRef(graph) in plain.read.data
    named = reason_store(store, use_hermit=False, tbox=[graph])
    assert URIRef(graph) in named.read.tbox
    assert any("owl:FunctionalProperty" in w and "prp-fp" in w for w in named.warnings)  # a user's declaration, named
    assert holds(store, U.grace, RDF.type, U.Person)
    with pytest.raises(InvalidInput, match="no graph <urn:nowhere>"):
        reason_store(store, use_hermit=False, tbox=["urn:nowhere"])


def test_hermit_is_skipped_over_its_limit_naming_the_setting(mini_project, tmp_path):
    config = make_config(tmp_path / "store", home=mini_project)
    store = open_store(config)
    from paradiplomacy.build import build

    build(config, store, reason=False)
    inference = reason_store(store, hermit_limit=10)
    [skipped] = [w for w in inference.warnings if w.startswith("HermiT skipped")]
    assert "PARADIPLOMACY_HERMIT_LIMIT" in skipped and "hermit" not in inference.seconds
    assert store.query("ASK { GRAPH pdg:inferred { pdr:chongqing a pd:SubStateActor } }").boolean  # OWL 2 RL still ran


@pytest.mark.slow
def test_load_into_a_reasoned_store_re_reasons_the_whole_and_says_how_long(tmp_path):
    # a user's own ontology and data, loaded from a directory that is no project: into the store named
    env = {k: v for k, v in os.environ.items() if k != "PARADIPLOMACY_HOME"} | {
        "PARADIPLOMACY_STORE": str(tmp_path / "store")
    }
    first = run_cli("load", str(_owl_file(tmp_path)), str(DATA), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "re-reasoned the whole store in" in first.stderr and "peak memory" in first.stderr
    extra = tmp_path / "more.nt"
    extra.write_text(f"<{U.hedy}> <{U.headOf}> <{U.physics}> .\n")
    more = run_cli("load", str(extra), env=env, cwd=tmp_path)
    assert more.returncode == 0, more.stderr
    assert "re-reasoned the whole store in" in more.stderr
    chair = run_cli("query", f"ASK {{ <{U.hedy}> a <{U.Chair}> . <{U.ada}> a <{U.Chair}> }}", env=env, cwd=tmp_path)
    assert chair.stdout.strip() == "true"  # the new fact's entailments, and the old ones kept


def test_reasoning_reads_each_asserted_graph_once_not_the_union_kept_as_default_graph(mini_project, tmp_path):
    """The embedded store keeps the union of its named graphs as its default graph; reasoning reads the
    named graphs, never that copy again."""
    from paradiplomacy.build import build

    config = make_config(tmp_path / "store", home=mini_project)
    store = open_store(config)
    build(config, store, reason=False)
    assert store.default_graph_is_union
    inference = reason_store(store, use_hermit=False)
    assert None not in inference.read.data and inference.read.triples == sum(inference.read.tbox.values()) + sum(
        inference.read.data.values()
    )
    assert inference.read.triples == int(
        store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!STRSTARTS(STR(?g), STR(pdg:inferred))) }"
        ).rows[0][0]
    )
