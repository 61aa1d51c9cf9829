"""The prepare phase's shortcuts give exactly the answers of the slow, plain way.

graph/shacl.py decides whether data conforms with its own engine (pySHACL runs only when it does not, and words the
problems); graph/yamlfile.py parses with libyaml (the Python loader reads any file libyaml's read fails on). These
tests run the plain way (engine="pyshacl": pySHACL on the data and the whole ontology mixed into one graph; the
pure-Python YAML loader) next to the fast one on every fixture, the seed, the extension example and hundreds of
mutated graphs, and assert identical results.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyshacl
import pytest
import yaml
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph import shacl, yamlfile
from graph.annotation import article_graph, read_article
from graph.errors import AnnotationError
from graph.ontology import ROOT, Ontology

from .conftest import DATA, SEED_DIR

COURTS = ROOT / "ontology" / "extensions" / "courts"
COURTS_EXAMPLE = next(p for p in sorted((COURTS / "examples").iterdir()) if p.is_dir())
FIXTURES = sorted((DATA / "valid").glob("*.ttl")) + sorted((DATA / "invalid").glob("*.ttl"))
TRIG_FIXTURES = sorted((DATA / "violations").glob("*.trig"))


def both(data: Graph, ontology) -> tuple[list, list]:
    return (shacl.validate(data, ontology.shapes, ontology.graph, engine="pyshacl"),
            shacl.validate(data, ontology.shapes, ontology.graph))


def test_the_fast_engine_supports_the_projects_shapes(ontology):
    """Else every build would silently fall back to pySHACL alone (correct, but 4x slower)."""
    core, _ = shacl.split_shapes(ontology.shapes)
    assert shacl._engine(core) is not None



def test_the_engine_indexes_backwards_only_what_its_shapes_read(ontology):
    """An article's index keeps object -> subjects and the target tables only for the predicates the engine reads
    there: the project's inverse paths and its sh:targetSubjectsOf / sh:targetObjectsOf. Left out, an inverse-path
    shape would see no values and wrongly pass: the narrowed and the full index must decide alike."""
    from rdflib.namespace import RDFS

    core, _ = shacl.split_shapes(ontology.shapes)
    engine = shacl._engine(core)
    org = "http://www.w3.org/ns/org#"
    kg = "https://w3id.org/legal-news-kg/ontology#"
    assert {RDF.type, RDFS.subClassOf, URIRef(org + "holds"), URIRef(kg + "partOfUtterance")} <= engine.needs.into
    assert URIRef(kg + "anchor") in engine.needs.objects and URIRef(kg + "evidence") in engine.needs.subjects
    assert URIRef(kg + "quote") not in engine.needs.into  # a forward-only predicate
    index = shacl._Index(ontology.graph)
    for fixture in FIXTURES:
        data = Graph().parse(fixture, format="turtle")
        narrow, full = shacl._Index(data, engine.needs), shacl._Index(data)
        assert set(narrow.into) < set(full.into) or not full.into
        assert (engine.data_conforms(shacl._Data([index, narrow]))
                == engine.data_conforms(shacl._Data([index, full]))), fixture.name

@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_violations_on_every_fixture(fixture: Path, ontology):
    old, new = both(Graph().parse(fixture, format="turtle"), ontology)
    assert new == old
    assert bool(new) == (fixture.parent.name == "invalid")


@pytest.mark.parametrize("fixture", TRIG_FIXTURES, ids=lambda p: p.stem)
def test_same_violations_on_every_graph_of_the_store_fixtures(fixture: Path, ontology):
    dataset = Dataset()
    dataset.parse(fixture, format="trig")
    graphs = [g for g in dataset.graphs() if len(g)]
    assert graphs
    for graph in graphs:
        plain = Graph()
        for triple in graph:
            plain.add(triple)
        old, new = both(plain, ontology)
        assert new == old, graph.identifier


def test_same_violations_on_the_seed_and_the_extension_example(ontology):
    seed = article_graph(read_article(SEED_DIR), ontology)
    assert both(seed, ontology) == ([], [])
    courts = Ontology(extra_extension_dirs=[COURTS]) if COURTS not in Ontology().extension_dirs_in(ROOT / "ontology") \
        else ontology
    example = article_graph(read_article(COURTS_EXAMPLE), courts)
    assert both(example, courts) == ([], [])


def mutations(graph: Graph, ontology, seed: int, count: int):
    """Graphs one edit away from ``graph``: a triple dropped, retyped, re-pointed, a literal of another type."""
    rng = random.Random(seed)
    triples = sorted(graph, key=lambda t: tuple(map(str, t)))
    nodes = sorted({t[0] for t in triples} | {t[2] for t in triples if not isinstance(t[2], Literal)}, key=str)
    classes = sorted({t[2] for t in triples if t[1] == RDF.type}, key=str)
    doctrines = sorted(ontology.doctrines.values(), key=str)[:5]
    literals = [Literal("x"), Literal(""), Literal("-3", datatype=XSD.integer), Literal("7", datatype=XSD.integer),
                Literal("2025-02-30", datatype=XSD.date), Literal("2025-02-03", datatype=XSD.date),
                Literal("true", datatype=XSD.boolean), Literal("word", lang="en"), Literal("a" * 40),
                Literal("5", datatype=XSD.nonNegativeInteger), Literal("abc", datatype=XSD.integer)]
    for _ in range(count):
        mutated = Graph()
        for triple in triples:
            mutated.add(triple)
        s, p, o = rng.choice(triples)
        kind = rng.randrange(6)
        if kind == 0:
            mutated.remove((s, p, o))
        elif kind == 1:
            mutated.remove((s, p, o))
            mutated.add((s, p, rng.choice(nodes + doctrines)))
        elif kind == 2:
            mutated.remove((s, p, o))
            mutated.add((s, p, rng.choice(literals)))
        elif kind == 3:
            mutated.add((rng.choice(nodes), RDF.type, rng.choice(classes)))
        elif kind == 4:
            mutated.add((s, p, rng.choice(nodes + literals)))
        else:
            mutated.add((BNode(), p, o))
        yield mutated


@pytest.mark.parametrize("fixture", ["valid/full-article.ttl", "valid/statement-speaker-unknown.ttl",
                                     "invalid/post-holder-not-reciprocal.ttl", "invalid/position-attribution-mismatch.ttl"])
def test_same_violations_on_mutated_graphs(fixture: str, ontology):
    """The engine must never call conforming what pySHACL finds fault with (and should agree the other way)."""
    base = Graph().parse(DATA / fixture, format="turtle")
    core, _ = shacl.split_shapes(ontology.shapes)
    engine = shacl._engine(core)
    index = shacl._Index(ontology.graph)
    disagreements = []
    for number, mutated in enumerate(mutations(base, ontology, seed=len(fixture), count=60)):
        mixed = Graph()
        for triple in mutated:
            mixed.add(triple)
        for triple in ontology.graph:
            mixed.add(triple)
        reference, _, text = pyshacl.validate(mixed, shacl_graph=core, inference="none", advanced=True,
                                              allow_warnings=True)
        fast = engine.data_conforms(shacl._Data([index, shacl._Index(mutated, engine.needs)]))
        if fast != reference:
            disagreements.append((number, fast, text[:300]))
    assert disagreements == []


def test_same_violations_on_mutated_seed_articles(ontology):
    base = article_graph(read_article(SEED_DIR), ontology)
    for mutated in mutations(base, ontology, seed=1, count=8):
        old, new = both(mutated, ontology)
        assert new == old


# -- pySHACL's `re.error: bad escape` -----------------------------------------------------------------------

def test_a_sparql_message_with_backslashes_in_its_value_is_reported(ontology):
    """pySHACL 0.40 formats `{?value}` with re.sub, so a value holding `\\d` or `\\\\` raised re.error: bad escape
    instead of giving the report. graph.shacl replaces that formatting (literal substitution)."""
    quote = r"C:\dir \d+ and \\ twice"
    data = Graph()
    article = URIRef("https://w3id.org/legal-news-kg/id/article/a")
    statement = URIRef("https://w3id.org/legal-news-kg/id/article/a/statement/s01")
    anchor = URIRef("https://w3id.org/legal-news-kg/id/article/a/statement/s01/anchor")
    kg = "https://w3id.org/legal-news-kg/ontology#"
    oa = "http://www.w3.org/ns/oa#"
    data.add((statement, URIRef(kg + "inArticle"), article))
    data.add((statement, URIRef(kg + "quote"), Literal(quote)))
    data.add((statement, URIRef(kg + "anchor"), anchor))
    selector = BNode()
    data.add((anchor, URIRef(oa + "hasSelector"), selector))
    data.add((selector, URIRef(oa + "exact"), Literal(quote + " (not the same)")))
    data.add((article, RDF.type, URIRef(kg + "Article")))
    # pySHACL's own SPARQL path (the full shapes, sh:sparql included), which used to raise re.error
    conforms, report, text = pyshacl.validate(data + ontology.graph, shacl_graph=ontology.shapes, inference="none",
                                              advanced=True, allow_warnings=True)
    assert not conforms
    assert quote in text
    # and the product's path gives the same words
    messages = [v.message for v in shacl.validate(data, ontology.shapes, ontology.graph)]
    assert any(quote in m and "oa:exact" in m for m in messages), messages


def test_an_annotation_whose_quote_holds_backslashes_gets_a_normal_report(ontology, tmp_path):
    """An article whose quoted words hold `\\d` and `\\\\`, made invalid after conversion: a report, no crash."""
    folder = tmp_path / "backslash-story"
    folder.mkdir()
    words = r"the pattern \d+ and C:\\temp"
    (folder / "article.txt").write_text(f'The agency said "{words}" in a filing.\n', encoding="utf-8")
    mini = (DATA / "articles" / "mini-wire-story" / "annotation.yaml").read_text(encoding="utf-8")
    annotation = yaml.safe_load(mini)
    annotation = {"format": annotation.get("format", 1), "article": annotation["article"],
                  "actors": annotation["actors"][:1],
                  "statements": [{"id": "s01", "speaker": annotation["actors"][0]["id"], "quote": words}]}
    annotation["article"]["publisher"] = annotation["actors"][0]["id"]
    for key in ("authors", "image", "cleaning"):
        annotation["article"].pop(key, None)
    (folder / "annotation.yaml").write_text(yaml.safe_dump(annotation, allow_unicode=True), encoding="utf-8")
    graph = article_graph(read_article(folder), ontology)
    assert shacl.validate(graph, ontology.shapes, ontology.graph) == []
    statement = next(s for s, q in graph.subject_objects(URIRef("https://w3id.org/legal-news-kg/ontology#quote")))
    graph.set((statement, URIRef("https://w3id.org/legal-news-kg/ontology#quote"), Literal(words + "\\")))
    old, new = both(graph, ontology)
    assert new == old
    assert any(words in v.message for v in new), new


# -- YAML: libyaml and the Python loader agree ----------------------------------------------------------------

def yaml_files():
    files = sorted(ROOT.glob("articles/*/annotation.yaml")) + sorted(DATA.rglob("*.yaml"))
    return [p for p in files if ".venv" not in p.parts]


def lines(value):
    if isinstance(value, dict):
        return (getattr(value, "line", None), getattr(value, "key_lines", None),
                {k: lines(v) for k, v in value.items()})
    if isinstance(value, list):
        return [lines(v) for v in value]
    return None


def reference_load(path: Path):
    try:
        text = path.read_bytes().decode("utf-8")
        value = yaml.load(text, Loader=yamlfile._Loader)  # noqa: S506 - derives from SafeLoader
    except Exception as exc:  # noqa: BLE001 - compared below
        return ("error", type(exc).__name__)
    return value, lines(value)


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_fast_yaml_read_gives_the_same_values_and_lines(path: Path):
    try:
        value = yamlfile.load(path)
    except AnnotationError:
        assert reference_load(path)[0] == "error"
        return
    assert (value, lines(value)) == reference_load(path)


def test_a_star_in_a_string_is_no_alias(tmp_path):
    """The fast read walks the nodes for an alias only when the text has a `*`; one inside a string is read as text."""
    path = tmp_path / "annotation.yaml"
    path.write_text('quote: "5 * 3, said *nobody*"\nitems: [a, "*b"]\nplain: no star\n', encoding="utf-8")
    value = yamlfile.load(path)
    assert value == {"quote": "5 * 3, said *nobody*", "items": ["a", "*b"], "plain": "no star"}
    assert (value, lines(value)) == reference_load(path)


@pytest.mark.parametrize("text, line", [
    ("a: &x 1\nb: *x\n", 2),
    ("base: &b {x: 1}\nc:\n  <<: *b\n", 3),
    ("a: [1, 2\nb: 3\n", None),
    ("a: 1\na: 2\n", 2),
    ("a:\n  b: !!int ''\n", 2),
    ("a: 1\n\tb: 2\n", None),
    ("a: \x07\n", None),
])
def test_bad_yaml_is_reported_as_the_python_loader_reports_it(tmp_path, text, line):
    path = tmp_path / "annotation.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnnotationError) as fast:
        yamlfile.load(path)
    saved, yamlfile._CSafeLoader = yamlfile._CSafeLoader, None
    try:
        with pytest.raises(AnnotationError) as reference:
            yamlfile.load(path)
    finally:
        yamlfile._CSafeLoader = saved
    assert str(fast.value) == str(reference.value)
    if line is not None:
        assert fast.value.line == line
