"""OWL 2 RL over the whole asserted store: what the engine reads, the rules it gets around, what
it ignores, and the inconsistencies it cannot report.

Input. Every asserted graph of a pyoxigraph store except the inferred ones is read: the TBox graphs
(the project's ontology, every graph that holds an `owl:Ontology`, any graph the user names) and the
data graphs (claims, imported datasets, loaded RDF). pyoxigraph writes them as one N-Triples file
(N-Triples is Turtle, the only syntaxes `reasonable` reads), and `reasonable` parses it in Rust:
measured on the 158,041 asserted triples of a 5,000-claim store, 34.9 s and 456 MB against 42.2 s
and 658 MB for the same triples handed over as an rdflib graph, which makes a Python object per
term (benchmarks/reasoning.py --store S --input-route, on a loaded machine).

prp-fp and prp-ifp. `reasonable` (0.4.4) joins every triple of a functional property with every
other triple of that property, not on the subject: time and memory grow with the square of the
property's triples (docs/upstream/reasonable-prp-fp.md: 10,000 triples of a functional property,
15.3 s and 1.8 GB; undeclared, 0.4 s and 70 MB; 20,000 do not fit in 8 GB), and its
prp-ifp equates the subjects of *any* two triples of an inverse-functional property, whatever their
objects (an unsound `owl:sameAs`). The declarations are therefore kept out of the engine's input and
the two rules applied here by grouping on the subject (on the object for prp-ifp), in linear time;
new equalities are fed back to the engine until nothing changes.

Ignored. `reasonable` has no rule for property chains (prp-spo2), keys (prp-key), max-cardinality
(cls-maxc*, cls-maxqc*), enumerations (cls-oo), differentFrom/AllDifferent (eq-diff*) and
NegativePropertyAssertion: such axioms are listed in a warning, naming the axiom and the graph.

Inconsistency. The engine's Python binding reports no violation, so the closure is checked here
for the OWL 2 RL rules that derive `false` and that `reasonable` prepares (cax-dw, cls-nothing2,
prp-irp, prp-asyp, prp-pdw, and a functional data property with two values).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from paradiplomacy.namespaces import GRAPH_INFERRED, GRAPH_INFERRED_EXPLICIT, GRAPH_INFERRED_PROVENANCE, GRAPH_ONTOLOGY
from paradiplomacy.rdfutil import quad_to_rdflib, to_rdflib

NOT_ASSERTED = {GRAPH_INFERRED, GRAPH_INFERRED_EXPLICIT, GRAPH_INFERRED_PROVENANCE}

# The rules for these declarations are applied here (see the module doc), not by the engine.
JOINED_HERE = {OWL.FunctionalProperty: "prp-fp", OWL.InverseFunctionalProperty: "prp-ifp"}

# axiom predicates (or types) the engine has no rule for: the OWL 2 RL rule(s) left out
IGNORED_PREDICATES = {
    OWL.propertyChainAxiom: "prp-spo2 (property chain)",
    OWL.hasKey: "prp-key (key)",
    OWL.maxCardinality: "cls-maxc1/2 (max cardinality)",
    OWL.maxQualifiedCardinality: "cls-maxqc1-4 (max qualified cardinality)",
    OWL.oneOf: "cls-oo (enumeration)",
    OWL.differentFrom: "eq-diff1 (differentFrom)",
    OWL.distinctMembers: "eq-diff2/3 (AllDifferent)",
    OWL.members: "eq-diff2/3, cax-adc, prp-adp (AllDifferent, AllDisjointClasses/Properties)",
    OWL.sourceIndividual: "prp-npa1/2 (negative property assertion)",
}

# types and relations that hold of everything, or of a term and itself: not worth a triple
TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource}
REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty}


@dataclass
class Selection:
    """The graphs reasoning reads, by role, and their sizes."""

    tbox: dict = field(default_factory=dict)  # graph IRI -> triples
    data: dict = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(self.tbox.values()) + sum(self.data.values())

    @property
    def graphs(self) -> list:
        return list(self.tbox) + list(self.data)


@dataclass
class Closure:
    """What OWL 2 RL entails beyond the asserted triples, and what the engine was not told."""

    entailed: set
    input_triples: int
    closure_triples: int
    warnings: list
    violations: list  # (rule, message, resources involved)
    engine_runs: int = 1
    seconds: dict = field(default_factory=dict)


def _count_by_graph(store: ox.Store) -> dict:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {URIRef(r["g"].value): int(r["n"].value) for r in rows}
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if default:
        counts[None] = default
    return counts


def select_graphs(store: ox.Store, tbox=(), default_graph: bool = True) -> Selection:
    """TBox: the project's ontology graph, every graph holding an owl:Ontology, the graphs named in
    `tbox`; data: every other asserted graph (the default graph included, unless `default_graph` is
    False: where it is the union of the named graphs, it holds nothing of its own)."""
    counts = {
        g: n for g, n in _count_by_graph(store).items() if g not in NOT_ASSERTED and (default_graph or g is not None)
    }
    ontologies = {
        URIRef(q.graph_name.value)
        for q in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.Ontology)))
        if isinstance(q.graph_name, ox.NamedNode)
    }
    wanted = {GRAPH_ONTOLOGY, *ontologies, *(URIRef(str(t)) for t in tbox)}
    missing = [str(t) for t in tbox if URIRef(str(t)) not in counts]
    if missing:
        from paradiplomacy.errors import InvalidInput, Problem

        raise InvalidInput([Problem("(reason --tbox)", None, None, f"no graph <{m}> in the store") for m in missing])
    sel = Selection()
    for g, n in sorted(counts.items(), key=lambda kv: str(kv[0])):
        (sel.tbox if g in wanted else sel.data)[g] = n
    return sel


def _graph_node(g):
    return ox.DefaultGraph() if g is None else ox.NamedNode(str(g))


def _asserted_quads(store: ox.Store, graphs, s=None, p=None, o=None):
    """The quads of `graphs` matching a pattern: one scan over all graphs, not one per graph (a
    project has a graph per claim: 10,000 calls cost more than the filter)."""
    wanted = {_graph_node(g) for g in graphs}
    return (q for q in store.quads_for_pattern(s, p, o) if q.graph_name in wanted)


def write_ntriples(store: ox.Store, graphs, path: Path, leave_out=frozenset(), seen=None) -> None:
    """The union of `graphs` as N-Triples, serialised by pyoxigraph (no rdflib object per triple);
    `leave_out`: triples (pyoxigraph) not to write; `seen(quad)` is called on every quad read, so
    that one scan of the store serves the caller too (a scan of the on-disk store costs 16 times
    one of an in-memory store: 204,572 quads, 4.7 s against 0.29 s)."""

    def triples():
        for q in _asserted_quads(store, graphs):
            if seen is not None:
                seen(q)
            if q.triple not in leave_out:
                yield q.triple

    with open(path, "wb") as out:
        ox.serialize(triples(), out, ox.RdfFormat.N_TRIPLES)


def _norm(term):
    """RDF 1.1: a plain literal is an xsd:string; `reasonable` returns it typed, rdflib keeps them apart."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


