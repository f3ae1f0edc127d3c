"""Records and their recognised actors as RDF, in one named graph per dataset plus its provenance.

<…/graph/dataset-SLUG> holds the facts: each row is a `pd:FinancedProject` with its label,
recipient states, year, amount, flow, sector; a row with provincial actors is also an engagement
(`pd:MedicalTeamTwinning` or `pd:AgriculturalCentreTwinning` where the row says it sends medical
teams or builds an agricultural technology demonstration centre, else `pd:Engagement`) whose
`pd:subStateActor` are those actors and whose `pd:foreignCounterpart` are the recipient states;
firms and institutions the dataset names are declared there too. <…/graph/dataset-SLUG-provenance>
holds the dataset (version, licence, citation), the import activity, one `pd:DatasetRecord` per
row (row id, row number, every field value used, each as a property of the dataset's column) and
one `pd:ActorMention` per recognised actor (matched text, field, rule, confidence).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from paradiplomacy import __version__
from paradiplomacy.importers.actors import Mention, Recognition
from paradiplomacy.importers.records import DatasetInfo, Record
from paradiplomacy.namespaces import BASE, BIBO, ORG, PD, PDG, PDR, SOFTWARE
from paradiplomacy.rdfutil import slugify

PDD = Namespace(BASE + "dataset/")  # the columns of each dataset, as properties
MEDICAL_TEAM = re.compile(r"medical (?:aid |assistance )?(?:teams?|mission|group|detachment)", re.I)
NOT_PROVINCIAL_TEAM = re.compile(r"military|peace-?keeping|People's Liberation Army", re.I)
AGRICULTURAL_CENTRE = re.compile(
    r"(?:agricultur\w*|agro-?technology|agrotechnology|technology)(?: \w+){0,3} "
    r"demonstration cent(?:er|re)|\bATDC\b",
    re.I,
)
ROLE = {
    "implementer": PD.implementedBy,
    "contractor": PD.implementedBy,
    "funder": PD.supportedBy,
    "cofunder": PD.supportedBy,
    "lender": PD.supportedBy,
    "investor": PD.participant,
}


def dataset_graph(info: DatasetInfo) -> URIRef:
    return PDG["dataset-" + info.slug]


def provenance_graph(info: DatasetInfo) -> URIRef:
    return PDG["dataset-" + info.slug + "-provenance"]


def project_iri(record: Record) -> URIRef:
    return PDR[f"{record.dataset.slug}-{slugify(record.row_id)}"]


def row_iri(record: Record) -> URIRef:
    return PDR[f"{record.dataset.slug}-row-{slugify(record.row_id)}"]


def column_iri(info: DatasetInfo, column: str) -> URIRef:
    return PDD[f"{info.slug}/{slugify(column)}"]


def mechanism(record: Record, recognition: Recognition) -> URIRef:
    """The engagement's class: what the row itself says the provincial actors do."""
    title = record.fields.get("title") or record.label
    body = " ".join(t for _, t in record.texts)
    kinds = {m.kind for m in recognition.mentions}
    if MEDICAL_TEAM.search(title) and not NOT_PROVINCIAL_TEAM.search(title) and kinds & {"province", "institution"}:
        return PD.MedicalTeamTwinning
    if AGRICULTURAL_CENTRE.search(title + " " + body) and (record.sector_concept == "sector-agriculture"):
        return PD.AgriculturalCentreTwinning
    return PD.Engagement


def _decimal(value: Decimal) -> Literal:
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal)


def dataset_description(
    info: DatasetInfo, activity: URIRef, file_name: str, sha256: str, when: str, columns: list[str], count: int
) -> list[tuple]:
    g, p = dataset_graph(info), provenance_graph(info)
    d = PDR[info.slug]
    quads = [
        (d, RDF.type, PD.Dataset, p),
        (d, RDF.type, PROV.Entity, p),
        (d, RDFS.label, Literal(f"{info.title} ({info.publisher})", lang="en"), p),
        (d, DCTERMS.title, Literal(info.title), p),
        (d, OWL.versionInfo, Literal(info.version), p),
        (d, DCTERMS.publisher, Literal(info.publisher), p),
        (d, DCTERMS.bibliographicCitation, Literal(info.citation), p),
        (d, BIBO.uri, Literal(info.url, datatype=XSD.anyURI), p),
        (d, PD.termsOfUse, Literal(info.terms, lang="en"), p),
        (d, PD.selection, Literal(info.selection, lang="en"), p),
    ]
    if info.licence:
        quads.append((d, DCTERMS.license, URIRef(info.licence), p))
    quads += [
        (g, RDF.type, PD.DatasetGraph, p),
        (g, RDF.type, PROV.Entity, p),
        (g, RDFS.label, Literal(f"Africa rows of {info.title}", lang="en"), p),
        (g, PROV.wasDerivedFrom, d, p),
        (g, PROV.wasGeneratedBy, activity, p),
        (g, PD.recordCount, Literal(count), p),
        (activity, RDF.type, PD.ImportActivity, p),
        (activity, RDF.type, PROV.Activity, p),
        (activity, RDFS.label, Literal(f"paradiplomacy import {info.key}"), p),
        (activity, PROV.used, Literal(file_name), p),
        (activity, PD.sha256, Literal(sha256), p),
        (activity, PROV.startedAtTime, Literal(when, datatype=XSD.dateTime), p),
        (activity, PROV.wasAssociatedWith, SOFTWARE, p),
        (SOFTWARE, RDF.type, PROV.SoftwareAgent, p),
        (SOFTWARE, RDFS.label, Literal(f"paradiplomacy {__version__}"), p),
    ]
    for column in columns:
        c = column_iri(info, column)
        quads += [
            (c, RDF.type, OWL.AnnotationProperty, p),
            (c, RDF.type, PD.DatasetColumn, p),
            (c, RDFS.label, Literal(column), p),
            (c, RDFS.isDefinedBy, d, p),
        ]
    return quads


