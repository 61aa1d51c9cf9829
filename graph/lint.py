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
    """One problem: ``severity`` is ``error``, ``warning`` or ``info``; ``term`` the IRI it is about (or ``""``).

    ``lint_ontology`` (below) also fills in where it is (``file``, ``line``), the ROBOT-style ``rule`` name and the
    ``fix``; ``lint`` leaves them empty.
    """

    severity: str
    term: str
    message: str
    file: str = ""
    line: int = 0
    rule: str = ""
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.severity}: {self.term}: {self.message}" if self.term else f"{self.severity}: {self.message}"
        where = f"{self.file}:{self.line}: " if self.file and self.line else f"{self.file}: " if self.file else ""
        return where + text + (f"; fix: {self.fix}" if self.fix else "")


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


# ============================================================================================================
# The whole ontology, file by file: a ROBOT-style report (`kg lint`, `kg validate`)
#
# ``lint_ontology(ontology)`` lints the core and every extension (ontology/extensions/*, --ontology folders) in
# the spirit of ROBOT's report and the OOPS! pitfall catalogue, offline, and says for every finding the file and
# line, the term, the rule and the fix. On top of ``lint`` above it checks:
#
# - every file parses (``parse_error``, with the line rdflib stopped at);
# - every term of a standard vocabulary exists there (``misspelt_standard_term``: ``skos:prefLable``), against the
#   closed namespaces rdflib ships (RDF, RDFS, OWL, SKOS, PROV, schema.org, XSD, Dublin Core, ORG, OWL-Time,
#   SHACL, VANN, FOAF) and the Web Annotation terms listed here;
# - no two classes, or two properties, share a label in one language (``duplicate_label``, an error), nor a class
#   and a property (a warning: the documentation tells them apart by kind, readers may not), nor two concepts of
#   one scheme;
# - no term is both a class and a property (``class_and_property``);
# - every property of a module has a domain and a range (``missing_domain_range``, OOPS! P11; info, since some
#   properties, like kg:mentionedIn, apply to anything);
# - every module declares an owl:Ontology (``missing_ontology``) and an extension imports the core
#   (``missing_import``); terms in an extension's namespaces are checked for declaration like kg: terms.
#
# ``check_buildable(ontology)`` runs the rules whose failure makes a build wrong rather than untidy (a file that
# does not parse, a subclass or subproperty cycle, a class that is also a property): `kg build` refuses those.
# ============================================================================================================

import difflib  # noqa: E402
import re  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import rdflib.namespace as _rdfns  # noqa: E402

INFO = "info"
ROBOT_LEVEL = {ERROR: "ERROR", WARNING: "WARN", INFO: "INFO"}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
CORE_ONTOLOGY = ONTOLOGY_IRI

#: The Web Annotation vocabulary (rdflib ships no closed namespace for it).
OA_TERMS = frozenset("""
Annotation Choice CssSelector CssStyle DataPositionSelector Direction FragmentSelector HttpRequestState Motivation
RangeSelector ResourceSelection Selector SpecificResource State Style SvgSelector TextPositionSelector
TextQuoteSelector TextualBody TimeState XPathSelector annotationService bodyValue cachedSource canonical end exact
hasBody hasEndSelector hasPurpose hasScope hasSelector hasSource hasStartSelector hasState hasTarget motivatedBy
prefix processingLanguage refinedBy renderedVia sourceDate sourceDateEnd sourceDateStart start styleClass styledBy
suffix textDirection via PreferContainedDescriptions PreferContainedIRIs assessing bookmarking classifying
commenting describing editing highlighting identifying linking ltrDirection moderating questioning replying
rtlDirection tagging autoDirection
""".split())

