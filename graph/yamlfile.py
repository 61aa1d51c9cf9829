"""Read YAML keeping the line of every mapping and key, so errors can point at the line to fix."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import AnnotationError

MAX_BYTES = 5_000_000


class LineDict(dict):
    """A dict that remembers the line it started on and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (&name, *name) are not allowed in annotations", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise AnnotationError("", key_node.start_mark.line + 1, "a mapping key must be a plain value") from None
            if key in result:
                raise yaml.MarkedYAMLError(None, None, f"the key {key!r} appears twice", key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)


def load(path: Path):
    """Parse a YAML file; any problem becomes an AnnotationError with the file and line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AnnotationError(path, None, f"cannot read the file: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise AnnotationError(path, None, f"the file is {len(raw):,} bytes; annotations are limited to {MAX_BYTES:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AnnotationError(path, line, "not UTF-8 text: save the file as UTF-8") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except AnnotationError as exc:
        raise AnnotationError(path, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise AnnotationError(path, line, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise AnnotationError(path, None, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise AnnotationError(path, None, "the YAML is nested too deeply") from None
