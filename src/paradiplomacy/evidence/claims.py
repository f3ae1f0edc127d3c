"""Turning the ontology and validated evidence into an RDF dataset of named graphs.

- <…/graph/ontology>: the ontology and its concept schemes;
- <…/graph/bibliography>: the works, their sections and endnotes;
- one graph per claim, named by the claim's IRI (<…/resource/claim-ID>), holding exactly the
  domain triples that the claim's quote supports (nanopublication style);
- one provenance graph per claim (<…/resource/claim-ID-provenance>): its source, locator
  (section, endnotes), an oa:TextQuoteSelector with the verbatim quote, the evidence file and
  line, and the load activity (prov:wasGeneratedBy), whose own graph (<…/resource/build-HASH>)
  names the software, its version and the time.
The bibliography and activity functions below add each graph's triples to `g`, anything with rdflib's
`add((s, p, o))`; those of each claim's graphs append pyoxigraph quads to a list.
Per-claim graphs let a claim be replaced or removed as a whole; queries see them all through
the union default graph.
Asserted knowledge never goes into <…/graph/inferred>, which is the reasoner's.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from paradiplomacy import __version__
from paradiplomacy.evidence.quotes import SourceText, source_text
from paradiplomacy.evidence.reader import NAME_FIELDS, Claim, Evidence, Work
from paradiplomacy.namespaces import (
    BIBO,
    GRAPH_BIBLIOGRAPHY,
    GRAPH_ONTOLOGY,
    OA,
    PD,
    PDR,
    SOFTWARE,
    claim_iri,
    claim_provenance_iri,
)
from paradiplomacy.rdfutil import OxDataset, quad_to_ox, slugify, to_ox

CONTAINER_TYPE = {
    "AcademicArticle": BIBO.Journal,
    "Article": BIBO.Periodical,
    "BookSection": BIBO.Book,
    "Chapter": BIBO.Book,
    "Webpage": BIBO.Website,
}
SUPPORT = {"explicit": PD.ExplicitStatement, "interpretation": PD.Interpretation}


def section_iri(work_id: str, section_id: str) -> URIRef:
    return PDR[f"{work_id}-section-{section_id}"]


def endnote_iri(work_id: str, number: int) -> URIRef:
    return PDR[f"{work_id}-endnote-{number}"]


def build_activity_iri(evidence: Evidence, ontology: Graph) -> URIRef:
    """A build is named by a hash of what it read, so the same input gives the same IRIs."""
    h = hashlib.sha256()
    h.update(__version__.encode())
    h.update(str(len(ontology)).encode())
    for c in evidence.claims:
        h.update(c.id.encode())
        h.update((c.quote or c.locator or "").encode())
    return PDR["build-" + h.hexdigest()[:16]]


def bibliography_graph(g, works: dict[str, Work]) -> None:
    for work in works.values():
        s = PDR[work.id]
        d = work.data
        g.add((s, RDF.type, BIBO[work.type]))
        g.add((s, RDF.type, PROV.Entity))
        g.add((s, DCTERMS.title, Literal(d["title"])))
        g.add((s, RDFS.label, Literal(d["title"])))
        for name in d.get("authors", []):
            g.add((s, DCTERMS.creator, Literal(name)))
        for name in d.get("editors", []):
            g.add((s, BIBO.editor, Literal(name)))
        if "published" in d:
            g.add((s, DCTERMS.issued, Literal(d["published"].isoformat(), datatype=XSD.date)))
        elif "year" in d:
            g.add((s, DCTERMS.issued, Literal(str(d["year"]), datatype=XSD.gYear)))
        if "year" in d:
            g.add((s, PD.publicationYear, Literal(d["year"], datatype=XSD.integer)))
        if "accessed" in d:
            g.add((s, PD.accessed, Literal(d["accessed"].isoformat(), datatype=XSD.date)))
        simple = {
            "title_en": PD.titleTranslation,
            "title_translit": PD.titleTransliteration,
            "publisher": DCTERMS.publisher,
            "place": PD.publicationPlace,
            "volume": BIBO.volume,
            "issue": BIBO.issue,
            "pages": BIBO.pages,
            "doi": BIBO.doi,
            "note": SKOS.note,
            "series": PD.series,
            "quote": DCTERMS.bibliographicCitation,
        }
        for key, prop in simple.items():
            if key in d:
                g.add((s, prop, Literal(d[key])))
        if "url" in d:
            g.add((s, BIBO.uri, Literal(d["url"], datatype=XSD.anyURI)))
        if "container" in d:
            container = PDR["venue-" + (slugify(d["container"])[:60] or "x")]  # cut as first minted: the IRIs stay
            g.add((s, DCTERMS.isPartOf, container))
            g.add((container, RDF.type, CONTAINER_TYPE.get(work.type, BIBO.Collection)))
            g.add((container, DCTERMS.title, Literal(d["container"])))
            g.add((container, RDFS.label, Literal(d["container"])))
        if "cited_in" in d:
            g.add((s, PD.citedIn, PDR[d["cited_in"]]))
        for sec in work.sections.values():
            si = section_iri(work.id, sec.id)
            g.add((si, RDF.type, PD.Section))
            g.add((si, DCTERMS.title, Literal(sec.title)))
            g.add((si, RDFS.label, Literal(sec.title)))
            g.add((si, PD.sectionOrder, Literal(sec.order)))
            g.add((si, DCTERMS.isPartOf, s))
        for number, cites in work.endnotes.items():
            ei = endnote_iri(work.id, number)
            g.add((ei, RDF.type, PD.Endnote))
            g.add((ei, PD.endnoteNumber, Literal(number)))
            g.add((ei, RDFS.label, Literal(f"endnote {number}")))
            g.add((ei, DCTERMS.isPartOf, s))
            for cited in cites:
                g.add((ei, DCTERMS.references, PDR[cited]))


def _iris(**terms) -> SimpleNamespace:
    return SimpleNamespace(**{name: ox.NamedNode(str(term)) for name, term in terms.items()})


# the IRIs of every claim's graphs as pyoxigraph terms, made once: each claim's quads are made as pyoxigraph
# quads directly (making them from rdflib terms, then converting, was most of the time of the RDF stage)
X = _iris(
    type=RDF.type,
    label=RDFS.label,
    comment=RDFS.comment,
    Claim=PD.Claim,
    Entity=PROV.Entity,
    wasDerivedFrom=PROV.wasDerivedFrom,
    wasGeneratedBy=PROV.wasGeneratedBy,
    generatedAtTime=PROV.generatedAtTime,
    supportLevel=PD.supportLevel,
    evidenceFile=PD.evidenceFile,
    evidenceLine=PD.evidenceLine,
    section=PD.section,
    citesEndnote=PD.citesEndnote,
    locator=PD.locator,
    hasTarget=OA.hasTarget,
    SpecificResource=OA.SpecificResource,
    hasSource=OA.hasSource,
    hasSelector=OA.hasSelector,
    TextQuoteSelector=OA.TextQuoteSelector,
    exact=OA.exact,
    endnoteMark=PD.endnoteMark,
    EndnoteMark=PD.EndnoteMark,
    markOf=PD.markOf,
    markedSentence=PD.markedSentence,
    prefix=OA.prefix,
    suffix=OA.suffix,
    TextPositionSelector=OA.TextPositionSelector,
    start=OA.start,
    end=OA.end,
    integer=XSD.integer,
)
X_SUPPORT = {level: ox.NamedNode(str(iri)) for level, iri in SUPPORT.items()}
X_NAMES = {key: (ox.NamedNode(str(prop)), lang) for key, (prop, lang) in NAME_FIELDS.items()}
_PDR = str(PDR)


def _pdr(slug: str) -> ox.NamedNode:
    return ox.NamedNode(_PDR + slug)


# the ontology's IRIs that claims use (classes, properties) as pyoxigraph terms, each made once
_vocabulary_term = functools.lru_cache(maxsize=4096)(to_ox)


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=X.integer)  # as rdflib's Literal(n) writes an int


def assertion_graph(out: list, graph: ox.NamedNode, claim: Claim) -> None:
    """The quads of a claim's assertion graph."""
    for item in claim.items:
        s = _pdr(item.id)
        for t in item.types:
            out.append(ox.Quad(s, X.type, _vocabulary_term(t), graph))
        for key, (prop, lang) in X_NAMES.items():
            for value in item.names.get(key, ()):
                out.append(ox.Quad(s, prop, ox.Literal(value, language=lang), graph))
        for v in item.values:
            p = _vocabulary_term(v.prop.iri)
            if v.prop.is_object:
                out.append(ox.Quad(s, p, _pdr(v.value), graph))
            else:  # rdflib's lexical form of the value (its canonical form of numbers, dates ...)
                out.append(ox.Quad(s, p, to_ox(Literal(v.value, datatype=v.prop.datatype)), graph))


