"""`kg docs`: HTML documentation of the core ontology and every extension, that opens offline.

What it writes into the output folder (default out/docs), all at once through a temporary folder:

- ``index.html``: the modules (IRI, version, licence, files), a class diagram (``classes.svg``, inlined), the
  classes and properties of each module with the annotation section and the prefixed name to use them with,
  the doctrine vocabulary and every other SKOS scheme as trees, and each module's named queries;
- ``<module>.html``: the reference page of each module's OWL terms, made by pyLODE (OntPub profile);
- ``classes.svg``: the subclass graph, drawn here (no graphviz needed).

Every page carries a Content-Security-Policy that forbids loading anything (no scripts, no remote styles or
fonts): the pages open from a file with no network, and text from an ontology cannot run as script.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import tempfile
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from . import __version__
from .errors import InputError
from .modules import Module, comment, curie, label, modules
from .ns import KG, bind_all
from .ontology import Ontology

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
EXTERNAL = ("http://www.w3.org/", "https://schema.org/", "http://schema.org/", "http://purl.org/",
            "http://xmlns.com/")
MODULE_COLOURS = ["#dbe9f6", "#fde0c5", "#d9f0d3", "#e7d4e8", "#fff2ae", "#f4cae4", "#cce5df"]
SECTION_OF = [  # the annotation sections whose `type:` takes a class, by the core class it must fall under
    (KG.PersonGroup, "groups"), (KG.Actor, "actors"), (KG.Place, "places"), (KG.Event, "events"),
]
CORE_USAGE = {  # core classes the loader writes from their own section or field (docs/design.md)
    KG.Article: "article:", KG.Statement: "statements:", KG.LegalPosition: "positions:",
    KG.Mention: "evidence: [{text: …}]", KG.Utterance: "statements: utterance:",
    KG.LegalDoctrine: "a doctrine id (doctrine: due-process)", KG.Curator: "annotator: curator",
    KG.Extractor: "annotator: extractor", KG.Offer: "offers:", KG.ProposedAction: "actions:",
    KG.LegalCondition: "conditions:", KG.Post: "posts:", KG.Person: "actors: (the default type)",
    KG.PersonGroup: "groups: (the default type)", KG.Place: "places: (the default type)",
    KG.Event: "events: (the default type)",
}


def write_docs(out: Path | str = "out/docs", ontology: Ontology | None = None) -> list[Path]:
    """Write the documentation into ``out``; the previous folder is replaced only once everything is written."""
    ontology = ontology or Ontology()
    found = modules(ontology)
    merged = ontology.graph
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the documentation is for reading
    try:
        names = {}
        for module in found:
            page = _page_name(module, names)
            (tmp / page).write_text(_with_csp(pylode_page(module)), encoding="utf-8")
            names[_key(module)] = page
        svg = class_diagram(found, merged)
        (tmp / "classes.svg").write_text(svg, encoding="utf-8")
        (tmp / "index.html").write_text(index_page(found, merged, names, svg), encoding="utf-8")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out.iterdir())


def _key(module: Module) -> str:
    return f"{module.name} {module.directory}"  # two extension folders may share a name


def _page_name(module: Module, taken: dict) -> str:
    base = "core" if module.is_core else f"extension-{module.name}"
    page, n = f"{base}.html", 2
    while page in taken.values():
        page, n = f"{base}-{n}.html", n + 1
    return page


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished folder in place of ``out`` (a rename; the old folder is removed after)."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old.{os.getpid()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _with_csp(page: str) -> str:
    head = page.find("<head>")
    if head < 0:
        return CSP_META + page
    return page[: head + len("<head>")] + "\n    " + CSP_META + page[head + len("<head>"):]


# -- pyLODE ---------------------------------------------------------------------------------------------------
def _pylode():
    """Import pyLODE without letting it reconfigure logging (one of its modules calls basicConfig(DEBUG))."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        import pylode
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return pylode


