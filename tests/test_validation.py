"""SHACL validation of the evidence: a fact that breaks a shape is reported at its file, line and
field, nothing is written; and the two engines (pyshacl-turbo, the default, and pySHACL, the
reference) give the same results on every case here and on the project's whole graph."""

import pytest
from conftest import ROOT, needs_shared, sources_dir
from rdflib import URIRef

from paradiplomacy.build import prepare
from paradiplomacy.errors import InvalidInput
from paradiplomacy.evidence.claims import build_store
from paradiplomacy.evidence.ontology import Vocabulary, load_ontology, load_shapes
from paradiplomacy.evidence.reader import read_evidence
from paradiplomacy.evidence.shacl import ENGINES, SH, run_shacl, shacl_check, shape_predicates
from paradiplomacy.settings import Config

BROKEN = [  # (what the claim file says instead, the problem expected: line, field, message)
    (
        "subStateActor: chongqing",
        "subStateActor: tanzania",
        (17, "subStateActor", "an engagement needs its Chinese sub-state actor"),
    ),
    (
        "foreignCounterpart: tanzania",
        "foreignCounterpart: ministry-of-commerce",
        (17, "foreignCounterpart", "foreignCounterpart must be a foreign state"),
    ),
    (
        "lobbyTarget: ministry-of-commerce",
        "lobbyTarget: chongqing-tanzania-atdc",
        (23, "lobbyTarget", "lobbyTarget must be an actor"),
    ),
    (
        "successful: true",
        "successful: true\n        startYear: 2012\n        endYear: 2009",
        (23, "startYear", "startYear is after endYear"),
    ),
    ("sector: sector-agriculture", "sector: chongqing", (17, "sector", "sector must be a sector concept")),
    (
        "sector: sector-agriculture",
        "sector: sector-agriculture\n        designedBy: ministry-of-commerce\n"
        "        supportedBy: ministry-of-commerce",
        (17, "supportedBy", "supportedBy is support without designing"),
    ),
]


def located(problem) -> tuple:
    return problem.line, problem.field, problem.message


def check(home, engine):
    config = Config(home=home, sources_dir=str(sources_dir()), shacl_engine=engine)
    ontology = load_ontology(config.path("ontology_dir"))
    evidence = read_evidence(
        config.path("data_dir"), Vocabulary(ontology), root=home, sources_dir=config.path("sources_dir")
    )
    return shacl_check(build_store(ontology, evidence), load_shapes(config.path("ontology_dir")), evidence, engine)


@pytest.mark.slow
@pytest.mark.parametrize("old, new, expected", BROKEN, ids=[b[2][1] for b in BROKEN])
def test_a_fact_that_breaks_a_shape_is_located_and_both_engines_agree(mini_project, old, new, expected):
    path = mini_project / "data" / "claims" / "mini.yaml"
    path.write_text(path.read_text().replace(old, new))
    reports = {engine: check(mini_project, engine) for engine in ENGINES}
    line, field, message = expected
    for engine, report in reports.items():
        found = [p for p in report.violations if p.line == line and p.field == field and message in p.message]
        assert found and all(p.file.endswith("mini.yaml") for p in report.violations), (engine, report.violations)
    turbo, reference = (reports[e] for e in ENGINES)
    assert [located(p) for p in turbo.violations] == [located(p) for p in reference.violations]


def test_a_shape_violation_stops_the_build_with_its_location(mini_project):
    path = mini_project / "data" / "claims" / "mini.yaml"
    path.write_text(path.read_text().replace("subStateActor: chongqing", "subStateActor: tanzania"))
    with pytest.raises(InvalidInput, match=r"mini.yaml:17: subStateActor: 'chongqing-tanzania-atdc'"):
        prepare(Config(home=mini_project, sources_dir=str(sources_dir())), datasets=False)


def test_a_warning_is_reported_by_both_engines_and_does_not_stop_the_build(mini_project):
    path = mini_project / "data" / "claims" / "mini.yaml"
    path.write_text(path.read_text().replace("        type: Ministry\n", "        type: ProvincialSOE\n"))
    reports = [check(mini_project, engine) for engine in ENGINES]
    for report in reports:
        assert not report.violations
        assert [(p.line, p.message) for p in report.warnings] == [
            (11, "'ministry-of-commerce': a provincial SOE whose backing province the evidence does not name")
        ]


@pytest.mark.slow
def test_both_engines_find_the_projects_graph_valid(built):
    result = built[2]
    shapes = load_shapes(ROOT / "ontology")
    for engine in ENGINES:
        report = shacl_check(result.dataset, shapes, result.evidence, engine)
        assert report.violations == [] and report.warnings == result.shacl.warnings, engine


def test_the_data_graph_holds_every_predicate_a_shape_can_look_at():
    preds = shape_predicates(load_shapes(ROOT / "ontology"))
    pd = "https://w3id.org/paradiplomacy/ontology#"
    oa = "http://www.w3.org/ns/oa#"
    # a sequence path, a property pair, a target by subject
    assert {
        URIRef(oa + "hasSelector"),
        URIRef(oa + "exact"),
        URIRef(pd + "endYear"),
        URIRef(pd + "exemplifiesModel"),
    } <= preds
    # a SPARQL-based constraint may look at anything: then the data graph is not filtered
    from rdflib import BNode, Graph, Literal

    shapes = Graph()
    shapes.add((BNode(), URIRef(SH + "sparql"), Literal("SELECT $this WHERE { }")))
    assert shape_predicates(shapes) is None


