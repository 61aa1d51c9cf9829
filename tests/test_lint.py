"""The ontology lint over files (`kg lint`, graph.lint.lint_ontology): every rule breaks once in a fixture.

Each folder of tests/data/lint/ is an extension that breaks one rule once; the offending line carries the comment
`# breaks: <rule>`. Linting the repository's ontology plus that folder must report the rule at that file and line,
with the term and a fix, at ROBOT's level for it; and the repository's own ontology (core + courts) has no error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import main
from graph.lint import ERROR, INFO, WARNING, Finding, lint_ontology, misspelt_terms, report
from graph.ontology import Ontology

from .conftest import DATA

LINT = DATA / "lint"

# rule -> (ROBOT level, the term the finding names, or None for a finding about the file)
EXPECTED = {
    "missing_label": (ERROR, "ex:Unlabelled"),
    "missing_definition": (ERROR, "ex:Undefined"),
    "duplicate_label": (ERROR, "ex:Other"),
    "undeclared_term": (ERROR, "ex:Thign"),
    "misspelt_standard_term": (ERROR, "skos:prefLable"),
    "missing_domain_range": (INFO, "ex:owner"),
    "inverse_one_way": (ERROR, "ex:ownedBy"),
    "cycle": (ERROR, "ex:A"),
    "class_and_property": (ERROR, "ex:Thing"),
    "missing_ontology_metadata": (ERROR, "https://example.org/lint/missing_ontology_metadata"),
    "missing_ontology": (ERROR, None),
    "missing_import": (WARNING, "https://example.org/lint/missing_import"),
    "parse_error": (ERROR, None),
}


def fixture(rule: str) -> Path:
    return LINT / rule.replace("_", "-")


def marked_line(path: Path, rule: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = [n for n, text in enumerate(lines, 1) if re.search(rf"#\s*breaks: {rule}\s*$", text)]
    return marked[0] if marked else 0


def findings_in(folder: Path) -> list[Finding]:
    return [f for f in lint_ontology(Ontology(extra_extension_dirs=[folder])) if str(folder) in f.file]


def test_every_rule_has_a_fixture_and_every_fixture_a_rule():
    assert sorted(p.name for p in LINT.iterdir() if p.is_dir()) == sorted(r.replace("_", "-") for r in EXPECTED)


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_the_fixture_breaks_its_rule_at_the_marked_line(rule):
    folder = fixture(rule)
    (path,) = sorted(folder.glob("*.ttl"))
    level, term = EXPECTED[rule]
    found = [f for f in findings_in(folder) if f.rule == rule]
    assert found, f"no `{rule}` finding; got: " + "; ".join(map(str, findings_in(folder)))
    line = marked_line(path, rule)
    at = [f for f in found if f.file == str(path) and f.line == line]
    assert at, f"expected {path.name}:{line}, got " + "; ".join(f"{f.file}:{f.line}" for f in found)
    finding = at[0]
    assert finding.severity == level
    if term is not None:
        assert finding.term == term
    assert finding.fix, "every finding says how to fix it"
    assert f"{path}:{line}" in str(finding) if line else str(path) in str(finding)


@pytest.mark.parametrize("rule", sorted(r for r, (level, _) in EXPECTED.items() if level == ERROR))
def test_kg_lint_exits_1_on_an_error_and_prints_where(rule):
    folder = fixture(rule)
    result = CliRunner().invoke(main, ["lint", "--ontology", str(folder)])
    assert result.exit_code == 1, result.output
    assert re.search(rf"^ERROR\s+{rule}\s+\S*{re.escape(folder.name)}", result.output, re.M), result.output
    assert "lint error" in result.stderr


def test_the_fixtures_break_nothing_else():
    """Each fixture is clean apart from its rule (and what follows from it), so each test tests one rule."""
    follows = {"class_and_property": {"missing_domain_range"}, "missing_ontology": {"wrong_defined_by"}}
    for rule in EXPECTED:
        others = {f.rule for f in findings_in(fixture(rule)) if f.rule != rule} - follows.get(rule, set())
        assert others == set(), f"{rule}: also {others}"


def test_the_repository_ontology_has_no_lint_error():
    findings = lint_ontology(Ontology())
    errors = [f for f in findings if f.severity == ERROR]
    assert errors == [], "\n".join(map(str, errors))
    courts = [f for f in findings if "extensions/courts" in f.file and f.severity != INFO]
    assert courts == [], "\n".join(map(str, courts))


def test_the_repository_ontology_has_no_lint_warning():
    """No duplicate label (kg:place / kg:Place, kg:facility / kg:Facility once shared one) nor any other warning in
    the core or the shipped extension: what remains is INFO (a property with no domain because it has several)."""
    warnings = [f for f in lint_ontology(Ontology()) if f.severity not in (ERROR, INFO)]
    assert warnings == [], "\n".join(map(str, warnings))


def test_kg_lint_on_the_repository_exits_0_with_a_summary():
    result = CliRunner().invoke(main, ["lint"])
    assert result.exit_code == 0, result.output
    assert re.search(r"^ontology lint: 0 error\(s\), 0 warning\(s\), \d+ info$", result.output, re.M)


def test_a_bad_turtle_file_is_reported_and_the_rest_still_linted(tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "bad.ttl").write_text("@prefix ex: <https://example.org/x#> .\nex:a ex:b \"unterminated .\n")
    good = (fixture("missing_label") / "missing-label.ttl").read_text()
    (folder / "good.ttl").write_text(good)
    findings = findings_in(folder)
    assert any(f.rule == "parse_error" and f.file.endswith("bad.ttl") and f.line == 2 for f in findings)
    assert any(f.rule == "missing_label" and f.file.endswith("good.ttl") for f in findings)


def test_a_misspelt_term_in_the_shapes_is_found(tmp_path):
    folder = tmp_path / "shapes-typo"
    folder.mkdir()
    (folder / "shapes-typo-shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix kg: <https://w3id.org/legal-news-kg/ontology#> .\n"
        "<https://example.org/s> a sh:NodeShape ;\n    sh:targetClass kg:Person ;\n"
        "    sh:property [ sh:path kg:speaker ; sh:minCout 1 ] .\n")
    found = [f for f in findings_in(folder) if f.rule == "misspelt_standard_term"]
    assert [(f.term, f.line, f.fix) for f in found] == [("sh:minCout", 5, "write sh:minCount")]


def test_standard_vocabulary_terms_that_exist_are_not_flagged():
    from rdflib import Graph

    graph = Graph().parse(data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix oa: <http://www.w3.org/ns/oa#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix schema: <https://schema.org/> .
        <urn:a> skos:prefLabel "a" ; oa:hasSelector <urn:b> ; rdf:_1 <urn:c> ; schema:spokenByCharacter <urn:d> ;
            <http://www.w3.org/2000/01/rdf-schema#seeAlso> <http://www.w3.org/2004/02/skos/core#> .
        <urn:b> oa:exact "x" ; oa:hasSelectr <urn:e> .
    """, format="turtle")
    assert [f.term for f in misspelt_terms(graph)] == ["oa:hasSelectr"]


