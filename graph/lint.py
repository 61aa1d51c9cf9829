"""Lint the ontology modules: declarations, documentation, hierarchy and SKOS hygiene.

``lint(graph, shapes)`` returns a list of :class:`Finding`; an empty list means the ontology is clean. Findings
with severity ``error`` should fail a build; ``warning`` findings are advice. The checks:

- every term in the project's own namespaces (``kg:``, ``v:``, ``doctrine:``) used anywhere in the ontology or
  the shapes is declared in the ontology (has an ``rdf:type`` there); terms of standard vocabularies (PROV,
  schema.org, ORG, SKOS, Web Annotation, OWL-Time, Dublin Core, RDF/RDFS/OWL, XSD, FOAF, SHACL) are external;
- every class, property and named individual outside the standard vocabularies has ``rdfs:label``,
  ``rdfs:comment`` and ``rdfs:isDefinedBy`` (for ``kg:`` terms, the ontology IRI);
- no property is both an object and a datatype property; datatype ranges go with datatype properties;
  ``owl:inverseOf`` is stated both ways;
- no cycle through ``rdfs:subClassOf``, ``rdfs:subPropertyOf`` or ``skos:broader``; no class below two
  classes declared ``owl:disjointWith`` each other;
- exactly one ``owl:Ontology`` for the core (``https://w3id.org/legal-news-kg/ontology``); it and every other
  ``owl:Ontology`` (an extension's) has ``owl:versionIRI`` (``<ontology>/<versionInfo>``), ``owl:versionInfo``,
  ``dcterms:title``, ``dcterms:description`` and ``dcterms:license``; ``rdfs:isDefinedBy`` names a declared
  ontology; an extension's namespace (its ``vann:preferredNamespaceUri``) is checked like the core's;
- every concept has a ``skos:prefLabel`` (one per language), a ``skos:definition`` and a ``skos:inScheme``;
  pref and alt labels of a concept are disjoint; ``skos:broader``/``skos:narrower`` and
  ``skos:topConceptOf``/``skos:hasTopConcept`` are stated both ways and ``skos:related`` symmetrically; related
  concepts are not also broader/narrower; doctrines are in ``doctrine:scheme``; no label names two doctrines
  (the labels are used to find doctrines in text).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

VANN = Namespace("http://purl.org/vocab/vann/")

BASE = "https://w3id.org/legal-news-kg/"
KG = BASE + "ontology#"
V = BASE + "vocab/"
DOCTRINE = BASE + "doctrine/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")
DOCTRINE_SCHEME = URIRef(DOCTRINE + "scheme")
KG_LEGAL_DOCTRINE = URIRef(KG + "LegalDoctrine")

#: Namespaces whose terms must be declared in the ontology.
CHECKED_NAMESPACES = (KG, V, DOCTRINE)

#: Standard vocabularies: their terms are external and not checked.
EXTERNAL_NAMESPACES = (
    "http://www.w3.org/ns/prov#",
    "https://schema.org/",
    "http://schema.org/",
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://www.w3.org/ns/oa#",
    "http://www.w3.org/2006/time#",
    "http://purl.org/dc/terms/",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/vocab/vann/",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/shacl#",
)

CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: ``severity`` is ``error`` or ``warning``; ``term`` the IRI it is about (or ``""``)."""

    severity: str
    term: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.term}: {self.message}" if self.term else f"{self.severity}: {self.message}"


def lint(graph: Graph, shapes: Graph | None = None,
         checked_namespaces: Iterable[str] = CHECKED_NAMESPACES) -> list[Finding]:
    """Lint an ontology graph (core + vocabularies + doctrines + extensions), and the terms its shapes use."""
    checked = tuple(checked_namespaces) + tuple(
        str(ns) for ns in graph.objects(None, VANN.preferredNamespaceUri) if not _in(URIRef(str(ns)), EXTERNAL_NAMESPACES)
    )
    findings: list[Finding] = []
    findings += _undeclared_terms(graph, shapes, checked)
    findings += _documentation(graph)
    findings += _property_kinds(graph)
    findings += _cycles(graph, RDFS.subClassOf, "class", "rdfs:subClassOf")
    findings += _cycles(graph, RDFS.subPropertyOf, "property", "rdfs:subPropertyOf")
    findings += _cycles(graph, SKOS.broader, "concept", "skos:broader")
    findings += _disjoint_subclasses(graph)
    findings += _ontology_header(graph)
    findings += _concepts(graph)
    return sorted(set(findings))


# ------------------------------------------------------------------------------------------------------------


def _in(term: object, namespaces: Iterable[str]) -> bool:
    return isinstance(term, URIRef) and any(str(term).startswith(ns) for ns in namespaces)


def _short(term: URIRef) -> str:
    text = str(term)
    for prefix, ns in (("kg:", KG), ("v:", V), ("doctrine:", DOCTRINE)):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text


def _terms(graph: Graph) -> Iterator[URIRef]:
    for triple in graph:
        for node in triple:
            if isinstance(node, URIRef):
                yield node


