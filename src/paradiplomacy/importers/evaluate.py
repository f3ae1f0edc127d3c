"""Precision and recall of provincial-actor recognition against hand-labelled dataset rows.

The fixture (tests/fixtures/aiddata-actors-labelled.yaml) holds AidData rows with, for each, the
province-level units whose actors the row names, as a reader labelled them, and why. A row's
prediction is the set of province-level units of the actors recognised in it; precision and
recall count (row, province-level unit) pairs, separately for each set of rows (the random sample,
the rows chosen as hard cases, the held-out sample labelled after the rules were fixed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from paradiplomacy.errors import InvalidInput, Problem
from paradiplomacy.importers.actors import Recogniser
from paradiplomacy.importers.aiddata import record_from_values
from paradiplomacy.importers.reference import Reference


@dataclass
class Score:
    name: str
    rows: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list = field(default_factory=list)  # (project id, expected, predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_fixture(path: Path) -> list[dict]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    rows = doc.get("rows") if isinstance(doc, dict) else None
    if not isinstance(rows, list) or not rows:
        raise InvalidInput([Problem(str(path), None, "rows", "a labelled fixture needs a list 'rows'")])
    for i, row in enumerate(rows):
        for key in ("set", "values", "expected", "why"):
            if key not in row:
                raise InvalidInput([Problem(str(path), None, f"rows[{i}].{key}", "missing")])
    return rows


def evaluate(path: Path, reference: Reference) -> dict[str, Score]:
    """Scores by set of rows, and 'all'."""
    known = {f.id for f in reference.firms if f.ownership == "evidence"}
    recogniser = Recogniser(reference, known)
    scores: dict[str, Score] = {}
    for row in load_fixture(path):
        record = record_from_values(row["values"], reference)
        predicted = set(recogniser.recognise(record).provinces)
        expected = {e["province"] if isinstance(e, dict) else e for e in row["expected"]}
        for name in (row["set"], "all"):
            s = scores.setdefault(name, Score(name))
            s.rows += 1
            s.tp += len(expected & predicted)
            s.fp += len(predicted - expected)
            s.fn += len(expected - predicted)
            if expected != predicted and name != "all":
                s.errors.append((record.row_id, sorted(expected), sorted(predicted)))
    return scores
