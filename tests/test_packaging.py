"""The wheel, as a new user gets it: built from this checkout, installed into a fresh virtualenv
that holds nothing else (its dependencies from the package index), run in an empty directory.

- the wheel ships the paper's project (ontology/, data/, queries/, AidData as its licence allows)
  and nothing that may not be redistributed (SAIS-CARI, AEI, the texts of sources);
- `paradiplomacy serve` in an empty directory builds into the per-user data directory and serves
  the paper's graph over HTTP; `stats` then names the packaged project and counts its claims;
- a --home that is not a project is refused with exit 2, saying what is missing;
- `paradiplomacy init DIR` copies an editable project that builds on its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests
from remote_servers import _stop, free_port
from web_servers import wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return next(out.glob("paradiplomacy-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel and its dependencies only; returns its bin/."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=300)
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # a checkout on the path would satisfy pip
    done = subprocess.run(
        check=False,
        args=[str(where / "bin" / "pip"), "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=1200,
        env=clean,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return where / "bin"


@pytest.fixture()
def user_env(tmp_path) -> dict:
    """An environment whose per-user directories are the test's own, outside any project."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARADIPLOMACY_") and k != "PYTHONPATH"}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    return env


def installed(venv: Path, *args: str, env: dict, cwd: Path | None = None, timeout: float = 300):
    """Run the wheel's `paradiplomacy` command, as its user would."""
    return subprocess.run(
        [str(venv / "paradiplomacy"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_the_wheel_ships_the_project_and_only_what_may_be_shipped(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    project = [n for n in names if n.startswith("paradiplomacy/project/")]
    for expected in (
        "ontology/paradiplomacy.ttl",
        "ontology/shapes.ttl",
        "data/sources.yaml",
        "data/datasets.yaml",
        "data/links/wikidata.csv",
        "data/wikidata/slice.ttl",
        "queries/twinned-provinces.rq",
        "data/datasets/aiddata-v1.0/readme_v1.0.txt",
    ):
        assert f"paradiplomacy/project/{expected}" in project
    assert any(n.startswith("paradiplomacy/project/data/claims/") for n in project)
    assert not [n for n in project if "cari" in n.lower() or "aei" in n.lower() or "/data/sources/" in n]
    assert any(n.endswith((".dist-info/licenses/LICENSE", ".dist-info/LICENSE")) for n in names)


def test_serve_from_an_empty_directory_serves_the_papers_graph(venv, tmp_path, user_env):
    empty = tmp_path / "empty"
    empty.mkdir()
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(venv / "paradiplomacy"), "serve", "--port", str(port)],
            cwd=empty,
            env=user_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, proc, log, timeout=600)
        answer = requests.get(
            url + "/sparql",
            params={
                "query": "PREFIX pd: <https://w3id.org/paradiplomacy/ontology#> "
                "SELECT (COUNT(?c) AS ?n) { ?c a pd:Claim }"
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        claims = int(answer.json()["results"]["bindings"][0]["n"]["value"])
        assert claims > 100
        shanghai = requests.get(url + "/resource/shanghai", headers={"Accept": "text/turtle"}, timeout=60)
        assert shanghai.status_code == 200
    finally:
        _stop(proc)
    said = log.read_text()
    assert "packaged project" in said and str(tmp_path / "xdg-data" / "paradiplomacy") in said
    assert not list(empty.iterdir())  # nothing written where the user stood
    stats = installed(venv, "stats", env=user_env, cwd=empty)
    assert stats.returncode == 0, stats.stderr
    assert "packaged project" in stats.stdout and f"claims                   {claims}" in stats.stdout


def test_a_home_that_is_no_project_is_refused_with_exit_2(venv, tmp_path, user_env):
    for args in (["stats"], ["query", "ASK { ?s ?p ?o }"], ["explain", "shanghai"], ["serve"]):
        done = installed(venv, "--home", str(tmp_path), *args, env=user_env)
        assert done.returncode == 2 and "not a paradiplomacy project" in done.stderr, (args, done.stderr)
        assert "paradiplomacy init" in done.stderr and not done.stdout


def test_init_copies_an_editable_project_that_validates(venv, tmp_path, user_env):
    target = tmp_path / "my-project"
    done = installed(venv, "init", str(target), env=user_env)
    assert done.returncode == 0, done.stderr
    assert (target / "ontology" / "paradiplomacy.ttl").is_file() and (target / "data" / "claims").is_dir()
    valid = installed(venv, "validate", env=user_env, cwd=target, timeout=600)
    assert valid.returncode == 0 and "valid" in valid.stderr, valid.stderr
    again = installed(venv, "init", str(target), env=user_env)
    assert again.returncode == 2 and "not an empty directory" in again.stderr