#: namespace IRI -> (prefix, its terms, severity of an unknown term). schema.org grows between rdflib releases,
#: so an unknown schema: term is a warning; the W3C vocabularies are stable, so theirs are errors.
STANDARD_VOCABULARIES = {
    str(ns): (prefix, ns, severity) for prefix, ns, severity in (
        ("rdf", _rdfns.RDF, ERROR), ("rdfs", _rdfns.RDFS, ERROR), ("owl", _rdfns.OWL, ERROR),
        ("skos", _rdfns.SKOS, ERROR), ("prov", _rdfns.PROV, ERROR), ("schema", _rdfns.SDO, WARNING),
        ("xsd", _rdfns.XSD, ERROR), ("dcterms", _rdfns.DCTERMS, ERROR), ("dc", _rdfns.DC, ERROR),
        ("org", _rdfns.ORG, ERROR), ("time", _rdfns.TIME, ERROR), ("sh", _rdfns.SH, ERROR),
        ("vann", _rdfns.VANN, ERROR), ("foaf", _rdfns.FOAF, ERROR),
    )
}
STANDARD_VOCABULARIES["http://www.w3.org/ns/oa#"] = ("oa", OA_TERMS, ERROR)

# Fixes for the findings of ``lint`` above, by the words of their message (rule name, fix; \1.. are the groups).
_FIXES = [
    (r"used in the shapes but not declared", "undeclared_term",
     "declare {term} in an ontology file (a type, rdfs:label, rdfs:comment), or correct its spelling in the shapes"),
    (r"used in the ontology but not declared", "undeclared_term",
     "declare {term} (e.g. `{term} a owl:Class ; rdfs:label \"…\"@en ; rdfs:comment \"…\"@en .`) or correct its spelling"),
    (r"has no rdfs:label", "missing_label", "add rdfs:label \"…\"@en to {term}"),
    (r"has no rdfs:comment", "missing_definition", "add rdfs:comment \"what it means, in a sentence\"@en to {term}"),
    (r"has no rdfs:isDefinedBy", "missing_defined_by", "add rdfs:isDefinedBy <the IRI of its module's owl:Ontology>"),
    (r"is not rdfs:isDefinedBy <(.*)>", "wrong_defined_by", r"make it rdfs:isDefinedBy <\1>"),
    (r"rdfs:isDefinedBy no declared owl:Ontology", "wrong_defined_by",
     "make rdfs:isDefinedBy name the IRI of its module's owl:Ontology"),
    (r"declared both owl:ObjectProperty and owl:DatatypeProperty", "property_kind",
     "keep one: owl:ObjectProperty if its values are things, owl:DatatypeProperty if they are literals"),
    (r"object property with a datatype range", "property_kind",
     "make it an owl:DatatypeProperty, or give it a class as rdfs:range"),
    (r"datatype property with a non-datatype range", "property_kind",
     "make it an owl:ObjectProperty, or give it an xsd: datatype as rdfs:range"),
    (r"owl:inverseOf (\S+) is stated only on", "inverse_one_way",
     r"add `{term} owl:inverseOf \1` so that both properties say it"),
    (r"own ancestor through (\S+)", "cycle", r"remove one \1 link of the cycle, so that the hierarchy has a top"),
    (r"which are disjoint", "disjoint_subclass",
     "a class cannot be below two disjoint classes: remove one rdfs:subClassOf or the owl:disjointWith"),
    (r"expected exactly one owl:Ontology", "missing_ontology", "declare the core ontology in ontology/core.ttl"),
    (r"the ontology has no (\S+)", "missing_ontology_metadata", r"add \1 to the owl:Ontology"),
    (r"owl:versionIRI <.*> should be <(.*)>", "version_iri", r"set owl:versionIRI to <\1>"),
    (r"an owl:Ontology is a blank node", "missing_ontology", "give the owl:Ontology an IRI"),
    (r"concept has no skos:prefLabel", "missing_label", "add skos:prefLabel \"…\"@en to {term}"),
    (r"more than one skos:prefLabel in one language", "multiple_labels",
     "keep one skos:prefLabel per language and make the others skos:altLabel"),
    (r"is both skos:prefLabel and skos:altLabel", "duplicate_label", "remove it from the skos:altLabel values"),
    (r"concept has no skos:definition", "missing_definition", "add skos:definition \"…\"@en to {term}"),
    (r"concept has no skos:inScheme", "missing_scheme", "add skos:inScheme <its concept scheme>"),
    (r"doctrine is not skos:inScheme doctrine:scheme", "missing_scheme", "add skos:inScheme doctrine:scheme"),
    (r"kg:LegalDoctrine outside doctrine:scheme", "missing_scheme", "add skos:inScheme doctrine:scheme"),
    (r"no skos:broader and is not a top concept", "orphan_concept",
     "give it skos:broader <a concept of its scheme>, or make it skos:topConceptOf its scheme"),
    (r"skos:related (\S+) is also broader or narrower", "related_and_broader",
     r"remove skos:related \1: SKOS keeps associative and hierarchical links apart"),
    (r"^(skos:\w+) (\S+) without (\S+) (skos:\w+) (\S+)$", "skos_symmetry", r"add `\3 \4 \5`"),
    (r"top concept of (\S+) but not skos:inScheme it", "missing_scheme", r"add skos:inScheme \1"),
    (r"names several doctrines", "duplicate_label",
     "keep the label on one doctrine only: the labels find doctrines in article text"),
]


