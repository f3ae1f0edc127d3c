"""Synthetic evidence for tests and benchmarks at scale: `paradiplomacy generate --claims N`.

It writes a self-contained project directory (ontology copied, data/sources.yaml, data/claims/,
and the synthetic source text the quotes are drawn from), deterministic for a given seed.
Every resource is marked synthetic (slugs start with `syn-`, labels end with "(synthetic)"), so
synthetic data can never pass for evidence. Its shape is the paper's: all 31 province-level units
of China and all 54 African states, provincial SOEs backed by their provinces, ministries of the
central government, and engagements of every mechanism whose facts place them in each of the
central-local models (designed centrally and implemented provincially, initiated provincially,
imposed centrally, or conflicting with central interests).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from paradiplomacy.evidence.quotes import SUPERSCRIPTS

PROVINCES = (
    [
        (n, "Province")
        for n in (
            "Anhui",
            "Fujian",
            "Gansu",
            "Guangdong",
            "Guizhou",
            "Hainan",
            "Hebei",
            "Heilongjiang",
            "Henan",
            "Hubei",
            "Hunan",
            "Jiangsu",
            "Jiangxi",
            "Jilin",
            "Liaoning",
            "Qinghai",
            "Shaanxi",
            "Shandong",
            "Shanxi",
            "Sichuan",
            "Yunnan",
            "Zhejiang",
        )
    ]
    + [(n, "AutonomousRegion") for n in ("Guangxi", "Inner Mongolia", "Ningxia", "Tibet", "Xinjiang")]
    + [(n, "Municipality") for n in ("Beijing", "Chongqing", "Shanghai", "Tianjin")]
)

AFRICAN_STATES = [
    "Algeria",
    "Angola",
    "Benin",
    "Botswana",
    "Burkina Faso",
    "Burundi",
    "Cameroon",
    "Cape Verde",
    "Central African Republic",
    "Chad",
    "Comoros",
    "Cote d'Ivoire",
    "Democratic Republic of the Congo",
    "Djibouti",
    "Egypt",
    "Equatorial Guinea",
    "Eritrea",
    "Eswatini",
    "Ethiopia",
    "Gabon",
    "Ghana",
    "Guinea",
    "Guinea-Bissau",
    "Kenya",
    "Lesotho",
    "Liberia",
    "Libya",
    "Madagascar",
    "Malawi",
    "Mali",
    "Mauritania",
    "Mauritius",
    "Morocco",
    "Mozambique",
    "Namibia",
    "Niger",
    "Nigeria",
    "Republic of the Congo",
    "Rwanda",
    "Sao Tome and Principe",
    "Senegal",
    "Seychelles",
    "Sierra Leone",
    "Somalia",
    "South Africa",
    "South Sudan",
    "Sudan",
    "Tanzania",
    "The Gambia",
    "Togo",
    "Tunisia",
    "Uganda",
    "Zambia",
    "Zimbabwe",
]

MINISTRIES = ["Commerce", "Foreign Affairs", "Agriculture", "Health"]
MECHANISMS = [
    ("MedicalTeamTwinning", "sector-health"),
    ("AgriculturalCentreTwinning", "sector-agriculture"),
    ("ProvincialClustering", "sector-construction"),
    ("SubContracting", "sector-construction"),
    ("EconomicZoneDevelopment", "sector-economy"),
    ("TradePlatformEstablishment", "sector-economy"),
    ("LegislativeExchange", "sector-governance"),
    ("IllegalActivityAbroad", "sector-mining"),
    ("ProvincialFinancialSupport", "sector-energy"),
]
MODELS = ["collaborative", "initiator", "subordinate", "divergent"]
# the sectors in which the provinces have policy space (pd:LowPoliticsSector: the collaborative model needs one)
LOW_POLITICS = {"sector-health", "sector-agriculture", "sector-economy"}
SOES_PER_PROVINCE = 3
CLAIMS_PER_FILE = 1000
SOURCE_ID = "syn-source"
TEXT_FILE = "synthetic-source.txt"
SECTIONS = 10


def slug(name: str) -> str:
    return "syn-" + "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-").replace("--", "-")


def _entity_claims():
    """Claims that declare the actors: provinces, states, the central government, ministries, SOEs."""
    yield (
        "syn-central-government",
        [{"id": "syn-central-government", "type": "CentralGovernment", "label": "Central government (synthetic)"}],
        "The central government of China is an actor in this synthetic account",
    )
    for m in MINISTRIES:
        sid = slug(f"ministry of {m}")
        yield (
            sid,
            [
                {
                    "id": sid,
                    "type": "Ministry",
                    "label": f"Ministry of {m} (synthetic)",
                    "org:subOrganizationOf": "syn-central-government",
                }
            ],
            f"The Ministry of {m} is a body of the central government",
        )
    low_politics = sorted({sector for mechanism, sector in MECHANISMS if sector in LOW_POLITICS})
    for name, kind in PROVINCES:
        yield (
            slug(name),
            [{"id": slug(name), "type": kind, "label": f"{name} (synthetic)", "policySpaceInSector": low_politics}],
            f"{name} is a province-level unit of China with policy space in {', '.join(low_politics)}",
        )
        for k in range(1, SOES_PER_PROVINCE + 1):
            sid = slug(f"{name} soe {k}")
            yield (
                sid,
                [{"id": sid, "type": "ProvincialSOE", "label": f"{name} SOE {k} (synthetic)", "backedBy": slug(name)}],
                f"{name} SOE {k} is a provincial SOE backed by {name}",
            )
    for state in AFRICAN_STATES:
        yield (
            slug(state),
            [{"id": slug(state), "type": "ForeignState", "label": f"{state} (synthetic)"}],
            f"{state} is a sovereign state in Africa",
        )


def _engagement_claim(i: int, rng: random.Random):
    name, _ = rng.choice(PROVINCES)
    state = rng.choice(AFRICAN_STATES)
    model = MODELS[i % len(MODELS)]
    # a collaborative engagement is in a sector where the provinces have policy space, as the model requires
    mechanism, sector = rng.choice(
        [m for m in MECHANISMS if m[1] in LOW_POLITICS] if model == "collaborative" else MECHANISMS
    )
    soe = slug(f"{name} soe {rng.randint(1, SOES_PER_PROVINCE)}")
    ministry = slug(f"ministry of {rng.choice(MINISTRIES)}")
    start = rng.randint(1990, 2020)
    end = start + rng.randint(0, 10)
    eid = f"syn-engagement-{i}"
    item = {
        "id": eid,
        "type": mechanism,
        "label": f"Engagement {i} of {name} in {state} (synthetic)",
        "subStateActor": slug(name),
        "foreignCounterpart": slug(state),
        "sector": sector,
        "startYear": start,
        "endYear": end,
    }
    if model == "collaborative":
        item.update(designedBy=ministry, implementedBy=soe)
        how = f"designed by {ministry} and implemented by {soe}"
    elif model == "initiator":
        item.update(initiatedBy=soe)
        how = f"initiated by {soe}"
    elif model == "subordinate":
        item.update(imposedBy=ministry, implementedBy=slug(name))
        how = f"imposed by {ministry} on {name}"
    else:
        item.update(conflictsWithInterestsOf="syn-central-government")
        how = "against the interests of the central government"
    sentence = f"In engagement {i}, {name} engaged {state} through {mechanism} in {sector} from {start} to {end}, {how}"
    return eid, [item], sentence


def generate(out: Path, claims: int, seed: int = 0, ontology_dir: Path | None = None) -> dict:
    """Write a synthetic project of about `claims` claims to `out`; returns counts."""
    rng = random.Random(seed)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "data" / "claims").mkdir(parents=True)
    (out / "data" / "sources").mkdir(parents=True)
    if ontology_dir is not None:
        shutil.copytree(ontology_dir, out / "ontology")
    entity = list(_entity_claims())
    n_engagements = max(0, claims - len(entity))
    all_claims = entity + [_engagement_claim(i, rng) for i in range(1, n_engagements + 1)]
    text_lines, batch, files = [f"Synthetic source for paradiplomacy-kg, seed {seed}", ""], [], 0
    per_section = max(1, len(all_claims) // SECTIONS + 1)
    for k, (cid, items, sentence) in enumerate(all_claims):
        section = f"section-{k // per_section + 1}"
        if k % per_section == 0:
            text_lines += ["", f"Section {k // per_section + 1}", ""]
        endnote = k % 5 + 1
        text_lines.append(f"{sentence} [{k + 1}].{SUPERSCRIPTS[endnote]}")  # the mark stands on the quoted sentence
        batch.append(
            {
                "id": f"c-{k + 1}-{cid}",
                "section": section,
                "quote": f"{sentence} [{k + 1}].",
                "endnotes": [endnote],
                "assert": items,
            }
        )
        if len(batch) == CLAIMS_PER_FILE or k == len(all_claims) - 1:
            files += 1
            doc = {"source": SOURCE_ID, "claims": batch}
            (out / "data" / "claims" / f"synthetic-{files:05d}.yaml").write_text(
                "# Synthetic evidence (paradiplomacy generate): not facts about the world.\n"
                + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000),
                encoding="utf-8",
            )
            batch = []
    (out / "data" / "sources" / TEXT_FILE).write_text("\n".join(text_lines) + "\n", encoding="utf-8")
    sections = [
        {"id": f"section-{s}", "title": f"Section {s}", "order": s}
        for s in range(1, (len(all_claims) - 1) // per_section + 2)
    ]
    sources = {
        "sources": [
            {
                "id": SOURCE_ID,
                "type": "Document",
                "title": f"Synthetic source (seed {seed})",
                "text_file": TEXT_FILE,
                "quote": f"Synthetic source for paradiplomacy-kg, seed {seed}",
                "sections": sections,
                "endnotes": [{"number": n, "cites": [f"syn-work-{n}"]} for n in range(1, 6)],
            }
        ]
        + [
            {
                "id": f"syn-work-{n}",
                "type": "Document",
                "title": f"Synthetic work {n}",
                "year": 2000 + n,
                "cited_in": SOURCE_ID,
            }
            for n in range(1, 6)
        ]
    }
    (out / "data" / "sources.yaml").write_text(
        "# Synthetic bibliography (paradiplomacy generate).\n" + yaml.safe_dump(sources, sort_keys=False),
        encoding="utf-8",
    )
    return {"claims": len(all_claims), "engagements": n_engagements, "files": files}
