"""`paradiplomacy release DIR`: dated, versioned artefacts of the project, built afresh from its files.

- the ontology (the graph <…/graph/ontology>: ontology, vocabularies, evidence model) in Turtle, N-Triples,
  RDF/XML and JSON-LD, with owl:versionIRI, owl:priorVersion (when given), dct:issued;
- the asserted dataset and the inferred graph, each as gzipped N-Quads and gzipped TriG, opened by
  comment lines that give the licence of each part;
- void.ttl: VoID and DCAT: the release as a versioned dataset, its creators, dates and counts, each
  file as a void:dataDump and a dcat:Distribution with its size and SHA-256, and the licence of each
  part (paradiplomacy.licences: CC BY 4.0, ODC-By 1.0 with its attribution, CC0);
- ontology/index.html: the server's own ontology page (every term with its definition and the
  paper's quote), written to a file with its stylesheet, its links made absolute (w3id IRIs);
- SHA256SUMS, in the format `sha256sum -c` reads.

Sits above web (for the page) and build (for the graph); the CLI command is in cli/.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, XSD

from paradiplomacy.build import build
from paradiplomacy.licences import (
    DERIVED,
    PROJECT_LICENCE,
    LicensedPart,
    licensed_parts,
    part_triples,
)
from paradiplomacy.namespaces import (
    BASE,
    GRAPH_INFERRED,
    ONTOLOGY_IRI,
    PDR,
    PREFIXES,
)
from paradiplomacy.reasoning.reasoners import GRAPH_INFERRED_PROVENANCE
from paradiplomacy.settings import Config
from paradiplomacy.store import OxigraphStore

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CREATORS = ("The paradiplomacy-kg contributors",)  # as CITATION.cff says
PAPER = PDR["lenz-china-provinces"]
INFERRED_GRAPHS = {str(GRAPH_INFERRED), str(GRAPH_INFERRED_PROVENANCE)}
ONTOLOGY_FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
    "nt": ("nt", "application/n-triples"),
}
PAGE_FORMAT_FILES = {"turtle": "ttl", "rdfxml": "rdf", "jsonld": "jsonld", "ntriples": "nt"}  # ?format= -> file


@dataclass
class ReleaseFile:
    name: str
    title: str
    media_type: str
    quads: int | None = None  # for the dumps
    size: int = 0
    sha256: str = ""


@dataclass
class Release:
    directory: Path
    version: str
    issued: dt.date
    files: list[ReleaseFile] = field(default_factory=list)

    @property
    def iri(self) -> URIRef:
        return URIRef(f"{BASE}release/{self.version}")


def _ontology_version(ontology: Graph) -> str:
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    if version is None:
        raise ValueError(f"the ontology <{ONTOLOGY_IRI}> has no owl:versionInfo: a release needs its version")
    return str(version)


def _write(release: Release, name: str, data: bytes, title: str, media_type: str, quads: int | None = None) -> None:
    path = release.directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    release.files.append(ReleaseFile(name, title, media_type, quads, len(data), hashlib.sha256(data).hexdigest()))


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)  # the same content gives the same file, and the same sum


def _ontology_files(release: Release, ontology: Graph, prior: str | None) -> None:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for triple in ontology:
        g.add(triple)
    version_iri = URIRef(f"{ONTOLOGY_IRI}/{release.version}")
    g.set((ONTOLOGY_IRI, OWL.versionIRI, version_iri))
    g.set((ONTOLOGY_IRI, DCTERMS.issued, Literal(release.issued.isoformat(), datatype=XSD.date)))
    if prior:
        g.set((ONTOLOGY_IRI, OWL.priorVersion, URIRef(prior if ":" in prior else f"{ONTOLOGY_IRI}/{prior}")))
    for suffix, (fmt, media_type) in ONTOLOGY_FORMATS.items():
        _write(
            release,
            f"ontology-{release.version}.{suffix}",
            g.serialize(format=fmt, encoding="utf-8"),
            f"the ontology, version {release.version}",
            media_type,
        )


def licence_header(release: Release, parts: list[LicensedPart]) -> bytes:
    """Comment lines that open each dump: what it is, and the licence of each part with its attribution."""
    lines = [
        f"paradiplomacy-kg {release.version} ({release.issued}), {BASE}release/{release.version}",
        "Its parts are under different licences (void.ttl says which graphs each part holds):",
    ]
    for part in parts:
        graphs = "every other graph" if not part.graphs else ", ".join(sorted(part.graphs))
        cite = f"; cite: {part.attribution}" if part.attribution else ""
        lines.append(f"- {part.title}: {part.license_name} <{part.license}> ({graphs}){cite}")
    return "".join(f"# {line}\n" for line in lines).encode()


def _dumps(release: Release, store: OxigraphStore, header: bytes) -> dict[str, int]:
    """The asserted and the inferred quads, each gzipped in N-Quads and TriG, opened by the licence header;
    returns each graph's size."""
    quads = list(ox.parse(store.export("nquads"), format=ox.RdfFormat.N_QUADS))
    sizes: dict[str, int] = {}
    for q in quads:
        sizes[q.graph_name.value] = sizes.get(q.graph_name.value, 0) + 1
    inferred = [q for q in quads if q.graph_name.value in INFERRED_GRAPHS]
    asserted = [q for q in quads if q.graph_name.value not in INFERRED_GRAPHS]
    for part, chosen in (("asserted", asserted), ("inferred", inferred)):
        for suffix, fmt, media_type in (
            ("nq", ox.RdfFormat.N_QUADS, "application/n-quads"),
            ("trig", ox.RdfFormat.TRIG, "application/trig"),
        ):
            data = header + ox.serialize(chosen, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TRIG else None)
            _write(
                release,
                f"paradiplomacy-kg-{release.version}-{part}.{suffix}.gz",
                _gzip(data),
                f"the {part} {'dataset' if part == 'asserted' else 'graph'} (paradiplomacy-kg {release.version})",
                media_type,
                len(chosen),
            )
    return sizes


