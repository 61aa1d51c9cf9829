"""Listings: the whole-store answers of the named queries that list everything, kept beside an embedded store and
brought up to date by each build, so that asking them again costs a read, not a query.

At a million triples ``statements`` (every quotation, 30,000 rows) takes about 6 s in Oxigraph, and ``timeline``,
``contradictions``, ``positions`` and ``text-anchor-violation`` 3-5 s each: the time goes into looking up some
fifteen triples per row, not into the storage (measured: the same data in memory is not faster). A query whose
header has lines

    # Listing: KEY PATH -> PREDICATES

is answered, when it is asked with no parameter on an embedded store, from its listing: its rows grouped by the
value of the variable KEY, which every row binds (a statement's article, a position's action, a timeline item, a
checked node, a doctrine, an offer). Each line says where the query reads: at the nodes PATH (a SPARQL property
path; ``self`` for the KEY value itself) reaches from a KEY value, the triples with one of PREDICATES (``*``: any
predicate the query names; the queries here never use a variable predicate). Together the lines must cover every
triple a row reads. The listing is exact, never an approximation:

* **Which store it answers for.** It records a *token*: a hash of the name of the published snapshot it was made
  from (graph/safety.py: every writer that closes the store publishes a new one, ``kg build`` or not) and of every
  graph's ``kg:inputHash``. A store whose token differs is asked the query itself; so is a store with
  ``gr:inferred`` (``kg build --reason``). The query's text is part of the record too: an edited ``.rq`` file is not
  answered from rows made by the old one.
* **What a build changes.** The first time a query is asked after a full build, the store answers it and the rows
  are kept (``kg query`` writes them; ``kg build --listings`` makes them in the build). A later build keeps the
  listing up to date (``Maintainer``): for each article graph it replaces or removes, it finds the triples the
  union of the graphs loses or gains (a triple another article also holds does not change), and for each line the
  KEY values from which PATH reaches the subject of such a triple with one of its PREDICATES: before the write for
  the triples lost, after it for those gained. The rows of those KEY values are asked again (the query with a
  VALUES block on KEY, or at its ``#given KEY:`` lines; a few milliseconds) and replace theirs. A build that rewrites
  many articles (over MAINTAIN_AT_MOST), or changes the ontology, drops the listings instead.
* **Crashes and readers.** The listings live in ``DIR/listings.sqlite`` (SQLite: each update is one transaction).
  The build asks the rows again before it closes the store and keeps them, with the token of the snapshot it has
  just published, after: a reader in between, or after a crash between the two, finds a token that is not its
  snapshot's and asks the query itself.

The rows come back in the query's ORDER BY, sorted here as graph/ordering.py sorts them (rows equal on every key
in the order they were kept). tests/test_listings.py checks on random sequences of builds that every listing gives
the rows the query gives, and that each was kept up to date by the build.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef

from . import ordering, sparqltext, terms
from .ns import INFERRED_GRAPH
from .rowtools import Memo, gc_paused
from .sparql_worker import decode as _decode

DB_FILE = "listings.sqlite"
MAINTAIN_AT_MOST = 200  # articles written or removed in one build; more, and the listings are dropped (made again
#                         when asked): asking a few hundred articles' rows again costs as much as the whole query
LISTING_RE = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<path>\S.*?)\s+->\s+(?P<reads>\S.*?)")
_PREFIX_RE = re.compile(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", re.I)
_PNAME_RE = re.compile(r"(?<![\w<?$])([A-Za-z][\w.-]*)?:([A-Za-z_][\w.-]*)")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ASK_ERRORS = (SyntaxError, ValueError, OSError, RuntimeError)  # what asking a listing's query can raise: not kept


@dataclass
class Spec:
    """What a query's ``# Listing:`` line says, and what follows from its text."""

    name: str
    key: str
    reads: tuple         # (PATH or "self", frozenset of predicate IRIs or None for every one the query names)
    text: str            # the text that runs with no parameter (graph/queries.py bound_text)
    plan: ordering.Plan  # the text without its ORDER BY, the sort keys, the columns added for them
    predicates: frozenset  # the IRIs the query names (rdf:type for `a`): only triples with these can matter
    prologue: str        # the query's PREFIX lines, for the path
    whole: ordering.Plan | None = None  # the query's whole-store form (queries/whole/NAME.rq), when it has one
    lists: frozenset = frozenset()  # the columns the query gathers into a list (`# Lists:`): kept sorted
    stale_form: str | None = None  # a note when its whole-store form was written for another text of the query

    @property
    def digest(self) -> str:
        """The same in every process (no set's iteration order in it: Python varies it from run to run)."""
        reads = [[path, sorted(read) if read is not None else "*"] for path, read in self.reads]
        state = [2, self.key, reads, self.text]  # 2: the format that keeps list columns sorted
        if self.whole is not None:
            state.append(self.whole.text)
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


