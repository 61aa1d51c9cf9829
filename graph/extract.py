"""`kg extract`: a draft annotation (annotator: extractor) for a new article, in the format `kg build` reads.

Reading and cleaning the file is graph/extract_text.py, quotations and speakers graph/extract_quotes.py, actors and
posts graph/extract_actors.py. This module runs them, adds dates and doctrines, writes article.txt and
annotation.yaml, and checks the draft with the loader before saying it is done.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import click

from . import dates
from .errors import CheckFailed, InputError, KgError
from .extract_actors import Actor, ActorFinder, Registry, kebab, known_publisher, load_known
from .extract_quotes import Attributor, Quote, find_quotes
from .extract_text import Cleaned
from .extract_text import load as load_source
from .textspan import occurrences

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CHECK_LIMIT = 200_000   # characters: above this the draft is not loaded back (the loader's time grows fast)
GENERIC_STEMS = {"raw", "index", "article", "page", "story", "input", "source", "text", "draft", "download"}


@dataclass
class Draft:
    """What the extractor found, ready to be written."""

    slug: str
    cleaned: Cleaned
    text: str
    published: dt.datetime | dt.date
    published_from: str
    registry: Registry
    quotes: list[Quote]
    publisher: str
    authors: list[str]
    warnings: list[str] = field(default_factory=list)
    doctrines: dict[str, list[str]] = field(default_factory=dict)     # doctrine id -> the words that matched
    statement_ids: dict[int, str] = field(default_factory=dict)
    source_name: str = ""


# ----------------------------------------------------------------------------------------------------------------
# Running the steps
# ----------------------------------------------------------------------------------------------------------------


def paragraph_offsets(paragraphs: list[str]) -> list[tuple[int, int]]:
    offsets, at = [], 0
    for para in paragraphs:
        offsets.append((at, at + len(para)))
        at += len(para) + 2
    return offsets


def extract(path: Path, slug: str, published: dt.date | None = None, known_dirs: list[Path] | None = None,
            exclude: Path | None = None) -> Draft:
    """Read, clean and annotate one article file (nothing is written)."""
    cleaned, _ = load_source(path)
    text = cleaned.text
    paragraphs = paragraph_offsets(cleaned.paragraphs)
    warnings: list[str] = []

    if published is not None:
        when, source = published, "--published"
        if cleaned.published and _day(cleaned.published) != published:
            warnings.append(f"the page gives the date {_day(cleaned.published)}, --published says {published}: "
                            "using --published")
    elif cleaned.published is not None:
        when, source = cleaned.published, "the page"
    else:
        raise InputError(f"{path}: no publication date found in the article; give it with --published YYYY-MM-DD "
                         "(weekday references such as 'on Monday' are read against it)")

    quotes, quote_warnings = find_quotes(text, paragraphs)
    warnings.extend(quote_warnings)
    top = [q for q in quotes if q.within is None]
    marks = sorted((q.open_mark, q.close_mark if q.close_mark is not None else q.end) for q in top)

    def in_quote(pos: int) -> bool:
        import bisect

        index = bisect.bisect_right(marks, (pos, float("inf"))) - 1
        return index >= 0 and marks[index][0] <= pos <= marks[index][1]

    known = load_known(known_dirs, exclude=exclude)
    headings = {0} if cleaned.title and cleaned.paragraphs and cleaned.paragraphs[0] == cleaned.title else set()
    finder = ActorFinder(text, paragraphs, in_quote, known, slug, skip_paragraphs=headings)
    authors = _authors(finder, cleaned, text)
    _credit(finder, cleaned, text)
    finder.discover()
    publisher = _publisher(finder, cleaned, slug, warnings)
    finder.find_mentions()
    registry = finder.reg

    heading_paras = {i for i, para in enumerate(cleaned.paragraphs) if _is_heading_text(para)} | headings
    attributor = Attributor(text, paragraphs, quotes, registry, slug, is_heading=lambda p: p in heading_paras)
    attributor.attribute()

    draft = Draft(slug, cleaned, text, when, source, registry, quotes, publisher, authors, warnings,
                  source_name=Path(path).name)
    draft.doctrines = _doctrines(draft)
    return draft


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _is_heading_text(para: str) -> bool:
    return len(para.split()) <= 12 and not re.search(r"[.!\"”]$", para)


def _authors(finder: ActorFinder, cleaned: Cleaned, text: str) -> list[str]:
    ids = []
    if not cleaned.byline:
        return ids
    at = text.find(cleaned.byline)
    for name in cleaned.authors:
        words = name
        if words.isupper():
            words = words.title()
        actor = finder.known_actor(words) or finder.new_actor("Person", words)
        if actor.type != "Person":
            continue
        if at != -1 and actor.evidence is None:
            name_at = text.find(name, at)
            actor.evidence = (name_at, name_at + len(name)) if name_at != -1 else None
        first = words.split()[0]
        from .extract_actors import FIRST_NAMES_F, FIRST_NAMES_M

        actor.gender = actor.gender or ("m" if first in FIRST_NAMES_M else "f" if first in FIRST_NAMES_F else None)
        if actor.description is None:
            actor.description = "author of the article (byline)"
        ids.append(actor.id)
    return list(dict.fromkeys(ids))


def _credit(finder: ActorFinder, cleaned: Cleaned, text: str):
    """'Marvin Reinos/AFP via Getty Images': the photographer, the agency, the picture service."""
    credit = cleaned.credit
    if not credit:
        return
    at = text.find(credit)
    match = re.match(r"^(?:Photo(?:graph)?:?\s*(?:by\s+)?)?([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})\s*/\s*"
                     r"([A-Z][\w&.' -]{1,40}?)(?:\s+via\s+([A-Z][\w&.' -]{1,40}))?\s*$", credit)
    if not match:
        return
    person_name, agency_words, via_words = match.group(1), match.group(2).strip(), match.group(3)
    agency = finder.known_actor(agency_words) or finder.new_actor("Organization", agency_words)
    if via_words:
        via = finder.known_actor(via_words.strip()) or finder.new_actor("Organization", via_words.strip())
        if via.evidence is None and at != -1:
            start = text.find(via_words.strip(), at)
            via.evidence = (start, start + len(via_words.strip()))
    if agency.evidence is None and at != -1:
        start = text.find(agency_words, at)
        agency.evidence = (start, start + len(agency_words))
    person = finder.known_actor(person_name) or finder.new_actor("Person", person_name)
    if person.type == "Person":
        if agency.type != "Person" and agency.id not in person.member_of:
            person.member_of.append(agency.id)
        person.description = person.description or "photographer of the article's image"
        if person.evidence is None and at != -1:
            start = text.find(person_name, at)
            person.evidence = (start, start + len(person_name))


def _publisher(finder: ActorFinder, cleaned: Cleaned, slug: str, warnings: list[str]) -> str:
    hint = cleaned.publisher_hint
    if hint:
        entry = known_publisher(hint)
        if entry:
            actor = finder.register_known(entry)
        else:
            actor = finder.known_actor(hint) or finder.new_actor("Organization", hint)
        return actor.id
    # the page's own name shows in its furniture ("ABOUT NPR", "NPR Shop", "© 2025 The Associated Press")
    from .extract_actors import KNOWN_ACTORS

    counts = []
    furniture = cleaned.furniture_text
    for actor_id, actor_type, name, aliases, extra in KNOWN_ACTORS:
        if not extra.get("publisher"):
            continue
        count = sum(len(re.findall(r"(?<![\w])" + re.escape(words) + r"(?![\w])", furniture))
                    for words in [name, *aliases] if len(words) >= 2)
        if count:
            counts.append((count, actor_id))
    counts.sort(reverse=True)
    if counts and counts[0][0] >= 2 and (len(counts) == 1 or counts[1][0] < counts[0][0]):
        entry = finder.known.by_id[counts[0][1]]
        actor = finder.register_known(entry)
        warnings.append(f"publisher {actor.name} read from the page's navigation and footer ({counts[0][0]} mentions)")
        return actor.id
    copyright_line = re.search(r"(?:©|\(c\)|Copyright)\s*(?:\d{4}\s*(?:[-–]\s*\d{4}\s*)?)?(?:by\s+)?"
                               r"((?:The\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,5})", furniture)
    if copyright_line:
        name = re.split(r"\.\s", copyright_line.group(1))[0].rstrip(".")
        actor = finder.known_actor(name) or finder.new_actor("Organization", name)
        warnings.append(f"publisher {actor.name} read from the page's copyright line")
        return actor.id
    actor_id = f"unknown-publisher-{slug}"[:120].rstrip("-")
    actor = finder.reg.add(Actor(actor_id, "Organization", "unknown publisher",
                                 description=f"the extractor found no publisher in the page of {slug}: replace this "
                                             "actor"))
    warnings.append("no publisher found: the draft names `" + actor.id + "`; replace it")
    return actor.id


def _doctrines(draft: Draft) -> dict[str, list[str]]:
    """Doctrine ids whose preferred or alternative labels occur in the article, with the words found."""
    matcher = doctrine_matcher()
    if matcher is None:
        draft.warnings.append("ontology/doctrines.ttl could not be read: no doctrines matched")
        return {}
    pattern, by_label = matcher
    found: dict[str, list[str]] = {}
    for match in pattern.finditer(draft.text):
        for doctrine in by_label.get(match.group().lower(), []):
            words = found.setdefault(doctrine, [])
            if match.group() not in words:
                words.append(match.group())
    return dict(sorted(found.items()))


_DOCTRINE_CACHE: dict = {}


def doctrine_matcher():
    """(compiled pattern over all labels, lower-case label -> doctrine ids), from the ontology's doctrines."""
    if "value" in _DOCTRINE_CACHE:
        return _DOCTRINE_CACHE["value"]
    value = None
    try:
        from rdflib.namespace import SKOS

        from .ontology import Ontology

        ontology = Ontology()
        by_label: dict[str, list[str]] = {}
        for doctrine_id, iri in ontology.doctrines.items():
            for prop in (SKOS.prefLabel, SKOS.altLabel):
                for label in ontology.graph.objects(iri, prop):
                    words = " ".join(str(label).split())
                    if len(words) >= 4:
                        by_label.setdefault(words.lower(), [])
                        if doctrine_id not in by_label[words.lower()]:
                            by_label[words.lower()].append(doctrine_id)
        if by_label:
            labels = sorted(by_label, key=len, reverse=True)
            pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(label) for label in labels) + r")(?![\w-])",
                                 re.I)
            value = (pattern, by_label)
    except KgError:
        value = None
    _DOCTRINE_CACHE["value"] = value
    return value


