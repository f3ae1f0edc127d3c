"""The wheel ships the paper's project: ontology/, data/ and queries/ are copied into the package
as paradiplomacy/project/ when it is built (paradiplomacy.project finds them there). An editable
install skips the copy and reads the checkout itself, so the files live once, in the repository.

Only datasets that data/datasets.yaml lists ship (their licences allow it: AidData, ODC-By); the
plain-text copies of sources (data/sources/) do not."""

import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PROJECT_DIRS = ("ontology", "data", "queries")  # as paradiplomacy.project.PROJECT_DIRS


def listed_datasets(data: Path) -> set[str]:
    """The folders under data/datasets/ that data/datasets.yaml names (`file: datasets/FOLDER/...`)."""
    text = (data / "datasets.yaml").read_text(encoding="utf-8")
    return set(re.findall(r"^\s*-?\s*file:\s*datasets/([^/\s]+)/", text, re.MULTILINE))


def _ignore(data: Path):
    shipped = listed_datasets(data)

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        skip = {n for n in names if n == "__pycache__" or n.endswith(".pyc")}
        if here == data:
            skip.add("sources")  # copies of the sources' texts: not ours to redistribute
        if here == data / "datasets":
            skip |= {n for n in names if n not in shipped}
        return skip

    return ignore


class BuildPyWithProject(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "paradiplomacy" / "project"
        shutil.rmtree(target, ignore_errors=True)
        for name in PROJECT_DIRS:
            shutil.copytree(ROOT / name, target / name, ignore=_ignore(ROOT / "data"))


setup(cmdclass={"build_py": BuildPyWithProject})
