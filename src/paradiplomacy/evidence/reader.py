"""Reading and validating the evidence files (data/sources.yaml, data/claims/*.yaml).

The whole input is checked before anything is written: every problem found is reported with
its file, line and field, and the caller gets either a complete, consistent `Evidence` or an
`InvalidInput` listing all the problems. The format is documented in docs/evidence-format.md.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, URIRef
from rdflib.namespace import OWL, RDFS, SKOS, XSD

from paradiplomacy.errors import InvalidInput, Problem, display_path
from paradiplomacy.evidence.ontology import PropertyInfo, Vocabulary
from paradiplomacy.evidence.quotes import source_text
from paradiplomacy.evidence.yamlfile import LineDict, LineList, read_yaml
from paradiplomacy.rdfutil import SLUG

WORK_TYPES = {"AcademicArticle", "Article", "Book", "BookSection", "Chapter", "Report", "Thesis", "Webpage", "Document"}
WORK_STRING_FIELDS = {
    "title",
    "title_en",
    "title_translit",
    "container",
    "publisher",
    "place",
    "volume",
    "issue",
    "pages",
    "url",
    "doi",
    "quote",
    "note",
    "series",
    "text_file",
    "cited_in",
}
WORK_FIELDS = WORK_STRING_FIELDS | {
    "id",
    "type",
    "authors",
    "editors",
    "year",
    "accessed",
    "published",
    "sections",
    "endnotes",
}
CLAIM_FIELDS = {"id", "quote", "locator", "source", "section", "endnotes", "support", "note", "assert"}
# Names and notes an assert item may give: field -> (RDF property, language tag)
NAME_FIELDS = {
    "label": (RDFS.label, "en"),
    "label_zh": (RDFS.label, "zh"),
    "pinyin": (URIRef("https://w3id.org/paradiplomacy/ontology#pinyin"), "zh-Latn-pinyin"),
    "altLabel": (SKOS.altLabel, "en"),
    "altLabel_zh": (SKOS.altLabel, "zh"),
    "comment": (RDFS.comment, "en"),
}
ITEM_NAME_FIELDS = set(NAME_FIELDS)
SUPPORT_LEVELS = ("explicit", "interpretation")
YEAR_PROPERTIES = {"startYear", "endYear", "year"}
YEAR_RANGE = (1900, 2100)


# slots: a build holds every claim, item, value and their places to its end (the evidence of 10^6 quads:
# 384 MB resident after the read with a __dict__ each, 359 MB with slots)
@dataclass(slots=True)
class Where:
    file: str
    line: int | None

    def problem(self, fieldname, message) -> Problem:
        return Problem(self.file, self.line, fieldname, message)


@dataclass
class Section:
    id: str
    title: str
    order: int


@dataclass
class Work:
    id: str
    type: str
    data: dict
    where: Where
    sections: dict[str, Section] = field(default_factory=dict)
    endnotes: dict[int, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class Value:
    prop: PropertyInfo
    value: object  # a slug (str) for object properties, a Python value for literals
    where: Where
    name: str
    path: str  # the field, e.g. claims[3].assert[1].lobbiedBy


@dataclass(slots=True)
class Item:
    id: str
    types: list[URIRef]
    names: dict[str, list[str]]
    values: list[Value]
    where: Where
    path: str


@dataclass(slots=True)
class Claim:
    id: str
    source: str
    section: str | None
    quote: str | None
    locator: str | None
    endnotes: list[int]
    support: str
    note: str | None
    items: list[Item]
    where: Where
    path: str
    entry: object = None  # the claim's mapping in its file (for the line of a field)


@dataclass
class Evidence:
    works: dict[str, Work]
    claims: list[Claim]
    declared: dict[str, Where]  # resource slug -> where a claim first types it
    files: list[str]
    unverified_sources: set[str] = field(default_factory=set)

    def claim(self, claim_id: str) -> Claim:
        return next(c for c in self.claims if c.id == claim_id)


def _suggest(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Reader:
    def __init__(self, vocab: Vocabulary, root: Path):
        self.vocab = vocab
        self.root = root
        self.problems: list[Problem] = []
        self.works: dict[str, Work] = {}
        self.claims: list[Claim] = []
        self.claim_where: dict[str, Where] = {}

    # ---- helpers -------------------------------------------------------------------------

    def bad(self, where: Where, fieldname, message):
        self.problems.append(where.problem(fieldname, message))

    def at(self, file: str, container, key) -> Where:
        line = container.line_of(key) if isinstance(container, (LineDict, LineList)) else None
        return Where(file, line)

    def string(self, file, mapping, key, path, required=False):
        if key not in mapping or mapping[key] is None:
            if required:
                self.bad(Where(file, getattr(mapping, "line", None)), path, f"'{key}' is required")
            return None
        value = mapping[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.bad(
                self.at(file, mapping, key),
                f"{path}.{key}" if path else key,
                f"must be a non-empty string, not {value!r}",
            )
            return None
        return value.strip()

    def slug(self, file, mapping, key, path, required=True):
        value = self.string(file, mapping, key, path, required)
        if value is not None and not SLUG.match(value):
            self.bad(
                self.at(file, mapping, key),
                (f"{path}.{key}" if path else key),
                f"{value!r} is not a slug (lower-case letters, digits and single hyphens)",
            )
            return None
        return value

    def unknown_keys(self, file, mapping, allowed, path):
        for key in mapping:
            if key not in allowed:
                self.bad(
                    self.at(file, mapping, key),
                    f"{path}.{key}" if path else str(key),
                    f"unknown field{_suggest(str(key), allowed)}",
                )

    # ---- sources.yaml --------------------------------------------------------------------

    def read_sources(self, path: Path):
        file = display_path(path, self.root)
        doc, problems = read_yaml(path, file)
        self.problems += problems
        if doc is None:
            return
        if not isinstance(doc, LineDict) or not isinstance(doc.get("sources"), list):
            self.bad(Where(file, 1), "sources", "the file must be a mapping with a list 'sources'")
            return
        entries = doc["sources"]
        for i, entry in enumerate(entries):
            path_i = f"sources[{i}]"
            if not isinstance(entry, LineDict):
                self.bad(self.at(file, entries, i), path_i, "each source must be a mapping")
                continue
            self.read_work(file, entry, path_i)

    def read_work(self, file, entry: LineDict, path):
        where = Where(file, entry.line)
        wid = self.slug(file, entry, "id", path)
        self.unknown_keys(file, entry, WORK_FIELDS, path)
        wtype = self.string(file, entry, "type", path, required=True)
        if wtype and wtype not in WORK_TYPES:
            self.bad(
                self.at(file, entry, "type"),
                f"{path}.type",
                f"unknown work type {wtype!r}{_suggest(wtype, WORK_TYPES)}; one of {sorted(WORK_TYPES)}",
            )
        data = {}
        for key in WORK_STRING_FIELDS:
            value = self.string(file, entry, key, path)
            if value is not None:
                data[key] = value
        self.string(file, entry, "title", path, required=True)
        for key in ("authors", "editors"):
            names = entry.get(key)
            if names is None:
                continue
            if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
                self.bad(
                    self.at(file, entry, key), (f"{path}.{key}" if path else key), "must be a list of names (strings)"
                )
            else:
                data[key] = [n.strip() for n in names]
        if "year" in entry:
            year = entry["year"]
            if isinstance(year, bool) or not isinstance(year, int) or not YEAR_RANGE[0] - 200 <= year <= YEAR_RANGE[1]:
                self.bad(
                    self.at(file, entry, "year"), f"{path}.year", f"malformed year {year!r}: write a year such as 2018"
                )
            else:
                data["year"] = year
        for key in ("accessed", "published"):
            if key in entry:
                value = entry[key]
                if isinstance(value, dt.date):
                    data[key] = value
                else:
                    try:
                        data[key] = dt.date.fromisoformat(str(value))
                    except ValueError:
                        self.bad(
                            self.at(file, entry, key),
                            (f"{path}.{key}" if path else key),
                            f"malformed date {value!r}: write it as YYYY-MM-DD",
                        )
        work = Work(wid or "", wtype or "Document", data, where)
        self.read_sections(file, entry, path, work)
        self.read_endnotes(file, entry, path, work)
        if wid:
            if wid in self.works:
                first = self.works[wid].where
                self.bad(where, f"{path}.id", f"duplicate id {wid!r} (first at {first.file}:{first.line})")
            else:
                self.works[wid] = work

    def mappings(self, file, entry, key, path, fields):
        """The items of a list of mappings under `key`, each with its field path; problems reported."""
        items = entry.get(key) or []
        if not isinstance(items, list):
            self.bad(self.at(file, entry, key), (f"{path}.{key}" if path else key), "must be a list")
            return
        for j, item in enumerate(items):
            p = f"{path}.{key}[{j}]"
            if not isinstance(item, LineDict):
                self.bad(self.at(file, items, j), p, f"each item of {key} must be a mapping")
                continue
            self.unknown_keys(file, item, fields, p)
            yield item, p

    def read_sections(self, file, entry, path, work: Work):
        for sec, p in self.mappings(file, entry, "sections", path, {"id", "title", "order"}):
            sid, title = self.slug(file, sec, "id", p), self.string(file, sec, "title", p, required=True)
            order = sec.get("order")
            if isinstance(order, bool) or not isinstance(order, int):
                self.bad(self.at(file, sec, "order"), f"{p}.order", "must be an integer")
                order = 0
            if sid and sid in work.sections:
                self.bad(Where(file, sec.line), f"{p}.id", f"duplicate section id {sid!r}")
            elif sid and title:
                work.sections[sid] = Section(sid, title, order)

    def read_endnotes(self, file, entry, path, work: Work):
        for note, p in self.mappings(file, entry, "endnotes", path, {"number", "cites"}):
            number, cites = note.get("number"), note.get("cites") or []
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                self.bad(self.at(file, note, "number"), f"{p}.number", f"must be a positive integer, not {number!r}")
                continue
            if not isinstance(cites, list) or not all(isinstance(c, str) for c in cites):
                self.bad(self.at(file, note, "cites"), f"{p}.cites", "must be a list of work ids")
                continue
            if number in work.endnotes:
                self.bad(Where(file, note.line), f"{p}.number", f"duplicate endnote {number}")
            work.endnotes[number] = list(cites)
            work.data.setdefault("_endnote_lines", {})[number] = Where(file, note.line_of("cites"))

    # ---- claims/*.yaml -------------------------------------------------------------------

    def read_claims(self, path: Path):
        file = display_path(path, self.root)
        doc, problems = read_yaml(path, file)
        self.problems += problems
        if doc is None:
            return
        if not isinstance(doc, LineDict) or not isinstance(doc.get("claims"), list):
            self.bad(Where(file, 1), "claims", "the file must be a mapping with a list 'claims'")
            return
        self.unknown_keys(file, doc, {"source", "section", "claims"}, "")
        defaults = {k: self.slug(file, doc, k, "", required=False) for k in ("source", "section")}
        entries = doc["claims"]
        for i, entry in enumerate(entries):
            path_i = f"claims[{i}]"
            if not isinstance(entry, LineDict):
                self.bad(self.at(file, entries, i), path_i, "each claim must be a mapping")
                continue
            self.read_claim(file, entry, path_i, defaults)

    def read_claim(self, file, entry: LineDict, path, defaults):
        where = Where(file, entry.line)
        cid = self.slug(file, entry, "id", path)
        self.unknown_keys(file, entry, CLAIM_FIELDS, path)
        source = self.string(file, entry, "source", path) or defaults["source"]
        section = self.string(file, entry, "section", path) or defaults["section"]
        quote = self.string(file, entry, "quote", path)
        locator = self.string(file, entry, "locator", path)
        if not quote and not locator:
            self.bad(where, f"{path}.quote", "a claim needs a verbatim 'quote' (or a 'locator' for a dataset source)")
        if not source:
            self.bad(where, f"{path}.source", "no source: give 'source' in the claim or at the top of the file")
        support = self.string(file, entry, "support", path) or "explicit"
        if support not in SUPPORT_LEVELS:
            self.bad(self.at(file, entry, "support"), f"{path}.support", f"must be one of {', '.join(SUPPORT_LEVELS)}")
        note = self.string(file, entry, "note", path)
        if support == "interpretation" and not note:
            self.bad(
                self.at(file, entry, "support"),
                f"{path}.note",
                "a claim with support: interpretation needs a 'note' saying how the facts follow from the quote",
            )
        endnotes = entry.get("endnotes") or []
        if isinstance(endnotes, int) and not isinstance(endnotes, bool):
            endnotes = [endnotes]
        if not isinstance(endnotes, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in endnotes):
            self.bad(self.at(file, entry, "endnotes"), f"{path}.endnotes", "must be a list of endnote numbers")
            endnotes = []
        items = []
        asserted = entry.get("assert")
        if not isinstance(asserted, list) or not asserted:
            self.bad(
                self.at(file, entry, "assert"),
                f"{path}.assert",
                "a claim must assert at least one fact (a list of resource descriptions)",
            )
        else:
            for j, item in enumerate(asserted):
                p = f"{path}.assert[{j}]"
                if not isinstance(item, LineDict):
                    self.bad(self.at(file, asserted, j), p, "each assert item must be a mapping")
                    continue
                parsed = self.read_item(file, item, p)
                if parsed:
                    items.append(parsed)
        if cid:
            if cid in self.claim_where:
                first = self.claim_where[cid]
                self.bad(where, f"{path}.id", f"duplicate claim id {cid!r} (first at {first.file}:{first.line})")
                return
            self.claim_where[cid] = where
            self.claims.append(
                Claim(
                    cid, source or "", section, quote, locator, list(endnotes), support, note, items, where, path, entry
                )
            )

    def read_item(self, file, item: LineDict, path) -> Item | None:
        iid = self.slug(file, item, "id", path)
        types = []
        raw_types = item.get("type")
        if raw_types is not None and not isinstance(raw_types, (str, list)):
            self.bad(
                self.at(file, item, "type"),
                f"{path}.type",
                f"must be a class name or a list of class names, not {raw_types!r}",
            )
            raw_types = None
        for t in [raw_types] if isinstance(raw_types, str) else raw_types or []:
            iri = self.vocab.resolve_class(t) if isinstance(t, str) else None
            if iri is None:
                self.bad(
                    self.at(file, item, "type"),
                    f"{path}.type",
                    f"unknown class {t!r}{_suggest(str(t), self.vocab.class_names())}",
                )
            elif any(isinstance(d, BNode) for d in self.vocab.graph.objects(iri, OWL.equivalentClass)):
                # a defined class (the central-local models): the reasoner's to infer, never evidence's to give
                self.bad(
                    self.at(file, item, "type"),
                    f"{path}.type",
                    f"{t!r} is a class the reasoner infers from the facts that define it (designedBy, implementedBy, "
                    "initiatedBy, imposedBy ...): state those facts, or the source's own classification with "
                    "exemplifiesModel, instead of the type",
                )
            else:
                types.append(iri)
        names: dict[str, list[str]] = {}
        for key in ITEM_NAME_FIELDS:
            if key not in item:
                continue
            raw = item[key]
            values = raw if isinstance(raw, list) else [raw]
            if not all(isinstance(v, str) and v.strip() for v in values):
                self.bad(
                    self.at(file, item, key),
                    (f"{path}.{key}" if path else key),
                    "must be a string or a list of strings",
                )
                continue
            names[key] = [v.strip() for v in values]
        values = []
        for key, raw in item.items():
            if key in ITEM_NAME_FIELDS or key in ("id", "type"):
                continue
            where = self.at(file, item, key)
            prop = self.vocab.resolve_property(str(key))
            if prop is None:
                self.bad(
                    where,
                    (f"{path}.{key}" if path else key),
                    f"unknown property{_suggest(str(key), self.vocab.property_names() + sorted(ITEM_NAME_FIELDS))}",
                )
                continue
            for v in raw if isinstance(raw, list) else [raw]:
                converted = self.convert(where, (f"{path}.{key}" if path else key), prop, str(key), v)
                if key == "memberKind" and converted is not None and self.vocab.resolve_class(converted) is None:
                    self.bad(
                        where,
                        f"{path}.{key}",
                        f"unknown class {converted!r}: memberKind names an ontology class"
                        f"{_suggest(converted, self.vocab.class_names())}",
                    )
                    converted = None
                if converted is not None:
                    values.append(Value(prop, converted, where, str(key), (f"{path}.{key}" if path else key)))
        if not iid:
            return None
        return Item(iid, types, names, values, Where(file, item.line), path)

    def convert(self, where, fieldname, prop: PropertyInfo, name, v):
        if prop.is_object:
            if not isinstance(v, str) or not SLUG.match(v):
                self.bad(where, fieldname, f"{v!r} is not the id (slug) of a resource")
                return None
            return v
        dtype = prop.datatype
        if dtype == XSD.integer:
            if isinstance(v, bool) or not isinstance(v, int):
                kind = "year" if name in YEAR_PROPERTIES else "integer"
                self.bad(where, fieldname, f"malformed {kind} {v!r}: write a whole number")
                return None
            if name in YEAR_PROPERTIES and not YEAR_RANGE[0] <= v <= YEAR_RANGE[1]:
                self.bad(where, fieldname, f"malformed year {v!r}: outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
                return None
            return v
        if dtype == XSD.boolean:
            if not isinstance(v, bool):
                self.bad(where, fieldname, f"must be true or false, not {v!r}")
                return None
            return v
        if dtype == XSD.decimal:
            try:
                if isinstance(v, bool):
                    raise InvalidOperation
                return Decimal(str(v))
            except InvalidOperation:
                self.bad(where, fieldname, f"must be a decimal number, not {v!r}")
                return None
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            self.bad(where, fieldname, f"must be a text value, not {v!r}")
            return None
        return str(v)

    # ---- cross-file checks ---------------------------------------------------------------

    def check_references(self) -> dict[str, Where]:
        declared: dict[str, Where] = {}
        for claim in self.claims:
            for item in claim.items:
                if item.types and item.id not in declared:
                    declared[item.id] = item.where
        known = set(declared) | set(self.vocab.concepts) | set(self.works)
        for claim in self.claims:
            self.check_claim_locators(claim)
            for item in claim.items:
                if item.id not in known:
                    self.bad(
                        item.where,
                        f"{item.path}.id",
                        f"unknown id {item.id!r}: no claim declares it with 'type'{_suggest(item.id, known)}",
                    )
                for v in item.values:
                    if v.prop.is_object and v.value not in known:
                        self.bad(v.where, v.path, f"unknown id {v.value!r}{_suggest(v.value, known)}")
        for work in self.works.values():
            for number, cites in work.endnotes.items():
                for cited in cites:
                    if cited not in self.works:
                        w = work.data["_endnote_lines"][number]
                        self.bad(w, f"endnotes[{number}].cites", f"unknown work {cited!r}{_suggest(cited, self.works)}")
            cited_in = work.data.get("cited_in")
            if cited_in and cited_in not in self.works:
                self.bad(work.where, "cited_in", f"unknown work {cited_in!r}{_suggest(cited_in, self.works)}")
        self.check_labels()
        return declared

    def check_claim_locators(self, claim: Claim):
        work = self.works.get(claim.source)
        if work is None:
            self.bad(
                claim.where,
                f"{claim.path}.source",
                f"unknown source {claim.source!r}{_suggest(claim.source, self.works)}",
            )
            return
        if claim.section and claim.section not in work.sections:
            self.bad(
                claim.where,
                f"{claim.path}.section",
                f"{claim.source!r} has no section {claim.section!r}{_suggest(claim.section, work.sections)}",
            )
        if claim.quote and work.sections and not claim.section:
            self.bad(claim.where, f"{claim.path}.section", f"a quote from {claim.source!r} needs its section")
        for n in claim.endnotes:
            if n not in work.endnotes:
                self.bad(claim.where, f"{claim.path}.endnotes", f"{claim.source!r} has no endnote {n}")

    def check_labels(self):
        seen: dict[tuple[str, str], tuple[str, Where]] = {}
        for claim in self.claims:
            for item in claim.items:
                for key in ("label", "label_zh"):
                    for value in item.names.get(key, []):
                        first = seen.setdefault((item.id, key), (value, item.where))
                        if first[0] != value:
                            self.bad(
                                item.where,
                                f"{item.path}.{key}",
                                f"{item.id!r} is labelled {value!r} here but {first[0]!r} "
                                f"at {first[1].file}:{first[1].line}: use one label",
                            )
                if len(item.names.get("label", [])) > 1:
                    self.bad(item.where, f"{item.path}.label", "give one English label; put others in altLabel")

    def verify_quotes(self, sources_dir: Path | None) -> set[str]:
        """Check each quote against its source's text where we hold it; return the sources not verified."""
        quoted: dict[str, list[Claim]] = {}
        for claim in self.claims:
            if claim.quote and claim.source in self.works:
                quoted.setdefault(claim.source, []).append(claim)
        unverified = set()
        for source, claims in quoted.items():
            work = self.works[source]
            text = source_text(sources_dir, work.data.get("text_file"))
            if text is None:
                unverified.add(source)
                continue
            text.find_all(c.quote for c in claims)
            for claim in claims:
                if text.find(claim.quote) is None:
                    self.bad(
                        claim.where,
                        f"{claim.path}.quote",
                        f"quote not found in the text of {source!r} "
                        f"({work.data.get('text_file')}): {text.divergence(claim.quote)}",
                    )
                    continue
                carried = text.marks(claim.quote)
                for n in claim.endnotes:
                    if n not in carried:
                        self.bad(
                            self.at(claim.where.file, claim.entry, "endnotes")
                            if claim.entry is not None
                            else claim.where,
                            f"{claim.path}.endnotes",
                            f"endnote {n} is not carried by the quoted passage: its mark stands on no quoted "
                            f"sentence (marks the passage carries: {sorted(carried) or 'none'})",
                        )
        return unverified


