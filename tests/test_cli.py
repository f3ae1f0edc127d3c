"""The command line, run as a real subprocess: commands, output formats and exit codes."""

import json
import os
import socket

import pytest
from conftest import run_cli, sources_dir


@pytest.fixture
def env(tmp_path, mini_project):
    e = dict(os.environ)
    e.update(
        PARADIPLOMACY_HOME=str(mini_project),
        PARADIPLOMACY_STORE=str(tmp_path / "store"),
        PARADIPLOMACY_SOURCES=str(sources_dir()),
    )
    return e


def test_help_lists_the_commands():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("build", "load", "validate", "query", "export", "stats"):
        assert command in out.stdout


@pytest.mark.slow
def test_build_query_export_stats(env, mini_project):
    built = run_cli("build", env=env, cwd=mini_project)
    assert built.returncode == 0, built.stderr
    assert "read 1 claims" in built.stderr

    table = run_cli("query", "SELECT ?who WHERE { ?l pd:lobbiedBy ?who }", env=env)
    assert table.returncode == 0 and "pdr:chongqing" in table.stdout

    as_json = json.loads(
        run_cli("query", "SELECT ?who WHERE { ?l pd:lobbiedBy ?who }", "--format", "json", env=env).stdout
    )
    assert as_json["results"]["bindings"] == [
        {"who": {"type": "uri", "value": "https://w3id.org/paradiplomacy/resource/chongqing"}}
    ]

    csv_out = run_cli("query", "SELECT ?who WHERE { ?l pd:lobbiedBy ?who }", "--format", "csv", env=env).stdout
    assert csv_out.splitlines() == ["who", "https://w3id.org/paradiplomacy/resource/chongqing"]

    assert run_cli("query", "ASK { pdr:chongqing a pd:ProvinceLevelUnit }", env=env).stdout.strip() == "true"

    nquads = run_cli("export", "--format", "nquads", env=env)
    assert nquads.returncode == 0
    assert "<https://w3id.org/paradiplomacy/resource/claim-chongqing-lobbied-mofcom-for-atdc> ." in nquads.stdout

    stats = json.loads(run_cli("stats", "--json", env=env).stdout)
    assert stats["claims"] == 1 and stats["classes"]["pd:LobbyingForSelection"]["claims"] == 1


@pytest.mark.slow
def test_query_from_a_file(env, tmp_path):
    assert run_cli("build", env=env).returncode == 0
    rq = tmp_path / "q.rq"
    rq.write_text("# a question\nSELECT (COUNT(*) AS ?n) WHERE { ?c a pd:Claim }\n")
    out = run_cli("query", str(rq), "--format", "csv", env=env)
    assert out.stdout.splitlines() == ["n", "1"]


@pytest.mark.slow
def test_invalid_input_exits_1_and_writes_nothing(env, mini_project):
    assert run_cli("build", env=env).returncode == 0
    claims = mini_project / "data" / "claims" / "mini.yaml"
    claims.write_text(
        claims.read_text()
        .replace("startYear", "x")
        .replace("successful: true", "successful: true\n        startYear: 1x")
    )
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


@pytest.mark.slow
def test_load_of_a_broken_rdf_file_exits_1(env, tmp_path):
    assert run_cli("build", env=env).returncode == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    out = run_cli("load", str(bad), env=env)
    assert out.returncode == 1 and "bad.ttl" in out.stderr


def test_usage_error_exits_2(env):
    assert run_cli("export", "--format", "docx", env=env).returncode == 2


@pytest.mark.slow
def test_a_long_inline_query_is_not_taken_for_a_file_name(env):
    """Regression: a query longer than a file name made the path check raise ENAMETOOLONG."""
    assert run_cli("build", "--no-reason", env=env).returncode == 0
    long_query = "SELECT ?r WHERE { ?r a ?c VALUES ?c { " + " ".join(["pd:ProvinceLevelUnit"] * 40) + " } }"
    out = run_cli("query", long_query, "--format", "csv", env=env)
    assert out.returncode == 0, out.stderr
    assert "https://w3id.org/paradiplomacy/resource/chongqing" in out.stdout


@pytest.mark.slow
def test_a_closed_pipe_is_not_an_error(env):
    """Regression: `paradiplomacy export | head` reported an internal BrokenPipeError."""
    import subprocess
    import sys

    assert run_cli("build", "--no-reason", env=env).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "paradiplomacy", "export", "--format", "turtle"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "error" not in err, err


@pytest.mark.slow
def test_stats_says_what_each_count_of_a_class_counts(built):
    config, store, _ = built
    env = {**os.environ, "PARADIPLOMACY_STORE": str(config.path("store"))}
    out = run_cli("stats", env=env)
    assert out.returncode == 0, out.stderr
    assert "graph: typed so in any graph but the reasoner's" in out.stdout
    assert "claims: typed so in the assertions of the paper's claims" in out.stdout
    assert "inferred: typed so by the reasoner" in out.stdout
    classes = json.loads(run_cli("stats", "--json", env=env).stdout)["classes"]
    units = classes["pd:ProvinceLevelUnit"]
    assert units["graph"] == 31 and 0 < units["claims"] < 31  # the claims name a few; reference data all 31
    in_claims = int(
        next(
            iter(
                store.query(
                    "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?g a pd:Claim GRAPH ?g { ?p a pd:ProvinceLevelUnit } }"
                ).as_dicts()
            )
        )["n"]
    )
    assert units["claims"] == in_claims
    assert classes["pd:CollaborativeEngagement"]["inferred"] > 0 and classes["pd:CollaborativeEngagement"]["graph"] == 0


