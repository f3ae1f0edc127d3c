"""A W3C Reconciliation Service API endpoint (version 0.2, which OpenRefine speaks) at /reconcile: match a
column of names (English, pinyin or Chinese) to the graph's resources.

- `GET /reconcile`: the service manifest (JSONP with `callback`);
- `GET|POST /reconcile?queries={...}`: a batch of queries, each with `query`, optional `type` (one or a list),
  `type_strict`, `limit` and `properties` (`[{"pid": ..., "v": ...}]`); each candidate with a score (0-100),
  features (the name's score, each property's agreement) and `match`: true only for an exact name that no
  other candidate shares and that every given property agrees with;
- `/reconcile/suggest/entity|type|property?prefix=`: auto-completion; `/reconcile/preview?id=`: an HTML card;
- data extension: `/reconcile/properties?type=` proposes the properties that entities of a type have (most used
  first), and `GET|POST /reconcile?extend={"ids": [...], "properties": [{"id": ...}]}` gives their values
  (entities as {id, name}, numbers as int or float, the rest as str). A property's setting `facts` chooses
  `entailed` (the default: what the endpoint's default graph holds, inferences included) or `stated` (only
  facts that a claim, a dataset or a loaded file states: no inference).

Identifiers are the resources' slugs in https://w3id.org/paradiplomacy/resource/ (the manifest's
identifierSpace: `jiangxi` is …/resource/jiangxi); types and properties are the ontology's local names
(`ProvinceLevelUnit`, `twinnedWith`) in https://w3id.org/paradiplomacy/ontology# (schemaSpace); full IRIs
and prefixed names are accepted too. Names are ranked by the search index (search.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request, url_for

from paradiplomacy.namespaces import GRAPH_INFERRED, GRAPH_INFERRED_EXPLICIT, PD, PDR, PREFIXES
from paradiplomacy.rdfutil import curie
from paradiplomacy.web.context import endpoint
from paradiplomacy.web.errors import HttpProblem
from paradiplomacy.web.resource_view import WRITABLE_IRI
from paradiplomacy.web.search import Entry, Hit, name_index, normalised

blueprint = Blueprint("reconcile", __name__, url_prefix="/reconcile")

DEFAULT_TYPES = ["ProvinceLevelUnit", "ForeignState", "Enterprise", "Actor", "Engagement"]
MAX_QUERIES = 500  # queries in one batch (OpenRefine sends 10 at a time by default)
MAX_CANDIDATES = 25
VALUES_BATCH = 200  # entities looked up by one query (its VALUES clause)
CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")
VALUES = """SELECT ?r ?p ?o ?label WHERE {
  VALUES ?r { %s } ?r ?p ?o OPTIONAL { ?o rdfs:label|skos:prefLabel|skos:altLabel|pd:pinyin ?label } }"""
CLASSES = """SELECT ?x (SAMPLE(?l) AS ?label) WHERE { GRAPH pdg:ontology { ?x a owl:Class ; rdfs:label ?l }
  FILTER(STRSTARTS(STR(?x), STR(pd:)) && LANGMATCHES(LANG(?l), "en")) } GROUP BY ?x"""
PROPERTIES = """SELECT ?x (SAMPLE(?l) AS ?label) WHERE { GRAPH pdg:ontology {
  ?x a ?kind ; rdfs:label ?l VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } }
  FILTER(STRSTARTS(STR(?x), STR(pd:)) && LANGMATCHES(LANG(?l), "en")) } GROUP BY ?x"""


# properties a column can be extended with: the ontology's, and these of other vocabularies
EXTRA_PROPERTIES = ("rdf:type", "rdfs:label", "skos:prefLabel", "skos:altLabel", "skos:exactMatch", "owl:sameAs")
PROPERTY_LABELS = """SELECT ?x (SAMPLE(?l) AS ?label) WHERE {
  VALUES ?x { %s } GRAPH pdg:ontology { ?x rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) } } GROUP BY ?x"""
PROPOSE = """SELECT ?p (COUNT(DISTINCT ?r) AS ?n) (SAMPLE(?l) AS ?label) WHERE {
  ?r a ?class . %s ?r ?p ?o
  FILTER(STRSTARTS(STR(?p), STR(pd:)) || ?p IN (%s))
  OPTIONAL { GRAPH pdg:ontology { ?p rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) } }
} GROUP BY ?p ORDER BY DESC(?n) ?p"""
EXTEND = """SELECT ?r ?p ?o (SAMPLE(?l) AS ?label) WHERE {
  VALUES ?r { %s } VALUES ?p { %s } ?r ?p ?o %s
  OPTIONAL { ?o rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
} GROUP BY ?r ?p ?o ORDER BY ?r ?p ?label ?o"""
STATED = f"""FILTER EXISTS {{ GRAPH ?g {{ ?r ?p ?o }}
  FILTER(?g NOT IN (<{GRAPH_INFERRED}>, <{GRAPH_INFERRED_EXPLICIT}>)) }}"""
FACTS = {"entailed": "", "stated": STATED}
MAX_EXTEND_IDS = 1000
MAX_EXTEND_PROPERTIES = 50
INTEGERS = {
    str(PREFIXES["xsd"]) + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")
}
NUMBERS = {str(PREFIXES["xsd"]) + t for t in ("decimal", "double", "float")}


def _json(payload, status: int = 200) -> Response:
    """JSON, or JSONP when the request names a callback (older clients of the API ask so)."""
    body = json.dumps(payload, ensure_ascii=False)
    callback = request.values.get("callback")
    if callback:
        if not CALLBACK.fullmatch(callback):
            raise HttpProblem(400, "callback must be a JavaScript identifier")
        return Response(f"/**/{callback}({body});", status, content_type="application/javascript; charset=utf-8")
    return Response(body, status, content_type="application/json; charset=utf-8")


def expand(identifier: str, namespace: str) -> str:
    """An identifier of the API (a local name, a prefixed name or an IRI) as an IRI."""
    if identifier.startswith(("http://", "https://")):
        return identifier
    prefix, colon, rest = identifier.partition(":")
    if colon and prefix in PREFIXES:
        return PREFIXES[prefix] + rest
    return namespace + identifier


def short(iri: str, namespace: str) -> str:
    return iri.removeprefix(namespace)


def manifest() -> dict:
    root = url_for("reconcile.service", _external=True)
    resource_page = url_for("linked_data.resource", slug="ID", _external=True).replace("ID", "{{id}}")
    return {
        "versions": ["0.2"],
        "name": "paradiplomacy-kg: China's provinces as global actors",
        "identifierSpace": str(PDR),
        "schemaSpace": str(PD),
        "documentation": url_for("site.home", _external=True),
        "view": {"url": resource_page},
        "defaultTypes": [{"id": t, "name": label} for t, label in _type_names(DEFAULT_TYPES)],
        "preview": {"url": root + "/preview?id={{id}}", "width": 400, "height": 120},
        "suggest": {
            kind: {"service_url": _service_url(), "service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": _service_url(), "service_path": "/reconcile/properties"},
            "property_settings": [
                {
                    "name": "facts",
                    "label": "Facts",
                    "type": "select",
                    "default": "entailed",
                    "help_text": "entailed: the facts the claims state and those the reasoner infers from them; "
                    "stated: only the facts that a claim, a dataset or a loaded file states",
                    "choices": [{"value": v, "name": v} for v in FACTS],
                }
            ],
        },
    }


def _service_url() -> str:
    return url_for("site.home", _external=True).rstrip("/")


def property_id(iri: str) -> str:
    """A property as the API names it: the ontology's local name, else a prefixed name (skos:exactMatch)."""
    return short(iri, str(PD)) if iri.startswith(str(PD)) else curie(iri)


def _ontology_labels(query: str) -> dict[str, str]:
    return {row["x"].value: row["label"].value for row in endpoint().rows(query)}


def _type_names(types: list[str]) -> list[tuple[str, str]]:
    labels = _ontology_labels(CLASSES)
    return [(t, labels.get(str(PD) + t, t)) for t in types]


# ---- reconciliation ------------------------------------------------------------------------------


@dataclass
class Query:
    text: str
    types: set[str]  # type IRIs
    strict: str  # any, should, all
    limit: int
    properties: list[tuple[str, list]]  # (property IRI, values asked for)


def _read_query(key: str, q) -> Query:
    if not isinstance(q, dict):
        raise HttpProblem(400, f"query {key!r} must be an object")
    text = q.get("query", "")
    if not isinstance(text, str):
        raise HttpProblem(400, f"query {key!r}: query must be a string")
    types = q.get("type") or []
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise HttpProblem(400, f"query {key!r}: type must be a type identifier or a list of them")
    properties = []
    for p in q.get("properties") or []:
        if not (isinstance(p, dict) and isinstance(p.get("pid"), str) and "v" in p):
            raise HttpProblem(400, f"query {key!r}: each property needs pid and v")
        values = p["v"] if isinstance(p["v"], list) else [p["v"]]
        properties.append((expand(p["pid"], str(PD)), values))
    if not text and not properties:
        raise HttpProblem(400, f"query {key!r} gives neither a query string nor properties")
    try:
        limit = max(1, min(int(q.get("limit") or 10), MAX_CANDIDATES))
    except (TypeError, ValueError):
        raise HttpProblem(400, f"query {key!r}: limit must be a number") from None
    return Query(text, {expand(t, str(PD)) for t in types}, q.get("type_strict") or "any", limit, properties)


def _iri_list(iris, separator: str = " ") -> str:
    return separator.join(f"<{i}>" for i in iris)


def _values_of(entries: list[Entry]) -> dict[str, dict[str, list[tuple[str, set[str]]]]]:
    """For each entry: property IRI -> [(value: IRI or literal, its names)]."""
    iris = [e.iri for e in entries if WRITABLE_IRI.fullmatch(e.iri)]
    out: dict[str, dict[str, dict[str, set[str]]]] = {}
    for i in range(0, len(iris), VALUES_BATCH):
        for row in endpoint().rows(VALUES % _iri_list(iris[i : i + VALUES_BATCH])):
            names = out.setdefault(row["r"].value, {}).setdefault(row["p"].value, {}).setdefault(row["o"].value, set())
            if "label" in row:
                names.add(normalised(row["label"].value))
    return {r: {p: list(values.items()) for p, values in props.items()} for r, props in out.items()}


def _agrees(asked, held: list[tuple[str, set[str]]]) -> bool:
    """Whether one value a query asks for is among an entity's values of a property: an entity ({id}), an
    IRI or a slug by identity; a string by a name or the value itself, as the index compares names."""
    if isinstance(asked, dict):
        asked = asked.get("id", "")
    if isinstance(asked, bool):
        asked = "true" if asked else "false"
    text = str(asked)
    iri = expand(text, str(PDR))
    wanted = normalised(text)
    return any(value in (text, iri) or normalised(value) == wanted or wanted in names for value, names in held)


def _type_ok(entry: Entry, q: Query) -> bool:
    if not q.types or q.strict == "should":
        return True
    return q.types <= entry.kinds if q.strict == "all" else bool(q.types & entry.kinds)


def _candidates(q: Query, index, values) -> list[dict]:
    if q.text:
        hits = index.search(q.text, q.types if q.strict != "should" else None)
    else:  # properties only: every entity of the types, scored by the properties alone
        hits = [Hit(e, 0.0, e.label, "label", False) for e in index.entries.values() if _type_ok(e, q)]
    hits = [h for h in hits if _type_ok(h.entry, q)][:200]
    held = values([h.entry for h in hits]) if q.properties else {}
    scored = []
    for h in hits:
        features = [{"id": "name", "value": round(h.score, 1)}] if q.text else []
        agreed = 0
        for pid, asked in q.properties:
            ok = any(_agrees(v, held.get(h.entry.iri, {}).get(pid, [])) for v in asked)
            agreed += ok
            features.append({"id": "property:" + short(pid, str(PD)), "value": ok})
        score = h.score if q.text else 0.0
        if q.properties:  # agreeing properties confirm a name, disagreeing ones weaken it
            share = agreed / len(q.properties)
            score = score * (0.6 + 0.4 * share) if q.text else 100 * share
        if q.types and q.strict == "should" and not (q.types & h.entry.kinds):
            score *= 0.8
        scored.append((score, h, features, agreed == len(q.properties)))
    scored.sort(key=lambda s: (-s[0], s[1].entry.label.casefold()))
    scored = [s for s in scored if s[0] > 0][: q.limit]
    exact = [s for s in scored if s[1].exact]
    return [
        {
            "id": short(h.entry.iri, str(PDR)),
            "name": h.entry.label,
            "score": round(score, 1),
            "description": _description(h.entry),
            "type": [{"id": short(t, str(PD)), "name": label} for t, label in sorted(h.entry.types.items())],
            "features": features,
            "match": bool(h.exact and len(exact) == 1 and all_agree),
        }
        for score, h, features, all_agree in scored
    ]


def _description(entry: Entry) -> str:
    other_names = [n for n, kind, lang in entry.names if n != entry.label and (lang or "").startswith("zh")]
    return " · ".join([", ".join(sorted(entry.types.values()))] + other_names[:1])


def _batch() -> dict:
    raw = request.values.get("queries")
    try:
        batch = json.loads(raw)
    except (TypeError, json.JSONDecodeError) as exc:
        raise HttpProblem(400, f"queries must be a JSON object of queries: {exc}") from exc
    if not isinstance(batch, dict):
        raise HttpProblem(400, 'queries must be a JSON object: {"q0": {"query": "Jiangxi"}, ...}')
    if len(batch) > MAX_QUERIES:
        raise HttpProblem(413, f"a batch holds at most {MAX_QUERIES} queries")
    queries = {key: _read_query(key, q) for key, q in batch.items()}
    index = name_index()
    return {key: {"result": _candidates(q, index, _values_of)} for key, q in queries.items()}


@blueprint.route("", methods=["GET", "POST"])
def service():
    if "queries" in request.values:
        return _json(_batch())
    if "extend" in request.values:
        return _json(_extend())
    return _json(manifest())


# ---- data extension ------------------------------------------------------------------------------


@blueprint.route("/properties")
def propose_properties():
    """The properties that entities of the type have, most used first (all entities without a type)."""
    type_id = request.args.get("type", "")
    try:
        limit = max(1, min(int(request.args.get("limit") or 50), 200))
    except ValueError:
        raise HttpProblem(400, "limit must be a number") from None
    extra = _iri_list((expand(p, str(PD)) for p in EXTRA_PROPERTIES), ", ")
    type_iri = expand(type_id, str(PD))
    if type_id and not WRITABLE_IRI.fullmatch(type_iri):
        raise HttpProblem(400, "type is not an IRI this service can look up")
    rows = endpoint().rows(PROPOSE % (f"?class rdfs:subClassOf* <{type_iri}> ." if type_id else "", extra))
    properties = [
        {
            "id": property_id(row["p"].value),
            "name": row["label"].value if "label" in row else property_id(row["p"].value),
        }
        for row in rows[:limit]
    ]
    answer = {"limit": limit, "properties": properties}
    return _json({"type": type_id, **answer} if type_id else answer)


def _read_extension() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The entities of an `extend` request (IRI -> the id as asked) and its (property IRI, facts setting)
    pairs, or 400."""
    try:
        ask = json.loads(request.values["extend"])
    except json.JSONDecodeError as exc:
        raise HttpProblem(400, f"extend must be a JSON object: {exc}") from exc
    ids, properties = (ask.get("ids"), ask.get("properties")) if isinstance(ask, dict) else (None, None)
    if not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
        raise HttpProblem(400, 'extend needs "ids": a list of entity identifiers')
    if not (
        isinstance(properties, list) and all(isinstance(p, dict) and isinstance(p.get("id"), str) for p in properties)
    ):
        raise HttpProblem(400, 'extend needs "properties": a list of objects with an "id"')
    if len(ids) > MAX_EXTEND_IDS or len(properties) > MAX_EXTEND_PROPERTIES:
        raise HttpProblem(413, f"extend takes at most {MAX_EXTEND_IDS} ids and {MAX_EXTEND_PROPERTIES} properties")
    wanted = []
    for p in properties:
        settings = p.get("settings") or {}
        facts = settings.get("facts", "entailed") if isinstance(settings, dict) else None
        if facts not in FACTS:
            raise HttpProblem(400, f"property {p['id']!r}: the setting facts is one of {', '.join(FACTS)}")
        wanted.append((expand(p["id"], str(PD)), facts))
    if len({p for p, _ in wanted}) < len(wanted):
        raise HttpProblem(400, "each property may be asked for once")
    iris = [expand(i, str(PDR)) for i in ids]
    if not all(WRITABLE_IRI.fullmatch(i) for i in iris + [p for p, _ in wanted]):
        raise HttpProblem(400, "an id or a property is not an IRI this service can look up")
    return dict(zip(iris, ids)), wanted


def _cell(row: dict) -> dict:
    """A value as the API writes it: an entity of the graph as {id, name}, a number as int or float, the rest
    (other IRIs, dates, text) as str."""
    value = row["o"]
    if value.kind == "uri":
        if value.value.startswith(str(PDR)):
            return {
                "id": short(value.value, str(PDR)),
                "name": row["label"].value if "label" in row else short(value.value, str(PDR)),
            }
        return {"str": value.value}
    try:
        if value.datatype in INTEGERS:
            return {"int": int(value.value)}
        if value.datatype in NUMBERS:
            return {"float": float(value.value)}
    except ValueError:  # an ill-typed literal is still its text
        pass
    return {"str": value.value}


def _extend() -> dict:
    asked, wanted = _read_extension()
    iris = list(asked)
    rows: dict[str, dict[str, list]] = {asked[i]: {property_id(p): [] for p, _ in wanted} for i in iris}
    for facts in {f for _, f in wanted}:
        properties = [p for p, f in wanted if f == facts]
        for start in range(0, len(iris), VALUES_BATCH):
            query = EXTEND % (_iri_list(iris[start : start + VALUES_BATCH]), _iri_list(properties), FACTS[facts])
            for row in endpoint().rows(query):
                rows[asked[row["r"].value]][property_id(row["p"].value)].append(_cell(row))
    labels = _ontology_labels(PROPERTY_LABELS % _iri_list(p for p, _ in wanted))
    meta = [{"id": property_id(p), "name": labels.get(p, property_id(p))} for p, _ in wanted]
    return {"meta": meta, "rows": rows}


# ---- suggest and preview -------------------------------------------------------------------------


def _prefix() -> str:
    return request.args.get("prefix", "").strip()


def _cursor() -> int:
    try:
        return max(0, int(request.args.get("cursor", 0)))
    except ValueError:
        return 0


@blueprint.route("/suggest/entity")
def suggest_entity():
    types = {expand(t, str(PD)) for t in request.args.getlist("type")}
    hits = name_index().search(_prefix(), types or None) if _prefix() else []
    page = hits[_cursor() : _cursor() + 10]
    return _json(
        {
            "result": [
                {
                    "id": short(h.entry.iri, str(PDR)),
                    "name": h.entry.label,
                    "description": _description(h.entry),
                    "notable": [{"id": short(t, str(PD)), "name": label} for t, label in sorted(h.entry.types.items())],
                }
                for h in page
            ]
        }
    )


def _suggest_terms(query: str) -> Response:
    wanted = normalised(_prefix())
    found = sorted(
        (
            (iri, label)
            for iri, label in _ontology_labels(query).items()
            if wanted and (wanted in normalised(label) or wanted in normalised(short(iri, str(PD))))
        ),
        key=lambda t: (not normalised(t[1]).startswith(wanted), t[1]),
    )
    return _json(
        {"result": [{"id": short(iri, str(PD)), "name": label} for iri, label in found[_cursor() : _cursor() + 10]]}
    )


@blueprint.route("/suggest/type")
def suggest_type():
    return _suggest_terms(CLASSES)


@blueprint.route("/suggest/property")
def suggest_property():
    return _suggest_terms(PROPERTIES)


@blueprint.route("/preview")
def preview():
    entry = name_index().entries.get(expand(request.args.get("id", ""), str(PDR)))
    if entry is None:
        raise HttpProblem(404, "no resource of the graph has this id")
    response = Response(
        render_template("reconcile_preview.html", entry=entry, description=_description(entry)),
        content_type="text/html; charset=utf-8",
    )
    # OpenRefine shows the card in an iframe of its own page: this answer alone may be framed; it runs no script
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"
    return response
