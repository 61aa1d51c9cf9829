"""Turn one article folder (article.txt + annotation.yaml) into the triples of its named graph.

The format and the mapping are specified in docs/design.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS, XSD

from . import dates, terms, yamlfile
from .errors import AnnotationError
from .ns import CURATOR, DOCTRINE, EXTRACTOR, ID, KG, OA, SCHEMA, V, article_iri, bind_all
from .ontology import Ontology
from .textspan import find_span

TEXT_FILE = "article.txt"
MAX_TEXT_BYTES = 2_000_000  # article.txt: one news article (a long story is about 30,000 characters)
ANNOTATION_FILE = "annotation.yaml"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")  # \Z, not $: "abc\n" is not an id
CONTEXT = 32
AGENTS = {"curator": (CURATOR, KG.Curator, KG.CuratorRole), "extractor": (EXTRACTOR, KG.Extractor, KG.ExtractorRole)}

# section -> (IRI prefix under id:, default class, fields). A field is (kind, required).
# Kinds: str, strs, id:<sections>, ids:<sections>, date, int, value:<scheme>, values:<scheme>, doctrine,
# class, evidence, agent, properties.
ACTOR_SECTIONS = "actors,groups"
PLACE_SECTIONS = "places,actors"
ANY = "*"
SECTIONS: dict[str, tuple[str, URIRef | None, dict[str, tuple[str, bool]]]] = {
    "actors": ("actor", KG.Person, {
        "type": ("class", False), "name": ("str", True), "aliases": ("strs", False), "description": ("str", False),
        "member_of": ("ids:actors", False), "part_of": ("id:actors", False), "evidence": ("evidence", False),
        "properties": ("properties", False),
    }),
    "groups": ("actor", KG.PersonGroup, {
        "type": ("class", False), "label": ("str", True), "aliases": ("strs", False), "includes": ("ids:groups", False),
        "evidence": ("evidence", False), "properties": ("properties", False),
    }),
    "posts": ("post", KG.Post, {
        "label": ("str", True), "organization": ("id:actors", True), "holder": ("ids:actors", False),
        "evidence": ("evidence", False), "properties": ("properties", False),
    }),
    "places": ("place", KG.Place, {
        "type": ("class", False), "name": ("str", True), "aliases": ("strs", False),
        "located_in": ("id:" + PLACE_SECTIONS, False), "operated_by": ("id:actors", False),
        "evidence": ("evidence", False), "properties": ("properties", False),
    }),
    "events": ("event", KG.Event, {
        "type": ("class", False), "label": ("str", True), "date": ("date", False), "date_text": ("str", False),
        "place": ("id:" + PLACE_SECTIONS, False), "participants": ("ids:" + ACTOR_SECTIONS, False),
        "evidence": ("evidence", False), "properties": ("properties", False),
    }),
    "actions": ("action", KG.ProposedAction, {
        "type": ("value:action-types", False), "label": ("str", True), "agent": ("ids:actors", False),
        "covers": ("ids:" + ACTOR_SECTIONS, False), "destination": ("id:" + PLACE_SECTIONS, False),
        "facility": ("id:places", False), "evidence": ("evidence", False), "properties": ("properties", False),
    }),
    "offers": ("offer", KG.Offer, {
        "label": ("str", True), "offeror": ("ids:actors", True), "on_behalf_of": ("ids:actors", False),
        "addressee": ("ids:" + ACTOR_SECTIONS, True), "conveyed_by": ("ids:actors", False), "conveyed": ("date", False),
        "occasion": ("id:events", False), "actions": ("ids:actions", True), "facility": ("id:places", False),
        "status": ("values:offer-statuses", False), "evidence": ("evidence", False),
        "properties": ("properties", False),
    }),
    "conditions": ("condition", KG.LegalCondition, {
        "doctrine": ("doctrine", True), "kind": ("value:condition-kinds", True), "label": ("str", True),
        "evidence": ("evidence", False), "properties": ("properties", False),
    }),
    "entities": ("entity", None, {
        "type": ("class", True), "label": ("str", True), "aliases": ("strs", False),
        "evidence": ("evidence", False), "properties": ("properties", False),
    }),
    "statements": ("", KG.Statement, {
        "speaker": ("speaker", True), "quote": ("str", True), "occurrence": ("int", False), "after": ("str", False),
        "said": ("date", False), "occasion": ("id:events", False), "audience": ("ids:" + ACTOR_SECTIONS, False),
        "about": ("ids:*", False), "utterance": ("str", False), "within": ("id:statements", False),
        "properties": ("properties", False),
    }),
    "positions": ("", KG.LegalPosition, {
        "holder": ("id:" + ACTOR_SECTIONS, True), "view": ("value:legality-views", True), "action": ("id:actions", True),
        "doctrine": ("doctrine", False), "modality": ("value:modalities", True), "stance": ("value:stances", False),
        "evidence": ("evidence", True), "attributed_to": ("agent", False), "note": ("str", False),
        "properties": ("properties", False),
    }),
}
# field -> predicate (and, for holder, the inverse written on the other node)
PREDICATES = {
    "aliases": SKOS.altLabel, "description": SCHEMA.description, "member_of": ORG.memberOf,
    "part_of": ORG.subOrganizationOf, "includes": KG.includesGroup, "organization": ORG.postIn, "holder": ORG.heldBy,
    "located_in": KG.locatedIn, "operated_by": KG.operatedBy, "date": KG.date, "date_text": KG.dateText,
    "place": KG.place, "participants": KG.participant, "type@actions": KG.actionType, "agent": KG.actionAgent,
    "covers": KG.covers, "destination": KG.destination, "facility": KG.facility, "offeror": KG.offeredBy,
    "on_behalf_of": KG.onBehalfOf, "addressee": KG.offeredTo, "conveyed_by": KG.conveyedBy, "conveyed": KG.conveyedOn,
    "occasion": KG.occasion, "actions": KG.coversAction, "status": KG.offerStatus, "kind": KG.conditionKind,
    "doctrine@conditions": KG.conditionOf, "evidence": KG.evidence, "said": KG.saidOn, "audience": KG.audience,
    "about": KG.about, "within": KG.quotedWithin, "holder@positions": KG.holder, "view": KG.legalityView,
    "action": KG.onAction, "doctrine@positions": KG.restsOnDoctrine, "modality": KG.modality, "stance": KG.stance,
    "note": RDFS.comment,
}
ARTICLE_FIELDS = {
    "title": ("str", True), "published": ("datetime", True), "authors": ("ids:actors", False),
    "publisher": ("id:actors", True), "url": ("str", False), "source": ("str", False), "cleaning": ("strs", False),
    "tags": ("strs", False), "image": ("image", False), "language": ("str", False),
}
TOP_FIELDS = {"format", "annotator", "article", *SECTIONS}


@dataclass
class Article:
    """One article folder, read and checked."""

    directory: Path
    slug: str
    text: str
    annotation: dict
    text_path: Path
    annotation_path: Path

    @property
    def iri(self) -> URIRef:
        return article_iri(self.slug)


def _whole(value, low=None):
    if isinstance(value, int) and not isinstance(value, bool) and (low is None or value >= low):
        return str(value)
    return None


def _number(value, decimal=False):
    """The xsd:double (or xsd:decimal) lexical form of a YAML number; None for anything else."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None if decimal else ("NaN" if value != value else "INF" if value > 0 else "-INF")
    if decimal:
        return format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")
    return repr(float(value))


