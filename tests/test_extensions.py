"""Extending the ontology without Python: an extension folder flows through build, SHACL, query, HTML and docs.

The temporary extension written here is the one the README's "Extending the ontology" walks a newcomer through
(a `treaties:Treaty` class and a `treaties:signedBy` property, kept outside the repository and passed with
`--ontology`); the shipped worked example is ontology/extensions/courts/ with its example article.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, XSD

from graph.annotation import article_graph, read_article
from graph.cli import main
from graph.errors import AnnotationError, InputError
from graph.ns import ID, KG
from graph.ontology import Ontology

from .conftest import MINI_DIR, ROOT

COURTS = "https://w3id.org/legal-news-kg/ext/courts#"
COURTS_DIR = ROOT / "ontology" / "extensions" / "courts"
EXAMPLE_SLUG = "wire-2025-03-15-judge-halts-deportation"
EXAMPLE_DIR = COURTS_DIR / "examples" / EXAMPLE_SLUG
TREATIES = "https://example.org/treaties#"

TREATIES_TTL = """\
@prefix treaties: <https://example.org/treaties#> .
@prefix kg:       <https://w3id.org/legal-news-kg/ontology#> .
@prefix owl:      <http://www.w3.org/2002/07/owl#> .
@prefix rdfs:     <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms:  <http://purl.org/dc/terms/> .
@prefix prov:     <http://www.w3.org/ns/prov#> .

<https://example.org/treaties> a owl:Ontology ;
    owl:imports <https://w3id.org/legal-news-kg/ontology> ;
    owl:versionIRI <https://example.org/treaties/1.0.0> ;
    owl:versionInfo "1.0.0" ;
    dcterms:title "Treaties"@en ;
    dcterms:description "Treaties between states, and who signed them."@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcterms:creator "A newcomer" .

treaties:Treaty a owl:Class ;
    rdfs:subClassOf prov:Entity ;
    rdfs:label "treaty"@en ;
    rdfs:comment "A written agreement between states."@en ;
    rdfs:isDefinedBy <https://example.org/treaties> .

treaties:signedBy a owl:ObjectProperty ;
    rdfs:label "signed by"@en ;
    rdfs:comment "A party that signed the treaty."@en ;
    rdfs:domain treaties:Treaty ;
    rdfs:range kg:Actor ;
    rdfs:isDefinedBy <https://example.org/treaties> .
"""

TREATIES_SHAPES = """\
@prefix treaties: <https://example.org/treaties#> .
@prefix kg:       <https://w3id.org/legal-news-kg/ontology#> .
@prefix sh:       <http://www.w3.org/ns/shacl#> .

<https://example.org/treaties/shapes#TreatyShape> a sh:NodeShape ;
    sh:targetClass treaties:Treaty ;
    sh:property [ sh:path treaties:signedBy ; sh:minCount 2 ; sh:class kg:Actor ;
                  sh:message "A treaty needs at least two parties that signed it (treaties:signedBy)." ] .
"""

TREATIES_QUERY = """\
# Question: Which treaties did which parties sign?
PREFIX treaties: <https://example.org/treaties#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?treaty ?party WHERE {
  ?t a treaties:Treaty ; rdfs:label ?treaty ; treaties:signedBy/rdfs:label ?party .
}
ORDER BY ?treaty ?party
"""

TREATY_ANNOTATION = """
entities:
  - id: ruritania-prisoner-treaty
    type: treaties:Treaty
    label: The prisoner treaty between the United States and Ruritania
    properties:
      treaties:signedBy: [united-states, ruritania]
    evidence: [{text: "Republic of Ruritania"}]
"""


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_extension(root: Path, name: str = "treaties", ttl: str = TREATIES_TTL, shapes: str | None = TREATIES_SHAPES,
                    query: str | None = TREATIES_QUERY) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / f"{name}.ttl").write_text(ttl, encoding="utf-8")
    if shapes is not None:
        (folder / f"{name}-shapes.ttl").write_text(shapes, encoding="utf-8")
    if query is not None:
        (folder / "queries").mkdir()
        (folder / "queries" / f"{name}.rq").write_text(query, encoding="utf-8")
    return folder


def treaty_article(tmp_path: Path, extra: str = TREATY_ANNOTATION) -> Path:
    article = tmp_path / "articles" / MINI_DIR.name
    shutil.copytree(MINI_DIR, article)
    path = article / "annotation.yaml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return article


def named_graph(out: Path, slug: str):
    dataset = Dataset()
    dataset.parse(out / "graph.trig", format="trig")
    return dataset.graph(URIRef(f"https://w3id.org/legal-news-kg/graph/article/{slug}"))


# -- the newcomer's extension, kept outside the repository ------------------------------------------------------
@pytest.fixture(scope="module")
def treaties(tmp_path_factory):
    """The README's walk-through: an extension folder, an article that uses it, a build, and the built store."""
    tmp = tmp_path_factory.mktemp("treaties")
    extension = write_extension(tmp / "my-extensions")
    article = treaty_article(tmp)
    out = tmp / "out"
    result = kg("build", article, "--store", out, "--ontology", extension)
    assert result.exit_code == 0, result.output + result.stderr
    return extension, article, out