def test_an_unknown_engine_is_named():
    from rdflib import Graph

    with pytest.raises(ValueError, match="unknown SHACL engine 'jena': one of turbo, pyshacl"):
        run_shacl(Graph(), Graph(), "jena")


def test_member_kind_must_name_an_ontology_class(mini_project):
    path = mini_project / "data" / "claims" / "mini.yaml"
    path.write_text(
        path.read_text() + "      - id: some-provinces\n        type: ActorGroup\n        label: Some provinces\n"
        "        memberKind: Provinces\n"
    )
    with pytest.raises(
        InvalidInput, match=r"mini.yaml:\d+: claims\[0\].assert\[5\].memberKind: unknown class 'Provinces'"
    ):
        prepare(Config(home=mini_project, sources_dir=str(sources_dir())), datasets=False)
    path.write_text(path.read_text().replace("memberKind: Provinces", "memberKind: ProvinceLevelUnit"))
    prepare(Config(home=mini_project, sources_dir=str(sources_dir())), datasets=False)


@pytest.mark.parametrize("model", ["CollaborativeEngagement", "InitiatorActor", "CollaborativeSector"])
def test_a_model_class_given_as_a_type_is_refused(mini_project, model):
    """The models are the reasoner's: `type: CollaborativeEngagement` in evidence is an error at its line."""
    path = mini_project / "data" / "claims" / "mini.yaml"
    path.write_text(
        path.read_text().replace("type: AgriculturalCentreTwinning", f"type: [AgriculturalCentreTwinning, {model}]")
    )
    with pytest.raises(
        InvalidInput, match=rf"mini.yaml:18: claims\[0\].assert\[3\].type: '{model}' is a class the reasoner infers"
    ):
        prepare(Config(home=mini_project, sources_dir=str(sources_dir())), datasets=False)


@needs_shared  # where the marks stand is read in the source text
def test_an_endnote_the_quoted_passage_does_not_carry_is_refused(mini_project):
    """A claim cites only the endnotes whose marks stand on its quoted words (16 here, not 17)."""
    path = mini_project / "data" / "claims" / "mini.yaml"
    path.write_text(path.read_text().replace("endnotes: [16]", "endnotes: [16, 17]"))
    with pytest.raises(
        InvalidInput, match=r"mini.yaml:6: claims\[0\].endnotes: endnote 17 is not carried by the quoted passage"
    ):
        prepare(Config(home=mini_project, sources_dir=str(sources_dir())), datasets=False)


CARI_ROW = '"XX.001","Signed",2010,"Zambia","Government","Eximbank","Loan",12,,,,,"A road","Transport",,,'


def _with_a_dataset(home):
    """The mini project with the reference data and a small synthetic SAIS-CARI-shaped dataset
    (two rows written here, never rows of the dataset itself) that every build imports."""
    import shutil

    from paradiplomacy.importers import cari

    shutil.copytree(ROOT / "data" / "reference", home / "data" / "reference")
    (home / "data" / "loans.csv").write_text(",".join(cari.COLUMNS) + "\n" + CARI_ROW + "\n", encoding="utf-8")
    (home / "data" / "datasets.yaml").write_text("datasets:\n  - importer: cari\n    file: loans.csv\n")
    return Config(home=home, sources_dir=str(sources_dir()))


@pytest.mark.slow
def test_validate_checks_datasets_and_links_again_only_when_they_changed(mini_project):
    from paradiplomacy.build import VALIDATE_CACHE

    config = _with_a_dataset(mini_project)
    cache = mini_project / VALIDATE_CACHE
    first = prepare(config, cache=cache)
    assert not first.datasets_skipped and [i.info.key for i in first.datasets] == ["cari"] and cache.is_file()
    again = prepare(config, cache=cache)
    assert again.datasets_skipped and again.datasets == []
    # a changed dataset is checked again: a malformed row is found, and the cache is not renewed
    loans = mini_project / "data" / "loans.csv"
    loans.write_text(loans.read_text().replace(",2010,", ",20x0,"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        prepare(config, cache=cache)
    assert "loans.csv:2: Year: not a year" in str(caught.value)
    loans.write_text(loans.read_text().replace(",20x0,", ",2011,"), encoding="utf-8")
    assert not prepare(config, cache=cache).datasets_skipped
    assert prepare(config, cache=cache).datasets_skipped
    # a resource newly declared by a claim (recognition may resolve names to it) is a change too
    claims = mini_project / "data" / "claims" / "mini.yaml"
    claims.write_text(claims.read_text().replace("label: Tanzania", "label: United Republic of Tanzania"))
    assert not prepare(config, cache=cache).datasets_skipped
    # without a cache (build, load), they are always checked
    assert not prepare(config).datasets_skipped
