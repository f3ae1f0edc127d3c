"""rdflib's in-memory Dataset behind the Store interface, for tests and small graphs (rdflib's SPARQL
engine is slow at scale, and is run here without network access for FROM and SERVICE)."""

from __future__ import annotations

import io
import threading

from rdflib import Dataset, URIRef

from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.rdfutil import graph_name
from paradiplomacy.store.base import EXPORT_FORMATS, QUAD_FORMATS, QueryResult, QuerySyntaxError, Store


class MemoryStore(Store):
    """rdflib's in-memory Dataset behind the same interface."""

    name = "memory"

    def __init__(self):
        import rdflib.plugins.sparql as rdflib_sparql

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # never fetch FROM <iri> over the network
        self._ds = Dataset(default_union=True)
        self._lock = threading.Lock()  # rdflib's SPARQL parser is not thread-safe

    def _dataset_from(self, quads) -> Dataset:
        ds = Dataset(default_union=True)
        for s, p, o, g in quads:
            ds.add((s, p, o, g))
        return ds

    def replace_all(self, quads):
        new = self._dataset_from(quads)
        with self._lock:
            self._ds = new

    def add(self, quads, replace_graphs=()):
        quads = list(quads)
        with self._lock:
            new = self._dataset_from(self._ds.quads((None, None, None, None)))
            for g in replace_graphs:
                new.remove_graph(new.graph(g))
            for q in quads:
                new.add(q)
            self._ds = new

    def query(self, sparql, *, union_default=True, default_graphs=None, named_graphs=None):
        from pyparsing import ParseException

        with self._lock:
            ds = self._ds
            if default_graphs:
                ds = Dataset(default_union=False)
                for g in default_graphs:
                    for t in self._ds.graph(g):
                        ds.add(t)
            elif not union_default:
                ds = Dataset(default_union=False)
                for q in self._ds.quads((None, None, None, None)):
                    ds.add(q)
            try:
                res = ds.query(sparql, initNs=PREFIXES)
            except ParseException as exc:
                raise QuerySyntaxError(str(exc)) from exc
            if res.type == "ASK":
                return QueryResult("ask", boolean=bool(res.askAnswer))
            if res.type == "SELECT":
                names = [str(v) for v in res.vars]
                return QueryResult("select", names, [tuple(row) for row in res])
            return QueryResult("graph", triples=list(res.graph))

    def export(self, fmt):
        _, _, rdflib_format = EXPORT_FORMATS[fmt]
        with self._lock:
            if fmt in QUAD_FORMATS:
                target = self._ds
            else:
                from rdflib import Graph

                target = Graph()
                for s, p, o, _ in self._ds.quads((None, None, None, None)):
                    target.add((s, p, o))
            for prefix, ns in PREFIXES.items():
                target.bind(prefix, ns)
            out = io.BytesIO()
            target.serialize(out, format=rdflib_format)
            return out.getvalue()

    def __len__(self):
        return sum(1 for _ in self._ds.quads((None, None, None, None)))

    def named_graphs(self):
        return sorted(
            g.identifier for g in self._ds.graphs() if isinstance(g.identifier, URIRef) and graph_name(g) is not None
        )
