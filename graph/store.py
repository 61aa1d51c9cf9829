"""Where the graph lives: Oxigraph on disk (the default), Oxigraph in memory, or a SPARQL 1.1 endpoint.

Every command talks to a store through one interface, whatever the kind (``open_store(spec)`` picks it):

    kind / location / directory       "oxigraph" (DIR), "memory" (memory:) or "remote" (http(s)://...);
                                      the folder for graph.trig and graph.html, or None
    query(sparql, bindings)           SELECT / ASK / CONSTRUCT over the union of the project's graphs -> Result
                                      (bindings are RDF terms, never pasted into the text by the caller)
    graphs()                          the project's named graphs
    input_hashes()                    {graph: kg:inputHash} for every graph that carries one (one lookup)
    input_hash(graph, subject)        one of them
    replace_graph(name, graph)        swap one named graph's content atomically (rdflib Graph or N-Triples text)
    replace_graphs(items, done)       the same for many, each atomic
    remove_graph(name)                drop one
    triple_count()                    triples in the store
    flush() / close()

rdflib graphs come in, query rows go out as rdflib terms. The remote kind lives in graph/remote.py.

**The default graph is the set union of the named graphs.** Oxigraph's union default graph
(``use_default_graph_as_union=True``) is a bag: one solution per named graph that holds a triple, and every
article graph repeats the label and type of each actor it mentions, so a popular actor's label matched hundreds
of times and joins on labels grew into millions of rows at 1M triples. So an Oxigraph store keeps its real
default graph equal, at all times, to the *set* union of its named graphs (the articles, the ontology,
gr:inferred), and is queried with ``use_default_graph_as_union=False``: each ``replace_graph``/``remove_graph``
adds the new triples to the default graph and removes the old ones no other named graph still holds, in the same
transaction as the graph itself. ``GRAPH ?g`` patterns still see each named graph as it is.

A store in this layout holds the empty named graph ``LAYOUT_GRAPH`` (safety.LAYOUT_GRAPH: no triples, so no
``GRAPH ?g { ... }`` pattern matches it; ``graphs()`` and graph.trig leave it out). A store built before has
an empty default graph and no marker: opening it for writing fills the default graph from the named graphs once;
a read-only open of such a store queries the union default graph as before. A first build into a store with no
graphs yet takes pyoxigraph's bulk loader (``BULK_FROM`` articles or more): not transactional, so a marker file
``DIR/.kg-bulk-write`` is written first and removed when the load is on disk; a build killed in between leaves the
marker, and the next write open empties the store so that build writes every article again (readers keep the
last published snapshot meanwhile, graph/safety.py).

``triple_count()`` (the build's summary) counts about 1M triples in 0.8 s, too slow for a one-article build: a
writer that closes leaves the count in ``DIR/.kg-triple-count``; the next write open takes it and removes the
file (so a writer killed after that leaves none), adds each graph's change in size as it writes, and counts the
whole store again only after a bulk load or reasoning. Writes made to ``.store`` directly are not counted.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import ordering, safety, terms
from .rowtools import Memo, gc_paused
from .errors import InputError, KgError
from .ns import KG, PREFIXES

STORE_SUBDIR = "store"
TRIG_FILE = "graph.trig"
LAYOUT_GRAPH = URIRef(safety.LAYOUT_GRAPH)
BULK_MARKER = ".kg-bulk-write"
COUNT_FILE = ".kg-triple-count"  # triple_count() as the last writer closed the store; removed by each write open
#: a build writing at least this many graphs into a store with no graphs takes the bulk loader (KG_BULK_FROM)
BULK_FROM = int(os.environ.get("KG_BULK_FROM", "20"))
BULK_CHUNK = int(os.environ.get("KG_BULK_CHUNK", "200000"))  # quads per call of the bulk loader
_LAYOUT = ox.NamedNode(safety.LAYOUT_GRAPH)
_DEFAULT = ox.DefaultGraph()


class QueryError(KgError):
    """A query that cannot run: bad syntax (exit 2) or a failure of the store."""

    exit_code = 2


# -- term conversion ---------------------------------------------------------------------------------
def _literal(term: Literal):
    if term.language:
        return ox.Literal(term, language=term.language)
    if term.datatype:
        return ox.Literal(term, datatype=ox.NamedNode(term.datatype))
    return ox.Literal(term)


# rdflib's terms are strings and are handed over as they are (a copy made with str() for each cost a third of
# the time: a build converts every triple it writes)
_CONVERT = {URIRef: ox.NamedNode, Literal: _literal, BNode: ox.BlankNode}


def to_ox(term: Node):
    """The pyoxigraph term of an rdflib term, found by its exact class first."""
    convert = _CONVERT.get(type(term))
    return convert(term) if convert is not None else _to_ox(term)


def _to_ox(term: Node):
    """Any term, a subclass of the three included (rdflib.term.RDFLibGenid is an IRI)."""
    for cls, convert in _CONVERT.items():
        if isinstance(term, cls):
            return convert(term)
    raise TypeError(f"cannot convert {term!r}")


def from_ox(term) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return terms.iri(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return terms.string(term.value, term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return terms.string(term.value)
        # the lexical form as stored: rdflib's normalising would drop a date's time zone ("2025-02-05Z")
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"cannot convert {term!r}")


def ntriples(graph: Graph) -> str:
    """The triples of an rdflib graph as N-Triples lines (Oxigraph writes the terms, so escaping is exact).

    An IRI is written once per call and its text reused (an article's subjects and predicates repeat: 1.2 ms ->
    0.7 ms an article); only IRIs: a URIRef equals nothing but the same IRI, while rdflib's equality of literals
    is its own (a language tag compared without case), not the written form's."""
    iris: dict = {}

    def text(term) -> str:
        if type(term) is URIRef:
            found = iris.get(term)
            if found is None:
                found = iris[term] = str(ox.NamedNode(term))
            return found
        return str(to_ox(term))

    return "\n".join(f"{text(s)} {text(p)} {text(o)} ." for s, p, o in graph)


