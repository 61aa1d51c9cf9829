"""The store's default graph is the SET union of its named graphs (graph/store.py), whatever was replaced or
removed; stores built before that layout are upgraded on a write open and read as before when opened read-only;
a first build's bulk load that is killed is redone by the next build; files written atomically are 0644."""

from __future__ import annotations

import os
import random
import shutil
import stat
import subprocess
import sys

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from graph.cli import main
from graph.ns import article_graph
from graph.ontology import Ontology
from graph.safety import LAYOUT_GRAPH, current_snapshot
from graph.store import BULK_MARKER, OxigraphStore, write_atomically

from .conftest import MINI_DIR, ROOT, no_report_seven, script

EX = "http://example.org/"
DEFAULT = ox.DefaultGraph()


def fresh() -> OxigraphStore:
    """A store in memory in the new layout (not the shared memory: store)."""
    store = OxigraphStore.__new__(OxigraphStore)
    store.directory, store.read_only, store.location, store.store = None, False, "memory:", ox.Store()
    store.upgrade()
    return store


def triples(*pairs) -> Graph:
    graph = Graph()
    for s, o in pairs:
        graph.add((URIRef(EX + s), URIRef(EX + "p"), Literal(o)))
    return graph


def default_graph(store) -> set:
    return {(q.subject, q.predicate, q.object) for q in store.store.quads_for_pattern(None, None, None, DEFAULT)}


def named_union(store) -> set:
    return {(q.subject, q.predicate, q.object) for q in store.store.quads_for_pattern(None, None, None, None)
            if isinstance(q.graph_name, ox.NamedNode)}


def test_a_triple_held_by_two_graphs_survives_removing_one():
    store = fresh()
    store.replace_graph(URIRef(EX + "g1"), triples(("shared", "label"), ("only1", "x")))
    store.replace_graph(URIRef(EX + "g2"), triples(("shared", "label"), ("only2", "y")))
    store.remove_graph(URIRef(EX + "g1"))
    assert default_graph(store) == named_union(store)
    subjects = {t[0].value for t in default_graph(store)}
    assert subjects == {EX + "shared", EX + "only2"}


def test_replacing_a_graph_removes_only_the_triples_no_other_graph_holds():
    store = fresh()
    store.replace_graph(URIRef(EX + "g1"), triples(("shared", "label"), ("old", "x")))
    store.replace_graph(URIRef(EX + "g2"), triples(("shared", "label")))
    store.replace_graph(URIRef(EX + "g1"), triples(("new", "z")))
    assert {t[0].value for t in default_graph(store)} == {EX + "shared", EX + "new"}
    store.replace_graph(URIRef(EX + "g2"), triples(("new", "z")))
    assert {t[0].value for t in default_graph(store)} == {EX + "new"}


def test_a_label_in_many_graphs_is_one_row_and_graph_patterns_still_see_each_graph():
    store = fresh()
    for i in range(5):
        store.replace_graph(URIRef(EX + f"g{i}"), triples(("actor", "Popular"), (f"s{i}", "x")))
    rows = store.query("SELECT ?o WHERE { <%sactor> ?p ?o }" % EX).rows
    assert len(rows) == 1, "the default graph is a set: one row, not one per graph"
    per_graph = store.query("SELECT ?g WHERE { GRAPH ?g { <%sactor> ?p ?o } }" % EX).rows
    assert sorted(str(r["g"]) for r in per_graph) == [EX + f"g{i}" for i in range(5)]
    assert URIRef(LAYOUT_GRAPH) not in store.graphs() and len(store.graphs()) == 5
    assert store.triple_count() == 10  # triples in the named graphs, as before