def _rewrite_page(html: str, version: str) -> str:
    """The server's page as a file: the stylesheet beside it, the ontology's formats to the release's
    files, its own anchors kept, every other path of the site made absolute under w3id."""

    def link(match: re.Match) -> str:
        attr, target = match.group(1), match.group(2)
        if target.startswith("/static/"):
            return f'{attr}="{target.rsplit("/", 1)[1]}"'
        fmt = re.fullmatch(r"(?:/ontology)?\?format=(\w+)", target)
        if fmt and fmt.group(1) in PAGE_FORMAT_FILES:
            return f'{attr}="../ontology-{version}.{PAGE_FORMAT_FILES[fmt.group(1)]}"'
        if fmt:  # a syntax the release does not hold: the ontology's IRI, which the server answers in it
            return f'{attr}="{ONTOLOGY_IRI}?format={fmt.group(1)}"'
        if target.startswith("/ontology#"):
            return f'{attr}="{target[len("/ontology") :]}"'
        if target.startswith("/"):
            return f'{attr}="{BASE}{target[1:]}"'
        return match.group(0)

    return re.sub(r'(href|src)="([^"]*)"', link, html)


def _ontology_page(release: Release, config: Config) -> None:
    from paradiplomacy.web import create_app
    from paradiplomacy.web.pool import InlinePool

    pool = InlinePool(config)
    try:
        client = create_app(config, pool=pool).test_client()
        page = client.get("/ontology", headers={"Accept": "text/html"})
        if page.status_code != 200:
            raise RuntimeError(f"the ontology page answered {page.status_code}")
        html = page.get_data(as_text=True)
        _write(
            release,
            "ontology/index.html",
            _rewrite_page(html, release.version).encode(),
            f"documentation of the ontology, version {release.version}",
            "text/html",
        )
        for asset in sorted(set(re.findall(r'(?:href|src)="/static/([^"]+)"', html))):  # stylesheets, scripts
            kind = "stylesheet" if asset.endswith(".css") else "script"
            _write(
                release,
                f"ontology/{asset.rsplit('/', 1)[-1]}",
                client.get(f"/static/{asset}").get_data(),
                f"the documentation's {kind}",
                "text/css" if kind == "stylesheet" else "text/javascript",
            )
    finally:
        pool.close()


def _licence_parts(store: OxigraphStore) -> list[LicensedPart]:
    rows = [{k: str(v) for k, v in row.items() if v is not None} for row in store.query(DERIVED).as_dicts()]
    project = store.query(PROJECT_LICENCE).as_dicts()
    return licensed_parts(rows, str(project[0]["license"]) if project else None)


