"""Load the ontology modules (core, vocabularies, doctrines, shapes, extensions) and index their terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .errors import InputError
from .ns import DOCTRINE, KG, ONTOLOGY_IRI, V, bind_all

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
SHAPES_FILE = "shapes.ttl"


def parse_turtle(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one Turtle file, turning a syntax error into an InputError naming the file and line."""
    graph = graph if graph is not None else Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several types for bad Turtle
        line, why = getattr(exc, "lines", None), getattr(exc, "_why", None)  # rdflib's BadSyntax: 0-based line
        if isinstance(line, int) and why:
            raise InputError(f"{path}:{line + 1}: not valid Turtle: {why}; fix that line or the statement before it "
                             "(every statement ends with ' .')") from None
        raise InputError(f"{path}: not valid Turtle: {exc}".replace("\n", " ")) from None
    return graph


def parse_all(paths) -> Graph:
    """Parse Turtle files into one graph with the project's prefixes bound."""
    graph = Graph()
    bind_all(graph)
    for path in paths:
        parse_turtle(path, graph)
    return graph


@dataclass
class Ontology:
    """The core modules plus every extension folder, as one rdflib graph and one shapes graph."""

    directories: list[Path] = field(default_factory=lambda: [ONTOLOGY_DIR])
    extra_extension_dirs: list[Path] = field(default_factory=list)

    @cached_property
    def files(self) -> list[Path]:
        files: list[Path] = []
        for directory in self.directories:
            files += sorted(p for p in directory.glob("*.ttl") if p.name != SHAPES_FILE)
            for ext in self.extension_dirs_in(directory):
                files += sorted(p for p in ext.glob("*.ttl") if not p.name.endswith(SHAPES_FILE))
        for ext in self.extra_extension_dirs:
            files += sorted(p for p in Path(ext).rglob("*.ttl") if not p.name.endswith(SHAPES_FILE))
        return files

    @cached_property
    def shape_files(self) -> list[Path]:
        files: list[Path] = []
        for directory in self.directories:
            files += sorted(directory.glob(SHAPES_FILE))
            for ext in self.extension_dirs_in(directory):
                files += sorted(ext.glob("*" + SHAPES_FILE))
        for ext in self.extra_extension_dirs:
            files += sorted(Path(ext).rglob("*" + SHAPES_FILE))
        return files

    @staticmethod
    def extension_dirs_in(directory: Path) -> list[Path]:
        root = directory / "extensions"
        return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []

    @cached_property
    def graph(self) -> Graph:
        return parse_all(self.files)

    @cached_property
    def shapes(self) -> Graph:
        return parse_all(self.shape_files)

    @cached_property
    def version(self) -> str:
        value = self.graph.value(ONTOLOGY_IRI, OWL.versionInfo)
        return str(value) if value is not None else "unversioned"

    @cached_property
    def classes(self) -> dict[str, URIRef]:
        """Every declared class by local name and by prefixed name (kg:Person, courts:Court)."""
        index: dict[str, URIRef] = {}
        prefixes = {str(ns): p for p, ns in self.graph.namespaces()}
        for cls in set(self.graph.subjects(RDF.type, OWL.Class)) | set(self.graph.subjects(RDF.type, RDFS.Class)):
            if not isinstance(cls, URIRef):
                continue
            ns, local = _split(cls)
            if ns in prefixes:
                index[f"{prefixes[ns]}:{local}"] = cls
            if ns == str(KG) or local not in index:
                index.setdefault(local, cls)
                if ns == str(KG):
                    index[local] = cls
        return index

    @cached_property
    def properties(self) -> dict[str, URIRef]:
        index: dict[str, URIRef] = {}
        prefixes = {str(ns): p for p, ns in self.graph.namespaces()}
        kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.AnnotationProperty)
        for kind in kinds:
            for prop in self.graph.subjects(RDF.type, kind):
                if isinstance(prop, URIRef):
                    ns, local = _split(prop)
                    if ns in prefixes:
                        index[f"{prefixes[ns]}:{local}"] = prop
                    index.setdefault(local, prop)
        return index

    def is_object_property(self, prop: URIRef) -> bool:
        return (prop, RDF.type, OWL.ObjectProperty) in self.graph

    def subclass_of(self, cls: URIRef, parent: URIRef) -> bool:
        """Is ``parent`` ``cls`` or one of its superclasses? Each class's are read once (a generated article asks
        about 15 times, about 0.3 ms in all), like ``scheme_values``: the ontology is not changed once loaded."""
        supers = self._supers.get(cls)
        if supers is None:
            supers = self._supers[cls] = frozenset(self.graph.transitive_objects(cls, RDFS.subClassOf))
        return parent in supers

    def scheme_values(self, scheme: str) -> dict[str, URIRef]:
        """The concepts of a v: scheme by their local id (``modalities`` -> {certain: v:certain, ...}); read once
        per scheme (an article asks about 20 times), like ``doctrines``: the ontology is not changed once loaded."""
        if scheme not in self._schemes:
            self._schemes[scheme] = {
                str(c)[len(str(V)):]: c
                for c in self.graph.subjects(SKOS.inScheme, V[scheme])
                if str(c).startswith(str(V))
            }
        return self._schemes[scheme]

    @cached_property
    def _schemes(self) -> dict[str, dict[str, URIRef]]:
        return {}

    @cached_property
    def _supers(self) -> dict[URIRef, frozenset]:
        return {}

    @cached_property
    def doctrines(self) -> dict[str, URIRef]:
        return {
            str(c)[len(str(DOCTRINE)):]: c
            for c in set(self.graph.subjects(RDF.type, SKOS.Concept)) | set(self.graph.subjects(RDF.type, KG.LegalDoctrine))
            if str(c).startswith(str(DOCTRINE)) and str(c) != str(DOCTRINE) + "scheme"
        }


def _split(iri: URIRef) -> tuple[str, str]:
    text = str(iri)
    cut = max(text.rfind("#"), text.rfind("/"))
    return text[: cut + 1], text[cut + 1 :]
