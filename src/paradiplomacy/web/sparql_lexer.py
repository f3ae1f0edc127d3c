"""A tokenizer for SPARQL 1.1 text: what is a comment, a string, an IRI, a prefixed name, a
variable or a keyword, with the position of each token.

It serves what must be known before (or without) parsing: the form of a query (SELECT, ASK,
CONSTRUCT, DESCRIBE, or an update), whether it names its own dataset (FROM), which prefixes it
declares, and where its SERVICE and LOAD keywords stand and what follows them. Comments and
string literals are what can hide a keyword from a naive search; they are consumed here as
tokens, by the grammar's own terminal rules (SPARQL 1.1 Query, section 19.8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

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
    ("punct", r"\^\^|\|\||&&|!=|<=|>=|[^\s]"),
]
_TOKEN = re.compile("|".join(f"(?P<{kind}{i}>{rule})" for i, (kind, rule) in enumerate(_TOKEN_RULES)))
_UNESCAPE_UCHAR = re.compile(_UCHAR)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Token:
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
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        kind = m.lastgroup.rstrip("0123456789")
        if kind == "punct" and text[pos] in "'\"":  # a quote that opens no complete string
            tokens.append(Token("error", text[pos:], pos))
            break
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    return tokens


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
        elif (tokens[i].is_word("PREFIX") and i + 2 < len(tokens) and tokens[i + 1].kind == "pname"
              and tokens[i + 2].kind == "iri"):
            prefixes[tokens[i + 1].text[:-1]] = iri_value(tokens[i + 2])
            i += 3
        else:
            break
    return Prologue(prefixes, has_base, i)


def request_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE for a query; the first keyword of an update (INSERT,
    LOAD, ...); None when the text starts with neither."""
    tokens = tokenize(text)
    head = prologue(tokens).body
    if head < len(tokens) and tokens[head].is_word(*QUERY_FORMS, *UPDATE_WORDS):
        return tokens[head].text.upper()
    return None


def has_dataset_clause(text: str) -> bool:
    """Whether a query names its own dataset (FROM or FROM NAMED)."""
    return any(t.is_word("FROM") for t in tokenize(text))


def resolve_pname(token: Token, declared: dict[str, str], predeclared: dict[str, str]) -> str | None:
    """The IRI a prefixed name stands for, or None if its prefix is unknown."""
    prefix, _, local = token.text.partition(":")
    namespace = declared.get(prefix, predeclared.get(prefix))
    if namespace is None:
        return None
    return namespace + _LOCAL_ESCAPE.sub(r"\1", local)
