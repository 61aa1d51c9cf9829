"""Golden-file test: the triples `kg build` makes for a fixture article, compared with rdflib.compare.

After an intended change, regenerate with `.venv/bin/python scripts/update_golden.py` and review the diff.
"""

from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from graph.build import build

from .conftest import DATA, MINI_DIR, script

update_golden = script("update_golden")


def test_the_mini_article_builds_to_its_golden_graph(tmp_path):
    build([MINI_DIR], tmp_path, html=False)
    got = update_golden.named_graph(tmp_path, MINI_DIR.name)
    expected = Graph().parse(DATA / "golden" / f"{MINI_DIR.name}.ttl", format="turtle")
    if not isomorphic(got, expected):
        _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
        extra = sorted(only_got.serialize(format="nt").splitlines())[:20]
        missing = sorted(only_expected.serialize(format="nt").splitlines())[:20]
        raise AssertionError("the build differs from the golden file:\n+ " + "\n+ ".join(extra)
                             + "\n- " + "\n- ".join(missing))
