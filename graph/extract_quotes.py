"""Find every direct quotation in an article and who said it.

Spans: the words between double quotation marks (straight "..." or curly “...”, and «...»), stripped of the spaces
at either end, one span per paragraph when a quotation runs over several paragraphs (the paragraph ends without a
closing mark and the next opens with one), and quotations in single marks inside them ('...' or ‘...’) as nested
spans. An unterminated quotation mark makes no span: it is reported instead.

Speakers, in this order for each quotation:

1. an attribution right after it: `"...," X said`, `"...," said X`, `"...," X, the ..., told NPR`, `"...," he added`;
2. an attribution earlier in the same sentence: `X said "..."`, `X called it "..."`, `But, X said, "..."`,
   `according to X, "..."`, `X: "..."`;
3. an attribution later in the same sentence when the quotation does not end it: `"..." to serve time, X said`;
4. the speaker of the quotation before it in the paragraph when only that one's attribution stands between them
   (a split quotation: both spans then share an utterance), or of the quotation the paragraph before opened;
5. a paragraph of nothing but quotation right after a paragraph that ends with a quotation and its attribution
   (the wire-service convention for a speaker who goes on);
6. otherwise unknown. An attribution whose speaker cannot be resolved ("a senior official said") makes the
   speaker unknown rather than letting another rule guess.

X is a name (surnames and titles resolve to the full person found elsewhere in the article), a title ("the
secretary", "the judge"), a pronoun ("he", "she": the person the sentence or paragraph is about, of that gender
when it is known; unknown when two people fit), or a group ("officials", "other countries").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .extract_actors import TITLE_WORDS, Actor, Registry, kebab, known_publisher

OPENERS = "“«„"
CLOSERS = "”»"
MARKS_RE = re.compile(r"[\"“”«»„]")

SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|asked|asks|replied|replies|responded|responds|wrote|writes|noted|notes|"
    "argued|argues|stressed|stresses|insisted|insists|warned|warns|explained|explains|continued|declared|declares|"
    "stated|states|recalled|acknowledged|acknowledges|conceded|contended|countered|maintained|suggested|predicted|"
    "urged|urges|called|calls|described|describes|posted|tweeted|testified|announced|announces|reiterated|"
    "emphasized|emphasised|cautioned|complained|observed|remarked|joked|quipped|vowed|promised|pledged|boasted|"
    "claimed|claims|alleged|admitted|concluded|objected|protested|repeated|shouted|answered|confirmed|denied|"
    "recounted|mused|ruled|rules|wrote|labeled|labelled|dubbed|branded|termed|pressed|demanded|wondered|"
    "pointed out|points out|asserted|asserts|" + r"(?<=, )(?:saying|arguing|asserting|warning|adding|noting|insisting|"
    "claiming|stressing|explaining|calling)"
)
# (not "told": '"...," told an attorney' has the one told after it, never the speaker)
INVERTABLE = {"said", "says", "added", "adds", "asked", "asks", "replied", "wrote", "writes", "continued",
              "explained", "noted", "recalled", "declared", "stated", "countered", "responded", "insisted",
              "warned", "argued", "acknowledged", "answered", "cautioned", "pressed", "demanded", "wondered"}
# verbs that are often not speech ("denied a request", "confirmed the appointment", "announced a plan"): a
# quotation later in their sentence is theirs only when nothing opens a clause of its own before it
WEAK_SPEECH_VERBS = {"denied", "confirmed", "announced", "announces", "ruled", "rules", "posted", "described",
                     "describes", "labeled", "labelled", "branded", "termed", "dubbed", "called", "calls", "vowed",
                     "promised", "pledged", "urged", "urges"}
VERB_RE = re.compile(r"\b(" + SPEECH_VERBS + r")\b|\b[Aa]ccording to\b|\bas saying\b")
GAP_RE = re.compile(
    r"(?:\s*,\s*(?!(?:and|but|or|so|then|while|as|because|if|when|although|though|after|before|since)\b)"
    r"[^\"“”«»,;.!?]{1,200}(?:,\s*[^\"“”«»,;.!?]{1,120}){0,1},|\s*,\s*who\b)?"     # "Bukele, who told him"
    r"(?:\s+(?:of|from)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})?\s*"
    r"(?:(?:also|later|then|again|previously|earlier|once|has|had|have|would|will|quickly|repeatedly|simply|only|"
    r"just|further|recently|first|initially|separately|publicly|privately|flatly|bluntly|angrily|on\s+[A-Z]\w+day|"
    r"in\s+an\s+interview|in\s+a\s+statement)\s+){0,3}")
TITLE_NOUNS = ("secretary|president|judge|justice|attorney general|attorney|lawyer|senator|governor|mayor|minister|"
               "spokesperson|spokesman|spokeswoman|official|director|chief|ambassador|commissioner|administrator|"
               "congressman|congresswoman|lawmaker|prosecutor|chairman|chairwoman|chair|leader|speaker|sheriff|"
               "general|envoy|czar|professor|expert|deputy")
ORG_NOUNS = ("group|organization|organisation|department|agency|ministry|court|union|administration|government|"
             "company|campaign|office|committee")
# what a quotation may come from rather than who ("the statement said", "the order said"): its maker, when the text
# says who made it (Attributor.document_maker)
DOCUMENT_NOUNS = ("statement|order|ruling|opinion|decision|filing|lawsuit|suit|complaint|motion|letter|memo|"
                  "report|release")
_DOC = r"(?:an?|the|her|his|its|their)\s+(?:[a-z][\w-]*\s+){0,2}(?P<%s>" + DOCUMENT_NOUNS + r")\b"
DOCUMENT_MADE_RE = re.compile(
    r"(?P<lead>\b[Ii]n\s+" + _DOC % "lead_doc" + r"\s*,?)"
    r"|\b(?:said|says|wrote|writes|stated|argued|argues|ruled|rules|warned|added|announced|noted|found|concluded)"
    r"\s+in\s+" + _DOC % "in_doc" +
    r"|\b(?:issued|released|filed|sent|signed|published|posted|put\s+out|wrote|handed\s+down|submitted)\s+"
    + _DOC % "made_doc" +
    r"|(?P<by>\b(?:an?|the)\s+(?:[a-z][\w-]*\s+){0,2}(?P<by_doc>" + DOCUMENT_NOUNS + r")\s+(?:by|from)\s+)")
DOCUMENT_BY_RE = re.compile(r"\s+(?:an?|the)\s+(?:[a-z][\w-]*\s+){0,2}(?:" + DOCUMENT_NOUNS + r")\s+(?:by|from)\s+"
                            r"(?:the\s+)?")
TITLE_NP_RE = re.compile(r"\b[Tt]he\s+((?:(?:former|then|acting|deputy|vice|top|senior|new|prime|foreign|"
                         r"attorney|district|federal|state|U\.S\.|[a-z]+-[a-z]+)\s+){0,3}(?:" + TITLE_NOUNS + "|"
                         + ORG_NOUNS + "|" + DOCUMENT_NOUNS + r"))\b(?!['’]s|\s+(?:of|for)\b)")
NON_SPEAKERS = ("State", "Place", "Facility")     # a place never speaks; a country only as its government
PRONOUN_RE = re.compile(r"\b(he|she|He|She|they|They|I|we|We)\b")
# what follows the subject of a reported clause, not an inverted attribution ('"...," said he.')
REPORTED_SUBJECT_RE = re.compile(r"\s+(?:[\"“‘']|(?:would|will|was|were|is|are|had|has|have|did|does|do|could|"
                                 r"should|can|might|may|must|wanted|wants|thought|believed|hoped|knew)\b)")
COLLECTIVE_RE = re.compile(
    r"\b((?:(?:[Oo]ther|[Ss]ome|[Mm]any|[Ss]everal|[Ff]oreign|[Ss]enior|[Ff]ederal|[Ll]ocal|[Ss]tate|U\.S\.|"
    r"[Aa]dministration|[Gg]overnment|[Ii]mmigration|[Ll]egal|[Hh]uman rights|[Cc]ivil rights|[Tt]he|[Tt]hose|"
    r"[Tt]hese|[Mm]ost|[A-Z][a-z]+an)\s+){0,2}(?i:officials|experts|critics|lawyers|attorneys|advocates|activists|"
    r"lawmakers|legislators|prosecutors|judges|countries|governments|residents|protesters|protestors|analysts|"
    r"scholars|leaders|Democrats|Republicans|opponents|supporters|authorities|officers|investigators|diplomats|"
    r"sources|people|families|relatives|neighbors|neighbours|witnesses|organizers|organisers|economists))\b")
ADVERBS = ("also", "later", "then", "again", "previously", "earlier", "once", "quickly", "repeatedly", "simply",
           "only", "just", "further", "recently", "first", "initially", "separately", "publicly", "privately",
           "flatly", "bluntly", "angrily", "has", "had", "have", "would", "will")
UNNAMED_RE = re.compile(
    r"\b(?:[Aa]n?|[Oo]ne|[Aa]nother)\s+(?:[\w'’-]+\s+){0,4}?(?:spokesperson|spokesman|spokeswoman|official|aide|"
    r"adviser|advisor|source|lawyer|attorney|representative|diplomat|officer|staffer|employee|analyst|expert|"
    r"resident|witness|member|prosecutor|lawmaker|agent|guard|worker|detainee|protester|activist|journalist|"
    r"teacher|farmer|nurse|doctor|student|parent|mother|father|shopkeeper|vendor|villager|neighbou?r|volunteer|"
    r"reporter|correspondent)\b")
POSSESSIVE_ROLE_RE = re.compile(r"\b(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.-]*['’]s\s+(?P<role>lawyer|attorney|"
                                r"lawyers|attorneys|spokesperson|spokesman|spokeswoman|office|family|wife|husband|"
                                r"mother|father|brother|sister|son|daughter)\b")
UNNAMED_TAIL = re.compile(r"\s+(?:for|of|at|with|from|in|close to|familiar with)\s+"
                          r"(?:[^,.;:!?\"“”«»()]|(?<=\b[A-Z])\.){1,60}")     # "for the U.S. Embassy in ..."
SENTENCE_BREAK = re.compile(r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|Lt|No|vs))(?<!\b(?:Mrs|Sen|Rep|Gov|Gen|Col|Sgt|"
                            r"Adm|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Inc|Ltd))(?<!\b(?:Capt|Prof|Sept|"
                            r"Corp))[.!?](?=\s+[A-Z0-9\"“‘'(])")
# what may stand before a sentence's subject: "On Friday, the ACLU said", "The ACLU said"
SUBJECT_OPENING_RE = re.compile(r"(?:[^,.;\"“”]{0,40},\s*)?(?:[Tt]he\s+)?")
MAIN_SUBJECT_OPENING_RE = re.compile(r"(?:(?:But|And|Yet|Still|So)\s+)?" + SUBJECT_OPENING_RE.pattern)  # "But Alito"
QUOTED_SENTENCE_END = re.compile(r"[.!?][\"”’']\s+(?=[A-Z])")
DATE_PHRASE_RE = re.compile(
    r"\b(?:(?:on|last|this|late|early|earlier this)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b|\byesterday(?:\s+(?:morning|afternoon|evening))?\b|"
    r"\blast (?:week|night)\b|\btoday\b|\bthis (?:morning|afternoon|evening)\b|\btonight\b")
PREPOSITIONS = {"by", "to", "with", "for", "from", "of", "than", "against", "about", "at", "on", "in", "into",
                "over", "under", "toward", "towards", "between", "among", "like", "as", "after", "before", "and",
                "or", "nor", "met", "told", "asked", "visited", "called", "thanked", "criticized", "praised"}
VERBISH = re.compile(
    r"(?:,\s*[^,\"“”;]{1,160},)?\s+(?:(?:also|later|then|has|had|have|would|will|once|again|on\s+\w+day)\s+){0,2}"
    r"(?:is|was|were|are|has|had|have|will|would|could|can|did|does|do|may|might|must|should|" + SPEECH_VERBS
    + r"|[a-z]{2,}ed|[a-z]{2,}[^s'’]s)\b")


@dataclass
class Quote:
    start: int                 # offsets of the quoted words (without marks and end spaces) in the article text
    end: int
    para: int
    open_mark: int
    close_mark: int | None     # None: the paragraph ended inside the quotation (it goes on in the next)
    chain: int | None = None   # multi-paragraph quotation number
    within: int | None = None  # index (in the quote list) of the quotation this one is nested in
    speaker: str | None = None
    explicit_unknown: bool = False
    how: str = "no attribution found"
    utterance: str | None = None
    said: tuple[str, str] | None = None      # (phrase, its record's sentence) for the date said
    audience: list[str] = field(default_factory=list)
    inherited_from: int | None = None
    index: int = -1            # its place in the list find_quotes returns


@dataclass
class Record:
    """A speech verb in the narrative and who its subject is."""

    verb_start: int
    verb_end: int
    verb: str
    np_start: int | None        # the subject's words (None: no subject found)
    np_end: int | None
    speaker: str | None         # actor id (None: unknown)
    resolved: bool              # whether an NP was there at all (resolved or not)
    how: str
    audience: list[str] = field(default_factory=list)

    @property
    def first(self) -> int:
        return min(x for x in (self.verb_start, self.np_start) if x is not None)

    @property
    def last(self) -> int:
        return max(x for x in (self.verb_end, self.np_end) if x is not None)


def find_quotes(text: str, paragraphs: list[tuple[int, int]]) -> tuple[list[Quote], list[str]]:
    """Every quotation span in text order, nested ones right after the one holding them; and warnings."""
    quotes: list[Quote] = []
    warnings: list[str] = []
    chain_count = 0
    pending: Quote | None = None          # a quotation still open at the end of the previous paragraph
    for para_index, (p_start, p_end) in enumerate(paragraphs):
        para = text[p_start:p_end]
        starts_with_open = bool(re.match(r"\s*[\"“«]", para))
        if pending is not None:
            if starts_with_open:
                if pending.chain is None:
                    chain_count += 1
                    pending.chain = chain_count
                quotes.append(pending)
                chain_id = pending.chain
            else:
                warnings.append(f"paragraph {pending.para + 1}: a quotation mark opens "
                                f"{_context(text, pending.open_mark)} and is never closed: no statement made for it")
                chain_id = None
            pending = None
        else:
            chain_id = None
        open_at: int | None = None
        first_in_para = True
        for match in MARKS_RE.finditer(para):
            i = match.start()
            ch = match.group()
            pos = p_start + i
            before = para[i - 1] if i > 0 else " "
            after = para[i + 1] if i + 1 < len(para) else " "
            looks_open = before.isspace() or before in "([{—–-/:;" or i == 0
            looks_close = after.isspace() or after in ".,;:!?)]}—–-" or i + 1 == len(para)
            if ch in OPENERS:
                kind = "open"
            elif ch in CLOSERS:
                kind = "close" if not (looks_open and not looks_close and open_at is None) else "open"
            else:
                kind = "toggle"
                if open_at is None and looks_close and not looks_open:
                    kind = "stray"
                elif open_at is not None and looks_open and not looks_close:
                    kind = "reopen"
            if open_at is None:
                if kind in ("open", "toggle", "reopen"):
                    open_at = pos
                else:
                    warnings.append(f"paragraph {para_index + 1}: a closing quotation mark {_context(text, pos)} "
                                    "has no opening mark: ignored")
                continue
            if kind in ("open", "reopen"):
                warnings.append(f"paragraph {para_index + 1}: a quotation mark opens {_context(text, open_at)} "
                                "and is never closed: no statement made for it")
                open_at = pos
                continue
            span = _strip(text, open_at + 1, pos)
            if span:
                quote = Quote(span[0], span[1], para_index, open_at, pos)
                if first_in_para and chain_id is not None and open_at - p_start <= len(para) - len(para.lstrip()):
                    quote.chain = chain_id
                quotes.append(quote)
            first_in_para = False
            open_at = None
        if open_at is not None:
            span = _strip(text, open_at + 1, p_end)
            if span:
                pending = Quote(span[0], span[1], para_index, open_at, None)
                if first_in_para and chain_id is not None:
                    pending.chain = chain_id
            else:
                warnings.append(f"paragraph {para_index + 1}: a quotation mark at the end of the paragraph is "
                                "never closed: ignored")
    if pending is not None:
        warnings.append(f"paragraph {pending.para + 1}: a quotation mark opens {_context(text, pending.open_mark)} "
                        "and is never closed: no statement made for it")
    singles = _single_quoted(text, paragraphs)
    if len(singles) >= 2 and len(singles) > 2 * len(quotes):
        # British style: 'single' quotation marks for quotations, "double" ones inside them
        result = _singles_first(singles, quotes)
        warnings.append("the article quotes with single quotation marks ('...'); double ones inside them are "
                        "read as nested quotations")
    else:
        result = _with_nested(text, quotes)
    for index, quote in enumerate(result):
        quote.index = index
    return result, warnings


SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–:]))['‘](?=[^\W_])", re.M)


def _single_quoted(text: str, paragraphs: list[tuple[int, int]]) -> list[Quote]:
    """Spans between single quotation marks that open a quotation (not apostrophes), paragraph by paragraph."""
    found = []
    for para_index, (p_start, p_end) in enumerate(paragraphs):
        para = text[p_start:p_end]
        at = 0
        while True:
            opener = SINGLE_OPEN.search(para, at)
            if not opener:
                break
            close = _nested_close(para, opener.end())
            if close is None:
                break
            span = _strip(text, p_start + opener.end(), p_start + close)
            if span and len(text[span[0]:span[1]].split()) >= 2:
                found.append(Quote(span[0], span[1], para_index, p_start + opener.start(), p_start + close))
            at = close + 1
    return found


def _singles_first(singles: list[Quote], doubles: list[Quote]) -> list[Quote]:
    """Single-quoted spans as the quotations; double-quoted ones inside them nested, outside them top-level."""
    top = list(singles)
    inner: dict[int, list[Quote]] = {}
    for quote in doubles:
        outer = next((i for i, s in enumerate(singles) if s.open_mark < quote.open_mark and quote.close_mark is not None
                      and quote.close_mark < s.close_mark), None)
        if outer is None:
            top.append(quote)
        else:
            inner.setdefault(id(singles[outer]), []).append(quote)
    result: list[Quote] = []
    for quote in sorted(top, key=lambda q: q.open_mark):
        result.append(quote)
        outer_index = len(result) - 1
        for nested in sorted(inner.get(id(quote), []), key=lambda q: q.open_mark):
            nested.within = outer_index
            nested.chain = None
            result.append(nested)
    return result


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _context(text: str, pos: int) -> str:
    snippet = " ".join(text[max(0, pos - 20):pos + 30].split())
    return f"near {snippet!r}"


NESTED_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–\"“:]))['‘](?=[^\W_])")


def _with_nested(text: str, quotes: list[Quote]) -> list[Quote]:
    """Add the single-quoted quotations inside double-quoted ones, each right after its outer quotation."""
    result: list[Quote] = []
    for quote in quotes:
        result.append(quote)
        outer_index = len(result) - 1
        inner = text[quote.start:quote.end]
        at = 0
        while True:
            opener = NESTED_OPEN.search(inner, at)
            if not opener:
                break
            close = _nested_close(inner, opener.end())
            if close is None:
                break
            span = _strip(text, quote.start + opener.end(), quote.start + close)
            if span and span[1] - span[0] >= 2:
                result.append(Quote(span[0], span[1], quote.para, quote.start + opener.start(), quote.start + close,
                                    within=outer_index))
            at = close + 1
    return result


def _nested_close(inner: str, start: int) -> int | None:
    for match in re.finditer(r"['’]", inner[start:]):
        i = start + match.start()
        before = inner[i - 1] if i > 0 else " "
        after = inner[i + 1] if i + 1 < len(inner) else " "
        if before.isspace():
            continue
        if after.isalnum():
            continue                     # an apostrophe: don't, Rubio's
        if before == "s" and after == " " and i + 2 < len(inner) and inner[i + 2].isupper() \
                and not inner[i - 1:i + 1].endswith(",'"):
            continue                     # "Immigrants' Rights": a plural possessive before a name
        return i
    return None


# ----------------------------------------------------------------------------------------------------------------
# Attribution
# ----------------------------------------------------------------------------------------------------------------


class Attributor:
    def __init__(self, text: str, paragraphs: list[tuple[int, int]], quotes: list[Quote], registry: Registry,
                 slug: str, is_heading=lambda para: False):
        self.text = text
        self.paragraphs = paragraphs
        self.quotes = quotes
        self.reg = registry
        self.slug = slug
        self.is_heading = is_heading
        self.top = [q for q in quotes if q.within is None]
        self.marks = sorted((q.open_mark, q.close_mark if q.close_mark is not None else q.end) for q in self.top)
        self.by_para: dict[int, list[Quote]] = {}
        for quote in self.top:
            self.by_para.setdefault(quote.para, []).append(quote)
        self.mentions_by_para: dict[int, list] = {}
        for mention in registry.mentions:
            self.mentions_by_para.setdefault(mention.para, []).append(mention)
        # mentions come in text order: their starts, per paragraph, for range look-ups
        self.mention_starts = {para: [m.start for m in found] for para, found in self.mentions_by_para.items()}
        self.subject_cache: dict[int, bool] = {}
        self.records: dict[int, list[Record]] = {}
        self.record_index: dict[int, tuple[list[int], list[int]]] = {}
        self.people_index: dict[int, tuple] = {}
        self.actor_index: dict[int, tuple] = {}
        # sentence breaks in the whole text: (start, end, the end of what the look-ahead read)
        self.breaks = []
        for match in SENTENCE_BREAK.finditer(text):
            after = match.end()
            while after < len(text) and text[after].isspace():
                after += 1
            self.breaks.append((match.start(), match.end(), after + 1))
        self.break_starts = [b[0] for b in self.breaks]
        self.utterances = 0

    # -- range look-ups (each quotation looks only at its neighbourhood: linear in the paragraph's length) --------
    def mentions_in(self, para: int, lo: int, hi: int) -> list:
        """The mentions of the paragraph that start in lo..hi-1, in text order."""
        starts = self.mention_starts.get(para)
        if not starts:
            return []
        return self.mentions_by_para[para][bisect.bisect_left(starts, lo):bisect.bisect_left(starts, hi)]

    def records_in(self, para: int, lo: int, hi: int) -> list[Record]:
        """The paragraph's speech-verb records whose first character is in lo..hi-1, in the records' order."""
        records = self.para_records(para)
        if para not in self.record_index:
            order = sorted(range(len(records)), key=lambda i: records[i].first)
            self.record_index[para] = ([records[i].first for i in order], order)
        firsts, order = self.record_index[para]
        return [records[i] for i in sorted(order[bisect.bisect_left(firsts, lo):bisect.bisect_left(firsts, hi)])]

    # -- where the narrative is --------------------------------------------------------------------------------
    def outside_segments(self, para: int) -> list[tuple[int, int]]:
        p_start, p_end = self.paragraphs[para]
        segments, at = [], p_start
        for quote in self.by_para.get(para, []):
            segments.append((at, quote.open_mark))
            at = quote.close_mark + 1 if quote.close_mark is not None else p_end
        if at < p_end:
            segments.append((at, p_end))
        # a paragraph that continues a quotation from the previous one starts inside it
        return [(s, e) for s, e in segments if e > s]

    def in_quote(self, pos: int) -> bool:
        index = bisect.bisect_right(self.marks, (pos, float("inf"))) - 1
        return index >= 0 and self.marks[index][0] <= pos <= self.marks[index][1]

    # -- speech-verb records -----------------------------------------------------------------------------------
    def para_records(self, para: int) -> list[Record]:
        if para in self.records:
            return self.records[para]
        records = []
        for seg_start, seg_end in self.outside_segments(para):
            for match in VERB_RE.finditer(self.text, seg_start, seg_end):
                records.append(self.record(match, seg_start, seg_end, para))
        self.records[para] = records
        return records

    def record(self, match, seg_start: int, seg_end: int, para: int) -> Record:
        text = self.text
        verb = match.group().lower()
        v_start, v_end = match.start(), match.end()
        if verb == "according to":
            np = self.np_after(v_end, seg_end, para)
            if np:
                return Record(v_start, v_end, verb, np[0], np[1], np[2], True, f"according to {np[3]}")
            return Record(v_start, v_end, verb, None, None, None, False, "according to (unresolved)")
        if verb.endswith("ing") and verb != "as saying":
            # "The ACLU filed a brief on Monday, arguing that '...'": the subject of the sentence's main clause
            np = self.sentence_subject(para, v_start, seg_start)
            if np:
                return Record(v_start, v_end, verb, np[0], np[1], np[2], True, f"{np[3]} ..., {verb}")
            return Record(v_start, v_end, verb, None, None, None, False, f"{verb} (no subject)")
        np = self.np_before(v_start, seg_start, para)
        audience = []
        if verb in ("told", "tells"):
            target = self.np_after(v_end, seg_end, para, allow_pronoun=False)
            if target and target[2] and self.speaks(target[2]):
                audience = [target[2]]
        if np:
            return Record(v_start, v_end, verb, np[0], np[1], np[2], True, f"{np[3]} {verb}", audience)
        if re.search(r"\band\s+$", text[max(seg_start, v_start - 5):v_start]):
            # "Leavitt called him "a gang member" and said he ...": the subject of the sentence said it (a quotation
            # may stand between them, so the record spans the verb alone, as rules 2 and 3 look for it there)
            np = self.sentence_subject(para, v_start, self.paragraphs[para][0])
            if np:
                return Record(v_start, v_end, verb, v_start, v_start, np[2], True, f"{np[3]} ... and {verb}", audience)
        if verb in INVERTABLE:
            np = self.np_after(v_end, seg_end, para)
            if np and REPORTED_SUBJECT_RE.match(text, np[1]) and PRONOUN_RE.fullmatch(np[3]):
                np = None     # "said he would", 'said he "will not ..."': he is who the words are about
            if np:
                return Record(v_start, v_end, verb, np[0], np[1], np[2], True, f"{verb} {np[3]}", audience)
            if re.match(r"\s+(?:an?|one|another|two|three|several)\s+[a-z]", text[v_end:v_end + 20]):
                return Record(v_start, v_end, verb, v_end, v_end + 1, None, True, f"{verb} (an unnamed speaker)")
        before = text[max(seg_start, v_start - 80):v_start]
        if re.search(r"\b(?:[Aa]n?|[Oo]ne|[Aa]nother)\s+(?:[\w'’-]+\s+){0,6}$", before) \
                and not re.search(r"[.!?]\s", before):
            return Record(v_start, v_end, verb, v_start - 1, v_start, None, True, f"(an unnamed speaker) {verb}")
        return Record(v_start, v_end, verb, None, None, None, False, f"{verb} (no subject)")

    def candidates(self, para: int, lo: int, hi: int):
        """Noun phrases that can be a speaker, between lo and hi: (start, end, resolver, words)."""
        text = self.text
        found = []
        for mention in self.mentions_in(para, lo, hi):
            if mention.end <= hi and not mention.in_quote:
                found.append((mention.phrase_start if mention.phrase_start >= lo else mention.start, mention.end,
                              ("actor", mention.actor), text[mention.start:mention.end]))
        for match in PRONOUN_RE.finditer(text, lo, hi):
            found.append((match.start(), match.end(), ("pronoun", match.group().lower()), match.group()))
        for match in TITLE_NP_RE.finditer(text, lo, hi):
            if any(m.end == match.end() for m in self.mentions_in(para, match.start(), match.end())):
                continue        # "the U.S. government": the actor named, not the most recent government
            found.append((match.start(), match.end(), ("title", match.group(1).lower()), match.group()))
        for match in POSSESSIVE_ROLE_RE.finditer(text, lo, hi):
            # "Abrego Garcia's lawyer argued": someone the text describes by whose they are, not named
            found.append((match.start(), match.end(), ("unnamed", match.group()), match.group()))
        for match in UNNAMED_RE.finditer(text, lo, hi):
            words = match.group()
            found.append((match.start(), match.end(), ("unnamed", words), words))
            for end in self._complement_ends(match.end(), hi):
                found.append((match.start(), end, ("unnamed", text[match.start():end]), text[match.start():end]))
        for match in COLLECTIVE_RE.finditer(text, lo, hi):
            words = match.group(1)
            if words.split()[0] in ("The", "the", "Those", "those", "These", "these"):
                words = " ".join(words.split()[1:])
            found.append((match.start(), match.end(), ("collective", words), match.group()))
            # "lawyers for the men argued", "critics of the plan said": the group with what follows it (named
            # "lawyers", as curated annotations name groups)
            for end in self._complement_ends(match.end(), hi):
                found.append((match.start(), end, ("collective", words), text[match.start():end]))
        return found

    def _complement_ends(self, start: int, hi: int):
        """Where a phrase may end with what follows it ("for the U.S. Embassy in ..."): after each word of the
        complement that does not leave it hanging ("for the")."""
        text = self.text
        tail = UNNAMED_TAIL.match(text, start, hi)
        if tail:
            for word in re.finditer(r"[\w'’.-]+", text[tail.start():tail.end()]):
                end = tail.start() + word.end()
                if text[start:end].split()[-1].lower() not in ("the", "a", "an", "of", "for", *ADVERBS):
                    yield end

    def np_before(self, v_start: int, seg_start: int, para: int):
        lo = max(seg_start, v_start - 320)
        best = None
        for start, end, resolver, words in self.candidates(para, lo, v_start):
            gap = self.text[end:v_start]
            apposition = bool(re.search(r"\w,\s*$", self.text[lo:start]))
            if resolver[0] == "unnamed" and apposition:
                continue          # "Duval, a former prosecutor, told": the description is not the subject
            if not GAP_RE.fullmatch(gap) and not (
                    # "The judge, Andrés Peña, said": the name is itself the apposition
                    resolver[0] == "actor" and re.fullmatch(r"\s*,\s*", gap) and apposition):
                continue
            if best is None or end > best[1] or (end == best[1] and start < best[0]):
                best = (start, end, resolver, words)
        if best is None:
            return None
        if best[2][0] == "actor" and not self.speaks(best[2][1]):
            # "residents of Tecoluca said": the group before the place speaks; "Tecoluca said", "El Salvador
            # said": a place or a bare country does not speak, and no other rule may guess (unknown)
            for start, end, resolver, words in self.candidates(para, lo, best[0]):
                if resolver[0] in ("collective", "unnamed") and re.fullmatch(
                        r"\s+(?:of|in|from|at|near|outside|across|around)\s+(?:the\s+)?" + re.escape(best[3]),
                        self.text[end:best[1]]):
                    return start, best[1], self.resolve(resolver, para, start), self.text[start:best[1]]
        # "a spokesperson for the ACLU said", "a spokesman for the company, Westland Corrections, said": the
        # unnamed spokesperson speaks, not the organization
        best_actor = self.reg.actors.get(best[2][1]) if best[2][0] == "actor" else None
        if best_actor is not None and best_actor.type != "Person":
            for start, end, resolver, words in self.candidates(para, lo, v_start):
                if resolver[0] == "unnamed" and start < best[0] and (
                        end == best[1] or re.fullmatch(r"\s*,\s*", self.text[end:best[0]])):
                    best = (start, end, resolver, words)
        if any(end < best[0] and re.fullmatch(r"\s+and\s+(?:[A-Z][\w.'’-]*\s+){0,3}", self.text[end:best[0]])
               for start, end, resolver, words in self.candidates(para, lo, best[0])):
            # "Jane Doe and John Roe said": two speakers, and a statement has one (the curator decides)
            return best[0], best[1], None, best[3]
        speaker = self.resolve(best[2], para, best[0])
        return best[0], best[1], speaker, best[3]

    def sentence_subject(self, para: int, pos: int, seg_start: int):
        """The subject of the sentence holding pos, when it opens the sentence (after at most "On Monday, the"):
        (start, end, speaker, words), or None."""
        s_start = self.sentence_start(para, pos, seg_start)
        for start, end, resolver, words in sorted(self.candidates(para, s_start, pos), key=lambda c: (c[0], -c[1])):
            if MAIN_SUBJECT_OPENING_RE.fullmatch(self.text[s_start:start]):
                return start, end, self.resolve(resolver, para, start), words
            break
        return None

    def np_after(self, v_end: int, seg_end: int, para: int, allow_pronoun=True):
        hi = min(seg_end, v_end + 160)
        best = None
        for start, end, resolver, words in self.candidates(para, v_end, hi):
            if resolver[0] == "pronoun" and not allow_pronoun:
                continue
            gap = self.text[v_end:start]
            if resolver[0] == "actor" and DOCUMENT_BY_RE.fullmatch(gap):
                pass        # "according to a report by Human Rights Watch": who made it
            elif not re.fullmatch(r"\s+(?:(?:[A-Z][\w.'’&-]*|[a-z]+)\s+){0,4}", gap) or re.search(r"[,.;]", gap):
                continue
            elif gap.strip() and not all(self._title_like(w) for w in gap.split()) \
                    and not self._described_title(gap.split(), self.text[start:end].split()):
                continue
            if best is None or start < best[0] or (start == best[0] and end > best[1]):
                best = (start, end, resolver, words)
        if best is None:
            return None
        if any(start > best[1] and re.fullmatch(r"\s+and\s+(?:[A-Z][\w.'’-]*\s+){0,3}", self.text[best[1]:start])
               for start, end, resolver, words in self.candidates(para, best[1], hi)):
            return best[0], best[1], None, best[3]      # "said Jane Doe and John Roe": two speakers
        return best[0], best[1], self.resolve(best[2], para, best[0]), best[3]

    @staticmethod
    def _described_title(gap: list[str], phrase: list[str]) -> bool:
        """"said prison director Osiris Luna", "said immigration judge Ana Reyes": one or two lower-case words that
        say what the title is of, before a title (the last of them, or the first word of the speaker's phrase)."""
        def is_title(word: str) -> bool:
            return word.lower().rstrip(".") in TITLE_WORDS

        if is_title(gap[-1]):
            words = gap[:-1]
        elif phrase and is_title(phrase[0]):
            words = gap
        else:
            return False
        return (len(words) <= 2
                and all(re.fullmatch(r"[a-z]+", w) and w not in ("the", "a", "an", "and", "or", "but", "to", "that")
                        for w in words))

    @staticmethod
    def _title_like(word: str) -> bool:
        low = word.lower().rstrip(".")
        return word[:1].isupper() or low in TITLE_WORDS or low in ("former", "acting", "deputy", "senior", "top",
                                                                   "the", "of", "u.s", "district", "federal")

    # -- resolving a noun phrase to an actor ---------------------------------------------------------------------
    def speaks(self, actor_id: str | None) -> bool:
        """Whether the actor can be a speaker: a person, an organization, a government, a group, an unnamed
        person. A place or facility never speaks, and a country speaks only as its government ("El Salvador's
        government said", an actor of its own), never by its bare name ("El Salvador said" is unknown)."""
        actor = self.reg.actors.get(actor_id) if actor_id else None
        return actor is not None and not actor.place and actor.type not in NON_SPEAKERS

    def resolve(self, resolver, para: int, pos: int) -> str | None:
        kind, value = resolver
        if kind == "actor":
            return value if self.speaks(value) else None
        if kind == "pronoun":
            if value in ("he", "she"):
                return self.resolve_pronoun(para, pos, "m" if value == "he" else "f")
            return None
        if kind == "title":
            return self.resolve_title(value, para, pos)
        if kind == "collective":
            return self.collective(value)
        if kind == "unnamed":
            return self.unnamed(value)
        return None

    def is_subject(self, mention) -> bool:
        key = id(mention)
        if key in self.subject_cache:
            return self.subject_cache[key]
        text = self.text
        before = text[max(0, mention.phrase_start - 30):mention.phrase_start].split()
        previous = before[-1].lower().strip(",;:") if before else ""
        after = text[mention.end:mention.end + 220]
        result = previous not in PREPOSITIONS and bool(VERBISH.match(after)) and not text[mention.end:mention.end + 2] in ("'s", "’s")
        self.subject_cache[key] = result
        return result

    def people(self, para: int, before: float = float("inf"), exclude: str | None = None):
        """The persons named in the paragraph's narrative before a position: {actor id: whether one of those
        mentions is the subject of a verb}. Each person's first mention and first mention as a subject are
        indexed once per paragraph, so a paragraph of many quotations is not read again for each pronoun."""
        if para not in self.people_index:
            first: dict[str, int] = {}
            first_subject: dict[str, int] = {}
            for mention in self.mentions_by_para.get(para, []):
                actor = self.reg.actors.get(mention.actor)
                if mention.in_quote or actor is None or actor.type != "Person":
                    continue
                first.setdefault(mention.actor, mention.start)
                if mention.actor not in first_subject and self.is_subject(mention):
                    first_subject[mention.actor] = mention.start
            self.people_index[para] = (first, first_subject)
        first, first_subject = self.people_index[para]
        return {actor: first_subject.get(actor, before) < before for actor, at in first.items()
                if at < before and actor != exclude}

    def resolve_pronoun(self, para: int, pos: int, gender: str, exclude: str | None = None) -> str | None:
        """He or she: the person the sentence or paragraph is about (of that gender when known)."""
        candidates = self.people(para, pos, exclude)
        if candidates and any(self.reg.actors[actor].gender in (None, gender) for actor in candidates):
            return self._choose(candidates, gender)
        for back in (1, 2):
            previous = para - back
            if previous < 0:
                break
            candidates = self.people(previous, exclude=exclude)
            if candidates:
                return self._choose(candidates, gender)
            if self.by_para.get(previous) and not self.is_heading(previous):
                # a paragraph of quotations without any person named: look no further, but for the person its last
                # quotation gave ('"...," he said.', then '"...," he added.')
                last = self.by_para[previous][-1].speaker
                actor = self.reg.actors.get(last) if last else None
                if actor is not None and actor.type == "Person" and actor.gender in (None, gender) and last != exclude:
                    return last
                break
        return None

    def _choose(self, people: dict[str, bool], gender: str) -> str | None:
        distinct = [actor for actor in people if self.reg.actors[actor].gender in (None, gender)]
        if not distinct:
            return None
        if len(distinct) == 1:
            self._learn(distinct[0], gender)
            return distinct[0]
        subjects = [actor for actor in distinct if people[actor]]
        if len(subjects) == 1:
            self._learn(subjects[0], gender)
            return subjects[0]
        # several people fit: the gendered ones that fit exactly beat the ones whose gender is unknown
        exact = [a for a in (subjects or distinct) if self.reg.actors[a].gender == gender]
        if len(exact) == 1:
            return exact[0]
        return None

    def _learn(self, actor_id: str, gender: str):
        actor = self.reg.actors[actor_id]
        if actor.gender is None:
            actor.gender = gender

    def resolve_title(self, words: str, para: int, pos: int) -> str | None:
        words = " ".join(w for w in words.split() if w not in ("former", "then", "top", "new"))
        head = words.split()[-1]
        if re.fullmatch(DOCUMENT_NOUNS, head):
            return self.document_maker(head, para, pos)
        if re.fullmatch(ORG_NOUNS, head):
            return self.resolve_org_noun(head, para, pos)
        matches = []
        for actor in self.reg.actors.values():
            if actor.type != "Person":
                continue
            for title in actor.titles + ([actor.post[1].lower()] if actor.post else []):
                t_words = title.replace(",", "").split()
                t_head = t_words[t_words.index("of") - 1] if "of" in t_words else t_words[-1]
                if title == words or title.endswith(" " + words) or (words == t_head) or (
                        len(words.split()) > 1 and words.split()[-1] == t_head and words in title):
                    matches.append(actor.id)
                    break
        matches = list(dict.fromkeys(matches))
        if len(matches) == 1:
            actor_id = matches[0]
        elif matches:
            actor_id = self._most_recent(matches, para, pos)
        elif words == "official":
            # "Noem observed the inmates. '...,' said the official": the one person the paragraph has named so far
            # (any official; with two or more in view, unknown)
            named = self.people(para, pos)
            return next(iter(named)) if len(named) == 1 else None
        else:
            return None
        if actor_id:
            self.reg.actors[actor_id].add_alias("the " + words)
        return actor_id

    def actor_starts(self, para: int) -> tuple[dict[str, list[int]], dict[str, int]]:
        """({actor id: the starts of its mentions}, {actor id: its first mention outside quotations}) in para."""
        if para not in self.actor_index:
            starts: dict[str, list[int]] = {}
            narrative: dict[str, int] = {}
            for mention in self.mentions_by_para.get(para, []):
                starts.setdefault(mention.actor, []).append(mention.start)
                if not mention.in_quote:
                    narrative.setdefault(mention.actor, mention.start)
            self.actor_index[para] = (starts, narrative)
        return self.actor_index[para]

    def last_mentions(self, para: int, back: int, pos: int) -> dict[str, int]:
        """{actor id: where it was last mentioned before pos}, in this paragraph and the `back` before it (in
        quotations too), from each paragraph's per-actor index."""
        found: dict[str, int] = {}
        for number in range(max(0, para - back), para + 1):
            for actor, starts in self.actor_starts(number)[0].items():
                index = bisect.bisect_left(starts, pos)
                if index:
                    found[actor] = max(found.get(actor, -1), starts[index - 1])
        return found

    def _most_recent(self, actor_ids, para: int, pos: int) -> str | None:
        last = self.last_mentions(para, 2, pos)
        found = [(last[actor], actor) for actor in dict.fromkeys(actor_ids) if actor in last]
        return max(found)[1] if found else None

    def document_maker(self, noun: str, para: int, pos: int) -> str | None:
        """"The Department of Homeland Security said in a statement that it would appeal. '...,' the statement
        said": whoever made the document (the statement, the order, the report ...) last spoken of before pos, in
        this paragraph or the one before: "X said in a statement", "X issued the order", "In a statement, X said",
        "a report by X"; X the subject of its sentence (after at most "On Friday, the") and right by the words, or
        before an apposition ("X, the agency's head, said in a statement"). Else None: unknown, never guessed."""
        same = {"suit": "lawsuit"}
        for number in (para, para - 1):
            if number < 0:
                break
            p_start, p_end = self.paragraphs[number]
            made = []
            for match in DOCUMENT_MADE_RE.finditer(self.text, p_start, min(pos, p_end)):
                document = next(match.group(g) for g in ("lead_doc", "in_doc", "made_doc", "by_doc") if match.group(g))
                if not self.in_quote(match.start()) and same.get(document, document) == same.get(noun, noun):
                    made.append(match)
            if not made:
                continue
            match = made[-1]
            mentions = [m for m in self.mentions_by_para.get(number, []) if not m.in_quote and self.speaks(m.actor)]
            if match.group("lead") or match.group("by"):
                end = self.sentence_end(match.end(), p_end)
                after = [m for m in mentions if match.end() <= m.phrase_start < end
                         and re.fullmatch(r"\s*(?:the\s+)?", self.text[match.end():m.phrase_start])]
                return after[0].actor if after else None
            before = [m for m in mentions if m.end <= match.start()
                      and re.fullmatch(r"\s*(?:,[^,.;\"“”]{1,80},\s*)?", self.text[m.end:match.start()])]
            if not before:
                return None
            # the subject of its sentence, not what it is of or about: "An attorney for John Roe said in a
            # statement", "The company that represents Jane Doe issued a statement"
            subject = before[-1]
            opening = self.text[self.sentence_start(number, subject.phrase_start, p_start):subject.phrase_start]
            return subject.actor if SUBJECT_OPENING_RE.fullmatch(opening) else None
        return None

    def resolve_org_noun(self, noun: str, para: int, pos: int) -> str | None:
        if noun == "administration":
            governments = [a.id for a in self.reg.actors.values() if a.type == "Government"]
            return governments[0] if len(governments) == 1 else None
        found = []
        for actor_id, at in self.last_mentions(para, 3, pos).items():
            actor = self.reg.actors[actor_id]
            if actor.type not in ("Organization", "Government"):
                continue
            if noun in ("group", "organization", "organisation") or noun in actor.name.lower():
                found.append((at, actor_id))
        if not found and noun in ("agency", "group", "organization", "organisation"):
            # "ICE said ... In a statement, the agency said": the one organization just mentioned. Only for a noun
            # any organization may go by: "the department" is not the Associated Press of the byline before it,
            # and a news outlet is not "the agency" of a story it publishes
            for number in (para, para - 1):
                recent = {actor for actor, at in self.actor_starts(number)[1].items()
                          if at < pos and self.reg.actors[actor].type == "Organization"
                          and known_publisher(self.reg.actors[actor].name) is None}
                if len(recent) == 1:
                    return recent.pop()
                if recent:
                    break
        return max(found)[1] if found else None

    def unnamed(self, words: str) -> str:
        """An actor the text describes without naming: "a spokesperson for the governor's office"."""
        name = " ".join(words.split())
        if name.split()[0] in ("A", "An", "One", "Another", "The"):     # not "Abrego Garcia's lawyer"
            name = name[0].lower() + name[1:]
        for actor in self.reg.actors.values():
            if actor.type == "UnnamedActor" and actor.name == name:
                return actor.id
        actor_id = f"{kebab(re.sub(r'^(?:an?|one|another) ', '', name))}-{self.slug}"[:120].rstrip("-")
        self.reg.add(Actor(actor_id, "UnnamedActor", name))
        return actor_id

    def collective(self, words: str) -> str:
        name = words[0].lower() + words[1:] if not words.split()[0] in ("Democrats", "Republicans") and not \
            re.match(r"[A-Z][a-z]+an\b|U\.S\.", words) else words
        actor_id = f"{kebab(name)}-{self.slug}"[:120].rstrip("-")
        for actor in self.reg.actors.values():
            if actor.type == "CollectiveActor" and actor.name == name:
                return actor.id
        self.reg.add(Actor(actor_id, "CollectiveActor", name))
        return actor_id

    # -- the rules ------------------------------------------------------------------------------------------------
    def sentence_start(self, para: int, pos: int, floor: int) -> int:
        """Where the sentence holding pos begins (not before floor): after the last break between them whose
        look-ahead (the space and the capital after it) is read before pos + 2."""
        limit = min(len(self.text), pos + 2)
        index = bisect.bisect_left(self.break_starts, pos) - 1
        while index >= 0 and self.breaks[index][0] >= floor:
            _, end, seen = self.breaks[index]
            if end <= pos and seen <= limit:
                return end
            index -= 1
        return floor

    def sentence_end(self, pos: int, ceiling: int) -> int:
        """The end of the first break from pos whose look-ahead is read before ceiling; else ceiling."""
        index = bisect.bisect_left(self.break_starts, pos)
        if index < len(self.breaks):
            start, end, seen = self.breaks[index]
            if start < ceiling and seen <= ceiling:
                return end
        return ceiling

    def attribute(self):
        for para in sorted(self.by_para):
            quotes = self.by_para[para]
            records = self.para_records(para)
            p_start, p_end = self.paragraphs[para]
            for index, quote in enumerate(quotes):
                previous = quotes[index - 1] if index else None
                nxt = quotes[index + 1] if index + 1 < len(quotes) else None
                floor = previous.close_mark + 1 if previous and previous.close_mark is not None else p_start
                ceiling = nxt.open_mark if nxt else p_end
                after = quote.close_mark + 1 if quote.close_mark is not None else p_end
                record = None
                # 1. right after the quotation
                first_word = re.match(r"[\s,]*", self.text[after:ceiling]).end() + after
                inner_end = self.text[quote.start:quote.end].rstrip("'’\"”)")[-1:]
                next_word = self.text[first_word:first_word + 12]
                new_sentence = (inner_end == "." and next_word[:1].isupper()) or (
                    inner_end in "?!" and re.match(r"(?:He|She|They|It|I|We)\b", next_word))
                if first_word < ceiling and not new_sentence:
                    for rec in self.records_in(para, first_word, first_word + 1):
                        record, how = rec, "after the quotation"
                        break
                # 2. earlier in the same sentence
                if record is None:
                    s_start = self.sentence_start(para, quote.open_mark, floor)
                    candidates = [r for r in self.records_in(para, s_start, quote.open_mark + 1)
                                  if r.last <= quote.open_mark and r.resolved and r.speaker
                                  and not self.embedded(r, quote.open_mark)]
                    if candidates:
                        record, how = candidates[-1], "earlier in the sentence"
                    elif previous is not None and self._same_reported_sentence(para, previous, quote, floor):
                        # 'Leavitt said the judge should "contact" the president "because we ..."': the words of
                        # the quotation before it go on, with no one else said to speak between them
                        record, how = previous.record, "earlier in the sentence"
                    else:
                        for mention in self.mentions_in(para, floor, quote.open_mark):
                            if not mention.in_quote and \
                                    re.fullmatch(r"\s*:\s*", self.text[mention.end:quote.open_mark]):
                                speaker_words = self.text[mention.start:mention.end]
                                record = Record(mention.start, mention.end, ":", mention.start, mention.end,
                                                mention.actor if self.speaks(mention.actor) else None, True,
                                                f"{speaker_words}:")
                                how = "a colon after the name"
                # 3. later in the same sentence, when the quotation does not end it
                if record is None and not re.search(r"[.!?…]['’]?$", self.text[quote.start:quote.end]):
                    s_end = self.sentence_end(after, ceiling)
                    for rec in self.records_in(para, after, s_end):
                        if rec.resolved:
                            record, how = rec, "later in the sentence"
                            break
                if record is not None and previous is not None and record is getattr(previous, "record", None):
                    quote.inherited_from = previous.index   # "A," he said, "B": one utterance
                if record is not None:
                    quote.speaker = record.speaker
                    quote.explicit_unknown = record.speaker is None
                    quote.how = f"{how}: {record.how}" if record.speaker else f"{how}: {record.how} (not resolved)"
                    quote.audience = list(record.audience)
                    quote.said = self._date_near(record, para)
                    quote.record = record
                else:
                    quote.record = None
            self.inherit(para, quotes)
        self.chains_and_colons()
        self.continuations()
        self.nested()
        self.utterance_ids()

    def inherit(self, para: int, quotes: list[Quote]):
        """Rule 4: a quotation with no attribution of its own after one whose attribution is all that separates."""
        for index in range(1, len(quotes)):
            quote, previous = quotes[index], quotes[index - 1]
            if getattr(quote, "record", None) is not None or previous.close_mark is None:
                continue
            between_start = previous.close_mark + 1
            between = self.text[between_start:quote.open_mark]
            prev_record = getattr(previous, "record", None)
            rest = between
            if prev_record is not None and between_start <= prev_record.first <= quote.open_mark:
                rest = self.text[prev_record.last:quote.open_mark]
                if self.text[between_start:prev_record.first].strip(" ,"):
                    continue
            elif between.strip(" ,.;:—–-") not in ("", "and", "or"):   # 'X called it "A" and "B"'
                continue
            # what follows the attribution must be the tail of its own sentence, not a new sentence
            rest_start = quote.open_mark - len(rest)
            if re.search(r"[.!?]\s+\S", rest.rstrip()) or self.speech_with_subject(para, rest_start, quote.open_mark):
                continue
            if previous.speaker is None and not previous.explicit_unknown:
                continue
            quote.speaker = previous.speaker
            quote.explicit_unknown = previous.explicit_unknown
            quote.how = "the attribution of the quotation before it (split quotation)"
            quote.said = previous.said
            quote.audience = list(previous.audience)
            quote.inherited_from = previous.index
            quote.record = previous.record if hasattr(previous, "record") else None

    def _same_reported_sentence(self, para: int, previous: Quote, quote: Quote, floor: int) -> bool:
        """Whether the quotation before this one, in the same sentence, was said by a verb earlier in it that this
        one may share: nobody else is said to speak between them, nor does a clause of its own open."""
        record = getattr(previous, "record", None)
        if record is None or not record.resolved or not record.speaker or record.last > previous.open_mark:
            return False
        if not (previous.how or "").startswith("earlier in the sentence"):
            return False
        if self.sentence_start(para, quote.open_mark, self.paragraphs[para][0]) > record.first:
            return False
        return not self.speech_with_subject(para, floor, quote.open_mark) and not self.embedded(record, quote.open_mark)

    def embedded(self, record: Record, open_mark: int) -> bool:
        """Whether the quotation sits in a clause of its own after a verb that need not be speech: "Judge Boasberg
        denied an emergency request from lawyers ... seeking to block 'imminent' deportations" (the lawyers' word,
        not the judge's). A verb that is only speech ("said", "told") keeps it; so do "called the plan 'cruel'"
        and "denied that it was 'a deal'"."""
        if record.verb not in WEAK_SPEECH_VERBS:
            return False
        gap = self.text[record.verb_end:open_mark]
        # (not any "-ing" word: "called the ruling 'a disgrace'")
        return bool(re.search(r"\b(?:to\s+[a-z]+|which|who|whom|whose|from|by|for|with)\b", gap)) \
            and not re.match(r"\s+that\b", gap)

    def speech_with_subject(self, para: int, lo: int, hi: int) -> bool:
        """Whether someone is said to speak between lo and hi (a new attribution, not "when asked")."""
        return any(r.last <= hi and r.resolved for r in self.records_in(para, lo, hi + 1))

    def chains_and_colons(self):
        chains: dict[int, list[Quote]] = {}
        for quote in self.top:
            if quote.chain is not None:
                chains.setdefault(quote.chain, []).append(quote)
        for pieces in chains.values():
            speakers = [q for q in pieces if getattr(q, "record", None) is not None]
            if not speakers:
                continue
            source = speakers[0]
            for piece in pieces:
                if piece is source:
                    continue
                if getattr(piece, "record", None) is None:
                    piece.speaker = source.speaker
                    piece.explicit_unknown = source.explicit_unknown
                    piece.how = "the attribution of the quotation it continues (multi-paragraph quotation)"
                    piece.said = source.said
                    piece.audience = list(source.audience)
                    piece.inherited_from = source.index
        # "X said:" at the end of a paragraph, then a paragraph that opens with a quotation
        for para, quotes in self.by_para.items():
            first = quotes[0]
            if para == 0 or getattr(first, "record", None) is not None or first.speaker or first.chain:
                continue
            p_start = self.paragraphs[para][0]
            if self.text[p_start:first.open_mark].strip():
                continue
            prev_start, prev_end = self.paragraphs[para - 1]
            prev_text = self.text[prev_start:prev_end].rstrip()
            if not prev_text.endswith(":"):
                continue
            records = [r for r in self.para_records(para - 1) if r.resolved]
            if records and records[-1].speaker and not self.in_quote(records[-1].first):
                tail = self.text[records[-1].last:prev_start + len(prev_text)]
                if not re.search(r"[.!?]\s", tail):
                    self._assign_run(para, records[-1], "a colon at the end of the paragraph before")

    def _assign_run(self, para: int, record: Record, how: str):
        for index, quote in enumerate(self.by_para[para]):
            if index and not (self.text[self.by_para[para][index - 1].close_mark + 1:quote.open_mark].strip() == ""):
                break
            if getattr(quote, "record", None) is None and quote.speaker is None:
                quote.speaker = record.speaker
                quote.how = how + f": {record.how}"
                quote.record = record

    def continuations(self):
        """Rule 5: a paragraph that is nothing but quotation, after a paragraph ending with a quote and its speaker."""
        for para, quotes in sorted(self.by_para.items()):
            if para == 0 or any(getattr(q, "record", None) is not None or q.speaker or q.explicit_unknown
                                for q in quotes):
                continue
            if any(q.chain for q in quotes):
                continue
            if any(seg for seg in self.outside_segments(para) if self.text[seg[0]:seg[1]].strip(" \"“”,.;:—–-")):
                continue
            previous = self.by_para.get(para - 1)
            if not previous:
                continue
            last = previous[-1]
            if last.speaker is None or last.close_mark is None:
                continue
            prev_end = self.paragraphs[para - 1][1]
            tail = self.text[last.close_mark + 1:prev_end]
            record = getattr(last, "record", None)
            if record is not None and record.first >= last.close_mark:
                tail = self.text[record.last:prev_end]
            elif tail.strip(" .,"):
                continue
            tail_start = prev_end - len(tail)
            if re.search(r"[.!?]\s+\S", tail.strip()) or self.speech_with_subject(para - 1, tail_start, prev_end):
                continue
            for quote in quotes:
                quote.speaker = last.speaker
                quote.how = "the speaker of the paragraph before, who goes on (no new attribution)"
                quote.record = None

    def nested(self):
        """A quotation inside a quotation: its own speaker from the words before it, inside the outer one."""
        for quote in self.quotes:
            if quote.within is None:
                continue
            outer = self.quotes[quote.within]
            inner_text = self.text[outer.start:quote.open_mark]
            sentence = re.split(r"(?<=[.!?])\s+", inner_text)[-1]
            verb = None
            for match in re.finditer(r"\b(saying|said|say|says|told (?:me|us|him|her|them)|telling \w+|asked|"
                                     r"wrote|writing|replied|called it|calling it)\b", sentence):
                verb = match
            if verb is None:
                quote.how = "nested quotation without a speaker of its own"
                continue
            before_verb = sentence[:verb.start()]
            speaker = None
            pronoun = re.search(r"\b(I|[Hh]e|[Ss]he)\s+(?:\w+\s+){0,3}$", before_verb)
            if pronoun and pronoun.group(1) == "I":
                speaker, how = outer.speaker, "nested: I said, in the speaker's own words"
            elif pronoun:
                gender = "m" if pronoun.group(1).lower() == "he" else "f"
                speaker = self.resolve_pronoun(quote.para, outer.open_mark, gender, exclude=outer.speaker)
                how = f"nested: {pronoun.group(1).lower()} {verb.group()} (the person the paragraph is about)"
            else:
                collective = list(COLLECTIVE_RE.finditer(before_verb))
                names = []
                base = outer.start
                for mention in self.mentions_in(quote.para, base + len(inner_text) - len(sentence), quote.open_mark):
                    if base <= mention.start and mention.end <= base + len(inner_text) - len(sentence) + verb.start():
                        names.append(mention)
                if names and not self.speaks(names[-1].actor):
                    quote.speaker, quote.how = None, "nested: the words before it name a place, not a speaker"
                    quote.said = None
                    continue
                if names:
                    speaker, how = names[-1].actor, f"nested: {self.text[names[-1].start:names[-1].end]} {verb.group()}"
                elif len(collective) == 1:
                    words = collective[0].group(1)
                    if words.split()[0] in ("The", "the", "Those", "those", "These", "these"):
                        words = " ".join(words.split()[1:])
                    speaker, how = self.collective(words), f"nested: {collective[0].group(1)} ... {verb.group()}"
                else:
                    how = "nested quotation: speaker not found"
            quote.speaker = speaker
            quote.how = how
            quote.said = None

    def utterance_ids(self):
        groups: dict[int, list[Quote]] = {}
        for index, quote in enumerate(self.quotes):
            root = index
            while self.quotes[root].inherited_from is not None:
                root = self.quotes[root].inherited_from
            if root != index:
                groups.setdefault(root, [self.quotes[root]]).append(quote)
        for root in sorted(groups):
            self.utterances += 1
            for quote in groups[root]:
                quote.utterance = f"u{self.utterances:02d}"

    def _date_near(self, record: Record, para: int) -> tuple[str, str] | None:
        p_start, p_end = self.paragraphs[para]
        lo = self.sentence_start(para, record.first, p_start)
        hi = self.sentence_end(record.last, p_end)
        # a sentence that ends inside its closing mark ('... establishment." Meanwhile, X called ...') ends there
        # too: the date of the sentence before is not this one's
        for end in QUOTED_SENTENCE_END.finditer(self.text, lo, record.first):
            lo = end.end()
        after = QUOTED_SENTENCE_END.search(self.text, record.last, hi)
        if after:
            hi = after.start() + 1
        best = None
        for match in DATE_PHRASE_RE.finditer(self.text, lo, hi):
            if self.in_quote(match.start()):
                continue
            distance = min(abs(match.start() - record.last), abs(record.first - match.end()))
            if best is None or distance < best[0]:
                best = (distance, match.group())
        return (best[1], "") if best else None


__all__ = ["Quote", "Record", "find_quotes", "Attributor"]