def evidence_files(data_dir: Path) -> tuple[Path, list[Path]]:
    data_dir = Path(data_dir)
    return data_dir / "sources.yaml", sorted((data_dir / "claims").glob("*.y*ml"))


def read_evidence(
    data_dir: Path, vocab: Vocabulary, extra_claim_files=(), sources_dir: Path | None = None, root: Path | None = None
) -> Evidence:
    """Read and validate all evidence. Raises InvalidInput listing every problem."""
    sources, claim_files = evidence_files(data_dir)
    claim_files += [Path(p) for p in extra_claim_files if Path(p).resolve() not in {c.resolve() for c in claim_files}]
    reader = _Reader(vocab, Path(root or Path.cwd()))
    if sources.is_file():
        reader.read_sources(sources)
    else:
        reader.problems.append(Problem(str(sources), None, None, "the bibliography file is missing"))
    for path in claim_files:
        reader.read_claims(path)
    declared = reader.check_references()
    unverified = reader.verify_quotes(sources_dir)
    if reader.problems:
        raise InvalidInput(reader.problems)
    for claim in reader.claims:  # its mapping in the file located the problems of the checks above; a build
        claim.entry = None  # holds the claims to its end (the mappings: 9 of 38 MB for 2,501 claims)
    files = [display_path(p, reader.root) for p in [sources, *claim_files]]
    return Evidence(reader.works, reader.claims, declared, files, unverified)
