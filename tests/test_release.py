"""`paradiplomacy release DIR` on the project itself: every file parses (the ontology in four syntaxes
with its version IRIs; the asserted and inferred dumps, gzipped N-Quads and TriG, apart and complete;
the VoID/DCAT description; the HTML documentation, which keeps each term's quote from the paper), and
every checksum and size matches, by SHA256SUMS and by `sha256sum -c` itself."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import DCAT, DCTERMS, OWL

from paradiplomacy.cli import cli

pytestmark = pytest.mark.slow  # every test reads one release, which builds the project afresh (about 40 s)

ROOT = Path(__file__).resolve().parents[1]
PD = rdflib.Namespace("https://w3id.org/paradiplomacy/ontology#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
ONTOLOGY = rdflib.URIRef("https://w3id.org/paradiplomacy/ontology")
INFERRED = {"https://w3id.org/paradiplomacy/graph/inferred", "https://w3id.org/paradiplomacy/graph/inferred-provenance"}


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    from conftest import (
        sources_dir,  # as the `built` fixture, which the dumps are compared with
    )

    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(ROOT),
            "--sources",
            str(sources_dir()),
            "release",
            str(out),
            "--prior-version",
            "0.0.9",
            "--date",
            "2026-01-02",
            "--base-url",
            "https://example.org/files",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_every_sum_and_size_matches(release):
    lines = (release / "SHA256SUMS").read_text().splitlines()
    listed = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
    files = {str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name
    if shutil.which("sha256sum"):
        check = subprocess.run(
            ["sha256sum", "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_ontology_in_four_syntaxes_with_its_versions(release):
    graphs = [
        rdflib.Graph().parse(release / f"ontology-0.1.0.{suffix}", format=fmt)
        for suffix, fmt in (("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld"), ("nt", "nt"))
    ]
    assert len({len(g) for g in graphs}) == 1
    for g in graphs:
        assert g.value(ONTOLOGY, OWL.versionIRI) == rdflib.URIRef(f"{ONTOLOGY}/0.1.0")
        assert g.value(ONTOLOGY, OWL.priorVersion) == rdflib.URIRef(f"{ONTOLOGY}/0.0.9")
        assert str(g.value(ONTOLOGY, DCTERMS.issued)) == "2026-01-02"


def _quads(path: Path, fmt) -> list:
    return list(ox.parse(gzip.decompress(path.read_bytes()), format=fmt))


def test_asserted_and_inferred_dumps_apart_and_alike_in_both_syntaxes(release, built):
    asserted = _quads(release / "paradiplomacy-kg-0.1.0-asserted.nq.gz", ox.RdfFormat.N_QUADS)
    inferred = _quads(release / "paradiplomacy-kg-0.1.0-inferred.nq.gz", ox.RdfFormat.N_QUADS)
    assert asserted and inferred
    assert not {q.graph_name.value for q in asserted} & INFERRED
    assert {q.graph_name.value for q in inferred} <= INFERRED
    assert set(map(str, _quads(release / "paradiplomacy-kg-0.1.0-asserted.trig.gz", ox.RdfFormat.TRIG))) == set(
        map(str, asserted)
    )
    assert set(map(str, _quads(release / "paradiplomacy-kg-0.1.0-inferred.trig.gz", ox.RdfFormat.TRIG))) == set(
        map(str, inferred)
    )
    assert len(asserted) + len(inferred) == len(built[1])  # the whole graph, as a build makes it
    header = gzip.decompress((release / "paradiplomacy-kg-0.1.0-asserted.nq.gz").read_bytes())[:2000].decode()
    assert "# - " in header and "ODC-By 1.0" in header and "Dreher" in header and "CC0 1.0" in header


def test_the_description_names_every_dump_with_its_size_sum_count_and_licences(release):
    g = rdflib.Graph().parse(release / "void.ttl", format="turtle")
    r = rdflib.URIRef("https://w3id.org/paradiplomacy/release/0.1.0")
    assert str(g.value(r, DCTERMS.issued)) == "2026-01-02" and str(g.value(r, OWL.versionInfo)) == "0.1.0"
    assert g.value(r, DCTERMS.creator) is not None
    dumps = {str(u) for u in g.objects(r, VOID.dataDump)}
    assert dumps == {
        f"https://example.org/files/paradiplomacy-kg-0.1.0-{p}.{s}.gz"
        for p in ("asserted", "inferred")
        for s in ("nq", "trig")
    }
    for dist in g.objects(r, DCAT.distribution):
        path = release / str(g.value(dist, DCAT.downloadURL)).removeprefix("https://example.org/files/")
        data = path.read_bytes()
        assert int(g.value(dist, DCAT.byteSize)) == len(data)
        assert str(g.value(g.value(dist, SPDX.checksum), SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        if (triples := g.value(dist, VOID.triples)) is not None:
            fmt = ox.RdfFormat.N_QUADS if ".nq." in path.name else ox.RdfFormat.TRIG
            assert int(triples) == len(_quads(path, fmt))
    licences = {str(g.value(p, DCTERMS.license)) for p in g.objects(r, VOID.subset)}
    assert licences == {
        "https://creativecommons.org/licenses/by/4.0/",
        "https://opendatacommons.org/licenses/by/1-0/",
        "http://creativecommons.org/publicdomain/zero/1.0/",
    }


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.links += [v for k, v in attrs if k in ("href", "src") and v]

    def handle_data(self, data):
        self.text.append(data)


def test_the_documentation_keeps_each_terms_quote_and_stands_alone(release):
    page = _Links()
    page.feed((release / "ontology" / "index.html").read_text())
    text = " ".join(" ".join(page.text).split())
    ontology = rdflib.Graph().parse(release / "ontology-0.1.0.ttl")
    quotes = {
        " ".join(str(q).split())
        for term, q in ontology.subject_objects(PD.sourceQuote)
        if str(term).startswith(str(PD))
    }  # the ontology's own terms
    assert quotes and all(q in text for q in quotes)
    assert not [link for link in page.links if link.startswith("/")]  # no path of a server that is not there
    local = [link for link in page.links if not link.startswith(("http", "#", "mailto:"))]
    for link in local:
        assert (release / "ontology" / link).resolve().is_file(), link
