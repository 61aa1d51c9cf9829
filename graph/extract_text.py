"""Read an article file (plain text, Markdown or HTML) and clean it into the article alone.

The result keeps what docs/design.md asks of article.txt: headline, date line, byline, image caption and credit,
and the body, paragraphs separated by one blank line, no markup and no site furniture (navigation, footers, share
links, related-story teasers, newsletter prompts). Topic tags at the end of a page become tags. Every removal is
recorded as a short note for the annotation's `cleaning:` list.

Everything here is linear in the size of the input: simple regular expressions without nested repetition, one
pass of the standard library's HTML parser, and a few passes over the list of blocks.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError

MAX_INPUT_BYTES = 20_000_000     # read at most this much; a news page is well below it
MAX_TEXT_CHARS = 500_000         # the cleaned article: a long news story is 30,000; more is not one article

# ----------------------------------------------------------------------------------------------------------------
# Reading and decoding
# ----------------------------------------------------------------------------------------------------------------

_MAGIC = [
    (b"%PDF", "a PDF document: extract its text first (e.g. `pdftotext FILE out.txt`)"),
    (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.odt document: save it as text or HTML first)"),
    (b"\x1f\x8b", "a gzip-compressed file: decompress it first"), (b"\x7fELF", "a program (ELF binary)"),
    (b"{\\rtf", "an RTF document: save it as text or HTML first"),
    (b"\xd0\xcf\x11\xe0", "an old Office document: save it as text or HTML first"),
]
_BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with a byte-order mark"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32 (little-endian, with a byte-order mark)"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32 (big-endian, with a byte-order mark)"),
    (b"\xff\xfe", "utf-16", "UTF-16 (little-endian, with a byte-order mark)"),
    (b"\xfe\xff", "utf-16", "UTF-16 (big-endian, with a byte-order mark)"),
]
_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)


def read_source(path: Path) -> tuple[str, str | None]:
    """The file's text and, when it was not plain UTF-8, a note saying how it was decoded.

    Raises InputError for a missing, empty, binary or oversized file.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the article file (text, Markdown or HTML)")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: the file is larger than {MAX_INPUT_BYTES:,} bytes; that is not one news article")
    if not raw.strip(b" \t\r\n\x00\x0b\x0c"):
        raise InputError(f"{path}: the file is empty: there is no article to extract")
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise InputError(f"{path}: this is {what}, not an article in text, Markdown or HTML")
    for bom, codec, what in _BOMS:
        if raw.startswith(bom):
            try:
                return _check_text(path, raw.decode(codec)), f"decoded from {what}"
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: starts with a {what} byte-order mark but is not valid {codec} "
                                 f"(byte {exc.start}); save it as UTF-8") from None
    head = raw[:65536]
    if b"\x00" in head:
        guess = _utf16_without_bom(head)
        if guess:
            try:
                return _check_text(path, raw.decode(guess)), f"decoded from {guess.upper()} (no byte-order mark)"
            except UnicodeDecodeError:
                pass
        raise InputError(f"{path}: this is a binary file (it holds NUL bytes), not an article in text, Markdown or HTML")
    try:
        return _check_text(path, raw.decode("utf-8")), None
    except UnicodeDecodeError:
        pass
    declared = _CHARSET_RE.search(raw[:4096])
    if declared:
        codec = declared.group(1).decode("ascii", "replace").lower()
        try:
            return _check_text(path, raw.decode(codec)), f"decoded as {codec} (the charset the page declares)"
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        text = raw.decode("cp1252")
        note = "decoded as Windows-1252 (Latin-1): the file is not UTF-8"
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        note = "decoded as Latin-1: the file is not UTF-8"
    return _check_text(path, text), note


