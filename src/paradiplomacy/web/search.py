"""Finding resources by name: an index of the project's labelled resources (rdfs:label,
skos:prefLabel, skos:altLabel, pd:pinyin; English, Chinese and pinyin alike), read once per store
generation, and a ranking of its names against what a person typed.

`/search?q=` answers as HTML (a list with type facets) or JSON (`format=json` or Accept:
application/json: the type-ahead and scripts). The reconciliation service (reconcile.py) ranks
with the same index.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field

from flask import Blueprint, jsonify, render_template, request

from paradiplomacy.namespaces import BASE, PDR
from paradiplomacy.web.context import Endpoint, endpoint
from paradiplomacy.web.terms import Term, best_label, local_path

blueprint = Blueprint("search", __name__)

NAME_PREDICATES = {
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "label",
    "http://www.w3.org/2004/02/skos/core#altLabel": "alternative name",
    "https://w3id.org/paradiplomacy/ontology#pinyin": "pinyin",
}
# every name of every resource of the project, and its asserted types (the reasoner's superclasses
# would make every facet "Actor" or "Thing")
NAMES = """SELECT ?r ?p ?name WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel pd:pinyin }
  ?r ?p ?name FILTER(isIRI(?r) && isLiteral(?name) && STRSTARTS(STR(?r), STR(pdr:)))
}"""
TYPES = """SELECT DISTINCT ?r ?type ?typeLabel WHERE {
  GRAPH ?g { ?r a ?type } FILTER(?g != pdg:inferred && STRSTARTS(STR(?r), STR(pdr:)))
  OPTIONAL { ?type rdfs:label ?typeLabel FILTER(LANGMATCHES(LANG(?typeLabel), "en")) }
}"""
SUPERCLASSES = """SELECT ?c ?super WHERE { GRAPH pdg:ontology { ?c rdfs:subClassOf+ ?super } FILTER(isIRI(?super)) }"""
DEFAULT_LIMIT = 20
MAX_LIMIT = 200


def normalised(text: str) -> str:
    """Case, accents (pinyin tone marks), width and spacing folded away: what names are compared on."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass
class Entry:
    iri: str
    label: str
    names: list[tuple[str, str, str | None]] = field(default_factory=list)  # (name, kind, language)
    types: dict[str, str] = field(default_factory=dict)  # type IRI -> its label
    kinds: set[str] = field(default_factory=set)  # its types and their superclasses (type constraints)

    @property
    def slug(self) -> str:
        return self.iri[len(PDR) :] if self.iri.startswith(str(PDR)) else self.iri


@dataclass
class Hit:
    entry: Entry
    score: float  # 0-100
    matched: str  # the name that matched
    kind: str  # label, alternative name, pinyin
    exact: bool


def _name_score(query: str, name: str) -> float:
    """How well one name answers the query: 100 the same name, 90 a prefix, 75 a word of it begins
    with the query, 55 it contains the query, 45 it holds every word of the query, 50 the query holds
    every word of the name; less the longer one is beyond the other."""
    if not query or not name:
        return 0.0
    if name == query:
        return 100.0
    surplus = min(len(name) - len(query), 40) / 4  # "Jiangxi" before "Jiangxi Provincial People's Congress"
    if name.startswith(query):
        return 90 - surplus
    if any(word.startswith(query) for word in name.replace("-", " ").split()):
        return 75 - surplus
    if query in name:
        return 55 - surplus
    words = query.split()
    if len(words) > 1 and all(w in name for w in words):
        return 45 - surplus
    name_words = name.replace("-", " ").split()
    if name_words and set(name_words) <= set(words):  # "Jiangxi Province", "Republic of Zambia": more than the name
        return 50 - min(len(query) - len(name), 40) / 4
    return 0.0


