"""The README is checked against the code: it lists every query, setting and command, and starts
with the two Quick start commands that CI runs."""

import re

from paradiplomacy.cli import cli
from paradiplomacy.settings import SETTINGS

from conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_lists_every_competency_question():
    for q in sorted((ROOT / "queries").glob("*.rq")):
        question = q.read_text().splitlines()[0][2:]
        assert f"| `{q.name}` | {question} |" in README, q.name


def test_readme_documents_every_setting():
    for s in SETTINGS:
        assert s.env in README, s.env


def test_readme_mentions_every_command():
    for name in cli.commands:
        assert re.search(rf"paradiplomacy {name}\b", README), name


def test_quick_start_has_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install -e .")
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1].strip() in ci or "scripts/test" in ci and commands[1].strip() == "bash scripts/test"
