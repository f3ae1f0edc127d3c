"""Write the settings table of docs/settings.md from paradiplomacy.settings.SETTINGS.

Usage: python scripts/settings_table.py [--check]

The table sits between the two marker comments of docs/settings.md; the rest of the page is
written by hand. With --check nothing is written: exit 1 if the table is not what SETTINGS gives.
tests/test_docs.py runs the same check, so a setting added without its row fails the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

BEGIN = "<!-- settings table: generated from SETTINGS by scripts/settings_table.py; do not edit -->"
END = "<!-- end of the settings table -->"
PAGE = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(value) -> str:
    if isinstance(value, bool):
        return "`yes`" if value else "`no`"
    if isinstance(value, tuple):
        return " ".join(f"`{v}`" for v in value) if value else "none"
    if isinstance(value, float):
        return f"`{value:g}`"
    if value == "":
        return "none"
    return f"`{value}`"


def _options(command, path: str = ""):
    """(path, option, help) of every option of the command line, subcommands included."""
    import click

    for param in command.params:
        if isinstance(param, click.Option):
            yield path, param, param.help or ""
    for name, sub in getattr(command, "commands", {}).items():
        yield from _options(sub, f"{path} {name}".strip())


def options_of(setting, cli) -> list[str]:
    """The command-line options that set this setting: those whose help names its environment variable."""
    found = []
    for path, option, help_text in _options(cli):
        if setting.env in help_text:
            found.append(f"`{(path + ' ' if path else '')}{option.opts[-1]}`")
    return found


def table(settings, cli) -> str:
    rows = ["| environment variable | option | default | what it sets |", "| --- | --- | --- | --- |"]
    for s in settings:
        rows.append(f"| `{s.env}` | {', '.join(options_of(s, cli))} | {_cell(_default(s.default))} | {_cell(s.help)} |")
    return "\n".join(rows) + "\n"


def render(page: str, settings, cli) -> str:
    """The page with its table replaced by the one that the settings give."""
    head, rest = page.split(BEGIN + "\n", 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table(settings, cli)}{END}{tail}"


def main(argv: list[str]) -> int:
    from paradiplomacy.cli import cli
    from paradiplomacy.settings import SETTINGS

    page = PAGE.read_text()
    wanted = render(page, SETTINGS, cli)
    if "--check" in argv:
        if page != wanted:
            print(
                f"{PAGE.name}: the settings table is out of date; run python scripts/settings_table.py", file=sys.stderr
            )
            return 1
        return 0
    if page != wanted:
        PAGE.write_text(wanted)
        print(f"wrote the settings table of {PAGE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