def _utf16_without_bom(head: bytes) -> str | None:
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = max(1, len(head) // 2)
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _check_text(path: Path, text: str) -> str:
    sample = text[:65536]
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    if controls > max(8, len(sample) // 100):
        raise InputError(f"{path}: this looks like a binary file ({controls} control characters in the first "
                         f"{len(sample):,}), not an article in text, Markdown or HTML")
    if not text.strip():
        raise InputError(f"{path}: the file is empty: there is no article to extract")
    return text


def source_kind(path: Path, text: str) -> str:
    """`html`, `markdown` or `text`, by the file name and then by what the text looks like."""
    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml", ".shtml"):
        return "html"
    head = text[:4000].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) or re.search(r"<(body|article|p|div|h1)[\s>]", head):
        return "html"
    if suffix in (".md", ".markdown", ".mdown"):
        return "markdown"
    return "text"


# ----------------------------------------------------------------------------------------------------------------
# Blocks: the common form of every input
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One paragraph-like unit of the page, its inline markup already removed."""

    text: str
    kind: str = "para"          # para | heading | item | caption | credit | byline | time | quote
    level: int = 0              # heading level, 1 = the biggest
    link_only: bool = False     # the block was nothing but links
    emphasis_only: bool = False  # the whole block was italic (Markdown *...* or <em>), as credits often are
    hint: str = ""              # what the page said the block is (an HTML class), for notes


@dataclass
class Cleaned:
    """The article alone and what the page said about it."""

    paragraphs: list[str]
    kind: str
    title: str | None = None
    date_line: str | None = None
    published: dt.datetime | dt.date | None = None
    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher_hint: str | None = None      # a publisher's name found in metadata, byline, dateline
    furniture_text: str = ""               # the removed text, where a publisher's name may show
    tags: list[str] = field(default_factory=list)
    caption: str | None = None
    credit: str | None = None
    url: str | None = None
    notes: list[str] = field(default_factory=list)
    dateline_place: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n"


_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


def squash(text: str) -> str:
    """One line of text: no control characters, single spaces."""
    text = _INVISIBLE.sub("", text)
    text = _CONTROLS.sub(" ", text.replace("\n", " "))
    return _SPACES.sub(" ", text).strip()


# ----------------------------------------------------------------------------------------------------------------
# Markdown and plain text
# ----------------------------------------------------------------------------------------------------------------

_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,500})\]\(([^)\n]{0,2000})\)")
_MD_LINK = re.compile(r"\[([^\]\n]{0,500})\]\(([^)\n]{0,2000})\)")
_MD_REF_LINK = re.compile(r"\[([^\]\n]{1,500})\]\[[^\]\n]{0,100}\]")
_MD_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^>\s]{1,2000}>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,500}>")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)([^\n]{0,2000}?\S)\1")
_MD_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{0,2000}?\S)\*(?![\w*])")
_MD_ITALIC_UNDER = re.compile(r"(?<![\w_])_(?=\S)([^_\n]{0,2000}?\S)_(?![\w_])")
_MD_CODE = re.compile(r"`([^`\n]{0,2000})`")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_MD_HR = re.compile(r"^[ \t]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_MD_LIST = re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+")
_MD_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
_MD_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]]{1,200}\]:[ \t]*\S+")
_SETEXT = re.compile(r"^[ \t]*(=+|-+)[ \t]*$")
_LINK_SEPARATORS = re.compile(r"[\s|·•,/>»–—-]*")


def _inline_markdown(text: str) -> tuple[str, bool, bool]:
    """Remove inline Markdown; say whether the text was only links, and whether it was all in emphasis."""
    stripped = text.strip()
    emphasis = bool(re.fullmatch(r"\*(?!\*)[^*]+\*|_(?!_)[^_]+_", stripped)) if len(stripped) < 2000 else False
    text = _MD_IMAGE.sub("", text)
    without_links = _MD_LINK.sub("", _MD_REF_LINK.sub("", text))
    without_links = _MD_BOLD.sub(r"\2", without_links)
    without_links = without_links.replace("*", "").replace("_", "")
    has_link = bool(_MD_LINK.search(text) or _MD_REF_LINK.search(text))
    link_only = has_link and not _LINK_SEPARATORS.sub("", without_links)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _MD_CODE.sub(r"\1", text)
    for _ in range(2):
        text = _MD_BOLD.sub(r"\2", text)
    text = _MD_ITALIC_STAR.sub(r"\1", text)
    text = _MD_ITALIC_UNDER.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _html_unescape(text)
    return squash(text), link_only, emphasis


def _html_unescape(text: str) -> str:
    if "&" not in text:
        return text
    import html

    return html.unescape(text)


_LINE_END = re.compile(r"[.!?…][\"”’')\]]*\s*$")


def _lines_are_paragraphs(lines: list[str]) -> bool:
    """Copy pasted from a web page often puts one paragraph per line with no blank line between: lines that each
    end a sentence and run long (over 100 characters on average) are paragraphs, not a hard-wrapped one."""
    lines = [line for line in lines if line.strip()]
    return len(lines) >= 2 and all(_LINE_END.search(line) for line in lines[:-1]) \
        and sum(len(line) for line in lines) / len(lines) > 100


def markdown_blocks(text: str) -> tuple[list[Block], list[str]]:
    """Split Markdown (or plain text, which is Markdown without markup) into blocks."""
    notes: list[str] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    removed_images = 0
    for chunk in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in chunk.split("\n") if not _MD_REF_DEF.match(line)]
        if not any(line.strip() for line in lines):
            continue
        # Headings and rules sit on their own line even without blank lines around them.
        pending: list[str] = []
        items: list[tuple[str, str, int]] = []   # (kind, text, level)

        def flush():
            if pending:
                if _lines_are_paragraphs(pending):
                    items.extend(("para", line, 0) for line in pending)
                else:
                    items.append(("para", "\n".join(pending), 0))
                pending.clear()

        for index, line in enumerate(lines):
            heading = _MD_HEADING.match(line)
            if heading:
                flush()
                items.append(("heading", heading.group(2), len(heading.group(1))))
            elif _MD_HR.match(line) and not (pending and line.strip().startswith("-") and _SETEXT.match(line)):
                flush()
                items.append(("hr", "", 0))
            elif _SETEXT.match(line) and pending and len(pending) == 1 and index > 0:
                items.append(("heading", pending[0], 1 if line.strip().startswith("=") else 2))
                pending.clear()
            elif _MD_LIST.match(line):
                flush()
                items.append(("item", _MD_LIST.sub("", line, count=1), 0))
            elif _MD_QUOTE.match(line):
                pending.append(_MD_QUOTE.sub("", line, count=1))
            elif items and items[-1][0] == "item" and not pending and line.startswith((" ", "\t")) and line.strip():
                kind, item_text, level = items.pop()
                items.append((kind, item_text + " " + line.strip(), level))
            else:
                pending.append(line)
        flush()
        for kind, raw, level in items:
            if kind == "hr":
                continue
            if _MD_IMAGE.search(raw) and not _MD_IMAGE.sub("", raw).strip():
                removed_images += 1
                continue
            clean, link_only, emphasis = _inline_markdown(raw)
            if not clean:
                continue
            blocks.append(Block(clean, kind=kind, level=level, link_only=link_only, emphasis_only=emphasis))
    if removed_images:
        notes.append(f"removed {removed_images} image(s) given as Markdown image markup")
    return blocks, notes


# ----------------------------------------------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "form",
              "button", "select", "textarea", "nav", "footer", "aside", "dialog", "menu", "video", "audio", "map"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "blockquote", "pre", "td", "th", "dt",
               "dd", "div", "section", "address", "caption", "article", "main", "header", "figure", "ul", "ol",
               "table", "tr", "body", "title", "dl", "center", "details", "summary"}
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|footer|share|sharing|social|newsletter|related|recirc|promo|"
    r"advert|advertisement|ad|ads|adslot|cookie|cookies|consent|subscribe|subscription|signup|sign-up|paywall|"
    r"sidebar|breadcrumb|breadcrumbs|comments?|most-popular|popular|trending|teaser|recommended|more-stories|"
    r"skip|skiplink|visually-hidden|sr-only|modal|banner|masthead|toolbar|print|donate|donation|author-bio|bio|"
    r"pullquote|pull-quote|pullout|pull)"
    r"(?:$|[\s_-])", re.I)
_TAGS_CLASS = re.compile(r"(?:^|[\s_-])(?:tags?|topics?|keywords?|categories|tag-list|taglist)(?:$|[\s_-])", re.I)
_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|attribution", re.I)
_BYLINE_CLASS = re.compile(r"byline|author", re.I)
_SKIP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert", "menu", "menubar"}


class _HTMLBlocks(HTMLParser):
    """One pass over the page: blocks of text, and the page's metadata."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str]] = []   # (tag, skipping, role hint)
        self.skip_depth = 0
        self.blocks: list[tuple[Block, bool, bool]] = []   # (block, in <article>, in <main>)
        self.buffer: list[str] = []
        self.meta: dict[str, str] = {}
        self.meta_tags: list[str] = []
        self.page_tags: list[str] = []
        self.title_parts: list[str] = []
        self.jsonld: list[str] = []
        self.in_jsonld = False
        self.times: list[str] = []
        self.skipped_counts: dict[str, int] = {}
        self.skipped_text: list[str] = []
        self.article_depth = 0
        self.main_depth = 0
        self.tag_depth = 0
        self.tag_buffer: list[str] = []
        self.em_depth = 0
        self.em_chars = 0
        self.plain_chars = 0
        self.link_chars = 0
        self._plain: list[str] = []      # text outside links in the current block
        self.canonical: str | None = None

    # -- helpers ----------------------------------------------------------------------------------------------
    def _current_kind(self) -> tuple[str, int, str]:
        for tag, _skip, hint in reversed(self.stack):
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                return "heading", int(tag[1]), hint
            if tag == "figcaption" or re.search(r"caption", hint, re.I):
                return ("credit" if _CREDIT_CLASS.search(hint) else "caption"), 0, hint
            if _CREDIT_CLASS.search(hint):
                return "credit", 0, hint
            if _BYLINE_CLASS.search(hint) and tag not in ("article", "main", "body", "section"):
                return "byline", 0, hint
            if tag == "li":
                return "item", 0, hint
            if tag == "blockquote":
                return "quote", 0, hint
            if tag in ("p", "div", "td", "dd", "section", "article", "main", "body"):
                break
        return "para", 0, ""

    def flush(self):
        if not self.buffer:
            return
        text = squash("".join(self.buffer))
        if text:
            kind, level, hint = self._current_kind()
            link_only = self.link_chars > 0 and not _LINK_SEPARATORS.sub("", "".join(self._plain)).strip()
            emphasis = self.em_chars > 0 and self.plain_chars == 0
            self.blocks.append((Block(text, kind, level, link_only, emphasis, hint),
                                self.article_depth > 0, self.main_depth > 0))
        self.buffer = []
        self._plain = []
        self.link_chars = self.em_chars = self.plain_chars = 0

    def _hint(self, attrs) -> str:
        values = []
        for key, value in attrs:
            if key in ("class", "id", "itemprop", "data-testid", "rel") and value:
                values.append(value)
        return " ".join(values)

    def _skipping_element(self, tag: str, attrs) -> bool:
        if tag in _SKIP_TAGS:
            return True
        attr = dict(attrs)
        if (attr.get("role") or "").lower() in _SKIP_ROLES:
            return True
        if "hidden" in attr or (attr.get("aria-hidden") or "").lower() == "true":
            return True
        if tag == "header" and self.article_depth == 0 and self.main_depth == 0:
            return False
        hint = " ".join(v for k, v in attrs if k in ("class", "id") and v)
        if hint and _FURNITURE_CLASS.search(hint) and tag not in ("body", "html", "main", "article"):
            return True
        return False

    # -- parser callbacks -------------------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        attr = dict(attrs)
        if tag == "meta":
            key = (attr.get("property") or attr.get("name") or attr.get("itemprop") or "").lower()
            content = attr.get("content")
            if key and content:
                if key in ("article:tag", "keywords", "news_keywords"):
                    self.meta_tags.extend(part.strip() for part in content.split(",") if part.strip())
                else:
                    self.meta.setdefault(key, content)
            return
        if tag == "link":
            if (attr.get("rel") or "").lower() == "canonical" and attr.get("href"):
                self.canonical = attr["href"]
            return
        if tag == "br":
            if not self.skip_depth:
                self.buffer.append(" ")
            return
        if tag in _VOID:
            return
        if tag == "script" and (attr.get("type") or "").lower() == "application/ld+json":
            self.in_jsonld = True
        if tag == "time" and attr.get("datetime") and not self.skip_depth:
            self.times.append(attr["datetime"])
        if tag in ("p", "li") and self.stack and self.stack[-1][0] == tag:
            self.handle_endtag(tag)
        skipping = self.skip_depth > 0 or self._skipping_element(tag, attrs)
        hint = self._hint(attrs)
        if skipping and not self.skip_depth:
            name = tag if tag in _SKIP_TAGS else (_FURNITURE_CLASS.search(hint).group(0).strip(" _-").lower()
                                                   if _FURNITURE_CLASS.search(hint) else tag)
            self.skipped_counts[name] = self.skipped_counts.get(name, 0) + 1
            if tag in _BLOCK_TAGS or tag not in _SKIP_TAGS:
                self.flush()
        inline_block = not skipping and tag not in _BLOCK_TAGS and bool(_CREDIT_CLASS.search(hint))
        if (tag in _BLOCK_TAGS or inline_block) and not skipping:
            self.flush()
        if not skipping and _TAGS_CLASS.search(hint) and tag in ("ul", "ol", "div", "section", "p", "nav", "span"):
            self.tag_depth += 1
        self.stack.append((tag, skipping, hint))
        if skipping:
            self.skip_depth += 1
        if tag == "article":
            self.article_depth += 1
        if tag == "main":
            self.main_depth += 1
        if tag in ("em", "i") and not skipping:
            self.em_depth += 1
        if tag == "title":
            self.title_parts = []

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag in _VOID:
            return
        if not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            open_tag, skipping, hint = self.stack.pop()
            if skipping:
                self.skip_depth -= 1
            if open_tag == "article":
                self.article_depth -= 1
            if open_tag == "main":
                self.main_depth -= 1
            if open_tag in ("em", "i") and not skipping:
                self.em_depth -= 1
            if open_tag == "script":
                self.in_jsonld = False
            if not skipping and _TAGS_CLASS.search(hint) and open_tag in ("ul", "ol", "div", "section", "p", "nav",
                                                                              "span"):
                self.tag_depth -= 1
                if self.tag_depth == 0:
                    self._flush_tags()
            if (open_tag in _BLOCK_TAGS or _CREDIT_CLASS.search(hint)) and not skipping:
                if self.tag_depth:
                    self._flush_tag_item()
                else:
                    # The block ends here: flush while it is still on the stack, so its kind is known.
                    self.stack.append((open_tag, skipping, hint))
                    self.flush()
                    self.stack.pop()
            if open_tag == tag:
                break

    def _flush_tag_item(self):
        text = squash("".join(self.buffer))
        if text:
            self.tag_buffer.append(text)
        self.buffer = []
        self._plain = []

    def _flush_tags(self):
        self._flush_tag_item()
        for text in self.tag_buffer:
            for part in re.split(r"\s*[,;|·•]\s*", text):
                part = re.sub(r"^(?:tags?|topics?|filed under|more on)\s*:\s*", "", part, flags=re.I).strip()
                if part and len(part) <= 60:
                    self.page_tags.append(part)
        self.tag_buffer = []

    def handle_data(self, data):
        if self.in_jsonld:
            if sum(len(x) for x in self.jsonld) < 500_000:
                self.jsonld.append(data)
            return
        if self.stack and self.stack[-1][0] == "title":
            self.title_parts.append(data)
            return
        if self.skip_depth:
            if len(self.skipped_text) < 2000:
                self.skipped_text.append(data)
            return
        self.buffer.append(data)
        in_link = any(t == "a" for t, _, _ in self.stack[-4:])
        if data.strip():
            if in_link:
                self.link_chars += len(data.strip())
            else:
                self._plain.append(data)
            if self.em_depth > 0:
                self.em_chars += len(data.strip())
            else:
                self.plain_chars += len(data.strip())


def html_blocks(text: str) -> tuple[list[Block], dict, list[str]]:
    """Blocks of the page's article (the <article>, else <main>, else the body) and its metadata."""
    parser = _HTMLBlocks()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser is lenient; anything it still raises is bad input  # noqa: BLE001
        raise InputError(f"cannot read the HTML: {exc}") from None
    parser.flush()
    notes: list[str] = []
    all_blocks = parser.blocks
    chosen = [b for b, in_article, _ in all_blocks if in_article]
    scope = "<article>"
    if sum(len(b.text) for b in chosen) < 200:
        chosen = [b for b, _, in_main in all_blocks if in_main]
        scope = "<main>"
    if sum(len(b.text) for b in chosen) < 200:
        chosen = [b for b, _, _ in all_blocks]
        scope = ""
    outside = len(all_blocks) - len(chosen)
    if scope and outside:
        notes.append(f"kept the page's {scope} element; removed {outside} block(s) of page text outside it")
    if scope and not any(b.kind == "heading" and b.level == 1 for b in chosen):
        h1 = [b for b, _, _ in all_blocks if b.kind == "heading" and b.level == 1]
        if h1:
            chosen.insert(0, h1[0])
    if parser.skipped_counts:
        parts = ", ".join(f"{name} ({count})" for name, count in sorted(parser.skipped_counts.items()))
        notes.append(f"removed page elements that are not the article: {parts}")
    meta = dict(parser.meta)
    meta["_title"] = squash("".join(parser.title_parts))
    meta["_tags"] = parser.page_tags + parser.meta_tags
    meta["_times"] = parser.times
    meta["_canonical"] = parser.canonical
    meta["_skipped"] = squash(" ".join(parser.skipped_text))
    meta.update(_jsonld_meta("".join(parser.jsonld)))
    return chosen, meta, notes


def _jsonld_meta(text: str) -> dict:
    """headline, datePublished, author and publisher names from schema.org JSON-LD, when the page has it."""
    found: dict = {}
    if not text.strip():
        return found
    candidates = []
    for chunk in re.split(r"(?<=[\]}])\s*(?=[\[{])", text.strip()):
        try:
            candidates.append(json.loads(chunk))
        except (ValueError, RecursionError):
            continue

    def walk(node, depth=0):
        if depth > 6:
            return
        if isinstance(node, list):
            for item in node[:50]:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                if isinstance(node.get("headline"), str):
                    found.setdefault("_ld_headline", node["headline"])
                if isinstance(node.get("datePublished"), str):
                    found.setdefault("_ld_published", node["datePublished"])
                authors = node.get("author")
                names = []
                for author in authors if isinstance(authors, list) else [authors]:
                    if isinstance(author, dict) and isinstance(author.get("name"), str):
                        names.append(author["name"])
                    elif isinstance(author, str):
                        names.append(author)
                if names:
                    found.setdefault("_ld_authors", names)
                publisher = node.get("publisher")
                if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                    found.setdefault("_ld_publisher", publisher["name"])
                keywords = node.get("keywords")
                if isinstance(keywords, str):
                    found.setdefault("_ld_keywords", [k.strip() for k in keywords.split(",") if k.strip()])
                elif isinstance(keywords, list):
                    found.setdefault("_ld_keywords", [k for k in keywords if isinstance(k, str)])
            for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                if key in node:
                    walk(node[key], depth + 1)

    for candidate in candidates:
        walk(candidate)
    return found


# ----------------------------------------------------------------------------------------------------------------
# Dates, bylines, datelines
# ----------------------------------------------------------------------------------------------------------------

MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
          "nov": 11, "dec": 12}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DATE_MDY = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.I)