def _date_time(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str) and "T" in value:  # a date alone is not a moment
        try:
            return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).isoformat()
        except ValueError:
            return None
    return None


def _absolute_iri(value):
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+", value.strip()):
        return value.strip()
    return None


#: a datatype property's XSD range -> (what it takes, in words; the lexical form of a YAML value, or None)
DATATYPE_VALUES = {
    XSD.string: ("text", lambda v: v.isoformat() if isinstance(v, dt.date) else
                 str(v) if isinstance(v, (str, int, float)) and not isinstance(v, bool) else None),
    XSD.integer: ("a whole number", _whole),
    XSD.int: ("a whole number", _whole),
    XSD.long: ("a whole number", _whole),
    XSD.nonNegativeInteger: ("a whole number from 0", lambda v: _whole(v, 0)),
    XSD.positiveInteger: ("a whole number from 1", lambda v: _whole(v, 1)),
    XSD.decimal: ("a number", lambda v: _number(v, decimal=True)),
    XSD.double: ("a number", _number),
    XSD.boolean: ("true or false", lambda v: ("true" if v else "false") if isinstance(v, bool) else None),
    XSD.date: ("a date (2025-03-15) or a phrase (on Monday)",
               lambda v: v.isoformat() if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else None),
    XSD.dateTime: ("a date and time (2025-03-15T09:30:00-05:00)", _date_time),
    XSD.anyURI: ("an absolute IRI (https://...)", _absolute_iri),
}


