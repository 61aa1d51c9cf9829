"""SHACL shapes against self-describing fixtures (tests/data/valid, tests/data/invalid), in the style of pySHACL's
own tests. Each fixture starts with comment lines:

    # expect: conforms
    # expect: violation kgsh:StatementShape              (a result from this node shape or its property shapes)
    # expect: violation kgsh:StatementShape kg:saidOn    (... with this sh:resultPath)
    # expect: violation kgsh:ArticleTextShape kgsh:QuoteMatchesText   (... from this SPARQL constraint)

An invalid fixture must produce every expected violation and nothing else, so it fails for the stated reason only.

Validation is called the way the loader calls it (graph/shacl.py): the ontology modules are added to the data
graph in full (pySHACL's ``ont_graph`` would copy only class and property axioms, not the SKOS schemes and doctrines
the shapes check values against), with no inference, because RDFS inference would type every value by its
property's rdfs:range and make every sh:class check pass.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, XSD

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
DATA = Path(__file__).resolve().parent / "data"
VALID = sorted((DATA / "valid").glob("*.ttl"))
INVALID = sorted((DATA / "invalid").glob("*.ttl"))

KG = Namespace("https://w3id.org/legal-news-kg/ontology#")
KGSH = Namespace("https://w3id.org/legal-news-kg/shapes#")
PREFIXES = {
    "kg": str(KG), "kgsh": str(KGSH), "v": "https://w3id.org/legal-news-kg/vocab/",
    "schema": "https://schema.org/", "oa": "http://www.w3.org/ns/oa#", "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for name in ("core.ttl", "vocab.ttl", "doctrines.ttl"):
        graph.parse(ONTOLOGY_DIR / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


def validate(data: Graph, shapes: Graph, ontology: Graph, inference: str = "none"):
    """The SHACL run the loader makes: data and ontology in one graph, no inference, SHACL-AF on."""
    return pyshacl.validate(data + ontology, shacl_graph=shapes, inference=inference, advanced=True,
                            allow_warnings=True)


def curie(term) -> str | None:
    if not isinstance(term, URIRef):
        return None
    for prefix, ns in PREFIXES.items():
        if str(term).startswith(ns):
            return f"{prefix}:{str(term)[len(ns):]}"
    return str(term)


def results(report: Graph, shapes: Graph) -> list[tuple[str | None, str | None, str]]:
    """(node shape, result path or SPARQL constraint, message) of each top-level result; a property shape's
    result is credited to the node shape that holds it."""
    found = []
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(report_node, SH.result):
            source = report.value(result, SH.sourceShape)
            if isinstance(source, BNode) or (source, RDF.type, SH.NodeShape) not in shapes:
                source = shapes.value(None, SH.property, source) or source
            detail = report.value(result, SH.resultPath)
            if detail is None and report.value(result, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent:
                detail = report.value(result, SH.sourceConstraint)
            found.append((curie(source), curie(detail), str(report.value(result, SH.resultMessage))))
    return found


def expectations(path: Path) -> list[list[str]]:
    lines = [line[len("# expect:"):].split() for line in path.read_text(encoding="utf-8").splitlines()
             if line.startswith("# expect:")]
    assert lines, f"{path.name} says nothing about what to expect (# expect: ...)"
    return lines


def matches(expected: list[str], result: tuple[str | None, str | None, str]) -> bool:
    shape, path, _ = result
    return expected[1] == shape and (len(expected) < 3 or expected[2] == path)


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms(path, shapes, ontology):
    assert expectations(path) == [["conforms"]]
    data = Graph().parse(path, format="turtle")
    conforms, report, text = validate(data, shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_fails_for_the_stated_reason(path, shapes, ontology):
    expected = expectations(path)
    assert all(e[0] == "violation" and len(e) in (2, 3) for e in expected), expected
    data = Graph().parse(path, format="turtle")
    conforms, report, text = validate(data, shapes, ontology)
    assert not conforms
    found = results(report, shapes)
    for e in expected:
        assert any(matches(e, r) for r in found), f"expected {' '.join(e)}; got {found}"
    for r in found:
        assert any(matches(e, r) for e in expected), f"unexpected result {r}"
        assert r[2] and not r[2].startswith(("Node ", "Value ", "Less than", "More than")), \
            f"{r}: results need a message written for a person (sh:message)"


@pytest.mark.parametrize("path", sorted((DATA / "golden").glob("*.ttl")), ids=lambda p: p.stem)
def test_the_loaders_golden_output_conforms(path, shapes, ontology):
    """What `kg build` writes for the golden fixture articles (read back from the store) meets the shapes."""
    conforms, _, text = validate(Graph().parse(path, format="turtle"), shapes, ontology)
    assert conforms, text


def test_there_are_fixtures_for_the_required_cases():
    names = {p.stem for p in INVALID}
    for required in ("statement-without-speaker", "quote-not-at-offsets", "offer-without-offeror",
                     "said-on-not-a-date", "position-without-evidence", "post-without-organization",
                     "start-after-end"):
        assert required in names
    assert {p.stem for p in VALID} >= {"full-article", "statement-with-speaker"}


# ------------------------------------------------------------------------------------------------ the shapes


LOADER_CLASSES = ["Article", "Actor", "Post", "Place", "PersonGroup", "Event", "ProposedAction", "Offer",
                  "LegalCondition", "LegalDoctrine", "Statement", "Mention", "Utterance", "LegalPosition"]


@pytest.mark.parametrize("name", LOADER_CLASSES)
def test_each_class_the_loader_writes_has_a_shape(shapes, name):
    shape = KGSH[f"{name}Shape"]
    assert (shape, RDF.type, SH.NodeShape) in shapes
    assert (shape, SH.targetClass, KG[name]) in shapes


def test_every_targeted_constraint_has_a_message(shapes):
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    node_shapes = {s for t in targets for s in shapes.subjects(t, None)}
    assert node_shapes
    for shape in node_shapes:
        for prop_shape in shapes.objects(shape, SH.property):
            assert shapes.value(prop_shape, SH.message) is not None, \
                f"{curie(shape)} {curie(shapes.value(prop_shape, SH.path))}: no sh:message"
        for constraint in shapes.objects(shape, SH.sparql):
            assert shapes.value(constraint, SH.message) is not None, f"{curie(shape)}: SPARQL constraint without sh:message"
        if (shape, SH.xone, None) in shapes or (shape, SH["class"], None) in shapes:
            assert shapes.value(shape, SH.message) is not None, f"{curie(shape)}: no sh:message"


def test_rdfs_inference_would_hide_a_wrong_speaker(shapes, ontology):
    """Why validation runs without inference: kg:speaker's rdfs:range would make anything an actor."""
    data = Graph().parse(DATA / "invalid" / "statement-speaker-not-actor.ttl", format="turtle")
    assert not validate(data, shapes, ontology)[0]
    assert validate(data, shapes, ontology, inference="rdfs")[0]


