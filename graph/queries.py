"""Named SPARQL queries (ontology/queries/*.rq and extensions), their parameters, and result formatting.

A query file opens with a header of comments:

    # Question: the question it answers, in English (continued on lines starting `#   `)
    # Param: NAME (iri|literal|date|integer[, required][, selective]) - what it restricts, with an example
    # Lists: col, col      columns that are GROUP_CONCATs separated by U+001F, shown as lists
    # Listing: KEY PATH -> PREDICATES   (repeatable) asked with no parameter, answered from rows kept beside
                                        the store and kept up to date by each build (graph/listings.py)

Parameters are bound as RDF terms with pyoxigraph's ``substitutions``, never pasted into the query text, so a
value holding quotes, braces or ``} UNION {`` is only ever a term to compare with. Oxigraph accepts a substitution
only for a variable of the SELECT projection (the parameter columns are dropped from what ``kg query`` shows),
and it folds ``BOUND(?param)`` to false before substituting, so a query must not test a parameter with BOUND.
A ``selective`` parameter (one value picks out few rows: a node, an article, an actor's positions) is bound by a
VALUES block opening the WHERE group instead (``bound_text``): Oxigraph plans the query from it there, and
knows a substituted value only after planning. Inside a UNION branch, which Oxigraph plans without that block, a
line ``#given NAME: PATTERN`` binds the value next to a pattern on it (``given_lines``).
Write each optional parameter in one of three ways, each of which means "everything" when it is not given:

* as the variable of a pattern that binds it in every row (``?position kg:holder ?holder_iri``), or a BIND that
  always binds it (``BIND(COALESCE(?speakerNode, kg:speakerUnknown) AS ?speaker_iri)``): given, it keeps the
  matching rows;
* inside ``FILTER EXISTS { ... ?param ... }`` when any value will do when it is not given;
* as ``FILTER(!COALESCE(sameTerm(?param, ?param), false) || condition)`` ("not given, or the condition holds"),
  or ``FILTER(COALESCE(?date >= ?from, true))`` for a comparison. When the parameter is not given and appears
  nowhere else in the WHERE group, ``bound_text`` leaves the first kind out (``without_idle_filters``).

A grouped query also lists its parameters in GROUP BY. tests/test_queries.py checks every parameter of every
named query: a value that matches nothing gives no rows.

The same text runs on SPARQL servers, where graph/remote.py binds the parameters with a VALUES block closing the
WHERE group, and tests/test_remote.py checks that every named query answers on Virtuoso 7 as on Oxigraph. What
Virtuoso needs: a BIND that binds a parameter comes last in its group, after the OPTIONALs (before them, Virtuoso
answered no rows); a parameter's variable is not used inside an OPTIONAL (an OPTIONAL that did not match dropped
the row): match another variable and ``BIND(?doctrine AS ?doctrine_iri)`` at the end; a date made from a string
is a cast, ``xsd:date(...)``, not ``STRDT(..., xsd:date)`` (an xsd:dateTime there). Anywhere: an OPTIONAL on a
variable that an earlier OPTIONAL may leave unbound matches every node of the store (look labels up with a path
inside the OPTIONAL that finds the node, ``OPTIONAL { ?item kg:speaker/rdfs:label ?who }``).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from . import sparqltext
from .errors import InputError, KgError
from .ns import PREFIXES
from .ontology import ONTOLOGY_DIR, Ontology

LIST_SEPARATOR = "\x1f"
PARAM_RE = re.compile(r"^#\s*Param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\((?P<spec>[^)]*)\))?\s*(?:-\s*(?P<doc>.*))?$")
INTEGER_TYPES = {XSD.integer, XSD.int, XSD.long, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.short}
FLOAT_TYPES = {XSD.decimal, XSD.double, XSD.float}
BOOLEAN = XSD.boolean  # looked up once: rdflib's Namespace attribute costs a microsecond a cell


@dataclass
class Param:
    name: str
    kind: str = "literal"  # iri | literal | date | integer
    optional: bool = True
    doc: str = ""
    selective: bool = False  # a value picks out few rows: bound where the query starts (bound_text)


@dataclass
class NamedQuery:
    name: str
    path: Path
    text: str
    question: str
    params: dict[str, Param] = field(default_factory=dict)
    lists: list[str] = field(default_factory=list)
    listing: list[str] = field(default_factory=list)  # the `# Listing:` lines' text (graph/listings.py)

    @property
    def is_violation(self) -> bool:
        return self.name.endswith("-violation")


def parse_query_file(path: Path) -> NamedQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the query: {exc}") from None
    name = path.name[:-3] if path.name.endswith(".rq") else path.stem
    return parse_query_text(text, name, path)


def parse_query_text(text: str, name: str = "sparql", path: Path | None = None) -> NamedQuery:
    """Read the header (# Question:, # Param:, # Lists:, # Listing:) of a query's text."""
    question, params, lists, listing, in_question = [], {}, [], [], False
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        body = line.lstrip("#").strip()
        if body.startswith("Question:"):
            question, in_question = [body[len("Question:"):].strip()], True
        elif PARAM_RE.match(line):
            m = PARAM_RE.match(line)
            spec = [s.strip() for s in (m.group("spec") or "").split(",") if s.strip()]
            kind = next((s for s in spec if s in ("iri", "literal", "date", "integer")), "literal")
            params[m.group("name")] = Param(m.group("name"), kind, "required" not in spec, (m.group("doc") or "").strip(),
                                            "selective" in spec)
            in_question = False
        elif body.startswith("Lists:"):
            lists = [s.strip() for s in body[len("Lists:"):].split(",") if s.strip()]
            in_question = False
        elif body.startswith("Listing:"):
            listing.append(body[len("Listing:"):].strip())
            in_question = False
        elif in_question and line.startswith("#  "):
            question.append(body)
        else:
            in_question = False
    return NamedQuery(name, Path(path) if path is not None else Path("-"), text, " ".join(question), params, lists,
                      listing)


def query_dirs(ontology: Ontology | None = None) -> list[Path]:
    dirs = [ONTOLOGY_DIR / "queries"]
    for ext in Ontology.extension_dirs_in(ONTOLOGY_DIR):
        dirs.append(ext / "queries")
    if ontology is not None:
        for ext in ontology.extra_extension_dirs:
            dirs.append(Path(ext) / "queries")
    return [d for d in dirs if d.is_dir()]


def named_queries(ontology: Ontology | None = None) -> dict[str, NamedQuery]:
    found: dict[str, NamedQuery] = {}
    for directory in query_dirs(ontology):
        for path in sorted(directory.glob("*.rq")):
            query = parse_query_file(path)
            found.setdefault(query.name, query)
    return found


def resolve(name_or_file: str, ontology: Ontology | None = None) -> NamedQuery:
    if name_or_file.endswith(".rq") or "/" in name_or_file:
        path = Path(name_or_file)
        if not path.is_file():
            raise InputError(f"{path}: no such query file")
        return parse_query_file(path)
    queries = named_queries(ontology)
    if name_or_file not in queries:
        raise InputError(f"no query named `{name_or_file}`; `kg query --list` shows them: {', '.join(sorted(queries))}")
    return queries[name_or_file]


def expand_iri(value: str) -> URIRef:
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        if re.search(r"[\s<>\"{}|\\^`]", value):
            raise InputError(f"{value!r} is not a valid IRI")
        return URIRef(value)
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and local and not re.search(r"[\s<>\"{}|\\^`]", local):
        return URIRef(PREFIXES[prefix] + local)
    raise InputError(f"{value!r} is not an IRI: give a full IRI (https://...) or a prefixed name such as id:actor/marco-rubio")


def bind_params(query: NamedQuery, values: list[str]) -> dict:
    """Turn NAME=VALUE strings into RDF terms for the query's declared parameters (never pasted into text)."""
    bindings = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep:
            raise InputError(f"--param {item!r}: write NAME=VALUE")
        if name not in query.params:
            known = ", ".join(query.params) or "none"
            raise InputError(f"--param {name}: the query `{query.name}` has no such parameter (its parameters: {known})")
        kind = query.params[name].kind
        if kind == "iri":
            bindings[name] = expand_iri(raw)
        elif kind == "integer":
            if not re.fullmatch(r"-?\d+", raw.strip()):
                raise InputError(f"--param {name}: {raw!r} is not a whole number")
            bindings[name] = Literal(int(raw), datatype=XSD.integer)
        elif kind == "date":
            if not re.fullmatch(r"\d{4}-\d\d-\d\d", raw.strip()):
                raise InputError(f"--param {name}: {raw!r} is not a date such as 2025-02-03")
            bindings[name] = Literal(raw.strip(), datatype=XSD.date)
        else:
            bindings[name] = Literal(raw)
    missing = [p.name for p in query.params.values() if not p.optional and p.name not in bindings]
    if missing:
        raise InputError(f"the query `{query.name}` needs --param {missing[0]}=VALUE")
    return bindings


SYNTAX_ERROR_RE = re.compile(r"error at (?P<line>\d+):(?P<column>\d+):\s*(?P<message>.*)", re.S)


class QuerySyntaxError(KgError):
    """A query that is not valid SPARQL, located by line and column. Exit 2."""

    exit_code = 2

    def __init__(self, source: str, line: int | None, column: int | None, message: str, text: str = ""):
        self.source, self.line, self.column, self.message = source, line, column, message
        where = f"line {line}, column {column}" if line else "somewhere"
        detail = ""
        lines = text.splitlines()
        if line and 1 <= line <= len(lines):
            shown = lines[line - 1]
            detail = f"\n  {shown}\n  {' ' * max(0, min(column - 1, len(shown)))}^"
        super().__init__(f"{source}: not valid SPARQL at {where}: {message}{detail}")


def syntax_error(source: str, text: str, message: str) -> QuerySyntaxError:
    """Turn pyoxigraph's "error at L:C: ..." into an error naming the line and column.

    Oxigraph's parser often reports the place where it gave up (not seldom the end of the query), so the
    position is taken from rdflib's SPARQL grammar when it also rejects the query (parsing only: the query never
    runs on rdflib); when it accepts it, Oxigraph's own position is given.
    """
    match = SYNTAX_ERROR_RE.search(message)
    detail = " ".join(match["message"].split()) if match else " ".join(message.split())
    located = _locate(text)
    if located is not None:
        line, column, found = located
        return QuerySyntaxError(source, line, column, f"unexpected {found}" if found else detail, text)
    if not match:
        return QuerySyntaxError(source, None, None, detail, text)
    return QuerySyntaxError(source, int(match["line"]), int(match["column"]), detail, text)


def _locate(text: str):
    """(line, column, what was found) of the first syntax error by rdflib's SPARQL grammar, or None."""
    try:
        from pyparsing import ParseException
        from rdflib.plugins.sparql.parser import parseQuery
    except ImportError:  # pragma: no cover - rdflib is a dependency
        return None
    try:
        parseQuery(text)
    except ParseException as exc:
        found = re.search(r"found (.+?)\s+\(at char", str(exc))
        return exc.lineno, exc.col, found.group(1) if found else ""
    except Exception:  # noqa: BLE001 - another failure of rdflib's parser: no better position
        return None
    return None


def check_syntax(text: str, source: str = "the query") -> None:
    """Raise QuerySyntaxError unless ``text`` parses as a SPARQL query (run on an empty in-memory store)."""
    import pyoxigraph as ox

    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        raise syntax_error(source, text, str(exc)) from None


def query_source(query: NamedQuery) -> str:
    return "--sparql" if str(query.path) == "-" else str(query.path)


def execute(store, query: NamedQuery, bindings: dict | None = None):
    """Run a named query (or --sparql text) on a store; drop the parameter columns from the result.

    A syntax error becomes a QuerySyntaxError naming the file (or --sparql), the line and the column.
    """
    from .listings import listed_answer, whole_text

    # a query that lists everything, asked with no parameter, is answered from its listing when it has one, and
    # otherwise asked in its whole-store form when it has one (the same rows)
    result = listed_answer(store, query) if not bindings else None
    if result is None:
        whole = whole_text(query) if not bindings else None
        result = _ask(store, query, bindings, whole)
    if query.params and result.variables:
        result.variables = [v for v in result.variables if v not in query.params]
    return result


def _ask(store, query: NamedQuery, bindings: dict | None, whole: str | None = None):
    """The store's answer to the query with its parameters bound (or to ``whole``, its whole-store form, asked
    with none), errors said against the query's file."""
    from .store import QueryError

    text, bindings = (whole, {}) if whole is not None else bound_text(query, bindings)
    try:
        return store.query(text, bindings)
    except QueryError as exc:
        if "error at " in str(exc):
            raise syntax_error(query_source(query), query.text, str(exc)) from None
        raise
    except SyntaxError as exc:  # a store that lets pyoxigraph's SyntaxError through
        raise syntax_error(query_source(query), query.text, str(exc)) from None
    except RuntimeError as exc:
        if "SELECT projection" in str(exc):
            raise InputError(f"{query_source(query)}: {exc}: a parameter must be a variable of the SELECT clause "
                             "(see graph/queries.py)") from None
        raise


def bound_text(query: NamedQuery, bindings: dict | None) -> tuple[str, dict]:
    """The query's text with its selective parameters bound by a VALUES block opening the WHERE group, and the
    bindings left to substitute.

    Oxigraph plans the query from the VALUES block; a value given with pyoxigraph's substitutions is known only once
    the plan is made, so the query still reads every statement and keeps the few that match: `said-about` on 1M
    triples took 3.9 s for 15 rows, 0.9 s with the value first; `evidence` 1.8 s -> 0.2 s; `statements` of one
    article 1.1 s -> 0.01 s. For the parameter style above (never inside an OPTIONAL or MINUS, never a BIND's
    target) the rows are the same wherever the VALUES block is (tests/test_queries.py compares both on every
    parameter). Written by graph/sparqltext.py (Oxigraph's term serialiser: a value is never query syntax)."""
    bindings = dict(bindings or {})
    idle = [name for name in query.params if name not in bindings]
    leading = {name: bindings.pop(name) for name in list(bindings)
               if name in query.params and query.params[name].selective}
    text = without_idle_filters(query.text, idle)
    return sparqltext.with_values(given_lines(text, leading), leading, opening=True), bindings


def without_idle_filters(text: str, names) -> str:
    """The query without its ``FILTER(!COALESCE(sameTerm(?p, ?p), false) || ...)`` for each parameter p not given,
    where ?p appears nowhere else in the WHERE group: unbound, the filter holds for every row.

    Oxigraph evaluates such a filter's EXISTS anyway (it puts the EXISTS first in the OR), and orders a UNION's
    branches inside it afresh for each query: `positions` listed every position at 1M triples in 2.5 s in one
    run and 6.5 s in the next, when the doctrine's `+` path came first and was evaluated with both ends free for
    every position (2.2-2.3 s every time without the filter). Removed as text, on a copy where strings, IRIs and
    comments are blanked (graph/sparqltext.py), so only the query's own syntax is matched; spaces take its place."""
    blank = sparqltext.blank(text)
    group = sparqltext.where_group(blank)
    if group is None:
        return text
    start, end = group
    for name in names:
        spans = []
        for found in _idle_filter(name).finditer(blank, start, end):
            close = sparqltext.closing(blank, blank.index("(", found.start()))
            if close is None:
                return text
            spans.append((found.start(), close + 1))
        masked = list(blank[start:end])
        for first, last in spans:
            masked[first - start:last - start] = " " * (last - first)
        if not spans or re.search(rf"[?$]{re.escape(name)}\b", "".join(masked)):
            continue  # no such filter, or ?name bound or tested elsewhere: the filter may matter
        for first, last in spans:  # spaces in its place: the positions found in ``blank`` stay true
            text = text[:first] + " " * (last - first) + text[last:]
            blank = blank[:first] + " " * (last - first) + blank[last:]
    return text


@functools.lru_cache(maxsize=None)
def _idle_filter(name: str):
    variable = rf"(?-i:[?$]{re.escape(name)})\b"  # keywords in any case, the variable as written
    return re.compile(rf"\bFILTER\s*\(\s*!\s*COALESCE\s*\(\s*sameTerm\s*\(\s*{variable}\s*,\s*{variable}\s*\)"
                      rf"\s*,\s*false\s*\)\s*\|\|", re.I)


GIVEN_RE = re.compile(r"^(?P<indent>[ \t]*)#given (?P<name>[A-Za-z_][A-Za-z0-9_]*):(?P<pattern>[^\n]*)$", re.M)


def given_lines(text: str, leading: dict) -> str:
    """A line ``#given NAME: PATTERN`` of a query becomes ``VALUES (?NAME) { (value) } PATTERN`` when the selective
    parameter NAME is given, and stays a comment when it is not (PATTERN may be left out: the lines after it).

    Oxigraph orders the patterns of each group by itself, without knowing what a VALUES block outside the group
    binds: the branches of a UNION start from their class (every statement) even when the parameter leads the
    query. A value bound inside the branch, next to a pattern that matches on it, starts the branch there
    (`timeline --param actor_iri` at 1M triples: 2.1 s -> 0.03 s; `said-about` 0.67 s -> 0.22 s). The pattern
    must not change the rows: the query restricts them to the parameter anyway (a FILTER, or the pattern after
    the line), the line only says where to begin, and a row it matches twice is one group (tests/test_queries.py
    compares the rows with and without the lines for every IRI of the seed article)."""
    if not leading or "#given " not in text:
        return text

    def line(match):
        name = match.group("name")
        if name not in leading:
            return match.group(0)
        block = sparqltext.values_block({name: leading[name]})
        return f"{match.group('indent')}{block} {match.group('pattern').strip()}"

    return GIVEN_RE.sub(line, text)


# -- formatting ----------------------------------------------------------------------------------
def curie(iri: str) -> str:
    for prefix, ns in _longest_first():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@functools.lru_cache(maxsize=1)
def _longest_first() -> tuple:
    return tuple(sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])))