def record_quads(record: Record, recognition: Recognition, declared: set[str]) -> list[tuple]:
    """The facts of one record and their provenance. `declared` collects the slugs of the actors
    this dataset declares, so that each is declared once (with every row it is derived from)."""
    info = record.dataset
    g, p = dataset_graph(info), provenance_graph(info)
    s, row = project_iri(record), row_iri(record)
    quads = [
        (s, RDF.type, PD.FinancedProject, g),
        (s, RDFS.label, Literal(record.label, lang="en"), g),
        (s, PROV.wasDerivedFrom, row, p),
    ]
    quads += [(s, PD.recipient, PDR[c], g) for c in record.countries]
    if record.year is not None:
        quads.append((s, PD.year, Literal(record.year), g))
    if record.amount_usd is not None:
        quads.append((s, PD.amountUSD, _decimal(record.amount_usd), g))
    if record.flow:
        quads.append((s, PD.flowType, Literal(record.flow), g))
    if record.sector:
        quads.append((s, PD.datasetSector, Literal(record.sector), g))
    if record.sector_concept:
        quads.append((s, PD.sector, PDR[record.sector_concept], g))
    if recognition.mentions:
        quads.append((s, RDF.type, mechanism(record, recognition), g))
        quads += [(s, PD.foreignCounterpart, PDR[c], g) for c in record.countries]
        for m in recognition.mentions:
            quads.append((s, PD.subStateActor, PDR[m.actor], g))
            if m.role in ROLE:
                quads.append((s, ROLE[m.role], PDR[m.actor], g))
            if m.new:
                quads += _actor_quads(m, row, g, p, declared)
    quads += [
        (row, RDF.type, PD.DatasetRecord, p),
        (row, RDFS.label, Literal(f"{info.title}, {info.row_id_column} {record.row_id}"), p),
        (row, DCTERMS.isPartOf, PDR[info.slug], p),
        (row, PD.rowId, Literal(record.row_id), p),
        (row, PD.rowNumber, Literal(record.row_number), p),
    ]
    quads += [(row, column_iri(info, c), Literal(v), p) for c, v in record.fields.items()]
    for i, m in enumerate(recognition.mentions, start=1):
        quads += _mention_quads(m, PDR[f"{info.slug}-row-{slugify(record.row_id)}-mention-{i}"], row, p)
    return quads


def _actor_quads(m: Mention, row: URIRef, g: URIRef, p: URIRef, declared: set[str]) -> list[tuple]:
    a = PDR[m.actor]
    quads = [(a, PROV.wasDerivedFrom, row, p), (a, SKOS.altLabel, Literal(m.name, lang="en"), g)]
    if m.actor in declared:
        return quads
    declared.add(m.actor)
    quads.append((a, RDFS.label, Literal(m.label, lang="en"), g))
    if m.kind == "soe":
        return quads + [(a, RDF.type, PD.ProvincialSOE, g), (a, PD.backedBy, PDR[m.province], g)]
    return quads + [(a, RDF.type, PD.SubStateActor, g), (a, ORG.subOrganizationOf, PDR[m.province], g)]


def _mention_quads(m: Mention, iri: URIRef, row: URIRef, p: URIRef) -> list[tuple]:
    return [
        (iri, RDF.type, PD.ActorMention, p),
        (iri, PD.mentionIn, row, p),
        (iri, PD.fieldName, Literal(m.column), p),
        (iri, PD.matchedText, Literal(m.text), p),
        (iri, PD.resolvesTo, PDR[m.actor], p),
        (iri, PD.resolvedProvince, PDR[m.province], p),
        (iri, PD.recognitionRule, Literal(m.rule), p),
        (iri, PD.confidence, Literal(format(Decimal(str(m.confidence)), "f"), datatype=XSD.decimal), p),
    ]


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
