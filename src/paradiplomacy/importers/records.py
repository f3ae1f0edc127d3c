"""What every importer produces: a description of its dataset and one `Record` per selected row.

A record carries the row's identifier, where it stands in the file, the field values used, and
what the graph needs: a label, the recipient states, year, amount, flow and sector, the
organisations named in its structured fields (with the dataset's own type tag where it gives
one) and its free-text fields, in which provincial actors are also looked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from paradiplomacy.errors import InvalidInput, Problem


@dataclass(frozen=True)
class DatasetInfo:
    key: str  # the importer's name: aiddata, cari, aei
    slug: str  # the dataset's identifier in the graph
    title: str
    version: str
    publisher: str
    year: int
    citation: str  # as the publisher asks it to be cited
    url: str
    licence: str | None  # the licence's IRI, when the dataset has an open licence
    terms: str  # the terms of use in words
    redistributable: bool
    selection: str  # how the Africa rows are selected
    row_id_column: str  # the column whose value identifies a row (or 'row' for the row number)


@dataclass(frozen=True)
class Organisation:
    """One organisation named in a structured field, as written, with the dataset's type tag."""

    column: str
    name: str
    tag: str | None
    role: str  # implementer, funder, cofunder, contractor, lender, investor


@dataclass
class Record:
    dataset: DatasetInfo
    row_id: str
    row_number: int  # the row (spreadsheet) or line (CSV) where the record starts
    label: str
    countries: list[str]  # slugs of the African recipient states
    year: int | None
    amount_usd: Decimal | None
    flow: str | None
    sector: str | None  # the dataset's own sector name
    sector_concept: str | None  # a sector concept of the project's vocabulary, where the match is exact
    fields: dict[str, str]  # column -> value (as text) of every field used
    organisations: list[Organisation] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (column, free text)


class RowProblems:
    """Collects the problems of a file, each located by file, row and column."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, row, column, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(
                self.problems[:50]
                + (
                    [Problem(self.file, None, None, f"... and {len(self.problems) - 50} more problems")]
                    if len(self.problems) > 50
                    else []
                )
            )


NOT_GIVEN = {"", "nan", "n/a", "na", "-"}


def decode(path: Path, encoding: str, name: str) -> str:
    """The text of a dataset file; InvalidInput naming the line where it is not `name` text."""
    data = Path(path).read_bytes()
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput([Problem(str(path), line, None, f"not {name} text: {exc.reason}")]) from exc


def blank(value) -> bool:
    """An empty cell, or one that says the value is not given ('NaN', 'N/A')."""
    return value is None or (isinstance(value, str) and value.strip().lower() in NOT_GIVEN)


def text(value) -> str:
    """A cell as text: blanks become '', floats that are whole numbers lose their '.0'."""
    if blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def year(value, problems: RowProblems, row: int, column: str, required: bool = True) -> int | None:
    if blank(value):
        if required:
            problems.add(row, column, "the year is missing")
        return None
    try:
        y = int(str(value).strip())
    except ValueError:
        problems.add(row, column, f"not a year: {value!r}")
        return None
    if not 1949 <= y <= 2100:
        problems.add(row, column, f"year {y} is out of range (1949-2100)")
        return None
    return y


AMOUNT = re.compile(r"^\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*$")


def amount(value, problems: RowProblems, row: int, column: str, scale: int = 1) -> Decimal | None:
    """A non-negative amount ('1,740', '$500 ', 2.5e6), times scale; blank is None."""
    if blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        m = AMOUNT.match(str(value))
        if not m:
            problems.add(row, column, f"not an amount: {value!r}")
            return None
        try:
            number = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation:
            problems.add(row, column, f"not an amount: {value!r}")
            return None
    if number < 0:
        problems.add(row, column, f"negative amount: {value!r}")
        return None
    return number * scale
