"""graph.html without a browser: offline, escaped, data-driven legend, deterministic, large-graph layout.

The same pages are opened in real Chromium by tests/test_browser.py."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from graph import html as graph_html
from graph import network
from graph.cli import main
from graph.ns import GR, ID, KG, ONTOLOGY_GRAPH
from graph.ontology import Ontology
from graph.store import open_store

from .conftest import MINI_DIR

HOSTILE_DIR = Path(__file__).parent / "data" / "html" / "hostile-story"
DATA_RE = re.compile(r'<script id="graph-data" type="application/json">(.*?)</script>', re.S)
# References that make a browser fetch something: attributes, CSS, imports, script APIs.
LOADS_RE = re.compile(
    r"""(?:\b(?:src|href|action|poster|srcset|background|formaction)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)|(?:\bimport\s*\(\s*["'`]\s*(?:https?:)?//)"""
    r"""|(?:\bfetch\s*\(\s*["'`]\s*(?:https?:)?//)|(?:\.open\s*\(\s*["'`]\w+["'`]\s*,\s*["'`]\s*(?:https?:)?//)"""
    r"""|(?:<link\b)|(?:<iframe\b)|(?:<img\b)|(?:<object\b)|(?:<embed\b)|(?:<script[^>]*\bsrc\s*=)""",
    re.I)


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def page_payload(text: str) -> dict:
    return json.loads(DATA_RE.search(text).group(1))


def resource_loads(text: str) -> list[str]:
    return [m.group(0) for m in LOADS_RE.finditer(text)]


def urls_outside_data(text: str) -> set[str]:
    outside = DATA_RE.sub("", text)
    return {u.rstrip(".,;") for u in re.findall(r"https?://[^\s\"'<>)\\]+", outside)}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("html-mini")
    assert kg("build", MINI_DIR, "--store", out).exit_code == 0
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    out = tmp_path_factory.mktemp("html-hostile")
    result = kg("build", HOSTILE_DIR, "--store", out)
    assert result.exit_code == 0, result.output
    return out


def test_kg_build_writes_the_page_with_the_graph(built):
    text = (built / "graph.html").read_text(encoding="utf-8")
    data = page_payload(text)
    names = {n["name"] for n in data["nodes"]}
    assert {"Lee Gelernt", "Republic of Ruritania", "You may not deport a citizen,"} <= names
    gelernt = next(n for n in data["nodes"] if n["name"] == "Lee Gelernt")
    assert gelernt["posts"] == ["ACLU attorney"] and "ACLU attorney" in gelernt["label"]  # name and post
    quotes = [data["evidence"][k]["quote"] for k in gelernt["said"]]
    assert quotes == ["You may not deport a citizen,", "It is that simple."]
    statement = next(n for n in data["nodes"] if n["name"] == "You may not deport a citizen,")
    assert "You may not deport a citizen," in statement["label"] and "Lee Gelernt, 2025-02-28" in statement["label"]
    relations = {r["label"] for r in data["relations"]}
    assert {"speaker", "about", "offered by", "offered to", "holder"} <= relations  # rdfs:label of the property


def test_the_page_loads_nothing_from_the_network(built):
    text = (built / "graph.html").read_text(encoding="utf-8")
    assert resource_loads(text) == []
    # the only URLs outside the data are inert words in vis-network's bundle (a namespace, licence links)
    assert urls_outside_data(text) <= graph_html.INERT_URLS
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    assert len(scripts) == 2 and all(graph_html._csp_hash(s) in csp for s in scripts)


@pytest.mark.parametrize("tampered", [
    '<script src="https://cdn.example.org/vis.js"></script>',
    '<link rel="stylesheet" href="https://cdn.example.org/bootstrap.css">',
    "<style>body{background:url('https://example.org/a.png')}</style>",
    "<style>@import 'https://example.org/x.css';</style>",
    "<script>fetch('https://example.org/data.json')</script>",
    '<img src="//example.org/pixel.gif">',
])
def test_the_offline_check_catches_a_resource_load(built, tampered):
    text = (built / "graph.html").read_text(encoding="utf-8").replace("</body>", tampered + "</body>")
    assert resource_loads(text) or not urls_outside_data(text) <= graph_html.INERT_URLS


def test_hostile_text_stays_text(hostile):
    text = (hostile / "graph.html").read_text(encoding="utf-8")
    vis = graph_html._vis_script()
    # data, vis-network, ours: nothing added (core-js in the bundle writes "<script>" in a string)
    assert text.count("<script") == 3 + vis.count("<script") and text.count("</script") == 3
    ours = text.replace(vis, "")  # the page without vis-network's bundle
    assert "<img" not in ours and "<b>" not in ours and "\u2028" not in ours and "</script><script" not in ours
    assert "<title>Knowledge graph: Hostile &lt;/script&gt;&lt;script&gt;" in text
    data = page_payload(text)
    names = {n["name"] for n in data["nodes"]}
    assert "Gelernt </script><b>Twin</b> & Sons" in names  # intact once parsed
    quotes = {e["quote"] for e in data["evidence"]}
    assert {"<img src=x onerror=alert(1)>", "Line\u2028separator & </script> ends here"} <= quotes
    assert data["title"] == "Hostile </script><script>window.__pwned=1</script> headline"
    assert 'innerHTML' not in graph_html.APP_JS and "insertAdjacentHTML" not in graph_html.APP_JS
    assert "document.write" not in graph_html.APP_JS


def test_json_for_script_escapes_what_could_end_the_script():
    out = graph_html.json_for_script({"q": "</script><!-- & \u2028 \u2029 >"})
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out and "\u2029" not in out
    assert json.loads(out) == {"q": "</script><!-- & \u2028 \u2029 >"}


def test_the_legend_is_data_driven_extension_classes_appear(tmp_path):
    """A class the code has never heard of shows in the legend under its rdfs:label, shaped like its parent."""
    ex = Namespace("https://example.org/courts#")
    onto = Graph()
    for triple in Ontology().graph:
        onto.add(triple)
    onto.add((ex.Court, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    onto.add((ex.Court, RDFS.subClassOf, KG.Organization))
    onto.add((ex.Court, RDFS.label, Literal("court", lang="en")))
    article = Graph()
    court = ID["actor/ninth-circuit"]
    article.add((court, RDF.type, ex.Court))
    article.add((court, RDFS.label, Literal("Ninth Circuit")))
    article.add((ID["actor/aclu"], RDF.type, KG.Organization))
    article.add((ID["actor/aclu"], RDFS.label, Literal("ACLU")))
    store = open_store(tmp_path)
    try:
        store.replace_graph(ONTOLOGY_GRAPH, onto)
        store.replace_graph(GR["article/courts-story"], article)
        data = network.load(store)
        payload = graph_html.page_data(data, network.full_view(data))
        actors = network.actor_view(data, store)
    finally:
        store.close()
    legend = {c["label"]: c for c in payload["classes"]}
    assert set(legend) == {"court", "organization"}  # every class with instances, and only those
    assert legend["court"]["shape"] == "dot" and legend["court"]["color"] != legend["organization"]["color"]
    assert str(court) in actors  # a subclass of kg:Organization is an actor


def test_the_same_store_gives_the_same_page(built, tmp_path):
    store = open_store(built, read_only=True)
    try:
        graph_html.write_html(store, tmp_path / "a.html")
        graph_html.write_html(store, tmp_path / "b.html")
    finally:
        store.close()
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.html").read_bytes() == (built / "graph.html").read_bytes()


def test_a_failed_write_leaves_the_previous_page_whole(built, tmp_path, monkeypatch):
    target = tmp_path / "page.html"
    target.write_text("previous page")

    def broken(payload):
        raise RuntimeError("disk full")

    monkeypatch.setattr(graph_html, "render", broken)
    store = open_store(built, read_only=True)
    try:
        with pytest.raises(RuntimeError):
            graph_html.write_html(store, target)
    finally:
        store.close()
    assert target.read_text() == "previous page" and not list(tmp_path.glob(".*.tmp"))


def synthetic_graph(n: int, seed: int = 3):
    """A hub-and-spoke graph like the project's: a few actors, many statements each tied to two of them."""
    rng = np.random.default_rng(seed)
    actors = max(2, n // 10)
    edges = []
    for i in range(actors, n):
        edges.append((i, int(rng.integers(actors))))
        edges.append((i, int(rng.integers(actors))))
    return edges


def test_the_layout_spreads_a_large_graph_and_is_repeatable():
    n = 2000
    edges = synthetic_graph(n)
    pos = graph_html.layout(n, edges)
    assert pos.shape == (n, 2) and np.isfinite(pos).all()
    assert np.array_equal(pos, graph_html.layout(n, edges))  # seeded: the same every run
    # nodes keep apart: hardly any has another within a tenth of the typical spacing
    distance = np.sqrt(((pos[:, None, :] - pos[None, :, :]) ** 2).sum(axis=-1))
    np.fill_diagonal(distance, np.inf)
    nearest = distance.min(axis=1)
    assert np.median(nearest) > 0.4 and (nearest < 0.1).mean() < 0.02 and nearest.min() > 0.01
    # about one unit of area per node: the layout neither collapses nor flies apart
    radius = np.percentile(np.sqrt((pos ** 2).sum(axis=1)), 95)
    assert 0.5 < math.pi * radius ** 2 / n < 2.0
    # neighbours end up closer than strangers
    e = np.array(edges)
    linked = np.median(np.linalg.norm(pos[e[:, 0]] - pos[e[:, 1]], axis=1))
    rng = np.random.default_rng(0)
    a, b = rng.integers(n, size=5000), rng.integers(n, size=5000)
    assert linked < 0.6 * np.median(np.linalg.norm(pos[a] - pos[b], axis=1))


def test_large_graphs_turn_physics_off(tmp_path):
    n = graph_html.PHYSICS_LIMIT + 50
    article = Graph()
    for i in range(n):
        node = ID[f"actor/a{i}"]
        article.add((node, RDF.type, KG.Person))
        article.add((node, RDFS.label, Literal(f"Actor {i}")))
        article.add((node, URIRef("http://www.w3.org/ns/org#memberOf"), ID[f"actor/a{i // 10}"]))
    store = open_store(tmp_path)
    try:
        onto = Graph()
        for triple in Ontology().graph:
            onto.add(triple)
        store.replace_graph(ONTOLOGY_GRAPH, onto)
        store.replace_graph(GR["article/big"], article)
        graph_html.write_html(store, tmp_path / "big.html", view="actors")
    finally:
        store.close()
    data = page_payload((tmp_path / "big.html").read_text(encoding="utf-8"))
    assert data["physics"] is False and len(data["nodes"]) == n
    assert len({(p["x"], p["y"]) for p in data["nodes"]}) == n
    assert {r["label"] for r in data["relations"]} == {"member of"}
