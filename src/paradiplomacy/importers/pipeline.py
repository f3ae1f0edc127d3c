"""Importing a dataset: read, recognise, make the graph, validate, then write in one atomic step.

`import_dataset` adds one dataset to a store (`paradiplomacy import NAME PATH`); `default_datasets`
makes the graphs of the datasets that data/datasets.yaml includes in every build. Both validate the
imported graphs against the SHACL shapes before anything is written, and a malformed file fails
with its file, row and column; re-importing a file replaces the graphs it wrote before.
"""

from __future__ import annotations

import csv
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from paradiplomacy.errors import InvalidInput, Problem
from paradiplomacy.evidence.ontology import load_ontology, load_shapes
from paradiplomacy.evidence.shacl import local_name, read_report, run_shacl, shape_predicates
from paradiplomacy.importers import reader
from paradiplomacy.importers.actors import Recogniser, Recognition
from paradiplomacy.importers.graph import (
    dataset_description,
    dataset_graph,
    now,
    project_iri,
    provenance_graph,
    record_quads,
    row_iri,
)
from paradiplomacy.importers.records import DatasetInfo, Record
from paradiplomacy.importers.reference import Reference, load_reference, reference_quads
from paradiplomacy.namespaces import GRAPH_REFERENCE, GRAPH_REFERENCE_PROVENANCE, PDR
from paradiplomacy.rdfutil import slug_or_iri
from paradiplomacy.settings import Config
from paradiplomacy.store import Store

MANIFEST = "datasets.yaml"
KNOWN_QUERY = "SELECT DISTINCT ?s WHERE { ?c a pd:Claim . GRAPH ?c { ?s a ?t } }"


@dataclass
class Imported:
    info: DatasetInfo
    path: Path
    records: list[Record]
    recognitions: list[Recognition]
    quads: list[tuple]
    graphs: set[URIRef]
    seconds: dict = field(default_factory=dict)

    @property
    def engagements(self) -> int:
        return sum(1 for r in self.recognitions if r.mentions)

    @property
    def review(self) -> list[tuple]:
        return [(rec, item) for rec, r in zip(self.records, self.recognitions) for item in r.review]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_graph(name: str, path: Path, reference: Reference, known: set[str]) -> Imported:
    """Read and recognise a dataset file and make its graphs (no validation, nothing written)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput([Problem(str(path), None, None, "no such file")])
    module = reader(name)
    info = module.DATASET
    seconds, started = {}, time.monotonic()
    records = module.read(path, reference)
    seconds["read"] = time.monotonic() - started
    started = time.monotonic()
    recogniser = Recogniser(reference, known)
    recognitions = [recogniser.recognise(r) for r in records]
    seconds["recognise"] = time.monotonic() - started
    started = time.monotonic()
    digest = sha256(path)
    activity = PDR[f"import-{info.slug}-{digest[:16]}"]
    columns = sorted({c for r in records for c in r.fields})
    quads = dataset_description(info, activity, path.name, digest, now(), columns, len(records))
    declared: set[str] = set()
    for record, recognition in zip(records, recognitions):
        quads += record_quads(record, recognition, declared)
    seconds["graph"] = time.monotonic() - started
    graphs = {dataset_graph(info), provenance_graph(info)}
    return Imported(info, path, records, recognitions, quads, graphs, seconds)


def check(
    imported: list[Imported],
    reference_q: list[tuple],
    ontology: Graph,
    shapes: Graph,
    context: list[tuple],
    engine: str = "",
) -> None:
    """SHACL-validate the imported graphs with the reference data, the ontology and the types of
    the graph's resources they refer to; raise InvalidInput naming the dataset rows at fault.
    `engine`: the SHACL engine (the shacl_engine setting; empty: the default)."""
    wanted = shape_predicates(shapes)  # the data graph holds only what some shape looks at
    data = Graph()
    for t in ontology:
        if t[1] in (RDFS.subClassOf, RDF.type):
            data.add(t)
    for quads in [reference_q, context] + [i.quads for i in imported]:
        for s, p, o, *_ in quads:
            if wanted is None or p in wanted:
                data.add((s, p, o))
    conforms, results = run_shacl(data, shapes, engine)
    if conforms:
        return
    where = {}  # every resource of the import -> the file and row it comes from
    for i in imported:
        for record, recognition in zip(i.records, i.recognitions):
            place = (str(i.path), record.row_number)
            where.setdefault(project_iri(record), place)
            where.setdefault(row_iri(record), place)
            for m in recognition.mentions:
                where.setdefault(PDR[m.actor], place)
    problems = []
    for result in read_report(results):
        if result.warning:
            continue
        file, row = where.get(result.focus, ("(import)", None))
        problems.append(Problem(file, row, local_name(result.path), f"{slug_or_iri(result.focus)}: {result.message}"))
    if problems:
        raise InvalidInput(sorted(problems, key=str)[:50])


def _context(known: dict[str, set[tuple]], imported: list[Imported]) -> list[tuple]:
    """What the graph says (types, labels) of the resources outside the import that its facts use,
    so that the shapes see them as they are."""
    used = {q[2] for i in imported for q in i.quads if isinstance(q[2], URIRef)}
    return [(PDR[s], p, o) for s, pairs in known.items() if PDR[s] in used for p, o in pairs]


def import_dataset(config: Config, store: Store, name: str, path: Path, review: Path | None = None) -> Imported:
    """Import one dataset file into the store (atomically; re-importing replaces it)."""
    started = time.monotonic()
    reference = load_reference(config.path("data_dir"))
    known = {str(r[0])[len(str(PDR)) :] for r in store.query(KNOWN_QUERY).rows if str(r[0]).startswith(str(PDR))}
    imported = make_graph(name, path, reference, known)
    types = _store_types(store, known, imported)
    ontology_dir = config.path("ontology_dir")
    reference_q = reference_quads(reference)
    checked = time.monotonic()
    check(
        [imported],
        reference_q,
        load_ontology(ontology_dir),
        load_shapes(ontology_dir),
        _context(types, [imported]),
        config.shacl_engine,
    )
    imported.seconds["validate"] = time.monotonic() - checked
    written = time.monotonic()
    store.add(
        reference_q + imported.quads, replace_graphs=imported.graphs | {GRAPH_REFERENCE, GRAPH_REFERENCE_PROVENANCE}
    )
    imported.seconds["write"] = time.monotonic() - written
    write_review(review or default_review_path(config, imported.info), [imported])
    imported.seconds["total"] = time.monotonic() - started
    return imported


def _store_types(store: Store, known: set[str], imported: Imported) -> dict[str, set[tuple]]:
    used = sorted(
        {
            str(q[2])[len(str(PDR)) :]
            for q in imported.quads
            if isinstance(q[2], URIRef) and str(q[2]).startswith(str(PDR))
        }
        & known
    )
    if not used:
        return {}
    values = " ".join(f"<{PDR[s]}>" for s in used)
    out: dict[str, set[tuple]] = {}
    query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ rdf:type rdfs:label }} ?s ?p ?o }}"
    for s, p, o in store.query(query).rows:
        out.setdefault(str(s)[len(str(PDR)) :], set()).add((p, o))
    return out


def default_review_path(config: Config, info: DatasetInfo) -> Path:
    return config.workspace / "var" / "review" / f"{info.slug}.csv"


def write_review(path: Path, imported: list[Imported]) -> None:
    """The review report: every name no rule settled, with its row, field, context and candidates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["dataset", "row_id", "row_number", "field", "text", "reason", "candidates", "context"])
        for i in imported:
            for record, item in i.review:
                w.writerow(
                    [
                        i.info.slug,
                        record.row_id,
                        record.row_number,
                        item.column,
                        item.text,
                        item.reason,
                        " ".join(item.candidates),
                        item.context,
                    ]
                )


