"""Recognising provincial actors: measured against hand-labelled AidData rows, and rule by rule."""

import re
from decimal import Decimal

import pytest
import yaml
from conftest import ROOT

from paradiplomacy.importers.actors import Recogniser, core
from paradiplomacy.importers.aiddata import DATASET
from paradiplomacy.importers.evaluate import evaluate, load_fixture
from paradiplomacy.importers.records import Organisation, Record
from paradiplomacy.importers.reference import load_reference

FIXTURE = ROOT / "tests" / "fixtures" / "aiddata-actors-labelled.yaml"
DATASETS_PAGE = (ROOT / "docs" / "datasets.md").read_text()


@pytest.fixture(scope="module")
def reference():
    return load_reference(ROOT / "data")


@pytest.fixture(scope="module")
def recogniser(reference):
    return Recogniser(reference, known={"ziec", "zhongding", "zhongmei"})


def record(texts=(), organisations=(), countries=("zambia",)):
    return Record(
        DATASET,
        "1",
        2,
        "a row",
        list(countries),
        2010,
        Decimal(0),
        None,
        None,
        None,
        {},
        [Organisation(column, name, tag, role) for column, name, tag, role in organisations],
        [("description", t) for t in texts],
    )


def provinces(recogniser, **kw):
    return recogniser.recognise(record(**kw)).provinces


# ---- the labelled fixture -------------------------------------------------------------------


def test_fixture_has_at_least_60_random_rows_each_labelled_with_a_reason(reference):
    rows = load_fixture(FIXTURE)
    by_set = {}
    for row in rows:
        by_set.setdefault(row["set"], []).append(row)
        assert row["why"].strip(), row["values"]["project_id"]
        for e in row["expected"]:
            assert e["province"] in reference.provinces
        assert row["values"]["recipient_region"] == "Africa"
    assert len(by_set["random"]) >= 60 and len(by_set["held-out"]) >= 50 and len(by_set["challenge"]) >= 30
    ids = [row["values"]["project_id"] for row in rows]
    assert len(ids) == len(set(ids)), "a row is labelled twice"
    assert sum(1 for row in by_set["random"] if row["expected"]) >= 30, "too few positive rows to measure recall"


def test_precision_and_recall_on_the_labelled_rows(reference):
    scores = evaluate(FIXTURE, reference)
    for name in ("random", "held-out"):
        assert scores[name].precision >= 0.95, (name, scores[name].errors)
        assert scores[name].recall >= 0.9, (name, scores[name].errors)
    assert scores["challenge"].precision >= 0.95, scores["challenge"].errors


def test_datasets_page_states_the_measured_figures(reference):
    """The table of docs/datasets.md is what `paradiplomacy import evaluate` prints, to the third decimal."""
    for s in evaluate(FIXTURE, reference).values():
        line = f"| {s.name} | {s.rows} | {s.tp} | {s.fp} | {s.fn} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |"
        assert line in DATASETS_PAGE, line
    assert "paradiplomacy import evaluate tests/fixtures/aiddata-actors-labelled.yaml" in DATASETS_PAGE


def test_evaluation_counts_errors(reference, tmp_path):
    """The measure can fail: a wrong label is counted as a false positive and a false negative."""
    doc = yaml.safe_load(FIXTURE.read_text())
    row = next(r for r in doc["rows"] if r["values"]["project_id"] == 36333)  # Hebei's team to the DR Congo
    row["expected"] = [{"province": "hunan"}]
    doc["rows"] = [row]
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(doc))
    score = evaluate(broken, reference)["all"]
    assert (score.tp, score.fp, score.fn) == (0, 1, 1)


# ---- rules, one by one ----------------------------------------------------------------------


def test_a_province_responsible_for_the_teams_is_an_actor_with_the_matched_text(recogniser):
    out = recogniser.recognise(
        record(
            texts=[
                "China has been sending medical teams to Chad since 1978. Jiangxi Province "
                "is responsible for sending the teams. The 9th team arrived in 2011."
            ]
        )
    )
    [m] = out.mentions
    assert (m.actor, m.province, m.kind, m.rule) == ("jiangxi", "jiangxi", "province", "text-responsible")
    assert m.text == "Jiangxi Province is responsible" and 0 < m.confidence <= 1


@pytest.mark.parametrize(
    "text",
    [
        "The projects were traced back to the 2006 Beijing Summit of China-Africa Cooperation Forum.",
        "The doctors returned to Beijing in 2011.",
        "The 9 members of the Wuhan General Hospital of the PLA returned to Hubei Province after serving for a year.",
        "Beijing has also agreed to finance a submarine cable.",
        "signed on behalf of the Beijing government",
        "The aid shipped from Tianjin, China on August 24, 2007.",
        "a training session on solar energy technologies in Gansu Province, northwest China",
        "The hospital, called Tirunesh Beijing hospital, was expanded.",
    ],
)
def test_places_events_and_the_centre_are_not_actors(recogniser, text):
    assert provinces(recogniser, texts=[text]) == []


