"""Shared fixtures: the project's paths, configurations on temporary stores, and the real graph
built once per session from ontology/ and data/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browsers import playwright  # noqa: F401  (headless Chromium's driver, per module)
from remote_servers import free_port, oxigraph_server, virtuoso_server, wait_for  # noqa: F401  (real SPARQL servers, per session)
from web_servers import app_server, real_app_server, real_server, server, stand_in, writable  # noqa: F401  (servers, per session)

from paradiplomacy.build import build
from paradiplomacy.settings import Config
from paradiplomacy.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SOURCES = SHARED / "sources"
CHECK_QUOTES = SHARED / "tools" / "check-quotes"
PAPER = "lenz-china-provinces-as-global-actors.txt"

needs_shared = pytest.mark.skipif(
    not (SOURCES / PAPER).is_file(),
    reason="../shared/sources (the source texts) is absent: quotes cannot be verified here",
)
needs_java = pytest.mark.skipif(
    shutil.which("java") is None, reason="no Java runtime: run `bash scripts/ensure-system-deps` (HermiT needs java)"
)


def sources_dir() -> Path:
    """Where the source texts are: ../shared/sources in CI and development, else data/sources."""
    return SOURCES if SOURCES.is_dir() else ROOT / "data" / "sources"


def make_config(store: Path, backend: str = "oxigraph", home: Path = ROOT, **kw) -> Config:
    return Config(home=home, store=str(store), backend=backend, **{"sources_dir": str(sources_dir()), **kw})


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
    return subprocess.run(
        [sys.executable, "-m", "paradiplomacy", *args],
        cwd=cwd,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=600,
    )


# ---- a local SPARQL endpoint standing in for the Wikidata Query Service --------------------------

WIKIDATA_SLICE = ROOT / "data" / "wikidata" / "slice.ttl"
SHARED_SLICE = SHARED / "wikidata" / "wikidata_slice.ttl"
needs_shared_slice = pytest.mark.skipif(
    not SHARED_SLICE.is_file(), reason="../shared/wikidata (the fuller Wikidata-shaped slice) is absent"
)


def serve_sparql(files, workdir: Path):
    """Start the Oxigraph server (PyPI `oxigraph`) on 127.0.0.1 serving these RDF files read-only;
    return (query URL, process)."""
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.fail("the `oxigraph` command is missing: `pip install -e '.[test]'` installs it")
    location = workdir / "oxigraph"
    for f in files:
        subprocess.run(
            [exe, "load", "--location", str(location), "--file", str(f)], check=True, capture_output=True, timeout=120
        )
    port = free_port()
    log = workdir / "oxigraph.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [exe, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=out,
        )
    url = f"http://127.0.0.1:{port}/query"
    wait_for(url, proc, log, "the Oxigraph server", seconds=30)
    return url, proc


@pytest.fixture(scope="session")
def wikidata_standin(tmp_path_factory):
    """The SPARQL URL of a local Oxigraph server serving the offline slice of data/wikidata/."""
    url, proc = serve_sparql([WIKIDATA_SLICE], tmp_path_factory.mktemp("standin"))
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def wikidata_standin_full(tmp_path_factory):
    """A local server serving ../shared's fuller slice (all province-level units, all African states)."""
    if not SHARED_SLICE.is_file():
        pytest.skip("../shared/wikidata/wikidata_slice.ttl is absent")
    url, proc = serve_sparql([SHARED_SLICE], tmp_path_factory.mktemp("standin-full"))
    yield url
    proc.terminate()
    proc.wait(timeout=10)


_CLAIM_SLUGS: list[set] = []


def claim_slugs() -> set[str]:
    """The resources that the claims of data/claims declare (no reference data, no datasets)."""
    if not _CLAIM_SLUGS:
        from paradiplomacy.build import prepare
        from paradiplomacy.linking.mapping import declared_slugs

        result = prepare(make_config(Path("/nonexistent"), backend="memory"), datasets=False)
        _CLAIM_SLUGS.append(declared_slugs(result.dataset))
    return _CLAIM_SLUGS[0]


def claim_mapping_text() -> str:
    """data/links/wikidata.csv with only the rows of resources that claims declare: the mapping of a
    project copy without the reference data and datasets (whose import takes a while)."""
    lines = (ROOT / "data" / "links" / "wikidata.csv").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    keep = lines[: header + 1] + [line for line in lines[header + 1 :] if line.split(",", 1)[0] in claim_slugs()]
    return "\n".join(keep) + "\n"


def project_copy(tmp_path: Path, mapping_text: str | None = None) -> Path:
    """A copy of the project's ontology and evidence (claims, the links of their resources, the slice)
    to change at will; without the reference data and datasets (see claim_mapping_text)."""
    home = tmp_path / "project"
    (home / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "ontology", home / "ontology")
    for name in ("sources.yaml",):
        shutil.copy(ROOT / "data" / name, home / "data" / name)
    for name in ("claims", "links", "wikidata"):
        shutil.copytree(ROOT / "data" / name, home / "data" / name)
    (home / "data" / "links" / "wikidata.csv").write_text(
        claim_mapping_text() if mapping_text is None else mapping_text, encoding="utf-8"
    )
    return home