@pytest.mark.parametrize("seed", range(6))
def test_after_any_sequence_of_replaces_and_removes_the_default_graph_is_the_set_union(seed):
    rng = random.Random(seed)
    store = fresh()
    names = [URIRef(EX + f"g{i}") for i in range(4)]
    for step in range(40):
        name = rng.choice(names)
        if rng.random() < 0.25:
            store.remove_graph(name)
        else:  # a few triples drawn from a small pool, so graphs share many of them
            store.replace_graph(name, triples(*((f"s{rng.randrange(6)}", f"o{rng.randrange(3)}")
                                                for _ in range(rng.randrange(0, 6)))))
        assert default_graph(store) == named_union(store), f"step {step}"
    store.replace_graphs([(n, triples(("batch", n[-2:]))) for n in names])
    assert default_graph(store) == named_union(store)


def test_many_new_graphs_into_an_empty_store_take_the_bulk_loader_and_keep_the_union(monkeypatch):
    import graph.store

    monkeypatch.setattr(graph.store, "BULK_FROM", 3)
    monkeypatch.setattr(graph.store, "BULK_CHUNK", 5)  # 4 quads per graph: the bulk loader called 3 times
    store = fresh()
    items = [(URIRef(EX + f"g{i}"), triples(("shared", "label"), (f"s{i}", "x"))) for i in range(5)]
    done = []
    store.replace_graphs(items, done=done.append)
    assert done == [name for name, _ in items]
    assert len(store.graphs()) == 5
    assert default_graph(store) == named_union(store) and len(default_graph(store)) == 6


def test_the_bulk_loaders_chunks_get_smaller_towards_the_last_graph(monkeypatch):
    """What is left when the last graph comes is loaded while nothing else runs: given how many graphs come, the
    writer loads smaller chunks towards the end (at least a quarter of BULK_CHUNK, at most all of it)."""
    import graph.store

    monkeypatch.setattr(graph.store, "BULK_FROM", 1)
    monkeypatch.setattr(graph.store, "BULK_CHUNK", 40)  # 4 quads per graph
    items = [(URIRef(EX + f"g{i}"), triples(("shared", "label"), (f"s{i}", "x"))) for i in range(50)]
    loaded = []
    load = graph.store.BulkWriter._load
    monkeypatch.setattr(graph.store.BulkWriter, "_load", lambda self: loaded.append(self.size) or load(self))
    store = fresh()
    store.replace_graphs(items)  # tells the writer: 50 graphs
    assert loaded == [40, 40, 40, 40, 20, 12, 8]
    assert default_graph(store) == named_union(store) and len(named_union(store)) == 51
    loaded.clear()
    writer = fresh().bulk_writer(1)  # one graph said, fifty come: chunks of a quarter
    for name, data in items:
        writer.add(name, graph.store.ntriples(data), checked=True)
    writer.finish()
    assert loaded == [12] * 16 + [8]


class LoaderSpy:
    """A pyoxigraph store that records the ``lenient`` of each bulk load."""

    def __init__(self, store: ox.Store):
        self.real, self.lenient = store, []

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __contains__(self, quad):
        return quad in self.real

    def bulk_load(self, *args, **kwargs):
        self.lenient.append(kwargs.get("lenient", False))
        return self.real.bulk_load(*args, **kwargs)


def test_the_bulk_loader_checks_again_only_what_ntriples_did_not_write(monkeypatch):
    """Graphs the store writes as N-Triples itself (ntriples(): pyoxigraph made every term and checked its IRI or
    language tag) are parsed leniently; a text handed in as it is, checked by the loader: an IRI with a space, a bad
    language tag stop it, even in a chunk with checked graphs."""
    import graph.store

    monkeypatch.setattr(graph.store, "BULK_FROM", 1)
    store = fresh()
    store.store = spy = LoaderSpy(store.store)
    store.replace_graphs([(URIRef(EX + f"g{i}"), triples(("s", f"label {i}"))) for i in range(3)])
    assert spy.lenient == [True] and len(named_union(store)) == 3
    for bad in (f"<{EX}a b> <{EX}p> <{EX}o> .", f'<{EX}a> <{EX}p> "x"@en-abcdefghijk .'):
        store = fresh()
        store.store = spy = LoaderSpy(store.store)
        with pytest.raises(SyntaxError):
            store.replace_graphs([(URIRef(EX + "checked"), triples(("s", "x"))), (URIRef(EX + "text"), bad)])
        assert spy.lenient == [False]


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def make_old_layout(out):
    """Turn a built store into one built before this layout: no marker, an empty default graph."""
    for path in (out / "store", current_snapshot(out)):
        store = ox.Store(str(path))
        store.update(f"CLEAR DEFAULT ; DROP GRAPH <{LAYOUT_GRAPH}>")
        store.flush()
        del store


