"""`kg build --reason`: RDFS/OWL-RL entailments in gr:inferred. With it a plain `?x a prov:Agent` finds persons,
organizations and states; without it the named queries still see the subclass closure through property paths,
and give the same answers either way. owlrl's full OWL-RL closure adds nothing these rules miss."""

from __future__ import annotations

import json

import owlrl
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL

from graph import queries
from graph.annotation import article_graph, read_article
from graph.build import stable_blank_nodes
from graph.cli import main
from graph.ns import GR, ID, INFERRED_GRAPH
from graph.ontology import Ontology
from graph.reason import materialise
from graph.store import OxigraphStore, from_ox, open_store

from .conftest import DATA, MINI_DIR, SEED_DIR

AGENTS = "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?x WHERE { ?x a prov:Agent } ORDER BY ?x"
AGENTS_BY_PATH = ("PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                  "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* prov:Agent } ORDER BY ?x")


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def sparql(store_dir, text):
    result = kg("query", "--sparql", text, "--format", "json", "--store", store_dir)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    plain, reasoned = tmp_path_factory.mktemp("plain"), tmp_path_factory.mktemp("reasoned")
    assert kg("build", MINI_DIR, "--store", plain, "--no-html").exit_code == 0
    result = kg("build", MINI_DIR, "--store", reasoned, "--no-html", "--reason")
    assert result.exit_code == 0, result.output
    return plain, reasoned, result.stdout


@pytest.fixture(scope="module")
def seed_reasoned(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-reasoned")
    assert kg("build", SEED_DIR, "--store", out, "--no-html", "--reason").exit_code == 0
    return out


def test_with_reason_every_agent_is_a_prov_agent(mini):
    plain, reasoned, output = mini
    assert "inferred:" in output and "gr:inferred" in output
    agents = {row["x"] for row in sparql(reasoned, AGENTS)}
    expected = {str(ID[f"actor/{a}"]) for a in ("ana-reyes", "lee-gelernt",   # persons
                                                 "wire", "aclu",                # organizations
                                                 "united-states", "ruritania",  # states
                                                 "officials", "citizens")}      # collective actors, groups
    assert expected | {str(ID["agent/curator"])} == agents


def test_without_reason_a_plain_type_query_misses_them_but_a_property_path_finds_them(mini):
    plain, reasoned, _ = mini
    assert sparql(plain, AGENTS) == []
    by_path = {row["x"] for row in sparql(plain, AGENTS_BY_PATH)}
    assert by_path == {row["x"] for row in sparql(reasoned, AGENTS)}


def test_inferred_triples_are_in_their_own_graph_and_only_new_ones(mini):
    _, reasoned, _ = mini
    inferred = sparql(reasoned, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")
    assert inferred[0]["n"] > 50
    both = sparql(reasoned, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} "
                            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}>) }}")
    assert both[0]["n"] == 0, "gr:inferred repeats asserted triples"
    samples = {  # superproperty, inverse, transitive closure of subclasses
        "kg:speaker gives prov:wasAttributedTo": "ASK { GRAPH <%s> { <%s> <http://www.w3.org/ns/prov#wasAttributedTo> <%s> } }"
        % (INFERRED_GRAPH, ID["article/mini-wire-story/statement/s1"], ID["actor/lee-gelernt"]),
        "kg:mentionedIn gives schema:mentions": "ASK { GRAPH <%s> { <%s> <https://schema.org/mentions> <%s> } }"
        % (INFERRED_GRAPH, ID["article/mini-wire-story"], ID["actor/lee-gelernt"]),
        "State is an Actor": "ASK { GRAPH <%s> { <%s> a <https://w3id.org/legal-news-kg/ontology#Actor> } }"
        % (INFERRED_GRAPH, ID["actor/ruritania"]),
    }
    for what, ask in samples.items():
        result = kg("query", "--sparql", ask, "--format", "json", "--store", reasoned)
        assert result.stdout.strip() == "true", what


