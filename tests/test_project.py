"""Which project a command works on (paradiplomacy.project), in process: the current directory if
it is a project, else the packaged one; a named directory that is no project, or an empty store,
stops a command with exit 2 and a message that says what to do. (tests/test_packaging.py does the
same with the wheel in a fresh virtualenv.)"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from paradiplomacy import project
from paradiplomacy.cli import cli
from paradiplomacy.settings import Config

ROOT = Path(__file__).resolve().parents[1]


def test_the_current_directory_if_a_project_else_the_packaged_one(tmp_path, monkeypatch):
    monkeypatch.delenv("PARADIPLOMACY_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Config().home == project.packaged_root() == ROOT  # an editable install: the checkout
    (tmp_path / "ontology").mkdir()
    (tmp_path / "data").mkdir()
    assert Config().home == tmp_path.resolve()
    monkeypatch.setenv("PARADIPLOMACY_HOME", str(ROOT / "docs"))
    assert Config().home == ROOT / "docs"


def test_the_shipped_project_writes_in_the_per_user_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    config = Config(home=project.SHIPPED)
    assert config.path("store").is_relative_to(tmp_path / "paradiplomacy")
    assert config.path("ontology_dir") == project.SHIPPED / "ontology"
    assert Config(home=ROOT).path("store") == ROOT / "var" / "store"


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_a_directory_that_is_no_project_is_named_with_the_fix(tmp_path):
    for args in (["stats"], ["validate"], ["build"], ["query", "ASK {}"], ["export"], ["explain", "x"], ["serve"]):
        result = run("--home", str(tmp_path), *args)
        assert result.exit_code == 2, (args, result.output)
        assert f"missing {tmp_path}/ontology (the ontology) and {tmp_path}/data (the evidence)" in result.output
        assert "paradiplomacy init DIR" in result.output


def test_an_empty_store_is_an_error_not_an_empty_answer(tmp_path):
    store = ["--home", str(ROOT), "--store", str(tmp_path / "store")]
    for args in (["stats"], ["query", "ASK { ?s ?p ?o }"], ["export"], ["explain", "shanghai"]):
        result = run(*store, *args)
        assert result.exit_code == 2 and "is empty" in result.output and "paradiplomacy build" in result.output
    bad = run(*store, "query", "SELECT WHERE {")
    assert bad.exit_code == 1 and "not valid SPARQL" in bad.output


def test_init_copies_the_project_into_a_new_directory_only(tmp_path):
    target = tmp_path / "mine"
    assert run("init", str(target)).exit_code == 0
    assert project.is_project(target) and (target / "queries" / "twinned-provinces.rq").is_file()
    assert sorted(p.name for p in (target / "data" / "claims").iterdir()) == sorted(
        p.name for p in (ROOT / "data" / "claims").iterdir()
    )
    again = run("init", str(target))
    assert again.exit_code == 2 and "not an empty directory" in again.output


def test_a_public_url_that_is_not_one_stops_serve_before_anything_is_built(tmp_path):
    result = run(
        "--home",
        str(ROOT),
        "--store",
        str(tmp_path / "store"),
        "serve",
        env={"PARADIPLOMACY_PUBLIC_URL": "kg.example.org/kg"},
    )
    assert result.exit_code == 2 and "not an http(s) base URL" in result.output
    assert not (tmp_path / "store").exists()