def spec(query) -> Spec | None:
    """The listing of a named query (graph/queries.py NamedQuery), or None when it has none or it cannot be kept."""
    lines = [LISTING_RE.fullmatch(line) for line in query.listing]  # the header's lines (graph/queries.py)
    if not lines or None in lines or len({line.group("key") for line in lines}) != 1:
        return None
    key = lines[0].group("key")
    from .queries import bound_text

    text, _ = bound_text(query, {})
    plan = ordering.plan(text)
    if plan is None or not re.search(rf"[?$]{key}\b", text):
        return None
    prefixes = dict(_PREFIX_RE.findall(text))

    def expand(name: str) -> str | None:
        if name == "a":
            return RDF_TYPE
        if name.startswith("<") and name.endswith(">"):
            return name[1:-1]
        prefix, _, local = name.partition(":")
        return prefixes[prefix] + local if prefix in prefixes and local else None

    reads = []
    for line in lines:
        names = line.group("reads").split()
        if names == ["*"]:
            read = None
        else:
            read = frozenset(expand(name) for name in names)
            if None in read:
                return None
        reads.append((line.group("path"), read))
    # every IRI written out (not in a comment or a string), and every prefixed name, expanded
    predicates = {found.group()[1:-1] for found in sparqltext._LITERALS.finditer(text) if found.group()[:1] == "<"}
    for prefix, local in _PNAME_RE.findall(sparqltext.blank(text)):
        if prefix in prefixes:
            predicates.add(prefixes[prefix] + local)
    predicates.add(RDF_TYPE)
    prologue = "\n".join(f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items())
    whole, stale = whole_form(query, plan)
    return Spec(query.name, key, tuple(reads), text, plan, frozenset(predicates), prologue, whole,
                frozenset(query.lists), stale)


WHOLE_DIR = "whole"
# the line of a whole-store form naming the query text it was written for (sparqltext.fingerprint)
FORM_OF = re.compile(r"^# Form of: (\S+) ([0-9a-f]{16})[ \t\r]*$", re.MULTILINE)
_PROJECTION = re.compile(r"\bSELECT\b(.*?)\bWHERE\b", re.IGNORECASE | re.DOTALL)


def whole_form(query, plan: ordering.Plan) -> tuple[ordering.Plan | None, str | None]:
    """The plan of ``queries/whole/NAME.rq`` beside the query's file (or None): the same question written for the
    whole store, which a listing is made whole with (the query itself asks the rows of a few keys again, and answers
    a parameter); and a note when that form was written for another text of the query (the query itself then makes
    its listing), naming the line it carries once it is checked again (`kg build` shows it).

    Oxigraph joins a query's patterns by looking each up for every row found so far, which is what a parameter
    needs (one article: a few milliseconds) and costs about 10 microseconds a pattern a row over the whole store;
    written as sub-selects of one pattern each, each pattern is read once and hash-joined (statements at 1M
    triples: 6 s -> 1.8 s). How a column is made may differ: statements' list columns are aggregated per statement
    in sub-selects, where the query's GROUP BY of every column had Oxigraph spend 1.5 s on the lists.

    The form must give the query's rows. It is used only when its `# Form of: NAME.rq FINGERPRINT` line names the
    query's text as it is (sparqltext.fingerprint: after an edit of the query other than to a comment or its
    layout, the query itself makes the listing until the form is checked again and the line updated), and when it
    selects the query's variables in the query's order and has its ORDER BY; tests/test_listings.py compares the
    two on the seed article, a synthetic corpus and planted faults."""
    path = Path(query.path).parent / WHOLE_DIR / Path(query.path).name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, None
    line = form_line(query)
    if _stated(text) != line:  # its rows may no longer be the query's
        return None, (f"{path}: written for another text of {path.name}, so the query itself makes its listing "
                      f"(slower); once the form gives the query's rows again, its line is `{line}`")
    whole = ordering.plan(text)
    if whole is None or whole.keys != plan.keys or whole.hidden != plan.hidden:
        return None, None
    projection = _projected(plan.text)
    return (whole if projection and _projected(whole.text) == projection else None), None