_DATE_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(\d{4})", re.I)
_DATE_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?\s*(Z|[+-]\d\d:?\d\d)?)?")
_TIME = re.compile(r"(\d{1,2})(?::(\d\d))?\s*([ap])\.?\s*m\.?(?:\s+([ECMP][SD]?T|GMT|UTC|BST|CET|CEST))?", re.I)
_TIME_24 = re.compile(r"\b(\d{1,2})[:.](\d\d)\s*(GMT|UTC|BST|CEST|CET)\b", re.I)
_US_ZONES = {"E": -5, "C": -6, "M": -7, "P": -8}


def _us_dst(day: dt.date) -> bool:
    march = dt.date(day.year, 3, 8)
    start = march + dt.timedelta(days=(6 - march.weekday()) % 7)         # second Sunday of March
    november = dt.date(day.year, 11, 1)
    end = november + dt.timedelta(days=(6 - november.weekday()) % 7)     # first Sunday of November
    return start <= day < end


def parse_date(text: str) -> dt.datetime | dt.date | None:
    """The first calendar date (with its time and zone when given) in a date line or a metadata value."""
    if not text:
        return None
    text = text[:300]
    iso = _DATE_ISO.search(text)
    day = None
    if iso:
        try:
            day = dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            day = None
        if day and iso.group(4):
            zone = iso.group(7)
            tz = None
            if zone:
                if zone == "Z":
                    tz = dt.timezone.utc
                else:
                    sign = -1 if zone[0] == "-" else 1
                    digits = zone[1:].replace(":", "")
                    tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))
            try:
                return dt.datetime(day.year, day.month, day.day, int(iso.group(4)), int(iso.group(5)),
                                   int(iso.group(6) or 0), tzinfo=tz)
            except ValueError:
                return day
        if day:
            return day
    match = _DATE_MDY.search(text)
    if match:
        month, mday, year = MONTHS[match.group(1)[:3].lower()], int(match.group(2)), int(match.group(3))
    else:
        match = _DATE_DMY.search(text)
        if not match:
            return None
        mday, month, year = int(match.group(1)), MONTHS[match.group(2)[:3].lower()], int(match.group(3))
    try:
        day = dt.date(year, month, mday)
    except ValueError:
        return None
    time = _TIME.search(text)
    if not time:
        clock = _TIME_24.search(text, match.end())
        if not clock or int(clock.group(1)) > 23 or int(clock.group(2)) > 59:
            return day
        zone = clock.group(3).upper()
        offset = {"GMT": 0, "UTC": 0, "BST": 1, "CET": 1, "CEST": 2}.get(zone)
        tz = dt.timezone(dt.timedelta(hours=offset)) if offset is not None else None
        return dt.datetime(day.year, day.month, day.day, int(clock.group(1)), int(clock.group(2)), tzinfo=tz)
    hour, minute = int(time.group(1)) % 12 + (12 if time.group(3).lower() == "p" else 0), int(time.group(2) or 0)
    if hour > 23 or minute > 59:
        return day
    zone = (time.group(4) or "").upper()
    tz = None
    if zone in ("GMT", "UTC"):
        tz = dt.timezone.utc
    elif zone == "BST":
        tz = dt.timezone(dt.timedelta(hours=1))
    elif zone == "CET":
        tz = dt.timezone(dt.timedelta(hours=1))
    elif zone == "CEST":
        tz = dt.timezone(dt.timedelta(hours=2))
    elif zone and zone[0] in _US_ZONES:
        offset = _US_ZONES[zone[0]]
        if zone.endswith("DT") or (zone.endswith("T") and len(zone) == 2 and _us_dst(day)):
            offset += 1
        tz = dt.timezone(dt.timedelta(hours=offset))
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


