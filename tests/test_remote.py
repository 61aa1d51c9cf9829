"""The same commands against real SPARQL servers: an Oxigraph server (PyPI `oxigraph`) and Virtuoso (Debian's
virtuoso-opensource-7-bin, started with scripts/virtuoso/virtuoso.ini). Each server runs on 127.0.0.1 with a
temporary data folder and is stopped by the test module. `make test` installs both.
"""

import http.server
import json
import re
import shutil
import signal
import threading
import urllib.parse

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from graph import queries
from graph.cli import main
from graph.errors import KgError
from graph.ns import GR, KG, article_graph
import graph.remote as graph_remote
from graph.remote import TMP_GRAPHS, UNION, RemoteStore
from graph.sparqltext import with_values
from graph.store import open_store

from .conftest import MINI_DIR, ROOT, SEED_DIR, script

bench = script("bench")

VIRTUOSO_ENV = {"KG_SPARQL_SERVER": "virtuoso", "KG_STORE_USER": "dba", "KG_STORE_PASSWORD": "dba"}


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def answers(store, names=None) -> dict:
    """Every named query's rows, as sorted JSON, on a store."""
    found = {}
    for name, query in queries.named_queries().items():
        if names is None or name in names:
            result = queries.execute(store, query, {})
            found[name] = sorted(json.dumps(r, sort_keys=True) for r in queries.records(result, query.lists))
    return found


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    out = tmp_path_factory.mktemp("embedded")
    assert kg("build", MINI_DIR, SEED_DIR, "--store", out, "--no-html").exit_code == 0
    store = open_store(out, read_only=True)
    try:
        yield answers(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    if not bench.available("oxigraph-server"):
        pytest.fail("the `oxigraph` server command is missing: `make test` installs it (pip install oxigraph)")
    server = bench.Server("oxigraph", tmp_path_factory.mktemp("oxigraph-server")).start()
    yield server
    server.stop()


def _corpus(tmp_path, articles: int):
    """A generated corpus: its article folders, its ontology extension, and each article graph's triple count as a
    build into a folder holds it."""
    _, folders = bench.gen_corpus.generate(tmp_path / "corpus", articles, doctrines=20)
    extension = tmp_path / "corpus" / "ontology-extension"
    expected_dir = tmp_path / "expected"
    assert kg("build", "--quiet", "--store", expected_dir, "--ontology", extension, *folders).exit_code == 0
    expected = open_store(expected_dir, read_only=True)
    sizes = {f.name: len(expected.query(
        "SELECT * WHERE { GRAPH <%s> { ?s ?p ?o } }" % article_graph(f.name)).rows) for f in folders}
    expected.close()
    return folders, extension, sizes


def _article_sizes(store) -> dict:
    """Each article graph on a server, and its triple count."""
    return {g: len(store.query("SELECT * WHERE { GRAPH <%s> { ?s ?p ?o } }" % g, union=False).rows)
            for g in store.graphs() if str(g).startswith(str(GR["article/"]))}


def _kill_at(server, monkeypatch, method: str, nth: int, counts=lambda *args: True):
    """SIGKILL ``server`` as RemoteStore.``method`` is called the ``nth`` time among the calls ``counts`` accepts,
    before that call goes out; returns the real method, to put back."""
    calls = []
    real = getattr(RemoteStore, method)

    def wrapper(self, *args):
        if counts(*args):
            calls.append(args)
            if len(calls) == nth:
                server.process.send_signal(signal.SIGKILL)
                server.process.wait()
        return real(self, *args)

    monkeypatch.setattr(RemoteStore, method, wrapper)
    return real


def _whole_or_absent(store, sizes: dict) -> dict:
    """The article graphs on a server, each checked whole (as many triples as the folder's build holds)."""
    on_server = _article_sizes(store)
    for name, count in on_server.items():
        assert count == sizes[str(name).rsplit("/", 1)[-1]], f"{name} is half-written"
    return on_server


def _all_written(url: str, folders, sizes: dict):
    """Every article of ``folders`` on the server, whole; the store."""
    store = RemoteStore(url)
    for folder in folders:
        rows = store.query("SELECT * WHERE { GRAPH <%s> { ?s ?p ?o } }" % article_graph(folder.name), union=False).rows
        assert len(rows) == sizes[folder.name]
    return store


def _restart(server) -> None:
    """A SIGKILLed server started again on the same data folder, on another port."""
    server.process, server.port = None, bench.free_port()
    server.url = f"http://127.0.0.1:{server.port}"
    server.start()


def _renamed_mini(tmp_path):
    """A copy of the mini article in which Lee Gelernt is named Lee P. Gelernt: a build of it changes one label."""
    mini = tmp_path / "articles" / MINI_DIR.name
    shutil.copytree(MINI_DIR, mini)
    path = mini / "annotation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Lee Gelernt", "name: Lee P. Gelernt"),
                    encoding="utf-8")
    return mini


def test_build_into_an_oxigraph_server_then_every_named_query_answers_as_on_disk(oxigraph_server, embedded):
    built = kg("build", MINI_DIR, SEED_DIR, "--store", oxigraph_server.url)
    assert built.exit_code == 0, built.output
    assert "(2 rebuilt)" in built.output and "wrote:" not in built.output
    store = open_store(oxigraph_server.url)
    assert answers(store) == embedded
    assert store.replace == "update" and store.input_hashes(prefix=TMP_GRAPHS) == {}
    again = kg("build", MINI_DIR, SEED_DIR, "--store", oxigraph_server.url)
    assert "(0 rebuilt)" in again.output
    result = kg("query", "statements", "--store", oxigraph_server.url, "--param", f"speaker_iri=id:actor/officials",
                "--format", "json")
    assert result.exit_code == 0 and [r["quote"] for r in json.loads(result.output)] == ["under study."]


