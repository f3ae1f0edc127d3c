"""The formats the server answers in, and content negotiation (Accept, or a `format` parameter).

Query results (SELECT, ASK) and graphs (CONSTRUCT, DESCRIBE, descriptions, resources) are two
families; linked-data pages add HTML to the graph family. Only format names cross into the
worker processes; `pyoxigraph_format` maps a name to pyoxigraph's serializer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str  # sent as Content-Type
    aliases: tuple[str, ...] = ()  # other media types that ask for it
    tokens: tuple[str, ...] = ()  # values of the `format` parameter that ask for it

    @property
    def content_type(self) -> str:
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")

    def answers(self, wanted: str) -> bool:
        wanted = wanted.strip().lower()
        return wanted == self.name or wanted in self.tokens or wanted == self.media_type or wanted in self.aliases


JSON = Format("json", "application/sparql-results+json", ("application/json",), ("srj",))
XML = Format("xml", "application/sparql-results+xml", (), ("srx",))
CSV = Format("csv", "text/csv")
TSV = Format("tsv", "text/tab-separated-values")
TURTLE = Format(
    "turtle", "text/turtle", ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"), ("ttl", "n3")
)
NTRIPLES = Format("ntriples", "application/n-triples", ("text/plain",), ("nt", "n-triples"))
RDFXML = Format("rdfxml", "application/rdf+xml", (), ("rdf", "xml", "rdf+xml", "rdf/xml"))
JSONLD = Format("jsonld", "application/ld+json", ("application/x-json+ld",), ("json-ld", "json"))
TRIG = Format("trig", "application/trig")
HTML = Format("html", "text/html", ("application/xhtml+xml",))

RESULT_FORMATS = (JSON, XML, CSV, TSV)
GRAPH_FORMATS = (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG)
PAGE_FORMATS = (HTML,) + GRAPH_FORMATS
QUAD_FORMATS = {"trig", "jsonld"}  # formats that keep named graphs: a page's data keeps its claims' graphs
BY_NAME = {f.name: f for f in RESULT_FORMATS + GRAPH_FORMATS + (HTML,)}

_PYOXIGRAPH = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
}


def pyoxigraph_format(name: str):
    return _PYOXIGRAPH[name]


_W3C_NAMES = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
    "trig": "TriG",
}


def format_iri(name: str) -> str:
    """The W3C IRI of a format (https://www.w3.org/ns/formats/), for service descriptions."""
    return "http://www.w3.org/ns/formats/" + _W3C_NAMES[name]


def negotiate(formats: tuple[Format, ...], accept: str | None, format_param: str | None = None) -> Format | None:
    """The format to answer in, or None if the client accepts none of them (406).

    A `format` parameter (a name such as json or turtle, or a media type) overrides Accept (the header's
    text). No Accept header means any format: the first one is the default."""
    if format_param:
        return next((f for f in formats if f.answers(format_param)), None)
    if not accept:
        return formats[0]
    # remembered: clients send the same few Accept headers, and werkzeug's parsing and matching of one took
    # about a tenth of a small query's time in the server (issue 14); a longer header is not kept
    return (_remembered_format if len(accept) <= REMEMBERED_ACCEPT_CHARS else _best_format)(formats, accept)


REMEMBERED_ACCEPT_CHARS = 1_024  # the best formats for the last 512 Accept headers up to this long are kept


def _best_format(formats: tuple[Format, ...], accept: str) -> Format | None:
    offered = [t for f in formats for t in (f.media_type,) + f.aliases]
    best = parse_accept_header(accept, MIMEAccept).best_match(offered)
    return next((f for f in formats if best in (f.media_type,) + f.aliases), None) if best else None


_remembered_format = functools.lru_cache(maxsize=512)(_best_format)


def names(formats: tuple[Format, ...]) -> str:
    return ", ".join(f.media_type for f in formats)
