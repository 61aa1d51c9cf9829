"""Fuzzing the annotation loader: hostile annotation files and article texts never give a traceback or a hang.

Every input, however broken, must end in one of two ways:

* a clear ``KgError`` (``AnnotationError``/``InputError``) whose message names the file it is about, or
* a valid result: an rdflib graph whose every term converts to Oxigraph, that goes into an Oxigraph store through
  the same SPARQL update the build uses without gaining or losing a triple, and whose text anchors slice the
  article to exactly their quoted words.

Anything else (a TypeError, a KeyError, a ValueError from Oxigraph, a RecursionError, a run longer than
``HANG_SECONDS``) fails the test. Hypothesis is derandomized (a fixed seed per test) so CI sees the same inputs
on every run; the nastiest inputs found are kept in ``tests/data/hostile/`` and replayed by
``test_every_hostile_file_gives_a_clear_error_or_a_valid_graph``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from graph.annotation import article_graph, read_article
from graph.errors import KgError
from graph.ns import KG, OA, article_graph as graph_name
from graph.store import OxigraphStore, quads_of

from .conftest import DATA, MINI_DIR

HOSTILE = DATA / "hostile"
HANG_SECONDS = 10
MINI_ANNOTATION = (MINI_DIR / "annotation.yaml").read_text(encoding="utf-8")
MINI_TEXT = (MINI_DIR / "article.txt").read_text(encoding="utf-8")
MINI_TREE = yaml.safe_load(MINI_ANNOTATION)

# CI runs a fixed, derandomized set of examples; KG_FUZZ_EXAMPLES=5000 KG_FUZZ_SEED=random explores further.
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "200"))
DERANDOMIZE = os.environ.get("KG_FUZZ_SEED", "fixed") == "fixed"
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


class Hang(Exception):
    """The loader ran past HANG_SECONDS on one input."""


@contextlib.contextmanager
def time_limit(seconds: int = HANG_SECONDS):
    def alarm(signum, frame):
        raise Hang(f"the loader ran for more than {seconds} s on one input")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_valid_graph(graph: Graph, text: str, slug: str) -> None:
    """What a successful load must give: terms Oxigraph accepts, a lossless store round trip, exact anchors."""
    assert isinstance(graph, Graph)
    store = OxigraphStore.__new__(OxigraphStore)
    store.directory, store.read_only, store.location, store.store = None, False, "memory:", ox.Store()
    name = graph_name(slug)
    store.replace_graph(name, graph)  # the build's own write path: a SPARQL update built from the terms
    direct = ox.Store()  # the same terms added as quads, no SPARQL text involved (Oxigraph canonicalises numbers
    direct.extend(quads_of(graph, name))  # such as xsd:nonNegativeInteger 7 -> xsd:integer 7 in both)
    assert len(store.store) == len(graph), "the SPARQL update gained or lost triples: an escaping problem"
    assert set(store.store) == set(direct), "the SPARQL update changed a term: an escaping problem"
    for selector in graph.subjects(RDF.type, OA.TextPositionSelector):
        start, end = int(graph.value(selector, OA.start)), int(graph.value(selector, OA.end))
        exact = graph.value(URIRef(str(selector)[: -len("position")] + "quote"), OA.exact)
        assert text[start:end] == str(exact)
    for node, quote in graph.subject_objects(KG.quote):
        assert str(quote) in text


def note(outcome: str) -> None:
    """Count outcomes for --hypothesis-show-statistics (outside a hypothesis test there is nothing to count)."""
    try:
        event(outcome)
    except InvalidArgument:
        pass


def load_folder(folder: Path, ontology):
    """Read and convert one article folder; return the graph or the KgError, never anything else."""
    with time_limit():
        try:
            article = read_article(folder)
            graph = article_graph(article, ontology)
        except KgError as error:
            message = str(error)
            assert message.strip(), "an error with no message"
            assert str(folder) in message, f"the error does not name the file: {message!r}"
            assert "Traceback" not in message
            note("a clear error: " + re.sub(r"[`'\"{(].*", "", message.split(": ", 2)[-1])[:40])
            return error
    note("a valid graph")
    check_valid_graph(graph, article.text, article.slug)
    return graph


def load(annotation: str | bytes, ontology, text: str | bytes = MINI_TEXT, slug: str = "fuzzed-story"):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / slug
        folder.mkdir()
        (folder / "annotation.yaml").write_bytes(annotation.encode("utf-8", "surrogatepass") if isinstance(annotation, str) else annotation)
        (folder / "article.txt").write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        return load_folder(folder, ontology)


# -- strategies -----------------------------------------------------------------------------------------------------
NASTY_CHARS = list('"\'`\\{}[]<>&*!|%@#:,-?\t\r\n\x00\x07\x1b\x7f\x85\u00a0\u2028\u2029\ufeff\u200b\u202e'
                   '\u201c\u201d\u2018\u2019\u00ab\u00bb\ud800\udfff\U0001f600')
nasty_text = st.text(alphabet=st.sampled_from(NASTY_CHARS) | st.characters(), max_size=40)
FIELD_NAMES = sorted({"id", "type", "name", "label", "aliases", "evidence", "text", "occurrence", "after", "quote",
                      "speaker", "said", "date", "holder", "view", "action", "doctrine", "modality", "stance",
                      "properties", "member_of", "part_of", "published", "title", "publisher", "image", "caption",
                      "credit", "format", "annotator", "attributed_to", "utterance", "within", "about", "status",
                      "unknown_field", "_start", "article", "statements", "actors", "positions"})
MINI_IDS = sorted(set(re.findall(r"id: (\S+)", MINI_ANNOTATION)))
NEAR_MISSES = MINI_IDS + [i + "\n" for i in MINI_IDS[:3]] + [i.upper() for i in MINI_IDS[:3]] + [
    "citizen-non-deportation", "unconstitutional", "certain", "opposes", "under-study", "prohibition", "Organization",
    "kg:Person", "kg:dateText", "owl:Thing", "rdf:type", "schema:name", "unknown", "curator", "extractor",
    "You may not deport a citizen,", "It is that simple.", "under study.", "Lee Gelernt", "\u201cunder study.\u201d"]
scalars = (
    st.sampled_from(NEAR_MISSES) | st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats()
    | st.dates(min_value=dt.date(1, 1, 1)) | st.datetimes(min_value=dt.datetime(1, 1, 1))
    | nasty_text | st.sampled_from(["", " ", "~", "null", "yes", "0x1f", "1e999", ".nan", "2025-02-30", "0001-01-01",
                                     "s1", "lee-gelernt", "unknown", "curator", "abc\n", "on Friday", "in January"])
    | st.text(min_size=1000, max_size=3000)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELD_NAMES) | nasty_text, inner, max_size=4),
    max_leaves=12,
)


def paths(tree, prefix=()):
    yield prefix
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from paths(value, prefix + (key,))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from paths(value, prefix + (index,))


MINI_PATHS = [p for p in paths(MINI_TREE) if p]


def replaced(tree, path, value):
    """A copy of ``tree`` with the node at ``path`` replaced (value=DELETE removes it)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        copy = dict(tree)
        if value is DELETE and not rest:
            copy.pop(head, None)
        else:
            copy[head] = replaced(tree[head], rest, value)
        return copy
    copy = list(tree)
    if value is DELETE and not rest:
        del copy[head]
    else:
        copy[head] = replaced(tree[head], rest, value)
    return copy