def _description(release: Release, parts: list[LicensedPart], sizes: dict[str, int], base_url: str) -> bytes:
    g = Graph()
    for prefix, ns in {**PREFIXES, "void": str(VOID), "dcat": str(DCAT), "spdx": str(SPDX)}.items():
        g.bind(prefix, ns)
    r = release.iri
    for triple in part_triples(str(r), parts, sizes):
        g.add(triple)
    g.add((r, RDF.type, VOID.Dataset))
    g.add((r, RDF.type, DCAT.Dataset))
    g.add((r, DCTERMS.title, Literal(f"paradiplomacy-kg {release.version}", lang="en")))
    g.add(
        (
            r,
            DCTERMS.description,
            Literal(
                "Release of paradiplomacy-kg: China's provinces in Africa, every fact with the quote, section and source "
                "that support it; the asserted dataset and the reasoner's inferences as separate dumps.",
                lang="en",
            ),
        )
    )
    g.add((r, DCTERMS.isVersionOf, URIRef(BASE)))
    g.add((r, OWL.versionInfo, Literal(release.version)))
    g.add((r, URIRef(f"{DCAT}version"), Literal(release.version)))  # DCAT 3, which rdflib's DCAT lacks
    g.add((r, DCTERMS.issued, Literal(release.issued.isoformat(), datatype=XSD.date)))
    g.add((r, DCTERMS.source, PAPER))
    g.add((r, VOID.vocabulary, ONTOLOGY_IRI))
    g.add((r, VOID.uriSpace, Literal(str(PDR))))
    g.add((r, VOID.triples, Literal(sum(sizes.values()))))
    g.add(
        (
            r,
            DCTERMS.rights,
            Literal(
                "Its parts are under different licences: each void:subset names its own "
                "(dct:license) and the attribution it requires.",
                lang="en",
            ),
        )
    )
    for name in CREATORS:
        creator = BNode()
        g.add((r, DCTERMS.creator, creator))
        g.add((creator, RDF.type, FOAF.Agent))
        g.add((creator, FOAF.name, Literal(name)))
    for f in release.files:
        url = URIRef(base_url + f.name)
        dist = URIRef(f"{r}#{re.sub(r'[^A-Za-z0-9.-]', '-', f.name)}")
        if f.quads is not None:
            g.add((r, VOID.dataDump, url))
        g.add((r, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f.title, lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{f.media_type}")))
        if f.name.endswith(".gz"):
            g.add((dist, DCAT.compressFormat, URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
        g.add((dist, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
        if f.quads is not None:
            g.add((dist, VOID.triples, Literal(f.quads)))
        checksum = BNode()
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    g.add((r, RDFS.seeAlso, URIRef(base_url + "ontology/index.html")))
    return g.serialize(format="turtle", encoding="utf-8")


def release(
    config: Config,
    directory: Path,
    prior_version: str | None = None,
    issued: dt.date | None = None,
    base_url: str | None = None,
    progress=lambda message: None,
) -> Release:
    """Build the project afresh (validation, reasoning) in a temporary store and write the release."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="paradiplomacy-release-") as tmp:
        build_config = replace(config, store=str(Path(tmp) / "store"), backend="oxigraph")
        store = OxigraphStore(build_config.path("store"))
        progress("building the graph afresh (validation, reasoning) ...")
        result = build(build_config, store, progress=progress)
        ontology = result.ontology
        rel = Release(directory, _ontology_version(ontology), issued or dt.datetime.now(dt.UTC).date())
        base_url = base_url or f"{BASE}release/{rel.version}/"
        progress(f"writing release {rel.version} ({rel.issued}) to {directory} ...")
        _ontology_files(rel, ontology, prior_version)
        parts = _licence_parts(store)
        sizes = _dumps(rel, store, licence_header(rel, parts))
        _ontology_page(rel, build_config)
        description = _description(rel, parts, sizes, base_url)
        store.close()
    _write(rel, "void.ttl", description, f"VoID and DCAT description of paradiplomacy-kg {rel.version}", "text/turtle")
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in rel.files)
    (directory / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return rel