def read_article(directory: Path) -> Article:
    directory = Path(directory)
    slug = directory.resolve().name
    annotation_path = directory / ANNOTATION_FILE
    text_path = directory / TEXT_FILE
    if not ID_RE.match(slug):
        raise AnnotationError(directory, None, "an article folder name must be lower-case letters, digits and dashes")
    if not annotation_path.is_file():
        raise AnnotationError(directory, None, f"no {ANNOTATION_FILE} here: an article folder holds {TEXT_FILE} and {ANNOTATION_FILE}")
    if not text_path.is_file():
        raise AnnotationError(directory, None, f"no {TEXT_FILE} here: an article folder holds {TEXT_FILE} and {ANNOTATION_FILE}")
    with open(text_path, "rb") as handle:
        raw = handle.read(MAX_TEXT_BYTES + 1)
    if len(raw) > MAX_TEXT_BYTES:
        raise AnnotationError(text_path, None, f"the text is over {MAX_TEXT_BYTES:,} bytes, more than one news article "
                                               "(a long story is about 30,000 characters): keep only the article's "
                                               "text (`kg extract` cleans a saved page), or split it into articles")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AnnotationError(text_path, line, "not UTF-8 text: save the article as UTF-8") from None
    text = text.replace("\r\n", "\n")
    annotation = yamlfile.load(annotation_path)
    if not isinstance(annotation, dict):
        raise AnnotationError(annotation_path, None, "the annotation must be a YAML mapping with an `article:` section")
    return Article(directory, slug, text, annotation, text_path, annotation_path)


def input_hash(article: Article, ontology_version: str) -> str:
    """sha256 over the sha256 of the text, of the annotation and of the ontology version; the files are read in
    blocks (the build hashes every article before reading any, and a file may be far too large to be one)."""
    digest = hashlib.sha256()
    for path in (article.text_path, article.annotation_path):
        part = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                part.update(block)
        digest.update(part.digest())
    digest.update(hashlib.sha256(ontology_version.encode()).digest())
    return digest.hexdigest()


class Triples:
    """An article's triples as the builder adds them: a set, in the order they were added, with what a build needs
    of a graph (add, iterate, count). rdflib's Graph.add cost about 9 us a triple, a quarter of preparing an
    article; ``graph()`` gives the rdflib Graph when one is wanted."""

    def __init__(self):
        self._triples: dict = {}

    def add(self, triple) -> None:
        self._triples[triple] = None

    def __iter__(self):
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def graph(self) -> Graph:
        # rdflib's store without named-graph bookkeeping (an article graph is one graph)
        graph = Graph(store="SimpleMemory")
        bind_all(graph)
        for triple in self._triples:
            graph.add(triple)
        return graph


