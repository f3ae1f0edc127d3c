"""Reasoning: HermiT classification (through owlready2) and OWL 2 RL materialisation
(`reasonable`, or owlrl where it is not installed).

What the reasoners read is the ontology plus the asserted facts, i.e. the claim graphs only:
bibliographic and provenance data (xsd:date, xsd:gYear, selectors) stay outside, since HermiT
accepts only the OWL 2 datatypes. HermiT needs Java.

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

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from paradiplomacy.errors import InvalidInput, ParadiplomacyError, Problem
from paradiplomacy.namespaces import GRAPH_INFERRED, GRAPH_INFERRED_EXPLICIT, GRAPH_ONTOLOGY, PD, PDG, PDR

GRAPH_INFERRED_PROVENANCE = PDG["inferred-provenance"]
HERMIT_VERSION = "1.3.8"  # the HermiT.jar shipped with owlready2 (its manifest's Implementation-Version)
JAVA_HELP = ("HermiT needs a Java runtime and 'java' was not found on PATH: install one "
             "(Debian/Ubuntu: apt-get install default-jre-headless), or run `bash scripts/ensure-system-deps`")
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
    explicit: set = field(default_factory=set)  # defined-class types entailed by explicit claims alone

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


def interpretation_claims(ds: Dataset) -> set[URIRef]:
    """The claims whose support level is interpretation (the editors' reading, not the source's words)."""
    return {q[0] for q in ds.quads((None, PD.supportLevel, PD.Interpretation, None))}


def reasoner_input(ds: Dataset, explicit_only: bool = False) -> tuple[Graph, Graph, dict]:
    """(ontology, asserted facts, claim of each asserted triple) from a dataset of named graphs;
    with `explicit_only`, the facts of claims marked interpretation are left out (a fact that an
    explicit claim also asserts stays)."""
    claims = claim_graph_ids(ds)
    if explicit_only:
        claims -= interpretation_claims(ds)
    ontology, abox, origin = Graph(), Graph(), {}
    for s, p, o, g in ds.quads((None, None, None, None)):
        gid = _gid(g)
        if gid == GRAPH_ONTOLOGY:
            ontology.add((s, p, o))
        elif gid in claims:
            abox.add((s, p, o))
            origin.setdefault((s, p, o), set()).add(gid)
    return ontology, abox, origin


def _is_fact(t, ontology_properties) -> bool:
    s, p, o = t
    if not (isinstance(s, URIRef) and str(s).startswith(str(PDR))):
        return False
    if p == RDF.type:
        return isinstance(o, URIRef) and o not in IGNORED_TYPES
    return p in ontology_properties and isinstance(o, URIRef) and str(o).startswith(str(PDR))


def _object_properties(ontology: Graph) -> set:
    return set(ontology.subjects(RDF.type, OWL.ObjectProperty))


# ---- HermiT ----------------------------------------------------------------------------------

def hermit_check(graph: Graph, infer: bool = False) -> HermitResult:
    """Run HermiT on `graph`: consistency, unsatisfiable classes and (with infer) the new
    facts it entails: direct types, and property values (read back through as_rdflib_graph,
    since HermiT reports some of them only in inverse form)."""
    if not java_available():
        raise ReasonerError(JAVA_HELP)
    import owlready2

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
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
            props = _object_properties(graph)
            inferred = {t for t in set(world.as_rdflib_graph()) - before if _is_fact(t, props)} - set(graph)
        return HermitResult(True, unsat, inferred, seconds=time.monotonic() - started)


# ---- OWL 2 RL --------------------------------------------------------------------------------

RL_ENGINES = ("reasonable", "owlrl")


def default_rl_engine() -> str:
    try:
        import reasonable  # noqa: F401
        return "reasonable"
    except ImportError:
        return "owlrl"


def _closure(g: Graph, engine: str):
    if engine == "reasonable":  # Rust, about 90x faster than owlrl on the paper's graph
        import reasonable
        r = reasonable.PyReasoner()
        r.from_graph(g)
        return r.reason()
    if engine == "owlrl":
        import owlrl
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False,
                               datatype_axioms=False).expand(g)
        return g
    raise ReasonerError(f"unknown OWL 2 RL engine {engine!r}: one of {', '.join(RL_ENGINES)}")


def owl_rl_closure(ontology: Graph, abox: Graph, engine: str | None = None) -> set:
    """Facts entailed under OWL 2 RL: class and property hierarchy, inverse, symmetric and
    transitive properties (e.g. org:transitiveSubOrganizationOf), domains and ranges.

    Only types (to named classes) and object-property facts between resources are kept, so the
    literals that `reasonable` returns as plain xsd:string never come back into the graph."""
    g = Graph()
    g += ontology
    g += abox
    closure = _closure(g, engine or default_rl_engine())
    props = _object_properties(ontology) | {URIRef("http://www.w3.org/ns/org#transitiveSubOrganizationOf")}
    asserted = set(abox)
    return {t for t in closure if t not in asserted and _is_fact(t, props)
            and not (t[1] == RDF.type and isinstance(t[2], BNode))}


# ---- diagnosis of an inconsistency -----------------------------------------------------------

def _inconsistent(ontology: Graph, abox_by_claim: dict, claims: list) -> bool:
    g = Graph()
    g += ontology
    for c in claims:
        g += abox_by_claim[c]
    return not hermit_check(g).consistent


def conflicting_claims(ontology: Graph, ds: Dataset) -> list[URIRef]:
    """A small set of claims whose facts are inconsistent with the ontology (deletion in
    halving chunks: O(k log n) HermiT runs for k culprits among n claims)."""
    by_claim: dict = {}
    claims = sorted(claim_graph_ids(ds))
    for c in claims:
        by_claim[c] = Graph()
        for t in ds.graph(c):
            by_claim[c].add(t)
    chunk = max(1, len(claims) // 2)
    while True:
        i = 0
        while i < len(claims):
            trial = claims[:i] + claims[i + chunk:]
            if trial and _inconsistent(ontology, by_claim, trial):
                claims = trial
            else:
                i += chunk
        if chunk == 1:
            return claims
        chunk = max(1, chunk // 2)


# ---- the reasoning step ----------------------------------------------------------------------

def check_size(asserted: int, limit: int) -> None:
    """Refuse to reason over more asserted facts than `limit` (0: no limit), before any memory is spent."""
    if limit and asserted > limit:
        raise ReasonerError(
            f"reasoning over {asserted:,} asserted triples is over the limit of {limit:,} (PARADIPLOMACY_REASONING_LIMIT): "
            "OWL 2 RL with `reasonable` grows faster than the graph (0.9 GB at 43k triples, 3.4 GB at 84k, over 10 GB "
            "at 170k; README, Performance), so a larger graph could exhaust this machine's memory. Build without it "
            "(`paradiplomacy build --no-reason`), or raise the limit if the machine has the memory")


def defined_class_types(ontology: Graph, triples) -> set:
    """The rdf:type triples among `triples` whose class is a defined class (owl:equivalentClass)."""
    defined = set(ontology.subjects(OWL.equivalentClass, None))
    return {t for t in triples if t[1] == RDF.type and t[2] in defined}


def infer(ds: Dataset, where=None, use_hermit: bool = True, rl_engine: str | None = None, limit: int = 0,
          explicit_only: bool = False) -> Inference:
    """Reason over a built dataset. `where` maps a claim IRI to its evidence location, for
    the message when the facts are inconsistent. More than `limit` asserted triples is an error.
    With `explicit_only`, only the claims marked explicit are reasoned over. Either way the
    defined-class memberships entailed by the explicit claims alone (OWL 2 RL, which classifies
    into the model classes as HermiT does) are returned as `explicit`."""
    ontology, abox, _ = reasoner_input(ds, explicit_only)
    check_size(len(abox), limit)
    seconds = {}
    hermit_facts, unsat = set(), []
    engine = rl_engine or default_rl_engine()
    with ThreadPoolExecutor(max_workers=1) as pool:
        # HermiT runs in Java, a process of its own: OWL 2 RL is computed meanwhile
        hermit = pool.submit(hermit_check, ontology + abox, True) if use_hermit else None
        started = time.monotonic()
        rl = owl_rl_closure(ontology, abox, engine)
        seconds["owl-rl"] = time.monotonic() - started
        result = hermit.result() if hermit else None
    if result is not None:
        seconds = {"hermit": result.seconds, **seconds}
        if not result.consistent:
            culprits = conflicting_claims(ontology, ds)
            problems = []
            for c in culprits:
                w = (where or {}).get(c)
                individuals = sorted({str(s)[len(str(PDR)):] for s in ds.graph(c).subjects() if str(s).startswith(str(PDR))})
                problems.append(Problem(w.file if w else str(c), w.line if w else None, None,
                                        f"claim {str(c)[len(str(PDR)) + 6:]!r} is part of an inconsistency "
                                        f"(individuals: {', '.join(individuals)})"))
            problems.append(Problem("(reasoner)", None, None, f"HermiT: the facts of these {len(culprits)} claims "
                                    f"contradict the ontology's axioms together: {result.message[:300]}"))
            raise InconsistentInput(problems)
        hermit_facts, unsat = result.inferred, result.unsatisfiable
    if explicit_only:
        explicit = defined_class_types(ontology, hermit_facts | rl)
    else:
        explicit_abox = reasoner_input(ds, explicit_only=True)[1]
        explicit = defined_class_types(ontology, owl_rl_closure(ontology, explicit_abox, engine) - set(explicit_abox))
    return Inference(hermit_facts, rl, seconds, unsat, engine, explicit)


def inferred_quads(inference: Inference, build_activity: URIRef | None, now: dt.datetime | None = None) -> list:
    """The inferred graph and its provenance graph, as quads."""
    when = Literal((now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
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
        (GRAPH_INFERRED_EXPLICIT, RDFS.label, Literal("defined-class memberships entailed by the explicit statements alone")),
        (GRAPH_INFERRED_EXPLICIT, PROV.wasGeneratedBy, activity),
        (GRAPH_INFERRED_EXPLICIT, PD.inferredTripleCount, Literal(len(inference.explicit))),
        (activity, RDF.type, PROV.Activity),
        (activity, RDFS.label, Literal("reasoning: HermiT classification and OWL 2 RL materialisation")),
        (activity, PROV.startedAtTime, when),
        (activity, PROV.wasAssociatedWith, hermit),
        (activity, PROV.wasAssociatedWith, rl),
        (activity, PROV.used, GRAPH_ONTOLOGY),
        (hermit, RDF.type, PROV.SoftwareAgent),
        (hermit, RDFS.label, Literal(f"HermiT {HERMIT_VERSION} (owlready2 {_version('owlready2')})")),
        (hermit, PD.inferredTripleCount, Literal(len(inference.hermit))),
        (hermit, PD.seconds, Literal(round(inference.seconds.get("hermit", 0.0), 3), datatype=XSD.decimal)),
        (rl, RDF.type, PROV.SoftwareAgent),
        (rl, RDFS.label, Literal(f"{inference.rl_engine} {rl_version} (OWL 2 RL)")),
        (rl, PD.inferredTripleCount, Literal(len(inference.rl))),
        (rl, PD.seconds, Literal(round(inference.seconds.get("owl-rl", 0.0), 3), datatype=XSD.decimal)),
    ]
    if build_activity is not None:
        prov.append((activity, PROV.used, build_activity))
    return quads + [(s, p, o, GRAPH_INFERRED_PROVENANCE) for s, p, o in prov]
