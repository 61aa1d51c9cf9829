"""`kg analyze` (central actors, connected components, shortest chains) and `kg export` (the actor view for
Gephi and other network tools). Both read the actor view of graph.network."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli import STORE_HELP, reports_errors


def _load(store_spec):
    from . import network
    from .store import open_store

    store = open_store(store_spec, read_only=True)
    try:
        data = network.load(store)
        return data, network.actor_view(data, store)
    finally:
        store.close()


def _table(headers, rows) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


@click.group(invoke_without_command=True)
@click.option("--store", "store_spec", default="out", show_default=True, help=STORE_HELP)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many actors to rank.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@reports_errors
def analyze(ctx, store_spec, top, fmt):
    """Network analysis of the actor view: the most central actors and the connected components.

    The actor view joins actors by what the articles say: offered to, said about, opposes, supports, holds
    post in, member of, part of. Degree counts an actor's relations (both directions); betweenness is measured
    on the undirected graph (how often an actor lies on the shortest chain between two others).
    `kg analyze path A B` prints the shortest chain between two actors with the statements on each step.

    \b
    Example:
        kg analyze
        kg analyze --top 5 --format json
        kg analyze path "Lee Gelernt" "Nayib Bukele"
    """
    ctx.ensure_object(dict)
    ctx.obj["store"] = store_spec
    if ctx.invoked_subcommand is not None:
        return
    from . import network

    data, g = _load(store_spec)
    ranked = network.centrality(data, g, top)
    parts = network.components(data, g)
    if fmt == "json":
        click.echo(json.dumps({
            "actors": g.number_of_nodes(), "relations": g.number_of_edges(), "central": ranked,
            "components": [[{"iri": n, "name": data.label(n)} for n in part] for part in parts],
        }, indent=2, ensure_ascii=False))
        return
    click.echo(f"Actor view: {g.number_of_nodes()} actors, {g.number_of_edges()} relations, "
               f"{len(parts)} connected component(s)\n")
    click.echo(f"Most central actors (top {len(ranked)}):")
    click.echo(_table(["actor", "class", "degree", "neighbours", "betweenness"],
                      [[r["name"], r["class"], r["degree"], r["neighbours"], f"{r['betweenness']:.3f}"] for r in ranked]))
    click.echo("\nConnected components:")
    alone = [p[0] for p in parts if len(p) == 1]
    for number, part in enumerate((p for p in parts if len(p) > 1), 1):
        names = [data.label(n) for n in part]
        shown = ", ".join(names[:12]) + (f", and {len(names) - 12} more" if len(names) > 12 else "")
        click.echo(f"  {number}. {len(part)} actors: {shown}")
    if alone:
        names = sorted(data.label(n) for n in alone)
        shown = ", ".join(names[:12]) + (f", and {len(names) - 12} more" if len(names) > 12 else "")
        click.echo(f"  {len(alone)} actor(s) with no relation to another actor: {shown}")


@analyze.command()
@click.argument("a")
@click.argument("b")
@click.option("--store", "store_spec", default=None, help=STORE_HELP + " [default: out]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
@reports_errors
def path(ctx, a, b, store_spec, fmt):
    """The shortest chain of relations between two actors, with the statements on each step.

    A and B are names or aliases (rdfs:label, skos:altLabel; any case), full IRIs or prefixed names such as
    id:actor/lee-gelernt. Relations are followed in either direction. Exit 1 when no chain joins them.

    \b
    Example:
        kg analyze path "Lee Gelernt" Bukele
        kg analyze path id:actor/marco-rubio id:actor/lee-gelernt --format json
    """
    from . import network

    data, g = _load(store_spec or (ctx.obj or {}).get("store") or "out")
    actors = list(g.nodes)
    source, target = network.resolve(data, a, actors), network.resolve(data, b, actors)
    hops = network.shortest_path(data, g, source, target)
    if fmt == "json":
        click.echo(json.dumps([{
            "from": {"iri": h.source, "name": data.label(h.source)}, "to": {"iri": h.target, "name": data.label(h.target)},
            "relations": [{"relation": e["relation"], "direction": "forward" if e["forward"] else "backward",
                           "via": data.label(e["via"]) if e["via"] else None, "articles": e["articles"],
                           "evidence": [network.evidence_record(data, x) for x in e["evidence"]]} for e in h.edges],
        } for h in hops], indent=2, ensure_ascii=False))
        return
    click.echo(f"{data.label(source)} → {data.label(target)}: {len(hops)} step(s)")
    for number, hop in enumerate(hops, 1):
        click.echo(f"\n{number}. {data.label(hop.source)} — {data.label(hop.target)}")
        for e in hop.edges:
            x, y = (hop.source, hop.target) if e["forward"] else (hop.target, hop.source)
            via = f"  ({data.label(e['via'])})" if e["via"] else ""
            click.echo(f"   {data.label(x)} {e['relation']} {data.label(y)}{via}")
            for ev in e["evidence"]:
                click.echo(f"      {network.describe_evidence(data, ev)}")
            if not e["evidence"]:
                click.echo("      (no quotation attached)")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json"]), default="graphml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (default: standard output).")
@click.option("--view", type=click.Choice(["actors", "full"]), default="actors", show_default=True)
@click.option("--store", "store_spec", default="out", show_default=True, help=STORE_HELP)
@reports_errors
def export(fmt, output, view, store_spec):
    """Write the actor view (or the full view) for Gephi, Cytoscape and other network tools.

    GraphML and GEXF keep each node's label, class, posts and articles and each relation's label, the thing
    it goes through and its evidence (quotes with speaker, date, article and offsets, as text). JSON is
    node-link data with the evidence as records. The same graph gives the same bytes every run (no date stamp).

    \b
    Example:
        kg export --format gexf -o actors.gexf
        kg export --format json | jq '.edges[] | select(.relation == "opposes")'
    """
    from . import network
    from .store import open_store, write_atomically

    store = open_store(store_spec, read_only=True)
    try:
        data = network.load(store)
        g = network.actor_view(data, store) if view == "actors" else network.full_view(data)
    finally:
        store.close()
    payload = network.export_bytes(data, g, fmt)  # byte-identical for the same graph, run after run
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(payload) if hasattr(sys.stdout, "buffer") else click.echo(payload.decode("utf-8"), nl=False)
        sys.stdout.flush()
        return
    write_atomically(output, lambda handle: handle.write(payload))
    click.echo(f"wrote: {output}  ({g.number_of_nodes()} nodes, {g.number_of_edges()} relations, {fmt})", err=True)
