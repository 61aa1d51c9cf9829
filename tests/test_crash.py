"""Crash safety: a `kg build` killed with SIGKILL at any moment leaves a readable store, every article graph the
old one or the new one (never half), whole graph.trig/graph.html, and the next build completes.

Each case copies a store built from version 1 of two articles, then runs `kg build` of version 2 in a subprocess
that is killed: at a named moment (``KG_TEST_CRASH_AT=<phase>``, see graph/safety.py) or after a delay spread
over the length of a build. The reference graphs come from clean builds of version 1 and of version 2.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.safety import SNAPSHOTS, current_snapshot

from .conftest import MINI_DIR, ROOT

SLUGS = ["story-a", "story-b"]
GR = "https://w3id.org/legal-news-kg/graph/"
KG = [sys.executable, "-c", "import sys; sys.argv[0] = 'kg'; from graph.cli import main; main()"]


def kg(*args, env_extra: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KG_TEST_CRASH_AT", None)
    env.update(env_extra or {})
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT)


def write_articles(root: Path, version: int) -> list[Path]:
    """Two article folders; version 2 changes a title, a name and a tag in each (other triples, same ids)."""
    folders = []
    for slug in SLUGS:
        folder = root / slug
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(MINI_DIR, folder)
        if version == 2:
            path = folder / "annotation.yaml"
            text = path.read_text(encoding="utf-8")
            text = text.replace("title: Judge weighs plan to jail citizens abroad", f"title: {slug} version two")
            text = text.replace("name: The Wire Service", "name: The Wire Service, Inc.")
            text = text.replace("tags: [immigration]", "tags: [immigration, version-two]")
            path.write_text(text, encoding="utf-8")
        folders.append(folder)
    return folders


def article_graphs(store_dir: Path) -> dict[str, frozenset]:
    """Each article graph as a set of N-Quads lines, read with no other process writing."""
    store = ox.Store.read_only(str(store_dir))
    found = {}
    for slug in SLUGS:
        graph = ox.NamedNode(GR + "article/" + slug)
        found[slug] = frozenset(str(q) for q in store.quads_for_pattern(None, None, None, graph))
    del store
    return found


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """Clean builds of version 1 and version 2, and their article graphs."""
    root = tmp_path_factory.mktemp("crash-refs")
    refs = {}
    for version in (1, 2):
        folders = write_articles(root / f"v{version}", version)
        out = root / f"out{version}"
        started = time.perf_counter()
        result = kg("build", *folders, "--store", out)
        assert result.returncode == 0, result.stderr
        refs[version] = {"out": out, "folders": folders, "seconds": time.perf_counter() - started,
                         "graphs": article_graphs(out / "store")}
    assert all(refs[1]["graphs"][s] != refs[2]["graphs"][s] and refs[1]["graphs"][s] for s in SLUGS)
    return refs


@pytest.fixture
def crashed_setup(references, tmp_path):
    """A copy of the version-1 output and version-2 article folders to build over it."""
    out = tmp_path / "out"
    shutil.copytree(references[1]["out"], out)
    folders = write_articles(tmp_path / "articles", 2)
    return out, folders


def assert_old_or_new(out: Path, references) -> dict[str, int]:
    """The live store and the published snapshot: each article graph is version 1 or version 2, never a mix."""
    versions = {}
    for where in (out / "store", current_snapshot(out)):
        assert where is not None and where.is_dir()
        graphs = article_graphs(where)
        for slug in SLUGS:
            assert graphs[slug] in (references[1]["graphs"][slug], references[2]["graphs"][slug]), \
                f"{slug} in {where.name} is neither the old nor the new graph"
            versions[f"{where.name}/{slug}"] = 1 if graphs[slug] == references[1]["graphs"][slug] else 2
        assert_default_graph_is_the_set_union(where)
    for name in ("graph.trig", "graph.html"):
        assert (out / name).stat().st_size > 0
    assert sum(1 for _ in ox.parse(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)) > 0  # whole: it parses
    assert (out / "graph.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    return versions


def assert_default_graph_is_the_set_union(store_dir: Path) -> None:
    """The store keeps its default graph equal to the set union of its named graphs (graph/store.py)."""
    store = ox.Store.read_only(str(store_dir))
    default = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    named = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)
             if isinstance(q.graph_name, ox.NamedNode)}
    del store
    assert default == named, f"{store_dir.name}: the default graph is not the set union of the named graphs"


def assert_next_build_completes(out: Path, folders, references) -> None:
    result = kg("build", *folders, "--store", out)
    assert result.returncode == 0, result.stderr
    assert article_graphs(out / "store") == references[2]["graphs"]
    assert article_graphs(current_snapshot(out)) == references[2]["graphs"]
    assert_default_graph_is_the_set_union(out / "store")
    assert not list(out.glob(".*.tmp")), "temporary files left behind"
    assert not list((out / SNAPSHOTS).glob(".tmp-*")), "a temporary snapshot left behind"


def count_story_a(out: Path) -> int:
    """What a reader (`kg query`) sees: the number of triples in story-a's graph."""
    query = kg("query", "--sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GR}article/story-a> {{ ?s ?p ?o }} }}",
               "--format", "csv", "--store", out)
    assert query.returncode == 0, query.stderr
    return int(query.stdout.split()[-1])


