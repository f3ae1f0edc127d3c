"""The build pipeline: ontology + evidence -> validated dataset -> store.

Nothing is written until everything has been read and validated (schema, references, quotes,
SHACL); a failure raises InvalidInput with every problem located, and the store is unchanged.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gc
import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from paradiplomacy import __version__
from paradiplomacy.errors import InvalidInput, Problem
from paradiplomacy.evidence.claims import build_activity_iri, build_store
from paradiplomacy.evidence.ontology import Vocabulary, load_ontology, load_shapes
from paradiplomacy.evidence.reader import Evidence, read_evidence
from paradiplomacy.evidence.shacl import ShaclReport, shacl_check
from paradiplomacy.linking.mapping import LinkReport, add_links
from paradiplomacy.namespaces import (
    GRAPH_BIBLIOGRAPHY,
    GRAPH_INFERRED,
    GRAPH_INFERRED_EXPLICIT,
    GRAPH_INFERRED_PROVENANCE,
    GRAPH_ONTOLOGY,
    PD,
    PDG,
    PDR,
    SOFTWARE,
    claim_iri,
    claim_provenance_iri,
)
from paradiplomacy.rdfutil import OxDataset, graph_name, quad_to_ox, slug_or_iri, to_rdflib
from paradiplomacy.reasoning.reasoners import Inference, infer_store, inferred_quads, java_available
from paradiplomacy.settings import Config
from paradiplomacy.store import Store

RDF_FORMATS = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}
EVIDENCE_SUFFIXES = {".yaml", ".yml"}
OX_TYPE, OX_LABEL, OX_CLAIM = (ox.NamedNode(str(t)) for t in (RDF.type, RDFS.label, PD.Claim))


@dataclass
class BuildResult:
    dataset: OxDataset  # everything the build will write, in memory
    evidence: Evidence
    shacl: ShaclReport
    ontology: Graph
    inference: Inference | None = None
    datasets: list = field(default_factory=list)  # the imported datasets of data/datasets.yaml
    links: LinkReport | None = None
    seconds: dict = field(default_factory=dict)  # stage -> wall time, in order
    datasets_skipped: bool = False  # validate: datasets and links unchanged since they were last checked
    quads: int = 0  # written, once the build has written them
    graphs: int = 0


class _Stages:
    """Wall time of each stage of a build, for the report and the benchmarks."""

    def __init__(self, seconds: dict):
        self.seconds, self._last = seconds, time.monotonic()

    def done(self, stage: str) -> None:
        now = time.monotonic()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


VALIDATE_CACHE = Path("var") / "validate-cache"  # under the project's home
_CHECKING_CODE = ("importers", "linking")  # the packages whose code checks datasets and links


def _file_digest(h, path: Path, name: str) -> None:
    h.update(name.encode() + b"\0")
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    h.update(b"\0")


def claim_types_and_labels(data: OxDataset):
    """The rdf:type and rdfs:label quads of the claims' graphs (what the claims say of their resources'
    kinds and names), as pyoxigraph quads."""
    store = data.store
    claims = {q.subject for q in store.quads_for_pattern(None, OX_TYPE, OX_CLAIM)}
    for p in (OX_TYPE, OX_LABEL):
        yield from (q for q in store.quads_for_pattern(None, p, None) if q.graph_name in claims)


def datasets_and_links_key(config: Config, data: OxDataset) -> str:
    """A digest of everything the check of the datasets and links depends on: the files of data/ other
    than the evidence (sources.yaml, claims/, the source texts), the ontology and shapes, the code that
    checks them, the settings they read, and the types and labels the claims give their resources (what
    recognition and the link checks see of the evidence). Same digest, same outcome."""
    h = hashlib.sha256()
    data_dir, sources_dir = config.path("data_dir").resolve(), config.path("sources_dir").resolve()
    evidence = {(data_dir / "sources.yaml"), data_dir / "claims"}
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        resolved = path.resolve()
        if any(resolved == e or e in resolved.parents for e in evidence) or sources_dir in resolved.parents:
            continue
        _file_digest(h, path, "data/" + path.relative_to(data_dir).as_posix())
    for path in sorted(config.path("ontology_dir").glob("*.ttl")):
        _file_digest(h, path, "ontology/" + path.name)
    package = Path(__file__).parent
    for sub in _CHECKING_CODE:
        for path in sorted((package / sub).glob("*.py")):
            _file_digest(h, path, f"{sub}/{path.name}")
    h.update(f"{config.shacl_engine}|{config.wikidata_same_as}\0".encode())
    seen = sorted({f"{q.subject} {q.predicate} {q.object}" for q in claim_types_and_labels(data)})
    h.update("\n".join(seen).encode())
    return h.hexdigest()


def _cached_key(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("datasets-and-links")
    except (OSError, ValueError, AttributeError):
        return None


def _give_back_freed_memory() -> None:
    """Return the heap that SHACL's data graph freed to the system: glibc keeps it otherwise, and the write
    that follows then starts 350 MB higher at 891,396 quads. Elsewhere than glibc, nothing."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


