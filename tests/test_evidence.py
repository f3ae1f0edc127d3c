"""Reading and validating evidence: every problem is reported with file, line and field."""

import textwrap

import pytest
from conftest import ROOT, needs_shared, sources_dir

from paradiplomacy.errors import InvalidInput
from paradiplomacy.evidence.ontology import Vocabulary, load_ontology
from paradiplomacy.evidence.reader import read_evidence


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(load_ontology(ROOT / "ontology"))


def read(home, vocab, **kw):
    return read_evidence(home / "data", vocab, root=home, sources_dir=kw.pop("sources", sources_dir()), **kw)


def problems(home, vocab, **kw):
    with pytest.raises(InvalidInput) as info:
        read(home, vocab, **kw)
    return [str(p) for p in info.value.problems]


def edit(home, old, new, name="mini.yaml"):
    path = home / "data" / "claims" / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def test_the_mini_project_is_valid(mini_project, vocab):
    ev = read(mini_project, vocab)
    assert [c.id for c in ev.claims] == ["chongqing-lobbied-mofcom-for-atdc"]
    assert set(ev.declared) == {
        "chongqing",
        "ministry-of-commerce",
        "tanzania",
        "chongqing-tanzania-atdc",
        "chongqing-atdc-lobbying",
    }


def test_unknown_id_names_file_line_field_and_suggests(mini_project, vocab):
    edit(mini_project, "lobbiedBy: chongqing", "lobbiedBy: chongqin")
    [p] = problems(mini_project, vocab)
    assert p.startswith("data/claims/mini.yaml:26: claims[0].assert[4].lobbiedBy: unknown id 'chongqin'")
    assert "did you mean 'chongqing'" in p


def test_malformed_year(mini_project, vocab):
    edit(mini_project, "successful: true", "successful: true\n        startYear: 20x8")
    [p] = problems(mini_project, vocab)
    assert "mini.yaml:30: claims[0].assert[4].startYear: malformed year '20x8'" in p


def test_year_out_of_range(mini_project, vocab):
    edit(mini_project, "successful: true", "successful: true\n        endYear: 201")
    [p] = problems(mini_project, vocab)
    assert "endYear: malformed year 201" in p


def test_duplicate_claim_id_across_files(mini_project, vocab):
    src = mini_project / "data" / "claims" / "mini.yaml"
    (mini_project / "data" / "claims" / "second.yaml").write_text(src.read_text())
    ps = problems(mini_project, vocab)
    assert any(
        "second.yaml:4: claims[0].id: duplicate claim id 'chongqing-lobbied-mofcom-for-atdc' "
        "(first at data/claims/mini.yaml:4)" in p
        for p in ps
    ), ps


@needs_shared
def test_quote_not_in_its_source(mini_project, vocab):
    edit(mini_project, "in Tanzania.", "in Kenya.")
    [p] = problems(mini_project, vocab)
    assert "mini.yaml:4: claims[0].quote: quote not found in the text of 'lenz-china-provinces'" in p
    assert "leaves the text after" in p and "the quote has 'Kenya.' where the text has 'Tanzania." in p, p


def test_quotes_are_not_verified_without_the_text(mini_project, vocab, tmp_path):
    edit(mini_project, "in Tanzania.", "in Kenya.")
    ev = read(mini_project, vocab, sources=tmp_path)
    assert ev.unverified_sources == {"lenz-china-provinces"}


def test_unknown_property_class_and_field(mini_project, vocab):
    edit(mini_project, "type: Ministry", "type: Ministy")
    edit(mini_project, "sector: sector-agriculture", "sectr: sector-agriculture")
    edit(mini_project, "endnotes: [16]", "endnotes: [16]\n    qoute: x")
    ps = problems(mini_project, vocab)
    assert any("claims[0].assert[1].type: unknown class 'Ministy' (did you mean 'Ministry'?)" in p for p in ps), ps
    assert any("claims[0].assert[3].sectr: unknown property (did you mean 'sector'?)" in p for p in ps), ps
    assert any("claims[0].qoute: unknown field (did you mean 'quote'?)" in p for p in ps), ps


