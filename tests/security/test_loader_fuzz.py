"""Fuzzed evidence: whatever the bytes, validation ends in success or in problems that name the
file (never a traceback), and a failed build leaves the store as it was."""

import random

import pytest
from conftest import ROOT, make_config, sources_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paradiplomacy.build import build
from paradiplomacy.errors import InvalidInput
from paradiplomacy.evidence.ontology import Vocabulary, load_ontology
from paradiplomacy.evidence.reader import read_evidence
from paradiplomacy.store import open_store

VOCAB = Vocabulary(load_ontology(ROOT / "ontology"))
MINI = (ROOT / "tests" / "fixtures" / "mini-claims.yaml").read_text()
LINES = MINI.splitlines()


def check(home):
    """Validate; any failure must be InvalidInput whose problems all name an evidence file."""
    try:
        read_evidence(home / "data", VOCAB, root=home, sources_dir=sources_dir())
    except InvalidInput as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.file.startswith("data/"), p
            assert p.message


edits = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("replace"), st.integers(0, len(LINES) - 1), st.text(max_size=40)),
    st.tuples(
        st.just("value"),
        st.integers(0, len(LINES) - 1),
        st.sampled_from(
            [
                "",
                "~",
                "[]",
                "{}",
                "-1",
                "1e99",
                "yes",
                "0x1F",
                "!!binary aGk=",
                "&a",
                "*a",
                "2008-13-45",
                "'unterminated",
                '"\\u0000"',
                "{{",
                "- - -",
                "? x",
            ]
        ),
    ),
    st.tuples(st.just("indent"), st.integers(0, len(LINES) - 1), st.integers(-4, 4)),
)


def apply(lines, edit):
    lines = list(lines)
    kind, at = edit[0], edit[1] % len(lines)
    if kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "replace":
        lines[at] = edit[2]
    elif kind == "value" and ":" in lines[at]:
        lines[at] = lines[at].split(":", 1)[0] + ": " + edit[2]
    elif kind == "indent":
        lines[at] = " " * max(0, edit[2]) + lines[at].lstrip() if edit[2] >= 0 else lines[at][-edit[2] :]
    return lines


# derandomize: the same examples on every run, so that CI is repeatable; each bug the fuzzer
# found has a regression test below.
@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(edits, min_size=1, max_size=4))
def test_structural_mutations_give_located_problems(mini_project, mutations):
    lines = LINES
    for m in mutations:
        lines = apply(lines, m)
    (mini_project / "data" / "claims" / "mini.yaml").write_text("\n".join(lines) + "\n")
    check(mini_project)


@pytest.mark.slow
@settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400), st.integers(0, len(MINI)))
def test_random_bytes_give_located_problems(mini_project, junk, at):
    data = MINI.encode()
    (mini_project / "data" / "claims" / "mini.yaml").write_bytes(data[:at] + junk + data[at:])
    check(mini_project)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe" + "claims: []".encode("utf-16-le"),
        "claims:\n  - id: caf\u00e9\n".encode("latin-1"),
        b"\x00" * 100,
        b"claims: " + b"[" * 5000,
        b"a: &a [*a, *a]\n",
    ],
)
def test_wrong_encodings_and_pathological_yaml(mini_project, content):
    (mini_project / "data" / "claims" / "mini.yaml").write_bytes(content)
    check(mini_project)


def test_an_impossible_date_is_a_located_problem(mini_project):
    """Regression (found by the fuzzer): 2008-13-45 made PyYAML raise ValueError."""
    (mini_project / "data" / "claims" / "mini.yaml").write_text(
        MINI.replace("endnotes: [16]", "endnotes: [16]\n    note: 2008-13-45")
    )
    with pytest.raises(InvalidInput) as info:
        read_evidence(mini_project / "data", VOCAB, root=mini_project, sources_dir=sources_dir())
    assert "data/claims/mini.yaml:7: invalid YAML: '2008-13-45' is not a valid date" in str(info.value)


@pytest.mark.parametrize(
    "line, value, expected",
    [
        (14, "-1", "mini.yaml:15: claims[0].assert[2].type: must be a class name or a list of class names, not -1"),
        (0, "-1", "mini.yaml:1: source: '-1' is not a slug"),
    ],
)
def test_numbers_where_names_belong_are_located_problems(mini_project, line, value, expected):
    """Regression (found by the fuzzer): `type: -1` and `source: -1` raised TypeError."""
    lines = apply(LINES, ("value", line, value))
    (mini_project / "data" / "claims" / "mini.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput) as info:
        read_evidence(mini_project / "data", VOCAB, root=mini_project, sources_dir=sources_dir())
    assert expected in str(info.value)


@pytest.mark.slow
def test_a_large_file_of_bad_claims_is_reported_not_crashed(mini_project):
    rng = random.Random(0)
    body = ["source: lenz-china-provinces", "section: introduction", "claims:"]
    for i in range(3000):
        body += [
            f"  - id: bad-{i}",
            f'    quote: "not in the paper {rng.random()}"',
            "    assert:",
            f"      - id: thing-{i}",
            "        type: NoSuchClass",
        ]
    (mini_project / "data" / "claims" / "big.yaml").write_text("\n".join(body) + "\n")
    with pytest.raises(InvalidInput) as info:
        read_evidence(mini_project / "data", VOCAB, root=mini_project, sources_dir=sources_dir())
    assert len(info.value.problems) >= 3000
    assert "data/claims/big.yaml:8: claims[0].assert[0].type: unknown class 'NoSuchClass'" in str(info.value)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(edits, min_size=1, max_size=3))
def test_a_failed_build_leaves_the_store_as_it_was(mini_project, tmp_path_factory, mutations):
    cfg = make_config(tmp_path_factory.mktemp("fuzzstore") / "store", home=mini_project)
    path = mini_project / "data" / "claims" / "mini.yaml"
    path.write_text(MINI)
    store = open_store(cfg)
    build(cfg, store, reason=False)
    before = sorted(
        map(
            str,
            store.query(
                "SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) "
                "FILTER(?p != prov:generatedAtTime && ?p != prov:startedAtTime) }"
            ).rows,
        )
    )
    lines = LINES
    for m in mutations:
        lines = apply(lines, m)
    path.write_text("\n".join(lines) + "\n")
    try:
        build(cfg, store, reason=False)
        return  # a harmless mutation: the build succeeded
    except InvalidInput:
        pass
    after = sorted(
        map(
            str,
            store.query(
                "SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) "
                "FILTER(?p != prov:generatedAtTime && ?p != prov:startedAtTime) }"
            ).rows,
        )
    )
    assert after == before
