"""A polite client of a Wikidata SPARQL endpoint, and the offline slice it regenerates.

The endpoint is configurable (`wikidata_sparql`; the Wikidata Query Service by default, a local
Oxigraph stand-in in tests). Every request sends a descriptive User-Agent, as the Wikimedia
User-Agent policy asks, and backs off on HTTP 429 (and 503), waiting as long as Retry-After says
or, without it, exponentially longer, before it gives up: the project's HTTP stack does it
(paradiplomacy.http: urllib3's Retry on a requests session).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from paradiplomacy import __version__, http
from paradiplomacy.errors import ParadiplomacyError
from paradiplomacy.namespaces import PDR, VOID, WD, WDT

PURPOSE = (
    "https://w3id.org/paradiplomacy; linked-data knowledge graph of sub-state actors in foreign relations; "
    "links curated resources to Wikidata"
)
USER_AGENT = http.user_agent(PURPOSE)
P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
SCHEMA = Namespace("http://schema.org/")
SKOS_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
SLICE = PDR["wikidata-slice"]
# what the slice keeps of each item: instance of, country, located in, ISO 3166-1 alpha-2, alpha-3,
# numeric, ISO 3166-2, coordinates, population, capital
SLICE_PROPERTIES = ["P31", "P17", "P131", "P297", "P298", "P299", "P300", "P625", "P1082", "P36"]
LABEL_LANGUAGES = ["en", "zh"]
# a Wikidata-shaped stand-in may say where each label was seen (an observation `sl:about` the item, with
# prov:wasDerivedFrom): the slice keeps those, so that every label keeps its source
LABEL_OBSERVATION_ABOUT = "urn:x-wdslice:vocab#about"


class EndpointError(ParadiplomacyError):
    """The endpoint failed, refused or kept asking us to slow down."""


@dataclass
class WikidataClient:
    url: str
    retries: int = 5
    backoff: float = 1.0  # first wait without Retry-After, doubled each time
    max_wait: float = 60.0
    timeout: float = 60.0
    session: requests.Session | None = None  # one of the caller's own: its own retry policy
    _own: requests.Session | None = field(default=None, init=False, repr=False)

    def _session(self) -> requests.Session:
        if self.session is not None:
            return self.session
        if self._own is None:  # the backoff on 429 and 503 is the session's (paradiplomacy.http)
            self._own = http.session(
                PURPOSE, timeout=self.timeout, retries=self.retries, backoff=self.backoff, max_wait=self.max_wait
            )
        return self._own

    def _post(self, query: str, accept: str) -> requests.Response:
        headers = {"User-Agent": USER_AGENT, "Accept": accept}
        try:
            r = self._session().post(self.url, data={"query": query}, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise EndpointError(f"cannot reach the SPARQL endpoint {self.url}: {http.reason(exc)}") from exc
        if r.status_code in http.RETRY_STATUSES:  # what is left after the session's retries
            raise EndpointError(
                f"the SPARQL endpoint {self.url} still answers HTTP {r.status_code} "
                f"after {self.retries} retries; try again later"
            )
        if r.status_code >= 400:
            raise EndpointError(f"the SPARQL endpoint {self.url} answered HTTP {r.status_code}: {r.text[:300]}")
        return r

    def select(self, query: str) -> list[dict]:
        """Rows of a SELECT query as dicts of rdflib terms (unbound variables absent)."""
        r = self._post(query, "application/sparql-results+json")
        try:
            bindings = r.json()["results"]["bindings"]
        except (ValueError, KeyError) as exc:
            raise EndpointError(f"the SPARQL endpoint {self.url} did not answer with SPARQL JSON results") from exc
        return [{k: _term(v) for k, v in b.items()} for b in bindings]

    def construct(self, query: str) -> Graph:
        r = self._post(query, "text/turtle")
        g = Graph()
        try:
            g.parse(data=r.content.decode("utf-8"), format="turtle")
        except Exception as exc:
            raise EndpointError(f"the SPARQL endpoint {self.url} did not answer with Turtle: {exc}") from exc
        return g


def _term(v: dict):
    if v["type"] == "uri":
        return URIRef(v["value"])
    if v["type"] in ("literal", "typed-literal"):
        if "xml:lang" in v:
            return Literal(v["value"], lang=v["xml:lang"])
        return Literal(v["value"], datatype=URIRef(v["datatype"]) if "datatype" in v else None)
    return Literal(v["value"])  # a blank node: only its label, never used as a resource


def qid_of(term) -> str | None:
    s = str(term)
    return s[len(str(WD)) :] if s.startswith(str(WD)) else None


# ---- the offline slice ------------------------------------------------------------------------


def slice_query(qids: list[str]) -> str:
    """CONSTRUCT the slice of these items: labels (en, zh), truthy values of SLICE_PROPERTIES and
    their statements with the references they cite (prov:wasDerivedFrom, as Wikidata's RDF has it),
    and the label observations of a stand-in with their sources."""
    items = " ".join(f"wd:{q}" for q in qids)
    props = " ".join(f"(wdt:{p} p:{p} ps:{p})" for p in SLICE_PROPERTIES)
    langs = ", ".join(f'"{lang}"' for lang in LABEL_LANGUAGES)
    return f"""PREFIX wd: <{WD}>
PREFIX wdt: <{WDT}>
PREFIX p: <{P}>
PREFIX ps: <{PS}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <{SCHEMA}>
PREFIX prov: <{PROV}>
CONSTRUCT {{
  ?item ?labelProp ?label .
  ?item ?wdt ?value .
  ?item ?p ?statement . ?statement ?ps ?statementValue . ?statement prov:wasDerivedFrom ?ref . ?ref ?refProp ?refValue .
  ?observation ?observationProp ?observationValue . ?observationSource ?sourceProp ?sourceValue .
}} WHERE {{
  VALUES ?item {{ {items} }}
  {{
    VALUES ?labelProp {{ rdfs:label skos:altLabel schema:description }}
    ?item ?labelProp ?label . FILTER(LANG(?label) IN ({langs}))
  }} UNION {{
    VALUES (?wdt ?p ?ps) {{ {props} }}
    {{ ?item ?wdt ?value }}
    UNION
    {{ ?item ?p ?statement . ?statement ?ps ?statementValue .
       OPTIONAL {{ ?statement prov:wasDerivedFrom ?ref . OPTIONAL {{ ?ref ?refProp ?refValue }} }} }}
  }} UNION {{
    ?observation <{LABEL_OBSERVATION_ABOUT}> ?item ; ?observationProp ?observationValue .
    OPTIONAL {{ ?observation prov:wasDerivedFrom ?observationSource . ?observationSource ?sourceProp ?sourceValue }}
  }}
}}"""


def slice_description(source: str, qids: list[str], when: dt.datetime, note: str | None = None) -> Graph:
    g = Graph()
    g.add((SLICE, RDF.type, VOID.Dataset))
    g.add((SLICE, RDF.type, PROV.Entity))
    g.add((SLICE, RDFS.label, Literal("offline slice of Wikidata for the linked resources of paradiplomacy-kg")))
    g.add((SLICE, DCTERMS.source, Literal(source)))
    g.add((SLICE, PROV.generatedAtTime, Literal(when.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    g.add((SLICE, DCTERMS.license, CC0))
    g.add(
        (
            SLICE,
            DCTERMS.rights,
            Literal(
                "Wikidata's data is available under CC0 1.0. A value whose statement names another source "
                "(prov:wasDerivedFrom) comes with that source's terms; keep those statements when reusing it."
            ),
        )
    )
    g.add((SLICE, PROV.wasGeneratedBy, Literal(f"paradiplomacy {__version__} link --refresh-slice")))
    for q in qids:
        g.add((SLICE, VOID.rootResource, WD[q]))
    if note:
        g.add((SLICE, RDFS.comment, Literal(note)))
    return g


def render_slice(data: Graph, description: Graph, header: list[str]) -> str:
    g = Graph()
    for prefix, ns in (
        ("wd", WD),
        ("wdt", WDT),
        ("p", P),
        ("ps", PS),
        ("schema", SCHEMA),
        ("prov", PROV),
        ("dct", DCTERMS),
        ("void", VOID),
        ("pdr", PDR),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("geo", "http://www.opengis.net/ont/geosparql#"),
        ("sl", "urn:x-wdslice:vocab#"),
        ("src", "urn:x-wdslice:source:"),
    ):
        g.bind(prefix, ns, override=True, replace=True)
    for t in data:
        g.add(t)
    for t in description:
        g.add(t)
    body = g.serialize(format="turtle")
    return "".join(f"# {line}\n" if line else "#\n" for line in header) + body


class WikidataFile:
    """A Wikidata-shaped RDF file queried in memory, in place of an endpoint (`--from FILE`)."""

    def __init__(self, path):
        import pyoxigraph as ox

        self.url = str(path)
        self._store = ox.Store()
        try:
            self._store.load(path=str(path), format=ox.RdfFormat.from_extension(str(path).rsplit(".", 1)[-1]))
        except (OSError, SyntaxError, ValueError) as exc:
            raise EndpointError(f"cannot read {path}: {exc}") from exc

    def select(self, query: str) -> list[dict]:
        from paradiplomacy.rdfutil import to_rdflib

        solutions = self._store.query(query)
        names = [v.value for v in solutions.variables]
        return [{n: to_rdflib(s[n]) for n in names if s[n] is not None} for s in solutions]

    def construct(self, query: str) -> Graph:
        from paradiplomacy.rdfutil import to_rdflib

        g = Graph()
        for t in self._store.query(query):
            g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return g


def refresh_slice(endpoint, qids: list[str], header: list[str], when: dt.datetime | None = None) -> tuple[str, Graph]:
    """The slice's Turtle for these items, from the endpoint (or file), with its description and
    header; and the items that came back with no data at all."""
    when = when or dt.datetime.now(dt.UTC)
    data = endpoint.construct(slice_query(sorted(qids))) if qids else Graph()
    description = slice_description(endpoint.url, sorted(qids), when)
    return render_slice(data, description, header), data