_DATE_LINE = re.compile(
    r"^(?:(?:published|updated|posted|last updated|first published)\s*:?\s*(?:on\s+)?)?"
    r"(?:(?:[a-z]{3,6}day|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+)?"
    r"(?:" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+" + _MONTH + r",?\s+\d{4}|\d{4}-\d\d-\d\d)"
    r"|^(?:published|updated|posted)\b", re.I)
_BYLINE = re.compile(r"^(?:by|written by|words by)\s+(\S.{0,200})$", re.I)
_BYLINE_TAIL = re.compile(r"\s*(?:,|\||—|–|-)\s*(?:the\s+)?([A-Z][\w.&' -]{1,40})$")
_DATELINE = re.compile(
    r"^([A-Z][A-Z.'’ -]{1,40}?)(?:,\s+([A-Z][A-Za-z.' -]{1,30}?))?\s*\((AP|Reuters|AFP|UPI|Bloomberg|CNN|dpa|"
    r"Xinhua|EFE)\)\s*[—–-]{1,2}\s*")
_WIRE_DATELINE = re.compile(r"^(?:[A-Z][A-Za-z.]+\s+\d{1,2}\s*)?\((Reuters|AP|AFP|Bloomberg)\)\s*[—–-]\s*")


_JOB = re.compile(r"\b(?:staff|writer|reporter|correspondent|editor|contributor|columnist|special to|bureau|"
                  r"chief|producer|photographer|intern|desk|newsroom|updated|published)\b", re.I)


