"""SHACL validation of an article graph against the shapes, with a report a person can read.

pySHACL checks the SHACL Core constraints. Its SPARQL-based constraints (sh:sparql) run on rdflib's SPARQL
engine, once per focus node, and took over two minutes on the seed article; here they run on Oxigraph instead,
once per constraint over every focus node at the same time (well under a second), with the same semantics for
the shapes this project writes: targets by class, subjects-of, objects-of or node; `$this` bound to each focus
node; `$PATH` in property shapes; `sh:message` templates with `{?var}` and `{$this}`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from .ns import PREFIXES, intern
from .sparqltext import uses_service
from .store import from_ox as _rd
from .store import to_ox as _ox


def _format_sparql_based_result_message(self, msg, bound_vars):
    """pySHACL 0.40's message formatting with each `{?var}` replaced literally.

    pySHACL passes the value to re.sub as the replacement, so a value holding a backslash (a quote with `\\d` or
    `\\\\`) raised `re.error: bad escape` instead of giving the report; the same substitutions, made by a function.
    """
    if bound_vars is None:
        return msg
    fdict = {}
    if isinstance(bound_vars, (tuple, list)):
        if len(bound_vars) == 4:
            fdict.update(bound_vars[3])
            bound_vars = bound_vars[:3]
        if len(bound_vars) == 3:
            for name, value in zip(("this", "path", "value"), bound_vars):
                if value is not None:
                    fdict[name] = value
    elif isinstance(bound_vars, dict):
        fdict.update(bound_vars)
    else:
        return msg
    for var, val in fdict.items():
        msg = re.sub("{{[?$]{}}}".format(var), lambda _match, text=str(val): text, msg)
    return msg


@functools.cache
def _pyshacl():
    """pySHACL, imported when first needed (0.15-0.2 s: a build whose articles conform never needs it), with its
    message formatting for SPARQL-based results (sh:sparql, extensions' constraint components) mended."""
    import pyshacl

    try:
        from pyshacl.constraints.constraint_component import ConstraintComponent as _Component

        if hasattr(_Component, "_format_sparql_based_result_message"):
            _Component._format_sparql_based_result_message = _format_sparql_based_result_message
    except ImportError:  # pragma: no cover - another pySHACL layout: its own formatting stays
        pass
    return pyshacl


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


def run_sparql_constraints(graph, constraints: list[SparqlConstraint], ontology: Graph | None = None,
                           ntriples: str | None = None) -> list[Violation]:
    """Run the SPARQL constraints on Oxigraph over ``graph``, a graph or any iterable of triples (plus
    ``ontology``, whose quads are converted once).

    ``ntriples``, the same triples as N-Triples text (a build writes them anyway), is parsed by Oxigraph instead
    of converting every triple here (2.9 ms -> 0.7 ms per article). Its parser renames blank nodes, so when that
    finds a problem the triples are converted after all and the report names the nodes as the data does.
    """
    if not constraints:
        return []
    if ntriples is not None:
        store = _constraint_store(ontology)
        store.load(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        if not _run_constraints(store, constraints):
            return []
    store = _constraint_store(ontology)
    store.bulk_extend([ox.Quad(_ox(s), _ox(p), _ox(o), ox.DefaultGraph()) for s, p, o in graph])
    return _run_constraints(store, constraints)


def _constraint_store(ontology: Graph | None) -> ox.Store:
    store = ox.Store()
    if ontology is not None:
        store.bulk_extend(_cached(ontology, "quads", lambda: [ox.Quad(_ox(s), _ox(p), _ox(o), ox.DefaultGraph())
                                                              for s, p, o in ontology]))
    return store


def _run_constraints(store: ox.Store, constraints: list[SparqlConstraint]) -> list[Violation]:
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


# Parsed forms of the shapes and the ontology, kept per graph object: a build validates every article against the
# same two graphs, which are not changed once loaded (an edited graph of another size is read again).
_CACHE: dict = {}


def _cached(graph: Graph, kind: str, make):
    key = (id(graph), kind)
    entry = _CACHE.get(key)
    if entry is None or entry[0] is not graph or entry[1] != len(graph):
        entry = _CACHE[key] = (graph, len(graph), make())
    return entry[2]


def _engine(core: Graph):
    def make():
        try:
            return _Engine(core)
        except _Unsupported:
            return None
    return _cached(core, "engine", make)


def validate(data, shapes: Graph, ontology: Graph, engine: str = "auto",
             ntriples: str | None = None) -> list[Violation]:
    """Return the SHACL results (empty when the data conforms). ``data`` is a graph (an rdflib Graph, or any
    collection of triples such as graph.annotation.Triples), or a list of them validated as their union (a build's
    batch of articles: the union is only copied into one rdflib graph when pySHACL has to run);
    ``ntriples``, when given, is the same triples as N-Triples text (see run_sparql_constraints).

    The ontology (classes, vocabularies, doctrines) is part of the data, in full, not only the class axioms
    pySHACL copies in from an ``ont_graph``, so shapes can check that a value is in its SKOS scheme.
    SHACL Core is checked by pySHACL on the data and the ontology mixed into one graph (the reference). With
    ``engine="auto"`` a faster engine (below) first decides whether the data conforms, when it supports every
    shape; pySHACL then runs only on data that does not, and words the results (tests/test_shacl_equivalence.py).
    """
    graphs = list(data) if isinstance(data, list) else [data]

    def triples():
        return itertools.chain.from_iterable(graphs)

    core, constraints = _cached(shapes, "split", lambda: split_shapes(shapes))
    fast = _engine(core) if engine == "auto" else None
    found = None
    if fast is not None:
        try:
            known = _cached(ontology, "index", lambda: _Index(_interned(ontology)))
            if fast.data_conforms(_Data([known, _Index(triples(), fast.needs)])):
                found = []
        except _Unsupported:
            pass
    if found is None:  # pySHACL: the reference, and the one that words the results
        mixed = Graph()
        for triple in triples():
            mixed.add(triple)
        for triple in ontology:
            mixed.add(triple)
        conforms, results, _ = _pyshacl().validate(
            mixed, shacl_graph=core, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
        )
        found = [] if conforms else _core_results(results)
    found += run_sparql_constraints(triples(), constraints, ontology, ntriples)
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


# -- a faster engine for SHACL Core -----------------------------------------------------------------------
# pySHACL spent about 65 ms per generated article (500 triples) walking rdflib's store and building result graphs
# for nested shapes that pass. The shapes this project writes use a small part of SHACL Core, so whether data
# conforms is decided here, over dictionaries of the data and the ontology (indexed once), with pySHACL's own
# semantics for each component (the comparisons below follow pySHACL 0.40's code). It only answers yes or no: when
# the data does not conform, pySHACL validates it and words every result (messages, sh:detail results of sh:node),
# so reported problems are pySHACL's exactly. What matters is that it never says yes where pySHACL finds a problem:
# tests/test_shacl_equivalence.py runs both on every fixture and on many mutated graphs. A shapes graph that uses
# anything else (other components, severities, paths, SPARQL targets) goes to pySHACL alone, as before.

class _Unsupported(Exception):
    """The shapes use something the fast engine does not evaluate: pySHACL validates them."""


_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_VALUE_PARAMS = {SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minLength, SH.maxLength,
                 SH.pattern, SH.flags, SH.minInclusive, SH.hasValue, SH["in"], SH.node, SH["or"], SH.xone,
                 SH.equals, SH.lessThan, SH.uniqueLang, SH.qualifiedValueShape, SH.qualifiedMinCount,
                 SH.qualifiedMaxCount}
_INERT = {SH.message, SH.path, SH.property, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
          SH.severity, SH.prefixes, SH.declare, SH.prefix, SH.namespace, SH.select, SH.inversePath, *_TARGETS}  # (sh:sparql is split off)
_NODE_KINDS = {SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,), SH.BlankNodeOrIRI: (BNode, URIRef),
               SH.IRIOrLiteral: (URIRef, Literal), SH.BlankNodeOrLiteral: (BNode, Literal)}


@dataclass
class _Shape:
    node: object
    path: object = None                  # None for a node shape; a predicate, ("^", p) or ("/", [steps])
    checks: list = field(default_factory=list)   # (kind, argument)
    runs: list = field(default_factory=list)     # (the method that checks it, argument), made from checks
    properties: list = field(default_factory=list)


class _Engine:
    def __init__(self, shapes: Graph):
        self.sg = shapes
        self.shapes: dict = {}
        for s, p, o in shapes:
            if p == SH.severity and o != SH.Violation:
                raise _Unsupported("severity")
            if p == SH.deactivated or p == SH.target or p == SH.qualifiedValueShapesDisjoint:
                raise _Unsupported(str(p))
            if str(p).startswith(str(SH)) and p not in _VALUE_PARAMS and p not in _INERT:
                raise _Unsupported(str(p))
            if p == RDF.type and o in (RDFS.Class, OWL.Class) and (s, RDF.type, SH.NodeShape) in shapes:
                raise _Unsupported("implicit class target")
        self.top = []
        for s in sorted({s for t in _TARGETS for s in shapes.subjects(t, None)}, key=str):
            shape = self.shape(s)
            targets = [(t, intern(o)) for t in _TARGETS for o in shapes.objects(s, t)]
            self.top.append((shape, targets))
        for shape in self.shapes.values():  # each check as the method that runs it (looked up once, not per node)
            shape.runs = [(getattr(self, "_" + kind), arg) for kind, arg in shape.checks]
        backwards = {RDF.type, RDFS.subClassOf}.union(*(_inverse_steps(shape.path) for shape in self.shapes.values()))
        ends = {kind: frozenset(o for _, targets in self.top for k, o in targets if k == kind)
                for kind in (SH.targetSubjectsOf, SH.targetObjectsOf)}
        self.needs = _Needs(frozenset(backwards), ends[SH.targetSubjectsOf], ends[SH.targetObjectsOf])

    def shape(self, node) -> _Shape:
        if node in self.shapes:
            return self.shapes[node]
        sg = self.sg
        shape = self.shapes[node] = _Shape(node)
        path = sg.value(node, SH.path)
        if path is not None:
            shape.path = self.path(path)
            shape.path_node = path
        for p, o in sorted(sg.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
            if p in (SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount):
                continue
            o = intern(o)  # the terms the data holds as one object each (graph/ns.py intern)
            if p == SH["class"]:
                shape.checks.append(("class", o))
            elif p == SH.datatype:
                shape.checks.append(("datatype", o))
            elif p == SH.nodeKind:
                if o not in _NODE_KINDS:
                    raise _Unsupported("nodeKind")
                shape.checks.append(("nodeKind", _NODE_KINDS[o]))
            elif p in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength):
                if not isinstance(o, Literal) or not isinstance(o.value, int) or o.value < 0:
                    raise _Unsupported(str(p))
                shape.checks.append((p.rsplit("#", 1)[-1], o.value))
            elif p == SH.pattern:
                flags = sg.value(node, SH.flags)
                if flags is not None or len(list(sg.objects(node, SH.pattern))) > 1:
                    raise _Unsupported("pattern flags")
                pattern = str(o.value) if o.value is not None and len(o.value) > 1 else str(o)
                shape.checks.append(("pattern", re.compile(pattern, 0)))
            elif p == SH.minInclusive:
                if not isinstance(o, Literal):
                    raise _Unsupported("minInclusive")
                shape.checks.append(("minInclusive", o))
            elif p == SH.hasValue:
                shape.checks.append(("hasValue", o))
            elif p == SH["in"]:
                shape.checks.append(("in", {intern(x) for x in Collection(sg, o)}))
            elif p == SH.node:
                shape.checks.append(("node", self.shape(o)))
            elif p in (SH["or"], SH.xone):
                shape.checks.append((p.rsplit("#", 1)[-1], [self.shape(x) for x in Collection(sg, o)]))
            elif p in (SH.equals, SH.lessThan):
                if shape.path is None:
                    raise _Unsupported(str(p))
                shape.checks.append((p.rsplit("#", 1)[-1], o))
            elif p == SH.uniqueLang:
                if o == Literal(True):
                    shape.checks.append(("uniqueLang", None))
                elif o != Literal(False):
                    raise _Unsupported("uniqueLang")
            elif p == SH.qualifiedValueShape:
                low, high = sg.value(node, SH.qualifiedMinCount), sg.value(node, SH.qualifiedMaxCount)
                for bound in (low, high):
                    if bound is not None and not isinstance(getattr(bound, "value", None), int):
                        raise _Unsupported("qualified count")
                shape.checks.append(("qualified", (self.shape(o), low.value if low is not None else None,
                                                   high.value if high is not None else None)))
            elif p == SH.property:
                shape.properties.append(self.shape(o))
        return shape

    def path(self, path):
        if isinstance(path, URIRef):
            return intern(path)
        inverse = self.sg.value(path, SH.inversePath)
        if isinstance(inverse, URIRef) and len(list(self.sg.predicate_objects(path))) == 1:
            return ("^", intern(inverse))
        if (path, RDF.first, None) in self.sg:
            steps = [self.path(step) for step in Collection(self.sg, path)]
            if len(steps) > 1:
                return ("/", steps)
        raise _Unsupported("path")

    # -- evaluation ---------------------------------------------------------------------------------------
    def data_conforms(self, data: "_Data") -> bool:
        """Does every focus node of every shape with targets conform? (The results themselves come from pySHACL.)"""
        for shape, targets in self.top:
            focus = set()
            for kind, target in targets:
                if kind == SH.targetClass:
                    focus |= data.instances(target)
                elif kind == SH.targetSubjectsOf:
                    focus |= data.subjects_of(target)
                elif kind == SH.targetObjectsOf:
                    focus |= data.objects_of(target)
                else:
                    focus.add(target)
            for f in focus:
                if not self.conforms(shape, f, data):
                    return False
        return True

    def conforms(self, shape: _Shape, f, data) -> bool:
        """Does ``f`` conform to the shape: its own constraints and those of its property shapes."""
        return self.conforms_checks(shape, f, data) and all(self.conforms_checks(p, f, data) for p in shape.properties)

    def conforms_checks(self, shape: _Shape, f, data) -> bool:
        if not shape.runs:
            return True
        values = data.values(f, shape.path) if shape.path is not None else {f}
        for check, arg in shape.runs:
            if not check(arg, f, values, data):
                return False
        return True

    @staticmethod
    def _class(cls, f, values, data):
        return all(not isinstance(v, Literal) and cls in data.classes_of(v) for v in values)

    @staticmethod
    def _datatype(rule, f, values, data):
        for v in values:
            if not isinstance(v, Literal):
                return False
            datatype, lang = v.datatype, v.language
            if datatype == rule:
                ok = False if getattr(v, "ill_typed", None) is True else _actual_datatype(v, rule)
            elif rule == _RDFS_LITERAL:
                ok = True
            elif rule == _RDFS_DATATYPE and datatype:
                ok = True
            elif datatype is None and lang is None and rule == _XSD_STRING:
                ok = _actual_datatype(v, rule)
            elif rule == _RDF_LANGSTRING and lang:
                ok = _actual_datatype(v, rule)
            else:
                ok = False
            if not ok:
                return False
        return True

    @staticmethod
    def _nodeKind(kinds, f, values, data):
        return all(isinstance(v, kinds) for v in values)

    @staticmethod
    def _minCount(n, f, values, data):
        return len(values) >= n

    @staticmethod
    def _maxCount(n, f, values, data):
        return len(values) <= n

    @staticmethod
    def _minLength(n, f, values, data):
        return n == 0 or all(not isinstance(v, BNode) and len(_string(v)) >= n for v in values)

    @staticmethod
    def _maxLength(n, f, values, data):
        return all(not isinstance(v, BNode) and len(_string(v)) <= n for v in values)

    @staticmethod
    def _pattern(matcher, f, values, data):
        for v in values:
            if isinstance(v, BNode):
                return False
            text = _string(v)
            if not (matcher.match(text) or matcher.search(text)):
                return False
        return True

    @staticmethod
    def _minInclusive(minimum, f, values, data):
        min_is_string = isinstance(minimum.value, str)
        for v in values:
            if not isinstance(v, Literal):
                return False
            v_is_string = isinstance(v.value, str)
            if min_is_string != v_is_string:
                return False
            try:
                if not compare_literal(v, minimum) >= 0:
                    return False
            except (TypeError, NotImplementedError):
                return False
        return True

    @staticmethod
    def _hasValue(value, f, values, data):
        return any(v == value for v in values)

    @staticmethod
    def _in(allowed, f, values, data):
        return all(v in allowed for v in values)

    def _node(self, shape, f, values, data):
        return all(self.conforms(shape, v, data) for v in values)

    def _or(self, shapes, f, values, data):
        return all(any(self.conforms(s, v, data) for s in shapes) for v in values)

    def _xone(self, shapes, f, values, data):
        return all(sum(1 for s in shapes if self.conforms(s, v, data)) == 1 for v in values)

    def _qualified(self, arg, f, values, data):
        shape, low, high = arg
        count = sum(1 for v in values if self.conforms(shape, v, data))
        return (low is None or count >= low) and (high is None or count <= high)

    @staticmethod
    def _equals(predicate, f, values, data):
        return set(values) == data.values(f, predicate)

    @staticmethod
    def _lessThan(predicate, f, values, data):
        others = data.values(f, predicate)
        for value in values:
            if isinstance(value, BNode):
                raise _Unsupported("lessThan on a blank node")  # pySHACL raises: let it
            a, a_str = _comparable(value)
            for other in others:
                if isinstance(other, BNode):
                    raise _Unsupported("lessThan on a blank node")
                b, b_str = _comparable(other)
                if a_str != b_str or not a < b:
                    return False
        return True

    @staticmethod
    def _uniqueLang(_, f, values, data):
        seen = set()
        for v in values:
            if isinstance(v, Literal) and v.language:
                lang = str(v.language).lower()
                if lang in seen:
                    return False
                seen.add(lang)
        return True


def _comparable(term):
    if isinstance(term, URIRef):
        return str(term), True
    if isinstance(term, Literal) and isinstance(term.value, str):
        return term.value, True
    return term, False


def compare_literal(l1: Literal, l2: Literal) -> int:
    """pySHACL 0.40's rdfutil.compare.compare_literal (Apache-2.0), which sh:minInclusive is checked with, copied
    so that a build whose articles conform never imports pySHACL (0.15-0.2 s of adding one article)."""
    if l1.eq(l2):
        return 0
    # not equal, and no TypeError or NotImplementedError: the datatypes can be compared
    if l1.value.__class__ in (dt.datetime, dt.time):  # rdflib's total order for these is not wanted here
        if l1.value == l2.value:
            return 0
        elif l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


def _string(v) -> str:
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, _RDF_LANGSTRING, _XSD_STRING):
        return str(v.value)
    return str(v)


