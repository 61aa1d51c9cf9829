"""`kg validate`: check a built graph with SHACL and the integrity queries, and list what is wrong.

The checks run in order and each returns a list of :class:`Problem` (empty: nothing wrong):

* ``shacl``: every article graph in the store (``gr:article/<slug>``) against ``ontology/shapes.ttl`` (and the
  shapes of the extensions), with the ontology mixed in, as ``kg build`` validates before it writes;
* ``queries``: every integrity query ``*-violation.rq`` (ontology/queries and extensions) run on the whole store;
  each must return no rows. A violation query selects ``?node`` (what is wrong), ``?problem`` (a sentence for a
  person) and optionally ``?article`` (its slug);
* ``lint``: the ontology lint of graph/lint.py (`kg lint`), its errors with file:line and the fix.

To add a check, write a function ``(store, ontology, report) -> list[Problem]`` and append a :class:`Check` to
``CHECKS`` (the place for the ontology lint is marked there); ``kg validate`` runs it and fails (exit 1) when it
returns problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import click
from rdflib import Graph

from .cli import reports_errors
from .errors import CheckFailed
from .lint import validate_check as lint_check
from .ns import GR
from .ontology import Ontology


@dataclass(frozen=True)
class Problem:
    check: str      # the check that found it: shacl, the name of a violation query, lint
    node: str       # the offending node (a prefixed name when it has one) or file
    message: str    # what is wrong, for a person
    where: str = ""  # the article slug (or file) it is in, when known

    def __str__(self) -> str:
        return f"[{self.check}] {self.node}: {self.message}" + (f"  ({self.where})" if self.where else "")


@dataclass
class Check:
    name: str
    description: str
    run: Callable[..., list[Problem]]


@dataclass
class ValidationReport:
    ran: list[tuple[str, int]] = field(default_factory=list)  # (check name, number of problems)
    problems: list[Problem] = field(default_factory=list)
    articles: int = 0
    queries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


ARTICLE_PREFIX = str(GR["article/"])
GRAPH_TRIPLES = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def article_graphs(store) -> list:
    return [g for g in store.graphs() if str(g).startswith(ARTICLE_PREFIX)]


def read_graph(store, name) -> Graph:
    """One named graph of the store as an rdflib graph (the graph name is bound as a term, not pasted)."""
    graph = Graph()
    for row in store.query(GRAPH_TRIPLES, {"g": name}, union=False).rows:
        graph.add((row["s"], row["p"], row["o"]))
    return graph


def shacl_check(store, ontology: Ontology, report: ValidationReport | None = None) -> list[Problem]:
    """Every article graph against the shapes, as the build validates it."""
    from .shacl import validate

    problems = []
    graphs = article_graphs(store)
    if report is not None:
        report.articles = len(graphs)
    for name in graphs:
        slug = str(name)[len(ARTICLE_PREFIX):]
        for violation in validate(read_graph(store, name), ontology.shapes, ontology.graph):
            where = violation.focus + (f" {violation.path}" if violation.path else "")
            problems.append(Problem("shacl", where, violation.message, slug))
    return problems


def violation_queries(ontology: Ontology | None = None):
    from .queries import named_queries

    return [q for q in named_queries(ontology).values() if q.is_violation]


def query_check(store, ontology: Ontology, report: ValidationReport | None = None) -> list[Problem]:
    """Every *-violation.rq must return no rows; each row is a problem."""
    from .queries import curie, execute

    problems = []
    found = violation_queries(ontology)
    if report is not None:
        report.queries = len(found)
    for query in found:
        result = execute(store, query)
        for row in result.rows:
            node = row.get("node") if "node" in row else row.get(result.variables[0]) if result.variables else None
            message = row.get("problem")
            article = row.get("article")
            problems.append(Problem(
                query.name,
                curie(str(node)) if node is not None else "(no node)",
                str(message) if message is not None else f"returned by {query.path.name}",
                str(article) if article is not None else "",
            ))
    return problems


CHECKS: list[Check] = [
    Check("shacl", "each article graph conforms to the SHACL shapes", shacl_check),
    Check("queries", "each integrity query (*-violation.rq) returns no rows", query_check),
    # The ontology lint (graph/lint.py, `kg lint`): its errors, each with file:line and the fix.
    Check("lint", "the ontology and its extensions lint without error", lint_check),
]


def validate_store(store, ontology: Ontology | None = None, checks: list[Check] | None = None) -> ValidationReport:
    ontology = ontology or Ontology()
    report = ValidationReport()
    for check in checks if checks is not None else CHECKS:
        found = check.run(store, ontology, report)
        report.ran.append((check.name, len(found)))
        report.problems += found
    return report


@click.command("validate")
@click.option("--store", "store_spec", default="out", show_default=True,
              help="Where the graph lives: a folder (Oxigraph on disk), memory:, or an http(s):// SPARQL endpoint.")
@click.option("--ontology", "ontology_dirs", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also use the shapes and violation queries of this extension folder. Repeatable.")
@reports_errors
def validate(store_spec, ontology_dirs):
    """Check a built graph: SHACL shapes on every article graph, and every integrity query.

    Runs ontology/shapes.ttl (and extension shapes) on each article graph in the store, then every
    ontology/queries/*-violation.rq (a statement without speaker or text anchor, an offer without offeror, a
    position without evidence, dates out of order), which must return no rows, and the ontology lint (`kg lint`'s
    errors). Exit 0 when all pass; exit 1 listing each offending node, what is wrong and its article; exit 2 when
    there is no graph to check.

    \b
    Example:
        kg validate
        kg validate --store out
        kg query statement-speaker-violation     # one integrity query on its own
    """
    from .store import open_store

    ontology = Ontology(extra_extension_dirs=list(ontology_dirs))
    store = open_store(store_spec, read_only=True)
    try:
        report = validate_store(store, ontology)
    finally:
        store.close()
    summary = ", ".join(f"{name}: {count} problem(s)" for name, count in report.ran)
    if not report.ok:
        lines = [f"the graph in {store_spec} has {len(report.problems)} problem(s) ({summary}):"]
        lines += [f"  {p}" for p in report.problems]
        raise CheckFailed("\n".join(lines))
    click.echo(f"ok: {report.articles} article graph(s) conform to the shapes; "
               f"{report.queries} integrity queries return no rows; the ontology lints without error")
