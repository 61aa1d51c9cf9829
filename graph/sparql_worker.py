"""A SPARQL worker process for `kg serve`: opens the store read-only and answers one query at a time.

pyoxigraph cannot interrupt a running query from another thread, so `kg serve` runs each query in one of a few
worker processes and kills the worker when the query runs past its time limit. This module is what such a
process runs (``python -m graph.sparql_worker STORE_DIR``); it imports nothing but the standard library and
pyoxigraph, so a replacement worker starts in a fraction of a second.

Frames on stdin/stdout are a 4-byte big-endian length and a JSON object. The worker first says
``{"ready": true}`` (or ``{"fatal": message}``), then for each job

    {"query": text, "substitutions": {var: term}, "default_graphs": [iri], "named_graphs": [iri], "max_rows": n}

(with ``"listing": NAME``: a named query asked with no parameter, answered from its listing when one answers for
the snapshot, graph/listings.py; the query text otherwise)

answers one of

    {"kind": "solutions", "vars": [...], "rows": [[term or null, ...], ...]}
    {"kind": "boolean", "value": true|false}
    {"kind": "triples", "rows": [[s, p, o], ...]}
    {"error": "syntax"|"too-many-rows"|"failed"|"unavailable", "message": text}

where a term is ``["uri", iri]``, ``["bnode", id]`` or ``["literal", lexical form, datatype IRI, language]``.
The worker opens the snapshot of the store that the last build published (graph/safety.py), with
``Store.read_only``: nothing a worker runs can change the graph. When a build publishes a newer snapshot, the
worker opens it before its next query. The default graph of a query is the store's default graph, which the
store keeps as the set union of its named graphs (graph/store.py); a store built before that (no layout marker
graph) is queried with Oxigraph's union default graph instead.

``python -m graph.sparql_worker http(s)://...`` serves a SPARQL server instead (``RemoteWorker``): each job is
asked of it through graph/remote.py (its settings and credentials from the environment, over the project's
graphs), with the time limit and the row cap of `kg serve` as on disk; a server keeps no listings.
"""

from __future__ import annotations

import json
import struct
import sys

from .rowtools import Memo, gc_paused

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def read_frame(stream) -> dict | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return json.loads(data.decode("utf-8"))


def write_frame(stream, message: dict) -> None:
    data = json.dumps(message, ensure_ascii=False).encode("utf-8")
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def encode(term):
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ["uri", term.value]
    if isinstance(term, ox.BlankNode):
        return ["bnode", term.value]
    if isinstance(term, ox.Literal):
        return ["literal", term.value, term.datatype.value, term.language]
    return ["literal", str(term), XSD_STRING, None]  # an RDF-star triple term: shown as its text


def decode(term):
    import pyoxigraph as ox

    kind = term[0]
    if kind == "uri":
        return ox.NamedNode(term[1])
    if kind == "bnode":
        return ox.BlankNode(term[1])
    value, datatype, language = term[1], term[2] if len(term) > 2 else None, term[3] if len(term) > 3 else None
    if language:
        return ox.Literal(value, language=language)
    if datatype and datatype != XSD_STRING:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


