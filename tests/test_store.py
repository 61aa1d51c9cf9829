"""The embedded and memory: stores, incremental builds, and many articles prepared at once on every core.

Remote stores (an Oxigraph server, Virtuoso) are in test_remote.py.
"""

import gc
import re
import shutil

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import RDFLibGenid

from graph.cli import main
from graph.errors import CheckFailed, InputError
from graph.ns import GR, article_graph

from .conftest import MINI_DIR, no_report_seven, script

gen_corpus = script("gen_corpus")


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """9 synthetic articles and their ontology extension (20 generated doctrines)."""
    from graph.ontology import Ontology

    root = tmp_path_factory.mktemp("corpus")
    _, folders = gen_corpus.generate(root, 9, doctrines=20)
    return folders, Ontology(extra_extension_dirs=[root / "ontology-extension"]), root / "ontology-extension"


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 3 articles, and the process pool from 6 articles on, so 9 articles take the parallel path
    (the real sizes, 20 and 40, only change how many articles that takes)."""
    import graph.parallel

    monkeypatch.setattr(graph.parallel, "BATCH", 3)
    monkeypatch.setattr(graph.parallel, "PARALLEL_FROM", 6)


def quads_of_graph(directory, slug):
    store = ox.Store.read_only(str(directory / "store"))
    return {str(q) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(article_graph(slug))))}


def test_an_unchanged_article_is_not_read_again_and_a_changed_one_is(tmp_path, monkeypatch):
    import graph.annotation

    article = tmp_path / "mini-wire-story"
    shutil.copytree(MINI_DIR, article)
    out = tmp_path / "out"
    assert kg("build", article, "--store", out).exit_code == 0
    reads = []
    real = graph.annotation.read_article
    monkeypatch.setattr(graph.annotation, "read_article", lambda d: reads.append(d) or real(d))
    again = kg("build", article, "--store", out)
    assert again.exit_code == 0 and "(0 rebuilt)" in again.output and reads == []
    path = article / "annotation.yaml"
    path.write_text(path.read_text().replace("title: Judge weighs plan to jail citizens abroad",
                                             "title: Judge weighs a plan to jail citizens abroad"))
    changed = kg("build", article, "--store", out)
    assert changed.exit_code == 0 and "(1 rebuilt)" in changed.output and len(reads) == 1


def test_a_changed_article_graph_is_replaced_whole(tmp_path):
    """After an edit, the article's graph holds exactly what a fresh build of the edited article holds."""
    from graph.build import build

    article = tmp_path / "mini-wire-story"
    shutil.copytree(MINI_DIR, article)
    build([article], tmp_path / "out", html=False)
    path = article / "annotation.yaml"
    path.write_text(path.read_text().replace("name: Ana Reyes", "name: Ana M. Reyes"))
    build([article], tmp_path / "out", html=False)
    build([article], tmp_path / "fresh", html=False)
    got, fresh = quads_of_graph(tmp_path / "out", article.name), quads_of_graph(tmp_path / "fresh", article.name)
    assert got == fresh
    assert not any('"Ana Reyes"' in q for q in got) and any('"Ana M. Reyes"' in q for q in got)


def test_the_graphs_of_deleted_articles_are_removed(tmp_path, corpus):
    from graph.build import build

    folders, ontology, _ = corpus
    out = tmp_path / "out"
    build(folders[:3], out, ontology=ontology, html=False, prune=True)
    report = build(folders[:2], out, ontology=ontology, html=False, prune=True)
    assert report.removed == [folders[2].name] and report.rebuilt == []
    store = ox.Store.read_only(str(out / "store"))
    names = {g.value for g in store.named_graphs()}
    assert str(article_graph(folders[2].name)) not in names
    assert {str(article_graph(f.name)) for f in folders[:2]} <= names and str(GR["ontology"]) in names


def test_an_ontology_change_validates_and_writes_every_article_again(tmp_path, corpus):
    from graph.build import build
    from graph.ontology import Ontology

    folders, _, extension = corpus
    mine = tmp_path / "extension"
    shutil.copytree(extension, mine)
    out = tmp_path / "out"
    assert len(build(folders[:3], out, ontology=Ontology(extra_extension_dirs=[mine]), html=False).rebuilt) == 3
    assert build(folders[:3], out, ontology=Ontology(extra_extension_dirs=[mine]), html=False).rebuilt == []
    (mine / "more.ttl").write_text("<urn:test:a> <urn:test:b> <urn:test:c> .\n")
    assert len(build(folders[:3], out, ontology=Ontology(extra_extension_dirs=[mine]), html=False).rebuilt) == 3


def test_many_articles_prepared_on_two_processes_give_what_one_process_gives(corpus, small_batches):
    from graph.build import prepare

    folders, ontology, _ = corpus
    one = prepare(folders, ontology, workers=1)
    two = prepare(folders, ontology, workers=2)
    assert [p.slug for p in two] == [f.name for f in folders]
    assert [(p.slug, p.digest, sorted(p.ntriples.splitlines())) for p in one] == \
           [(p.slug, p.digest, sorted(p.ntriples.splitlines())) for p in two]
    assert all(p.triples > 400 for p in two)
    assert gc.get_freeze_count() == 0, "the objects frozen for the workers (graph/parallel.py) were left frozen"


