"""OWL reasoning with HermiT (through owlready2).

HermiT needs Java. It reads N-Triples written from the graph given; keep that graph within the
OWL 2 DL datatypes (no xsd:date or xsd:gYear values: bibliographic and selector data stay out).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from .errors import ParadiplomacyError

JAVA_HELP = ("HermiT needs a Java runtime and 'java' was not found on PATH: install one "
             "(Debian/Ubuntu: apt-get install default-jre-headless), or run `bash scripts/ensure-system-deps`")


class ReasonerError(ParadiplomacyError):
    pass


@dataclass
class HermitResult:
    consistent: bool
    unsatisfiable: list[URIRef]
    message: str = ""


def java_available() -> bool:
    return shutil.which("java") is not None


def hermit_check(graph: Graph) -> HermitResult:
    """Consistency and unsatisfiable classes of `graph` according to HermiT."""
    if not java_available():
        raise ReasonerError(JAVA_HELP)
    import owlready2

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return HermitResult(False, [], str(exc))
        unsat = sorted(URIRef(c.iri) for c in world.inconsistent_classes() if hasattr(c, "iri"))
        return HermitResult(True, unsat)
