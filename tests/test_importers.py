"""Importing datasets: row-level provenance, validation, idempotence, atomic failure, real files.

AidData rows (ODC-By) are used freely; SAIS-CARI and AEI rows are never copied into the project:
their tests read ../shared/datasets and are skipped where it is absent, and the malformed-file
tests write synthetic rows."""

import os
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import ROOT, SHARED, make_config, run_cli
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from paradiplomacy.errors import InvalidInput
from paradiplomacy.evidence.ontology import load_ontology, load_shapes
from paradiplomacy.evidence.shacl import ENGINES
from paradiplomacy.importers import aei, aiddata, cari
from paradiplomacy.importers.graph import dataset_graph, provenance_graph
from paradiplomacy.importers.pipeline import check, import_dataset, make_graph
from paradiplomacy.importers.reference import load_reference, reference_quads
from paradiplomacy.namespaces import GRAPH_REFERENCE, PD, PDR
from paradiplomacy.store import open_store

DATASETS = SHARED / "datasets"
AIDDATA = ROOT / "data" / "datasets" / "aiddata-v1.0" / "AidData_GlobalChineseOfficialFinanceDataset_v1.0.xlsx"
CARI = DATASETS / "sais-cari-v2.0" / "ChinaLoansToAfrica_SAIS-CARI_2021-10-07.csv"
AEI = DATASETS / "aei-cgit-2021" / "China-Global-Investment-Tracker-2021-Fall.csv"
FIXTURE = ROOT / "tests" / "fixtures" / "aiddata-actors-labelled.yaml"
needs_cari = pytest.mark.skipif(
    not CARI.is_file(),
    reason=f"{CARI} is absent: SAIS-CARI may not be redistributed, so its tests read it from ../shared/datasets",
)
needs_aei = pytest.mark.skipif(
    not AEI.is_file(),
    reason=f"{AEI} is absent: the AEI tracker may not be redistributed, so its tests read it from ../shared/datasets",
)


@pytest.fixture(scope="module")
def reference():
    return load_reference(ROOT / "data")


def small_workbook(path: Path, ids=(29, 36333, 1096, 35222, 2498), change=None) -> Path:
    """An AidData-shaped workbook of a few labelled rows (AidData is ODC-By); `change(column, value, row)`
    may alter a value."""
    rows = {r["values"]["project_id"]: r["values"] for r in yaml.safe_load(FIXTURE.read_text())["rows"]}
    header = list(aiddata.USED)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = aiddata.SHEET
    ws.append(header)
    for n, pid in enumerate(ids, start=2):
        values = dict(rows[pid], recommended_for_research=True)
        ws.append([change(c, values.get(c), n) if change else values.get(c) for c in header])
    wb.save(path)
    return path


def quads_without_times(store):
    rows = store.query("SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }").rows
    return {r for r in rows if r[1] not in (PROV.startedAtTime, PROV.generatedAtTime)}


# ---- the default build includes AidData, with row-level provenance ----------------------------


@pytest.mark.slow
def test_default_build_imports_every_africa_row_of_aiddata(store):
    wb = openpyxl.load_workbook(AIDDATA, read_only=True)
    header, *rows = list(wb[aiddata.SHEET].iter_rows(values_only=True))
    africa = {r[header.index("project_id")] for r in rows if r[header.index("recipient_region")] == "Africa"}
    wb.close()
    got = store.query(f"SELECT ?p WHERE {{ GRAPH <{dataset_graph(aiddata.DATASET)}> {{ ?p a pd:FinancedProject }} }}")
    assert {int(str(p).rsplit("-", 1)[1]) for p in got.column("p")} == africa
    assert len(africa) == 2820


def test_a_row_keeps_its_provenance_dataset_version_licence_row_id_fields_and_matched_text(store):
    rows = store.query("""
        SELECT ?class ?state ?row ?rowId ?title ?version ?licence ?citation ?text ?rule ?confidence ?field WHERE {
          GRAPH pdg:dataset-aiddata-v1-0 { pdr:aiddata-v1-0-29 a ?class ; pd:subStateActor pdr:fujian ;
                                                 pd:foreignCounterpart ?state }
          GRAPH pdg:dataset-aiddata-v1-0-provenance {
            pdr:aiddata-v1-0-29 prov:wasDerivedFrom ?row .
            ?row a pd:DatasetRecord ; pd:rowId ?rowId ; dct:isPartOf ?dataset ;
                 <https://w3id.org/paradiplomacy/dataset/aiddata-v1-0/title> ?title .
            ?dataset owl:versionInfo ?version ; dct:license ?licence ; dct:bibliographicCitation ?citation .
            ?mention pd:mentionIn ?row ; pd:resolvesTo pdr:fujian ; pd:matchedText ?text ; pd:recognitionRule ?rule ;
                     pd:confidence ?confidence ; pd:fieldName ?field .
          }
          FILTER(?class != pd:FinancedProject)
        }""").as_dicts()
    assert len(rows) == 1
    r = rows[0]
    assert r["class"] == PD.MedicalTeamTwinning and r["state"] == PDR.botswana
    assert (str(r["rowId"]), str(r["title"]), str(r["version"])) == ("29", "11th Chinese Medical Team", "1.0")
    assert r["licence"] == URIRef("https://opendatacommons.org/licenses/by/1-0/")
    assert str(r["citation"]).startswith("Dreher, Axel")
    assert (str(r["text"]), str(r["rule"]), str(r["field"])) == (
        "Fujian province is responsible",
        "text-responsible",
        "description",
    )
    assert r["confidence"] == Literal("0.9", datatype=XSD.decimal)


