"""Reasoning: the paper's findings reproduced from the asserted facts alone, kept in their own
graph, sensitive to the facts, explained, and failing cleanly on inconsistency or missing Java."""

import json
import os
import textwrap

import pytest
from conftest import make_config, needs_java, run_cli

from paradiplomacy.build import build, prepare, reason_store
from paradiplomacy.namespaces import PD, PDR
from paradiplomacy.reasoning.explain import explain
from paradiplomacy.reasoning.reasoners import InconsistentInput, infer
from paradiplomacy.store import open_store

pytestmark = needs_java

MODELS = "VALUES ?model { pd:SubordinateEngagement pd:CollaborativeEngagement pd:InitiatorEngagement pd:DivergentEngagement }"


def members(store, model):
    return set(store.query(f"SELECT ?r WHERE {{ GRAPH pdg:inferred {{ ?r a {model} }} }}").column("r"))


# ---- the paper's findings -----------------------------------------------------------------------


def test_health_and_agricultural_twinning_are_collaborative(store):
    collaborative = members(store, "pd:CollaborativeEngagement")
    assert {PDR["hebei-drc-medical-teams"], PDR["chongqing-tanzania-atdc"]} <= collaborative
    assert PDR.hebei in members(store, "pd:CollaborativePartnerActor")


def test_clustering_in_zambia_is_agent_initiator(store):
    assert PDR["jiangxi-zambia-clustering"] in members(store, "pd:InitiatorEngagement")
    assert {PDR.ziec, PDR.zhongding, PDR.zhongmei} <= members(store, "pd:InitiatorActor")
    assert PDR["jiangxi-zambia-clustering"] not in members(store, "pd:CollaborativeEngagement")


def test_galamsey_diverges_from_central_interests(store):
    assert PDR["galamsey-illegal-mining"] in members(store, "pd:DivergentEngagement")
    assert PDR["shanglin-county"] in members(store, "pd:DivergentActor")


def test_subordinate_model_only_where_the_evidence_says_so(store):
    assert members(store, "pd:SubordinateEngagement") == set()
    assert not store.query("ASK { ?c a pd:Claim . GRAPH ?c { ?e pd:imposedBy ?x } }").boolean


def test_no_model_label_is_asserted(store):
    """The classification comes from the facts: no claim graph types anything into a model class."""
    assert not store.query(f"ASK {{ ?c a pd:Claim . GRAPH ?c {{ ?r a ?model }} {MODELS} }}").boolean


def test_inferred_knowledge_has_its_own_graph_and_provenance(store):
    assert store.query(
        "ASK { GRAPH pdg:inferred { pdr:hebei-drc-medical-teams a pd:CollaborativeEngagement } }"
    ).boolean
    prov = store.query("""SELECT ?agent ?label ?build WHERE { GRAPH pdg:inferred-provenance {
        pdg:inferred prov:wasGeneratedBy ?a . ?a prov:wasAssociatedWith ?agent ; prov:used ?build .
        ?agent rdfs:label ?label } ?build a pd:LoadActivity }""").as_dicts()
    labels = {str(r["label"]) for r in prov}
    assert any(l.startswith("HermiT 1.3.8") for l in labels)
    assert any(l.startswith("reasonable ") and l.endswith("(OWL 2 RL)") for l in labels)


def test_owl_rl_materialises_hierarchy_inverse_and_transitive_properties(store):
    assert store.query(
        "ASK { GRAPH pdg:inferred { pdr:ministry-of-commerce org:transitiveSubOrganizationOf pdr:central-government } }"
    ).boolean
    assert store.query("ASK { GRAPH pdg:inferred { pdr:hebei pd:implements pdr:hebei-drc-medical-teams } }").boolean
    assert store.query("ASK { GRAPH pdg:inferred { pdr:hebei-drc-medical-teams a pd:Twinning } }").boolean


# ---- explanations ------------------------------------------------------------------------------


