"""Reading YAML with the line of every mapping and key, so errors can name file, line and field."""

from __future__ import annotations

from pathlib import Path

import yaml

from paradiplomacy.errors import Problem


class LineDict(dict):
    """A mapping that remembers the line it starts on and the line of each key."""

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    """A sequence that remembers the line of each item."""

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list[int] = []
        self.line = 0

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


# libyaml's C parser where PyYAML has it (about 6x faster); the constructors below stay in Python,
# so every mapping and sequence still records its lines and duplicate keys are still refused.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise _DuplicateKey(
                None, None, f"duplicate key {key!r} (first at line {out.lines[key]})", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.lines = [child.start_mark.line + 1 for child in node.value]
    out.line = node.start_mark.line + 1
    return out


def _timestamp(loader: _Loader, node: yaml.ScalarNode):
    """A date that is no date (2008-13-45) is an error at its line, not a crash."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark
        ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path: Path, display: str | None = None):
    """Parse one YAML file. Returns (document, problems); the document is None on failure."""
    shown = display or str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, None, None, f"not UTF-8 text (byte {exc.start}): save the file as UTF-8")]
    except OSError as exc:
        return None, [Problem(shown, None, None, f"cannot read: {exc.strerror}")]
    try:
        return yaml.load(text, Loader=_Loader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        return None, [Problem(shown, line, None, f"invalid YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, None, None, f"invalid YAML: {exc}")]
