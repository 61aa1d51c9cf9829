"""`kg build`: article folders -> validated named graphs in the store, graph.trig and graph.html."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from .annotation import input_hash
from .errors import InputError
from .hashcache import HashCache
from .ns import GR, KG, ONTOLOGY_GRAPH, ONTOLOGY_IRI, article_graph as graph_name
from .ontology import ROOT, Ontology
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
    inferred: int | None = None  # triples in gr:inferred after `--reason`
    store: str = ""
    outputs: list[Path] = field(default_factory=list)
    written_triples: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


EXPORT_LIMIT = 100_000  # graph.trig and graph.html are written by default up to this many triples in the store


def _digest(directory: Path, ontology_version: str) -> str | None:
    """The article's input hash from its files alone (no parsing); None when a file is missing."""
    from types import SimpleNamespace

    from .annotation import ANNOTATION_FILE, TEXT_FILE

    paths = SimpleNamespace(text_path=Path(directory) / TEXT_FILE, annotation_path=Path(directory) / ANNOTATION_FILE)
    try:
        return input_hash(paths, ontology_version)
    except OSError:
        return None


def prepare(directories: list[Path], ontology: Ontology, workers: int | None = None, progress=None,
            digests: dict | None = None) -> list:
    """Read, convert and SHACL-validate the articles (on all cores); raise before anything is written.

    Returns graph.parallel.Prepared items (slug, digest, N-Triples) in the order of ``directories``.
    """
    from .parallel import prepare_all, raise_failures

    return raise_failures(prepare_all(_jobs(directories, ontology, digests), ontology, workers, progress))


def _jobs(directories: list[Path], ontology: Ontology, digests: dict | None) -> list[tuple[Path, str]]:
    """(directory, input hash) for each article: the hashes the build has computed already (by directory), the
    others now."""
    digests = digests or {}
    return [(Path(d), (digests[d] if d in digests else _digest(d, ontology.version)) or "") for d in directories]


def _prepare_and_load(todo: list[Path], ontology: Ontology, workers: int | None, bar, writer, digests=None) -> list:
    """``prepare``, handing each article to the bulk ``writer`` as soon as the workers have it (its N-Triples are
    let go once loaded). An article that fails or does not conform stops the loading, and the store is emptied
    again before the same error as ``prepare``'s is raised: nothing is written. Returns the prepared articles."""
    from .parallel import Failed, iter_prepared, raise_failures

    jobs = _jobs(todo, ontology, digests)
    results, failed = [], False
    try:
        for item in iter_prepared(jobs, ontology, workers, bar):
            results.append(item)
            if isinstance(item, Failed) or item.problems:
                failed = True
            elif not failed:
                writer.add(graph_name(item.slug), item.ntriples, checked=True)  # written by store.ntriples
                item.ntriples = ""
        return raise_failures(results)
    except BaseException:
        writer.abandon()
        raise


