"""A query's final ORDER BY, done in Python for the Oxigraph stores.

Oxigraph's sort reads both strings of a comparison from its dictionary each time it compares two rows, so on disk
ordering 30,000 statements by their article's slug cost more than a second (``statements`` at 1M triples: 5.8 s
with its ORDER BY, 4.5 s without; sorting the same rows in Python takes milliseconds). So when a SELECT ends with
``ORDER BY`` a list of variables (``?v``, ``ASC(?v)``, ``DESC(?v)``), the store asks Oxigraph for the rows without
it and sorts them here, the way Oxigraph orders terms (SPARQL 1.1, 15.1): unbound first, then IRIs by their text,
then literals by value. A sort variable the query does not project is added to the projection and dropped again
(not for SELECT DISTINCT or REDUCED, where it would change the rows).

Only what can be ordered exactly here is: strings (plain or with a language: by text, then datatype, then language),
numbers (integers and decimals exactly, floats and doubles as IEEE values; a column never mixes the two), and
xsd:date / xsd:dateTime with a four-digit year and no time zone. A column holding anything else (a blank node, which
Oxigraph orders by an internal id; a boolean; a time zone) or literals of two of these kinds makes ``sort_rows`` say
no, and the store runs the query as written; so does any query ``plan`` does not take (ORDER BY an expression, a
LIMIT or OFFSET after it, ...). Rows equal on every key keep the order Oxigraph gave them, so the named queries'
keys end with the IRIs their rows are about (only odd data, a node with two labels, leaves rows tied).
"""

from __future__ import annotations

import re
import struct
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

_KEY = re.compile(r"\s*(?:[?$](\w+)|(ASC|DESC)\s*\(\s*[?$](\w+)\s*\))", re.IGNORECASE)
_ORDER_BY = re.compile(r"ORDER\s+BY", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT(\s+(?:DISTINCT|REDUCED)\b)?(?=\s*[?$(*])", re.IGNORECASE)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING, _DOUBLE, _FLOAT, _DATE_IRI, _DATETIME_IRI = (_XSD + name for name in ("string", "double", "float", "date",
                                                                                "dateTime"))
_EXACT = {_XSD + name for name in ("integer", "decimal", "long", "int", "short", "byte", "nonNegativeInteger",
                                   "nonPositiveInteger", "negativeInteger", "positiveInteger", "unsignedLong",
                                   "unsignedInt", "unsignedShort", "unsignedByte")}
_DATE = re.compile(r"\d{4}-\d\d-\d\d")  # four-digit years, no time zone: the text sorts as the value
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?")


class Plan:
    """The query to run instead: without its final ORDER BY and projecting every sort variable; the sort keys
    [(variable, descending)]; the variables added to the projection, to drop from the rows again."""

    def __init__(self, text: str, keys: list[tuple[str, bool]], hidden: list[str]):
        self.text, self.keys, self.hidden = text, keys, hidden


def _strip_trailing_comments(text: str) -> str:
    lines = text.rstrip().split("\n")
    while lines and lines[-1].lstrip().startswith("#"):
        lines.pop()
        while lines and not lines[-1].strip():
            lines.pop()
    return "\n".join(lines).rstrip()


def _order_keys(text: str):
    """(where the final ORDER BY starts, its keys), or None."""
    matches = list(_ORDER_BY.finditer(text))
    if not matches:
        return None
    order = matches[-1]
    line_start = text.rfind("\n", 0, order.start()) + 1
    before = text[:order.start()].rstrip()
    if "#" in text[line_start:order.start()] or not before \
            or not (before[-1] in "})_" or before[-1].isalnum()):
        return None  # in a comment, a string or an IRI, or not after a group graph pattern or a GROUP BY/HAVING
    keys, position, rest = [], 0, text[order.end():]
    while position < len(rest):
        key = _KEY.match(rest, position)
        if key is None:
            return None  # an expression, LIMIT, OFFSET, VALUES: left to the engine
        keys.append((key.group(1), False) if key.group(1) else (key.group(3), key.group(2).upper() == "DESC"))
        position = key.end()
        if position < len(rest) and not rest[position].isspace():
            return None
        while position < len(rest) and rest[position].isspace():
            position += 1
    return (order.start(), keys) if keys else None