def _undeclared_terms(graph: Graph, shapes: Graph | None, checked: tuple[str, ...]) -> list[Finding]:
    declared = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    findings = []
    for where, g in (("ontology", graph), ("shapes", shapes)):
        if g is None:
            continue
        for term in set(_terms(g)):
            if _in(term, checked) and term not in declared:
                findings.append(Finding(ERROR, _short(term), f"used in the {where} but not declared in the ontology"))
    return findings


def _declared_of(graph: Graph, types: Iterable[URIRef]) -> set[URIRef]:
    return {s for t in types for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}


def _documentation(graph: Graph) -> list[Finding]:
    findings = []
    kinds = (
        ("class", _declared_of(graph, CLASS_TYPES)),
        ("property", _declared_of(graph, PROPERTY_TYPES)),
        ("individual", _declared_of(graph, (OWL.NamedIndividual,))),
    )
    for kind, terms in kinds:
        for term in terms:
            if _in(term, EXTERNAL_NAMESPACES):
                continue
            name = _short(term)
            if graph.value(term, RDFS.label) is None:
                findings.append(Finding(ERROR, name, f"{kind} has no rdfs:label"))
            if graph.value(term, RDFS.comment) is None:
                findings.append(Finding(ERROR, name, f"{kind} has no rdfs:comment"))
            defined_by = set(graph.objects(term, RDFS.isDefinedBy))
            if not defined_by:
                findings.append(Finding(ERROR, name, f"{kind} has no rdfs:isDefinedBy"))
            elif str(term).startswith(KG) and ONTOLOGY_IRI not in defined_by:
                findings.append(Finding(ERROR, name, f"{kind} is not rdfs:isDefinedBy <{ONTOLOGY_IRI}>"))
            elif not any((d, RDF.type, OWL.Ontology) in graph for d in defined_by):
                findings.append(Finding(WARNING, name, f"{kind} is rdfs:isDefinedBy no declared owl:Ontology"))
    return findings


def _property_kinds(graph: Graph) -> list[Finding]:
    findings = []
    object_props = _declared_of(graph, (OWL.ObjectProperty,))
    datatype_props = _declared_of(graph, (OWL.DatatypeProperty,))
    for prop in object_props & datatype_props:
        findings.append(Finding(ERROR, _short(prop), "declared both owl:ObjectProperty and owl:DatatypeProperty"))
    for prop in object_props:
        for rng in graph.objects(prop, RDFS.range):
            if _in(rng, (str(XSD),)) or rng == RDFS.Literal:
                findings.append(Finding(ERROR, _short(prop), f"object property with a datatype range {rng}"))
    for prop in datatype_props:
        for rng in graph.objects(prop, RDFS.range):
            if isinstance(rng, URIRef) and not (_in(rng, (str(XSD),)) or rng in (RDFS.Literal, RDF.langString)):
                findings.append(Finding(ERROR, _short(prop), f"datatype property with a non-datatype range {rng}"))
    for p, q in graph.subject_objects(OWL.inverseOf):
        if _in(p, EXTERNAL_NAMESPACES) or _in(q, EXTERNAL_NAMESPACES):
            continue
        if (q, OWL.inverseOf, p) not in graph:
            findings.append(Finding(ERROR, _short(q), f"owl:inverseOf {_short(p)} is stated only on {_short(p)}"))
    return findings


def _cycles(graph: Graph, predicate: URIRef, kind: str, label: str) -> list[Finding]:
    findings = []
    for node in set(graph.subjects(predicate, None)):
        if not isinstance(node, URIRef):
            continue
        reachable: set = set()
        for parent in graph.objects(node, predicate):
            reachable.update(graph.transitive_objects(parent, predicate))
        if node in reachable:
            findings.append(Finding(ERROR, _short(node), f"{kind} is its own ancestor through {label}"))
    return findings


def _disjoint_subclasses(graph: Graph) -> list[Finding]:
    findings = []
    classes = {c for c in graph.subjects(RDFS.subClassOf, None) if isinstance(c, URIRef)}
    for a, b in graph.subject_objects(OWL.disjointWith):
        for cls in classes | {a, b}:
            ancestors = set(graph.transitive_objects(cls, RDFS.subClassOf))
            if a in ancestors and b in ancestors:
                findings.append(Finding(ERROR, _short(cls), f"is below both {_short(a)} and {_short(b)}, which are disjoint"))
    return findings


def _ontology_header(graph: Graph) -> list[Finding]:
    ontologies = sorted(o for o in graph.subjects(RDF.type, OWL.Ontology))
    core = [o for o in ontologies if o == ONTOLOGY_IRI]
    findings = []
    if len(core) != 1:
        findings.append(Finding(ERROR, "", f"expected exactly one owl:Ontology <{ONTOLOGY_IRI}>, found none"))
    for onto in ontologies:
        findings += _ontology_metadata(graph, onto)
    return findings