def _default_and_union(url: str, env: dict | None = None, kept: str | None = None) -> tuple[set, set]:
    """The server's default graph (or the graph ``kept``: the union graph), and the set union of the project's
    graphs, as sets of N-Triples terms."""
    store = RemoteStore(url, read_only=True, env=env or {})

    def triples(query):
        return {(r["s"].n3(), r["p"].n3(), r["o"].n3()) for r in store._run_query([("query", query)]).rows}

    return (triples("CONSTRUCT { ?s ?p ?o } WHERE { %s }" % (f"GRAPH <{kept}> {{ ?s ?p ?o }}" if kept else "?s ?p ?o")),
            triples('CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "%s")) }' % GR))


def test_set_mode_keeps_the_servers_default_graph_the_union_and_answers_as_on_disk(tmp_path, embedded, monkeypatch):
    """KG_SPARQL_DATASET=set: after a first build, a changed article and a removed one, the server's default graph is
    exactly the set union of the project's graphs (the ontology's included), queries name no graphs,
    and every named query answers as on disk. A store built before is laid out by the first build in set mode; a
    build in another mode drops the marker, and a set-mode query then names the graphs again (right, slower)."""
    server = bench.Server("oxigraph", tmp_path / "server").start()
    try:
        url = server.url
        monkeypatch.setenv("KG_SPARQL_DATASET", "graphs")
        assert kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html").exit_code == 0
        monkeypatch.setenv("KG_SPARQL_DATASET", "set")
        before = open_store(url, read_only=True)
        assert before._dataset_fields("SELECT * {}"), "not laid out yet: the graphs are named"
        assert answers(before) == embedded
        assert kg("build", MINI_DIR, SEED_DIR, "--store", url, "--force", "--no-html").exit_code == 0
        default, union = _default_and_union(url)
        assert default == union and len(default) > 3000  # the ontology's triples too
        store = open_store(url, read_only=True)
        assert store._dataset_fields("SELECT * {}") == []
        assert answers(store) == embedded

        mini = _renamed_mini(tmp_path)
        from graph.build import build

        build([mini], url, prune=True, html=False)  # the seed article's folder is gone: its graph is removed
        default, union = _default_and_union(url)
        assert default == union
        labels = {o for _, p, o in default if p == "<http://www.w3.org/2000/01/rdf-schema#label>"}
        assert '"Lee P. Gelernt"' in labels and '"Lee Gelernt"' not in labels
        assert not any("npr-2025-02-05" in s for s, _, _ in default), "the removed article's triples are gone"

        monkeypatch.setenv("KG_SPARQL_DATASET", "graphs")
        assert kg("build", mini, SEED_DIR, "--store", url, "--no-html").exit_code == 0
        monkeypatch.setenv("KG_SPARQL_DATASET", "set")
        assert open_store(url, read_only=True)._dataset_fields("SELECT * {}"), "the default graph was not kept"
    finally:
        server.stop()


def test_a_layout_stopped_midway_leaves_right_answers_and_the_next_build_lays_it_out(tmp_path, embedded,
                                                                                     monkeypatch):
    """The default graph is laid out a few graphs an update (LAYOUT_CHUNK): a server killed between two of them
    leaves a stale marker, so queries name the graphs and answer as on disk; the next build (the default, auto
    mode: the stale marker says the half-filled default graph is the project's), with nothing to rebuild, lays the
    whole default graph out."""
    import graph.remote

    server = bench.Server("oxigraph", tmp_path / "server").start()
    try:
        monkeypatch.setenv("KG_SPARQL_DATASET", "graphs")
        assert kg("build", MINI_DIR, SEED_DIR, "--store", server.url, "--no-html").exit_code == 0
        monkeypatch.delenv("KG_SPARQL_DATASET")
        monkeypatch.setattr(graph.remote, "LAYOUT_CHUNK", 1)  # the two articles and the ontology: three copies
        real_update = _kill_at(server, monkeypatch, "_update", 2, lambda text: "WHERE { VALUES ?g" in text)
        died = kg("build", MINI_DIR, SEED_DIR, "--store", server.url, "--force", "--no-html")
        assert died.exit_code == 2 and server.url in died.stderr and "Traceback" not in died.output
        monkeypatch.setattr(RemoteStore, "_update", real_update)

        _restart(server)
        store = open_store(server.url, read_only=True)
        assert store._dataset_fields("SELECT * {}"), "no marker: the graphs are named"
        assert answers(store) == embedded
        default, union = _default_and_union(server.url)
        assert default and default < union, "one graph of three was copied before the server died"

        again = kg("build", MINI_DIR, SEED_DIR, "--store", server.url, "--no-html")
        assert again.exit_code == 0 and "(0 rebuilt)" in again.output, again.output
        default, union = _default_and_union(server.url)
        assert default == union
        store = open_store(server.url, read_only=True)
        assert store._dataset_fields("SELECT * {}") == [] and answers(store) == embedded
    finally:
        server.stop()


def test_by_default_an_oxigraph_servers_empty_default_graph_becomes_the_projects_set_union(tmp_path, embedded,
                                                                                          monkeypatch):
    """With no KG_SPARQL_DATASET (auto): a first build into an Oxigraph server whose default graph is empty lays it
    out as set mode does, so queries name no graphs and answer as on disk, and later builds keep it; a build in
    `graphs` mode makes the marker stale (queries name the graphs again) and the next build lays it out again."""
    monkeypatch.delenv("KG_SPARQL_DATASET", raising=False)
    server = bench.Server("oxigraph", tmp_path / "server").start()
    try:
        url = server.url
        first = kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html")
        assert first.exit_code == 0, first.output
        default, union = _default_and_union(url)
        assert default == union and len(default) > 3000
        store = open_store(url, read_only=True)
        assert store.dataset == "auto" and store._dataset_fields("SELECT * {}") == []
        assert answers(store) == embedded

        mini = _renamed_mini(tmp_path)
        assert kg("build", mini, SEED_DIR, "--store", url, "--no-html").exit_code == 0  # kept, article by article
        default, union = _default_and_union(url)
        assert default == union and '"Lee P. Gelernt"' in {o for _, _, o in default}
        assert open_store(url, read_only=True)._dataset_fields("SELECT * {}") == []

        monkeypatch.setenv("KG_SPARQL_DATASET", "graphs")
        assert kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html").exit_code == 0  # not kept: stale
        monkeypatch.delenv("KG_SPARQL_DATASET")
        stale = open_store(url, read_only=True)
        assert stale._dataset_fields("SELECT * {}"), "the default graph is stale: the graphs are named"
        assert answers(stale) == embedded
        again = kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html")
        assert again.exit_code == 0 and "(0 rebuilt)" in again.output
        default, union = _default_and_union(url)
        assert default == union and '"Lee P. Gelernt"' not in {o for _, _, o in default}
        assert open_store(url, read_only=True)._dataset_fields("SELECT * {}") == []
    finally:
        server.stop()


