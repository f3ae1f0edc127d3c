"""One store interface, several backends: `open_store(config)` gives the one the settings name.

- `OxigraphStore` (default, `store.oxigraph`): the embedded on-disk Oxigraph store, in atomic generations.
- `MemoryStore` (`store.memory`): rdflib's in-memory Dataset, for tests and small graphs.
- `RemoteStore` (`store.remote`): any SPARQL 1.1 server (Query, Update, Graph Store Protocol).
"""

from __future__ import annotations

from paradiplomacy.errors import StoreError
from paradiplomacy.store.base import EXPORT_FORMATS, QUAD_FORMATS, QueryResult, QuerySyntaxError, Store, UpdateRefused
from paradiplomacy.store.memory import MemoryStore
from paradiplomacy.store.oxigraph import OxigraphStore

__all__ = [
    "EXPORT_FORMATS",
    "QUAD_FORMATS",
    "MemoryStore",
    "OxigraphStore",
    "QueryResult",
    "QuerySyntaxError",
    "Store",
    "UpdateRefused",
    "open_store",
]


def open_store(config, read_only: bool = False) -> Store:
    if config.backend == "memory":
        return MemoryStore()
    if config.backend == "oxigraph":
        return OxigraphStore(config.path("store"), read_only=read_only)
    if config.backend == "remote":
        from paradiplomacy.store.remote import RemoteStore

        return RemoteStore.from_config(config)
    raise StoreError(f"unknown store backend {config.backend!r}: use 'oxigraph', 'memory' or 'remote'")