def test_a_shape_violation_in_a_parallel_batch_is_reported_against_its_own_article(tmp_path, corpus, small_batches):
    """Batches are validated together; a failing batch is validated article by article, so the report names
    exactly the article that breaks the shape, as a one-article build would."""
    from graph.build import build
    from graph.ontology import Ontology

    folders, _, extension = corpus
    strict = no_report_seven(extension, tmp_path / "strict")
    out = tmp_path / "out"
    with pytest.raises(CheckFailed) as caught:
        build(folders, out, ontology=Ontology(extra_extension_dirs=[strict]), html=False)
    report = str(caught.value)
    files = re.findall(r"^(\S+annotation\.yaml): the graph does not conform", report, re.M)
    assert files == [str(folders[7] / "annotation.yaml")]
    assert "Report seven is not wanted." in report
    assert not out.exists(), "a failed first build left a folder that looks like a built graph"


def test_a_bad_annotation_among_many_names_its_file_and_writes_nothing(tmp_path, corpus, small_batches):
    from graph.build import build

    folders, ontology, _ = corpus
    copies = []
    for folder in folders:
        shutil.copytree(folder, tmp_path / "articles" / folder.name)
        copies.append(tmp_path / "articles" / folder.name)
    broken = copies[4] / "annotation.yaml"
    broken.write_text(broken.read_text().replace('quote: "a4q0', 'quote: "not in the text a4q0', 1))
    out = tmp_path / "out"
    with pytest.raises(InputError) as caught:
        build(copies, out, ontology=ontology, html=False)
    assert str(broken) in str(caught.value) and caught.value.exit_code == 2
    assert gc.get_freeze_count() == 0
    assert not out.exists(), "a failed first build left a folder that looks like a built graph"


def test_long_builds_show_progress_and_a_summary_and_quiet_shows_nothing(tmp_path, corpus, small_batches):
    folders, _, extension = corpus
    loud = kg("build", "--store", tmp_path / "loud", "--ontology", extension, "--no-html", *folders)
    assert loud.exit_code == 0, loud.output
    assert re.search(r"^prepare\s+\[#+\] 9/9 articles\s+[\d.,]+/s", loud.stderr, re.M), loud.stderr
    assert re.search(r"^write\s+\[#+\] 9/9 articles", loud.stderr, re.M)
    assert "built 9 article(s) (9 rebuilt)" in loud.stdout and re.search(r"time: [\d.]+ s \(prepare", loud.stdout)
    edited = folders[5] / "annotation.yaml"
    original = edited.read_text()
    try:
        edited.write_text(original.replace("Synthetic report number 5 on", "Synthetic report number 5, edited, on"))
        quiet = kg("build", "--quiet", "--store", tmp_path / "loud", "--ontology", extension, *folders)
    finally:
        edited.write_text(original)
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    assert any("edited" in q for q in quads_of_graph(tmp_path / "loud", folders[5].name))


def test_big_stores_skip_the_whole_store_exports_unless_asked(tmp_path, monkeypatch):
    import graph.build

    out = tmp_path / "out"
    assert kg("build", MINI_DIR, "--store", out).exit_code == 0
    assert (out / "graph.trig").exists() and (out / "graph.html").exists()
    monkeypatch.setattr(graph.build, "EXPORT_LIMIT", 100)
    result = kg("build", MINI_DIR, "--store", out, "--force")
    assert result.exit_code == 0
    assert not (out / "graph.trig").exists() and not (out / "graph.html").exists()  # stale copies removed
    assert "graph.trig not written" in result.output and "--trig" in result.output
    forced = kg("build", MINI_DIR, "--store", out, "--trig", "--no-html")
    assert forced.exit_code == 0 and (out / "graph.trig").stat().st_size > 0 and not (out / "graph.html").exists()


def test_memory_store_builds_and_answers_in_one_process():
    import graph.store

    graph.store._MEMORY.clear()
    built = kg("build", MINI_DIR, "--store", "memory:")
    assert built.exit_code == 0 and "wrote:" not in built.output
    result = kg("query", "statements", "--store", "memory:", "--format", "csv")
    assert result.exit_code == 0 and "It is that simple." in result.output
    graph.store._MEMORY.clear()


def test_input_hashes_come_from_one_lookup_and_match_the_articles(tmp_path):
    from graph.annotation import input_hash, read_article
    from graph.ontology import Ontology
    from graph.store import open_store

    assert kg("build", MINI_DIR, "--store", tmp_path).exit_code == 0
    store = open_store(tmp_path, read_only=True)
    try:
        hashes = store.input_hashes()
    finally:
        store.close()
    assert set(hashes) == {article_graph(MINI_DIR.name), GR["ontology"]}
    assert hashes[article_graph(MINI_DIR.name)] == input_hash(read_article(MINI_DIR), Ontology().version)