def test_an_old_store_is_read_as_before_and_upgraded_by_the_next_build(tmp_path):
    article = tmp_path / "mini-wire-story"
    shutil.copytree(MINI_DIR, article)
    out = tmp_path / "out"
    assert kg("build", article, "--store", out).exit_code == 0
    before = kg("query", "actors", "--store", out, "--format", "json")
    assert before.exit_code == 0 and before.output.count('"') > 10
    make_old_layout(out)
    old = OxigraphStore(out, read_only=True)
    assert not old.deduplicated and not default_graph(old)
    old.close()
    assert kg("query", "actors", "--store", out, "--format", "json").output == before.output
    assert kg("build", article, "--store", out).exit_code == 0  # nothing to rebuild; the open upgrades
    for path in (out / "store", current_snapshot(out)):
        store = OxigraphStore.__new__(OxigraphStore)
        store.store = ox.Store.read_only(str(path))
        assert store.deduplicated
        assert default_graph(store) == named_union(store) and default_graph(store)
    assert kg("query", "actors", "--store", out, "--format", "json").output == before.output


def test_a_failed_first_build_leaves_nothing_that_looks_built(tmp_path):
    article = tmp_path / "broken"
    shutil.copytree(MINI_DIR, article)
    path = article / "annotation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("quote: \"", "quote: \"not in the text ", 1), encoding="utf-8")
    out = tmp_path / "new-store"
    result = CliRunner().invoke(main, ["build", str(article), "--store", str(out)])
    assert result.exit_code == 2
    assert not out.exists()
    answer = CliRunner().invoke(main, ["query", "actors", "--store", str(out)])
    assert answer.exit_code == 2 and "no graph has been built here yet" in answer.output


def test_files_written_atomically_get_the_usual_permissions(tmp_path):
    target = tmp_path / "graph.trig"
    previous = os.umask(0o022)
    try:
        write_atomically(target, lambda handle: handle.write(b"x"))
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        os.umask(0o027)
        write_atomically(target, lambda handle: handle.write(b"y"))
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    finally:
        os.umask(previous)


@pytest.mark.parametrize("phase", ["bulk-chunk:2", "bulk-loaded"])
def test_a_first_build_killed_during_its_bulk_load_is_redone_by_the_next_build(tmp_path, phase):
    """Killed after some of the chunks (loaded while the other articles were being prepared), or after all."""
    folders = []
    for i in range(3):
        folder = tmp_path / "articles" / f"story-{i}"
        shutil.copytree(MINI_DIR, folder)
        folders.append(folder)
    out = tmp_path / "out"
    kg_cmd = [sys.executable, "-c", "import sys; from graph.cli import main; main()"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KG_BULK_FROM": "2", "KG_TEST_CRASH_AT": phase,
           "KG_BULK_CHUNK": "10"}
    killed = subprocess.run([*kg_cmd, "build", *map(str, folders), "--store", str(out)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    assert (out / BULK_MARKER).exists() and current_snapshot(out) is None
    env.pop("KG_TEST_CRASH_AT")
    again = subprocess.run([*kg_cmd, "build", *map(str, folders), "--store", str(out)], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "(3 rebuilt" in again.stdout, again.stdout
    assert not (out / BULK_MARKER).exists()
    store = OxigraphStore(out, read_only=True)
    assert [str(g) for g in store.graphs() if "/article/" in str(g)] == [str(article_graph(f.name)) for f in folders]
    assert default_graph(store) == named_union(store)
    store.close()


@pytest.mark.parametrize("bulk", [False, True], ids=["one-transaction", "bulk-loader"])
def test_hostile_literals_reach_both_graphs_unchanged(monkeypatch, bulk):
    import graph.store

    monkeypatch.setattr(graph.store, "BULK_FROM", 2 if bulk else 1000)
    store = fresh()
    hostile = ["line\u2028separator", "next\x85line", "ends with .", "quote \" and \\ and \n newline", "tab\tx ."]
    graphs = [(URIRef(EX + f"g{i}"), triples(*((f"s{j}", text) for j, text in enumerate(hostile)))) for i in range(2)]
    store.replace_graphs(graphs)
    expected = {(str(s), str(o)) for s, _, o in graphs[0][1]}
    for graph_name, _ in graphs:
        got = {(q.subject.value, q.object.value)
               for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph_name)))}
        assert got == expected
    assert default_graph(store) == named_union(store) and len(default_graph(store)) == len(hostile)