def test_building_without_reason_removes_the_inferences(mini, tmp_path):
    out = tmp_path / "out"
    assert kg("build", MINI_DIR, "--store", out, "--no-html", "--reason").exit_code == 0
    assert sparql(out, AGENTS)
    assert kg("build", MINI_DIR, "--store", out, "--no-html").exit_code == 0
    assert sparql(out, AGENTS) == [], "gr:inferred from an older build must not outlive it"


def test_reasoning_is_deterministic(mini, tmp_path):
    _, reasoned, _ = mini
    again = tmp_path / "again"
    assert kg("build", MINI_DIR, "--store", again, "--no-html", "--reason").exit_code == 0
    assert (again / "graph.trig").read_bytes() == (reasoned / "graph.trig").read_bytes()


def _askable(name, query):
    """Every named query with no required parameter, or with its cases in tests/data/cq."""
    return (DATA / "cq" / f"{name}.json").exists() or all(p.optional for p in query.params.values())


@pytest.mark.parametrize("name", sorted(n for n, q in queries.named_queries().items() if _askable(n, q)))
def test_named_queries_answer_the_same_with_and_without_reason(seed_store, seed_reasoned, name):
    cq = DATA / "cq" / f"{name}.json"
    cases = [c["params"] for c in json.loads(cq.read_text())["cases"]] if cq.exists() else [{}]
    for params in cases:
        args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
        plain = kg("query", name, "--format", "json", "--store", seed_store, *args)
        reasoned = kg("query", name, "--format", "json", "--store", seed_reasoned, *args)
        assert plain.exit_code == reasoned.exit_code == 0
        assert json.loads(plain.stdout) == json.loads(reasoned.stdout)


def test_owlrl_adds_nothing_about_the_articles_nodes_that_the_rules_miss():
    """owlrl's OWL-RL closure of the mini article and the ontology, against ours: the same triples about the
    article's nodes, except what graph/reason.py documents it leaves out (owl:Thing typing, owl:sameAs) and
    literal datatypes (Oxigraph stores xsd:nonNegativeInteger offsets as xsd:integer)."""
    ontology = Ontology()
    data = article_graph(read_article(MINI_DIR), ontology)
    onto = stable_blank_nodes(ontology.graph)
    closure = Graph()
    for triple in data:
        closure.add(triple)
    for triple in onto:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closure)

    def about_the_article(triple):
        s, p, o = triple
        return (isinstance(s, URIRef) and str(s).startswith(str(ID)) and not isinstance(o, (BNode, Literal))
                and p != OWL.sameAs and o != OWL.Thing and "/.well-known/genid/" not in str(o))

    store = OxigraphStore(None)
    store.store = ox.Store()
    store.replace_graph(GR["article/mini-wire-story"], data)
    store.replace_graph(GR["ontology"], onto)
    report = materialise(store)
    assert report.inferred > 0 and report.rounds >= 2
    ours = {t for t in ((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in store.store)
            if about_the_article(t)}
    theirs = {t for t in closure if about_the_article(t)}
    assert theirs - ours == set()
    assert ours - theirs == set()


def test_reasoning_works_through_the_store_interface_alone(mini):
    """A store with only query/replace_graph/remove_graph (as a SPARQL endpoint is) gets the same inferences."""
    plain, reasoned, _ = mini

    class Generic:
        def __init__(self, inner):
            self.inner = inner

        def query(self, text, bindings=None, union=True):
            return self.inner.query(text, bindings, union)

        def replace_graph(self, name, graph):
            self.inner.replace_graph(name, graph)

        def remove_graph(self, name):
            self.inner.remove_graph(name)

        def graphs(self):
            return self.inner.graphs()

    copy = OxigraphStore(None)
    copy.store = ox.Store()
    source = open_store(plain, read_only=True)
    copy.store.extend(source.store)
    source.close()
    report = materialise(Generic(copy))
    want = sparql(reasoned, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")[0]["n"]
    assert report.inferred == want
    assert {str(r["x"]) for r in copy.query(AGENTS).rows} == {r["x"] for r in sparql(reasoned, AGENTS)}
