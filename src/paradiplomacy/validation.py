"""SHACL validation of the built dataset (pySHACL), with results located in the evidence files.

The data graph is the union of every graph plus the ontology, so that sh:class and
sh:targetClass follow the ontology's rdfs:subClassOf hierarchy without running inference.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from .errors import Problem
from .evidence import Evidence, Where
from .namespaces import PDR, claim_iri

SH = "http://www.w3.org/ns/shacl#"


@dataclass
class ShaclReport:
    violations: list[Problem]
    warnings: list[Problem]


def _locator(evidence: Evidence):
    claims = {claim_iri(c.id): c.where for c in evidence.claims}
    resources = {PDR[k]: w for k, w in evidence.declared.items()}
    works = {PDR[k]: w.where for k, w in evidence.works.items()}
    return {**works, **resources, **claims}


def shacl_check(ds: Dataset, shapes: Graph, evidence: Evidence) -> ShaclReport:
    data = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        data.add((s, p, o))
    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                    allow_warnings=True)
    where = _locator(evidence)
    violations, warnings = [], []
    for r in results.subjects(RDF.type, URIRef(SH + "ValidationResult")):
        focus = results.value(r, URIRef(SH + "focusNode"))
        path = results.value(r, URIRef(SH + "resultPath"))
        message = results.value(r, URIRef(SH + "resultMessage"))
        severity = results.value(r, URIRef(SH + "resultSeverity"))
        value = results.value(r, URIRef(SH + "value"))
        w = where.get(focus, Where("(graph)", None))
        name = str(focus)[len(PDR):] if str(focus).startswith(str(PDR)) else str(focus)
        field = str(path).rsplit("#", 1)[-1].rsplit("/", 1)[-1] if isinstance(path, URIRef) else None
        text = f"{name!r}: {message}" + (f" (value {value})" if value is not None and str(value) != str(focus) else "")
        problem = Problem(w.file, w.line, field, text)
        (warnings if str(severity) == SH + "Warning" else violations).append(problem)
    key = lambda p: (p.file, p.line or 0, p.message)
    return ShaclReport(sorted(violations, key=key), sorted(warnings, key=key))
