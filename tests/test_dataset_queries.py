"""The analyses of imported datasets (queries/dataset-*.rq), each against its expected answer.

The default graph holds AidData v1.0 (shipped). Expected answers come from reading the rows (the
Jiangxi rows are listed below by project id) and from plain text searches of the workbook, which
do not use the recogniser. SAIS-CARI and AEI answers are checked where ../shared/datasets holds
them, on a copy of the built store."""

import shutil
from collections import defaultdict
from fractions import Fraction

import openpyxl
import pytest
from conftest import ROOT, make_config
from test_importers import AEI, AIDDATA, CARI, needs_aei, needs_cari

from paradiplomacy.namespaces import PD, PDR
from paradiplomacy.store import open_store

AID = PDR["aiddata-v1-0"]


def run(store, name):
    return store.query((ROOT / "queries" / f"{name}.rq").read_text())


def slug(term):
    return str(term)[len(str(PDR)) :] if str(term).startswith(str(PDR)) else str(term)


def workbook_rows():
    wb = openpyxl.load_workbook(AIDDATA, read_only=True)
    header, *rows = list(wb["ChineseOfficialFinance1.0"].iter_rows(values_only=True))
    wb.close()
    return [dict(zip(header, r)) for r in rows if r[header.index("recipient_region")] == "Africa"]


def rows_saying(phrase, country):
    """Africa rows whose description contains `phrase`, to `country` (a plain text search)."""
    return {
        r["project_id"]
        for r in workbook_rows()
        if phrase in (r["description"] or "") and r["recipient_condensed"] == country
    }


# Jiangxi's engagements in AidData, read row by row: medical teams to Tunisia and Chad, CJIC's and
# Jiangxi Construction Engineering's projects, Jiangxi Normal University, the provincial government,
# and ZIEC (the graph's firm, which the evidence reads as Jiangxi's).
JIANGXI_AIDDATA = {
    "tunisia": {12970, 14020, 19565, 31082, 35585, 35603, 35604, 35605},
    "chad": {35038, 35671, 35672, 35673},
    "zambia": {32646, 40893},
    "kenya": {1290, 32438},
    "botswana": {23, 678},
    "madagascar": {31292},
    "ghana": {30600},
    "lesotho": {21773},
    "equatorial-guinea": {32508},
    "south-sudan": {47301},
}


@pytest.mark.slow
def test_dataset_engagements_by_province(store):
    rows = run(store, "dataset-engagements-by-province").as_dicts()
    counts = {
        (slug(r["province"]), slug(r["state"]), str(r["mechanism"]).split("#")[-1], str(r.get("sector", ""))): int(
            r["engagements"]
        )
        for r in rows
        if r["dataset"] == AID
    }
    hebei = rows_saying("Hebei Province is responsible for sending the teams", "Congo, Dem. Rep.")
    assert counts[("hebei", "democratic-republic-of-the-congo", "MedicalTeamTwinning", "Health")] == len(hebei) == 4
    jiangxi_chad = {
        r["project_id"]
        for r in workbook_rows()
        if r["recipient_condensed"] == "Chad" and "Jiangxi Province" in (r["description"] or "")
    }
    assert counts[("jiangxi", "chad", "MedicalTeamTwinning", "Health")] == len(jiangxi_chad) == 4
    assert counts[("jiangxi", "tunisia", "MedicalTeamTwinning", "Health")] == 8
    assert counts[("hubei", "mozambique", "AgriculturalCentreTwinning", "Agriculture, Forestry and Fishing")] >= 1
    assert counts[("anhui", "malawi", "Engagement", "Government and Civil Society")] >= 1  # AFECC's parliament
    by_province = defaultdict(int)
    for (province, state, _, _), n in counts.items():
        by_province[province, state] += n
    assert {s: n for (p, s), n in by_province.items() if p == "jiangxi"} == {
        s: len(ids) for s, ids in JIANGXI_AIDDATA.items()
    }
    assert all(str(r["mechanism"]).startswith(str(PD)) for r in rows)
    # SEPCO's power plants in Sudan (projects 182, 1007): built by a central SOE, not engagements of Shandong
    assert not store.query("""ASK { GRAPH pdg:dataset-aiddata-v1-0 {
        VALUES ?e { pdr:aiddata-v1-0-182 pdr:aiddata-v1-0-1007 } ?e pd:subStateActor ?a } }""").boolean