def pylode_page(module: Module) -> str:
    """pyLODE's OntPub page of a module's OWL terms (SKOS schemes are drawn as trees in index.html instead)."""
    pylode = _pylode()
    graph = Graph()
    bind_all(graph)
    for prefix, ns in module.graph.namespaces():
        graph.bind(prefix, ns, override=False)
    skos_nodes = {s for t in (SKOS.Concept, SKOS.ConceptScheme) for s in module.graph.subjects(RDF.type, t)}
    skos_nodes |= {s for s in module.graph.subjects(RDF.type, KG.LegalDoctrine)}
    for s, p, o in module.graph:
        if s not in skos_nodes:
            graph.add((s, p, _inert(o)))
    where = ", ".join(str(p) for p in module.files) or str(module.directory)
    if module.ontology_iri is None:
        raise InputError(f"{where}: the module `{module.name}` has no owl:Ontology; declare one with a dcterms:title, "
                         "owl:versionInfo, owl:versionIRI and dcterms:license (see ontology/extensions/courts/courts.ttl)")
    try:
        return pylode.OntPub(ontology=graph).make_html()
    except Exception as exc:  # pyLODE raises PylodeError and, on odd input, plain errors
        raise InputError(f"{where}: pyLODE cannot document the module `{module.name}`: {exc}".replace("\n", " ")
                         + "; `kg validate` lists what the module is missing") from None


def _inert(term):
    """pyLODE renders literals as Markdown, which passes raw HTML through: write < > & as entities first."""
    if isinstance(term, Literal) and any(c in str(term) for c in "<>&"):
        text = html.escape(str(term), quote=False)
        return Literal(text, lang=term.language) if term.language else Literal(text, datatype=term.datatype)
    return term


# -- the class diagram ----------------------------------------------------------------------------------------
BOX_W, BOX_H, COL_GAP, ROW_H, MARGIN = 236, 24, 56, 32, 16


def _project_classes(found: list[Module]) -> dict[URIRef, int]:
    """Every class a module declares (outside the standard vocabularies), with the index of its module."""
    owner: dict[URIRef, int] = {}
    for index, module in enumerate(found):
        for cls in module.classes:
            if not str(cls).startswith(EXTERNAL):
                owner.setdefault(cls, index)
    return owner


