"""Which remote endpoints a request may make the server call: federated SERVICE only to the
allow-list, and LOAD never.

pyoxigraph calls any SERVICE IRI over HTTP (and LOAD fetches), so a request is checked before it
runs. Two readings of the text must agree:

1. The tokenizer (sparql.lexer) finds each SERVICE keyword and what follows it: SILENT, then an
   absolute IRI or a prefixed name, then `{`. Anything else there (a variable, a relative IRI, an
   unknown prefix) is refused, since the allow-list cannot be checked against it.
2. A case-insensitive search for the letters "service" anywhere (strings, comments, IRIs,
   names, non-ASCII look-alikes included) must find no more occurrences than the tokenizer's
   keywords. If it finds more, some may be keywords the tokenizer took for something else; then
   rdflib's SPARQL parser (a full grammar, run without its \\u pre-expansion, which pyoxigraph
   does not do either) must parse the request and find exactly the same number of SERVICE
   clauses, all to allowed IRIs; otherwise the request is refused.

An allowed endpoint may be routed elsewhere (the `service_map` setting): `route` rewrites the
checked SERVICE clauses just before the request runs.

FROM, FROM NAMED, USING and GRAPH never fetch anything: pyoxigraph takes them as names of graphs
in the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paradiplomacy.errors import ParadiplomacyError
from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.sparql.lexer import Token, iri_value, is_absolute, prologue, resolve_pname, tokenize


class Refused(Exception):
    """A request that would make the server call a remote address it may not call."""


@dataclass(frozen=True)
class ServiceCall:
    target: str  # the endpoint IRI
    token: Token  # where the IRI or prefixed name stands in the text


def _skip_silent(tokens: list[Token], i: int) -> int:
    return i + 1 if i < len(tokens) and tokens[i].is_word("SILENT") else i


def _target_iri(target: Token | None, follows: Token | None, head) -> str:
    """The endpoint IRI a SERVICE clause names; Refused where it names none that can be checked."""
    if target is None or target.kind not in ("iri", "pname"):
        shown = target.text if target is not None else "nothing"
        raise Refused(
            f"SERVICE must name its endpoint with an IRI, not {shown}: only endpoints of the "
            "allow-list may be called, and a variable cannot be checked against it"
        )
    if follows is None or follows.text != "{":
        raise Refused(f"cannot read the SERVICE clause at {target.text!r}: the endpoint must be followed by {{")
    if target.kind == "iri":
        iri = iri_value(target)
    else:
        iri = resolve_pname(target, head.prefixes, PREFIXES)
        if iri is None:
            raise Refused(f"SERVICE {target.text}: unknown prefix")
    if not is_absolute(iri):
        raise Refused(f"SERVICE <{iri}>: the endpoint must be an absolute IRI")
    return iri


def service_calls(tokens: list[Token], strict: bool = True) -> list[ServiceCall]:
    """The SERVICE clauses of a request, in order. `strict`: Refused for a clause whose endpoint
    cannot be read (a variable, a relative IRI, an unknown prefix); else such a clause is left out."""
    head = prologue(tokens)
    calls = []
    for i, tok in enumerate(tokens):
        if not tok.is_word("SERVICE"):
            continue
        j = _skip_silent(tokens, i + 1)
        target = tokens[j] if j < len(tokens) else None
        follows = tokens[j + 1] if j + 1 < len(tokens) else None
        try:
            calls.append(ServiceCall(_target_iri(target, follows, head), target))
        except Refused:
            if strict:
                raise
    return calls


@dataclass(frozen=True)
class ParsedRequest:
    services: list[str]  # the SERVICE endpoints, resolved
    loads: int  # how many LOAD operations


def _parse(text: str, update: bool) -> ParsedRequest:
    """The request as rdflib's parser reads it (raises if it cannot)."""
    from rdflib.plugins.sparql import algebra, parser
    from rdflib.plugins.sparql.parserutils import CompValue

    if update:
        roots = list(
            algebra.translateUpdate(parser.UpdateUnit.parse_string(text, parse_all=True)[0], initNs=PREFIXES).algebra
        )
    else:
        roots = [algebra.translateQuery(parser.Query.parse_string(text, parse_all=True), initNs=PREFIXES).algebra]
    services, loads, stack = [], 0, roots
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                services.append(str(node.get("term")))
            loads += node.name == "Load"
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return ParsedRequest(services, loads)