class Worker:
    def __init__(self, directory: str):
        self.directory = directory
        self.store = None
        self.stamp = None
        self.union = True  # query Oxigraph's union default graph (a store without the set-union default graph)

    def open(self) -> None:
        import pyoxigraph as ox

        from .safety import LAYOUT_GRAPH, open_snapshot, snapshot_stamp

        self.stamp = snapshot_stamp(self.directory)
        self.store, self.snapshot = open_snapshot(self.directory)
        self.union = not self.store.contains_named_graph(ox.NamedNode(LAYOUT_GRAPH))

    def answer(self, job: dict) -> dict:
        import pyoxigraph as ox

        from .safety import snapshot_stamp

        if snapshot_stamp(self.directory) != self.stamp:  # a build published a new snapshot: read it
            self.open()
        substitutions = {ox.Variable(k): decode(v) for k, v in (job.get("substitutions") or {}).items()}
        options = {}
        if job.get("default_graphs"):
            options["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
        else:
            options["use_default_graph_as_union"] = self.union
        if job.get("named_graphs"):
            options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
        limit = int(job.get("max_rows") or 10000)
        text = job["query"]
        if job.get("listing"):
            listed = self.listed(job["listing"], limit)
            if listed is not None:
                return listed
            text = whole(job["listing"]) or text
        try:
            result = self.store.query(text, substitutions=substitutions or None, **options)
            if isinstance(result, ox.QueryBoolean):
                return {"kind": "boolean", "value": bool(result)}
            rows = []
            if isinstance(result, ox.QuerySolutions):
                names = [v.value for v in result.variables]
                for solution in result:
                    if len(rows) >= limit:
                        return too_many(limit)
                    rows.append([encode(solution[name]) for name in names])
                return {"kind": "solutions", "vars": names, "rows": rows}
            for triple in result:
                if len(rows) >= limit:
                    return too_many(limit)
                rows.append([encode(triple.subject), encode(triple.predicate), encode(triple.object)])
            return {"kind": "triples", "rows": rows}
        except SyntaxError as exc:
            return {"error": "syntax", "message": str(exc)}
        except Exception as exc:  # an evaluation error: report it, stay alive
            return {"error": "failed", "message": f"{type(exc).__name__}: {exc}"}


    def listed(self, name: str, limit: int) -> dict | None:
        """The named query's answer from its listing (graph/listings.py; the package is imported only for this),
        or None: then the worker runs the query text as usual."""
        try:
            from .listings import cell_parts, listed_rows
            from .queries import named_queries
            from .store import OxigraphStore

            query = named_queries().get(name)
            if query is None:
                return None
            shown = listed_rows(OxigraphStore.wrap(self.store, self.directory, self.snapshot), query)
        except Exception:  # noqa: BLE001 - the query itself still answers
            return None
        if shown is None:
            return None
        names, rows = shown
        if len(rows) > limit:  # said before any row is converted
            return too_many(limit)
        # the listed cells straight to this worker's terms, each distinct one once, not through rdflib's terms and
        # pyoxigraph's; with the collector paused (main, below) `timeline` at 1M triples, 31,760 rows, 1.52 s ->
        # 0.42-0.67 s, `statements` 1.45-1.64 s -> 0.37-0.54 s
        parts = Memo(cell_parts)
        return {"kind": "solutions", "vars": names, "rows": [[parts[cell] for cell in row] for row in rows]}


class RemoteWorker:
    """`kg serve --store http(s)://...`: the jobs asked of the SPARQL server (graph/remote.py), the answers in the
    same frames as Worker's. Killing the worker at the time limit closes its connection; whether the server then
    stops evaluating is the server's affair (an Oxigraph server 0.5 goes on)."""

    def __init__(self, url: str):
        self.url = url
        self.store = None

    def open(self) -> None:
        from .remote import RemoteStore

        self.store = RemoteStore(self.url, read_only=True)
        self.store.graphs()  # a server that is down, or refuses the credentials, is said now, once

    def answer(self, job: dict) -> dict:
        from .errors import KgError
        from .remote import StoreUnavailable
        from .store import from_ox, to_ox

        def cell(value):  # an rdflib term as the frames' term, through pyoxigraph's as the folder's worker writes it
            return None if value is None else encode(to_ox(value))

        limit = int(job.get("max_rows") or 10000)
        try:
            self.store.forget()  # a build since the last job may have changed the project's graphs or the layout
            bindings = {name: from_ox(decode(value)) for name, value in (job.get("substitutions") or {}).items()}
            text = (whole(job["listing"]) if job.get("listing") else None) or job["query"]
            kind, result = self.store.answer(text, bindings, job.get("default_graphs") or (),
                                             job.get("named_graphs") or ())
        except StoreUnavailable as exc:  # the server went away or refused us: said, and the worker stays
            return {"error": "unavailable", "message": str(exc)}
        except KgError as exc:  # the server rejected the query (QueryError)
            return {"error": "failed", "message": str(exc)}
        if kind == "boolean":
            return {"kind": "boolean", "value": bool(result.boolean)}
        if len(result.rows) > limit:
            return too_many(limit)
        if kind == "triples":
            return {"kind": "triples", "rows": [[cell(r["s"]), cell(r["p"]), cell(r["o"])] for r in result.rows]}
        return {"kind": "solutions", "vars": list(result.variables),
                "rows": [[cell(row.get(name)) for name in result.variables] for row in result.rows]}


def whole(name: str) -> str | None:
    """A named query asked with no parameter and no listing to answer it (a server keeps none; a store with
    inferred triples neither): its whole-store form when it has one (graph/listings.py whole_text: the same rows,
    sooner; an Oxigraph server at 1M triples: `statements` 13.2 s -> 5.7 s)."""
    try:
        from .listings import whole_text
        from .queries import named_queries

        query = named_queries().get(name)
        return whole_text(query) if query is not None else None
    except Exception:  # noqa: BLE001 - the query itself still answers
        return None


def too_many(limit: int) -> dict:
    return {"error": "too-many-rows",
            "message": f"the result has more than {limit} rows (the server's --max-rows); add a LIMIT or narrow the query"}


def main(argv: list[str]) -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames goes to stdout
    remote = argv[0].startswith(("http://", "https://"))
    worker = RemoteWorker(argv[0]) if remote else Worker(argv[0])
    try:
        worker.open()
    except Exception as exc:
        write_frame(stdout, {"fatal": str(exc) if remote else f"cannot open the store in {argv[0]}: {exc}"})
        return 2
    write_frame(stdout, {"ready": True})
    while True:
        job = read_frame(stdin)
        if job is None:  # the server closed the pipe: it is gone or stopping
            return 0
        with gc_paused():  # an answer is thousands of small lists with no cycle: no collection walks them as made
            answer = worker.answer(job)
        write_frame(stdout, answer)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
