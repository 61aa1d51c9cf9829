"""SPARQL text with its strings, IRIs and comments blanked out, so keywords, variables and braces can be found in it.

``blank(query)`` has the same length as the query, so a position found in it is the same position in the query:
``with_values`` binds parameters with a VALUES block in the WHERE group (graph/queries.py, graph/remote.py),
graph/ordering.py finds the final ORDER BY and the projection. ``fingerprint(query)`` names what a query says,
comments and layout aside (graph/listings.py: the query text a whole-store form was written for).
``looks_like_update`` and ``uses_service`` find the keywords `kg serve` refuses, and a SHACL constraint may not
use (graph/shacl.py imports this module, not the server's, to check its shapes: about 0.03 s less per build).
"""

from __future__ import annotations

import hashlib
import re

_LITERALS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                       r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*', re.S)


def blank(sparql: str) -> str:
    """The query with strings, IRIs and comments replaced by spaces (same length)."""
    return _LITERALS.sub(lambda m: " " * len(m.group(0)), sparql)


def fingerprint(sparql: str) -> str:
    """A short hash of what a query says: its text without comments, each run of whitespace outside strings and
    IRIs one space, so that an edited comment or layout leaves it unchanged and any other edit changes it."""
    parts, last = [], 0
    for found in _LITERALS.finditer(sparql):
        parts.append(" ".join(sparql[last:found.start()].split()))
        if not found.group(0).startswith("#"):
            parts.append(found.group(0))
        last = found.end()
    parts.append(" ".join(sparql[last:].split()))
    return hashlib.sha256(" ".join(part for part in parts if part).encode("utf-8")).hexdigest()[:16]


def closing(blanked: str, start: int) -> int | None:
    """The index of the bracket that closes the one at ``start`` (``(`` or ``{``) in blanked text, or None."""
    opening = blanked[start]
    shut = {"(": ")", "{": "}"}[opening]
    depth = 0
    for index in range(start, len(blanked)):
        if blanked[index] == opening:
            depth += 1
        elif blanked[index] == shut:
            depth -= 1
            if depth == 0:
                return index
    return None


def where_group(blanked: str) -> tuple[int, int] | None:
    """The positions of the braces opening and closing the query's WHERE group (the keyword may be left out), in
    blanked text, or None."""
    found = re.search(r"\bWHERE\s*\{", blanked, re.I) or re.search(r"\{", blanked)
    if found is None:
        return None
    end = closing(blanked, found.end() - 1)
    return None if end is None else (found.end() - 1, end)


def values_block(bindings: dict) -> str:
    """``VALUES (?a ?b) { (<x> "y") }``, the values written by Oxigraph's term serialiser; one variable given a
    list of values gets a row for each (``VALUES (?a) { (<x>) (<y>) }``: graph/listings.py binds its keys so)."""
    from .store import to_ox

    names = " ".join(f"?{name}" for name in bindings)
    if len(bindings) == 1 and isinstance(next(iter(bindings.values())), (list, tuple)):
        rows = " ".join(f"({to_ox(term)})" for term in next(iter(bindings.values())))
        return f"VALUES ({names}) {{ {rows} }}"
    values = " ".join(str(to_ox(term)) for term in bindings.values())
    return f"VALUES ({names}) {{ ({values}) }}"


def with_values(sparql: str, bindings: dict, opening: bool = False) -> str:
    """Bind variables with a VALUES block closing the query's WHERE group, or opening it (``opening``). The values
    are written by Oxigraph's term serialiser (N-Triples syntax, exact escaping): text from the command line is
    never pasted into the query as syntax."""
    from .store import QueryError  # graph/store.py imports this module (through graph/ordering.py)

    if not bindings:
        return sparql
    group = where_group(blank(sparql))
    if group is None:
        raise QueryError("cannot bind parameters: the query has no closed WHERE group")
    start, end = group
    block = "\n  " + values_block(bindings)
    if opening:
        return f"{sparql[:start + 1]}{block}{sparql[start + 1:]}"
    return f"{sparql[:end]}{block}\n{sparql[end:]}"


# -- what a query asks for (kg serve refuses updates and SERVICE; the SHACL constraints refuse SERVICE) ----------
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


def keywords(text: str) -> list[str]:
    """The bare words of a query (not prefixed names, variables, strings, IRIs or comments), upper-cased."""
    return [m.group(1).upper() for m in re.finditer(r"(?<![\w:?$@.-])([A-Za-z]+)(?![\w:-])", blank(text))]


def looks_like_update(text: str) -> bool:
    words = keywords(text)
    while words[:1] and words[0] in ("PREFIX", "BASE"):
        words = words[1:]  # the prefix or base IRI itself was blanked out with the IRIs
    return bool(words) and words[0] in UPDATE_KEYWORDS


def uses_service(text: str) -> bool:
    """Any bare SERVICE word, also right after the "." that ends a triple pattern (`?s ?p ?o .SERVICE <url> {}`),
    which keywords() leaves out to spare prefixed names such as ex:a.b: a false alarm refuses a query, a miss
    makes the server fetch a URL (pyoxigraph runs SERVICE over HTTP)."""
    return re.search(r"(?i)(?<![\w:?$@-])SERVICE(?![\w:-])", blank(text)) is not None
