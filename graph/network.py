"""The graph as a network: what the HTML page draws, what `kg analyze` measures and what `kg export` writes.

Everything is read from the store with SPARQL (so it works the same on Oxigraph on disk, in memory and on a remote
SPARQL 1.1 endpoint) and turned into networkx graphs:

* the **full view**: every node the annotations describe (actors, posts, places, events, proposed actions, offers,
  conditions, statements, legal positions, articles, and the doctrines they cite), one edge per relation;
* the **actor view**: actors only, joined by what the articles say they did to each other ("offered to",
  "said about", "opposes", "supports", "holds post in", "member of", "part of"), each edge carrying the
  statements and quoted words that support it.

The classes drawn are data-driven: every class of the ontology graph that has instances in an article graph, named
by its rdfs:label, so extension classes appear without a code change.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from .errors import CheckFailed, InputError
from .ns import GR, ID, KG, OA, ONTOLOGY_GRAPH, SCHEMA
from .ns import sparql_prologue

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
ARTICLE_GRAPHS = str(GR["article/"])

# Evidence plumbing: instances of these classes are shown in the side panel, never as nodes.
HIDDEN_CLASSES = {
    str(OA.SpecificResource), str(OA.TextPositionSelector), str(OA.TextQuoteSelector), str(KG.Mention),
    str(KG.Utterance), PROV + "Attribution", str(KG.Curator), str(KG.Extractor), str(SCHEMA.ImageObject),
}
# Relations that would join every node to its article: the article filter shows them instead.
HIDDEN_PREDICATES = {RDF_TYPE, str(KG.mentionedIn), str(KG.inArticle), str(KG.anchor), str(KG.partOfUtterance),
                     PROV + "wasAttributedTo", PROV + "qualifiedAttribution", str(SCHEMA.image)}
ACTOR = str(KG.Actor)
STATEMENT = str(KG.Statement)
MENTION = str(KG.Mention)
POSITION = str(KG.LegalPosition)
ARTICLE = str(KG.Article)
DOCTRINE_CLASS = str(KG.LegalDoctrine)


def local(iri: str) -> str:
    text = str(iri)
    return text[max(text.rfind("#"), text.rfind("/")) + 1:]


def humanise(iri: str) -> str:
    """A readable name for a term without a label: org:subOrganizationOf -> "sub organization of"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local(iri)).replace("-", " ").replace("_", " ")
    return words.lower().strip() or str(iri)


def slug_of_graph(graph_iri: str) -> str | None:
    text = str(graph_iri)
    return text[len(ARTICLE_GRAPHS):] if text.startswith(ARTICLE_GRAPHS) else None


# -- SPARQL ------------------------------------------------------------------------------------------
_P = sparql_prologue()
_ARTICLE_FILTER = f'FILTER(STRSTARTS(STR(?g), "{ARTICLE_GRAPHS}"))'

ONTOLOGY_QUERY = _P + f"""
SELECT ?term ?kind ?label ?lang ?parent WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{
    {{ ?term a ?kind . FILTER(?kind IN (owl:Class, rdfs:Class)) OPTIONAL {{ ?term rdfs:subClassOf ?parent FILTER(isIRI(?parent)) }} }}
    UNION {{ ?term rdfs:label|skos:prefLabel ?label BIND(LANG(?label) AS ?lang) }}
    UNION {{ ?term a ?kind . FILTER(?kind = kg:LegalDoctrine) }}
  }}
  FILTER(isIRI(?term))
}}"""

TYPES_QUERY = _P + f"""
SELECT DISTINCT ?g ?node ?class WHERE {{ GRAPH ?g {{ ?node a ?class }} {_ARTICLE_FILTER} FILTER(isIRI(?node)) }}"""

