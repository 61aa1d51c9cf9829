"""SHACL validation of an article graph against the shapes, with a report a person can read.

pySHACL checks the SHACL Core constraints. Its SPARQL-based constraints (sh:sparql) run on rdflib's SPARQL
engine, once per focus node, and took over two minutes on the seed article; here they run on Oxigraph instead,
once per constraint over every focus node at the same time (well under a second), with the same semantics for
the shapes this project writes: targets by class, subjects-of, objects-of or node; `$this` bound to each focus
node; `$PATH` in property shapes; `sh:message` templates with `{?var}` and `{$this}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from .ns import PREFIXES


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str
    severity: str

    def __str__(self):
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        return f"[{self.severity}] {where}: {self.message}"


def short(term) -> str:
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return f"<{text}>" if isinstance(term, URIRef) else text


@dataclass
class SparqlConstraint:
    shape: URIRef | None           # the node shape whose targets give the focus nodes
    targets: list[tuple[URIRef, URIRef]]
    select: str
    message: str
    severity: str
    path: URIRef | None


def split_shapes(shapes: Graph) -> tuple[Graph, list[SparqlConstraint]]:
    """Shapes without their sh:sparql constraints (for pySHACL), and those constraints (for Oxigraph)."""
    core = Graph()
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    constraints = []
    for holder, constraint in shapes.subject_objects(SH.sparql):
        if shapes.value(constraint, SH.deactivated) == Literal(True) or shapes.value(holder, SH.deactivated) == Literal(True):
            continue
        node_shape, path = holder, None
        parent = shapes.value(predicate=SH.property, object=holder)
        if parent is not None:
            node_shape, path = parent, shapes.value(holder, SH.path)
        targets = [(kind, target) for kind in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
                   for target in shapes.objects(node_shape, kind)]
        if (node_shape, RDF.type, RDFS.Class) in shapes:
            targets.append((SH.targetClass, node_shape))
        prologue = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for prefixes in shapes.objects(constraint, SH.prefixes) for d in shapes.objects(prefixes, SH.declare)
        )
        select = str(shapes.value(constraint, SH.select))
        from .serve import uses_service  # (serve imports nothing of this module)

        if uses_service(select):  # pyoxigraph would fetch the URL: a shape from an extension must not reach out
            from .errors import InputError

            raise InputError(f"the SHACL constraint of {short(holder)} uses SERVICE, which would make `kg build` "
                             "fetch a URL; shapes may only look at the graph: remove the SERVICE clause")
        if path is not None:
            select = select.replace("$PATH", f"<{path}>")
        message = shapes.value(constraint, SH.message) or shapes.value(holder, SH.message) or "does not conform"
        severity = shapes.value(holder, SH.severity) or shapes.value(node_shape, SH.severity) or SH.Violation
        constraints.append(SparqlConstraint(node_shape if isinstance(node_shape, URIRef) else None, targets,
                                            prologue + select, str(message), str(severity).rsplit("#", 1)[-1], path))
    return core, constraints


_TARGET_PATTERNS = {
    SH.targetClass: "?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{t}> .",
    SH.targetSubjectsOf: "?this <{t}> ?_any .",
    SH.targetObjectsOf: "?_any <{t}> ?this .",
    SH.targetNode: "VALUES ?this {{ <{t}> }}",
}


def run_sparql_constraints(graph: Graph, constraints: list[SparqlConstraint]) -> list[Violation]:
    store = ox.Store()
    store.bulk_extend(ox.Quad(_ox(s), _ox(p), _ox(o), ox.DefaultGraph()) for s, p, o in graph)
    found = []
    for constraint in constraints:
        match = re.search(r"(?is)^(.*?)(SELECT\b.*)$", re.sub(r"\$this\b", "?this", constraint.select))
        prologue, select = match.group(1), match.group(2)
        for kind, target in constraint.targets:
            pattern = _TARGET_PATTERNS[kind].format(t=target)
            query = f"{prologue}SELECT * WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {pattern} }} }} {{ {select} }} }}"
            for row in store.query(query):
                path = _get(row, "path") or (ox.NamedNode(str(constraint.path)) if constraint.path else None)
                message = re.sub(r"\{[?$](\w+)\}", lambda m: _text(_get(row, m.group(1))), constraint.message)
                found.append(Violation(
                    focus=short(_rd(row["this"])), path=short(_rd(path)) if path is not None else "",
                    message=message, shape=short(constraint.shape) if constraint.shape else "",
                    severity=constraint.severity,
                ))
    return found


def validate(data: Graph, shapes: Graph, ontology: Graph) -> list[Violation]:
    """Return the SHACL results (empty when the data conforms).

    The ontology (classes, vocabularies, doctrines) is mixed into the data in full, not only the class axioms
    pySHACL copies in from an ``ont_graph``, so shapes can check that a value is in its SKOS scheme.
    """
    mixed = Graph()
    for triple in data:
        mixed.add(triple)
    for triple in ontology:
        mixed.add(triple)
    core, constraints = split_shapes(shapes)
    conforms, results, _ = pyshacl.validate(
        mixed, shacl_graph=core, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
    )
    found = [] if conforms else _core_results(results)
    found += run_sparql_constraints(mixed, constraints)
    return sorted(set(found), key=lambda v: (v.focus, v.path, v.message))


def _core_results(results: Graph) -> list[Violation]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        source = results.value(result, SH.sourceShape)
        found.append(Violation(
            focus=short(results.value(result, SH.focusNode)),
            path=short(results.value(result, SH.resultPath)) if results.value(result, SH.resultPath) else "",
            message=str(results.value(result, SH.resultMessage) or "does not conform"),
            shape=short(source) if isinstance(source, URIRef) else "",
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        ))
    return found


def _get(row, name):
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return None


def _text(term) -> str:
    return "" if term is None else (term.value if hasattr(term, "value") else str(term))


def _ox(term):
    from .store import to_ox

    return to_ox(term)


def _rd(term):
    from .store import from_ox

    return from_ox(term)
