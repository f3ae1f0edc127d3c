"""Reasoning: HermiT classification (through owlready2) and OWL 2 RL materialisation
(`reasonable`, or owlrl where it is not installed).

OWL 2 RL reads every asserted graph of the store (rl.py: the TBox graphs, the data graphs, and the
rules it gets around). HermiT reads the project's graph only, the ontology and the claim graphs:
bibliographic and provenance data (xsd:date, xsd:gYear, selectors) and imported datasets stay
outside, since HermiT accepts only the OWL 2 datatypes and is a DL reasoner, too slow for them; over
`hermit_limit` triples it is skipped, and said so. HermiT needs Java.

What they infer goes to its own graph, <…/graph/inferred>, never mixed with asserted facts;
<…/graph/inferred-provenance> records the reasoning activity (reasoners and versions, time,
the build it read, counts). An inconsistent input raises `InconsistentInput`, naming the claims
(file, line) whose facts conflict, found by shrinking the input while HermiT still finds it
inconsistent, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from paradiplomacy.errors import InvalidInput, ParadiplomacyError, Problem
from paradiplomacy.namespaces import (
    GRAPH_INFERRED,
    GRAPH_INFERRED_EXPLICIT,
    GRAPH_INFERRED_PROVENANCE,
    GRAPH_ONTOLOGY,
    PD,
    PDR,
)
from paradiplomacy.rdfutil import graph_of, quad_to_ox, to_rdflib
from paradiplomacy.reasoning import rl
from paradiplomacy.reasoning.rl import Selection

HERMIT_VERSION = "1.3.8"  # the HermiT.jar shipped with owlready2 (its manifest's Implementation-Version)
JAVA_HELP = (
    "HermiT needs a Java runtime and 'java' was not found on PATH: install one "
    "(Debian/Ubuntu: apt-get install default-jre-headless), or run `bash scripts/ensure-system-deps`"
)
IGNORED_TYPES = {OWL.Thing, OWL.NamedIndividual, RDFS.Resource, OWL.Class, RDFS.Class}


class ReasonerError(ParadiplomacyError):
    pass


class InconsistentInput(InvalidInput):
    """The asserted facts contradict the ontology; the problems name the claims involved."""


@dataclass
class HermitResult:
    consistent: bool
    unsatisfiable: list[URIRef]
    inferred: set = field(default_factory=set)
    message: str = ""
    seconds: float = 0.0


@dataclass
class Inference:
    """The outcome of reasoning over a dataset: inferred triples by reasoner, and timings."""

    hermit: set
    rl: set
    seconds: dict
    unsatisfiable: list
    rl_engine: str = "owlrl"
    read: Selection | None = None  # the graphs OWL 2 RL read
    hermit_triples: int = 0  # the triples HermiT read (0: it did not run)
    warnings: list = field(default_factory=list)
    closure_triples: int = 0
    used: list = field(default_factory=lambda: [GRAPH_ONTOLOGY])  # graphs read, but the (many) claims
    explicit: set = field(default_factory=set)  # defined-class types entailed by the explicit claims alone

    @property
    def triples(self) -> set:
        return self.hermit | self.rl


def java_available() -> bool:
    return shutil.which("java") is not None


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# ---- what the reasoners read -----------------------------------------------------------------


def claim_graph_ids(ds: Dataset) -> set[URIRef]:
    return {q[0] for q in ds.quads((None, RDF.type, PD.Claim, None))}


def _gid(g):
    return g.identifier if hasattr(g, "identifier") else g


def reasoner_input(ds: Dataset) -> tuple[Graph, Graph, dict]:
    """(ontology, asserted facts, claim of each asserted triple) from a dataset of named graphs."""
    claims = claim_graph_ids(ds)
    ontology, abox, origin = Graph(), Graph(), {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        gid = _gid(g)
        if gid == GRAPH_ONTOLOGY:
            ontology.add((s, p, o))
        elif gid in claims:
            abox.add((s, p, o))
            origin.setdefault((s, p, o), set()).add(gid)
    return ontology, abox, origin


def to_oxigraph(ds: Dataset) -> ox.Store:
    """An in-memory pyoxigraph store of an rdflib dataset: what the reasoners read."""
    store = ox.Store()
    store.bulk_extend(quad_to_ox(s, p, o, _gid(g)) for s, p, o, g in ds.quads((None, None, None, None)))
    return store


def store_claim_graphs(store: ox.Store) -> list[URIRef]:
    return sorted(
        {
            URIRef(q.subject.value)
            for q in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PD.Claim)))
            if isinstance(q.subject, ox.NamedNode)
        }
    )


def _is_fact(t, ontology_properties) -> bool:
    s, p, o = t
    if not (isinstance(s, URIRef) and str(s).startswith(str(PDR))):
        return False
    if p == RDF.type:
        return isinstance(o, URIRef) and o not in IGNORED_TYPES
    return p in ontology_properties and isinstance(o, URIRef) and str(o).startswith(str(PDR))


def _object_properties(graph) -> set:
    return {s for s, p, o in graph if p == RDF.type and o == OWL.ObjectProperty}


# ---- HermiT ----------------------------------------------------------------------------------


def hermit_check(graph: Graph | Path, infer: bool = False) -> HermitResult:
    """Run HermiT on `graph` (or an N-Triples file): consistency, unsatisfiable classes and (with
    infer) the new facts it entails: direct types, and property values (read back through
    as_rdflib_graph, since HermiT reports some of them only in inverse form)."""
    if not java_available():
        raise ReasonerError(JAVA_HELP)
    import owlready2

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        path = graph if isinstance(graph, Path) else Path(tmp) / "input.nt"
        if not isinstance(graph, Path):
            graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        before = set(world.as_rdflib_graph()) if infer else set()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=infer, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return HermitResult(False, [], message=str(exc).strip(), seconds=time.monotonic() - started)
        except owlready2.OwlReadyJavaError as exc:
            raise ReasonerError(f"HermiT failed: {str(exc).strip()[-2000:]}") from exc
        unsat = sorted(URIRef(c.iri) for c in world.inconsistent_classes() if hasattr(c, "iri"))
        inferred = set()
        if infer:
            props = _object_properties(before)
            inferred = {t for t in set(world.as_rdflib_graph()) - before if _is_fact(t, props)}
        return HermitResult(True, unsat, inferred, seconds=time.monotonic() - started)


# ---- OWL 2 RL --------------------------------------------------------------------------------

RL_ENGINES = tuple(rl.ENGINES)


def default_rl_engine() -> str:
    try:
        import reasonable  # noqa: F401

        return "reasonable"
    except ImportError:
        return "owlrl"


def owl_rl_closure(ontology: Graph, abox: Graph, engine: str | None = None) -> set:
    """What OWL 2 RL entails from an ontology and asserted facts (rl.closure: every non-trivial
    triple, types and property values, the class and property hierarchy too)."""
    store = ox.Store()
    for graph, name in ((ontology, GRAPH_ONTOLOGY), (abox, PDR["abox"])):
        store.bulk_extend(quad_to_ox(s, p, o, name) for s, p, o in graph)
    return rl.closure(store, rl.select_graphs(store), _engine(engine)).entailed


def _engine(engine: str | None) -> str:
    engine = engine or default_rl_engine()
    if engine not in rl.ENGINES:
        raise ReasonerError(f"unknown OWL 2 RL engine {engine!r}: one of {', '.join(RL_ENGINES)}")
    return engine


# ---- diagnosis of an inconsistency -----------------------------------------------------------


def _inconsistent(ontology: Graph, abox_by_claim: dict, claims: list) -> bool:
    g = Graph()
    g += ontology
    for c in claims:
        g += abox_by_claim[c]
    return not hermit_check(g).consistent


def conflicting_claims(ontology: Graph, by_claim: dict) -> list[URIRef]:
    """A small set of claims whose facts are inconsistent with the ontology (deletion in
    halving chunks: O(k log n) HermiT runs for k culprits among n claims)."""
    claims = sorted(by_claim)
    chunk = max(1, len(claims) // 2)
    while True:
        i = 0
        while i < len(claims):
            trial = claims[:i] + claims[i + chunk :]
            if trial and _inconsistent(ontology, by_claim, trial):
                claims = trial
            else:
                i += chunk
        if chunk == 1:
            return claims
        chunk = max(1, chunk // 2)


def _graph_sources(store: ox.Store) -> dict:
    """graph -> the file it was loaded from (prov:wasDerivedFrom a file name, as `load` records)."""
    return {
        URIRef(q.subject.value): q.object.value
        for q in store.quads_for_pattern(None, ox.NamedNode(str(PROV.wasDerivedFrom)), None)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
    }


def _graphs_stating(store: ox.Store, resources, graphs) -> list:
    wanted = {_gid(g) for g in graphs}
    found = set()
    for r in resources:
        if isinstance(r, URIRef):
            found |= {to_rdflib(q.graph_name) for q in store.quads_for_pattern(ox.NamedNode(str(r)), None, None)}
    return sorted((g for g in found if g in wanted), key=str)


def _claim_problem(store: ox.Store, claim, where) -> Problem:
    w = (where or {}).get(claim)
    individuals = sorted(
        {str(s)[len(str(PDR)) :] for s in graph_of(store, claim).subjects() if str(s).startswith(str(PDR))}
    )
    return Problem(
        w.file if w else f"<{claim}>",
        w.line if w else None,
        None,
        f"claim {str(claim)[len(str(PDR)) + 6 :]!r} is part of an inconsistency "
        f"(individuals: {', '.join(individuals)})",
    )


def rl_inconsistency(store: ox.Store, sel: Selection, violations: list, where=None) -> InconsistentInput:
    """The graphs (their files, or their claims' evidence) whose statements meet in each violation."""
    sources, claims = _graph_sources(store), set(store_claim_graphs(store))
    problems, named = [], set()
    for rule, message, resources in violations[:20]:
        for g in _graphs_stating(store, resources, sel.graphs):
            if g in named:
                continue
            named.add(g)
            if g in claims:
                problems.append(_claim_problem(store, g, where))
            else:
                problems.append(
                    Problem(
                        sources.get(g, f"<{g}>"),
                        None,
                        None,
                        f"graph <{g}> states facts about "
                        f"{', '.join(rl._show(r) for r in resources)}, which are inconsistent",
                    )
                )
        problems.append(Problem("(reasoner)", None, None, f"OWL 2 RL ({rule}): {message}"))
    if len(violations) > 20:
        problems.append(Problem("(reasoner)", None, None, f"... and {len(violations) - 20} more violations"))
    return InconsistentInput(problems)


# ---- the reasoning step ----------------------------------------------------------------------


def check_size(asserted: int, limit: int) -> None:
    """Refuse to reason over more asserted triples than `limit` (0: no limit), before any memory is spent."""
    if limit and asserted > limit:
        raise ReasonerError(
            f"reasoning over {asserted:,} asserted triples is over the limit of {limit:,} (PARADIPLOMACY_REASONING_LIMIT): "
            "OWL 2 RL with `reasonable` takes about 2 KB of memory per triple of its closure (docs/performance.md, Reasoning at scale), "
            "so a larger graph could exhaust this machine's memory. Reason without it "
            "(`paradiplomacy build --no-reason`), or raise the limit if the machine has the memory"
        )


def interpretation_claims(store: ox.Store) -> set[URIRef]:
    """The claims whose support level is interpretation (the editors' reading, not the source's words)."""
    return {
        URIRef(q.subject.value)
        for q in store.quads_for_pattern(None, ox.NamedNode(str(PD.supportLevel)), ox.NamedNode(str(PD.Interpretation)))
    }


def defined_class_types(store: ox.Store, triples) -> set:
    """The rdf:type triples among `triples` whose class is a defined class of the ontology (owl:equivalentClass)."""
    defined = {
        URIRef(q.subject.value)
        for q in store.quads_for_pattern(
            None, ox.NamedNode(str(OWL.equivalentClass)), None, ox.NamedNode(str(GRAPH_ONTOLOGY))
        )
    }
    return {t for t in triples if t[1] == RDF.type and t[2] in defined}


def hermit_skipped(triples: int, limit: int) -> str:
    return (
        f"HermiT skipped: the project's graph has {triples:,} triples, over PARADIPLOMACY_HERMIT_LIMIT "
        f"({limit:,}); no consistency check and no DL classification, OWL 2 RL only. Raise the limit to run it"
    )


def infer_store(
    store: ox.Store,
    where=None,
    use_hermit: bool = True,
    rl_engine: str | None = None,
    limit: int = 0,
    hermit_limit: int = 0,
    tbox=(),
    explicit_only: bool = False,
    default_graph: bool = True,
) -> Inference:
    """Reason over the asserted graphs of a pyoxigraph store: OWL 2 RL over all of them, HermiT over
    the project's graph (ontology and claims) when it is at most `hermit_limit` triples (0: any).
    `where` maps a claim IRI to its evidence location, for the message when the facts are
    inconsistent. More than `limit` asserted triples is an error. Nothing is written here.
    With `explicit_only`, the claims marked interpretation are left out. Either way the defined-class
    memberships entailed by the explicit claims alone are returned as `explicit` (OWL 2 RL, which
    classifies into the model classes as HermiT does)."""
    sel = rl.select_graphs(store, tbox, default_graph)
    interpretations = interpretation_claims(store)
    explicit_sel = Selection(sel.tbox, {g: n for g, n in sel.data.items() if g not in interpretations})
    if explicit_only:
        sel = explicit_sel
    check_size(sel.triples, limit)
    engine = _engine(rl_engine)
    warnings = rl.ignored_axioms(store, sel) + rl.rerouted_axioms(store, sel) if engine == "reasonable" else []
    project = [GRAPH_ONTOLOGY, *(c for c in store_claim_graphs(store) if not (explicit_only and c in interpretations))]
    claim_graphs = set(project[1:])
    project_triples = sum(sel.tbox.get(g, 0) + sel.data.get(g, 0) for g in project)
    if use_hermit and hermit_limit and project_triples > hermit_limit:
        warnings.append(hermit_skipped(project_triples, hermit_limit))
        use_hermit = False
    seconds = {}
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=1) as pool:
        hermit = None
        if use_hermit:  # HermiT runs in Java, a process of its own: OWL 2 RL is computed meanwhile
            path = Path(tmp) / "project.nt"
            rl.write_ntriples(store, project, path)
            hermit = pool.submit(hermit_check, path, True)
        started = time.monotonic()
        closure = rl.closure(store, sel, engine)
        seconds["owl-rl"] = time.monotonic() - started
        result = hermit.result() if hermit else None
    if result is not None:
        seconds = {"hermit": result.seconds, **seconds}
        if not result.consistent:
            ontology = graph_of(store, GRAPH_ONTOLOGY)
            culprits = conflicting_claims(ontology, {c: graph_of(store, c) for c in project[1:]})
            problems = [_claim_problem(store, c, where) for c in culprits]
            problems.append(
                Problem(
                    "(reasoner)",
                    None,
                    None,
                    f"HermiT: the facts of these {len(culprits)} claims "
                    f"contradict the ontology's axioms together: {result.message[:300]}",
                )
            )
            raise InconsistentInput(problems)
    if closure.violations:
        raise rl_inconsistency(store, sel, closure.violations, where)
    hermit_facts, unsat = (result.inferred, result.unsatisfiable) if result else (set(), [])
    if explicit_only or not interpretations & set(sel.data):  # nothing rests on an interpretation
        explicit = defined_class_types(store, hermit_facts | closure.entailed)
    else:
        explicit = defined_class_types(store, rl.closure(store, explicit_sel, engine).entailed)
    return Inference(
        hermit_facts - closure.entailed,
        closure.entailed,
        seconds,
        unsat,
        engine,
        read=sel,
        explicit=explicit,
        hermit_triples=project_triples if result else 0,
        warnings=warnings,
        closure_triples=closure.closure_triples,
        used=[g for g in sel.graphs if g is not None and g not in claim_graphs],
    )