class _TermCache(dict):
    """pyoxigraph term -> rdflib term, each made once: subjects and predicates recur, and an rdflib
    IRI costs 25 times the lookup (URIRef validates its text)."""

    def __call__(self, term):
        found = self.get(term)
        if found is None:
            found = self[term] = _norm(to_rdflib(term))
        return found


def _triples(store: ox.Store, graphs, predicate=None, obj=None) -> list:
    p = ox.NamedNode(str(predicate)) if predicate is not None else None
    o = ox.NamedNode(str(obj)) if obj is not None else None
    return [quad_to_rdflib(q) for q in _asserted_quads(store, graphs, None, p, o)]


def ignored_axioms(store: ox.Store, sel: Selection) -> list[str]:
    """One warning per ignored construct: the rule, how many axioms, the first axioms with their graph."""
    found = defaultdict(list)
    for pred, rule in IGNORED_PREDICATES.items():
        for s, _, o, g in _triples(store, sel.graphs, pred):
            found[rule].append(f"{_show(s)} {_show(pred)} {_show(o)} (graph <{g}>)")
    return [
        f"OWL 2 RL engine `reasonable` has no rule {rule}: {len(axioms)} axiom(s) ignored: "
        + "; ".join(axioms[:3])
        + (" ..." if len(axioms) > 3 else "")
        for rule, axioms in found.items()
    ]


