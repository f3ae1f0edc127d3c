"""The endpoint benchmarks (benchmarks/endpoint.py) run end to end at a tiny scale: a synthetic
project built, our server, the raw engine and the Oxigraph server timed on every competency
question, their answers compared; rdflib-endpoint on a few questions where it is installed."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # real servers, processes or a browser

SCRIPT = ROOT / "benchmarks" / "endpoint.py"
CLAIMS = 300


def competency_questions() -> list[str]:
    return sorted(
        p.stem
        for p in (ROOT / "queries").glob("*.rq")
        if not re.search(r"^\s*[^#\n]*\bSERVICE\b", p.read_text(), re.M | re.I)
    )


def run(workdir, *args, timeout=120) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        str(SCRIPT),
        "--claims",
        str(CLAIMS),
        "--reps",
        "2",
        "--min-reps",
        "1",
        "--serve-trials",
        "1",
        "--timeout",
        "20",
        *args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=workdir)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """One run at 300 claims: our server, raw pyoxigraph and the Oxigraph server."""
    work = tmp_path_factory.mktemp("bench")
    done = run(
        work,
        "--engines",
        "ours",
        "raw",
        "oxigraph",
        "--duration",
        "1",
        "--ours-workers",
        "2",
        "--workdir",
        str(work),
        "--json",
        str(work / "out.json"),
        "--markdown",
        str(work / "out.md"),
    )
    return work, json.loads((work / "out.json").read_text()), (work / "out.md").read_text(), done.stdout


def test_a_row_per_competency_question_and_the_engines_agree(tiny):
    _, results, markdown, text = tiny
    scale = results["scales"][0]
    names = competency_questions()
    assert sorted(scale["queries"]) == names
    for name in names:
        assert re.search(rf"^\| {re.escape(name)} \|", markdown, re.M), name
        assert re.search(rf"^{re.escape(name)}\s", text, re.M), name
        timings = scale["queries"][name]
        assert set(timings) == {"raw", "ours", "oxigraph-server"}, name
        for engine, t in timings.items():
            assert t["status"] == "ok" and t["times"], (name, engine, t["error"])
        assert scale["agreement"][name]["verdict"] == "yes", (name, scale["agreement"][name])


def test_build_serve_and_throughput_figures(tiny):
    _, results, markdown, _ = tiny
    scale = results["scales"][0]
    build = scale["build"]
    assert build["claims"] == CLAIMS and build["quads"] > 10_000 and build["rate"] > 0
    assert build["peak_tree_bytes"] > 0 and build["phases"]
    assert scale["startup"]["ours"] and 0 < scale["startup"]["ours"][0] < 60
    for engine in ("ours (2 workers)", "oxigraph-server"):
        tp = scale["throughput"][engine]
        assert tp["clients"] == 16 and tp["completed"] > 0 and tp["errors"] == 0, (engine, tp["error_examples"])
    assert "HTTP p50 within 1.5x of raw" in markdown
    bulk = build["bulk_load"]  # issue 14's baseline, measured beside the build on the same quads
    assert bulk["quads"] == build["quads"] and bulk["rate"] > 0 and bulk["peak_tree_bytes"] > 0
    assert "of bulk_load's quads/s" in markdown and "HTTP p50 within 1.5x of the Oxigraph server" in markdown


def test_rdflib_endpoint_on_a_few_questions(tiny):
    try:
        import rdflib_endpoint  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"rdflib-endpoint is not installed ({exc.name}): pip install -e '.[bench]'")
    work, _, _, _ = tiny
    few = ["lobbying", "medical-teams", "works-behind-claims"]
    run(
        work,
        "--engines",
        "ours",
        "rdflib",
        "--queries",
        *few,
        "--duration",
        "0",
        "--store-from",
        str(work),
        "--json",
        str(work / "rdflib.json"),
    )
    scale = json.loads((work / "rdflib.json").read_text())["scales"][0]
    assert scale["build"]["reused"]
    for name in few:
        assert scale["queries"][name]["rdflib-endpoint"]["status"] == "ok", scale["queries"][name]
        assert scale["agreement"][name]["verdict"] == "yes", scale["agreement"][name]


def test_the_build_benchmark_sets_a_first_and_a_cached_build_beside_bulk_load(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "build.py"),
            "--triples",
            "5e3",
            "--out",
            str(tmp_path),
            "--json",
            str(tmp_path / "out.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (scale,) = json.loads((tmp_path / "out.json").read_text())
    first, cached, bulk = scale["first"], scale["cached"], scale["bulk_load"]
    assert first["quads"] == cached["quads"] == bulk["quads"] > 4000
    assert "read from the build cache" in cached["reported_phases"] and "rdf" in first["reported_phases"]
    assert all(run["rate"] > 0 and run["peak_tree_bytes"] > 0 for run in (first, cached, bulk))
    assert "build again (cached)" in done.stdout and "pyoxigraph bulk_load" in done.stdout
