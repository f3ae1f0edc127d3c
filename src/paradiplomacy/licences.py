"""Under which licence each named graph is, read from the graph's own description in the store.

A graph derived from a dataset that names its licence (`?g prov:wasDerivedFrom ?d . ?d dct:license ?l`:
AidData's graph, ODC-By, with the citation its terms require; the Wikidata slice, CC0) is under that
licence, and so is an imported dataset's provenance graph, which holds the rows' own values. Every
other graph (the claims and their provenance, the bibliography, the ontology, the links, the
inferences) is the project's, under the ontology's dct:license (CC BY 4.0).

The queries are plain SPARQL, run by whoever holds the store: the web app's workers, a Store, the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paradiplomacy.namespaces import BASE, PDR

PROJECT_PART = str(PDR["paradiplomacy-kg-own-graphs"])  # the subset of the project's own graphs

# the graphs that carry another source's licence, with that source
DERIVED = """
SELECT DISTINCT ?g ?source ?license ?title ?attribution ?rights WHERE {
  { ?g prov:wasDerivedFrom ?source . ?source dct:license ?license ; a ?kind
    FILTER(?kind IN (pd:Dataset, <http://rdfs.org/ns/void#Dataset>)) }
  UNION
  { ?d a pd:DatasetGraph ; prov:wasDerivedFrom ?source . ?source dct:license ?license
    BIND(IRI(CONCAT(STR(?d), "-provenance")) AS ?g) }
  OPTIONAL { ?source dct:title|rdfs:label ?title }
  OPTIONAL { ?source dct:bibliographicCitation ?attribution }
  OPTIONAL { ?source dct:rights ?rights }
}"""
PROJECT_LICENCE = "SELECT ?license WHERE { GRAPH pdg:ontology { ?o a owl:Ontology ; dct:license ?license } }"
LICENCE_NAMES = {
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "http://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://opendatacommons.org/licenses/by/1-0/": "ODC-By 1.0",
}


@dataclass
class LicensedPart:
    """A part of the dataset under one licence: the project's own graphs, or one source's."""

    iri: str
    title: str
    license: str
    attribution: str | None = None  # what the licence requires users to cite
    rights: str | None = None
    graphs: set[str] = field(default_factory=set)  # empty for the project's part: every other graph

    @property
    def license_name(self) -> str:
        return LICENCE_NAMES.get(self.license, self.license)


def licensed_parts(derived_rows: list[dict[str, str]], project_licence: str | None) -> list[LicensedPart]:
    """The parts from the rows of DERIVED and PROJECT_LICENCE (values as strings): the project's first."""
    parts: dict[str, LicensedPart] = {}
    for row in derived_rows:
        part = parts.setdefault(
            row["source"],
            LicensedPart(
                row["source"],
                row.get("title") or row["source"],
                row["license"],
                row.get("attribution"),
                row.get("rights"),
            ),
        )
        part.graphs.add(row["g"])
    own = LicensedPart(
        PROJECT_PART,
        "paradiplomacy-kg: the claims, their provenance, the bibliography, the ontology, the links and the inferences",
        project_licence or "",
        None,
        f"Cite the paradiplomacy-kg dataset ({BASE}) and the sources of the claims you use.",
    )
    return [own, *sorted(parts.values(), key=lambda p: p.iri)]


def part_of_graph(parts: list[LicensedPart], graph: str) -> LicensedPart:
    return next((p for p in parts[1:] if graph in p.graphs), parts[0])


VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def part_triples(dataset: str, parts: list[LicensedPart], graph_sizes: dict[str, int]) -> list[tuple]:
    """VoID and DCAT triples (rdflib terms) that say which part of `dataset` is under which licence:
    each part a void:subset with its dct:license, the attribution it requires, its graphs and size."""
    from rdflib import Literal, URIRef

    total = sum(graph_sizes.values())
    triples = []
    for part in parts:
        p = URIRef(part.iri)
        size = sum(graph_sizes.get(g, 0) for g in part.graphs)
        if part.iri == PROJECT_PART:  # every graph that no other part claims
            size = total - sum(graph_sizes.get(g, 0) for other in parts if other is not part for g in other.graphs)
        triples += [
            (URIRef(dataset), URIRef(VOID + "subset"), p),
            (p, URIRef(RDF_TYPE), URIRef(VOID + "Dataset")),
            (p, URIRef(RDF_TYPE), URIRef(DCAT + "Dataset")),
            (p, URIRef(DCT + "title"), Literal(part.title)),
            (p, URIRef(VOID + "triples"), Literal(size)),
        ]
        if part.license:
            triples.append((p, URIRef(DCT + "license"), URIRef(part.license)))
        if part.attribution:
            triples.append((p, URIRef(DCT + "bibliographicCitation"), Literal(part.attribution)))
        if part.rights:
            triples.append((p, URIRef(DCT + "rights"), Literal(part.rights)))
        triples += [(p, URIRef(DCT + "hasPart"), URIRef(g)) for g in sorted(part.graphs)]
    return triples
