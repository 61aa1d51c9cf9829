"""The network views and analytics (graph.network), and `kg analyze`, `kg analyze path`, `kg export`, `kg show`
through the CLI, on the mini fixture and the seed article built with `kg build`."""

import io
import json

import networkx as nx
import pytest
from click.testing import CliRunner

from graph import network
from graph.cli import main
from graph.ns import ID
from graph.store import open_store

from .conftest import MINI_DIR, SEED_DIR

GELERNT = str(ID["actor/lee-gelernt"])
RURITANIA = str(ID["actor/ruritania"])
US = str(ID["actor/united-states"])


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    out = tmp_path_factory.mktemp("mini")
    result = kg("build", MINI_DIR, "--store", out, "--no-html")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed")
    result = kg("build", SEED_DIR, "--store", out, "--no-html")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def mini_data(mini):
    store = open_store(mini, read_only=True)
    try:
        data = network.load(store)
        yield data, network.actor_view(data, store)
    finally:
        store.close()


def relations(data, g):
    return {(data.label(u), a["relation"], data.label(v)) for u, v, a in g.edges(data=True)}


def test_nodes_carry_the_ontology_class_labels_and_evidence(mini_data):
    data, _ = mini_data
    gelernt = data.nodes[GELERNT]
    assert data.class_label(gelernt.cls) == "person" and gelernt.is_actor
    assert gelernt.aliases == ["Gelernt"]
    assert data.posts(GELERNT) == ["ACLU attorney"]
    said = [data.evidence[e].quote for e in data.node_evidence(GELERNT)["said"]]
    assert said == ["You may not deport a citizen,", "It is that simple."]  # in text order
    mention = data.evidence[data.node_evidence(GELERNT)["evidence"][0]]
    text = (MINI_DIR / "article.txt").read_text(encoding="utf-8")
    assert mention.kind == "mention" and text[mention.start:mention.end] == mention.quote == "Lee Gelernt, an ACLU attorney"
    # anchors, selectors, mentions and utterances are evidence, never nodes
    assert not [n for n in data.nodes if "/anchor" in n or "/mention/" in n or "/utterance/" in n]
    assert str(ID["condition/no-citizen-deportation"]) in data.nodes
    assert "https://w3id.org/legal-news-kg/doctrine/citizen-non-deportation" in data.nodes  # cited doctrine


def test_the_actor_view_says_who_did_what_to_whom_with_the_words(mini_data):
    data, g = mini_data
    assert all(data.nodes[n].is_actor for n in g.nodes)
    assert relations(data, g) >= {
        ("Republic of Ruritania", "offered to", "United States"),
        ("Lee Gelernt", "holds post in", "American Civil Liberties Union"),
        ("Lee Gelernt", "member of", "American Civil Liberties Union"),
        ("Lee Gelernt", "opposes", "United States"),          # his position on the action the US would take
        ("Lee Gelernt", "opposes", "Republic of Ruritania"),  # ... which Ruritania's offer covers
        ("officials", "said about", "Republic of Ruritania"),  # a statement about Ruritania's offer
    }
    opposes = [a for u, v, a in g.edges(data=True) if u == GELERNT and v == US and a["relation"] == "opposes"]
    assert [data.evidence[e].quote for e in opposes[0]["evidence"]] == ["You may not deport a citizen,", "It is that simple."]
    assert data.label(opposes[0]["via"]) == "Jailing citizens abroad"


def test_restrict_to_an_ego_graph_and_to_an_article(mini_data):
    data, _ = mini_data
    full = network.full_view(data)
    ego = network.restrict(data, full, focus=GELERNT, depth=1)
    assert GELERNT in ego and set(ego.nodes) == {GELERNT} | set(nx.all_neighbors(full, GELERNT))
    assert network.restrict(data, full, focus=GELERNT, depth=0).number_of_nodes() == 1
    assert network.restrict(data, full, article="mini-wire-story").number_of_nodes() == full.number_of_nodes()
    with pytest.raises(network.InputError, match="no article with this slug.*mini-wire-story"):
        network.restrict(data, full, article="no-such-story")


def test_names_resolve_through_labels_aliases_and_iris(mini_data):
    data, g = mini_data
    assert network.resolve(data, "gelernt") == GELERNT  # skos:altLabel, any case
    assert network.resolve(data, "Lee Gelernt") == GELERNT
    assert network.resolve(data, "id:actor/lee-gelernt") == GELERNT
    assert network.resolve(data, GELERNT) == GELERNT
    with pytest.raises(network.InputError, match="did you mean: Lee Gelernt"):
        network.resolve(data, "Lee Gelrent")
    with pytest.raises(network.InputError, match="no such node"):
        network.resolve(data, "id:actor/nobody")