LITERALS_QUERY = _P + f"""
SELECT ?g ?s ?p ?o WHERE {{
  VALUES ?p {{ rdfs:label skos:altLabel kg:quote kg:saidOn kg:sequence kg:slug kg:date kg:conveyedOn
              kg:speakerUnknown schema:datePublished schema:headline }}
  GRAPH ?g {{ ?s ?p ?o }} {_ARTICLE_FILTER}
}}"""

LINKS_QUERY = _P + f"""
SELECT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} {_ARTICLE_FILTER}
  FILTER(isIRI(?o) && isIRI(?s) && ?p NOT IN (rdf:type, kg:mentionedIn, kg:inArticle, kg:anchor, oa:hasSource,
         oa:hasSelector, prov:wasAttributedTo, prov:qualifiedAttribution, prov:agent, prov:hadRole, schema:image))
}}"""

ANCHORS_QUERY = _P + f"""
SELECT ?g ?item ?start ?end ?prefix ?suffix WHERE {{
  GRAPH ?g {{
    ?item kg:anchor ?anchor . ?anchor oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end .
    OPTIONAL {{ ?anchor oa:hasSelector ?q . ?q oa:prefix ?prefix ; oa:suffix ?suffix }}
  }} {_ARTICLE_FILTER}
}}"""

# The actor view: each relation is one query giving ?a (actor) ?b (actor) ?via (what joins them, optional)
# ?ev (a statement or mention supporting it, optional) and ?g (the article graph that says so).
ACTOR_RELATIONS: list[tuple[str, str]] = [
    ("offered to", """
      GRAPH ?g { ?via kg:offeredBy ?a ; kg:offeredTo ?b . OPTIONAL { ?via kg:evidence ?ev } }"""),
    ("said about", """
      GRAPH ?g { ?ev a kg:Statement ; kg:speaker ?a ; kg:about ?x .
        { BIND(?x AS ?b) } UNION { ?x kg:offeredBy ?b BIND(?x AS ?via) } }"""),
    ("opposes", """
      GRAPH ?g { ?pos kg:holder ?a ; kg:stance v:opposes ; kg:onAction ?via . OPTIONAL { ?pos kg:evidence ?ev }
        { ?via kg:actionAgent ?b } UNION { ?offer kg:coversAction ?via ; kg:offeredBy ?b } }"""),
    ("supports", """
      GRAPH ?g { ?pos kg:holder ?a ; kg:stance v:supports ; kg:onAction ?via . OPTIONAL { ?pos kg:evidence ?ev }
        { ?via kg:actionAgent ?b } UNION { ?offer kg:coversAction ?via ; kg:offeredBy ?b } }"""),
    ("holds post in", """
      GRAPH ?g { ?a org:holds ?via . ?via org:postIn ?b . OPTIONAL { ?via kg:evidence ?ev } }"""),
    ("member of", """
      GRAPH ?g { ?a org:memberOf ?b . OPTIONAL { ?a kg:evidence ?ev } }"""),
    ("part of", """
      GRAPH ?g { ?a org:subOrganizationOf ?b . OPTIONAL { ?a kg:evidence ?ev } }"""),
]


def actor_relation_query(body: str) -> str:
    return _P + f"SELECT DISTINCT ?g ?a ?b ?via ?ev WHERE {{ {body}\n  {_ARTICLE_FILTER} FILTER(?a != ?b) }}"


# -- the data ----------------------------------------------------------------------------------------
@dataclass
class Evidence:
    """A statement or a mention: exact words in an article, with offsets."""

    iri: str
    kind: str  # statement | mention
    quote: str = ""
    article: str = ""
    start: int | None = None
    end: int | None = None
    prefix: str = ""
    suffix: str = ""
    speaker: str | None = None  # IRI
    date: str | None = None
    sequence: int | None = None

    def sort_key(self):
        return (self.article, self.start if self.start is not None else 10**12, self.iri)


@dataclass
class Node:
    iri: str
    classes: set[str] = field(default_factory=set)
    cls: str = ""  # the class it is drawn as (most specific drawn class)
    label: str = ""
    aliases: list[str] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)
    is_actor: bool = False