def class_diagram(found: list[Module], merged: Graph) -> str:
    """An SVG of the subclass graph: one box per class, left to right from the roots, coloured by module."""
    owner = _project_classes(found)
    classes = sorted(owner, key=lambda c: (owner[c], label(merged, c).lower()))
    parents = {c: sorted((p for p in merged.objects(c, RDFS.subClassOf) if p in owner and p != c),
                         key=lambda p: (owner[p], label(merged, p).lower())) for c in classes}
    children: dict[URIRef, list[URIRef]] = {c: [] for c in classes}
    primary: dict[URIRef, URIRef] = {}
    for c in classes:
        if parents[c]:
            primary[c] = parents[c][0]
            children[parents[c][0]].append(c)
    roots = [c for c in classes if c not in primary]
    # A subclass cycle leaves classes unreachable from any root: start from them too (the lint reports the cycle).
    pos: dict[URIRef, tuple[int, float]] = {}
    row = 0

    def place(node: URIRef, depth: int, path: frozenset) -> float:
        nonlocal row
        if node in pos or node in path:
            return pos[node][1] if node in pos else row
        kids = [k for k in children[node] if k not in path | {node}]
        ys = [place(k, depth + 1, path | {node}) for k in kids]
        ys = [y for y in ys if y is not None]
        if ys:
            y = (min(ys) + max(ys)) / 2
        else:
            y, row = row, row + 1
        pos[node] = (depth, y)
        return y

    lone = [c for c in roots if not children[c]]  # classes with no sub- or superclass: a grid below the trees
    for root in roots:
        if children[root]:
            place(root, 0, frozenset())
    for c in classes:
        if c not in pos and c not in lone:
            place(c, 0, frozenset())
    depth_max = max((d for d, _ in pos.values()), default=0)
    columns = max(depth_max + 1, 3)
    for i, c in enumerate(lone):
        pos[c] = (i % columns, row + i // columns)
    row += -(-len(lone) // columns)
    depth_max = max((d for d, _ in pos.values()), default=0)
    width = MARGIN * 2 + (depth_max + 1) * (BOX_W + COL_GAP)
    legend_h = 22 * ((len(found) + 2) // 3) + 10
    height = MARGIN * 2 + max(row, 1) * ROW_H + legend_h

    def xy(node):
        depth, y = pos[node]
        return MARGIN + depth * (BOX_W + COL_GAP), MARGIN + legend_h + y * ROW_H

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img" '
           f'aria-label="Class diagram: subclass relations of the ontology and its extensions">',
           "<title>Class diagram: each arrow points from a class to its superclass</title>",
           '<defs><marker id="gen" viewBox="0 0 12 12" refX="11" refY="6" markerWidth="10" markerHeight="10" '
           'orient="auto-start-reverse"><path d="M1,1 L11,6 L1,11 z" fill="white" stroke="#555"/></marker></defs>']
    for i, module in enumerate(found):
        lx, ly = MARGIN + (i % 3) * 230, MARGIN + (i // 3) * 22
        out.append(f'<rect x="{lx}" y="{ly}" width="14" height="14" fill="{MODULE_COLOURS[i % len(MODULE_COLOURS)]}" '
                   f'stroke="#555"/><text x="{lx + 20}" y="{ly + 12}">{_x(module.name)} module</text>')
    for c in classes:
        for p in parents[c]:
            (cx, cy), (px, py) = xy(c), xy(p)
            dashed = "" if primary.get(c) == p else ' stroke-dasharray="4 3"'
            x1, y1, x2, y2 = cx, cy + BOX_H / 2, px + BOX_W, py + BOX_H / 2
            if x1 <= x2:  # a parent drawn at the same depth or deeper (several parents): go round the right side
                x1, x2 = cx + BOX_W, px + BOX_W
            out.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555"{dashed} '
                       f'marker-end="url(#gen)"/>')
    for c in classes:
        x, y = xy(c)
        colour = MODULE_COLOURS[owner[c] % len(MODULE_COLOURS)]
        name = curie(merged, c)
        external = [curie(merged, p) for p in merged.objects(c, RDFS.subClassOf)
                    if isinstance(p, URIRef) and p not in owner]
        tip = f"{name} ({label(merged, c)}): {comment(merged, c)}"
        if external:
            tip += " Also a subclass of " + ", ".join(sorted(external)) + "."
        out.append(f'<g class="class" data-iri="{_x(str(c))}"><title>{_x(tip)}</title>'
                   f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="3" fill="{colour}" stroke="#555"/>'
                   f'<text x="{x + 8}" y="{y + 16}">{_x(_clip(name, 34))}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _x(text: str) -> str:
    return html.escape(str(text), quote=True)


# -- the index page -------------------------------------------------------------------------------------------
def usage(merged: Graph, cls: URIRef) -> str:
    """How an annotation makes a node of this class: `actors: type: courts:Judge`, `entities: type: ...`."""
    if cls in CORE_USAGE:
        return CORE_USAGE[cls]
    ancestors = set(merged.transitive_objects(cls, RDFS.subClassOf))
    section = next((section for parent, section in SECTION_OF if parent in ancestors), "entities")
    return f"{section}: type: {curie(merged, cls)}"


def _scheme_tree(graph: Graph, scheme: URIRef) -> str:
    tops = set(graph.objects(scheme, SKOS.hasTopConcept)) | set(graph.subjects(SKOS.topConceptOf, scheme))
    members = set(graph.subjects(SKOS.inScheme, scheme)) | tops
    if not tops:  # no top concepts declared: the members without a broader one in the scheme
        tops = {c for c in members if not (set(graph.objects(c, SKOS.broader)) & members)}

    def narrower(c):
        found = set(graph.objects(c, SKOS.narrower)) | set(graph.subjects(SKOS.broader, c))
        return sorted(found & members, key=lambda n: label(graph, n).lower())

    def item(c, path):
        notation = graph.value(c, SKOS.notation)
        ident = str(notation) if notation is not None else curie(graph, c)
        alt = sorted(str(a) for a in graph.objects(c, SKOS.altLabel))
        body = (f'<span class="concept">{_x(label(graph, c))}</span> <code>{_x(ident)}</code>'
                f'<div class="definition">{_x(comment(graph, c))}</div>')
        if alt:
            body += f'<div class="alt">also: {_x(", ".join(alt))}</div>'
        kids = [k for k in narrower(c) if k not in path]
        if kids:
            body += "<ul>" + "".join(item(k, path | {c}) for k in kids) + "</ul>"
        return f'<li id="{_x(_anchor(c))}">{body}</li>'

    return '<ul class="tree">' + "".join(item(c, frozenset()) for c in sorted(tops, key=lambda n: label(graph, n).lower())) + "</ul>"


def _anchor(term) -> str:
    text = str(term)
    return "t-" + "".join(ch if ch.isalnum() else "-" for ch in text.split("://", 1)[-1])


def _terms_tables(module: Module, merged: Graph) -> str:
    rows = []
    for cls in module.classes:
        if str(cls).startswith(EXTERNAL):
            continue
        supers = ", ".join(sorted(curie(merged, p) for p in merged.objects(cls, RDFS.subClassOf) if isinstance(p, URIRef)))
        name = curie(merged, cls)
        rows.append(f'<tr id="{_x(_anchor(cls))}"><td><code>{_x(name)}</code></td><td>{_x(label(merged, cls))}</td>'
                    f'<td>{_x(supers)}</td><td><code>{_x(usage(merged, cls))}</code></td>'
                    f'<td>{_x(comment(merged, cls))}</td></tr>')
    classes = ("<table><thead><tr><th>class</th><th>label</th><th>subclass of</th><th>in annotation.yaml</th>"
               "<th>meaning</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>") if rows else "<p>No classes.</p>"
    rows = []
    for prop in module.properties:
        if str(prop).startswith(EXTERNAL):
            continue
        kinds = sorted(curie(merged, k) for k in merged.objects(prop, RDF.type)
                       if k in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property))
        domain = ", ".join(sorted(_range_text(merged, d) for d in merged.objects(prop, RDFS.domain))) or "—"
        rng = ", ".join(sorted(_range_text(merged, r) for r in merged.objects(prop, RDFS.range))) or "—"
        rows.append(f'<tr id="{_x(_anchor(prop))}"><td><code>{_x(curie(merged, prop))}</code></td>'
                    f'<td>{_x(label(merged, prop))}</td><td>{_x(", ".join(kinds))}</td><td>{_x(domain)}</td>'
                    f'<td>{_x(rng)}</td><td>{_x(comment(merged, prop))}</td></tr>')
    props = ("<table><thead><tr><th>property</th><th>label</th><th>kind</th><th>domain</th><th>range</th>"
             "<th>meaning</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>") if rows else "<p>No properties.</p>"
    return f"<h3>Classes</h3>{classes}<h3>Properties</h3>{props}"


def _range_text(graph: Graph, node) -> str:
    if isinstance(node, URIRef):
        return curie(graph, node)
    members = graph.value(node, OWL.unionOf)
    if members is not None:
        from rdflib.collection import Collection

        return " or ".join(curie(graph, m) for m in Collection(graph, members))
    return "(a class expression)"


def _queries_list(module: Module) -> str:
    if module.queries_dir is None:
        return ""
    from .queries import parse_query_file

    items = []
    for path in sorted(module.queries_dir.glob("*.rq")):
        query = parse_query_file(path)
        items.append(f"<li><code>kg query {_x(query.name)}</code>: {_x(query.question)}</li>")
    return f"<h3>Named queries</h3><ul>{''.join(items)}</ul>" if items else ""


STYLE = """
body{font-family:sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;line-height:1.4;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:90%}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0} code{background:#f6f6f6;padding:0 .2em}
.tree,.tree ul{list-style:none;padding-left:1.4em;border-left:1px dotted #aaa}
.tree li{margin:.35em 0}.concept{font-weight:bold}.definition{font-size:90%}.alt{font-size:85%;color:#666}
.diagram{overflow-x:auto;border:1px solid #ddd;padding:.5em}
"""


def index_page(found: list[Module], merged: Graph, pages: dict[str, str], svg: str) -> str:
    rows = []
    for module in found:
        iri = str(module.ontology_iri) if module.ontology_iri else "(no owl:Ontology)"
        files = ", ".join(p.name for p in module.files + module.shape_files)
        licence = module.header(URIRef("http://purl.org/dc/terms/license")) or "—"
        rows.append(f"<tr><td><a href=\"{_x(pages[_key(module)])}\">{_x(module.name)}</a></td>"
                    f"<td>{_x(module.header(URIRef('http://purl.org/dc/terms/title')) or '')}</td><td><code>{_x(iri)}</code></td>"
                    f"<td>{_x(module.header(OWL.versionInfo) or '—')}</td><td>{_x(licence)}</td><td>{_x(files)}</td></tr>")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', CSP_META,
        "<title>Legal news knowledge graph: ontology documentation</title>", f"<style>{STYLE}</style></head><body>",
        "<h1>Legal news knowledge graph: ontology documentation</h1>",
        f"<p>Generated by <code>kg docs</code> (legal-news-kg {_x(__version__)}) from the core ontology and "
        f"{len(found) - 1} extension(s). Each module's page lists every term with its definition and links.</p>",
        "<h2 id=\"modules\">Modules</h2><table><thead><tr><th>module</th><th>title</th><th>ontology IRI</th>"
        "<th>version</th><th>licence</th><th>files</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>",
        "<h2 id=\"diagram\">Class diagram</h2><p>Each arrow points from a class to its superclass; a dashed arrow is a "
        "second superclass. Hover a box for its definition. Also as <a href=\"classes.svg\">classes.svg</a>.</p>",
        f'<div class="diagram">{svg}</div>',
    ]
    for module in found:
        parts.append(f'<h2 id="module-{_x(module.name)}">The {_x(module.name)} module</h2>')
        parts.append(f"<p>Reference page: <a href=\"{_x(pages[_key(module)])}\">{_x(pages[_key(module)])}</a>.</p>")
        parts.append(_terms_tables(module, merged))
        parts.append(_queries_list(module))
    doctrine_scheme = URIRef("https://w3id.org/legal-news-kg/doctrine/scheme")
    parts.append('<h2 id="doctrines">Legal doctrines</h2><p>The doctrine vocabulary (<code>doctrine:scheme</code>), '
                 "broader to narrower. The code is the id an annotation writes (<code>doctrine: due-process</code>).</p>")
    parts.append(_scheme_tree(merged, doctrine_scheme))
    parts.append('<h2 id="values">Controlled values</h2><p>The other SKOS concept schemes: the values an annotation '
                 "may give to the fields that take them.</p>")
    for module in found:
        for scheme in module.schemes:
            if scheme == doctrine_scheme:
                continue
            parts.append(f'<h3 id="{_x(_anchor(scheme))}">{_x(label(merged, scheme))} <code>{_x(curie(merged, scheme))}</code> '
                         f"<small>({_x(module.name)})</small></h3>")
            parts.append(_scheme_tree(merged, scheme))
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p) + "\n"