def _confirm_with_parser(text: str, calls: list[ServiceCall], update: bool, allowed) -> None:
    try:
        parsed = _parse(text, update)
    except Exception as exc:
        raise Refused(
            "the request mentions SERVICE or LOAD where the checker cannot tell a keyword from "
            f"text, and a second parser could not read it ({str(exc).splitlines()[0][:200]}): "
            "a federated request must be plain enough to verify"
        ) from exc
    for iri in parsed.services:
        if iri not in allowed:
            raise Refused(f"SERVICE <{iri}> is not allowed: the server calls only {describe(allowed)}")
    if len(parsed.services) != len(calls) or parsed.loads:
        raise Refused("the request's SERVICE or LOAD clauses could not be verified (two readings of it disagree)")


def describe(allowed) -> str:
    return ", ".join(f"<{a}>" for a in sorted(allowed)) if allowed else "no remote endpoint"


def check(
    text: str, allowed: frozenset[str], update: bool = False, tokens: list[Token] | None = None
) -> list[ServiceCall]:
    """Raise Refused unless every SERVICE of the request calls an allowed endpoint and, for an
    update, it has no LOAD. Returns the SERVICE calls found. `tokens`: the text's, if known."""
    tokens = tokenize(text) if tokens is None else tokens
    if update and any(t.is_word("LOAD") for t in tokens):
        raise Refused("LOAD is refused: the server fetches nothing from the network")
    calls = service_calls(tokens)
    for call in calls:
        if call.target not in allowed:
            raise Refused(f"SERVICE <{call.target}> is not allowed: the server calls only {describe(allowed)}")
    hidden = len(re.findall("service", text, re.IGNORECASE)) > len(calls)
    if hidden or (update and re.search("load", text, re.IGNORECASE)):
        _confirm_with_parser(text, calls, update, allowed)
    return calls


def route(text: str, calls: list[ServiceCall], routes: dict[str, str]) -> str:
    """The request with each SERVICE endpoint that `routes` maps (public IRI -> where the call
    really goes: a mirror, or a local stand-in in tests) rewritten; `calls` are those `check`
    found, which are all the SERVICE clauses of the request."""
    out, last = [], 0
    for call in sorted(calls, key=lambda c: c.token.start):
        if call.target in routes:
            out += [text[last : call.token.start], f"<{routes[call.target]}>"]
            last = call.token.end
    return "".join(out) + text[last:]


def service_iris(query: str) -> list[str]:
    """The endpoints a query's SERVICE clauses name (those it names by variable left out), in order."""
    return [call.target for call in service_calls(tokenize(query), strict=False)]


def parse_map(value: str | None) -> dict[str, str]:
    """The service_map setting, 'PUBLIC=LOCAL PUBLIC2=LOCAL2', as {PUBLIC: LOCAL}."""
    out = {}
    for pair in (value or "").replace(",", " ").split():
        public, sep, local = pair.partition("=")
        if not sep or not public or not local:
            raise ValueError(f"not a PUBLIC=LOCAL pair: {pair!r}")
        out[public] = local
    return out


def rewrite_services(query: str, mapping: dict[str, str]) -> str:
    """The query with each mapped SERVICE endpoint replaced by where its calls go; the rest untouched."""
    return route(query, service_calls(tokenize(query), strict=False), mapping) if mapping else query


def resolve(query: str, config) -> str:
    """The query's SERVICE endpoints rewritten as the configuration's service_map says (for the CLI,
    which calls what the query names: it has no allow-list to hold)."""
    try:
        mapping = parse_map(config.service_map)
    except ValueError as exc:
        raise ParadiplomacyError(f"the service_map setting (PARADIPLOMACY_SERVICE_MAP): {exc}") from exc
    return rewrite_services(query, mapping)