def rerouted_axioms(store: ox.Store, sel: Selection) -> list[str]:
    """The declarations of users' ontologies whose rule the project applies instead of the engine."""
    out = []
    for kind, rule in JOINED_HERE.items():
        for s, _, o, g in _triples(store, [g for g in sel.tbox if g != GRAPH_ONTOLOGY], RDF.type, kind):
            out.append(
                f"{_show(s)} a {_show(o)} (graph <{g}>): rule {rule} applied by a join on the "
                + ("subject" if rule == "prp-fp" else "object")
                + ", not by `reasonable` (quadratic there)"
            )
    return out


WELL_KNOWN = {"owl": str(OWL), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}


def _show(t) -> str:
    if isinstance(t, BNode):
        return f"_:{t}"
    if isinstance(t, URIRef):
        for prefix, ns in WELL_KNOWN.items():
            if str(t).startswith(ns):
                return f"{prefix}:{str(t)[len(ns) :]}"
    return t.n3() if hasattr(t, "n3") else str(t)


class _Equalities:
    """prp-fp and prp-ifp by hashing: the objects of a functional property grouped by subject, the
    subjects of an inverse-functional one by object."""

    def __init__(self, functional: set, inverse_functional: set):
        self.functional, self.inverse_functional = functional, inverse_functional

    def derive(self, closure) -> tuple[set, list]:
        by_subject, by_object = defaultdict(set), defaultdict(set)
        for s, p, o in closure:
            if p in self.functional:
                by_subject[(p, s)].add(_norm(o))
            if p in self.inverse_functional and not isinstance(o, Literal):
                by_object[(p, o)].add(s)
        same, violations = set(), []
        for (p, s), values in by_subject.items():
            if len(values) < 2:
                continue
            literals = {v for v in values if isinstance(v, Literal)}
            if literals and (
                len({(v.value if v.value is not None else str(v), v.datatype) for v in literals}) > 1
                or len(literals) < len(values)
            ):
                values_text = ", ".join(sorted(_show(v) for v in values))
                violations.append(
                    (
                        "prp-fp",
                        f"{_show(s)} has {len(values)} values of the functional property "
                        + f"{_show(p)}: {values_text}",
                        [s],
                    )
                )
                continue
            same |= _chain(values)
        for subjects in by_object.values():
            if len(subjects) > 1:
                same |= _chain(subjects)
        return same, violations


def _chain(terms) -> set:
    """x1 = x2, x1 = x3, ...: the engine's eq-sym and eq-trans do the rest."""
    first, *rest = sorted(terms, key=str)
    return {(first, OWL.sameAs, t) for t in rest if t != first}


_TYPE = {RDF.type}
_SPECIAL_PROPERTY_TYPES = {OWL.IrreflexiveProperty, OWL.AsymmetricProperty}
_DISJOINTNESS = {OWL.disjointWith, OWL.propertyDisjointWith}


def violations_in(closure: set) -> list:
    """The OWL 2 RL rules that derive `false`, checked on the closure (see the module doc): a pass
    for the axioms, then one over the few types and properties that can clash."""
    irreflexive, asymmetric, disjoint, disjoint_props = set(), set(), set(), set()
    for s, p, o in closure:
        if p in _TYPE:
            if o in _SPECIAL_PROPERTY_TYPES:
                (irreflexive if o == OWL.IrreflexiveProperty else asymmetric).add(s)
        elif p in _DISJOINTNESS:
            (disjoint if p == OWL.disjointWith else disjoint_props).add((s, o))
    classes = {OWL.Nothing} | {c for pair in disjoint for c in pair}
    checked = irreflexive | asymmetric | {p for pair in disjoint_props for p in pair}
    types, by_property = defaultdict(set), defaultdict(set)
    for s, p, o in closure:
        if p in _TYPE:
            if o in classes:
                types[s].add(o)
        elif p in checked:
            by_property[p].add((s, o))
    found = []
    for x, classes in types.items():
        if OWL.Nothing in classes:
            found.append(("cls-nothing2", f"{_show(x)} is an owl:Nothing", [x]))
        for c1, c2 in disjoint:
            if c1 in classes and c2 in classes:
                found.append(("cax-dw", f"{_show(x)} is both {_show(c1)} and {_show(c2)}, which are disjoint", [x]))
    for p in irreflexive:
        found += [
            ("prp-irp", f"{_show(x)} {_show(p)} itself, an irreflexive property", [x])
            for x, y in by_property[p]
            if x == y
        ]
    for p in asymmetric:
        pairs = by_property[p]
        found += [
            ("prp-asyp", f"{_show(x)} and {_show(y)} are related both ways by the asymmetric {_show(p)}", [x, y])
            for x, y in pairs
            if (y, x) in pairs and str(x) <= str(y)
        ]
    for p1, p2 in disjoint_props:
        found += [
            (
                "prp-pdw",
                f"{_show(x)} is related to {_show(y)} by both {_show(p1)} and {_show(p2)}, " + "disjoint properties",
                [x, y],
            )
            for x, y in by_property[p1] & by_property[p2]
        ]
    return found