@contextlib.contextmanager
def _no_cycle_collection():
    """Python's cyclic garbage collector off for the while (as it was before, after): a build makes millions
    of objects that live to its end (the evidence, its mappings, terms), which each full collection walked
    again: 19.5 s of a 114 s build of 10^6 quads, with the same peak memory without it (1,713 and 1,708 MB).
    Not around the reasoning, whose rdflib graphs may leave cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_no_cycle_collection()
def prepare(config: Config, extra_claim_files=(), datasets: bool = True, cache: Path | None = None) -> BuildResult:
    """Read and validate everything; raise InvalidInput on any problem. Writes nothing (but `cache`).
    With `datasets`, the datasets of data/datasets.yaml are imported too (see importers.pipeline), and
    the Wikidata links checked. With `cache` (a file; `validate` uses VALIDATE_CACHE), the datasets and
    links are checked only when what they depend on changed since the last successful check, whose
    digest the file keeps (see datasets_and_links_key); otherwise result.datasets_skipped is set."""
    seconds: dict = {}
    stages = _Stages(seconds)
    ontology_dir = config.path("ontology_dir")
    try:
        ontology = load_ontology(ontology_dir)
        shapes = load_shapes(ontology_dir)
    except Exception as exc:  # a broken ontology file is invalid input, reported by name
        raise InvalidInput([Problem(str(ontology_dir), None, None, f"cannot read the ontology: {exc}")]) from exc
    vocab = Vocabulary(ontology)
    evidence = read_evidence(
        config.path("data_dir"), vocab, extra_claim_files, sources_dir=config.path("sources_dir"), root=config.home
    )
    stages.done("read")
    data = build_store(ontology, evidence, sources_dir=config.path("sources_dir"))
    stages.done("rdf")
    report = shacl_check(data, shapes, evidence, config.shacl_engine)
    if report.violations:
        raise InvalidInput(report.violations)
    _give_back_freed_memory()
    stages.done("shacl")
    result = BuildResult(data, evidence, report, ontology, seconds=seconds)
    key = datasets_and_links_key(config, data) if datasets and cache is not None else None
    if key is not None and _cached_key(cache) == key:
        result.datasets_skipped = True
        stages.done("datasets and links unchanged")
    elif datasets:
        _add_default_datasets(config, result)
        # the Wikidata links and slice, validated against every resource: claims, reference, datasets
        result.links = add_links(config, data, ontology, build_activity_iri(evidence, ontology))
        stages.done("datasets and links")
        if key is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(
                json.dumps(
                    {"datasets-and-links": key, "checked": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
                    indent=1,
                )
                + "\n",
                encoding="utf-8",
            )
    return result


def _add_default_datasets(config: Config, result: BuildResult) -> None:
    """Add the reference data and the datasets of data/datasets.yaml to a validated build."""
    from paradiplomacy.importers.pipeline import default_datasets

    declared: dict[str, set[tuple]] = {}  # what the claims say of each resource they declare: types, labels
    for q in claim_types_and_labels(result.dataset):
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(str(PDR)):
            declared.setdefault(slug_or_iri(q.subject.value), set()).add((to_rdflib(q.predicate), to_rdflib(q.object)))
    quads, imported = default_datasets(config, declared)
    result.dataset.extend(quads)
    result.datasets = imported


def add_inferences(result: BuildResult, use_hermit: bool = True, limit: int = 0, hermit_limit: int = 0) -> Inference:
    """Reason over the validated dataset, every graph of it, and add the inferred graphs to it
    (before any write, so that an inconsistency leaves the store untouched)."""
    where = {claim_iri(c.id): c.where for c in result.evidence.claims}
    inference = infer_store(result.dataset.store, where, use_hermit=use_hermit, limit=limit, hermit_limit=hermit_limit)
    result.dataset.extend(inferred_quads(inference, build_activity_iri(result.evidence, result.ontology)))
    result.inference = inference
    return inference


def _silent(message: str) -> None:
    pass


BUILD_CACHE = Path("var") / "build-cache"  # under the project's workspace
_BUILD_SETTINGS = ("shacl_engine", "wikidata_same_as")  # the settings, besides the directories, that prepare reads


def build_input_key(config: Config) -> str:
    """A digest of everything that `prepare` makes the validated data from: every file of data/, ontology/
    and the source texts, the package's code, its version and the settings it reads. Same digest, same data.
    The whole input, not each claim file: a claim file's validity and RDF depend on the others (ids, the
    resources they declare, the works they cite; the build's IRI hashes every claim)."""
    h = hashlib.sha256(__version__.encode() + b"\0")
    roots = [(name, config.path(name)) for name in ("data_dir", "ontology_dir", "sources_dir")]
    for name, root in [*roots, ("code", Path(__file__).parent)]:
        files = (p for p in root.rglob("*.py" if name == "code" else "*") if p.is_file())
        for path in sorted(files):
            _file_digest(h, path, f"{name}/{path.relative_to(root).as_posix()}")
    h.update("|".join(str(getattr(config, s)) for s in _BUILD_SETTINGS).encode())
    return h.hexdigest()


