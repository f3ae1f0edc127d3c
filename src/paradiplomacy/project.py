"""Which project the commands work on, and where they write.

A project is a directory with ontology/ and data/ (queries/ is optional). The one in use is, in
order: the directory that --home or PARADIPLOMACY_HOME names; the current directory, if it is a
project; the packaged project, the paper's own, shipped inside the wheel (paradiplomacy/project/,
copied from the repository's ontology/, data/ and queries/ when the wheel is built) or, in an
editable install, the repository checkout itself.

What the commands write (the store, review reports) goes under the project directory, except for
the project shipped in the wheel, which is read-only: its store lives in the per-user data
directory (platformdirs), one per version of the package, so that an upgrade builds afresh.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from paradiplomacy import __version__
from paradiplomacy.errors import ParadiplomacyError

PROJECT_DIRS = ("ontology", "data", "queries")  # what a project holds, and what the wheel ships
SHIPPED = Path(__file__).resolve().parent / "project"  # filled when the wheel is built
CHECKOUT = Path(__file__).resolve().parents[2]  # the repository, for an editable install (src/paradiplomacy/)


class ProjectError(ParadiplomacyError):
    """No project where one is needed; the message says what is missing and how to fix it."""


def is_project(path: Path) -> bool:
    return (path / "ontology").is_dir() and (path / "data").is_dir()


def packaged_root() -> Path | None:
    """The paper's project that came with the package, if any."""
    if is_project(SHIPPED):
        return SHIPPED
    if is_project(CHECKOUT) and (CHECKOUT / "pyproject.toml").is_file():
        return CHECKOUT
    return None


def default_home() -> Path:
    """PARADIPLOMACY_HOME; else the current directory if it is a project; else the packaged project;
    else the current directory (which then fails `require_project` with a message)."""
    explicit = os.environ.get("PARADIPLOMACY_HOME")
    if explicit:
        return Path(explicit).resolve()
    here = Path.cwd().resolve()
    if is_project(here):
        return here
    return packaged_root() or here


def user_data_dir() -> Path:
    """The per-user directory of the packaged project's store: ~/.local/share/paradiplomacy/VERSION
    on Linux (XDG_DATA_HOME is honoured), the platform's equivalent elsewhere."""
    import platformdirs

    return platformdirs.user_data_path("paradiplomacy", appauthor=False, version=__version__)


def workspace(home: Path) -> Path:
    """Where the commands write for the project at `home`."""
    return user_data_dir() if home.resolve() == SHIPPED else home


@dataclass(frozen=True)
class InUse:
    """What `stats` and `serve` say about the project in use."""

    home: Path
    workspace: Path

    @property
    def packaged(self) -> bool:
        return self.home.resolve() == packaged_root()

    def describe(self) -> str:
        kind = "the packaged project (the paper's graph)" if self.packaged else "the project"
        where = f" (writes under {self.workspace})" if self.workspace != self.home else ""
        return f"{kind} at {self.home}{where}"


def require_project(ontology_dir: Path, data_dir: Path, home: Path) -> None:
    """Raise ProjectError, naming what is missing and what to do, unless the ontology and evidence
    directories exist."""
    missing = [
        f"{p} ({what})" for p, what in ((ontology_dir, "the ontology"), (data_dir, "the evidence")) if not p.is_dir()
    ]
    if not missing:
        return
    raise ProjectError(
        f"{home} is not a paradiplomacy project: missing {' and '.join(missing)}. Run the command in a project "
        "directory, name one with --home DIR or PARADIPLOMACY_HOME, or make one with `paradiplomacy init DIR` "
        "(a copy of the paper's project to add evidence to)"
    )


def init_project(target: Path) -> list[str]:
    """Copy the packaged project to `target` (new or empty) for researchers who add evidence;
    returns the directories copied. The store is built there, in var/, by the first command."""
    import shutil

    source = packaged_root()
    if source is None:
        raise ProjectError(
            "this installation has no packaged project to copy: reinstall the wheel, or clone the repository"
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ProjectError(f"{target} exists and is not an empty directory: name a new one")
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT_DIRS:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=ignore)
            copied.append(name)
    (target / ".gitignore").write_text("/var/\ndata/sources/*.txt\n", encoding="utf-8")
    return copied
