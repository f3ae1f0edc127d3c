"""What the map and the network views draw, read from the store alone (no network needed).

- `engagement_lines`: each engagement (of a claim or an imported dataset) of a province-level unit (or of an actor that belongs to, comes
  from or is backed by one) with a foreign state, as a line from the province to the state, with its
  mechanism (its most specific asserted class under pd:Engagement) and the central-local models the
  reasoner inferred for it; the ends are placed by the coordinates (P625) of the linked Wikidata items
  in the offline slice (<…/graph/wikidata>). Engagements whose ends have no coordinates are listed
  apart, never placed by guess.
- `network`: the actors and engagements of the claims and imported datasets as nodes, and the facts between them
  (who engages, with whom, who designs, implements, initiates, backs, belongs to whom) as edges.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from paradiplomacy.namespaces import GRAPH_INFERRED, GRAPH_SLICE, PD, PDG, PDR, WDT
from paradiplomacy.sparql.prefixes import declarations

# runs a SELECT query, returns its rows as {variable: lexical value or IRI} (unbound ones absent)
Select = Callable[[str], list[dict[str, str]]]


def store_select(store) -> Select:
    """A Select over a Store (store.py)."""
    return lambda q: [{k: str(v) for k, v in row.items()} for row in store.query(q).as_dicts()]


MODELS = ["SubordinateEngagement", "CollaborativeEngagement", "InitiatorEngagement", "DivergentEngagement"]

P = declarations()
SOURCES = "VALUES ?kind { pd:Claim pd:DatasetGraph }"  # the graphs of asserted facts: claims and datasets
PAIRS_QUERY = (
    P
    + """
SELECT DISTINCT ?engagement ?actor ?province ?state WHERE {
  ?engagement pd:subStateActor ?actor ; pd:foreignCounterpart ?state .
  ?state a pd:ForeignState .
  { ?actor a pd:ProvinceLevelUnit . BIND(?actor AS ?province) }
  UNION
  { ?actor pd:backedBy|org:subOrganizationOf|pd:originProvince ?province . ?province a pd:ProvinceLevelUnit }
}"""
)
TYPES_QUERY = (
    P
    + f"""
