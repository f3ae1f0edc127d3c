"""The reconciler: proposes Wikidata items for the places and organisations not yet linked.

For each unlinked resource it asks the SPARQL endpoint for items whose label or alias equals one of
the resource's names (and, for states and provinces, whose English label contains a word of its
name), reads their instance-of classes (through subclass-of), ISO 3166 codes, country and location,
and checks them against the resource's kind: a province must be a province-level division of China
(class, or an ISO 3166-2:CN code), a state a sovereign state with an ISO 3166-1 code, a firm a
business, a county an item located in its province, and a Chinese body must not be in another
country. Candidates that contradict a check are rejected with the reason; the others are scored
(name 50%, type 25%, codes and country 25%) and written, best first, to a review file. Nothing
enters the curated mapping until a reviewer marks a row and runs `paradiplomacy link --accept FILE`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.namespace import RDF, RDFS, SKOS

from paradiplomacy.errors import InvalidInput, Problem
from paradiplomacy.linking.mapping import (
    MAPPING_FILE,
    Link,
    Mapping,
    asserted,
    entity_kinds,
    format_mapping,
    header_comments,
    parse_mapping,
    write_atomically,
)
from paradiplomacy.linking.wikidata import WikidataClient, qid_of
from paradiplomacy.namespaces import ORG, PD, PDR, WD, WDT

# Wikidata classes the checks use (instance of, through subclass of)
SOVEREIGN_STATE = "Q3624078"
PROVINCE_CLASSES = ["Q1615742", "Q57362", "Q1208802"]  # province, autonomous region, municipality of China
BUSINESS = "Q4830453"
ORGANIZATION = "Q43229"
ROOTS = {
    "province": PROVINCE_CLASSES,
    "state": [SOVEREIGN_STATE],
    "firm": [BUSINESS],
    "organisation": [ORGANIZATION],
    "county": [],
    "zone": [],
}
KIND_TEXT = {
    "province": "a province-level division of China",
    "state": "a sovereign state",
    "firm": "a business",
    "organisation": "an organization",
    "county": "a county in its province",
    "zone": "an economic zone",
}
FUZZY = {  # kinds small enough on Wikidata to search by a word of the label: the items with these codes
    "state": "?item wdt:P297 ?code .",
    "province": '?item wdt:P300 ?code . FILTER(STRSTARTS(STR(?code), "CN-"))',
}
STOPWORDS = {"of", "the", "and", "s", "de", "du", "la", "le"}
# words that many names share: they count a quarter of a distinctive word in a partial match
GENERIC = {
    "republic",
    "democratic",
    "peoples",
    "people",
    "united",
    "state",
    "states",
    "kingdom",
    "federal",
    "province",
    "autonomous",
    "region",
    "municipality",
    "county",
    "city",
    "special",
    "administrative",
    "zone",
    "economic",
    "company",
    "corporation",
    "group",
    "international",
    "china",
    "chinese",
}
REVIEW_COLUMNS = [
    "slug",
    "label",
    "kind",
    "rank",
    "qid",
    "wikidata_label",
    "score",
    "decision",
    "checks",
    "accept",
    "reviewed_by",
    "reviewed_on",
    "endpoint",
    "retrieved_at",
]
YES = {"yes", "y", "x", "true", "1", "accept", "accepted"}


@dataclass
class Entity:
    slug: str
    kind: str
    names: dict[str, list[str]]  # language -> names (labels first, then aliases)
    country: str | None = None  # the QID of the country it must be in, when the graph says so
    province: str | None = None  # for a county: the QID of its province

    @property
    def label(self) -> str:
        return (self.names.get("en") or self.names.get("zh") or [self.slug])[0]


@dataclass
class Facts:
    qid: str
    labels: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, set[str]] = field(default_factory=dict)  # P31, P17, ... -> QIDs or codes
    roots: set[str] = field(default_factory=set)  # the kind's classes it is an instance of

    def get(self, prop: str) -> set[str]:
        return self.values.get(prop, set())

    @property
    def label(self) -> str:
        for lang in ("en", "mul", "zh"):
            if self.labels.get(lang):
                return self.labels[lang][0]
        return self.qid


@dataclass
class Assessment:
    entity: Entity
    facts: Facts
    score: float
    decision: str  # proposed, weak, rejected
    checks: list[str]


# ---- the resources to link ----------------------------------------------------------------------


def graph_entities(result, ontology, mapping: Mapping | None) -> list[Entity]:
    """Places and organisations of the prepared graph (claims, reference data, datasets) with their
    names, and what the graph says of their country and province (through the links already curated)."""
    ds = result.dataset
    linked = mapping.by_slug() if mapping else {}
    qid = lambda slug: linked[slug].qid if slug in linked else None
    kinds = entity_kinds(ds, ontology)
    slug_of = lambda term: str(term)[len(str(PDR)) :] if str(term).startswith(str(PDR)) else None
    names: dict[str, dict[str, list[str]]] = {}
    located: dict[str, list[str]] = {}
    parents: dict[str, list[str]] = {}
    types: dict[str, set] = {}
    for s, p, o in asserted(ds):
        slug = slug_of(s)
        if slug not in kinds:
            continue
        if p in (RDFS.label, SKOS.altLabel) and getattr(o, "language", None) in ("en", "zh", None):
            lang = "zh" if o.language == "zh" else "en"
            values = names.setdefault(slug, {}).setdefault(lang, [])
            if str(o) not in values:
                values.insert(len(values) if p == SKOS.altLabel else 0, str(o))
        elif p == PD.locatedIn and slug_of(o):
            located.setdefault(slug, []).append(slug_of(o))
        elif p == ORG.subOrganizationOf and slug_of(o):
            parents.setdefault(slug, []).append(slug_of(o))
        elif p == RDF.type:
            types.setdefault(slug, set()).add(o)
    supers = lambda slug: {x for t in types.get(slug, ()) for x in ontology.transitive_objects(t, RDFS.subClassOf)}
    china = next((s for s, k in kinds.items() if k == "state" and PD.ForeignState not in supers(s)), None)
    out = []
    for slug, kind in sorted(kinds.items()):
        e = Entity(slug, kind, names.get(slug, {}))
        if kind in ("province", "county") or supers(slug) & {PD.SubStateActor, PD.CentralStateActor}:
            e.country = qid(china) if china else None
        for place in located.get(slug, []):
            e.country = qid(place) or e.country
        if kind == "county":
            provinces = [p for p in parents.get(slug, []) if kinds.get(p) == "province"]
            e.province = qid(provinces[0]) if provinces else None
        out.append(e)
    return out


# ---- asking the endpoint ------------------------------------------------------------------------


def _literal(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _tokens(text: str) -> set[str]:
    return {t for t in _norm(text).split() if t not in STOPWORDS}


def candidate_query(entity: Entity, limit: int = 50) -> str:
    names = []
    for lang, values in entity.names.items():
        langs = ["en", "mul"] if lang == "en" else ["zh", "zh-hans", "zh-cn"]
        names += [_literal(v, tag) for v in values for tag in langs]
    branches = [f"{{ VALUES ?name {{ {' '.join(names)} }} ?item rdfs:label|skos:altLabel ?name . }}"] if names else []
    words = sorted({t for n in entity.names.get("en", []) for t in _tokens(n) if len(t) >= 4})
    if entity.kind in FUZZY and words:
        test = " || ".join(f'CONTAINS(LCASE(STR(?l)), "{w}")' for w in words)
        branches.append(f'{{ {FUZZY[entity.kind]} ?item rdfs:label ?l . FILTER(LANG(?l) = "en" && ({test})) }}')
    if not branches:
        return ""
    return (
        f"PREFIX wdt: <{WDT}>\nPREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\n"
        f'SELECT DISTINCT ?item WHERE {{\n  {" UNION ".join(branches)}\n  FILTER(STRSTARTS(STR(?item), "{WD}Q"))\n}} LIMIT {limit}'
    )


def facts_query(qids: list[str]) -> str:
    items = " ".join(f"<{WD}{q}>" for q in qids)
    props = " ".join(f"<{WDT}{p}>" for p in ("P31", "P17", "P131", "P297", "P298", "P300"))
    return (
        f"SELECT ?item ?prop ?value WHERE {{\n  VALUES ?item {{ {items} }}\n"
        f"  {{ VALUES ?prop {{ {props} }} ?item ?prop ?value }}\n"
        f"  UNION {{ VALUES ?prop {{ <{RDFS.label}> <{SKOS.altLabel}> }} ?item ?prop ?value\n"
        f'          FILTER(LANG(?value) IN ("en", "mul", "zh", "zh-hans", "zh-cn")) }}\n}}'
    )


def roots_query(qids: list[str], roots: list[str]) -> str:
    items = " ".join(f"<{WD}{q}>" for q in qids)
    classes = " ".join(f"<{WD}{r}>" for r in roots)
    return (
        f"SELECT DISTINCT ?item ?root WHERE {{\n  VALUES ?item {{ {items} }}\n  VALUES ?root {{ {classes} }}\n"
        f"  ?item <{WDT}P31>/<{WDT}P279>* ?root .\n}}"
    )


def fetch_facts(endpoint: WikidataClient, qids: list[str], roots: list[str]) -> dict[str, Facts]:
    facts = {q: Facts(q) for q in qids}
    if not qids:
        return facts
    for row in endpoint.select(facts_query(qids)):
        f = facts.get(qid_of(row.get("item")))
        prop, value = str(row.get("prop", "")), row.get("value")
        if f is None or value is None:
            continue
        if prop in (str(RDFS.label), str(SKOS.altLabel)):
            lang = (value.language or "").split("-")[0] if value.language != "mul" else "mul"
            target = f.labels if prop == str(RDFS.label) else f.aliases
            target.setdefault(lang, []).append(str(value))
        else:
            f.values.setdefault(prop[len(str(WDT)) :], set()).add(qid_of(value) or str(value))
    if roots:
        for row in endpoint.select(roots_query(qids, roots)):
            f = facts.get(qid_of(row.get("item")))
            if f is not None:
                f.roots.add(qid_of(row["root"]))
    return facts


# ---- checking and scoring -----------------------------------------------------------------------


def name_score(entity: Entity, facts: Facts) -> tuple[float, str]:
    ours = {_norm(n) for values in entity.names.values() for n in values}
    labels = {_norm(n) for values in facts.labels.values() for n in values}
    aliases = {_norm(n) for values in facts.aliases.values() for n in values}
    if ours & labels:
        return 1.0, "label: the item's label is the resource's name"
    if ours & aliases:
        return 0.9, "label: an alias of the item is the resource's name"
    weight = lambda tokens: sum(0.25 if t in GENERIC else 1.0 for t in tokens)
    best = 0.0
    for a in ours:
        for b in labels | aliases:
            ta, tb = _tokens(a), _tokens(b)
            if ta and tb:
                common = weight(ta & tb)
                best = max(best, common / weight(ta | tb), 0.8 * common / weight(ta))
    return round(0.8 * best, 3), f"label: partial match ({facts.label!r} for {entity.label!r})"


def assess(entity: Entity, facts: Facts) -> Assessment:
    """Check a candidate against the entity's kind and score it (see the module doc)."""
    checks, rejected = [], []
    name, why = name_score(entity, facts)
    checks.append(why)
    kind, p31 = entity.kind, facts.get("P31")
    roots = ROOTS[kind]
    # type
    if kind == "county":
        if entity.province and entity.province in facts.get("P131"):
            type_score = 1.0
            checks.append(f"type: located in (P131) {entity.province}, its province")
        elif entity.province and facts.get("P131"):
            type_score = 0.0
            rejected.append(f"located in {', '.join(sorted(facts.get('P131')))}, not in its province {entity.province}")
        else:
            type_score = 0.4
            checks.append("type: not verified (no location, or the province is not linked)")
    elif not roots:
        type_score = 0.5
        checks.append("type: not checked for this kind")
    elif facts.roots:
        type_score = 1.0
        checks.append(f"type: instance of {', '.join(sorted(facts.roots))} ({KIND_TEXT[kind]})")
    elif kind == "province" and any(re.match(r"^CN-[A-Z]{2}$", c) for c in facts.get("P300")):
        type_score = 0.8
        checks.append("type: an ISO 3166-2:CN subdivision, i.e. a province-level division of China")
    elif p31:
        type_score = 0.0
        rejected.append(f"instance of {', '.join(sorted(p31))}: not {KIND_TEXT[kind]}")
    elif kind == "province":
        type_score = 0.0
        rejected.append(f"neither a province-level class nor an ISO 3166-2:CN code: not {KIND_TEXT[kind]}")
    elif kind == "state" and facts.get("P297"):
        type_score = 0.6
        checks.append("type: no instance-of at the endpoint; an ISO 3166-1 code only")
    else:
        type_score = 0.4
        checks.append("type: no instance-of at the endpoint")
    # codes and country
    evidence = []
    if kind == "state":
        alpha2 = sorted(c for c in facts.get("P297") if re.match(r"^[A-Z]{2}$", c))
        alpha3 = sorted(c for c in facts.get("P298") if re.match(r"^[A-Z]{3}$", c))
        if not alpha2:
            rejected.append("no ISO 3166-1 alpha-2 code (P297)")
        else:
            evidence.append(1.0 if alpha3 else 0.8)
            checks.append(f"ISO 3166-1: {'/'.join(alpha2 + alpha3)}")
    if kind == "province":
        codes = sorted(facts.get("P300"))
        if codes and not any(re.match(r"^CN-[A-Z]{2}$", c) for c in codes):
            rejected.append(f"ISO 3166-2 code {', '.join(codes)} is not a subdivision of China")
        else:
            evidence.append(1.0 if codes else 0.3)
            checks.append(f"ISO 3166-2: {', '.join(codes)}" if codes else "ISO 3166-2: none at the endpoint")
    if entity.country and kind != "state":
        countries = facts.get("P17")
        if countries and entity.country not in countries:
            rejected.append(f"country {', '.join(sorted(countries))}, expected {entity.country}")
        elif entity.country in countries or (kind == "province" and entity.country in facts.get("P131")):
            evidence.append(1.0)
            checks.append(f"country: {entity.country}")
        else:
            evidence.append(0.5)
            checks.append("country: none at the endpoint")
    codes_score = sum(evidence) / len(evidence) if evidence else 0.5
    score = round(0.5 * name + 0.25 * type_score + 0.25 * codes_score, 3)
    if rejected:
        return Assessment(entity, facts, score, "rejected", checks + [f"rejected: {r}" for r in rejected])
    return Assessment(entity, facts, score, "proposed", checks)


