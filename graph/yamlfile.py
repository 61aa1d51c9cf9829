"""Read YAML keeping the line of every mapping and key, so errors can point at the line to fix."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import AnnotationError

MAX_BYTES = 5_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")


class LineDict(dict):
    """A dict that remembers the line it started on and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


_STR_TAG = "tag:yaml.org,2002:str"


class _Constructing:
    """The constructors of both loaders: located errors, LineDicts (mixed into a SafeLoader or a CSafeLoader)."""

    def construct_object(self, node, deep=False):
        # most nodes of an annotation are plain strings: what PyYAML's constructors would make of one (its text,
        # checked for lone surrogates) is made here without their bookkeeping (a generated article: 2.0 -> 1.6 ms)
        if node.__class__ is yaml.ScalarNode and node.tag == _STR_TAG:
            return self.construct_scalar(node)
        # PyYAML's own constructors raise bare Python errors on values such as `!!int ''`, `!!float --`,
        # `!!timestamp x` or a malformed merge key; turn them into a located YAML error.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, IndexError, AttributeError, OverflowError, KeyError) as exc:
            raise yaml.MarkedYAMLError(
                None, None, f"a {node.tag.rsplit(':', 1)[-1]} value that cannot be read ({exc})", node.start_mark
            ) from None

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        if isinstance(value, str) and _SURROGATE.search(value):
            raise yaml.MarkedYAMLError(None, None, "an escape such as \\ud800 stands for half a character (a lone "
                                       "surrogate); write the character itself or a \\U0001F600 escape", node.start_mark)
        return value

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):  # `!!map text`, `!!set text`
            raise yaml.MarkedYAMLError(None, None, f"expected a mapping, found a {node.id}", node.start_mark)
        try:
            self.flatten_mapping(node)
        except (ValueError, TypeError, IndexError) as exc:
            raise yaml.MarkedYAMLError(None, None, f"a merge key (<<) that cannot be read ({exc})", node.start_mark) from None
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


class _Loader(_Constructing, yaml.SafeLoader):
    """The reference loader, all in Python: it reads every file whose fast read fails, so errors are its own."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (&name, *name) are not allowed in annotations", event.start_mark
            )
        return super().compose_node(parent, index)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)

_CSafeLoader = getattr(yaml, "CSafeLoader", None)  # libyaml's parser and composer (marks kept), when built in


# Characters PyYAML's own reader refuses (and a byte order mark): such a file goes to the reference loader only,
# so libyaml never accepts what the Python reader would reject.
_PYTHON_ONLY = re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern + "|\ufeff")


class _Alias(Exception):
    pass


if _CSafeLoader is not None:
    class _FastLoader(_Constructing, _CSafeLoader):
        """libyaml parses and composes (about 4x faster); the constructors are the same Python code as _Loader's.

        libyaml resolves an alias to the anchored node itself, so an alias shows as a node met twice: then, and on
        any other error, the file is read again by _Loader, whose message and line are the ones users see. A text
        without a `*` holds no alias, and its nodes are not walked (0.1-0.2 ms of a generated article's 1.8 ms).
        """

        may_alias = True

        def get_single_node(self):
            node = super().get_single_node()
            if node is not None and self.may_alias:
                seen: set[int] = set()
                stack = [node]
                while stack:
                    current = stack.pop()
                    if id(current) in seen:
                        raise _Alias
                    seen.add(id(current))
                    if isinstance(current, yaml.MappingNode):
                        for key, value in current.value:
                            stack.append(key)
                            stack.append(value)
                    elif isinstance(current, yaml.SequenceNode):
                        stack.extend(current.value)
            return node

    _FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _FastLoader.construct_mapping)


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
    if _CSafeLoader is not None and not _PYTHON_ONLY.search(text):
        try:
            loader = _FastLoader(text)
            try:
                loader.may_alias = "*" in text
                return loader.get_single_data()
            finally:
                loader.dispose()
        except Exception:  # noqa: BLE001 - any problem: the reference loader reads it again and reports it
            pass
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
    except (ValueError, TypeError, IndexError, AttributeError, OverflowError, KeyError) as exc:
        # a tagged value constructed after the document (e.g. a top-level `!!set`), outside construct_object
        raise AnnotationError(path, None, f"not valid YAML: a value that cannot be read ({exc})") from None
