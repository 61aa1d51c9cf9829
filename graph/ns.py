"""Namespaces and IRI minting (docs/design.md is the contract)."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

_IRIS: dict[str, URIRef] = {}  # IRI text -> the one URIRef object kept for it (intern)


def intern(term):
    """The one URIRef object kept for this IRI (any other term as it is).

    rdflib compares two URIRef objects in Python (a type check and two str copies): a dictionary lookup that finds
    its key pays that unless the key is the very object looked up. The vocabularies' terms (below), rdflib's
    constants (RDF.type, RDFS.label ...) and the terms the SHACL engine reads (graph/shacl.py) are one object each,
    so an article's validation finds them by identity (about 1M comparisons for 400 articles otherwise)."""
    if type(term) is not URIRef:
        return term
    return _IRIS.setdefault(str(term), term)


class Vocabulary(Namespace):
    """A Namespace whose terms are made once, interned: ``KG.quote`` is the same URIRef object every time (rdflib
    makes a new one for each lookup, and an article's conversion looks up about 300). For the vocabularies, whose
    terms are few; not for ID, whose IRIs are minted without end."""

    def term(self, name: str) -> URIRef:
        if not isinstance(name, str):
            return Namespace.term(self, name)
        iri = str.__add__(self, name)
        made = _IRIS.get(iri)
        if made is None:
            made = _IRIS[iri] = URIRef(iri)
        return made

    def __getattr__(self, name: str) -> URIRef:
        # reached only for a name nothing else answers (not a str method): kept on the instance, the next
        # `KG.quote` is a plain attribute read, not a call of this method
        if name.startswith("__"):
            raise AttributeError(name)
        made = self.__dict__[name] = self.term(name)
        return made


for _namespace in (RDF, RDFS, OWL, XSD, SKOS, ORG, PROV, TIME, DCTERMS):  # rdflib's constants are the kept objects
    for _name in getattr(_namespace, "__annotations__", {}):
        intern(getattr(_namespace, _name))

BASE = "https://w3id.org/legal-news-kg/"
KG = Vocabulary(BASE + "ontology#")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
V = Vocabulary(BASE + "vocab/")
DOCTRINE = Namespace(BASE + "doctrine/")
ID = Namespace(BASE + "id/")
GR = Namespace(BASE + "graph/")
SCHEMA = Vocabulary("https://schema.org/")
OA = Vocabulary("http://www.w3.org/ns/oa#")

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