def plain(term, as_list: bool = False, short: bool = False):
    if term is None:
        return [] if as_list else None
    if short and isinstance(term, URIRef):
        return curie(str(term))
    if as_list:
        return sorted(x for x in str(term).split(LIST_SEPARATOR) if x)
    if isinstance(term, Literal):
        datatype = term.datatype
        if datatype is not None:
            if datatype in INTEGER_TYPES:
                return int(term)
            if datatype == BOOLEAN:
                return term.toPython()
            if datatype in FLOAT_TYPES:
                return float(term)
    return str(term)


def records(result, lists=(), short: bool = False) -> list[dict]:
    return [{v: plain(row.get(v), v in lists, short) for v in result.variables} for row in result.rows]


def render(result, fmt: str, lists=()) -> str:
    if result.boolean is not None:
        return json.dumps(result.boolean) if fmt == "json" else ("yes" if result.boolean else "no")
    rows = records(result, lists, short=fmt == "table")
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False)
    cells = [[_cell(r[v]) for v in result.variables] for r in rows]
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows(cells)
        return out.getvalue().rstrip("\n")
    return _table(result.variables, cells)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def _table(headers: list[str], cells: list[list[str]], width: int = 60) -> str:
    def clip(text):
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[clip(c) for c in row] for row in cells]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    out = [line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)