# a news outlet's name, not a person's: "Jane Doe, The Baltimore Sun" (the gazetteer knows only the big ones)
_OUTLET = re.compile(r"^The\s+[A-Z]|\b(?:Sun|Times|Post|News|Journal|Herald|Tribune|Gazette|Press|Chronicle|Globe|"
                     r"Inquirer|Examiner|Star|Observer|Telegraph|Mail|Express|Independent|Register|Bee|Courier|"
                     r"Dispatch|Sentinel|Magazine|Radio|Review|Wire|Daily|Monitor|Standard|Mirror|Ledger|Enquirer|"
                     r"Statesman|Bulletin|Citizen|Beacon|Banner|Insider|Media)$")


def split_byline(byline: str) -> tuple[list[str], str | None]:
    """Author names in a byline ("By Jane Doe and John Roe, Associated Press") and a publisher named in it."""
    match = _BYLINE.match(byline.strip())
    body = match.group(1) if match else byline.strip()
    publisher = None
    tail = _BYLINE_TAIL.search(body)
    if tail and len(re.findall(r"\S+", tail.group(1))) <= 4:
        # "Jane Doe, Associated Press" -> publisher; "Jane Doe, John Roe" -> two authors, handled below
        from .extract_actors import FIRST_NAMES_F, FIRST_NAMES_M, known_publisher

        outlet = _OUTLET.search(tail.group(1).strip()) and tail.group(1).split()[0] not in FIRST_NAMES_M | FIRST_NAMES_F
        if known_publisher(tail.group(1)) or outlet:
            publisher = tail.group(1).strip()
            body = body[: tail.start()]
    names = [n.strip(" ,.") for n in re.split(r"\s*(?:,\s*and\s+|\band\b|&|,|\||—|–)\s*", body) if n.strip(" ,.")]
    names = [n for n in names if 1 <= len(n.split()) <= 5 and n[0].isupper() and not _JOB.search(n)
             and not _DATE_LINE.match(n)]
    return names, publisher


# ----------------------------------------------------------------------------------------------------------------
# Furniture
# ----------------------------------------------------------------------------------------------------------------

