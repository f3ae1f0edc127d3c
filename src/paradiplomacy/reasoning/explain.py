"""Why is a resource in a central-local model class? The asserted facts that satisfy the class
definition, each with the claim, quote, section and source behind it; and whether the membership
rests on explicit statements (it holds with every claim marked interpretation left out: graph
pdg:inferred-explicit, written by the build) or on an interpretation (the claims so marked among
the facts of the explanation are then what it rests on).

The definitions are read from the ontology graph in the store (intersections of named classes
and existential restrictions, possibly with a union of restrictions), so an explanation always
follows the ontology actually loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF

from paradiplomacy.namespaces import GRAPH_INFERRED, GRAPH_INFERRED_EXPLICIT, GRAPH_ONTOLOGY, PD, PDR
from paradiplomacy.rdfutil import curie
from paradiplomacy.store import Store

EXPLICIT, INTERPRETATION = "explicit statements", "interpretation"
MODEL_CLASSES = [
    PD.SubordinateEngagement,
    PD.CollaborativeEngagement,
    PD.InitiatorEngagement,
    PD.DivergentEngagement,
    PD.SubordinateActor,
    PD.CollaborativePartnerActor,
    PD.InitiatorActor,
    PD.DivergentActor,
]


@dataclass
class Fact:
    subject: URIRef
    predicate: URIRef
    object: URIRef
    claim: URIRef
    quote: str
    section: str | None
    source: URIRef
    support: str
    file: str | None
    line: int | None


@dataclass
class Condition:
    text: str  # e.g. "some pd:designedBy that is a pd:CentralStateActor"
    facts: list[Fact] = field(default_factory=list)
    because: list[Explanation] = field(default_factory=list)  # for fillers that are model classes

    @property
    def satisfied(self) -> bool:
        return bool(self.facts)


@dataclass
class Explanation:
    resource: URIRef
    cls: URIRef
    inferred: bool
    conditions: list[Condition]
    rests_on: str = EXPLICIT  # EXPLICIT or INTERPRETATION
    interpretations: list[URIRef] = field(default_factory=list)  # the interpretation claims among its facts

    def facts(self) -> list[Fact]:
        """Every fact of the explanation, those of the explanations it goes through included."""
        out = []
        for cond in self.conditions:
            out += cond.facts
            for sub in cond.because:
                out += sub.facts()
        return out


def _ontology(store: Store) -> Graph:
    g = Graph()
    for t in store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_ONTOLOGY}> {{ ?s ?p ?o }} }}").triples:
        g.add(t)
    return g


def _parts(onto: Graph, cls: URIRef) -> list:
    """The conjuncts of a defined class: ('class', C) or ('some', [(property, filler), ...])
    where a union gives several alternatives."""
    out = []
    for eq in onto.objects(cls, OWL.equivalentClass):
        members = onto.value(eq, OWL.intersectionOf)
        for m in Collection(onto, members) if members is not None else [eq]:
            if isinstance(m, URIRef):
                out.append(("class", m))
            elif onto.value(m, OWL.onProperty) is not None:
                out.append(("some", [(onto.value(m, OWL.onProperty), onto.value(m, OWL.someValuesFrom))]))
            elif onto.value(m, OWL.unionOf) is not None:
                alts = [
                    (onto.value(a, OWL.onProperty), onto.value(a, OWL.someValuesFrom))
                    for a in Collection(onto, onto.value(m, OWL.unionOf))
                ]
                out.append(("some", alts))
    return out


PROVENANCE = """?claim oa:hasTarget/oa:hasSelector/oa:exact ?quote ; prov:wasDerivedFrom ?source ; pd:supportLevel ?support .
  OPTIONAL { ?claim pd:section/dct:title ?section }
  OPTIONAL { ?claim pd:evidenceFile ?file ; pd:evidenceLine ?line }"""


def _fact(row: dict, s, p, o) -> Fact:
    return Fact(
        s,
        p,
        o,
        row["claim"],
        str(row["quote"]),
        str(row["section"]) if "section" in row else None,
        row["source"],
        str(row["support"]).rsplit("#", 1)[-1],
        str(row["file"]) if "file" in row else None,
        int(row["line"]) if "line" in row else None,
    )


def _facts(store: Store, resource: URIRef, prop: URIRef, filler: URIRef, inverse_of: URIRef | None) -> list[Fact]:
    """Asserted facts resource -prop-> ?o (or ?o -inverse_of-> resource) with ?o in the filler class."""
    triple = f"<{resource}> <{prop}> ?o" if inverse_of is None else f"?o <{inverse_of}> <{resource}>"
    rows = store.query(f"""SELECT DISTINCT ?o ?claim ?quote ?section ?source ?support ?file ?line WHERE {{
      ?claim a pd:Claim . GRAPH ?claim {{ {triple} }}
      ?o a ?type . ?type rdfs:subClassOf* <{filler}> .
      {PROVENANCE} }} ORDER BY ?claim ?o""").as_dicts()
    if inverse_of is None:
        return [_fact(r, resource, prop, r["o"]) for r in rows]
    return [_fact(r, r["o"], inverse_of, resource) for r in rows]


def _type_facts(store: Store, resource: URIRef, cls: URIRef) -> list[Fact]:
    """Asserted types of the resource that fall under `cls`."""
    rows = store.query(f"""SELECT DISTINCT ?type ?claim ?quote ?section ?source ?support ?file ?line WHERE {{
      ?claim a pd:Claim . GRAPH ?claim {{ <{resource}> a ?type }} ?type rdfs:subClassOf* <{cls}> .
      {PROVENANCE} }} ORDER BY ?claim""").as_dicts()
    return [_fact(r, resource, RDF.type, r["type"]) for r in rows]


def explain(store: Store, resource: URIRef, classes=MODEL_CLASSES, depth: int = 1) -> list[Explanation]:
    """Explanations of the resource's membership in each model class it belongs to."""
    onto = _ontology(store)
    inverse = {}
    for a, b in onto.subject_objects(OWL.inverseOf):
        inverse[a], inverse[b] = b, a
    out = []
    for cls in classes:
        member = store.query(f"ASK {{ <{resource}> a <{cls}> }}").boolean
        if not member:
            continue
        inferred = store.query(f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ <{resource}> a <{cls}> }} }}").boolean
        conditions = []
        for kind, value in _parts(onto, cls):
            if kind == "class":
                conditions.append(Condition(f"is a {curie(value)}", _type_facts(store, resource, value)))
                continue
            cond = Condition(" or ".join(f"some {curie(p)} that is a {curie(f)}" for p, f in value))
            for prop, filler in value:
                # a property declared as the inverse of another is read through the asserted one
                asserted_inverse = inverse.get(prop) if not _asserted(store, prop) else None
                cond.facts += _facts(store, resource, prop, filler, asserted_inverse)
                if filler in classes and depth > 0:
                    for f in cond.facts:
                        other = f.object if f.subject == resource else f.subject
                        cond.because += explain(store, other, [filler], depth - 1)
            conditions.append(cond)
        explicit = store.query(f"ASK {{ GRAPH <{GRAPH_INFERRED_EXPLICIT}> {{ <{resource}> a <{cls}> }} }}").boolean
        exp = Explanation(resource, cls, inferred, conditions, EXPLICIT if explicit or not inferred else INTERPRETATION)
        exp.interpretations = sorted({f.claim for f in exp.facts() if f.support.lower() == "interpretation"})
        out.append(exp)
    return out


def _asserted(store: Store, prop: URIRef) -> bool:
    return store.query(f"ASK {{ ?claim a pd:Claim . GRAPH ?claim {{ ?s <{prop}> ?o }} }}").boolean


def resource_iri(name: str) -> URIRef:
    """A slug, a pdr: CURIE or a full IRI."""
    if name.startswith("http://") or name.startswith("https://"):
        return URIRef(name)
    return PDR[name[4:] if name.startswith("pdr:") else name]