def test_the_report_reads_like_robots():
    text = report([Finding(ERROR, "ex:A", "class has no rdfs:label", "x.ttl", 3, "missing_label", "add rdfs:label")])
    assert text.splitlines()[0].split()[:3] == ["ERROR", "missing_label", "x.ttl:3"]
    assert "fix: add rdfs:label" in text and text.endswith("1 error(s), 0 warning(s), 0 info")


def test_kg_validate_runs_the_lint(tmp_path):
    """A built graph that conforms still fails `kg validate` when an extension has a lint error, naming file:line."""
    from .conftest import MINI_DIR

    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(MINI_DIR), "--store", str(out)]).exit_code == 0
    clean = CliRunner().invoke(main, ["validate", "--store", str(out)])
    assert clean.exit_code == 0 and "the ontology lints without error" in clean.output
    folder = fixture("misspelt_standard_term")
    broken = CliRunner().invoke(main, ["validate", "--store", str(out), "--ontology", str(folder)])
    assert broken.exit_code == 1
    line = marked_line(folder / "misspelt-standard-term.ttl", "misspelt_standard_term")
    assert re.search(rf"\[lint\] skos:prefLable: .*fix: write skos:prefLabel .*misspelt-standard-term\.ttl:{line}",
                     broken.stderr), broken.stderr
