"""One store interface, several backends.

- `OxigraphStore` (default): the embedded on-disk Oxigraph store. Writes never touch the
  store being read: each write makes a new generation (a RocksDB checkpoint of the current one,
  or an empty one for a full rebuild), applies the change there, and only then switches the
  CURRENT pointer with an atomic rename. A failed or killed write leaves the previous
  generation as it was, and still queryable.
- `MemoryStore`: rdflib's in-memory Dataset, for tests and small graphs (rdflib's SPARQL engine
  is slow at scale, and is run here without network access for FROM and SERVICE).

Queries see the union of all graphs as their default graph unless told otherwise, so that a
plain `?s ?p ?o` pattern finds every asserted fact, and `GRAPH ?g` finds where it stands.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from .errors import StoreError
from .namespaces import PREFIXES

EXPORT_FORMATS = {
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads", "nquads"),
    "trig": (ox.RdfFormat.TRIG, "application/trig", "trig"),
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle", "turtle"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples", "nt"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", "json-ld"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml", "xml"),
}
QUAD_FORMATS = {"nquads", "trig", "jsonld"}


# ---- term conversion between rdflib and pyoxigraph -------------------------------------------

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
    graph = ox.DefaultGraph() if g is None or str(g) == "urn:x-rdflib:default" else to_ox(g)
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)


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


# ---- the interface ---------------------------------------------------------------------------

class Store:
    """What every backend provides."""

    name = "store"

    def query(self, sparql: str, *, union_default: bool = True, default_graphs=None,
              named_graphs=None) -> QueryResult:
        raise NotImplementedError

    def replace_all(self, quads: Iterable[tuple]) -> None:
        """Replace the whole content, atomically."""
        raise NotImplementedError

    def add(self, quads: Iterable[tuple], replace_graphs: Iterable[URIRef] = ()) -> None:
        """Drop the named graphs given, then add the quads, atomically."""
        raise NotImplementedError

    def export(self, fmt: str) -> bytes:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def named_graphs(self) -> list[URIRef]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def is_empty(self) -> bool:
        return len(self) == 0


def _materialise_ox(result) -> QueryResult:
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [tuple(to_rdflib(sol[v]) for v in names) for sol in result]
        return QueryResult("select", names, rows)
    return QueryResult("graph", triples=[(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                                         for t in result])


def dump_dataset(store: ox.Store, fmt: str) -> bytes:
    """A pyoxigraph store serialised: quad formats keep the graphs, triple formats their union."""
    rdf_format, _, _ = EXPORT_FORMATS[fmt]
    if fmt in QUAD_FORMATS:
        return store.dump(format=rdf_format, prefixes=PREFIXES)
    union = ox.Store()
    union.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                      for q in store.quads_for_pattern(None, None, None))
    return union.dump(format=rdf_format, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)


class OxigraphStore(Store):
    """The embedded on-disk store, in generations switched atomically (see the module doc)."""

    name = "oxigraph"

    def __init__(self, path: Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._store: ox.Store | None = None
        self._generation: str | None = None
        self._open_current()

    # generations
    @property
    def _pointer(self) -> Path:
        return self.path / "CURRENT"

    def _current_name(self) -> str | None:
        try:
            name = self._pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return name if (self.path / name).is_dir() else None

    def _open_current(self):
        name = self._current_name()
        self._generation = name
        if name is None:
            self._store = ox.Store()  # nothing built yet: an empty in-memory store answers queries
            return
        try:
            target = str(self.path / name)
            self._store = ox.Store.read_only(target) if self.read_only else ox.Store(target)
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path / name}: {exc}") from exc

    def _next_name(self) -> str:
        numbers = [int(p.name[4:]) for p in self.path.glob("gen-*") if p.name[4:].isdigit()]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def _switch(self, new_name: str, new_store: ox.Store):
        new_store.flush()
        tmp = self.path / "CURRENT.tmp"
        with open(tmp, "w") as f:
            f.write(new_name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._pointer)
        dir_fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        previous = self._generation
        self._store, self._generation = new_store, new_name
        # keep the previous generation for readers that still have it open; drop older ones
        for p in self.path.glob("gen-*"):
            if p.name not in (new_name, previous):
                shutil.rmtree(p, ignore_errors=True)

    def _write(self, start_from_current: bool, apply):
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only")
        with self._lock:
            self.path.mkdir(parents=True, exist_ok=True)
            name = self._next_name()
            target = self.path / name
            try:
                if start_from_current and self._generation is not None:
                    self._store.flush()
                    self._store.backup(str(target))
                new = ox.Store(str(target))
                apply(new)
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
            self._switch(name, new)

    def replace_all(self, quads):
        def apply(new: ox.Store):
            new.bulk_extend(quad_to_ox(*q) for q in quads)
        self._write(False, apply)

    def add(self, quads, replace_graphs=()):
        quads = [quad_to_ox(*q) for q in quads]

        def apply(new: ox.Store):
            for g in replace_graphs:
                if new.contains_named_graph(ox.NamedNode(str(g))):
                    new.remove_graph(ox.NamedNode(str(g)))
            new.extend(quads)
        self._write(True, apply)

    def reopen_if_changed(self) -> bool:
        """Follow a write made by another process; True if a newer generation was opened."""
        if self._current_name() != self._generation:
            with self._lock:
                self._open_current()
            return True
        return False

    @property
    def generation(self) -> str | None:
        """The name of the generation open for reading (None: nothing built yet)."""
        return self._generation

    def update(self, sparql: str) -> None:
        """Apply a SPARQL Update as one atomic write: a new generation, switched to only if the
        whole update succeeds."""
        def apply(new: ox.Store):
            try:
                new.update(sparql, prefixes=PREFIXES)
            except SyntaxError as exc:
                raise QuerySyntaxError(str(exc)) from exc
        self._write(True, apply)

    # reading
    def execute(self, sparql: str, *, union_default: bool = True, default_graphs=None, named_graphs=None,
                substitutions: dict | None = None):
        """Run a query and return pyoxigraph's own result (QuerySolutions, QueryBoolean or
        QueryTriples), for native serialisation. `default_graphs`: None for the union of all graphs
        (or the store's default graph if not `union_default`), else exactly these graphs (an empty
        list: an empty default graph). `named_graphs`: None for all, else these. `substitutions`
        binds variables (by name) to IRIs before evaluation."""
        kwargs = {"prefixes": PREFIXES}
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(str(g)) for g in default_graphs]
        else:
            kwargs["use_default_graph_as_union"] = union_default
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(str(g)) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): ox.NamedNode(str(v)) for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc

    def query(self, sparql, *, union_default=True, default_graphs=None, named_graphs=None):
        return _materialise_ox(self.execute(sparql, union_default=union_default,
                                            default_graphs=default_graphs or None,
                                            named_graphs=named_graphs or None))

    def export(self, fmt):
        return dump_dataset(self._store, fmt)

    def __len__(self):
        return len(self._store)

    def named_graphs(self):
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def close(self):
        self._store = None


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
        return sorted(g.identifier for g in self._ds.graphs() if isinstance(g.identifier, URIRef)
                      and str(g.identifier) != "urn:x-rdflib:default")


class QuerySyntaxError(StoreError):
    """A query the SPARQL parser rejects; the message is the parser's."""


def open_store(config, read_only: bool = False) -> Store:
    if config.backend == "memory":
        return MemoryStore()
    if config.backend == "oxigraph":
        return OxigraphStore(config.path("store"), read_only=read_only)
    if config.backend == "remote":
        from .remote_store import RemoteStore
        return RemoteStore.from_config(config)
    raise StoreError(f"unknown store backend {config.backend!r}: use 'oxigraph', 'memory' or 'remote'")
