"""The ontology's modules, one by one: the core (ontology/*.ttl) and each extension folder.

`graph.ontology.Ontology` merges every module into one graph for the loader; the lint and the documentation need
them apart (which file declares a term, which module an owl:Ontology belongs to, which queries an extension ships).
The file lists here follow `Ontology.files` and `Ontology.shape_files` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .ontology import SHAPES_FILE, Ontology, parse_all

CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@dataclass
class Module:
    """One ontology module: the core, or one extension folder (its .ttl files, its shapes, its queries)."""

    name: str
    directory: Path
    files: list[Path]
    shape_files: list[Path] = field(default_factory=list)
    is_core: bool = False

    @property
    def queries_dir(self) -> Path | None:
        path = self.directory / "queries"
        return path if path.is_dir() else None

    @cached_property
    def graph(self) -> Graph:
        return parse_all(self.files)

    @cached_property
    def ontology_iri(self) -> URIRef | None:
        found = sorted(o for o in self.graph.subjects(RDF.type, OWL.Ontology) if isinstance(o, URIRef))
        return found[0] if found else None

    def header(self, prop: URIRef) -> str | None:
        if self.ontology_iri is None:
            return None
        value = self.graph.value(self.ontology_iri, prop)
        return str(value) if value is not None else None

    @cached_property
    def classes(self) -> list[URIRef]:
        return sorted({c for t in CLASS_TYPES for c in self.graph.subjects(RDF.type, t) if isinstance(c, URIRef)})

    @cached_property
    def properties(self) -> list[URIRef]:
        return sorted({p for t in PROPERTY_TYPES for p in self.graph.subjects(RDF.type, t) if isinstance(p, URIRef)})

    @cached_property
    def schemes(self) -> list[URIRef]:
        return sorted(s for s in self.graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef))

    @cached_property
    def declared(self) -> set[URIRef]:
        """Every IRI this module gives an rdf:type to (classes, properties, individuals, concepts, schemes)."""
        return {s for s in self.graph.subjects(RDF.type, None) if isinstance(s, URIRef)}


def modules(ontology: Ontology | None = None) -> list[Module]:
    """The core and every extension of ``ontology`` (default: the repository's), in the order they load."""
    ontology = ontology or Ontology()
    found: list[Module] = []
    for directory in ontology.directories:
        directory = Path(directory)
        found.append(Module(
            "core", directory,
            sorted(p for p in directory.glob("*.ttl") if p.name != SHAPES_FILE),
            sorted(directory.glob(SHAPES_FILE)), is_core=True,
        ))
        for ext in Ontology.extension_dirs_in(directory):
            found.append(Module(
                ext.name, ext,
                sorted(p for p in ext.glob("*.ttl") if not p.name.endswith(SHAPES_FILE)),
                sorted(ext.glob("*" + SHAPES_FILE)),
            ))
    for ext in ontology.extra_extension_dirs:
        ext = Path(ext)
        found.append(Module(
            ext.name, ext,
            sorted(p for p in ext.rglob("*.ttl") if not p.name.endswith(SHAPES_FILE)),
            sorted(ext.rglob("*" + SHAPES_FILE)),
        ))
    return found


# -- naming terms ---------------------------------------------------------------------------------------------
def curie(graph: Graph, term) -> str:
    """``courts:Court`` for a term whose namespace the graph binds, else ``<iri>``; literals as text."""
    if isinstance(term, Literal):
        return str(term)
    text = str(term)
    best = ""
    best_prefix = ""
    for prefix, ns in graph.namespaces():
        ns = str(ns)
        if prefix and text.startswith(ns) and len(ns) > len(best) and len(text) > len(ns):
            best, best_prefix = ns, prefix
    if best:
        return f"{best_prefix}:{text[len(best):]}"
    return f"<{text}>"


def label(graph: Graph, term, lang: str = "en") -> str:
    """The rdfs:label or skos:prefLabel of a term (English first), else its local name."""
    for prop in (RDFS.label, SKOS.prefLabel):
        values = list(graph.objects(term, prop))
        for value in sorted(values, key=lambda v: (getattr(v, "language", None) not in (lang, None), str(v))):
            return str(value)
    text = str(term)
    return text[max(text.rfind("#"), text.rfind("/")) + 1:] or text


def comment(graph: Graph, term) -> str:
    for prop in (RDFS.comment, SKOS.definition):
        value = graph.value(term, prop)
        if value is not None:
            return " ".join(str(value).split())
    return ""