DELETE = object()


def dump(tree) -> str:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=2**31)


@st.composite
def mutated_trees(draw):
    tree = MINI_TREE
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(MINI_PATHS))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add-key", "add-item"]))
        try:
            if action == "replace":
                tree = replaced(tree, path, draw(values))
            elif action == "delete":
                tree = replaced(tree, path, DELETE)
            else:
                node = tree
                for step in path:
                    node = node[step]
                if action == "add-key" and isinstance(node, dict):
                    tree = replaced(tree, path, {**node, draw(st.sampled_from(FIELD_NAMES) | nasty_text): draw(values)})
                elif action == "add-item" and isinstance(node, list):
                    tree = replaced(tree, path, node + [draw(values)])
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    return tree


YAML_TOKENS = [
    "\n", "\n  ", "\n    ", "- ", ": ", "[", "]", "{", "}", ",", '"', "'", "&a ", "*a", "!!python/object/apply:os.system ",
    "!!binary ", "!!str ", "!!int ", "!!float ", "!!timestamp ", "!!set ", "!!omap ", "!!python/name:os.system", "? ",
    "|", ">", "#", "%YAML 1.1\n", "---\n", "...\n", "\t", "\x00", "\\x00", '"\\x00"', '"\\ud800"', "\ufeff", "<<: ",
    "article", "statements", "actors", "positions", "id", "quote", "speaker", "published", "2025-02-30",
    "2025-13-45T99:99:99", "1e999", "-0", "0o17", "0x_1", ".inf", "~", "null", "On Friday", "s1", "lee-gelernt",
]
yaml_soup = st.lists(st.sampled_from(YAML_TOKENS) | nasty_text, max_size=40).map("".join)


