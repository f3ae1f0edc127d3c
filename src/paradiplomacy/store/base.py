"""The Store interface that every backend provides, and what they share: query results, export
formats, the syntax-error type.

Queries see the union of all graphs as their default graph unless told otherwise, so that a
plain `?s ?p ?o` pattern finds every asserted fact, and `GRAPH ?g` finds where it stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, URIRef

from paradiplomacy.errors import StoreError
from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.rdfutil import quad_to_rdflib, to_rdflib

EXPORT_FORMATS = {
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads", "nquads"),
    "trig": (ox.RdfFormat.TRIG, "application/trig", "trig"),
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle", "turtle"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples", "nt"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", "json-ld"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml", "xml"),
}
QUAD_FORMATS = {"nquads", "trig", "jsonld"}


# ---- results -------------------------------------------------------------------------------


@dataclass
class QueryResult:
    """A materialised query result with rdflib terms: 'select', 'ask' or 'graph'."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)

    def as_dicts(self) -> list[dict]:
        return [{v: r[i] for i, v in enumerate(self.variables) if r[i] is not None} for r in self.rows]

    def column(self, name: str) -> list:
        i = self.variables.index(name)
        return [r[i] for r in self.rows]

    def as_graph(self) -> Graph:
        """A CONSTRUCT or DESCRIBE result as an rdflib Graph, with the project's prefixes bound."""
        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        for triple in self.triples:
            g.add(triple)
        return g


# ---- the interface ---------------------------------------------------------------------------


class Store:
    """What every backend provides."""

    name = "store"

    def query(self, sparql: str, *, union_default: bool = True, default_graphs=None, named_graphs=None) -> QueryResult:
        raise NotImplementedError

    def replace_all(self, quads: Iterable[tuple]) -> None:
        """Replace the whole content, atomically."""
        raise NotImplementedError

    def replace_all_from(self, data: ox.Store) -> None:
        """Replace the whole content with the quads of a pyoxigraph store (a build's, in memory), atomically."""
        self.replace_all(map(quad_to_rdflib, data))

    def add(self, quads: Iterable[tuple], replace_graphs: Iterable[URIRef] = ()) -> None:
        """Drop the named graphs given, then add the quads, atomically."""
        raise NotImplementedError

    def execute(
        self,
        sparql: str,
        *,
        union_default: bool = True,
        default_graphs=None,
        named_graphs=None,
        substitutions: dict | None = None,
        base_iri: str | None = None,
    ):
        """Run a query and return pyoxigraph's own result kinds (QuerySolutions, QueryBoolean, or triples),
        for native serialisation by the endpoint. `substitutions` binds variables (by name) to IRIs;
        relative IRIs of the query resolve against `base_iri` (unless the query says BASE)."""
        raise StoreError(f"the {self.name} backend cannot serve queries to the endpoint")

    def update(self, sparql: str) -> None:
        """Apply a SPARQL Update atomically."""
        raise NotImplementedError

    def writer(self) -> Store:
        """A store that can apply writes to this one's data: itself, or (for a store opened read-only) a
        read-write one on the same data, which the caller closes."""
        return self

    @property
    def generation(self) -> str | None:
        """An identifier of the data as it is now, changed by every write (None: not tracked)."""
        return None

    def reopen_if_changed(self) -> bool:
        """Follow a write made by another process; True if newer data was opened."""
        return False

    # errors of an upstream store are another server's (502), an embedded store's are ours (500)
    upstream = False

    def export(self, fmt: str) -> bytes:
        raise NotImplementedError

    # the embedded store keeps the union of its named graphs as its default graph (a copy, not data of its own)
    default_graph_is_union = False

    def oxigraph(self) -> ox.Store:
        """The data as a pyoxigraph store, for the reasoners: a copy in memory (the embedded
        backend gives its own store, read without a copy)."""
        copy = ox.Store()
        copy.load(self.export("nquads"), ox.RdfFormat.N_QUADS)
        return copy

    def __len__(self) -> int:
        raise NotImplementedError

    def named_graphs(self) -> list[URIRef]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def is_empty(self) -> bool:
        return len(self) == 0


def materialise_ox(result) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [tuple(to_rdflib(sol[v]) for v in names) for sol in result]
        return QueryResult("select", names, rows)
    return QueryResult(
        "graph", triples=[(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in result]
    )


def dump_dataset(store: ox.Store, fmt: str, default_is_union: bool = False) -> bytes:
    """A pyoxigraph store serialised: quad formats keep the graphs, triple formats their union.
    `default_is_union`: the store's default graph is the union of its named graphs, kept as a set (it is
    then what triple formats write, and quad formats leave it out)."""
    rdf_format, _, _ = EXPORT_FORMATS[fmt]
    if fmt in QUAD_FORMATS:
        if default_is_union:
            return ox.serialize(
                (q for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)),
                format=rdf_format,
                prefixes=PREFIXES,
            )
        return store.dump(format=rdf_format, prefixes=PREFIXES)
    if default_is_union:
        return store.dump(format=rdf_format, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
    union = ox.Store()
    union.bulk_extend(
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in store.quads_for_pattern(None, None, None)
    )
    return union.dump(format=rdf_format, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)


class QuerySyntaxError(StoreError):
    """A query the SPARQL parser rejects; the message is the parser's."""


class UpdateRefused(StoreError):
    """An update the store will not apply as it stands (the message says why and what to write instead)."""
