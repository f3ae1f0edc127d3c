"""A tokenizer for SPARQL 1.1 text: what is a comment, a string, an IRI, a prefixed name, a
variable or a keyword, with the position of each token.

It serves what must be known before (or without) parsing: the form of a query (SELECT, ASK,
CONSTRUCT, DESCRIBE, or an update), whether it names its own dataset (FROM), which prefixes it
declares, and where its SERVICE and LOAD keywords stand and what follows them. Comments and
string literals are what can hide a keyword from a naive search; they are consumed here as
tokens, by the grammar's own terminal rules (SPARQL 1.1 Query, section 19.8). It also holds the
limits of what the query engine is given (checked_tokens): how many tokens, how deeply nested.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
MAX_TOKENS = 250_000  # the most tokens in one request (checked_tokens)
MAX_NESTING = 500  # the deepest nesting of brackets in one request (checked_tokens)

_PN_CHARS = r"\w\-\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[^\W\d_](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = rf"(?:[\w:]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN_RULES = [
    ("ws", r"[ \t\r\n]+"),
    ("comment", r"#[^\r\n]*"),
    ("iri", rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>"),
    ("string", r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"),
    ("string", r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'),
    ("string", r"'(?:[^'\\\n\r]|\\.)*'"),
    ("string", r'"(?:[^"\\\n\r]|\\.)*"'),
    ("var", r"[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+"),
    ("bnode", rf"_:[\w](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("pname", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("langtag", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
    ("number", r"\d*\.\d+(?:[eE][+-]?\d+)?|\d+\.\d*[eE][+-]?\d+|\d+(?:[eE][+-]?\d+)?"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("punct", r"\^\^|\|\||&&|!=|<=|>=|(?s:.)"),  # any other character: white space that SPARQL's is not, too
]
_TOKEN = re.compile("|".join(f"(?P<{kind}{i}>{rule})" for i, (kind, rule) in enumerate(_TOKEN_RULES)))
# The same rules with a prefixed name's prefix left out (`:local` only): used where no prefix can start,
# since trying PN_PREFIX scans the whole run of name characters and dots that follows, and a run of
# words and dots without a colon (`a.a.a.a...`) would be scanned again at each word (quadratic time).
_TOKEN_NO_PREFIX = re.compile(
    "|".join(
        f"(?P<{kind}{i}>{rf':(?:{_PN_LOCAL})?' if kind == 'pname' else rule})"
        for i, (kind, rule) in enumerate(_TOKEN_RULES)
    )
)
_KIND = {f"{kind}{i}": kind for i, (kind, _) in enumerate(_TOKEN_RULES)}  # a rule's group name -> its kind
_SKIPPED = ("ws", "comment")
_NAME_RUN = re.compile(rf"[{_PN_CHARS}.]+")
_PREFIX_START = re.compile(r"[^\W\d_]")
_UNESCAPE_UCHAR = re.compile(_UCHAR)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


class Token(NamedTuple):
    """A token and where it starts. A named tuple, not a dataclass: a request has thousands of tokens, and a
    tuple is made in a third of the time (the longest competency question: 1.1 ms to tokenize, now 0.5)."""

    kind: str  # iri, string, var, bnode, pname, langtag, number, word, punct, error
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokenize(text: str) -> list[Token]:
    """The tokens of the text, comments and whitespace left out. Text that no rule matches (an
    unterminated string, say) becomes one `error` token that runs to the end."""
    return list(iter_tokens(text))


def iter_tokens(text: str) -> Iterator[Token]:
    """The tokens of the text, one at a time (see tokenize), in time linear in the text's length."""
    pos = 0
    run_end, run_has_prefix = -1, False  # the run of name characters and dots that pos is in
    while pos < len(text):
        if pos >= run_end and _PREFIX_START.match(text, pos):
            run_end = _NAME_RUN.match(text, pos).end()  # every later position of the run ends it here too
            run_has_prefix = run_end < len(text) and text[run_end] == ":" and text[run_end - 1] != "."
        prefix_possible = pos < run_end and run_has_prefix
        m = (_TOKEN if prefix_possible else _TOKEN_NO_PREFIX).match(text, pos)
        kind = _KIND[m.lastgroup]
        if kind == "punct" and text[pos] in "'\"":  # a quote that opens no complete string
            yield Token("error", text[pos:], pos)
            return
        end = m.end()
        if kind not in _SKIPPED:
            yield Token(kind, text[pos:end], pos)
        pos = end