def test_kg_serve_workers_and_kg_query_count_a_shared_label_once(tmp_path):
    """Two articles that mention the same actors: the serve worker and `kg query` see each label once; on a store
    built before the layout the worker falls back to Oxigraph's union (one row per graph)."""
    from graph.sparql_worker import Worker

    folders = []
    for slug in ("story-a", "story-b"):
        shutil.copytree(MINI_DIR, tmp_path / slug)
        folders.append(tmp_path / slug)
    out = tmp_path / "out"
    assert kg("build", *folders, "--store", out).exit_code == 0
    text = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    worker = Worker(str(out))
    worker.open()
    rows = worker.answer({"query": text})["rows"]
    assert rows and len(rows) == len({tuple(map(tuple, r)) for r in rows}), "a label repeated per graph"
    store = OxigraphStore(out, read_only=True)
    assert len(store.query(text).rows) == len(rows)
    store.close()
    per_graph = worker.answer({"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"})["rows"]
    assert {r[0][1] for r in per_graph} >= {str(article_graph(s)) for s in ("story-a", "story-b")}
    assert LAYOUT_GRAPH not in {r[0][1] for r in per_graph}
    make_old_layout(out)
    old = Worker(str(out))
    old.open()
    assert old.union and len(old.answer({"query": text})["rows"]) > len(rows)


def test_the_triple_count_a_build_reports_stays_exact_over_incremental_builds(tmp_path):
    """The count is carried from build to build (COUNT_FILE) instead of counted again: it must match a count."""
    from graph.store import COUNT_FILE

    folders = []
    for slug in ("story-a", "story-b", "story-c"):
        shutil.copytree(MINI_DIR, tmp_path / "articles" / slug)
        folders.append(tmp_path / "articles" / slug)
    out = tmp_path / "out"

    def build_and_check(*paths, **options):
        from graph.build import build

        reported = build(list(paths), out, html=False, trig=False, **options).triples
        store = ox.Store.read_only(str(current_snapshot(out)))
        counted = sum(1 for q in store.quads_for_pattern(None, None, None, None)
                      if isinstance(q.graph_name, ox.NamedNode))
        del store
        assert reported == counted
        assert int((out / COUNT_FILE).read_text().split()[0]) == counted

    build_and_check(*folders)
    annotation = folders[0] / "annotation.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8").replace(
        "tags: [immigration]", "tags: [immigration, changed]"), encoding="utf-8")
    build_and_check(*folders)
    build_and_check(*folders[:2], prune=True)
    build_and_check(*folders[:2], reason=True)
    build_and_check(*folders[:2])


