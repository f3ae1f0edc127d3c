"""The documentation is checked against the code: the README is a short entrance that starts with the two
Quick start commands CI runs; docs/ lists every query and setting and names every command; the command
lines of its `sh` blocks are ones the CLI accepts; and its relative links lead somewhere."""

import importlib.util
import re
import shlex

import click
import pytest
from conftest import ROOT

from paradiplomacy.cli import cli
from paradiplomacy.settings import SETTINGS

README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _page(name: str) -> str:
    return (DOCS / name).read_text()


def _settings_table():
    spec = importlib.util.spec_from_file_location("settings_table", ROOT / "scripts" / "settings_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_querying_lists_every_competency_question():
    page = _page("querying.md")
    for q in sorted((ROOT / "queries").glob("*.rq")):
        question = q.read_text().splitlines()[0][2:]
        assert f"| `{q.name}` | {question} |" in page, q.name


def test_settings_page_documents_every_setting():
    page = _page("settings.md")
    assert page == _settings_table().render(page, SETTINGS, cli), (
        "docs/settings.md: the settings table is out of date; run python scripts/settings_table.py"
    )
    for s in SETTINGS:
        assert f"| `{s.env}` |" in page and s.help.replace("|", "\\|") in page, s.env


def test_every_command_is_mentioned():
    text = "\n".join(p.read_text() for p in PAGES)
    for name in cli.commands:
        assert re.search(rf"paradiplomacy {name}\b", text), name


def test_quick_start_has_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install -e .")
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci or "scripts/test" in ci and commands[1].strip() == "bash scripts/test"


def test_readme_is_short():
    assert len(README.splitlines()) <= 300


# --- the command lines of the sh blocks ---------------------------------------------------------------


def _sh_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)


def _shell_lines(block: str):
    """Logical lines: continuations joined, a quoted string that spans lines kept whole."""
    pending = ""
    for line in block.splitlines():
        pending += line
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the string goes on
            pending += "\n"
            continue
        yield pending
        pending = ""
    assert not pending.strip(), f"unfinished shell line: {pending!r}"


def _invocations(block: str):
    """The argument lists of every `paradiplomacy` command of a shell block."""
    for line in _shell_lines(block):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token and set(token) <= set("();<>|&"):
                while command and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", command[0]):
                    command.pop(0)  # VAR=value before the command
                if command and command[0] == "paradiplomacy":
                    yield command[1:]
                command = []
            else:
                command.append(token)


def _problems(args: list[str], command: click.Command, path: str) -> list[str]:
    """What the CLI would not accept in these arguments, judged by click's own objects; nothing is run."""
    options = {name: p for p in command.params if isinstance(p, click.Option) for name in (*p.opts, *p.secondary_opts)}
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    capacity = None if any(a.nargs == -1 for a in arguments) else sum(a.nargs for a in arguments)
    needed = sum(max(a.nargs, 1) for a in arguments if a.required)
    problems, positional, given, i = [], 0, set(), 0
    helped = any(a in ("--help", "-h") for a in args)
    while i < len(args):
        arg = args[i]
        i += 1
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if name in ("--help", "-h"):
                continue
            option = options.get(name)
            if option is None:
                problems.append(f"{path}: no option {name}")
                continue
            given.add(option.name)
            if option.is_flag or option.count:
                if eq:
                    problems.append(f"{path}: {name} takes no value")
                continue
            values = [value] if eq else args[i : i + option.nargs]
            if not eq:
                i += option.nargs
            if len(values) < option.nargs:
                problems.append(f"{path}: {name} needs a value")
            elif isinstance(option.type, click.Choice) and values[0] not in option.type.choices:
                problems.append(f"{path}: {name} {values[0]!r} is not one of {list(option.type.choices)}")
            continue
        if isinstance(command, click.Group):
            sub = command.commands.get(arg)
            if sub is None:
                return problems + [f"{path}: no command {arg!r}"]
            return problems + _problems(args[i:], sub, f"{path} {arg}")
        positional += 1
        if capacity is not None and positional > capacity:
            problems.append(f"{path}: unexpected argument {arg!r}")
    if not helped and not (path == "paradiplomacy" and "version" in given):
        if isinstance(command, click.Group):
            problems.append(f"{path}: no command given")
        elif positional < needed:
            problems.append(f"{path}: missing argument")
        for option in command.params:
            if isinstance(option, click.Option) and option.required and option.name not in given:
                problems.append(f"{path}: missing {option.opts[-1]}")
    return problems


def test_sh_blocks_run_only_commands_and_options_that_exist():
    checked = 0
    for page in PAGES:
        for block in _sh_blocks(page.read_text()):
            for args in _invocations(block):
                checked += 1
                problems = _problems(args, cli, "paradiplomacy")
                assert not problems, f"{page.relative_to(ROOT)}: paradiplomacy {shlex.join(args)}: {problems}"
    assert checked >= len(cli.commands)


@pytest.mark.parametrize(
    "line, problem",
    [
        ("paradiplomacy serve --port 8080", None),
        ("X=1 paradiplomacy --store s build --no-reason && paradiplomacy query q.rq --format csv", None),
        ("paradiplomacy import cari data.csv --review r.csv", None),
        ("paradiplomacy serv", "no command 'serv'"),
        ("paradiplomacy serve --threads 4", "no option --threads"),
        ("paradiplomacy import cary data.csv", "no command 'cary'"),
        ("paradiplomacy query q.rq --format xml", "'xml' is not one of"),
        ("paradiplomacy query", "missing argument"),
        ("paradiplomacy generate --out d", "missing --claims"),
        ("paradiplomacy stats extra", "unexpected argument 'extra'"),
    ],
)
def test_the_sh_check_catches_what_the_cli_would_refuse(line, problem):
    problems = [p for args in _invocations(line) for p in _problems(args, cli, "paradiplomacy")]
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


# --- links ----------------------------------------------------------------------------------------------


def _anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a page."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def _links(text: str) -> list[str]:
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # code blocks hold no links
    text = re.sub(r"`[^`\n]*`", "", text)  # nor do code spans
    return re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text)


def test_relative_links_lead_to_files_and_headings_that_exist():
    checked = 0
    for page in PAGES:
        for link in _links(page.read_text()):
            if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", link):
                continue  # http:, https:, mailto:
            checked += 1
            target, _, anchor = link.partition("#")
            path = (page.parent / target).resolve() if target else page
            where = f"{page.relative_to(ROOT)}: {link}"
            assert path.exists(), f"{where}: no such file"
            assert ROOT in path.parents or path == ROOT, f"{where}: outside the repository"
            if anchor and path.suffix == ".md":
                assert anchor in _anchors(path.read_text()), f"{where}: no such heading"
    assert checked > 0


def test_anchors_are_the_ones_github_makes():
    page = (
        "# Reasoning: the paper's models from the facts\n## `sources.yaml`\n"
        "```sh\n# not a heading\n```\n## Notes\n## Notes\n"
    )
    assert _anchors(page) == {"reasoning-the-papers-models-from-the-facts", "sourcesyaml", "notes", "notes-1"}
    assert _links("[a](x.md#y) `[b](z.md)`\n```\n[c](w.md)\n```\n[d](https://e.org)") == ["x.md#y", "https://e.org"]
