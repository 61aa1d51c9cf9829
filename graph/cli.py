"""The `kg` command. Each command's docstring is its help text."""

from __future__ import annotations

import functools
import importlib
import re
import sys
from pathlib import Path

import click

from . import __version__
from .errors import KgError

STORE_HELP = "Where the graph lives: a folder (Oxigraph on disk), memory:, or an http(s):// SPARQL endpoint."


def reports_errors(command):
    """Turn a KgError into a message on stderr and its exit code (1 a check failed, 2 bad input)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KgError as exc:
            click.echo(f"kg: {_printable(str(exc))}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def _printable(message: str) -> str:
    """Control characters from a hostile file (ESC sequences that retitle or clear a terminal) shown as escapes."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", message)


class LazyGroup(click.Group):
    """A group whose commands from other modules are imported when first asked for (`kg --help` lists them all).

    This module imports none of them when it is imported itself, so every graph.* module can import
    STORE_HELP and reports_errors from here at the top, and be imported alone, in any order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = {}

    def add_lazy_command(self, name: str, target: str) -> None:
        """Register `kg NAME` as the click command at TARGET ("module:attribute"), imported on first use."""
        self.lazy_commands[name] = target

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx, name):
        if name not in self.commands and name in self.lazy_commands:
            module, attribute = self.lazy_commands[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="kg")
def main():
    """Turn news articles on legal disputes into a knowledge graph of actors and legal relations.

    \b
    Example:
        kg build                 # every folder under articles/ into out/
        kg query statements      # who said what, with offsets
    """


@main.command()
@click.argument("article_dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--store", "store_spec", default="out", show_default=True, help=STORE_HELP)
@click.option("--html/--no-html", default=None,
              help="Write graph.html beside an on-disk store, or not. Default: when the store holds at most 100,000 triples.")
@click.option("--trig/--no-trig", default=None,
              help="Write graph.trig beside an on-disk store, or not. Default: when the store holds at most 100,000 triples.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Processes preparing articles, and threads making --listings (default: every core).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary: only errors, on stderr.")
@click.option("--force", is_flag=True, help="Rebuild every article even when its inputs did not change.")
@click.option("--reason", is_flag=True,
              help="Materialise RDFS/OWL-RL entailments (superclasses, superproperties, inverses) into the graph gr:inferred.")
@click.option("--listings", is_flag=True,
              help="Also make the listings of the queries that list everything (statements, timeline, positions, "
                   "contradictions, doctrines, offers and two integrity checks) now, not when first asked: the longest first, one per "
                   "core at a time (--jobs), or all at once on a store that never made them (README, Asking the "
                   "graph).")
@click.option("--ontology", "ontology_dirs", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also load this extension folder kept outside the repository (.ttl, *shapes.ttl, queries/). Repeatable.")
@reports_errors
def build(article_dirs, store_spec, html, trig, jobs, quiet, force, ontology_dirs, reason, listings):
    """Load article annotations, validate them with SHACL and write the graph.

    Reads ARTICLE_DIRS (default: every folder under articles/), each holding article.txt and annotation.yaml,
    into one named graph per article plus one for the ontology; validates each with ontology/shapes.ttl;
    stores them (Oxigraph on disk in STORE/store) and writes STORE/graph.trig and STORE/graph.html through
    temporary files, so a failed build leaves the previous output whole. Only articles whose inputs changed
    are rebuilt. Exit 0 when the graph conforms, 1 when it does not (with a report), 2 on bad input.

    Articles are read, converted and validated on every core; long runs show a progress bar on stderr.
    STORE may be an http(s):// SPARQL endpoint (KG_SPARQL_* and KG_STORE_* environment variables, see README).

    \b
    Example:
        kg build
        kg build --quiet --store http://127.0.0.1:7878     # into an Oxigraph server
        kg build articles/npr-2025-02-05-el-salvador-prisons --store out
        kg build --ontology ~/my-extensions/treaties
        kg build --reason        # then `?x a prov:Agent` finds persons, organizations and states
        kg build --listings      # a big store: `kg query statements` answers from its listing at once
    """
    from .build import build as run_build
    from .ontology import Ontology

    ontology = Ontology(extra_extension_dirs=list(ontology_dirs))
    report = run_build(list(article_dirs) or None, store_spec, ontology=ontology, html=html, force=force,
                       reason=reason, trig=trig, workers=jobs, quiet=quiet, listings=listings)
    if quiet:
        return
    click.echo(f"built {len(report.articles)} article(s) ({len(report.rebuilt)} rebuilt"
               + (f", {len(report.removed)} removed" if report.removed else "") + ")")
    click.echo(f"  triples: {report.triples}  actors: {report.actors}  statements: {report.statements}")
    if report.inferred is not None:
        click.echo(f"  inferred: {report.inferred} triples in gr:inferred")
    click.echo(f"  store: {report.store}")
    for path in report.outputs:
        click.echo(f"  wrote: {path}")
    for note in report.notes:
        click.echo(f"  note: {note}")
    seconds = report.seconds
    click.echo(f"  time: {seconds.get('total', 0):.1f} s (prepare {seconds.get('prepare', 0):.1f} s, "
               f"write {seconds.get('write', 0):.1f} s, export {seconds.get('export', 0):.1f} s"
               + (f", listings {seconds['listings']:.1f} s" if "listings" in seconds else "") + ")")


@main.command()
@click.argument("name", required=False)
@click.option("--sparql", help="Run this SPARQL text instead of a named query.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (as an RDF term, never pasted into the query). Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.option("--store", "store_spec", default="out", show_default=True, help=STORE_HELP)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries with the question each answers.")
@click.option("--ontology", "ontology_dirs", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also offer the named queries of this extension folder (its queries/*.rq). Repeatable.")
@reports_errors
def query(name, sparql, params, fmt, store_spec, list_queries, ontology_dirs):
    """Ask the graph a named question (ontology/queries/NAME.rq), a query file, or --sparql TEXT.

    \b
    Example:
        kg query --list
        kg query statements --format json
        kg query statements --param speaker_iri=id:actor/lee-gelernt
        kg query --sparql 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    from . import queries
    from .errors import InputError
    from .ontology import Ontology
    from .store import open_store

    ontology = Ontology(extra_extension_dirs=list(ontology_dirs))
    if list_queries:
        for q in queries.named_queries(ontology).values():
            click.echo(f"{q.name}\n    {q.question}")
            for p in q.params.values():
                click.echo(f"    --param {p.name}=<{p.kind}>{' (optional)' if p.optional else ''}  {p.doc}")
        return
    if bool(name) == bool(sparql):
        raise InputError("give a query NAME (or FILE.rq) or --sparql TEXT; `kg query --list` shows the names")
    named = queries.resolve(name, ontology) if name else queries.NamedQuery("sparql", Path("-"), sparql, "")
    bindings = queries.bind_params(named, list(params)) if name else {}
    if params and not name:
        raise InputError("--param works with named queries; with --sparql write the values in the query")
    store = open_store(store_spec, read_only=True)
    try:
        result = queries.execute(store, named, bindings)
    finally:
        store.close()
    click.echo(queries.render(result, fmt, named.lists))


# Commands defined in their own modules are registered below, one line each, as "module:attribute": the module is
# imported when the command is first used, so a module may import STORE_HELP and reports_errors from graph.cli.
# (commands from other modules)
main.add_lazy_command("extract", "graph.extract:extract_command")
main.add_lazy_command("eval", "graph.evaluate:eval_command")
main.add_lazy_command("validate", "graph.validate:validate")
main.add_lazy_command("serve", "graph.serve:serve")
main.add_lazy_command("docs", "graph.docs:docs_command")
main.add_lazy_command("lint", "graph.lint:lint_command")  # also run by kg validate
main.add_lazy_command("show", "graph.show:show")
main.add_lazy_command("analyze", "graph.analyze:analyze")  # kg analyze, kg analyze path
main.add_lazy_command("export", "graph.analyze:export")


if __name__ == "__main__":  # pragma: no cover  (python -m graph.cli: run the one graph.cli the commands import)
    from graph.cli import main as _main

    _main(prog_name="kg")
