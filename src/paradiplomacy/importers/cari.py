"""SAIS-CARI / Boston University, Chinese Loans to Africa Database, Version 2.0 (CSV, UTF-8).

Every row is a loan to an African borrower; its recipient state is `Country` ("Regional" loans,
to regional bodies, have none). Organisations are read from `Lender` and `Contractor` (the file
writes ';' for ',' inside names, so "Co.; Ltd." is rejoined), free text from `Purpose` and
`Narratives`. The file has quoted fields with unescaped quotes inside ("preparatory work"): a
quote ends a quoted field only before a comma or a line end. The data may not be redistributed:
this project reads it from the path the user gives and ships none of it.
"""

from __future__ import annotations

import re
from pathlib import Path

from paradiplomacy.errors import InvalidInput, Problem
from paradiplomacy.importers.records import DatasetInfo, Organisation, Record, RowProblems, amount, decode, year
from paradiplomacy.importers.reference import Reference

DATASET = DatasetInfo(
    key="cari",
    slug="sais-cari-v2-0",
    title="Chinese Loans to Africa Database, Version 2.0",
    version="2.0",
    publisher="China Africa Research Initiative (Johns Hopkins SAIS) and Boston University Global Development Policy Center",
    year=2021,
    citation=(
        "China Africa Research Initiative and Boston University Global Development Policy Center. 2021. "
        "Chinese Loans to Africa Database, Version 2.0. Retrieved from https://chinaafricaloandata.bu.edu/."
    ),
    url="https://chinaafricaloandata.bu.edu/",
    licence=None,
    terms="no open licence: cite as given; not redistributed by this project, which reads it from the user's copy",
    redistributable=False,
    selection="every row (all loans go to African borrowers); the recipient state is Country ('Regional' loans have none)",
    row_id_column="Loan ID",
)

COLUMNS = (
    "Loan ID",
    "Status",
    "Year",
    "Country",
    "Borrower",
    "Lender",
    "Finance Type",
    "USD (M)",
    "Interest Rate",
    "Libor Rate",
    "Grace Period",
    "Term",
    "Purpose",
    "Sector",
    "Contractor",
    "Resource Security",
    "Narratives",
)
ORGANISATION_COLUMNS = {"Lender": "lender", "Contractor": "contractor"}
TEXT_COLUMNS = ("Purpose", "Narratives")
SECTORS = {
    "Health": "sector-health",
    "Education": "sector-education",
    "Agriculture": "sector-agriculture",
    "Power": "sector-energy",
    "Mining": "sector-mining",
    "Government": "sector-governance",
}
SUFFIX_FRAGMENT = re.compile(r"^(?:Ltd\.?|Limited|Inc\.?|Co\.?|LLC|S\.A\.?|Ltda\.?)(?:\s*\(.*\))?$", re.I)
LOAN_ID = re.compile(r"^[A-Za-z]{2,3}\.[0-9A-Za-z.\-]+$")


def records(content: str):
    """(line, fields) for each CSV record. A quote inside a quoted field ends it only when a comma,
    a line end or the end of the file follows (the file has unescaped quotes inside fields)."""
    i, n, line = 0, len(content), 1
    while i < n:
        start, fields, field = line, [], []
        while True:
            if i < n and content[i] == '"':
                i += 1
                while True:
                    if i >= n:
                        raise ValueError(f"line {start}: a quoted field is not closed")
                    c = content[i]
                    if c == '"':
                        if content[i + 1 : i + 2] == '"':  # an escaped quote, or a quote that closes the field
                            field.append('"')
                            i += 2
                            if i >= n or content[i] in ",\r\n":
                                break
                            continue
                        if i + 1 >= n or content[i + 1] in ",\r\n":
                            i += 1
                            break
                    elif c == "\n":
                        line += 1
                    field.append(c)
                    i += 1
            while i < n and content[i] not in ",\r\n":
                field.append(content[i])
                i += 1
            fields.append("".join(field))
            field = []
            if i < n and content[i] == ",":
                i += 1
                continue
            if i < n and content[i] == "\r":
                i += 1
            if i < n and content[i] == "\n":
                i += 1
                line += 1
            break
        yield start, fields


def split_names(value: str) -> list[str]:
    """'A Co.; Ltd. (X); B Corp' -> ['A Co., Ltd. (X)', 'B Corp']."""
    value = re.sub(r"^(?:Other CN Financing|MixedCN|Mixed):\s*", "", value.strip())
    names: list[str] = []
    for part in (p.strip() for p in value.split(";")):
        if not part:
            continue
        if names and SUFFIX_FRAGMENT.match(part):
            names[-1] += ", " + part
        else:
            names.append(part)
    return names


def read(path: Path, reference: Reference) -> list[Record]:
    path = Path(path)
    file = str(path)
    content = decode(path, "utf-8-sig", "UTF-8")
    problems = RowProblems(file)
    try:
        rows = list(records(content))
    except ValueError as exc:
        raise InvalidInput([Problem(file, None, None, str(exc))]) from exc
    if not rows:
        raise InvalidInput([Problem(file, 1, None, "the file is empty")])
    header = [h.strip() for h in rows[0][1]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput([Problem(file, 1, None, f"lacks the columns {', '.join(missing)}")])
    at = {c: header.index(c) for c in COLUMNS}
    out, seen = [], {}
    for line, fields in rows[1:]:
        if len(fields) == 1 and not fields[0].strip():
            continue
        if len(fields) != len(header):
            problems.add(line, None, f"{len(fields)} fields where the header has {len(header)}")
            continue
        value = lambda c: fields[at[c]].strip()
        loan = value("Loan ID")
        if not LOAN_ID.match(loan):
            problems.add(line, "Loan ID", f"not a loan id: {loan[:40]!r}")
            continue
        if loan in seen:
            problems.add(line, "Loan ID", f"duplicate loan id {loan} (first at line {seen[loan]})")
            continue
        seen[loan] = line
        country = value("Country")
        countries = []
        if country != "Regional":
            slug = reference.state_by_name(country)
            if slug is None:
                problems.add(line, "Country", f"not an African state: {country!r}")
                continue
            countries = [slug]
        organisations = [
            Organisation(c, name, None, role)
            for c, role in ORGANISATION_COLUMNS.items()
            for name in split_names(value(c))
        ]
        sector = value("Sector") or None
        purpose = value("Purpose")
        out.append(
            Record(
                dataset=DATASET,
                row_id=loan,
                row_number=line,
                label=f"{purpose or 'Loan'} ({country}, {value('Lender') or 'lender unknown'}, loan {loan})",
                countries=countries,
                year=year(value("Year"), problems, line, "Year"),
                amount_usd=amount(value("USD (M)"), problems, line, "USD (M)", scale=1_000_000),
                flow=value("Finance Type") or None,
                sector=sector,
                sector_concept=SECTORS.get(sector),
                fields={c: value(c) for c in COLUMNS if value(c)},
                organisations=organisations,
                texts=[(c, value(c)) for c in TEXT_COLUMNS if value(c)],
            )
        )
    problems.raise_if_any()
    return out
