"""Errors and the CLI exit codes they map to (documented in the README), and how problems name files."""

from pathlib import Path

EXIT_OK = 0
EXIT_INVALID_INPUT = 1
EXIT_OTHER = 2


class ParadiplomacyError(Exception):
    exit_code = EXIT_OTHER


class Problem:
    """One problem in the input, located by file, line and field."""

    def __init__(self, file, line, field, message):
        self.file, self.line, self.field, self.message = str(file), line, field, message

    def __str__(self):
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def __repr__(self):
        return f"Problem({self})"


class InvalidInput(ParadiplomacyError):
    """Input that failed validation; nothing was written."""

    exit_code = EXIT_INVALID_INPUT

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)))


class StoreError(ParadiplomacyError):
    exit_code = EXIT_OTHER


def display_path(path: Path, root: Path | None = None) -> str:
    """A file's path as problems name it: relative to the project directory `root` where it is inside."""
    try:
        return str(path.resolve().relative_to(root.resolve())) if root else str(path)
    except ValueError:
        return str(path)
