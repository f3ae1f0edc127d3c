"""AidData's Global Chinese Official Finance Dataset, Version 1.0 (xlsx, sheet ChineseOfficialFinance1.0).

Africa rows are those whose `recipient_region` is "Africa"; their recipient states are the ISO
codes of `recipient_iso2` that name an African state (the regional code XR and non-African
recipients of multi-country rows are dropped). Organisations are read from `funding_agency`,
`implementing_agency` and `cofinancing_agency` ("name, type tag; ..."), free text from `title`,
`description` and `contacts`. The data dictionary is the dataset's readme_v1.0.txt.
"""

from __future__ import annotations

from pathlib import Path

from paradiplomacy.errors import InvalidInput, Problem
from paradiplomacy.importers.actors import split_tag
from paradiplomacy.importers.records import DatasetInfo, Organisation, Record, RowProblems, amount, blank, text, year
from paradiplomacy.importers.reference import Reference

DATASET = DatasetInfo(
    key="aiddata",
    slug="aiddata-v1-0",
    title="Global Chinese Official Finance Dataset, 2000-2014, Version 1.0",
    version="1.0",
    publisher="AidData at William & Mary",
    year=2017,
    citation=(
        "Dreher, Axel, Andreas Fuchs, Bradley Parks, Austin M. Strange, and Michael J. Tierney. 2017. "
        "Aid, China, and Growth: Evidence from a New Global Development Finance Dataset. AidData Working "
        "Paper #46. Williamsburg, VA: AidData."
    ),
    url="http://aiddata.org/data/chinese-global-official-finance-dataset",
    licence="https://opendatacommons.org/licenses/by/1-0/",
    terms="Open Data Commons Attribution License (ODC-By 1.0): may be shared and adapted with attribution",
    redistributable=True,
    selection=(
        "rows whose recipient_region is 'Africa'; recipient states are the codes of recipient_iso2 that name "
        "an African state (the regional code XR and non-African co-recipients are dropped)"
    ),
    row_id_column="project_id",
)

SHEET = "ChineseOfficialFinance1.0"
ORGANISATION_COLUMNS = {
    "funding_agency": "funder",
    "implementing_agency": "implementer",
    "cofinancing_agency": "cofunder",
}
TEXT_COLUMNS = ("title", "description", "contacts")
# the columns read: those facts, recognition and selection come from, and AidData's research flag
USED = (
    "project_id",
    "recommended_for_research",
    "year",
    "funding_agency",
    "implementing_agency",
    "cofinancing_agency",
    "recipient_iso2",
    "recipient_region",
    "title",
    "description",
    "flow",
    "usd_current",
    "crs_sector_name",
    "contacts",
)
SECTORS = {
    "Health": "sector-health",
    "Education": "sector-education",
    "Agriculture, Forestry and Fishing": "sector-agriculture",
    "Energy Generation and Supply": "sector-energy",
    "Government and Civil Society": "sector-governance",
}


def _column(name: str, index: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{name} (column {get_column_letter(index + 1)})"


def read(path: Path, reference: Reference) -> list[Record]:
    """The Africa rows of the workbook as records; InvalidInput (file, row, column) if malformed."""
    from zipfile import BadZipFile

    import openpyxl

    path = Path(path)
    file = str(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InvalidInput([Problem(file, None, None, f"not an xlsx workbook: {exc}")]) from exc
    try:
        if SHEET not in workbook.sheetnames:
            raise InvalidInput(
                [Problem(file, None, None, f"no sheet {SHEET!r} (sheets: {', '.join(workbook.sheetnames)})")]
            )
        rows = workbook[SHEET].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        missing = [c for c in USED if c not in header]
        if missing:
            raise InvalidInput([Problem(file, 1, None, f"sheet {SHEET!r} lacks the columns {', '.join(missing)}")])
        at = {c: header.index(c) for c in USED}
        problems = RowProblems(file)
        records, seen = [], {}
        for number, row in enumerate(rows, start=2):
            if row is None or all(blank(v) for v in row):
                continue
            value = lambda c: row[at[c]] if at[c] < len(row) else None
            pid = value("project_id")
            if isinstance(pid, bool) or not isinstance(pid, (int, float)) or int(pid) != pid:
                problems.add(number, _column("project_id", at["project_id"]), f"not a project id: {pid!r}")
                continue
            pid = int(pid)
            if pid in seen:
                problems.add(
                    number,
                    _column("project_id", at["project_id"]),
                    f"duplicate project id {pid} (first at row {seen[pid]})",
                )
                continue
            seen[pid] = number
            if text(value("recipient_region")) != "Africa":
                continue
            records.append(_record(number, pid, value, lambda c: _column(c, at[c]), reference, problems))
        problems.raise_if_any()
        return records
    finally:
        workbook.close()


def record_from_values(values: dict, reference: Reference, number: int = 0) -> Record:
    """A record from a row's values by column name (as in the labelled fixture of tests/fixtures)."""
    problems = RowProblems("(values)")
    record = _record(number, int(values["project_id"]), values.get, lambda c: c, reference, problems)
    problems.raise_if_any()
    return record


def _record(number, pid, value, col, reference: Reference, problems: RowProblems) -> Record:
    title = text(value("title"))
    if not title:
        problems.add(number, col("title"), "the title is missing")
    codes = [c.strip() for c in text(value("recipient_iso2")).split(";") if c.strip()]
    for c in codes:
        if len(c) != 2 or not c.isalpha():
            problems.add(number, col("recipient_iso2"), f"not an ISO 3166 alpha-2 code: {c!r}")
    countries = list(dict.fromkeys(s for s in (reference.state_by_code(c) for c in codes) if s))
    organisations = []
    for column, role in ORGANISATION_COLUMNS.items():
        for entry in text(value(column)).split(";"):
            if entry.strip():
                name, tag = split_tag(entry)
                organisations.append(Organisation(column, name, tag, role))
    sector = text(value("crs_sector_name")) or None
    return Record(
        dataset=DATASET,
        row_id=str(pid),
        row_number=number,
        label=title or f"AidData project {pid}",
        countries=countries,
        year=year(value("year"), problems, number, col("year")),
        amount_usd=amount(value("usd_current"), problems, number, col("usd_current")),
        flow=text(value("flow")) or None,
        sector=sector,
        sector_concept=SECTORS.get(sector),
        fields={c: text(value(c)) for c in USED if text(value(c))},
        organisations=organisations,
        texts=[(c, text(value(c))) for c in TEXT_COLUMNS if text(value(c))],
    )