@pytest.mark.parametrize("term", [
    URIRef("https://w3id.org/legal-news-kg/id/actor/marco-rubio"), RDFLibGenid("https://example.org/.well-known/genid/x"),
    Literal("plain"), Literal("Rubio", lang="en"), Literal("2025-02-05", datatype=XSD.date), Literal(42),
    Literal("é \\ \" \n \u2028", datatype=XSD.string), BNode("b0"),
])
def test_term_conversion_takes_the_fast_path_to_the_same_term(term):
    """to_ox converts exact URIRef and Literal classes directly (a build converts every triple twice); every term,
    a subclass included, gives what the general conversion gives, and comes back from Oxigraph unchanged."""
    from graph.store import _to_ox, from_ox, to_ox

    assert to_ox(term) == _to_ox(term)
    back = from_ox(to_ox(term))
    if isinstance(term, URIRef):
        assert back == URIRef(str(term))
    elif isinstance(term, Literal) and term.datatype == XSD.string:
        assert back == Literal(str(term))  # xsd:string is the plain literal
    else:
        assert back == term


def test_an_answer_converts_each_distinct_term_once_and_keeps_look_alike_terms_apart():
    """Rows share the rdflib term of a repeated value; values that only look alike (the same characters as a plain,
    typed or tagged literal, or an IRI) stay different terms."""
    from graph.store import open_store

    store = open_store("memory:")
    values = [Literal("1"), Literal(1), Literal("1", lang="en"), Literal("1", datatype=URIRef("urn:type")), URIRef("urn:1")]
    triples = [(URIRef(f"urn:s{i}"), URIRef("urn:p"), value) for i in range(3) for value in values]
    store.replace_graph(URIRef("urn:g"), triples)
    rows = store.query("SELECT ?s ?o WHERE { ?s <urn:p> ?o }").rows
    assert len(rows) == len(triples) and {(r["s"], r["o"]) for r in rows} == {(s, o) for s, _, o in triples}
    for value in values:
        assert all(type(r["o"]) is type(value) for r in rows if r["o"] == value)
    same = [r["o"] for r in rows if r["o"] == Literal("1")]
    assert len(same) == 3 and same[0] is same[1] is same[2]


def test_an_answer_keeps_a_literal_as_the_store_holds_it(monkeypatch):
    """Regression: answers went through rdflib's normalising, which dropped a date's time zone
    ("2025-02-05Z"^^xsd:date came back as 2025-02-05, another value)."""
    import graph.store

    monkeypatch.setattr(graph.store, "_MEMORY", {})
    store = graph.store.open_store("memory:")
    date, when = URIRef(str(XSD.date)), URIRef(str(XSD.dateTime))
    values = [Literal("2025-02-05Z", datatype=date, normalize=False), Literal("2025-02-05-05:00", datatype=date,
              normalize=False), Literal("2025-02-05T10:00:00+02:00", datatype=when), Literal(7)]
    store.replace_graph(URIRef("urn:g"), [(URIRef(f"urn:s{i}"), URIRef("urn:p"), v) for i, v in enumerate(values)])
    rows = store.query("SELECT ?o WHERE { ?s <urn:p> ?o } ORDER BY ?s").rows
    assert [(str(r["o"]), r["o"].datatype) for r in rows] == [(str(v), v.datatype) for v in values]


def test_the_next_build_removes_the_temporary_files_a_killed_writer_left(tmp_path):
    """Regression (tests/test_crash.py, a build killed 0.8 s in): a writer killed between writing the carried
    triple count to its temporary file and renaming it left `..kg-triple-count.*.tmp` behind for good."""
    out = tmp_path / "out"
    assert kg("build", MINI_DIR, "--store", out, "--no-html", "--no-trig").exit_code == 0
    left = [out / ".kg-triple-count.x1y2z3.tmp", out / ".kg-bulk-write.a1b2c3.tmp", out / ".graph.trig.q1w2e3.tmp"]
    for path in left:
        path.write_text("half", encoding="utf-8")
    keep = out / "notes.tmp"
    keep.write_text("the user's", encoding="utf-8")
    assert kg("build", MINI_DIR, "--store", out, "--no-html", "--no-trig").exit_code == 0
    assert not [path for path in left if path.exists()] and keep.exists()


def test_ntriples_writes_each_term_as_it_is_though_rdflib_calls_some_equal():
    """ntriples() reuses an IRI's text within a graph; literals are written each as itself, `01` as `01`."""
    from rdflib import Graph

    from graph.store import ntriples

    graph = Graph()
    s = URIRef("http://example.org/s")
    graph.add((s, URIRef("http://example.org/p"), Literal("1", datatype=XSD.integer)))
    graph.add((s, URIRef("http://example.org/q"), Literal("01", datatype=XSD.integer, normalize=False)))
    graph.add((s, URIRef("http://example.org/t"), s))
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    assert set(ntriples(graph).splitlines()) == {
        f'<http://example.org/s> <http://example.org/p> "1"^^{integer} .',
        f'<http://example.org/s> <http://example.org/q> "01"^^{integer} .',
        "<http://example.org/s> <http://example.org/t> <http://example.org/s> ."}