def test_explanation_names_the_facts_and_their_quotes(store):
    [exp] = explain(store, PDR["hebei-drc-medical-teams"])
    assert exp.cls == PD.CollaborativeEngagement and exp.inferred
    by_text = {c.text: c for c in exp.conditions}
    designed = by_text["some pd:designedBy that is a pd:CentralStateActor"].facts
    assert [(f.object, f.support) for f in designed] == [(PDR["central-government"], "Interpretation")]
    assert "central agents designing policies" in designed[0].quote
    assert designed[0].file == "data/claims/lenz-07-endnotes.yaml"
    assert all(c.satisfied for c in exp.conditions)


@pytest.mark.slow
def test_explanation_of_an_actor_goes_through_its_engagement(store):
    exps = {e.cls: e for e in explain(store, PDR["shanglin-county"])}
    divergent = exps[PD.DivergentActor]
    [engaged] = [c for c in divergent.conditions if "engagedIn" in c.text]
    assert PDR["galamsey-illegal-mining"] in {f.subject for f in engaged.facts}
    [why] = engaged.because
    conflict = [f for c in why.conditions for f in c.facts if f.predicate == PD.conflictsWithInterestsOf]
    assert conflict and "against the interests of Beijing" in conflict[0].quote or "Beijing" in conflict[0].quote


def test_explanation_says_whether_it_rests_on_explicit_statements_or_an_interpretation(store):
    [hebei] = explain(store, PDR["hebei-drc-medical-teams"])
    assert hebei.rests_on == "interpretation"
    assert hebei.interpretations and all(
        str(store.query(f"SELECT ?s {{ <{c}> pd:supportLevel ?s }}").rows[0][0]).endswith("Interpretation")
        for c in hebei.interpretations
    )
    # the same answer as the graph of what survives without interpretation claims
    assert not store.query(
        "ASK { GRAPH pdg:inferred-explicit { pdr:hebei-drc-medical-teams a pd:CollaborativeEngagement } }"
    ).boolean
    [twinning] = [e for e in explain(store, PDR["provincial-twinning"]) if e.cls == PD.CollaborativeEngagement]
    assert twinning.rests_on == "explicit statements"


@pytest.mark.slow
def test_explain_command(built):
    cfg = built[0]
    env = dict(os.environ, PARADIPLOMACY_STORE=cfg.store)
    out = run_cli("explain", "galamsey-illegal-mining", env=env)
    assert out.returncode == 0, out.stderr
    assert "pdr:galamsey-illegal-mining is a pd:DivergentEngagement (inferred)" in out.stdout
    assert "15,000 Chinese" in out.stdout
    assert "[rests on explicit statements" in out.stdout
    hebei = run_cli("explain", "hebei-drc-medical-teams", env=env)
    assert (
        "[rests on an interpretation: it does not hold on the explicit statements alone; interpretation claims: pdr:claim-"
        in hebei.stdout
    )
    as_json = json.loads(run_cli("explain", "hebei-drc-medical-teams", "--json", env=env).stdout)
    assert as_json[0]["rests_on"] == "interpretation" and as_json[0]["interpretations"]


# ---- sensitivity to the facts -----------------------------------------------------------------

TWINNING = """\
source: lenz-china-provinces
section: provinces-as-collaborative-actors
claims:
  - id: t-labour-division
    quote: "It allows for a labour division between the centre and the provinces, with central agents designing policies, and provincial government as key actors in executing projects."
    assert:
      - id: central-government
        type: CentralGovernment
        label: Central government
      - id: hebei
        type: ProvinceLevelUnit
        label: Hebei
        {space}
      - id: drc
        type: ForeignState
        label: DR Congo
      - id: t-twinning
        type: MedicalTeamTwinning
        label: Twinning
        subStateActor: hebei
        foreignCounterpart: drc
        sector: sector-health
{extra}
"""
SPACE = "policySpaceInSector: sector-health"  # the province's policy space in the twinning's sector


def classify(mini_project, extra, space=SPACE):
    (mini_project / "data" / "claims" / "t.yaml").write_text(
        TWINNING.format(extra=textwrap.indent(extra, " " * 8), space=space or "")
    )
    result = prepare(make_config(mini_project / "store", home=mini_project))
    inference = infer(result.dataset)
    return {o for s, p, o in inference.triples if s == PDR["t-twinning"]}


