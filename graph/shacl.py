"""SHACL validation of an article graph against ontology/shapes.ttl, with a report a person can read."""

from __future__ import annotations

from dataclasses import dataclass

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

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
    conforms, results, _ = pyshacl.validate(
        mixed, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
    )
    if conforms:
        return []
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        found.append(Violation(
            focus=short(results.value(result, SH.focusNode)),
            path=short(results.value(result, SH.resultPath)) if results.value(result, SH.resultPath) else "",
            message=str(results.value(result, SH.resultMessage) or "does not conform"),
            shape=short(results.value(result, SH.sourceShape)) if isinstance(results.value(result, SH.sourceShape), URIRef) else "",
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        ))
    return sorted(set(found), key=lambda v: (v.focus, v.path, v.message))