@st.composite
def text_mutations(draw, base: str = MINI_ANNOTATION):
    """The mini annotation with a few edits at random places: insertions, deletions, duplicated lines."""
    text = base
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate-line", "indent"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(YAML_TOKENS) | nasty_text) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 30)):]
        elif kind == "duplicate-line":
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at) + 1 or len(text)
            text = text[:end] + text[start:end] + text[end:]
        else:
            start = text.rfind("\n", 0, at) + 1
            text = text[:start] + draw(st.sampled_from([" ", "  ", "\t", ""])) + text[start:]
    return text


# -- the properties ------------------------------------------------------------------------------------------------
def test_the_unbroken_mini_article_is_a_valid_result(ontology):
    """The harness itself: the fixture loads, so the properties below start from something that works."""
    assert isinstance(load(MINI_ANNOTATION, ontology), Graph)


@FUZZ
@given(data=st.binary(max_size=2000) | st.text(max_size=2000))
def test_random_bytes_as_an_annotation(ontology, data):
    load(data, ontology)


@FUZZ
@given(data=yaml_soup)
@example(data="a: &a [*a, *a]")
@example(data="!!python/object/apply:os.system ['echo pwned']")
@example(data='"\\ud800": x')
def test_yaml_soup_as_an_annotation(ontology, data):
    load(data, ontology)


@FUZZ
@given(tree=mutated_trees())
def test_wrong_types_unknown_fields_and_huge_values_in_every_field(ontology, tree):
    try:
        text = dump(tree)
    except (yaml.YAMLError, ValueError, OverflowError):
        return  # a value YAML cannot write (never reaches the loader)
    load(text, ontology)


@FUZZ
@given(text=text_mutations())
def test_edits_at_random_places_in_a_good_annotation(ontology, text):
    load(text, ontology)


@FUZZ
@given(article=st.binary(max_size=500) | st.text(max_size=500), keep_quotes=st.booleans())
def test_a_hostile_article_text(ontology, article, keep_quotes):
    if keep_quotes and isinstance(article, str):
        article = MINI_TEXT + article  # the quotes are still found: the build goes on with the hostile rest
    load(MINI_ANNOTATION, ontology, text=article)


QUOTE_MARKS = ['"', "'", "\\", '\\"', '"""', "'''", "\u201c", "\u201d", "\u2018", "\u2019", "\u00ab", "\u00bb", "`",
               "}", "{", ">", "<", "\n", "\r", "\t", "\\u0022", "\\n", "#", "@en", "^^", " . } ; DROP ALL ; INSERT DATA { "]


@FUZZ
@given(words=st.lists(st.sampled_from(QUOTE_MARKS) | st.text(alphabet="ab ,.", min_size=1, max_size=3),
                      min_size=1, max_size=8).map("".join),
       where=st.sampled_from(["quote", "evidence", "name", "title", "tag", "alias", "properties"]))
