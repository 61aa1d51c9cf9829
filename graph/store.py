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
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import safety
from .errors import InputError, KgError
from .ns import KG, PREFIXES

STORE_SUBDIR = "store"
TRIG_FILE = "graph.trig"


class QueryError(KgError):
    """A query that cannot run: bad syntax (exit 2) or a failure of the store."""

    exit_code = 2


# -- term conversion ---------------------------------------------------------------------------------
def to_ox(term: Node):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def from_ox(term) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise TypeError(f"cannot convert {term!r}")


def ntriples(graph: Graph) -> str:
    """The triples of an rdflib graph as N-Triples lines (Oxigraph writes the terms, so escaping is exact)."""
    return "\n".join(f"{to_ox(s)} {to_ox(p)} {to_ox(o)} ." for s, p, o in graph)


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
        if self.directory is None:
            self.store = _MEMORY.setdefault("memory:", ox.Store())
            self.location = "memory:"
            self.kind = "memory"
            return
        path = self.directory / STORE_SUBDIR
        self.location = str(self.directory)
        self.lock = None
        try:
            if read_only:
                if not path.is_dir():
                    raise InputError(f"{self.directory}: no graph has been built here yet; run `kg build --store {self.directory}`")
                # the last published snapshot: never the live store, which a build may be writing (graph/safety.py)
                self.store = safety.open_read_only(self.directory)
            else:
                self.lock = safety.WriterLock(self.directory)  # one writer at a time; a second one waits, then stops
                path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(path))
                safety.crash_point("store-opened")
        except OSError as exc:
            if self.lock is not None:
                self.lock.release()
            message = str(exc)
            if "lock" in message.lower():
                raise KgError(f"{path}: the store is in use by another kg process (a build or a server); "
                              "wait for it to finish or stop it, then try again") from None
            raise KgError(f"{path}: cannot open the store: {message}") from None

    # reading
    def query(self, sparql: str, bindings: dict[str, Node] | None = None, union: bool = True) -> Result:
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            answer = self.store.query(sparql, use_default_graph_as_union=union, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise QueryError(f"the query is not valid SPARQL: {exc}") from None
        except OSError as exc:
            raise QueryError(f"the store failed to answer: {exc}") from None
        if isinstance(answer, ox.QueryBoolean):
            return Result([], [], bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = [{name: from_ox(solution[name]) for name in variables} for solution in answer]
            return Result(variables, rows)
        # CONSTRUCT / DESCRIBE
        rows = [{"s": from_ox(t.subject), "p": from_ox(t.predicate), "o": from_ox(t.object)} for t in answer]
        return Result(["s", "p", "o"], rows)

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

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
        return len(self.store)

    # writing
    def replace_graph(self, graph_name: URIRef, graph: Graph | str) -> None:
        """Swap one named graph's content in a single transaction: readers see the old or the new graph.

        ``graph`` is an rdflib graph or its triples as N-Triples text (what the parallel build hands over).
        """
        name = f"<{graph_name}>"
        data = graph if isinstance(graph, str) else ntriples(graph)
        self.store.update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{data}\n}} }}")
        safety.crash_point("graph-replaced")

    def replace_graphs(self, items: Iterable[tuple[URIRef, Graph | str]], done=None) -> None:
        """Replace several graphs, each in its own transaction; ``done(name)`` is called after each one."""
        for graph_name, graph in items:
            self.replace_graph(graph_name, graph)
            if done is not None:
                done(graph_name)

    def remove_graph(self, graph_name: URIRef) -> None:
        self.store.update(f"DROP SILENT GRAPH <{graph_name}>")

    def flush(self) -> None:
        if self.directory is not None and not self.read_only:
            self.store.flush()
            safety.crash_point("flushed")

    def export_trig(self, path: Path) -> None:
        """Write every named graph as TriG, through a temporary file renamed into place."""
        write_atomically(path, lambda handle: self.store.dump(
            handle, ox.RdfFormat.TRIG, prefixes={k: v for k, v in PREFIXES.items()}))

    def close(self) -> None:
        self.flush()
        try:
            if self.directory is not None and not self.read_only:
                safety.publish_snapshot(self.store, self.directory)  # what readers open from now on
        finally:
            del self.store
            if getattr(self, "lock", None) is not None:
                self.lock.release()


def write_atomically(path: Path, write) -> None:
    """Call ``write(binary_handle)`` on a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
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