class NameIndex:
    def __init__(self, entries: dict[str, Entry]):
        self.entries = entries
        self._keys = [
            (entry, normalised(name), name, kind) for entry in entries.values() for name, kind, _ in entry.names
        ]

    def search(self, text: str, types: set[str] | None = None, limit: int | None = None) -> list[Hit]:
        """The resources whose names answer `text`, best first; only those of `types` (or of a
        subclass of one of them), if given."""
        query = normalised(text)
        best: dict[str, Hit] = {}
        for entry, key, name, kind in self._keys:
            if types and not (types & entry.kinds):
                continue
            score = _name_score(query, key)
            if kind != "label":
                score -= 2  # a label outranks an alternative name that matches as well
            if score > 0 and (entry.iri not in best or score > best[entry.iri].score):
                best[entry.iri] = Hit(entry, max(score, 1.0), name, kind, key == query)
        hits = sorted(best.values(), key=lambda h: (-h.score, h.entry.label.casefold(), h.entry.iri))
        return hits[:limit] if limit else hits

    def facets(self, hits: list[Hit]) -> list[tuple[str, str, int]]:
        """(type IRI, type label, how many hits have it), most frequent first."""
        counts: dict[str, int] = {}
        labels: dict[str, str] = {}
        for h in hits:
            for iri, label in h.entry.types.items():
                counts[iri] = counts.get(iri, 0) + 1
                labels[iri] = label
        return sorted(((iri, labels[iri], n) for iri, n in counts.items()), key=lambda f: (-f[2], f[1]))


def _fallback_label(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace("-", " ")


def read_index(ep: Endpoint) -> NameIndex:
    names: dict[str, list[Term]] = {}
    entries: dict[str, Entry] = {}
    for row in ep.rows(NAMES):
        iri, name = row["r"].value, row["name"]
        entry = entries.setdefault(iri, Entry(iri, ""))
        kind = NAME_PREDICATES.get(row["p"].value, "label")
        if (name.value, kind, name.lang) not in entry.names:
            entry.names.append((name.value, kind, name.lang))
        if kind == "label":
            names.setdefault(iri, []).append(name)
    for row in ep.rows(TYPES):
        entry = entries.get(row["r"].value)
        if entry is not None:
            type_iri = row["type"].value
            entry.types[type_iri] = row["typeLabel"].value if "typeLabel" in row else _fallback_label(type_iri)
    supers: dict[str, set[str]] = {}
    for row in ep.rows(SUPERCLASSES):
        supers.setdefault(row["c"].value, set()).add(row["super"].value)
    for iri, entry in entries.items():
        entry.label = best_label(names.get(iri, [])) or _fallback_label(iri)
        entry.kinds = set(entry.types).union(*(supers.get(t, set()) for t in entry.types))
    return NameIndex(entries)


_cache: dict[tuple[int, str | None], NameIndex] = {}
_cache_lock = threading.Lock()


def name_index(ep: Endpoint | None = None) -> NameIndex:
    """The index for the store as it is now (read again after a rebuild or an update)."""
    ep = ep or endpoint()
    generation = ep.ping().generation
    key = (id(ep), generation)
    with _cache_lock:
        index = _cache.get(key)
    if index is None:
        index = read_index(ep)
        with _cache_lock:
            _cache.clear()  # one generation of one app at a time: the older ones are stale
            _cache[key] = index
    return index


def hit_json(hit: Hit, root: str) -> dict:
    entry = hit.entry
    return {
        "id": entry.iri,
        "label": entry.label,
        "page": root + (local_path(entry.iri) or ""),
        "score": round(hit.score, 1),
        "match": hit.matched,
        "matchKind": hit.kind,
        "exact": hit.exact,
        "types": [{"id": iri, "label": label} for iri, label in sorted(entry.types.items(), key=lambda t: t[1])],
    }


def _limit() -> int:
    try:
        return max(1, min(int(request.args.get("limit", DEFAULT_LIMIT)), MAX_LIMIT))
    except ValueError:
        return DEFAULT_LIMIT


def _wants_json() -> bool:
    fmt = request.args.get("format", "").lower()
    if fmt:
        return fmt == "json"
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@blueprint.route("/search")
def search():
    text = request.args.get("q", "").strip()
    chosen = set(request.args.getlist("type"))
    index = name_index()
    found = index.search(text) if text else []
    facets = index.facets(found)
    shown = [h for h in found if not chosen or chosen & h.entry.types.keys()]
    limit = _limit()
    root = request.script_root
    if _wants_json():
        response = jsonify(
            query=text,
            total=len(shown),
            types=sorted(chosen),
            facets=[{"id": iri, "label": label, "count": n} for iri, label, n in facets],
            results=[hit_json(h, root) for h in shown[:limit]],
        )
        response.headers["Vary"] = "Accept"
        return response
    return render_template(
        "search.html",
        query=text,
        hits=shown[: max(limit, 50)],
        total=len(shown),
        facets=facets,
        chosen=chosen,
        base=BASE,
    )
