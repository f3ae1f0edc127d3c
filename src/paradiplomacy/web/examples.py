"""The competency questions (`queries/*.rq`) as named examples for the query interface: the first
comment line of a file is its title, the comment lines after it its description."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from paradiplomacy.sparql.prefixes import with_prefixes


@dataclass(frozen=True)
class Example:
    name: str  # the file's name without .rq
    title: str
    description: str
    query: str


def _comment_head(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return lines


def read_examples(directory: Path) -> list[Example]:
    examples = []
    for path in sorted(Path(directory).glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # an unreadable file is no example; `paradiplomacy query` says why
        head = _comment_head(text)
        examples.append(
            Example(
                path.stem,
                head[0] if head else path.stem.replace("-", " "),
                " ".join(head[1:]),
                with_prefixes(text, used_only=True),
            )
        )
    return examples