@pytest.fixture
def bulk_corpus(tmp_path, monkeypatch):
    """Nine synthetic articles, a first build of which takes the bulk loader in chunks of about one article, with
    batches of 3 articles prepared on the process pool (the real sizes only change how many articles that takes)."""
    import graph.parallel
    import graph.store

    _, folders = script("gen_corpus").generate(tmp_path / "corpus", 9, doctrines=20)
    monkeypatch.setattr(graph.store, "BULK_FROM", 3)
    monkeypatch.setattr(graph.store, "BULK_CHUNK", 300)
    monkeypatch.setattr(graph.parallel, "BATCH", 3)
    monkeypatch.setattr(graph.parallel, "PARALLEL_FROM", 6)
    return folders, tmp_path / "corpus" / "ontology-extension"


def test_a_first_build_loads_while_it_prepares_and_gives_what_one_transaction_per_article_gives(
        tmp_path, bulk_corpus, monkeypatch):
    import graph.parallel
    import graph.store
    from graph.build import build

    folders, extension = bulk_corpus
    events = []
    prepare_batch, load = graph.parallel.prepare_batch, graph.store.BulkWriter._load
    monkeypatch.setattr(graph.parallel, "prepare_batch",
                        lambda jobs, ontology=None: events.append("prepared") or prepare_batch(jobs, ontology))
    monkeypatch.setattr(graph.store.BulkWriter, "_load",
                        lambda self: events.append("loaded" if self.checked or not self.chunk else "strict")
                        or load(self))
    compact = graph.store.BulkWriter.compact
    monkeypatch.setattr(graph.store.BulkWriter, "compact", lambda self: events.append("compacted") or compact(self))
    bulk = build(folders, tmp_path / "bulk", ontology=Ontology(extra_extension_dirs=[extension]), html=False,
                 trig=False, workers=1)
    assert events[-1] == "compacted" and events.count("compacted") == 1, events  # once, after the last chunk
    assert events.index("loaded") < len(events) - 1 - events[::-1].index("prepared"), events
    assert "strict" not in events  # the workers' N-Triples, parsed leniently: the same quads as below
    monkeypatch.setattr(graph.store, "BULK_FROM", 1000)
    each = build(folders, tmp_path / "each", ontology=Ontology(extra_extension_dirs=[extension]), html=False,
                 trig=False)
    assert bulk.triples == each.triples and bulk.written_triples == each.written_triples > 9 * 400
    stores = [OxigraphStore(tmp_path / name, read_only=True) for name in ("bulk", "each")]
    try:
        quads = [{str(q) for q in store.store.quads_for_pattern(None, None, None, None)} for store in stores]
        assert quads[0] == quads[1]
        assert default_graph(stores[0]) == named_union(stores[0])
    finally:
        for store in stores:
            store.close()
    assert not (tmp_path / "bulk" / BULK_MARKER).exists()


@pytest.mark.parametrize("made", [False, True], ids=["new-folder", "empty-folder"])
def test_a_bad_article_after_some_were_loaded_leaves_no_store(tmp_path, bulk_corpus, made):
    """A first build writes what it has prepared while the workers go on; an article that breaks a shape later
    empties the store again: the build fails with the same report and leaves nothing that looks built."""
    from graph.build import build
    from graph.errors import CheckFailed

    folders, extension = bulk_corpus
    strict = no_report_seven(extension, tmp_path / "strict")
    out = tmp_path / "out"
    if made:
        out.mkdir()
    loaded = []
    import graph.store

    original = graph.store.BulkWriter._load

    def spy(self):
        loaded.extend(self.names)
        original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(graph.store.BulkWriter, "_load", spy)
        with pytest.raises(CheckFailed) as caught:
            build(folders, out, ontology=Ontology(extra_extension_dirs=[strict]), html=False, workers=1)
    assert len(loaded) >= 3, "nothing was loaded before the bad article: the test tests nothing"
    assert "Report seven is not wanted." in str(caught.value) and "synthetic-0000007" in str(caught.value)
    assert out.exists() == made and (not made or list(out.iterdir()) == [])
    answer = CliRunner().invoke(main, ["query", "actors", "--store", str(out)])
    assert answer.exit_code == 2 and "no graph has been built here yet" in answer.output
