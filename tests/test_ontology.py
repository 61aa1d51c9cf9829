"""The ontology modules (core, vocabularies, doctrines) and shapes: they parse, they lint clean, and they say what
docs/design.md and the annotation format need. The lint itself (graph/lint.py) is tested on small broken graphs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from graph.lint import ERROR, Finding, lint

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
MODULES = ["core.ttl", "vocab.ttl", "doctrines.ttl"]

KG = Namespace("https://w3id.org/legal-news-kg/ontology#")
V = Namespace("https://w3id.org/legal-news-kg/vocab/")
DOCTRINE = Namespace("https://w3id.org/legal-news-kg/doctrine/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
ONTOLOGY_IRI = URIRef("https://w3id.org/legal-news-kg/ontology")

CLASSES = [
    "Actor", "Person", "Organization", "State", "Government", "CollectiveActor", "UnnamedActor", "PersonGroup",
    "Post", "Place", "Facility", "Event", "ProposedAction", "Offer", "LegalDoctrine", "LegalCondition",
    "Statement", "Utterance", "Mention", "LegalPosition", "Article", "Curator", "Extractor",
]
OBJECT_PROPERTIES = [
    "mentionedIn", "evidence", "locatedIn", "operatedBy", "includesGroup", "place", "participant", "actionType",
    "actionAgent", "covers", "destination", "facility", "offeredBy", "onBehalfOf", "offeredTo", "conveyedBy",
    "occasion", "coversAction", "offerStatus", "conditionKind", "setsCondition", "conditionOf", "speaker",
    "inArticle", "audience", "about", "partOfUtterance", "quotedWithin", "anchor", "holder", "legalityView",
    "modality", "stance", "onAction", "restsOnDoctrine",
]
DATATYPE_PROPERTIES = [
    "slug", "date", "dateText", "conveyedOn", "speakerUnknown", "quote", "sequence", "saidOn", "inputHash",
    "ontologyVersion",
]
SCHEMES = {
    "legality-views": {"unconstitutional", "illegal", "possible-under-conditions", "uncertain", "would-act-if-legal",
                       "legal", "grave-concerns"},
    "modalities": {"certain", "conditional", "hedged"},
    "stances": {"supports", "opposes", "undecided"},
    "offer-statuses": {"under-study", "no-plan-in-motion", "accepted", "rejected", "withdrawn"},
    "action-types": {"deportation", "incarceration-abroad", "transfer", "extradition", "acceptance-of-prisoners",
                     "outsourcing"},
    "condition-kinds": {"requirement", "prohibition", "exception"},
}
SEED_DOCTRINES = [
    "citizen-non-deportation", "extradition", "safe-third-country-transfer", "non-refoulement",
    "congressional-safeguards", "constitutional-limits", "due-process",
]


@pytest.fixture(scope="module")
def onto() -> Graph:
    graph = Graph()
    for name in MODULES:
        graph.parse(ONTOLOGY_DIR / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


# ------------------------------------------------------------------------------------------------ the files


@pytest.mark.parametrize("name", MODULES + ["shapes.ttl"])
def test_module_parses(name):
    graph = Graph().parse(ONTOLOGY_DIR / name, format="turtle")
    assert len(graph) > 0


def test_lint_finds_nothing(onto, shapes):
    findings = lint(onto, shapes)
    assert findings == [], "\n".join(map(str, findings))


def package_version() -> str:
    """The package version, written in pyproject.toml by scripts/set_version.py (the one place to change it)."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def test_exactly_one_ontology_with_its_metadata(onto):
    assert list(onto.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    version = onto.value(ONTOLOGY_IRI, OWL.versionInfo)
    assert version == Literal(package_version()), "run scripts/set_version.py to change the version everywhere"
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{package_version()}")
    assert onto.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert onto.value(ONTOLOGY_IRI, prop) is not None, prop


# ------------------------------------------------------------------------------------------------ core terms


@pytest.mark.parametrize("name", CLASSES)
def test_class_is_declared(onto, name):
    assert (KG[name], RDF.type, OWL.Class) in onto


@pytest.mark.parametrize("name", OBJECT_PROPERTIES)
def test_object_property_is_declared(onto, name):
    assert (KG[name], RDF.type, OWL.ObjectProperty) in onto
    assert (KG[name], RDF.type, OWL.DatatypeProperty) not in onto


@pytest.mark.parametrize("name", DATATYPE_PROPERTIES)
def test_datatype_property_is_declared(onto, name):
    assert (KG[name], RDF.type, OWL.DatatypeProperty) in onto
    assert (KG[name], RDF.type, OWL.ObjectProperty) not in onto


def test_every_kg_term_in_the_design_is_declared(onto):
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    names = set(re.findall(r"\bkg:([A-Za-z][A-Za-z0-9]*)", design))
    assert names, "docs/design.md names no kg: terms?"
    missing = sorted(n for n in names if (KG[n], RDF.type, None) not in onto)
    assert missing == []


@pytest.mark.parametrize("sub, sup", [
    (KG.Actor, PROV.Agent), (KG.Person, SCHEMA.Person), (KG.Organization, ORG.Organization),
    (KG.Organization, SCHEMA.Organization), (KG.Post, ORG.Post), (KG.Place, SCHEMA.Place),
    (KG.Event, SCHEMA.Event), (KG.Event, PROV.Activity), (KG.ProposedAction, SCHEMA.Action),
    (KG.LegalDoctrine, SKOS.Concept), (KG.Statement, SCHEMA.Quotation), (KG.Statement, PROV.Entity),
    (KG.LegalPosition, SCHEMA.Claim), (KG.Article, SCHEMA.NewsArticle), (KG.Curator, PROV.Agent),
    (KG.Extractor, PROV.SoftwareAgent), (KG.PersonGroup, KG.CollectiveActor), (KG.CollectiveActor, KG.Actor),
    (KG.Facility, KG.Place),
])
def test_class_alignment(onto, sub, sup):
    assert sup in set(onto.transitive_objects(sub, RDFS.subClassOf))


@pytest.mark.parametrize("sub, sup", [
    (KG.evidence, PROV.wasDerivedFrom), (KG.speaker, PROV.wasAttributedTo), (KG.offeredBy, PROV.wasAttributedTo),
    (KG.quote, SCHEMA.text), (KG.locatedIn, SCHEMA.containedInPlace), (KG.about, SCHEMA.about),
    (KG.inArticle, SCHEMA.isPartOf),
])
def test_property_alignment(onto, sub, sup):
    assert (sub, RDFS.subPropertyOf, sup) in onto


def test_condition_of_and_sets_condition_are_inverses_both_ways(onto):
    assert (KG.conditionOf, OWL.inverseOf, KG.setsCondition) in onto
    assert (KG.setsCondition, OWL.inverseOf, KG.conditionOf) in onto


def test_roles_are_prov_roles(onto):
    for role in (KG.CuratorRole, KG.ExtractorRole):
        assert (role, RDF.type, PROV.Role) in onto


def test_dates_are_xsd_dates(onto):
    xsd_date = URIRef("http://www.w3.org/2001/XMLSchema#date")
    for prop in (KG.date, KG.saidOn, KG.conveyedOn):
        assert onto.value(prop, RDFS.range) == xsd_date


# ------------------------------------------------------------------------------------------------ vocabularies


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_scheme_has_exactly_the_values_of_the_annotation_format(onto, scheme):
    assert (V[scheme], RDF.type, SKOS.ConceptScheme) in onto
    values = {str(c)[len(str(V)):] for c in onto.subjects(SKOS.inScheme, V[scheme])}
    assert values == SCHEMES[scheme]
    for value in values:
        concept = V[value]
        assert (concept, RDF.type, SKOS.Concept) in onto
        assert (concept, SKOS.topConceptOf, V[scheme]) in onto
        assert onto.value(concept, SKOS.prefLabel) is not None
        assert onto.value(concept, SKOS.definition) is not None


def doctrines(onto):
    return sorted(c for c in onto.subjects(RDF.type, KG.LegalDoctrine))


def test_seed_doctrines_exist(onto):
    for ident in SEED_DOCTRINES:
        assert (DOCTRINE[ident], RDF.type, KG.LegalDoctrine) in onto, ident
        assert (DOCTRINE[ident], RDF.type, SKOS.Concept) in onto, ident


def test_every_doctrine_is_documented_and_findable(onto):
    assert len(doctrines(onto)) >= 15
    for concept in doctrines(onto):
        assert str(concept).startswith(str(DOCTRINE))
        assert onto.value(concept, SKOS.prefLabel) is not None, concept
        assert onto.value(concept, SKOS.definition) is not None, concept
        assert (concept, SKOS.inScheme, DOCTRINE.scheme) in onto, concept
        assert len(set(onto.objects(concept, SKOS.altLabel))) >= 3, f"{concept}: give several alternative labels"


def test_doctrine_hierarchy(onto):
    tops = set(onto.objects(DOCTRINE.scheme, SKOS.hasTopConcept))
    assert {DOCTRINE["constitutional-law"], DOCTRINE["immigration-law"],
            DOCTRINE["international-human-rights-law"]} <= tops
    for concept in doctrines(onto):
        if concept not in tops:
            assert onto.value(concept, SKOS.broader) is not None, f"{concept} hangs outside the hierarchy"
    assert DOCTRINE["constitutional-limits"] in set(onto.transitive_objects(DOCTRINE["due-process"], SKOS.broader))
    assert DOCTRINE["removal"] in set(onto.objects(DOCTRINE["safe-third-country-transfer"], SKOS.broader))


def test_broader_and_narrower_are_symmetric(onto):
    for a, b in onto.subject_objects(SKOS.broader):
        assert (b, SKOS.narrower, a) in onto, (a, b)
    for a, b in onto.subject_objects(SKOS.narrower):
        assert (b, SKOS.broader, a) in onto, (a, b)


def test_the_seed_articles_doctrine_words_find_their_doctrines(onto):
    """The doctrine labels find the doctrines the seed article invokes, in its own words."""
    text = (ROOT / "articles" / "npr-2025-02-05-el-salvador-prisons" / "article.txt").read_text(encoding="utf-8")
    lowered = text.lower()
    found = {concept for concept in doctrines(onto)
             for label in list(onto.objects(concept, SKOS.altLabel)) + list(onto.objects(concept, SKOS.prefLabel))
             if str(label).lower() in lowered}
    for ident in SEED_DOCTRINES:
        assert DOCTRINE[ident] in found, ident


# ------------------------------------------------------------------------------------------------ the lint


HEADER = """
@prefix kg: <https://w3id.org/legal-news-kg/ontology#> .
@prefix doctrine: <https://w3id.org/legal-news-kg/doctrine/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/legal-news-kg/ontology> a owl:Ontology ;
    owl:versionIRI <https://w3id.org/legal-news-kg/ontology/1.0.0> ; owl:versionInfo "1.0.0" ;
    dcterms:title "t" ; dcterms:description "d" ; dcterms:creator "c" ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
"""


def documented(term: str, kind: str = "owl:Class", extra: str = "") -> str:
    return (f"{term} a {kind} ; rdfs:label \"x\" ; rdfs:comment \"x\" ;\n"
            f"    rdfs:isDefinedBy <https://w3id.org/legal-news-kg/ontology> {extra}.\n")


def lint_of(turtle: str, shapes: str | None = None) -> list[Finding]:
    graph = Graph().parse(data=HEADER + turtle, format="turtle")
    shapes_graph = Graph().parse(data=HEADER.split("<https://w3id.org/legal-news-kg/ontology> a")[0] + shapes,
                                 format="turtle") if shapes else None
    return lint(graph, shapes_graph)


def messages(findings: list[Finding]) -> str:
    return "\n".join(str(f) for f in findings)


def test_lint_accepts_a_minimal_clean_ontology():
    assert lint_of(documented("kg:A") + documented("kg:B", extra="; rdfs:subClassOf kg:A ")) == []


def test_lint_reports_an_undeclared_term_used_in_the_ontology():
    findings = lint_of(documented("kg:B", extra="; rdfs:subClassOf kg:Missing "))
    assert any(f.term == "kg:Missing" and "not declared" in f.message and f.severity == ERROR for f in findings)


def test_lint_reports_an_undeclared_term_used_in_the_shapes():
    shapes = ("@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
              "<urn:s> a sh:NodeShape ; sh:targetClass kg:A ; sh:property [ sh:path kg:typo ] .\n")
    findings = lint_of(documented("kg:A"), shapes)
    assert [f.term for f in findings] == ["kg:typo"]
    assert "shapes" in findings[0].message


def test_lint_ignores_standard_vocabularies():
    assert lint_of(documented("kg:A", extra="; rdfs:subClassOf prov:Agent, <https://schema.org/Person> ")) == []


def test_lint_reports_missing_documentation():
    findings = lint_of("kg:A a owl:Class .\nkg:p a owl:ObjectProperty ; rdfs:label \"p\" .\n")
    text = messages(findings)
    for expected in ("kg:A: class has no rdfs:label", "kg:A: class has no rdfs:comment",
                     "kg:A: class has no rdfs:isDefinedBy", "kg:p: property has no rdfs:comment"):
        assert expected in text


def test_lint_checks_an_extension_like_the_core():
    extension = """
<https://example.org/ext> a owl:Ontology ; owl:versionIRI <https://example.org/ext/1.0> ; owl:versionInfo "1.0" ;
    dcterms:title "x" ; dcterms:creator "c" ; dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    <http://purl.org/vocab/vann/preferredNamespaceUri> "https://example.org/ext#" .
<https://example.org/ext#Court> a owl:Class ; rdfs:label "court" ; rdfs:comment "c" ;
    rdfs:isDefinedBy <https://example.org/ext> ; rdfs:subClassOf <https://example.org/ext#Body> .
"""
    text = messages(lint_of(extension))
    assert "https://example.org/ext: the ontology has no dcterms:description" in text
    assert "https://example.org/ext#Body: used in the ontology but not declared" in text
    assert "exactly one" not in text


def test_lint_reports_a_subclass_cycle():
    findings = lint_of(documented("kg:A", extra="; rdfs:subClassOf kg:C ") + documented("kg:B", extra="; rdfs:subClassOf kg:A ")
                       + documented("kg:C", extra="; rdfs:subClassOf kg:B "))
    cyclic = {f.term for f in findings if "own ancestor" in f.message}
    assert cyclic == {"kg:A", "kg:B", "kg:C"}


def test_lint_reports_a_class_below_disjoint_classes():
    findings = lint_of(documented("kg:A", extra="; owl:disjointWith kg:B ") + documented("kg:B")
                       + documented("kg:C", extra="; rdfs:subClassOf kg:A, kg:B "))
    assert any(f.term == "kg:C" and "disjoint" in f.message for f in findings)


def test_lint_reports_a_one_way_inverse():
    findings = lint_of(documented("kg:p", "owl:ObjectProperty", "; owl:inverseOf kg:q ")
                       + documented("kg:q", "owl:ObjectProperty"))
    assert any("owl:inverseOf" in f.message for f in findings)


def test_lint_reports_a_property_that_is_both_object_and_datatype():
    findings = lint_of(documented("kg:p", "owl:ObjectProperty, owl:DatatypeProperty"))
    assert any("both" in f.message for f in findings)


@pytest.mark.parametrize("header_line", ["owl:versionIRI", "dcterms:title", "dcterms:description", "dcterms:license"])
def test_lint_reports_missing_ontology_metadata(header_line):
    graph = Graph().parse(data=HEADER, format="turtle")
    prop = graph.namespace_manager.expand_curie(header_line)
    graph.remove((ONTOLOGY_IRI, prop, None))
    findings = lint(graph)
    assert any(header_line in f.message for f in findings), messages(findings)


def test_lint_reports_a_missing_core_ontology_and_a_wrong_version_iri():
    graph = Graph().parse(data=HEADER, format="turtle")
    graph.remove((ONTOLOGY_IRI, None, None))
    assert any("exactly one owl:Ontology" in f.message for f in lint(graph))
    graph = Graph().parse(data=HEADER, format="turtle")
    graph.set((ONTOLOGY_IRI, OWL.versionInfo, Literal("2.0.0")))
    assert any("versionIRI" in f.message for f in lint(graph))


def test_lint_reports_skos_problems():
    findings = lint_of("""
doctrine:scheme a skos:ConceptScheme ; skos:hasTopConcept doctrine:a .
doctrine:a a kg:LegalDoctrine, skos:Concept ; skos:prefLabel "a"@en, "A"@en ; skos:definition "d" ;
    skos:inScheme doctrine:scheme ; skos:topConceptOf doctrine:scheme ; skos:altLabel "same" .
doctrine:b a kg:LegalDoctrine, skos:Concept ; skos:prefLabel "b"@en ; skos:inScheme doctrine:scheme ;
    skos:broader doctrine:a ; skos:related doctrine:a ; skos:altLabel "Same" .
kg:LegalDoctrine a owl:Class ; rdfs:label "l" ; rdfs:comment "c" ;
    rdfs:isDefinedBy <https://w3id.org/legal-news-kg/ontology> .
""")
    text = messages(findings)
    assert "doctrine:a: concept has more than one skos:prefLabel in one language" in text
    assert "doctrine:b: concept has no skos:definition" in text
    assert "doctrine:b: skos:broader doctrine:a without doctrine:a skos:narrower doctrine:b" in text
    assert "doctrine:b: skos:related doctrine:a without doctrine:a skos:related doctrine:b" in text
    assert "doctrine:b: skos:related doctrine:a is also broader or narrower" in text
    assert "names several doctrines" in text


def test_finding_reads_as_a_line():
    assert str(Finding(ERROR, "kg:A", "class has no rdfs:label")) == "error: kg:A: class has no rdfs:label"


def test_vocabulary_terms_are_one_object_each_and_str_methods_stay():
    """graph/ns.py: KG.quote is made once (and kept as an attribute), the same object intern() gives for its IRI;
    names that are str methods or rdflib's Namespace properties keep their meaning."""
    from graph.ns import KG, intern

    assert KG.quote is KG.quote is KG["quote"] is intern(URIRef(str(KG) + "quote"))
    assert KG.count("o") == str(KG).count("o")
    assert KG.title == URIRef(str(KG) + "title")
    assert intern(RDF.type) is RDF.type and intern(URIRef(str(RDF.type))) is RDF.type
    assert intern(Literal("x")) == Literal("x") and KG.quote in KG and KG == str(KG)


def test_subclass_of_follows_the_hierarchy_and_reads_it_once():
    from graph.ns import KG
    from graph.ontology import Ontology

    ontology = Ontology()
    assert ontology.subclass_of(KG.Person, KG.Actor) and ontology.subclass_of(KG.Person, KG.Person)
    assert not ontology.subclass_of(KG.Actor, KG.Person)
    assert ontology.subclass_of(KG.Person, KG.Actor)
    assert KG.Person in ontology._supers and len(ontology._supers) == 2