def provenance(
    out: list,
    graph: ox.NamedNode,
    c: ox.NamedNode,
    claim: Claim,
    activity: ox.NamedNode,
    when: ox.Literal,
    texts: dict[str, SourceText | None],
) -> None:
    """The quads of a claim's provenance graph; `c`: the claim's IRI (namespaces.claim_iri)."""

    def add(s, p, o) -> None:
        out.append(ox.Quad(s, p, o, graph))

    src = _pdr(claim.source)
    add(c, X.type, X.Claim)
    add(c, X.type, X.Entity)
    add(c, X.label, ox.Literal(f"claim {claim.id}"))
    add(c, X.wasDerivedFrom, src)
    add(c, X.wasGeneratedBy, activity)
    add(c, X.generatedAtTime, when)
    add(c, X.supportLevel, X_SUPPORT[claim.support])
    add(c, X.evidenceFile, ox.Literal(claim.where.file))
    add(c, X.evidenceLine, _integer(claim.where.line))
    if claim.note:
        add(c, X.comment, ox.Literal(claim.note, language="en"))
    if claim.section:
        add(c, X.section, to_ox(section_iri(claim.source, claim.section)))
    for n in claim.endnotes:
        add(c, X.citesEndnote, to_ox(endnote_iri(claim.source, n)))
    if claim.locator:
        add(c, X.locator, ox.Literal(claim.locator))
    if claim.quote:
        target, selector = _pdr(f"claim-{claim.id}-target"), _pdr(f"claim-{claim.id}-quote")
        add(c, X.hasTarget, target)
        add(target, X.type, X.SpecificResource)
        add(target, X.hasSource, src)
        add(target, X.hasSelector, selector)
        add(selector, X.type, X.TextQuoteSelector)
        add(selector, X.exact, ox.Literal(claim.quote))
        text = texts.get(claim.source)
        match = text.find(claim.quote) if text else None
        # each endnote the claim cites, with the quoted sentence its mark stands on (as the source places it)
        for n, sentence in text.marks(claim.quote).items() if match else ():
            if n in claim.endnotes:
                mark = _pdr(f"claim-{claim.id}-endnote-{n}")
                add(c, X.endnoteMark, mark)
                add(mark, X.type, X.EndnoteMark)
                add(mark, X.markOf, to_ox(endnote_iri(claim.source, n)))
                add(mark, X.markedSentence, ox.Literal(sentence))
        if match:
            add(selector, X.prefix, ox.Literal(match.prefix))
            add(selector, X.suffix, ox.Literal(match.suffix))
            position = _pdr(f"claim-{claim.id}-position")
            add(target, X.hasSelector, position)
            add(position, X.type, X.TextPositionSelector)
            add(position, X.start, _integer(match.start))
            add(position, X.end, _integer(match.end))


