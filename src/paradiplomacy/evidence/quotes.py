"""Finding a quote in its source text.

Quotes are compared after folding case, white space, typographic quotes and dashes, endnote
superscripts and Markdown emphasis, the same folding as the project's check-quotes tool, so
that a quote checked there is found here. An ellipsis ("..." or "…") marks an elision: each
part must stand in the text, in order. The match is mapped back to the original text to give
the exact position and the words around it (for oa:TextPositionSelector, oa:prefix, oa:suffix).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "-", "–": "-", "‐": "-", "«": '"', "»": '"'})
_ELISION = re.compile(r"\[\.\.\.\]|\.\.\.|…")
CONTEXT = 32  # characters of oa:prefix and oa:suffix
_MARK = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_CLOSING = ".,;:!?\"')”’"
_ENTRY = re.compile(r"^- (\d+) ", re.M)  # an entry of the endnotes list, as the text prints it
BATCH_MIN = 8  # shorter first parts are looked up one by one: they may stand in the text too often to list


# printable ASCII but '*', words separated by single spaces: each character folds to itself, lower-cased
_PLAIN = re.compile(r"[!-)+-~]+(?: [!-)+-~]+)*")


def _fold_char(c: str, i: int, out: list[str], where: array) -> None:
    if c in SUPERSCRIPTS:
        return
    for ch in unicodedata.normalize("NFKC", c).translate(_FOLD):
        if ch.isspace():
            if out and not out[-1].endswith(" "):
                out.append(" ")
                where.append(i)
        else:
            for low in ch.lower():
                out.append(low)
                where.append(i)


def _fold_with_map(text: str) -> tuple[str, array]:
    """The folded text and, for each of its characters, the index in `text` it came from.

    Runs of plain ASCII are taken whole (they fold to themselves, lower-cased): a source text of
    a megabyte folds in milliseconds instead of seconds; everything else goes a character at a time."""
    out: list[str] = []
    # an array, not a list: for a text of 5 million characters a list took 157 MB more, kept as long as the text
    where = array("q")
    i, n = 0, len(text)
    while i < n:
        plain = _PLAIN.match(text, i)
        if plain:
            out.append(plain.group().lower())
            where.extend(range(i, plain.end()))
            i = plain.end()
        elif text.startswith("**", i):
            i += 2
        else:
            _fold_char(text[i], i, out, where)
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
        self._found: dict[str, Match | None] = {}
        # a quote -> where each of its parts stands in the folded text, found once: `spans` searched the text
        # from its start again for every quote (twice per claim)
        self._located: dict[str, list[tuple[int, int]]] = {}
        self._marks: dict[str, dict[int, str]] = {}
        self._first: dict[str, int] = {}  # a quote's first part -> where it first stands (-1: nowhere)
        # where the list of endnotes begins (-1: none), found once: the search for it ran the length of a
        # text without one for every quote (3 s for 5,000 quotes)
        self._endnotes = text.rfind("\nEndnotes\n")

    def find_all(self, quotes) -> None:
        """Look many quotes up at once: their first parts in a single pass over the text
        (Aho-Corasick, ahocorasick-rs) instead of one scan each, which grows as quotes x text:
        25,000 quotes in a 4 MB text took 37 s one by one. Later `find` calls read the result."""
        import ahocorasick_rs

        firsts = sorted(
            {ps[0] for ps in map(parts, set(quotes) - set(self._found)) if ps and len(ps[0]) >= BATCH_MIN}
            - set(self._first)
        )
        if not firsts:
            return
        self._first.update(dict.fromkeys(firsts, -1))
        for index, start, _ in ahocorasick_rs.AhoCorasick(firsts).find_matches_as_indexes(
            self.folded, overlapping=True
        ):
            if self._first[firsts[index]] < 0 or start < self._first[firsts[index]]:
                self._first[firsts[index]] = start

    def find(self, quote: str) -> Match | None:
        """Where the quote stands in the text (None if it does not); remembered per quote, since
        the same quote is looked up when evidence is checked and again when its selector is written."""
        if quote not in self._found:
            self._found[quote] = self._find(quote)
        return self._found[quote]

    def _locate(self, quote: str) -> list[tuple[int, int]]:
        """Where each part of the quote stands in the folded text, (start, length), in order ([] if it does not
        stand there); a first part found by `find_all` is not searched for again."""
        if quote not in self._located:
            out, at = [], 0
            for p in parts(quote):
                pos = self._first[p] if not out and p in self._first else self.folded.find(p, at)
                if pos < 0:
                    out = []
                    break
                out.append((pos, len(p)))
                at = pos + len(p)
            self._located[quote] = out
        return self._located[quote]

    def spans(self, quote: str) -> list[tuple[int, int]]:
        """The (start, end) in the original text of each part of the quote ([] if it does not stand there)."""
        return [(self._where[pos], self._where[pos + n - 1] + 1) for pos, n in self._locate(quote)]

    def marks(self, quote: str) -> dict[int, str]:
        """The endnotes whose marks the quoted passage carries, each with the quoted sentence it stands
        on: a superscript inside a quoted part or right after its last word (closing punctuation
        between); elided text carries nothing. A part quoted from the list of endnotes carries the
        number of the entry it stands in. Remembered per quote (asked when evidence is checked and again
        when its RDF is made): do not change the answer."""
        if quote not in self._marks:
            self._marks[quote] = self._find_marks(quote)
        return self._marks[quote]

    def _find_marks(self, quote: str) -> dict[int, str]:
        out: dict[int, str] = {}
        endnotes = self._endnotes
        for start, end in self.spans(quote):
            if 0 <= endnotes < start:
                entries = [m for m in _ENTRY.finditer(self.text, endnotes, start + 1) if m.start() <= start]
                if entries:
                    out.setdefault(int(entries[-1].group(1)), " ".join(self.text[start:end].split()))
                continue
            tail = end
            while tail < len(self.text) and self.text[tail] in _CLOSING:
                tail += 1
            found = list(_MARK.finditer(self.text, start, tail))
            after = _MARK.match(self.text, tail)
            found += [after] if after else []
            for m in found:
                boundary = max(
                    self.text.rfind(". ", start, m.start() - 1) + 2, self.text.rfind("\n", start, m.start()) + 1, start
                )
                sentence = " ".join(self.text[boundary : m.start()].split())
                out.setdefault(int(m.group().translate(_DIGITS)), sentence)
        return out

    def _find(self, quote: str) -> Match | None:
        located = self._locate(quote)
        if not located:
            return None
        start, end = self._where[located[0][0]], self._where[located[-1][0] + located[-1][1] - 1] + 1
        return Match(start, end, self.text[max(0, start - CONTEXT) : start], self.text[end : end + CONTEXT])

    def divergence(self, quote: str) -> Divergence | None:
        """Where a quote that does not stand in the text leaves it (None if it does stand there): the
        first part (between elisions) that is not found after the parts before it, the longest start
        of that part that is found, where in the text that start ends (line and character), and the
        words that follow there in the text and in the quote."""
        raw_parts = [r for r in _ELISION.split(quote) if fold(r).strip(" .,;:")]
        at = 0
        for number, raw in enumerate(raw_parts, 1):
            folded_raw, where_raw = _fold_with_map(raw)
            lead = len(folded_raw) - len(folded_raw.lstrip())
            part = folded_raw.strip()
            pos = self.folded.find(part, at)
            if pos >= 0:
                at = pos + len(part)
                continue
            low, high, found = 0, len(part), at  # the longest prefix that stands in the text (monotone)
            while low < high:
                mid = (low + high + 1) // 2
                hit = self.folded.find(part[:mid], at)
                if hit >= 0:
                    low, found = mid, hit
                else:
                    high = mid - 1
            matched = low
            if matched:
                end = self._where[found + matched - 1] + 1  # in the original text, after the matched start
            else:
                end = self._where[at] if at < len(self._where) else len(self.text)
            line = self.text.count("\n", 0, end) + 1
            column = end - (self.text.rfind("\n", 0, end) + 1) + 1
            quoted = raw[: where_raw[lead + matched - 1] + 1] if matched else ""
            rest = raw[len(quoted) :]
            return Divergence(
                number, len(raw_parts), quoted.strip(), line, column, _words(self.text[end:], 6), _words(rest, 6)
            )
        return None


def _words(text: str, n: int) -> str:
    """The first n words of the text (white space folded), with "..." when there are more."""
    words = text.split()
    return " ".join(words[:n]) + (" ..." if len(words) > n else "")


@dataclass(frozen=True)
class Divergence:
    """Where a quote leaves its source text (SourceText.divergence)."""

    part: int  # which part of the quote (1-based; parts are separated by elisions)
    parts: int  # how many parts the quote has
    matched: str  # the longest start of that part that stands in the text, as the quote writes it
    line: int  # where the text and the quote part: line and character of the text (1-based)
    column: int
    text_next: str  # the words that follow there in the text
    quote_next: str  # the words that follow in the quote

    def __str__(self) -> str:
        which = (
            f"part {self.part} of {self.parts} of the quote (parts stand between elisions)"
            if self.parts > 1
            else "the quote"
        )
        if not self.matched:
            return f"{which} does not start with anything that stands in the text"
        shown = self.matched if len(self.matched) <= 60 else "..." + self.matched[-60:]
        return (
            f"{which} leaves the text after its first {len(self.matched)} characters "
            f"({shown!r}): at line {self.line}, character {self.column} of the text, the quote has "
            f"{self.quote_next!r} where the text has {self.text_next!r}"
        )


def unverified_note(sources, sources_dir, command: str = "validate") -> str:
    """What `validate`, `build` and `serve` say when quotes of some sources were not checked."""
    return (
        "note: quotes not verified (the text of " + ", ".join(sorted(sources)) + f" is not in the sources "
        f"directory, {sources_dir}): put each source's text file (its text_file in data/sources.yaml) in "
        "that directory, or name the directory that holds them with PARADIPLOMACY_SOURCES or --sources "
        f"(e.g. paradiplomacy --sources ../shared/sources {command})"
    )


@functools.lru_cache(maxsize=16)
def _read_source(path: str, mtime_ns: int, size: int) -> SourceText:
    return SourceText(Path(path).read_text(encoding="utf-8"))


def source_text(sources_dir, text_file: str | None) -> SourceText | None:
    """The source text `text_file` in `sources_dir`, or None when it is not there. A text is read and
    folded once per build however often it is asked for (and again only when the file changes)."""
    if not (text_file and sources_dir):
        return None
    path = Path(sources_dir) / text_file
    if not path.is_file():
        return None
    stat = path.stat()
    return _read_source(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