def test_dataset_clustering_index(store):
    rows = run(store, "dataset-clustering-index").as_dicts()
    aid = [r for r in rows if r["dataset"] == AID]
    jiangxi = [r for r in aid if r["province"] == PDR.jiangxi]
    assert len(jiangxi) == 1
    j = jiangxi[0]
    total = sum(len(ids) for ids in JIANGXI_AIDDATA.values())
    expected_hhi = sum(Fraction(len(ids), total) ** 2 for ids in JIANGXI_AIDDATA.values())
    assert int(j["engagements"]) == total == 23 and int(j["states"]) == len(JIANGXI_AIDDATA)
    assert abs(float(j["herfindahl"].toPython()) - float(expected_hhi)) <= 0.00005  # rounded to 4 decimals
    # the paper says Jiangxi clusters in Zambia; in AidData's official finance its largest share is Tunisia
    assert slug(j["topState"]) == "tunisia" and abs(float(j["topShare"].toPython()) - 8 / 23) <= 0.00005
    assert slug(j["paperState"]) == "zambia" and abs(float(j["paperStateShare"].toPython()) - 2 / 23) <= 0.00005
    # the index is a concentration: between 1/states and 1, and 1 where all engagements go to one state
    for r in aid:
        h = float(r["herfindahl"].toPython())
        assert 1 / int(r["states"]) - 0.00005 <= h <= 1
        assert (h == 1) == (int(r["states"]) == 1)
    qinghai = next(r for r in aid if r["province"] == PDR.qinghai)
    assert slug(qinghai["topState"]) == "burundi" and float(qinghai["herfindahl"].toPython()) == 1.0
    assert not any("paperState" in r for r in aid if r["province"] != PDR.jiangxi)


@pytest.mark.slow
def test_dataset_medical_teams_vs_paper(store):
    rows = run(store, "dataset-medical-teams-vs-paper").as_dicts()
    got = {
        (slug(r["province"]), slug(r["state"])): (int(r["datasetRows"]), int(r["paperClaims"]), str(r["agreement"]))
        for r in rows
    }
    # the paper's two twinning claims, both found in the data
    assert got[("hebei", "democratic-republic-of-the-congo")] == (4, 1, "both")
    assert got[("jiangxi", "chad")] == (4, 1, "both")
    assert not any(a == "paper only" for _, _, a in got.values())
    # pairings the data shows and the paper does not mention, each stated in the rows' own words
    for province, state, country, phrase in [
        ("fujian", "senegal", "Senegal", "The medical teams are all sent from Fujian Province"),
        ("qinghai", "burundi", "Burundi", "Qinghai Province has been responsible for sending the teams"),
        ("shandong", "tanzania", "Tanzania", "Shandong Province has been responsible for sending the teams"),
        ("henan", "zambia", "Zambia", "Henan Province is responsible for sending the teams"),
    ]:
        n = len(rows_saying(phrase, country))
        assert n >= 1 and got.get((province, state), (0,))[0] >= n, (province, state)
        assert got[(province, state)][2] == "data only"
    # the number of units the data names as senders to the state: one for the paper's pairings; two for
    # Eritrea (Henan and Hunan), each pairing showing it
    assert {
        int(r["sendersToState"]) for r in rows if slug(r["state"]) in ("chad", "democratic-republic-of-the-congo")
    } == {1}
    eritrea = {slug(r["province"]): int(r["sendersToState"]) for r in rows if slug(r["state"]) == "eritrea"}
    assert eritrea == {"henan": 2, "hunan": 2}


# ---- with SAIS-CARI and AEI imported (read from ../shared, never shipped) -----------------------


@pytest.fixture(scope="module")
def all_datasets(built, tmp_path_factory):
    if not (CARI.is_file() and AEI.is_file()):
        pytest.skip("../shared/datasets (SAIS-CARI and AEI) is absent: they may not be redistributed")
    from paradiplomacy.importers.pipeline import import_dataset

    cfg, _, _ = built
    copy = tmp_path_factory.mktemp("all") / "store"
    shutil.copytree(cfg.path("store"), copy)
    config = make_config(copy)
    store = open_store(config)
    review = tmp_path_factory.mktemp("review")
    import_dataset(config, store, "cari", CARI, review / "cari.csv")
    import_dataset(config, store, "aei", AEI, review / "aei.csv")
    return store


@pytest.mark.slow
@needs_cari
@needs_aei
def test_dataset_clustering_index_in_every_dataset(all_datasets):
    rows = run(all_datasets, "dataset-clustering-index").as_dicts()
    jiangxi = {slug(r["dataset"]): r for r in rows if r["province"] == PDR.jiangxi}
    assert set(jiangxi) == {"aiddata-v1-0", "sais-cari-v2-0", "aei-cgit-2021"}
    # SAIS-CARI's loans, through the firms that build them: Jiangxi's largest share is Zambia, as the paper says
    cari = jiangxi["sais-cari-v2-0"]
    assert slug(cari["topState"]) == "zambia" and cari["topShare"] == cari["paperStateShare"]
    assert float(cari["topShare"].toPython()) >= 0.5
    # AEI's investments: Zambia is not Jiangxi's largest share
    aei = jiangxi["aei-cgit-2021"]
    assert slug(aei["topState"]) != "zambia" and float(aei["paperStateShare"].toPython()) < float(
        aei["topShare"].toPython()
    )


@needs_cari
@needs_aei
def test_dataset_engagements_by_province_in_every_dataset(all_datasets):
    rows = run(all_datasets, "dataset-engagements-by-province").as_dicts()
    datasets = {slug(r["dataset"]) for r in rows}
    assert datasets == {"aiddata-v1-0", "sais-cari-v2-0", "aei-cgit-2021"}
    cari_jiangxi_zambia = sum(
        int(r["engagements"])
        for r in rows
        if slug(r["dataset"]) == "sais-cari-v2-0" and r["province"] == PDR.jiangxi and r["state"] == PDR.zambia
    )
    assert cari_jiangxi_zambia >= 5