class _Builder:
    def __init__(self, article: Article, ontology: Ontology):
        self.a = article
        self.o = ontology
        self.g = Triples()
        self.path = article.annotation_path
        self.ids: dict[str, tuple[str, URIRef, dict]] = {}  # id -> (section, iri, item)
        self.mentions = 0
        self.art = article.iri

    # -- errors and small readers -------------------------------------------------------------------
    def fail(self, line, message):
        raise AnnotationError(self.path, line, message)

    def iri_for(self, section: str, item_id: str) -> URIRef:
        prefix = SECTIONS[section][0]
        if section == "statements":
            return ID[f"article/{self.a.slug}/statement/{item_id}"]
        if section == "positions":
            return ID[f"article/{self.a.slug}/position/{item_id}"]
        return ID[f"{prefix}/{item_id}"]

    def lit(self, value, line, what) -> Literal:
        if isinstance(value, (dict, list, set, bytes)) or value is None:  # bytes, set: `!!binary`, `!!set`
            self.fail(line, f"{what} must be text, not {type(value).__name__ if value is not None else 'empty'}")
        value = str(value)
        if "\x00" in value:
            self.fail(line, f"{what} contains a NUL character")
        return terms.string(value)

    def date(self, value, line, what) -> tuple[Literal, str | None]:
        try:
            day = dates.normalise(value, self.published.date())
        except dates.DateError as exc:
            self.fail(line, f"{what}: {exc}")
        phrase = value if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()) else None
        return Literal(day.isoformat(), datatype=XSD.date), phrase

    # -- passes -------------------------------------------------------------------------------------
    def build(self) -> Triples:
        ann = self.a.annotation
        unknown = set(ann) - TOP_FIELDS
        if unknown:
            key = sorted(map(str, unknown))[0]
            self.fail(ann.line_of(key) if hasattr(ann, "line_of") else None,
                      f"unknown section `{key}`; the sections are: {', '.join(sorted(TOP_FIELDS))}")
        if ann.get("format", 1) != 1:
            self.fail(ann.line_of("format"), f"format {ann.get('format')!r} is not known; this version reads format 1")
        annotator = ann.get("annotator", "curator")
        if not isinstance(annotator, str) or annotator not in AGENTS:
            self.fail(ann.line_of("annotator"), "annotator must be `curator` or `extractor`")
        self.annotator = annotator
        if not isinstance(ann.get("article"), dict):
            self.fail(getattr(ann, "line", None), "the `article:` section is missing: it gives title, published, publisher")
        self.register_ids()
        self.article(ann["article"])
        for section in SECTIONS:
            for item in self.items(section):
                self.entity(section, item)
        self.order_statements()
        return self.g

    def items(self, section):
        value = self.a.annotation.get(section) or []
        if not isinstance(value, list):
            self.fail(self.a.annotation.line_of(section), f"`{section}:` must be a list of items, each starting with `- id:`")
        return value

    def register_ids(self):
        for section in SECTIONS:
            for item in self.items(section):
                if not isinstance(item, dict):
                    self.fail(self.a.annotation.line_of(section), f"each item of `{section}:` must be a mapping with an `id:`")
                item_id = item.get("id")
                if item_id is None:
                    self.fail(item.line, f"an item of `{section}:` has no `id:`")
                item_id = str(item_id)
                if not ID_RE.match(item_id):
                    self.fail(item.line_of("id"), f"id {item_id!r} must be lower-case letters, digits and dashes (kebab-case)")
                if item_id in self.ids:
                    self.fail(item.line_of("id"), f"id `{item_id}` is used twice (also in `{self.ids[item_id][0]}:`)")
                self.ids[item_id] = (section, self.iri_for(section, item_id), item)

    def ref(self, value, sections: str, line, field) -> URIRef:
        value = str(value)
        if sections == "doctrine" or (sections == ANY and value not in self.ids and value in self.o.doctrines):
            if value not in self.o.doctrines:
                self.fail(line, f"`{field}: {value}` is not a doctrine of ontology/doctrines.ttl; known: "
                                f"{', '.join(sorted(self.o.doctrines)) or 'none'}")
            return self.o.doctrines[value]
        if value not in self.ids:
            self.fail(line, f"`{field}: {value}` names no item of this annotation; define it (with `id: {value}`) first")
        section, iri, _ = self.ids[value]
        allowed = sections.split(",")
        if sections != ANY and section not in allowed:
            self.fail(line, f"`{field}: {value}` is a `{section}` item; it must be one of: {', '.join(allowed)}")
        return iri

    def value(self, value, scheme, line, field) -> URIRef:
        known = self.o.scheme_values(scheme)
        if str(value) not in known:
            self.fail(line, f"`{field}: {value}` is not a value of v:{scheme}; use one of: {', '.join(sorted(known))}")
        return known[str(value)]

    def span(self, words, line, occurrence=None, after=None, what="the quoted words") -> tuple[int, int]:
        if not isinstance(words, str) or not words.strip():
            self.fail(line, f"{what} must be non-empty text")
        if occurrence is not None and (not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1):
            self.fail(line, "occurrence must be a whole number from 1")
        if isinstance(after, (dict, list)):
            self.fail(line, "`after:` must be text: words that come before them in the article")
        result = find_span(self.a.text, words, occurrence=occurrence, after=after)
        if isinstance(result, str):
            self.fail(line, f"{what} {_short(words)}: {result} in {self.a.text_path.name}")
        return result

    def anchor(self, node: URIRef, start: int, end: int):
        text, g = self.a.text, self.g
        anchor, pos, quote = URIRef(node + "/anchor"), URIRef(node + "/anchor/position"), URIRef(node + "/anchor/quote")
        g.add((node, KG.anchor, anchor))
        g.add((anchor, RDF.type, OA.SpecificResource))
        g.add((anchor, OA.hasSource, self.art))
        g.add((anchor, OA.hasSelector, pos))
        g.add((anchor, OA.hasSelector, quote))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, terms.integer(start, XSD.nonNegativeInteger)))
        g.add((pos, OA.end, terms.integer(end, XSD.nonNegativeInteger)))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, terms.string(text[start:end])))
        g.add((quote, OA.prefix, terms.string(text[max(0, start - CONTEXT):start])))
        g.add((quote, OA.suffix, terms.string(text[end:end + CONTEXT])))

    def mention(self, spec, line) -> URIRef:
        if isinstance(spec, str):
            spec = {"text": spec}
        unknown = set(spec) - {"text", "occurrence", "after"}
        if unknown:
            self.fail(line, f"an evidence span takes `text`, `occurrence`, `after`; not {', '.join(sorted(unknown))}")
        start, end = self.span(spec.get("text"), getattr(spec, "line", line), spec.get("occurrence"), spec.get("after"),
                               "the evidence text")
        self.mentions += 1
        node = ID[f"article/{self.a.slug}/mention/{self.mentions}"]
        self.g.add((node, RDF.type, KG.Mention))
        self.g.add((node, KG.quote, terms.string(self.a.text[start:end])))
        self.g.add((node, KG.inArticle, self.art))
        self.anchor(node, start, end)
        return node

    # -- the article --------------------------------------------------------------------------------
    def article(self, meta):
        g, art = self.g, self.art
        self.check_fields(meta, ARTICLE_FIELDS, "article")
        published = meta.get("published")
        if isinstance(published, str):
            try:
                published = dt.datetime.fromisoformat(published)
            except ValueError:
                self.fail(meta.line_of("published"), f"published {published!r} is not an ISO date-time such as 2025-02-05T15:35:00-05:00")
        elif isinstance(published, dt.date) and not isinstance(published, dt.datetime):
            published = dt.datetime.combine(published, dt.time())
        if not isinstance(published, dt.datetime):
            self.fail(meta.line_of("published"), "published must be an ISO date-time such as 2025-02-05T15:35:00-05:00")
        self.published = published
        agent, agent_class, _ = AGENTS[self.annotator]
        g.add((art, RDF.type, KG.Article))
        g.add((art, KG.slug, Literal(self.a.slug)))
        g.add((art, SCHEMA.headline, self.lit(meta["title"], meta.line_of("title"), "title")))
        g.add((art, RDFS.label, self.lit(meta["title"], meta.line_of("title"), "title")))
        g.add((art, SCHEMA.datePublished, Literal(published.isoformat(), datatype=XSD.dateTime)))
        g.add((art, SCHEMA.articleBody, Literal(self.a.text)))
        g.add((art, SCHEMA.publisher, self.ref(meta["publisher"], "actors", meta.line_of("publisher"), "publisher")))
        g.add((art, PROV.wasAttributedTo, agent))
        g.add((agent, RDF.type, agent_class))
        g.add((agent, RDFS.label, Literal(self.annotator)))
        for author in _as_list(meta.get("authors")):
            g.add((art, SCHEMA.author, self.ref(author, "actors", meta.line_of("authors"), "authors")))
        for tag in _as_list(meta.get("tags")):
            g.add((art, SCHEMA.keywords, self.lit(tag, meta.line_of("tags"), "a tag")))
        for key, pred in (("url", SCHEMA.url), ("source", SCHEMA.isBasedOn), ("language", SCHEMA.inLanguage)):
            if meta.get(key) is not None:
                g.add((art, pred, self.lit(meta[key], meta.line_of(key), key)))
        for note in _as_list(meta.get("cleaning")):
            g.add((art, KG.cleaningNote, self.lit(note, meta.line_of("cleaning"), "a cleaning note")))
        image = meta.get("image")
        if image is not None:
            if not isinstance(image, dict) or not {"caption", "credit"} >= set(image):
                self.fail(meta.line_of("image"), "image takes `caption` (exact words in the text) and `credit`")
            node = URIRef(art + "/image")
            g.add((art, SCHEMA.image, node))
            g.add((node, RDF.type, SCHEMA.ImageObject))
            if image.get("caption"):
                g.add((node, SCHEMA.caption, self.lit(image["caption"], image.line_of("caption"), "caption")))
                self.span(image["caption"], image.line_of("caption"), what="the image caption")
            if image.get("credit"):
                g.add((node, SCHEMA.creditText, self.lit(image["credit"], image.line_of("credit"), "credit")))

    def check_fields(self, item, fields, section):
        allowed = set(fields) | ({"id"} if section in SECTIONS else set())
        for key in item:
            if key not in allowed:
                self.fail(item.line_of(key), f"`{key}` is not a field of `{section}`; the fields are: {', '.join(sorted(allowed))}")
        for key, (_, required) in fields.items():
            if required and (item.get(key) is None or item.get(key) == []):
                what = item.get("id", section)
                self.fail(item.line, f"{section} `{what}` needs `{key}:`")

    # -- one item of a section ----------------------------------------------------------------------
    def entity(self, section, item):
        _, node, _ = self.ids[str(item["id"])]
        _, default_class, fields = SECTIONS[section]
        self.check_fields(item, fields, section)
        g = self.g
        cls = default_class
        if "type" in fields and fields["type"][0] == "class" and item.get("type") is not None:
            cls = self.cls(item["type"], item.line_of("type"), default_class)
        g.add((node, RDF.type, cls))
        if section == "statements":
            return self.statement(node, item)
        if section == "positions":
            return self.position(node, item)
        name = item.get("name", item.get("label"))
        key = "name" if "name" in item else "label"
        g.add((node, RDFS.label, self.lit(name, item.line_of(key), key)))
        if key == "name":
            g.add((node, SCHEMA.name, self.lit(name, item.line_of(key), key)))
        g.add((node, KG.mentionedIn, self.art))
        for field, (kind, _) in fields.items():
            if field in ("name", "label") or kind == "class" or item.get(field) is None:
                continue
            self.field(section, node, item, field, kind)
        if section == "posts":
            for holder in _as_list(item.get("holder")):
                g.add((self.ref(holder, "actors", item.line_of("holder"), "holder"), ORG.holds, node))
        if section == "conditions":
            g.add((self.ref(item["doctrine"], "doctrine", item.line_of("doctrine"), "doctrine"), KG.setsCondition, node))

    def cls(self, name, line, parent) -> URIRef:
        cls = self.o.classes.get(str(name))
        if cls is None:
            self.fail(line, f"type `{name}` is not a class of the ontology or its extensions")
        if parent is not None and cls != parent and not self.o.subclass_of(cls, parent) and not self.o.subclass_of(parent, cls):
            if not (parent in (KG.Person, KG.PersonGroup) and self.o.subclass_of(cls, KG.Actor)) and not (
                parent == KG.Place and self.o.subclass_of(cls, KG.Place)
            ):
                self.fail(line, f"type `{name}` does not fit here")
        return cls

    def field(self, section, node, item, field, kind):
        g, raw, line = self.g, item[field], item.line_of(field)
        pred = PREDICATES.get(f"{field}@{section}", PREDICATES.get(field))
        if kind == "str":
            g.add((node, pred, self.lit(raw, line, field)))
        elif kind == "strs":
            for value in _as_list(raw):
                g.add((node, pred, self.lit(value, line, field)))
        elif kind == "date":
            value, phrase = self.date(raw, line, field)
            g.add((node, pred, value))
            if phrase and section == "events" and item.get("date_text") is None:
                g.add((node, KG.dateText, Literal(phrase)))
        elif kind.startswith("id:") or kind.startswith("ids:") or kind == "doctrine":
            sections = "doctrine" if kind == "doctrine" else kind.split(":", 1)[1]
            for value in _as_list(raw):
                g.add((node, pred, self.ref(value, sections, line, field)))
        elif kind.startswith("value:") or kind.startswith("values:"):
            for value in _as_list(raw):
                g.add((node, pred, self.value(value, kind.split(":", 1)[1], line, field)))
        elif kind == "evidence":
            for spec in _as_list(raw):
                if isinstance(spec, dict):
                    target = self.mention(spec, getattr(spec, "line", line))
                else:
                    target = self.ref(spec, "statements", line, "evidence")
                g.add((node, KG.evidence, target))
        elif kind == "properties":
            self.properties(node, raw, line)

    def properties(self, node, raw, line):
        if not isinstance(raw, dict):
            self.fail(line, "`properties:` maps property names (e.g. courts:ruledOn) to ids or values")
        for key, values in raw.items():
            prop = self.o.properties.get(str(key))
            if prop is None:
                self.fail(raw.line_of(key), f"property `{key}` is not declared in the ontology or its extensions")
            for value in _as_list(values):
                if self.o.is_object_property(prop):
                    target = self.term(value, raw.line_of(key), key) if ":" in str(value) else None
                    self.g.add((node, prop, target or self.ref(value, ANY, raw.line_of(key), key)))
                elif isinstance(value, (dict, list, set, bytes)) or value is None:  # not a Python repr in the graph
                    self.fail(raw.line_of(key), f"property `{key}` takes text, a number, a date or an id, "
                                                f"not {type(value).__name__ if value is not None else 'an empty value'}")
                else:
                    self.g.add((node, prop, self.typed(prop, value, raw.line_of(key), key)))

    def typed(self, prop, value, line, key) -> Literal:
        """A datatype property's value as its declared XSD range wants it (DATATYPE_VALUES), or an error naming
        the line; a property without one takes the value as YAML read it (text, number, date, true/false)."""
        ranges = [r for r in self.o.graph.objects(prop, RDFS.range) if r in DATATYPE_VALUES]
        if len(ranges) != 1:
            if isinstance(value, dt.date):
                datatype = XSD.dateTime if isinstance(value, dt.datetime) else XSD.date
                return Literal(value.isoformat(), datatype=datatype)
            return Literal(value)
        datatype = ranges[0]
        if datatype == XSD.date and isinstance(value, str):
            return self.date(value, line, key)[0]  # "on Monday" -> xsd:date
        what, accepts = DATATYPE_VALUES[datatype]
        lexical = accepts(value)
        if lexical is None:
            shown = str(value) if len(str(value)) <= 60 else str(value)[:57] + "..."
            self.fail(line, f"property `{key}` takes {what} (its range is xsd:{datatype[len(str(XSD)):]}), not `{shown}`")
        return Literal(lexical) if datatype == XSD.string else Literal(lexical, datatype=datatype)

    def term(self, value, line, field) -> URIRef:
        """A term the ontology or an extension declares, by prefixed name (`courts:trial-court`, a SKOS concept)."""
        try:
            iri = self.o.graph.namespace_manager.expand_curie(str(value).strip())
        except ValueError:
            iri = None
        if iri is None or (iri, None, None) not in self.o.graph:
            self.fail(line, f"`{field}: {value}` is not a term of the ontology or its extensions; give an id of this "
                            "annotation, a doctrine id, or a prefixed name the ontology declares (courts:trial-court)")
        return iri

    def statement(self, node, item):
        g, line = self.g, item.line
        occurrence = item.get("occurrence")
        if occurrence is not None and (not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1):
            self.fail(item.line_of("occurrence"), "occurrence must be a whole number from 1")
        start, end = self.span(item["quote"], item.line_of("quote"), occurrence, item.get("after"))
        item["_start"] = start
        g.add((node, KG.quote, terms.string(self.a.text[start:end])))
        g.add((node, KG.inArticle, self.art))
        self.anchor(node, start, end)
        speaker = str(item["speaker"])
        if speaker == "unknown":
            g.add((node, KG.speakerUnknown, Literal(True)))
        else:
            g.add((node, KG.speaker, self.ref(speaker, ACTOR_SECTIONS, item.line_of("speaker"), "speaker")))
        for field in ("said", "occasion", "audience", "about", "within", "properties"):
            if item.get(field) is not None:
                self.field("statements", node, item, field, SECTIONS["statements"][2][field][0])
        if item.get("utterance") is not None:
            utterance_id = str(item["utterance"])
            if not ID_RE.match(utterance_id):
                self.fail(item.line_of("utterance"), "utterance ids are lower-case letters, digits and dashes")
            utterance = ID[f"article/{self.a.slug}/utterance/{utterance_id}"]
            g.add((utterance, RDF.type, KG.Utterance))
            g.add((utterance, KG.inArticle, self.art))
            g.add((node, KG.partOfUtterance, utterance))
        _ = line

    def position(self, node, item):
        g = self.g
        agent_name = str(item.get("attributed_to") or self.annotator)
        if agent_name not in AGENTS:
            self.fail(item.line_of("attributed_to"), "attributed_to must be `curator` or `extractor`")
        agent, agent_class, role = AGENTS[agent_name]
        g.add((node, KG.inArticle, self.art))
        holder = self.ids.get(str(_as_list(item["holder"])[0]), ("", "", {}))[2]  # an unknown one fails below
        label = f"{holder.get('name') or holder.get('label')}: {item['view']} ({item['action']})"
        g.add((node, RDFS.label, Literal(label)))
        for field, (kind, _) in SECTIONS["positions"][2].items():
            if item.get(field) is None or field == "attributed_to":
                continue
            self.field("positions", node, item, field, kind)
        attribution = URIRef(node + "/attribution")
        g.add((node, PROV.wasAttributedTo, agent))
        g.add((agent, RDF.type, agent_class))
        g.add((agent, RDFS.label, Literal(agent_name)))
        g.add((node, PROV.qualifiedAttribution, attribution))
        g.add((attribution, RDF.type, PROV.Attribution))
        g.add((attribution, PROV.agent, agent))
        g.add((attribution, PROV.hadRole, role))

    def order_statements(self):
        statements = sorted(self.items("statements"), key=lambda item: item["_start"])
        for number, item in enumerate(statements, 1):
            node = self.ids[str(item["id"])][1]
            self.g.add((node, KG.sequence, terms.integer(number)))
            item.pop("_start", None)


def article_graph(article: Article, ontology: Ontology) -> Graph:
    """The triples of one article's named graph (raises AnnotationError with file and line)."""
    return article_triples(article, ontology).graph()


def article_triples(article: Article, ontology: Ontology) -> Triples:
    """article_graph's triples without making an rdflib Graph of them (what a build writes and validates)."""
    return _Builder(article, ontology).build()


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _short(words: str) -> str:
    words = " ".join(str(words).split())
    return repr(words if len(words) <= 80 else words[:77] + "...")


__all__ = ["Article", "read_article", "article_graph", "article_triples", "Triples", "input_hash", "DOCTRINE", "V"]