def reconcile(
    endpoint: WikidataClient, entity: Entity, candidates: int = 3, min_score: float = 0.6
) -> list[Assessment]:
    """The assessed candidates for one entity: proposals (best first, at most `candidates`, each
    scoring at least `min_score`), then the rejected ones."""
    query = candidate_query(entity)
    found = [qid_of(r["item"]) for r in endpoint.select(query)] if query else []
    found = sorted({q for q in found if q})
    facts = fetch_facts(endpoint, found, ROOTS[entity.kind])
    assessed = sorted((assess(entity, f) for f in facts.values()), key=lambda a: (-a.score, a.facts.qid))
    proposed = [a for a in assessed if a.decision == "proposed" and a.score >= min_score][:candidates]
    return proposed + [a for a in assessed if a.decision == "rejected"]


# ---- the review file ----------------------------------------------------------------------------


def write_review(
    path: Path, results: dict[str, tuple[Entity, list[Assessment]]], endpoint: str, when: dt.datetime
) -> int:
    """Write the proposals (and rejections, and entities without a candidate) for review."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = when.replace(microsecond=0).isoformat()
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(REVIEW_COLUMNS)
        for slug, (entity, assessed) in sorted(results.items()):
            if not assessed:
                w.writerow(
                    [slug, entity.label, entity.kind, "", "", "", "", "no candidate", "", "", "", "", endpoint, stamp]
                )
            rank = 0
            for a in assessed:
                rank += a.decision == "proposed"
                w.writerow(
                    [
                        slug,
                        entity.label,
                        entity.kind,
                        rank if a.decision == "proposed" else "",
                        a.facts.qid,
                        a.facts.label,
                        f"{a.score:.3f}",
                        a.decision,
                        "; ".join(a.checks),
                        "",
                        "",
                        "",
                        endpoint,
                        stamp,
                    ]
                )
                rows += 1
    return rows


def accept(
    review: Path,
    mapping_path: Path,
    mapping: Mapping,
    declared,
    linkable,
    reviewer: str | None,
    today: dt.date,
    file_label: str,
) -> list[Link]:
    """Move the rows a reviewer accepted (accept = yes) from the review file into the curated mapping,
    bumping its version; validate everything first and write nothing on any problem."""
    problems, new = [], []
    linked = mapping.by_slug()
    with open(review, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [
            c
            for c in ("slug", "qid", "wikidata_label", "decision", "checks", "accept")
            if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise InvalidInput(
                [
                    Problem(
                        str(review),
                        1,
                        None,
                        f"not a review file written by `paradiplomacy link`: no column {', '.join(missing)}",
                    )
                ]
            )
        for row in reader:
            line = reader.line_num
            if (row.get("accept") or "").strip().lower() not in YES:
                continue
            slug, qid = row["slug"].strip(), row["qid"].strip()
            who = (row.get("reviewed_by") or "").strip() or reviewer
            if row["decision"] != "proposed":
                problems.append(
                    Problem(
                        str(review),
                        line,
                        "accept",
                        f"{slug}: only a proposed candidate can be accepted, not one marked {row['decision']!r}",
                    )
                )
                continue
            if not who:
                problems.append(
                    Problem(
                        str(review),
                        line,
                        "reviewed_by",
                        f"{slug}: who reviewed it? fill reviewed_by or give --reviewer",
                    )
                )
                continue
            if slug in linked:
                problems.append(
                    Problem(
                        str(review),
                        line,
                        "slug",
                        f"{slug}: already linked to {linked[slug].qid} ({mapping.file} line {linked[slug].line})",
                    )
                )
                continue
            on = (row.get("reviewed_on") or "").strip()
            try:
                reviewed_on = dt.date.fromisoformat(on) if on else today
            except ValueError:
                problems.append(
                    Problem(str(review), line, "reviewed_on", f"malformed date {on!r}: write it as YYYY-MM-DD")
                )
                continue
            evidence = (
                f"reconciled by `paradiplomacy link` against {row.get('endpoint', '')} at "
                f"{row.get('retrieved_at', '')}: {row['checks']}; score {row.get('score', '')}"
            )
            new.append(Link(slug, qid, row["wikidata_label"].strip(), "reviewed", evidence, who, reviewed_on, 0, 0))
    if problems:
        raise InvalidInput(problems)
    if not new:
        return []
    try:
        version = str(int(mapping.version) + 1)
    except ValueError:
        raise InvalidInput(
            [
                Problem(
                    mapping.file,
                    1,
                    "version",
                    f"version {mapping.version!r} is not a number that --accept can increase",
                )
            ]
        ) from None
    updated = Mapping(
        mapping.file, {**mapping.meta, "version": version, "modified": today.isoformat()}, mapping.links + new
    )
    original = mapping_path.read_text(encoding="utf-8")
    text = format_mapping(updated, header_comments(original))
    parse_mapping(text, file_label, declared, linkable)  # the result must be valid as a whole (duplicates, ids)
    write_atomically(mapping_path, text)
    return new


def mapping_path(config) -> Path:
    return config.path("data_dir") / MAPPING_FILE
