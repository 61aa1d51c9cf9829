"""`kg build`: article folders -> validated named graphs in the store, graph.trig and graph.html."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from .annotation import article_graph, input_hash, read_article
from .errors import CheckFailed, InputError
from .ns import GR, KG, ONTOLOGY_GRAPH, ONTOLOGY_IRI, article_graph as graph_name
from .ontology import ROOT, Ontology
from .shacl import validate
from .store import TRIG_FILE, open_store

ARTICLES_DIR = ROOT / "articles"


def default_article_dirs(root: Path = ARTICLES_DIR) -> list[Path]:
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith(".")) if Path(root).is_dir() else []


@dataclass
class BuildReport:
    articles: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    triples: int = 0
    actors: int = 0
    statements: int = 0
    store: str = ""
    outputs: list[Path] = field(default_factory=list)


def prepare(directories: list[Path], ontology: Ontology) -> list[tuple]:
    """Read, convert and SHACL-validate every article; raise before anything is written."""
    prepared, problems = [], []
    slugs = {}
    for directory in directories:
        article = read_article(directory)
        if article.slug in slugs:
            raise InputError(f"{directory}: the slug `{article.slug}` is also the folder {slugs[article.slug]}")
        slugs[article.slug] = directory
        graph = article_graph(article, ontology)
        violations = validate(graph, ontology.shapes, ontology.graph)
        if violations:
            problems.append((article, violations))
            continue
        digest = input_hash(article, ontology.version)
        graph.add((article.iri, KG.inputHash, Literal(digest)))
        graph.add((article.iri, KG.ontologyVersion, Literal(ontology.version)))
        prepared.append((article, graph, digest))
    if problems:
        lines = []
        for article, violations in problems:
            lines.append(f"{article.annotation_path}: the graph does not conform to the shapes ({len(violations)} problem(s)):")
            lines += [f"  {v}" for v in violations]
        raise CheckFailed("\n".join(lines))
    return prepared


def build(directories: list[Path] | None = None, store_spec: str | Path = "out", ontology: Ontology | None = None,
          html: bool = True, prune: bool | None = None, force: bool = False) -> BuildReport:
    """Build the graph. ``prune`` removes article graphs whose folder is gone (default: when building all)."""
    ontology = ontology or Ontology()
    all_articles = directories is None
    directories = default_article_dirs() if directories is None else [Path(d) for d in directories]
    if not directories:
        raise InputError("no article folders to build: add one under articles/ or name one on the command line")
    prepared = prepare(directories, ontology)
    report = BuildReport(store=str(store_spec))
    store = open_store(store_spec)
    try:
        onto = stable_blank_nodes(ontology.graph)
        onto.add((ONTOLOGY_IRI, KG.ontologyVersion, Literal(ontology.version)))
        if force or store.input_hash(ONTOLOGY_GRAPH, ONTOLOGY_IRI) != _graph_digest(ontology):
            onto.add((ONTOLOGY_IRI, KG.inputHash, Literal(_graph_digest(ontology))))
            store.replace_graph(ONTOLOGY_GRAPH, onto)
        keep = {ONTOLOGY_GRAPH, GR["inferred"]}
        for article, graph, digest in prepared:
            name = graph_name(article.slug)
            keep.add(name)
            report.articles.append(article.slug)
            if force or store.input_hash(name, article.iri) != digest:
                store.replace_graph(name, graph)
                report.rebuilt.append(article.slug)
        if prune if prune is not None else all_articles:
            for name in store.graphs():
                if str(name).startswith(str(GR["article/"])) and name not in keep:
                    store.remove_graph(name)
                    report.removed.append(str(name)[len(str(GR["article/"])):])
        store.flush()
        report.triples = store.triple_count()
        counts = store.query(
            "PREFIX kg: <%s> SELECT (COUNT(DISTINCT ?a) AS ?actors) (COUNT(DISTINCT ?s) AS ?statements) WHERE {"
            " { ?a a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* kg:Actor } UNION { ?s a kg:Statement } }" % KG
        ).rows[0]
        report.actors, report.statements = int(counts["actors"]), int(counts["statements"])
        if getattr(store, "directory", None) is not None:
            trig = store.directory / TRIG_FILE
            store.export_trig(trig)
            report.outputs.append(trig)
            if html:
                from .html import write_html

                page = store.directory / "graph.html"
                write_html(store, page)
                report.outputs.append(page)
    finally:
        store.close()
    return report


def stable_blank_nodes(graph: Graph) -> Graph:
    """Replace blank nodes (OWL lists in the ontology) by IRIs derived from the graph's canonical form.

    A blank node gets a new random id each time Turtle is parsed or data is inserted; skolemizing the canonical
    graph gives the same IRIs on every build, so the output is byte-for-byte stable.
    """
    from rdflib.compare import to_canonical_graph

    canonical = to_canonical_graph(graph)
    result = Graph()
    for triple in canonical.skolemize(authority="https://w3id.org", basepath="/legal-news-kg/.well-known/genid/"):
        result.add(triple)
    return result


def _graph_digest(ontology: Ontology) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in ontology.files:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


__all__ = ["build", "prepare", "BuildReport", "default_article_dirs", "RDF"]