SELECT ?engagement ?type ?kind ?g WHERE {{
  GRAPH ?g {{ ?engagement a ?type }} ?g a ?kind {SOURCES} ?type rdfs:subClassOf* pd:Engagement
}}"""
)
NARROWER_QUERY = P + "SELECT ?c ?super WHERE { ?c rdfs:subClassOf+ ?super . ?super rdfs:subClassOf* pd:Engagement }"
LABELS_QUERY = P + 'SELECT ?s ?l WHERE { VALUES ?s { %s } ?s rdfs:label ?l FILTER(LANG(?l) = "en") }'
PLACES_QUERY = P + f"SELECT ?s ?c WHERE {{ ?s skos:exactMatch ?i . GRAPH <{GRAPH_SLICE}> {{ ?i <{WDT.P625}> ?c }} }}"
# what the filters of the map choose by: sectors and years of the engagements, the graphs that assert them
DETAILS_QUERY = (
    P
    + """SELECT ?engagement ?sector ?sectorLabel ?year WHERE {
  ?engagement pd:subStateActor ?actor .
  { ?engagement pd:sector ?sector OPTIONAL { ?sector rdfs:label ?sectorLabel FILTER(LANGMATCHES(LANG(?sectorLabel), "en")) } }
  UNION { ?engagement pd:year|pd:startYear ?year }
}"""
)
SOURCE_LABELS_QUERY = P + """SELECT ?g ?label WHERE { ?g a pd:DatasetGraph ; rdfs:label ?label }"""
CLASS_LABELS_QUERY = (
    P
    + """SELECT ?c ?label WHERE { GRAPH pdg:ontology { ?c rdfs:label ?label }
  FILTER(LANGMATCHES(LANG(?label), "en") && STRSTARTS(STR(?c), STR(pd:))) }"""
)
MODELS_QUERY = P + (
    f"SELECT ?s ?m WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s a ?m }} VALUES ?m {{ "
    + " ".join(f"pd:{m}" for m in MODELS)
    + " } }"
)


def _labels(select: Select, iris) -> dict[str, str]:
    iris, out = sorted(iris), {}
    for i in range(0, len(iris), 200):
        for r in select(LABELS_QUERY % " ".join(f"<{x}>" for x in iris[i : i + 200])):
            out.setdefault(r["s"], r["l"])
    return out


_POINT = re.compile(r"^\s*Point\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$", re.I)


def point(wkt) -> tuple[float, float] | None:
    """(latitude, longitude) of a WKT point literal (which gives longitude first), or None."""
    m = _POINT.match(str(wkt)) if wkt is not None else None
    return (float(m.group(2)), float(m.group(1))) if m else None


def local(term, ns) -> str:
    return str(term)[len(str(ns)) :] if str(term).startswith(str(ns)) else str(term)


def engagement_lines(select: Select) -> dict:
    """{'lines': [...], 'unplaced': [...]}: the engagements to draw, and those without coordinates."""
    pairs: dict[tuple, set] = {}
    for r in select(PAIRS_QUERY):
        pairs.setdefault((r["engagement"], r["province"], r["state"]), set()).add(r["actor"])
    types: dict[str, set] = {}
    evidence: dict[str, set] = {}
    sources: dict[str, set] = {}  # "claims", or the slug of the dataset graph
    for r in select(TYPES_QUERY):
        types.setdefault(r["engagement"], set()).add(r["type"])
        claim = r["kind"].endswith("#Claim")
        evidence.setdefault(r["engagement"], set()).add("claim" if claim else "dataset")
        sources.setdefault(r["engagement"], set()).add("claims" if claim else local(r["g"], PDG))
    sectors: dict[str, dict] = {}
    years: dict[str, set] = {}
    for r in select(DETAILS_QUERY):
        if "sector" in r:
            sectors.setdefault(r["engagement"], {})[local(r["sector"], PDR)] = r.get(
                "sectorLabel", local(r["sector"], PDR)
            )
        if "year" in r and str(r["year"]).lstrip("-").isdigit():
            years.setdefault(r["engagement"], set()).add(int(r["year"]))
    class_labels = {local(r["c"], PD): r["label"] for r in select(CLASS_LABELS_QUERY)}
    narrower: dict[str, set] = {}
    for r in select(NARROWER_QUERY):
        narrower.setdefault(r["super"], set()).add(r["c"])
    places = {r["s"]: point(r["c"]) for r in select(PLACES_QUERY)}
    models: dict[str, set] = {}
    for r in select(MODELS_QUERY):
        models.setdefault(r["s"], set()).add(local(r["m"], PD))
    labels = _labels(select, {x for key in pairs for x in key})
    lines, unplaced = [], []
    for (engagement, province, state), actors in sorted(pairs.items()):
        asserted = types.get(engagement, set())
        if not asserted:  # an engagement only the reasoner types: not drawn as a mechanism
            continue
        mechanism = sorted(t for t in asserted if not (narrower.get(t, set()) & asserted))[0]
        line = {
            "engagement": local(engagement, PDR),
            "label": labels.get(engagement, local(engagement, PDR)),
            "mechanism": local(mechanism, PD),
            "mechanismLabel": class_labels.get(local(mechanism, PD), local(mechanism, PD)),
            "models": [m for m in MODELS if m in models.get(engagement, set())],
            "modelLabels": [class_labels.get(m, m) for m in MODELS if m in models.get(engagement, set())],
            "sectors": sorted(sectors.get(engagement, {})),
            "years": sorted(years.get(engagement, set())),
            "sources": sorted(sources.get(engagement, set())),
            "actors": sorted(local(a, PDR) for a in actors),
            "evidence": sorted(evidence.get(engagement, set())),
            "province": local(province, PDR),
            "provinceLabel": labels.get(province, ""),
            "state": local(state, PDR),
            "stateLabel": labels.get(state, ""),
            "from": places.get(province),
            "to": places.get(state),
        }
        (lines if line["from"] and line["to"] else unplaced).append(line)
    kept = lines + unplaced
    all_sectors = {k: v for line in kept for k, v in sectors.get(line_iri(line), {}).items()}
    dataset_labels = {local(r["g"], PDG): r["label"] for r in select(SOURCE_LABELS_QUERY)}
    return {
        "lines": lines,
        "unplaced": unplaced,
        "labels": {
            "mechanisms": {m: class_labels.get(m, m) for m in sorted({x["mechanism"] for x in kept})},
            "models": {m: class_labels.get(m, m) for m in MODELS},
            "sectors": dict(sorted(all_sectors.items(), key=lambda kv: kv[1])),
            "sources": {
                "claims": "the paper's claims",
                **{
                    g: dataset_labels.get(g, g)
                    for g in sorted({x for line in kept for x in line["sources"]} - {"claims"})
                },
            },
        },
        "years": [min(y for line in kept for y in line["years"]), max(y for line in kept for y in line["years"])]
        if any(line["years"] for line in kept)
        else None,
    }


def model_labels(select: Select) -> dict[str, str]:
    """The English label of each model class (pd:CollaborativeEngagement ...), by its local name."""
    labels = {local(r["c"], PD): r["label"] for r in select(CLASS_LABELS_QUERY)}
    return {m: labels.get(m, m) for m in MODELS}


def line_iri(line: dict) -> str:
    return str(PDR) + line["engagement"]


NETWORK_PROPERTIES = [
    "subStateActor",
    "foreignCounterpart",
    "designedBy",
    "implementedBy",
    "initiatedBy",
    "supportedBy",
    "participant",
    "imposedBy",
    "conflictsWithInterestsOf",
    "backedBy",
    "operatesIn",
    "locatedIn",
    "originProvince",
    "twinnedWith",
    "represents",
    "memberOf",
]

NETWORK_QUERY = (
    declarations()
    + f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} ?g a ?kind %s
  VALUES ?p {{ {" ".join(f"pd:{p}" for p in NETWORK_PROPERTIES)} org:subOrganizationOf }}
  FILTER(isIRI(?o))
}} ORDER BY ?s ?p ?o
"""
)

