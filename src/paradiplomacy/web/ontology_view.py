"""The ontology as a page: every class, property, concept scheme and concept of the ontology
graph with its label, definition, source quotes and relations (super- and subclasses, OWL class
expressions in Manchester-like words, domains, ranges, inverses), each under an anchor (`#Term`
for the project's own terms, `#prefix:Term` for reused ones)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from paradiplomacy.namespaces import ONTOLOGY_IRI, PD, PDR
from paradiplomacy.web.context import Endpoint
from paradiplomacy.web.terms import Term, best_label, curie, href

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"

ONTOLOGY_TRIPLES = "SELECT ?s ?p ?o WHERE { GRAPH pdg:ontology { ?s ?p ?o } }"
KINDS = [
    ("classes", "Classes", OWL + "Class"),
    ("object-properties", "Object properties", OWL + "ObjectProperty"),
    ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
    ("annotation-properties", "Annotation properties", OWL + "AnnotationProperty"),
    ("concept-schemes", "Concept schemes", SKOS + "ConceptScheme"),
    ("concepts", "Concepts", SKOS + "Concept"),
    ("individuals", "Individuals", OWL + "NamedIndividual"),
]
RESTRICTIONS = {
    OWL + "someValuesFrom": "some",
    OWL + "allValuesFrom": "only",
    OWL + "hasValue": "value",
    OWL + "minCardinality": "min",
    OWL + "maxCardinality": "max",
    OWL + "cardinality": "exactly",
    OWL + "minQualifiedCardinality": "min",
    OWL + "maxQualifiedCardinality": "max",
    OWL + "qualifiedCardinality": "exactly",
}
CHARACTERISTICS = {
    OWL + n + "Property"
    for n in ("Transitive", "Functional", "InverseFunctional", "Symmetric", "Asymmetric", "Reflexive", "Irreflexive")
}


class TripleIndex:
    """The ontology's triples, indexed both ways."""

    def __init__(self, rows):
        self.out: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.into: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            self.out[row["s"]][row["p"].value].append(row["o"])
            self.into[row["o"]][row["p"].value].append(row["s"])

    def objects(self, s: Term, p: str) -> list[Term]:
        return self.out.get(s, {}).get(p, [])

    def subjects(self, p: str, o: Term) -> list[Term]:
        return self.into.get(o, {}).get(p, [])

    def first(self, s: Term, p: str) -> Term | None:
        values = self.objects(s, p)
        return values[0] if values else None

    def rdf_list(self, node: Term) -> list[Term]:
        items, seen = [], set()
        while node is not None and node.value != RDF + "nil" and node not in seen:
            seen.add(node)
            first = self.first(node, RDF + "first")
            if first is not None:
                items.append(first)
            node = self.first(node, RDF + "rest")
        return items


@dataclass
class TermDoc:
    term: Term
    anchor: str
    curie: str
    label: str
    own: bool  # a term of this project (not one reused from another vocabulary)
    definitions: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    alt_labels: list[str] = field(default_factory=list)
    relations: list[tuple[str, list[list[tuple[str, str | None]]]]] = field(default_factory=list)
    page: str | None = None  # its resource page, for concepts


@dataclass
class Section:
    id: str
    title: str
    terms: list[TermDoc]


@dataclass
class OntologyView:
    title: str | None
    description: str | None
    version: str | None
    license: Term | None
    sections: list[Section]


def anchor(iri: str) -> str:
    return iri[len(PD) :] if iri.startswith(str(PD)) else curie(iri)


class _Writer:
    """Names terms and writes class expressions as words with links."""

    def __init__(self, graph: TripleIndex, documented: set[str], root: str):
        self.graph, self.documented, self.root = graph, documented, root

    def name(self, t: Term) -> str:
        return best_label(self.graph.objects(t, RDFS + "label")) or curie(t.value)

    def link(self, t: Term) -> tuple[str, str | None]:
        if t.kind != "uri":
            return t.value, None
        target = "#" + anchor(t.value) if t.value in self.documented else href(t.value, self.root)
        return self.name(t), target

    def expression(self, t: Term, depth: int = 0) -> list[tuple[str, str | None]]:
        if t.kind != "bnode":
            return [self.link(t)]
        if depth > 8:
            return [("…", None)]
        g = self.graph
        for p, word in RESTRICTIONS.items():
            filler = g.first(t, p)
            if filler is None:
                continue
            on = g.first(t, OWL + "onProperty")
            pieces = (self.expression(on, depth + 1) if on else [("?", None)]) + [(f" {word} ", None)]
            if word in ("min", "max", "exactly"):
                pieces.append((filler.value, None))
                qualifier = g.first(t, OWL + "onClass") or g.first(t, OWL + "onDataRange")
                if qualifier is not None:
                    pieces += [(" ", None)] + self.expression(qualifier, depth + 1)
                return pieces
            return pieces + self.expression(filler, depth + 1)
        for p, word in ((OWL + "intersectionOf", " and "), (OWL + "unionOf", " or "), (OWL + "oneOf", ", ")):
            items = g.first(t, p)
            if items is not None:
                pieces: list[tuple[str, str | None]] = [("{" if word == ", " else "(", None)]
                for i, item in enumerate(g.rdf_list(items)):
                    pieces += ([(word, None)] if i else []) + self.expression(item, depth + 1)
                return pieces + [("}" if word == ", " else ")", None)]
        complement = g.first(t, OWL + "complementOf")
        if complement is not None:
            return [("not ", None)] + self.expression(complement, depth + 1)
        inverse = g.first(t, OWL + "inverseOf")
        if inverse is not None:
            return [("inverse ", None)] + self.expression(inverse, depth + 1)
        return [("an anonymous expression", None)]