def lint_ontology(ontology=None) -> list[Finding]:
    """Lint the core and every extension of ``ontology`` (a ``graph.ontology.Ontology``), each finding located."""
    from .modules import modules as find_modules

    from .ontology import Ontology

    ontology = ontology or Ontology()
    found = find_modules(ontology)
    files = [f for m in found for f in m.files]
    shape_files = [f for m in found for f in m.shape_files]
    locator = _Locator(files + shape_files)
    findings = list(locator.parse_errors)
    merged, shapes = Graph(), Graph()
    for path in files:
        for triple in locator.graphs.get(path, ()):
            merged.add(triple)
    for path in shape_files:
        for triple in locator.graphs.get(path, ()):
            shapes.add(triple)
    for path, graph in locator.graphs.items():
        for prefix, ns in graph.namespaces():
            merged.bind(prefix, ns, override=False)
    own = _own_namespaces(merged)
    findings += [_explain(f) for f in lint(merged, shapes, tuple(CHECKED_NAMESPACES) + tuple(own))]
    for path, graph in locator.graphs.items():
        findings += misspelt_terms(graph, path)
    findings += duplicate_labels(merged)
    findings += class_and_property(merged)
    findings += missing_domain_range(merged, own)
    findings += module_headers(found, locator)
    located = [_readable(locator.place(f, merged), merged) for f in findings]
    unique = {(f.severity, f.file, f.line, f.term, f.message): f for f in located}
    return sorted(unique.values(), key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.file, f.line, f.term, f.message))


BUILD_RULES = {"parse_error", "cycle", "class_and_property", "property_kind"}


def check_buildable(ontology) -> None:
    """Raise InputError (naming file and line) when the ontology cannot make a correct graph: a file that does not
    parse, a subclass or subproperty cycle, a term that is both a class and a property."""
    from .errors import InputError

    from .modules import modules as find_modules

    merged = ontology.graph  # parsed already for the build; a file that does not parse raises here, with its line
    # Only the rules of BUILD_RULES, on the merged graph: a build pays for these on every run. Files are parsed
    # one by one (to say where) only when something is wrong.
    findings = [_explain(f) for f in _cycles(merged, RDFS.subClassOf, "class", "rdfs:subClassOf")
                + _cycles(merged, RDFS.subPropertyOf, "property", "rdfs:subPropertyOf") + _property_kinds(merged)]
    findings += class_and_property(merged)
    blocking = [f for f in findings if f.severity == ERROR and f.rule in BUILD_RULES]
    if blocking:
        locator = _Locator([f for m in find_modules(ontology) for f in m.files])
        blocking = [_readable(locator.place(f, merged), merged) for f in blocking]
    if blocking:
        raise InputError("the ontology is broken; fix it or remove the extension that brings it:\n"
                         + "\n".join(f"  {f}" for f in blocking))


