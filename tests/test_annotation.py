"""The loader: one article folder to triples, and a clear `file:line: message` for every mistake."""

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph.annotation import article_graph, read_article
from graph.errors import AnnotationError
from graph.ns import ID, KG, OA

from .conftest import MINI_DIR


def load(directory, ontology):
    return article_graph(read_article(directory), ontology)


def test_the_mini_article_loads_with_offsets_that_slice_the_text(ontology):
    graph = load(MINI_DIR, ontology)
    text = (MINI_DIR / "article.txt").read_text(encoding="utf-8")
    statements = list(graph.subjects(RDF.type, KG.Statement))
    assert len(statements) == 3
    for statement in statements:
        quote = str(graph.value(statement, KG.quote))
        selector = URIRef(str(statement) + "/anchor/position")
        start, end = int(graph.value(selector, OA.start)), int(graph.value(selector, OA.end))
        assert text[start:end] == quote


def test_dates_and_iris_are_stable(ontology):
    graph = load(MINI_DIR, ontology)
    s1 = ID["article/mini-wire-story/statement/s1"]
    assert graph.value(s1, KG.saidOn) == Literal("2025-02-28", datatype=XSD.date)  # "on Friday" before Monday 3 March
    assert (ID["actor/lee-gelernt"], RDF.type, KG.Person) in graph
    again = load(MINI_DIR, ontology)
    assert set(graph) == set(again)  # no blank nodes, no random ids: the same triples every time


def test_split_quote_shares_one_utterance_and_sequence_follows_the_text(ontology):
    graph = load(MINI_DIR, ontology)
    s1, s2 = ID["article/mini-wire-story/statement/s1"], ID["article/mini-wire-story/statement/s2"]
    assert graph.value(s1, KG.partOfUtterance) == graph.value(s2, KG.partOfUtterance) is not None
    assert int(graph.value(s1, KG.sequence)) == 1 and int(graph.value(s2, KG.sequence)) == 2


def break_annotation(article_copy, old, new):
    folder = article_copy()
    path = folder / "annotation.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    return folder, line


@pytest.mark.parametrize("old, new, message", [
    ('quote: "You may not deport a citizen,"', 'quote: "You may not deport a non-citizen,"', r"not found"),
    ("quote: It is that simple.", "quote: said", r"occurs 2 times.*occurrence"),
    ("speaker: officials", "speaker: ghost", r"`speaker: ghost` names no item"),
    ("    said: on Friday\n    occasion", "    said: next blursday\n    occasion", r"cannot read the date"),
    ("    utterance: u1\n  - id: s2", "    utterance: u1\n    colour: red\n  - id: s2", r"`colour` is not a field"),
    ("view: unconstitutional", "view: dubious", r"not a value of v:legality-views"),
    ("doctrine: citizen-non-deportation\n    kind", "doctrine: no-such-doctrine\n    kind", r"not a doctrine"),
    ("  - id: s3", "  - id: s1", r"id `s1` is used twice"),
    ("  - id: citizens", "  - id: Citizens!", r"kebab-case"),
])
def test_mistakes_name_the_file_the_line_and_the_fix(article_copy, ontology, old, new, message):
    folder, line = break_annotation(article_copy, old, new)
    with pytest.raises(AnnotationError) as caught:
        load(folder, ontology)
    error = caught.value
    assert error.path.endswith("annotation.yaml")
    assert re.search(message, str(error)), str(error)
    assert error.line is not None and abs(error.line - line) <= 3, (error.line, line)


def test_broken_yaml_gives_the_line(article_copy, ontology):
    folder, line = break_annotation(article_copy, "  - id: citizens\n    label: citizens", "  - id: citizens\n    label: [citizens")
    with pytest.raises(AnnotationError) as caught:
        load(folder, ontology)
    assert "not valid YAML" in str(caught.value) and caught.value.line is not None


def test_yaml_aliases_are_refused(article_copy, ontology):
    folder, _ = break_annotation(article_copy, "tags: [immigration]", "tags: &t [immigration]\n  source: *t")
    with pytest.raises(AnnotationError, match="aliases"):
        load(folder, ontology)


def test_article_text_must_be_utf8(article_copy, ontology):
    folder = article_copy()
    (folder / "article.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(AnnotationError, match="UTF-8"):
        read_article(folder)


def test_an_article_text_too_large_to_be_one_article_is_refused_by_the_build(article_copy, monkeypatch):
    """The text is read up to the limit and no further; the build says which file and exits 2, writing nothing."""
    from click.testing import CliRunner

    import graph.annotation
    from graph.cli import main

    folder = article_copy()
    text = (folder / "article.txt").read_text(encoding="utf-8")
    monkeypatch.setattr(graph.annotation, "MAX_TEXT_BYTES", len(text.encode()) + 10)
    read_article(folder)  # at the limit: fine
    (folder / "article.txt").write_text(text + "x" * 11, encoding="utf-8")
    out = folder.parent / "out"
    result = CliRunner().invoke(main, ["build", str(folder), "--store", str(out)])
    assert result.exit_code == 2
    assert f"{folder / 'article.txt'}" in result.stderr and "more than one news article" in result.stderr
    assert not (out / "graph.trig").exists()


def test_the_input_hash_is_the_same_read_in_blocks(article_copy, monkeypatch):
    """Hashing a file in blocks keeps every stored kg:inputHash valid (a changed hash would rebuild every store)."""
    import hashlib

    from graph.annotation import Article, input_hash

    folder = article_copy()
    (folder / "article.txt").write_bytes((folder / "article.txt").read_bytes() * 900)  # over one 1 MiB block
    article = Article(folder, folder.name, "", {}, folder / "article.txt", folder / "annotation.yaml")
    parts = [(folder / "article.txt").read_bytes(), (folder / "annotation.yaml").read_bytes(), b"0.1.0"]
    expected = hashlib.sha256(b"".join(hashlib.sha256(part).digest() for part in parts)).hexdigest()
    assert input_hash(article, "0.1.0") == expected