# ------------------------------------------------------------------------------------------------ offsets


ID = "https://w3id.org/legal-news-kg/id/"
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def article_with_mentions(body: str, spans: list[tuple[int, int]], quotes: list[str] | None = None) -> Graph:
    """An article graph with one mention per (start, end) span, written as the loader writes them."""
    g = Graph()
    art = URIRef(ID + "article/a")
    publisher = URIRef(ID + "actor/p")
    curator = URIRef(ID + "agent/curator")
    g.add((art, RDF.type, KG.Article))
    g.add((art, SCHEMA.headline, Literal("A")))
    g.add((art, SCHEMA.datePublished, Literal("2025-02-05T10:00:00", datatype=XSD.dateTime)))
    g.add((art, SCHEMA.publisher, publisher))
    g.add((art, SCHEMA.articleBody, Literal(body)))
    g.add((art, KG.slug, Literal("a")))
    g.add((art, PROV.wasAttributedTo, curator))
    g.add((curator, RDF.type, KG.Curator))
    g.add((publisher, RDF.type, KG.Organization))
    g.add((publisher, RDFS_LABEL, Literal("P")))
    for n, (start, end) in enumerate(spans, 1):
        node = URIRef(f"{ID}article/a/mention/{n}")
        anchor, pos, quote = URIRef(f"{node}/anchor"), URIRef(f"{node}/anchor/position"), URIRef(f"{node}/anchor/quote")
        words = quotes[n - 1] if quotes else body[start:end]
        g.add((node, RDF.type, KG.Mention))
        g.add((node, KG.quote, Literal(words)))
        g.add((node, KG.inArticle, art))
        g.add((node, KG.anchor, anchor))
        g.add((anchor, RDF.type, OA.SpecificResource))
        g.add((anchor, OA.hasSource, art))
        g.add((anchor, OA.hasSelector, pos))
        g.add((anchor, OA.hasSelector, quote))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
        g.add((pos, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(words)))
        g.add((quote, OA.prefix, Literal(body[max(0, start - 32):start])))
        g.add((quote, OA.suffix, Literal(body[end:end + 32])))
    return g