def build(directories: list[Path] | None = None, store_spec: str | Path = "out", ontology: Ontology | None = None,
          html: bool | None = True, prune: bool | None = None, force: bool = False, trig: bool | None = None,
          workers: int | None = None, quiet: bool = True, reason: bool = False,
          listings: bool = False) -> BuildReport:
    """Build the graph. ``prune`` removes article graphs whose folder is gone (default: when building all).

    Incremental: an article whose input hash (its text, its annotation, the ontology version) is the one its
    graph in the store carries is not read again; a changed article's graph is replaced in one transaction.
    When the ontology files change, every article is validated and written again. ``html`` and ``trig``:
    True writes graph.html / graph.trig beside an on-disk store, False does not, None writes them while the
    store holds at most EXPORT_LIMIT triples (exporting a million triples takes longer than adding an article).
    ``quiet=False`` shows progress bars on stderr for long runs. The listings of the queries that list everything
    (graph/listings.py) are kept up to date when the build writes a few articles, dropped when it writes many;
    ``listings=True`` makes every one of them at the end (otherwise the first query after a full build does).
    """
    import time

    from .parallel import PARALLEL_FROM, Progress

    started = time.perf_counter()
    ontology = ontology or Ontology()
    from .lint import check_buildable

    check_buildable(ontology)  # an ontology file that does not parse, a subclass cycle: stop, naming file and line
    all_articles = directories is None
    directories = default_article_dirs() if directories is None else [Path(d) for d in directories]
    if not directories:
        raise InputError("no article folders to build: add one under articles/ or name one on the command line")
    slugs: dict[str, Path] = {}
    for directory in directories:
        slug = directory.resolve().name
        if slug in slugs:
            raise InputError(f"{directory}: the slug `{slug}` is also the folder {slugs[slug]}")
        slugs[slug] = directory
    report = BuildReport(store=str(store_spec))
    store = open_store(store_spec)
    try:
        stored = store.input_hashes()
        ontology_digest = _graph_digest(ontology)
        ontology_changed = stored.get(ONTOLOGY_GRAPH) != ontology_digest
        # by folder, handed to the workers; a folder whose files are unchanged since the last build is not read again
        cache = HashCache(getattr(store, "directory", None))
        digests = {d: cache.digest(d, ontology.version, lambda d=d: _digest(d, ontology.version))
                   for d in slugs.values()}
        todo = [d for slug, d in slugs.items()
                if force or ontology_changed or digests[d] is None or stored.get(graph_name(slug)) != digests[d]]
        report.articles = list(slugs)
        show = not quiet and len(todo) >= PARALLEL_FROM
        from . import listings as listed
        from .queries import named_queries

        prefix = str(GR["article/"])
        pruning = prune if prune is not None else all_articles
        gone = [name for name in sorted(stored) if pruning and str(name).startswith(prefix)
                and str(name)[len(prefix):] not in slugs]
        keeper = listed.Maintainer(store, named_queries(ontology), hashes=stored)
        # an edited listed query whose whole-store form was not checked again
        report.notes.extend(s.stale_form for _, s in sorted(keeper.all.items()) if s.stale_form)
        if force or ontology_changed or len(todo) + len(gone) > listed.MAINTAIN_AT_MOST:
            keeper.drop()
        # a first build (a store with no graph yet) writes through the bulk loader while the workers prepare
        writer = None if keeper.active or not hasattr(store, "bulk_writer") else store.bulk_writer(len(todo))
        bar = Progress(len(todo), "prepare", enabled=show)
        if writer is None:
            prepared = prepare(todo, ontology, workers, bar, digests)
        else:
            prepared = _prepare_and_load(todo, ontology, workers, bar, writer, digests)
        bar.close()
        report.seconds["prepare"] = time.perf_counter() - started
        written = time.perf_counter()
        if writer is not None:
            writer.finish(compact=False)  # compacted below, while the store's triples are counted
        else:
            bar = Progress(len(prepared), "write", enabled=show)
            if keeper.active:  # each write through the keeper, which notes what it changes
                for p in prepared:
                    keeper.replace(graph_name(p.slug), p.ntriples, p.digest)
                    bar.advance()
            else:
                store.replace_graphs(((graph_name(p.slug), p.ntriples) for p in prepared),
                                     done=lambda name: bar.advance())
            bar.close()
        if force or ontology_changed:  # after the articles: a build killed before this leaves the old ontology
            onto = stable_blank_nodes(ontology.graph)  # hash, so the next build still redoes every article
            onto.add((ONTOLOGY_IRI, KG.ontologyVersion, Literal(ontology.version)))
            onto.add((ONTOLOGY_IRI, KG.inputHash, Literal(ontology_digest)))
            store.replace_graph(ONTOLOGY_GRAPH, onto)
        report.rebuilt = [p.slug for p in prepared]
        report.written_triples = sum(p.triples for p in prepared)
        for name in gone:
            keeper.replace(name, None)
            report.removed.append(str(name)[len(prefix):])
        if reason:
            from .reason import materialise

            report.inferred = materialise(store).inferred
        else:
            from .reason import drop_inferred

            drop_inferred(store)
        store.flush()
        # the summary's counts (0.6-0.9 s at 1M triples, on one core) on a thread of their own while a first build
        # compacts what it bulk-loaded (one core too), or while the listings are made (the last leaves a core idle):
        # the store answers both at once
        with ThreadPoolExecutor(max_workers=1) as pool:
            counted = pool.submit(_counts, store) \
                if writer is not None or (listings and keeper.database is not None) else None
            made = time.perf_counter()
            # kept once their snapshot is published (below); the compaction makes the listings faster: the longest
            # are asked once it is done, the shortest on the other core meanwhile (by the time each took last; a
            # new store has none, so the last by name); a first build's listings seconds include the compaction.
            # 1M triples, `kg build --listings` on an empty store, five runs each, alternating with the compaction
            # before the listings: the write phase 11.0-12.4 -> 8.3-10.0 s
            keeper.finish(make_all=listings, workers=workers, meanwhile=writer.compact if writer is not None else None)
            if listings and keeper.database is None:
                report.notes.append("--listings: only a store on disk keeps listings; this one answers every "
                                    "query itself")
            elif listings and keeper.inferred:
                report.notes.append("--listings: none kept, since the store holds inferred triples (--reason); "
                                    "the queries are asked of it")
            elif listings:
                report.seconds["listings"] = time.perf_counter() - made
            report.seconds["write"] = time.perf_counter() - written
            report.triples, report.actors, report.statements = counted.result() if counted else _counts(store)
        if getattr(store, "directory", None) is not None:
            exported = time.perf_counter()
            small = report.triples <= EXPORT_LIMIT
            trig_path = store.directory / TRIG_FILE
            if trig if trig is not None else small:
                store.export_trig(trig_path)
                report.outputs.append(trig_path)
            else:
                _skip(report, trig_path, "--trig")
            page = store.directory / "graph.html"
            if html if html is not None else small:
                from .html import write_html

                write_html(store, page)
                report.outputs.append(page)
            else:
                _skip(report, page, "--html")
            report.seconds["export"] = time.perf_counter() - exported
    finally:
        store.close()
    committed = time.perf_counter()
    keeper.commit(getattr(store, "published", None))
    if "listings" in report.seconds:  # their SQLite write, after the store has closed, is part of making them
        report.seconds["listings"] += time.perf_counter() - committed
    cache.save()  # after a build that succeeded: a failed first build leaves no folder behind
    report.seconds["total"] = time.perf_counter() - started
    return report


def _counts(store) -> tuple[int, int, int]:
    """The build summary's triples, actors and statements."""
    counts = store.query(
        "PREFIX kg: <%s> SELECT (COUNT(DISTINCT ?a) AS ?actors) (COUNT(DISTINCT ?s) AS ?statements) WHERE {"
        " { ?a a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* kg:Actor } UNION { ?s a kg:Statement } }" % KG
    ).rows[0]
    return store.triple_count(), int(counts["actors"]), int(counts["statements"])


def _skip(report: BuildReport, path: Path, option: str) -> None:
    """Not writing a whole-store output: remove the old one if the store changed (it would no longer match)."""
    if path.exists() and (report.rebuilt or report.removed):
        path.unlink()
    if report.triples > EXPORT_LIMIT:
        report.notes.append(f"{path.name} not written: the store holds {report.triples} triples (over "
                            f"{EXPORT_LIMIT}); `kg build {option}` writes it, `kg query` reads the store directly")


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