def _relations(g: TripleIndex, t: Term, w: _Writer) -> list[tuple[str, list]]:
    out = lambda p: [w.expression(o) for o in g.objects(t, p)]
    into = lambda p: [w.expression(s) for s in g.subjects(p, t) if s.kind == "uri"]
    characteristics = [[w.link(c)] for c in g.objects(t, RDF + "type") if c.value in CHARACTERISTICS]
    candidates = [
        ("subclass of", out(RDFS + "subClassOf")),
        ("superclass of", into(RDFS + "subClassOf")),
        ("equivalent to", out(OWL + "equivalentClass")),
        ("disjoint with", out(OWL + "disjointWith")),
        ("domain", out(RDFS + "domain")),
        ("range", out(RDFS + "range")),
        ("domain of", into(RDFS + "domain")),
        ("range of", into(RDFS + "range")),
        ("subproperty of", out(RDFS + "subPropertyOf")),
        ("superproperty of", into(RDFS + "subPropertyOf")),
        ("inverse of", out(OWL + "inverseOf") + into(OWL + "inverseOf")),
        ("characteristics", characteristics),
        ("in scheme", out(SKOS + "inScheme")),
        ("broader", out(SKOS + "broader")),
        ("narrower", into(SKOS + "broader")),
        ("concepts", into(SKOS + "inScheme")),
        (
            "instance of",
            [
                w.expression(c)
                for c in g.objects(t, RDF + "type")
                if c.value not in CHARACTERISTICS and not c.value.startswith(OWL)
            ],
        ),
        ("different from", out(OWL + "differentFrom") + into(OWL + "differentFrom")),
        ("defined by", out(RDFS + "isDefinedBy")),
    ]
    return [(name, values) for name, values in candidates if values]


def _doc(g: TripleIndex, t: Term, w: _Writer) -> TermDoc:
    values = lambda p: sorted(o.value for o in g.objects(t, p))
    own = t.value.startswith((str(PD), str(PDR)))
    return TermDoc(
        term=t,
        anchor=anchor(t.value),
        curie=curie(t.value),
        label=w.name(t),
        own=own,
        definitions=values(SKOS + "definition"),
        quotes=values(str(PD) + "sourceQuote"),
        notes=values(RDFS + "comment") + values(SKOS + "scopeNote"),
        alt_labels=values(SKOS + "altLabel") + values(SKOS + "prefLabel"),
        relations=_relations(g, t, w),
        page=href(t.value, w.root) if t.value.startswith(str(PDR)) else None,
    )


def build(ep: Endpoint, root: str = "") -> OntologyView:
    g = TripleIndex(ep.rows(ONTOLOGY_TRIPLES))
    typed, seen = {}, set()
    for _, _, kind in KINDS:  # a term typed twice (a class that is also a concept) is shown once
        terms = {s for s in g.subjects(RDF + "type", Term("uri", kind)) if s.kind == "uri"} - seen
        typed[kind] = sorted(terms, key=lambda t: t.value)
        seen |= terms
    documented = {t.value for terms in typed.values() for t in terms}
    w = _Writer(g, documented, root)
    sections = []
    for section_id, title, kind in KINDS:
        docs = [_doc(g, t, w) for t in typed[kind]]
        docs.sort(key=lambda d: (not d.own, d.label.lower()))
        sections.append(Section(section_id, title, docs))
    o = Term("uri", str(ONTOLOGY_IRI))
    text = lambda p: best_label(g.objects(o, p))
    return OntologyView(
        title=text(DCT + "title"),
        description=text(DCT + "description"),
        version=text(OWL + "versionInfo"),
        license=g.first(o, DCT + "license"),
        sections=sections,
    )