# -- the command ----------------------------------------------------------------------------------------------

import click  # noqa: E402

from .cli import reports_errors  # noqa: E402

ONTOLOGY_OPTION_HELP = ("An extension folder kept outside the repository (its .ttl files, *shapes.ttl and "
                        "queries/), added to ontology/ and ontology/extensions/*. Repeatable.")


def ontology_option(command):
    """`--ontology DIR` (repeatable): extensions kept outside the repository."""
    return click.option("--ontology", "ontology_dirs", multiple=True, metavar="DIR",
                        type=click.Path(exists=True, file_okay=False, path_type=Path),
                        help=ONTOLOGY_OPTION_HELP)(command)


def ontology_from(ontology_dirs) -> Ontology:
    return Ontology(extra_extension_dirs=[Path(d) for d in ontology_dirs or ()])


_reports_errors = reports_errors  # graph.cli imports its commands lazily, so importing it here is safe


@click.command("docs")
@click.option("-o", "--out", "out_dir", default="out/docs", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The folder to write the documentation into.")
@ontology_option
@_reports_errors
def docs_command(out_dir, ontology_dirs):
    """Write HTML documentation of the ontology and every extension; it opens offline.

    Writes OUT/index.html (modules, a class diagram, each module's classes and properties with the way to use
    them in annotation.yaml, the doctrine vocabulary and the other SKOS schemes as trees, the named queries),
    one reference page per module made by pyLODE (OUT/core.html, OUT/extension-NAME.html) and OUT/classes.svg.
    The folder is replaced whole once everything is written. Exit 2 when a module cannot be documented.

    \b
    Example:
        kg docs
        kg docs -o /tmp/docs --ontology ~/my-extensions/treaties
    """
    written = write_docs(out_dir, ontology_from(ontology_dirs))
    click.echo(f"wrote {len(written)} file(s) into {out_dir}: open {Path(out_dir) / 'index.html'}")