def _ontology_metadata(graph: Graph, onto) -> list[Finding]:
    name = str(onto)
    findings = []
    if not isinstance(onto, URIRef):
        return [Finding(ERROR, "", "an owl:Ontology is a blank node; give it an IRI")]
    required = ((OWL.versionIRI, "owl:versionIRI"), (OWL.versionInfo, "owl:versionInfo"),
                (DCTERMS.title, "dcterms:title"), (DCTERMS.description, "dcterms:description"),
                (DCTERMS.license, "dcterms:license"))
    for prop, label in required:
        if graph.value(onto, prop) is None:
            findings.append(Finding(ERROR, name, f"the ontology has no {label}"))
    if graph.value(onto, DCTERMS.creator) is None:
        findings.append(Finding(WARNING, name, "the ontology has no dcterms:creator"))
    version, version_iri = graph.value(onto, OWL.versionInfo), graph.value(onto, OWL.versionIRI)
    if version is not None and version_iri is not None and str(version_iri) != f"{onto}/{version}":
        findings.append(Finding(ERROR, name, f"owl:versionIRI <{version_iri}> should be <{onto}/{version}>"))
    return findings


def _concepts(graph: Graph) -> list[Finding]:
    findings = []
    concepts = _declared_of(graph, (SKOS.Concept, KG_LEGAL_DOCTRINE))
    for concept in concepts:
        name = _short(concept)
        pref = list(graph.objects(concept, SKOS.prefLabel))
        if not pref:
            findings.append(Finding(ERROR, name, "concept has no skos:prefLabel"))
        languages = [p.language if isinstance(p, Literal) else None for p in pref]
        if len(languages) != len(set(languages)):
            findings.append(Finding(ERROR, name, "concept has more than one skos:prefLabel in one language"))
        alt = set(graph.objects(concept, SKOS.altLabel))
        for label in set(pref) & alt:
            findings.append(Finding(ERROR, name, f"{label!s} is both skos:prefLabel and skos:altLabel"))
        if graph.value(concept, SKOS.definition) is None:
            findings.append(Finding(ERROR, name, "concept has no skos:definition"))
        schemes = set(graph.objects(concept, SKOS.inScheme))
        if not schemes:
            findings.append(Finding(ERROR, name, "concept has no skos:inScheme"))
        if str(concept).startswith(DOCTRINE) and DOCTRINE_SCHEME not in schemes:
            findings.append(Finding(ERROR, name, "doctrine is not skos:inScheme doctrine:scheme"))
        if (concept, RDF.type, KG_LEGAL_DOCTRINE) in graph and not str(concept).startswith(DOCTRINE):
            if DOCTRINE_SCHEME not in schemes:
                findings.append(Finding(WARNING, name, "kg:LegalDoctrine outside doctrine:scheme"))
        tops = set(graph.objects(concept, SKOS.topConceptOf))
        if not tops and graph.value(concept, SKOS.broader) is None:
            findings.append(Finding(WARNING, name, "concept has no skos:broader and is not a top concept"))
        broader_all = set(graph.transitive_objects(concept, SKOS.broader)) - {concept}
        narrower_all = set(graph.transitive_subjects(SKOS.broader, concept)) - {concept}
        for rel in graph.objects(concept, SKOS.related):
            if rel in broader_all or rel in narrower_all:
                findings.append(Finding(ERROR, name, f"skos:related {_short(rel)} is also broader or narrower"))

    pairs = (
        (SKOS.broader, SKOS.narrower, "skos:broader", "skos:narrower"),
        (SKOS.narrower, SKOS.broader, "skos:narrower", "skos:broader"),
        (SKOS.topConceptOf, SKOS.hasTopConcept, "skos:topConceptOf", "skos:hasTopConcept"),
        (SKOS.hasTopConcept, SKOS.topConceptOf, "skos:hasTopConcept", "skos:topConceptOf"),
        (SKOS.related, SKOS.related, "skos:related", "skos:related"),
    )
    for prop, inverse, label, inverse_label in pairs:
        for a, b in graph.subject_objects(prop):
            if (b, inverse, a) not in graph:
                findings.append(Finding(ERROR, _short(a), f"{label} {_short(b)} without {_short(b)} {inverse_label} {_short(a)}"))
    for concept, scheme in graph.subject_objects(SKOS.topConceptOf):
        if (concept, SKOS.inScheme, scheme) not in graph:
            findings.append(Finding(ERROR, _short(concept), f"top concept of {_short(scheme)} but not skos:inScheme it"))

    # The doctrine labels are used to find doctrines in article text: one label, one doctrine.
    owners: dict[str, set[URIRef]] = defaultdict(set)
    for concept in concepts:
        if DOCTRINE_SCHEME not in set(graph.objects(concept, SKOS.inScheme)):
            continue
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for label in graph.objects(concept, prop):
                owners[" ".join(str(label).lower().split())].add(concept)
    for label, owning in owners.items():
        if len(owning) > 1:
            names = ", ".join(sorted(_short(c) for c in owning))
            findings.append(Finding(WARNING, "", f"the label {label!r} names several doctrines: {names}"))
    return findings