def whole_text(query) -> str | None:
    """The whole text of the query's whole-store form (queries/whole/NAME.rq) when it answers for the query as
    written (``whole_form``), else None: what a store that keeps no listing (`memory:`, a SPARQL server, a store
    holding inferred triples) is asked when the query comes with no parameter. The same rows, in the same order
    (the same projection and ORDER BY), and on Oxigraph in a fraction of the time."""
    listing = spec(query)
    return listing.whole.source if listing is not None and listing.whole is not None else None


def form_line(query) -> str:
    """The `# Form of:` line a whole-store form of ``query`` carries for the query's text as it is now."""
    return f"# Form of: {Path(query.path).name} {sparqltext.fingerprint(query.text)}"


def _stated(text: str) -> str | None:
    """A whole-store form's `# Form of:` line, as form_line writes it (None when it has none)."""
    found = FORM_OF.search(text)
    return f"# Form of: {found.group(1)} {found.group(2)}" if found is not None else None


_PROJECTED = re.compile(r"\(|\)|\bAS\s+[?$](\w+)|[?$](\w+)", re.IGNORECASE)


def _projected(text: str) -> list[str] | None:
    """The variables a query's SELECT clause selects, in order: each `?v` and each `(... AS ?v)` (None when it has
    no SELECT clause, or its parentheses do not balance)."""
    found = _PROJECTION.search(sparqltext.blank(text))
    if found is None:
        return None
    names, depth = [], 0
    for token in _PROJECTED.finditer(found.group(1)):
        if token.group() == "(":
            depth += 1
        elif token.group() == ")":
            depth -= 1
            if depth < 0:
                return None
        elif token.group(1) is not None and depth == 1:
            names.append(token.group(1))
        elif token.group(2) is not None and depth == 0:
            names.append(token.group(2))
    return names if depth == 0 else None


def specs(named: dict) -> dict[str, Spec]:
    found = {}
    for name, query in named.items():
        listing = spec(query)
        if listing is not None:
            found[name] = listing
    return found


# -- the store side -------------------------------------------------------------------------------------------
def usable(store) -> bool:
    """Listings are kept for an embedded store on disk (not memory:, not a server)."""
    from .store import OxigraphStore

    return isinstance(store, OxigraphStore) and store.directory is not None


def token(store, snapshot: str | None = None, hashes: dict | None = None) -> str | None:
    """Names the store state a listing answers for: the published snapshot a reader opened (``snapshot`` for
    another: what a build is about to replace, or has just published) and every graph's kg:inputHash. None
    when there is no snapshot, or the store holds gr:inferred: then the store is always asked the query itself.

    The snapshot's name changes with every writer that closes the store (graph/safety.py), `kg build` or not, so
    a store changed behind the build's back is never answered from rows made before."""
    name = snapshot if snapshot is not None else getattr(store, "snapshot", None)
    if name is None or store.has_graph(INFERRED_GRAPH):
        return None
    return _token(name, store.input_hashes() if hashes is None else hashes)