def test_an_extension_class_and_property_reach_the_built_graph(treaties):
    _, _, out = treaties
    graph = named_graph(out, MINI_DIR.name)
    treaty = ID["entity/ruritania-prisoner-treaty"]
    assert (treaty, RDF.type, URIRef(TREATIES + "Treaty")) in graph
    assert set(graph.objects(treaty, URIRef(TREATIES + "signedBy"))) == {ID["actor/united-states"], ID["actor/ruritania"]}
    ontology = Dataset().parse(out / "graph.trig", format="trig").graph(URIRef("https://w3id.org/legal-news-kg/graph/ontology"))
    assert (URIRef(TREATIES + "Treaty"), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in ontology


def test_without_the_extension_the_annotation_is_refused_with_its_line(treaties, tmp_path):
    _, article, _ = treaties
    result = kg("build", article, "--store", tmp_path / "out")
    assert result.exit_code == 2
    text = (article / "annotation.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, 1) if "type: treaties:Treaty" in t)
    assert f"annotation.yaml:{line}:" in result.stderr and "treaties:Treaty" in result.stderr


def test_the_extension_shapes_validate_articles(treaties, tmp_path):
    extension, _, _ = treaties
    article = treaty_article(tmp_path, TREATY_ANNOTATION.replace("[united-states, ruritania]", "[ruritania]"))
    result = kg("build", article, "--store", tmp_path / "out", "--ontology", extension)
    assert result.exit_code == 1
    assert "A treaty needs at least two parties" in result.stderr
    assert not (tmp_path / "out" / "graph.trig").exists()


def test_the_validated_graph_passes_kg_validate_with_the_extension(treaties):
    extension, _, out = treaties
    result = kg("validate", "--store", out, "--ontology", extension)
    assert result.exit_code == 0, result.output + result.stderr
    assert "1 article graph(s) conform to the shapes" in result.output and "lints without error" in result.output


def test_the_extension_queries_are_listed_and_answer(treaties):
    extension, _, out = treaties
    listed = kg("query", "--list", "--ontology", extension)
    assert listed.exit_code == 0
    assert re.search(r"^treaties\n\s+Which treaties did which parties sign\?", listed.output, re.M)
    assert "treaties" not in kg("query", "--list").output.split()  # only with --ontology
    result = kg("query", "treaties", "--format", "json", "--store", out, "--ontology", extension)
    assert result.exit_code == 0, result.output + result.stderr
    rows = json.loads(result.output)
    assert {r["party"] for r in rows} == {"United States", "Republic of Ruritania"}


def test_the_extension_class_is_in_the_html_legend(treaties):
    _, _, out = treaties
    page = (out / "graph.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    legend = {c["iri"]: c for c in data["classes"]}
    assert TREATIES + "Treaty" in legend, sorted(legend)
    assert legend[TREATIES + "Treaty"]["label"] == "treaty" and legend[TREATIES + "Treaty"]["count"] == 1


def test_the_extension_is_in_the_docs(treaties, tmp_path):
    extension, _, _ = treaties
    result = kg("docs", "-o", tmp_path / "docs", "--ontology", extension)
    assert result.exit_code == 0, result.output + result.stderr
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "treaties:Treaty" in index and "treaties:signedBy" in index and "kg query treaties" in index
    assert "entities: type: treaties:Treaty" in index  # how to use it in an annotation
    page = (tmp_path / "docs" / "extension-treaties.html").read_text(encoding="utf-8")
    assert "A written agreement between states." in page
    assert 'data-iri="https://example.org/treaties#Treaty"' in (tmp_path / "docs" / "classes.svg").read_text()


# -- the shipped worked example: ontology/extensions/courts --------------------------------------------------------
@pytest.fixture(scope="module")
def courts_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("courts-out")
    result = kg("build", EXAMPLE_DIR, "--store", out)
    assert result.exit_code == 0, result.output + result.stderr
    return out


def test_the_courts_example_builds_with_its_classes_properties_and_concepts(courts_store):
    graph = named_graph(courts_store, EXAMPLE_SLUG)
    order, judge, court = ID["entity/marsh-restraining-order"], ID["actor/helen-marsh"], ID["actor/us-district-court-dc"]
    c = lambda name: URIRef(COURTS + name)  # noqa: E731
    assert (order, RDF.type, c("TemporaryRestrainingOrder")) in graph
    assert (judge, RDF.type, c("Judge")) in graph  # `type: courts:Judge` (prefixed name)
    assert (court, RDF.type, c("Court")) in graph  # `type: Court` (local name)
    assert (order, c("issuedBy"), judge) in graph
    assert (order, c("halts"), ID["action/deport-detained-venezuelans-to-el-salvador"]) in graph
    assert (order, c("groundedIn"), URIRef("https://w3id.org/legal-news-kg/doctrine/due-process")) in graph
    assert (court, c("courtLevel"), c("trial-court")) in graph  # an extension SKOS concept by prefixed name
    assert (order, c("issuedOn"), Literal("2025-03-15", datatype=XSD.date)) in graph
    assert (order, c("expiresOn"), Literal("2025-03-29", datatype=XSD.date)) in graph


def test_the_courts_queries_answer(courts_store):
    listed = kg("query", "--list").output
    assert "court-orders" in listed and "contested-actions" in listed
    rows = json.loads(kg("query", "court-orders", "--format", "json", "--store", courts_store).output)
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "temporary restraining order" and row["effect"] == "halts"
    assert row["issued_by"] == "Helen Marsh" and row["court"] == "U.S. District Court for the District of Columbia"
    assert row["doctrines"] == ["due process"] and row["expires"] == "2025-03-29"
    assert row["article"] == EXAMPLE_SLUG and row["case"] == "Doe v. Department of Homeland Security"
    assert row["action"] == "Deporting detained Venezuelan men to El Salvador to be held in CECOT"
    views = json.loads(kg("query", "contested-actions", "--format", "json", "--store", courts_store).output)
    assert {(r["holder"], r["view"]) for r in views} == {
        ("Helen Marsh", "possible under conditions"), ("Rosa Quintero", "unconstitutional"), ("Martin Hale", "legal")}


def test_the_courts_example_is_an_article_of_the_repository():
    """The example is one folder, shown in articles/ through a relative symlink (part of `make run`'s graph)."""
    link = ROOT / "articles" / EXAMPLE_SLUG
    assert link.is_symlink() and link.resolve() == EXAMPLE_DIR.resolve()
    assert not Path(str(link.readlink())).is_absolute()


def test_the_court_order_shape_needs_an_effect(tmp_path):
    article = tmp_path / EXAMPLE_SLUG
    shutil.copytree(EXAMPLE_DIR, article)
    path = article / "annotation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "      courts:halts: deport-detained-venezuelans-to-el-salvador\n", ""), encoding="utf-8")
    result = kg("build", article, "--store", tmp_path / "out")
    assert result.exit_code == 1
    assert "A court order halts (courts:halts) or allows (courts:allows)" in result.stderr


# -- the loader's part: terms of extensions in `properties:` ------------------------------------------------------
def load_with(tmp_path, old: str, new: str):
    article = tmp_path / EXAMPLE_SLUG
    shutil.copytree(EXAMPLE_DIR, article)
    path = article / "annotation.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = next(n for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new.strip() in t)
    return (lambda: article_graph(read_article(article), Ontology())), line


def test_a_date_phrase_in_properties_is_normalised_for_a_date_property(tmp_path):
    load, _ = load_with(tmp_path, "      courts:issuedOn: 2025-03-15\n", "      courts:issuedOn: on Saturday\n")
    graph = load()
    assert (ID["entity/marsh-restraining-order"], URIRef(COURTS + "issuedOn"),
            Literal("2025-03-15", datatype=XSD.date)) in graph


def test_an_unknown_prefixed_term_names_the_line(tmp_path):
    load, line = load_with(tmp_path, "      courts:courtLevel: courts:trial-court\n", "      courts:courtLevel: courts:trial-cuort\n")
    with pytest.raises(AnnotationError) as caught:
        load()
    assert caught.value.line == line
    assert "courts:trial-cuort" in str(caught.value) and "not a term of the ontology" in str(caught.value)


def test_an_unknown_prefix_names_the_line(tmp_path):
    load, line = load_with(tmp_path, "      courts:courtLevel: courts:trial-court\n", "      courts:courtLevel: nope:trial-court\n")
    with pytest.raises(AnnotationError) as caught:
        load()
    assert caught.value.line == line


# a datatype property's declared XSD range decides what `properties:` takes: (range, YAML value, the literal, or
# None for an error naming the line and the range)
TYPED_TTL = TREATIES_TTL + "".join(f"""
treaties:{name} a owl:DatatypeProperty ;
    rdfs:label "{name}"@en ;
    rdfs:comment "A value of {name}."@en ;
    rdfs:range xsd:{name} ;
    rdfs:isDefinedBy <https://example.org/treaties> .
""" for name in ("string", "integer", "nonNegativeInteger", "decimal", "double", "boolean", "dateTime", "anyURI"))
TYPED_TTL = TYPED_TTL.replace("@prefix prov:", "@prefix xsd:      <http://www.w3.org/2001/XMLSchema#> .\n@prefix prov:")
TYPED_CASES = [
    ("string", '"25-cv-0412"', Literal("25-cv-0412")),
    ("string", "766", Literal("766")),  # a docket number YAML reads as a number is still text
    ("string", "true", None),
    ("integer", "12", Literal("12", datatype=XSD.integer)),
    ("integer", "twelve", None),
    ("integer", "1.5", None),
    ("integer", "yes", None),  # YAML's true is not 1
    ("nonNegativeInteger", "-3", None),
    ("decimal", "2.50", Literal("2.5", datatype=XSD.decimal)),
    ("decimal", ".nan", None),
    ("double", "1e3", None),  # YAML 1.1 reads 1e3 as text: write 1.0e+3
    ("double", "1.0e+3", Literal("1000.0", datatype=XSD.double)),
    ("boolean", "false", Literal("false", datatype=XSD.boolean)),
    ("boolean", '"false"', None),
    ("dateTime", "2025-03-15T09:30:00-05:00", Literal("2025-03-15T09:30:00-05:00", datatype=XSD.dateTime)),
    ("dateTime", "2025-03-15", None),  # a day is not a moment
    ("dateTime", '"2025-03-15"', None),  # nor as text
    ("dateTime", '"in the morning"', None),
    ("anyURI", "https://example.org/ruling.pdf", Literal("https://example.org/ruling.pdf", datatype=XSD.anyURI)),
    ("anyURI", '"the ruling"', None),
]


@pytest.mark.parametrize("name, value, expected", TYPED_CASES,
                         ids=[f"{name}-{value}" for name, value, _ in TYPED_CASES])
def test_a_datatype_property_takes_what_its_range_says(tmp_path, name, value, expected):
    extension = write_extension(tmp_path / "ext", ttl=TYPED_TTL, shapes=None, query=None)
    article = treaty_article(tmp_path, TREATY_ANNOTATION.replace(
        "      treaties:signedBy: [united-states, ruritania]\n",
        f"      treaties:signedBy: [united-states, ruritania]\n      treaties:{name}: {value}\n"))
    load = lambda: article_graph(read_article(article), Ontology(extra_extension_dirs=[extension]))  # noqa: E731
    if expected is None:
        with pytest.raises(AnnotationError) as caught:
            load()
        line = next(n for n, t in enumerate((article / "annotation.yaml").read_text().splitlines(), 1)
                    if f"treaties:{name}:" in t)
        assert caught.value.line == line and f"its range is xsd:{name}" in str(caught.value)
    else:
        values = list(load().objects(ID["entity/ruritania-prisoner-treaty"], URIRef(TREATIES + name)))
        assert values == [expected] and values[0].datatype == expected.datatype


# -- broken extensions --------------------------------------------------------------------------------------------
def test_an_extension_with_bad_turtle_names_the_file_and_line(tmp_path):
    bad = TREATIES_TTL.replace('rdfs:label "treaty"@en ;', 'rdfs:label "treaty ;')
    extension = write_extension(tmp_path / "ext", ttl=bad)
    result = kg("build", treaty_article(tmp_path), "--store", tmp_path / "out", "--ontology", extension)
    assert result.exit_code == 2
    line = next(n for n, t in enumerate(bad.splitlines(), 1) if '"treaty ;' in t)
    assert re.search(rf"treaties\.ttl:{line}\b", result.stderr), result.stderr
    assert not (tmp_path / "out" / "graph.trig").exists()


def test_an_extension_with_a_subclass_cycle_names_the_file_and_line(tmp_path):
    cyclic = TREATIES_TTL.replace("rdfs:subClassOf prov:Entity ;", "rdfs:subClassOf treaties:Agreement ;") + """
treaties:Agreement a owl:Class ;
    rdfs:subClassOf treaties:Treaty ;
    rdfs:label "agreement"@en ;
    rdfs:comment "An agreement."@en ;
    rdfs:isDefinedBy <https://example.org/treaties> .
"""
    extension = write_extension(tmp_path / "ext", ttl=cyclic)
    result = kg("build", treaty_article(tmp_path), "--store", tmp_path / "out", "--ontology", extension)
    assert result.exit_code == 2, result.output
    line = next(n for n, t in enumerate(cyclic.splitlines(), 1) if t.startswith("treaties:Agreement a owl:Class"))
    assert f"treaties.ttl:{line}" in result.stderr and "treaties:Agreement" in result.stderr
    assert "cycle" in result.stderr or "own ancestor" in result.stderr


def test_a_broken_extension_inside_the_ontology_folder_stops_the_build_until_it_is_removed(tmp_path):
    from graph.build import build

    ontology_dir = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology_dir, ignore=shutil.ignore_patterns("examples"))
    broken = ontology_dir / "extensions" / "broken"
    broken.mkdir()
    (broken / "broken.ttl").write_text("@prefix ex: <https://example.org/x#> .\nex:a ex:b \n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build([MINI_DIR], tmp_path / "out", ontology=Ontology(directories=[ontology_dir]), html=False)
    assert "broken.ttl:" in str(caught.value)
    shutil.rmtree(broken)
    report = build([MINI_DIR], tmp_path / "out", ontology=Ontology(directories=[ontology_dir]), html=False)
    assert report.articles == [MINI_DIR.name]


def test_the_default_ontology_loads_the_courts_extension():
    ontology = Ontology()
    assert ontology.classes["courts:Court"] == URIRef(COURTS + "Court")
    assert ontology.classes["Court"] == URIRef(COURTS + "Court")
    assert ontology.properties["courts:halts"] == URIRef(COURTS + "halts")
    assert any(p.parent == COURTS_DIR for p in ontology.shape_files)
    assert KG.Organization in set(ontology.graph.transitive_objects(URIRef(COURTS + "Court"),
                                                                     URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")))


# -- versions ------------------------------------------------------------------------------------------------------
def package_version() -> str:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_ontology_and_shipped_extensions_carry_the_package_version():
    """One release step sets them all (scripts/set_version.py); this fails while any disagrees."""
    from rdflib.namespace import OWL

    from graph.modules import modules

    version = package_version()
    checked = 0
    for module in modules(Ontology()):
        for onto in module.graph.subjects(RDF.type, OWL.Ontology):
            assert str(module.graph.value(onto, OWL.versionInfo)) == version, (module.name, onto)
            assert module.graph.value(onto, OWL.versionIRI) == URIRef(f"{onto}/{version}"), (module.name, onto)
            checked += 1
    assert checked >= 2  # the core and the courts extension
    assert Ontology().version == version


def test_the_changelog_has_a_section_for_the_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(package_version())}\] - \d{{4}}-\d\d-\d\d$", changelog, re.M)


def test_a_build_records_the_ontology_version_that_made_it(courts_store):
    graph = named_graph(courts_store, EXAMPLE_SLUG)
    article = ID[f"article/{EXAMPLE_SLUG}"]
    assert graph.value(article, KG.ontologyVersion) == Literal(package_version())


def test_set_version_updates_every_place(tmp_path):
    """scripts/set_version.py on a copy of the files it edits."""
    import subprocess
    import sys

    for part in ("pyproject.toml", "CHANGELOG.md", "scripts/set_version.py", "graph/__init__.py", "ontology/core.ttl",
                 "ontology/extensions/courts/courts.ttl"):
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / part, tmp_path / part)
    run = subprocess.run([sys.executable, str(tmp_path / "scripts" / "set_version.py"), "9.8.7"],
                         capture_output=True, text=True, check=True)
    assert "CHANGELOG.md" in run.stdout
    assert 'version = "9.8.7"' in (tmp_path / "pyproject.toml").read_text()
    for ttl in ("ontology/core.ttl", "ontology/extensions/courts/courts.ttl"):
        text = (tmp_path / ttl).read_text()
        assert 'owl:versionInfo "9.8.7"' in text and "/9.8.7>" in text
