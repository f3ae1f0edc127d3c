"""The competency questions (`queries/*.rq`) as named examples for the query interface: the first
comment line of a file is its title, the comment lines after it its description."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.sparql.lexer import prologue, tokenize


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


def with_prefix_declarations(query: str) -> str:
    """The query with a PREFIX line for each predeclared prefix it uses without declaring it,
    so that it stands on its own in an editor (after its leading comment lines)."""
    tokens = tokenize(query)
    declared = prologue(tokens).prefixes
    used = sorted({t.text.split(":", 1)[0] for t in tokens if t.kind == "pname"})
    missing = [p for p in used if p not in declared and p in PREFIXES]
    if not missing:
        return query
    lines = query.splitlines(keepends=True)
    head = len(_comment_head(query))
    declarations = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing)
    return "".join(lines[:head]) + declarations + "".join(lines[head:])


def read_examples(directory: Path) -> list[Example]:
    examples = []
    for path in sorted(Path(directory).glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # an unreadable file is no example; `paradiplomacy query` says why
        head = _comment_head(text)
        examples.append(Example(path.stem, head[0] if head else path.stem.replace("-", " "),
                                " ".join(head[1:]), with_prefix_declarations(text)))
    return examples