@dataclass
class GraphData:
    """What the store says, gathered once: nodes, relations, evidence, the ontology's labels and class tree."""

    nodes: dict[str, Node]
    links: list[tuple[str, str, str, str]]  # (article slug, s, p, o) between drawable nodes
    all_links: list[tuple[str, str, str, str]]  # every IRI link in article graphs
    evidence: dict[str, Evidence]
    labels: dict[str, str]  # ontology terms: classes, properties, doctrines, vocabulary values
    parents: dict[str, set[str]]
    articles: dict[str, str]  # slug -> headline
    literals: dict[str, dict[str, list[str]]]  # iri -> predicate -> values
    _evidence_index: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    _posts: dict[str, list[str]] = field(default_factory=dict)

    def label(self, iri: str) -> str:
        node = self.nodes.get(iri)
        if node is not None and node.label:
            return node.label
        return self.labels.get(iri) or humanise(iri)

    def ancestors(self, cls: str) -> set[str]:
        seen, todo = set(), [cls]
        while todo:
            current = todo.pop()
            for parent in self.parents.get(current, ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def class_label(self, cls: str) -> str:
        return self.labels.get(cls) or humanise(cls)

    def relation_label(self, predicate: str) -> str:
        return self.labels.get(predicate) or humanise(predicate)

    # evidence of a node, by role
    def node_evidence(self, iri: str) -> dict[str, list[str]]:
        return self._evidence_index.get(iri, {})

    def posts(self, actor: str) -> list[str]:
        """The labels of the posts an actor holds (org:holds)."""
        return self._posts.get(actor, [])


def _pick_label(values: list[tuple[str, str]]) -> str:
    """Prefer English, then no language, then the first in sort order."""
    for wanted in ("en", ""):
        hits = sorted(v for v, lang in values if lang.lower().split("-")[0] == wanted)
        if hits:
            return hits[0]
    return sorted(v for v, _ in values)[0]


def load(store) -> GraphData:
    """Read everything the views need from the store (a handful of SPARQL queries)."""
    labels_raw: dict[str, list[tuple[str, str]]] = defaultdict(list)
    parents: dict[str, set[str]] = defaultdict(set)
    declared: set[str] = set()
    doctrines: set[str] = set()
    for row in store.query(ONTOLOGY_QUERY).rows:
        term = str(row["term"])
        if row.get("label") is not None:
            labels_raw[term].append((str(row["label"]), str(row.get("lang") or "")))
        elif row.get("kind") is not None:
            if str(row["kind"]) == DOCTRINE_CLASS:
                doctrines.add(term)
            else:
                declared.add(term)
                if row.get("parent") is not None:
                    parents[term].add(str(row["parent"]))
    labels = {term: _pick_label(values) for term, values in labels_raw.items()}

    literals: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    articles: dict[str, str] = {}
    for row in store.query(LITERALS_QUERY).rows:
        s, p, o = str(row["s"]), str(row["p"]), str(row["o"])
        if o not in literals[s][p]:
            literals[s][p].append(o)
        if p == str(KG.slug):
            articles.setdefault(o, "")
    for iri, values in literals.items():
        if values.get(str(SCHEMA.headline)) and values.get(str(KG.slug)):
            articles[values[str(KG.slug)][0]] = values[str(SCHEMA.headline)][0]

    data = GraphData({}, [], [], {}, labels, dict(parents), dict(sorted(articles.items())), literals)
    drawable = declared - HIDDEN_CLASSES
    actor_classes = {c for c in declared if c == ACTOR or ACTOR in data.ancestors(c)}
    nodes: dict[str, Node] = {}
    for row in store.query(TYPES_QUERY).rows:
        node, cls, slug = str(row["node"]), str(row["class"]), slug_of_graph(row["g"])
        entry = nodes.setdefault(node, Node(node))
        entry.classes.add(cls)
        if slug:
            entry.articles.add(slug)

    all_links = []
    for row in store.query(LINKS_QUERY).rows:
        all_links.append((slug_of_graph(row["g"]) or "", str(row["s"]), str(row["p"]), str(row["o"])))
    all_links.sort()
    # doctrines are defined in the ontology graph; they become nodes when an article cites them
    for slug, s, p, o in all_links:
        if o in doctrines:
            entry = nodes.setdefault(o, Node(o, {DOCTRINE_CLASS}))
            entry.articles.add(slug)

    for iri, node in list(nodes.items()):
        shown = {c for c in node.classes if c in drawable}
        if not shown or node.classes & HIDDEN_CLASSES:
            del nodes[iri]
            continue
        # the most specific: a class none of the node's other classes is a subclass of
        specific = sorted(c for c in shown if not any(c in data.ancestors(o) for o in shown if o != c))
        node.cls = specific[0]
        node.is_actor = bool(node.classes & actor_classes)
        lits = literals.get(iri, {})
        names = lits.get(RDFS + "label") or lits.get(str(SCHEMA.headline)) or []
        node.label = sorted(names)[0] if names else labels.get(iri, "")
        if not node.label and lits.get(str(KG.quote)):
            node.label = lits[str(KG.quote)][0]
        node.label = node.label or humanise(iri)
        node.aliases = sorted(set(lits.get(SKOS + "altLabel", [])) | set(_label_alts(labels_raw.get(iri, []), node.label)))
    data.nodes = dict(sorted(nodes.items()))

    # evidence: statements and mentions with their anchors
    for row in store.query(ANCHORS_QUERY).rows:
        item = str(row["item"])
        lits = literals.get(item, {})
        kind = "statement" if STATEMENT in _classes_of(nodes, item) or lits.get(str(KG.sequence)) else "mention"
        ev = data.evidence.setdefault(item, Evidence(item, kind))
        ev.article = slug_of_graph(row["g"]) or ev.article
        ev.start, ev.end = int(row["start"]), int(row["end"])
        if row.get("prefix") is not None:
            ev.prefix, ev.suffix = str(row["prefix"]), str(row["suffix"])
        ev.quote = (lits.get(str(KG.quote)) or [""])[0]
        ev.date = (lits.get(str(KG.saidOn)) or [None])[0]
        seq = lits.get(str(KG.sequence))
        ev.sequence = int(seq[0]) if seq else None
    speakers = {}
    for slug, s, p, o in all_links:
        if p == str(KG.speaker):
            speakers[s] = o
    for iri, ev in data.evidence.items():
        ev.speaker = speakers.get(iri)

    data.links = [(slug, s, p, o) for slug, s, p, o in all_links if s in data.nodes and o in data.nodes]
    data.all_links = all_links
    data._evidence_index = _index_evidence(data)
    posts: dict[str, set[str]] = defaultdict(set)
    for _, s, p, o in all_links:
        if p == ORG + "holds":
            posts[s].add(data.label(o))
    data._posts = {k: sorted(v) for k, v in posts.items()}
    return data


def _label_alts(values, chosen):
    return sorted({v for v, _ in values if v != chosen})


def _classes_of(nodes, iri):
    node = nodes.get(iri)
    return node.classes if node else set()


def _index_evidence(data: GraphData) -> dict[str, dict[str, list[str]]]:
    """For every node: the statements it said, the statements about it, and its own evidence."""
    index: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for _, s, p, o in data.all_links:
        if o not in data.evidence and s not in data.evidence:
            continue
        if p == str(KG.speaker) and s in data.evidence:
            index[o]["said"].add(s)
        elif p == str(KG.about) and s in data.evidence:
            index[o]["about"].add(s)
        elif p == str(KG.evidence) and o in data.evidence:
            index[s]["evidence"].add(o)
    for iri, ev in data.evidence.items():
        if ev.kind == "statement":
            index[iri]["evidence"].add(iri)
    key = lambda e: data.evidence[e].sort_key()  # noqa: E731
    return {n: {role: sorted(items, key=key) for role, items in roles.items()} for n, roles in index.items()}


# -- views -------------------------------------------------------------------------------------------
def full_view(data: GraphData) -> nx.MultiDiGraph:
    """Every drawable node; one edge per (subject, relation, object), with the articles that state it."""
    g = nx.MultiDiGraph()
    for iri, node in data.nodes.items():
        g.add_node(iri)
    merged: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for slug, s, p, o in data.links:
        if p in HIDDEN_PREDICATES:
            continue
        merged[(s, p, o)].add(slug)
    for (s, p, o), slugs in sorted(merged.items()):
        evidence = _edge_evidence(data, s, p, o)
        g.add_edge(s, o, key=p, relation=data.relation_label(p), predicate=p, articles=sorted(slugs),
                   evidence=evidence, via=None)
    return g


def _edge_evidence(data: GraphData, s: str, p: str, o: str) -> list[str]:
    """The statements behind one relation: a statement is its own evidence; otherwise the subject's evidence."""
    if s in data.evidence:
        return [s]
    if p == str(KG.evidence) and o in data.evidence:
        return [o]
    return list(data.node_evidence(s).get("evidence", []))


def actor_view(data: GraphData, store) -> nx.MultiDiGraph:
    """Actors only, joined by the relations of ACTOR_RELATIONS, each edge with its evidence."""
    g = nx.MultiDiGraph()
    actors = {iri for iri, node in data.nodes.items() if node.is_actor}
    for iri in sorted(actors):
        g.add_node(iri)
    edges: dict[tuple[str, str, str, str | None], dict] = {}
    for relation, body in ACTOR_RELATIONS:
        for row in store.query(actor_relation_query(body)).rows:
            a, b = str(row["a"]), str(row["b"])
            if a not in actors or b not in actors:
                continue
            via = str(row["via"]) if row.get("via") is not None else None
            entry = edges.setdefault((a, relation, b, via), {"articles": set(), "evidence": set()})
            entry["articles"].add(slug_of_graph(row["g"]) or "")
            if row.get("ev") is not None and str(row["ev"]) in data.evidence:
                entry["evidence"].add(str(row["ev"]))
    for (a, relation, b, via), entry in sorted(edges.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], kv[0][3] or "")):
        evidence = sorted(entry["evidence"], key=lambda e: data.evidence[e].sort_key())
        key = f"{relation}|{via or ''}"
        g.add_edge(a, b, key=key, relation=relation, predicate=None, articles=sorted(entry["articles"]),
                   evidence=evidence, via=via)
    return g


