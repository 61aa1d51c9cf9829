"""`kg build --reason`: RDFS / OWL-RL entailments of the built graph, materialised into the named graph gr:inferred.

owlrl computes a full OWL-RL closure in Python (measured on this project: 35 s for 100k triples, and RDFS
77 s), and most of what it adds is noise (every literal typed, axiomatic triples). Here the rules that matter
for this ontology are run as SPARQL on the store itself, until nothing new is derived:

=========  ================================================================================================
rule       derives
=========  ================================================================================================
scm-sco    the transitive closure of rdfs:subClassOf (owl:equivalentClass counts both ways)
scm-spo    the transitive closure of rdfs:subPropertyOf (owl:equivalentProperty counts both ways)
cax-sco    ``?x a ?super`` for every superclass of a class of ``?x``  (so ``?x a prov:Agent`` finds persons)
prp-spo1   ``?s ?super ?o`` for every superproperty (``kg:speaker`` gives ``prov:wasAttributedTo``)
prp-dom    ``?s a ?c`` from ``rdfs:domain``
prp-rng    ``?o a ?c`` from ``rdfs:range`` (for resources, not literals; datatypes are not classes here)
prp-inv    the inverse of every ``owl:inverseOf`` pair (``kg:mentionedIn`` gives ``schema:mentions``)
prp-trp    the closure of every ``owl:TransitiveProperty`` (``kg:locatedIn``, ``kg:includesGroup``)
prp-symp   the reverse of every ``owl:SymmetricProperty`` triple
=========  ================================================================================================

Not derived (documented limits): owl:sameAs and everything that follows from it (functional and inverse
functional properties, eq-* rules), class expressions (unions, intersections, restrictions, cls-* rules: the
ontology's anonymous union classes are skolemized IRIs under ``/.well-known/genid/`` and never used as
inferred types), property chains, ``rdfs:Resource``/``owl:Thing`` typing of everything, and datatype reasoning.
tests/test_reason.py checks that owlrl's OWL-RL closure of an article adds nothing about the article's nodes that
these rules miss.

gr:inferred holds only triples that are not asserted in any other graph. It is dropped and computed again by each
``kg build --reason``: readers (``kg query``, ``kg serve``) open the snapshot a finished build publishes
(graph/safety.py), so they never see it half computed. Each rule is a CONSTRUCT over the union of the graphs: the
store's default graph, which it keeps as the set union of its named graphs (graph/store.py; Oxigraph's union
default graph, a bag, for a store built before), so a triple held by many article graphs is matched once.
Derived triples go into gr:inferred and the default graph in one transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rdflib import Graph

from .ns import INFERRED_GRAPH

GENID = "/.well-known/genid/"
MAX_ROUNDS = 64

PROLOGUE = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

#: (name, template, pattern): every solution of the pattern gives the template's triple.
RULES: list[tuple[str, str, str]] = [
    ("scm-sco", "?c rdfs:subClassOf ?e",
     "?c rdfs:subClassOf/rdfs:subClassOf ?e . FILTER(isIRI(?c) && isIRI(?e) && ?c != ?e)"),
    ("scm-eqc", "?c rdfs:subClassOf ?e",
     "?c owl:equivalentClass|^owl:equivalentClass ?e . FILTER(isIRI(?c) && isIRI(?e) && ?c != ?e)"),
    ("scm-spo", "?p rdfs:subPropertyOf ?q",
     "?p rdfs:subPropertyOf/rdfs:subPropertyOf ?q . FILTER(isIRI(?p) && isIRI(?q) && ?p != ?q)"),
    ("scm-eqp", "?p rdfs:subPropertyOf ?q",
     "?p owl:equivalentProperty|^owl:equivalentProperty ?q . FILTER(isIRI(?p) && isIRI(?q) && ?p != ?q)"),
    ("cax-sco", "?x rdf:type ?d",
     "?c rdfs:subClassOf ?d . ?x rdf:type ?c . FILTER(isIRI(?d) && ?c != ?d && !CONTAINS(STR(?d), \"%s\"))" % GENID),
    ("prp-spo1", "?s ?q ?o",
     "?p rdfs:subPropertyOf ?q . ?s ?p ?o . FILTER(isIRI(?q) && ?p != ?q)"),
    ("prp-dom", "?s rdf:type ?c",
     "?p rdfs:domain ?c . ?s ?p ?o . FILTER(isIRI(?c) && !CONTAINS(STR(?c), \"%s\"))" % GENID),
    ("prp-rng", "?o rdf:type ?c",
     "?p rdfs:range ?c . ?s ?p ?o . FILTER(!isLiteral(?o) && isIRI(?c) && !CONTAINS(STR(?c), \"%s\")"
     " && !STRSTARTS(STR(?c), \"http://www.w3.org/2001/XMLSchema#\") && ?c != rdfs:Literal)" % GENID),
    ("prp-inv", "?o ?q ?s",
     "{ ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } ?s ?p ?o . FILTER(!isLiteral(?o) && isIRI(?q))"),
    ("prp-trp", "?x ?p ?z",
     "?p rdf:type owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z ."),
    ("prp-symp", "?o ?p ?s",
     "?p rdf:type owl:SymmetricProperty . ?s ?p ?o . FILTER(!isLiteral(?o))"),
]


@dataclass
class ReasonReport:
    inferred: int = 0
    rounds: int = 0
    seconds: float = 0.0
    per_rule: dict | None = None


def materialise(store) -> ReasonReport:
    """Recompute gr:inferred from every other graph of ``store``; return how many triples it holds."""
    started = time.perf_counter()
    engine = getattr(store, "store", None)
    try:
        import pyoxigraph as ox
    except ImportError:  # pragma: no cover - pyoxigraph is a dependency
        ox = None
    if ox is not None and isinstance(engine, ox.Store):
        report = _materialise_oxigraph(store, engine, ox)
    else:
        report = _materialise_generic(store)
    report.seconds = time.perf_counter() - started
    return report


def _materialise_oxigraph(store, engine, ox) -> ReasonReport:
    """Each rule a CONSTRUCT over the union of all graphs (what is derived and not yet there), its triples added
    to gr:inferred (and to the default graph, the set union), round after round until a round adds nothing."""
    target = ox.NamedNode(str(INFERRED_GRAPH))
    store.remove_graph(INFERRED_GRAPH)  # and its triples from the default graph unless another graph holds them
    deduplicated = bool(getattr(store, "deduplicated", False))
    graphs = (target, ox.DefaultGraph()) if deduplicated else (target,)
    report = ReasonReport(per_rule={name: 0 for name, _, _ in RULES})
    size = 0
    for report.rounds in range(1, MAX_ROUNDS + 1):
        before_round = size
        for name, template, pattern in RULES:
            derived = engine.query(f"{PROLOGUE}CONSTRUCT {{ {template} }} WHERE {{ {pattern} FILTER NOT EXISTS {{ {template} }} }}",
                                   use_default_graph_as_union=not deduplicated)
            quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in derived for g in graphs]
            if quads:
                engine.extend(quads)
            now = _count(engine, ox, INFERRED_GRAPH)
            report.per_rule[name] += now - size
            size = now
        if size == before_round:
            break
    report.inferred = size
    forget = getattr(store, "forget_count", None)
    if forget is not None:  # gr:inferred was written past replace_graph: the store counts its triples again
        forget()
    return report


def _count(engine, ox, graph_name) -> int:
    answer = engine.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_name}> {{ ?s ?p ?o }} }}")
    return int(next(iter(answer))["n"].value)


def _materialise_generic(store) -> ReasonReport:
    """Any store with query/replace_graph (a SPARQL endpoint): CONSTRUCT each rule over the union of graphs."""
    store.remove_graph(INFERRED_GRAPH)
    inferred = Graph()
    report = ReasonReport(per_rule={name: 0 for name, _, _ in RULES})
    for report.rounds in range(1, MAX_ROUNDS + 1):
        before_round = len(inferred)
        for name, template, pattern in RULES:
            result = store.query(f"{PROLOGUE}CONSTRUCT {{ {template} }} WHERE {{ {pattern} FILTER NOT EXISTS {{ {template} }} }}")
            before = len(inferred)
            for row in result.rows:
                inferred.add((row["s"], row["p"], row["o"]))
            report.per_rule[name] += len(inferred) - before
        if len(inferred) == before_round:
            break
        store.replace_graph(INFERRED_GRAPH, inferred)
    report.inferred = len(inferred)
    if not len(inferred):
        store.remove_graph(INFERRED_GRAPH)
    return report


def drop_inferred(store) -> None:
    """Remove gr:inferred (a build without --reason must not leave inferences of older data behind).

    One lookup of that graph's name (``has_graph``), not a list of every graph in the store."""
    has_graph = getattr(store, "has_graph", None)
    if has_graph is not None:
        if has_graph(INFERRED_GRAPH):
            store.remove_graph(INFERRED_GRAPH)
    elif INFERRED_GRAPH in set(store.graphs()):
        store.remove_graph(INFERRED_GRAPH)
