"""Quote folding: the fast fold (plain ASCII runs taken whole) gives exactly what folding one
character at a time gives, on any text, so that positions and matches stay those of check-quotes."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradiplomacy.evidence import quotes


def fold_one_by_one(text: str) -> tuple[str, list[int]]:
    """The reference: the definition of the fold, a character at a time."""
    out, where, i = [], [], 0
    while i < len(text):
        if text.startswith("**", i):
            i += 2
            continue
        if text[i] not in quotes.SUPERSCRIPTS:
            for ch in unicodedata.normalize("NFKC", text[i]).translate(quotes._FOLD):
                if ch.isspace():
                    if out and out[-1] != " ":
                        out.append(" ")
                        where.append(i)
                else:
                    for low in ch.lower():
                        out.append(low)
                        where.append(i)
        i += 1
    return "".join(out), where


TRICKY = st.sampled_from(list("aZ *\t\n’“”—–ﬁİ¹²\u00a0.,ßΣ") + ["**", "...", "…"])


@pytest.mark.slow
@settings(derandomize=True, max_examples=3000, deadline=None)
@given(st.lists(st.one_of(TRICKY, st.text(max_size=4)), max_size=30).map("".join))
def test_fast_fold_equals_the_character_by_character_fold(text):
    folded, where = quotes._fold_with_map(text)
    assert (folded, list(where)) == fold_one_by_one(text)


def test_a_quote_is_found_across_typography_and_emphasis():
    text = quotes.SourceText("The **province** sent “medical teams”¹ to  the DRC — since 1973.")
    match = text.find('the province sent "medical teams" to the DRC - since')
    assert match is not None and text.text[match.start : match.end].startswith("The **province**")
    assert text.find("medical teams ... since 1973") is not None
    assert text.find("sent nurses") is None


def test_a_source_text_is_read_once_and_again_when_it_changes(tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text("first text", encoding="utf-8")
    first = quotes.source_text(tmp_path, "paper.txt")
    assert quotes.source_text(tmp_path, "paper.txt") is first
    path.write_text("second, longer text", encoding="utf-8")
    assert quotes.source_text(tmp_path, "paper.txt").find("longer") is not None
    assert quotes.source_text(tmp_path, "missing.txt") is None and quotes.source_text(None, "paper.txt") is None


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["the province", "sent teams", "to the DRC", "since 1973", "the", "“again”", "…"]),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.tuples(st.integers(0, 39), st.integers(1, 12)), min_size=1, max_size=20),
)
def test_looking_quotes_up_together_finds_what_looking_them_up_one_by_one_finds(words, spans):
    """Repeated phrases (the first occurrence counts), short parts, elisions, quotes not in the text."""
    text = " ".join(words)
    quotes_ = [" ".join(words[i : i + n]) for i, n in spans] + ["the province ... the DRC", "not in the text at all"]
    one_by_one = quotes.SourceText(text)
    together = quotes.SourceText(text)
    together.find_all(quotes_)
    assert [together.find(q) for q in quotes_] == [one_by_one.find(q) for q in quotes_]


def test_a_quote_that_does_not_match_says_where_it_leaves_the_text():
    text = quotes.SourceText(
        "Title\n\nChongqing, for example, successfully lobbied the Ministry of Commerce¹ "
        "to be granted the ATDC in Tanzania.\nNext line."
    )
    assert (
        text.divergence("Chongqing, for example, successfully lobbied the Ministry of Commerce to be granted") is None
    )
    d = text.divergence("Chongqing, for example, successfully lobbied the Ministry of Trade to be granted the ATDC")
    assert d.matched == "Chongqing, for example, successfully lobbied the Ministry of"
    # the first character that differs: the "C" of "Commerce", after the matched words and a space
    assert (d.line, d.column) == (3, len("Chongqing, for example, successfully lobbied the Ministry of") + 2)
    assert d.quote_next.startswith("Trade to be granted") and d.text_next.startswith("Commerce¹ to be granted")
    assert "line 3, character 62" in str(d) and "the quote has 'Trade to be granted" in str(d)
    # an elided quote: the part after the elision that is not found is named, after the parts before it
    d = text.divergence("Chongqing, for example ... the ATDC in Kenya.")
    assert (d.part, d.parts, d.matched) == (2, 2, "the ATDC in")
    assert d.text_next.startswith("Tanzania.") and d.quote_next == "Kenya."
    assert "part 2 of 2" in str(d)
    assert "does not start with" in str(text.divergence("@@@"))
    assert text.divergence("Zanzibar").matched == "Zan"  # as in "Tanzania"