def quads_of(graph: Graph, graph_name: URIRef) -> Iterator[ox.Quad]:
    g = ox.NamedNode(str(graph_name))
    for s, p, o in graph:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)


class Result:
    """Rows of a SELECT (variables + list of dicts of rdflib terms), or the boolean of an ASK."""

    def __init__(self, variables: list[str], rows: list[dict], boolean: bool | None = None):
        self.variables, self.rows, self.boolean = variables, rows, boolean

    def __len__(self):
        return len(self.rows)


# -- Oxigraph ----------------------------------------------------------------------------------------
_MEMORY: dict[str, ox.Store] = {}


class OxigraphStore:
    """An Oxigraph store: on disk in ``DIR/store`` (with ``DIR/graph.trig`` beside it), or in memory."""

    kind = "oxigraph"

    def __init__(self, directory: Path | None, read_only: bool = False):
        self.directory = Path(directory) if directory is not None else None
        self.read_only = read_only
        self.snapshot = None   # the name of the published snapshot a reader opened (graph/listings.py tokens)
        self.published = None  # the snapshot a writer published when it closed
        if self.directory is None:
            self.store = _MEMORY.setdefault("memory:", ox.Store())
            self.location = "memory:"
            self.kind = "memory"
            self._open_layout()
            return
        path = self.directory / STORE_SUBDIR
        self.location = str(self.directory)
        self.lock = None
        try:
            if read_only:
                if not path.is_dir():
                    raise InputError(f"{self.directory}: no graph has been built here yet; run `kg build --store {self.directory}`")
                # the last published snapshot: never the live store, which a build may be writing (graph/safety.py)
                self.store, self.snapshot = safety.open_snapshot(self.directory)
            else:
                self.created = not path.is_dir(), not self.directory.exists()  # (the store, its folder)
                self.lock = safety.WriterLock(self.directory)  # one writer at a time; a second one waits, then stops
                path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(path))
                safety.crash_point("store-opened")
                self._recover_bulk_write()
                self._open_layout()
                self._take_count()
        except OSError as exc:
            if self.lock is not None:
                self.lock.release()
            message = str(exc)
            if "lock" in message.lower():
                raise KgError(f"{path}: the store is in use by another kg process (a build or a server); "
                              "wait for it to finish or stop it, then try again") from None
            raise KgError(f"{path}: cannot open the store: {message}") from None

    @classmethod
    def wrap(cls, store: ox.Store, directory, snapshot: str | None) -> "OxigraphStore":
        """A read-only view of a snapshot another reader opened (`kg serve`'s workers), for graph/listings.py."""
        view = cls.__new__(cls)
        view.directory, view.read_only, view.snapshot, view.published = Path(directory), True, snapshot, None
        view.store, view.location, view.lock = store, str(directory), None
        return view

    # the layout
    @property
    def deduplicated(self) -> bool:
        """The default graph is maintained as the set union of the named graphs (the store holds LAYOUT_GRAPH)."""
        return self.store.contains_named_graph(_LAYOUT)

    def _open_layout(self) -> None:
        """A write open: upgrade a store built before now; an empty store is marked at its first write through
        this interface (so data a tool or test loads into ``.store`` directly is still read as before)."""
        empty = next(iter(self.store.named_graphs()), None) is None \
            and next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None
        self._pending_upgrade = empty
        if not empty:
            self.upgrade()

    def _before_write(self) -> None:
        if getattr(self, "_pending_upgrade", False):
            self._pending_upgrade = False
            self.upgrade()

    def upgrade(self) -> None:
        """Make the default graph the set union of the named graphs, once (a store built before, or a new one)."""
        if self.read_only or self.deduplicated:
            return
        self.store.update(f"CLEAR SILENT DEFAULT ;\nINSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} ;\n"
                          f"CREATE SILENT GRAPH <{LAYOUT_GRAPH}>")

    def _take_count(self) -> None:
        """The triple count the last writer left, if no writer touched the store since; removed now, so a writer
        killed from here on leaves none (the next one counts again)."""
        path = self.directory / COUNT_FILE
        try:
            self._base_count = int(path.read_text(encoding="ascii").split()[0])
        except (OSError, ValueError, IndexError):
            self._base_count = None
        path.unlink(missing_ok=True)
        self._count_delta = 0

    def _counted(self, graph_name: URIRef) -> int:
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_name))))

    def _changed(self, graph_name: URIRef, before: int | None) -> None:
        """Keep triple_count() known without counting a million triples: the graph's size now less before."""
        if getattr(self, "_base_count", None) is None:
            return
        if before is None:
            self._base_count = None
        else:
            self._count_delta += self._counted(graph_name) - before

    def forget_count(self) -> None:
        """Something wrote behind replace_graph/remove_graph (gr:inferred): count again when asked."""
        self._base_count = None

    def _recover_bulk_write(self) -> None:
        """A first build killed during its bulk load left part of the articles: empty the store, so this build
        writes every article again (its input hashes are gone with them)."""
        if self.bulk_marker.exists():
            self._empty_after_bulk()

    @property
    def bulk_marker(self) -> Path | None:
        """The file that stands while a first build's bulk load is unfinished (None for a store in memory)."""
        return self.directory / BULK_MARKER if self.directory is not None else None

    def _empty_after_bulk(self) -> None:
        """Empty the store a bulk load left unfinished, then remove its marker (a write open finding it, or a
        first build abandoning its load); the layout marker is laid again at the next write."""
        self.store.clear()
        self._pending_upgrade = True
        if self.directory is not None:
            self.store.flush()
            self.bulk_marker.unlink(missing_ok=True)

    # reading
    def query(self, sparql: str, bindings: dict[str, Node] | None = None, union: bool = True) -> Result:
        """``union``: the default graph is the union of the named graphs (the set kept in the default graph, or
        Oxigraph's union for a store built before); False: the store's own default graph."""
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()} or None

        def run(text):
            return self.raw_query(text, union, substitutions)

        # a final ORDER BY of variables is done in Python (graph/ordering.py), or the query runs as written
        order = ordering.plan(sparql)
        if order is not None:
            try:
                result = self._result(run(order.text), order)
            except (SyntaxError, OSError, ValueError, RuntimeError):
                result = None  # the query as written says what is wrong with it
            if result is not None:
                return result
        try:
            answer = run(sparql)
        except SyntaxError as exc:
            raise QueryError(f"the query is not valid SPARQL: {exc}") from None
        except OSError as exc:
            raise QueryError(f"the store failed to answer: {exc}") from None
        return self._result(answer)

    def raw_query(self, sparql: str, union: bool = True, substitutions: dict | None = None):
        """pyoxigraph's own answer (its terms, unconverted), over the same default graph as ``query``."""
        return self.store.query(sparql, use_default_graph_as_union=union and not self.deduplicated,
                                substitutions=substitutions)

    @staticmethod
    @gc_paused()  # the rows are made as the query runs: no collection walks them meanwhile (graph/rowtools.py)
    def _result(answer, order: "ordering.Plan | None" = None) -> "Result | None":
        """The rows of an answer as rdflib terms; with ``order``, sorted by its keys (None when they cannot be)."""
        if isinstance(answer, ox.QueryBoolean):
            return Result([], [], bool(answer))
        # each distinct term converted once per answer (conversion of `statements` on 200k triples 266 ms -> 53 ms)
        term = Memo(from_ox).__getitem__

        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            # a solution yields its values in the order of the variables (by name, reading them cost as much again)
            if order is None:
                return Result(variables, [dict(zip(variables, map(term, solution))) for solution in answer])
            cells = [list(solution) for solution in answer]
            if not ordering.sort_rows(cells, [(variables.index(name), desc) for name, desc in order.keys]):
                return None
            shown = [(i, name) for i, name in enumerate(variables) if name not in order.hidden]
            return Result([name for _, name in shown], [{name: term(row[i]) for i, name in shown} for row in cells])
        # CONSTRUCT / DESCRIBE
        rows = [{"s": term(t.subject), "p": term(t.predicate), "o": term(t.object)} for t in answer]
        return Result(["s", "p", "o"], rows)

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.store.named_graphs()
                      if isinstance(g, ox.NamedNode) and g != _LAYOUT)

    def has_graph(self, graph_name: URIRef) -> bool:
        return self.store.contains_named_graph(ox.NamedNode(str(graph_name)))

    def input_hash(self, graph_name: URIRef, article: URIRef) -> str | None:
        for quad in self.store.quads_for_pattern(to_ox(article), to_ox(KG.inputHash), None, to_ox(graph_name)):
            return quad.object.value
        return None

    def input_hashes(self) -> dict[URIRef, str]:
        """Every graph that carries a ``kg:inputHash`` (each article graph and the ontology graph), by name.

        One index lookup, however big the store: this is how a build finds what changed and what to prune.
        """
        found = {}
        for quad in self.store.quads_for_pattern(None, to_ox(KG.inputHash), None, None):
            if isinstance(quad.graph_name, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                found[URIRef(quad.graph_name.value)] = quad.object.value
        return found

    def triple_count(self) -> int:
        """Triples in the named graphs (a triple held by two graphs counts twice; the default graph, their set
        union, not at all). Counting them takes about 0.8 s at 1M triples, so a writer that found the count the
        last writer left (COUNT_FILE) adds what it changed instead."""
        if not self.deduplicated:
            return len(self.store)
        if getattr(self, "_base_count", None) is not None:
            return self._base_count + self._count_delta
        answer = self.store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        count = int(next(iter(answer))["n"].value)
        if getattr(self, "_count_delta", None) is not None and not self.read_only:
            self._base_count, self._count_delta = count, 0
        return count

    # writing
    def replace_graph(self, graph_name: URIRef, graph: Graph | str) -> None:
        """Swap one named graph's content in a single transaction: readers see the old or the new graph.

        ``graph`` is an rdflib graph or its triples as N-Triples text (what the parallel build hands over). The
        default graph (the set union of the named graphs) changes in the same transaction.
        """
        self._before_write()
        data = graph if isinstance(graph, str) else ntriples(graph)
        name = f"<{graph_name}>"
        if not self.deduplicated:  # a store built before, opened by a test or tool without upgrade()
            self.store.update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{data}\n}} }}")
            self.forget_count()
        elif self.has_graph(graph_name):
            before = self._counted(graph_name)
            self.store.update(f"{_remove_from_union(name)} ;\nDROP SILENT GRAPH {name} ;\n"
                              f"INSERT DATA {{ GRAPH {name} {{\n{data}\n}} }} ;\n"
                              f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
            self._changed(graph_name, before)
        else:  # a new graph: its triples into it and into the default graph, one transaction
            self.store.load(_nquads(name, data), ox.RdfFormat.N_QUADS)
            self._changed(graph_name, 0)
        safety.crash_point("graph-replaced")

    def replace_graphs(self, items: Iterable[tuple[URIRef, Graph | str]], done=None) -> None:
        """Replace several graphs, each in its own transaction; ``done(name)`` is called after each one.

        Into a store with no graphs yet, BULK_FROM graphs or more go through the bulk loader (see the module's
        docstring for what a crash then does)."""
        items = list(items)
        writer = self.bulk_writer(len(items), done)
        if writer is not None:
            for graph_name, graph in items:
                writer.add(graph_name, graph if isinstance(graph, str) else ntriples(graph),
                           checked=not isinstance(graph, str))
            writer.finish()
            return
        for graph_name, graph in items:
            self.replace_graph(graph_name, graph)
            if done is not None:
                done(graph_name)

    def bulk_writer(self, count: int, done=None) -> "BulkWriter | None":
        """A BulkWriter for ``count`` new graphs when the store holds no graph yet and they are BULK_FROM or more
        (None otherwise: write them with replace_graph)."""
        self._before_write()
        if count < BULK_FROM or not self.deduplicated or self.graphs():
            return None
        return BulkWriter(self, done, count)

    def remove_graph(self, graph_name: URIRef) -> None:
        self._before_write()
        name = f"<{graph_name}>"
        before = self._counted(graph_name)
        if self.deduplicated:
            self.store.update(f"{_remove_from_union(name)} ;\nDROP SILENT GRAPH {name}")
        else:
            self.store.update(f"DROP SILENT GRAPH {name}")
        self._changed(graph_name, before)

    def flush(self) -> None:
        if self.directory is not None and not self.read_only:
            self.store.flush()
            safety.crash_point("flushed")

    def export_trig(self, path: Path) -> None:
        """Write every named graph as TriG (not the default graph, their union), through a temporary file renamed
        into place."""
        quads = (q for q in self.store.quads_for_pattern(None, None, None, None)
                 if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != _LAYOUT)
        write_atomically(path, lambda handle: ox.serialize(
            quads, handle, ox.RdfFormat.TRIG, prefixes={k: v for k, v in PREFIXES.items()}))

    def close(self) -> None:
        if self.directory is not None and not self.read_only and getattr(self, "created", (False,))[0] \
                and not self.graphs():
            self._discard()  # a first build that failed before writing anything: leave no empty store behind
            return
        self.flush()
        try:
            if self.directory is not None and not self.read_only:
                self.published = safety.publish_snapshot(self.store, self.directory)  # what readers open now
                if self.deduplicated and getattr(self, "_base_count", None) is not None:
                    count = self.triple_count()
                    write_atomically(self.directory / COUNT_FILE, lambda handle: handle.write(f"{count}\n".encode()))
        finally:
            del self.store
            if getattr(self, "lock", None) is not None:
                self.lock.release()

    def _discard(self) -> None:
        """Remove the store this open created (and its lock, and its folder if this open created it too), so
        the folder never looks like a built graph: `kg query` says no graph has been built there yet."""
        import shutil

        del self.store
        shutil.rmtree(self.directory / STORE_SUBDIR, ignore_errors=True)
        shutil.rmtree(self.directory / safety.SNAPSHOTS, ignore_errors=True)
        (self.directory / BULK_MARKER).unlink(missing_ok=True)
        (self.directory / COUNT_FILE).unlink(missing_ok=True)
        (self.directory / safety.LOCK_FILE).unlink(missing_ok=True)
        if self.lock is not None:
            self.lock.release()
        if self.created[1]:
            try:
                self.directory.rmdir()
            except OSError:  # something else was put there meanwhile
                pass


class BulkWriter:
    """Article graphs into a store with no graphs yet through pyoxigraph's bulk loader, BULK_CHUNK quads at a time
    (one call on a million quads holds them all in memory: measured 427 MB for 384k quads at once, 188 MB in
    chunks of 100k, and faster). Each call has a cost of its own (its files are compacted again as the next come):
    loading the 2M quads of 1M triples took 25.3 s of CPU in chunks of 100k, 22.0 s of 200k, 21.0 s of 400k, for
    +200, +313 and +600 MB; a first build of 1M triples with chunks of 200k, lenient parsing (``add``) and the
    compaction beside the count (graph/build.py), seven runs alternating with the code before: 24.8-30.5 ->
    22.6-27.3 s. Not transactional: the marker file ``DIR/.kg-bulk-write`` stands from the first ``add`` until
    ``finish`` has the whole load on disk, and a write open that finds it empties the store (the module's
    docstring); ``abandon`` empties it now (a first build that found a bad article: nothing written).

    ``add`` may be called while the articles are still being prepared: a first build writes on one core while the
    workers prepare on the others (graph/build.py). Given how many graphs will come (``count``), the chunks get
    smaller towards the end, down to a quarter of BULK_CHUNK: what is left when the last graph comes is loaded while
    nothing else runs."""

    def __init__(self, store: OxigraphStore, done=None, count: int | None = None):
        self.owner, self.done = store, done
        self.marker = store.bulk_marker
        self.chunk: list[str] = []
        self.names: list = []
        self.size = 0
        self.left = count  # graphs still to come, when known
        self.added = self.quads = 0  # graphs and quads so far
        self.checked = False  # every graph of the chunk was written by ntriples()
        self.started = False

    def add(self, graph_name: URIRef, data: str, checked: bool = False) -> None:
        """One graph (N-Triples text); loaded with the others of its chunk. ``checked``: the text was written by
        ``ntriples`` (every term made by pyoxigraph, which checks each IRI and language tag as it makes it), so
        the loader need not check them again: its lenient parse (1M triples: 17.5-19.6 -> 14.8-17.3 s of CPU for
        pyoxigraph's bulk load of the same N-Quads file, two runs each)."""
        if not self.started:
            self.started = True
            if self.marker is not None:
                write_atomically(self.marker,
                                 lambda handle: handle.write(b"a first build's bulk load is not finished\n"))
            self.owner.forget_count()
        text = _nquads(f"<{graph_name}>", data)
        self.checked = checked if not self.chunk else self.checked and checked
        self.chunk.append(text)
        self.names.append(graph_name)
        lines = text.count("\n")
        self.size += lines
        self.added, self.quads = self.added + 1, self.quads + lines
        if self.left is not None:
            self.left -= 1
        if self.size >= BULK_CHUNK or self.size >= BULK_CHUNK // 4 and self._coming() <= self.size:
            self._load()

    def _coming(self) -> float:
        """The quads still to come, at the mean so far (infinite when not known)."""
        return float("inf") if self.left is None else self.left * self.quads / self.added

    def _load(self) -> None:
        if self.chunk:
            self.owner.store.bulk_load("".join(self.chunk).encode("utf-8"), ox.RdfFormat.N_QUADS,
                                       lenient=self.checked)
            safety.crash_point("bulk-chunk")
        for name in self.names:
            if self.done is not None:
                self.done(name)
        self.chunk, self.names, self.size = [], [], 0

    def finish(self, compact: bool = True) -> None:
        """Load what is left and make the load durable; then the marker goes. ``compact=False``: the caller calls
        ``compact`` (a build counts the store's triples meanwhile)."""
        self._load()
        if not self.started:
            return
        safety.crash_point("bulk-loaded")
        if compact:
            self.compact()
        if self.marker is not None:
            self.owner.store.flush()
            self.marker.unlink()

    def compact(self) -> None:
        """The chunks leave many small files behind; compacting them took 1.9-3.4 s on 1M triples (one core) and
        made lookups faster (offer-offeror-violation 117 -> 47 ms; the listings 9.9-11.4 -> 7.5-8.2 s)."""
        if self.marker is not None and self.started:
            self.owner.store.optimize()

    def abandon(self) -> None:
        """Undo every graph loaded so far: the store holds no graph again, as before the first ``add``."""
        self.chunk, self.names, self.size = [], [], 0
        if not self.started:
            return
        self.owner._empty_after_bulk()
        self.started = False


def _remove_from_union(name: str) -> str:
    """The SPARQL update that removes from the default graph the triples of graph ``name`` no other graph holds."""
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != {name}) }} }}")


