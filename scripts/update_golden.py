"""Regenerate tests/data/golden/<slug>.ttl: the named graph `kg build` makes for each golden fixture article.

Run after an intended change to the loader or the fixture, then review `git diff tests/data/golden`:
    .venv/bin/python scripts/update_golden.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import Graph  # noqa: E402

from graph.build import build  # noqa: E402
from graph.ns import article_graph, bind_all  # noqa: E402
from graph.store import from_ox, open_store  # noqa: E402

FIXTURES = [ROOT / "tests" / "data" / "articles" / "mini-wire-story"]
GOLDEN = ROOT / "tests" / "data" / "golden"


def named_graph(store_dir: Path, slug: str) -> Graph:
    store = open_store(store_dir, read_only=True)
    graph = Graph()
    bind_all(graph)
    import pyoxigraph as ox

    for quad in store.store.quads_for_pattern(None, None, None, ox.NamedNode(str(article_graph(slug)))):
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    store.close()
    return graph


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for fixture in FIXTURES:
        with tempfile.TemporaryDirectory() as out:
            build([fixture], out, html=False)
            graph = named_graph(Path(out), fixture.name)
        target = GOLDEN / f"{fixture.name}.ttl"
        target.write_text(graph.serialize(format="turtle"), encoding="utf-8")
        print(f"wrote {target} ({len(graph)} triples)")


if __name__ == "__main__":
    main()