FOREIGN = "<urn:x-other:thing> <urn:x-other:says> \"not this project's\""


@pytest.mark.parametrize("case", ["others-in-default-graph", "union-default-graph"])
def test_by_default_a_default_graph_that_is_not_free_is_left_alone_and_a_union_graph_kept(tmp_path, embedded,
                                                                                        monkeypatch, case):
    """Auto mode never takes a default graph holding anything else: another user's triples stay as they were, and
    on a server started with --union-default-graph (whose default graph shows every graph) nothing is copied there,
    where the copy would double every row. The build keeps the union graph instead, which queries name; they answer
    as on disk. After a `graphs`-mode build has made that union stale, the next build lays the union graph out
    again, never the default graph. KG_SPARQL_DATASET=set on the union server lays the default graph out, but its
    queries still name the graphs (the marker shows in the default graph), so their rows are not doubled."""
    monkeypatch.delenv("KG_SPARQL_DATASET", raising=False)
    options = ("--union-default-graph",) if case == "union-default-graph" else ()
    server = bench.Server("oxigraph", tmp_path / "server", options=options).start()
    try:
        url = server.url
        if case == "others-in-default-graph":
            RemoteStore(url)._update(f"INSERT DATA {{ {FOREIGN} }}")
        for mode in (None, "graphs", None):  # built, made stale, built again
            if mode:
                monkeypatch.setenv("KG_SPARQL_DATASET", mode)
            built = kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html", "--force")
            monkeypatch.delenv("KG_SPARQL_DATASET", raising=False)
            assert built.exit_code == 0, built.output
        store = open_store(url, read_only=True)
        assert store._dataset_fields("SELECT * {}") == [("default-graph-uri", UNION)]
        assert answers(store) == embedded
        kept, union = _default_and_union(url, kept=UNION)
        assert kept == union
        if case == "others-in-default-graph":
            default, _ = _default_and_union(url)
            assert default == {tuple(FOREIGN.split(" ", 2))}, "the other triples are left as they were"
        else:
            monkeypatch.setenv("KG_SPARQL_DATASET", "set")
            assert kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html").exit_code == 0
            store = open_store(url, read_only=True)
            assert store._ask("ASK { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"urn:x-legal-news-kg:layout\")) }")
            assert store._dataset_fields("SELECT * {}") != [] and answers(store) == embedded
    finally:
        server.stop()


def test_show_analyze_export_and_validate_say_the_same_of_a_server_as_of_the_folder(oxigraph_server, tmp_path):
    """The commands that read the graph, unchanged but for --store: the same output from an Oxigraph server as
    from the folder the same articles were built into."""
    folder = tmp_path / "out"
    assert kg("build", MINI_DIR, SEED_DIR, "--store", folder, "--no-html").exit_code == 0
    assert kg("build", MINI_DIR, SEED_DIR, "--store", oxigraph_server.url).exit_code == 0
    for command in (["analyze"], ["analyze", "--format", "json"], ["validate"]):
        here, there = kg(*command, "--store", folder), kg(*command, "--store", oxigraph_server.url)
        assert here.exit_code == there.exit_code == 0 and here.stdout == there.stdout, command
    for command, name in ((["export", "--format", "graphml"], "actors.graphml"), (["show"], "view.html")):
        outputs = []
        for store, where in ((folder, "disk"), (oxigraph_server.url, "server")):
            path = tmp_path / f"{where}-{name}"
            assert kg(*command, "--store", store, "-o", path).exit_code == 0
            outputs.append(path.read_bytes())
        assert outputs[0] == outputs[1] and len(outputs[0]) > 10_000, command