def test_wrong_types_of_values(mini_project, vocab):
    edit(mini_project, "successful: true", "successful: maybe")
    edit(mini_project, "subStateActor: chongqing", "subStateActor: Chong Qing")
    ps = problems(mini_project, vocab)
    assert any("successful: must be true or false" in p for p in ps), ps
    assert any("subStateActor: 'Chong Qing' is not the id (slug) of a resource" in p for p in ps), ps


def test_interpretation_needs_a_note(mini_project, vocab):
    edit(mini_project, "endnotes: [16]", "endnotes: [16]\n    support: interpretation")
    [p] = problems(mini_project, vocab)
    assert "claims[0].note: a claim with support: interpretation needs a 'note'" in p


def test_unknown_endnote_and_section(mini_project, vocab):
    edit(mini_project, "endnotes: [16]", "endnotes: [16, 99]")
    edit(mini_project, "section: provinces-as-collaborative-actors", "section: provinces-as-colaborative-actors")
    ps = problems(mini_project, vocab)
    assert any("has no endnote 99" in p for p in ps), ps
    assert any("has no section 'provinces-as-colaborative-actors'" in p for p in ps), ps


def test_conflicting_labels(mini_project, vocab):
    path = mini_project / "data" / "claims" / "other.yaml"
    path.write_text(
        textwrap.dedent("""\
        source: lenz-china-provinces
        section: provinces-as-collaborative-actors
        claims:
          - id: other
            quote: "Chongqing, for example, successfully lobbied the Ministry of Commerce"
            assert:
              - id: chongqing
                type: ProvinceLevelUnit
                label: Chungking
        """)
    )
    ps = problems(mini_project, vocab)
    assert any("mini.yaml" in p and "labelled 'Chongqing' here but 'Chungking'" in p for p in ps) or any(
        "other.yaml" in p and "labelled 'Chungking' here but 'Chongqing'" in p for p in ps
    ), ps


@pytest.mark.parametrize(
    "content, expected",
    [
        ("claims:\n  - id: x\n   bad: [\n", "mini.yaml:3: invalid YAML"),
        ("claims: {}\n", "mini.yaml:1: claims: the file must be a mapping with a list 'claims'"),
        ("source: a\nsource: b\nclaims: []\n", "mini.yaml:2: invalid YAML: duplicate key 'source' (first at line 1)"),
        ("claims:\n  - just a string\n", "mini.yaml:2: claims[0]: each claim must be a mapping"),
    ],
)
def test_broken_files(mini_project, vocab, content, expected):
    (mini_project / "data" / "claims" / "mini.yaml").write_text(content)
    ps = problems(mini_project, vocab)
    assert any(expected in p for p in ps), ps


def test_wrong_encoding(mini_project, vocab):
    (mini_project / "data" / "claims" / "mini.yaml").write_bytes("claims: []\n# caf\xe9\n".encode("latin-1"))
    [p] = problems(mini_project, vocab)
    assert "data/claims/mini.yaml: not UTF-8 text" in p


def test_missing_bibliography(mini_project, vocab):
    (mini_project / "data" / "sources.yaml").unlink()
    ps = problems(mini_project, vocab)
    assert any("sources.yaml: the bibliography file is missing" in p for p in ps), ps


def test_the_documented_template_is_valid_evidence(mini_project, vocab):
    """docs/claims-template.yaml is what docs/evidence-format.md tells researchers to copy: it must load."""
    (mini_project / "data" / "claims" / "template.yaml").write_text(
        (ROOT / "docs" / "claims-template.yaml").read_text()
    )
    ev = read(mini_project, vocab)
    assert "template-galamsey-example" in [c.id for c in ev.claims]
    assert "template-example-engagement" in ev.declared
