"""The VoID description (`/.well-known/void`) and the service description (`/service-description`)
as pages for people: the same triples that clients get as RDF, the description's own fields as a list,
its partitions (classes, properties, named graphs) as tables with their counts."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from paradiplomacy.web.context import Endpoint
from paradiplomacy.web.descriptions import DCT, SD, VOID
from paradiplomacy.web.resource_view import labels_for
from paradiplomacy.web.terms import Term

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
# the names of the description vocabularies' terms (VoID, SPARQL Service Description), as the pages say them
NAMES = {
    RDF_TYPE: "type",
    DCT + "title": "title",
    DCT + "description": "description",
    DCT + "license": "licence",
    RDFS + "comment": "note",
    RDFS + "seeAlso": "see also",
    VOID + "Dataset": "dataset (VoID)",
    VOID + "sparqlEndpoint": "SPARQL endpoint",
    VOID + "uriSpace": "IRIs begin with",
    VOID + "vocabulary": "vocabulary",
    VOID + "feature": "formats",
    VOID + "triples": "triples",
    VOID + "properties": "distinct properties",
    VOID + "distinctSubjects": "distinct subjects",
    VOID + "distinctObjects": "distinct objects",
    VOID + "entities": "resources of the project",
    VOID + "classes": "classes",
    VOID + "exampleResource": "example resources",
    SD + "Service": "SPARQL service",
    SD + "endpoint": "endpoint",
    SD + "supportedLanguage": "languages",
    SD + "resultFormat": "result formats",
    SD + "feature": "features",
    SD + "defaultEntailmentRegime": "entailment regime",
    SD + "SPARQL11Query": "SPARQL 1.1 Query",
    SD + "SPARQL11Update": "SPARQL 1.1 Update",
    SD + "UnionDefaultGraph": "the default graph is the union of all graphs",
    SD + "BasicFederatedQuery": "federated queries (SERVICE, to the allow-list)",
    "http://www.w3.org/ns/entailment/Simple": "simple entailment",
}
TABLES = {  # a partition-like property: its title, and the columns (property of the partition, heading)
    VOID + "classPartition": ("Classes", ((VOID + "class", "Class"), (VOID + "entities", "Resources"))),
    VOID + "propertyPartition": ("Properties", ((VOID + "property", "Property"), (VOID + "triples", "Triples"))),
}


@dataclass
class Table:
    title: str
    headings: list[str]
    rows: list[list[Term]] = field(default_factory=list)


@dataclass
class DescriptionView:
    title: str
    subject: str
    fields: list[tuple[str, list[Term]]]
    tables: list[Table]
    labels: dict[str, str]


def term(node) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    return Term("literal", node.value, node.language, node.datatype.value if node.datatype else None)


def _objects(triples, subject, predicate) -> list:
    return [t.object for t in triples if t.subject == subject and t.predicate.value == predicate]


def _table(triples, parts, title, columns) -> Table:
    table = Table(title, [heading for _, heading in columns])
    for part in parts:
        table.rows.append(
            [next((term(o) for o in _objects(triples, part, p)), Term("literal", "")) for p, _ in columns]
        )
    numeric = len(columns) > 1 and all(row[1].kind == "literal" and row[1].value.isdigit() for row in table.rows)
    if numeric:
        table.rows.sort(key=lambda row: -int(row[1].value))
    return table


def _named_graphs(triples, dataset) -> Table:
    table = Table("Named graphs", ["Graph", "Triples"])
    for named in _objects(triples, dataset, SD + "namedGraph"):
        name = next(iter(_objects(triples, named, SD + "name")), None)
        size = [o for g in _objects(triples, named, SD + "graph") for o in _objects(triples, g, VOID + "triples")]
        if name is not None:
            table.rows.append([term(name), term(size[0]) if size else Term("literal", "")])
    return table


def build(ep: Endpoint, triples: list[ox.Triple], subject: str, title: str) -> DescriptionView:
    main = ox.NamedNode(subject)
    fields: list[tuple[str, list[Term]]] = []
    tables: list[Table] = []
    for predicate in dict.fromkeys(t.predicate.value for t in triples if t.subject == main):
        objects = _objects(triples, main, predicate)
        if predicate in TABLES:
            tables.append(_table(triples, objects, *TABLES[predicate]))
        elif predicate == SD + "defaultDataset":
            for dataset in objects:
                default = [
                    o
                    for g in _objects(triples, dataset, SD + "defaultGraph")
                    for o in _objects(triples, g, VOID + "triples")
                ]
                if default:
                    fields.append(("triples in the default graph (the union)", [term(default[0])]))
                fields.append(("dataset described by", [term(o) for o in _objects(triples, dataset, RDFS + "seeAlso")]))
                tables.append(_named_graphs(triples, dataset))
        else:
            fields.append((NAMES.get(predicate, predicate), [term(o) for o in objects]))
    shown = [{"x": t} for _, values in fields for t in values] + [
        {"x": t} for tb in tables for row in tb.rows for t in row
    ]
    labels = {**labels_for(ep, shown), **{iri: name for iri, name in NAMES.items()}}
    return DescriptionView(title, subject, fields, tables, labels)
