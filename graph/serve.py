"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the built graph, the HTML graph and a query page.

    /sparql           SPARQL 1.1 Protocol: GET ?query=..., POST form-encoded (query=...) or
                      application/sparql-query. SELECT/ASK answers as SPARQL JSON, XML, CSV or TSV, CONSTRUCT and
                      DESCRIBE as Turtle or N-Triples, chosen by the Accept header (or ?format=json|xml|csv|tsv|
                      turtle|ntriples). default-graph-uri / named-graph-uri choose the dataset; by default the
                      default graph is the union of all graphs, as for `kg query`.
    /                 STORE/graph.html, the interactive graph
    /query            a page listing the named queries (ontology/queries/*.rq) to pick, edit and run (one that
                      lists everything, run as shipped with no parameter, answers from its listing when one is
                      kept for the snapshot: graph/listings.py); for a
                      SPARQL client (a POST, or a GET with query= that does not ask for HTML) the endpoint again,
                      at the path Oxigraph's server uses, so `kg query --store http://127.0.0.1:7878` works
    /queries/NAME.rq  the text of a named query

Read-only: the store is opened with ``Store.read_only`` in worker processes that only ever run queries; an update
(``update=``, ``application/sparql-update``, or SPARQL Update text sent as a query) is refused with 403 and
changes nothing. A SERVICE clause is refused too (403): it would make the server fetch other URLs.

Limits: each query runs in a worker process (graph/sparql_worker.py). ``--timeout`` seconds is one budget per
request, counted from its arrival: waiting for a free worker and running the query both spend it, so no request
is answered later than ``--timeout`` seconds (and the few milliseconds of HTTP) after it arrived. A query still
running at its request's deadline gets 503 at once; the query itself may run ``--timeout`` seconds from its own
start (a worker whose query finishes by then is reused, its answer dropped), and past that its worker is killed
and replaced, so a runaway query cannot hold a worker. A result with more than ``--max-rows`` rows (or triples)
gets 422. At most ``--workers`` queries run at once; a request that finds no free worker before its deadline gets
503 with ``Retry-After: 1``. The HTTP server itself is multi-threaded. It binds 127.0.0.1 unless told otherwise,
and then answers only requests addressed to a loopback name (a guard against DNS rebinding).

SPARQL XML cannot carry most control characters (XML 1.0); in XML results they are replaced by U+FFFD. The
named queries separate list items with U+001F: use JSON, CSV or TSV to keep them.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape as xml_escape, quoteattr

import click

from .errors import InputError, KgError
from .sparqltext import looks_like_update, uses_service

MAX_BODY = 1_000_000  # bytes of a POST body
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

SELECT_TYPES = {  # in the order a wildcard (text/*) picks from
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/xml": "xml",
}
GRAPH_TYPES = {"text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "ntriples",
               "text/plain": "ntriples"}
CONTENT_TYPE = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8", "ntriples": "application/n-triples",
}
FORMAT_NAMES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
                "ntriples": "ntriples", "nt": "ntriples"}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


# -- content negotiation ---------------------------------------------------------------------------
def negotiate(accept: str | None, kind: str, override: str | None = None) -> str:
    """The result format for an Accept header: json|xml|csv|tsv (kind 'select') or turtle|ntriples ('graph')."""
    table = SELECT_TYPES if kind == "select" else GRAPH_TYPES
    default = "json" if kind == "select" else "turtle"
    if override:
        fmt = FORMAT_NAMES.get(override.strip().lower())
        if fmt is None or fmt not in table.values():
            raise HttpError(406, f"format={override!r} is not available for this query; use one of "
                                 f"{', '.join(sorted(set(table.values())))}")
        return fmt
    if not accept or not accept.strip():
        return default
    choices = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media == "*/*":
            fmt = default
        elif media.endswith("/*"):
            fmt = next((v for k, v in table.items() if k.startswith(media[:-1])), None)
        else:
            fmt = table.get(media)
        if fmt:
            choices.append((-q, position, fmt))
    if not choices:
        raise HttpError(406, f"none of the accepted types ({accept}) is available for this query; ask for one of "
                             f"{', '.join(table)}")
    return sorted(choices)[0][2]


# -- writing results -----------------------------------------------------------------------------
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _json_term(term):
    kind = term[0]
    if kind == "uri":
        return {"type": "uri", "value": term[1]}
    if kind == "bnode":
        return {"type": "bnode", "value": term[1]}
    out = {"type": "literal", "value": term[1]}
    if term[3]:
        out["xml:lang"] = term[3]
    elif term[2] and term[2] != XSD_STRING:
        out["datatype"] = term[2]
    return out


def _xml_text(value: str) -> str:
    return xml_escape(_XML_BAD.sub("\ufffd", value))


def _xml_term(term) -> str:
    kind = term[0]
    if kind == "uri":
        return f"<uri>{_xml_text(term[1])}</uri>"
    if kind == "bnode":
        return f"<bnode>{_xml_text(term[1])}</bnode>"
    attrs = ""
    if term[3]:
        attrs = f" xml:lang={quoteattr(term[3])}"
    elif term[2] and term[2] != XSD_STRING:
        attrs = f" datatype={quoteattr(term[2])}"
    return f"<literal{attrs}>{_xml_text(term[1])}</literal>"


def _nt_string(value: str) -> str:
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def _nt_term(term) -> str:
    kind = term[0]
    if kind == "uri":
        return f"<{term[1]}>"
    if kind == "bnode":
        return f"_:{term[1]}"
    if term[3]:
        return f"{_nt_string(term[1])}@{term[3]}"
    if term[2] and term[2] not in (XSD_STRING, RDF_LANG_STRING):
        return f"{_nt_string(term[1])}^^<{term[2]}>"
    return _nt_string(term[1])


def _csv_value(term) -> str:
    if term is None:
        return ""
    if term[0] == "bnode":
        return f"_:{term[1]}"
    return term[1]


def serialize(answer: dict, fmt: str) -> bytes:
    """A worker's answer in a SPARQL result format (or an RDF format for CONSTRUCT)."""
    kind = answer["kind"]
    if kind == "triples":
        return serialize_triples(answer["rows"], fmt)
    if kind == "boolean":
        value = answer["value"]
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": value}).encode()
        if fmt == "xml":
            return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
                    f"  <head></head>\n  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n").encode()
        end = "\r\n" if fmt == "csv" else "\n"
        return ("_askResult" + end + ("true" if value else "false") + end).encode()
    names, rows = answer["vars"], answer["rows"]
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n  <head>\n']
        out += [f"    <variable name={quoteattr(n)}/>\n" for n in names]
        out.append("  </head>\n  <results>\n")
        for row in rows:
            out.append("    <result>\n")
            out += [f"      <binding name={quoteattr(n)}>{_xml_term(t)}</binding>\n"
                    for n, t in zip(names, row) if t is not None]
            out.append("    </result>\n")
        out.append("  </results>\n</sparql>\n")
        return "".join(out).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([[_csv_value(t) for t in row] for row in rows])
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{n}" for n in names)]
        lines += ["\t".join("" if t is None else _nt_term(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise HttpError(406, f"{fmt} is not a format for this query")


def serialize_triples(rows: list, fmt: str) -> bytes:
    import pyoxigraph as ox

    from .ns import PREFIXES
    from .sparql_worker import decode

    triples = [ox.Triple(decode(s), decode(p), decode(o)) for s, p, o in rows]
    if fmt == "ntriples":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    # id: and gr: names hold slashes, which Turtle would have to escape (id:actor\/x): write those IRIs in full
    prefixes = {k: v for k, v in PREFIXES.items() if k not in ("id", "gr")}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""


# -- the worker pool ------------------------------------------------------------------------------
class WorkerGone(Exception):
    pass


class WorkerProcess:
    """One `python -m graph.sparql_worker DIR` process and its pipes."""

    def __init__(self, directory: Path | str):
        # the worker runs in the project's folder: a folder given relative to the user's is made absolute first
        # (`kg serve --store mystore` run anywhere else failed: "cannot open the store in mystore")
        target = directory.resolve() if isinstance(directory, Path) else directory
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graph.sparql_worker", str(target)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, close_fds=True,
            cwd=str(Path(__file__).resolve().parent.parent),
        )
        self._buffer = bytearray()  # a frame read in part (see receive)

    def send(self, message: dict) -> None:
        from .sparql_worker import write_frame

        try:
            write_frame(self.process.stdin, message)
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise WorkerGone(str(exc)) from None

    def receive(self, deadline: float) -> dict | None:
        """The next frame, or None when the deadline passes first. What was read of a frame by then is kept, so a
        later call (after a request gave up waiting for this worker) goes on with the same frame."""
        if not self._fill(4, deadline):
            return None
        (size,) = struct.unpack(">I", bytes(self._buffer[:4]))
        if not self._fill(4 + size, deadline):
            return None
        data = bytes(self._buffer[4:4 + size])
        del self._buffer[:4 + size]
        return json.loads(data.decode("utf-8"))

    def _fill(self, size: int, deadline: float) -> bool:
        """Read until the buffer holds ``size`` bytes; False when the deadline passes first."""
        stream = self.process.stdout
        while len(self._buffer) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([stream], [], [], left)
            if not ready:
                return False
            chunk = os.read(stream.fileno(), min(size - len(self._buffer), 1 << 20))
            if not chunk:
                raise WorkerGone("the worker stopped")
            self._buffer += chunk
        return True

    def kill(self) -> None:
        try:
            self.process.kill()
        except OSError:
            pass
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not wait for the process
            pass


@dataclass
class PoolStats:
    queries: int = 0
    timeouts: int = 0
    restarts: int = 0


class WorkerPool:
    """A few worker processes; a query over its time limit has its worker killed and replaced."""

    def __init__(self, directory: Path | str, size: int = 2, start_timeout: float = 60.0):
        """``directory``: the folder `kg build` wrote, or a SPARQL server's http(s):// URL; each worker is given it
        as text."""
        self.directory, self.size, self.start_timeout = directory, size, start_timeout
        self.idle: queue.Queue[WorkerProcess] = queue.Queue()
        self.stats = PoolStats()
        self.closed = False
        self._all: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        for _ in range(size):
            self.idle.put(self._start())

    def _start(self) -> WorkerProcess:
        worker = WorkerProcess(self.directory)
        with self._lock:
            self._all.add(worker)
        try:
            hello = worker.receive(time.monotonic() + self.start_timeout)
        except WorkerGone:
            hello = None
        if not hello or not hello.get("ready"):
            self._discard(worker)
            message = (hello or {}).get("fatal") or "the SPARQL worker did not start"
            raise InputError(f"{self.directory}: {message}")
        return worker

    def _discard(self, worker: WorkerProcess) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: WorkerProcess) -> None:
        """Kill a worker and start another in the background (the request does not wait for it)."""
        self._discard(worker)
        self.stats.restarts += 1

        def start():
            for attempt in range(5):
                if self.closed:
                    return
                try:
                    worker = self._start()
                    if self.closed:  # the server stopped while this one started
                        self._discard(worker)
                    else:
                        self.idle.put(worker)
                    return
                except Exception:  # noqa: BLE001 - try again a little later
                    time.sleep(0.5 * (attempt + 1))

        threading.Thread(target=start, name="kg-worker-restart", daemon=True).start()

    def run(self, job: dict, timeout: float, deadline: float | None = None) -> dict:
        """The worker's answer to a job. ``timeout`` seconds is one budget for the whole request: waiting for a
        free worker and running the query both spend it, up to ``deadline`` (time.monotonic(); by default
        ``timeout`` seconds from now, a request's arrival time plus ``timeout`` when the server passes it)."""
        entered = time.monotonic()
        if deadline is None:
            deadline = entered + timeout
        try:
            worker = self.idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            worker = None
        if worker is not None and deadline - time.monotonic() <= 0.001:  # a worker came, but no time is left
            self.idle.put(worker)
            worker = None
        if worker is None:
            raise HttpError(503, f"every query worker stayed busy for the time limit of {timeout:g} s; try again "
                                 f"in a moment (the server runs {self.size} queries at a time)",
                            {"Retry-After": "1"})
        self.stats.queries += 1
        started = time.monotonic()
        waited = started - entered
        try:
            worker.send(job)
            answer = worker.receive(deadline)
        except WorkerGone:
            self._replace(worker)
            raise HttpError(500, "the query worker stopped unexpectedly; the query was not answered") from None
        if answer is None:
            self.stats.timeouts += 1
            ran = time.monotonic() - started
            self._finish_or_replace(worker, started + timeout)
            if waited > ran:  # the time went waiting for a worker: the server is busy, not the query slow
                raise HttpError(503, f"the request's time limit of {timeout:g} s (counted from its arrival) ran out: "
                                     f"it waited {waited:.1f} s for a free query worker (the server is busy) and "
                                     f"the query ran {ran:.1f} s; try again in a moment", {"Retry-After": "1"})
            raise HttpError(503, f"the query did not finish within the time limit of {timeout:g} s (counted from "
                                 "the request's arrival, waiting for a free worker included) and was stopped; "
                                 "narrow it (a LIMIT, more selective patterns) or start the server with a "
                                 "higher --timeout")
        self.idle.put(worker)
        return answer

    def _finish_or_replace(self, worker: WorkerProcess, run_limit: float) -> None:
        """A request's time ran out while its query runs: the query may still finish within its own --timeout
        (from when it started; it may have waited long for this worker), and then the worker is reused, its answer
        dropped; a query still running then is stopped by killing its worker, which is replaced. In the
        background: the request is answered at once."""
        if run_limit - time.monotonic() <= 0.01:
            self._replace(worker)
            return

        def finish():
            try:
                answer = worker.receive(run_limit)
            except WorkerGone:
                answer = None
            if answer is None or self.closed:
                self._replace(worker)
            else:
                self.idle.put(worker)

        threading.Thread(target=finish, name="kg-worker-finish", daemon=True).start()

    def close(self) -> None:
        self.closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._discard(worker)


# -- the HTTP server -------------------------------------------------------------------------------
@dataclass
class ServerConfig:
    directory: Path | None  # the folder `kg build` wrote; None for a SPARQL server (then ``page``)
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = 10.0
    max_rows: int = 10000
    workers: int = 2
    allowed_hosts: set = field(default_factory=set)
    page: "RemotePage | None" = None  # the graph page of a SPARQL server, drawn again after a build changes it
    source: str = ""           # what is served, as the command names it


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, config: ServerConfig, pool: WorkerPool):
        self.config, self.pool = config, pool
        super().__init__((config.host, config.port), Handler)
        port = self.server_address[1]
        if config.host in LOOPBACK_NAMES:
            config.allowed_hosts = {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")}

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return  # the client went away: nothing to report
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a client may take to send its request: a slow client cannot hold a thread

    # routing
    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_HEAD(self):
        self._handle("HEAD")

    def _not_allowed(self):
        self._handle("OTHER")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def _handle(self, method: str) -> None:
        # --timeout is one budget per request, from here (the request line and headers have arrived) to the
        # answer: reading the body, waiting for a free worker and running the query all spend it
        self.deadline = time.monotonic() + self.server.config.timeout
        try:
            self._check_host()
            url = urlsplit(self.path)
            route = url.path.rstrip("/") or "/"
            if method == "OTHER":
                raise HttpError(405, "this endpoint only answers GET and POST (it is read-only)",
                                {"Allow": "GET, POST, HEAD"})
            if route == "/sparql":
                self._sparql(method, url)
            elif route == "/":
                self._graph_page(method)
            elif route == "/query" and self._protocol_request(method, url):
                self._sparql(method, url)  # Oxigraph server's path for the endpoint: `kg query --store http://...`
            elif route == "/query":
                self._query_page(method, url)
            elif route in ("/update", "/store"):
                raise HttpError(403 if method != "GET" or route == "/update" else 404,
                                "this endpoint is read-only: SPARQL updates and the Graph Store Protocol are refused")
            elif route.startswith("/queries/") and route.endswith(".rq"):
                self._query_text(route[len("/queries/"):-3])
            else:
                raise HttpError(404, f"nothing at {url.path}; try /sparql, /query or /")
        except HttpError as exc:
            self._send_text(exc.status, exc.message, exc.headers)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the connection thread silently
            self._send_text(500, f"internal error: {type(exc).__name__}: {exc}")

    def _protocol_request(self, method: str, url) -> bool:
        """/query is the query page for a browser and the SPARQL endpoint for a SPARQL client."""
        if "text/html" in (self.headers.get("Accept") or "").lower():
            return False
        params = parse_qs(url.query, keep_blank_values=True)
        if "run" in params or "name" in params:  # the page's own form
            return False
        return method == "POST" or "query" in params or "update" in params

    def _check_host(self) -> None:
        allowed = self.server.config.allowed_hosts
        if allowed and (self.headers.get("Host") or "").lower() not in allowed:
            raise HttpError(421, "this server answers only requests addressed to 127.0.0.1 or localhost")

    # /sparql
    def _sparql(self, method: str, url) -> None:
        params = parse_qs(url.query, keep_blank_values=True)
        query = None
        if method == "POST":
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            body = self._body()
            if ctype == "application/sparql-update":
                raise HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
            if ctype == "application/x-www-form-urlencoded":
                form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
                if "update" in form:
                    raise HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
                for key, values in form.items():
                    params.setdefault(key, []).extend(values)
                query = form.get("query", [None])[0]
            elif ctype == "application/sparql-query":
                query = body.decode("utf-8", "replace")
            else:
                raise HttpError(415, "send the query as application/sparql-query, or as the form field query= "
                                     "(application/x-www-form-urlencoded)")
        if "update" in params:
            raise HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
        if query is None:
            query = params.get("query", [None])[0]
        if not query or not query.strip():
            raise HttpError(400, "give a SPARQL query: /sparql?query=... (GET), or POST it; /query has examples")
        answer = self._run(query, default_graphs=params.get("default-graph-uri", []),
                           named_graphs=params.get("named-graph-uri", []))
        kind = "graph" if answer["kind"] == "triples" else "select"
        fmt = negotiate(self.headers.get("Accept"), kind, (params.get("format") or [None])[0])
        self._send(200, serialize(answer, fmt), CONTENT_TYPE[fmt], head_only=method == "HEAD")

    def _body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise HttpError(400, "a bad Content-Length") from None
        if length > MAX_BODY:
            raise HttpError(413, f"the request body is larger than {MAX_BODY} bytes")
        return self.rfile.read(length) if length > 0 else b""

    def _run(self, query: str, substitutions: dict | None = None, default_graphs=(), named_graphs=(),
             listing: str | None = None) -> dict:
        if looks_like_update(query):
            raise HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
        if uses_service(query):
            raise HttpError(403, "SERVICE (federated query) is not allowed on this endpoint")
        config = self.server.config
        answer = self.server.pool.run({
            "query": query, "substitutions": substitutions or {}, "max_rows": config.max_rows,
            "default_graphs": list(default_graphs), "named_graphs": list(named_graphs),
            **({"listing": listing} if listing else {}),
        }, config.timeout, deadline=getattr(self, "deadline", None))
        if "error" in answer:
            if answer["error"] == "syntax":
                from .queries import syntax_error

                raise HttpError(400, str(syntax_error("the query", query, answer["message"])))
            if answer["error"] == "too-many-rows":
                raise HttpError(422, answer["message"])
            if answer["error"] == "unavailable":  # the SPARQL server behind kg serve --store URL
                raise HttpError(502, answer["message"])
            raise HttpError(400, f"the query failed: {answer['message']}")
        return answer

    # pages
    def _graph_page(self, method: str) -> None:
        config = self.server.config
        if config.directory is None:
            from .build import EXPORT_LIMIT

            try:
                page = config.page.current() if config.page is not None else None
            except KgError as exc:  # the server went away since the command started
                raise HttpError(502, str(exc)) from None
            if page is None:
                raise HttpError(404, f"no graph page for {config.source}: it holds more than "
                                     f"{EXPORT_LIMIT:,} triples; `kg show --store URL --focus NAME` draws a part")
            self._send(200, page, "text/html; charset=utf-8", head_only=method == "HEAD")
            return
        page = config.directory / "graph.html"
        if not page.is_file():
            raise HttpError(404, f"no graph.html in {config.directory}; run `kg build` (without --no-html)")
        self._send(200, page.read_bytes(), "text/html; charset=utf-8", head_only=method == "HEAD")

    def _query_text(self, name: str) -> None:
        from .queries import named_queries

        found = named_queries().get(name)
        if found is None:
            raise HttpError(404, f"no named query {name!r}; /query lists them")
        self._send(200, found.text.encode("utf-8"), "application/sparql-query; charset=utf-8")

    def _query_page(self, method: str, url) -> None:
        from . import queries

        params = parse_qs(url.query, keep_blank_values=True)
        if "update" in params:
            raise HttpError(403, "this endpoint is read-only: SPARQL updates are refused")
        named = queries.named_queries()
        name = (params.get("name") or [""])[0]
        text = (params.get("query") or [None])[0]
        chosen = named.get(name)
        if text is None and chosen is not None:
            text = chosen.text
        header = queries.parse_query_text(text or "", name or "query")
        values = {p: (params.get(f"param.{p}") or [""])[0] for p in header.params}
        result_html = ""
        if (params.get("run") or [""])[0] and text and text.strip():
            try:
                given = [f"{k}={v}" for k, v in values.items() if v.strip()]
                bindings = queries.bind_params(header, given)
                # as `kg query` does: a selective parameter opens the WHERE group (the plan starts from it), the
                # others are substituted
                run_text, bindings = queries.bound_text(header, bindings)
                substitutions = {k: _term_of(v) for k, v in bindings.items()}
                # a named query as shipped, with no parameter: its listing answers when it has one (listings.py)
                same = chosen is not None and text.replace("\r\n", "\n").strip() == chosen.text.strip()
                listing = name if same and not given else None
                answer = self._run(run_text, substitutions, listing=listing)
                result_html = _results_html(answer, header, text, values)
            except HttpError as exc:
                result_html = f'<p class="error">{html.escape(exc.message)}</p>'
            except Exception as exc:  # noqa: BLE001 - a bad parameter value, shown to the person who typed it
                result_html = f'<p class="error">{html.escape(str(exc))}</p>'
        page = _page(named, name, text or "", header, values, result_html)
        self._send(200, page.encode("utf-8"), "text/html; charset=utf-8", head_only=method == "HEAD",
                   headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"})

    # sending
    def _send(self, status: int, body: bytes, content_type: str, head_only: bool = False,
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        if status >= 400:  # a request body may be left unread: do not read the next request from this connection
            self.send_header("Connection", "close")
            self.close_connection = True
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def _send_text(self, status: int, message: str, headers: dict | None = None) -> None:
        try:
            self._send(status, (message.rstrip("\n") + "\n").encode("utf-8"), "text/plain; charset=utf-8",
                       headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format, *args):  # noqa: A002 - the signature of BaseHTTPRequestHandler
        sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))


def _term_of(term) -> list:
    """An rdflib term (from queries.bind_params) as the worker's term list."""
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return ["uri", str(term)]
    if isinstance(term, Literal):
        return ["literal", str(term), str(term.datatype) if term.datatype else XSD_STRING, term.language]
    raise InputError(f"cannot bind {term!r}")


# -- the query page ---------------------------------------------------------------------------------
STYLE = """body{font:15px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:70em;padding:0 1em;color:#222}
textarea{width:100%;font:13px ui-monospace,monospace}table{border-collapse:collapse;margin-top:1em;font-size:13px}
td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}th{background:#f3f3f3}
.error{color:#a00;white-space:pre-wrap;font-family:ui-monospace,monospace}li{margin:.3em 0}.q{color:#555}
label{display:block;margin:.3em 0}input[type=text]{width:30em}"""


def _page(named: dict, name: str, text: str, header, values: dict, result_html: str) -> str:
    e = html.escape
    items = []
    for query in named.values():
        kind = " (integrity check: must return no rows)" if query.is_violation else ""
        items.append(f'<li><a href="/query?name={quote(query.name)}">{e(query.name)}</a>{e(kind)}'
                     f'<br><span class="q">{e(query.question)}</span></li>')
    inputs = []
    for param in header.params.values():
        need = "required" if not param.optional else "optional"
        inputs.append(f'<label>{e(param.name)} ({e(param.kind)}, {need}) '
                      f'<input type="text" name="param.{e(param.name)}" value="{e(values.get(param.name, ""))}">'
                      f' <span class="q">{e(param.doc)}</span></label>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ask the graph</title><style>{STYLE}</style></head>
<body>
<h1>Ask the graph</h1>
<p>A read-only SPARQL endpoint is at <code>/sparql</code>; the interactive graph is at <a href="/">/</a>.
Pick a question, change the query if you like, and run it.</p>
<form method="get" action="/query">
<input type="hidden" name="name" value="{e(name)}">
<textarea name="query" rows="18" spellcheck="false">{e(text)}</textarea>
{''.join(inputs)}
<p><button type="submit" name="run" value="1">Run</button></p>
</form>
{result_html}
<h2>Questions</h2>
<ul>{''.join(items)}</ul>
</body></html>
"""


def _cell(term, as_list: bool) -> str:
    from .queries import LIST_SEPARATOR, curie

    if term is None:
        return ""
    if term[0] == "uri":
        return html.escape(curie(term[1]))
    if term[0] == "bnode":
        return html.escape(f"_:{term[1]}")
    if as_list:
        return "<br>".join(html.escape(x) for x in sorted(term[1].split(LIST_SEPARATOR)) if x)
    return html.escape(term[1])


def _results_html(answer: dict, header, text: str, values: dict) -> str:
    e = html.escape
    if answer["kind"] == "boolean":
        return f"<p>Answer: <b>{'yes' if answer['value'] else 'no'}</b></p>"
    if answer["kind"] == "triples":
        names, rows = ["subject", "predicate", "object"], answer["rows"]
    else:
        keep = [i for i, n in enumerate(answer["vars"]) if n not in header.params]
        names = [answer["vars"][i] for i in keep]
        rows = [[row[i] for i in keep] for row in answer["rows"]]
    head = "".join(f"<th>{e(n)}</th>" for n in names)
    body = "".join("<tr>" + "".join(f"<td>{_cell(t, n in header.lists)}</td>" for n, t in zip(names, row)) + "</tr>"
                   for row in rows)
    links = ""
    if not header.params or not any(v.strip() for v in values.values()):
        formats = ["json", "xml", "csv", "tsv"] if answer["kind"] != "triples" else ["turtle", "ntriples"]
        links = " ".join(f'<a href="/sparql?query={quote(text)}&amp;format={f}">{f}</a>' for f in formats)
        links = f"<p>The same answer from /sparql: {links}</p>"
    return f"<p>{len(rows)} row{'s' if len(rows) != 1 else ''}</p>{links}<table><tr>{head}</tr>{body}</table>"


# -- the command ------------------------------------------------------------------------------------
def reports_errors(command):
    """graph.cli's reports_errors, looked up when the command runs (graph.cli imports this module)."""
    import functools

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .cli import reports_errors as wrap

        return wrap(command)(*args, **kwargs)

    return wrapper


class RemotePage:
    """graph.html of a SPARQL server's graph (None above EXPORT_LIMIT triples, as `kg build` writes none for such a
    store on disk): drawn as the command starts, and again when a request finds that a build has changed the
    project's graphs since (their input hashes: one query a request), as a folder's graph.html is rewritten by
    each build."""

    def __init__(self, url: str):
        self.url = url
        self.lock = threading.Lock()
        self.state: tuple | None = None
        self.page: bytes | None = None
        self.current()  # a server that is down is said as the command starts

    def current(self) -> bytes | None:
        import tempfile

        from .build import EXPORT_LIMIT
        from .html import write_html
        from .store import open_store

        with self.lock:
            store = open_store(self.url, read_only=True)
            try:
                state = tuple(sorted((str(g), h) for g, h in store.input_hashes().items()))
                if state != self.state:
                    self.page = None
                    if store.triple_count() <= EXPORT_LIMIT:
                        with tempfile.TemporaryDirectory() as folder:
                            path = Path(folder) / "graph.html"
                            write_html(store, path)
                            self.page = path.read_bytes()
                    self.state = state
            finally:
                store.close()
            return self.page


@click.command("serve")
@click.option("--store", "store_spec", default="out", show_default=True,
              help="The folder `kg build` wrote (its store/ and graph.html), or an http(s):// SPARQL server "
                   "`kg build` wrote to (KG_SPARQL_* and KG_STORE_* environment variables, as for every command).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but a loopback address exposes the graph to your network.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="The port (0: any free port; the address is printed).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds a request may take, counted from its arrival: waiting for a free worker and running "
                   "the query both spend it; past it the answer is an error (503). A query that runs this long is "
                   "stopped.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10000, show_default=True,
              help="The most rows (or triples) a result may have; a larger one gets an error (422).")
@click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True,
              help="Queries that may run at the same time, each in its own process.")
@reports_errors
def serve(store_spec, host, port, timeout, max_rows, workers):
    """Serve the built graph: a read-only SPARQL endpoint, the HTML graph and a query page.

    /sparql is a SPARQL 1.1 Protocol endpoint (GET ?query=, POST form or application/sparql-query; JSON, XML,
    CSV or TSV results by the Accept header, Turtle or N-Triples for CONSTRUCT). / is STORE/graph.html;
    /query lists the named queries to pick, edit and run. Updates are refused (403) and change nothing. Each
    request is answered within --timeout seconds of its arrival (waiting for a free worker included; past it,
    503), a query that runs --timeout seconds is stopped, and a result may have at most --max-rows rows. Stop it
    with Ctrl-C.

    STORE may also be an http(s):// SPARQL server that `kg build` wrote to: its queries go there, over the
    project's graphs, with the same limits, and / is the graph drawn from it (up to 100,000 triples), drawn again
    once a build has changed it.

    \b
    Example:
        kg serve
        kg serve --store out --port 8080 --timeout 5 --max-rows 1000
        kg serve --store http://127.0.0.1:7878 --port 8080   # an Oxigraph server kg build wrote to
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' localhost:7878/sparql
    """
    remote = str(store_spec).startswith(("http://", "https://"))
    if str(store_spec) == "memory:":
        raise InputError("--store memory: holds nothing between commands; serve a folder built by `kg build`, or "
                         "a SPARQL server")
    directory = None if remote else Path(store_spec)
    if directory is not None and not (directory / "store").is_dir():
        raise InputError(f"{directory}: no graph has been built here yet; run `kg build --store {directory}`")
    page = RemotePage(store_spec) if remote else None
    pool = WorkerPool(store_spec if remote else directory, size=workers)
    try:
        config = ServerConfig(directory=directory, host=host, port=port, timeout=timeout, max_rows=max_rows,
                              workers=workers, page=page, source=str(store_spec))
        try:
            server = SparqlServer(config, pool)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        bound_host, bound_port = server.server_address[:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
        base = f"http://{shown}:{bound_port}"
        click.echo(f"serving {store_spec} at {base}/  (SPARQL endpoint {base}/sparql, query page {base}/query)")
        click.echo(f"  read-only; a request may take {timeout:g} s (queueing included) and return {max_rows} rows; Ctrl-C stops", err=False)
        sys.stdout.flush()

        def stop(signum, frame):
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop) if threading.current_thread() is threading.main_thread() else None
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            click.echo("stopped")
        finally:
            server.server_close()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
    finally:
        pool.close()