# rdflib makes a new URIRef at every XSD.string; the checks below run for every value of every node
_XSD_STRING, _RDF_LANGSTRING, _RDFS_LITERAL, _RDFS_DATATYPE = XSD.string, RDF.langString, RDFS.Literal, RDFS.Datatype
_RDF_TYPE, _RDFS_SUBCLASSOF = RDF.type, RDFS.subClassOf
_PYTHON_TYPES = {XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
                 XSD.date: dt.date, XSD.time: dt.time, XSD.dateTime: dt.datetime}


def _actual_datatype(v, rule) -> bool:
    value = v.value
    if rule == _XSD_STRING or rule == _RDF_LANGSTRING:
        return isinstance(value, (str, bytes))
    kind = _PYTHON_TYPES.get(rule)
    return isinstance(value, kind) if kind is not None else True


class _Index:
    """Subject -> predicate -> objects, object -> predicate -> subjects, predicate -> subjects / objects.

    ``needs`` (an engine's: the predicates it ever looks up backwards, and those its targets name) leaves out of the
    last three tables every other predicate, which nothing reads there (an article's batch: 1.3-1.8 -> 0.5-0.9 ms an
    article); None keeps them all (the ontology's index, made once)."""

    def __init__(self, triples, needs: "_Needs | None" = None):
        self.out, self.into, self.subjects, self.objects = out, into, subjects, objects = {}, {}, {}, {}
        if needs is None:
            for s, p, o in triples:
                out.setdefault(s, {}).setdefault(p, set()).add(o)
                into.setdefault(o, {}).setdefault(p, set()).add(s)
                subjects.setdefault(p, set()).add(s)
                objects.setdefault(p, set()).add(o)
            return
        backwards, subjects_of, objects_of = needs.into, needs.subjects, needs.objects
        for s, p, o in triples:
            out.setdefault(s, {}).setdefault(p, set()).add(o)
            if p in backwards:
                into.setdefault(o, {}).setdefault(p, set()).add(s)
            if p in subjects_of:
                subjects.setdefault(p, set()).add(s)
            if p in objects_of:
                objects.setdefault(p, set()).add(o)


