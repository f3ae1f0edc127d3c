"""The Python API (paradiplomacy.api): the example of docs/python-api.md runs as written against the
real graph; bindings are VALUES blocks (values never pasted as text); what `open` accepts."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

import paradiplomacy
from paradiplomacy.api import Rows, bind
from paradiplomacy.errors import StoreError
from paradiplomacy.store import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "python-api.md"


@pytest.mark.slow
def test_the_documented_example_runs(built, monkeypatch, capsys):
    config, _, _ = built
    monkeypatch.setenv("PARADIPLOMACY_HOME", str(ROOT))
    monkeypatch.setenv("PARADIPLOMACY_STORE", str(config.path("store")))
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert blocks
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102  (the documentation's own example)
    assert "lenz-07-endnotes.yaml" in capsys.readouterr().out


def test_bindings_are_a_values_block_at_the_head_of_the_pattern():
    assert (
        bind("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal("x")})
        == 'SELECT ?s WHERE { VALUES (?o) { ("x") }  ?s ?p ?o }'
    )
    construct = bind("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": URIRef("https://example.org/a")})
    assert construct == "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<https://example.org/a>) }  ?s ?p ?o }"
    # a value that looks like SPARQL stays a literal
    hostile = 'x" } ?s ?p ?o . FILTER(true) { "'
    assert bind("ASK { ?s ?p ?o }", {"o": hostile}).count("VALUES") == 1
    kg = paradiplomacy.open(MemoryStore())
    kg.store.add(
        [
            (
                URIRef("https://example.org/a"),
                URIRef("https://example.org/p"),
                Literal(hostile),
                URIRef("https://example.org/g"),
            )
        ]
    )
    assert kg.query("ASK { ?s ?p ?o }", o=hostile) is True
    assert kg.query("ASK { ?s ?p ?o }", o="x") is False
    assert kg.query("SELECT ?s { ?s ?p ?o }", o=hostile) == [{"s": URIRef("https://example.org/a")}]
    with pytest.raises(ValueError):
        bind("CONSTRUCT WHERE { ?s ?p ?o }", {"s": URIRef("https://example.org/a")})


def test_rows_to_dataframe_gives_python_values():
    pytest.importorskip("pandas")
    rows = Rows(["a", "n"], [{"a": URIRef("https://example.org/a"), "n": Literal(3)}, {"n": Literal(4)}])
    frame = rows.to_dataframe()
    assert frame["a"].tolist()[0] == "https://example.org/a" and frame["n"].tolist() == [3, 4]


def test_open_refuses_an_empty_store_path(tmp_path):
    with pytest.raises(StoreError, match="no built store"):
        paradiplomacy.open(tmp_path / "nothing")


def test_importing_the_package_does_not_import_the_api():
    code = "import sys, paradiplomacy; print('paradiplomacy.api' in sys.modules, 'rdflib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
