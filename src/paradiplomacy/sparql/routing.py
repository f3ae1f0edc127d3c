"""Federated queries: which SERVICE IRIs a query calls, and where those calls really go.

Queries name public services (`SERVICE <https://query.wikidata.org/sparql>`). The `service_map`
setting (PARADIPLOMACY_SERVICE_MAP, space-separated PUBLIC=LOCAL pairs) sends a public service to
another URL, a local stand-in in tests or a mirror, without editing the query: `resolve` rewrites
the SERVICE IRIs of the query text just before it runs. Callers that keep an allow-list check the
query's public IRIs (`service_iris`) first, then resolve.

The scanner knows SPARQL's comments, strings and IRIs, so that an IRI in a string or a comment is
never touched; prefixed service names (`SERVICE wdqs:sparql`) are expanded with the query's own
PREFIX declarations and the project's predeclared prefixes.
"""

from __future__ import annotations

import re

from paradiplomacy.errors import ParadiplomacyError
from paradiplomacy.namespaces import PREFIXES

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<word>[A-Za-z_][\w.-]*:[\w.-]*|[A-Za-z_]\w*|:[\w.-]*)
  | (?P<other>\S)
""", re.X | re.S)


def _tokens(query: str):
    for m in _TOKEN.finditer(query):
        yield m.lastgroup, m.group(), m.start(), m.end()


def _prefixes(query: str) -> dict[str, str]:
    out = dict(PREFIXES)
    toks = [(k, v) for k, v, _, _ in _tokens(query) if k not in ("comment",)]
    for i, (kind, value) in enumerate(toks[:-2]):
        if kind == "word" and value.upper() == "PREFIX" and toks[i + 2][0] == "iri":
            out[toks[i + 1][1].rstrip(":")] = toks[i + 2][1][1:-1]
    return out


def _services(query: str):
    """(start, end, iri) of each SERVICE target in the query."""
    prefixes = None
    toks = [t for t in _tokens(query) if t[0] != "comment"]
    for i, (kind, value, _, _) in enumerate(toks):
        if kind != "word" or value.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "SILENT":
            j += 1
        if j >= len(toks):
            continue
        tkind, tvalue, start, end = toks[j]
        if tkind == "iri":
            yield start, end, tvalue[1:-1]
        elif tkind == "word" and ":" in tvalue:
            prefixes = prefixes if prefixes is not None else _prefixes(query)
            prefix, local = tvalue.split(":", 1)
            if prefix in prefixes:
                yield start, end, prefixes[prefix] + local


def service_iris(query: str) -> list[str]:
    """The IRIs of the services a query calls (variables excepted), in order."""
    return [iri for _, _, iri in _services(query)]


def parse_map(value: str | None) -> dict[str, str]:
    """'PUBLIC=LOCAL PUBLIC2=LOCAL2' -> {PUBLIC: LOCAL}."""
    out = {}
    for pair in (value or "").replace(",", " ").split():
        public, sep, local = pair.partition("=")
        if not sep or not public or not local:
            raise ValueError(f"not a PUBLIC=LOCAL pair: {pair!r}")
        out[public] = local
    return out


def rewrite_services(query: str, mapping: dict[str, str]) -> str:
    """The query with each mapped SERVICE IRI replaced by its local URL; the rest untouched."""
    if not mapping:
        return query
    out, last = [], 0
    for start, end, iri in _services(query):
        if iri in mapping:
            out += [query[last:start], f"<{mapping[iri]}>"]
            last = end
    return "".join(out) + query[last:]


def resolve(query: str, config) -> str:
    """Rewrite the query's SERVICE IRIs as the configuration's `service_map` says."""
    try:
        mapping = parse_map(getattr(config, "service_map", ""))
    except ValueError as exc:
        raise ParadiplomacyError(f"the service_map setting (PARADIPLOMACY_SERVICE_MAP): {exc}") from exc
    return rewrite_services(query, mapping)
