"""A SPARQL 1.1 endpoint as the store: Query, Update and the Graph Store Protocol over HTTP.

`--store http(s)://HOST:PORT[/PATH]` works with any server that speaks SPARQL 1.1 Query and Update and the
Graph Store Protocol (Oxigraph server, Apache Jena Fuseki, Virtuoso, GraphDB). The store URL is the server (or,
for Fuseki and GraphDB, the dataset or repository); the three endpoints are found under it, by a preset for the
server named in KG_SPARQL_SERVER, each path overridable. Configuration is read from the environment only, so
the same `kg` commands work unchanged against every kind of store, and credentials never appear on a command
line or in a shell history:

    KG_SPARQL_SERVER       oxigraph (default) | fuseki | virtuoso | graphdb: picks the three paths below
    KG_SPARQL_QUERY_PATH   the query endpoint, a path under the store URL or a full URL (oxigraph: /query)
    KG_SPARQL_UPDATE_PATH  the update endpoint (oxigraph: /update)
    KG_SPARQL_GSP_PATH     the Graph Store Protocol endpoint (oxigraph: /store)
    KG_SPARQL_DATASET      auto (default): `set` when the server's default graph is free for the project
                           (empty, or already the project's) and its updates are transactions
                           (KG_SPARQL_REPLACE=update: Oxigraph), `union` otherwise;
                           graphs: every query names the project's graphs (default-graph-uri and
                           named-graph-uri for each), so a server whose default graph is the union of everything
                           (Virtuoso: its system graphs too) answers over the project's graphs only;
                           set: as the embedded store does, the build keeps the server's default graph equal to
                           the set union of the project's graphs, and queries name no graphs (a server or dataset
                           for this project only, whose default graph is a graph of its own and whose updates are
                           transactions: an Oxigraph server; Fuseki without unionDefaultGraph), whatever the
                           default graph held before;
                           union: the build keeps a graph of its own, UNION, equal to the set union of the
                           project's graphs, and queries name that one graph (any server);
                           server: send no dataset and trust the server's default graph (an Oxigraph server
                           started with --union-default-graph that holds only this project)
    KG_STORE_USER, KG_STORE_PASSWORD   HTTP Basic or Digest credentials (whichever the server asks for)
    KG_STORE_TOKEN         a bearer token, instead of a user and password
    KG_STORE_TIMEOUT       seconds to wait for an answer (default 120)
    KG_SPARQL_REPLACE      move (default; oxigraph: update): how an article graph is replaced, see below

Queries go as form-encoded POST (`query=...`): Virtuoso 7.2.5 never answers a POST whose Content-Type is
application/sparql-query. An article graph is replaced without ever being half-written. `move`, for any
server: its triples are first uploaded with a Graph Store Protocol PUT under a temporary graph name, then one
SPARQL update moves a batch of them over their article graphs (`MOVE <tmp> TO <graph>`); a server that dies
during the uploads leaves the old graphs and temporary graphs, which the next build removes before writing.
`update`, for servers that run each update request in one transaction (Oxigraph does; it is the default
there, and about twice as fast): `DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> {...} }` for each article,
GRAPHS_PER_UPDATE articles a request (an Oxigraph server at 1M triples: 59 s one article a request, 37 s ten).

**KG_SPARQL_DATASET=set, union and auto.** Naming 2,000 article graphs in every query made an Oxigraph server
answer none of the named queries within 15 s at 1M triples: it reads each named graph in turn, and the union it
makes is a bag (an actor's label once per article that mentions it). On Virtuoso 7.2.5 it was not only slow (the
listing queries did not answer within 30 s) but wrong: with 80 or more graphs named in a request it answered
`actors` with 24 rows of 227 and `evidence` with none (a transitive path in a FILTER NOT EXISTS, or joined to a
variable predicate; right again after a restart, or with one graph). So the build keeps the set union of the
project's graphs on the server (graph/store.py does the same on disk), and queries read it: in `set` mode in the
server's default graph (queries name no graph), in `union` mode in a named graph of the project's own, UNION
(queries name that one). The same request that replaces an article graph removes from the union the triples of
the old graph that no other project graph holds and adds the new ones (with `move`, the new ones are copied in
after the MOVE). A marker graph (safety.LAYOUT_GRAPH, outside the project's graphs) says which union is kept;
until one is, writes go as in `graphs` mode, and at the end of the first build the union is emptied, every
project graph copied into it (LAYOUT_CHUNK graphs an update) and the marker written (at 1M triples much faster
than copying each article as it is written). The marker's triple says "kept" (which union) or "stale": a layout
starts by writing it stale, a write in another mode turns it stale, and so does a build's first write to the union
graph until its ``flush`` (with `move` those writes are not one transaction). A layout stopped midway, or a build
that did not keep the union, leaves answers right (queries name the graphs until the marker says "kept" again),
and the next build lays the union out again. `auto`, the default, keeps the default graph when it is free, that
is, holds the stale marker's project or nothing at all (asked after the build's writes: on a server started with
--union-default-graph it then shows the project's graphs), and the union graph otherwise; on a server whose
updates are not transactions (`move`) it is `union`. A server whose default graph shows the marker's graph
(--union-default-graph) is never taken as keeping the default graph: a query naming none would count each
triple twice there.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from itertools import count
from typing import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from . import safety, sparqltext
from .errors import KgError
from .ns import GR, INFERRED_GRAPH, KG
from .store import QueryError, Result, ntriples

TMP_GRAPHS = "https://w3id.org/legal-news-kg/tmp/"
LAYOUT = safety.LAYOUT_GRAPH  # the graph whose one triple says which union the server keeps, or that it is stale
_MARKER = f"<{LAYOUT}> <{LAYOUT}> \"the default graph is the set union of the project's graphs\""
# a build that did not keep the default graph, or a layout under way: the default graph is still the project's,
# stale, to be laid out again by the next build in set or auto mode
_STALE = f"<{LAYOUT}> <{LAYOUT}> \"stale: the default graph was the set union of the project's graphs\""
UNION = "urn:x-legal-news-kg:union"  # KG_SPARQL_DATASET=union: the named graph the build keeps as the set union
_UNION_MARKER = f"<{LAYOUT}> <{LAYOUT}> \"the graph <{UNION}> is the set union of the project's graphs\""
_UNION_STALE = f"<{LAYOUT}> <{LAYOUT}> \"stale: the graph <{UNION}> was the set union of the project's graphs\""
_STALE_OF = {_MARKER: _STALE, _UNION_MARKER: _UNION_STALE}
LAYOUT_CHUNK = 200  # graphs copied into the default graph per update when laying it out (see _lay_out)

# Virtuoso echoes every default-graph-uri as an X-SPARQL-default-graph response header: one per article graph,
# past http.client's limit of 100 headers.
http.client._MAXHEADERS = max(getattr(http.client, "_MAXHEADERS", 100), 1_000_000)

PRESETS = {
    "oxigraph": {"query": "/query", "update": "/update", "gsp": "/store", "replace": "update"},
    "fuseki": {"query": "/query", "update": "/update", "gsp": "/data", "replace": "move"},
    "virtuoso": {"query": "/sparql", "update": "/sparql", "gsp": "/sparql-graph-crud", "replace": "move"},
    "virtuoso-auth": {"query": "/sparql-auth", "update": "/sparql-auth", "gsp": "/sparql-graph-crud-auth",
                      "replace": "move"},
    "graphdb": {"query": "", "update": "/statements", "gsp": "/rdf-graphs/service", "replace": "move"},
}
MOVES_PER_UPDATE = 50
GRAPHS_PER_UPDATE = 10  # KG_SPARQL_REPLACE=update: article graphs replaced per update request (one transaction)


class StoreUnavailable(KgError):
    """The endpoint cannot be reached or refused us. Exit 2."""

    exit_code = 2


def _endpoint(base: str, path: str) -> str:
    if re.match(r"^https?://", path):
        return path
    if path and not path.startswith("/"):
        path = "/" + path
    return base.rstrip("/") + path


class RemoteStore:
    """A SPARQL 1.1 Query/Update + Graph Store Protocol endpoint (see the module docstring for settings)."""

    kind = "remote"
    directory = None

    def __init__(self, url: str, read_only: bool = False, env: dict | None = None):
        env = os.environ if env is None else env
        self.location = self.url = url.rstrip("/")
        self.read_only = read_only
        server = env.get("KG_SPARQL_SERVER", "oxigraph").strip().lower() or "oxigraph"
        if server == "virtuoso" and env.get("KG_STORE_USER"):
            server = "virtuoso-auth"
        if server not in PRESETS:
            raise KgError(f"KG_SPARQL_SERVER={server!r} is not one of {', '.join(p for p in PRESETS if p != 'virtuoso-auth')}; "
                          "or set KG_SPARQL_QUERY_PATH, KG_SPARQL_UPDATE_PATH and KG_SPARQL_GSP_PATH yourself")
        paths = PRESETS[server]
        self.query_url = _endpoint(self.url, env.get("KG_SPARQL_QUERY_PATH", paths["query"]))
        self.update_url = _endpoint(self.url, env.get("KG_SPARQL_UPDATE_PATH", paths["update"]))
        self.gsp_url = _endpoint(self.url, env.get("KG_SPARQL_GSP_PATH", paths["gsp"]))
        self.dataset = env.get("KG_SPARQL_DATASET", "").strip().lower() or "auto"
        if self.dataset not in ("auto", "graphs", "set", "union", "server"):
            raise KgError(f"KG_SPARQL_DATASET={self.dataset!r}: use `auto` (the default: `set` on a server whose "
                          "updates are transactions when its default graph is free, `union` otherwise), `graphs` "
                          "(name the project's graphs in every query), `set` (the build keeps the server's default "
                          "graph as the union of the project's graphs), `union` (the build keeps a graph of its own "
                          f"as that union, <{UNION}>) or `server` (the server's default graph is already the "
                          "project's)")
        self.replace = env.get("KG_SPARQL_REPLACE", paths["replace"]).strip().lower()
        if self.replace not in ("move", "update"):
            raise KgError(f"KG_SPARQL_REPLACE={self.replace!r}: use `move` (upload, then MOVE; any server) or "
                          "`update` (one update per article; servers whose updates are transactions)")
        if self.dataset == "set" and self.replace != "update":
            raise KgError("KG_SPARQL_DATASET=set needs KG_SPARQL_REPLACE=update: the article graph and the default "
                          "graph change in one update request, so the server must run each request as one "
                          "transaction (Oxigraph does)")
        if self.dataset == "auto" and self.replace != "update":
            self.dataset = "union"  # the default graph can be kept only by updates that are transactions
        # the project's union this store reads and keeps: "default" (the default graph), "union" (the union graph)
        # or "" (none: the graphs are named); None until asked (_kept)
        self._state: str | None = None
        self._keeping = ""           # the union graph while this store's writes keep it (its marker stale till flush)
        self._staled = False         # this store has written the union graph's marker stale (before its first change)
        self._invalidated = False    # a write that keeps no union has made any kept marker stale
        self.timeout = float(env.get("KG_STORE_TIMEOUT", "120"))
        self._token = env.get("KG_STORE_TOKEN")
        handlers = []
        user, password = env.get("KG_STORE_USER"), env.get("KG_STORE_PASSWORD")
        if user:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, self.url, user, password or "")
            handlers += [urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)]
        self._opener = urllib.request.build_opener(*handlers)
        self._graphs: list[URIRef] | None = None
        self._tmp = count(1)
        self._cleaned = False

    # -- HTTP ----------------------------------------------------------------------------------------
    def _request(self, url: str, data: bytes | None, headers: dict, method: str = "POST",
                 what: str = "query") -> tuple[str, bytes]:
        headers = dict(headers)
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()
            detail = " ".join(body.split())[:600]
            if exc.code in (401, 403):
                raise StoreUnavailable(
                    f"the SPARQL store at {url} refused the {what} (HTTP {exc.code}): set KG_STORE_USER and "
                    f"KG_STORE_PASSWORD (or KG_STORE_TOKEN) in the environment to an account allowed to "
                    f"{'read' if what == 'query' else 'write'} it") from None
            if exc.code == 404:
                raise StoreUnavailable(
                    f"the SPARQL store has no endpoint at {url} (HTTP 404): check the store URL, KG_SPARQL_SERVER "
                    f"and the KG_SPARQL_*_PATH settings") from None
            if exc.code == 400 and what == "query":
                raise QueryError(f"the SPARQL store at {url} rejected the query: {detail}") from None
            raise StoreUnavailable(f"the SPARQL store at {url} failed the {what} (HTTP {exc.code}): {detail}") from None
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError, OSError,
                http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (socket.timeout, TimeoutError)):  # reached, but no answer in time
                after = ("the server may still be running the query; ask it less at once, or set KG_STORE_TIMEOUT "
                         "higher" if what == "query" else
                         "the server may still complete the update; run the build again once it is idle: it checks "
                         "every article graph and redoes what is missing")
                raise StoreUnavailable(f"the SPARQL store at {url} did not answer the {what} within "
                                       f"{self.timeout:g} s (KG_STORE_TIMEOUT); {after}") from None
            raise StoreUnavailable(
                f"cannot reach the SPARQL store at {url}: {reason}; is the server running, and is the URL right? "
                "Nothing was changed by this command after that point; run it again once the server is up") from None

    def _form(self, url: str, fields: list[tuple[str, str]], accept: str, what: str) -> tuple[str, bytes]:
        body = urllib.parse.urlencode(fields).encode("utf-8")
        return self._request(url, body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                                         "Accept": accept}, what=what)

    # -- reading -------------------------------------------------------------------------------------
    def _dataset_fields(self, sparql: str) -> list[tuple[str, str]]:
        kept = self._kept()
        if self.dataset == "server" or kept == "default":
            return []
        named = re.search(r"\bGRAPH\b", sparqltext.blank(sparql), re.I)
        if kept == "union":
            # one graph, not thousands: faster, and Virtuoso 7.2.5 answered some queries wrongly when a request
            # named 80 or more graphs (a transitive path in a FILTER NOT EXISTS, or joined to a variable predicate)
            graphs = self.graphs() if named else []
            fields = [("default-graph-uri", UNION)]
        else:
            graphs = self.graphs() or [URIRef(str(GR) + "none")]  # an empty dataset, not the server's default
            fields = [("default-graph-uri", str(g)) for g in graphs]
        return fields + ([("named-graph-uri", str(g)) for g in graphs] if named else [])

    def query(self, sparql: str, bindings: dict[str, Node] | None = None, union: bool = True) -> Result:
        # a VALUES block closing the WHERE group (after its BINDs, inside its FILTERs' scope) behaves like
        # pyoxigraph's substitutions for this project's parameter style (graph/queries.py)
        text = sparqltext.with_values(sparql, bindings or {})
        fields = [("query", text)] + (self._dataset_fields(text) if union else [])
        return self._run_query(fields)

    def answer(self, sparql: str, bindings: dict[str, Node] | None = None, default_graphs=(),
               named_graphs=()) -> tuple[str, Result]:
        """`kg serve`'s question (graph/sparql_worker.py): ``sparql`` with ``bindings`` bound as ``query`` binds
        them, over the graphs the request named, which must be the project's, or the project's dataset when it
        named none; (``"solutions"``, ``"boolean"`` or ``"triples"``, the Result)."""
        text = sparqltext.with_values(sparql, bindings or {})
        if not default_graphs and not named_graphs:
            return self._answer([("query", text)] + self._dataset_fields(text))
        project = {str(g) for g in self.graphs()}
        outside = sorted({str(g) for g in (*default_graphs, *named_graphs)} - project)
        if outside:
            raise QueryError(f"<{outside[0]}> is not one of the project's graphs on this store; name one of "
                             f"those under {GR}, or none")
        return self._answer([("query", text)] + [("default-graph-uri", str(g)) for g in default_graphs]
                            + [("named-graph-uri", str(g)) for g in named_graphs])

    def _run_query(self, fields) -> Result:
        return self._answer(fields)[1]

    def _answer(self, fields) -> tuple[str, Result]:
        content_type, body = self._form(
            self.query_url, fields,
            "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8", "query")
        content_type = content_type.split(";")[0].strip().lower()
        if content_type in ("application/sparql-results+json", "application/json"):
            result = parse_json_results(json.loads(body.decode("utf-8")))
            return ("boolean" if result.boolean is not None else "solutions"), result
        fmt = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
               "application/rdf+xml": "xml"}.get(content_type, "turtle")
        graph = Graph()
        graph.parse(data=body.decode("utf-8"), format=fmt)
        rows = [{"s": s, "p": p, "o": o} for s, p, o in graph]
        return "triples", Result(["s", "p", "o"], rows)

    def _select_all_graphs(self, sparql: str) -> list[dict]:
        """A query over every named graph of the server (no dataset given), for finding the project's graphs."""
        return self._run_query([("query", sparql)]).rows

    def input_hashes(self, prefix: str = str(GR)) -> dict[URIRef, str]:
        rows = self._select_all_graphs(
            "SELECT ?g ?h WHERE { GRAPH ?g { ?s <%s> ?h } FILTER(STRSTARTS(STR(?g), \"%s\")) }" % (KG.inputHash, prefix))
        return {URIRef(str(r["g"])): str(r["h"]) for r in rows if r.get("g") is not None and r.get("h") is not None}

    def input_hash(self, graph_name: URIRef, article: URIRef) -> str | None:
        rows = self._run_query([("query", "SELECT ?h WHERE { GRAPH <%s> { <%s> <%s> ?h } } LIMIT 1"
                                 % (graph_name, article, KG.inputHash))]).rows
        return str(rows[0]["h"]) if rows else None

    def graphs(self) -> list[URIRef]:
        """The project's named graphs: those carrying a kg:inputHash, and gr:inferred when it has triples."""
        if self._graphs is None:
            found = set(self.input_hashes())
            answer = self._run_query([("query", "ASK { GRAPH <%s> { ?s ?p ?o } }" % INFERRED_GRAPH)])
            if answer.boolean:
                found.add(INFERRED_GRAPH)
            self._graphs = sorted(found)
        return list(self._graphs)

    def triple_count(self) -> int:
        rows = self._select_all_graphs(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"%s\")) }" % GR)
        return int(rows[0]["n"]) if rows else 0

    def forget(self) -> None:
        """Forget what was read of the server's layout (its project graphs, whether a union is kept): a
        long-running reader (kg serve's worker) asks again for each request, since a build may have changed it."""
        self._graphs = None
        if not self._keeping:
            self._state = None

    def _kept(self) -> str:
        """The union the server keeps for this mode: "default" (set, auto) when the marker says the default graph
        is kept and the default graph is the server's own (on a server started with --union-default-graph it would
        show every graph, the marker's too, and a query naming none would count each triple twice); "union"
        (union, auto) when the marker says the union graph is kept; "" when neither (the graphs are named)."""
        if self._keeping:
            return self._keeping  # this build is keeping the union graph (its marker says stale until flush)
        if self._state is None:
            self._state = ""
            if self.dataset in ("set", "auto") and self._ask(
                    f"ASK {{ GRAPH <{LAYOUT}> {{ {_MARKER} }} FILTER NOT EXISTS {{ <{LAYOUT}> <{LAYOUT}> ?any }} }}"):
                self._state = "default"
            elif self.dataset in ("union", "auto") and self._ask(f"ASK {{ GRAPH <{LAYOUT}> {{ {_UNION_MARKER} }} }}"):
                self._state = "union"
        return self._state

    def _ask(self, sparql: str) -> bool:
        """An ASK query with no dataset given (the server's own default graph)."""
        return bool(self._run_query([("query", sparql)]).boolean)

    def _free(self) -> bool:
        """Auto mode, after a build's writes: whether the server's default graph is free for the project's set
        union. It is when the marker says the project kept it (a build in `graphs` mode or a layout stopped midway
        left it stale) or when it holds nothing; it is not when it holds anything else (another user's triples, or
        every graph's: a server started with --union-default-graph), which is left alone and the union graph kept
        instead."""
        if self._ask(f"ASK {{ <{LAYOUT}> <{LAYOUT}> ?any }}"):  # the marker graph shows in the default graph
            return False
        return self._ask(f"ASK {{ GRAPH <{LAYOUT}> {{ {_STALE} }} }}") or not self._ask("ASK { ?s ?p ?o }")

    # -- writing -------------------------------------------------------------------------------------
    def _update(self, text: str) -> None:
        self._form(self.update_url, [("update", text)], "*/*", "update")
        self._graphs = None

    def _start_write(self) -> str:
        """Before a write: the union it keeps ("default" or "union", as ``_kept``), or "" when the server keeps
        none for this mode. A write that keeps none first makes a kept marker stale (whichever mode kept it):
        queries then name the graphs, and the next build that keeps a union lays it out again. The union graph is
        written with several requests (KG_SPARQL_REPLACE=move), so its marker says stale from the first request
        that changes it (_changing) until ``flush``: a build stopped between leaves it stale, one with nothing to
        write leaves it kept."""
        kept = self._kept()
        if kept == "union":
            self._keeping = "union"
        if not kept and not self._invalidated:
            self._update(" ;\n".join(
                f"INSERT {{ GRAPH <{LAYOUT}> {{ {stale} }} }} WHERE {{ GRAPH <{LAYOUT}> {{ {marker} }} }} ;\n"
                f"DELETE DATA {{ GRAPH <{LAYOUT}> {{ {marker} }} }}" for marker, stale in _STALE_OF.items()))
            self._invalidated = True
        return kept

    def _mark(self, triple: str, then: str = "") -> None:
        """The marker graph's one triple becomes ``triple`` (kept or stale), with ``then`` in the same request."""
        self._update(f"DROP SILENT GRAPH <{LAYOUT}> ;\nINSERT DATA {{ GRAPH <{LAYOUT}> {{ {triple} }} }}"
                     + (f" ;\n{then}" if then else ""))

    @staticmethod
    def _into(target: str, body: str = "?s ?p ?o") -> str:
        """``body`` (a pattern or triples) placed in the union ``target``: the union graph, or the default graph."""
        return f"GRAPH <{UNION}> {{\n{body}\n}}" if target == "union" else body

    def _changing(self, kept: str) -> None:
        """Before the first request that changes the union graph: its marker says stale (see _start_write); a
        build with nothing to write leaves it kept."""
        if kept == "union" and not self._staled:
            self._mark(_UNION_STALE)
            self._staled = True

    def _lay_out_after(self, kept: str) -> None:
        """After a build's writes that kept no union: lay out the mode's (auto: the default graph when it is free,
        the union graph when not)."""
        if kept or self.dataset in ("graphs", "server"):
            return
        if self.dataset == "set" or (self.dataset == "auto" and self._free()):
            self._lay_out("default")
        else:
            self._lay_out("union")

    def _lay_out(self, target: str) -> None:
        """After the writes of a build that found no union kept (a first build): the default graph or the union
        graph (``target``) becomes the set union of the project's graphs, LAYOUT_CHUNK graphs an update, then the
        marker says so. Much faster than copying article by article; a build killed before the marker leaves the
        union unused (queries name the graphs) and the marker stale, and the next build lays it out again. One
        update for every graph took an Oxigraph server 41-43 s at 1M triples (one transaction), updates of 100 or
        400 graphs 21 s in all."""
        marker = _UNION_MARKER if target == "union" else _MARKER
        # the stale marker first: a layout stopped midway leaves the union known to be this project's
        self._mark(_STALE_OF[marker], f"DROP SILENT GRAPH <{UNION}>" if target == "union" else "DROP SILENT DEFAULT")
        graphs = self.graphs()  # (Virtuoso lists no graph for `GRAPH ?g { }`)
        for start in range(0, len(graphs), LAYOUT_CHUNK):
            names = " ".join(name.n3() for name in graphs[start:start + LAYOUT_CHUNK])  # n3() refuses a bad IRI
            self._update(f"INSERT {{ {self._into(target)} }} WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        self._mark(marker)
        self._state = None  # asked again: the default graph may show the marker (--union-default-graph)

    def _unshared(self, graph_name: URIRef, target: str) -> str:
        """The update removing from the union ``target`` (the default graph, or the union graph) the triples of
        ``graph_name`` that no other project graph holds."""
        return (f"DELETE {{ {self._into(target)} }} WHERE {{ GRAPH <{graph_name}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ "
                f"GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{graph_name}> && STRSTARTS(STR(?other), \"{GR}\")) }} }} ;\n")

    def _remove_leftovers(self) -> None:
        """Drop temporary graphs that an interrupted build left behind (they carry the article's hash)."""
        if self._cleaned:
            return
        self._cleaned = True
        leftovers = self.input_hashes(prefix=TMP_GRAPHS)
        if leftovers:
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(leftovers)))

    def _upload(self, graph_name: URIRef, graph: Graph | str) -> URIRef:
        """Put the triples under a fresh temporary graph name with the Graph Store Protocol; return that name."""
        data = graph if isinstance(graph, str) else ntriples(graph)
        tmp = URIRef(f"{TMP_GRAPHS}{os.getpid()}-{next(self._tmp)}")
        url = f"{self.gsp_url}?{urllib.parse.urlencode({'graph': str(tmp)})}"
        self._request(url, (data + "\n").encode("utf-8"), {"Content-Type": "text/turtle; charset=utf-8"},
                      method="PUT", what="upload")
        return tmp

    def replace_graph(self, graph_name: URIRef, graph: Graph | str) -> None:
        self.replace_graphs([(graph_name, graph)])

    def replace_graphs(self, items: Iterable[tuple[URIRef, Graph | str]], done=None) -> None:
        """Upload each graph under a temporary name, then move a batch over their targets in one update
        (or, with KG_SPARQL_REPLACE=update, replace GRAPHS_PER_UPDATE graphs an update request; a graph with blank
        nodes in a request of its own)."""
        keeping = self._start_write()
        if self.replace == "update":
            batch: list[tuple[URIRef, str]] = []

            def send():
                self._changing(keeping)
                self._update(" ;\n".join(text for _, text in batch))
                if done is not None:
                    for name, _ in batch:
                        done(name)
                batch.clear()

            for graph_name, graph in items:
                data = graph if isinstance(graph, str) else ntriples(graph)
                # kept: the union's copy goes in the same INSERT DATA (the same blank nodes)
                copy = self._into(keeping, data) if keeping else ""
                unshared = self._unshared(graph_name, keeping) if keeping else ""
                alone = "_:" in data  # a blank node label is the request's: one graph's nodes, not another's
                if alone and batch:
                    send()
                batch.append((graph_name, f"{unshared}DROP SILENT GRAPH <{graph_name}> ;\n"
                                          f"INSERT DATA {{ GRAPH <{graph_name}> {{\n{data}\n}}\n{copy}\n}}"))
                if alone or len(batch) >= GRAPHS_PER_UPDATE:
                    send()
            if batch:
                send()
            self._lay_out_after(keeping)
            return
        self._remove_leftovers()
        pending: list[tuple[URIRef, URIRef]] = []

        def move():
            if pending:
                self._changing(keeping)
                # kept: each graph's old triples that no other graph holds leave the union graph, and its new ones
                # are copied in after the MOVE (the marker says stale until flush)
                self._update(" ;\n".join(
                    f"{self._unshared(name, keeping)}MOVE <{tmp}> TO <{name}> ;\n"
                    f"INSERT {{ {self._into(keeping)} }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
                    if keeping else f"MOVE <{tmp}> TO <{name}>" for tmp, name in pending))
                if done is not None:
                    for _, name in pending:
                        done(name)
                pending.clear()

        for graph_name, graph in items:
            pending.append((self._upload(graph_name, graph), graph_name))
            if len(pending) >= MOVES_PER_UPDATE:
                move()
        move()
        self._lay_out_after(keeping)

    def remove_graph(self, graph_name: URIRef) -> None:
        kept = self._start_write()
        self._changing(kept)
        unshared = self._unshared(graph_name, kept) if kept else ""
        self._update(f"{unshared}DROP SILENT GRAPH <{graph_name}>")

    def flush(self) -> None:
        """The end of a build's writes: in union mode, the marker says the union graph is kept again."""
        if self._keeping:
            if self._staled:
                self._mark(_UNION_MARKER)
            self._keeping, self._staled = "", False
            self._state = "union"

    def close(self) -> None:
        pass


# -- helpers -----------------------------------------------------------------------------------------
def _term(binding: dict) -> Node | None:
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        if binding.get("xml:lang"):
            return Literal(value, lang=binding["xml:lang"])
        datatype = binding.get("datatype")
        if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    return None


def parse_json_results(data: dict) -> Result:
    if "boolean" in data:
        return Result([], [], bool(data["boolean"]))
    variables = list(data.get("head", {}).get("vars", []))
    rows = [{v: _term(b[v]) if v in b else None for v in variables} for b in data.get("results", {}).get("bindings", [])]
    return Result(variables, rows)