def iri_value(token: Token) -> str:
    """The IRI an `iri` token writes, with its \\u escapes decoded."""
    return _UNESCAPE_UCHAR.sub(lambda m: chr(int(m.group()[2:], 16)), token.text[1:-1])


def is_absolute(iri: str) -> bool:
    return bool(urlsplit(iri).scheme)


@dataclass(frozen=True)
class Prologue:
    """The BASE and PREFIX declarations at the head of a request, and where its body starts."""

    prefixes: dict[str, str]  # prefix -> IRI as written (None-free; a relative IRI stays relative)
    has_base: bool
    body: int  # index of the first token after the prologue


def prologue(tokens: list[Token]) -> Prologue:
    prefixes, has_base, i = {}, False, 0
    while i < len(tokens):
        if tokens[i].is_word("BASE") and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            has_base, i = True, i + 2
        elif (
            tokens[i].is_word("PREFIX")
            and i + 2 < len(tokens)
            and tokens[i + 1].kind == "pname"
            and tokens[i + 2].kind == "iri"
        ):
            prefixes[tokens[i + 1].text[:-1]] = iri_value(tokens[i + 2])
            i += 3
        else:
            break
    return Prologue(prefixes, has_base, i)


def _next_kind(tokens: Iterator[Token]) -> str | None:
    token = next(tokens, None)
    return token.kind if token is not None else None


REMEMBERED_FORM_CHARS = 16_384  # the forms of the last 256 requests up to this long are remembered (under 4 MiB)


def request_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE for a query; the first keyword of an update (INSERT,
    LOAD, ...); None when the text starts with neither. Reads the text only up to that keyword."""
    # a request sent again is not read again: a prologue of a dozen prefixes took 0.3 ms (issue 14)
    return _remembered_form(text) if len(text) <= REMEMBERED_FORM_CHARS else _request_form(text)


def _request_form(text: str) -> str | None:
    tokens = iter_tokens(text)
    for token in tokens:  # the prologue, as prologue() reads it, then the keyword
        if token.is_word("BASE"):
            if _next_kind(tokens) == "iri":
                continue
            return None
        if token.is_word("PREFIX"):
            if _next_kind(tokens) == "pname" and _next_kind(tokens) == "iri":
                continue
            return None
        return token.text.upper() if token.is_word(*QUERY_FORMS, *UPDATE_WORDS) else None
    return None


_remembered_form = functools.lru_cache(maxsize=256)(_request_form)


def has_dataset_clause(text: str, tokens: list[Token] | None = None) -> bool:
    """Whether a query names its own dataset (FROM or FROM NAMED); `tokens`: its tokens, if known."""
    return any(t.is_word("FROM") for t in (tokenize(text) if tokens is None else tokens))


class TooComplex(ValueError):
    """A request nested deeper, or longer in tokens, than the query engine can safely take."""


def checked_tokens(text: str, max_tokens: int = MAX_TOKENS, max_nesting: int = MAX_NESTING) -> list[Token]:
    """The tokens of a request that has at most `max_tokens` tokens and brackets ( { [ nested at most
    `max_nesting` deep; TooComplex for any other (read no further than the limit). pyoxigraph's parser
    and evaluator recurse over the request's structure, and a deep enough one overflows the stack and
    kills the process; the worker runs them on a stack large enough for anything within these limits
    (see worker.STACK_BYTES)."""
    tokens = list(itertools.islice(iter_tokens(text), max_tokens + 1))
    if len(tokens) > max_tokens:
        raise TooComplex(
            f"the request has more than {max_tokens} tokens (words, names, literals, signs): the server takes no more"
        )
    depth = deepest = 0
    for token in tokens:
        if token.kind == "punct" and token.text in ("(", "{", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind == "punct" and token.text in (")", "}", "]"):
            depth = max(depth - 1, 0)
    if deepest > max_nesting:
        raise TooComplex(f"the request nests brackets {deepest} deep: the server takes at most {max_nesting}")
    return tokens


def resolve_pname(token: Token, declared: dict[str, str], predeclared: dict[str, str]) -> str | None:
    """The IRI a prefixed name stands for, or None if its prefix is unknown."""
    prefix, _, local = token.text.partition(":")
    namespace = declared.get(prefix, predeclared.get(prefix))
    if namespace is None:
        return None
    return namespace + _LOCAL_ESCAPE.sub(r"\1", local)
