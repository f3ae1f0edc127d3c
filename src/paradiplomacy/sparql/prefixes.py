"""The project's prefixes in SPARQL text: the one place that writes PREFIX declarations.

The embedded store is given the prefixes as predeclared (pyoxigraph's `prefixes=`); a remote store and
an editor are given text, so the declarations a text lacks are written into it here, read from the
text's own prologue by the one tokenizer (sparql.lexer).
"""

from __future__ import annotations

from paradiplomacy.namespaces import PREFIXES
from paradiplomacy.sparql.lexer import prologue, tokenize


def declarations(names=None) -> str:
    """PREFIX lines for the project's prefixes (or those of `names`, in their order), one a line."""
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in (PREFIXES if names is None else names))


def _leading_comment_lines(text: str) -> int:
    lines = text.splitlines()
    return next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))


def with_prefixes(text: str, used_only: bool = False) -> str:
    """The text with a PREFIX line for each project prefix it does not declare itself (with
    `used_only`, only those it uses), after its leading comment lines. A text that declares a project
    prefix with another IRI keeps its own."""
    tokens = tokenize(text)
    declared = prologue(tokens).prefixes
    wanted = {t.text.split(":", 1)[0] for t in tokens if t.kind == "pname"} if used_only else set(PREFIXES)
    missing = sorted(p for p in PREFIXES if p in wanted and p not in declared)
    if not missing:
        return text
    lines = text.splitlines(keepends=True)
    head = _leading_comment_lines(text)
    return "".join(lines[:head]) + declarations(missing) + "".join(lines[head:])