def test_firms_resolve_to_the_province_that_owns_them(store):
    rows = store.query("""SELECT ?firm ?province WHERE {
        GRAPH pdg:dataset-aiddata-v1-0 { pdr:aiddata-v1-0-2498 pd:subStateActor ?firm ; pd:implementedBy ?firm }
        ?firm a pd:ProvincialSOE ; pd:backedBy ?province }""").rows
    assert rows == [(PDR["anhui-foreign-economic-construction-group"], PDR.anhui)]


def test_reference_graph_declares_every_province_level_unit_with_its_source(store):
    rows = store.query(f"""SELECT ?unit ?source WHERE {{ GRAPH <{GRAPH_REFERENCE}> {{ ?unit a pd:ProvinceLevelUnit }}
                           ?unit prov:wasDerivedFrom ?source }}""").rows
    units = {str(u)[len(str(PDR)) :] for u, _ in rows}
    assert len(units) == 31 and {"jiangxi", "chongqing", "hebei", "guangxi", "inner-mongolia", "tibet"} <= units
    assert all(str(s).startswith("http://www.wikidata.org/entity/Q") for _, s in rows)
    assert store.query("ASK { GRAPH pdg:reference { pdr:zambia a pd:ForeignState ; skos:notation 'ZM' } }").boolean


def test_the_paper_claims_are_untouched_by_imports(store):
    """Imported facts stand only in dataset graphs: no claim graph holds a dataset's resource."""
    assert not store.query("""ASK { ?c a pd:Claim . GRAPH ?c { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), STR(pdr:aiddata-))) }
                           """).boolean


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_the_dataset_qc_query_catches_a_fact_without_source(backend, tmp_path):
    """Both defects it looks for: a resource with no source, and an imported project derived from something
    that is not a dataset record; in rdflib's engine and in Oxigraph's (the query avoids EXISTS for speed)."""
    from paradiplomacy.store import MemoryStore, OxigraphStore

    qc = (ROOT / "queries" / "qc" / "dataset-fact-without-source.rq").read_text()
    m = MemoryStore() if backend == "memory" else OxigraphStore(tmp_path / "store")
    g = dataset_graph(aiddata.DATASET)
    m.add(
        [
            (g, URIRef(str(PD) + "x"), Literal(1), provenance_graph(aiddata.DATASET)),
            (g, RDF.type, PD.DatasetGraph, provenance_graph(aiddata.DATASET)),
            (PDR["orphan"], PD.year, Literal(2000), g),
            (PDR["sourced"], PD.year, Literal(2001), g),
            (PDR["sourced"], PROV.wasDerivedFrom, PDR["record-1"], g),
            (PDR["record-1"], RDF.type, PD.DatasetRecord, g),
            (PDR["project-ok"], RDF.type, PD.FinancedProject, g),
            (PDR["project-ok"], PROV.wasDerivedFrom, PDR["record-1"], g),
            (PDR["project-ok"], PROV.wasDerivedFrom, PDR["wikidata-item"], g),
            (PDR["project-bad"], RDF.type, PD.FinancedProject, g),
            (PDR["project-bad"], PROV.wasDerivedFrom, PDR["wikidata-item"], g),
        ]
    )
    assert sorted(r[1] for r in m.query(qc).rows) == [PDR["orphan"], PDR["project-bad"], PDR["record-1"]]


# ---- importing a file: idempotent, validated, atomic ------------------------------------------


@pytest.fixture
def small_store(tmp_path):
    cfg = make_config(tmp_path / "store")
    return cfg, open_store(cfg)