def _run_reasonable(path: Path, extra: set):
    import reasonable

    r = reasonable.PyReasoner()
    r.load_file(str(path))
    if extra:
        from rdflib import Graph

        g = Graph()
        for t in extra:
            g.add(t)
        r.from_graph(g)
    return r.reason()


def _run_owlrl(path: Path, extra: set):
    import owlrl
    from rdflib import Graph

    g = Graph()
    g.parse(path, format="nt")
    for t in extra:
        g.add(t)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(g)
    return g


ENGINES = {"reasonable": _run_reasonable, "owlrl": _run_owlrl}


def _keep(t) -> bool:
    s, p, o = t
    if isinstance(s, (BNode, Literal)) or isinstance(o, BNode):  # owlrl makes generalised RDF: literal subjects
        return False
    if p in _TYPE and o in TRIVIAL_TYPES:  # set membership: URIRef.__eq__ is Python, hashing is not
        return False
    return not (p in REFLEXIVE and s == o)


def closure(store: ox.Store, sel: Selection, engine: str = "reasonable") -> Closure:
    """OWL 2 RL over the selected graphs of `store`; returns the entailed triples that are neither
    asserted nor trivial (types owl:Thing, reflexive sameAs/subClassOf, blank nodes: restrictions and
    lists, which only the engine's own blank nodes could name)."""
    run = ENGINES[engine]
    seconds = {}
    started = time.monotonic()
    functional = {s for s, *_ in _triples(store, sel.graphs, RDF.type, OWL.FunctionalProperty)}
    inverse_functional = {s for s, *_ in _triples(store, sel.graphs, RDF.type, OWL.InverseFunctionalProperty)}
    held_back = set()
    if engine == "reasonable":  # owlrl joins on the subject itself (and is not quadratic here)
        held_back = {
            (p, RDF.type, t)
            for t, props in ((OWL.FunctionalProperty, functional), (OWL.InverseFunctionalProperty, inverse_functional))
            for p in props
        }
    fd, name = tempfile.mkstemp(suffix=".ttl", prefix="paradiplomacy-rl-")  # .ttl: what the engine will parse
    os.close(fd)
    path = Path(name)
    try:
        from paradiplomacy.rdfutil import to_ox

        term, asserted = _TermCache(), set()
        write_ntriples(
            store,
            sel.graphs,
            path,
            {ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in held_back},
            seen=lambda q: asserted.add((term(q.subject), term(q.predicate), term(q.object))),
        )
        term.clear()  # the terms now live in `asserted`; the index of them can go
        seconds["input"] = time.monotonic() - started
        equalities = _Equalities(functional, inverse_functional) if engine == "reasonable" else None
        extra, runs, started = set(), 0, time.monotonic()
        while True:
            runs += 1
            result = {(_norm(s), p, _norm(o)) for s, p, o in run(path, extra)}
            if equalities is None:
                violations = []
                break
            same, violations = equalities.derive(result)
            new = same - result
            if not new:
                break
            extra |= new
        seconds["engine"] = time.monotonic() - started
        started = time.monotonic()
        result |= held_back
        violations += violations_in(result)
        closure_size = len(result)
        entailed = {t for t in result if t not in asserted and _keep(t)}
        seconds["output"] = time.monotonic() - started
    finally:
        path.unlink(missing_ok=True)
    return Closure(entailed, len(asserted), closure_size, [], violations, runs, seconds)
