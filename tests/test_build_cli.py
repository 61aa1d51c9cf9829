"""`kg build` and `kg query` through the public surface (click's CliRunner), on the seed article."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset
from rdflib.compare import isomorphic

from graph.cli import main

from .conftest import MINI_DIR, SEED_DIR


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = kg("build", SEED_DIR, "--store", out)
    assert result.exit_code == 0, result.output
    return out, result


def statements(out):
    result = kg("query", "statements", "--format", "json", "--store", out)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_build_prints_a_summary_and_writes_the_outputs(built):
    out, result = built
    assert re.search(r"built 1 article", result.output)
    assert re.search(r"statements: (\d+)", result.output)
    assert (out / "graph.trig").stat().st_size > 0 and (out / "graph.html").stat().st_size > 0
    assert not list(out.glob(".*.tmp")), "temporary files left behind"


def test_every_statement_slices_the_article_text_to_its_quote(built):
    out, _ = built
    text = (SEED_DIR / "article.txt").read_text(encoding="utf-8")
    rows = statements(out)
    assert len(rows) > 20
    for row in rows:
        assert set(row) >= {"speaker", "quote", "article", "start", "end", "date"}
        assert text[row["start"]:row["end"]] == row["quote"]
        assert row["article"] == SEED_DIR.name


def test_every_quotation_in_the_text_is_a_statement(built):
    """Each span between double quotation marks holds at least one statement inside it."""
    out, _ = built
    text = (SEED_DIR / "article.txt").read_text(encoding="utf-8")
    spans = [(m.start(1), m.end(1)) for m in re.finditer(r'"([^"]+)"', text)]
    rows = statements(out)
    missing = [text[s:e] for s, e in spans if not any(s <= r["start"] and r["end"] <= e for r in rows)]
    assert not missing


def test_speakers_are_the_right_people(built):
    out, _ = built
    by_quote = {r["quote"]: r["speaker"] for r in statements(out)}

    def speaker_of(words):
        matches = sorted((len(q), s) for q, s in by_quote.items() if words in q)
        assert matches, words
        return matches[0][1]  # the innermost quotation holding the words

    assert speaker_of("just profoundly grateful") == "Marco Rubio"
    assert speaker_of("I would do it in a heartbeat") == "Donald Trump"
    assert speaker_of("You may not deport a U.S. citizen, period") == "Lee Gelernt"
    assert speaker_of("a non-starter") == "Lee Gelernt"
    assert speaker_of("We would love to do that") != "Donald Trump"  # nested: the other countries speak


def test_building_twice_gives_the_same_bytes_and_an_isomorphic_graph(built, tmp_path):
    out, _ = built
    assert kg("build", SEED_DIR, "--store", tmp_path).exit_code == 0
    first, second = (out / "graph.trig").read_bytes(), (tmp_path / "graph.trig").read_bytes()
    a, b = Dataset(), Dataset()
    a.parse(data=first, format="trig")
    b.parse(data=second, format="trig")
    names = {g.identifier for g in a.graphs()}
    assert names == {g.identifier for g in b.graphs()} and len(names) >= 2
    for name in names:
        assert isomorphic(a.graph(name), b.graph(name)), name
    assert first == second
    again = kg("build", SEED_DIR, "--store", tmp_path)
    assert "0 rebuilt" in again.output  # nothing changed, nothing rewritten
    assert (tmp_path / "graph.trig").read_bytes() == second


def test_a_broken_annotation_leaves_the_previous_output_whole(tmp_path):
    article = tmp_path / "mini-wire-story"
    shutil.copytree(MINI_DIR, article)
    out = tmp_path / "out"
    assert kg("build", article, "--store", out).exit_code == 0
    before = (out / "graph.trig").read_bytes()
    html_before = (out / "graph.html").read_bytes()
    path = article / "annotation.yaml"
    path.write_text(path.read_text().replace("quote: It is that simple.", "quote: It is not that simple."))
    result = kg("build", article, "--store", out)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "annotation.yaml:" in lines[0] and "It is not that simple." in lines[0]
    assert (out / "graph.trig").read_bytes() == before
    assert (out / "graph.html").read_bytes() == html_before
    assert kg("query", "statements", "--format", "json", "--store", out).exit_code == 0


STRICT_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kg: <https://w3id.org/legal-news-kg/ontology#> .
<urn:test:EventNeedsDate> a sh:NodeShape ; sh:targetClass kg:Event ;
    sh:property [ sh:path kg:date ; sh:minCount 1 ; sh:message "An event needs a date (kg:date)." ] .
"""


def test_a_graph_that_breaks_a_shape_fails_with_a_readable_report_and_writes_nothing(tmp_path):
    """The loader accepts an event without a date; a stricter shape (as an extension may add) rejects it."""
    from graph.build import build
    from graph.errors import CheckFailed
    from graph.ontology import Ontology

    article = tmp_path / "mini-wire-story"
    shutil.copytree(MINI_DIR, article)
    path = article / "annotation.yaml"
    path.write_text(path.read_text().replace("    date: on Friday\n", ""))
    extension = tmp_path / "strict"
    extension.mkdir()
    (extension / "strict-shapes.ttl").write_text(STRICT_SHAPES)
    out = tmp_path / "out"
    with pytest.raises(CheckFailed) as caught:
        build([article], out, ontology=Ontology(extra_extension_dirs=[extension]))
    report = str(caught.value)
    assert caught.value.exit_code == 1
    assert "does not conform" in report and "event/friday-remarks" in report and "needs a date" in report
    assert not (out / "graph.trig").exists()