@pytest.mark.slow
def test_twinning_with_a_central_designer_is_collaborative(mini_project):
    assert PD.CollaborativeEngagement in classify(mini_project, "designedBy: central-government\nimplementedBy: hebei")


@pytest.mark.slow
def test_twinning_without_a_central_designer_is_not_collaborative(mini_project):
    assert PD.CollaborativeEngagement not in classify(mini_project, "implementedBy: hebei")


@pytest.mark.slow
def test_central_design_and_provincial_implementation_without_policy_space_is_not_collaborative(mini_project):
    """Designed centrally and implemented provincially alone also fits the subordinate model: the
    collaborative model needs the province's policy space in the sector."""
    got = classify(mini_project, "designedBy: central-government\nimplementedBy: hebei", space=None)
    assert PD.CollaborativeEngagement not in got


@pytest.mark.slow
def test_a_divergent_collaboration_stays_collaborative(mini_project):
    """A 'flawed collaboration' (diverging from the centre's recruitment criteria) is collaborative and divergent."""
    got = classify(
        mini_project,
        "designedBy: central-government\nimplementedBy: hebei\n"
        "divergesFromPolicy: policy-medical-team-recruitment-criteria",
    )
    assert {PD.CollaborativeEngagement, PD.DivergentEngagement} <= got


@pytest.mark.slow
def test_initiative_makes_an_engagement_initiator_and_imposition_subordinate(mini_project):
    assert PD.InitiatorEngagement in classify(mini_project, "initiatedBy: hebei")
    got = classify(mini_project, "imposedBy: central-government")
    assert PD.SubordinateEngagement in got and PD.InitiatorEngagement not in got


# ---- failure -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_inconsistent_facts_fail_naming_the_claims_and_write_nothing(mini_project, tmp_path):
    cfg = make_config(tmp_path / "store", home=mini_project)
    store = open_store(cfg)
    build(cfg, store)
    before = len(store)
    (mini_project / "data" / "claims" / "clash.yaml").write_text(
        textwrap.dedent("""\
        source: lenz-china-provinces
        section: provinces-as-collaborative-actors
        claims:
          - id: clash-a
            quote: "Chongqing, for example, successfully lobbied the Ministry of Commerce"
            assert:
              - id: chongqing
                type: Municipality
          - id: clash-b
            quote: "Chongqing, for example, successfully lobbied"
            assert:
              - id: chongqing
                type: Province
        """)
    )
    with pytest.raises(InconsistentInput) as info:
        build(cfg, store)
    text = str(info.value)
    assert "data/claims/clash.yaml:4" in text and "data/claims/clash.yaml:9" in text
    assert "individuals: chongqing" in text
    assert "mini.yaml" not in text  # the culprits only
    assert len(store) == before


@pytest.mark.slow
def test_reason_without_java_runs_owl_rl_and_says_what_to_install(mini_project, tmp_path):
    env = dict(
        os.environ,
        PARADIPLOMACY_HOME=str(mini_project),
        PARADIPLOMACY_STORE=str(tmp_path / "store"),
        PATH=str(tmp_path),
    )
    assert run_cli("build", "--no-reason", env=env).returncode == 0
    out = run_cli("reason", env=env)
    assert out.returncode == 0, out.stderr
    assert "warning: HermiT skipped" in out.stderr and "default-jre-headless" in out.stderr
    assert "HermiT did not run" in out.stderr and "Traceback" not in out.stderr
    store = open_store(make_config(tmp_path / "store", home=mini_project), read_only=True)
    assert store.query("ASK { GRAPH pdg:inferred { pdr:chongqing a pd:SubStateActor } }").boolean


@pytest.mark.slow
def test_reason_command_replaces_the_inferred_graph(mini_project, tmp_path):
    cfg = make_config(tmp_path / "store", home=mini_project)
    store = open_store(cfg)
    build(cfg, store, reason=False)
    assert not store.query("ASK { GRAPH pdg:inferred { ?s ?p ?o } }").boolean
    reason_store(store)
    size = len(store)
    assert store.query("ASK { GRAPH pdg:inferred { pdr:chongqing a pd:SubStateActor } }").boolean
    reason_store(store)
    assert len(store) == size