def source_texts(evidence: Evidence, sources_dir: Path | None) -> dict[str, SourceText | None]:
    return {wid: source_text(sources_dir, work.data.get("text_file")) for wid, work in evidence.works.items()}


def activity_graph(g, activity: URIRef, evidence: Evidence, when: Literal) -> None:
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDF.type, PD.LoadActivity))
    g.add((activity, RDFS.label, Literal("paradiplomacy build")))
    g.add((activity, PROV.startedAtTime, when))
    g.add((activity, PROV.wasAssociatedWith, SOFTWARE))
    for f in evidence.files:
        g.add((activity, PROV.used, Literal(f)))
    for wid in sorted(evidence.unverified_sources):
        g.add((activity, PD.quotesNotVerifiedIn, PDR[wid]))
    g.add((SOFTWARE, RDF.type, PROV.SoftwareAgent))
    g.add((SOFTWARE, RDFS.label, Literal(f"paradiplomacy {__version__}")))
    g.add((SOFTWARE, OWL.versionInfo, Literal(__version__)))


class _GraphQuads:
    """One named graph being made, for the functions above: each triple added to it becomes a pyoxigraph
    quad in `out` (no rdflib graph is kept)."""

    def __init__(self, out: list, name: URIRef):
        self.out, self.name = out, to_ox(name)

    def add(self, triple) -> None:
        s, p, o = triple
        self.out.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), self.name))


def dataset_quads(
    ontology: Graph, evidence: Evidence, sources_dir: Path | None = None, now: dt.datetime | None = None
) -> Iterator[ox.Quad]:
    """The quads of the ontology, the bibliography, the build activity and every claim, made claim by
    claim (only one claim's quads are held at a time)."""
    out: list[ox.Quad] = []
    for t in ontology:
        out.append(quad_to_ox(*t, GRAPH_ONTOLOGY))
    bibliography_graph(_GraphQuads(out, GRAPH_BIBLIOGRAPHY), evidence.works)
    when = Literal((now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    activity = build_activity_iri(evidence, ontology)
    activity_graph(_GraphQuads(out, activity), activity, evidence, when)
    texts = source_texts(evidence, sources_dir)
    x_activity, x_when = to_ox(activity), to_ox(when)
    for claim in evidence.claims:
        yield from out
        out.clear()
        c = to_ox(claim_iri(claim.id))  # the claim, and the name of its assertion graph
        assertion_graph(out, c, claim)
        provenance(out, to_ox(claim_provenance_iri(claim.id)), c, claim, x_activity, x_when, texts)
    yield from out


def build_store(
    ontology: Graph, evidence: Evidence, sources_dir: Path | None = None, now: dt.datetime | None = None
) -> OxDataset:
    """The dataset of the ontology and the evidence, in an in-memory pyoxigraph store."""
    data = OxDataset()
    data.store.bulk_extend(dataset_quads(ontology, evidence, sources_dir, now))
    return data