@pytest.mark.slow
def test_reimport_is_idempotent(small_store, tmp_path):
    cfg, store = small_store
    wb = small_workbook(tmp_path / "aiddata.xlsx")
    first = import_dataset(cfg, store, "aiddata", wb, tmp_path / "review.csv")
    assert len(first.records) == 5 and first.engagements == 4  # 1096's builder is tagged Private Sector
    once = quads_without_times(store)
    import_dataset(cfg, store, "aiddata", wb, tmp_path / "review.csv")
    assert quads_without_times(store) == once
    assert (tmp_path / "review.csv").read_text().startswith("dataset,row_id,row_number,field,text,reason")


@pytest.mark.slow
def test_a_malformed_workbook_fails_with_file_row_and_column_and_leaves_the_store_unchanged(small_store, tmp_path):
    cfg, store = small_store
    import_dataset(cfg, store, "aiddata", small_workbook(tmp_path / "good.xlsx"), tmp_path / "r.csv")
    before = quads_without_times(store)
    bad = small_workbook(tmp_path / "bad.xlsx", change=lambda c, v, n: "20x0" if (c, n) == ("year", 4) else v)
    with pytest.raises(InvalidInput) as caught:
        import_dataset(cfg, store, "aiddata", bad, tmp_path / "r.csv")
    assert f"{bad}:4: year (column C): not a year: '20x0'" in str(caught.value)
    assert quads_without_times(store) == before