def infer(
    ds: Dataset,
    where=None,
    use_hermit: bool = True,
    rl_engine: str | None = None,
    limit: int = 0,
    hermit_limit: int = 0,
    explicit_only: bool = False,
) -> Inference:
    """infer_store over an rdflib dataset (the build's, before it is written)."""
    return infer_store(to_oxigraph(ds), where, use_hermit, rl_engine, limit, hermit_limit, explicit_only=explicit_only)


def inferred_quads(inference: Inference, build_activity: URIRef | None, now: dt.datetime | None = None) -> list:
    """The inferred graph and its provenance graph, as quads."""
    when = Literal((now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    quads = [(s, p, o, GRAPH_INFERRED) for s, p, o in sorted(inference.triples)]
    quads += [(s, p, o, GRAPH_INFERRED_EXPLICIT) for s, p, o in sorted(inference.explicit)]
    activity = PDR["reasoning-" + (str(build_activity).rsplit("-", 1)[-1] if build_activity else "store")]
    rl_version = _version(inference.rl_engine)
    hermit, rl = PDR[f"software-hermit-{HERMIT_VERSION}"], PDR[f"software-{inference.rl_engine}-{rl_version}"]
    prov = [
        (GRAPH_INFERRED, RDF.type, PROV.Entity),
        (GRAPH_INFERRED, RDFS.label, Literal("inferred knowledge")),
        (GRAPH_INFERRED, PROV.wasGeneratedBy, activity),
        (GRAPH_INFERRED, PROV.generatedAtTime, when),
        (GRAPH_INFERRED, PD.inferredTripleCount, Literal(len(inference.triples))),
        (GRAPH_INFERRED_EXPLICIT, RDF.type, PROV.Entity),
        (
            GRAPH_INFERRED_EXPLICIT,
            RDFS.label,
            Literal("defined-class memberships entailed by the explicit statements alone"),
        ),
        (GRAPH_INFERRED_EXPLICIT, PROV.wasGeneratedBy, activity),
        (GRAPH_INFERRED_EXPLICIT, PD.inferredTripleCount, Literal(len(inference.explicit))),
        (activity, RDF.type, PROV.Activity),
        (activity, RDFS.label, Literal("reasoning: HermiT classification and OWL 2 RL materialisation")),
        (activity, PROV.startedAtTime, when),
        (activity, PROV.wasAssociatedWith, hermit),
        (activity, PROV.wasAssociatedWith, rl),
        (hermit, RDF.type, PROV.SoftwareAgent),
        (hermit, RDFS.label, Literal(f"HermiT {HERMIT_VERSION} (owlready2 {_version('owlready2')})")),
        (hermit, PD.inferredTripleCount, Literal(len(inference.hermit))),
        (hermit, PD.seconds, Literal(round(inference.seconds.get("hermit", 0.0), 3), datatype=XSD.decimal)),
        (rl, RDF.type, PROV.SoftwareAgent),
        (rl, RDFS.label, Literal(f"{inference.rl_engine} {rl_version} (OWL 2 RL)")),
        (rl, PD.inferredTripleCount, Literal(len(inference.rl))),
        (rl, PD.seconds, Literal(round(inference.seconds.get("owl-rl", 0.0), 3), datatype=XSD.decimal)),
    ]
    prov += [(activity, PROV.used, g) for g in inference.used]
    if build_activity is not None:
        prov.append((activity, PROV.used, build_activity))
    return quads + [(s, p, o, GRAPH_INFERRED_PROVENANCE) for s, p, o in prov]
