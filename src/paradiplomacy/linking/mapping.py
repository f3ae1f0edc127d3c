"""Curated links to Wikidata and the offline Wikidata slice, as named graphs with provenance.

- `data/links/wikidata.csv` is the curated, versioned mapping: a header of `# key: value` lines
  (`version` required), then CSV rows `slug,qid,label,confidence,evidence,reviewed_by,reviewed_on`.
  Only reviewed rows go there (`paradiplomacy link --accept`, or by hand after verification).
- Each row becomes a link, nanopublication style like a claim: the graph <…/resource/link-wikidata-SLUG>
  holds exactly `pdr:SLUG skos:exactMatch wd:QID`, and <…/resource/link-wikidata-SLUG-provenance> says
  where it comes from (the Wikidata item, the mapping file and row, the verification evidence, the
  reviewer, the build). <…/graph/links-wikidata> describes the link set (version, file, count).
  With the `wikidata_same_as` setting, <…/graph/links-wikidata-sameas> also states owl:sameAs.
- `data/wikidata/slice.ttl` is loaded as it is into <…/graph/wikidata>, with its provenance
  (file, build) in <…/graph/wikidata-provenance>; the file itself names its sources and licence.

Everything is read and validated before anything is written: a malformed row raises InvalidInput
naming the file, line and field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from paradiplomacy.errors import InvalidInput, Problem, display_path
from paradiplomacy.namespaces import (
    GRAPH_INFERRED,
    GRAPH_LINKSET,
    GRAPH_ONTOLOGY,
    GRAPH_SAMEAS,
    GRAPH_SLICE,
    GRAPH_SLICE_PROVENANCE,
    ORG,
    PD,
    PDR,
    VOID,
    WD,
)
from paradiplomacy.rdfutil import SLUG, graph_name

QID = re.compile(r"^Q[1-9][0-9]*$")
COLUMNS = ["slug", "qid", "label", "confidence", "evidence", "reviewed_by", "reviewed_on"]
REQUIRED = ["slug", "qid", "label", "evidence", "reviewed_by", "reviewed_on"]
MAPPING_FILE = Path("links") / "wikidata.csv"
SLICE_FILE = Path("wikidata") / "slice.ttl"

LINKSET = PDR["linkset-wikidata"]

# the kinds of linkable resources, by ontology class, most specific first
KINDS = [
    ("province", PD.ProvinceLevelUnit),
    ("county", PD.County),
    ("state", PD.State),
    ("firm", PD.Enterprise),
    ("zone", PD.EconomicZone),
    ("organisation", ORG.Organization),
]


NOT_ASSERTED = {str(GRAPH_ONTOLOGY), str(GRAPH_INFERRED), str(GRAPH_SLICE)}


def asserted(ds, s=None, p=None, o=None):
    """(s, p, o) of the dataset's asserted graphs: claims, reference and dataset graphs, not the
    ontology, the reasoner's graph or the Wikidata slice."""
    for s_, p_, o_, g in ds.quads((s, p, o, None)):
        if str(graph_name(g)) not in NOT_ASSERTED:
            yield s_, p_, o_