def test_serve_on_a_busy_port_is_a_usage_error_naming_port_and_announces_nothing(tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        env = {**os.environ, "PARADIPLOMACY_STORE": str(tmp_path / "store")}
        out = run_cli("serve", "--host", "127.0.0.1", "--port", str(port), env=env)
    finally:
        busy.close()
    assert out.returncode == 2, out.stderr
    assert f"port {port} on 127.0.0.1 is in use" in out.stderr and "--port" in out.stderr
    assert "serving" not in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "store").exists()  # refused before anything was built


@pytest.mark.slow
def test_ids_lists_what_a_claim_can_use_without_a_store(env, mini_project, tmp_path):
    out = run_cli("ids", "tanz", env=env)
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines()[1:]]
    assert ["tanzania", "resource", "Tanzania", "ForeignState", "data/claims/mini.yaml:14"] in rows
    assert any(r[:2] == ["chongqing-tanzania-atdc", "resource"] for r in rows)
    assert "identifiers matching 'tanz'" in out.stderr
    assert not (tmp_path / "store").exists()  # no store was built or opened
    # concepts, works, classes and properties, by label as well as by name
    concepts = run_cli("ids", "health", "--kind", "concept", env=env).stdout
    assert "sector-health" in concepts and "lobbiedBy" not in concepts
    assert "lobbiedBy" in run_cli("ids", "lobbied", "--kind", "property", env=env).stdout
    assert "LobbyingForSelection" in run_cli("ids", "lobbying", "--kind", "class", env=env).stdout
    assert "wong-2018" in run_cli("ids", "More than peripheral", env=env).stdout
    # a claim file with problems is still read as far as it goes
    claims = mini_project / "data" / "claims" / "mini.yaml"
    claims.write_text(claims.read_text().replace("type: Ministry", "type: Ministy"))
    broken = run_cli("ids", "tanz", env=env)
    assert broken.returncode == 0 and "chongqing-tanzania-atdc" in broken.stdout


@pytest.mark.slow
def test_without_the_source_text_validate_build_and_serve_say_quotes_were_not_verified(env, tmp_path, monkeypatch):
    env["PARADIPLOMACY_SOURCES"] = str(tmp_path / "no-texts")
    for command in ("validate", "build"):
        out = run_cli(command, env=env)
        assert out.returncode == 0, out.stderr
        assert "quotes not verified (the text of lenz-china-provinces is not in the sources directory" in out.stderr
        assert "PARADIPLOMACY_SOURCES or --sources" in out.stderr
        assert f"paradiplomacy --sources ../shared/sources {command}" in out.stderr
    # serve reads what the store's build recorded (pd:quotesNotVerifiedIn), built here without the texts
    import importlib

    from click.testing import CliRunner

    import paradiplomacy.web
    from paradiplomacy.cli import cli

    serve_module = importlib.import_module("paradiplomacy.cli.serve")
    monkeypatch.setattr(paradiplomacy.web, "create_app", lambda config: None)
    monkeypatch.setattr(serve_module, "http_server", lambda app, **kw: type("S", (), {"run": lambda self: None})())
    for key in ("PARADIPLOMACY_HOME", "PARADIPLOMACY_STORE", "PARADIPLOMACY_SOURCES"):
        monkeypatch.setenv(key, env[key])
    served = CliRunner().invoke(cli, ["serve"])
    assert served.exit_code == 0, served.output
    assert "quotes not verified (the text of lenz-china-provinces" in served.output
    assert "paradiplomacy --sources ../shared/sources build" in served.output
    # with the texts (where they are here), the build verifies the quotes and serve says nothing of them
    if not (sources_dir() / "lenz-china-provinces-as-global-actors.txt").is_file():
        return
    env["PARADIPLOMACY_SOURCES"] = str(sources_dir())
    assert run_cli("build", env=env).returncode == 0
    monkeypatch.setenv("PARADIPLOMACY_SOURCES", str(sources_dir()))
    served = CliRunner().invoke(cli, ["serve"])
    assert served.exit_code == 0 and "not verified" not in served.output


@pytest.mark.slow
def test_query_counts_a_fact_stated_in_two_graphs_once(env, tmp_path):
    """The default graph of `paradiplomacy query` is the union of the graphs as a set; GRAPH ?g finds both."""
    trig = tmp_path / "twice.trig"
    trig.write_text(
        "@prefix ex: <https://example.org/> .\n"
        "ex:g1 { ex:hebei ex:twinnedWith ex:drc }\nex:g2 { ex:hebei ex:twinnedWith ex:drc }\n"
    )
    loaded = run_cli("load", str(trig), env=env)
    assert loaded.returncode == 0, loaded.stderr
    count = run_cli(
        "query", "SELECT (COUNT(*) AS ?n) WHERE { <https://example.org/hebei> ?p ?o }", "--format", "csv", env=env
    )
    assert count.stdout.splitlines() == ["n", "1"], count.stderr
    graphs = run_cli(
        "query",
        "SELECT ?g WHERE { GRAPH ?g { <https://example.org/hebei> ?p ?o } } ORDER BY ?g",
        "--format",
        "csv",
        env=env,
    )
    assert graphs.stdout.splitlines() == ["g", "https://example.org/g1", "https://example.org/g2"], graphs.stderr