def _nquads(name: str, data: str) -> str:
    """N-Triples text -> N-Quads text holding each triple twice: in graph ``name`` and in the default graph."""
    out = []
    for line in data.split("\n"):  # not splitlines(): U+2028, U+0085 ... may stand unescaped in a literal
        line = line.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        if not line.endswith("."):
            raise ValueError(f"not an N-Triples line: {line[:200]}")
        body = line[:-1].rstrip(" \t")
        out.append(f"{body} {name} .\n{body} .\n")
    return "".join(out)


def write_atomically(path: Path, write) -> None:
    """Call ``write(binary_handle)`` on a temporary file beside ``path``, then rename it over ``path``.

    The file gets the permissions a new file gets (0666 less the umask), not mkstemp's 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        safety.crash_point(f"before-rename-{path.name}")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    """This process's umask, read without changing it (other threads may be creating files)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def open_store(spec: str | Path, read_only: bool = False):
    """``DIR`` (Oxigraph on disk), ``memory:`` (in this process), or ``http(s)://...`` (a SPARQL endpoint)."""
    text = str(spec)
    if text == "memory:":
        return OxigraphStore(None)
    if text.startswith(("http://", "https://")):
        from .remote import RemoteStore

        return RemoteStore(text, read_only=read_only)
    return OxigraphStore(Path(text), read_only=read_only)


def iter_rows(result: Result) -> Iterable[dict]:
    return iter(result.rows)