def validate_check(store, ontology, report=None) -> list:
    """`kg validate`'s lint check (graph/validate.py CHECKS): the lint errors as Problems; warnings and info are
    `kg lint`'s to show. The store is not needed: the ontology is linted from its files."""
    from .validate import Problem

    return [Problem("lint", f.term or Path(f.file).name, f.message + (f"; fix: {f.fix}" if f.fix else ""),
                    _relative(f.file) + (f":{f.line}" if f.line else ""))
            for f in lint_ontology(ontology) if f.severity == ERROR]


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def report(findings: list[Finding]) -> str:
    """The findings as ROBOT prints them: level, rule, where, term, what and the fix; then a count per level."""
    lines = []
    for f in findings:
        where = (_relative(f.file) + (f":{f.line}" if f.line else "")) if f.file else "-"
        lines.append(f"{ROBOT_LEVEL.get(f.severity, f.severity.upper()):5}  {f.rule or '-':26}  {where}  "
                     f"{f.term or '-'}: {f.message}" + (f"\n       fix: {f.fix}" if f.fix else ""))
    counts = {level: sum(1 for f in findings if f.severity == level) for level in (ERROR, WARNING, INFO)}
    lines.append(f"ontology lint: {counts[ERROR]} error(s), {counts[WARNING]} warning(s), {counts[INFO]} info")
    return "\n".join(lines)


# -- the rules ------------------------------------------------------------------------------------------------
def _names_of(known) -> list[str]:
    if isinstance(known, frozenset):
        return sorted(known)
    return sorted(set(getattr(known, "__annotations__", {})) | set(getattr(known, "_extras", [])))


def misspelt_terms(graph: Graph, path: Path | str = "") -> list[Finding]:
    """Terms of a standard vocabulary that the vocabulary does not have (skos:prefLable), in one file's graph."""
    findings, seen = [], set()
    for triple in graph:
        for node in triple:
            if not isinstance(node, URIRef) or node in seen:
                continue
            seen.add(node)
            text = str(node)
            for ns, (prefix, known, severity) in STANDARD_VOCABULARIES.items():
                if not text.startswith(ns):
                    continue
                local = text[len(ns):]
                if not local or (node in known if not isinstance(known, frozenset) else local in known):
                    break
                close = difflib.get_close_matches(local, _names_of(known), n=1, cutoff=0.6)
                fix = f"write {prefix}:{close[0]}" if close else f"use a term that {prefix}: defines, or your own namespace"
                findings.append(Finding(severity, f"{prefix}:{local}", f"is not a term of {prefix}: ({ns})",
                                        str(path), 0, "misspelt_standard_term", fix))
                break
    return findings


def _kind(graph: Graph, term) -> str | None:
    types = set(graph.objects(term, RDF.type))
    if types & set(CLASS_TYPES):
        return "class"
    if types & set(PROPERTY_TYPES):
        return "property"
    if types & {SKOS.Concept, KG_LEGAL_DOCTRINE}:
        return "concept"
    if OWL.NamedIndividual in types:
        return "individual"
    return None


def duplicate_labels(graph: Graph) -> list[Finding]:
    """Two terms with one label (case and spaces aside) in one language: ROBOT's duplicate_label."""
    owners: dict[tuple, set] = defaultdict(set)
    for prop in (RDFS.label, SKOS.prefLabel):
        for term, value in graph.subject_objects(prop):
            if not isinstance(term, URIRef) or _in(term, EXTERNAL_NAMESPACES) or not isinstance(value, Literal):
                continue
            kind = _kind(graph, term)
            if kind is None:
                continue
            owners[(" ".join(str(value).lower().split()), value.language)].add(term)
    findings = []
    for (text, _), terms in owners.items():
        if len(terms) < 2:
            continue
        by_kind: dict[str, list] = defaultdict(list)
        for term in terms:
            by_kind[_kind(graph, term)].append(term)
        for kind, same in by_kind.items():
            if kind == "concept":  # concepts clash only within one scheme
                schemes: dict = defaultdict(list)
                for c in same:
                    for scheme in graph.objects(c, SKOS.inScheme):
                        schemes[scheme].append(c)
                groups = [g for g in schemes.values() if len(g) > 1]
            else:
                groups = [same] if len(same) > 1 else []
            for group in groups:
                group = sorted(group)
                for term in group:
                    others = ", ".join(_short(t) for t in group if t != term)
                    findings.append(Finding(ERROR, _short(term), f"has the label {text!r}, like {others}",
                                            rule="duplicate_label",
                                            fix="give each term a label of its own, so that readers can tell them apart"))
        classes, props = by_kind.get("class", []), by_kind.get("property", [])
        if classes and props:
            for prop in sorted(props):
                findings.append(Finding(WARNING, _short(prop), f"has the label {text!r}, like the class {_short(sorted(classes)[0])}",
                                        rule="duplicate_label",
                                        fix="give the property a label that reads as a relation (\"event place\", \"has facility\")"))
    return findings


