"""The ontology: loading it, and the registry of its terms that the evidence loader uses.

The registry answers, for a name written in an evidence file, which class or property it is,
and for a property whether its value is a resource or a literal of which datatype.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from paradiplomacy.namespaces import PD, PDR, PREFIXES
from paradiplomacy.rdfutil import curie

SHAPES_FILE = "shapes.ttl"


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The Turtle files of the ontology proper (the SHACL shapes are kept apart)."""
    return sorted(p for p in Path(ontology_dir).glob("*.ttl") if p.name != SHAPES_FILE)


def load_ontology(ontology_dir: Path) -> Graph:
    g = Graph()
    for path in ontology_files(ontology_dir):
        g.parse(path, format="turtle")
    return g


def load_shapes(ontology_dir: Path) -> Graph:
    g = Graph()
    g.parse(Path(ontology_dir) / SHAPES_FILE, format="turtle")
    return g


@dataclass(frozen=True)
class PropertyInfo:
    iri: URIRef
    is_object: bool
    datatype: URIRef | None  # for datatype properties


class Vocabulary:
    """Classes, properties and concept individuals of the ontology, by the names evidence uses."""

    def __init__(self, graph: Graph):
        self.graph = graph

    @cached_property
    def classes(self) -> set[URIRef]:
        return {s for s in self.graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}

    @cached_property
    def properties(self) -> dict[URIRef, PropertyInfo]:
        props = {}
        for s in self.graph.subjects(RDF.type, OWL.ObjectProperty):
            props[s] = PropertyInfo(s, True, None)
        for s in self.graph.subjects(RDF.type, OWL.DatatypeProperty):
            props[s] = PropertyInfo(s, False, self.graph.value(s, RDFS.range) or XSD.string)
        return props

    @cached_property
    def concepts(self) -> dict[str, URIRef]:
        """Individuals the ontology declares under the resource namespace (concepts, schemes), by slug."""
        out = {}
        for s in set(self.graph.subjects(RDF.type, None)):
            if isinstance(s, URIRef) and str(s).startswith(str(PDR)):
                out[str(s)[len(PDR) :]] = s
        return out

    def resolve(self, name: str) -> URIRef | None:
        """A local name of the pd: namespace, or a CURIE with a known prefix."""
        if ":" in name:
            prefix, local = name.split(":", 1)
            if prefix not in PREFIXES:
                return None
            return URIRef(PREFIXES[prefix] + local)
        return PD[name]

    def resolve_class(self, name: str) -> URIRef | None:
        iri = self.resolve(name)
        return iri if iri in self.classes else None

    def resolve_property(self, name: str) -> PropertyInfo | None:
        iri = self.resolve(name)
        return self.properties.get(iri) if iri is not None else None

    def class_names(self) -> list[str]:
        return sorted(self.curie(c) for c in self.classes)

    def property_names(self) -> list[str]:
        return sorted(self.curie(p) for p in self.properties)

    @staticmethod
    def curie(iri: URIRef) -> str:
        """The name evidence uses for a term: the ontology's own bare (`implementedBy`), others prefixed."""
        s = str(iri)
        return s[len(str(PD)) :] if s.startswith(str(PD)) else curie(s)

    def label(self, iri: URIRef) -> str | None:
        for lbl in self.graph.objects(iri, RDFS.label):
            return str(lbl)
        return None

    def definition(self, iri: URIRef) -> str | None:
        for d in self.graph.objects(iri, SKOS.definition):
            return str(d)
        return None
