"""The embedded on-disk Oxigraph store (the default backend).

Writes never touch the store being read: each write makes a new generation (a RocksDB checkpoint of
the current one, or an empty one for a full rebuild), applies the change there, and only then
switches the CURRENT pointer with an atomic rename. A failed or killed write leaves the previous
generation as it was, and still queryable.

The union of all graphs is a set, not a bag: every fact lives in a named graph, and each write also keeps
the store's own default graph equal to the union of the named graphs, each triple once (a fact that two
claims state counts once in COUNT and aggregates; `GRAPH ?g` still finds both). Queries over "the union"
read that default graph. Oxigraph's own union (`use_default_graph_as_union`) yields a triple once per graph
that holds it; it stays in use only for a generation written before this (no UNION_MARK file in it).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from paradiplomacy.errors import StoreError
from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.rdfutil import quad_to_ox
from paradiplomacy.sparql.lexer import has_dataset_clause
from paradiplomacy.store.base import QuerySyntaxError, Store, UpdateRefused, dump_dataset, materialise_ox

UNION_MARK = "DEFAULT-GRAPH-IS-UNION"  # in a generation's directory: its default graph is the set union
DEFAULT = ox.DefaultGraph()
NAMED_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
MATERIALISE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
# quads per bulk load of a full write: pyoxigraph's bulk loader holds all the quads of one call in memory
# (1.5 GB for the 1.8 million quads, with the union, of a 10^6-quad build; 0.3 GB in calls of 200,000,
# which took 30% longer)
BULK_CHUNK = 200_000
# quads per bulk_load of a build's write (and their union's triples in another): at 10^6 quads, calls of
# 250,000 / 500,000 / all of them took 34.5 / 31.5 / 27.1 s, at peaks of 0.3 / 0.5 / 1.0 GB (a trial that
# also held each call's lines in memory); bulk_extend of Python quads in chunks of BULK_CHUNK took 58 s
BULK_LOAD = 500_000


def _count_named(store: ox.Store) -> int:
    return int(next(iter(store.query(NAMED_QUADS)))[0].value)


def _named_only(quads):
    """The quads, each refused if it is for the default graph (which the store keeps as the union)."""
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            raise StoreError(
                f"a quad for the default graph ({q.subject} {q.predicate} {q.object}): every fact is "
                "written into a named graph; the default graph is their union, kept by the store"
            )
        yield q


def _with_union(quads, counter: list | None = None):
    """Each named quad, followed by its triple in the default graph (a duplicate there is written once);
    `counter[0]` counts the named quads."""
    for q in _named_only(quads):
        if counter is not None:
            counter[0] += 1
        yield q
        yield ox.Quad(q.subject, q.predicate, q.object, DEFAULT)


def _chunks(items, size: int):
    items = iter(items)
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _bulk_write(new: ox.Store, data: ox.Store, scratch: Path) -> None:
    """Write the named quads of `data` and their union into the empty store `new` with pyoxigraph's
    `bulk_load` of N-Quads files, BULK_LOAD quads at a time. The union is each quad's line without its
    graph, loaded as triples into the default graph (the loader keeps a triple given twice once). `bulk_load`
    gives blank nodes new labels, so the few quads that hold one are written with bulk_extend instead, which
    keeps them (and their union's)."""
    dumped = scratch / "dump.nq"
    data.dump(dumped, ox.RdfFormat.N_QUADS)
    named, union, blank = scratch / "named.nq", scratch / "union.nt", []
    # the lines are split in Python (about 1 s at 10^6 quads): pyoxigraph writes no union without a hash set
    # of every triple (CONSTRUCT: 0.5 GB more at 10^6), nor N-Quads without the blank nodes
    with open(dumped, "rb") as lines:
        read = BULK_LOAD
        while read == BULK_LOAD:
            read = 0
            with open(named, "wb") as named_out, open(union, "wb") as union_out:
                for line in itertools.islice(lines, BULK_LOAD):
                    read += 1
                    if b"_:" in line:  # a blank node (or, harmlessly, "_:" in an IRI or a literal)
                        blank.append(line)
                    else:  # '<s> <p> o <g> .': every graph is named by an IRI, its '<' the last after a space
                        named_out.write(line)
                        union_out.write(line[: line.rindex(b" <")] + b" .\n")
            new.bulk_load(path=named, format=ox.RdfFormat.N_QUADS)
            new.bulk_load(path=union, format=ox.RdfFormat.N_TRIPLES, to_graph=DEFAULT)
    if blank:
        quads = ox.parse(b"".join(blank), format=ox.RdfFormat.N_QUADS, rename_blank_nodes=False)
        for chunk in _chunks(_with_union(quads), BULK_CHUNK):
            new.bulk_extend(chunk)


def _read_mark(path: Path) -> tuple[bool, int | None]:
    """Whether a generation keeps the union as a set, and how many quads its named graphs hold (written with
    the mark: counting them again takes a scan of the store, 0.3 s at 87,000 quads)."""
    try:
        text = (path / UNION_MARK).read_text()
    except FileNotFoundError:
        return False, None
    for line in text.splitlines():
        if line.startswith("named quads: ") and line[13:].strip().isdigit():
            return True, int(line[13:])
    return True, None


def current_generation(path: Path) -> tuple[str, dt.datetime] | None:
    """The name of the store's current generation and when it became current (the pointer's time), read
    without opening the store: what the web server's ETag and Last-Modified come from. None: not built."""
    pointer = Path(path) / "CURRENT"
    try:
        name, written = pointer.read_text().strip(), pointer.stat().st_mtime
    except FileNotFoundError:
        return None
    return name, dt.datetime.fromtimestamp(int(written), dt.UTC)


class OxigraphStore(Store):
    """The embedded on-disk store, in generations switched atomically (see the module doc)."""

    name = "oxigraph"

    def __init__(self, path: Path, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._store: ox.Store | None = None
        self._generation: str | None = None
        self._set_union = True  # the open generation's default graph is the union of its named graphs
        self._named: int | None = 0  # the quads of its named graphs (None: not recorded)
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

    def _pointer_state(self) -> tuple | None:
        """What identifies the pointer file as written (it is only ever replaced, by a rename): None if absent."""
        try:
            st = os.stat(self._pointer)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _open_current(self):
        self._pointer_seen = self._pointer_state()  # before the name is read: a switch after it is seen next time
        name = self._current_name()
        self._generation = name
        if name is None:
            self._store = ox.Store()  # nothing built yet: an empty in-memory store answers queries
            self._set_union, self._named = True, 0
            return
        self._set_union, self._named = _read_mark(self.path / name)
        try:
            target = str(self.path / name)
            self._store = ox.Store.read_only(target)  # a current generation is never written again: see _switch
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path / name}: {exc}") from exc

    def _next_name(self) -> str:
        numbers = [int(p.name[4:]) for p in self.path.glob("gen-*") if p.name[4:].isdigit()]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def _switch(self, new_name: str, named: int):
        """Make the written generation current. Its writer is closed already: a generation, once current,
        is read-only for every process (no compaction can then remove a file under a reader)."""
        (self.path / new_name / UNION_MARK).write_text(
            f"the default graph is the set union of the named graphs\nnamed quads: {named}\n"
        )
        new_store = ox.Store.read_only(str(self.path / new_name))
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
        self._store, self._generation, self._set_union, self._named = new_store, new_name, True, named
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
                    self._store.backup(str(target))
                new = ox.Store(str(target))
                base = 0  # the quads of the named graphs it starts from
                if start_from_current and self._generation is not None:
                    if not self._set_union:  # a generation written before the union was kept as a set
                        base = len(new)  # (all in named graphs)
                        new.update(MATERIALISE)
                    else:
                        base = self._named if self._named is not None else _count_named(new)
                named = apply(new, base)
                new.flush()
                del new  # closes it (pyoxigraph has no close()): no background work goes on in it afterwards
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
            self._switch(name, named)

    def replace_all(self, quads):
        """Replace everything with these quads (each given once, as a Dataset gives them: the count of the
        named graphs' quads is taken as they pass)."""

        self._replace_with(quad_to_ox(*q) for q in quads)

    def replace_all_from(self, data: ox.Store) -> None:
        """Replace everything with the quads of a pyoxigraph store, taken as they are (no conversion), by
        pyoxigraph's bulk loader (see _bulk_write)."""
        stray = next(iter(data.quads_for_pattern(None, None, None, DEFAULT)), None)
        if stray is not None:
            list(_named_only([stray]))  # refused, as every write refuses it

        def apply(new: ox.Store, base: int) -> int:
            with tempfile.TemporaryDirectory(dir=self.path, prefix=".write-") as scratch:
                _bulk_write(new, data, Path(scratch))
            return len(data)

        self._write(False, apply)

    def _replace_with(self, quads) -> None:
        def apply(new: ox.Store, base: int) -> int:
            counter = [0]
            for chunk in _chunks(_with_union(quads, counter), BULK_CHUNK):
                new.bulk_extend(chunk)
            return counter[0]

        self._write(False, apply)

    def add(self, quads, replace_graphs=()):
        quads = list(_named_only(quad_to_ox(*q) for q in quads))

        def apply(new: ox.Store, base: int) -> int:
            dropped = set()  # triples of the replaced graphs: still in the union only if another graph holds them
            for g in replace_graphs:
                name = ox.NamedNode(str(g))
                if new.contains_named_graph(name):
                    for q in new.quads_for_pattern(None, None, None, name):
                        dropped.add((q.subject, q.predicate, q.object))
                        base -= 1
                    new.remove_graph(name)
            base += sum(1 for q in set(quads) if q not in new)
            new.extend(_with_union(quads))
            for s, p, o in dropped:
                if not any(not isinstance(q.graph_name, ox.DefaultGraph) for q in new.quads_for_pattern(s, p, o, None)):
                    new.remove(ox.Quad(s, p, o, DEFAULT))
            return base

        self._write(True, apply)

    def reopen_if_changed(self) -> bool:
        """Follow a write made by another process; True if a newer generation was opened."""
        state = self._pointer_state()
        if state is not None and state == self._pointer_seen:  # a stat, not a read: this runs before every query
            return False
        if self._current_name() != self._generation:
            with self._lock:
                self._open_current()
            return True
        self._pointer_seen = state
        return False

    def writer(self) -> OxigraphStore:
        return OxigraphStore(self.path) if self.read_only else self

    @property
    def generation(self) -> str | None:
        """The name of the generation open for reading (None: nothing built yet)."""
        return self._generation

    def update(self, sparql: str) -> None:
        """Apply a SPARQL Update as one atomic write: a new generation, switched to only if the
        whole update succeeds."""

        def apply(new: ox.Store, base: int) -> int:
            # the update sees the default graph it always saw, the store's own (empty: every fact is in a named
            # graph); the union is made again afterwards
            new.clear_graph(DEFAULT)
            try:
                new.update(sparql, prefixes=PREFIXES)
            except SyntaxError as exc:
                raise QuerySyntaxError(str(exc)) from exc
            stray = next(iter(new.quads_for_pattern(None, None, None, DEFAULT)), None)
            if stray is not None:
                raise UpdateRefused(
                    f"the update writes into the default graph ({stray.subject} {stray.predicate} "
                    f"{stray.object}): the default graph is the union of the named graphs, kept by the "
                    "store; write inside GRAPH <...> (INSERT DATA { GRAPH <g> { ... } })"
                )
            named = len(new)  # the default graph is empty here
            new.update(MATERIALISE)
            return named

        self._write(True, apply)

    # reading
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
        """Run a query and return pyoxigraph's own result (QuerySolutions, QueryBoolean or
        QueryTriples), for native serialisation. `default_graphs`: None for the union of all graphs
        (or the store's own default graph, empty, if not `union_default`), else exactly these graphs (an empty
        list: an empty default graph). `named_graphs`: None for all, else these. `substitutions`
        binds variables (by name) to IRIs before evaluation; relative IRIs resolve against `base_iri`."""
        kwargs = {"prefixes": PREFIXES}
        if base_iri:
            kwargs["base_iri"] = base_iri
        if default_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(str(g)) for g in default_graphs]
        elif union_default:  # the union: the default graph where it is kept as a set, else Oxigraph's (a bag)
            kwargs["use_default_graph_as_union"] = not self._set_union
        elif self._set_union and not has_dataset_clause(sparql):
            # the stored default graph is the union: the store's own default graph is empty (a FROM, if
            # any, would be overridden by the argument, so it is given only where the query has none)
            kwargs["default_graph"] = []
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(str(g)) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = {ox.Variable(k): ox.NamedNode(str(v)) for k, v in substitutions.items()}
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc

    def query(self, sparql, *, union_default=True, default_graphs=None, named_graphs=None):
        return materialise_ox(
            self.execute(
                sparql,
                union_default=union_default,
                default_graphs=default_graphs or None,
                named_graphs=named_graphs or None,
            )
        )

    def export(self, fmt):
        return dump_dataset(self._store, fmt, default_is_union=self._set_union)

    def oxigraph(self):
        return self._store

    @property
    def default_graph_is_union(self) -> bool:
        return self._set_union

    def __len__(self):
        """The quads of the named graphs (the default graph, their union, is not counted again)."""
        if not self._set_union:
            return len(self._store)
        return self._named if self._named is not None else _count_named(self._store)

    def named_graphs(self):
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def close(self):
        self._store = None
