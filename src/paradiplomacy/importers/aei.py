"""AEI / Heritage Foundation, China Global Investment Tracker, investments 2005-2021 (CSV, cp1252).

Africa rows are those whose `Country` is one of the 54 African UN member states (by name, with the
tracker's own spellings: 'Congo', 'Ivory Coast', 'Sao Tome'); a row of the 'Sub-Saharan Africa'
region whose country is not recognised is an error, never silently dropped. Rows have no
identifier: the line number is the row id. Organisations are read from `Investor` ("A, B, and C");
the tracker has no free text. The data may not be redistributed: this project reads it from the
path the user gives and ships none of it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from paradiplomacy.errors import InvalidInput, Problem
from paradiplomacy.importers.records import DatasetInfo, Organisation, Record, RowProblems, amount, decode, year
from paradiplomacy.importers.reference import Reference

DATASET = DatasetInfo(
    key="aei",
    slug="aei-cgit-2021",
    title="China Global Investment Tracker (investments, 2005-2021), Fall 2021",
    version="2021 Fall",
    publisher="American Enterprise Institute and Heritage Foundation",
    year=2021,
    citation=(
        "American Enterprise Institute and The Heritage Foundation. China Global Investment Tracker, "
        "2021 Fall edition. https://www.aei.org/china-global-investment-tracker/"
    ),
    url="https://www.aei.org/china-global-investment-tracker/",
    licence=None,
    terms="public use with citation; not redistributed by this project, which reads it from the user's copy",
    redistributable=False,
    selection=(
        "rows whose Country is one of the 54 African UN member states (by name); a 'Sub-Saharan Africa' row "
        "with an unrecognised country is an error"
    ),
    row_id_column="line",
)

COLUMNS = (
    "Year",
    "Month",
    "Investor",
    "Quantity in Millions",
    "Share Size",
    "Transaction Party",
    "Sector",
    "Subsector",
    "Country",
    "Region",
    "BRI",
    "Greenfield",
)
SECTORS = {"Energy": "sector-energy", "Agriculture": "sector-agriculture", "Health": "sector-health"}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def split_investors(value: str) -> list[str]:
    parts = re.split(r",\s*(?:and\s+)?", value.strip())
    return [p.strip() for p in parts if p.strip()]


def read(path: Path, reference: Reference) -> list[Record]:
    path = Path(path)
    file = str(path)
    content = decode(path, "cp1252", "cp1252")
    rows = list(csv.reader(io.StringIO(content, newline="")))
    if not rows:
        raise InvalidInput([Problem(file, 1, None, "the file is empty")])
    header = [h.strip() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput([Problem(file, 1, None, f"lacks the columns {', '.join(missing)}")])
    at = {c: header.index(c) for c in COLUMNS}
    problems, out = RowProblems(file), []
    for line, fields in enumerate(rows[1:], start=2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            problems.add(line, None, f"{len(fields)} fields where the header has {len(header)}")
            continue
        value = lambda c: fields[at[c]].strip()
        country = value("Country")
        slug = reference.state_by_name(country) if country else None
        if slug is None:
            if value("Region") == "Sub-Saharan Africa":
                problems.add(line, "Country", f"not an African state: {country!r}")
            continue
        investor = value("Investor")
        if not investor:
            problems.add(line, "Investor", "the investor is missing")
            continue
        month = value("Month")
        if month and month not in MONTHS:
            problems.add(line, "Month", f"not a month: {month!r}")
        sector, subsector = value("Sector") or None, value("Subsector")
        y = year(value("Year"), problems, line, "Year")
        label = (
            (
                f"{investor}: {sector or 'investment'}{' (' + subsector + ')' if subsector else ''} "
                f"in {country}, {(month + ' ') if month else ''}{y or ''}"
            )
            .strip()
            .rstrip(",")
        )
        out.append(
            Record(
                dataset=DATASET,
                row_id=str(line),
                row_number=line,
                label=label,
                countries=[slug],
                year=y,
                amount_usd=amount(
                    value("Quantity in Millions"), problems, line, "Quantity in Millions", scale=1_000_000
                ),
                flow="investment" + (" (greenfield)" if value("Greenfield") == "G" else ""),
                sector=sector,
                sector_concept=SECTORS.get(sector),
                fields={c: value(c) for c in COLUMNS if value(c)},
                organisations=[Organisation("Investor", name, None, "investor") for name in split_investors(investor)],
                texts=[],
            )
        )
    problems.raise_if_any()
    return out