_PROMO_SHORT = re.compile(   # whole short lines (at most 8 words) that are page furniture
    r"^(?:share|share (?:this|on|via)\b.*|copy link|email|print|advertisement|sponsored|sponsor message|donate|"
    r"read more|read more:.*|read next:?.*|more:.*|more from\b.*|related(?: stories| coverage| content)?:?|related:.*|"
    r"recommended(?: for you)?|"
    r"most (?:popular|read)|trending|you may also like|also read\b.*|see also\b.*|watch\b.*|listen\b.*|"
    r"click here\b.*|log ?in|sign ?in|\d* ?comments?|leave a comment|\d+[- ]min(?:ute)? read|"
    r"facebook|twitter|x|instagram|linkedin|whatsapp|reddit|flipboard|threads|bluesky)[\s.!:|·•]*$", re.I)
_PROMO_PHRASE = re.compile(   # lines up to 30 words that open with a prompt
    r"^(?:sign up\b|subscribe\b|get (?:the|our) [\w\s]{0,30}newsletter|(?:our|the|this|a) [\w\s]{0,30}newsletter\b|"
    r"newsletter\b|follow (?:us|npr|@)|support (?:public radio|npr|our journalism|independent)|"
    r"download (?:the|our) app|copyright\b|©|all rights reserved|terms of (?:use|service)|privacy policy|"
    r"this (?:story|article) (?:first |originally )?appeared|have a (?:news )?tip|send us a tip|"
    r"(?:we|this site) uses? cookies|skip to (?:main )?content|"
    r"(?:additional )?reporting by\b.{0,200}(?:editing|writing) by\b|(?:writing|editing) by\b)", re.I)
_PROMO_ANYWHERE = re.compile(r"\bnewsletters?\b|\bsign up\b|\bsubscribe\b|\byour inbox\b", re.I)
_CREDIT_HINT = re.compile(
    r"getty images|\bap photo\b|/ap\b|\breuters\b|\bafp\b|\bvia\b|\bphoto(?:graph)?\s*(?:by|:)|\bcredit:|"
    r"\bimage:|\bcourtesy\b|/bloomberg|\bepa\b|/pool|/npr\b|shutterstock|\bphoto\b", re.I)
_CAPTION_CREDIT = re.compile(   # "Jordan Lee/The Daily Ledger", "(Marvin Reinos/AFP via Getty Images)" ending a caption
    r"(?<=[.!?)])\s+\(?((?:Photo(?:graph)?:?\s*(?:by\s+)?)?[A-Z][\w'’-]*(?:\s[A-Z][\w'’.-]*){0,3}\s?/\s?"
    r"[A-Z][\w&'’.-]*(?:\s[A-Z][\w&'’.-]*){0,4}(?:\svia\s[A-Z][\w&'’.-]*(?:\s[A-Z][\w&'’.-]*){0,3})?|"
    r"(?:Photo(?:graph)?|Image|Picture|Credit)s?(?::|\s+by)\s*[A-Z][\w&'’.-]*(?:\s[A-Z][\w&'’.-]*){0,4})\)?\s*$")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s*$|[\"”]\s*$")
_ALL_CAPS_LABEL = re.compile(r"^[^a-z]*[A-Z][^a-z]*$")


def _words(text: str) -> int:
    return len(text.split())


def _is_label(block: Block) -> bool:
    """A short all-capitals line such as NATIONAL, READ & LISTEN, ABOUT NPR (a section or footer label)."""
    text = block.text
    return (_words(text) <= 5 and len(text) <= 40 and bool(_ALL_CAPS_LABEL.match(text))
            and not re.search(r"\d", text) and not _SENTENCE_END.search(text))


def _is_promo(block: Block) -> bool:
    """A share link, newsletter prompt, advertisement label or the like."""
    text = block.text
    words = _words(text)
    if words <= 8 and _PROMO_SHORT.match(text):
        return True
    if words <= 30 and _PROMO_PHRASE.match(text):
        return True
    return words <= 25 and bool(_PROMO_ANYWHERE.search(text)) and not re.search("[\"“”]", text)


def _is_body(block: Block) -> bool:
    """A paragraph of the story: prose that ends a sentence."""
    if block.kind in ("heading", "credit") or block.link_only:
        return False
    return _words(block.text) >= 3 and bool(_SENTENCE_END.search(block.text))