def _token(name: str, hashes: dict) -> str:
    state = [name, sorted((str(graph), value) for graph, value in hashes.items())]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _encode(term):
    """A cell as one string (hashable, and quick to read back): I<iri>, S<string>, L<lang>@<text>, T<datatype> <text>."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return "I" + term.value
    if isinstance(term, ox.Literal):
        if term.language:
            return f"L{term.language}@{term.value}"
        if term.datatype.value == _XSD_STRING:
            return "S" + term.value
        return f"T{term.datatype.value} {term.value}"
    raise _Unlisted  # a blank node: Oxigraph orders it by an internal id, which a listing cannot keep


class _Unlisted(Exception):
    pass


def _to_ox(cell: str):
    """The pyoxigraph term of a cell (sort keys only: kg serve's worker reads its parts the same way)."""
    return _decode(cell_parts(cell))


def _to_rdflib(cell: str):
    """What graph/store.py from_ox makes of the same term. The cell is read here, not through ``cell_parts``: this
    runs for every distinct cell of an answer (70,000 in `statements` at 1M triples), and the parts' lists made
    reading it 8-10% slower."""
    kind, body = cell[0], cell[1:]
    if kind == "I":
        return terms.iri(body)
    if kind == "S":
        return terms.string(body)
    if kind == "L":
        language, _, value = body.partition("@")
        return terms.string(value, language)
    datatype, _, value = body.partition(" ")
    return Literal(value, datatype=URIRef(datatype), normalize=False)


def rows_by_key(store, listing: Spec, keys: list | None = None) -> tuple[list[str], dict[str, list]] | None:
    """The query's rows (unsorted, every column of its plan), grouped by the KEY value (N-Triples text); only the
    rows of ``keys`` (pyoxigraph terms) when given. None when a row holds a blank node or no KEY value.

    A list column (GROUP_CONCAT, `# Lists:`) is kept with its items sorted: SPARQL leaves their order open, and
    the query and its whole-store form concatenate them in different orders (every output sorts them anyway)."""
    if keys is not None:
        text = bind_keys(listing.plan.text, listing.key, keys)
    else:
        text = (listing.whole or listing.plan).text
    answer = store.raw_query(text)
    variables = [v.value for v in answer.variables]
    if listing.key not in variables:
        return None
    at = variables.index(listing.key)
    lists = [i for i, name in enumerate(variables) if name in listing.lists]
    grouped: dict[str, list] = {}
    try:
        for solution in answer:
            # a solution yields its values in the order of the variables: reading them by name cost as much again
            # as encoding them (statements at 1M triples: 0.55 s -> 0.2 s)
            row = [_encode(term) for term in solution]
            for i in lists:
                row[i] = _items_sorted(row[i])
            key = solution[at]
            if key is None:
                return None
            grouped.setdefault(str(key), []).append(row)
    except _Unlisted:
        return None
    return variables, grouped


def _items_sorted(cell: str | None) -> str | None:
    """A list column's cell (a string, or a string with a language) with its items in sorted order."""
    from .queries import LIST_SEPARATOR

    if cell is None or cell[0] not in "SL" or LIST_SEPARATOR not in cell:
        return cell
    head, _, body = cell.partition("@") if cell[0] == "L" else ("S", "", cell[1:])
    return head + ("@" if cell[0] == "L" else "") + LIST_SEPARATOR.join(sorted(body.split(LIST_SEPARATOR)))


def bind_keys(text: str, key: str, keys: list) -> str:
    """The query with KEY bound to ``keys`` (pyoxigraph terms) as graph/queries.py binds a selective parameter: at
    each ``#given KEY:`` line of the query (inside each branch of a UNION, where Oxigraph starts from it), or by a
    VALUES block opening the WHERE group."""
    from .queries import given_lines
    from .store import from_ox

    values = {key: [from_ox(k) for k in keys]}
    if f"#given {key}:" in text:
        return given_lines(text, values)
    return sparqltext.with_values(text, values, opening=True)


def affected(store, listing: Spec, triples: set) -> set:
    """The KEY values whose rows can read one of ``triples`` (pyoxigraph triples) in the store as it is now: for
    each ``# Listing: KEY PATH -> PREDICATES`` line, the triples with one of its predicates (``*``: any the query
    names) whose subject PATH reaches from a KEY value (``self``: the KEY value itself)."""
    found = set()
    for path, read in listing.reads:
        subjects = sorted({t.subject for t in triples if t.predicate.value in (read or listing.predicates)}, key=str)
        if path == "self":
            found.update(subjects)
            continue
        if any(not isinstance(subject, ox.NamedNode) for subject in subjects):
            raise _Unlisted  # a blank node cannot be written in a VALUES block: the listing is dropped
        for start in range(0, len(subjects), 500):
            values = " ".join(str(s) for s in subjects[start:start + 500])
            text = f"{listing.prologue}\nSELECT DISTINCT ?key WHERE {{ VALUES ?node {{ {values} }} ?key {path} ?node }}"
            found.update(solution["key"] for solution in store.raw_query(text))
    return found


def sorted_rows(listing: Spec, variables: list[str], rows: list[list]) -> tuple[list[str], list[list]] | None:
    """Listed rows as the query answers them: sorted by its ORDER BY, without the sort-only columns; (the column
    names, the rows of cells), or None when they cannot be sorted exactly."""
    plan = listing.plan
    key_columns = [variables.index(name) for name, _ in plan.keys]
    as_ox = Memo(_to_ox)
    keyed = [[as_ox[row[column]] for column in key_columns] + [index] for index, row in enumerate(rows)]
    if not ordering.sort_rows(keyed, [(position, desc) for position, (_, desc) in enumerate(plan.keys)]):
        return None
    shown = [i for i, name in enumerate(variables) if name not in plan.hidden]
    return [variables[i] for i in shown], [[rows[cells[-1]][i] for i in shown] for cells in keyed]


def cell_parts(cell: str | None) -> list | None:
    """A cell as ``["uri", iri]`` or ``["literal", lexical form, datatype IRI, language or None]`` (kg serve's
    worker answers so: graph/sparql_worker.py), as Oxigraph gives the term."""
    if cell is None:
        return None
    kind, body = cell[0], cell[1:]
    if kind == "I":
        return ["uri", body]
    if kind == "S":
        return ["literal", body, _XSD_STRING, None]
    if kind == "L":
        language, _, value = body.partition("@")
        return ["literal", value, _RDF_LANGSTRING, language]
    datatype, _, value = body.partition(" ")
    return ["literal", value, datatype, None]


# -- the file ---------------------------------------------------------------------------------------------------
def encoded(grouped: dict[str, list]) -> list[tuple[str, str]]:
    """Rows by key as the file keeps them: (key, JSON text of its rows), in key order."""
    return [(key, json.dumps(rows, ensure_ascii=False, separators=(",", ":"))) for key, rows in sorted(grouped.items())]


class Database:
    """DIR/listings.sqlite: per query its token, text digest and columns; per (query, KEY value) its rows."""

    def __init__(self, directory: Path):
        self.path = Path(directory) / DB_FILE

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if not create and not self.path.exists():
            return None
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a crash of the process
        connection.execute("CREATE TABLE IF NOT EXISTS listing (name TEXT PRIMARY KEY, token TEXT NOT NULL, "
                           "digest TEXT NOT NULL, variables TEXT NOT NULL)")
        connection.execute("CREATE TABLE IF NOT EXISTS part (name TEXT NOT NULL, key TEXT NOT NULL, "
                           "rows TEXT NOT NULL, PRIMARY KEY (name, key))")
        connection.execute("CREATE TABLE IF NOT EXISTS cost (name TEXT PRIMARY KEY, seconds REAL NOT NULL)")
        return connection

    @contextlib.contextmanager
    def _session(self, create: bool):
        """An open connection (None when the file is not there and ``create`` is false, or cannot be opened)."""
        try:
            connection = self._connect(create)
        except sqlite3.Error:
            connection = None
        try:
            yield connection
        finally:
            if connection is not None:
                connection.close()

    def read(self, listing: Spec, current: str) -> tuple[list[str], list[list]] | None:
        """The variables and rows kept for the query when they answer for the store whose token is ``current``."""
        with self._session(create=False) as connection:
            if connection is None:
                return None
            try:
                connection.execute("BEGIN")
                head = connection.execute("SELECT token, digest, variables FROM listing WHERE name = ?",
                                          (listing.name,)).fetchone()
                if head is None or head[0] != current or head[1] != listing.digest:
                    return None
                rows = []
                for (text,) in connection.execute("SELECT rows FROM part WHERE name = ?", (listing.name,)):
                    rows.extend(json.loads(text))
                return json.loads(head[2]), rows
            except sqlite3.Error:
                return None

    def _head(self, listing: Spec) -> tuple | None:
        """(token, digest, variables) kept for the query, or None."""
        with self._session(create=False) as connection:
            if connection is None:
                return None
            try:
                return connection.execute("SELECT token, digest, variables FROM listing WHERE name = ?",
                                          (listing.name,)).fetchone()
            except sqlite3.Error:
                return None

    def state(self, listing: Spec) -> str | None:
        """The token the query's listing answers for (None: none kept, or kept by another text of the query)."""
        head = self._head(listing)
        return head[0] if head is not None and head[1] == listing.digest else None

    def variables(self, listing: Spec) -> list[str] | None:
        head = self._head(listing)
        return json.loads(head[2]) if head is not None else None

    def costs(self) -> dict[str, float]:
        """The seconds each listing took when it was last made whole (for the order `kg build --listings` makes
        them in: it does not change what they hold)."""
        with self._session(create=False) as connection:
            if connection is None:
                return {}
            try:
                return dict(connection.execute("SELECT name, seconds FROM cost"))
            except sqlite3.Error:
                return {}

    def write(self, listing: Spec, token_value: str, variables: list[str], parts: list[tuple[str, str]],
              replace_keys=None, expected: str | None = None, seconds: float | None = None) -> bool:
        """Keep rows (``encoded``): all of the query's (``replace_keys`` None; ``seconds``: the time they took), or
        replace those of ``replace_keys`` (when the kept listing answers for ``expected``). One transaction; False
        when the file cannot be written."""
        with self._session(create=True) as connection:
            if connection is None:
                return False
            try:
                connection.execute("BEGIN IMMEDIATE")
                if replace_keys is None:
                    connection.execute("DELETE FROM part WHERE name = ?", (listing.name,))
                else:
                    head = connection.execute("SELECT token, digest FROM listing WHERE name = ?",
                                              (listing.name,)).fetchone()
                    if head is None or head[0] != expected or head[1] != listing.digest:
                        connection.execute("ROLLBACK")
                        return False
                    connection.executemany("DELETE FROM part WHERE name = ? AND key = ?",
                                           [(listing.name, key) for key in sorted(replace_keys)])
                connection.executemany("INSERT OR REPLACE INTO part (name, key, rows) VALUES (?, ?, ?)",
                                       [(listing.name, key, text) for key, text in parts])
                connection.execute("INSERT OR REPLACE INTO listing (name, token, digest, variables) "
                                   "VALUES (?, ?, ?, ?)", (listing.name, token_value, listing.digest,
                                                           json.dumps(variables)))
                if seconds is not None:
                    connection.execute("INSERT OR REPLACE INTO cost (name, seconds) VALUES (?, ?)",
                                       (listing.name, seconds))
                connection.execute("COMMIT")
                return True
            except sqlite3.Error:
                try:
                    connection.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                return False

    def drop(self, names=None) -> None:
        """Forget the listings of ``names`` (all when None)."""
        with self._session(create=False) as connection:
            if connection is None:
                return
            try:
                connection.execute("BEGIN IMMEDIATE")
                if names is None:
                    connection.execute("DELETE FROM part")
                    connection.execute("DELETE FROM listing")
                else:
                    for name in names:
                        connection.execute("DELETE FROM part WHERE name = ?", (name,))
                        connection.execute("DELETE FROM listing WHERE name = ?", (name,))
                connection.execute("COMMIT")
            except sqlite3.Error:
                pass


# -- asking ---------------------------------------------------------------------------------------------------
@gc_paused()  # rows by the ten thousand (graph/rowtools.py)
def listed_rows(store, query) -> tuple[list[str], list[list]] | None:
    """The answer of ``query`` asked with no parameter, from its listing (made now, from the store, when none
    answers for this store), as ``sorted_rows`` gives it; None when it has no listing or this store keeps none."""
    if not usable(store):  # before the query's spec: execute() asks a store that keeps none for its whole form
        return None
    listing = spec(query)
    if listing is None:
        return None
    current = token(store)
    if current is None:
        return None
    database = Database(store.directory)
    kept = database.read(listing, current)
    if kept is not None:
        shown = sorted_rows(listing, *kept)
        if shown is not None:
            return shown
    started = time.perf_counter()
    try:
        made = rows_by_key(store, listing)
    except ASK_ERRORS:
        return None  # the query as written says what is wrong with it
    if made is None:
        return None
    variables, grouped = made
    seconds = time.perf_counter() - started
    shown = sorted_rows(listing, variables, [row for rows in grouped.values() for row in rows])
    if shown is not None:
        database.write(listing, current, variables, encoded(grouped), seconds=seconds)
    return shown


@gc_paused()
def listed_answer(store, query):
    """``listed_rows`` as a graph.store.Result (rdflib terms, each distinct cell converted once), or None."""
    from .store import Result

    shown = listed_rows(store, query)
    if shown is None:
        return None
    names, rows = shown
    convert = Memo(_to_rdflib).__getitem__
    return Result(names, [dict(zip(names, map(convert, row))) for row in rows])


# -- building -------------------------------------------------------------------------------------------------
def share(order: list, run, count: int, meanwhile=None) -> list:
    """``[run(item) for item in order]``, the items taken in ``order`` by ``count`` threads. With ``meanwhile``: it
    is called on this thread first, while one thread takes the items from the end of ``order`` (longest first: the
    shortest); when it returns, the other threads start and every thread takes from the front. A first build of 1M
    triples compacts its store (1.5-3.5 s, one core) while the short listings are made on the other core."""
    if meanwhile is None and count == 1:
        return [run(item) for item in order]
    queue = collections.deque(range(len(order)))
    results: list = [None] * len(order)
    lock = threading.Lock()
    busy = threading.Event()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                at = queue.pop() if busy.is_set() else queue.popleft()
            try:
                results[at] = run(order[at])
            except BaseException:
                with lock:
                    queue.clear()  # no other item is started: the error is raised once the others end
                raise

    with ThreadPoolExecutor(max_workers=max(1, count)) as pool:
        started = []
        if meanwhile is not None:
            busy.set()
            started.append(pool.submit(work))
            try:
                meanwhile()
            except BaseException:
                with lock:
                    queue.clear()  # the early thread finishes the item it has, then stops
                raise
            finally:
                busy.clear()
        started.extend(pool.submit(work) for _ in range(max(1, count) - len(started)))
        for future in started:
            future.result()
    return results


class Maintainer:
    """Keeps the listings of a store up to date through one build (see the module's docstring): ``replace`` each
    article graph through it, ``finish`` (before the store closes: the rows asked again), then ``commit`` with the
    snapshot the store published when it closed."""

    def __init__(self, store, named: dict, hashes: dict | None = None):
        """``hashes``: every graph's kg:inputHash as the build read them before writing (read again otherwise)."""
        from .safety import current_snapshot

        self.store = store
        self.active: dict[str, Spec] = {}
        self.keys: dict[str, set] = {}
        self.pending: list = []
        self.broken: set[str] = set()
        self.database = None
        self.hashes = None
        self.after_hashes = None  # finish(): every graph's kg:inputHash once the build has written
        self.inferred = True      # finish(): the store holds gr:inferred (then no listing is kept)
        self.all: dict[str, Spec] = specs(named)  # every listed query (the build also names their stale forms)
        if not usable(store) or store.read_only:
            return
        self.database = Database(store.directory)
        published = current_snapshot(store.directory)
        self.hashes = dict(hashes) if hashes is not None else None
        self.before_token = token(store, snapshot=published.name, hashes=self.hashes) if published is not None \
            else None
        if self.before_token is None:
            return
        for name, listing in self.all.items():
            if self.database.state(listing) == self.before_token:
                self.active[name] = listing
                self.keys[name] = set()

    def drop(self) -> None:
        """Forget every listing (a build that rewrites too much, or changes the ontology)."""
        if self.database is not None:
            self.database.drop()
        self.active.clear()

    def _union_losses(self, graph: ox.NamedNode, old: set, new: set) -> set:
        lost = set()
        for triple in old - new:
            for quad in self.store.store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None):
                if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name != graph:
                    break
            else:
                lost.add(triple)
        return lost

    def _union_gains(self, old: set, new: set) -> set:
        default = ox.DefaultGraph()
        if self.store.deduplicated:
            return {t for t in new - old if ox.Quad(t.subject, t.predicate, t.object, default) not in self.store.store}
        return {t for t in new - old
                if not any(isinstance(q.graph_name, ox.NamedNode)
                           for q in self.store.store.quads_for_pattern(t.subject, t.predicate, t.object, None))}

    def _note(self, triples: set) -> None:
        for name, listing in list(self.active.items()):
            try:
                self.keys[name] |= affected(self.store, listing, triples)
            except (_Unlisted, *ASK_ERRORS):
                self.broken.add(name)  # not kept up to date: dropped when the build commits

    def replace(self, graph_name, data: str | None, digest: str | None = None) -> None:
        """Replace (``data``: N-Triples, whose kg:inputHash is ``digest``) or remove (None) an article graph, noting
        the KEY values it changes."""
        graph = ox.NamedNode(str(graph_name))
        if self.hashes is not None:
            if data is None:
                self.hashes.pop(URIRef(str(graph_name)), None)
            elif digest is None:
                self.hashes = None  # not known: read them all again when finishing
            else:
                self.hashes[URIRef(str(graph_name))] = digest
        if not self.active:
            if data is None:
                self.store.remove_graph(graph_name)
            else:
                self.store.replace_graph(graph_name, data)
            return
        old = {ox.Triple(q.subject, q.predicate, q.object)
               for q in self.store.store.quads_for_pattern(None, None, None, graph)}
        new = set()
        if data is not None:
            # read back through a store: Oxigraph keeps some literals in another form than written (an
            # xsd:nonNegativeInteger comes back an xsd:integer), and the triples must compare as the store has them
            scratch = ox.Store()
            scratch.load(data.encode("utf-8"), ox.RdfFormat.N_TRIPLES)
            new = {ox.Triple(q.subject, q.predicate, q.object) for q in scratch}
        self._note(self._union_losses(graph, old, new))
        gains = self._union_gains(old, new)
        if data is None:
            self.store.remove_graph(graph_name)
        else:
            self.store.replace_graph(graph_name, data)
        self._note(gains)

    def finish(self, make_all: bool = False, workers: int | None = None, meanwhile=None) -> None:
        """Ask again the rows of every KEY value noted (``make_all``: make every listing whole, kept or not), to
        be kept by ``commit``. The store must not change after this (a compaction does not change it).

        The listings are asked on ``workers`` threads (default: one per core): pyoxigraph lets go of Python while
        it evaluates, so two cores make the six whole listings at a million triples in about half the time (22 s
        on one, 11 s on two, measured before the whole-store forms). The longest first, by the time each took when
        last made whole. When that is not known for each (a store whose listings were never made whole) and
        ``workers`` is not given, every listing gets a thread of its own and the cores are shared among them: in
        name order on one thread per core, the longest could be left running alone on one core at the end (1M
        triples, two cores, three runs each: 7.8-9.4 s in name order, 7.5-8.4 s all at once, 7.5-7.8 s longest
        first; about 150 MB more memory at once).

        ``meanwhile``: work for one core (a first build's compaction) called on this thread once the listings have
        started; until it returns, one thread asks the shortest listings, on the core it leaves idle (``share``)."""
        if self.database is not None:
            # the hashes followed through replace() stand only when every write went through it (listings kept)
            self.after_hashes = self.hashes if self.hashes is not None and self.active \
                else self.store.input_hashes()
            self.inferred = self.store.has_graph(INFERRED_GRAPH)
        # none asked when the store keeps no listings (``inferred`` stays true) or holds inferred triples; ``share``
        # still calls ``meanwhile``
        chosen = {} if self.inferred else self.all if make_all else {
            name: listing for name, listing in self.active.items() if name not in self.broken}
        costs = self.database.costs() if make_all and chosen else {}
        order = sorted(chosen, key=lambda name: (-costs.get(name, 0.0), name))
        if workers is None and make_all and not all(name in costs for name in order):
            count = len(order)
        else:
            count = max(1, min(len(order), workers or os.cpu_count() or 1))
        made = share(order, lambda name: self._make(chosen[name], make_all), count, meanwhile)
        self.pending.extend(sorted((entry for entry in made if entry is not None), key=lambda entry: entry[0].name))

    def _make(self, listing: Spec, whole: bool):
        """One listing's pending entry (listing, variables, rows by key ``encoded``, keys replaced or None for all,
        seconds it took when made whole), or None when its rows cannot be asked (then ``commit`` drops it if it was
        kept)."""
        if whole:
            started = time.perf_counter()
            try:
                made = rows_by_key(self.store, listing)
            except ASK_ERRORS:
                return None
            if made is None:
                return None
            # the rows' JSON made here, beside the other listings being asked, not after the store has closed
            # (``commit``: 1M triples, 0.7 s of its 1.35 s)
            return listing, made[0], encoded(made[1]), None, time.perf_counter() - started
        keys = sorted(self.keys[listing.name], key=str)
        grouped: dict[str, list] = {}
        variables = None
        for start in range(0, len(keys), 500):
            try:
                made = rows_by_key(self.store, listing, keys[start:start + 500])
            except ASK_ERRORS:
                return None
            if made is None:
                return None
            variables = made[0]
            grouped.update(made[1])
        if variables is None:  # nothing to ask again: the same rows answer for the new store
            variables = self.database.variables(listing) or []
        return listing, variables, encoded(grouped), {str(k) for k in keys}, None

    def commit(self, published) -> None:
        """Keep what ``finish`` made, for the snapshot the store published (its path; None: nothing published)."""
        if self.database is None:
            return
        if published is None or self.inferred:
            if self.active:
                self.database.drop(list(self.active))
            return
        after = _token(Path(published).name, self.after_hashes)
        kept = set()
        for listing, variables, parts, keys, seconds in self.pending:
            if keys is None:
                self.database.write(listing, after, variables, parts, seconds=seconds)
            else:
                self.database.write(listing, after, variables, parts, replace_keys=keys,
                                    expected=self.before_token)
            kept.add(listing.name)
        stale = [name for name in self.active if name not in kept]
        if stale:
            self.database.drop(stale)
