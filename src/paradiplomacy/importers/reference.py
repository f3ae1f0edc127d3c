"""Reference data that resolution uses, and the graph it adds.

- `data/reference/province-level-units.csv` and `african-states.csv`: China's 31 province-level
  units and the 54 African UN member states, taken from ../shared/wikidata/qids.csv (slugs are the
  lower-case English names the whole project uses, e.g. `inner-mongolia`);
- `data/reference/firms.yaml`: firms whose names recur across datasets, each with its ownership
  and the basis for it (a dataset row that says so, or the evidence): provincial SOEs, and the
  central SOEs, private and city-level firms whose names contain a province and must not be
  taken as provincial.

Every resource the reference graph (<…/graph/reference>) declares is derived from the row or
item its provenance (<…/graph/reference-provenance>) names.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from paradiplomacy.errors import InvalidInput, Problem
from paradiplomacy.namespaces import GRAPH_REFERENCE, GRAPH_REFERENCE_PROVENANCE, ORG, PD, PDR

WIKIDATA = "http://www.wikidata.org/entity/"
OWNERSHIPS = ("provincial", "central", "private", "city", "evidence")

# Other names of states, as the datasets write them (normalised by `key`).
STATE_ALIASES = {
    "democratic republic of congo": "democratic-republic-of-the-congo",
    "congo dem rep": "democratic-republic-of-the-congo",
    "dr congo": "democratic-republic-of-the-congo",
    "republic of congo": "republic-of-the-congo",
    "congo rep": "republic-of-the-congo",
    "congo": "republic-of-the-congo",  # beside 'Democratic Republic of the Congo' in the same file
    "ivory coast": "cote-d-ivoire",
    "sao tome": "sao-tome-and-principe",
    "sao tome principe": "sao-tome-and-principe",
    "gambia": "the-gambia",
    "swaziland": "eswatini",
    "cabo verde": "cape-verde",
    "central african rep": "central-african-republic",
}


def key(name: str) -> str:
    """A name reduced for comparison: ASCII, lower case, words only, no leading 'the'."""
    s = re.sub(r"[’'`´]", " ", name)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    return re.sub(r"^the ", "", s)


@dataclass(frozen=True)
class Place:
    slug: str
    label: str
    codes: tuple[str, ...]  # ISO 3166 codes
    wikidata: str
    row: int  # row of ../shared/wikidata/qids.csv


@dataclass
class Firm:
    id: str
    label: str
    names: list[str]
    ownership: str
    province: str | None
    basis: str
    derived_from: list[str] = field(default_factory=list)  # slugs of dataset rows or claims
    kind: str = "soe"  # soe or institution
    note: str | None = None
    confidence: float | None = None
    same_as_candidates: list[str] = field(default_factory=list)


@dataclass
class Reference:
    provinces: dict[str, Place]
    states: dict[str, Place]
    firms: list[Firm]
    files: list[str]

    def state_by_code(self, code: str) -> str | None:
        code = code.strip().upper()
        return next((s.slug for s in self.states.values() if code in s.codes), None)

    def state_by_name(self, name: str) -> str | None:
        k = key(name)
        for s in self.states.values():
            if key(s.label) == k or s.slug.replace("-", " ") == k:
                return s.slug
        return STATE_ALIASES.get(k)

    def firm(self, firm_id: str) -> Firm:
        return next(f for f in self.firms if f.id == firm_id)


def _read_places(path: Path, code_columns: tuple[str, ...]) -> dict[str, Place]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    out = {}
    for row in csv.DictReader(lines):
        out[row["slug"]] = Place(
            row["slug"], row["label"], tuple(row[c] for c in code_columns), row["wikidata"], int(row["qids_csv_row"])
        )
    return out


def _read_firms(path: Path, provinces: dict[str, Place]) -> list[Firm]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    firms, problems, seen = [], [], set()
    for i, entry in enumerate(doc.get("firms", [])):
        where = f"firms[{i}]"
        try:
            firm = Firm(
                id=entry["id"],
                label=entry["label"],
                names=list(entry.get("names", [])),
                ownership=entry["ownership"],
                province=entry.get("province"),
                basis=entry["basis"],
                derived_from=list(entry.get("derived_from", [])),
                kind=entry.get("kind", "soe"),
                note=entry.get("note"),
                confidence=entry.get("confidence"),
                same_as_candidates=list(entry.get("same_as_candidates", [])),
            )
        except KeyError as exc:
            problems.append(Problem(str(path), None, where, f"missing {exc}"))
            continue
        if firm.ownership not in OWNERSHIPS:
            problems.append(Problem(str(path), None, where, f"ownership must be one of {OWNERSHIPS}"))
        if firm.ownership in ("provincial", "evidence") and firm.province not in provinces:
            problems.append(Problem(str(path), None, where, f"unknown province {firm.province!r}"))
        if firm.ownership == "provincial" and not firm.derived_from:
            problems.append(Problem(str(path), None, where, "a provincial firm needs the rows it is derived from"))
        if firm.id in seen:
            problems.append(Problem(str(path), None, where, f"duplicate id {firm.id!r}"))
        seen.add(firm.id)
        firms.append(firm)
    if problems:
        raise InvalidInput(problems)
    return firms


def load_reference(data_dir: Path) -> Reference:
    ref_dir = Path(data_dir) / "reference"
    files = [ref_dir / "province-level-units.csv", ref_dir / "african-states.csv", ref_dir / "firms.yaml"]
    missing = [Problem(str(f), None, None, "reference file missing") for f in files if not f.is_file()]
    if missing:
        raise InvalidInput(missing)
    provinces = _read_places(files[0], ("iso_3166_2",))
    states = _read_places(files[1], ("iso_3166_1_alpha2", "iso_3166_1_alpha3"))
    return Reference(provinces, states, _read_firms(files[2], provinces), [f"reference/{f.name}" for f in files])


def reference_quads(ref: Reference) -> list[tuple]:
    """The reference graph and its provenance: province-level units, African states, provincial firms."""
    g, p = GRAPH_REFERENCE, GRAPH_REFERENCE_PROVENANCE
    quads = [
        (g, RDF.type, PD.DatasetGraph, p),
        (g, RDF.type, PROV.Entity, p),
        (g, RDFS.label, Literal("Reference data: province-level units, African states, firms"), p),
    ]
    quads += [(g, DCTERMS.source, Literal(f"data/{f}"), p) for f in ref.files]
    for places, cls in ((ref.provinces, PD.ProvinceLevelUnit), (ref.states, PD.ForeignState)):
        for place in places.values():
            s = PDR[place.slug]
            quads += [(s, RDF.type, cls, g), (s, RDFS.label, Literal(place.label, lang="en"), g)]
            quads += [(s, SKOS.notation, Literal(code), g) for code in place.codes]
            quads += [
                (s, PROV.wasDerivedFrom, URIRef(WIKIDATA + place.wikidata), p),
                (s, DCTERMS.source, Literal(f"../shared/wikidata/qids.csv row {place.row}"), p),
            ]
    for firm in ref.firms:
        if firm.ownership != "provincial":
            continue
        s = PDR[firm.id]
        if firm.kind == "institution":
            quads += [(s, RDF.type, PD.SubStateActor, g), (s, ORG.subOrganizationOf, PDR[firm.province], g)]
        else:
            quads += [(s, RDF.type, PD.ProvincialSOE, g), (s, PD.backedBy, PDR[firm.province], g)]
        quads.append((s, RDFS.label, Literal(firm.label, lang="en"), g))
        quads += [(s, SKOS.altLabel, Literal(n, lang="en"), g) for n in firm.names if n != firm.label]
        quads += [(s, PROV.wasDerivedFrom, PDR[d], p) for d in firm.derived_from]
        quads.append((s, SKOS.note, Literal(firm.basis, lang="en"), p))
    return quads
