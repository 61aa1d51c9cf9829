"""graph.html: the built graph drawn with vis-network (the library pyvis ships), offline and escaped."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pyvis

from .ns import KG
from .store import write_atomically

VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

NODES_QUERY = """
PREFIX kg: <%(kg)s>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node ?class ?label WHERE {
  VALUES ?class { kg:Person kg:Organization kg:State kg:Government kg:CollectiveActor kg:UnnamedActor kg:PersonGroup
                  kg:Post kg:Place kg:Facility kg:Event kg:ProposedAction kg:Offer kg:LegalCondition kg:Statement
                  kg:LegalPosition kg:Article }
  GRAPH ?g { ?node a ?class }
  OPTIONAL { ?node rdfs:label ?l }
  OPTIONAL { ?node kg:quote ?q }
  BIND(COALESCE(?l, ?q, STR(?node)) AS ?label)
}
""" % {"kg": KG}

EDGES_QUERY = """
PREFIX kg: <%(kg)s>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?s ?p ?o WHERE {
  VALUES ?p { kg:speaker kg:about kg:offeredBy kg:offeredTo kg:conveyedBy kg:coversAction kg:covers kg:holder
              kg:onAction kg:restsOnDoctrine kg:evidence kg:facility kg:locatedIn org:holds org:postIn org:memberOf
              org:subOrganizationOf kg:occasion kg:audience kg:conditionOf kg:destination kg:actionAgent
              kg:onBehalfOf kg:participant kg:place kg:includesGroup kg:quotedWithin schema:author schema:publisher }
  GRAPH ?g { ?s ?p ?o }
  FILTER(isIRI(?o))
}
""" % {"kg": KG}

STYLE = {
    "Person": ("#e6550d", "dot"), "Organization": ("#3182bd", "box"), "State": ("#08519c", "box"),
    "Government": ("#6baed6", "box"), "CollectiveActor": ("#fd8d3c", "ellipse"), "UnnamedActor": ("#fdae6b", "ellipse"),
    "PersonGroup": ("#fdd0a2", "ellipse"), "Post": ("#31a354", "diamond"), "Place": ("#756bb1", "triangle"),
    "Facility": ("#9e9ac8", "triangle"), "Event": ("#636363", "star"), "ProposedAction": ("#de2d26", "hexagon"),
    "Offer": ("#a50f15", "hexagon"), "LegalCondition": ("#74c476", "square"), "Statement": ("#bdbdbd", "dot"),
    "LegalPosition": ("#e7298a", "square"), "Article": ("#252525", "database"), "LegalDoctrine": ("#006d2c", "diamond"),
}


def local(iri) -> str:
    text = str(iri)
    return text[max(text.rfind("#"), text.rfind("/")) + 1:]


def collect(store) -> tuple[list[dict], list[dict]]:
    nodes: dict[str, dict] = {}
    for row in store.query(NODES_QUERY).rows:
        cls = local(row["class"])
        nodes.setdefault(str(row["node"]), {"id": str(row["node"]), "label": str(row["label"]), "group": cls})
    edges = []
    for row in store.query(EDGES_QUERY).rows:
        s, o = str(row["s"]), str(row["o"])
        if s in nodes and (o in nodes or local(row["p"]) in ("restsOnDoctrine", "about", "conditionOf")):
            if o not in nodes:
                nodes[o] = {"id": o, "label": local(o).replace("-", " "), "group": "LegalDoctrine"}
            edges.append({"from": s, "to": o, "label": local(row["p"])})
    for node in nodes.values():
        color, shape = STYLE.get(node["group"], ("#999999", "dot"))
        node.update(color=color, shape=shape, title=f"{node['group']}: {node['label']}")
        if len(node["label"]) > 40:
            node["label"] = node["label"][:39] + "…"
    return sorted(nodes.values(), key=lambda n: n["id"]), sorted(edges, key=lambda e: (e["from"], e["to"], e["label"]))


def json_for_script(data) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' can close the element or start markup."""
    return (json.dumps(data, ensure_ascii=False, sort_keys=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def page(nodes: list[dict], edges: list[dict], title: str = "Knowledge graph") -> str:
    js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    css = (VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<style>{css}</style>
<style>html,body{{margin:0;height:100%;font-family:sans-serif}}#graph{{width:100%;height:100%}}</style>
</head><body><div id="graph"></div>
<script id="graph-data" type="application/json">{json_for_script({"nodes": nodes, "edges": edges})}</script>
<script>{js}</script>
<script>
const data = JSON.parse(document.getElementById("graph-data").textContent);
for (const n of data.nodes) {{ const t = document.createElement("div"); t.textContent = n.title; n.title = t; }}
new vis.Network(document.getElementById("graph"),
  {{nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}},
  {{edges: {{arrows: "to", font: {{size: 9}}}}, physics: {{stabilization: {{iterations: 200}}}}}});
</script></body></html>
"""


def write_html(store, path: Path) -> None:
    nodes, edges = collect(store)
    text = page(nodes, edges)
    write_atomically(Path(path), lambda handle: handle.write(text.encode("utf-8")))