def test_centrality_components_and_the_shortest_chain(mini_data):
    data, g = mini_data
    ranked = network.centrality(data, g, top=3)
    assert ranked[0]["name"] == "Lee Gelernt"  # the most relations
    assert ranked[0]["betweenness"] > 0
    parts = network.components(data, g)
    assert sum(len(p) for p in parts) == g.number_of_nodes()
    assert {GELERNT, RURITANIA, US} <= set(parts[0])
    hops = network.shortest_path(data, g, str(ID["actor/officials"]), GELERNT)
    assert [(data.label(h.source), data.label(h.target)) for h in hops] == [
        ("officials", "Republic of Ruritania"), ("Republic of Ruritania", "Lee Gelernt")]
    assert hops[0].edges[0]["relation"] == "said about" and hops[0].edges[0]["forward"]
    assert hops[1].edges[0]["relation"] == "opposes" and not hops[1].edges[0]["forward"]
    with pytest.raises(network.CheckFailed, match="no chain"):
        network.shortest_path(data, g, GELERNT, str(ID["actor/ana-reyes"]))


def test_kg_analyze_prints_central_actors_and_components(mini):
    result = kg("analyze", "--store", mini)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Most central actors" in out and "betweenness" in out
    lines = out.splitlines()
    first = lines[lines.index(next(l for l in lines if l.startswith("---"))) + 1]
    assert first.startswith("Lee Gelernt")
    assert "Connected components:" in out and "no relation to another actor: Ana Reyes" in out
    as_json = json.loads(kg("analyze", "--store", mini, "--format", "json", "--top", "2").output)
    assert len(as_json["central"]) == 2 and as_json["actors"] == 8


def test_kg_analyze_path_prints_the_chain_with_the_statements(mini):
    result = kg("analyze", "path", "officials", "Gelernt", "--store", mini)
    assert result.exit_code == 0, result.output
    assert "officials → Lee Gelernt: 2 step(s)" in result.output
    assert "officials said about Republic of Ruritania" in result.output
    assert "“under study.” — officials (mini-wire-story, characters" in result.output
    assert "Lee Gelernt opposes Republic of Ruritania" in result.output
    start = (MINI_DIR / "article.txt").read_text(encoding="utf-8").index("You may not deport a citizen,")
    assert (f"“You may not deport a citizen,” — Lee Gelernt, 2025-02-28 (mini-wire-story, characters {start}–{start + 29})"
            in result.output)
    # the group's --store reaches the subcommand too
    assert kg("analyze", "--store", mini, "path", "Ruritania", "id:actor/lee-gelernt").exit_code == 0


def test_kg_analyze_path_errors(mini):
    unknown = kg("analyze", "path", "Nobody Atall", "Gelernt", "--store", mini)
    assert unknown.exit_code == 2 and "no node has this name" in unknown.stderr
    apart = kg("analyze", "path", "Ana Reyes", "Gelernt", "--store", mini)
    assert apart.exit_code == 1 and "no chain of relations connects Ana Reyes and Lee Gelernt" in apart.stderr
    missing = kg("analyze", "--store", mini.parent / "never-built")
    assert missing.exit_code == 2 and "no graph has been built here yet" in missing.stderr


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_kg_export_writes_the_actor_view_for_network_tools(mini, tmp_path, fmt):
    path = tmp_path / f"actors.{fmt}"
    result = kg("export", "--format", fmt, "-o", path, "--store", mini)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        edge = next(e for e in data["edges"] if e["relation"] == "offered to")
        assert edge["source"] == RURITANIA and edge["evidence"][0]["quote"] == "under study."
        return
    g = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert g.number_of_nodes() == 8
    labels = {d.get("label") for _, d in g.nodes(data=True)}
    assert "Lee Gelernt" in labels
    edges = [d for _, _, d in g.edges(data=True) if d.get("relation") == "opposes"]
    assert edges and any("You may not deport a citizen," in d["evidence"] for d in edges)
    again = tmp_path / f"again.{fmt}"
    kg("export", "--format", fmt, "-o", again, "--store", mini)
    assert again.read_bytes() == path.read_bytes()


EXPORT_IN_A_FRESH_PROCESS = """
import sys
from click.testing import CliRunner
from graph.cli import main
for fmt, view, out in zip(sys.argv[2::3], sys.argv[3::3], sys.argv[4::3]):
    result = CliRunner().invoke(main, ["export", "--format", fmt, "--view", view, "-o", out, "--store", sys.argv[1]])
    assert result.exit_code == 0, result.output
"""


