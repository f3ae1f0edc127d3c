"""Every setting in one place: name, environment variable, default and help.

The CLI exposes them as options; the web app reads them from the same table. Paths default
to the project directory (the current directory, or PARADIPLOMACY_HOME), whose layout is
ontology/, data/, queries/; the store lives in var/store there (ignored by git).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


def _home() -> Path:
    return Path(os.environ.get("PARADIPLOMACY_HOME", ".")).resolve()


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: object
    help: str


SETTINGS = [
    Setting("store", "PARADIPLOMACY_STORE", "var/store",
            "Directory of the embedded on-disk store (relative paths are under the project directory)."),
    Setting("backend", "PARADIPLOMACY_BACKEND", "oxigraph",
            "Store backend: 'oxigraph' (embedded, on disk) or 'memory' (rdflib, in memory, for tests and small graphs)."),
    Setting("data_dir", "PARADIPLOMACY_DATA", "data", "Directory of the evidence (sources.yaml, claims/*.yaml)."),
    Setting("ontology_dir", "PARADIPLOMACY_ONTOLOGY", "ontology", "Directory of the ontology and SHACL shapes (Turtle)."),
    Setting("queries_dir", "PARADIPLOMACY_QUERIES", "queries", "Directory of the competency questions (.rq)."),
    Setting("sources_dir", "PARADIPLOMACY_SOURCES", "data/sources",
            "Directory of plain-text copies of sources, used to verify quotes. Sources whose text is absent are not verified."),
]


@dataclass
class Config:
    home: Path = field(default_factory=_home)
    store: str = "var/store"
    backend: str = "oxigraph"
    data_dir: str = "data"
    ontology_dir: str = "ontology"
    queries_dir: str = "queries"
    sources_dir: str = "data/sources"

    @classmethod
    def from_env(cls, **overrides) -> "Config":
        values = {s.name: os.environ.get(s.env, s.default) for s in SETTINGS}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def path(self, name: str) -> Path:
        p = Path(getattr(self, name))
        return p if p.is_absolute() else self.home / p

    def describe(self) -> dict:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}
