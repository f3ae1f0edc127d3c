"""Small RDF helpers shared by every layer: term conversion between rdflib and pyoxigraph, graph
names, prefixed names, and the slugs that end the project's resource IRIs."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from paradiplomacy.namespaces import PDR, PREFIXES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # lower-case ASCII words joined by hyphens: jiangxi, hebei-drc
RDFLIB_DEFAULT_GRAPH = "urn:x-rdflib:default"  # how rdflib's Dataset names its default graph


def slugify(text: str, max_length: int | None = None) -> str:
    """A slug made from any text (words of ASCII letters and digits), at most `max_length` long."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].strip("-") if max_length else slug


def slug_or_iri(term) -> str:
    """A resource's slug where it is one of the project's, else its IRI (for messages)."""
    text = str(term)
    return text[len(PDR) :] if text.startswith(str(PDR)) else text


def graph_name(graph) -> URIRef | BNode | None:
    """The name of a named graph, None for the default graph (rdflib's own name for it included)."""
    identifier = getattr(graph, "identifier", graph)
    return None if identifier is None or str(identifier) == RDFLIB_DEFAULT_GRAPH else identifier


def curie(iri, prefixes: dict[str, str] = PREFIXES) -> str:
    """A prefixed name for an IRI of a known namespace (the longest that matches), else the IRI itself."""
    text = str(iri)
    for prefix, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and text != ns:
            return f"{prefix}:{text[len(ns) :]}"
    return text


def to_ox(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"unsupported term {term!r}")


def quad_to_ox(s, p, o, g) -> ox.Quad:
    name = graph_name(g)
    graph = ox.DefaultGraph() if name is None else to_ox(name)
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)


def quad_to_rdflib(q: ox.Quad) -> tuple:
    """(s, p, o, graph name) as rdflib terms; the graph name None for the default graph."""
    return to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), to_rdflib(q.graph_name)


def graph_of(store: ox.Store, graph=None) -> Graph:
    """A copy of one graph of a pyoxigraph store (its IRI; None: its default graph) as an rdflib graph."""
    name = ox.DefaultGraph() if graph is None else ox.NamedNode(str(graph))
    g = Graph() if graph is None else Graph(identifier=URIRef(str(graph)))
    for q in store.quads_for_pattern(None, None, None, name):
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def _ox_or_any(term):
    return None if term is None else to_ox(term)


class OxDataset:
    """A build's data before it is written: a pyoxigraph in-memory store (its quads take a tenth of the
    memory of rdflib's, and go to the on-disk store without conversion), read and extended through the few
    methods of rdflib's Dataset that the later stages call. Every fact is in a named graph."""

    def __init__(self, store: ox.Store | None = None):
        self.store = store if store is not None else ox.Store()

    def quads(self, pattern=(None, None, None, None)):
        """(s, p, o, graph name) as rdflib terms, for a pattern of rdflib terms (None: any)."""
        s, p, o, g = (_ox_or_any(t) for t in pattern)
        yield from map(quad_to_rdflib, self.store.quads_for_pattern(s, p, o, g))

    def add(self, quad) -> None:
        self.store.add(quad_to_ox(*quad))

    def extend(self, quads) -> None:
        self.store.bulk_extend(quad_to_ox(*q) for q in quads)

    def graph(self, name) -> Graph:
        """A copy of one named graph, for reading (what is added to it is not added here)."""
        return graph_of(self.store, name)

    def named_graphs(self) -> list:
        return [to_rdflib(g) for g in self.store.named_graphs()]

    def __len__(self) -> int:
        return len(self.store)