def class_and_property(graph: Graph) -> list[Finding]:
    """A term declared a class and a property (OWL punning by mistake: usually a copied declaration)."""
    classes = _declared_of(graph, CLASS_TYPES)
    props = _declared_of(graph, PROPERTY_TYPES)
    return [Finding(ERROR, _short(t), "is declared both a class and a property", rule="class_and_property",
                    fix="keep one declaration: classes are UpperCamelCase, properties lowerCamelCase")
            for t in sorted(classes & props) if not _in(t, EXTERNAL_NAMESPACES)]


def missing_domain_range(graph: Graph, own: Iterable[str]) -> list[Finding]:
    """Object and datatype properties without rdfs:domain or rdfs:range (OOPS! P11)."""
    namespaces = tuple(own) + (KG,)
    findings = []
    for prop in sorted(_declared_of(graph, (OWL.ObjectProperty, OWL.DatatypeProperty))):
        if not _in(prop, namespaces):
            continue
        for axis, what in ((RDFS.domain, "rdfs:domain"), (RDFS.range, "rdfs:range")):
            if graph.value(prop, axis) is None:
                findings.append(Finding(INFO, _short(prop), f"property has no {what}", rule="missing_domain_range",
                                        fix=f"add {what} <the class (or datatype) it applies to>, unless it applies to anything"))
    return findings


def module_headers(found, locator: "_Locator") -> list[Finding]:
    """Each module declares one owl:Ontology; an extension imports the core."""
    findings = []
    for module in found:
        if module.is_core or any(path not in locator.graphs for path in module.files):
            continue  # the core's header is checked by `lint`; a file that does not parse is reported already
        graph = Graph()
        for path in module.files:
            for triple in locator.graphs.get(path, ()):
                graph.add(triple)
        first = str(module.files[0]) if module.files else str(module.directory)
        ontologies = sorted(o for o in graph.subjects(RDF.type, OWL.Ontology) if isinstance(o, URIRef))
        if not module.files:
            findings.append(Finding(WARNING, "", f"the extension `{module.name}` has no ontology file", str(module.directory),
                                    rule="missing_ontology", fix="add NAME.ttl declaring the extension's owl:Ontology"))
            continue
        if not ontologies:
            findings.append(Finding(ERROR, "", f"the extension `{module.name}` declares no owl:Ontology", first,
                                    rule="missing_ontology",
                                    fix="add `<its IRI> a owl:Ontology ; owl:imports <https://w3id.org/legal-news-kg/ontology> ; "
                                        "owl:versionInfo …; owl:versionIRI …; dcterms:title …; dcterms:license …` "
                                        "(see ontology/extensions/courts/courts.ttl)"))
        elif len(ontologies) > 1:
            findings.append(Finding(WARNING, str(ontologies[1]), f"the extension `{module.name}` declares {len(ontologies)} "
                                    "ontologies", rule="missing_ontology", fix="declare one owl:Ontology per extension"))
        for onto in ontologies:
            imports = set(graph.objects(onto, OWL.imports))
            if not imports & {CORE_ONTOLOGY} and not any(str(i).startswith(str(CORE_ONTOLOGY) + "/") for i in imports):
                findings.append(Finding(WARNING, str(onto), "the extension does not owl:imports the core ontology",
                                        rule="missing_import", fix=f"add owl:imports <{CORE_ONTOLOGY}> (it is never "
                                        "fetched: the loader reads the core from ontology/)"))
    return findings