# ----------------------------------------------------------------------------------------------------------------
# Writing the annotation
# ----------------------------------------------------------------------------------------------------------------

_YAML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x85": "\\N", "\u2028": "\\L",
                 "\u2029": "\\P", "\ufeff": "\\ufeff"}


def yq(value) -> str:
    """A YAML double-quoted scalar that PyYAML reads back as exactly this string."""
    out = []
    for ch in str(value):
        code = ord(ch)
        if ch in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[ch])
        elif code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _flow(items) -> str:
    return "[" + ", ".join(items) + "]"


class Writer:
    def __init__(self, draft: Draft):
        self.d = draft
        self.lines: list[str] = []
        self.found: dict[str, list[int]] = {}

    def occurrences(self, words: str) -> list[int]:
        """Where the words occur in the article (as the loader counts them), each string searched once."""
        if words not in self.found:
            self.found[words] = occurrences(self.d.text, words)
        return self.found[words]

    def span_ref(self, start: int, end: int) -> str:
        """{text: "...", occurrence: N} for the words at start..end."""
        text = self.d.text
        words = text[start:end]
        starts = self.occurrences(words)
        spec = "{text: " + yq(words)
        if len(starts) > 1:
            spec += f", occurrence: {starts.index(start) + 1}"
        return spec + "}"

    def emit(self, line: str = ""):
        self.lines.append(line)

    def write(self) -> str:
        d = self.d
        reg = d.registry
        e = self.emit
        e(f"# Draft annotation written by `kg extract` from {d.source_name or 'the article'} (annotator: extractor).")
        e("# Review it against article.txt: speakers, actors and their posts are the extractor's reading; it makes no")
        e("# events, actions, offers, conditions or legal positions. `# check:` comments mark what it was unsure of.")
        e("# Format: docs/design.md (format 1).")
        e("format: 1")
        e("annotator: extractor")
        e()
        self.article()
        used = self.used_actor_ids()
        actors = [a for a in reg.actors.values() if not a.place and a.id in used]
        places = [a for a in reg.actors.values() if a.place and a.id in used]
        e()
        e("actors:")
        for actor in sorted(actors, key=self.order):
            self.actor(actor)
        posts = [p for p in reg.posts.values() if p.holder in used and p.organization in used
                 and not reg.actors[p.organization].place]
        if posts:
            e()
            e("posts:")
            for post in sorted(posts, key=lambda p: self.order(reg.actors[p.holder])):
                e(f"  - id: {post.id}")
                e(f"    label: {yq(post.label)}")
                e(f"    organization: {post.organization}")
                e(f"    holder: {post.holder}")
                if post.evidence and post.evidence[0] is not None:
                    holder = reg.actors[post.holder]
                    if holder.evidence and holder.evidence[0] == post.evidence[0]:
                        e(f"    evidence: [{self.span_ref(*holder.evidence)}]")
        if places:
            e()
            e("places:")
            for place in sorted(places, key=self.order):
                self.place(place, used)
        self.statements()
        if d.doctrines:
            e()
            e("# Doctrines whose labels (ontology/doctrines.ttl) occur in the article; statements quoting them list")
            e("# them in `about:`. Conditions and positions are left to the curator.")
            for doctrine, words in d.doctrines.items():
                e(f"#   {doctrine}: {', '.join(repr(w) for w in words[:5])}")
        if d.warnings:
            e()
            for warning in d.warnings:
                e(f"# check: {_one_line(warning)}")
        return "\n".join(self.lines) + "\n"

    def order(self, actor: Actor):
        return (actor.evidence[0] if actor.evidence else 10**12, actor.id)

    def used_actor_ids(self) -> set[str]:
        d = self.d
        reg = d.registry
        used = {m.actor for m in reg.mentions} | {q.speaker for q in d.quotes if q.speaker} | {d.publisher}
        used |= set(d.authors)
        used |= {a for q in d.quotes for a in q.audience}
        used |= {a.id for a in reg.actors.values() if a.evidence is not None}
        # references must resolve: add what the used ones point to
        changed = True
        while changed:
            changed = False
            for actor_id in list(used):
                actor = reg.actors.get(actor_id)
                if actor is None:
                    used.discard(actor_id)
                    changed = True
                    continue
                for ref in [*actor.member_of, actor.part_of, actor.located_in, actor.operated_by]:
                    if ref and ref not in used and ref in reg.actors:
                        used.add(ref)
                        changed = True
        return used

    def article(self):
        d, e = self.d, self.emit
        c = d.cleaned
        e("article:")
        e(f"  title: {yq(c.title or _first_words(d.text))}")
        if isinstance(d.published, dt.datetime):
            e(f"  published: {d.published.isoformat()}" + ("" if d.published_from == "the page"
                                                             else f"   # from {d.published_from}"))
        else:
            e(f"  published: {d.published.isoformat()}" + (f"   # from {d.published_from}"
                                                             if d.published_from != "the page" else ""))
        if d.authors:
            e(f"  authors: {_flow(d.authors)}")
        e(f"  publisher: {d.publisher}")
        if c.url:
            e(f"  url: {yq(c.url)}")
        if d.source_name:
            e(f"  source: {yq(d.source_name)}")
        if c.notes:
            e("  cleaning:")
            for note in c.notes:
                e(f"    - {yq(note)}")
        if c.tags:
            e(f"  tags: {_flow(yq(t) for t in c.tags)}")
        times = d.text.count(c.caption) if c.caption else 0
        if times == 1:
            e("  image:")
            e(f"    caption: {yq(c.caption)}")
            if c.credit:
                e(f"    credit: {yq(c.credit)}")
        elif times > 1:
            # the format anchors a caption by its words alone: a page that repeats them cannot say which
            e(f"  # check: the image caption {yq(c.caption)} occurs {times} times in article.txt; not recorded")

    def actor(self, actor: Actor):
        e = self.emit
        e(f"  - id: {actor.id}")
        e(f"    type: {actor.type}")
        e(f"    name: {yq(actor.name)}")
        aliases = [a for a in actor.aliases if a != actor.name]
        if aliases:
            e(f"    aliases: {_flow(yq(a) for a in aliases)}")
        if actor.description:
            e(f"    description: {yq(actor.description)}")
        members = [m for m in actor.member_of if m in self.d.registry.actors and m != actor.id
                   and not self.d.registry.actors[m].place and self.d.registry.actors[m].type != "Person"]
        if members:
            e(f"    member_of: {_flow(members)}")
        if actor.part_of and actor.part_of in self.d.registry.actors and actor.type != "Person":
            e(f"    part_of: {actor.part_of}")
        if actor.evidence and actor.evidence[0] is not None and actor.evidence[1] > actor.evidence[0]:
            e(f"    evidence: [{self.span_ref(*actor.evidence)}]")

    def place(self, place: Actor, used: set[str]):
        e = self.emit
        e(f"  - id: {place.id}")
        e(f"    type: {'Facility' if place.type == 'Facility' else 'Place'}")
        e(f"    name: {yq(place.name)}")
        aliases = [a for a in place.aliases if a != place.name]
        if aliases:
            e(f"    aliases: {_flow(yq(a) for a in aliases)}")
        if place.located_in and place.located_in in used:
            e(f"    located_in: {place.located_in}")
        if place.operated_by and place.operated_by in used and not self.d.registry.actors[place.operated_by].place:
            e(f"    operated_by: {place.operated_by}")
        if place.evidence and place.evidence[1] > place.evidence[0]:
            e(f"    evidence: [{self.span_ref(*place.evidence)}]")

    def statements(self):
        d, e = self.d, self.emit
        ordered = sorted(range(len(d.quotes)), key=lambda i: (d.quotes[i].start, d.quotes[i].within is not None))
        width = 3 if len(ordered) > 99 else 2
        for number, index in enumerate(ordered, 1):
            d.statement_ids[index] = f"s{number:0{width}d}"
        e()
        if not ordered:
            e("statements: []   # no quotation marks in the article")
            return
        e("statements:")
        pub_day = _day(d.published)
        matcher = doctrine_matcher()
        for index in ordered:
            quote = d.quotes[index]
            words = d.text[quote.start:quote.end]
            e(f"  - id: {d.statement_ids[index]}")
            speaker = quote.speaker if quote.speaker in d.registry.actors else None
            comment = _one_line(quote.how)
            if speaker is None and quote.how.startswith("no attribution"):
                comment = "check: no speaker found in the text"
            e(f"    speaker: {speaker or 'unknown'}   # {comment}")
            e(f"    quote: {yq(words)}")
            starts = self.occurrences(words)
            if len(starts) > 1:
                e(f"    occurrence: {starts.index(quote.start) + 1}")
            if quote.said:
                try:
                    day = dates.normalise(quote.said[0], pub_day)
                    e(f"    said: {day.isoformat()}   # {quote.said[0]}")
                except dates.DateError:
                    pass
            audience = [a for a in quote.audience if a in d.registry.actors and a != speaker]
            if audience:
                e(f"    audience: {_flow(audience)}")
            if matcher is not None:
                about = []
                for match in matcher[0].finditer(words):
                    for doctrine in matcher[1].get(match.group().lower(), []):
                        if doctrine not in about:
                            about.append(doctrine)
                if about:
                    e(f"    about: {_flow(about)}")
            if quote.utterance:
                e(f"    utterance: {quote.utterance}")
            if quote.within is not None:
                e(f"    within: {d.statement_ids[quote.within]}")


