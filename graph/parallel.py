"""Preparing many articles at once: read, convert and SHACL-validate independent articles on all cores.

The unit of work is a batch of BATCH articles (a fixed size, so results never depend on the number of cores):
a worker reads and converts each article, validates the batch's graphs together (pySHACL's fixed cost per call,
mostly the ontology's own nodes, is paid once per batch instead of once per article), and when the batch does
not conform validates its articles one by one, so every problem is reported against the article that has it,
exactly as a one-article build would report it. Results come back in input order.

Workers are forked from the build process (the parsed ontology and shapes are shared, not parsed again) and
hand back N-Triples text, never rdflib objects, so the parent writes the store without rebuilding graphs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal

from .errors import InputError, KgError

BATCH = 20
PARALLEL_FROM = 2 * BATCH  # fewer articles than this are prepared in the build process itself


@dataclass
class Prepared:
    slug: str
    directory: Path
    digest: str
    ntriples: str = ""
    triples: int = 0
    problems: list = field(default_factory=list)  # SHACL violations, when the article does not conform
    annotation_path: Path | None = None


@dataclass
class Failed:
    """A KgError raised in a worker, carried back as text (its class may not survive pickling)."""

    message: str
    exit_code: int


class Progress:
    """A one-line progress bar on stderr: done/total, rate, time left. Silent when not wanted."""

    def __init__(self, total: int, label: str, enabled: bool = True, stream=None, unit: str = "articles"):
        self.total, self.label, self.unit = total, label, unit
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.start = time.perf_counter()
        self._last = 0.0
        self._last_decile = -1

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.perf_counter()
        if self.tty:
            if now - self._last >= 0.2 or self.done >= self.total:
                self._last = now
                self.stream.write("\r" + self.line(now))
                self.stream.flush()
        else:  # a log file or a pipe: one line per tenth
            decile = self.done * 10 // self.total
            if decile != self._last_decile:
                self._last_decile = decile
                self.stream.write(self.line(now) + "\n")
                self.stream.flush()

    def line(self, now: float | None = None) -> str:
        elapsed = (now or time.perf_counter()) - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        bar = "#" * filled + "-" * (width - filled)
        return (f"{self.label:<9} [{bar}] {self.done}/{self.total} {self.unit}  {rate:,.1f}/s  "
                f"{_duration(elapsed)} elapsed, {_duration(left)} left ")

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


# -- the work ----------------------------------------------------------------------------------------
_ONTOLOGY = None


def _init(ontology) -> None:
    global _ONTOLOGY
    _ONTOLOGY = ontology


def prepare_batch(jobs: list[tuple[Path, str]], ontology=None) -> list[Prepared | Failed]:
    """Read, convert and validate a batch of (directory, digest); never raises a KgError (returns Failed)."""
    from .annotation import article_triples, read_article
    from .ns import KG
    from .shacl import validate
    from .store import ntriples

    ontology = ontology or _ONTOLOGY
    results: list[Prepared | Failed] = []
    graphs: list[tuple[Prepared, Graph, object]] = []
    for directory, digest in jobs:
        try:
            article = read_article(directory)
            graph = article_triples(article, ontology)
        except KgError as exc:
            results.append(Failed(str(exc), exc.exit_code))
            continue
        item = Prepared(article.slug, Path(directory), digest, annotation_path=article.annotation_path)
        results.append(item)
        graphs.append((item, graph, article))
    texts = [ntriples(graph) for _, graph, _ in graphs]  # what is written; the SPARQL constraints parse it too
    if graphs:
        if len(graphs) == 1:
            graphs[0][0].problems = validate(graphs[0][1], ontology.shapes, ontology.graph, ntriples=texts[0])
        elif validate([graph for _, graph, _ in graphs], ontology.shapes, ontology.graph, ntriples="\n".join(texts)):
            for (item, graph, _), text in zip(graphs, texts):
                item.problems = validate(graph, ontology.shapes, ontology.graph, ntriples=text)
    for (item, graph, article), text in zip(graphs, texts):
        if item.problems:
            continue
        stamp = Graph()
        stamp.add((article.iri, KG.inputHash, Literal(item.digest)))
        stamp.add((article.iri, KG.ontologyVersion, Literal(ontology.version)))
        item.ntriples = "\n".join(filter(None, (text, ntriples(stamp))))
        item.triples = len(graph) + len(stamp)
    return results


def _run(jobs):
    return prepare_batch(jobs)


def prepare_all(jobs: list[tuple[Path, str]], ontology, workers: int | None = None,
                progress: Progress | None = None) -> list[Prepared | Failed]:
    """Prepare every (directory, digest) in order, on ``workers`` processes (default: every core)."""
    return list(iter_prepared(jobs, ontology, workers, progress))


def iter_prepared(jobs: list[tuple[Path, str]], ontology, workers: int | None = None,
                  progress: Progress | None = None):
    """``prepare_all``'s results one at a time, in order, as the workers hand them back: a first build writes the
    ones it has while the workers prepare the rest (graph/build.py)."""
    batches = [jobs[i:i + BATCH] for i in range(0, len(jobs), BATCH)]
    workers = workers or os.cpu_count() or 1
    if len(jobs) < PARALLEL_FROM or workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for batch in batches:
            done = prepare_batch(batch, ontology)
            if progress:
                progress.advance(len(batch))
            yield from done
        return
    ontology.graph, ontology.shapes, ontology.version  # parse once, before forking: the workers share it
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=context,
                               initializer=_init, initargs=(ontology,))
    # what the processes hold before forking (the ontology's and the shapes' rdflib terms, the modules) is left out
    # of the cyclic garbage collector's walks, in the workers and here, as Python's gc.freeze documents for forking:
    # preparing 400 articles 10.3 -> 8.6 ms each (median of 4 passes); a first build of 1M triples, three runs each
    # alternating: 50.3 -> 45.5 s of user CPU, 30.3 -> 27.9 s
    gc.freeze()
    try:
        for batch, done in zip(batches, pool.map(_run, batches)):
            if progress:
                progress.advance(len(batch))
            yield from done
    finally:  # the caller stopped early (an error while writing): do not prepare the rest
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def raise_failures(results: list[Prepared | Failed]) -> list[Prepared]:
    """Raise the first input error (exit 2), else every SHACL problem (exit 1), else return the prepared."""
    from .errors import CheckFailed

    for item in results:
        if isinstance(item, Failed):
            error = InputError(item.message)
            error.exit_code = item.exit_code
            raise error
    problems = [item for item in results if item.problems]
    if problems:
        lines = []
        for item in problems:
            lines.append(f"{item.annotation_path}: the graph does not conform to the shapes "
                         f"({len(item.problems)} problem(s)):")
            lines += [f"  {v}" for v in item.problems]
        raise CheckFailed("\n".join(lines))
    return results
