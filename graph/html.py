"""graph.html: a view of the graph drawn with vis-network (the library pyvis ships), offline and escaped.

The page is one file: vis-network's script, our script and style and the data are all inline, and a Content
Security Policy forbids loading anything else. Article text is hostile input: the data is embedded as JSON with
``<``, ``>`` and ``&`` escaped, and the page builds every panel and list with ``textContent`` (vis-network draws
labels on a canvas and sets tooltips with ``innerText``), so no quote, name or title can become markup.

Small graphs are laid out by vis-network's physics, which stops once the layout has settled; above
``PHYSICS_LIMIT`` nodes the layout is computed here (a seeded spring and density-grid layout in numpy, linear in
the size of the graph) and physics is off, so a 5,000-node graph is usable as soon as it opens.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pyvis

from . import network
from .ns import KG
from .store import write_atomically

VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
PHYSICS_LIMIT = 300  # above this many nodes: layout in Python, physics off
EVIDENCE_LIMIT = 200  # evidence items per node kept in the page (the panel says how many more there are)

# Colour and vis-network shape per class of the core ontology; subclasses (extensions) inherit the shape of
# their nearest styled ancestor and get a colour of their own from FALLBACK_COLOURS.
STYLE = {
    "Person": ("#e8590c", "dot"), "Organization": ("#1c7ed6", "dot"), "State": ("#0b3d91", "dot"),
    "Government": ("#66a3ff", "dot"), "CollectiveActor": ("#f59f00", "dot"), "UnnamedActor": ("#adb5bd", "dot"),
    "PersonGroup": ("#ffd43b", "dot"), "Actor": ("#e8590c", "dot"), "Post": ("#2b8a3e", "diamond"),
    "Place": ("#7048e8", "triangle"), "Facility": ("#9775fa", "triangle"), "Event": ("#495057", "star"),
    "ProposedAction": ("#c92a2a", "hexagon"), "Offer": ("#a61e4d", "hexagon"), "LegalCondition": ("#74b816", "square"),
    "Statement": ("#f1f3f5", "box"), "LegalPosition": ("#d6336c", "square"), "Article": ("#343a40", "square"),
    "LegalDoctrine": ("#087f5b", "diamond"),
}
FALLBACK_COLOURS = ["#0b7285", "#5f3dc4", "#862e9c", "#e67700", "#2f9e44", "#c2255c", "#364fc7", "#a61e4d",
                    "#5c7cfa", "#099268", "#f08c00", "#495057"]
# Words that do not load anything, kept in vis-network's bundle: an XML namespace, links in its licence comment
# and in error messages. The offline test allows exactly these (and our data's IRIs, which are identifiers).
INERT_URLS = {
    "http://www.w3.org/2000/svg", "http://almende.com", "http://opensource.org/licenses/MIT",
    "http://www.apache.org/licenses/LICENSE-2.0", "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
    "https://github.com/visjs", "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE", "https://visjs.github.io/vis-network/",
}


# -- layout ------------------------------------------------------------------------------------------
def layout(n: int, edges: list[tuple[int, int]], seed: int = 7, iterations: int = 50) -> np.ndarray:
    """Positions for n nodes, about one unit apart: a force-directed layout that scales.

    Fruchterman-Reingold forces, with the all-pairs repulsion computed the particle-mesh way: node masses are
    spread onto a grid, convolved with the 1/r force kernel by FFT and read back by bilinear interpolation, so an
    iteration costs O(nodes + edges + grid log grid) instead of O(nodes²). Nodes that share a grid cell also
    repel each other exactly (neighbours in cell order). Springs pull along edges; a weak gravity keeps separate
    components together. A seeded generator and sorted inputs make the result the same on every run.
    """
    if n == 0:
        return np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    side = math.sqrt(n)
    pos = rng.uniform(-side / 2, side / 2, size=(n, 2))
    if n == 1:
        return pos * 0
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    e = e[e[:, 0] != e[:, 1]]
    u, v = e[:, 0], e[:, 1]
    degree = np.bincount(u, minlength=n) + np.bincount(v, minlength=n)
    mass = 1.0 + np.sqrt(degree)  # hubs push harder, so their neighbours get room around them
    jitter = rng.normal(size=(n, 2)) * 1e-3
    grid = 64
    offsets = np.arange(-grid, grid)
    kx, ky = np.meshgrid(offsets, offsets, indexing="ij")
    r2 = (kx * kx + ky * ky).astype(float)
    r2[grid, grid] = np.inf
    kernel_x, kernel_y = np.fft.ifftshift(kx / r2), np.fft.ifftshift(ky / r2)
    fft_kx, fft_ky = np.fft.rfft2(kernel_x), np.fft.rfft2(kernel_y)
    start_heat = side / 4
    for it in range(iterations):
        heat = start_heat * (1 - it / iterations) ** 2 + 0.05
        force = np.zeros_like(pos)
        # far field: particle-mesh repulsion
        low = pos.min(axis=0) - 1e-6
        h = max((pos.max(axis=0) - low).max() / (grid - 2), 1e-6)
        g = (pos - low) / h
        i0 = np.floor(g).astype(np.int64)
        f = g - i0
        density = np.zeros((2 * grid, 2 * grid))
        corners = [(0, 0, (1 - f[:, 0]) * (1 - f[:, 1])), (1, 0, f[:, 0] * (1 - f[:, 1])),
                   (0, 1, (1 - f[:, 0]) * f[:, 1]), (1, 1, f[:, 0] * f[:, 1])]
        for dx, dy, w in corners:
            np.add.at(density, (i0[:, 0] + dx, i0[:, 1] + dy), w * mass)
        dens_fft = np.fft.rfft2(density)
        field_x = np.fft.irfft2(dens_fft * fft_kx, s=density.shape)
        field_y = np.fft.irfft2(dens_fft * fft_ky, s=density.shape)
        for dx, dy, w in corners:
            force[:, 0] += field_x[i0[:, 0] + dx, i0[:, 1] + dy] * w
            force[:, 1] += field_y[i0[:, 0] + dx, i0[:, 1] + dy] * w
        force *= mass[:, None] / h  # the kernel counts in cells: 1/r in cells is h/r in units
        # near field: exact repulsion between nodes that sort next to each other by grid cell (the mesh smooths
        # away forces within a cell)
        order = np.lexsort((i0[:, 1], i0[:, 0]))
        for shift in range(1, 7):
            a, b = order[:-shift], order[shift:]
            d = pos[a] - pos[b] + jitter[a] - jitter[b]
            dist2 = (d * d).sum(axis=1)
            close = dist2 < h * h
            if close.any():
                push = d[close] / np.maximum(dist2[close], 1e-4 * h * h)[:, None] * (mass[a[close]] * mass[b[close]])[:, None]
                np.add.at(force, a[close], push)
                np.add.at(force, b[close], -push)
        # springs along edges (attraction d²/k) and gravity
        if len(u):
            d = pos[v] - pos[u]
            dist = np.sqrt((d * d).sum(axis=1)) + 1e-9
            pull = d * dist[:, None]
            for axis in (0, 1):
                force[:, axis] += np.bincount(u, weights=pull[:, axis], minlength=n)
                force[:, axis] -= np.bincount(v, weights=pull[:, axis], minlength=n)
        force -= pos * (0.05 * mass)[:, None] / side
        length = np.sqrt((force * force).sum(axis=1)) + 1e-9
        pos += force * (np.minimum(length, heat) / length)[:, None]
    pos -= np.median(pos, axis=0)
    # bring far-flung small components and lone nodes back to the edge of the main body
    radius = np.sqrt((pos * pos).sum(axis=1)) + 1e-9
    edge = np.percentile(radius, 95) * 1.1 + 1.0
    far = radius > edge
    pos[far] *= (edge + np.log1p(radius[far] - edge) * 0.2)[:, None] / radius[far][:, None]
    # one unit = the typical distance between neighbouring nodes (the square root of the area per node)
    area = math.pi * float(np.percentile(np.sqrt((pos * pos).sum(axis=1)), 95)) ** 2 / n
    if area > 1e-12:
        pos /= math.sqrt(area)
    return pos


# -- the data the page embeds ------------------------------------------------------------------------
def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _class_styles(data: network.GraphData, classes: list[str]) -> dict[str, tuple[str, str]]:
    styles, extra = {}, 0
    for cls in classes:
        name = network.local(cls)
        if cls.startswith(str(KG)) and name in STYLE:
            styles[cls] = STYLE[name]
            continue
        shape = "dot"
        for ancestor in sorted(data.ancestors(cls)):
            if ancestor.startswith(str(KG)) and network.local(ancestor) in STYLE:
                shape = STYLE[network.local(ancestor)][1]
                break
        styles[cls] = (FALLBACK_COLOURS[extra % len(FALLBACK_COLOURS)], shape)
        extra += 1
    return styles


def page_data(data: network.GraphData, g: nx.MultiDiGraph, view: str = "full", title: str | None = None) -> dict:
    """Everything the page shows, as plain JSON-able data (node order and ids are deterministic)."""
    order = sorted(g.nodes)
    index = {iri: i for i, iri in enumerate(order)}
    classes = sorted({data.nodes[n].cls for n in order}, key=lambda c: (data.class_label(c).casefold(), c))
    class_index = {c: i for i, c in enumerate(classes)}
    styles = _class_styles(data, classes)
    edges_sorted = sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    relations = sorted({attrs["relation"] for *_, attrs in edges_sorted})
    relation_index = {r: i for i, r in enumerate(relations)}
    slugs = sorted({s for n in order for s in data.nodes[n].articles} | {s for *_, a in edges_sorted for s in a["articles"]})
    slug_index = {s: i for i, s in enumerate(slugs)}
    evidence_ids: dict[str, int] = {}
    evidence: list[dict] = []

    def ev(iri: str) -> int:
        if iri not in evidence_ids:
            e = data.evidence[iri]
            record = {"quote": e.quote, "kind": e.kind, "article": e.article}
            if e.speaker:
                record["speaker"] = data.label(e.speaker)
                if e.speaker in index:
                    record["speakerNode"] = index[e.speaker]
            if e.date:
                record["date"] = e.date
            if e.start is not None:
                record["start"], record["end"] = e.start, e.end
            if e.prefix or e.suffix:
                record["prefix"], record["suffix"] = e.prefix, e.suffix
            evidence_ids[iri] = len(evidence)
            evidence.append(record)
        return evidence_ids[iri]

    # positions: computed here for big graphs, a seeded start for vis-network's physics on small ones
    undirected = sorted({(min(index[u], index[v]), max(index[u], index[v])) for u, v, *_ in edges_sorted if u != v})
    pos = layout(len(order), undirected) * 130.0

    nodes = []
    for i, iri in enumerate(order):
        node = data.nodes[iri]
        cls_label = data.class_label(node.cls)
        item = {"id": i, "iri": iri, "name": node.label, "cls": class_index[node.cls],
                "x": round(float(pos[i, 0]), 1), "y": round(float(pos[i, 1]), 1), "deg": g.degree(iri)}
        tip = [f"{node.label}", f"({cls_label})"]
        info: list[list[str]] = []
        label = _shorten(node.label, 48)
        if node.aliases:
            item["aliases"] = node.aliases
            info.append(["Also called", "; ".join(node.aliases)])
        if node.is_actor:
            posts = data.posts(iri)
            if posts:
                item["posts"] = posts
                label += "\n" + _shorten(posts[0], 40) + (f" (+{len(posts) - 1})" if len(posts) > 1 else "")
                tip.append("Posts: " + "; ".join(posts))
        if iri in data.evidence and data.evidence[iri].kind == "statement":
            e = data.evidence[iri]
            who = data.label(e.speaker) if e.speaker else "unknown speaker"
            label = f"“{_shorten(e.quote, 70)}”\n— {_shorten(who, 30)}" + (f", {e.date}" if e.date else "")
            tip = [f"“{_shorten(e.quote, 400)}”", f"— {who}" + (f", {e.date}" if e.date else ""),
                   f"{e.article}, characters {e.start}–{e.end}"]
            info += [["Speaker", who]] + ([["Date", e.date]] if e.date else [])
            item["stmt"] = True
        else:
            for pred, name in ((str(KG.date), "Date"), (str(KG.conveyedOn), "Conveyed on"),
                               (str(network.SCHEMA.datePublished), "Published")):
                for value in data.literals.get(iri, {}).get(pred, []):
                    info.append([name, value])
                    tip.append(f"{name}: {value}")
        item["label"] = label
        item["title"] = "\n".join(tip)
        if info:
            item["info"] = info
        item["arts"] = sorted(slug_index[s] for s in node.articles if s in slug_index)
        roles = data.node_evidence(iri)
        for role, key in (("said", "said"), ("about", "about"), ("evidence", "ev")):
            items = [x for x in roles.get(role, []) if x in data.evidence]
            if items:
                item[key] = [ev(x) for x in items[:EVIDENCE_LIMIT]]
                if len(items) > EVIDENCE_LIMIT:
                    item[key + "More"] = len(items) - EVIDENCE_LIMIT
        nodes.append(item)

    edges = []
    parallel: dict[tuple[int, int], int] = {}
    for j, (u, v, _, attrs) in enumerate(edges_sorted):
        a, b = index[u], index[v]
        pair = (min(a, b), max(a, b))
        parallel[pair] = parallel.get(pair, 0) + 1
        item = {"id": j, "from": a, "to": b, "rel": relation_index[attrs["relation"]], "label": attrs["relation"],
                "arts": [slug_index[s] for s in attrs["articles"] if s in slug_index], "n": parallel[pair] - 1}
        if attrs.get("via"):
            item["via"] = data.label(attrs["via"])
        evs = [x for x in attrs["evidence"] if x in data.evidence]
        if evs:
            item["ev"] = [ev(x) for x in evs[:EVIDENCE_LIMIT]]
        edges.append(item)

    class_counts = {c: 0 for c in classes}
    for n in order:
        class_counts[data.nodes[n].cls] += 1
    relation_counts = {r: 0 for r in relations}
    for *_, attrs in edges_sorted:
        relation_counts[attrs["relation"]] += 1
    if title is None:
        heads = [data.articles.get(s) or s for s in slugs]
        title = heads[0] if len(heads) == 1 else f"{len(heads)} articles"
    return {
        "title": title,
        "view": view,
        "physics": len(order) <= PHYSICS_LIMIT,
        "classes": [{"iri": c, "label": data.class_label(c), "color": styles[c][0], "shape": styles[c][1],
                     "count": class_counts[c]} for c in classes],
        "relations": [{"label": r, "count": relation_counts[r]} for r in relations],
        "articles": [{"slug": s, "title": data.articles.get(s) or s} for s in slugs],
        "nodes": nodes,
        "edges": edges,
        "evidence": evidence,
    }


# -- the page ----------------------------------------------------------------------------------------
def json_for_script(data) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' can close the element or start markup."""
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _vis_script() -> str:
    js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    if "</script" in js.lower():  # pragma: no cover - a vis-network update would have to be looked at
        raise RuntimeError("vis-network.min.js contains </script and cannot be inlined")
    return js


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render(payload: dict) -> str:
    """The whole page: inline style, vis-network, our script, the data; a CSP allows exactly those scripts."""
    vis_js, app_js = _vis_script(), APP_JS
    csp = ("default-src 'none'; script-src " + _csp_hash(vis_js) + " " + _csp_hash(app_js)
           + "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    title = html.escape(f"Knowledge graph: {payload['title']}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{title}</title>\n<style>{APP_CSS}</style>\n</head><body>\n{BODY}\n"
        f"<script id=\"graph-data\" type=\"application/json\">{json_for_script(payload)}</script>\n"
        f"<script>{vis_js}</script>\n<script>{app_js}</script>\n</body></html>\n"
    )


