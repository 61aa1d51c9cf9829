"""`kg validate` and the integrity queries (*-violation.rq): nothing on the seed article, the planted fault on each
broken fixture (tests/data/violations/*.trig, each naming the faults it plants in `# expect:` lines)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from graph import queries
from graph.cli import main
from graph.store import OxigraphStore
from graph.validate import CHECKS, Check, Problem, validate_store, violation_queries

from .conftest import DATA, MINI_DIR

FIXTURES = sorted((DATA / "violations").glob("*.trig"))
VIOLATIONS = violation_queries()


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def fixture_store(path: Path) -> OxigraphStore:
    """A fixture loaded into its own in-memory Oxigraph store (not the shared memory: store)."""
    store = OxigraphStore(None)
    store.store = ox.Store()
    store.store.load(path=str(path), format=ox.RdfFormat.TRIG)
    return store


def expectations(path: Path) -> set[tuple[str, str]]:
    return {tuple(line.split()[2:4]) for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("# expect:")}


def found(store) -> set[tuple[str, str]]:
    rows = set()
    for query in VIOLATIONS:
        for row in queries.execute(store, query).rows:
            assert row.get("problem"), f"{query.name} must say what is wrong (?problem)"
            rows.add((query.name, queries.curie(str(row["node"]))))
    return rows


def test_there_are_violation_queries_and_fixtures_for_each():
    assert {q.name for q in VIOLATIONS} >= {"statement-speaker-violation", "text-anchor-violation",
                                            "offer-offeror-violation", "position-evidence-violation",
                                            "date-order-violation"}
    planted = {name for path in FIXTURES for name, _ in expectations(path)}
    assert planted >= {q.name for q in VIOLATIONS if q.path.parent == queries.ONTOLOGY_DIR / "queries"}


@pytest.mark.parametrize("query", VIOLATIONS, ids=lambda q: q.name)
def test_violation_query_returns_nothing_on_the_seed_article(seed_store, query):
    result = kg("query", query.path, "--format", "json", "--store", seed_store)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "[]", result.stdout


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_violation_queries_find_exactly_the_planted_faults(path):
    """Each fixture is the clean one with one kind of fault planted: the matching query names the planted
    node(s), and no query finds anything else (clean.trig plants nothing)."""
    assert found(fixture_store(path)) == expectations(path)


def test_the_anchor_check_counts_characters_not_bytes():
    text = (DATA / "violations" / "clean.trig").read_text(encoding="utf-8")
    body = re.search(r'schema:articleBody "(.*)" \.', text).group(1).replace('\\"', '"')
    start, end = (int(x) for x in re.search(r"oa:start (\d+) ; oa:end (\d+)", text).groups())
    assert body[start:end] == "We will study it." and len(body[:start].encode()) != start


def test_kg_validate_passes_on_the_seed_article(seed_store):
    result = kg("validate", "--store", seed_store)
    assert result.exit_code == 0, result.output
    assert re.search(r"ok: 1 article graph\(s\) conform to the shapes; \d+ integrity queries return no rows", result.stdout)


@pytest.mark.parametrize("name", ["offer-without-offeror", "said-after-publication"])
def test_kg_validate_fails_listing_the_offending_node(tmp_path, name):
    store = OxigraphStore(tmp_path)  # read-write; closing it publishes the snapshot readers open
    store.store.load(path=str(DATA / "violations" / f"{name}.trig"), format=ox.RdfFormat.TRIG)
    store.close()
    result = kg("validate", "--store", tmp_path)
    assert result.exit_code == 1, result.output
    for query, node in expectations(DATA / "violations" / f"{name}.trig"):
        assert re.search(rf"\[{re.escape(query)}\] {re.escape(node)}: .+\(fixture\)", result.stderr), result.stderr
    assert "[shacl]" in result.stderr  # the hand-written fixture is far from complete: the shapes say so too


def test_kg_validate_runs_shacl_on_the_stored_article_graphs(tmp_path):
    """Break a built graph behind the build's back: SHACL in kg validate sees it."""
    out = tmp_path / "out"
    assert kg("build", MINI_DIR, "--store", out, "--no-html").exit_code == 0
    store = OxigraphStore(out)
    store.store.update("PREFIX kg: <https://w3id.org/legal-news-kg/ontology#> DELETE { GRAPH ?g { ?offer kg:offeredTo ?to } } "
                       "WHERE { GRAPH ?g { ?offer a kg:Offer ; kg:offeredTo ?to } }")
    store.close()
    result = kg("validate", "--store", out)
    assert result.exit_code == 1
    assert re.search(r"\[shacl\] id:offer/ruritania-offer kg:offeredTo: .+\(mini-wire-story\)", result.stderr), result.stderr


def test_kg_validate_without_a_graph_is_bad_input(tmp_path):
    result = kg("validate", "--store", tmp_path / "nothing")
    assert result.exit_code == 2 and "kg build" in result.stderr


def test_a_new_check_plugs_in_and_fails_the_validation(seed_store):
    """The place the ontology lint goes: a Check in CHECKS (or passed in) whose problems fail validation."""
    assert [c.name for c in CHECKS][:2] == ["shacl", "queries"]
    extra = Check("lint", "a stand-in", lambda store, ontology, report: [Problem("lint", "kg:Thing", "not documented")])
    from graph.store import open_store

    store = open_store(seed_store, read_only=True)
    try:
        report = validate_store(store, checks=CHECKS + [extra])
    finally:
        store.close()
    assert not report.ok and report.ran[-1] == ("lint", 1)
    assert [str(p) for p in report.problems] == ["[lint] kg:Thing: not documented"]