def test_quotation_marks_in_every_position_reach_the_store_intact(ontology, words, where):
    """Words full of quotation marks, backslashes and SPARQL syntax, quoted from a text that holds them."""
    text = f"Headline\n\nShe said {words} today.\n"
    tree = {
        "format": 1,
        "article": {"title": "t", "published": "2025-03-03T09:00:00-05:00", "publisher": "wire", "tags": ["x"]},
        "actors": [{"id": "wire", "type": "Organization", "name": "Wire"}, {"id": "she", "name": "She"}],
        "statements": [{"id": "s1", "speaker": "she", "quote": "She said"}],
    }
    if where == "quote":
        tree["statements"][0]["quote"] = words
    elif where == "evidence":
        tree["actors"][1]["evidence"] = [{"text": words}]
    elif where == "name":
        tree["actors"][1]["name"] = words
    elif where == "title":
        tree["article"]["title"] = words
    elif where == "tag":
        tree["article"]["tags"] = [words]
    elif where == "alias":
        tree["actors"][1]["aliases"] = [words, words + "x"]
    else:
        tree["actors"][1]["properties"] = {"kg:dateText": words}
    result = load(dump(tree), ontology, text=text)
    if where in ("quote", "evidence") and words.strip() and "\r" not in words and text.count(words) == 1:
        assert isinstance(result, Graph), result
        assert Literal(words) in set(result.objects(None, KG.quote))
    elif where in ("name", "title", "tag", "alias") and "\x00" not in words:
        assert isinstance(result, Graph), result


@settings(max_examples=20, deadline=None, derandomize=DERANDOMIZE, database=None)
@given(depth=st.integers(1, 5000), kind=st.sampled_from(["[", "{a: ", "- "]))
def test_deeply_nested_values(ontology, depth, kind):
    if kind == "- ":
        body = "".join("  " * i + "- \n" for i in range(min(depth, 400)))
    else:
        body = kind * depth
    load("format: 1\narticle:\n  title: " + body, ontology)


@pytest.mark.parametrize("size", [10_000, 1_000_000])
def test_huge_values_are_read_or_refused_quickly(ontology, size):
    tree = yaml.safe_load(MINI_ANNOTATION)
    tree["actors"][0]["name"] = "x" * size
    tree["actors"][0]["aliases"] = ["y"] * (size // 100)
    assert isinstance(load(dump(tree), ontology), Graph)


def test_billion_laughs_is_refused_before_it_expands(ontology):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1}]"
              for i in range(1, 10)]
    error = load("\n".join(lines), ontology)
    assert isinstance(error, KgError) and "aliases" in str(error)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-32", "utf-8-sig", "shift_jis"])
def test_annotation_in_another_encoding(ontology, encoding):
    text = MINI_ANNOTATION.replace("Ana Reyes", "Ana Réyès “Ü” ナ")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, "replace")
    result = load(data, ontology)
    if encoding == "utf-8-sig":
        assert isinstance(result, Graph)  # a BOM is fine
    else:
        assert isinstance(result, KgError) and "UTF-8" in str(result)


# -- the corpus of the nastiest inputs found -------------------------------------------------------------------------
def hostile_cases():
    return sorted(p for p in HOSTILE.iterdir() if p.suffix == ".yaml") if HOSTILE.is_dir() else []


def expectation(path: Path) -> tuple[str, str]:
    """The first line of a corpus file says what it must give: ``# expect: error <regex>`` or ``# expect: ok``."""
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
    match = re.match(r"#\s*expect:\s*(ok|error)\s*(.*)$", first)
    assert match, f"{path.name}: the first line must be `# expect: ok` or `# expect: error <regex>`"
    return match.group(1), match.group(2).strip()


def test_the_hostile_corpus_is_there():
    assert len(hostile_cases()) >= 20