@dataclass(frozen=True)
class _Needs:
    """The predicates an engine reads from an index other than forwards (subject -> predicate -> objects)."""

    into: frozenset      # object -> predicate -> subjects: rdf:type, rdfs:subClassOf, every inverse path's
    subjects: frozenset  # predicate -> subjects: sh:targetSubjectsOf
    objects: frozenset   # predicate -> objects: sh:targetObjectsOf


def _inverse_steps(path) -> set:
    """The predicates a path (as _Engine.path makes it) follows backwards."""
    if not isinstance(path, tuple):
        return set()
    if path[0] == "^":
        return {path[1]}
    return set().union(*(_inverse_steps(step) for step in path[1]))


def _interned(graph):
    """The triples of ``graph`` with each IRI the object graph/ns.py keeps for it."""
    return ((intern(s), intern(p), intern(o)) for s, p, o in graph)


_NONE: dict = {}
_EMPTY: frozenset = frozenset()


class _Data:
    """The article's triples and the ontology's, looked up together (the union, without copying the ontology)."""

    def __init__(self, parts: list[_Index]):
        self.parts = parts
        self.tables = {table: [getattr(part, table) for part in parts] for table in ("out", "into")}
        self._classes: dict = {}
        self._supers: dict = {}

    def _get(self, table, key, p) -> set:
        """The values of ``key`` and ``p`` in every part, to be read, not changed: the one part's own set when only
        one holds any (an article's node is seldom in the ontology), a union only when both do (the engine, 400
        generated articles: 1.93 -> 1.68 ms each, median of 6 passes; a new set for every lookup before)."""
        found = _EMPTY
        for index in self.tables[table]:
            values = index.get(key, _NONE).get(p)
            if values:
                found = values if not found else found | values
        return found

    def values(self, f, path) -> set:
        if isinstance(path, URIRef):
            return self._get("out", f, path) if not isinstance(f, Literal) else set()
        if path[0] == "^":
            return self._get("into", f, path[1])
        nodes = {f}
        for step in path[1]:
            nodes = set().union(*(self.values(n, step) for n in nodes)) if nodes else set()
        return nodes

    def subjects_of(self, p) -> set:
        return set().union(*(part.subjects.get(p, ()) for part in self.parts))

    def objects_of(self, p) -> set:
        return set().union(*(part.objects.get(p, ()) for part in self.parts))

    def supers(self, cls) -> set:
        """cls and its superclasses (rdfs:subClassOf*), as pySHACL's transitive_objects walks them."""
        if cls not in self._supers:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self._get("out", todo.pop(), _RDFS_SUBCLASSOF):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            self._supers[cls] = seen
        return self._supers[cls]

    def classes_of(self, node) -> set:
        if node not in self._classes:
            found = set()
            for t in self._get("out", node, _RDF_TYPE):
                found |= self.supers(t)
            self._classes[node] = found
        return self._classes[node]

    def instances(self, cls) -> set:
        subclasses, todo = {cls}, [cls]
        while todo:
            for child in self._get("into", todo.pop(), _RDFS_SUBCLASSOF):
                if child not in subclasses:
                    subclasses.add(child)
                    todo.append(child)
        found = set()
        for c in subclasses:
            found |= self._get("into", c, _RDF_TYPE)
        return found
