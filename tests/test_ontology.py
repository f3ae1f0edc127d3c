"""The ontology: OWL 2 DL in Turtle, consistent for HermiT, and passing its QC queries."""

import pytest
from conftest import ROOT, needs_java
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from paradiplomacy.evidence.ontology import Vocabulary, load_ontology, load_shapes
from paradiplomacy.namespaces import ONTOLOGY_IRI, PD, PREFIXES
from paradiplomacy.reasoning.reasoners import hermit_check

QC = sorted((ROOT / "ontology" / "qc").glob("*.rq"))


def copy(graph):
    g = Graph()
    g += graph
    return g


@pytest.fixture(scope="module")
def ontology():
    return load_ontology(ROOT / "ontology")


def test_ontology_has_version_iri(ontology):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionIRI)).startswith(str(ONTOLOGY_IRI) + "/")


@pytest.mark.slow
@pytest.mark.parametrize("query", QC, ids=[q.stem for q in QC])
def test_quality_control_query_returns_no_rows(ontology, query):
    rows = list(ontology.query(query.read_text(), initNs=PREFIXES))
    assert rows == [], f"{query.name}: {[tuple(map(str, r)) for r in rows]}"


def test_qc_queries_catch_a_defect(ontology):
    """The QC queries are not vacuous: a term without label or definition is reported."""
    broken = copy(ontology)
    broken.add((PD.Undocumented, RDF.type, OWL.Class))
    for name in ("missing-label", "missing-definition", "missing-defined-by"):
        rows = list(broken.query((ROOT / "ontology" / "qc" / f"{name}.rq").read_text(), initNs=PREFIXES))
        assert [r[0] for r in rows] == [PD.Undocumented], name


@pytest.mark.slow
@needs_java
def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class(ontology):
    result = hermit_check(ontology)
    assert result.consistent, result.message
    assert result.unsatisfiable == []


@pytest.mark.slow
@needs_java
def test_hermit_detects_an_inconsistency(ontology):
    """The check can fail: an individual in two disjoint classes makes HermiT report inconsistency."""
    broken = copy(ontology)
    x = URIRef("https://w3id.org/paradiplomacy/resource/test-x")
    broken.add((x, RDF.type, PD.Province))
    broken.add((x, RDF.type, PD.Municipality))
    assert not hermit_check(broken).consistent


def test_vocabulary_resolves_names_and_curies(ontology):
    vocab = Vocabulary(ontology)
    assert vocab.resolve_class("ProvinceLevelUnit") == PD.ProvinceLevelUnit
    assert vocab.resolve_class("org:Membership") == URIRef("http://www.w3.org/ns/org#Membership")
    assert vocab.resolve_property("startYear").is_object is False
    assert vocab.resolve_property("subStateActor").is_object is True
    assert vocab.resolve_property("nonsense") is None
    assert "sector-health" in vocab.concepts and "policy-belt-and-road-initiative" in vocab.concepts


def test_central_local_models_are_defined_classes_citing_the_paper(ontology):
    for name in (
        "SubordinateEngagement",
        "CollaborativeEngagement",
        "InitiatorEngagement",
        "DivergentEngagement",
        "SubordinateActor",
        "CollaborativePartnerActor",
        "InitiatorActor",
        "DivergentActor",
        "SubordinateSector",
        "CollaborativeSector",
        "InitiatorSector",
        "LowPoliticsSector",
    ):
        cls = PD[name]
        assert ontology.value(cls, OWL.equivalentClass) is not None, name
        assert (ontology.value(cls, PD.sourceQuote) or ontology.value(cls, PD.criterionQuote)) is not None, name


def test_shapes_parse():
    shapes = load_shapes(ROOT / "ontology")
    assert len(shapes) > 100


def test_the_paper_has_three_models_and_divergence_is_a_dimension(ontology):
    from rdflib.namespace import SKOS

    from paradiplomacy.namespaces import PDR

    models = set(ontology.subjects(SKOS.inScheme, PDR["central-local-models"]))
    assert models == {
        PDR["model-province-as-subordinate"],
        PDR["model-province-as-collaborator"],
        PDR["model-province-as-initiator"],
    }
    assert (PDR["alignment-conflicting"], SKOS.inScheme, PDR["interest-alignment"]) in ontology
    assert (
        PDR["alignment-conflicting"],
        URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
        PD.DivergentEngagement,
    ) in ontology


def test_model_definitions_are_grounded_in_quoted_criteria(ontology):
    """Each model's axiom uses the paper's criteria, quoted beside it: design, implementation and policy
    space for the collaborative model (design and implementation alone would fit the subordinate one)."""
    for name in ("SubordinateEngagement", "CollaborativeEngagement", "InitiatorEngagement", "DivergentEngagement"):
        assert list(ontology.objects(PD[name], PD.criterionQuote)), name
    restricted = {
        p
        for p in ontology.query(
            """SELECT ?p WHERE { pd:CollaborativeEngagement owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?r .
                                               ?r owl:onProperty ?p }""",
            initNs=PREFIXES,
        ).bindings
        for p in [p["p"]]
    }
    assert restricted == {PD.designedBy, PD.implementedBy, PD.sector}


def test_medical_team_recruitment_criteria_are_not_placed_under_focac(ontology):
    """The paper says the centre sets them, never that FOCAC does."""
    from rdflib.namespace import SKOS

    from paradiplomacy.namespaces import PDR

    assert ontology.value(PDR["policy-medical-team-recruitment-criteria"], SKOS.broader) is None
