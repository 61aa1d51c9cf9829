"""graph.shacl runs the shapes' SPARQL constraints on Oxigraph instead of pySHACL's rdflib engine (minutes on the
seed article). These tests hold it to pySHACL's answers on every shape fixture, and show each constraint fires."""

from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal
from rdflib.namespace import SH

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