@pytest.mark.parametrize("path", hostile_cases(), ids=lambda p: p.stem)
def test_every_hostile_file_gives_a_clear_error_or_a_valid_graph(ontology, path):
    kind, pattern = expectation(path)
    text_file = path.with_suffix(".txt")
    text = text_file.read_bytes() if text_file.exists() else MINI_TEXT
    result = load(path.read_bytes(), ontology, text=text)
    if kind == "ok":
        assert isinstance(result, Graph), f"expected a graph, got: {result}"
    else:
        assert isinstance(result, KgError), "expected a clear error, got a graph"
        assert re.search(pattern, str(result)), f"{pattern!r} not in {str(result)!r}"


# -- regressions: each bug the fuzzing found, by name ---------------------------------------------------------------
def mini_with(old: str, new: str) -> str:
    assert old in MINI_ANNOTATION, old
    return MINI_ANNOTATION.replace(old, new, 1)


@pytest.mark.parametrize("value", ["!!int", "!!float ---", "!!timestamp next tuesday", "!!set ---", "!!map text"])
def test_regression_yaml_tag_with_an_unreadable_value_is_a_located_error(ontology, value):
    """PyYAML's constructors raised ValueError/IndexError/AttributeError on these; now `file:line: not valid YAML`."""
    error = load(mini_with("format: 1", f"format: {value}"), ontology)
    assert isinstance(error, KgError) and "not valid YAML" in str(error) and error.line == 2


def test_regression_python_tags_are_refused_and_never_run(ontology, tmp_path):
    marker = tmp_path / "pwned"
    for tag in ("!!python/object/apply:os.system", "!!python/object/new:os.system"):
        error = load(f'{tag} ["touch {marker}"]\n', ontology)
        assert isinstance(error, KgError) and "not valid YAML" in str(error)
    assert not marker.exists()


def test_regression_annotator_that_is_a_list_is_an_error_not_a_type_error(ontology):
    error = load(mini_with("annotator: curator", "annotator: [curator]"), ontology)
    assert isinstance(error, KgError) and "annotator must be" in str(error)


def test_regression_position_with_an_unknown_holder_is_an_error_not_a_key_error(ontology):
    error = load(mini_with("    holder: lee-gelernt\n    view", "    holder: nobody\n    view"), ontology)
    assert isinstance(error, KgError) and "`holder: nobody` names no item" in str(error)


def test_regression_position_holder_given_as_a_list_gets_the_holders_name_in_its_label(ontology):
    graph = load(mini_with("    holder: lee-gelernt\n    view", "    holder: [lee-gelernt]\n    view"), ontology)
    labels = [str(o) for s, o in graph.subject_objects(RDFS.label) if "/position/" in str(s)]
    assert labels == ["Lee Gelernt: unconstitutional (jail-citizens-abroad)"]


def test_regression_id_with_a_trailing_newline_is_refused_before_it_becomes_an_invalid_iri(ontology):
    """`$` matched before a final newline, so "ana-reyes\\n" passed as an id and Oxigraph refused the IRI."""
    error = load(mini_with("  - id: ana-reyes", '  - id: "ana-reyes\\n"'), ontology)
    assert isinstance(error, KgError) and "kebab-case" in str(error)
    error = load(MINI_ANNOTATION, ontology, slug="story\n")
    assert isinstance(error, KgError) and "folder name" in str(error)


@pytest.mark.parametrize("occurrence", ["0", "-1", "second", "[1]", "true"])
def test_regression_evidence_occurrence_is_checked_like_a_statement_occurrence(ontology, occurrence):
    """An evidence span's `occurrence: 0` silently picked the last occurrence; "second" raised a TypeError."""
    error = load(mini_with('{text: "Lee Gelernt, an ACLU attorney"}',
                           f'{{text: "Lee Gelernt, an ACLU attorney", occurrence: {occurrence}}}'), ontology)
    assert isinstance(error, KgError) and "occurrence must be a whole number from 1" in str(error)