def _projection(text: str):
    """(DISTINCT or REDUCED, where the outer SELECT's projection starts, its variables or None for SELECT *),
    or None when no outer SELECT is found."""
    offset = 0
    for line in text.split("\n"):
        found = None if line.lstrip().startswith("#") else _SELECT.search(line)
        if found:
            break
        offset += len(line) + 1
    else:
        return None
    start = offset + found.end()
    names, depth, i, after_as = [], 0, start, False
    while i < len(text):
        char = text[i]
        if char in "\"'":  # a string in an expression (GROUP_CONCAT's separator): skip it
            end = text.find(char, i + 1)
            while end != -1 and text[end - 1] == "\\":
                end = text.find(char, end + 1)
            if end == -1:
                return None
            i = end + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "{" and depth == 0:
            break
        elif char == "*" and depth == 0:
            return bool(found.group(1)), start, None
        elif char in "?$":
            name = re.match(r"\w+", text[i + 1:])
            if name and (depth == 0 or after_as):
                names.append(name.group(0))
            after_as = False
            i += 1 + (len(name.group(0)) if name else 0)
            continue
        elif depth == 1 and text[i:i + 2].upper() == "AS" and not text[i - 1].isalnum() and text[i + 2:i + 3].isspace():
            after_as = True
        elif depth == 0 and text[i:i + 5].upper() == "WHERE" and not text[i - 1].isalnum():
            break
        i += 1
    return bool(found.group(1)), start, names


def plan(sparql: str) -> Plan | None:
    """How to run ``sparql`` with its ORDER BY done in Python, or None to run it as written."""
    text = _strip_trailing_comments(sparql)
    order = _order_keys(text)
    if order is None:
        return None
    order_start, keys = order
    stripped = text[:order_start]
    projection = _projection(stripped)
    if projection is None:
        return None
    distinct, select_end, names = projection
    hidden = [] if names is None else [name for name, _ in keys if name not in names]
    hidden = list(dict.fromkeys(hidden))
    if hidden:
        if distinct:
            return None  # a projected sort variable would change which rows are distinct
        stripped = stripped[:select_end] + "".join(f" ?{name}" for name in hidden) + stripped[select_end:]
    return Plan(stripped, keys, hidden)


# -- ordering terms the way Oxigraph does -------------------------------------------------------------
# on pyoxigraph's terms, before they become rdflib's (rdflib rewrites some lexical forms: "2025-02-05Z"^^xsd:date
# becomes "2025-02-05", which Oxigraph does not order as equal)
def _literal_key(term: ox.Literal):
    """(kind, key) of a literal, or None when it cannot be ordered exactly here."""
    datatype = term.datatype.value
    if term.language or datatype == _STRING:
        return "string", (term.value, datatype, term.language or "")
    lexical = term.value.strip()
    try:
        if datatype in _EXACT:
            value = Decimal(lexical)
            return ("exact", value) if value.is_finite() else None
        if datatype in (_DOUBLE, _FLOAT):
            value = float({"INF": "inf", "-INF": "-inf", "+INF": "inf"}.get(lexical, lexical))
            if value != value:
                return None  # NaN is not ordered
            if datatype == _FLOAT:
                value = struct.unpack("f", struct.pack("f", value))[0]
            return "ieee", value
    except (InvalidOperation, ValueError, OverflowError):
        return None
    if datatype == _DATE_IRI and _DATE.fullmatch(lexical):
        return "date", lexical
    if datatype == _DATETIME_IRI and _DATETIME.fullmatch(lexical):
        whole, _, fraction = lexical.partition(".")
        return "dateTime", (whole, fraction.rstrip("0"))
    return None


def sort_rows(rows: list[list], keys: list[tuple[int, bool]]) -> bool:
    """Sort ``rows`` (lists of pyoxigraph terms or None) in place by ``keys`` [(column, descending)]; False, leaving
    them as they were, when a column holds terms this module cannot order exactly as Oxigraph does."""
    orders = []
    for column, descending in keys:
        cache: dict = {None: (0,)}
        kinds = set()
        for row in rows:
            term = row[column]
            if term in cache:
                continue
            if isinstance(term, ox.NamedNode):
                cache[term] = (2, term.value)
            elif isinstance(term, ox.Literal):
                found = _literal_key(term)
                if found is None:
                    return False
                kinds.add(found[0])
                cache[term] = (3, found[1])
            else:
                return False
        if len(kinds) > 1:
            return False  # e.g. numbers and strings: Oxigraph falls back to comparing their text
        orders.append((column, descending, cache))
    for column, descending, cache in reversed(orders):  # stable sorts, last key first
        rows.sort(key=lambda row: cache[row[column]], reverse=descending)
    return True
