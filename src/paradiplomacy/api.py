"""The Python API, for notebooks: `paradiplomacy.open()` and what it returns.

    import paradiplomacy
    kg = paradiplomacy.open()                      # the project's store (built first if empty)
    rows = kg.query("SELECT ?p WHERE { ?p a ?type }", type=PD.ProvinceLevelUnit)
    rows.to_dataframe()                            # with pandas installed
    kg.resource("shanghai"); kg.explain("hebei-drc-medical-teams"); kg.claims(about="shanghai")

Composes the store, the SPARQL tokenizer (bindings become a VALUES block at the head of the query's
pattern: no value is pasted into the query as text) and reasoning.explain; docs/python-api.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Literal, URIRef

from paradiplomacy.errors import StoreError
from paradiplomacy.namespaces import PDR, PREFIXES
from paradiplomacy.project import require_project
from paradiplomacy.reasoning.explain import Explanation, resource_iri
from paradiplomacy.reasoning.explain import explain as explain_resource
from paradiplomacy.settings import Config
from paradiplomacy.sparql.lexer import QUERY_FORMS, tokenize
from paradiplomacy.store import OxigraphStore, Store, open_store

CLAIMS = """SELECT DISTINCT ?claim ?quote ?section ?source ?support ?file ?line WHERE {
  ?claim a pd:Claim ; oa:hasTarget/oa:hasSelector/oa:exact ?quote ; prov:wasDerivedFrom ?source ;
         pd:supportLevel ?support .
  OPTIONAL { ?claim pd:section/dct:title ?section }
  OPTIONAL { ?claim pd:evidenceFile ?file ; pd:evidenceLine ?line }
  FILTER(!BOUND(?about) || EXISTS { GRAPH ?claim { { ?about ?p ?o } UNION { ?s ?p ?about } } })
} ORDER BY ?file ?line ?claim"""


class Rows(list):
    """A SELECT query's solutions: one dict per row, variable name -> rdflib term (unbound ones absent)."""

    def __init__(self, variables: list[str], rows: list[dict]):
        super().__init__(rows)
        self.variables = variables

    def to_dataframe(self):
        """A pandas DataFrame, one column per variable, IRIs as strings, literals as Python values."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install pandas") from None
        python = lambda t: None if t is None else t.toPython() if isinstance(t, Literal) else str(t)
        return pandas.DataFrame([[python(row.get(v)) for v in self.variables] for row in self], columns=self.variables)


@dataclass
class Resource:
    """What the graph says about one IRI: its facts, each with the graph that holds it."""

    iri: URIRef
    facts: list[tuple] = field(default_factory=list)  # (predicate, object, graph)

    @property
    def label(self) -> str | None:
        return next((str(o) for p, o, _ in self.facts if str(p).endswith(("#label", "#prefLabel"))), None)

    @property
    def types(self) -> list[URIRef]:
        return sorted({o for p, o, _ in self.facts if str(p) == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"})

    def values(self, predicate) -> list:
        """The objects of one predicate (an IRI, or a CURIE such as 'org:hasSite')."""
        iri = _expand(predicate)
        return [o for p, o, _ in self.facts if p == iri]


def _expand(name) -> URIRef:
    if isinstance(name, URIRef):
        return name
    prefix, _, local = str(name).partition(":")
    return URIRef(PREFIXES[prefix] + local) if prefix in PREFIXES and not local.startswith("//") else URIRef(name)


def _term(value) -> str:
    """A Python value as a SPARQL term: IRIs (rdflib URIRef) as IRIs, anything else as a typed literal."""
    if isinstance(value, BNode):
        raise ValueError("a blank node cannot be bound")
    term = value if isinstance(value, (URIRef, Literal)) else Literal(value)
    return term.n3()


def bind(sparql: str, bindings: dict) -> str:
    """The query with a VALUES block for the bindings at the head of its WHERE pattern (the first group
    after the query form; for CONSTRUCT, the one after WHERE)."""
    if not bindings:
        return sparql
    tokens = tokenize(sparql)
    form = next((t for t in tokens if t.kind == "word" and t.text.upper() in QUERY_FORMS), None)
    if form is None:
        raise ValueError("bindings go with a query (SELECT, ASK, CONSTRUCT, DESCRIBE)")
    after = [t for t in tokens if t.start > form.start]
    if form.text.upper() == "CONSTRUCT":
        where = next((i for i, t in enumerate(after) if t.is_word("WHERE")), None)
        if where is None or after[where + 1].text != "{" or after[0].is_word("WHERE"):
            raise ValueError("bindings need a CONSTRUCT with a template and a WHERE pattern")
        after = after[where:]
    brace = next((t for t in after if t.kind == "punct" and t.text == "{"), None)
    if brace is None:
        raise ValueError("the query has no WHERE pattern to bind variables in")
    names = list(bindings)
    values = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(_term(bindings[n]) for n in names)}) }} "
    return sparql[: brace.end] + values + sparql[brace.end :]


class KnowledgeGraph:
    """A store of paradiplomacy-kg, read through SPARQL."""

    def __init__(self, store: Store):
        self.store = store

    def query(self, sparql: str, **bindings):
        """Run a query, variables bound to the keyword arguments (rdflib URIRef for an IRI; strings, numbers,
        dates and booleans as literals). SELECT gives Rows, ASK a bool, CONSTRUCT and DESCRIBE an rdflib Graph."""
        result = self.store.query(bind(sparql, bindings))
        if result.kind == "ask":
            return bool(result.boolean)
        if result.kind == "graph":
            return result.as_graph()
        return Rows(result.variables, result.as_dicts())

    def resource(self, slug: str) -> Resource:
        """The facts about a resource (a slug such as 'shanghai', pdr:slug, or an IRI), with their graphs."""
        iri = resource_iri(slug)
        rows = self.query("SELECT ?p ?o ?g WHERE { GRAPH ?g { ?r ?p ?o } } ORDER BY ?p ?o ?g", r=iri)
        if not rows:
            raise KeyError(f"nothing is known about <{iri}>")
        return Resource(iri, [(r["p"], r["o"], r["g"]) for r in rows])

    def explain(self, slug: str) -> list[Explanation]:
        """Why the resource is in each central-local model class: the facts, claims and quotes behind it."""
        return explain_resource(self.store, resource_iri(slug))

    def claims(self, about: str | None = None) -> Rows:
        """The claims with their quote, section, source, support and evidence file and line; with `about`,
        only those whose graph mentions that resource."""
        if about is None:
            return self.query(CLAIMS)
        return self.query(CLAIMS, about=resource_iri(about))

    def close(self) -> None:
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open(store: str | Path | Store | Config | None = None, *, build: bool = True) -> KnowledgeGraph:
    """The knowledge graph in `store`: None for the project's store (the current directory if it is a
    project, else PARADIPLOMACY_HOME or the packaged project; built first if empty and `build`), a Config,
    a Store, or the path of an on-disk Oxigraph store."""
    if isinstance(store, Store):
        return KnowledgeGraph(store)
    if isinstance(store, (str, Path)):
        opened = OxigraphStore(Path(store), read_only=True)
        if opened.is_empty():
            raise StoreError(f"no built store at {store}")
        return KnowledgeGraph(opened)
    config = store if isinstance(store, Config) else Config.from_env()
    require_project(config.path("ontology_dir"), config.path("data_dir"), config.home)
    local = config.backend == "oxigraph"
    opened = open_store(config, read_only=local)
    if opened.is_empty():
        if not build:
            raise StoreError(f"the store at {config.path('store')} is empty: run `paradiplomacy build`")
        from paradiplomacy.build import build as build_store

        if local:  # built through a writable handle, then read through a read-only one
            opened.close()
            writable = open_store(config)
            build_store(config, writable)
            writable.close()
            opened = open_store(config, read_only=True)
        else:
            build_store(config, opened)
    return KnowledgeGraph(opened)


__all__ = ["PDR", "KnowledgeGraph", "Resource", "Rows", "bind", "open"]
