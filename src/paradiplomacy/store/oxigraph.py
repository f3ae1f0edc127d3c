"""The embedded on-disk Oxigraph store (the default backend).

Writes never touch the store being read: each write makes a new generation (a RocksDB checkpoint of
the current one, or an empty one for a full rebuild), applies the change there, and only then
switches the CURRENT pointer with an atomic rename. A failed or killed write leaves the previous
generation as it was, and still queryable.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from paradiplomacy.errors import StoreError
from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.rdfutil import quad_to_ox
from paradiplomacy.store.base import QuerySyntaxError, Store, dump_dataset, materialise_ox


def current_generation(path: Path) -> tuple[str, dt.datetime] | None:
    """The name of the store's current generation and when it became current (the pointer's time), read
    without opening the store: what the web server's ETag and Last-Modified come from. None: not built."""
    pointer = Path(path) / "CURRENT"
    try:
        name, written = pointer.read_text().strip(), pointer.stat().st_mtime
    except FileNotFoundError:
        return None
    return name, dt.datetime.fromtimestamp(int(written), dt.timezone.utc)


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

    def writer(self) -> "OxigraphStore":
        return OxigraphStore(self.path) if self.read_only else self

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
                substitutions: dict | None = None, base_iri: str | None = None):
        """Run a query and return pyoxigraph's own result (QuerySolutions, QueryBoolean or
        QueryTriples), for native serialisation. `default_graphs`: None for the union of all graphs
        (or the store's default graph if not `union_default`), else exactly these graphs (an empty
        list: an empty default graph). `named_graphs`: None for all, else these. `substitutions`
        binds variables (by name) to IRIs before evaluation; relative IRIs resolve against `base_iri`."""
        kwargs = {"prefixes": PREFIXES}
        if base_iri:
            kwargs["base_iri"] = base_iri
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
        return materialise_ox(self.execute(sparql, union_default=union_default,
                                            default_graphs=default_graphs or None,
                                            named_graphs=named_graphs or None))

    def export(self, fmt):
        return dump_dataset(self._store, fmt)

    def oxigraph(self):
        return self._store

    def __len__(self):
        return len(self._store)

    def named_graphs(self):
        return sorted(URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def close(self):
        self._store = None
