"""How fast is the project's store against the engine's own limit? A synthetic corpus, measured in one run.

Run:  .venv/bin/python scripts/bench.py --size 1000000 --build-runs 3   (about 1M triples: 1,985 articles)
      .venv/bin/python scripts/bench.py --stores embedded,oxigraph-server
      .venv/bin/python scripts/bench.py --size 20000 --stores embedded,memory
      .venv/bin/python scripts/bench.py --articles 50 --json bench.json

--size N asks for about N triples (a generated article makes 504 triples: 20 actors, 15 statements of 150
characters with anchors, 2 offers with their actions, a doctrine condition, 6 legal positions); --articles N asks
for N articles instead. The corpus is made by scripts/gen_corpus.py (actors shared across articles with Zipf
popularity, doctrines from a pool of 300 declared in a generated ontology extension passed with --ontology).

What is measured, all in this run, on this machine:

full build     `kg build --store DIR` on every article, in a child process: reading, converting and SHACL-
               validating on every core, then writing each article's graph in its own transaction; its peak
               memory is the sum of the resident memory of the build process and its workers, sampled every
               50 ms. The other store kinds reuse the same prepared graphs: their full build time is the measured
               prepare time plus their own write phase (uploads and MOVEs for a SPARQL endpoint).
bulk load      the same quads (N-Quads dumped from the built store: every named graph, and the default graph the
               store keeps as their set union) loaded by pyoxigraph's Store.bulk_load into a fresh on-disk store
               and into memory: the engine's limit, no validation, no transactions. Also once on disk with
               lenient=True (IRIs and language tags not checked, as the build's loader parses the N-Triples it
               wrote itself), shown beside it; the ratios are taken against the default, strict load.
               With --build-runs N, the full build, its listings and the bulk load on disk are run N times, one
               after the other, and the table shows each one's median and every run's ratios (on a noisy machine
               one run of each moved the ratio by 20% either way; the JSON keeps every run).
incremental    one new article added to the built store (`kg build` naming every article, so every input hash
               is checked): in the build process (the summary's time) and as a whole command (with Python's start).
listings       `kg build --listings` run again on the built store, no article changed: the time it spends making
               the listings of the queries that list everything (graph/listings.py), which the incremental build
               then keeps up to date and the queries below read; a query that has one also shows what the store
               takes without it (the query itself through the store: the first time it is asked after a full
               build made without --listings). That command's peak memory is measured as the full build's.
               Also `kg build --listings` on an empty store, the full build making its listings as one command
               (it makes listings while it compacts what it bulk-loaded): its wall time against the bulk load.
queries        every named query (ontology/queries and extensions), p50 and p95 over --runs runs: through the
               project's store interface (rows as rdflib terms) and raw pyoxigraph on the bulk-loaded store,
               asked the same way over the same quads (the same text, a selective parameter in its VALUES
               block, the others substituted): `Store.query(..., use_default_graph_as_union=False)` on
               the loaded default graph (the set union of the graphs, as the project's store answers), every
               value read; and on the servers, over the dataset KG_SPARQL_DATASET picks (graph/remote.py: by
               default the set union of the project's graphs the build keeps, in an Oxigraph server's default
               graph or in Virtuoso's union graph; with `graphs`, every project graph named in the request).
               A query with a required parameter (`said-about`, `evidence`) is asked, as `kg query` must ask
               it, about the value the most rows have when it runs without it; and each optional `selective`
               parameter (graph/queries.py) is asked the same way, about one value, on the project's store.
               A server whose answer has another number of rows than the project's store is marked
               `(N rows!)` in the table: a fast wrong answer is no answer (Virtuoso gave one).
html           graph.html's write_html on stores of about 1,000 and 5,000 drawable nodes.

Targets (issue 6): full build within 3x of the bulk load; each named query within 2x of raw pyoxigraph and
under 1 s; one-article incremental build under 1 s; peak memory under 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import pyoxigraph as ox  # noqa: E402

import gen_corpus  # noqa: E402
from graph import listings, queries  # noqa: E402
from graph.ns import KG, ONTOLOGY_GRAPH  # noqa: E402
from graph.ontology import Ontology  # noqa: E402
from graph.store import to_ox  # noqa: E402

TRIPLES_PER_ARTICLE = 504
KG_CMD = [sys.executable, "-c", "import sys; from graph.cli import main; sys.exit(main())"]
VIRTUOSO_INI = ROOT / "scripts" / "virtuoso" / "virtuoso.ini"


# -- servers -----------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float = 60.0, process=None) -> None:
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


class Server:
    """An Oxigraph server or a Virtuoso, on 127.0.0.1, with its data in a temporary folder."""

    def __init__(self, kind: str, folder: Path, options: tuple = ()):
        """``options``: more arguments for the server's command (an Oxigraph server's --union-default-graph)."""
        self.kind, self.folder = kind, Path(folder).resolve()  # the server runs in it: an absolute --location
        self.options = tuple(options)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env: dict[str, str] = {}
        self.process = None

    def start(self) -> "Server":
        """Start the server and wait until it answers; one that does not is stopped before the error is raised."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> "Server":
        if self.kind == "oxigraph":
            binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
            command, answers = [binary, "serve", "--location", str(self.folder / "data"),
                                "--bind", f"127.0.0.1:{self.port}", *self.options], "query"
        else:
            ini = VIRTUOSO_INI.read_text(encoding="utf-8")
            ini = ini.replace("127.0.0.1:1111", f"127.0.0.1:{free_port()}").replace("127.0.0.1:8890", f"127.0.0.1:{self.port}")
            (self.folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
            command, answers = ["virtuoso-t", "+foreground", "+configfile", "virtuoso.ini"], "sparql"
            self.env = {"KG_SPARQL_SERVER": "virtuoso", "KG_STORE_USER": "dba", "KG_STORE_PASSWORD": "dba"}
        with open(self.folder / "server.log", "ab") as log:  # the server writes to its own copy
            self.process = subprocess.Popen(command, cwd=self.folder, stdout=log, stderr=log)
        wait_http(f"{self.url}/{answers}?query=ASK%7B%7D", process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


STORE_KINDS = ("embedded", "memory", "oxigraph-server", "virtuoso")


def available(kind: str) -> bool:
    if kind == "oxigraph-server":
        return bool(shutil.which("oxigraph", path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")))
    if kind == "virtuoso":
        return bool(shutil.which("virtuoso-t"))
    return True


# -- measuring ---------------------------------------------------------------------------------------
class PeakMemory:
    """Peak of the summed resident memory of a process and its children, sampled every 50 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil is in the test extra
            return
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            try:
                total = root.memory_info().rss + sum(c.memory_info().rss for c in root.children(recursive=True))
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


def run_kg(args: list[str], env: dict | None = None) -> tuple[float, str, int]:
    """Run `kg ARGS` as a child process; return (wall seconds, stdout, peak bytes)."""
    started = time.perf_counter()
    process = subprocess.Popen(KG_CMD + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})}, cwd=ROOT)
    memory = PeakMemory(process.pid)
    try:
        out, err = process.communicate()
    except BaseException:  # the benchmark is stopped (Ctrl-C, SIGTERM): so is its command
        process.kill()
        process.wait()
        memory.stop()
        raise
    wall = time.perf_counter() - started
    peak = memory.stop()
    if process.returncode != 0:
        raise RuntimeError(f"kg {' '.join(args[:3])} ... failed ({process.returncode}):\n{err[-3000:]}")
    return wall, out, peak


def kg_build(store: Path, extension: Path, dirs: list[str], *options: str) -> tuple[float, str, dict, int]:
    """`kg build OPTIONS --store STORE --ontology EXTENSION DIRS` as a child process: its wall seconds, output,
    summary's seconds (summary_seconds) and peak bytes."""
    wall, out, peak = run_kg(["build", *options, "--store", str(store), "--ontology", str(extension), *dirs])
    return wall, out, summary_seconds(out), peak


def summary_seconds(output: str) -> dict[str, float]:
    match = re.search(r"time: ([\d.]+) s \(prepare ([\d.]+) s, write ([\d.]+) s, export ([\d.]+) s"
                      r"(?:, listings ([\d.]+) s)?\)", output)
    if not match:
        return {}
    found = dict(zip(("total", "prepare", "write", "export", "listings"), match.groups()))
    return {k: float(v) for k, v in found.items() if v is not None}


def timed(function, runs: int) -> list[float]:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
        if i == 0 and times[0] > 5:  # a slow query: one run shows it (and keeps the benchmark within the hour)
            runs = 1
        if i + 1 >= runs:
            break
    return times


def _probe(directory: Path, query) -> None:
    from graph.store import OxigraphStore

    store = OxigraphStore(directory, read_only=True)
    queries.execute(store, query, {})
    os._exit(0)


def _most_rows(rows: list, name: str):
    """The value of column ``name`` that the most rows have (the first in IRI order on a tie), or None."""
    from collections import Counter

    counts = Counter(row[name] for row in rows if row.get(name) is not None)
    return min(counts, key=lambda value: (-counts[value], str(value))) if counts else None


def required_values(store, query) -> dict:
    """A value for each required parameter, as `kg query` needs one: the one the most rows have when the query
    runs without it (`said-about` about the most talked-about topic), so the figure is the heaviest real case."""
    needed = [name for name, param in query.params.items() if not param.optional]
    if not needed:
        return {}
    rows = store.query(query.text, {}).rows
    chosen = {name: _most_rows(rows, name) for name in needed}
    return {name: value for name, value in chosen.items() if value is not None}


#: for a selective parameter that the rows do not show (matched in a FILTER): a query for the heaviest value
FILTER_VALUES = {
    "actor_iri": "PREFIX kg: <https://w3id.org/legal-news-kg/ontology#> PREFIX schema: <https://schema.org/> "
                 "SELECT ?v (COUNT(*) AS ?n) WHERE { ?s kg:participant|kg:conveyedBy|kg:offeredBy|kg:speaker|"
                 "schema:author|kg:holder ?v } GROUP BY ?v ORDER BY DESC(?n) STR(?v) LIMIT 1",
}


def one_value(store, query, bindings: dict, rows: list, runs: int) -> dict:
    """Each optional `selective` parameter asked as a user asks it: about one value, the one the most rows have
    (an article's statements, an actor's positions), on the project's store: {param: {value, rows, p50, p95}}.
    A parameter that is not a column of the rows (tested in a FILTER) is asked about the value FILTER_VALUES
    finds for its name (`timeline`'s actor: the actor in the most roles), or not asked."""
    found = {}
    for name, param in query.params.items():
        if not (param.selective and param.optional):
            continue
        value = _most_rows(rows, name)
        if value is None and name in FILTER_VALUES:
            picked = store.query(FILTER_VALUES[name]).rows
            value = picked[0]["v"] if picked else None
        if value is None:
            continue
        answer = {}

        def ask():
            answer["rows"] = len(queries.execute(store, query, {**bindings, name: value}).rows)

        times = timed(ask, runs)
        found[name] = {"value": str(value), "rows": answer["rows"], "p50": percentile(times, .5),
                       "p95": percentile(times, .95)}
    return found


def finishes(directory: Path, query, timeout: float):
    """Run the query once in a forked child; None when it answered within ``timeout`` seconds, else the time."""
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(target=_probe, args=(directory, query))
    child.start()
    try:
        child.join(timeout)
    except BaseException:  # the benchmark is stopped: so is the query
        child.kill()
        child.join()
        raise
    if child.is_alive():
        child.kill()
        child.join()
        return timeout
    if child.exitcode != 0:
        raise RuntimeError(f"the query {query.name} failed on the embedded store (exit {child.exitcode})")
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ox_substitutions(bindings: dict) -> dict | None:
    """pyoxigraph's substitutions for rdflib-term bindings (made once, outside the timed runs)."""
    return {ox.Variable(k): to_ox(v) for k, v in bindings.items()} or None


def raw_query(store: ox.Store, text: str, substitutions: dict | None = None) -> int:
    # the loaded default graph: the set union
    answer = store.query(text, use_default_graph_as_union=False, substitutions=substitutions)
    if isinstance(answer, ox.QueryBoolean):
        return int(bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows = 0
        for solution in answer:
            for name in names:
                solution[name]
            rows += 1
        return rows
    return sum(1 for _ in answer)


def graph_items(store: ox.Store) -> list[tuple[str, str]]:
    """(graph name, N-Triples) of every article graph in a built store: the prepared data, for other stores."""
    items = []
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        if not graph.value.startswith("https://w3id.org/legal-news-kg/graph/article/"):
            continue
        lines = [f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, None, None, graph)]
        items.append((graph.value, "\n".join(lines)))
    return items


def ontology_graph_text(store: ox.Store) -> str:
    return "\n".join(f"{q.subject} {q.predicate} {q.object} ."
                     for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(ONTOLOGY_GRAPH))))


# -- the benchmark -----------------------------------------------------------------------------------
def bench(args) -> dict:
    from rdflib import URIRef

    from graph.remote import RemoteStore
    from graph.store import OxigraphStore

    work = Path(args.workdir or tempfile.mkdtemp(prefix="kg-bench-"))
    articles = args.articles or max(2, round(args.size / TRIPLES_PER_ARTICLE))
    results: dict = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                                 "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else "?"},
                     "articles": articles, "stores": {}, "queries": {}, "html": {},
                     "sparql_dataset": os.environ.get("KG_SPARQL_DATASET") or "auto"}
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))

    def save():  # partial results survive a phase that fails or a run that is stopped
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    servers: list[Server] = []
    try:
        say(f"generating {articles} articles (+1 for the incremental build) in {work}")
        corpus, folders = gen_corpus.generate(work / "corpus", articles)
        extension = work / "corpus" / "ontology-extension"
        extra = corpus.write_article(work / "corpus" / "extra", articles)
        ontology = Ontology(extra_extension_dirs=[extension])
        dirs = [str(f) for f in folders]

        # 1. full build into the embedded store, as a command
        say("full build: kg build (embedded store on disk)")
        embedded = work / "embedded"
        wall, out, seconds, peak = kg_build(embedded, extension, dirs)
        triples = int(re.search(r"triples: (\d+)", out).group(1))
        results["triples"] = triples
        results["stores"]["embedded"] = {"full_build_s": wall, "prepare_s": seconds.get("prepare"),
                                         "write_s": seconds.get("write"), "peak_memory_mb": peak / 2**20}
        prepare_s = seconds.get("prepare", 0.0)
        save()

        # 2. the engine's limit: the same quads through pyoxigraph's bulk loader
        built = ox.Store.read_only(str(embedded / "store"))
        dump = work / "all.nq"
        built.dump(str(dump), ox.RdfFormat.N_QUADS)
        items = graph_items(built)
        onto_text = ontology_graph_text(built)
        del built
        say("bulk load: pyoxigraph Store.bulk_load of the same quads")
        bulk_disk, results["bulk_load_disk_s"] = bulk_load_disk(work / "bulk", dump)
        bulk_memory = ox.Store()
        started = time.perf_counter()
        bulk_memory.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        results["bulk_load_memory_s"] = time.perf_counter() - started
        del bulk_memory
        # the build parses its own N-Triples leniently (graph/store.py BulkWriter.add): the same here, for the table
        lenient, results["bulk_load_disk_lenient_s"] = bulk_load_disk(work / "bulk-lenient", dump, lenient=True)
        del lenient
        shutil.rmtree(work / "bulk-lenient", ignore_errors=True)
        save()

        # 3. the other kinds of store: the same prepared graphs written through the store interface
        stores = {"embedded": None}
        for kind in args.stores:
            if kind == "embedded":
                continue
            if not available(kind):
                say(f"{kind}: not installed, left out")
                continue
            say(f"write phase: {kind}")
            env: dict[str, str] = {}
            url = "memory:"
            try:
                if kind == "memory":
                    import graph.store as store_module

                    store_module._MEMORY.clear()
                    store = OxigraphStore(None)
                else:
                    server = Server("oxigraph" if kind == "oxigraph-server" else "virtuoso", work / kind)
                    servers.append(server)  # before it starts: stopped however the benchmark ends, even meanwhile
                    server.start()
                    env, url = server.env, server.url
                    store = RemoteStore(server.url, env={**os.environ, "KG_STORE_TIMEOUT": str(args.query_timeout), **env})
                started = time.perf_counter()
                # in kg build's order: the articles, then the ontology (a first build into an Oxigraph server
                # lays its default graph out at the end of the articles' writes: graph/remote.py)
                store.replace_graphs([(URIRef(name), text) for name, text in items])
                store.replace_graph(ONTOLOGY_GRAPH, onto_text)
                store.flush()
                write_s = time.perf_counter() - started
            except Exception as exc:  # noqa: BLE001 - a store that fails is a result; the others go on
                results["stores"][kind] = {"error": " ".join(str(exc).split())[:300]}
                say(f"  {kind} failed: {exc}")
                save()
                continue
            results["stores"][kind] = {"full_build_s": prepare_s + write_s, "prepare_s": prepare_s,
                                       "write_s": write_s, "peak_memory_mb": None}
            stores[kind] = (store, env, url)
            save()

        # 3b. the listings (graph/listings.py): made by a build that changes nothing else, as `kg build --listings`
        say("listings: kg build --listings (no article changed)")
        wall, _, seconds, peak = kg_build(embedded, extension, dirs, "--listings")
        results["stores"]["embedded"]["listings_s"] = seconds.get("listings")
        results["stores"]["embedded"]["listings_command_s"] = wall
        results["stores"]["embedded"]["listings_peak_memory_mb"] = peak / 2**20
        save()
        say("full build with its listings: kg build --listings (an empty store)")
        wall, peak = build_with_listings(work / "embedded-listed", extension, dirs)
        results["stores"]["embedded"]["build_with_listings_s"] = wall
        results["stores"]["embedded"]["build_with_listings_peak_memory_mb"] = peak
        save()

        # 3c. --build-runs: the full build, its listings and the bulk load again, one after the other, each into a
        # fresh folder; the table shows each one's median (a single run of each moved the ratio by 20% either way)
        if args.build_runs > 1:
            repeat_builds(args, results, work, extension, dirs, dump, say)
            save()

        # 4. incremental: one more article (the build keeps the listings up to date)
        say("incremental build: one new article")
        wall, out, seconds, _ = kg_build(embedded, extension, [*dirs, str(extra)])
        results["stores"]["embedded"]["incremental_command_s"] = wall
        results["stores"]["embedded"]["incremental_s"] = seconds.get("total")
        if "1 rebuilt" not in out:
            raise RuntimeError(f"the incremental build rebuilt more than one article:\n{out}")
        for kind, entry in stores.items():
            if entry is None or kind == "memory":
                continue
            store, env, url = entry
            from graph.build import build

            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                report = build([*folders, extra], url, ontology=ontology, html=False, trig=False)
                results["stores"][kind]["incremental_s"] = report.seconds["total"]
                if len(report.rebuilt) != 1:
                    results["stores"][kind]["incremental_error"] = f"rebuilt {len(report.rebuilt)} articles"
            except Exception as exc:  # noqa: BLE001
                results["stores"][kind]["incremental_error"] = " ".join(str(exc).split())[:300]
                say(f"  {kind}: the incremental build failed: {exc}")
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        save()
        # the raw store gets the extra article too, so both sides answer over the same triples
        project = OxigraphStore(embedded, read_only=True)
        extra_graph = ox.NamedNode(f"https://w3id.org/legal-news-kg/graph/article/{extra.name}")
        extra_quads = list(project.store.quads_for_pattern(None, None, None, extra_graph))
        bulk_disk.extend([ox.Quad(q.subject, q.predicate, q.object, g)
                          for q in extra_quads for g in (q.graph_name, ox.DefaultGraph())])
        bulk_disk.flush()

        # 5. every named query: the project's store against raw pyoxigraph, and on the servers
        say("named queries")
        for name, query in sorted(queries.named_queries(ontology).items()):
            entry = {}
            probe = finishes(embedded, query, args.query_timeout)
            if probe is not None:
                results["queries"][name] = {"timeout": args.query_timeout}
                say(f"  {name}: still running after {args.query_timeout:.0f} s on the embedded store, left out")
                continue
            bindings = required_values(project, query)
            if bindings:
                entry["params"] = {k: str(v) for k, v in bindings.items()}
            raw_text, raw_bindings = queries.bound_text(query, bindings)  # the text the store is given
            raw_terms = ox_substitutions(raw_bindings)
            raw = timed(lambda: raw_query(bulk_disk, raw_text, raw_terms), args.runs)
            entry["raw_pyoxigraph"] = {"p50": percentile(raw, .5), "p95": percentile(raw, .95)}
            rows = {}

            def on(store):
                result = queries.execute(store, query, bindings)
                rows["n"] = len(result.rows)
                rows["rows"] = result.rows

            mine = timed(lambda: on(project), args.runs)
            entry["embedded"] = {"p50": percentile(mine, .5), "p95": percentile(mine, .95), "rows": rows.get("n")}
            if listings.spec(query) is not None and not bindings:
                # what the same store answers without its listing: the first query after a full build
                unlisted = timed(lambda: project.query(*queries.bound_text(query, {})), args.runs)
                entry["unlisted"] = {"p50": percentile(unlisted, .5), "p95": percentile(unlisted, .95)}
            entry["selective"] = one_value(project, query, bindings, rows.pop("rows", []), args.runs)
            for kind, stored in stores.items():
                if stored is None or kind == "embedded":
                    continue
                store = stored[0]
                try:
                    got = timed(lambda: on(store), max(1, args.runs // 2) if kind != "memory" else args.runs)
                    entry[kind] = {"p50": percentile(got, .5), "p95": percentile(got, .95), "rows": rows.get("n")}
                except Exception as exc:  # noqa: BLE001 - a server that cannot run a query is a result too
                    entry[kind] = {"error": " ".join(str(exc).split())[:200]}
            entry["ratio"] = entry["embedded"]["p50"] / max(entry["raw_pyoxigraph"]["p50"], 1e-9)
            results["queries"][name] = entry
            save()
            say(f"  {name}: {entry['embedded']['p50'] * 1000:.1f} ms (raw {entry['raw_pyoxigraph']['p50'] * 1000:.1f} ms)")
        project.close()

        # 6. graph.html at about 1k and 5k nodes
        if args.html_sizes:
            results["html"] = bench_html(work, corpus, ontology, args.html_sizes, say)
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return results


def bench_html(work: Path, corpus, ontology, sizes: list[int], say) -> dict:
    from graph.build import build
    from graph.html import write_html
    from graph.store import OxigraphStore

    out = {}
    folder = work / "html-corpus"
    probe = [corpus.write_article(folder, 10_000_000 + i) for i in range(4)]
    build(probe, work / "html-probe", ontology=ontology, html=False, trig=False)
    store = OxigraphStore(work / "html-probe", read_only=True)
    per_article = write_html(store, work / "probe.html")["nodes"] / len(probe)
    store.close()
    for target in sizes:
        count = max(1, round(target / per_article))
        articles = probe + [corpus.write_article(folder, 10_000_000 + i) for i in range(len(probe), count)]
        articles = articles[:count]
        build(articles, work / f"html-{target}", ontology=ontology, html=False, trig=False)
        store = OxigraphStore(work / f"html-{target}", read_only=True)
        started = time.perf_counter()
        summary = write_html(store, work / f"html-{target}.html")
        seconds = time.perf_counter() - started
        store.close()
        out[str(target)] = {"nodes": summary["nodes"], "edges": summary["edges"], "seconds": seconds}
        say(f"  graph.html with {summary['nodes']} nodes: {seconds:.2f} s")
    return out


def embedded_ratio(results: dict, seconds: float) -> str:
    """The embedded store's full build against ``seconds``: "N.Nx", and with its listings when made."""
    embedded = results["stores"].get("embedded", {})
    build, listings = embedded.get("full_build_s"), embedded.get("listings_s")
    if not build:
        return "-"
    return f"{build / seconds:.1f}x" + (f", with the listings {(build + listings) / seconds:.1f}x" if listings else "")


def bulk_load_disk(folder: Path, dump: Path, lenient: bool = False) -> tuple[ox.Store, float]:
    """The engine's limit: ``dump`` (N-Quads) through pyoxigraph's bulk loader into a fresh store on disk, and the
    seconds it took, flushed to disk (``lenient``: its parser does not check IRIs and language tags)."""
    store = ox.Store(str(folder))
    started = time.perf_counter()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=lenient)
    store.flush()
    return store, time.perf_counter() - started


def build_with_listings(folder: Path, extension: Path, dirs: list[str]) -> tuple[float, float]:
    """`kg build --listings` into an empty ``folder`` (removed after): its wall seconds and peak MB."""
    wall, _, _, peak = kg_build(folder, extension, dirs, "--listings")
    shutil.rmtree(folder, ignore_errors=True)
    return wall, peak / 2**20


def repeat_builds(args, results: dict, work: Path, extension: Path, dirs: list[str], dump: Path, say) -> None:
    """Runs 2..N of the full build (a fresh store), `kg build --listings` on it and the bulk load of the same
    quads (a fresh store): every run kept in the JSON (``*_runs``), the median reported."""
    embedded = results["stores"]["embedded"]
    runs = {"full_build_s": [embedded["full_build_s"]], "prepare_s": [embedded["prepare_s"]],
            "write_s": [embedded["write_s"]], "listings_s": [embedded.get("listings_s")],
            "build_with_listings_s": [embedded.get("build_with_listings_s")],
            "bulk_load_disk_s": [results["bulk_load_disk_s"]]}
    peaks = {"peak_memory_mb": [embedded["peak_memory_mb"]],
             "listings_peak_memory_mb": [embedded.get("listings_peak_memory_mb")],
             "build_with_listings_peak_memory_mb": [embedded.get("build_with_listings_peak_memory_mb")]}
    for run in range(2, args.build_runs + 1):
        say(f"full build, listings, full build with them and bulk load again ({run} of {args.build_runs})")
        again = work / f"embedded-{run}"
        wall, _, seconds, peak = kg_build(again, extension, dirs)
        runs["full_build_s"].append(wall)
        runs["prepare_s"].append(seconds.get("prepare"))
        runs["write_s"].append(seconds.get("write"))
        peaks["peak_memory_mb"].append(peak / 2**20)
        _, _, seconds, peak = kg_build(again, extension, dirs, "--listings")
        runs["listings_s"].append(seconds.get("listings"))
        peaks["listings_peak_memory_mb"].append(peak / 2**20)
        shutil.rmtree(again)
        wall, peak = build_with_listings(work / f"embedded-listed-{run}", extension, dirs)
        runs["build_with_listings_s"].append(wall)
        peaks["build_with_listings_peak_memory_mb"].append(peak)
        bulk, seconds = bulk_load_disk(work / f"bulk-{run}", dump)
        runs["bulk_load_disk_s"].append(seconds)
        del bulk
        shutil.rmtree(work / f"bulk-{run}", ignore_errors=True)
    for name, values in runs.items():
        if None in values:
            continue
        target = results if name == "bulk_load_disk_s" else embedded
        target[name[:-2] + "_runs_s"] = values
        target[name] = percentile(values, .5)
    for name, values in peaks.items():
        if None not in values:
            embedded[name] = max(values)
    results["build_runs"] = args.build_runs


# -- the table ---------------------------------------------------------------------------------------
def table(results: dict) -> str:
    lines = []
    triples, n = results.get("triples", 0), results["articles"]
    bulk = results["bulk_load_disk_s"]
    lines.append(f"corpus: {n} articles, {triples:,} triples; {results['machine']['cores']} cores; "
                 f"servers with KG_SPARQL_DATASET={results.get('sparql_dataset', 'auto')}")
    lines.append("")
    lines.append("build                      full build  triples/s  prepare  write   vs bulk load (disk)  incremental  peak memory")
    lines.append("-------------------------  ----------  ---------  -------  ------  -------------------  -----------  -----------")
    for kind, s in results["stores"].items():
        if "error" in s:
            lines.append(f"{kind:<25}  failed: {s['error'][:90]}")
            continue
        ratio = s["full_build_s"] / bulk
        incremental = s.get("incremental_s")
        memory = s.get("peak_memory_mb")
        lines.append(f"{kind:<25}  {s['full_build_s']:>8.1f} s  {triples / s['full_build_s']:>9,.0f}  "
                     f"{s['prepare_s'] or 0:>5.1f} s  {s['write_s'] or 0:>4.1f} s  "
                     f"{ratio:>5.1f}x (write {s['write_s'] / bulk:.1f}x)    "
                     f"{(f'{incremental:.2f} s' if incremental is not None else '-'):>11}  "
                     f"{(f'{memory:,.0f} MB' if memory else '-'):>11}")
    lines.append(f"{'pyoxigraph bulk_load disk':<25}  {bulk:>8.1f} s  {triples / bulk:>9,.0f}")
    lines.append(f"{'pyoxigraph bulk_load mem':<25}  {results['bulk_load_memory_s']:>8.1f} s  "
                 f"{triples / results['bulk_load_memory_s']:>9,.0f}")
    if results.get("bulk_load_disk_lenient_s"):
        lenient = results["bulk_load_disk_lenient_s"]
        lines.append(f"{'  disk, lenient=True':<25}  {lenient:>8.1f} s  {triples / lenient:>9,.0f}  (IRIs and language "
                     f"tags not checked, as the build's loader reads the N-Triples it wrote: the full build "
                     f"{embedded_ratio(results, lenient)} this one)")
    embedded = results["stores"]["embedded"]
    if embedded.get("listings_s") is not None:
        total = embedded["full_build_s"] + embedded["listings_s"]
        memory = embedded.get("listings_peak_memory_mb")
        command = embedded.get("listings_command_s")
        lines.append(f"listings made by `kg build --listings` after the full build: {embedded['listings_s']:.1f} s "
                     f"(full build with them: {total:.1f} s, {total / bulk:.2f}x the bulk load)"
                     + (f"; the first of those commands took {command:.1f} s in all (Python's start, every input "
                        f"hash checked, the listings' SQLite write after the store closes)" if command else "")
                     + (f", that command's peak memory {memory:,.0f} MB" if memory else ""))
    if embedded.get("build_with_listings_s") is not None:
        together = embedded["build_with_listings_s"]
        memory = embedded.get("build_with_listings_peak_memory_mb")
        lines.append(f"full build with its listings as one command (`kg build --listings` on an empty store): "
                     f"{together:.1f} s, {together / bulk:.2f}x the bulk load"
                     + (f", peak memory {memory:,.0f} MB" if memory else ""))
    runs = results.get("build_runs", 1)
    if runs > 1 and "full_build_runs_s" in embedded and "bulk_load_disk_runs_s" in results:
        pairs = zip(embedded["full_build_runs_s"], embedded.get("listings_runs_s") or [0.0] * runs,
                    results["bulk_load_disk_runs_s"])
        paired = [(build / bulk, (build + listings) / bulk) for build, listings, bulk in pairs]
        lines.append(f"the full build, the listings and the bulk load above: medians of {runs} runs, one after the "
                     f"other; each run's full build against its own bulk load "
                     f"{', '.join(f'{r[0]:.2f}x' for r in paired)}, with the listings "
                     f"{', '.join(f'{r[1]:.2f}x' for r in paired)}; median of these paired ratios: "
                     f"{percentile([r[0] for r in paired], .5):.2f}x, with the listings "
                     f"{percentile([r[1] for r in paired], .5):.2f}x")
        together = embedded.get("build_with_listings_runs_s")
        if together:
            ratios = [seconds / bulk for seconds, bulk in zip(together, results["bulk_load_disk_runs_s"])]
            lines.append(f"the full build with its listings as one command against the same bulk loads: "
                         f"{', '.join(f'{r:.2f}x' for r in ratios)}; median {percentile(ratios, .5):.2f}x")
    if embedded.get("incremental_command_s") is not None:
        lines.append(f"incremental build of one article as a whole `kg build` command (Python start included): "
                     f"{embedded['incremental_command_s']:.2f} s")
    lines.append("")
    kinds = [k for k in results["stores"] if k != "embedded" and "error" not in results["stores"][k]]
    header = f"{'named query':<28} {'rows':>7}  {'embedded p50/p95 ms':>20}  {'raw p50/p95 ms':>16}  ratio"
    header += "".join(f"  {k + ' p50 ms':>22}" for k in kinds)
    lines.append(header)
    lines.append("-" * len(header))
    for name, q in results["queries"].items():
        if "timeout" in q:
            lines.append(f"{name:<28} {'':>7}  still running after {q['timeout']:.0f} s: left out")
            continue
        e, r = q["embedded"], q["raw_pyoxigraph"]
        line = (f"{name:<28} {e.get('rows', 0):>7}  {e['p50'] * 1000:>9.1f}/{e['p95'] * 1000:<9.1f}  "
                f"{r['p50'] * 1000:>7.1f}/{r['p95'] * 1000:<7.1f}  {q['ratio']:>4.1f}x")
        if "unlisted" in q:
            line += f"  (listed; without its listing {q['unlisted']['p50'] * 1000:.1f} ms)"
        for k in kinds:
            v = q.get(k, {})
            error = v.get("error", "-")
            cell = f"{v['p50'] * 1000:.1f}" if "p50" in v else \
                "no answer in time" if "did not answer" in error else "failed (JSON)" if error != "-" else "-"
            if "rows" in v and v["rows"] != e.get("rows"):  # a store that answers differently is said, not hidden
                cell += f" ({v['rows']} rows!)"
            line += f"  {cell:>22}"
        lines.append(line)
    asked = [(name, param, v) for name, q in results["queries"].items() for param, v in q.get("selective", {}).items()]
    if asked:
        lines.append("")
        lines.append(f"{'asked about one value':<40} {'rows':>7}  {'embedded p50/p95 ms':>20}  value (the most rows; an actor: the most roles)")
        lines.append("-" * 100)
        for name, param, v in asked:
            lines.append(f"{name + ' --param ' + param:<40} {v['rows']:>7}  {v['p50'] * 1000:>9.1f}/"
                         f"{v['p95'] * 1000:<9.1f}  {v['value']}")
    for name, q in results["queries"].items():
        if q.get("params"):
            given = ", ".join(f"{k}={v}" for k, v in q["params"].items())
            lines.append(f"{name}: asked with {given} (its required parameter: the value with the most rows)")
    if results.get("html"):
        lines.append("")
        for target, h in results["html"].items():
            lines.append(f"graph.html (write_html) with {h['nodes']:,} nodes, {h['edges']:,} edges: {h['seconds']:.2f} s")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20_000, help="about this many triples (default 20000)")
    parser.add_argument("--articles", type=int, help="this many articles instead of --size")
    parser.add_argument("--stores", default=",".join(STORE_KINDS),
                        help="store kinds to measure, from embedded, memory, oxigraph-server, virtuoso (the servers when installed)")
    parser.add_argument("--runs", type=int, default=7, help="runs of each named query (default 7)")
    parser.add_argument("--build-runs", type=int, default=1,
                        help="runs of the full build, its listings and the bulk load, one after the other; the "
                             "table shows each one's median and every run's ratios (default 1)")
    parser.add_argument("--html-sizes", default="1000,5000", help="node counts for graph.html ('' for none)")
    parser.add_argument("--query-timeout", type=float, default=120.0,
                        help="a named query still running after this many seconds is left out (default 120)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and stores here (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="do not delete the work folder")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    args.stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    unknown = [s for s in args.stores if s not in STORE_KINDS]
    if unknown:  # a misspelt kind used to be measured as Virtuoso under its own name
        parser.error(f"unknown store kind {unknown[0]!r}: choose from {', '.join(STORE_KINDS)}")
    args.html_sizes = [int(s) for s in args.html_sizes.split(",") if s.strip()]
    # stopped with SIGTERM (`kill`, `timeout`), Python would exit without its `finally` blocks and leave the
    # servers it started running and the work folder behind: exit as on Ctrl-C instead
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    results = bench(args)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