def restrict(data: GraphData, g: nx.MultiDiGraph, article: str | None = None, focus: str | None = None,
             depth: int = 2) -> nx.MultiDiGraph:
    """One article's part of a view, and/or the ego graph of radius ``depth`` around ``focus``."""
    if article is not None:
        if article not in data.articles:
            known = ", ".join(data.articles) or "none"
            raise InputError(f"--article {article}: no article with this slug in the store; the articles: {known}")
        keep = [n for n in g.nodes if article in data.nodes[n].articles]
        g = g.subgraph(keep).copy()
        for u, v, k, attrs in list(g.edges(keys=True, data=True)):
            if article not in attrs["articles"]:
                g.remove_edge(u, v, k)
    if focus is not None:
        if focus not in g:
            raise InputError(f"--focus: {data.label(focus)} ({focus}) is not in this view")
        if depth < 0:
            raise InputError("--depth must be 0 or more")
        reach = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), focus, cutoff=depth)
        g = g.subgraph(sorted(reach)).copy()
    return g


# -- names -------------------------------------------------------------------------------------------
def resolve(data: GraphData, text: str, candidates=None) -> str:
    """A node from a name, an alias (rdfs:label / skos:altLabel, any case), a full IRI or a prefixed name."""
    from .queries import expand_iri

    pool = data.nodes if candidates is None else {k: data.nodes[k] for k in candidates if k in data.nodes}
    wanted = text.strip()
    if re.match(r"^[a-z][a-z0-9+.-]*:", wanted, re.I) and " " not in wanted:
        try:
            iri = str(expand_iri(wanted))
        except InputError:
            iri = None
        if iri is not None:
            if iri in pool:
                return iri
            raise InputError(f"{text!r}: no such node in the graph" + _suggest(data, pool, local(iri)))
    folded = wanted.casefold()
    exact = sorted(i for i, n in pool.items() if folded in {n.label.casefold(), *(a.casefold() for a in n.aliases)})
    if len(exact) == 1:
        return exact[0]
    if not exact:
        exact = sorted(i for i, n in pool.items()
                       if any(folded in name.casefold() for name in (n.label, *n.aliases)))
        if len(exact) == 1:
            return exact[0]
    if not exact:
        raise InputError(f"{text!r}: no node has this name or alias" + _suggest(data, pool, wanted))
    actors = [i for i in exact if data.nodes[i].is_actor]
    if len(actors) == 1:
        return actors[0]
    listing = "; ".join(f"{_clip(data.nodes[i].label)} ({i})" for i in exact[:8])
    raise InputError(f"{text!r} names {len(exact)} nodes: {listing}; give the IRI or a fuller name")


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _suggest(data, pool, text) -> str:
    import difflib

    names = {n.label: i for i, n in pool.items()}
    close = difflib.get_close_matches(text, list(names), n=3, cutoff=0.5)
    return f"; did you mean: {', '.join(close)}?" if close else ""