def test_a_workbook_without_the_sheet_or_a_column_is_refused(reference, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Other"
    wb.save(tmp_path / "nosheet.xlsx")
    with pytest.raises(InvalidInput, match="no sheet 'ChineseOfficialFinance1.0'"):
        aiddata.read(tmp_path / "nosheet.xlsx", reference)
    wb = openpyxl.Workbook()
    wb.active.title = aiddata.SHEET
    wb.active.append(["project_id", "year"])
    wb.save(tmp_path / "nocolumns.xlsx")
    with pytest.raises(InvalidInput, match=r"nocolumns.xlsx:1: .*lacks the columns .*recipient_region"):
        aiddata.read(tmp_path / "nocolumns.xlsx", reference)
    (tmp_path / "text.xlsx").write_text("not a workbook")
    with pytest.raises(InvalidInput, match="not an xlsx workbook"):
        aiddata.read(tmp_path / "text.xlsx", reference)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_shapes_reject_an_invalid_import_naming_its_row(reference, tmp_path, engine):
    imported = make_graph("aiddata", small_workbook(tmp_path / "a.xlsx"), reference, set())
    project = PDR["aiddata-v1-0-29"]
    imported.quads = [
        q if (q[0], q[1]) != (project, PD.year) else (project, PD.year, Literal(1850), q[3]) for q in imported.quads
    ]
    with pytest.raises(InvalidInput) as caught:
        check(
            [imported],
            reference_quads(reference),
            load_ontology(ROOT / "ontology"),
            load_shapes(ROOT / "ontology"),
            [],
            engine,
        )
    assert f"{tmp_path / 'a.xlsx'}:2: year: aiddata-v1-0-29: year must be one year between 1949 and 2100" in str(
        caught.value
    )


CARI_HEADER = ",".join(cari.COLUMNS)


def test_cari_reader_takes_unescaped_quotes_inside_fields(reference, tmp_path):
    """Synthetic rows in the shape of the real file's quirks (never rows of the dataset itself)."""
    path = tmp_path / "loans.csv"
    path.write_text(
        CARI_HEADER + "\n"
        '"XX.001","Signed",2010,"Zambia","Government","Eximbank","Loan",12,,,,,"Loan for "Critical '
        'Areas"","Unallocated",,,\n'
        '"XX.002","Completed",2012,"Regional","Bank","CDB","Loan",5,,,,,"A road","Transport",'
        '"China Jiangxi Corporation for International Economic and Technical Cooperation (CJIC); '
        'Example Co.; Ltd.",,"NARRATIVE: CJIC agreed to begin "preparatory work" on the project.\n'
        '\nSecond paragraph."\n',
        encoding="utf-8",
    )
    records = cari.read(path, reference)
    assert [r.row_id for r in records] == ["XX.001", "XX.002"]
    assert records[0].fields["Purpose"] == 'Loan for "Critical Areas"' and records[0].countries == ["zambia"]
    assert records[1].countries == [] and records[1].amount_usd == 5_000_000
    assert [o.name for o in records[1].organisations if o.role == "contractor"] == [
        "China Jiangxi Corporation for International Economic and Technical Cooperation (CJIC)",
        "Example Co., Ltd.",
    ]
    assert records[1].fields["Narratives"].endswith("Second paragraph.")


@pytest.mark.parametrize(
    "row, message",
    [
        (
            '"XX.001","Signed",20x0,"Zambia","Government","Eximbank","Loan",12,,,,,"P","Power",,,',
            ":2: Year: not a year",
        ),
        (
            '"XX.001","Signed",2010,"Atlantis","Government","Eximbank","Loan",12,,,,,"P","Power",,,',
            ":2: Country: not an African state: 'Atlantis'",
        ),
        ('"XX.001","Signed",2010,"Zambia","Government"', ":2: 5 fields where the header has 17"),
        (
            '"XX.001","Signed",2010,"Zambia","Government","Eximbank","Loan",-3,,,,,"P","Power",,,',
            ":2: USD (M): not an amount: '-3'",
        ),
    ],
)
def test_a_malformed_cari_file_fails_with_line_and_column(reference, tmp_path, row, message):
    path = tmp_path / "loans.csv"
    path.write_text(CARI_HEADER + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        cari.read(path, reference)
    assert f"{path}{message}" in str(caught.value)


def test_aei_reader_selects_african_states_and_locates_errors(reference, tmp_path):
    path = tmp_path / "tracker.csv"
    header = "Year,Month,Investor, Quantity in Millions ,Share Size,Transaction Party,Sector,Subsector,Country,Region,BRI,Greenfield"
    path.write_bytes(
        (
            header + "\n"
            '2010,March,"Example Mining, Zhongmei Engineering","$1,740 ",,,Metals,Copper,Zambia,Sub-Saharan Africa,,G\n'
            "2011,May,Example Oil,$300 ,,,Energy,Oil,Oman,Arab Middle East and North Africa,,\n"
            "2012,June,Example Steel,$120 ,,,Metals,Steel,Cote d’Ivoire,Sub-Saharan Africa,1,\n"
        ).encode("cp1252")
    )
    records = aei.read(path, reference)
    assert [(r.row_id, r.countries, r.amount_usd) for r in records] == [
        ("2", ["zambia"], 1_740_000_000),
        ("4", ["cote-d-ivoire"], 120_000_000),
    ]
    assert [o.name for o in records[0].organisations] == ["Example Mining", "Zhongmei Engineering"]
    path.write_bytes((header + "\n2010,Smarch,Example,$1 ,,,Metals,,Atlantis,Sub-Saharan Africa,,\n").encode("cp1252"))
    with pytest.raises(InvalidInput) as caught:
        aei.read(path, reference)
    assert f"{path}:2: Country: not an African state: 'Atlantis'" in str(caught.value)


# ---- the real files of SAIS-CARI and AEI (read from ../shared, never copied) ----------------------


@pytest.mark.slow
@needs_cari
def test_cari_real_file(reference):
    records = cari.read(CARI, reference)
    assert len(records) == 1143 and len({r.row_id for r in records}) == 1143
    assert all(len(r.countries) == 1 for r in records if r.fields.get("Country") != "Regional")
    imported = make_graph("cari", CARI, reference, {"zhongmei", "ziec", "zhongding"})
    actors = {m.actor for r in imported.recognitions for m in r.mentions}
    assert {"zhongmei", "jiangxi-international", "anhui-foreign-economic-construction-group"} <= actors
    assert "sepco" not in actors and not any(
        m.province == "shandong" and "SEPCO" in m.name for r in imported.recognitions for m in r.mentions
    )


@pytest.mark.slow
@needs_aei
def test_aei_real_file_imports_through_the_command(tmp_path):
    env = dict(os.environ, PARADIPLOMACY_STORE=str(tmp_path / "store"))
    out = run_cli("import", "aei", str(AEI), "--review", str(tmp_path / "review.csv"), env=env)
    assert out.returncode == 0, out.stderr
    assert "imported 749 Africa rows" in out.stderr
    review = (tmp_path / "review.csv").read_text()
    assert "Anhui Zhongding" in review and "Zhejiang Huayou Cobalt" in review
    store = open_store(make_config(tmp_path / "store"), read_only=True)
    assert store.query(
        "ASK { GRAPH pdg:dataset-aei-cgit-2021 { ?p pd:subStateActor pdr:jiangsu-international } }"
    ).boolean


def test_import_of_a_missing_or_malformed_file_exits_1(tmp_path):
    env = dict(os.environ, PARADIPLOMACY_STORE=str(tmp_path / "store"))
    bad = tmp_path / "bad.csv"
    bad.write_text("Year,Month\n2010,May\n")
    out = run_cli("import", "aei", str(bad), env=env)
    assert out.returncode == 1 and "lacks the columns" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").glob("gen-*"))


def test_a_file_in_the_wrong_encoding_is_refused_at_its_line(reference, tmp_path):
    path = tmp_path / "loans.csv"
    path.write_bytes((CARI_HEADER + "\n").encode() + b'"XX.001","Signed",2010,"Zamb\xe9a"\n')
    with pytest.raises(InvalidInput, match=r"loans.csv:2: not UTF-8 text: invalid continuation byte"):
        cari.read(path, reference)