def write_page(payload: dict, path: Path) -> None:
    text = render(payload)
    write_atomically(Path(path), lambda handle: handle.write(text.encode("utf-8")))


def write_html(store, path: Path, view: str = "full", focus: str | None = None, depth: int = 2,
               article: str | None = None, data: network.GraphData | None = None) -> dict:
    """Write the page for a view of the store's graph; returns counts (nodes, edges) for a summary line.

    ``focus`` is a name, alias or IRI (the ego graph of radius ``depth`` around it); ``article`` a slug.
    """
    data = data or network.load(store)
    g = network.actor_view(data, store) if view == "actors" else network.full_view(data)
    focus_iri = network.resolve(data, focus, candidates=list(g.nodes)) if focus else None
    g = network.restrict(data, g, article=article, focus=focus_iri, depth=depth)
    title = None
    if focus_iri:
        title = f"around {data.label(focus_iri)}"
    elif article:
        title = data.articles.get(article) or article
    payload = page_data(data, g, view=view, title=title)
    write_page(payload, path)
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "path": Path(path)}


BODY = """<header id="bar">
  <div id="heading"><h1 id="title"></h1><div id="counts"></div></div>
  <div id="find"><input id="search" type="search" placeholder="Find a person, organisation, quote…" autocomplete="off"
    aria-label="Find a node by name"><ol id="results" hidden></ol></div>
  <button id="fit" type="button" title="Show the whole graph">Fit</button>
</header>
<aside id="filters">
  <section><h2>Kinds of node</h2><ul id="legend"></ul></section>
  <section><h2>Article</h2><select id="article" aria-label="Only the nodes of one article"></select></section>
  <section><h2>Relations</h2><ul id="relations"></ul></section>
  <p class="hint">Scroll to zoom, drag to move. Click a node or a relation to read the words behind it.</p>
</aside>
<main id="graph" aria-label="The graph"></main>
<aside id="panel" hidden><button id="close" type="button" aria-label="Close">×</button><div id="panel-body"></div></aside>"""

