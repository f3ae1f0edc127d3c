"""Licences and citation: the code's LICENSE, CITATION.cff (valid CFF, citing the software at its
version and the paper it formalises), and the data's licences per part, read from the graphs
themselves: the VoID description says which graphs are CC BY 4.0 (the project's), ODC-By 1.0 with its
attribution (AidData) and CC0 (Wikidata), and every page names the licences of the data it shows."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import rdflib
import yaml

from paradiplomacy import __version__
from paradiplomacy.licences import PROJECT_PART

ROOT = Path(__file__).resolve().parents[1]
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
ODC_BY = "https://opendatacommons.org/licenses/by/1-0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
AIDDATA_GRAPH = "https://w3id.org/paradiplomacy/graph/dataset-aiddata-v1-0"


def test_license_file_is_the_mit_licence_that_pyproject_declares():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "CC BY 4.0" in text and "ODC-By" in text and "CC0" in text
    assert 'license = {text = "MIT"}' in (ROOT / "pyproject.toml").read_text()


def test_citation_cff_is_valid_and_cites_the_software_and_the_paper():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    schema = json.loads((ROOT / "tests" / "fixtures" / "cff" / "schema-1.2.0.json").read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(json.loads(json.dumps(cff, default=str)))
    ]
    assert errors == []
    assert cff["version"] == __version__ and cff["license"] == "MIT"
    paper = next(
        s
        for s in yaml.safe_load((ROOT / "data" / "sources.yaml").read_text())["sources"]
        if s["id"] == "lenz-china-provinces"
    )
    cited = next(r for r in cff["references"] if r["type"] == "report")
    assert cited["title"] == paper["title"] and cited["authors"][0]["family-names"] == "Lenz"
    assert "year" not in cited  # the paper gives none: none is invented


@pytest.fixture(scope="module")
def client(built):
    from paradiplomacy.web import create_app

    app = create_app(built[0])
    yield app.test_client()
    app.extensions["paradiplomacy"].pool.close()


@pytest.mark.slow
def test_void_gives_each_part_its_licence_and_attribution(client):
    answer = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=answer.get_data(as_text=True), format="turtle")
    base = rdflib.URIRef("https://w3id.org/paradiplomacy/")
    dct, void = rdflib.Namespace("http://purl.org/dc/terms/"), rdflib.Namespace("http://rdfs.org/ns/void#")
    assert (base, dct.license, None) not in g  # no one licence for the whole: its parts differ
    parts = {str(p): p for p in g.objects(base, void.subset)}
    licence = {iri: str(g.value(p, dct.license)) for iri, p in parts.items()}
    assert licence[PROJECT_PART] == CC_BY
    aiddata = next(p for iri, p in parts.items() if licence[iri] == ODC_BY)
    assert "Dreher" in str(g.value(aiddata, dct.bibliographicCitation))
    assert (aiddata, dct.hasPart, rdflib.URIRef(AIDDATA_GRAPH)) in g
    wikidata = next(p for iri, p in parts.items() if licence[iri] == CC0)
    assert (wikidata, dct.hasPart, rdflib.URIRef("https://w3id.org/paradiplomacy/graph/wikidata")) in g
    total = int(g.value(base, void.triples))
    assert sum(int(g.value(p, void.triples)) for p in parts.values()) >= total  # every graph is in a part


def test_pages_name_the_licences_of_the_data_they_show(client):
    claim_page = client.get("/resource/hebei-drc-medical-teams", headers={"Accept": "text/html"}).get_data(as_text=True)
    licences = claim_page[claim_page.index('<section class="licences">') :]
    assert CC_BY in licences and ODC_BY not in licences
    dataset_page = client.get("/graph/dataset-aiddata-v1-0", headers={"Accept": "text/html"}).get_data(as_text=True)
    licences = dataset_page[dataset_page.index('<section class="licences">') :]
    assert ODC_BY in licences and "Dreher, Axel" in licences