def test_kg_export_is_byte_identical_run_after_run(seed, tmp_path, monkeypatch):
    """graphml, gexf and json, both views: exported twice in this process on two different days (networkx's GEXF
    writer stamps the date), and once more in a fresh process with another hash seed, the bytes are the same."""
    import subprocess
    import sys
    import time as time_module

    from .conftest import ROOT

    jobs = [(fmt, view) for fmt in ("graphml", "gexf", "json") for view in ("actors", "full")]
    first, second = {}, {}
    for day, runs in (("2024-02-29", first), ("2031-12-31", second)):
        monkeypatch.setattr(time_module, "strftime", lambda *args, day=day: day)
        for fmt, view in jobs:
            path = tmp_path / f"{day}-{view}.{fmt}"
            result = kg("export", "--format", fmt, "--view", view, "-o", path, "--store", seed)
            assert result.exit_code == 0, result.output
            runs[fmt, view] = path.read_bytes()
    monkeypatch.undo()
    args = [str(seed)]
    for fmt, view in jobs:
        args += [fmt, view, str(tmp_path / f"fresh-{view}.{fmt}")]
    for hash_seed in ("1", "4242"):
        subprocess.run([sys.executable, "-c", EXPORT_IN_A_FRESH_PROCESS, *args], cwd=ROOT, check=True, timeout=300,
                       env={**__import__("os").environ, "PYTHONHASHSEED": hash_seed})
        for fmt, view in jobs:
            fresh = (tmp_path / f"fresh-{view}.{fmt}").read_bytes()
            assert first[fmt, view] == second[fmt, view] == fresh, (fmt, view, hash_seed)
    gexf = first["gexf", "actors"].decode("utf-8")
    assert "lastmodifieddate" not in gexf and "2024-02-29" not in gexf and "<creator>legal-news-kg" in gexf
    assert nx.read_gexf(io.BytesIO(first["gexf", "actors"])).number_of_nodes() > 10  # still GEXF that reads back


def test_kg_export_to_standard_output(mini):
    result = kg("export", "--format", "json", "--store", mini)
    assert result.exit_code == 0
    assert {n["label"] for n in json.loads(result.output)["nodes"]} >= {"Lee Gelernt", "Republic of Ruritania"}


def test_kg_show_writes_views(mini, tmp_path):
    full = kg("show", "--store", mini, "-o", tmp_path / "full.html")
    assert full.exit_code == 0, full.output
    assert "full view" in full.output and (tmp_path / "full.html").stat().st_size > 100_000
    ego = kg("show", "--store", mini, "--focus", "Gelernt", "--depth", "1", "-o", tmp_path / "ego.html")
    assert ego.exit_code == 0 and "nodes" in ego.output
    actors = kg("show", "--store", mini, "--view", "actors", "-o", tmp_path / "actors.html")
    assert "(8 nodes" in actors.output
    default = kg("show", "--store", mini)
    assert default.exit_code == 0 and (mini / "view.html").is_file()
    one = kg("show", "--store", mini, "--article", "mini-wire-story", "-o", tmp_path / "one.html")
    assert one.exit_code == 0


def test_kg_show_errors_name_the_problem(mini, tmp_path):
    bad_article = kg("show", "--store", mini, "--article", "nope", "-o", tmp_path / "x.html")
    assert bad_article.exit_code == 2 and "the articles: mini-wire-story" in bad_article.stderr
    bad_focus = kg("show", "--store", mini, "--focus", "Nobody", "-o", tmp_path / "x.html")
    assert bad_focus.exit_code == 2 and "Nobody" in bad_focus.stderr
    assert not (tmp_path / "x.html").exists()


def test_the_seed_article_actor_view(seed):
    store = open_store(seed, read_only=True)
    try:
        data = network.load(store)
        g = network.actor_view(data, store)
    finally:
        store.close()
    found = relations(data, g)
    assert ("Nayib Bukele", "offered to", "United States") in found
    assert ("Marco Rubio", "holds post in", "United States") in found
    assert ("Lee Gelernt", "opposes", "United States") in found
    assert ("Marco Rubio", "said about", "Nayib Bukele") in found
    for u, v, attrs in g.edges(data=True):
        if attrs["relation"] in ("offered to", "said about", "opposes", "supports"):
            assert attrs["evidence"], (data.label(u), attrs["relation"], data.label(v))
    hops = network.shortest_path(data, g, network.resolve(data, "Gelernt"), network.resolve(data, "Rubio"))
    assert len(hops) == 2
