"""RDF terms as the pages show them: read from SPARQL JSON results, named by their best label,
and linked to their page on this server when they are the project's own IRIs."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote

import pyoxigraph as ox

from paradiplomacy.namespaces import BASE, ONTOLOGY_IRI, PD, PDG, PDR
from paradiplomacy.rdfutil import curie  # noqa: F401  (the pages' templates call it as terms.curie)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class Term(NamedTuple):
    kind: str  # uri, literal, bnode, triple
    value: str
    lang: str | None = None
    datatype: str | None = None

    @classmethod
    def from_json(cls, binding: dict) -> Term:
        return cls(binding["type"], str(binding.get("value", "")), binding.get("xml:lang"), binding.get("datatype"))

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    @property
    def shown_datatype(self) -> str | None:
        """The datatype worth showing (not for plain and language-tagged strings)."""
        if self.kind != "literal" or self.datatype in (None, XSD_STRING, RDF_LANG_STRING):
            return None
        return curie(self.datatype)


def to_oxigraph(term: Term):
    """The pyoxigraph term of a term read from SPARQL JSON results (IRIs, blank nodes, literals)."""
    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype) if term.datatype else None)


def _escaped(text: str) -> str:
    return quote(text, safe="/:@!$&'()*+,;=-._~")


def local_path(iri: str) -> str | None:
    """The path of this server's page for one of the project's IRIs, else None."""
    if iri.startswith(str(PDR)):
        return "/resource/" + _escaped(iri[len(PDR) :])
    if iri.startswith(str(PDG)):
        return "/graph/" + _escaped(iri[len(PDG) :])
    if iri.startswith(str(PD)):
        return "/ontology#" + _escaped(iri[len(PD) :])
    if iri == str(ONTOLOGY_IRI) or iri.startswith(str(ONTOLOGY_IRI) + "/"):
        return "/ontology"
    if iri == BASE:
        return "/"
    return None


def href(iri: str, root: str = "") -> str | None:
    """Where a link to the IRI should point: this server's page for the project's IRIs, the IRI
    itself for http(s) IRIs, and no link at all for any other scheme (javascript:, data:, ...)."""
    path = local_path(iri)
    if path is not None:
        return root.rstrip("/") + path
    return iri if iri.lower().startswith(("http://", "https://")) else None


def best_label(labels: list[Term]) -> str | None:
    """English first, then untagged, then any other language."""

    def rank(t: Term) -> int:
        if t.lang and t.lang.lower().startswith("en"):
            return 0
        return 1 if not t.lang else 2

    return min(labels, key=rank).value if labels else None
