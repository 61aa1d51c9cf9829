"""`kg show`: write an HTML view of the graph (the whole graph, one article, the ego graph of a node, or actors)."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import STORE_HELP, reports_errors


def default_output(store_spec: str) -> Path:
    text = str(store_spec)
    if text == "memory:" or text.startswith(("http://", "https://")):
        return Path("view.html")
    return Path(text) / "view.html"


@click.command()
@click.option("--focus", metavar="NAME|IRI",
              help="Draw only what lies within --depth relations of this node (a name, an alias or an IRI).")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True,
              help="How many relations away from --focus to go.")
@click.option("--article", metavar="SLUG", help="Only this article's part of the graph (its folder name).")
@click.option("--view", type=click.Choice(["full", "actors"]), default="full", show_default=True,
              help="full: every node and relation; actors: actors only, joined by offered to, said about, "
                   "opposes, supports, holds post in (each with its evidence).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (default: STORE/view.html, or ./view.html for memory: and endpoints).")
@click.option("--store", "store_spec", default="out", show_default=True, help=STORE_HELP)
@reports_errors
def show(focus, depth, article, view, output, store_spec):
    """Write an interactive HTML view of the graph that opens offline in any browser.

    Nodes are coloured and shaped by their class, with a legend; a search box finds a node by name; clicking a
    node or a relation opens a panel with the statements and quoted words behind it (article and character
    offsets). Filters by class, article and relation. The file is written through a temporary file, so a
    failure leaves any previous file whole.

    \b
    Example:
        kg show                                   # the whole graph into out/view.html
        kg show --view actors -o actors.html      # who did what to whom, with the words
        kg show --focus "Lee Gelernt" --depth 1   # one actor and what touches him
        kg show --article npr-2025-02-05-el-salvador-prisons
    """
    from .html import write_html
    from .store import open_store

    output = output or default_output(store_spec)
    store = open_store(store_spec, read_only=True)
    try:
        summary = write_html(store, output, view=view, focus=focus, depth=depth, article=article)
    finally:
        store.close()
    click.echo(f"wrote: {output}  ({summary['nodes']} nodes, {summary['edges']} relations, {view} view)")