def test_kg_serve_over_an_oxigraph_server_answers_as_kg_query_with_the_same_limits(tmp_path):
    """`kg serve --store URL`: the endpoint, the query page and the graph page over a SPARQL server, the rows
    `kg query --store URL` gives; updates, graphs outside the project, too many rows and a query past its time
    are refused as on disk; the graph page is drawn again after a build changes the graph; a server that is down
    is one line and exit 2. (Its own server: the query stopped at its time limit goes on running in an Oxigraph
    server.)"""
    from .test_serve import start, stop

    server = bench.Server("oxigraph", tmp_path / "server").start()
    try:
        assert kg("build", MINI_DIR, SEED_DIR, "--store", server.url, "--no-html").exit_code == 0
        served = start(server.url, "--max-rows", "500", "--timeout", "2")
        try:
            status, _, text = served.request("/queries/statements.rq")
            status, headers, body = served.request("/sparql", data=text,
                                                   headers={"Content-Type": "application/sparql-query"})
            assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
            over_http = sorted((b["quote"]["value"], int(b["start"]["value"])) for b in
                               json.loads(body)["results"]["bindings"])
            cli = kg("query", "statements", "--format", "json", "--store", server.url)
            assert over_http == sorted((r["quote"], r["start"]) for r in json.loads(cli.stdout)) and over_http

            status, _, page = served.request("/query?name=statements&run=1")
            assert status == 200 and "Rubio" in page.decode()
            # the page's named query, asked with no parameter, goes to the server in its whole-store form
            from graph.listings import whole_text
            from graph.sparql_worker import whole

            named = queries.named_queries()
            assert whole("statements") == whole_text(named["statements"]) is not None
            assert whole("doctrines") is None and whole("no-such-query") is None
            status, headers, page = served.request("/")
            assert status == 200 and headers["Content-Type"].startswith("text/html") and b"Marco Rubio" in page
            mini = _renamed_mini(tmp_path)  # a build changes a name: the page is drawn again
            assert b"Lee P. Gelernt" not in page
            assert kg("build", mini, SEED_DIR, "--store", server.url, "--no-html").exit_code == 0
            status, _, page = served.request("/")
            assert status == 200 and b"Lee P. Gelernt" in page and b"Marco Rubio" in page

            assert served.post_form([("update", "DROP ALL")])[0] == 403
            status, _, body = served.get("SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": "http://example.org/x"})
            assert status == 400 and b"not one of the project's graphs" in body
            status, _, body = served.get("SELECT * WHERE { ?s ?p ?o }")
            assert status == 422 and b"more than 500 rows" in body
            status, _, body = served.get(
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
            assert status == 503, body
            status, _, body = served.get("ASK { ?s ?p ?o }")  # a new worker answers
            assert status == 200 and json.loads(body)["boolean"] is True
            server.stop()  # the server goes away: both pages say so in a line, and kg serve stays up
            status, _, body = served.request("/")
            assert status == 502 and b"cannot reach the SPARQL store" in body
            status, _, body = served.get("ASK { ?s ?p ?o }")
            assert status == 502 and b"cannot reach the SPARQL store" in body
        finally:
            stop(served)
    finally:
        server.stop()
    down = kg("serve", "--store", f"http://127.0.0.1:{bench.free_port()}", "--port", "0")
    assert down.exit_code == 2 and "cannot reach the SPARQL store" in down.stderr and "Traceback" not in down.output


def test_kg_serve_over_a_server_answers_from_what_the_latest_build_left(tmp_path, monkeypatch):
    """Regression: kg serve's worker kept, from its first answers, the server's graph list and whether its default
    graph is kept, so after a build it went on asking the default graph a `graphs`-mode build had left stale (the
    old name), or naming the graphs of before (an added article missing). One worker, asked before and after."""
    from .test_serve import start, stop

    def names(served) -> set:
        status, _, body = served.get('SELECT ?n WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?n '
                                     'FILTER(STR(?n) IN ("Lee Gelernt", "Lee P. Gelernt")) }')
        assert status == 200, body
        return {b["n"]["value"] for b in json.loads(body)["results"]["bindings"]}

    monkeypatch.delenv("KG_SPARQL_DATASET", raising=False)
    server = bench.Server("oxigraph", tmp_path / "server").start()
    try:
        assert kg("build", MINI_DIR, "--store", server.url, "--no-html").exit_code == 0  # laid out (auto)
        served = start(server.url, "--workers", "1")
        try:
            assert names(served) == {"Lee Gelernt"}
            mini = _renamed_mini(tmp_path)
            monkeypatch.setenv("KG_SPARQL_DATASET", "graphs")  # the default graph is left as it was: stale
            assert kg("build", mini, "--store", server.url, "--no-html").exit_code == 0
            assert names(served) == {"Lee P. Gelernt"}
            status, _, body = served.get("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <%s> }" % KG.Article)
            assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "1"
            assert kg("build", mini, SEED_DIR, "--store", server.url, "--no-html").exit_code == 0  # one more
            status, _, body = served.get("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <%s> }" % KG.Article)
            assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "2"
        finally:
            stop(served)
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["virtuoso", "oxigraph"])
def test_union_mode_keeps_a_union_graph_through_changes_failures_and_other_modes(tmp_path, embedded, monkeypatch,
                                                                                kind):
    """KG_SPARQL_DATASET=union (Virtuoso's default; an Oxigraph server's when asked): the build keeps a graph of
    its own as the set union of the project's graphs, and queries name that one graph. Through a changed article
    and a removed one it stays exactly the union; a build that fails midway (Virtuoso: between two MOVE requests)
    leaves its marker stale, so queries name the graphs and still answer as on disk, and the next build lays it out
    again; a build in `graphs` mode makes it stale too."""
    if kind == "virtuoso" and not shutil.which("virtuoso-t"):
        pytest.fail("virtuoso-t is missing: `make test` installs Debian's virtuoso-opensource-7-bin")
    env = dict(VIRTUOSO_ENV) if kind == "virtuoso" else {"KG_SPARQL_DATASET": "union"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    server = bench.Server(kind, tmp_path / "server").start()
    try:
        url = server.url
        assert kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html").exit_code == 0
        kept, union = _default_and_union(url, env, kept=UNION)
        assert kept == union and len(kept) > 3000
        store = open_store(url, read_only=True)
        assert store.dataset == "union" and store._dataset_fields("SELECT * {}") == [("default-graph-uri", UNION)]
        assert answers(store) == embedded
        sent = []
        spied = RemoteStore._update
        monkeypatch.setattr(RemoteStore, "_update", lambda self, text: (sent.append(text), spied(self, text))[1])
        nothing = kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html")
        monkeypatch.setattr(RemoteStore, "_update", spied)
        assert "(0 rebuilt)" in nothing.output and sent == [], "a build with nothing to write leaves the union kept"

        mini = _renamed_mini(tmp_path)
        from graph.build import build

        build([mini], url, prune=True, html=False)  # the seed article's folder is gone: its graph is removed
        kept, union = _default_and_union(url, env, kept=UNION)
        assert kept == union and '"Lee P. Gelernt"' in {o for _, _, o in kept}
        assert not any("npr-2025-02-05" in s for s, _, _ in kept), "the removed article's triples are gone"

        # a build that stops after its first write request: the union is not kept, and says so
        calls = []
        real = RemoteStore._update

        def failing(self, text):
            if "MOVE" in text or "INSERT DATA { GRAPH <https://w3id.org" in text:
                calls.append(text)
                if len(calls) == 2:
                    raise graph_remote.StoreUnavailable("the server went away (simulated)")
            return real(self, text)

        monkeypatch.setattr(graph_remote, "GRAPHS_PER_UPDATE", 1)
        monkeypatch.setattr(graph_remote, "MOVES_PER_UPDATE", 1)
        monkeypatch.setattr(RemoteStore, "_update", failing)
        died = kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html", "--force")
        monkeypatch.setattr(RemoteStore, "_update", real)
        assert died.exit_code == 2 and "simulated" in died.output
        stale = open_store(url, read_only=True)
        assert stale._dataset_fields("SELECT * {}") != [("default-graph-uri", UNION)], "stale: the graphs are named"
        again = kg("build", MINI_DIR, SEED_DIR, "--store", url, "--no-html")
        assert again.exit_code == 0, again.output
        kept, union = _default_and_union(url, env, kept=UNION)
        assert kept == union and '"Lee P. Gelernt"' not in {o for _, _, o in kept}
        store = open_store(url, read_only=True)
        assert store._dataset_fields("SELECT * {}") == [("default-graph-uri", UNION)] and answers(store) == embedded

        monkeypatch.setenv("KG_SPARQL_DATASET", "graphs")
        assert kg("build", mini, SEED_DIR, "--store", url, "--no-html").exit_code == 0
        monkeypatch.setenv("KG_SPARQL_DATASET", "union")
        assert open_store(url, read_only=True)._dataset_fields("SELECT * {}") != [("default-graph-uri", UNION)]
    finally:
        server.stop()


def test_set_mode_needs_updates_that_are_transactions():
    with pytest.raises(KgError, match="KG_SPARQL_REPLACE=update"):
        RemoteStore("http://127.0.0.1:1", env={"KG_SPARQL_DATASET": "set", "KG_SPARQL_REPLACE": "move"})
    with pytest.raises(KgError, match="`set`"):
        RemoteStore("http://127.0.0.1:1", env={"KG_SPARQL_DATASET": "bag"})
    # the default: the default graph on a server whose updates are transactions, a union graph on any other
    assert RemoteStore("http://127.0.0.1:1", env={}).dataset == "auto"
    assert RemoteStore("http://127.0.0.1:1", env={"KG_SPARQL_SERVER": "virtuoso"}).dataset == "union"
    assert RemoteStore("http://127.0.0.1:1", env={"KG_SPARQL_REPLACE": "move"}).dataset == "union"


def test_a_hostile_parameter_value_is_a_term_on_a_server_too(oxigraph_server):
    assert kg("build", MINI_DIR, "--store", oxigraph_server.url).exit_code == 0
    hostile = 'x" } UNION { ?actor ?p ?o } #'
    result = kg("query", "actors", "--store", oxigraph_server.url, "--param", f"name_contains={hostile}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    named = kg("query", "actors", "--store", oxigraph_server.url, "--param", "name_contains=gelernt", "--format", "json")
    assert [r["name"] for r in json.loads(named.output)] == ["Lee Gelernt"]


def test_a_server_that_is_down_gives_one_clear_line_and_exit_2(tmp_path):
    url = f"http://127.0.0.1:{bench.free_port()}"
    for args in (("build", MINI_DIR, "--store", url), ("query", "statements", "--store", url)):
        result = kg(*args)
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and url in lines[0] and "is the server running" in lines[0], result.stderr
        assert "Traceback" not in result.output


def test_a_server_killed_mid_build_leaves_whole_graphs_and_the_next_build_completes(tmp_path, monkeypatch):
    """SIGKILL the server during the uploads: every article graph on it is whole or absent, the build exits 2
    naming the URL, and the next build (server restarted on the same data) completes and cleans up."""
    import graph.remote

    monkeypatch.setenv("KG_SPARQL_REPLACE", "move")  # the generic path: uploads under temporary names, then MOVE
    folders, extension, sizes = _corpus(tmp_path, 12)

    server = bench.Server("oxigraph", tmp_path / "server").start()
    try:
        first = kg("build", "--store", server.url, "--ontology", extension, *folders[:2])  # the ontology is in place
        assert first.exit_code == 0, first.output
        monkeypatch.setattr(graph.remote, "MOVES_PER_UPDATE", 4)
        real_upload = _kill_at(server, monkeypatch, "_upload", 7)
        died = kg("build", "--store", server.url, "--ontology", extension, *folders)
        assert died.exit_code == 2 and server.url in died.stderr and "Traceback" not in died.output
        monkeypatch.setattr(RemoteStore, "_upload", real_upload)

        _restart(server)
        store = RemoteStore(server.url)
        on_server = _whole_or_absent(store, sizes)
        assert len(on_server) == 2 + 4  # one batch of 4 was moved into place before the server died
        assert store.input_hashes(prefix=TMP_GRAPHS), "the uploads in flight are left as temporary graphs"

        completed = kg("build", "--store", server.url, "--ontology", extension, *folders)
        assert completed.exit_code == 0, completed.output
        assert f"({12 - len(on_server)} rebuilt)" in completed.output
        assert _all_written(server.url, folders, sizes).input_hashes(prefix=TMP_GRAPHS) == {}
    finally:
        server.stop()


def test_updates_replace_several_article_graphs_each_and_a_graph_with_blank_nodes_alone(tmp_path, monkeypatch):
    """KG_SPARQL_REPLACE=update (an Oxigraph server's default) sends GRAPHS_PER_UPDATE articles an update request,
    one transaction each (1M triples: 59 s one article a request, 37 s ten); every graph arrives whole. A graph
    whose text has a blank node goes in a request of its own: a blank node label names one node per request."""
    import graph.remote

    monkeypatch.setattr(graph.remote, "GRAPHS_PER_UPDATE", 5)
    folders, extension, sizes = _corpus(tmp_path, 12)

    server = bench.Server("oxigraph", tmp_path / "server").start()
    try:
        sent = []
        real_update = RemoteStore._update
        monkeypatch.setattr(RemoteStore, "_update", lambda self, text: (sent.append(text), real_update(self, text))[1])
        built = kg("build", "--store", server.url, "--ontology", extension, *folders)
        assert built.exit_code == 0, built.output
        drops = f"DROP SILENT GRAPH <{GR['article/']}"
        assert [text.count(drops) for text in sent if drops in text] == [5, 5, 2]
        store = _all_written(server.url, folders, sizes)

        sent.clear()
        names = [URIRef(f"{GR}blank-test/{i}") for i in range(3)]
        store.replace_graphs([(names[0], "<urn:a> <urn:p> <urn:b> ."), (names[1], "_:x <urn:p> <urn:b> ."),
                              (names[2], "_:x <urn:p> <urn:c> .")])
        assert [sum(str(name) in text for name in names) for text in sent if "INSERT DATA" in text] == [1, 1, 1]
        subjects = store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s <urn:p> ?o } "
                               "FILTER(STRSTARTS(STR(?g), \"%sblank-test/\")) FILTER(isBlank(?s)) }" % GR,
                               union=False).rows
        assert len(subjects) == 2, "each graph its own blank node"
    finally:
        server.stop()


