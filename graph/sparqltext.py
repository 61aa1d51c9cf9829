"""SPARQL text with its strings, IRIs and comments blanked out, so keywords, variables and braces can be found in it.

``blank(query)`` has the same length as the query, so a position found in it is the same position in the query:
graph/remote.py finds the WHERE group to bind parameters in, graph/ordering.py the final ORDER BY and the
projection.
"""

from __future__ import annotations

import re

_LITERALS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                       r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*', re.S)


def blank(sparql: str) -> str:
    """The query with strings, IRIs and comments replaced by spaces (same length)."""
    return _LITERALS.sub(lambda m: " " * len(m.group(0)), sparql)