@pytest.mark.slow
def test_both_owl_rl_engines_infer_the_same_facts(built):
    """reasonable (the default, with the project's prp-fp and prp-ifp) and owlrl (the reference
    implementation of the rules) agree on the paper's graph: on every fact about the individuals
    (owlrl alone also applies the schema rules scm-*: subclasses of owl:Thing, domains and ranges
    inherited along the hierarchy, datatype declarations)."""
    from paradiplomacy.reasoning.reasoners import owl_rl_closure, reasoner_input

    ontology, abox, _ = reasoner_input(built[2].dataset)
    fast, reference = owl_rl_closure(ontology, abox, "reasonable"), owl_rl_closure(ontology, abox, "owlrl")
    individuals = {s for s, _, _ in abox}
    about = lambda closure: {t for t in closure if t[0] in individuals}  # noqa: E731
    assert about(fast) == about(reference) and len(about(fast)) > 300
    assert fast <= reference
    assert (PDR.hebei, PD.implements, PDR["hebei-drc-medical-teams"]) in fast
    assert fast <= built[2].inference.rl  # the build read all of this, and more (datasets)


@pytest.mark.slow
def test_reasoning_over_more_facts_than_the_limit_is_refused_before_it_starts(mini_project, tmp_path):
    """OWL 2 RL's memory grows faster than the graph: over PARADIPLOMACY_REASONING_LIMIT the build
    stops with a message saying what to do, and the store is as it was."""
    store_dir = tmp_path / "store"
    env = {**os.environ, "PARADIPLOMACY_REASONING_LIMIT": "5"}
    first = run_cli("--home", str(mini_project), "--store", str(store_dir), "build", "--no-reason", env=env)
    assert first.returncode == 0, first.stderr
    refused = run_cli("--home", str(mini_project), "--store", str(store_dir), "build", env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "asserted triples is over the limit of 5 (PARADIPLOMACY_REASONING_LIMIT)" in refused.stderr
    assert "paradiplomacy build --no-reason" in refused.stderr
    store = open_store(make_config(store_dir, home=mini_project), read_only=True)
    assert not store.query("ASK { GRAPH pdg:inferred { ?s ?p ?o } }").boolean
    store.close()
    assert (
        run_cli(
            "--home",
            str(mini_project),
            "--store",
            str(store_dir),
            "build",
            env={**env, "PARADIPLOMACY_REASONING_LIMIT": "0"},
        ).returncode
        == 0
    )  # 0: no limit


# ---- interpretation made visible: what survives on the explicit statements alone ----------------


@pytest.mark.slow
def test_explicit_only_reasoning_keeps_what_the_paper_states_and_drops_what_we_read(built):
    _, store, result = built
    explicit = infer(result.dataset, explicit_only=True)
    types = {(s, o) for s, p, o in explicit.triples if str(p).endswith("#type")}
    assert (PDR["provincial-twinning"], PD.CollaborativeEngagement) in types
    assert (PDR["galamsey-illegal-mining"], PD.DivergentEngagement) in types
    assert (PDR["sector-health"], PD.CollaborativeSector) in types
    # the initiator model of the Zambian clustering, and Hebei's collaboration, rest on interpretations
    assert (PDR["jiangxi-zambia-clustering"], PD.InitiatorEngagement) not in types
    assert (PDR["hebei-drc-medical-teams"], PD.CollaborativeEngagement) not in types
    # the build records the same survivors in their own graph, a subset of the full inference
    kept = set(store.query("SELECT ?r ?m { GRAPH pdg:inferred-explicit { ?r a ?m } }").rows)
    assert kept == {(s, o) for s, p, o in explicit.explicit}
    assert kept <= set(store.query("SELECT ?r ?m { GRAPH pdg:inferred { ?r a ?m } }").rows)
    assert (PDR["jiangxi-zambia-clustering"], PD.InitiatorEngagement) in set(
        store.query("SELECT ?r ?m { GRAPH pdg:inferred { ?r a ?m } }").rows
    )