def test_a_server_killed_between_two_update_requests_keeps_whole_batches_and_the_next_build_completes(tmp_path,
                                                                                                      monkeypatch):
    """KG_SPARQL_REPLACE=update (Oxigraph's default), GRAPHS_PER_UPDATE articles a request: SIGKILL the server as
    the second request goes: the first request's articles are on it whole, no graph of the second's is, the build
    exits 2 naming the URL, and the next build (server restarted on the same data) writes the rest."""
    import graph.remote

    monkeypatch.setattr(graph.remote, "GRAPHS_PER_UPDATE", 4)
    folders, extension, sizes = _corpus(tmp_path, 10)

    server = bench.Server("oxigraph", tmp_path / "server").start()
    try:
        first = kg("build", "--store", server.url, "--ontology", extension, *folders[:2])  # the ontology is in place
        assert first.exit_code == 0, first.output
        real_update = _kill_at(server, monkeypatch, "_update", 2,
                               lambda text: "INSERT DATA { GRAPH <%s" % GR["article/"] in text)
        died = kg("build", "--store", server.url, "--ontology", extension, *folders)
        assert died.exit_code == 2 and server.url in died.stderr and "Traceback" not in died.output
        monkeypatch.setattr(RemoteStore, "_update", real_update)

        _restart(server)
        on_server = _whole_or_absent(RemoteStore(server.url), sizes)
        assert len(on_server) == 2 + 4, "the first request's four articles, none of the second's"

        completed = kg("build", "--store", server.url, "--ontology", extension, *folders)
        assert completed.exit_code == 0 and "(4 rebuilt)" in completed.output, completed.output
        _all_written(server.url, folders, sizes)
    finally:
        server.stop()


