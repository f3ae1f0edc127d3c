"""The identifiers a claim can use, for `paradiplomacy ids`: the resources the claims declare (with
`type:`), the concepts of the vocabularies, the works of sources.yaml, and the ontology's classes and
properties, each with its label and type, read from ontology/ and data/ as the evidence reader sees
them. No store is needed; files with problems are read as far as they can be (the problems are
`validate`'s business), so that the list helps while a claim is being written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from paradiplomacy.evidence.ontology import Vocabulary
from paradiplomacy.evidence.reader import _Reader, evidence_files

KINDS = ("resource", "concept", "work", "class", "property")


@dataclass(frozen=True)
class Identifier:
    name: str  # what a claim writes: a slug, a class or property name
    kind: str  # one of KINDS
    label: str  # its English label ("" if it has none)
    type: str  # its class(es); for a property, object or datatype and its range
    where: str = ""  # file:line where a claim first declares it (resources), or the ontology

    def matches(self, text: str) -> bool:
        text = text.casefold()
        return any(text in s.casefold() for s in (self.name, self.label, self.type))


def _label(vocab: Vocabulary, iri: URIRef) -> str:
    labels = [lbl for lbl in vocab.graph.objects(iri, RDFS.label) if getattr(lbl, "language", None) in (None, "en")]
    labels = labels or list(vocab.graph.objects(iri, SKOS.prefLabel))
    return str(labels[0]) if labels else ""


def identifiers(data_dir: Path, vocab: Vocabulary, root: Path) -> list[Identifier]:
    """Every identifier a claim can use, sorted by kind and name."""
    reader = _Reader(vocab, Path(root))
    sources, claim_files = evidence_files(data_dir)
    if sources.is_file():
        reader.read_sources(sources)
    for path in claim_files:
        reader.read_claims(path)
    out: dict[tuple[str, str], Identifier] = {}
    declared: dict[str, dict] = {}
    for claim in reader.claims:
        for item in claim.items:
            entry = declared.setdefault(item.id, {"types": [], "label": "", "where": ""})
            if item.types and not entry["where"]:
                entry["where"] = f"{item.where.file}:{item.where.line}"
            entry["types"] += [vocab.curie(t) for t in item.types if vocab.curie(t) not in entry["types"]]
            if not entry["label"] and item.names.get("label"):
                entry["label"] = item.names["label"][0]
    for slug, entry in declared.items():
        if entry["types"]:
            out["resource", slug] = Identifier(
                slug, "resource", entry["label"], ", ".join(entry["types"]), entry["where"]
            )
    for slug, iri in vocab.concepts.items():
        types = sorted(vocab.curie(t) for t in vocab.graph.objects(iri, RDF.type) if t != OWL.NamedIndividual)
        out["concept", slug] = Identifier(slug, "concept", _label(vocab, iri), ", ".join(types), "ontology")
    for wid, work in reader.works.items():
        out["work", wid] = Identifier(
            wid, "work", work.data.get("title", ""), work.type, f"{work.where.file}:{work.where.line}"
        )
    for cls in vocab.classes:
        if isinstance(cls, URIRef):
            out["class", vocab.curie(cls)] = Identifier(
                vocab.curie(cls), "class", _label(vocab, cls), "class", "ontology"
            )
    for prop, info in vocab.properties.items():
        rng = vocab.graph.value(prop, RDFS.range)
        kind = "object property" if info.is_object else "datatype property"
        out["property", vocab.curie(prop)] = Identifier(
            vocab.curie(prop),
            "property",
            _label(vocab, prop),
            f"{kind} -> {vocab.curie(rng)}" if isinstance(rng, URIRef) else kind,
            "ontology",
        )
    return sorted(out.values(), key=lambda i: (KINDS.index(i.kind), i.name))
