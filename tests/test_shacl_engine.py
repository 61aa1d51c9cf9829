"""graph.shacl runs the shapes' SPARQL constraints on Oxigraph instead of pySHACL's rdflib engine (minutes on the
seed article). These tests hold it to pySHACL's answers on every shape fixture, and show each constraint fires."""

from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal
from rdflib.namespace import SH, XSD

from graph import shacl
from graph.annotation import article_graph, read_article
from graph.ns import ID, KG
from graph.store import ntriples

from .conftest import DATA, SEED_DIR

FIXTURES = sorted((DATA / "valid").glob("*.ttl")) + sorted((DATA / "invalid").glob("*.ttl"))


def focus_nodes_by_pyshacl(data: Graph, ontology) -> set[str]:
    conforms, report, _ = pyshacl.validate(data + ontology.graph, shacl_graph=ontology.shapes, inference="none",
                                           advanced=True, allow_warnings=True)
    return {shacl.short(f) for f in report.objects(None, SH.focusNode)}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_focus_nodes_as_pyshacl(fixture: Path, ontology):
    data = Graph().parse(fixture, format="turtle")
    ours = {v.focus for v in shacl.validate(data, ontology.shapes, ontology.graph)}
    assert ours == focus_nodes_by_pyshacl(data, ontology)
    assert bool(ours) == (fixture.parent.name == "invalid")


def test_the_seed_article_conforms_and_a_moved_quote_is_caught(ontology):
    graph = article_graph(read_article(SEED_DIR), ontology)
    assert shacl.validate(graph, ontology.shapes, ontology.graph) == []
    statement = ID[f"article/{SEED_DIR.name}/statement/s01"]
    graph.set((statement, KG.quote, Literal("words the article never printed")))
    messages = [v.message for v in shacl.validate(graph, ontology.shapes, ontology.graph)
                if "statement/s01" in v.focus + v.message]
    assert any("offsets" in m or "exact" in m for m in messages), messages


def test_sparql_constraints_are_all_found(ontology):
    _, constraints = shacl.split_shapes(ontology.shapes)
    assert len(constraints) >= 4
    assert all(c.targets for c in constraints), "a SPARQL constraint without targets would never run"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_ntriples_shortcut_reports_what_the_triples_do(fixture: Path, ontology):
    """validate(..., ntriples=text) lets Oxigraph parse the text a build writes anyway: the same results."""
    data = Graph().parse(fixture, format="turtle")
    assert shacl.validate(data, ontology.shapes, ontology.graph, ntriples=ntriples(data)) == \
        shacl.validate(data, ontology.shapes, ontology.graph)


def test_the_ntriples_shortcut_names_a_blank_node_as_the_data_does(ontology):
    """Oxigraph's parser renames blank nodes; a problem found on the text is checked again on the triples, so the
    report names the node the data has (here a statement written as a blank node, with words moved)."""
    graph = article_graph(read_article(SEED_DIR), ontology)
    statement, node = ID[f"article/{SEED_DIR.name}/statement/s01"], BNode("statement1")
    for s, p, o in list(graph.triples((statement, None, None))):
        graph.remove((s, p, o))
        graph.add((node, p, o))
    for s, p, o in list(graph.triples((None, None, statement))):
        graph.remove((s, p, o))
        graph.add((s, p, node))
    graph.set((node, KG.quote, Literal("words the article never printed")))
    found = shacl.validate(graph, ontology.shapes, ontology.graph, ntriples=ntriples(graph))
    assert found == shacl.validate(graph, ontology.shapes, ontology.graph)
    assert found and all("statement1 has kg:quote" in v.message for v in found), found


@pytest.mark.parametrize("value, minimum", [
    (Literal(3), Literal(1)), (Literal(1), Literal(3)), (Literal(2), Literal(2)),
    (Literal("2.5", datatype=XSD.decimal), Literal(2)), (Literal(-0.0), Literal(0.0)),
    (Literal("2025-02-05", datatype=XSD.date), Literal("2025-02-04", datatype=XSD.date)),
    (Literal("2025-02-05T10:00:00", datatype=XSD.dateTime), Literal("2025-02-05T10:00:00", datatype=XSD.dateTime)),
    (Literal("2025-02-05T10:00:00Z", datatype=XSD.dateTime),
     Literal("2025-02-05T11:00:00+02:00", datatype=XSD.dateTime)),
    (Literal("10:00:00", datatype=XSD.time), Literal("09:30:00", datatype=XSD.time)),
    (Literal("b"), Literal("a")), (Literal("a"), Literal("b")),
])
def test_compare_literal_is_pyshacls(value, minimum):
    """graph.shacl keeps its own copy of pySHACL's literal comparison (sh:minInclusive) so that a conforming build
    never imports pySHACL: it must order every kind of literal the way pySHACL's does."""
    from pyshacl.rdfutil.compare import compare_literal

    assert shacl.compare_literal(value, minimum) == compare_literal(value, minimum)
    assert shacl.compare_literal(minimum, value) == compare_literal(minimum, value)


def test_a_conforming_build_does_not_import_pyshacl(tmp_path):
    """pySHACL takes 0.15-0.2 s to import, a fifth of adding one article to a large store: it is loaded only to
    word the problems of an article that does not conform."""
    import subprocess
    import sys

    script = ("import sys\nfrom graph.build import build\n"
              f"build([{str(SEED_DIR)!r}], {str(tmp_path / 'out')!r}, html=False, trig=False)\n"
              "print('pyshacl' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_fast_engine_leaves_the_indexes_it_reads_unchanged(fixture: Path, ontology):
    """Its lookups hand back an index's own sets (no copy when only the article or only the ontology holds the
    values): every check must only read them. After deciding on each fixture, with the seed article beside it (a
    node both hold), both indexes are as they were built."""
    import copy

    core, _ = shacl.split_shapes(ontology.shapes)
    engine = shacl._Engine(core)
    data = list(Graph().parse(fixture, format="turtle")) + list(article_graph(read_article(SEED_DIR), ontology))
    article = shacl._Index(data, engine.needs)
    known = shacl._Index(shacl._interned(ontology.graph))
    before = copy.deepcopy((article.__dict__, known.__dict__))
    engine.data_conforms(shacl._Data([known, article]))
    assert (article.__dict__, known.__dict__) == before