def declared_slugs(ds) -> set[str]:
    """The resources (slugs) that an asserted graph types."""
    return {
        str(s)[len(str(PDR)) :]
        for s, _, _ in asserted(ds, None, RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(str(PDR))
    }


def entity_kinds(ds, ontology: Graph) -> dict[str, str]:
    """The places and organisations of the graph (slug -> kind): resources typed, in a claim, the
    reference graph or an imported dataset, with a subclass of org:Organization or pd:EconomicZone;
    unnamed groups of actors (pd:ActorGroup) excluded."""
    types: dict[str, set] = {}
    for s, _, t in asserted(ds, None, RDF.type, None):
        if isinstance(s, URIRef) and str(s).startswith(str(PDR)):
            types.setdefault(str(s)[len(str(PDR)) :], set()).add(t)
    supers_of: dict = {}
    out = {}
    for slug, ts in types.items():
        supers = set()
        for t in ts:
            if t not in supers_of:
                supers_of[t] = set(ontology.transitive_objects(t, RDFS.subClassOf))
            supers |= supers_of[t]
        if PD.ActorGroup in supers:
            continue
        kind = next((k for k, cls in KINDS if cls in supers), None)
        if kind:
            out[slug] = kind
    return out


def link_iri(slug: str) -> URIRef:
    """The link's IRI, which is also the name of the graph holding it."""
    return PDR[f"link-wikidata-{slug}"]


def link_provenance_iri(slug: str) -> URIRef:
    return PDR[f"link-wikidata-{slug}-provenance"]


@dataclass
class Link:
    slug: str
    qid: str
    label: str
    confidence: str
    evidence: str
    reviewed_by: str
    reviewed_on: dt.date
    line: int  # line of the file
    row: int  # data row, from 1

    @property
    def item(self) -> URIRef:
        return WD[self.qid]


@dataclass
class Mapping:
    file: str  # as shown in messages and provenance (relative to the project)
    meta: dict[str, str]
    links: list[Link] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.meta.get("version", "")

    def by_slug(self) -> dict[str, Link]:
        return {link.slug: link for link in self.links}


def parse_mapping(text: str, file: str, declared: dict | None = None, linkable: set[str] | None = None) -> Mapping:
    """Parse and validate a mapping file's text. `declared` (slug -> where) and `linkable` (slugs of
    places and organisations) check that every row names a resource of the graph that may be linked."""
    problems: list[Problem] = []
    lines = text.splitlines(keepends=True)
    meta: dict[str, str] = {}
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        m = re.match(r"#\s*([A-Za-z_-]+)\s*:\s*(.*?)\s*$", lines[start])
        if m and m.group(1).lower() in ("version", "modified"):
            meta[m.group(1).lower()] = m.group(2)
        start += 1
    if not meta.get("version"):
        problems.append(Problem(file, 1, "version", "the header must give the mapping's version ('# version: 1')"))
    reader = csv.reader(io.StringIO("".join(lines[start:])))
    header = next(reader, None)
    if header is None:
        problems.append(Problem(file, start + 1, None, f"no CSV header: expected {','.join(COLUMNS)}"))
        raise InvalidInput(problems)
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problems.append(
            Problem(
                file,
                start + 1,
                None,
                f"CSV header must be {','.join(COLUMNS)}"
                + (f"; missing {missing}" if missing else "")
                + (f"; unknown {unknown}" if unknown else ""),
            )
        )
        raise InvalidInput(problems)
    mapping = Mapping(file, meta)
    seen_slug: dict[str, int] = {}
    seen_qid: dict[str, int] = {}
    row_number = 0
    line_before = start + reader.line_num
    for values in reader:
        line = line_before + 1
        line_before = start + reader.line_num
        if not any(v.strip() for v in values):
            continue
        row_number += 1
        where = f"row {row_number}"
        if len(values) != len(header):
            problems.append(Problem(file, line, None, f"{where}: {len(values)} fields, the header has {len(header)}"))
            continue
        row = {h: v.strip() for h, v in zip(header, values)}
        bad = False
        for col in REQUIRED:
            if not row[col]:
                problems.append(Problem(file, line, col, f"{where}: '{col}' is required"))
                bad = True
        slug, qid = row["slug"], row["qid"]
        if slug and not SLUG.match(slug):
            problems.append(Problem(file, line, "slug", f"{where}: {slug!r} is not a slug"))
            bad = True
        elif slug and declared is not None and slug not in declared:
            problems.append(
                Problem(
                    file,
                    line,
                    "slug",
                    f"{where}: unknown id {slug!r}: no claim declares it, and only resources of the graph are linked",
                )
            )
            bad = True
        elif slug and linkable is not None and slug not in linkable:
            problems.append(Problem(file, line, "slug", f"{where}: {slug!r} is neither a place nor an organisation"))
            bad = True
        if qid and not QID.match(qid):
            problems.append(
                Problem(file, line, "qid", f"{where}: {qid!r} is not a Wikidata item id (Q followed by digits)")
            )
            bad = True
        reviewed_on = None
        if row["reviewed_on"]:
            try:
                reviewed_on = dt.date.fromisoformat(row["reviewed_on"])
            except ValueError:
                problems.append(
                    Problem(
                        file,
                        line,
                        "reviewed_on",
                        f"{where}: malformed date {row['reviewed_on']!r}: write it as YYYY-MM-DD",
                    )
                )
                bad = True
        for key, seen in (("slug", seen_slug), ("qid", seen_qid)):
            value = row[key]
            if value and value in seen:
                problems.append(
                    Problem(file, line, key, f"{where}: duplicate {key} {value!r} (first on line {seen[value]})")
                )
                bad = True
            elif value:
                seen[value] = line
        if not bad:
            mapping.links.append(
                Link(
                    slug,
                    qid,
                    row["label"],
                    row["confidence"],
                    row["evidence"],
                    row["reviewed_by"],
                    reviewed_on,
                    line,
                    row_number,
                )
            )
    if problems:
        raise InvalidInput(problems)
    return mapping


def read_mapping(data_dir: Path, root: Path | None = None, declared=None, linkable=None) -> Mapping | None:
    """The curated mapping of data/, or None when data/ has none."""
    path = Path(data_dir) / MAPPING_FILE
    if not path.is_file():
        return None
    file = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput([Problem(file, None, None, f"cannot read the mapping: {exc}")]) from exc
    return parse_mapping(text, file, declared, linkable)


def format_mapping(mapping: Mapping, comments: list[str]) -> str:
    """The mapping file's text: comment lines, `# version:` and `# modified:`, then the CSV."""
    out = io.StringIO()
    for c in comments:
        out.write(f"# {c}\n" if c else "#\n")
    for key in ("version", "modified"):
        if mapping.meta.get(key):
            out.write(f"# {key}: {mapping.meta[key]}\n")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for link in mapping.links:
        w.writerow(
            [
                link.slug,
                link.qid,
                link.label,
                link.confidence,
                link.evidence,
                link.reviewed_by,
                link.reviewed_on.isoformat(),
            ]
        )
    return out.getvalue()


def header_comments(text: str) -> list[str]:
    """The free comment lines of a mapping file's header (not version or modified)."""
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if not re.match(r"(version|modified)\s*:", body, re.I):
            out.append(body)
    return out


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---- RDF ------------------------------------------------------------------------------------


def link_quads(mapping: Mapping, activity: URIRef, when: Literal, same_as: bool = False) -> list[tuple]:
    """The link graphs, their provenance graphs, the link set description and (opt-in) owl:sameAs."""
    quads = []
    for link in mapping.links:
        s, g, pg = PDR[link.slug], link_iri(link.slug), link_provenance_iri(link.slug)
        quads.append((s, SKOS.exactMatch, link.item, g))
        prov = [
            (g, RDF.type, PD.Link),
            (g, RDF.type, PROV.Entity),
            (g, RDFS.label, Literal(f"link {link.slug} skos:exactMatch wd:{link.qid}")),
            (g, PROV.wasDerivedFrom, link.item),
            (g, PROV.wasDerivedFrom, LINKSET),
            (g, DCTERMS.isPartOf, LINKSET),
            (g, PD.evidenceFile, Literal(mapping.file)),
            (g, PD.evidenceLine, Literal(link.line)),
            (g, PD.mappingRow, Literal(link.row)),
            (g, PD.verificationEvidence, Literal(link.evidence)),
            (g, PD.reviewedBy, Literal(link.reviewed_by)),
            (g, PD.reviewedOn, Literal(link.reviewed_on.isoformat(), datatype=XSD.date)),
            (g, PROV.wasGeneratedBy, activity),
            (g, PROV.generatedAtTime, when),
            (link.item, RDFS.label, Literal(link.label)),
        ]
        if link.confidence:
            prov.append((g, PD.confidence, Literal(link.confidence)))
        quads += [(a, b, c, pg) for a, b, c in prov]
    ls = [
        (LINKSET, RDF.type, VOID.Linkset),
        (LINKSET, RDF.type, PROV.Entity),
        (LINKSET, RDFS.label, Literal("links from the graph to Wikidata")),
        (LINKSET, VOID.linkPredicate, SKOS.exactMatch),
        (LINKSET, VOID.triples, Literal(len(mapping.links))),
        (LINKSET, OWL.versionInfo, Literal(mapping.version)),
        (LINKSET, PD.evidenceFile, Literal(mapping.file)),
        (LINKSET, PROV.wasGeneratedBy, activity),
        (LINKSET, PROV.generatedAtTime, when),
        (activity, PROV.used, Literal(mapping.file)),
    ]
    if mapping.meta.get("modified"):
        ls.append((LINKSET, DCTERMS.modified, Literal(mapping.meta["modified"], datatype=XSD.date)))
    if same_as:
        ls += [
            (GRAPH_SAMEAS, RDF.type, PROV.Entity),
            (GRAPH_SAMEAS, PROV.wasDerivedFrom, LINKSET),
            (
                GRAPH_SAMEAS,
                RDFS.comment,
                Literal(
                    "owl:sameAs copies of the skos:exactMatch links, written only "
                    "when the wikidata_same_as setting asks for them"
                ),
            ),
        ]
        quads += [(PDR[link.slug], OWL.sameAs, link.item, GRAPH_SAMEAS) for link in mapping.links]
    quads += [(a, b, c, GRAPH_LINKSET) for a, b, c in ls]
    return quads


def read_slice(data_dir: Path, root: Path | None = None) -> tuple[Graph, str] | None:
    """The offline slice of data/ (parsed, or InvalidInput with the file and line), or None."""
    path = Path(data_dir) / SLICE_FILE
    if not path.is_file():
        return None
    file = display_path(path, root)
    g = Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:
        line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
        raise InvalidInput(
            [Problem(file, line if isinstance(line, int) else None, None, f"not valid Turtle: {exc}")]
        ) from exc
    return g, file


def slice_quads(graph: Graph, file: str, activity: URIRef, when: Literal) -> list[tuple]:
    quads = [(s, p, o, GRAPH_SLICE) for s, p, o in graph]
    g = GRAPH_SLICE
    prov = [
        (g, RDF.type, PROV.Entity),
        (g, RDFS.label, Literal("offline slice of Wikidata")),
        (g, PD.evidenceFile, Literal(file)),
        (g, PROV.wasGeneratedBy, activity),
        (g, PROV.generatedAtTime, when),
        (activity, PROV.used, Literal(file)),
    ]
    for described in graph.subjects(RDF.type, VOID.Dataset):  # the slice's own description
        prov.append((g, PROV.wasDerivedFrom, described))
    return quads + [(a, b, c, GRAPH_SLICE_PROVENANCE) for a, b, c in prov]


def missing_from_slice(mapping: Mapping, graph: Graph | None) -> list[Link]:
    """Links whose item the slice says nothing about (run `paradiplomacy link --refresh-slice`)."""
    return [link for link in mapping.links if graph is None or (link.item, None, None) not in graph]


def is_on(value) -> bool:
    return str(value).strip().lower() in ("1", "yes", "true", "on")


@dataclass
class LinkReport:
    mapping: Mapping | None
    slice_file: str | None
    slice_items: int
    missing_from_slice: list[Link]


def add_links(config, ds, ontology: Graph, activity: URIRef) -> LinkReport:
    """Validate data/'s mapping and slice against the resources of `ds` (claims, reference and
    datasets), and add their graphs to `ds` (before anything is written; InvalidInput on any problem)."""
    data_dir, root = config.path("data_dir"), config.home
    mapping = read_mapping(data_dir, root, declared_slugs(ds), set(entity_kinds(ds, ontology)))
    sliced = read_slice(data_dir, root)
    when = next(ds.graph(activity).objects(activity, PROV.startedAtTime), None) or Literal(
        dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime
    )
    quads = []
    if mapping is not None:
        quads += link_quads(mapping, activity, when, same_as=is_on(config.wikidata_same_as))
    if sliced is not None:
        quads += slice_quads(sliced[0], sliced[1], activity, when)
    for q in quads:
        ds.add(q)
    items = {s for s in sliced[0].subjects() if str(s).startswith(str(WD))} if sliced else set()
    missing = missing_from_slice(mapping, sliced[0] if sliced else None) if mapping else []
    return LinkReport(mapping, sliced[1] if sliced else None, len(items), missing)


def report_lines(report: LinkReport | None) -> list[str]:
    """What `build` and `validate` say about the links and the slice."""
    if report is None:
        return []
    out = []
    if report.mapping is not None:
        out.append(
            f"linked {len(report.mapping.links)} resources to Wikidata ({report.mapping.file}, "
            f"version {report.mapping.version})"
        )
    if report.slice_file:
        out.append(f"offline Wikidata slice: {report.slice_items} items ({report.slice_file})")
    if report.missing_from_slice:
        out.append(
            "warning: the offline slice says nothing of "
            + ", ".join(f"{link.slug} ({link.qid})" for link in report.missing_from_slice)
            + ": run `paradiplomacy link --refresh-slice`"
        )
    return out