def clean(text: str, kind: str, source_name: str = "") -> Cleaned:
    """Blocks -> the article alone, with title, date line, byline, caption, tags and notes."""
    meta: dict = {}
    if kind == "html":
        blocks, meta, notes = html_blocks(text)
    else:
        blocks, notes = markdown_blocks(text)
        if kind == "text" and any(b.link_only or b.kind == "heading" for b in blocks):
            kind = "markdown"
    if sum(len(b.text) for b in blocks) > MAX_TEXT_CHARS:
        raise InputError(
            f"{source_name}: the text is over {MAX_TEXT_CHARS:,} characters after cleaning; that is not one news "
            "article (split it, or give the article's own page)")
    blocks = [b for b in blocks if b.text.strip()]
    if not blocks:
        raise InputError(f"{source_name}: no article text found (the file holds only markup or site furniture)")
    result = Cleaned(paragraphs=[], kind=kind, notes=notes)
    removed: list[str] = []

    # -- the title: the first big heading, else the page's metadata, else a short first line ------------------
    headings = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    title_index = None
    if headings:
        top = min(blocks[i].level for i in headings[:5]) if headings else 1
        title_index = next(i for i in headings if blocks[i].level == top)
        if title_index > 0:
            dropped = blocks[:title_index]
            if sum(_words(b.text) for b in dropped if _is_body(b)) > 40:
                title_index = None     # prose before the heading: the heading is a section heading, not the title
            else:
                removed.extend(b.text for b in dropped)
                if dropped:
                    notes.append(f"removed {len(dropped)} line(s) of page header before the headline")
                blocks = blocks[title_index:]
                title_index = 0
    meta_title = meta.get("_ld_headline") or meta.get("og:title") or meta.get("twitter:title") or meta.get("_title")
    if title_index is None:
        first = blocks[0]
        if meta_title and kind == "html":
            result.title = squash(meta_title)
            blocks.insert(0, Block(result.title, kind="heading", level=1))
        elif _words(first.text) <= 25 and not _SENTENCE_END.search(first.text) or (
                _words(first.text) <= 25 and first.text.endswith("?")):
            first.kind, first.level = "heading", 1
        else:
            result.title = None
        title_index = 0 if blocks[0].kind == "heading" else None
    if title_index is not None:
        result.title = blocks[0].text
        title_level = blocks[0].level or 1
    else:
        title_level = 1

    # -- walk the blocks: header (date, byline, caption), body, furniture ------------------------------------
    kept: list[Block] = []
    roles: list[str] = []       # title | date | byline | caption | credit | body | heading | tail
    start = 1 if title_index is not None else 0
    if title_index is not None:
        kept.append(blocks[0])
        roles.append("title")
    index = start
    in_header = True
    navigation: list[str] = []
    prompts: list[str] = []
    while index < len(blocks):
        block = blocks[index]
        text = block.text
        nxt = blocks[index + 1] if index + 1 < len(blocks) else None
        # related-story teaser: an all-caps label followed by a heading, or a second headline-sized heading
        if _is_label(block) and nxt is not None and nxt.kind == "heading":
            notes.append(f"removed a related-story teaser ({text} / {nxt.text})")
            removed.extend([text, nxt.text])
            index += 2
            continue
        if block.kind == "heading" and (block.level <= title_level or block.link_only) and kept:
            notes.append(f"removed a related-story teaser ({text})")
            removed.append(text)
            index += 1
            continue
        if _is_promo(block):
            removed.append(text)
            prompts.append(text)
            index += 1
            continue
        if in_header and (block.kind == "time" or (_DATE_LINE.match(text) and _words(text) <= 16)):
            if result.date_line is None:
                result.date_line = text
                kept.append(Block(text, kind="time"))
                roles.append("date")
                inline_byline = re.search(r"(?:\||·|—|–)\s*(By\s+\S.*)$", text)
                if inline_byline and result.byline is None:
                    result.byline = inline_byline.group(1)     # "April 22, 2025 | By Grace Holloway"
            else:
                removed.append(text)
            index += 1
            continue
        if in_header and result.byline is None and _words(text) <= 10 and re.match(
                r"^[A-Z][\w'’-]+(?:\s[A-Z][\w'’.-]+){1,2},\s", text) and _JOB.search(text.split(",", 1)[1]):
            result.byline = text                     # "Jessica Harlow, Home affairs correspondent"
            kept.append(Block(text, kind="byline"))
            roles.append("byline")
            index += 1
            continue
        if in_header and (_BYLINE.match(text) or block.kind == "byline") and _words(text) <= 16 and result.byline is None:
            byline = text if _BYLINE.match(text) else text
            result.byline = byline
            kept.append(Block(byline, kind="byline"))
            roles.append("byline")
            index += 1
            continue
        if block.kind == "caption" or (block.kind == "credit"):
            kept.append(block)
            roles.append(block.kind)
            index += 1
            continue
        if (block.link_only or _is_label(block)) and not _is_body(block):
            removed.append(text)
            navigation.append(text)
            index += 1
            continue
        if in_header and _is_credit(block) and kept and roles[-1] not in ("title", "date", "byline", "credit"):
            kept.append(Block(text, kind="credit"))
            roles.append("credit")
            roles[-2] = "caption"
            kept[-2].kind = "caption"
            index += 1
            continue
        if _is_body(block) or block.kind == "heading" or block.kind in ("para", "item", "quote"):
            if block.kind != "heading" and _is_body(block) and _words(text) >= 8 and not _looks_like_caption_then_credit(blocks, index):
                in_header = False
            kept.append(block)
            roles.append("heading" if block.kind == "heading" else "body")
            index += 1
            continue
        removed.append(text)
        index += 1

    if prompts:
        notes.append(f"removed {len(prompts)} share link(s), newsletter prompt(s) and the like "
                     f"({_short(', '.join(prompts[:6]), 80)})")
    if navigation:
        notes.append(f"removed {len(navigation)} line(s) of site navigation, section labels and links "
                     f"({_short(', '.join(navigation[:6]), 80)})")

    # -- pull quotes: a short paragraph that only repeats words another paragraph has ---------------------------
    body_texts = [b.text for b, r in zip(kept, roles) if r == "body"]
    deduped_blocks, deduped_roles = [], []
    for block, role in zip(kept, roles):
        core = block.text.strip(" \"“”'‘’").rstrip(".,").strip()
        quoted = block.text[:1] in "\"“‘'" and block.text.rstrip()[-1:] in "\"”’'"
        if role == "body" and quoted and 4 <= _words(core) <= 60 and sum(1 for t in body_texts if core in t) >= 2:
            notes.append(f"removed a pull quote repeating the text ({_short(core)})")
            removed.append(block.text)
            body_texts.remove(block.text)
            continue
        deduped_blocks.append(block)
        deduped_roles.append(role)
    kept, roles = deduped_blocks, deduped_roles

    # -- the tail: everything after the last body paragraph is tags or footer -------------------------------
    last_body = max((i for i, r in enumerate(roles) if r == "body" and _is_body(kept[i])), default=len(kept) - 1)
    tail = kept[last_body + 1:]
    kept, roles = kept[: last_body + 1], roles[: last_body + 1]
    tags: list[str] = []
    tail_removed = []
    collecting = True
    for block in tail:
        text = block.text
        if collecting and _words(text) <= 4 and len(text) <= 40 and not _SENTENCE_END.search(text) \
                and not _is_label(block) and not _is_promo(block) and block.kind != "heading":
            match = re.match(r"^(?:tags?|topics?|filed under|more on)\s*:\s*(.+)$", text, re.I)
            tags.extend(p.strip() for p in re.split(r"\s*[,;|]\s*", match.group(1)) if p.strip()) if match else tags.append(text)
            continue
        match = re.match(r"^(?:tags?|topics?|filed under)\s*:\s*(.+)$", text, re.I)
        if collecting and match:
            tags.extend(p.strip() for p in re.split(r"\s*[,;|]\s*", match.group(1)) if p.strip())
            continue
        collecting = False
        tail_removed.append(text)
    if len(tags) > 12:
        tail_removed = tags + tail_removed
        tags = []
    if tail_removed:
        removed.extend(tail_removed)
        notes.append(f"removed the page footer after the story ({len(tail_removed)} line(s): "
                     f"{_short(', '.join(tail_removed[:4]), 70)})")
    page_tags = list(meta.get("_tags") or []) + list(meta.get("_ld_keywords") or [])
    for tag in page_tags + tags:
        tag = squash(tag)
        if tag and tag.lower() not in {t.lower() for t in result.tags} and len(tag) <= 60:
            result.tags.append(tag)
    if tags:
        notes.append(f"moved the topic tags at the end of the page ({', '.join(tags)}) into article.tags")

    # -- join paragraphs the page broke ("non-" / "citizens") ----------------------------------------------
    joined: list[Block] = []
    joined_roles: list[str] = []
    for block, role in zip(kept, roles):
        if joined and role == "body" and joined_roles[-1] == "body" and block.text[:1].islower():
            previous = joined[-1].text
            if re.search(r"[^\W\d_]-$", previous):
                joined[-1] = Block(previous + block.text, kind=joined[-1].kind)
                notes.append(f"joined {_short(previous.split()[-1], 30)!r} + {_short(block.text.split()[0], 30)!r} "
                             "split across two paragraphs by the page")
                continue
            if not _SENTENCE_END.search(previous) and re.search(r"[\w,;]$", previous):
                joined[-1] = Block(previous + " " + block.text, kind=joined[-1].kind)
                notes.append(f"joined a paragraph the page broke after {_short(previous[-30:], 30)!r}")
                continue
        joined.append(block)
        joined_roles.append(role)
    kept, roles = joined, joined_roles

    # -- a caption that ends with its credit ("... on Saturday. Jordan Lee/The Daily Ledger"): two paragraphs ----
    split_blocks: list[Block] = []
    split_roles: list[str] = []
    for block, role in zip(kept, roles):
        credit = _CAPTION_CREDIT.search(block.text) if role == "caption" and "credit" not in roles else None
        if credit and credit.start() > 0:
            split_blocks += [Block(block.text[: credit.start()].rstrip(), kind="caption"),
                             Block(credit.group(1), kind="credit")]
            split_roles += ["caption", "credit"]
            notes.append("put the image credit at the end of the caption into a paragraph of its own")
            continue
        split_blocks.append(block)
        split_roles.append(role)
    kept, roles = split_blocks, split_roles

    # -- metadata ------------------------------------------------------------------------------------------------
    for block, role in zip(kept, roles):
        if role == "caption" and result.caption is None:
            result.caption = block.text
        if role == "credit" and result.credit is None:
            result.credit = block.text
    if result.byline:
        result.authors, hint = split_byline(result.byline)
        result.publisher_hint = result.publisher_hint or hint
    if meta.get("_ld_authors") and not result.authors:
        result.authors = [squash(a) for a in meta["_ld_authors"] if squash(a)]
        if not result.byline:
            result.byline = "By " + " and ".join(result.authors)
    if meta.get("author") and not result.authors and not re.search(r"https?://", meta["author"]):
        result.authors = [squash(a) for a in re.split(r"\s*(?:,|\band\b)\s*", meta["author"]) if squash(a)]
    published = None
    for key in ("_ld_published", "article:published_time", "datepublished", "pubdate", "date", "dc.date",
                "dcterms.created", "publish-date", "sailthru.date", "parsely-pub-date"):
        if meta.get(key):
            published = parse_date(meta[key])
            if published:
                break
    if published is None and result.date_line:
        published = parse_date(result.date_line)
    if published is None and meta.get("_times"):
        published = parse_date(meta["_times"][0])
    result.published = published
    publisher = meta.get("_ld_publisher") or meta.get("og:site_name") or meta.get("application-name")
    if publisher:
        result.publisher_hint = squash(publisher)
    first_body = next((b.text for b, r in zip(kept, roles) if r == "body"), "")
    dateline = _DATELINE.match(first_body) or _WIRE_DATELINE.match(first_body)
    if dateline:
        agency = dateline.group(3) if dateline.re is _DATELINE else dateline.group(1)
        if not result.publisher_hint and not result.byline:
            result.publisher_hint = agency
        elif not result.publisher_hint:
            result.publisher_hint = agency
        if dateline.re is _DATELINE:
            result.dateline_place = dateline.group(1).strip().title()
    result.url = meta.get("_canonical") or meta.get("og:url")
    result.furniture_text = " \n".join(removed) + " " + (meta.get("_skipped") or "")
    result.paragraphs = [b.text for b in kept]
    if not any(r == "body" for r in roles):
        raise InputError(f"{source_name}: no article text found: nothing but headings, links and site furniture")
    result.notes = _dedupe(notes)
    return result