@st.composite
def body_and_span(draw):
    body = draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
    start = draw(st.integers(0, len(body) - 1))
    end = draw(st.integers(start + 1, len(body)))
    return body, start, end


# The property-based tests below run the product's engine (graph/shacl.py: pySHACL for SHACL Core, Oxigraph for
# the sh:sparql constraints), derandomized so a run is reproducible. pySHACL's own SPARQL path is not used here:
# it is slow on many focus nodes, and pySHACL 0.40 raises `re.error: bad escape` while formatting a message whose
# value holds a backslash (the product formats messages itself, see tests/test_shacl_engine.py).
PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


def product_violations(data: Graph, shapes: Graph, ontology: Graph):
    from graph.shacl import validate as product_validate

    return product_validate(data, shapes, ontology)


@PROPERTY_SETTINGS
@given(body_and_span())
def test_offsets_are_code_points_as_python_slices_them(shapes, ontology, case):
    """Any text (accents, emoji, newlines, quotes, backslashes) sliced at any offsets: the shapes agree with Python."""
    body, start, end = case
    found = product_violations(article_with_mentions(body, [(start, end)]), shapes, ontology)
    assert found == [], "\n".join(map(str, found))


@PROPERTY_SETTINGS
@given(body_and_span())
def test_a_quote_one_character_off_is_caught(shapes, ontology, case):
    body, start, end = case
    wrong = body[start:end] + "x"
    found = product_violations(article_with_mentions(body, [(start, end)], [wrong]), shapes, ontology)
    assert any(v.shape == "kgsh:ArticleTextShape" and v.message.startswith("A quote must be the exact text at its offsets")
               for v in found), "\n".join(map(str, found))


def test_a_quote_with_backslashes_is_reported_with_its_words(shapes, ontology):
    body = 'He wrote "C:\\new\\d+ \\1" on the board.'
    start = body.index("C:")
    end = body.index('" on')
    found = product_violations(article_with_mentions(body, [(start, end)], [body[start:end] + "\\"]), shapes, ontology)
    messages = [v.message for v in found if v.shape == "kgsh:ArticleTextShape"]
    assert messages and body[start:end] in messages[0]


def test_an_article_with_many_quotes_conforms(shapes, ontology):
    """Sixty quotes in one article (the SPARQL constraints see every one at once)."""
    paragraph = '"We would do it in a heartbeat," the president said on Tuesday about the offer. '
    body = paragraph * 60
    spans = [(i * len(paragraph) + 1, i * len(paragraph) + 31) for i in range(60)]
    found = product_violations(article_with_mentions(body, spans), shapes, ontology)
    assert found == [], "\n".join(map(str, found))
    wrong = [body[s:e] for s, e in spans]
    wrong[41] = wrong[41].upper()
    found = product_violations(article_with_mentions(body, spans, wrong), shapes, ontology)
    assert [v.focus for v in found if v.message.startswith("A quote must be")] == ["id:article/a"], found