def test_a_past_sender_is_history_not_the_rows_actor(recogniser):
    text = (
        "Heilongjiang Province was originally responsible for sending the teams, but the dispatching province "
        "changed to Sichuan in February 1988. The 12th Chinese medical team (10th team from Sichuan Province) "
        "of 8 members worked in Cape Verde."
    )
    assert provinces(recogniser, texts=[text]) == ["sichuan"]
    text = (
        "The commitment of medical teams began in December 1986 with medical teams from Guangxi Province, which "
        "was later switched to Qinghai Province."
    )
    assert provinces(recogniser, texts=[text]) == ["qinghai"]
    text = "Guizhou Province has sent 7 medical teams from 1976 until relations ceased in 1990."
    assert provinces(recogniser, texts=[text]) == []


def test_another_programme_named_in_passing_is_not_the_rows_actor(recogniser):
    text = (
        "Shandong Province has been responsible for sending the teams (not to be confused with medical teams to "
        "Zanzibar, which are sent by Jiangsu Province)."
    )
    assert provinces(recogniser, texts=[text]) == ["shandong"]


def test_central_soes_and_joint_ventures_named_after_a_province_are_not_provincial(recogniser):
    orgs = [
        (
            "implementing_agency",
            "Shandong Electric Power Construction Corp. (SEPCO)",
            "State-Owned Company",
            "implementer",
        ),
        ("implementing_agency", "Alcatel-Lucent Shanghai Bell Co., Ltd.", "State-Owned Company", "implementer"),
    ]
    out = recogniser.recognise(
        record(
            organisations=orgs,
            texts=["Chinese firm Sepco III signed a deal; Alcatel Shanghai Bell was the contractor."],
        )
    )
    assert out.mentions == [] and out.review == []


def test_the_rows_own_ownership_tag_decides(recogniser):
    private = [("implementing_agency", "Shandong Yantai Construction Company", "Private Sector", "implementer")]
    assert provinces(recogniser, organisations=private) == []
    soe = [
        (
            "implementing_agency",
            "Hunan Constructing Engineering Group Corporation",
            "State-Owned Company",
            "implementer",
        )
    ]
    [m] = recogniser.recognise(record(organisations=soe)).mentions
    assert (m.actor, m.province, m.kind, m.role) == (
        "hunan-construction-engineering-group",
        "hunan",
        "soe",
        "implementer",
    )


def test_a_firm_resolves_to_the_province_that_owns_it_and_to_the_graphs_firm(recogniser):
    [m] = recogniser.recognise(
        record(
            organisations=[
                (
                    "Contractor",
                    "Jiangxi Zhongmei Engineering Construction Co., Ltd. (Zhongmei Group)",
                    None,
                    "contractor",
                )
            ]
        )
    ).mentions
    assert (m.actor, m.province, m.rule) == ("zhongmei", "jiangxi", "registry-evidence")
    [m] = recogniser.recognise(
        record(
            organisations=[
                ("implementing_agency", "Zhongding International Engineering Co., Ltd. (ZIEC)", None, "implementer")
            ]
        )
    ).mentions
    assert (m.actor, m.province) == ("ziec", "jiangxi")


def test_ambiguous_and_unresolved_names_go_to_review(recogniser, reference):
    out = recogniser.recognise(record(organisations=[("Investor", "Anhui Zhongding", None, "investor")]))
    assert out.mentions == [] and out.review[0].candidates == ["anhui"]
    out = recogniser.recognise(record(texts=["The Chalinze project was undertaken by CJIC."]))
    assert [m.actor for m in out.mentions] == ["jiangxi-international"]
    assert "ziec" in out.review[0].candidates  # CJIC may be the paper's ZIEC: a reviewer decides
    out = recogniser.recognise(record(texts=["This team left Guangzhou Province on June 21st, 2010."]))
    assert out.mentions == [] and out.review[0].candidates == ["guangdong"]
    # a graph firm the store does not hold is not resolved, and says why
    out = Recogniser(reference, known=set()).recognise(
        record(organisations=[("Investor", "Zhongmei Engineering", None, "investor")])
    )
    assert out.mentions == [] and "not in the store" in out.review[0].reason


def test_bodies_officials_and_institutions(recogniser):
    assert provinces(
        recogniser, texts=["Sheng Changli, vice governor of Zhejiang Province, donated 3 ambulances."]
    ) == ["zhejiang"]
    assert provinces(recogniser, texts=["The team was sent by Beijing Municipal Bureau of Health."]) == ["beijing"]
    out = recogniser.recognise(record(texts=["Five volunteers from Jiangxi Normal University arrived in Kenya."]))
    [m] = out.mentions
    assert (m.actor, m.kind, m.province, m.label) == (
        "jiangxi-normal-university",
        "institution",
        "jiangxi",
        "Jiangxi Normal University",
    )
    # 'Zhejiang University' may be a national (central) university: reviewed, not taken
    out = recogniser.recognise(record(texts=["A lab of Zhejiang University helped."]))
    assert out.mentions == [] and out.review


def test_names_are_compared_by_their_core():
    assert core("China Jiangsu International Economic & Technical Cooperation Co., Ltd. (CJI)") == core(
        "Jiangsu International Economic and Technical Cooperation Corporation"
    )
    assert core("Anhui Foreign Economic Construction Group Co., Ltd. (AFECC)") == "anhui foreign economic construction"


def test_recognition_rules_in_the_docs_match_the_code():
    from paradiplomacy.importers.actors import CONFIDENCE

    for rule, confidence in CONFIDENCE.items():
        assert re.search(rf"`{re.escape(rule)}`[^|]*\| {confidence}", DATASETS_PAGE), rule
