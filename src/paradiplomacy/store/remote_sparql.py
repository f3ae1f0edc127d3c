"""SPARQL text for a remote store: the update requests that write quads, and the server's result
terms as rdflib terms.

Kept apart from the HTTP client (remote_store) so that each can be read and tested alone."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef

from paradiplomacy.rdfutil import graph_name, to_ox

XSD = "http://www.w3.org/2001/XMLSchema#"
BLOCK = 1000  # triples per GRAPH { } block: Virtuoso's SPARQL parser runs out of stack near 5,000

RESULT_KINDS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}  # by query form


# ---- result terms ----------------------------------------------------------------------------


def bnode_label(label: str) -> str:
    """A label valid in N-Triples and Turtle for a server's blank node (Virtuoso: nodeID://b1)."""
    if label.startswith("nodeID://"):
        label = label[len("nodeID://") :]
    return label if re.fullmatch(r"[A-Za-z0-9]+", label) else "h" + hashlib.sha1(label.encode()).hexdigest()[:24]


def literal(value: str, lang: str | None = None, datatype: str | None = None) -> Literal:
    """As the embedded store gives it: language tags in lower case (Oxigraph normalises them),
    xsd:string as a plain literal, booleans as true/false (Virtuoso answers 1/0)."""
    if lang:
        return Literal(value, lang=lang.lower())
    if not datatype or datatype == XSD + "string":
        return Literal(value)
    if datatype == XSD + "boolean" and value in ("1", "0"):
        value = "true" if value == "1" else "false"
    return Literal(value, datatype=URIRef(datatype))


def json_term(b: dict):
    """A term of SPARQL 1.1 Query Results JSON (and Virtuoso's older 'typed-literal')."""
    kind = b["type"]
    if kind == "uri":
        return URIRef(b["value"])
    if kind == "bnode":
        return BNode(bnode_label(b["value"]))
    if kind in ("literal", "typed-literal"):
        return literal(b["value"], b.get("xml:lang"), b.get("datatype"))
    raise ValueError(f"unsupported term in the server's answer: {b!r}")


def from_ox(term):
    """A term of pyoxigraph's parser (CONSTRUCT answers) with the same normalisation."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(bnode_label(term.value))
    lang = term.language
    return literal(term.value, lang, None if lang else term.datatype.value)


# ---- writing quads as SPARQL Update ---------------------------------------------------------


@dataclass
class Unit:
    """Quads that must travel in one request: one quad, or all the quads of a set of blank nodes
    that refer to each other (a blank node label means the same node only within a request)."""

    lines: list  # (graph IRI or None, "s p o .")
    blank: bool
    size: int = 0


def iri(value: str) -> str:
    """An IRI written for a query, `<...>`; ValueError if it is not a valid IRI (so nothing else
    can be pasted into the query)."""
    import pyoxigraph as ox

    return str(ox.NamedNode(value))


def nt(term) -> str:
    if isinstance(term, BNode):
        return "_:" + bnode_label(str(term))
    return str(to_ox(term))


def units(quads) -> list[Unit]:
    parent: dict[str, str] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    plain, blank = [], []
    for s, p, o, g in quads:
        g = None if graph_name(g) is None else str(g)
        line = (g, f"{nt(s)} {nt(p)} {nt(o)} .")
        nodes = [str(t) for t in (s, o) if isinstance(t, BNode)]
        if not nodes:
            plain.append(Unit([line], False, len(line[1])))
            continue
        for n in nodes[1:]:
            parent[find(n)] = find(nodes[0])
        blank.append((nodes[0], line))
    groups: dict[str, Unit] = {}
    for node, line in blank:
        unit = groups.setdefault(find(node), Unit([], True))
        unit.lines.append(line)
        unit.size += len(line[1])
    return plain + list(groups.values())


def batches(all_units: list[Unit], max_quads: int, max_bytes: int) -> list[list[Unit]]:
    out, current, quads, size = [], [], 0, 0
    for u in all_units:
        if current and (quads + len(u.lines) > max_quads or size + u.size > max_bytes):
            out.append(current)
            current, quads, size = [], 0, 0
        current.append(u)
        quads += len(u.lines)
        size += u.size + 2
    if current:
        out.append(current)
    return out


def _blocks(lines) -> str:
    by_graph: dict = {}
    for g, line in lines:
        by_graph.setdefault(g, []).append(line)
    parts = []
    for g, triples in by_graph.items():
        for i in range(0, len(triples), BLOCK):
            body = "\n".join(triples[i : i + BLOCK])
            parts.append(body if g is None else f"GRAPH <{g}> {{\n{body}\n}}")
    return "\n".join(parts)


def insert_operations(batch: list[Unit]) -> list[str]:
    """INSERT DATA for ground quads. Quads with blank nodes go in INSERT { } WHERE { }, since
    Virtuoso refuses blank nodes in INSERT DATA (SPARQL 1.1 allows them): one operation per graph
    and at most BLOCK triples (Virtuoso fails on templates of several graphs with blank nodes, and
    on templates that compile to over 10,000 lines of SQL), never splitting a unit (a blank node
    label means one node only within one operation)."""
    ops = []
    plain = [line for u in batch if not u.blank for line in u.lines]
    if plain:
        ops.append("INSERT DATA {\n" + _blocks(plain) + "\n}")
    per_graph: dict = {}
    for u in batch:
        if u.blank:
            graphs = {g for g, _ in u.lines}
            per_graph.setdefault(graphs.pop() if len(graphs) == 1 else tuple(sorted(graphs, key=str)), []).append(u)
    for units_of_graph in per_graph.values():
        for chunk in batches(units_of_graph, BLOCK, 2**62):
            ops.append("INSERT {\n" + _blocks([line for u in chunk for line in u.lines]) + "\n} WHERE {}")
    return ops


def ntriples(batch: list[Unit]) -> bytes:
    return "".join(line + "\n" for u in batch for _, line in u.lines).encode()
