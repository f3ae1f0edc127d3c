"""The site's entrance and its lists: `/` says what the graph is (the paper, its models, what the
graph holds, with dates) and leads everywhere else; `/browse` and `/browse/<list>` are tables of the
graph's resources with counts, each row linking to its page; `/download/<file>` is the whole
graph (every named graph kept) as one file."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request, url_for

from paradiplomacy.namespaces import PD
from paradiplomacy.web.context import endpoint
from paradiplomacy.web.resource_view import WRITABLE_IRI
from paradiplomacy.web.terms import Term, href
from paradiplomacy.web.worker import ExportJob

blueprint = Blueprint("site", __name__)

PAGE_SIZE = 50
PAPER = "https://w3id.org/paradiplomacy/resource/lenz-china-provinces"

# the kinds an engagement or an actor is, read through the ontology's subclass axioms (which hold
# whether or not the reasoner ran)
COUNTS = """SELECT
  (COUNT(DISTINCT ?claim) AS ?claims)
  (COUNT(DISTINCT ?row) AS ?rows)
  WHERE { { ?claim a pd:Claim } UNION { ?row a pd:FinancedProject } }"""
KIND_COUNT = """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH ?g { ?x a ?c } ?c rdfs:subClassOf* pd:%s
  FILTER(?g != pdg:inferred && ?g != pdg:ontology) }"""
DATES = """SELECT (MAX(?built) AS ?build) WHERE { ?claim a pd:Claim ; prov:generatedAtTime ?built }"""
PAPER_QUERY = """SELECT ?paper ?title ?creator ?publisher ?series WHERE {
  ?paper dct:title ?title OPTIONAL { ?paper dct:creator ?creator } OPTIONAL { ?paper dct:publisher ?publisher }
  OPTIONAL { ?paper pd:series ?series } } LIMIT 1"""
MODELS = """SELECT ?model (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition) WHERE {
  ?model a pd:CentralLocalModel ; rdfs:label ?l OPTIONAL { ?model skos:definition ?d } } GROUP BY ?model ORDER BY ?label"""
DATASETS = """SELECT ?graph (SAMPLE(?l) AS ?label) (SAMPLE(?n) AS ?records) (SAMPLE(?t) AS ?imported) WHERE {
  ?graph a pd:DatasetGraph ; rdfs:label ?l OPTIONAL { ?graph pd:recordCount ?n }
  OPTIONAL { ?graph prov:wasGeneratedBy/prov:endedAtTime ?t } } GROUP BY ?graph ORDER BY ?label"""


def _one(query: str, **iris) -> dict[str, Term]:
    rows = endpoint().rows(query, **iris)
    return rows[0] if rows else {}


def _count(top: str) -> int:
    row = _one(KIND_COUNT % top)
    return int(row["n"].value) if "n" in row else 0


@blueprint.route("/")
def home():
    counts = _one(COUNTS)
    figures = {
        "claims": int(counts["claims"].value) if "claims" in counts else 0,
        "actors": _count("Actor"),
        "engagements": _count("Engagement"),
        "rows": int(counts["rows"].value) if "rows" in counts else 0,
    }
    built = _one(DATES).get("build")
    return render_template(
        "home.html",
        figures=figures,
        paper=_one(PAPER_QUERY, paper=PAPER),
        paper_iri=PAPER,
        models=endpoint().rows(MODELS),
        datasets=endpoint().rows(DATASETS),
        built=built.value[:10] if built else None,
        lists=LISTS,
        downloads=DOWNLOADS,
    )


# ---- the lists -------------------------------------------------------------------------------------

LABEL = "OPTIONAL { ?item rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en') || LANG(?l) = '') }"
ENGAGEMENT_ACTOR = "?e pd:subStateActor ?a . ?a (pd:backedBy|org:subOrganizationOf|pd:originProvince)? ?item ."


@dataclass(frozen=True)
class Column:
    variable: str
    title: str
    numeric: bool = False
    link: str | None = None  # a variable holding the IRI the cell links to


@dataclass(frozen=True)
class BrowseList:
    name: str
    title: str
    description: str
    query: str
    columns: tuple[Column, ...]
    parameter: str | None = None  # a request parameter bound (as an IRI) to ?filter
    default: str | None = None  # ?filter when the parameter is not given (else the parameter is required)


LISTS = [
    BrowseList(
        "provinces",
        "Province-level units",
        "China's 31 province-level units, with the engagements in Africa of each (its own, or of an "
        "actor that belongs to it, comes from it or is backed by it) in the paper's claims and in the datasets.",
        f"""SELECT ?item (SAMPLE(?l) AS ?label) (SAMPLE(?zh) AS ?chinese)
                     (COUNT(DISTINCT ?ce) AS ?claimed) (COUNT(DISTINCT ?de) AS ?imported) WHERE {{
                     ?item a pd:ProvinceLevelUnit . {LABEL}
                     OPTIONAL {{ ?item rdfs:label ?zh FILTER(LANGMATCHES(LANG(?zh), 'zh')) }}
                     OPTIONAL {{ {ENGAGEMENT_ACTOR} GRAPH ?g {{ ?e pd:subStateActor ?a }}
                                {{ ?g a pd:Claim BIND(?e AS ?ce) }} UNION {{ ?g a pd:DatasetGraph BIND(?e AS ?de) }} }}
                   }} GROUP BY ?item ORDER BY DESC(?claimed) DESC(?imported) ?label""",
        (
            Column("label", "Province-level unit", link="item"),
            Column("chinese", "Chinese name"),
            Column("claimed", "Engagements (paper)", True),
            Column("imported", "Engagements (datasets)", True),
        ),
    ),
    BrowseList(
        "states",
        "African states",
        "The African states of the graph, with the engagements of Chinese provinces with each and the "
        "financed projects of the datasets they receive.",
        f"""SELECT ?item (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?ce) AS ?claimed)
                     (COUNT(DISTINCT ?de) AS ?imported) (COUNT(DISTINCT ?project) AS ?projects) WHERE {{
                     ?item a pd:ForeignState . {LABEL}
                     OPTIONAL {{ GRAPH ?g {{ ?e pd:foreignCounterpart ?item }}
                                {{ ?g a pd:Claim BIND(?e AS ?ce) }} UNION {{ ?g a pd:DatasetGraph BIND(?e AS ?de) }} }}
                     OPTIONAL {{ ?project pd:recipient ?item }}
                   }} GROUP BY ?item ORDER BY DESC(?claimed) DESC(?imported) ?label""",
        (
            Column("label", "State", link="item"),
            Column("claimed", "Engagements (paper)", True),
            Column("imported", "Engagements (datasets)", True),
            Column("projects", "Financed projects", True),
        ),
    ),
    BrowseList(
        "mechanisms",
        "Engagements by mechanism",
        "The mechanisms of engagement the ontology names (twinning, medical teams, clustering ...), with "
        "how many engagements of each the paper's claims and the datasets assert.",
        """SELECT ?item (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?ce) AS ?claimed) (COUNT(DISTINCT ?de) AS ?imported)
                  WHERE { ?item rdfs:subClassOf* pd:Engagement . GRAPH pdg:ontology { ?item a owl:Class }
                    OPTIONAL { ?item rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en')) }
                    OPTIONAL { GRAPH ?g { ?e a ?item } { ?g a pd:Claim BIND(?e AS ?ce) }
                               UNION { ?g a pd:DatasetGraph BIND(?e AS ?de) } }
                    FILTER NOT EXISTS { VALUES ?item { pd:SubordinateEngagement pd:CollaborativeEngagement
                                                       pd:InitiatorEngagement pd:DivergentEngagement } }
                  } GROUP BY ?item ORDER BY DESC(?claimed) DESC(?imported) ?label""",
        (
            Column("label", "Mechanism", link="list"),
            Column("claimed", "Engagements (paper)", True),
            Column("imported", "Engagements (datasets)", True),
        ),
    ),
    BrowseList(
        "models",
        "Engagements by central-local model",
        "The paper's models of the relation between the centre and the provinces, with the engagements "
        "the reasoner classifies under each (interpretation: inferred from the claims, not stated by them).",
        """SELECT ?item (SAMPLE(?l) AS ?label) (SAMPLE(?cl) AS ?class) (COUNT(DISTINCT ?e) AS ?engagements) WHERE {
                    VALUES (?c ?m) { (pd:SubordinateEngagement pdr:model-province-as-subordinate)
                                     (pd:CollaborativeEngagement pdr:model-province-as-collaborator)
                                     (pd:InitiatorEngagement pdr:model-province-as-initiator)
                                     (pd:DivergentEngagement pdr:model-divergence) }
                    BIND(?c AS ?item) OPTIONAL { ?m rdfs:label ?l } OPTIONAL { ?c rdfs:label ?cl }
                    OPTIONAL { ?e a ?c }
                  } GROUP BY ?item ORDER BY DESC(?engagements)""",
        (Column("label", "Model", link="list"), Column("engagements", "Engagements (inferred)", True)),
    ),
    BrowseList(
        "engagements",
        "Engagements",
        "Every engagement, with its mechanism, its sub-state actor and its counterpart; filtered by "
        "mechanism or model when the list was opened from one.",
        """SELECT ?item (SAMPLE(?l) AS ?label) (SAMPLE(?actorLabel) AS ?actor) (SAMPLE(?a) AS ?actorIri)
                     (SAMPLE(?stateLabel) AS ?state) (SAMPLE(?s) AS ?stateIri)
                     (IF(SUM(IF(BOUND(?claim), 1, 0)) > 0, "paper", "dataset") AS ?source) WHERE {
                    ?item a ?filter . FILTER EXISTS { ?item pd:subStateActor|pd:foreignCounterpart ?any }
                    OPTIONAL { ?item rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en') || LANG(?l) = '') }
                    OPTIONAL { ?item pd:subStateActor ?a OPTIONAL { ?a rdfs:label ?actorLabel
                               FILTER(LANGMATCHES(LANG(?actorLabel), 'en') || LANG(?actorLabel) = '') } }
                    OPTIONAL { ?item pd:foreignCounterpart ?s OPTIONAL { ?s rdfs:label ?stateLabel
                               FILTER(LANGMATCHES(LANG(?stateLabel), 'en') || LANG(?stateLabel) = '') } }
                    OPTIONAL { GRAPH ?claim { ?item a ?anyType } ?claim a pd:Claim }
                  } GROUP BY ?item ORDER BY ?source ?label""",
        (
            Column("label", "Engagement", link="item"),
            Column("actor", "Sub-state actor", link="actorIri"),
            Column("state", "Counterpart", link="stateIri"),
            Column("source", "Asserted by"),
        ),
        parameter="type",
        default=str(PD) + "Engagement",
    ),
    BrowseList(
        "actors",
        "Actors by kind",
        "The kinds of actor the graph holds (province-level units, provincial SOEs, ministries ...), "
        "with how many of each the claims and the datasets name.",
        """SELECT ?item (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?x) AS ?actors) WHERE {
                    ?item rdfs:subClassOf* pd:Actor . GRAPH pdg:ontology { ?item a owl:Class }
                    OPTIONAL { ?item rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en')) }
                    OPTIONAL { GRAPH ?g { ?x a ?item } FILTER(?g != pdg:inferred) }
                    FILTER NOT EXISTS { VALUES ?item { pd:SubordinateActor pd:CollaborativePartnerActor
                                                       pd:InitiatorActor pd:DivergentActor } }
                  } GROUP BY ?item HAVING (COUNT(DISTINCT ?x) > 0) ORDER BY DESC(?actors) ?label""",
        (Column("label", "Kind of actor", link="list"), Column("actors", "Actors", True)),
    ),
    BrowseList(
        "actors-of-kind",
        "Actors",
        "The actors of one kind.",
        f"""SELECT ?item (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?e) AS ?engagements) WHERE {{
                     GRAPH ?g {{ ?item a ?filter }} FILTER(?g != pdg:inferred) {LABEL}
                     OPTIONAL {{ ?e pd:subStateActor|pd:foreignCounterpart|pd:implementedBy|pd:participant ?item }}
                   }} GROUP BY ?item ORDER BY DESC(?engagements) ?label""",
        (Column("label", "Actor", link="item"), Column("engagements", "Engagements", True)),
        parameter="kind",
    ),
    BrowseList(
        "sections",
        "Claims by section",
        "The sections of the paper, in its order, with the claims each supports.",
        """SELECT ?item (SAMPLE(?t) AS ?label) (SAMPLE(?o) AS ?order) (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
                    ?item a pd:Section ; dct:title ?t OPTIONAL { ?item pd:sectionOrder ?o }
                    OPTIONAL { ?claim a pd:Claim ; pd:section ?item }
                  } GROUP BY ?item ORDER BY ?order""",
        (Column("label", "Section", link="list"), Column("claims", "Claims", True)),
    ),
    BrowseList(
        "claims",
        "Claims",
        "The claims of one section, each with its quote.",
        """SELECT ?item (SAMPLE(?q) AS ?quote) (SAMPLE(?support) AS ?level) WHERE {
                    ?item a pd:Claim ; pd:section ?filter OPTIONAL { ?item oa:hasTarget/oa:hasSelector/oa:exact ?q }
                    OPTIONAL { ?item pd:supportLevel/rdfs:label ?support }
                  } GROUP BY ?item ORDER BY ?item""",
        (Column("quote", "Quote", link="item"), Column("level", "Support")),
        parameter="section",
    ),
    BrowseList(
        "sources",
        "Sources and datasets",
        "The works the claims cite and the datasets the build imports, with how much of the graph rests on each.",
        """SELECT ?item (SAMPLE(?l) AS ?label) (SAMPLE(?kind) AS ?what) (COUNT(DISTINCT ?claim) AS ?claims)
                     (SAMPLE(?n) AS ?records) WHERE {
                    { ?claim a pd:Claim ; prov:wasDerivedFrom ?item BIND("work" AS ?kind) }
                    UNION { ?item a pd:DatasetGraph BIND("dataset" AS ?kind) OPTIONAL { ?item pd:recordCount ?n } }
                    OPTIONAL { ?item rdfs:label|dct:title ?l }
                  } GROUP BY ?item ORDER BY ?what ?label""",
        (
            Column("label", "Source", link="item"),
            Column("what", "Kind"),
            Column("claims", "Claims", True),
            Column("records", "Rows", True),
        ),
    ),
]
BY_NAME = {b.name: b for b in LISTS}
# where a row of an overview list leads: the list of its members, filtered by the row's IRI
DRILL_DOWN = {
    "mechanisms": ("engagements", "type"),
    "models": ("engagements", "type"),
    "actors": ("actors-of-kind", "kind"),
    "sections": ("claims", "section"),
}
TOP_LISTS = [b for b in LISTS if b.name not in ("engagements", "actors-of-kind", "claims")]


def _link_for(browse: BrowseList, row: dict[str, Term], column: Column) -> str | None:
    if column.link == "list":
        target, parameter = DRILL_DOWN[browse.name]
        return url_for("site.browse_list", name=target, **{parameter: row["item"].value})
    term = row.get(column.link) if column.link else None
    return href(term.value, request.script_root) if term is not None and term.is_iri else None


@blueprint.route("/browse")
def browse():
    return render_template("browse.html", lists=TOP_LISTS)


@blueprint.route("/browse/<name>")
def browse_list(name: str):
    browse_def = BY_NAME.get(name)
    if browse_def is None:
        abort(404, f"there is no list named {name!r}; the lists are at /browse")
    heading = browse_def.title
    chosen = request.args.get(browse_def.parameter) if browse_def.parameter else None
    if chosen:
        if not (chosen.startswith(("https://", "http://")) and WRITABLE_IRI.fullmatch(chosen)):
            abort(400, f"{browse_def.parameter} must be an http(s) IRI")
        label = _one("SELECT ?x ?l WHERE { ?x rdfs:label|dct:title ?l } LIMIT 1", x=chosen).get("l")
        heading = f"{browse_def.title}: {label.value if label else chosen}"
    elif browse_def.parameter and not browse_def.default:
        abort(400, f"this list needs a {browse_def.parameter} parameter: the IRI to list the members of")
    chosen_iri = chosen or browse_def.default or ""
    # ?filter is aggregated over, so it cannot be a substitution (pyoxigraph binds projected variables
    # only): the IRI, checked to be writable between < >, is written into the query
    rows = endpoint().rows(browse_def.query.replace("?filter", f"<{chosen_iri}>"))
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    try:
        page = max(1, min(int(request.args.get("page", 1)), pages))
    except ValueError:
        page = 1
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    cells = [
        [
            (row[c.variable].value if c.variable in row else "", _link_for(browse_def, row, c))
            for c in browse_def.columns
        ]
        for row in shown
    ]
    totals = [
        sum(int(r[c.variable].value) for r in rows if c.variable in r) if c.numeric else None
        for c in browse_def.columns
    ]
    return render_template(
        "browse_list.html",
        browse=browse_def,
        heading=heading,
        cells=cells,
        total=len(rows),
        page=page,
        pages=pages,
        totals=totals,
        first=(page - 1) * PAGE_SIZE + 1,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


# ---- downloads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    file: str
    format: str  # a format of the store's export
    media_type: str
    description: str


DOWNLOADS = [
    Download(
        "paradiplomacy-kg.trig",
        "trig",
        "application/trig",
        "the whole graph in TriG: every claim's assertion and provenance graph, the datasets, the links",
    ),
    Download("paradiplomacy-kg.nq", "nquads", "application/n-quads", "the same, as N-Quads (one quad a line)"),
]


@blueprint.route("/download/<file>")
def download(file: str):
    chosen = next((d for d in DOWNLOADS if d.file == file), None)
    if chosen is None:
        abort(404, "the downloads are " + ", ".join(d.file for d in DOWNLOADS))
    answer = endpoint().run(ExportJob(chosen.format))
    return Response(
        answer.body,
        content_type=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{chosen.file}"'},
    )