@pytest.mark.parametrize("phrase", ["yesterday", "on Friday", "in December", "last week"])
def test_regression_dates_before_the_year_one_are_an_error_not_an_overflow(ontology, phrase):
    text = mini_with("published: 2025-03-03T09:00:00-05:00", "published: 0001-01-01T00:00:00")
    error = load(text.replace("date: on Friday", f"date: {phrase}"), ontology)
    assert isinstance(error, KgError) and "outside the calendar" in str(error)


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d\\ude00"])
def test_regression_lone_surrogate_escape_is_refused_before_it_reaches_oxigraph(ontology, escape):
    error = load(mini_with("    name: Ana Reyes", f'    name: "Ana {escape} Reyes"'), ontology)
    assert isinstance(error, KgError) and "half a character" in str(error) and error.line is not None


@pytest.mark.parametrize("value, kind", [("!!binary QW5hIFJleWVz", "bytes"), ("!!set {a, b}", "set")])
def test_regression_binary_and_set_values_are_not_written_as_python_reprs(ontology, value, kind):
    error = load(mini_with("    name: Ana Reyes", f"    name: {value}"), ontology)
    assert isinstance(error, KgError) and f"must be text, not {kind}" in str(error)


def test_regression_property_value_that_is_a_mapping_is_an_error_not_a_python_repr(ontology):
    prop = next(name for name, iri in ontology.properties.items()
                if ":" in name and not ontology.is_object_property(iri) and (iri, RDFS.range, XSD.date) not in ontology.graph)
    error = load(mini_with("    name: Ana Reyes", f"    name: Ana Reyes\n    properties: {{{prop}: {{a: 1}}}}"), ontology)
    assert isinstance(error, KgError) and "takes text, a number, a date or an id" in str(error)


def test_regression_unfound_quote_hint_is_one_pass_not_a_regex_per_word(ontology):
    """A 1000-word quote missing from a 1 MB article took 12 s in the spacing hint; the limit here is 5 s."""
    from graph.textspan import find_span

    with time_limit(5):
        assert find_span("a " * 500_000, "a " * 999 + "b") == "not found"


def test_regression_self_overlapping_quote_is_counted_up_to_a_limit(ontology):
    """Counting every overlapping "aaa…a" in a 1 MB run of a's took 5 s; beyond 1000 it now says "or more"."""
    from graph.textspan import find_span

    with time_limit(5):
        message = find_span("a" * 1_000_000, "a" * 1000)
    assert "occurs 1000 or more times" in message
    assert find_span("a" * 10, "a" * 3, occurrence=8) == (7, 10)
    assert "occurs 8 time(s)" in find_span("a" * 10, "a" * 3, occurrence=9)


@pytest.mark.parametrize("path", hostile_cases(), ids=lambda p: p.stem)
def test_kg_build_on_every_hostile_file_exits_cleanly_and_writes_no_output_on_error(path, tmp_path):
    """The public surface: `kg build` prints one `kg: file:line: message` and exits 2, or builds (0, or 1 = SHACL)."""
    from click.testing import CliRunner

    from graph.cli import main

    kind, _ = expectation(path)
    folder = tmp_path / "hostile-story"
    folder.mkdir()
    (folder / "annotation.yaml").write_bytes(path.read_bytes())
    text_file = path.with_suffix(".txt")
    (folder / "article.txt").write_bytes(text_file.read_bytes() if text_file.exists() else MINI_TEXT.encode())
    out = tmp_path / "out"  # (an error stops the build before it writes: a store in memory is enough to show that)
    store = "memory:" if kind == "error" else str(out)
    with time_limit(60):
        result = CliRunner().invoke(main, ["build", str(folder), "--store", store, "--no-html"], catch_exceptions=False)
    assert "Traceback" not in result.output
    if kind == "error":
        assert result.exit_code == 2, result.output
        assert result.output.startswith("kg: ") and str(folder) in result.output
        assert not (out / "graph.trig").exists() and not (out / "graph.html").exists(), "a failed build wrote output"
        from graph.store import open_store

        assert not [g for g in open_store("memory:").graphs() if "hostile-story" in str(g)], "a failed build wrote"
    else:
        assert result.exit_code in (0, 1), result.output