def test_offers_and_positions_answer_in_each_format(built):
    out, _ = built
    for name in ("offers", "positions"):
        for fmt in ("json", "csv", "table"):
            result = kg("query", name, "--format", fmt, "--store", out)
            assert result.exit_code == 0, result.output
            assert "Bukele" in result.output or "Gelernt" in result.output


def test_query_without_a_built_graph_says_to_build(tmp_path):
    result = kg("query", "statements", "--store", tmp_path / "nothing")
    assert result.exit_code == 2 and "kg build" in result.stderr


def _command_paths(group, prefix=()):
    """Every command and subcommand of a click group, as the words typed after `kg`."""
    import click

    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))


def test_every_command_has_help_with_an_example():
    paths = list(_command_paths(main))
    listed = kg("--help").output
    assert ("analyze", "path") in paths
    for expected in ("build", "query", "extract", "validate", "lint", "show", "docs", "serve", "analyze"):
        assert (expected,) in paths, expected
        assert f"  {expected} " in listed, f"`kg --help` does not list {expected}"
    for path in paths:
        result = kg(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        assert "Example:" in result.output, f"`kg {' '.join(path)} --help` has no example"
        assert "kg " + " ".join(path) in result.output.split("Example:", 1)[1], f"`kg {' '.join(path)}` example"


GRAPH_MODULES = sorted(p.stem for p in (Path(__file__).parent.parent / "graph").glob("*.py"))


def test_every_graph_module_imports_alone_in_a_fresh_interpreter():
    """A module that imports graph.cli at the top (for STORE_HELP, reports_errors) must not meet a half-made
    graph.cli: each module is imported first, in its own interpreter, then graph.cli after it."""
    script = "import importlib, sys\nimportlib.import_module(sys.argv[1])\nimportlib.import_module('graph.cli')\n"
    broken = {}
    for name in GRAPH_MODULES:
        done = subprocess.run([sys.executable, "-c", script, f"graph.{name}"], capture_output=True, text=True)
        if done.returncode:
            broken[name] = done.stderr.strip().splitlines()[-1]
    assert "cli" in GRAPH_MODULES and "show" in GRAPH_MODULES
    assert not broken, broken


@pytest.mark.parametrize("module", ["graph", "graph.cli"])
def test_python_dash_m_runs_kg(module):
    done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: kg ") and "  show " in done.stdout and "  validate " in done.stdout
    done = subprocess.run([sys.executable, "-m", module, "show", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "Example:" in done.stdout, done.stderr


def test_properties_take_prefixed_terms_ids_date_phrases_and_typed_values(tmp_path):
    """What docs/design.md promises for `properties:`, through kg build and kg query; offsets come back as integers."""
    article = tmp_path / "mini-wire-story"
    shutil.copytree(MINI_DIR, article)
    yaml_path = article / "annotation.yaml"
    text = yaml_path.read_text()
    assert text.count("    destination: ruritania\n") == 1
    yaml_path.write_text(text.replace("    destination: ruritania\n", """    destination: ruritania
    properties:
      kg:about: [doctrine:citizen-non-deportation, lee-gelernt, kg:Place]
      conveyedOn: last Tuesday
      kg:saidOn: "2025-02-26"
      kg:dateText: "0412"
      kg:sequence: 0412
      kg:speakerUnknown: true
"""))
    out = tmp_path / "out"
    result = kg("build", article, "--store", out, "--no-html")
    assert result.exit_code == 0, result.output
    action = "<https://w3id.org/legal-news-kg/id/action/jail-citizens-abroad>"
    result = kg("query", "--format", "json", "--store", out, "--sparql",
                f"SELECT ?p ?o (DATATYPE(?o) AS ?t) WHERE {{ GRAPH ?g {{ {action} ?p ?o }} }}")
    assert result.exit_code == 0, result.output
    rows = {(r["p"], r["o"], r.get("t")) for r in json.loads(result.output)}
    kg_ = "https://w3id.org/legal-news-kg/ontology#"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert {r[1] for r in rows if r[0] == kg_ + "about"} == {
        "https://w3id.org/legal-news-kg/doctrine/citizen-non-deportation",
        "https://w3id.org/legal-news-kg/id/actor/lee-gelernt", kg_ + "Place"}
    published_monday = "2025-03-03"  # the fixture's publication date; "last Tuesday" is the week before
    assert published_monday in text
    assert (kg_ + "conveyedOn", "2025-02-25", xsd + "date") in rows
    assert (kg_ + "saidOn", "2025-02-26", xsd + "date") in rows
    assert (kg_ + "dateText", "0412", xsd + "string") in rows
    assert {(p, t) for p, o, t in rows if p == kg_ + "sequence"} == {(kg_ + "sequence", xsd + "integer")}
    assert {(p, t) for p, o, t in rows if p == kg_ + "speakerUnknown"} == {(kg_ + "speakerUnknown", xsd + "boolean")}
    result = kg("query", "statements", "--format", "json", "--store", out)
    assert all(isinstance(s["start"], int) and isinstance(s["end"], int) for s in json.loads(result.output))
    result = kg("query", "--format", "json", "--store", out, "--sparql",
                "PREFIX oa: <http://www.w3.org/ns/oa#> SELECT DISTINCT (DATATYPE(?s) AS ?t) WHERE { GRAPH ?g { ?x oa:start ?s } }")
    assert [r["t"] for r in json.loads(result.output)] == [xsd + "integer"]

    yaml_path.write_text(yaml_path.read_text().replace("conveyedOn: last Tuesday", "conveyedOn: some day soon"))
    result = kg("build", article, "--store", out, "--no-html")
    assert result.exit_code == 2 and "annotation.yaml" in result.stderr and "some day soon" in result.stderr
