"""`kg docs`: HTML documentation of the core and every extension, with a class diagram and the doctrine tree,
that opens offline (checked in the files and in real headless Chromium)."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS

from graph.cli import main
from graph.docs import class_diagram, write_docs
from graph.modules import modules
from graph.ontology import Ontology

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Markup that makes a browser fetch something (links to follow, <a href>, are not loads).
LOADS_RE = re.compile(
    r"""<(?:script|img|iframe|object|embed|source|video|audio|link)\b[^>]*\b(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "docs"
    result = kg("docs", "-o", out)
    assert result.exit_code == 0, result.output + result.stderr
    assert "index.html" in result.output
    return out


class Tree(HTMLParser):
    """Records, for each element with an id, the ids of the elements it is inside."""

    VOID = {"meta", "br", "img", "link", "input", "hr", "col", "area", "base", "source", "wbr", "rect", "path", "line"}

    def __init__(self):
        super().__init__()
        self.stack: list[str | None] = []
        self.parents: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        ident = dict(attrs).get("id")
        if ident:
            self.parents[ident] = [i for i in self.stack if i]
        if tag not in self.VOID:
            self.stack.append(ident)

    def handle_startendtag(self, tag, attrs):
        ident = dict(attrs).get("id")
        if ident:
            self.parents[ident] = [i for i in self.stack if i]

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def test_docs_write_an_index_a_page_per_module_and_the_diagram(docs):
    assert sorted(p.name for p in docs.iterdir()) == ["classes.svg", "core.html", "extension-courts.html", "index.html"]
    assert not list(docs.parent.glob(".docs.*")), "temporary folders left behind"


def test_the_index_lists_every_class_and_property_of_every_module(docs):
    index = (docs / "index.html").read_text(encoding="utf-8")
    for module in modules(Ontology()):
        for term in module.classes + module.properties:
            local = str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            assert re.search(rf"<code>[a-z]+:{re.escape(local)}</code>", index), term
    assert "<code>actors: type: courts:Judge</code>" in index and "<code>entities: type: courts:Ruling</code>" in index
    assert "kg query court-orders" in index and "kg query statements" in index


def test_the_module_pages_are_pylodes_with_every_term(docs):
    core = (docs / "core.html").read_text(encoding="utf-8")
    courts = (docs / "extension-courts.html").read_text(encoding="utf-8")
    assert "pyLODE" in core and "Legal news knowledge graph ontology" in core
    assert "Courts extension of the legal news knowledge graph ontology" in courts
    for text in ("temporary restraining order", "grounded in", "https://w3id.org/legal-news-kg/ext/courts#Court"):
        assert text in courts


def test_the_doctrines_are_drawn_as_a_tree(docs):
    tree = Tree()
    tree.feed((docs / "index.html").read_text(encoding="utf-8"))
    doctrine = lambda d: "t-w3id-org-legal-news-kg-doctrine-" + d  # noqa: E731
    assert doctrine("constitutional-limits") in tree.parents[doctrine("due-process")]
    assert doctrine("constitutional-law") in tree.parents[doctrine("due-process")]
    assert doctrine("immigration-law") in tree.parents[doctrine("safe-third-country-transfer")]
    assert tree.parents[doctrine("constitutional-law")][-1:] != [doctrine("immigration-law")]
    courts_level = "t-w3id-org-legal-news-kg-ext-courts-trial-court"  # the extension's SKOS scheme too
    assert courts_level in tree.parents


def test_the_class_diagram_has_every_class_and_its_superclass_arrows(docs):
    svg = (docs / "classes.svg").read_text(encoding="utf-8")
    ontology = Ontology()
    declared = {str(c) for c in ontology.graph.subjects(RDF.type, OWL.Class)
                if str(c).startswith("https://w3id.org/legal-news-kg/")}
    drawn = set(re.findall(r'<g class="class" data-iri="([^"]+)"', svg))
    assert declared <= drawn
    links = {(c, p) for c in declared for p in ontology.graph.objects(URIRef(c), RDFS.subClassOf) if str(p) in declared}
    assert svg.count('marker-end="url(#gen)"') == len(links) >= 14  # one arrow per subclass link between them
    assert svg in (docs / "index.html").read_text(encoding="utf-8")  # inlined: no image to load


def test_the_diagram_survives_a_subclass_cycle():
    from rdflib import Graph

    from graph.modules import Module

    module = Module("loop", Path("."), [])
    module.__dict__["graph"] = Graph().parse(data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://example.org/A> a owl:Class ; rdfs:subClassOf <https://example.org/B> .
        <https://example.org/B> a owl:Class ; rdfs:subClassOf <https://example.org/A> .""", format="turtle")
    svg = class_diagram([module], module.graph)
    assert svg.count('<g class="class"') == 2


def test_every_page_loads_nothing_and_forbids_loading(docs):
    for page in docs.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert LOADS_RE.findall(text) == [], page.name
        assert "Content-Security-Policy" in text and "default-src 'none'" in text, page.name
        assert not re.search(r"<script(?![^>]*application/ld\+json)", text), f"{page.name} has a script"


def test_the_pages_open_offline_in_chromium(docs):
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: requested.append(r.url))
            for name in ("index.html", "core.html", "extension-courts.html"):
                page.goto((docs / name).as_uri())
                assert page.title()
            page.goto((docs / "index.html").as_uri())
            boxes = page.locator("svg g.class").count()
            width = page.evaluate("document.querySelector('svg').getBoundingClientRect().width")
        finally:
            browser.close()
    assert boxes >= 30 and width > 500
    outside = [u for u in requested if not u.startswith(("file:", "data:", "about:"))]
    assert outside == []


def test_docs_replace_the_old_folder_whole(tmp_path):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "stale.html").write_text("old")
    write_docs(out)
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()


def test_a_module_without_an_ontology_header_is_refused_clearly(tmp_path):
    folder = tmp_path / "headless"
    folder.mkdir()
    (folder / "headless.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<https://example.org/h#X> a owl:Class .\n")
    result = kg("docs", "-o", tmp_path / "docs", "--ontology", folder)
    assert result.exit_code == 2
    assert "headless.ttl" in result.stderr and "owl:Ontology" in result.stderr
    assert not (tmp_path / "docs").exists(), "nothing half-written"


def test_docs_help_has_an_example():
    result = kg("docs", "--help")
    assert result.exit_code == 0 and "Example:" in result.output and "kg docs -o" in result.output


def test_ontology_text_cannot_become_markup(tmp_path):
    """pyLODE renders descriptions as Markdown (raw HTML passes); kg docs writes < > & as entities first."""
    folder = tmp_path / "evil"
    folder.mkdir()
    hostile = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    (folder / "evil.ttl").write_text(f"""
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/evil> a owl:Ontology ; dcterms:title "Evil {hostile}" ; dcterms:description "{hostile}" ;
    owl:versionInfo "1.0.0" ; owl:versionIRI <https://example.org/evil/1.0.0> .
<https://example.org/evil#Thing> a owl:Class ; rdfs:label "thing {hostile}" ; rdfs:comment "A thing. {hostile}" ;
    rdfs:isDefinedBy <https://example.org/evil> .
""")
    result = kg("docs", "-o", tmp_path / "docs", "--ontology", folder)
    assert result.exit_code == 0, result.output + result.stderr
    for page in (tmp_path / "docs").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<img" not in text and "alert(1)</script>" not in text, page.name
        assert not re.search(r"<script(?![^>]*application/ld\+json)", text), page.name
    assert "onerror=alert(2)" in (tmp_path / "docs" / "extension-evil.html").read_text(encoding="utf-8")  # shown as text