def _first_words(text: str) -> str:
    return " ".join(text.split()[:12]) or "untitled"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# ----------------------------------------------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------------------------------------------


def default_slug(path: Path, draft_title: str | None, publisher: str | None, published) -> str:
    stem = kebab(Path(path).stem)
    if ID_RE.match(stem) and stem not in GENERIC_STEMS and len(stem) >= 4:
        return stem
    words = [w for w in kebab(draft_title or "").split("-") if w][:6]
    parts = [publisher or "article", _day(published).isoformat() if published else "", *words]
    return kebab("-".join(p for p in parts if p))[:80].rstrip("-")


def write_files(draft: Draft, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    text_path, annotation_path = out_dir / "article.txt", out_dir / "annotation.yaml"
    annotation = Writer(draft).write()
    for path, content in ((text_path, draft.text), (annotation_path, annotation)):
        tmp = path.with_name("." + path.name + ".tmp")
        tmp.write_text(content, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    return text_path, annotation_path


def check_draft(out_dir: Path):
    """Load the draft as `kg build` would; a failure here is the extractor's bug, reported as such."""
    from .annotation import article_graph, read_article
    from .ontology import Ontology

    try:
        article_graph(read_article(out_dir), Ontology())
    except KgError as exc:
        raise CheckFailed(f"the draft written to {out_dir} is not accepted by the loader (an extractor bug; "
                          f"please report it with the input file): {exc}") from None


def summary(draft: Draft, out_dir: Path) -> list[str]:
    d = draft
    reg = d.registry
    c = d.cleaned
    lines = [f"wrote {out_dir / 'article.txt'} ({len(c.paragraphs)} paragraphs, {len(d.text):,} characters)",
             f"wrote {out_dir / 'annotation.yaml'} (annotator: extractor; review it before building)"]
    lines.append(f"  title:      {c.title or '(none found: first words used)'}")
    lines.append(f"  published:  {d.published.isoformat()} (from {d.published_from})")
    authors = ", ".join(reg.actors[a].name for a in d.authors) or "(no byline)"
    lines.append(f"  byline:     {authors}")
    lines.append(f"  publisher:  {reg.actors[d.publisher].name}")
    if c.tags:
        lines.append(f"  tags:       {', '.join(c.tags)}")
    if c.caption:
        lines.append(f"  caption:    {c.caption[:70]}{'…' if len(c.caption) > 70 else ''}")
    for note in c.notes:
        lines.append(f"  cleaned:    {note}")
    speakers: dict[str, int] = {}
    unknown = 0
    for quote in d.quotes:
        if quote.speaker and quote.speaker in reg.actors:
            name = reg.actors[quote.speaker].name
            speakers[name] = speakers.get(name, 0) + 1
        else:
            unknown += 1
    nested = sum(1 for q in d.quotes if q.within is not None)
    split = len({q.utterance for q in d.quotes if q.utterance})
    lines.append(f"  quotations: {len(d.quotes)} ({nested} nested, {split} split or multi-paragraph utterances); "
                 f"speakers: " + (", ".join(f"{n} {k}" for n, k in sorted(speakers.items(), key=lambda x: -x[1]))
                                  or "none") + (f"; unknown {unknown}" if unknown else ""))
    used = Writer(d).used_actor_ids()
    kinds: dict[str, list[str]] = {}
    for actor in reg.actors.values():
        if actor.id in used:
            kinds.setdefault("places" if actor.place else actor.type, []).append(actor.name)
    for kind, names in sorted(kinds.items()):
        lines.append(f"  {kind + ':':<11} {', '.join(names)}")
    posts = [p.label for p in reg.posts.values() if p.holder in used]
    if posts:
        lines.append(f"  posts:      {'; '.join(posts)}")
    if d.doctrines:
        lines.append(f"  doctrines:  {', '.join(d.doctrines)}")
    for warning in d.warnings:
        lines.append(f"  check:      {warning}")
    return lines


def _parse_published(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"--published {value!r} is not a date: give it as YYYY-MM-DD, e.g. --published 2025-02-05") \
            from None


@click.command("extract")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--published", metavar="YYYY-MM-DD",
              help="The publication date, when the page does not give it (or to override it).")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path),
              help="The article folder to write (default: articles/<slug>, the slug from the file name, or from "
                   "publisher, date and title).")
