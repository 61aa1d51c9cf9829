"""Namespaces and IRI minting (docs/design.md is the contract)."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/legal-news-kg/"
KG = Namespace(BASE + "ontology#")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
V = Namespace(BASE + "vocab/")
DOCTRINE = Namespace(BASE + "doctrine/")
ID = Namespace(BASE + "id/")
GR = Namespace(BASE + "graph/")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")

ONTOLOGY_GRAPH = GR["ontology"]
INFERRED_GRAPH = GR["inferred"]
CURATOR = ID["agent/curator"]
EXTRACTOR = ID["agent/extractor"]

PREFIXES = {
    "kg": str(KG),
    "v": str(V),
    "doctrine": str(DOCTRINE),
    "id": str(ID),
    "gr": str(GR),
    "kgsh": BASE + "shapes#",
    "schema": str(SCHEMA),
    "oa": str(OA),
    "prov": str(PROV),
    "org": str(ORG),
    "skos": str(SKOS),
    "time": str(TIME),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}


def article_graph(slug: str) -> URIRef:
    return GR[f"article/{slug}"]


def article_iri(slug: str) -> URIRef:
    return ID[f"article/{slug}"]


def bind_all(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


def sparql_prologue() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