def _own_namespaces(graph: Graph) -> set[str]:
    """The namespaces of the terms the modules declare, standard vocabularies and the data namespace aside."""
    found = set()
    for term in graph.subjects(RDF.type, None):
        if isinstance(term, URIRef) and not _in(term, EXTERNAL_NAMESPACES):
            text = str(term)
            cut = max(text.rfind("#"), text.rfind("/"))
            if cut > len("https://") and (term, RDF.type, OWL.Ontology) not in graph:
                found.add(text[: cut + 1])
    return found


def _explain(finding: Finding) -> Finding:
    for pattern, rule, fix in _FIXES:
        match = re.search(pattern, finding.message)
        if match:
            text = match.expand(fix.replace("{term}", finding.term or "the term"))
            return replace(finding, rule=rule, fix=text)
    return finding


# -- where a finding is --------------------------------------------------------------------------------------
_PREFIX_RE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
_BEFORE_NAME = r"(?<![\w\-.:%])"  # a prefixed name is not preceded by a name character,
_AFTER_NAME = r"(?![\w\-:%]|\.[\w])"  # nor followed by one (a '.' followed by a space ends the statement)


class _Locator:
    """Each file's graph, text and prefixes: turns a term into the file and line that declare (or use) it."""

    def __init__(self, paths: list[Path]):
        from .errors import InputError
        from .ontology import parse_turtle

        self.paths = list(paths)
        self.graphs: dict[Path, Graph] = {}
        self.lines: dict[Path, list[str]] = {}
        self.prefixes: dict[Path, dict[str, str]] = {}
        self.parse_errors: list[Finding] = []
        for path in self.paths:
            try:
                self.lines[path] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                self.parse_errors.append(Finding(ERROR, "", f"cannot read the file: {exc}", str(path), rule="parse_error",
                                                 fix="save it as UTF-8 Turtle"))
                continue
            self.prefixes[path] = {m.group(1) or "": m.group(2) for m in map(_PREFIX_RE.match, self.lines[path]) if m}
            try:
                self.graphs[path] = parse_turtle(path, Graph(bind_namespaces="none"))
            except InputError as exc:
                message = str(exc)
                match = re.match(rf"^{re.escape(str(path))}:(\d+): (.*)$", message, re.S)
                line, text = (int(match.group(1)), match.group(2)) if match else (0, message)
                self.parse_errors.append(Finding(ERROR, "", text.split("; fix")[0], str(path), line, "parse_error",
                                                 "correct the Turtle syntax there; until then the file is left out"))

    def forms(self, path: Path, iri: str) -> list[str]:
        found = [f"<{iri}>"]
        for prefix, ns in self.prefixes.get(path, {}).items():
            if ns and iri.startswith(ns) and len(iri) > len(ns):
                found.append(f"{prefix}:{iri[len(ns):]}")
        return found

    def line_of(self, path: Path, iri: str | None = None, text: str | None = None) -> int:
        forms = self.forms(path, iri) if iri else [text]
        patterns = [re.compile(_BEFORE_NAME + re.escape(f) + _AFTER_NAME) if not f.startswith("<")
                    else re.compile(re.escape(f)) for f in forms if f]
        lines = self.lines.get(path, [])
        for subject_first in (True, False):
            for number, line in enumerate(lines, 1):
                stripped = line.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                for pattern in patterns:
                    match = pattern.search(line)
                    if match and (not subject_first or line[: match.start()].strip() == ""):
                        return number
        return 0

    def where(self, iri: str, rule: str = "") -> tuple[str, int]:
        node = URIRef(iri)
        if rule == "class_and_property":  # point at the second declaration: the one as a property
            for path in self.paths:
                graph = self.graphs.get(path)
                if graph is not None and any((node, RDF.type, t) in graph for t in PROPERTY_TYPES):
                    lines = self.lines.get(path, [])
                    for number, line in enumerate(lines, 1):
                        if "Property" in line and any(f in line for f in self.forms(path, iri)):
                            return str(path), number
        for test in (lambda g: (node, RDF.type, None) in g, lambda g: (node, None, None) in g,
                     lambda g: (None, None, node) in g or (None, node, None) in g):
            for path in self.paths:
                graph = self.graphs.get(path)
                if graph is not None and test(graph):
                    return str(path), self.line_of(path, iri)
        return "", 0

    def place(self, finding: Finding, merged: Graph) -> Finding:
        if finding.file and finding.line:
            return finding
        if finding.file:  # a finding made from one file (a misspelt term): find its words there
            path = Path(finding.file)
            line = self.line_of(path, text=finding.term) if finding.term else 0
            return replace(finding, line=line)
        candidates = [finding.term] + re.findall(r"(?:[a-z][\w-]*:[\w-]+|https?://\S+)", finding.message)
        for candidate in candidates:
            iri = _expand(candidate.rstrip(".,;)>").lstrip("<"), merged)
            if iri:
                file, line = self.where(iri, finding.rule)
                if file:
                    term = finding.term
                    if term and term.startswith(("http://", "https://")):
                        term = _curie(merged, term)
                    return replace(finding, file=file, line=line, term=term)
        return finding


