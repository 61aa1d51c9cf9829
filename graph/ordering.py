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

from . import sparqltext

_KEY = re.compile(r"[?$](\w+)|(ASC|DESC)\s*\(\s*[?$](\w+)\s*\)", re.IGNORECASE)
_KEYS = re.compile(r"(?:\s+(?:[?$]\w+|(?:ASC|DESC)\s*\(\s*[?$]\w+\s*\)))+\s*", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT(\s+(?:DISTINCT|REDUCED)\b)?(?=\s*[?$(*])", re.IGNORECASE)
_PROJECTION_END = re.compile(r"\bWHERE\b|\{", re.IGNORECASE)
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
    [(variable, descending)]; the variables added to the projection, to drop from the rows again; and the query as
    written (``source``), which the engine may be asked instead."""

    def __init__(self, text: str, keys: list[tuple[str, bool]], hidden: list[str], source: str = ""):
        self.text, self.keys, self.hidden, self.source = text, keys, hidden, source


def plan(sparql: str) -> Plan | None:
    """How to run ``sparql`` with its ORDER BY done in Python, or None to run it as written.

    Found in the blanked text (graph/sparqltext.py: no string, IRI or comment can hold a keyword): an ORDER BY
    followed by nothing but variables to the end of the query is the outer query's; any other (an expression, a
    LIMIT or OFFSET after it, a sub-select's) is left to the engine.
    """
    text = sparqltext.blank(sparql)
    orders = list(_ORDER_BY.finditer(text))
    if not orders or not _KEYS.fullmatch(text, orders[-1].end()):
        return None
    order = orders[-1]
    keys = [(name or inner, direction.upper() == "DESC") for name, direction, inner in _KEY.findall(text, order.end())]
    select = _SELECT.search(text)
    if select is None:
        return None
    end = _PROJECTION_END.search(text, select.end())
    projection = text[select.end():end.start() if end else order.start()]
    aliases = re.findall(r"\bAS\s+[?$](\w+)", projection, re.IGNORECASE)
    while "(" in projection:  # expressions and their variables are not projected; their aliases are
        inner = re.sub(r"\([^()]*\)", " ", projection)
        if inner == projection:
            return None  # unbalanced parentheses: the engine will say what is wrong
        projection = inner
    projected = set(re.findall(r"[?$](\w+)", projection)) | set(aliases)
    hidden = [] if "*" in projection else list(dict.fromkeys(name for name, _ in keys if name not in projected))
    stripped = sparql[:order.start()]
    if hidden:
        if select.group(1):
            return None  # SELECT DISTINCT / REDUCED: a projected sort variable would change which rows are distinct
        stripped = stripped[:select.end()] + "".join(f" ?{name}" for name in hidden) + stripped[select.end():]
    return Plan(stripped, keys, hidden, sparql)


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
