"""Shared fixtures: the project's paths, configurations on temporary stores, and the real graph
built once per session from ontology/ and data/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paradiplomacy.loader import build
from paradiplomacy.settings import Config
from paradiplomacy.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SOURCES = SHARED / "sources"
CHECK_QUOTES = SHARED / "tools" / "check-quotes"
PAPER = "lenz-china-provinces-as-global-actors.txt"

needs_shared = pytest.mark.skipif(not (SOURCES / PAPER).is_file(),
                                  reason="../shared/sources (the source texts) is absent: quotes cannot be verified here")
needs_java = pytest.mark.skipif(shutil.which("java") is None,
                                reason="no Java runtime: run `bash scripts/ensure-system-deps` (HermiT needs java)")


def sources_dir() -> Path:
    """Where the source texts are: ../shared/sources in CI and development, else data/sources."""
    return SOURCES if SOURCES.is_dir() else ROOT / "data" / "sources"


def make_config(store: Path, backend: str = "oxigraph", home: Path = ROOT, **kw) -> Config:
    return Config(home=home, store=str(store), backend=backend, sources_dir=str(sources_dir()), **kw)


@pytest.fixture
def config(tmp_path) -> Config:
    return make_config(tmp_path / "store")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The real graph, built once: (config, store, build result)."""
    cfg = make_config(tmp_path_factory.mktemp("built") / "store")
    store = open_store(cfg)
    result = build(cfg, store)
    return cfg, store, result


@pytest.fixture(scope="session")
def store(built):
    return built[1]


@pytest.fixture
def mini_project(tmp_path):
    """A copy of the project's ontology and bibliography with one small claims file, to break at will."""
    home = tmp_path / "project"
    (home / "data" / "claims").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", home / "ontology")
    shutil.copy(ROOT / "data" / "sources.yaml", home / "data" / "sources.yaml")
    shutil.copy(Path(__file__).parent / "fixtures" / "mini-claims.yaml", home / "data" / "claims" / "mini.yaml")
    return home


def run_cli(*args, cwd=ROOT, env=None, input=None):
    """Run the installed command in a real subprocess."""
    return subprocess.run([sys.executable, "-m", "paradiplomacy", *args], cwd=cwd, env=env, input=input,
                          capture_output=True, text=True, timeout=600)