def _expand(text: str, graph: Graph) -> str | None:
    if not text:
        return None
    if text.startswith(("http://", "https://")):
        return text
    prefix, sep, local = text.partition(":")
    if not sep:
        return None
    for known, ns in (("kg", KG), ("v", V), ("doctrine", DOCTRINE)):
        if prefix == known:
            return ns + local
    for bound, ns in graph.namespaces():
        if bound == prefix:
            return str(ns) + local
    return None


def _curie(graph: Graph, iri: str) -> str:
    best = ("", "")
    for prefix, ns in graph.namespaces():
        ns = str(ns)
        if prefix and iri.startswith(ns) and len(ns) > len(best[1]) and len(iri) > len(ns):
            best = (prefix, ns)
    return f"{best[0]}:{iri[len(best[1]):]}" if best[0] else iri


def _relative(path: str) -> str:
    """A path relative to the working directory when it lies below it (as people type them), else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def _readable(finding: Finding, graph: Graph) -> Finding:
    """Full IRIs in a finding's term, message and fix written as prefixed names where a file binds the prefix."""
    spaces = sorted(((p, str(ns)) for p, ns in graph.namespaces() if p), key=lambda pn: -len(pn[1]))

    def shorten(text: str) -> str:
        def one(match):
            iri = match.group(0)
            for prefix, ns in spaces:
                if iri.startswith(ns) and re.fullmatch(r"[\w\-]+", iri[len(ns):]):
                    return f"{prefix}:{iri[len(ns):]}"
            return iri
        return re.sub(r"(?<![<\w])https?://[^\s<>`'\"),;]+", one, text)

    return replace(finding, term=shorten(finding.term), message=shorten(finding.message), fix=shorten(finding.fix))


# -- `kg lint` ------------------------------------------------------------------------------------------------
import click  # noqa: E402

from .cli import reports_errors as _reports_errors  # noqa: E402  (graph.cli imports its commands lazily)


@click.command("lint")
@click.option("--ontology", "ontology_dirs", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also lint this extension folder kept outside the repository. Repeatable.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors and warnings only, not the info findings.")
@_reports_errors
def lint_command(ontology_dirs, quiet):
    """Lint the ontology: the core, every extension, their shapes; exit 1 on an error.

    In the spirit of ROBOT's report and the OOPS! pitfall catalogue, offline: a file that does not parse; a
    missing label, comment or definition; duplicate labels; a term used but never declared; a misspelt term of a
    standard vocabulary (skos:prefLable); a property without domain or range; an inverse declared one way only; a
    subclass cycle; a term both class and property; an ontology without owl:Ontology, versionIRI or licence.
    Each finding names the file and line, the term, the rule and the fix. Levels are ROBOT's: ERROR (exit 1),
    WARN and INFO (exit 0).

    \b
    Example:
        kg lint
        kg lint --ontology ~/my-extensions/treaties
    """
    from .errors import CheckFailed
    from .ontology import Ontology

    findings = lint_ontology(Ontology(extra_extension_dirs=list(ontology_dirs)))
    shown = [f for f in findings if not (quiet and f.severity == INFO)]
    click.echo(report(shown))
    if has_errors(findings):
        errors = sum(1 for f in findings if f.severity == ERROR)
        raise CheckFailed(f"the ontology has {errors} lint error(s), listed above with their fixes")