NODES_QUERY = (
    declarations()
    + """
SELECT ?node (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types)
       (GROUP_CONCAT(DISTINCT STR(?m); separator=" ") AS ?models) WHERE {
  VALUES ?node { %s }
  OPTIONAL { ?node rdfs:label ?l FILTER(LANG(?l) = "en") }
  OPTIONAL { GRAPH ?g { ?node a ?t } ?g a ?kind VALUES ?kind { pd:Claim pd:DatasetGraph } }
  OPTIONAL { GRAPH <"""
    + str(GRAPH_INFERRED)
    + "> { ?node a ?m } VALUES ?m { "
    + " ".join(f"pd:{m}" for m in MODELS)
    + """ } }
} GROUP BY ?node
"""
)


def _kind(types: set[str], store_types) -> str:
    if types & {"ProvinceLevelUnit", "Province", "Municipality", "AutonomousRegion"}:
        return "province"
    if types & {"ForeignState", "State"}:
        return "state"
    if types & store_types["engagement"]:
        return "engagement"
    if "ActorGroup" in types:
        return "group"
    if types & store_types["central"]:
        return "central"
    return "actor"


def network(select: Select, datasets: bool = False) -> dict:
    """Cytoscape.js elements: {'nodes': [{'data': {...}}], 'edges': [{'data': {...}}]}: the facts of
    the claims, and with `datasets` those of the imported datasets too."""
    kinds = SOURCES if datasets else "VALUES ?kind { pd:Claim }"
    edges = [(r["s"], r["p"], r["o"]) for r in select(NETWORK_QUERY % kinds)]
    ids = sorted({x for s, _, o in edges for x in (s, o)})
    subclasses = lambda top: {
        local(r["c"], PD)
        for r in select(declarations() + f"SELECT DISTINCT ?c WHERE {{ ?c rdfs:subClassOf* pd:{top} }}")
    }
    store_types = {"engagement": subclasses("Engagement"), "central": subclasses("CentralStateActor")}
    nodes = []
    for chunk in range(0, len(ids), 200):
        values = " ".join(f"<{i}>" for i in ids[chunk : chunk + 200])
        for r in select(NODES_QUERY % values):
            types = {local(t, PD) for t in str(r.get("types") or "").split()}
            slug = local(r["node"], PDR)
            inferred = {local(x, PD) for x in str(r.get("models") or "").split()}
            nodes.append(
                {
                    "data": {
                        "id": slug,
                        "label": str(r.get("label") or slug),
                        "kind": _kind(types, store_types),
                        "models": [m for m in MODELS if m in inferred],
                    }
                }
            )
    known = {n["data"]["id"] for n in nodes}
    out_edges = []
    for i, (s, p, o) in enumerate(edges):
        a, b = local(s, PDR), local(o, PDR)
        if a in known and b in known:
            prop = local(p, PD) if str(p).startswith(str(PD)) else "subOrganizationOf"
            out_edges.append({"data": {"id": f"e{i}", "source": a, "target": b, "label": prop}})
    return {"nodes": sorted(nodes, key=lambda n: n["data"]["id"]), "edges": out_edges}
