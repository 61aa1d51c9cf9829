"""How fast is graph.html for big graphs? Generation time and page-load time in Chromium at 1k, 5k and 20k nodes.

Run:  .venv/bin/python scripts/bench_html.py            (sizes 1000 5000 20000)
      .venv/bin/python scripts/bench_html.py --sizes 1000 5000 --baseline-all

Each size is a synthetic graph of the project's own shape (actors, posts, offers, statements with speakers,
anchors and offsets, spread over several articles), loaded into an in-memory Oxigraph store with the ontology;
"generate" is graph.html.write_html on it (SPARQL, the views, the layout, writing the file), "load" is the time
from navigation until the page has drawn its first frame in Debian's headless Chromium. The baseline, measured in
the same run, is what the issue measured: networkx spring_layout (50 iterations) and pyvis's add_node; "layout"
is graph.html.layout on the baseline's graph (a random graph with 1.6 edges per node), so the two compare.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.html import PHYSICS_LIMIT, layout, write_html  # noqa: E402
from graph.ns import GR, ID, KG, OA, ONTOLOGY_GRAPH  # noqa: E402

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def synthetic_nquads(n: int, seed: int = 1) -> str:
    """About n drawable nodes: 20% actors, 4% posts, 4% offers, the rest statements (speaker, about, anchor)."""
    rng = random.Random(seed)
    n_articles = max(1, n // 500)
    actors = [f"{ID}actor/a{i}" for i in range(max(2, n // 5))]
    posts = [f"{ID}post/p{i}" for i in range(n // 25)]
    offers = [f"{ID}offer/o{i}" for i in range(n // 25)]
    n_statements = max(1, n - len(actors) - len(posts) - len(offers))
    lines: list[str] = []

    def q(s, p, o, g, literal=False, datatype=None):
        if literal:
            text = str(o).replace("\\", "\\\\").replace('"', '\\"')
            obj = f'"{text}"' + (f"^^<{datatype}>" if datatype else "")
        else:
            obj = f"<{o}>"
        lines.append(f"<{s}> <{p}> {obj} <{g}> .")

    graphs = [f"{GR}article/bench-{k}" for k in range(n_articles)]
    for k, g in enumerate(graphs):
        art = f"{ID}article/bench-{k}"
        q(art, RDF_TYPE, KG.Article, g)
        q(art, str(KG.slug), f"bench-{k}", g, True)
        q(art, "https://schema.org/headline", f"Synthetic article {k}", g, True)
    for i, a in enumerate(actors):
        g = graphs[i % n_articles]
        q(a, RDF_TYPE, KG.Person if i % 3 else KG.Organization, g)
        q(a, RDFS_LABEL, f"Actor {i}", g, True)
    for i, p in enumerate(posts):
        g = graphs[i % n_articles]
        q(p, RDF_TYPE, KG.Post, g)
        q(p, RDFS_LABEL, f"Post {i}", g, True)
        q(p, ORG + "postIn", rng.choice(actors), g)
        q(rng.choice(actors), ORG + "holds", p, g)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(actors))]  # a few actors speak a lot
    speakers = rng.choices(actors, weights, k=n_statements)
    statements = []
    for i in range(n_statements):
        g = graphs[i % n_articles]
        s = f"{ID}article/bench-{i % n_articles}/statement/s{i}"
        statements.append((s, g))
        q(s, RDF_TYPE, KG.Statement, g)
        q(s, str(KG.quote), f"Quoted words number {i}, with <b>markup</b> & \"quotes\"", g, True)
        q(s, str(KG.speaker), speakers[i], g)
        q(s, str(KG.sequence), i + 1, g, True, XSD + "integer")
        q(s, str(KG.about), rng.choice(offers) if offers and rng.random() < 0.5 else rng.choice(actors), g)
        anchor, pos = s + "/anchor", s + "/anchor/position"
        q(s, str(KG.anchor), anchor, g)
        q(anchor, str(OA.hasSelector), pos, g)
        q(pos, str(OA.start), i * 10, g, True, XSD + "nonNegativeInteger")
        q(pos, str(OA.end), i * 10 + 8, g, True, XSD + "nonNegativeInteger")
    for i, o in enumerate(offers):
        g = graphs[i % n_articles]
        q(o, RDF_TYPE, KG.Offer, g)
        q(o, RDFS_LABEL, f"Offer {i}", g, True)
        q(o, str(KG.offeredBy), rng.choice(actors), g)
        q(o, str(KG.offeredTo), rng.choice(actors), g)
        q(o, str(KG.evidence), rng.choice(statements)[0], g)
    return "\n".join(lines) + "\n"


def make_store(n: int):
    import pyoxigraph as ox

    from graph.ontology import Ontology
    from graph.store import OxigraphStore

    store = OxigraphStore(None)
    store.store = ox.Store()  # a fresh in-memory store, not the shared memory: one
    store.replace_graph(ONTOLOGY_GRAPH, Ontology().graph)
    store.store.load(synthetic_nquads(n).encode("utf-8"), ox.RdfFormat.N_QUADS)
    return store


def load_in_chromium(path: Path, browser) -> tuple[float, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", state="attached", timeout=300_000)
    wall = time.perf_counter() - start
    drawn = page.evaluate("window.kg.timing.drawn") / 1000.0
    page.close()
    if errors:
        raise SystemExit(f"{path}: the page reported errors: {errors[:3]}")
    return wall, drawn


def baseline(n: int) -> tuple[float, float]:
    import networkx as nx
    from pyvis.network import Network

    g = nx.gnm_random_graph(n, int(n * 1.6), seed=1)
    start = time.perf_counter()
    nx.spring_layout(g, iterations=50, seed=1)
    spring = time.perf_counter() - start
    net = Network()
    start = time.perf_counter()
    for i in range(n):
        net.add_node(i, label=str(i))
    return spring, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--baseline-all", action="store_true",
                        help="measure the baseline at every size (spring_layout takes ~30 s at 5k), not only the first")
    parser.add_argument("--no-browser", action="store_true", help="generation only")
    args = parser.parse_args()

    browser = None
    if not args.no_browser:
        chromium = shutil.which("chromium")
        if not chromium:
            raise SystemExit("chromium is not installed: `make browser` (or apt-get install chromium), or --no-browser")
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, n in enumerate(args.sizes):
            store = make_store(n)
            path = Path(tmp) / f"graph-{n}.html"
            start = time.perf_counter()
            summary = write_html(store, path)
            generate = time.perf_counter() - start
            import networkx as nx

            edges = list(nx.gnm_random_graph(n, int(n * 1.6), seed=1).edges)  # the baseline's graph
            start = time.perf_counter()
            layout(n, edges)
            lay = time.perf_counter() - start
            wall = drawn = None
            if browser is not None:
                wall, drawn = load_in_chromium(path, browser)
            spring = add_node = None
            if k == 0 or args.baseline_all:
                try:
                    spring, add_node = baseline(n)
                except ImportError as exc:  # spring_layout needs scipy above 500 nodes
                    print(f"  no baseline: {exc} (pip install scipy)", file=sys.stderr)
            rows.append((n, summary["nodes"], summary["edges"], path.stat().st_size / 1e6, generate, lay, wall, drawn,
                         spring, add_node))
            print(f"  measured {n} nodes", file=sys.stderr)
    if browser is not None:
        browser.close()
        pw.stop()

    def f(x, digits=2):
        return "-" if x is None else f"{x:.{digits}f}"

    head = ["target", "nodes", "edges", "MB", "generate s", "layout s", "load s", "first draw s",
            "spring_layout s", "layout speed-up", "pyvis add_node s"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---:" for _ in head) + "|")
    for n, nodes, edges, mb, generate, lay, wall, drawn, spring, add_node in rows:
        ratio = f"{spring / lay:.0f}x" if spring else "-"
        print(f"| {n} | {nodes} | {edges} | {mb:.1f} | {f(generate)} | {f(lay)} | {f(wall)} | {f(drawn)} | "
              f"{f(spring)} | {ratio} | {f(add_node)} |")
    print(f"\nphysics is off (layout computed in Python) above {PHYSICS_LIMIT} nodes; "
          "targets: 5k nodes generated in < 5 s and drawn in < 3 s")


if __name__ == "__main__":
    main()