# -- analytics ---------------------------------------------------------------------------------------
def centrality(data: GraphData, g: nx.MultiDiGraph, top: int = 10) -> list[dict]:
    """Actors ranked by degree (relations, both directions) and betweenness (on the undirected simple graph)."""
    simple = nx.Graph(g.to_undirected())
    betweenness = nx.betweenness_centrality(simple, normalized=True) if len(simple) > 2 else {n: 0.0 for n in simple}
    rows = []
    for n in g.nodes:
        rows.append({"iri": n, "name": data.label(n), "class": data.class_label(data.nodes[n].cls),
                     "degree": g.degree(n), "neighbours": simple.degree(n), "betweenness": round(betweenness[n], 4)})
    rows.sort(key=lambda r: (-r["degree"], -r["betweenness"], r["name"], r["iri"]))
    return rows[:top] if top else rows


def components(data: GraphData, g: nx.MultiDiGraph) -> list[list[str]]:
    """Connected components (ignoring direction), largest first, members sorted by name."""
    parts = [sorted(c, key=lambda n: (data.label(n).casefold(), n)) for c in nx.connected_components(g.to_undirected())]
    parts.sort(key=lambda c: (-len(c), data.label(c[0]).casefold()))
    return parts


@dataclass
class Hop:
    source: str
    target: str
    edges: list[dict]  # each: relation, forward (bool), via, evidence, articles