# -- the protocol, seen from the server side ---------------------------------------------------------
class Recorder(http.server.BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        form = urllib.parse.parse_qs(body)
        Recorder.requests.append({"headers": dict(self.headers), "form": form, "path": self.path})
        text = form.get("query", [""])[0]
        if "inputHash" in text:
            bindings = [{"g": {"type": "uri", "value": str(article_graph(s))}, "h": {"type": "literal", "value": "0"}}
                        for s in ("a", "b")]
            answer = {"head": {"vars": ["g", "h"]}, "results": {"bindings": bindings}}
        elif text.lstrip().startswith("ASK"):
            answer = {"head": {}, "boolean": False}
        else:
            answer = {"head": {"vars": ["n"]}, "results": {"bindings": [
                {"n": {"type": "typed-literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_queries_are_form_posts_that_name_the_project_graphs_with_the_token_from_the_environment():
    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        Recorder.requests.clear()
        url = f"http://127.0.0.1:{server.server_port}"
        store = RemoteStore(url, env={"KG_STORE_TOKEN": "s3cret", "KG_SPARQL_QUERY_PATH": "/sparql"})
        result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert result.rows == [{"n": Literal(3)}]
        last = Recorder.requests[-1]
        assert last["path"] == "/sparql"
        assert last["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")  # never sparql-query
        assert last["headers"]["Authorization"] == "Bearer s3cret"
        assert sorted(last["form"]["default-graph-uri"]) == [str(article_graph("a")), str(article_graph("b"))]
        assert "named-graph-uri" not in last["form"]  # no GRAPH in the query
        store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert sorted(Recorder.requests[-1]["form"]["named-graph-uri"]) == [str(article_graph("a")), str(article_graph("b"))]
        server_default = RemoteStore(url, env={"KG_SPARQL_DATASET": "server"})
        server_default.query("SELECT * WHERE { ?s ?p ?o }")
        assert "default-graph-uri" not in Recorder.requests[-1]["form"]
    finally:
        server.shutdown()


class Slow(http.server.BaseHTTPRequestHandler):
    """Answers nothing for longer than the client waits."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        threading.Event().wait(3)

    def log_message(self, *args):
        pass


def test_a_server_that_does_not_answer_in_time_is_said_to_be_slow_not_unreachable(monkeypatch):
    """Regression: a query past KG_STORE_TIMEOUT was reported as "cannot reach the SPARQL store ... is the server
    running?" (seen on Virtuoso at 1M triples), which sends the user looking for a server that is up."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("KG_STORE_TIMEOUT", "0.5")
        monkeypatch.setenv("KG_SPARQL_DATASET", "server")  # no graph list first: the query itself waits
        result = kg("query", "--sparql", "ASK { ?s ?p ?o }", "--store", f"http://127.0.0.1:{server.server_port}")
        assert result.exit_code == 2 and "Traceback" not in result.output
        message = " ".join(result.stderr.split())
        assert "did not answer the query within 0.5 s (KG_STORE_TIMEOUT)" in message, message
        assert "cannot reach" not in message
    finally:
        server.shutdown()


def test_endpoint_settings_come_from_presets_and_the_environment():
    oxigraph = RemoteStore("http://h:7878/", env={})
    assert (oxigraph.query_url, oxigraph.update_url, oxigraph.gsp_url) == \
           ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")
    fuseki = RemoteStore("http://h:3030/ds", env={"KG_SPARQL_SERVER": "fuseki"})
    assert (fuseki.query_url, fuseki.update_url, fuseki.gsp_url) == \
           ("http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data")
    virtuoso = RemoteStore("http://h:8890", env={"KG_SPARQL_SERVER": "virtuoso", "KG_STORE_USER": "u"})
    assert virtuoso.update_url == "http://h:8890/sparql-auth" and virtuoso.gsp_url == "http://h:8890/sparql-graph-crud-auth"
    graphdb = RemoteStore("http://h:7200/repositories/kg", env={"KG_SPARQL_SERVER": "graphdb",
                                                                "KG_SPARQL_GSP_PATH": "https://other/gsp"})
    assert graphdb.query_url == "http://h:7200/repositories/kg" and graphdb.gsp_url == "https://other/gsp"
    assert (oxigraph.replace, fuseki.replace, virtuoso.replace) == ("update", "move", "move")
    assert RemoteStore("http://h", env={"KG_SPARQL_REPLACE": "move"}).replace == "move"
    with pytest.raises(KgError, match="KG_SPARQL_SERVER"):
        RemoteStore("http://h", env={"KG_SPARQL_SERVER": "mysql"})
    with pytest.raises(KgError, match="KG_SPARQL_DATASET"):
        RemoteStore("http://h", env={"KG_SPARQL_DATASET": "all"})
    with pytest.raises(KgError, match="KG_SPARQL_REPLACE"):
        RemoteStore("http://h", env={"KG_SPARQL_REPLACE": "copy"})


def test_parameters_are_bound_by_a_values_block_closing_the_where_group():
    text = 'SELECT ?x (GROUP_CONCAT(?y; separator="}") AS ?ys) WHERE { ?x <urn:p> ?y . FILTER(?y != "{") } GROUP BY ?x'
    bound = with_values(text, {"x": URIRef("urn:a"), "y": Literal('q" } UNION { ?s ?p ?o')})
    assert bound.startswith(text[:text.index('FILTER(?y != "{") }') + len('FILTER(?y != "{") ')])
    assert 'VALUES (?x ?y) { (<urn:a> "q\\" } UNION { ?s ?p ?o") }' in bound
    assert bound.rstrip().endswith("} GROUP BY ?x")
    import pyoxigraph

    pyoxigraph.Store().query(bound)  # still valid SPARQL


# -- Virtuoso ----------------------------------------------------------------------------------------
def test_virtuoso_builds_and_answers_over_the_project_graphs_only(tmp_path, embedded, monkeypatch):
    """Virtuoso 7.2.5 (Debian): Digest credentials from the environment (/sparql-auth), form-encoded queries,
    Graph Store Protocol uploads moved into place; its default graph is the union of every graph, its own
    system graphs included, so each query names the project's graphs."""
    if not shutil.which("virtuoso-t"):
        pytest.fail("virtuoso-t is missing: `make test` installs Debian's virtuoso-opensource-7-bin")
    server = bench.Server("virtuoso", tmp_path / "virtuoso").start()
    try:
        for key, value in VIRTUOSO_ENV.items():
            monkeypatch.setenv(key, value)
        built = kg("build", MINI_DIR, SEED_DIR, "--store", server.url)
        assert built.exit_code == 0, built.output + built.stderr
        assert "(2 rebuilt)" in built.output
        store = open_store(server.url)
        assert answers(store) == embedded  # every named query, as on the embedded store
        assert kg("build", MINI_DIR, SEED_DIR, "--store", server.url).output.count("(0 rebuilt)") == 1

        system = 'ASK { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "http://www.openlinksw.com/")) }'
        scoped = kg("query", "--sparql", system, "--store", server.url, "--format", "json")
        assert scoped.exit_code == 0 and json.loads(scoped.output) is False
        from .test_serve import start, stop

        served = start(server.url)  # kg serve in front of it: the same scope, the credentials from the environment
        try:
            status, _, body = served.get(system)
            assert status == 200 and json.loads(body)["boolean"] is False
            status, _, page = served.request("/query?name=statements&run=1")
            assert status == 200 and "under study." in page.decode()
        finally:
            stop(served)
        monkeypatch.setenv("KG_SPARQL_DATASET", "server")  # trusting Virtuoso's default graph: its system graphs leak in
        leaky = kg("query", "--sparql", system, "--store", server.url, "--format", "json")
        assert json.loads(leaky.output) is True
        monkeypatch.delenv("KG_SPARQL_DATASET")

        monkeypatch.setenv("KG_STORE_PASSWORD", "wrong")
        refused = kg("query", "statements", "--store", server.url)
        assert refused.exit_code == 2 and "KG_STORE_USER" in refused.stderr and "wrong" not in refused.stderr
    finally:
        server.stop()


def parameter_cases(query) -> list[list[str]]:
    """--param lists for a named query: its required parameters alone, then with each optional one, each set to
    the example its header gives (e.g. ...), then the cases pinned in tests/data/cq."""
    examples = {}
    for param in query.params.values():
        found = re.search(r"e\.g\. (\S+)", param.doc)
        assert found, f"{query.name}: the parameter {param.name} has no example (e.g. ...) in its header"
        examples[param.name] = f"{param.name}={found.group(1)}"
    required = [examples[p.name] for p in query.params.values() if not p.optional]
    cases = [required] + [required + [v] for k, v in examples.items() if v not in required]
    pinned = ROOT / "tests" / "data" / "cq" / f"{query.name}.json"
    if pinned.is_file():
        for case in json.loads(pinned.read_text(encoding="utf-8"))["cases"]:
            cases.append([f"{k}={v}" for k, v in case["params"].items()])
    return cases


def test_every_named_query_gives_the_same_rows_on_virtuoso_as_on_the_embedded_store(seed_store, tmp_path, monkeypatch):
    """The seed article built into Virtuoso: every named query (ontology and extensions), with no parameters and
    with each parameter set to its example, gives the same rows as the embedded store, compared as sets of rows
    after `kg query`'s normalisation of terms (IRIs, plain literal values, lists split and sorted); and `kg query
    --store URL` gives the rows pinned in tests/data/cq. Virtuoso 7.2.5 answered `actors` with no rows (a BIND
    before OPTIONALs), `doctrines --param doctrine_iri=...` with none (an OPTIONAL on the VALUES-bound parameter
    that did not match dropped the row), and `timeline`'s article dates as xsd:dateTime (STRDT of a computed
    string)."""
    if not shutil.which("virtuoso-t"):
        pytest.fail("virtuoso-t is missing: `make test` installs Debian's virtuoso-opensource-7-bin")
    for key, value in VIRTUOSO_ENV.items():
        monkeypatch.setenv(key, value)
    embedded = open_store(seed_store, read_only=True)
    server = bench.Server("virtuoso", tmp_path / "virtuoso").start()
    try:
        built = kg("build", SEED_DIR, "--store", server.url)
        assert built.exit_code == 0, built.output + built.stderr
        remote = open_store(server.url)

        def rows(store, query, bindings):
            result = queries.execute(store, query, bindings)
            return sorted(json.dumps(r, sort_keys=True) for r in queries.records(result, query.lists))

        compared, differ = 0, []
        non_empty = set()
        for name, query in queries.named_queries().items():
            for case in parameter_cases(query):
                bindings = queries.bind_params(query, case)
                here, there = rows(embedded, query, bindings), rows(remote, query, bindings)
                compared += 1
                non_empty |= {name} if here else set()
                if set(here) != set(there) or len(here) != len(there):
                    differ.append((name, case, sorted(set(here) - set(there))[:2], sorted(set(there) - set(here))[:2]))
        assert not differ, "Virtuoso answers differently:\n" + "\n".join(map(repr, differ))
        assert compared >= 30 and {"actors", "timeline", "doctrines", "statements", "positions"} <= non_empty

        for pinned in sorted((ROOT / "tests" / "data" / "cq").glob("*.json")):
            for case in json.loads(pinned.read_text(encoding="utf-8"))["cases"]:
                args = [a for k, v in case["params"].items() for a in ("--param", f"{k}={v}")]
                result = kg("query", pinned.stem, "--format", "json", "--store", server.url, *args)
                assert result.exit_code == 0, result.output
                key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
                assert sorted(json.loads(result.stdout), key=key) == sorted(case["rows"], key=key), (pinned.stem, case)
    finally:
        embedded.close()
        server.stop()


def test_every_named_query_gives_the_same_rows_on_virtuoso_with_many_graphs(tmp_path, monkeypatch):
    """Regression: with 80 or more graphs named in a request, Virtuoso 7.2.5 answered a pattern with a variable
    predicate joined with a transitive path on it (`evidence`: `?node ?p ?e . ?p rdfs:subPropertyOf*
    prov:wasDerivedFrom`) with no rows, where it answered right with 78 (the benchmark at 1M triples: `evidence`
    0 rows, 1 on disk). The seed article and 90 generated ones, every named query and parameter case as in the test
    above, and `evidence` about a generated position, compared with the embedded store."""
    if not shutil.which("virtuoso-t"):
        pytest.fail("virtuoso-t is missing: `make test` installs Debian's virtuoso-opensource-7-bin")
    _, folders = bench.gen_corpus.generate(tmp_path / "corpus", 90, doctrines=20)
    extension = tmp_path / "corpus" / "ontology-extension"
    every = [SEED_DIR, *folders]
    assert kg("build", "--quiet", "--no-html", "--store", tmp_path / "embedded", "--ontology", extension,
              *every).exit_code == 0
    embedded = open_store(tmp_path / "embedded", read_only=True)
    for key, value in VIRTUOSO_ENV.items():
        monkeypatch.setenv(key, value)
    server = bench.Server("virtuoso", tmp_path / "virtuoso").start()
    try:
        built = kg("build", "--quiet", "--store", server.url, "--ontology", extension, *every)
        assert built.exit_code == 0, built.output
        remote = open_store(server.url)
        assert len(remote.graphs()) > 90
        assert remote._dataset_fields("SELECT * {}") == [("default-graph-uri", UNION)]  # one graph, not 92

        def rows(store, query, bindings):
            result = queries.execute(store, query, bindings)
            return sorted(json.dumps(r, sort_keys=True) for r in queries.records(result, query.lists))

        differ, non_empty = [], set()
        named = queries.named_queries()
        position = "node_iri=https://w3id.org/legal-news-kg/id/article/synthetic-0000000/position/p1"
        for name, query in named.items():
            for case in parameter_cases(query) + ([[position]] if name == "evidence" else []):
                if name == "said-about" and any(c.startswith("about_iri=doctrine:") for c in case):
                    # Virtuoso 7.2.5 missed, in about one run of five, rows said-about reaches through its
                    # transitive path from a doctrine (2 of 5): nondeterministic, and seen with one graph named
                    # too, so not this test's bug; README, Stores, says so. The seed-only test above asks it.
                    continue
                bindings = queries.bind_params(query, case)
                here, there = rows(embedded, query, bindings), rows(remote, query, bindings)
                non_empty |= {(name, tuple(case))} if here else set()
                if set(here) != set(there) or len(here) != len(there):
                    differ.append((name, case, len(here), len(there)))
        assert not differ, "Virtuoso answers differently:\n" + "\n".join(map(repr, differ))
        assert ("evidence", (position,)) in non_empty
    finally:
        embedded.close()
        server.stop()
