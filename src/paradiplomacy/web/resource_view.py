"""What a resource's page shows: its facts grouped by the graph that holds them, each claim's
group with its provenance (quote, section, source, support), the reasoner's inferences marked as
such, the facts that point to it, and, for a graph's name, what the graph holds.

Every query binds ?r to the resource (pyoxigraph substitutions: no IRI is pasted into a query).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paradiplomacy.namespaces import GRAPH_INFERRED, PDR
from paradiplomacy.web.context import Endpoint
from paradiplomacy.web.terms import Term, best_label

OUTGOING = "SELECT ?r ?p ?o ?g WHERE { GRAPH ?g { ?r ?p ?o } } ORDER BY ?p ?o"
INCOMING = "SELECT ?r ?s ?p ?g WHERE { GRAPH ?g { ?s ?p ?r } } ORDER BY ?p ?s"
CONTENT_LIMIT = 500  # a graph's page shows at most this many of its triples (in the store's order)
CONTENT = f"SELECT ?r ?s ?p ?o WHERE {{ GRAPH ?r {{ ?s ?p ?o }} }} LIMIT {CONTENT_LIMIT}"
CONTENT_SIZE = "SELECT ?r (COUNT(*) AS ?n) WHERE { GRAPH ?r { ?s ?p ?o } } GROUP BY ?r"
PROVENANCE = """
SELECT ?r ?g ?quote ?section ?source ?support ?note WHERE {
  { SELECT DISTINCT ?r ?g WHERE {
      { GRAPH ?g { ?r ?p ?o } } UNION { GRAPH ?g { ?s ?q ?r } } UNION { ?g a pd:Claim FILTER(?g = ?r) } } }
  ?g a pd:Claim .
  OPTIONAL { ?g oa:hasTarget/oa:hasSelector/oa:exact ?quote }
  OPTIONAL { ?g pd:section/dct:title ?section }
  OPTIONAL { ?g prov:wasDerivedFrom ?source }
  OPTIONAL { ?g pd:supportLevel ?support }
  OPTIONAL { ?g rdfs:comment ?note }
}"""
# each model class (a class with a definition) the reasoner put the resource in; whether the membership
# holds on the explicit statements alone (graph pdg:inferred-explicit); and the claims of that support
# level that state facts about the resource (the interpretations a membership rests on, or the
# explicit statements)
CLASSIFICATIONS = """
SELECT ?r ?cls ?explicit ?claim WHERE {
  GRAPH pdg:inferred { ?r a ?cls }
  FILTER EXISTS { GRAPH pdg:ontology { ?cls owl:equivalentClass ?definition } }
  BIND(EXISTS { GRAPH pdg:inferred-explicit { ?r a ?cls } } AS ?explicit)
  OPTIONAL {
    { SELECT DISTINCT ?r ?claim WHERE { { GRAPH ?claim { ?r ?p ?o } } UNION { GRAPH ?claim { ?s ?q ?r } } } }
    ?claim a pd:Claim ; pd:supportLevel ?support .
    FILTER(?support = IF(?explicit, pd:ExplicitStatement, pd:Interpretation))
  }
} ORDER BY ?cls ?claim"""
LABELS = "SELECT ?x ?label WHERE {{ VALUES ?x {{ {} }} ?x rdfs:label|skos:prefLabel|dct:title ?label }}"
# an IRI as pyoxigraph returns it can be written between < > as it is; anything else is left out
WRITABLE_IRI = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')
LABEL_PREDICATES = {
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://purl.org/dc/terms/title",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PLACES = {
    "https://w3id.org/paradiplomacy/ontology#ProvinceLevelUnit",
    "https://w3id.org/paradiplomacy/ontology#ForeignState",
}


@dataclass
class Fact:
    predicate: Term
    value: Term  # the object of an outgoing fact, the subject of an incoming one


@dataclass
class Group:
    """Facts that one graph holds; for a claim's graph, the claim's provenance."""

    graph: Term
    kind: str  # claim, inferred, graph
    facts: list[Fact] = field(default_factory=list)
    quote: str | None = None
    section: str | None = None
    source: Term | None = None
    support: Term | None = None
    note: str | None = None


@dataclass
class Classification:
    """A model class the reasoner put the resource in, and what the membership rests on."""

    cls: Term
    explicit: bool  # it holds with every claim marked interpretation left out
    claims: list[Term] = field(default_factory=list)  # claims of that support level about the resource


@dataclass
class ResourceView:
    iri: str
    label: str | None
    types: list[tuple[Term, bool]]  # each type, and whether only the reasoner says so
    outgoing: list[Group]
    incoming: list[Group]
    content: list[tuple[Term, Term, Term]]  # triples of the graph this IRI names (CONTENT_LIMIT at most)
    content_size: int  # how many triples that graph holds
    labels: dict[str, str]
    claim: Group | None = None  # when the resource is a claim: its own quote, section, source
    classifications: list[Classification] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.outgoing or self.incoming or self.content)

    @property
    def place(self) -> bool:
        """A province-level unit or a state: something the map and the network can show."""
        return any(t.value in PLACES for t, _ in self.types)

    @property
    def slug(self) -> str:
        return self.iri[len(PDR) :] if self.iri.startswith(str(PDR)) else self.iri


def _group_kind(graph: Term, provenance: dict) -> str:
    if graph.value == str(GRAPH_INFERRED):
        return "inferred"
    return "claim" if graph.value in provenance else "graph"


def _groups(rows, value_var: str, provenance: dict) -> list[Group]:
    groups: dict[str, Group] = {}
    for row in rows:
        g = row["g"]
        group = groups.get(g.value)
        if group is None:
            group = groups[g.value] = Group(g, _group_kind(g, provenance), **provenance.get(g.value, {}))
        fact = Fact(row["p"], row[value_var])
        if fact not in group.facts:
            group.facts.append(fact)
    order = {"claim": 0, "inferred": 1, "graph": 2}
    return sorted(groups.values(), key=lambda gr: (order[gr.kind], gr.section or "", gr.graph.value))


def _provenance(rows) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for row in rows:
        p = out.setdefault(row["g"].value, {})
        for name in ("quote", "section", "note"):
            if name in row:
                p.setdefault(name, row[name].value)
        for name in ("source", "support"):
            if name in row:
                p.setdefault(name, row[name])
    return out


def _classifications(rows) -> list[Classification]:
    out: dict[str, Classification] = {}
    for row in rows:
        c = out.setdefault(row["cls"].value, Classification(row["cls"], row["explicit"].value == "true"))
        if "claim" in row and row["claim"] not in c.claims:
            c.claims.append(row["claim"])
    return list(out.values())


def labels_for(ep: Endpoint, rows: list[dict[str, Term]]) -> dict[str, str]:
    """The best label of each IRI that the rows show."""
    iris = sorted({t.value for row in rows for t in row.values() if t.is_iri and WRITABLE_IRI.fullmatch(t.value)})
    found: dict[str, list[Term]] = {}
    if iris:
        for row in ep.rows(LABELS.format(" ".join(f"<{iri}>" for iri in iris))):
            found.setdefault(row["x"].value, []).append(row["label"])
    return {iri: best_label(terms) for iri, terms in found.items()}


def build(ep: Endpoint, iri: str) -> ResourceView:
    outgoing_rows = ep.rows(OUTGOING, r=iri)
    incoming_rows = ep.rows(INCOMING, r=iri)
    provenance_rows = ep.rows(PROVENANCE, r=iri)
    content_rows = ep.rows(CONTENT, r=iri)
    size = ep.rows(CONTENT_SIZE, r=iri) if len(content_rows) == CONTENT_LIMIT else []
    provenance = _provenance(provenance_rows)
    classification_rows = ep.rows(CLASSIFICATIONS, r=iri)
    own_labels = [row["o"] for row in outgoing_rows if row["p"].value in LABEL_PREDICATES]
    asserted_types = {
        row["o"] for row in outgoing_rows if row["p"].value == RDF_TYPE and row["g"].value != str(GRAPH_INFERRED)
    }
    types = sorted({row["o"] for row in outgoing_rows if row["p"].value == RDF_TYPE}, key=lambda t: t.value)
    return ResourceView(
        iri=iri,
        label=best_label(own_labels),
        types=[(t, t not in asserted_types) for t in types],
        outgoing=_groups(outgoing_rows, "o", provenance),
        incoming=_groups(incoming_rows, "s", provenance),
        content=sorted(
            ((row["s"], row["p"], row["o"]) for row in content_rows), key=lambda triple: [t.value for t in triple]
        ),
        content_size=int(size[0]["n"].value) if size else len(content_rows),
        labels=labels_for(
            ep,
            [{"r": Term("uri", iri)}]
            + outgoing_rows
            + incoming_rows
            + provenance_rows
            + content_rows
            + classification_rows,
        ),
        classifications=_classifications(classification_rows),
        claim=Group(Term("uri", iri), "claim", **provenance[iri]) if iri in provenance else None,
    )