# -- `kg extract`: hostile article files in, a draft the loader accepts or a clear error out ------------------------
EXTRACT_SOURCES = sorted((DATA / "extract").glob("*/raw.*"))
EXTRACT_TOKENS = [
    "\u201c", "\u201d", '"', "'", "\u2018", "\u2019", "\u00ab", "\u00bb", "\u201e", "\u2039", " said ", " told NPR ",
    ", she said, ", " he added. ", "according to ", "Lee Gelernt", "Mr. ", "Sen. ", "the secretary", ": ", "\n\n", "\n",
    "<p>", "</p>", "<script>alert(1)</script>", "<!--", "-->", "<![CDATA[", "]]>", "<meta charset='shift_jis'>",
    "<time datetime='2025-13-45'>", '<script type="application/ld+json">{"datePublished": "0000-00-00",', "&quot;",
    "&#0;", "&#xD800;", "&#1114112;", "&amp;amp;", "&nbsp;", "> ", "# ", "**", "_", "[link](javascript:x)", "---\n",
    "\x00", "\x0b", "\x1b[2J", "\u2028", "\u202e", "\ufeff", "\ud800", "(AP) \u2014 ", "By ", "Photo: ", "Getty Images",
    "February 30, 2025", "Jan. 1, 0001", "9999-12-31", "Updated ", "Copyright ", "WASHINGTON \u2014 ",
]


def run_extract(data: bytes, suffix: str, published: str | None, ontology):
    """`kg extract` on one file: exit 0 with a draft the loader turns into a valid graph, or exit 2 with a message.
    Exit 1 is the extractor saying its own draft was refused by the loader: a bug, so it fails here too."""
    from click.testing import CliRunner

    from graph.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"story{suffix}"
        source.write_bytes(data)
        out = Path(tmp) / "drafts" / "fuzzed-draft"
        args = ["extract", str(source), "-o", str(out)] + (["--published", published] if published else [])
        with time_limit(20):
            result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            note("a draft")
            assert isinstance(load_folder(out, ontology), Graph)
        else:
            assert result.exit_code == 2, f"exit {result.exit_code}: {result.output}"
            assert result.stderr.startswith("kg: ") and str(source) in result.stderr, result.stderr
            note("a clear error: " + result.stderr.split(": ", 2)[-1][:40])
        return result


@st.composite
def mutated_sources(draw):
    source = draw(st.sampled_from(EXTRACT_SOURCES))
    text = source.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "insert", "delete", "duplicate"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(EXTRACT_TOKENS) | nasty_text) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 200)):]
        else:
            end = min(len(text), at + draw(st.integers(1, 400)))
            text = text[:end] + text[at:end] + text[end:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "cp1252", "utf-8-sig"]))
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf-8") else "replace"), source.suffix


EXTRACT_FUZZ = settings(FUZZ, max_examples=max(10, EXAMPLES // 5))  # an extraction takes 10-300 ms


@EXTRACT_FUZZ
@given(source=mutated_sources(), published=st.sampled_from([None, "2025-02-05"]))
def test_kg_extract_on_mutated_articles(ontology, source, published):
    data, suffix = source
    run_extract(data, suffix, published, ontology)


@EXTRACT_FUZZ
@given(data=st.binary(max_size=3000) | st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
       suffix=st.sampled_from([".txt", ".md", ".html", ""]), published=st.sampled_from([None, "2025-02-05"]))
def test_kg_extract_on_random_files(ontology, data, suffix, published):
    run_extract(data, suffix, published, ontology)


@EXTRACT_FUZZ
@given(words=st.lists(st.sampled_from(EXTRACT_TOKENS + QUOTE_MARKS) | nasty_text, min_size=1, max_size=60).map("".join),
       suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_kg_extract_on_quotation_soup(ontology, words, suffix):
    text = f"Headline about a dispute\n\nBy Ana Reyes\n\nWASHINGTON \u2014 {words}\n\nThe end, officials said.\n"
    run_extract(text.encode("utf-8", "surrogatepass"), suffix, "2025-02-05", ontology)
