"""Finding a quote in its source text.

Quotes are compared after folding case, white space, typographic quotes and dashes, endnote
superscripts and Markdown emphasis, the same folding as the project's check-quotes tool, so
that a quote checked there is found here. An ellipsis ("..." or "…") marks an elision: each
part must stand in the text, in order. The match is mapped back to the original text to give
the exact position and the words around it (for oa:TextPositionSelector, oa:prefix, oa:suffix).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "-", "–": "-", "‐": "-",
                       "«": '"', "»": '"'})
_ELISION = re.compile(r"\[\.\.\.\]|\.\.\.|…")
CONTEXT = 32  # characters of oa:prefix and oa:suffix


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index in `text` it came from."""
    out: list[str] = []
    where: list[int] = []
    i = 0
    while i < len(text):
        if text.startswith("**", i):
            i += 2
            continue
        c = text[i]
        if c not in SUPERSCRIPTS:
            for ch in unicodedata.normalize("NFKC", c).translate(_FOLD):
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


def fold(text: str) -> str:
    return _fold_with_map(text)[0].strip()


def parts(quote: str) -> list[str]:
    """The folded parts of a quote between its elisions (parts of mere punctuation dropped)."""
    folded = (fold(x) for x in _ELISION.split(quote))
    return [p for p in folded if p.strip(" .,;:")]


@dataclass(frozen=True)
class Match:
    start: int  # index of the first character in the original text
    end: int  # index after the last character
    prefix: str
    suffix: str


class SourceText:
    def __init__(self, text: str):
        self.text = text
        self.folded, self._where = _fold_with_map(text)

    def find(self, quote: str) -> Match | None:
        ps = parts(quote)
        if not ps:
            return None
        at, first, last = 0, None, None
        for p in ps:
            pos = self.folded.find(p, at)
            if pos < 0:
                return None
            first = pos if first is None else first
            last = pos + len(p) - 1
            at = pos + len(p)
        start, end = self._where[first], self._where[last] + 1
        return Match(start, end, self.text[max(0, start - CONTEXT):start], self.text[end:end + CONTEXT])
