"""SECURITY.md, proved: hostile article text, annotations, queries and extension ontologies against each entry point.

The other proofs SECURITY.md cites live beside the features (tests/test_html.py, tests/test_serve.py,
tests/test_queries.py, tests/test_fuzz_loader.py); these are the ones that were missing.
"""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socketserver
import threading
from pathlib import Path

from click.testing import CliRunner

from graph.cli import main

from .conftest import MINI_DIR


def kg(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


@contextlib.contextmanager
def listening():
    """An HTTP server on 127.0.0.1 that records every request made to it (nothing should reach it)."""
    hits: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            hits.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            self.wfile.write(b"<urn:a> <urn:b> <urn:c> .\n")

        do_POST = do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


EXTENSION = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/hostile> a owl:Ontology ; rdfs:label "hostile extension" ;
    rdfs:comment "An extension that imports and links to URLs that must never be fetched." ;
    owl:imports <https://w3id.org/legal-news-kg/ontology> , <{base}/imported.ttl> , <{base}/other#> .
<https://example.org/hostile#Newsroom> a owl:Class ; rdfs:label "newsroom" ;
    rdfs:subClassOf <https://w3id.org/legal-news-kg/ontology#Organization> ;
    rdfs:seeAlso <{base}/see-also> ; rdfs:isDefinedBy <{base}/defined-by> .
"""

SERVICE_SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kg: <https://w3id.org/legal-news-kg/ontology#> .
<https://example.org/hostile#LeakShape> a sh:NodeShape ; sh:targetClass kg:Statement ;
    sh:sparql [ sh:message "leak" ; sh:select \"\"\"
        SELECT $this WHERE {{ $this kg:quote ?q . SERVICE <{base}/leak> {{ ?a ?b ?c }} }}\"\"\" ] .
"""


def test_owl_imports_and_other_links_in_an_extension_are_never_fetched(tmp_path):
    """build, lint and docs read an extension that imports and links to URLs: no request leaves the machine."""
    with listening() as (base, hits):
        extension = tmp_path / "hostile-extension"
        extension.mkdir()
        (extension / "hostile.ttl").write_text(EXTENSION.format(base=base), encoding="utf-8")
        built = kg("build", MINI_DIR, "--store", tmp_path / "out", "--no-html", "--ontology", extension)
        assert built.exit_code == 0, built.output
        linted = kg("lint", "--ontology", extension)
        assert linted.exit_code in (0, 1), linted.output
        documented = kg("docs", "-o", tmp_path / "docs", "--ontology", extension)
        assert documented.exit_code == 0, documented.output
    assert hits == []


def test_a_shape_that_would_fetch_a_url_with_service_is_refused(tmp_path):
    with listening() as (base, hits):
        extension = tmp_path / "leaky"
        extension.mkdir()
        (extension / "leaky-shapes.ttl").write_text(SERVICE_SHAPE.format(base=base), encoding="utf-8")
        result = kg("build", MINI_DIR, "--store", tmp_path / "out", "--no-html", "--ontology", extension)
    assert result.exit_code == 2, result.output
    assert "uses SERVICE" in result.stderr and "Traceback" not in result.output
    assert hits == []


def test_kg_serve_refuses_service_however_it_is_written_and_fetches_nothing(seed_store):
    from .test_serve import start

    served = start(seed_store)
    try:
        with listening() as (base, hits):
            for query in (f"SELECT * WHERE {{ ?s ?p ?o .SERVICE <{base}/dot> {{ ?a ?b ?c }} }} LIMIT 1",
                          f"SELECT * WHERE {{ ?s ?p ?o . SeRvIcE SILENT <{base}/case> {{ ?a ?b ?c }} }} LIMIT 1",
                          f"SELECT * WHERE {{ ?s ?p ?o #\n SERVICE <{base}/comment> {{ ?a ?b ?c }} }} LIMIT 1"):
                status, _, body = served.get(query)
                assert status == 403, (query, status, body[:200])
    finally:
        served.process.terminate()
        served.process.wait(timeout=30)
    assert hits == []


def test_a_store_path_that_is_a_file_is_a_clear_error_and_the_file_is_untouched(tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_text("my notes\n", encoding="utf-8")
    for command in (["build", MINI_DIR, "--store", victim, "--no-html"], ["query", "statements", "--store", victim]):
        result = kg(*command)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("kg: ") and "Traceback" not in result.output
    assert victim.read_text(encoding="utf-8") == "my notes\n"


def test_outputs_replace_a_planted_symlink_instead_of_writing_through_it(tmp_path):
    """graph.trig and graph.html are written to a temporary file and renamed: a symlink in their place is
    replaced, and the file it pointed to is never written."""
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "precious.txt"
    target.write_text("do not overwrite\n", encoding="utf-8")
    for name in ("graph.trig", "graph.html"):
        (out / name).symlink_to(target)
    result = kg("build", MINI_DIR, "--store", out)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == "do not overwrite\n"
    for name in ("graph.trig", "graph.html"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0


def test_a_hostile_title_cannot_move_the_extracted_article_out_of_articles(tmp_path, monkeypatch):
    """Without -o, `kg extract` names the folder from the page (publisher, date, title): always one plain folder
    under articles/, whatever the title says."""
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "index.html"
    page.write_text(
        "<html><head><title>../../../../tmp/kg-escape/..%2F..%2Fevil</title>"
        '<meta property="og:site_name" content="../../etc"></head><body>'
        "<h1>../../../../tmp/kg-escape</h1><p>By Ana Reyes</p>"
        "<p>\u201cWe will appeal,\u201d said Lee Gelernt, a lawyer, on Monday.</p>"
        "<p>The court ruled against the plan on Monday, officials said.</p></body></html>", encoding="utf-8")
    before = set(Path("/tmp").glob("kg-escape*"))
    result = kg("extract", page, "--published", "2025-02-05")
    assert result.exit_code == 0, result.output
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != page]
    assert written and all(p.parent.parent == tmp_path / "articles" for p in written), written
    assert {p.name for p in written} == {"article.txt", "annotation.yaml"}
    assert set(Path("/tmp").glob("kg-escape*")) == before


def test_an_output_folder_name_that_is_not_a_slug_is_refused_and_a_good_one_gets_two_files(tmp_path):
    page = MINI_DIR / "article.txt"
    for bad in ("Bad Name", "UPPER", "dots.in.it", "semi;colon"):
        result = kg("extract", page, "--published", "2025-02-05", "-o", tmp_path / "articles" / bad)
        assert result.exit_code == 2, result.output
        assert "must be lower-case letters, digits and dashes" in result.stderr
    assert not (tmp_path / "articles").exists() or not any((tmp_path / "articles").rglob("*"))
    result = kg("extract", page, "--published", "2025-02-05", "-o", tmp_path / "articles" / "good-one")
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == \
        ["articles/good-one/annotation.yaml", "articles/good-one/article.txt"]


def test_error_messages_show_control_characters_as_escapes(tmp_path):
    """An annotation (or an extracted one, from hostile text) cannot send terminal escape sequences to stderr."""
    folder = tmp_path / "mini-wire-story"
    shutil.copytree(MINI_DIR, folder)
    path = folder / "annotation.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("speaker: officials", 'speaker: "\\e]0;owned\\a\\e[2Jofficials"'), encoding="utf-8")
    result = kg("build", folder, "--store", tmp_path / "out", "--no-html")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "\\x1b]0;owned\\x07\\x1b[2Jofficials" in result.stderr


def test_an_oversized_annotation_is_refused_before_it_is_parsed(tmp_path):
    folder = tmp_path / "big-story"
    shutil.copytree(MINI_DIR, folder)
    with open(folder / "annotation.yaml", "ab") as handle:
        handle.write(b"# " + b"x" * 5_000_000 + b"\n")
    result = kg("build", folder, "--store", "memory:")
    assert result.exit_code == 2 and "annotations are limited to" in result.stderr


def test_kg_query_cannot_change_the_store(seed_store):
    before = kg("query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", "--store", seed_store)
    for update in ("INSERT DATA { <urn:x> <urn:y> <urn:z> }", "DROP ALL", "CLEAR DEFAULT"):
        result = kg("query", "--sparql", update, "--store", seed_store)
        assert result.exit_code == 2, result.output
    after = kg("query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", "--store", seed_store)
    assert before.output == after.output and before.exit_code == 0


def test_nothing_in_the_package_runs_a_shell():
    sources = Path(__file__).resolve().parent.parent / "graph"
    for path in sources.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("shell=True", "os.system(", "os.popen(", " eval(", " exec(", "pickle.load"):
            assert needle not in text, f"{path.name} uses {needle}"
