"""`kg serve` over real HTTP: `kg serve` runs as a subprocess on a free port of 127.0.0.1 and is asked with urllib.
The SPARQL 1.1 Protocol (GET, POST form, POST application/sparql-query), every result format by the Accept header,
updates refused without changing anything, a query over the time limit stopped while the server keeps answering,
the result-size cap, the HTML graph and the query page (escaped)."""

from __future__ import annotations

import csv
import io
import json
import re
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from graph.cli import main
from graph.serve import looks_like_update, negotiate, uses_service, HttpError

from .conftest import ROOT

KG = "https://w3id.org/legal-news-kg/ontology#"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SR = "{http://www.w3.org/2005/sparql-results#}"


class Served:
    def __init__(self, process, base):
        self.process, self.base = process, base

    def request(self, path, data=None, headers=None, method=None):
        """(status, headers, body) of one HTTP request; errors are answers too."""
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, query, accept=None, **params):
        qs = urllib.parse.urlencode({"query": query, **params})
        return self.request(f"/sparql?{qs}", headers={"Accept": accept} if accept else {})

    def post_form(self, fields, accept=None):
        return self.request("/sparql", data=urllib.parse.urlencode(fields).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded", **({"Accept": accept} if accept else {})})

    def count(self) -> int:
        status, _, body = self.get(COUNT_ALL)
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def start(store: Path, *options, wait: float = 60.0, cwd: Path = ROOT) -> Served:
    """`kg serve --port 0` (a free port, printed on its first line), run in ``cwd``, waited for until it answers."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from graph.cli import main; sys.exit(main())", "serve",
         "--store", str(store), "--port", "0", *options],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + wait
    line = ""
    while time.monotonic() < deadline and not line:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
        if process.poll() is not None:
            raise AssertionError(f"kg serve stopped: {process.stderr.read()}")
    match = re.search(r"at (http://127\.0\.0\.1:(\d+))/", line)
    assert match, f"kg serve did not say where it listens: {line!r}"
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # keep the pipe drained
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    served = Served(process, match.group(1))
    while time.monotonic() < deadline:
        try:
            if served.request("/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}))[0] == 200:
                return served
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("kg serve did not answer")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def stop(served: Served) -> None:
    workers = children(served.process.pid)
    served.process.send_signal(signal.SIGTERM)
    try:
        served.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()
        raise AssertionError("kg serve did not stop on SIGTERM")
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)], "kg serve left its workers running"


@pytest.fixture(scope="module")
def served(seed_store):
    server = start(seed_store, "--timeout", "1", "--max-rows", "500", "--workers", "2")
    yield server
    stop(server)


# -- the SPARQL protocol --------------------------------------------------------------------------------
def test_it_listens_on_127_0_0_1_only(served):
    assert served.base.startswith("http://127.0.0.1:")


def test_get_answers_the_same_as_kg_query(served, seed_store):
    status, _, text = served.request("/queries/statements.rq")
    assert status == 200
    query = text.decode()
    status, headers, body = served.request("/sparql", data=query.encode(),
                                           headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    over_http = [(b["quote"]["value"], int(b["start"]["value"]), int(b["end"]["value"]), b["speaker"]["value"] if "speaker" in b else None)
                 for b in json.loads(body)["results"]["bindings"]]
    cli = CliRunner().invoke(main, ["query", "statements", "--format", "json", "--store", str(seed_store)])
    assert [(r["quote"], r["start"], r["end"], r["speaker"]) for r in json.loads(cli.stdout)] == over_http


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "tests" / "data" / "cq").glob("*.json")))
def test_kg_query_through_the_endpoint_gives_the_pinned_answers(served, name):
    """`kg query NAME --store http://...` (graph/remote.py, posting to /query as to an Oxigraph server) answers
    what tests/data/cq says the embedded store answers."""
    expected = json.loads((ROOT / "tests" / "data" / "cq" / f"{name}.json").read_text(encoding="utf-8"))
    for case in expected["cases"]:
        args = [a for k, v in case["params"].items() for a in ("--param", f"{k}={v}")]
        result = CliRunner().invoke(main, ["query", name, "--format", "json", "--store", served.base, *args])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == case["rows"]


def test_each_result_format_by_content_negotiation(served):
    query = f"SELECT ?s ?name WHERE {{ ?s a <{KG}Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name }} ORDER BY ?name"
    status, headers, body = served.get(query, "application/sparql-results+json")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    names = [b["name"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert "Marco Rubio" in names and names == sorted(names)

    status, headers, body = served.get(query, "application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+xml")
    root = ET.fromstring(body)
    assert [v.get("name") for v in root.iter(f"{SR}variable")] == ["s", "name"]
    assert [b.find(f"{SR}literal").text for b in root.iter(f"{SR}binding") if b.get("name") == "name"] == names

    status, headers, body = served.get(query, "text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["s", "name"] and [r[1] for r in rows[1:]] == names and body.endswith(b"\r\n")

    status, headers, body = served.get(query, "text/tab-separated-values")
    assert status == 200 and headers["Content-Type"].startswith("text/tab-separated-values")
    lines = body.decode().splitlines()
    assert lines[0] == "?s\t?name" and lines[1].startswith("<https://w3id.org/legal-news-kg/id/actor/")
    assert [line.split("\t")[1] for line in lines[1:]] == [f'"{n}"' for n in names]

    # the best q-value wins; */* gets JSON; ?format= overrides
    assert served.get(query, "text/csv;q=0.5, application/sparql-results+xml;q=0.9")[1]["Content-Type"].startswith("application/sparql-results+xml")
    assert served.get(query, "*/*")[1]["Content-Type"].startswith("application/sparql-results+json")
    assert served.get(query, "text/html", format="tsv")[1]["Content-Type"].startswith("text/tab-separated-values")
    status, _, body = served.get(query, "image/png")
    assert status == 406 and b"text/csv" in body


def test_ask_and_construct(served):
    status, _, body = served.get(f"ASK {{ ?s a <{KG}Offer> }}")
    assert status == 200 and json.loads(body)["boolean"] is True
    construct = f"CONSTRUCT {{ ?s a <{KG}Offer> }} WHERE {{ ?s a <{KG}Offer> }}"
    for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt")):
        status, headers, body = served.get(construct, accept)
        assert status == 200 and headers["Content-Type"].startswith(accept)
        graph = Graph().parse(data=body.decode(), format=fmt)
        assert len(graph) == 1


def test_post_form_and_sparql_query_bodies(served):
    status, _, body = served.post_form({"query": f"ASK {{ ?s a <{KG}Statement> }}"})
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = served.request("/sparql", data=b"ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"})
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, _ = served.request("/sparql", data=b"ASK {}", headers={"Content-Type": "application/json"})
    assert status == 415


def test_a_syntax_error_is_400_with_line_and_column(served):
    status, _, body = served.get("SELECT ?x WHERE { ?x ?y ?z } garbage")
    assert status == 400 and b"line 1, column 30" in body


# -- read-only ---------------------------------------------------------------------------------------------
INSERT = "INSERT DATA { <https://example.org/x> <https://example.org/p> <https://example.org/o> }"


def test_every_kind_of_update_is_refused_and_changes_nothing(served):
    before = served.count()
    attempts = [
        served.post_form({"update": INSERT}),
        served.request("/sparql", data=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}),
        served.post_form({"query": INSERT}),
        served.get(INSERT),
        served.get("# a comment first\nPREFIX ex: <https://example.org/>\nDELETE WHERE { ?s ?p ?o }"),
        served.get("CLEAR ALL"),
        served.get("DROP GRAPH <https://w3id.org/legal-news-kg/graph/ontology>"),
        served.request("/sparql?" + urllib.parse.urlencode({"update": INSERT})),
        served.request("/sparql", method="PUT", data=b"x"),
        served.request("/sparql", method="DELETE"),
    ]
    for status, _, body in attempts:
        assert 400 <= status < 500, (status, body)
    assert [a[0] for a in attempts[:8]] == [403] * 8
    assert served.count() == before
    status, _, body = served.get("ASK { <https://example.org/x> ?p ?o }")
    assert json.loads(body)["boolean"] is False


def test_service_is_refused(served):
    status, _, body = served.get("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 403 and b"SERVICE" in body


# -- limits -----------------------------------------------------------------------------------------------------
def test_a_query_over_the_time_limit_is_stopped_and_the_server_goes_on(served):
    workers_before = children(served.process.pid)
    started = time.monotonic()
    status, headers, body = served.get(CARTESIAN)
    took = time.monotonic() - started
    assert status == 503 and b"time limit of 1 s" in body
    assert took < 5, f"the timed-out query took {took:.1f} s to answer"
    status, _, body = served.get("ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
    deadline = time.monotonic() + 30  # the killed worker is replaced
    while len(children(served.process.pid)) < len(workers_before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(children(served.process.pid)) == len(workers_before)
    assert set(children(served.process.pid)) != set(workers_before)


def test_a_slow_query_does_not_hold_up_the_others(served):
    """Two workers and a threaded server: a quick query is answered while a slow one runs."""
    finished = {}

    def slow():
        served.get(CARTESIAN)
        finished["slow"] = time.monotonic()

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.2)
    status, _, _ = served.get("ASK { ?s ?p ?o }")
    finished["quick"] = time.monotonic()
    thread.join(timeout=30)
    assert status == 200 and finished["quick"] < finished["slow"]


def test_the_time_limit_is_one_budget_per_request_waiting_included(seed_store):
    """--timeout counts from a request's arrival: with one worker held by a slow query, requests that queue for
    it are answered (503) within the limit plus a small margin, not after waiting the limit and then running it
    again (which took up to twice the limit)."""
    limit, margin = 2.0, 1.0
    server = start(seed_store, "--timeout", str(limit), "--workers", "1")
    try:
        took, answers = {}, {}

        def ask(name, query, delay):
            time.sleep(delay)
            began = time.monotonic()
            status, headers, body = server.get(query)
            took[name] = time.monotonic() - began
            answers[name] = (status, headers.get("Retry-After"), body)

        plan = [("slow-1", CARTESIAN, 0.0), ("slow-2", CARTESIAN, 0.5), ("slow-3", CARTESIAN, 1.0),
                ("quick", "ASK { ?s ?p ?o }", 1.5)]
        threads = [threading.Thread(target=ask, args=item) for item in plan]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert set(took) == {name for name, _, _ in plan}
        for name, seconds in took.items():
            assert seconds < limit + margin, f"{name} took {seconds:.2f} s with --timeout {limit:g}: {answers[name]}"
        status, _, body = answers["slow-1"]
        assert status == 503 and b"time limit of 2 s" in body and b"arrival" in body
        for name in ("slow-2", "slow-3"):  # each waited for the one worker, and the wait counted
            status, retry_after, body = answers[name]
            assert status == 503 and b"time limit of 2 s" in body, (name, status, body)
            assert retry_after == "1" or b"arrival" in body  # busy all along, or stopped at its deadline
        assert answers["quick"][0] in (200, 503)  # a replaced worker may be ready for it in time
        deadline = time.monotonic() + 30  # and the server still answers once its worker is replaced
        while time.monotonic() < deadline and server.get("ASK { ?s ?p ?o }")[0] != 200:
            time.sleep(0.2)
        status, _, body = server.get("ASK { ?s ?p ?o }")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        stop(server)


def test_a_query_whose_request_ran_out_of_time_may_finish_and_keep_its_worker(seed_store):
    """The request is answered (503) at its deadline; the query goes on up to --timeout from its own start: when
    it finishes by then its worker is reused (not killed and restarted), when it does not the worker is killed."""
    from graph.serve import WorkerPool

    def job(query):
        return {"query": query, "substitutions": {}, "max_rows": 10, "default_graphs": [], "named_graphs": []}

    two_way = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # about a second on the seed
    pool = WorkerPool(seed_store, size=1)
    try:
        began = time.monotonic()
        with pytest.raises(HttpError) as caught:
            pool.run(job(two_way), 60, deadline=time.monotonic() + 0.2)  # as if it had waited 59.8 s in the queue
        assert caught.value.status == 503 and time.monotonic() - began < 1.5
        answer = pool.run(job("ASK { ?s ?p ?o }"), 60)  # waits for the same worker to finish the count
        assert answer == {"kind": "boolean", "value": True}
        assert pool.stats.timeouts == 1 and pool.stats.restarts == 0

        with pytest.raises(HttpError) as caught:
            pool.run(job(CARTESIAN), 0.5)  # its own limit passes too: the worker is killed and replaced
        assert caught.value.status == 503 and pool.stats.restarts == 1
        assert pool.run(job("ASK { ?s ?p ?o }"), 60)["value"] is True
    finally:
        pool.close()


def test_a_folder_named_relative_to_where_kg_serve_runs_is_served(seed_store, tmp_path):
    """Regression: the workers run in the project's folder, so `kg serve --store mystore` run in another folder
    said "cannot open the store in mystore"; the folder is made absolute before they get it."""
    import shutil

    shutil.copytree(seed_store, tmp_path / "mystore")
    served = start(Path("mystore"), cwd=tmp_path)
    try:
        assert served.count() > 1000
        assert served.request("/")[0] == 200  # graph.html, read by the server in its own folder
    finally:
        stop(served)


def test_a_store_in_memory_cannot_be_served_and_says_why():
    result = CliRunner().invoke(main, ["serve", "--store", "memory:", "--port", "0"])
    assert result.exit_code == 2 and "holds nothing between commands" in result.stderr


def test_the_help_says_the_time_limit_counts_from_arrival():
    result = CliRunner().invoke(main, ["serve", "--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0 and "counted from its arrival" in text and "waiting for a free worker" in text
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "one budget per request" in readme and "up to `--timeout` waiting" not in readme


def test_a_result_over_the_size_cap_is_an_error(served):
    status, _, body = served.get("SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and b"more than 500 rows" in body
    status, _, body = served.get("SELECT * WHERE { ?s ?p ?o } LIMIT 500")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 500


def test_requests_for_another_host_name_are_refused(served):
    status, _, _ = served.request("/sparql?query=ASK%7B%7D", headers={"Host": "attacker.example:80"})
    assert status == 421


# -- pages ----------------------------------------------------------------------------------------------------------
def test_the_html_graph_is_served_at_the_root(served, seed_store):
    status, headers, body = served.request("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body == (seed_store / "graph.html").read_bytes()


def test_the_query_page_lists_the_named_queries_and_runs_one(served):
    from graph.queries import named_queries

    status, headers, body = served.request("/query")
    page = body.decode()
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    for name in named_queries():
        assert f'href="/query?name={name}"' in page
    status, _, body = served.request("/query?" + urllib.parse.urlencode(
        {"name": "positions", "param.holder_iri": "id:actor/lee-gelernt", "run": "1"}))
    page = body.decode()
    assert status == 200 and "Lee Gelernt" in page and "Donald Trump</td>" not in page
    assert re.search(r"<p>(\d+) rows</p>", page)


def test_the_query_page_binds_a_selective_parameter_as_kg_query_does(seed_store):
    # regression: the page substituted every parameter, so Oxigraph planned the query before knowing a selective
    # value and read every statement to keep one article's (graph/queries.py, bound_text: at 1M triples one
    # article's statements 1.1 s -> 0.01 s); it now sends the text `kg query` runs, the VALUES block opening it
    from graph.serve import ServerConfig, SparqlServer, WorkerPool

    jobs = []

    class Recording(WorkerPool):
        def run(self, job, timeout, deadline=None):
            jobs.append(job)
            return super().run(job, timeout, deadline)

    pool = Recording(seed_store, size=1)
    server = SparqlServer(ServerConfig(directory=seed_store, port=0), pool)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        iri = "https://w3id.org/legal-news-kg/id/article/npr-2025-02-05-el-salvador-prisons"
        url = f"http://127.0.0.1:{server.server_address[1]}/query?" + urllib.parse.urlencode(
            {"name": "statements", "param.article_iri": iri, "param.speaker_iri": "id:actor/lee-gelernt",
             "run": "1"})
        with urllib.request.urlopen(url, timeout=60) as response:
            page = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
        pool.close()
    assert len(jobs) == 1
    assert f"VALUES (?article_iri ?speaker_iri) {{ (<{iri}> <https://w3id.org/legal-news-kg/id/actor/lee-gelernt>) }}" \
        in jobs[0]["query"] and not jobs[0]["substitutions"]
    rows = int(re.search(r"<p>(\d+) rows?</p>", page).group(1))
    assert rows > 0 and "Gelernt" in page and "Marco Rubio</td>" not in page


def test_the_query_page_answers_a_listed_query_from_its_listing(seed_store, tmp_path):
    """`statements` run from the page as shipped, with no parameter, is read from its listing (graph/listings.py),
    as `kg query` reads it; with a parameter, or another text, the query runs. Shown here by a marker row planted
    in the listing, under the token of the store's snapshot: only the listing can hold it."""
    import shutil

    from graph import listings
    from graph.queries import named_queries
    from graph.store import OxigraphStore

    out = tmp_path / "out"
    shutil.copytree(seed_store, out)
    (out / listings.DB_FILE).unlink(missing_ok=True)
    named = named_queries()
    listing = listings.spec(named["statements"])
    store = OxigraphStore(out, read_only=True)
    assert listings.listed_answer(store, named["statements"]) is not None  # made and kept
    token = listings.token(store)
    store.close()
    database = listings.Database(out)
    variables = database.variables(listing)
    marker = [None] * len(variables)
    marker[variables.index("article_iri")] = "Ihttps://w3id.org/legal-news-kg/id/article/marker"
    marker[variables.index("article")] = "Smarker"
    marker[variables.index("sequence")] = "Thttp://www.w3.org/2001/XMLSchema#integer 1"
    marker[variables.index("quote")] = "SMARKER-FROM-THE-LISTING"
    assert database.write(listing, token, variables,
                          listings.encoded({"<https://w3id.org/legal-news-kg/id/article/marker>": [marker]}))
    server = start(out, "--timeout", "20", "--workers", "1")
    try:
        _, _, body = server.request("/query?" + urllib.parse.urlencode({"name": "statements", "run": "1"}))
        assert "MARKER-FROM-THE-LISTING" in body.decode()
        _, _, body = server.request("/query?" + urllib.parse.urlencode(
            {"name": "statements", "param.speaker_iri": "id:actor/lee-gelernt", "run": "1"}))
        assert "MARKER-FROM-THE-LISTING" not in body.decode() and "Gelernt" in body.decode()
        edited = named["statements"].text.replace("ORDER BY ?article ?sequence", "ORDER BY ?article ?sequence ?quote")
        _, _, body = server.request("/query?" + urllib.parse.urlencode({"name": "statements", "query": edited,
                                                                        "run": "1"}))
        assert "MARKER-FROM-THE-LISTING" not in body.decode() and "Gelernt" in body.decode()
    finally:
        stop(server)


def test_a_worker_answers_a_listed_query_with_the_terms_its_text_gives(seed_store, tmp_path):
    """kg serve's worker turns a listing's cells into its answer's terms itself (graph/listings.py cell_parts): for
    every listed query on the seed, the rows and terms the query text gives (IRIs, strings, language strings,
    integers, dates; a list column's items in any order, as SPARQL leaves it), and too many rows said as for the
    text, before any row is converted."""
    import shutil

    from graph import listings, queries
    from graph.sparql_worker import Worker

    out = tmp_path / "out"
    shutil.copytree(seed_store, out)
    (out / listings.DB_FILE).unlink(missing_ok=True)
    named = queries.named_queries()
    worker = Worker(str(out))
    worker.open()

    def rows(answer, lists):
        at = [i for i, name in enumerate(answer["vars"]) if name in lists]
        return sorted(json.dumps([sorted(term[1].split(queries.LIST_SEPARATOR)) if i in at and term else term
                                  for i, term in enumerate(row)]) for row in answer["rows"])

    kinds = set()
    for name in sorted(listings.specs(named)):
        listed, plain = worker.listed(name, 10**6), worker.answer({"query": named[name].text})
        assert listed is not None, name  # answered from the listing, not by running the text
        assert listed["vars"] == plain["vars"] and rows(listed, named[name].lists) == rows(plain, named[name].lists)
        kinds |= {(term[0], term[2] if term[0] == "literal" else None, bool(term[3]) if term[0] == "literal" else None)
                  for row in listed["rows"] for term in row if term}
    assert {("uri", None, None), ("literal", "http://www.w3.org/2001/XMLSchema#string", False),
            ("literal", "http://www.w3.org/2001/XMLSchema#integer", False),
            ("literal", "http://www.w3.org/2001/XMLSchema#date", False)} <= kinds
    assert any(kind[2] for kind in kinds), kinds  # a language string
    statements = worker.answer({"query": named["statements"].text, "listing": "statements", "max_rows": 3})
    assert statements["error"] == "too-many-rows"


def test_the_worker_asks_the_whole_store_form_when_no_listing_answers(tmp_path, monkeypatch):
    """A store holding --reason's inferred triples keeps no listing: kg serve's worker asks a listed query's
    whole-store form instead of its text (the same rows, sooner), and the text when the query has none."""
    from graph import listings, queries, sparql_worker
    from graph.sparql_worker import Worker

    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", "--store", str(out), "--reason", "--no-html", "--no-trig"]).exit_code == 0
    asked = []
    real = sparql_worker.whole
    monkeypatch.setattr(sparql_worker, "whole", lambda name: asked.append(name) or real(name))
    worker = Worker(str(out))
    worker.open()
    named = queries.named_queries()
    for name in ("statements", "doctrines"):
        text = queries.bound_text(named[name], {})[0]
        via = worker.answer({"query": text, "listing": name})
        plain = worker.answer({"query": text})
        assert via["vars"] == plain["vars"] and len(via["rows"]) == len(plain["rows"]) > 0, name
    assert asked == ["statements", "doctrines"] and listings.whole_text(named["statements"]) is not None
    assert not (out / listings.DB_FILE).exists()


def test_the_query_page_escapes_what_it_shows(served):
    hostile = '</textarea><script>alert(1)</script><img src=x onerror=alert(2)>'
    status, _, body = served.request("/query?" + urllib.parse.urlencode({"query": hostile, "run": "1"}))
    page = body.decode()
    assert status == 200
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    literal = 'SELECT ("<b>bold</b>" AS ?x) WHERE {}'
    status, _, body = served.request("/query?" + urllib.parse.urlencode({"query": literal, "run": "1"}))
    assert "<td>&lt;b&gt;bold&lt;/b&gt;</td>" in body.decode()


# -- units -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,update", [
    ("INSERT DATA { <a:b> <a:b> <a:b> }", True),
    ("PREFIX x: <http://x/>\n# INSERT\nDELETE WHERE { ?s ?p ?o }", True),
    ("prefix x: <http://x/> with <http://g> delete { ?s ?p ?o } where { ?s ?p ?o }", True),
    ("LOAD <http://example.org/data.ttl>", True),
    ('SELECT * WHERE { ?s ?p "INSERT DATA" }', False),
    ("# DELETE everything\nSELECT * WHERE { ?s <http://x/DELETE> ?o }", False),
    ("PREFIX insert: <http://x/> SELECT * WHERE { ?s insert:x ?o }", False),
])
def test_looks_like_update(text, update):
    assert looks_like_update(text) is update


def test_uses_service_ignores_strings_comments_and_names():
    assert uses_service("SELECT * { service <http://x> { ?s ?p ?o } }")
    assert not uses_service('SELECT * { ?s ?p "SERVICE" } # SERVICE')
    assert not uses_service("SELECT ?service { ?service <http://x/SERVICE> ?o }")


def test_the_shapes_are_checked_for_service_without_importing_the_server():
    """The build checks its SHACL constraints for SERVICE with graph/sparqltext.py: importing graph/serve.py for it
    (http.server, csv, xml ...) cost every `kg build` about 0.03 s."""
    code = ("import sys; from graph.ontology import Ontology; from graph.shacl import split_shapes; "
            "split_shapes(Ontology().shapes); print('graph.serve' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


def test_negotiate():
    assert negotiate(None, "select") == "json" and negotiate("", "graph") == "turtle"
    assert negotiate("text/*", "select") == "csv"
    assert negotiate("application/n-triples, text/turtle;q=0.1", "graph") == "ntriples"
    with pytest.raises(HttpError):
        negotiate("text/csv", "graph")
