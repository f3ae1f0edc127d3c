"""The command line, run as a real subprocess: commands, output formats and exit codes."""

import json
import os

import pytest

from conftest import run_cli, sources_dir


@pytest.fixture
def env(tmp_path, mini_project):
    e = dict(os.environ)
    e.update(PARADIPLOMACY_HOME=str(mini_project), PARADIPLOMACY_STORE=str(tmp_path / "store"),
             PARADIPLOMACY_SOURCES=str(sources_dir()))
    return e


def test_help_lists_the_commands():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("build", "load", "validate", "query", "export", "stats"):
        assert command in out.stdout


def test_build_query_export_stats(env, mini_project):
    built = run_cli("build", env=env, cwd=mini_project)
    assert built.returncode == 0, built.stderr
    assert "read 1 claims" in built.stderr

    table = run_cli("query", "SELECT ?who WHERE { ?l pd:lobbiedBy ?who }", env=env)
    assert table.returncode == 0 and "pdr:chongqing" in table.stdout

    as_json = json.loads(run_cli("query", "SELECT ?who WHERE { ?l pd:lobbiedBy ?who }", "--format", "json", env=env).stdout)
    assert as_json["results"]["bindings"] == [{"who": {"type": "uri", "value": "https://w3id.org/paradiplomacy/resource/chongqing"}}]

    csv_out = run_cli("query", "SELECT ?who WHERE { ?l pd:lobbiedBy ?who }", "--format", "csv", env=env).stdout
    assert csv_out.splitlines() == ["who", "https://w3id.org/paradiplomacy/resource/chongqing"]

    assert run_cli("query", "ASK { pdr:chongqing a pd:ProvinceLevelUnit }", env=env).stdout.strip() == "true"

    nquads = run_cli("export", "--format", "nquads", env=env)
    assert nquads.returncode == 0
    assert "<https://w3id.org/paradiplomacy/resource/claim-chongqing-lobbied-mofcom-for-atdc> ." in nquads.stdout

    stats = json.loads(run_cli("stats", "--json", env=env).stdout)
    assert stats["claims"] == 1 and stats["classes"]["pd:LobbyingForSelection"] == 1


def test_query_from_a_file(env, tmp_path):
    assert run_cli("build", env=env).returncode == 0
    rq = tmp_path / "q.rq"
    rq.write_text("# a question\nSELECT (COUNT(*) AS ?n) WHERE { ?c a pd:Claim }\n")
    out = run_cli("query", str(rq), "--format", "csv", env=env)
    assert out.stdout.splitlines() == ["n", "1"]


def test_invalid_input_exits_1_and_writes_nothing(env, mini_project):
    assert run_cli("build", env=env).returncode == 0
    claims = mini_project / "data" / "claims" / "mini.yaml"
    claims.write_text(claims.read_text().replace("startYear", "x").replace("successful: true", "successful: true\n        startYear: 1x"))
    out = run_cli("build", env=env)
    assert out.returncode == 1
    assert "data/claims/mini.yaml:30: claims[0].assert[4].startYear: malformed year '1x'" in out.stderr
    assert "nothing was written" in out.stderr
    assert "Traceback" not in out.stderr
    still = run_cli("query", "ASK { pdr:chongqing-atdc-lobbying pd:successful true }", env=env)
    assert still.stdout.strip() == "true"


def test_validate_does_not_write(env, tmp_path):
    out = run_cli("validate", env=env)
    assert out.returncode == 0 and "valid" in out.stderr
    assert not (tmp_path / "store").exists()


def test_bad_query_exits_1(env):
    out = run_cli("query", "SELECT WHERE {", env=env)
    assert out.returncode == 1 and "not valid SPARQL" in out.stderr and "Traceback" not in out.stderr


def test_load_of_a_broken_rdf_file_exits_1(env, tmp_path):
    assert run_cli("build", env=env).returncode == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    out = run_cli("load", str(bad), env=env)
    assert out.returncode == 1 and "bad.ttl" in out.stderr


def test_usage_error_exits_2(env):
    assert run_cli("export", "--format", "docx", env=env).returncode == 2


def test_a_long_inline_query_is_not_taken_for_a_file_name(env):
    """Regression: a query longer than a file name made the path check raise ENAMETOOLONG."""
    assert run_cli("build", "--no-reason", env=env).returncode == 0
    long_query = "SELECT ?r WHERE { ?r a ?c VALUES ?c { " + " ".join(["pd:ProvinceLevelUnit"] * 40) + " } }"
    out = run_cli("query", long_query, "--format", "csv", env=env)
    assert out.returncode == 0, out.stderr
    assert "https://w3id.org/paradiplomacy/resource/chongqing" in out.stdout


def test_a_closed_pipe_is_not_an_error(env):
    """Regression: `paradiplomacy export | head` reported an internal BrokenPipeError."""
    import subprocess
    import sys
    assert run_cli("build", "--no-reason", env=env).returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "paradiplomacy", "export", "--format", "turtle"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "error" not in err, err


def test_query_counts_a_fact_stated_in_two_graphs_once(env, tmp_path):
    """The default graph of `paradiplomacy query` is the union of the graphs as a set; GRAPH ?g finds both."""
    trig = tmp_path / "twice.trig"
    trig.write_text("@prefix ex: <https://example.org/> .\n"
                    "ex:g1 { ex:hebei ex:twinnedWith ex:drc }\nex:g2 { ex:hebei ex:twinnedWith ex:drc }\n")
    loaded = run_cli("load", str(trig), env=env)
    assert loaded.returncode == 0, loaded.stderr
    count = run_cli("query", "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/hebei> ?p ?o }", "--format", "csv",
                    env=env)
    assert count.stdout.splitlines() == ["n", "1"], count.stderr
    graphs = run_cli("query", "SELECT ?g WHERE { GRAPH ?g { <https://example.org/hebei> ?p ?o } } ORDER BY ?g",
                     "--format", "csv", env=env)
    assert graphs.stdout.splitlines() == ["g", "https://example.org/g1", "https://example.org/g2"], graphs.stderr