def shortest_path(data: GraphData, g: nx.MultiDiGraph, a: str, b: str) -> list[Hop]:
    """The shortest chain of relations between two actors (either direction), with every edge on each hop."""
    undirected = nx.Graph(g.to_undirected())
    try:
        path = nx.shortest_path(undirected, a, b)
    except nx.NetworkXNoPath:
        raise CheckFailed(f"no chain of relations connects {data.label(a)} and {data.label(b)} in the actor view") from None
    hops = []
    for u, v in zip(path, path[1:]):
        found = []
        for x, y, forward in ((u, v, True), (v, u, False)):
            for _, attrs in sorted((g.get_edge_data(x, y) or {}).items()):
                found.append({"relation": attrs["relation"], "forward": forward, "via": attrs.get("via"),
                              "evidence": attrs["evidence"], "articles": attrs["articles"]})
        hops.append(Hop(u, v, found))
    return hops


def evidence_record(data: GraphData, iri: str) -> dict:
    ev = data.evidence[iri]
    return {"iri": ev.iri, "kind": ev.kind, "quote": ev.quote, "speaker": data.label(ev.speaker) if ev.speaker else None,
            "date": ev.date, "article": ev.article, "start": ev.start, "end": ev.end}


def describe_evidence(data: GraphData, iri: str) -> str:
    """One line: “words” — speaker, date (article, characters start–end)."""
    ev = data.evidence[iri]
    who = data.label(ev.speaker) if ev.speaker else ("unknown speaker" if ev.kind == "statement" else "in the text")
    when = f", {ev.date}" if ev.date else ""
    where = f"{ev.article}, characters {ev.start}–{ev.end}" if ev.start is not None else ev.article
    quote = " ".join(ev.quote.split())
    return f"“{quote}” — {who}{when} ({where})"