def _looks_like_caption_then_credit(blocks: list[Block], index: int) -> bool:
    nxt = blocks[index + 1] if index + 1 < len(blocks) else None
    return nxt is not None and (_is_credit(nxt) or nxt.kind == "credit")


def _is_credit(block: Block) -> bool:
    text = block.text
    if _words(text) > 14 or len(text) > 120 or text.endswith((".", "?", "!")) and not text.endswith(("Inc.", "Co.")):
        return False
    return block.kind == "credit" or (block.emphasis_only and bool(_CREDIT_HINT.search(text) or "/" in text)) or (
        bool(re.search(r"^[A-Z][\w.' -]{1,40}/[A-Z][\w.' -]{1,60}$", text)) or bool(
            re.search(r"\b(?:getty images|ap photo|photo by|photograph by|courtesy of)\b", text, re.I)))


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dedupe(items: list[str]) -> list[str]:
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def normalise_for_match(text: str) -> str:
    """Fold quotation marks, dashes, accents and case: for comparing names and quotes loosely."""
    text = text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'",
                                         "\u2014": "-", "\u2013": "-"}))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def load(path: Path) -> tuple[Cleaned, str | None]:
    """Read and clean one article file; the second value is a note on its encoding, if any."""
    text, encoding_note = read_source(path)
    kind = source_kind(path, text)
    if kind != "html" and len(text) > 2 * MAX_TEXT_CHARS:
        # Markup removal cannot bring plain text or Markdown this long down to one article's length.
        raise InputError(f"{path}: the text is {len(text):,} characters; that is not one news article (the limit is "
                         f"{MAX_TEXT_CHARS:,} after cleaning: split it, or give the article's own page)")
    cleaned = clean(text, kind, str(path))
    if encoding_note:
        cleaned.notes.insert(0, encoding_note)
    return cleaned, encoding_note