@click.option("--force", is_flag=True, help="Overwrite an annotation.yaml already in the folder.")
@click.option("--json", "as_json", is_flag=True, help="Print what was found as JSON instead of text.")
def extract_command(file, published, output, force, as_json):
    """Draft an annotation for a new article (text, Markdown or HTML): cleaned text, quotes, speakers, actors.

    Writes OUTPUT/article.txt (the article without site furniture) and OUTPUT/annotation.yaml (annotator:
    extractor) that `kg build` accepts as it is, then prints what it found. Offline and deterministic. Review
    the draft before building: speakers it could not resolve are `unknown`, never guessed; `# check:` comments
    mark the rest. Exit 2 on bad input (empty, binary, no date: give --published).

    \b
    Example:
        kg extract ~/Downloads/story.html --published 2025-02-05 -o articles/ap-2025-02-05-prison-offer
        kg build articles/ap-2025-02-05-prison-offer
    """
    from .cli import reports_errors

    reports_errors(_run_extract)(file, published, output, force, as_json)


def _run_extract(file: Path, published: str | None, output: Path | None, force: bool, as_json: bool):
    if not file.exists():
        raise InputError(f"{file}: no such file")
    published_day = _parse_published(published)
    if output is not None:
        slug = output.resolve().name
        if not ID_RE.match(slug):
            raise InputError(f"{output}: the article folder name must be lower-case letters, digits and dashes "
                             "(it becomes the article's slug)")
    else:
        slug = kebab(file.stem)
    known_root = (output.resolve().parent if output is not None else Path("articles").resolve())
    known_dirs = sorted(p for p in known_root.iterdir() if p.is_dir()) if known_root.is_dir() else []
    draft = extract(file, slug, published_day, known_dirs=known_dirs,
                    exclude=(output if output is not None else Path("articles") / slug).resolve())
    if output is None:
        slug = default_slug(file, draft.cleaned.title, draft.publisher if not draft.publisher.startswith(
            "unknown-publisher") else None, draft.published)
        if slug != draft.slug:
            draft = extract(file, slug, published_day, known_dirs=known_dirs,
                            exclude=(Path("articles") / slug).resolve())
        output = Path("articles") / slug
    if (output / "annotation.yaml").exists() and not force:
        raise InputError(f"{output / 'annotation.yaml'} exists (perhaps curated): give --force to overwrite it, "
                         "or -o another folder")
    write_files(draft, output)
    if len(draft.text) <= CHECK_LIMIT:
        check_draft(output)
    else:
        draft.warnings.append(f"not loaded back to check it (the article is over {CHECK_LIMIT:,} characters): "
                              "`kg build` will")
    if as_json:
        click.echo(json.dumps(_as_json(draft, output), indent=2, ensure_ascii=False))
    else:
        for line in summary(draft, output):
            click.echo(line)


def _as_json(draft: Draft, output: Path) -> dict:
    reg = draft.registry
    return {
        "folder": str(output),
        "title": draft.cleaned.title,
        "published": draft.published.isoformat(),
        "authors": draft.authors,
        "publisher": draft.publisher,
        "tags": draft.cleaned.tags,
        "statements": [
            {"id": draft.statement_ids.get(i), "speaker": q.speaker if q.speaker in reg.actors else None,
             "quote": draft.text[q.start:q.end], "start": q.start, "end": q.end, "how": q.how,
             "utterance": q.utterance, "within": draft.statement_ids.get(q.within) if q.within is not None else None}
            for i, q in sorted(enumerate(draft.quotes), key=lambda x: x[1].start)
        ],
        "actors": sorted(a.id for a in reg.actors.values() if a.id in Writer(draft).used_actor_ids()),
        "doctrines": list(draft.doctrines),
        "warnings": draft.warnings,
    }