PHASES = ["store-opened", "graph-replaced:1", "flushed:1", "before-rename-graph.trig",
          "before-rename-graph.html", "snapshot-made"]


@pytest.mark.parametrize("phase", PHASES)
def test_a_build_killed_at_a_named_moment_leaves_old_or_new_graphs(references, crashed_setup, phase):
    out, folders = crashed_setup
    result = kg("build", *folders, "--store", out, env_extra={"KG_TEST_CRASH_AT": phase})
    assert result.returncode == -signal.SIGKILL, f"the build was not killed at {phase}: {result.stderr}"
    versions = assert_old_or_new(out, references)
    if phase == "graph-replaced:1":  # the moment between two articles: one new, one old in the live store ...
        assert versions["store/story-a"] == 2 and versions["store/story-b"] == 1
        assert count_story_a(out) == len(references[1]["graphs"]["story-a"])  # ... and readers see the last build
    assert versions[f"{current_snapshot(out).name}/story-a"] == 1  # readers still see the last finished build
    assert_next_build_completes(out, folders, references)
    if phase == "graph-replaced:1":
        assert count_story_a(out) == len(references[2]["graphs"]["story-a"])


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.8])
def test_a_build_killed_after_a_delay_leaves_old_or_new_graphs(references, crashed_setup, fraction):
    """SIGKILL from outside at a point spread over the length of a build (whatever it is doing then)."""
    out, folders = crashed_setup
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KG_TEST_CRASH_AT", None)
    process = subprocess.Popen([*KG, "build", *map(str, folders), "--store", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    time.sleep(fraction * references[2]["seconds"])
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert_old_or_new(out, references)
    assert_next_build_completes(out, folders, references)


def test_an_ontology_change_interrupted_by_a_crash_is_finished_by_the_next_build(references, crashed_setup, tmp_path):
    """The ontology graph (and its input hash) is written after the article graphs: a build killed between the
    two leaves the old hash, so the next build still knows every article must be validated and written again."""
    out, _ = crashed_setup
    folders = references[1]["folders"]
    extension = tmp_path / "ext"
    extension.mkdir()
    (extension / "extra.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://example.org/ext#Newsroom> a owl:Class ; rdfs:label \"newsroom\" ;\n"
        "  rdfs:subClassOf <https://w3id.org/legal-news-kg/ontology#Organization> .\n", encoding="utf-8")
    killed = kg("build", *folders, "--store", out, "--ontology", extension, env_extra={"KG_TEST_CRASH_AT": "graph-replaced:1"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = kg("build", *folders, "--store", out, "--ontology", extension)
    assert again.returncode == 0, again.stderr
    assert "(2 rebuilt)" in again.stdout, again.stdout


def test_a_killed_build_never_leaves_the_store_locked(crashed_setup):
    out, folders = crashed_setup
    killed = kg("build", *folders, "--store", out, env_extra={"KG_TEST_CRASH_AT": "store-opened", "KG_LOCK_TIMEOUT": "0"})
    assert killed.returncode == -signal.SIGKILL
    again = kg("build", *folders, "--store", out, "--no-html", env_extra={"KG_LOCK_TIMEOUT": "0"})
    assert again.returncode == 0, again.stderr
    assert "another kg process" not in again.stderr