# -- export ------------------------------------------------------------------------------------------
def export_graph(data: GraphData, g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with scalar attributes only (GraphML and GEXF accept no lists), for Gephi and friends."""
    out = nx.MultiDiGraph()
    for n in g.nodes:
        node = data.nodes[n]
        out.add_node(n, label=node.label, **{"class": data.class_label(node.cls)}, iri=n,
                     aliases="; ".join(node.aliases), posts="; ".join(data.posts(n)) if node.is_actor else "",
                     articles="; ".join(sorted(node.articles)))
    for u, v, k, attrs in g.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, label=attrs["relation"], relation=attrs["relation"],
                     via=data.label(attrs["via"]) if attrs.get("via") else "",
                     articles="; ".join(attrs["articles"]),
                     evidence=" | ".join(describe_evidence(data, e) for e in attrs["evidence"]),
                     evidence_iris=" ".join(attrs["evidence"]))
    return out


def export_json(data: GraphData, g: nx.MultiDiGraph) -> dict:
    nodes = []
    for n in g.nodes:
        node = data.nodes[n]
        nodes.append({"id": n, "label": node.label, "class": data.class_label(node.cls), "class_iri": node.cls,
                      "aliases": node.aliases, "posts": data.posts(n) if node.is_actor else [],
                      "articles": sorted(node.articles)})
    edges = []
    for u, v, k, attrs in g.edges(keys=True, data=True):
        edges.append({"source": u, "target": v, "relation": attrs["relation"], "via": attrs.get("via"),
                      "via_label": data.label(attrs["via"]) if attrs.get("via") else None,
                      "articles": attrs["articles"], "evidence": [evidence_record(data, e) for e in attrs["evidence"]]})
    return {"nodes": nodes, "edges": edges}


def export_bytes(data: GraphData, g: nx.MultiDiGraph, fmt: str) -> bytes:
    """The view as GraphML, GEXF or JSON: the same graph gives the same bytes, run after run (nodes and edges in
    the views' sorted order; no date stamp: networkx's GEXF writer stamps the day in <meta lastmodifieddate>,
    which is left out, and names itself and its version as the creator, which is replaced by this tool)."""
    import io
    import json

    if fmt == "json":
        return (json.dumps(export_json(data, g), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    flat = export_graph(data, g)
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buffer, encoding="utf-8")
    elif fmt == "gexf":
        from networkx.readwrite.gexf import GEXFWriter

        writer = GEXFWriter(encoding="utf-8", prettyprint=True)
        for meta in writer.xml.findall("meta"):
            meta.attrib.pop("lastmodifieddate", None)
            for creator in meta.findall("creator"):
                creator.text = "legal-news-kg (kg export)"
        writer.add_graph(flat)
        writer.write(buffer)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return buffer.getvalue()


__all__ = ["load", "export_bytes", "full_view", "actor_view", "restrict", "resolve", "centrality", "components", "shortest_path",
           "GraphData", "Evidence", "Node", "ID"]
