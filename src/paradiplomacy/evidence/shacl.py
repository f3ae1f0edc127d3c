"""SHACL validation of the built dataset, with results located in the evidence files.

The data graph is the union of every graph plus the ontology's class hierarchy, so that sh:class
and sh:targetClass follow rdfs:subClassOf without running inference; it holds only the
predicates some shape looks at (types, subclass axioms, the shapes' paths), since no constraint
can see anything else. It is read from the build's pyoxigraph store into another (the default graph
of an in-memory ox.Store), which pyshacl-turbo reads as it is; pySHACL gets an rdflib graph of it.

Two engines give the same reports: pySHACL, the reference, and pyshacl-turbo, its drop-in
reimplementation in Rust (the SHACL check of 5,000 claims: 18.4-18.9 s with pySHACL, 7.3-8.5 s with
pyshacl-turbo, docs/performance.md), the default when installed. tests/test_validation.py holds them to the same results.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from paradiplomacy.errors import Problem
from paradiplomacy.evidence.reader import Evidence, Where
from paradiplomacy.namespaces import PDR, claim_iri
from paradiplomacy.rdfutil import OxDataset, graph_of, slug_or_iri, to_ox

ENGINES = ("turbo", "pyshacl")


def default_engine() -> str:
    try:
        import pyshacl_turbo  # noqa: F401

        return "turbo"
    except ImportError:
        return "pyshacl"


def run_shacl(data: Graph | ox.Store, shapes: Graph, engine: str | None = None) -> tuple[bool, Graph]:
    """(conforms, report graph) of `data` (an rdflib graph, or a pyoxigraph store's default graph) against
    `shapes`; the data graph may be changed."""
    engine = engine or default_engine()
    if engine == "turbo":  # it takes a pyoxigraph store as it is
        from pyshacl_turbo import validate
    elif engine == "pyshacl":
        from pyshacl import validate

        if isinstance(data, ox.Store):
            data = graph_of(data)  # its default graph
    else:
        raise ValueError(f"unknown SHACL engine {engine!r}: one of {', '.join(ENGINES)}")
    # in place: an rdflib graph is not copied; a pyoxigraph store is read as it is either way, and in place
    # would only have the (absent) rule results written back, after a comparison of the whole data
    in_place = not isinstance(data, ox.Store)
    conforms, results, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=in_place
    )
    return conforms, results


_PREDICATE_LINKS = ("path", "targetSubjectsOf", "targetObjectsOf", "equals", "disjoint", "lessThan", "lessThanOrEquals")
_SPARQL_LINKS = ("sparql", "select", "ask", "target")  # SPARQL-based constraints and targets see everything


def shape_predicates(shapes: Graph) -> set[URIRef] | None:
    """The predicates the shapes can look at: paths (sequence paths included), targets by
    predicate, property-pair constraints, rdf:type and rdfs:subClassOf; None (all of them) when a
    shape uses SPARQL."""
    if any(True for link in _SPARQL_LINKS for _ in shapes.triples((None, SH[link], None))):
        return None
    found = set()
    for link in _PREDICATE_LINKS:
        for value in shapes.objects(None, SH[link]):
            if isinstance(value, URIRef):
                found.add(value)
            else:  # a sequence path: an RDF list of predicates
                found |= {p for p in Collection(shapes, value) if isinstance(p, URIRef)}
    return found | {RDF.type, RDFS.subClassOf}


@dataclass(frozen=True)
class ShaclResult:
    """One result of a SHACL report, as rdflib terms."""

    focus: object
    path: object
    message: object
    value: object
    warning: bool  # sh:Warning (anything else is a violation)


def read_report(results: Graph) -> list[ShaclResult]:
    """The results of a SHACL validation report graph (pySHACL's and pyshacl-turbo's alike)."""
    return [
        ShaclResult(
            results.value(r, SH.focusNode),
            results.value(r, SH.resultPath),
            results.value(r, SH.resultMessage),
            results.value(r, SH.value),
            results.value(r, SH.resultSeverity) == SH.Warning,
        )
        for r in results.subjects(RDF.type, SH.ValidationResult)
    ]


def local_name(iri) -> str | None:
    """The last segment of a property's IRI (after # or /): the field a problem names."""
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1] if isinstance(iri, URIRef) else None


@dataclass
class ShaclReport:
    violations: list[Problem]
    warnings: list[Problem]


def _locator(evidence: Evidence):
    claims = {claim_iri(c.id): c.where for c in evidence.claims}
    resources = {PDR[k]: w for k, w in evidence.declared.items()}
    works = {PDR[k]: w.where for k, w in evidence.works.items()}
    return {**works, **resources, **claims}


def shacl_data(dataset: OxDataset, shapes: Graph) -> ox.Store:
    """The union of the dataset's graphs, each triple once, with only the predicates a shape looks at, as the
    default graph of a pyoxigraph store (rdflib's graph of them took ten times the memory)."""
    wanted = shape_predicates(shapes)
    data = ox.Store()
    for p in (None,) if wanted is None else wanted:
        found = dataset.store.quads_for_pattern(None, None if p is None else to_ox(p), None)
        data.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in found)
    return data


def shacl_check(dataset: OxDataset, shapes: Graph, evidence: Evidence, engine: str | None = None) -> ShaclReport:
    data = shacl_data(dataset, shapes)
    conforms, results = run_shacl(data, shapes, engine)
    where = _locator(evidence)
    violations, warnings = [], []
    for result in read_report(results):
        w = where.get(result.focus, Where("(graph)", None))
        value = result.value
        text = f"{slug_or_iri(result.focus)!r}: {result.message}" + (
            f" (value {value})" if value is not None and str(value) != str(result.focus) else ""
        )
        problem = Problem(w.file, w.line, local_name(result.path), text)
        (warnings if result.warning else violations).append(problem)
    key = lambda p: (p.file, p.line or 0, p.message)
    return ShaclReport(sorted(violations, key=key), sorted(warnings, key=key))