APP_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#212529;background:#f8f9fa}
body{display:grid;grid-template-columns:250px 1fr;grid-template-rows:auto 1fr;height:100vh;overflow:hidden}
#bar{grid-column:1/3;display:flex;align-items:center;gap:16px;padding:8px 14px;background:#fff;border-bottom:1px solid #dee2e6}
#heading{flex:1;min-width:0}
#title{font-size:16px;margin:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#counts{font-size:12px;color:#6c757d}
#find{position:relative;width:340px}
#search{width:100%;padding:7px 10px;border:1px solid #ced4da;border-radius:6px;font:inherit}
#results{position:absolute;z-index:20;top:100%;left:0;right:0;margin:4px 0 0;padding:4px 0;list-style:none;background:#fff;border:1px solid #ced4da;border-radius:6px;box-shadow:0 6px 20px rgba(0,0,0,.12);max-height:60vh;overflow:auto}
#results li{padding:6px 10px;cursor:pointer;display:flex;gap:8px;align-items:baseline}
#results li:hover,#results li.active{background:#e7f5ff}
#results .kind{font-size:11px;color:#868e96;margin-left:auto;white-space:nowrap}
button{font:inherit;cursor:pointer}
#fit{padding:6px 12px;border:1px solid #ced4da;background:#fff;border-radius:6px}
#filters{overflow:auto;padding:10px 14px;background:#fff;border-right:1px solid #dee2e6}
#filters h2{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#868e96;margin:12px 0 6px}
#filters ul{list-style:none;margin:0;padding:0}
#filters li label{display:flex;align-items:center;gap:7px;padding:2px 0;cursor:pointer}
#filters .count{margin-left:auto;color:#adb5bd;font-size:12px}
#filters select{width:100%;font:inherit;padding:4px}
.hint{font-size:12px;color:#868e96;margin-top:16px}
.swatch{display:inline-block;width:13px;height:13px;flex:none;border:1px solid rgba(0,0,0,.25)}
.swatch.dot,.swatch.ellipse{border-radius:50%}.swatch.box,.swatch.database{border-radius:3px}
.swatch.diamond{transform:rotate(45deg) scale(.85)}.swatch.triangle{clip-path:polygon(50% 0,100% 100%,0 100%);border:0}
.swatch.star{clip-path:polygon(50% 0,61% 35%,98% 35%,68% 57%,79% 91%,50% 70%,21% 91%,32% 57%,2% 35%,39% 35%);border:0}
.swatch.hexagon{clip-path:polygon(25% 5%,75% 5%,100% 50%,75% 95%,25% 95%,0 50%);border:0}
#graph{position:relative;min-width:0;min-height:0;background:#fff}
#panel{position:absolute;top:57px;right:0;bottom:0;width:420px;max-width:90vw;overflow:auto;background:#fff;border-left:1px solid #dee2e6;box-shadow:-6px 0 20px rgba(0,0,0,.08);padding:14px 18px 30px;z-index:10}
#panel[hidden]{display:none}
#close{position:absolute;top:8px;right:10px;border:0;background:none;font-size:22px;color:#868e96}
#panel h2{font-size:19px;margin:0 26px 4px 0}
#panel h3{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:#868e96;margin:18px 0 6px}
.chip{display:inline-flex;align-items:center;gap:6px;font-size:12px;color:#495057;margin-bottom:6px}
dl.info{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:8px 0}
dl.info dt{color:#868e96}dl.info dd{margin:0}
.quote{margin:8px 0;padding:8px 10px;border-left:3px solid #fab005;background:#fff9db;border-radius:0 6px 6px 0}
.quote.mention{border-left-color:#74c0fc;background:#e7f5ff}
.quote .ctx{color:#868e96}.quote .exact{font-weight:600;color:#212529}
.quote cite{display:block;font-style:normal;font-size:12px;color:#495057;margin-top:4px}
.links li{margin:3px 0}.links{padding-left:18px;margin:4px 0}
.linkish{border:0;background:none;padding:0;color:#1c7ed6;text-align:left}
.linkish:hover{text-decoration:underline}
.rel{color:#495057;font-style:italic}
.more{font-size:12px;color:#868e96}
div.vis-tooltip{position:absolute;visibility:hidden;padding:6px 9px;white-space:pre-wrap;max-width:420px;font:13px/1.35 system-ui,sans-serif;color:#212529;background:#fff;border:1px solid #ced4da;border-radius:6px;box-shadow:0 4px 14px rgba(0,0,0,.15);pointer-events:none;z-index:5}
"""

APP_JS = r"""
"use strict";
(function () {
  const t0 = performance.now();
  const D = JSON.parse(document.getElementById("graph-data").textContent);
  const tParsed = performance.now();
  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  const nodes = D.nodes, edges = D.edges, EV = D.evidence;
  const big = !D.physics;
  const adjacency = nodes.map(() => []);
  for (const e of edges) { adjacency[e.from].push(e.id); if (e.to !== e.from) adjacency[e.to].push(e.id); }

  // -- header
  $("title").textContent = D.title;
  $("counts").textContent = nodes.length + " nodes · " + edges.length + " relations · " +
    (D.view === "actors" ? "actor view" : "full view") + (big ? " · layout computed, physics off" : "");

  // -- vis data
  const visNodes = nodes.map((n) => {
    const c = D.classes[n.cls];
    const inside = c.shape === "box" || c.shape === "database" || c.shape === "ellipse";
    const o = {id: n.id, label: n.label, title: n.title, x: n.x, y: n.y, shape: c.shape,
      color: {background: c.color, border: shade(c.color), highlight: {background: c.color, border: "#000"},
              hover: {background: c.color, border: "#000"}},
      font: inside ? {color: textOn(c.color), size: 12} : {color: "#212529", size: 14, strokeWidth: 3, strokeColor: "#ffffff"}};
    if (c.shape === "box") { o.widthConstraint = {maximum: 240}; o.font.align = "left"; o.margin = 8; }
    // a label below its node wraps at about 20 characters: side by side, two long one-line names overlapped
    if (!inside) o.widthConstraint = {maximum: 160};
    if (c.shape === "dot") o.size = Math.min(12 + 3 * Math.sqrt(n.deg || 0), 34);
    else if (!inside) o.size = 16;
    return o;
  });
  const visEdges = edges.map((e) => {
    const o = {id: e.id, from: e.from, to: e.to, label: e.label,
      title: nodes[e.from].name + " — " + e.label + " → " + nodes[e.to].name + (e.via ? "\n(" + e.via + ")" : "")};
    if (!big && e.n) o.smooth = {enabled: true, type: e.n % 2 ? "curvedCW" : "curvedCCW", roundness: 0.15 * Math.ceil(e.n / 2)};
    return o;
  });
  const nodeSet = new vis.DataSet(visNodes), edgeSet = new vis.DataSet(visEdges);

  // -- filters
  const showClass = D.classes.map(() => true), showRel = D.relations.map(() => true);
  let article = -1;
  const nodeVisible = (id) => { const n = nodes[id]; return showClass[n.cls] && (article < 0 || (n.arts || []).includes(article)); };
  const nodeView = new vis.DataView(nodeSet, {filter: (n) => nodeVisible(n.id)});
  const edgeView = new vis.DataView(edgeSet, {filter: (v) => {
    const e = edges[v.id];
    return showRel[e.rel] && nodeVisible(e.from) && nodeVisible(e.to) && (article < 0 || (e.arts || []).includes(article));
  }});
  function refresh() { nodeView.refresh(); edgeView.refresh(); }

  D.classes.forEach((c, i) => {
    const box = el("input", {type: "checkbox"}); box.checked = true;
    box.addEventListener("change", () => { showClass[i] = box.checked; refresh(); });
    $("legend").append(el("li", {"data-class": c.iri}, el("label", {},
      box, el("span", {class: "swatch " + c.shape, style: "background:" + c.color}), el("span", {class: "name", text: c.label}),
      el("span", {class: "count", text: String(c.count)}))));
  });
  D.relations.forEach((r, i) => {
    const box = el("input", {type: "checkbox"}); box.checked = true;
    box.addEventListener("change", () => { showRel[i] = box.checked; refresh(); });
    $("relations").append(el("li", {}, el("label", {}, box, el("span", {text: r.label}), el("span", {class: "count", text: String(r.count)}))));
  });
  const select = $("article");
  select.append(el("option", {value: "-1", text: "All articles (" + D.articles.length + ")"}));
  D.articles.forEach((a, i) => select.append(el("option", {value: String(i), text: a.title + " — " + a.slug})));
  select.addEventListener("change", () => { article = Number(select.value); refresh(); });

  // -- the network
  const options = {
    autoResize: true,
    layout: {improvedLayout: false, randomSeed: 7},
    nodes: {borderWidth: 1, font: {face: "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.45}}, width: 1, selectionWidth: 2,
      color: {color: "#adb5bd", highlight: "#212529", hover: "#495057"},
      font: {size: 10, color: "#495057", strokeWidth: 3, strokeColor: "#ffffff", align: "middle"},
      smooth: big ? false : {enabled: true, type: "continuous", roundness: 0.3}},
    physics: big ? false : {solver: "forceAtlas2Based",
      forceAtlas2Based: {gravitationalConstant: -150, centralGravity: 0.02, springLength: 200, springConstant: 0.04, avoidOverlap: 0.8},
      stabilization: {enabled: true, iterations: 400, fit: true}},
    interaction: {hover: true, tooltipDelay: 200, hideEdgesOnDrag: big, hideEdgesOnZoom: big, multiselect: false}
  };
  const network = new vis.Network($("graph"), {nodes: nodeView, edges: edgeView}, options);
  const timing = {script: t0, parsed: tParsed, network: performance.now()};
  window.kg = {network, data: D, timing, ready: false, select: selectNode, search: find};
  function markReady() {
    if (window.kg.ready) return;
    timing.drawn = performance.now();
    window.kg.ready = true;
    document.body.setAttribute("data-ready", "true");
  }
  if (big || !nodes.length) network.once("afterDrawing", markReady);
  else network.once("stabilizationIterationsDone", () => {
    network.setOptions({physics: false});
    network.once("afterDrawing", markReady);
    network.redraw();
  });
  $("fit").addEventListener("click", () => network.fit({animation: {duration: 300}}));

  // -- search
  const names = nodes.map((n) => [n.name, ...(n.aliases || [])].map((s) => s.toLowerCase()));
  function find(text) {
    const q = text.trim().toLowerCase();
    if (!q) return [];
    const hits = [];
    nodes.forEach((n, i) => {
      let best = 9;
      for (const s of names[i]) {
        const score = s === q ? 0 : s.startsWith(q) ? 1 : (" " + s).includes(" " + q) ? 2 : s.includes(q) ? 3 : 9;
        if (score < best) best = score;
      }
      if (best < 9) hits.push([best, D.classes[n.cls].shape === "box" ? 1 : 0, n.name.length, i]);
    });
    hits.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
    return hits.slice(0, 12).map((h) => h[3]);
  }
  const results = $("results"), search = $("search");
  let shown = [], active = 0;
  function showResults() {
    shown = find(search.value); active = 0;
    results.replaceChildren(...shown.map((id, k) => {
      const li = el("li", {class: k === 0 ? "active" : "", role: "option"},
        el("span", {class: "swatch " + D.classes[nodes[id].cls].shape, style: "background:" + D.classes[nodes[id].cls].color}),
        el("span", {text: shorten(nodes[id].name, 70)}), el("span", {class: "kind", text: D.classes[nodes[id].cls].label}));
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(id); });
      return li;
    }));
    if (!shown.length && search.value.trim()) results.replaceChildren(el("li", {class: "none", text: "No node has that name"}));
    results.hidden = !search.value.trim();
  }
  function choose(id) { results.hidden = true; search.blur(); selectNode(id); }
  search.addEventListener("input", showResults);
  search.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); const r = find(search.value); if (r.length) choose(shown.length ? shown[active] : r[0]); }
    else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!shown.length) return;
      active = (active + (ev.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
      [...results.children].forEach((li, k) => li.classList.toggle("active", k === active));
    } else if (ev.key === "Escape") { results.hidden = true; }
  });
  search.addEventListener("blur", () => setTimeout(() => { results.hidden = true; }, 150));

  // -- selection and the side panel
  function selectNode(id) {
    if (typeof id === "string") id = nodes.findIndex((n) => n.iri === id);
    const n = nodes[id];
    if (!n) return false;
    if (!nodeVisible(id)) {
      showClass[n.cls] = true; article = -1; select.value = "-1";
      $("legend").children[n.cls].querySelector("input").checked = true;
      refresh();
    }
    network.selectNodes([id]);
    const shift = Math.min($("panel").offsetWidth || 420, $("graph").clientWidth / 2) / 2;
    network.focus(id, {scale: Math.max(network.getScale(), big ? 1.2 : 1.0), offset: {x: -shift, y: 0}, animation: {duration: 350}});
    showNode(id);
    return true;
  }
  network.on("click", (p) => {
    if (p.nodes.length) showNode(p.nodes[0]);
    else if (p.edges.length) showEdge(p.edges[0]);
    else $("panel").hidden = true;
  });
  $("close").addEventListener("click", () => { $("panel").hidden = true; network.unselectAll(); });

  function quoteBlock(k) {
    const e = EV[k];
    const q = el("blockquote", {class: "quote " + e.kind});
    if (e.prefix) q.append(el("span", {class: "ctx", text: "…" + e.prefix}));
    q.append(el("span", {class: "exact", text: e.quote}));
    if (e.suffix) q.append(el("span", {class: "ctx", text: e.suffix + "…"}));
    const where = [];
    if (e.kind === "statement") where.push(e.speaker || "unknown speaker");
    else where.push("words in the article");
    if (e.date) where.push("said " + e.date);
    where.push(e.article + (e.start !== undefined ? ", characters " + e.start + "–" + e.end : ""));
    q.append(el("cite", {text: where.join(" · ")}));
    return q;
  }
  function section(body, heading, list, more) {
    if (!list || !list.length) return;
    body.append(el("h3", {text: heading + " (" + (list.length + (more || 0)) + ")"}));
    list.forEach((k) => body.append(quoteBlock(k)));
    if (more) body.append(el("p", {class: "more", text: more + " more not shown"}));
  }
  function nodeLink(id) {
    const b = el("button", {type: "button", class: "linkish", text: shorten(nodes[id].name, 80)});
    b.addEventListener("click", () => selectNode(id));
    return b;
  }
  function openPanel() { const p = $("panel"); p.hidden = false; p.scrollTop = 0; return $("panel-body"); }
  function showNode(id) {
    const n = nodes[id], c = D.classes[n.cls], body = openPanel();
    body.replaceChildren(
      el("div", {class: "chip"}, el("span", {class: "swatch " + c.shape, style: "background:" + c.color}), el("span", {text: c.label})),
      el("h2", {text: n.name}));
    const info = el("dl", {class: "info"});
    for (const [k, v] of (n.info || [])) info.append(el("dt", {text: k}), el("dd", {text: v}));
    if (n.posts) info.append(el("dt", {text: "Posts"}), el("dd", {text: n.posts.join("; ")}));
    if (n.arts && n.arts.length) info.append(el("dt", {text: "Articles"}), el("dd", {text: n.arts.map((a) => D.articles[a].title).join("; ")}));
    info.append(el("dt", {text: "IRI"}), el("dd", {class: "iri", text: n.iri}));
    body.append(info);
    if (n.stmt) section(body, "The words", n.ev);
    else {
      section(body, "Quoted", n.said, n.saidMore);
      section(body, "Quoted about it", n.about, n.aboutMore);
      section(body, "Evidence in the text", n.ev, n.evMore);
    }
    const rels = adjacency[id];
    if (rels.length) {
      body.append(el("h3", {text: "Relations (" + rels.length + ")"}));
      const ul = el("ul", {class: "links"});
      for (const eid of rels.slice(0, 300)) {
        const e = edges[eid], out = e.from === id, other = out ? e.to : e.from;
        const ev = e.ev ? el("button", {type: "button", class: "linkish more", text: "· " + e.ev.length + " quote" + (e.ev.length > 1 ? "s" : "")}) : null;
        if (ev) ev.addEventListener("click", () => { network.selectEdges([eid]); showEdge(eid); });
        ul.append(el("li", {}, out ? el("span", {class: "rel", text: e.label + " → "}) : el("span", {class: "rel", text: "← " + e.label + " · "}),
          nodeLink(other), e.via ? el("span", {class: "more", text: " (" + shorten(e.via, 60) + ")"}) : null, ev ? " " : null, ev));
      }
      body.append(ul);
      if (rels.length > 300) body.append(el("p", {class: "more", text: (rels.length - 300) + " more not shown"}));
    }
  }
  function showEdge(eid) {
    const e = edges[eid], body = openPanel();
    body.replaceChildren(el("div", {class: "chip", text: "relation"}),
      el("h2", {}, nodeLink(e.from), el("span", {class: "rel", text: " " + e.label + " "}), nodeLink(e.to)));
    const info = el("dl", {class: "info"});
    if (e.via) info.append(el("dt", {text: "Through"}), el("dd", {text: e.via}));
    if (e.arts && e.arts.length) info.append(el("dt", {text: "Articles"}), el("dd", {text: e.arts.map((a) => D.articles[a].title).join("; ")}));
    body.append(info);
    section(body, "Evidence", e.ev);
    if (!e.ev) body.append(el("p", {class: "more", text: "No quotation is attached to this relation."}));
  }

  // -- helpers
  function shorten(s, n) { s = String(s); return s.length <= n ? s : s.slice(0, n - 1) + "…"; }
  function shade(hex) {
    const v = parseInt(hex.slice(1), 16), f = 0.7;
    const r = Math.round(((v >> 16) & 255) * f), g = Math.round(((v >> 8) & 255) * f), b = Math.round((v & 255) * f);
    return "#" + ((1 << 24) + (r << 16) + (g << 8) + b).toString(16).slice(1);
  }
  function textOn(hex) {
    const v = parseInt(hex.slice(1), 16);
    const l = 0.299 * ((v >> 16) & 255) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255);
    return l > 150 ? "#212529" : "#ffffff";
  }
})();
"""