def _cached_prepare(config: Config, directory: Path) -> BuildResult:
    """`prepare`, or what the last build with the same input validated (kept in `directory`, one entry)."""
    key = build_input_key(config)
    quads, rest = directory / f"{key}.nq", directory / f"{key}.pickle"
    started = time.monotonic()
    try:
        with open(rest, "rb") as f:
            result = pickle.load(f)
        result.dataset = OxDataset()
        # the blank nodes keep their labels: they are those of the pickled ontology graph
        result.dataset.store.bulk_extend(ox.parse(path=quads, format=ox.RdfFormat.N_QUADS, rename_blank_nodes=False))
    except Exception:  # no entry for this input, or one that cannot be read: made afresh
        result = prepare(config)
        kept = time.monotonic()
        _keep(result, directory, key)
        result.seconds["build cache kept"] = time.monotonic() - kept
        return result
    result.seconds = {"read from the build cache": time.monotonic() - started}
    return result


def _keep(result: BuildResult, directory: Path, key: str) -> None:
    """Keep the validated data for the next build (written under temporary names, then renamed)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.iterdir():
        stale.unlink()
    result.dataset.store.dump(directory / "quads.tmp", ox.RdfFormat.N_QUADS)
    dataset, result.dataset = result.dataset, None
    try:
        with open(directory / "rest.tmp", "wb") as f:
            pickle.dump(result, f)
    finally:
        result.dataset = dataset
    os.replace(directory / "quads.tmp", directory / f"{key}.nq")
    os.replace(directory / "rest.tmp", directory / f"{key}.pickle")  # last: the entry is whole once it is there


def build(config: Config, store: Store, reason: bool = True, progress=_silent, cache: bool = True) -> BuildResult:
    """Validate, optionally reason, then replace the store's content in one atomic write.
    Without Java, HermiT is skipped (and said so) but OWL 2 RL still runs. With `cache`, what the last
    build validated is reused when nothing it was made from has changed (see build_input_key)."""
    progress("reading and validating ontology/ and data/ (schema, ids, quotes, SHACL) ...")
    result = _cached_prepare(config, config.workspace / BUILD_CACHE) if cache else prepare(config)
    stages = _Stages(result.seconds)
    if reason:
        progress(
            "reasoning (HermiT, OWL 2 RL) ..." if java_available() else "reasoning (OWL 2 RL; no Java for HermiT) ..."
        )
        add_inferences(
            result, use_hermit=java_available(), limit=config.reasoning_limit, hermit_limit=config.hermit_limit
        )
        stages.done("reasoning")
    result.quads, result.graphs = len(result.dataset), len(result.dataset.named_graphs())
    progress(f"writing {result.quads} quads ...")
    with _no_cycle_collection():
        store.replace_all_from(result.dataset.store)
    stages.done("write")
    if result.datasets:
        from paradiplomacy.importers.pipeline import write_build_review

        write_build_review(config, result.datasets)
    return result


def rdf_graph_iri(path: Path) -> URIRef:
    return PDG["import-" + "".join(c if c.isalnum() else "-" for c in path.name.lower())]


def read_rdf_file(path: Path) -> Dataset:
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    f"unknown file type {path.suffix!r}: evidence is .yaml, RDF is one of "
                    f"{', '.join(sorted(RDF_FORMATS))}",
                )
            ]
        )
    ds = Dataset()
    try:
        ds.parse(path, format=fmt)
    except Exception as exc:
        line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
        raise InvalidInput(
            [Problem(str(path), line if isinstance(line, int) else None, None, f"not valid {fmt}: {exc}")]
        ) from exc
    return ds


def _same_file(config: Config, shown: str, wanted: set[str]) -> bool:
    path = Path(shown)
    return str((path if path.is_absolute() else config.home / path).resolve()) in wanted


def evidence_quads(config: Config, files: list[Path]) -> tuple[list, set, int]:
    """The graphs that evidence files add: their claims' assertion and provenance graphs, the
    load activity, and the shared bibliography and ontology graphs (validated with data/)."""
    result = prepare(config, files, datasets=False)
    wanted = {str(f.resolve()) for f in files}
    new_claims = [c for c in result.evidence.claims if _same_file(config, c.where.file, wanted)]
    activity = build_activity_iri(result.evidence, result.ontology)
    keep = {GRAPH_BIBLIOGRAPHY, GRAPH_ONTOLOGY, activity}
    for c in new_claims:
        keep |= {claim_iri(c.id), claim_provenance_iri(c.id)}
    quads = [q for g in keep for q in result.dataset.quads((None, None, None, g))]
    return quads, keep, len(new_claims)


def rdf_quads(path: Path) -> tuple[list, set, int]:
    """The quads of an RDF file (its default graph named after the file), followed by their
    provenance; the graphs written; and how many quads the file itself had."""
    ds = read_rdf_file(path)
    default_iri = rdf_graph_iri(path)
    quads = [(s, p, o, graph_name(g) or default_iri) for s, p, o, g in ds.quads((None, None, None, None))]
    own = len(quads)
    graphs = {q[3] for q in quads}
    prov_graph = URIRef(str(default_iri) + "-provenance")
    now = Literal(dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    for g in graphs:
        quads += [
            (g, RDF.type, PROV.Entity, prov_graph),
            (g, PROV.wasDerivedFrom, Literal(path.name), prov_graph),
            (g, PROV.generatedAtTime, now, prov_graph),
            (g, PROV.wasAttributedTo, SOFTWARE, prov_graph),
        ]
    return quads, graphs | {prov_graph}, own


def load_files(config: Config, store: Store, files: list[Path], reason: bool = False) -> dict:
    """Add evidence (YAML) and RDF files to the store in one atomic write, after validating all.
    With `reason`, the whole store as it will be is reasoned over first, and the new inferred graphs
    are part of that write: an inconsistency leaves the store as it was.

    Loading the same file again replaces what it loaded before (the graphs it wrote)."""
    files = [Path(f) for f in files]
    missing = [Problem(str(f), None, None, "no such file") for f in files if not f.is_file()]
    if missing:
        raise InvalidInput(missing)
    evidence_files = [f for f in files if f.suffix.lower() in EVIDENCE_SUFFIXES]
    quads, replace, claims, triples = [], set(), 0, 0
    if evidence_files:
        quads, replace, claims = evidence_quads(config, evidence_files)
    for f in files:
        if f.suffix.lower() not in EVIDENCE_SUFFIXES:
            more, graphs, own = rdf_quads(f)
            triples += own
            quads += more
            replace |= graphs
    inference, seconds = None, 0.0
    if reason:
        started = time.monotonic()
        # `reasonable` keeps no state from one command to the next: the store as it will be, copied
        # in memory, is reasoned over as a whole
        after = asserted_copy(store, leave_out=replace)
        after.bulk_extend(quad_to_ox(*q) for q in quads)
        inference = infer_store(
            after, limit=config.reasoning_limit, hermit_limit=config.hermit_limit, use_hermit=java_available()
        )
        quads += inferred_quads(inference, _load_activity(after))
        replace |= {GRAPH_INFERRED, GRAPH_INFERRED_EXPLICIT, GRAPH_INFERRED_PROVENANCE}
        seconds = time.monotonic() - started
    store.add(quads, replace_graphs=replace)
    return {
        "claims": claims,
        "rdf_quads": triples,
        "graphs": len(replace),
        "inference": inference,
        "reasoning_seconds": seconds,
    }


def asserted_copy(store: Store, leave_out=()) -> ox.Store:
    """The store's asserted graphs, but those in `leave_out`, copied into memory."""
    skip = {str(g) for g in (*leave_out, GRAPH_INFERRED, GRAPH_INFERRED_EXPLICIT, GRAPH_INFERRED_PROVENANCE)}
    copy = ox.Store()
    union = store.default_graph_is_union  # then the default graph is a copy of the named graphs: left out
    copy.bulk_extend(
        q
        for q in store.oxigraph().quads_for_pattern(None, None, None)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in skip)
        and not (union and isinstance(q.graph_name, ox.DefaultGraph))
    )
    return copy


def _load_activity(data: ox.Store) -> URIRef | None:
    return next(
        (
            to_rdflib(q.subject)
            for q in data.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PD.LoadActivity)))
        ),
        None,
    )


def reason_store(
    store: Store,
    limit: int = 0,
    hermit_limit: int = 0,
    tbox=(),
    use_hermit: bool | None = None,
    engine: str | None = None,
) -> Inference:
    """Reason over every asserted graph of the store (`tbox`: graphs to read as ontologies besides
    those holding an owl:Ontology) and replace its inferred graphs, atomically."""
    data = store.oxigraph()
    inference = infer_store(
        data,
        use_hermit=java_available() if use_hermit is None else use_hermit,
        limit=limit,
        hermit_limit=hermit_limit,
        tbox=tbox,
        rl_engine=engine,
        default_graph=not store.default_graph_is_union,
    )
    store.add(
        inferred_quads(inference, _load_activity(data)),
        replace_graphs={GRAPH_INFERRED, GRAPH_INFERRED_EXPLICIT, GRAPH_INFERRED_PROVENANCE},
    )
    return inference