# ---- the datasets every build includes ---------------------------------------------------------


def manifest(config: Config) -> list[dict]:
    path = config.path("data_dir") / MANIFEST
    if not path.is_file():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = doc.get("datasets") or []
    problems = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or e.get("importer") not in ("aiddata", "cari", "aei") or not e.get("file"):
            problems.append(
                Problem(str(path), None, f"datasets[{i}]", "needs 'importer' (aiddata, cari, aei) and 'file'")
            )
        elif not (config.path("data_dir") / e["file"]).is_file():
            problems.append(Problem(str(path), None, f"datasets[{i}].file", f"no such file: {e['file']}"))
        elif e.get("sha256") and sha256(config.path("data_dir") / e["file"]) != e["sha256"]:
            problems.append(Problem(str(path), None, f"datasets[{i}].sha256", f"{e['file']} is not the file recorded"))
    if problems:
        raise InvalidInput(problems)
    return entries


def default_datasets(config: Config, declared: dict[str, set[tuple]]) -> tuple[list[tuple], list[Imported]]:
    """The quads of the reference data (data/reference/) and of every dataset of data/datasets.yaml, validated.
    `declared` maps the slugs the evidence declares to their types and labels ((predicate, object) pairs)."""
    entries = manifest(config)
    if not entries and not (config.path("data_dir") / "reference").is_dir():
        return [], []
    reference = load_reference(config.path("data_dir"))  # the reference graph comes with every build
    imported = [
        make_graph(e["importer"], config.path("data_dir") / e["file"], reference, set(declared)) for e in entries
    ]
    ontology_dir = config.path("ontology_dir")
    reference_q = reference_quads(reference)
    started = time.monotonic()
    check(
        imported,
        reference_q,
        load_ontology(ontology_dir),
        load_shapes(ontology_dir),
        _context(declared, imported),
        config.shacl_engine,
    )
    for i in imported:
        i.seconds["validate"] = (time.monotonic() - started) / len(imported)
    return reference_q + [q for i in imported for q in i.quads], imported


def write_build_review(config: Config, imported: list[Imported]) -> Path:
    path = config.workspace / "var" / "review" / "build.csv"
    write_review(path, imported)
    return path
