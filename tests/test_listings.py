"""Listings (graph/listings.py): the answers of the queries that list everything, kept beside the store, must be
the rows the query gives, after every build. The random walk below changes a small synthetic corpus the way
articles change (a shared actor renamed in one article, two articles sharing an action under different labels, a
stance flipped, an article added, removed, restored) and compares, after each build, every kept listing with the
query itself; each listing must have been kept up to date by the build, not made again when asked."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph import listings, queries, sparqltext
from graph.build import build
from graph.cli import main
from graph.ontology import Ontology
from graph.store import OxigraphStore

from .conftest import ROOT, script

gen_corpus = script("gen_corpus")

LISTED = {"statements", "positions", "contradictions", "timeline", "text-anchor-violation", "date-order-violation",
          "doctrines", "offers"}
VIOLATIONS = ROOT / "tests" / "data" / "violations"


def ordered_rows(result, keys, lists=()):
    """The rows as comparable tuples, and their ORDER BY keys in order (rows tied on every key may come in any
    order: SPARQL leaves it open, as it leaves the order of a list column's items, compared sorted)."""
    rows = [tuple((name, queries.plain(row.get(name), True) if name in lists else row.get(name))
                  for name in result.variables) for row in result.rows]
    return sorted(rows, key=repr), [tuple(dict(row).get(k) for k in keys) for row in rows]


def assert_same(store, query):
    listing = listings.spec(query)
    live = store.query(*queries.bound_text(query, {}))
    if query.params:
        live.variables = [v for v in live.variables if v not in query.params]
    listed = queries.execute(store, query, {})
    assert listed.variables == live.variables
    keys = [name for name, _ in listing.plan.keys if name in live.variables]
    assert ordered_rows(listed, keys, query.lists) == ordered_rows(live, keys, query.lists), query.name


def test_a_listing_made_by_one_process_is_read_by_another(tmp_path):
    """Regression: the record of a query's text once held a set's printed order, which Python varies from process
    to process, so a listing kept by `kg build --listings` was never read by `kg query` (made again each time)."""
    import subprocess
    import sys

    script = ("import sys; from graph import listings, queries; "
              "print(listings.spec(queries.named_queries()['statements']).digest)")
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1 and len(next(iter(digests)).strip()) == 32


def test_the_listed_queries_are_the_ones_that_list_everything():
    named = queries.named_queries()
    assert set(listings.specs(named)) == LISTED
    for name in LISTED:
        assert listings.spec(named[name]).key in queries.bound_text(named[name], {})[0]


def test_a_listing_gives_the_rows_of_the_query_on_the_seed(seed_store, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_store, out)
    (out / listings.DB_FILE).unlink(missing_ok=True)
    store = OxigraphStore(out, read_only=True)
    named = queries.named_queries()
    for name in sorted(LISTED):
        assert_same(store, named[name])       # made now, from the store
        assert_same(store, named[name])       # read back
    assert (out / listings.DB_FILE).is_file()
    store.close()


def test_the_rows_of_some_keys_are_those_keys_rows_of_the_whole_query(seed_store, tmp_path):
    """A build asks again only the rows of the keys a change reaches: bound at the query's `#given KEY:` lines or
    by a VALUES block, they must be exactly those keys' rows of the whole query, a few keys at a time or all."""
    out = tmp_path / "out"
    shutil.copytree(seed_store, out)
    store = OxigraphStore(out, read_only=True)
    for name, listing in sorted(listings.specs(queries.named_queries()).items()):
        variables, whole = listings.rows_by_key(store, listing)
        if name.endswith("-violation"):
            continue  # no rows on the seed: the planted faults below
        assert whole, name
        keys = sorted(whole)
        for chunk in (keys[:1], keys[1:3], keys):
            from pyoxigraph import NamedNode

            terms = [NamedNode(key[1:-1]) for key in chunk]
            some_variables, some = listings.rows_by_key(store, listing, terms)
            assert some_variables == variables
            assert {k: sorted(map(repr, v)) for k, v in some.items()} == \
                {k: sorted(map(repr, whole[k])) for k in chunk}, name
        nothing = listings.rows_by_key(store, listing, [NamedNode("https://example.org/no-such-node")])
        assert nothing[1] == {}
    store.close()


def _rows(store, text, lists):
    """The rows as text, a list column's items sorted (SPARQL leaves their order open)."""
    answer = store.raw_query(text)
    names = [v.value for v in answer.variables]
    return names, sorted(repr([sorted(solution[n].value.split(queries.LIST_SEPARATOR)) if n in lists
                               and solution[n] is not None else listings._encode(solution[n]) for n in names])
                         for solution in answer)


ANCHOR_FAULTS = """
@prefix kg: <https://w3id.org/legal-news-kg/ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
@base <https://w3id.org/legal-news-kg/id/> .
<https://w3id.org/legal-news-kg/graph/article/faults> {
  <article/faults> a kg:Article ; kg:slug "faults" ; schema:articleBody "We will study it, she said." .
  <article/other> a kg:Article ; kg:slug "other" ; schema:articleBody "Another text." .
  <article/faults/statement/nowhere> a kg:Statement ; kg:quote "We will" .
  <article/faults/mention/unquoted> a kg:Mention ; kg:inArticle <article/faults> ; kg:anchor <article/faults/a/1> .
  <article/faults/statement/elsewhere> a kg:Statement ; kg:quote "We will" ; kg:inArticle <article/faults> ;
      kg:anchor <article/faults/a/2> .
  <article/faults/statement/backwards> a kg:Statement ; kg:quote "We will" ; kg:inArticle <article/faults> ;
      kg:anchor <article/faults/a/3> .
  <article/faults/statement/good> a kg:Statement, kg:Mention ; kg:quote "We will" ; kg:inArticle <article/faults> ;
      kg:anchor <article/faults/a/1> .
  <article/faults/a/1> oa:hasSource <article/faults> ; oa:hasSelector <article/faults/s/1> .
  <article/faults/s/1> a oa:TextPositionSelector ; oa:start 0 ; oa:end 7 .
  <article/faults/a/2> oa:hasSource <article/other> ; oa:hasSelector <article/faults/s/1> .
  <article/faults/a/3> oa:hasSource <article/faults> ; oa:hasSelector <article/faults/s/3> .
  <article/faults/s/3> a oa:TextPositionSelector ; oa:start 7 ; oa:end 0 .
}
"""


def test_a_whole_store_form_gives_the_rows_of_its_query(seed_store, corpus, tmp_path):
    """queries/whole/NAME.rq makes a listing whole (hash joins); the query itself asks the keys again: the two must
    give the same rows, on the seed article, a synthetic corpus (shared actors, unknown speakers) and stores with
    planted faults (every integrity check's branches)."""
    import pyoxigraph as ox

    made, root, folders = corpus
    ontology = Ontology(extra_extension_dirs=[root / "ontology-extension"])
    build(folders, tmp_path / "corpus-store", ontology=ontology, html=False, trig=False)
    named = queries.named_queries(ontology)
    formed = {name: spec for name, spec in listings.specs(named).items() if spec.whole is not None}
    assert {"statements", "positions", "text-anchor-violation", "contradictions", "timeline",
            "date-order-violation"} <= set(formed)
    stores = [seed_store, tmp_path / "corpus-store"]
    for number, fixture in enumerate(sorted(VIOLATIONS.glob("*.trig")) + [None]):
        directory = tmp_path / f"fault-{number}"
        store = OxigraphStore(directory)
        if fixture is None:
            store.store.load(ANCHOR_FAULTS.encode(), ox.RdfFormat.TRIG)
        else:
            store.store.load(path=str(fixture), format=ox.RdfFormat.TRIG)
        store.close()
        stores.append(directory)
    found = {}
    for directory in stores:
        store = OxigraphStore(directory, read_only=True)
        try:
            for name, spec in formed.items():
                names, rows = _rows(store, spec.plan.text, spec.lists)
                found.setdefault(name, []).extend(rows)
                assert _rows(store, spec.whole.text, spec.lists) == (names, rows), (name, directory)
        finally:
            store.close()
    problems = " ".join(found["text-anchor-violation"])
    for branch in ("no text anchor", "not in an article", "no quote", "anchored in another article",
                   "is not its quote"):
        assert branch in problems, branch  # every branch of the check found something to compare
    problems = " ".join(found["date-order-violation"])
    for branch in ("after its article was published", "before the event it was said at",
                   "before the event it was conveyed at", "after an article reporting it was published"):
        assert branch in problems, branch
    assert all(found.values()), {name: len(rows) for name, rows in found.items()}


def test_a_store_that_keeps_no_listing_is_asked_the_whole_store_form(seed_store):
    """`memory:`, a SPARQL server or a store holding inferred triples keep no listing: a listed query asked with no
    parameter goes to them in its whole-store form (an Oxigraph server at 1M triples: `statements` 13.2 s -> 5.7 s,
    `text-anchor-violation` 8.4 s -> 2.0 s), with the query's rows in the query's order; with a parameter, the
    query itself."""
    inner = OxigraphStore(seed_store, read_only=True)

    class Spy:  # not an OxigraphStore: keeps no listing
        asked: list = []

        def query(self, text, bindings=None):
            self.asked.append(text)
            return inner.query(text, bindings)

    spy = Spy()
    named = queries.named_queries()
    try:
        for name in ("statements", "timeline", "positions", "contradictions", "text-anchor-violation"):
            query = named[name]
            whole = listings.whole_text(query)
            assert whole is not None and "# Form of:" in whole
            got = queries.execute(spy, query, {})
            assert spy.asked[-1] == whole, name
            itself = inner.query(queries.bound_text(query, {})[0])
            itself.variables = [v for v in itself.variables if v not in query.params]
            assert queries.records(got, query.lists) == queries.records(itself, query.lists), name
        statements = named["statements"]
        given = queries.bind_params(statements, ["article_iri=id:article/npr-2025-02-05-el-salvador-prisons"])
        assert len(queries.execute(spy, statements, given).rows) > 20
        assert spy.asked[-1] != listings.whole_text(statements), "with a parameter the query itself is asked"
        assert listings.whole_text(named["doctrines"]) is None and queries.execute(spy, named["doctrines"], {}).rows
    finally:
        inner.close()


def test_every_shipped_whole_store_form_answers_for_its_query_as_it_is():
    """Each whole-store form is of a listed query and names the query's text as it is now. `doctrines` and `offers`
    have none: `doctrines` is written for the whole store already (its sub-selects read each doctrine's lists once),
    and no other form of `offers` was faster."""
    named = queries.named_queries()
    forms = sorted((ROOT / "ontology" / "queries" / listings.WHOLE_DIR).glob("*.rq"))
    assert {path.stem for path in forms} == set(listings.specs(named)) - {"doctrines", "offers"}
    for path in forms:
        query = named[path.stem]
        line = f"# Form of: {path.name} {sparqltext.fingerprint(query.text)}"
        assert listings.spec(query).whole is not None, (
            f"{path}: not used; once it gives {path.name}'s rows again (this test file's whole-form tests), its line "
            f"is `{line}`, and it selects the query's variables in order and has its ORDER BY")


def test_a_whole_store_form_written_for_another_text_of_its_query_is_not_used(tmp_path):
    """Any edit of the query but to a comment or its layout makes the query itself make the listing: a form
    written for the old text could give other rows."""
    folder = tmp_path / "queries"
    (folder / listings.WHOLE_DIR).mkdir(parents=True)
    shipped = queries.named_queries()["statements"]
    whole = (shipped.path.parent / listings.WHOLE_DIR / "statements.rq").read_text(encoding="utf-8")
    (folder / listings.WHOLE_DIR / "statements.rq").write_text(whole, encoding="utf-8")
    edits = {
        "comment": ("# Question: Who said what", "# Question: Who said what exactly", True),
        "layout": ("  ?statement a kg:Statement ;\n", "  ?statement   a kg:Statement ;\n\n", True),
        "filter": ("  ?article_iri kg:slug ?article .\n",
                   "  ?article_iri kg:slug ?article .\n  FILTER(?article != \"hidden\")\n", False),
        "string": ('separator="\\u001f") AS ?audience', 'separator=", ") AS ?audience', False),
        "undone": ("", "", True),
    }
    for name, (old, new, used) in edits.items():
        assert old in shipped.text, name
        (folder / "statements.rq").write_text(shipped.text.replace(old, new), encoding="utf-8")
        query = queries.parse_query_file(folder / "statements.rq")
        assert (listings.spec(query).whole is not None) == used, name
    (folder / listings.WHOLE_DIR / "statements.rq").write_bytes(whole.replace("\n", "\r\n").encode("utf-8"))
    assert listings.spec(queries.parse_query_file(folder / "statements.rq")).whole is not None  # saved on Windows
    (folder / listings.WHOLE_DIR / "statements.rq").write_text(
        whole.replace("# Form of: statements.rq ", "# Form of: positions.rq "), encoding="utf-8")
    assert listings.spec(queries.parse_query_file(folder / "statements.rq")).whole is None


def test_kg_build_names_a_whole_store_form_its_edited_query_no_longer_matches(tmp_path):
    """An extension's listed query with its whole-store form: the build says nothing while the form's line names the
    query's text; after an edit of the query it says which form to check again and the line to give it, and the
    query itself makes the listing meanwhile (same rows)."""
    from .conftest import MINI_DIR
    from .test_extensions import write_extension

    folder = write_extension(tmp_path / "ext", query=None)
    shipped = queries.named_queries()["statements"]
    query_path = folder / "queries" / "said.rq"
    (folder / "queries" / listings.WHOLE_DIR).mkdir(parents=True)
    query_path.write_text(shipped.text, encoding="utf-8")
    whole = (shipped.path.parent / listings.WHOLE_DIR / "statements.rq").read_text(encoding="utf-8")
    form = folder / "queries" / listings.WHOLE_DIR / "said.rq"
    form.write_text(whole.replace("# Form of: statements.rq ", "# Form of: said.rq "), encoding="utf-8")
    out = tmp_path / "out"
    built = CliRunner().invoke(main, ["build", "--listings", "--ontology", str(folder), "--store", str(out),
                                      str(MINI_DIR)], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    assert "written for another text" not in built.output
    edited = shipped.text.replace("  ?article_iri kg:slug ?article .\n",
                                  "  ?article_iri kg:slug ?article .\n  FILTER(STRLEN(?article) > 0)\n")
    assert edited != shipped.text
    query_path.write_text(edited, encoding="utf-8")
    built = CliRunner().invoke(main, ["build", "--listings", "--ontology", str(folder), "--store", str(out),
                                      str(MINI_DIR)], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    line = f"# Form of: said.rq {sparqltext.fingerprint(edited)}"
    assert f"{form}: written for another text of said.rq" in built.output and line in built.output, built.output
    asked = CliRunner().invoke(main, ["query", "said", "--ontology", str(folder), "--store", str(out),
                                      "--format", "csv"], catch_exceptions=False)
    mine = CliRunner().invoke(main, ["query", "statements", "--store", str(out), "--format", "csv"],
                              catch_exceptions=False)
    assert asked.exit_code == 0 and asked.output == mine.output and asked.output.count("\n") > 1


@pytest.mark.parametrize("a, b, same", [
    ("SELECT ?a WHERE { ?a ?b ?c }", "SELECT ?a\nWHERE {\n  ?a ?b ?c   # every triple\n}\n", True),
    ("# Question: x\nSELECT ?a WHERE { }", "# Question: y\nSELECT ?a WHERE { }", True),
    ('SELECT ?a WHERE { ?a ?b "x  y" }', 'SELECT ?a WHERE { ?a ?b "x y" }', False),
    ("SELECT ?a WHERE { ?a <http://x/#a> ?c }", "SELECT ?a WHERE { ?a <http://x/#b> ?c }", False),
    ("SELECT ?a WHERE { ?a ?b ?c }", "SELECT ?a WHERE { ?a ?b ?d }", False),
])
def test_a_query_fingerprint_ignores_comments_and_layout_only(a, b, same):
    assert (sparqltext.fingerprint(a) == sparqltext.fingerprint(b)) == same


def test_a_whole_store_form_that_selects_otherwise_is_not_used(tmp_path):
    folder = tmp_path / "queries"
    (folder / listings.WHOLE_DIR).mkdir(parents=True)
    shipped = queries.named_queries()["statements"]
    (folder / "statements.rq").write_text(shipped.text, encoding="utf-8")
    whole = (shipped.path.parent / listings.WHOLE_DIR / "statements.rq").read_text(encoding="utf-8")
    query = queries.parse_query_file(folder / "statements.rq")
    (folder / listings.WHOLE_DIR / "statements.rq").write_text(whole, encoding="utf-8")
    kept = listings.spec(query)
    assert kept.whole is not None
    for changed in (whole.replace("?utterance ?within ?sequence\nWHERE", "?within ?utterance ?sequence\nWHERE"),
                    whole.replace("?utterance ?within ?sequence\nWHERE", "?utterance ?within\nWHERE"),
                    whole.replace("ORDER BY ?article ?sequence", "ORDER BY ?article ?statement")):
        assert changed != whole
        (folder / listings.WHOLE_DIR / "statements.rq").write_text(changed, encoding="utf-8")
        assert listings.spec(query).whole is None
    (folder / listings.WHOLE_DIR / "statements.rq").unlink()
    assert listings.spec(query).whole is None and listings.spec(query).digest != kept.digest


@pytest.mark.parametrize("text, expected", [
    ("SELECT ?a ?b WHERE { }", ["a", "b"]),
    ("SELECT DISTINCT ?a (COUNT(?b) AS ?n) $c WHERE { }", ["a", "n", "c"]),
    ('SELECT ?a (GROUP_CONCAT(DISTINCT ?x; separator=")(?y") AS ?xs) ?b\nWHERE { ?a ?p "WHERE" }', ["a", "xs", "b"]),
    ("SELECT ?a (IF(BOUND(?b), ?b, ?c) AS ?d) WHERE { }", ["a", "d"]),
    ("# SELECT ?z WHERE\nSELECT ?a WHERE { { SELECT ?b WHERE { } } }", ["a"]),
    ("SELECT ?a (COUNT(?b) AS ?n WHERE { }", None),
    ("ASK { ?a ?b ?c }", None),
])
def test_the_variables_a_query_selects_are_read_in_order(text, expected):
    """A whole-store form is used when it selects the query's variables in the query's order, however it makes them
    (a list aggregated in a sub-select instead of by the outer GROUP BY): strings, comments and expressions aside."""
    assert listings._projected(text) == expected


def _fixture_store(directory: Path, *names: str) -> Path:
    import pyoxigraph as ox

    store = OxigraphStore(directory)  # a writer: closing it publishes the snapshot readers open
    for name in names:
        store.store.load(path=str(VIOLATIONS / f"{name}.trig"), format=ox.RdfFormat.TRIG)
    store.close()
    return directory


@pytest.mark.parametrize("name, fixture", [
    ("text-anchor-violation", "anchor-off-the-quote"), ("text-anchor-violation", "statement-without-anchor"),
    ("date-order-violation", "said-after-publication"), ("date-order-violation", "said-before-its-event"),
    ("date-order-violation", "offer-conveyed-before-its-event")])
def test_integrity_listings_on_planted_faults(tmp_path, name, fixture):
    """An integrity check's rows, one node at a time or all, listed or asked: the same planted faults."""
    from pyoxigraph import NamedNode

    out = _fixture_store(tmp_path / "out", fixture)
    named = queries.named_queries()
    listing = listings.spec(named[name])
    store = OxigraphStore(out, read_only=True)
    variables, whole = listings.rows_by_key(store, listing)
    assert whole
    for key in whole:
        assert listings.rows_by_key(store, listing, [NamedNode(key[1:-1])])[1] == {key: whole[key]}
    assert_same(store, named[name])
    assert_same(store, named[name])
    store.close()


def test_a_store_changed_behind_the_builds_back_is_not_answered_from_its_listing(tmp_path):
    """A writer that is not `kg build` (here a SPARQL update through the store) publishes a new snapshot when it
    closes: a listing made before names the old one, so the query is asked again and sees the change."""
    out = _fixture_store(tmp_path / "out", "clean")
    named = queries.named_queries()
    store = OxigraphStore(out, read_only=True)
    assert queries.execute(store, named["text-anchor-violation"], {}).rows == []  # listed now
    store.close()
    writer = OxigraphStore(out)
    writer.store.update("PREFIX oa: <http://www.w3.org/ns/oa#> DELETE { GRAPH ?g { ?s oa:end ?e } } "
                        "WHERE { GRAPH ?g { ?s oa:end ?e } } ; DELETE WHERE { ?s oa:end ?e }")
    writer.close()
    store = OxigraphStore(out, read_only=True)
    rows = queries.execute(store, named["text-anchor-violation"], {}).rows
    assert rows and all("no text anchor" in str(row["problem"]) for row in rows)
    store.close()


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    made, folders = gen_corpus.generate(root, 10, doctrines=20)
    return made, root, folders


def _edit(folder: Path, old: str, new: str, count: int = 1) -> bool:
    path = folder / "annotation.yaml"
    text = path.read_text(encoding="utf-8")
    if old not in text:
        return False
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return True


def _disagree(folder: Path, rng: random.Random) -> bool:
    """Two positions on one action take opposite stances (a disagreement appears, or one goes)."""
    import re

    path = folder / "annotation.yaml"
    text = path.read_text(encoding="utf-8")
    blocks = list(re.finditer(r"  - id: p\d+\n(?:    .*\n)+", text))
    by_action: dict[str, list] = {}
    for block in blocks:
        action = re.search(r"    action: (\S+)", block.group())
        if action and "    stance: " in block.group():
            by_action.setdefault(action.group(1), []).append(block)
    pairs = [found for found in by_action.values() if len(found) >= 2]
    if not pairs:
        return False
    first, second = rng.sample(rng.choice(pairs), 2)
    stances = rng.choice([("supports", "opposes"), ("opposes", "supports"), ("undecided", "undecided")])
    for block, stance in sorted(zip((first, second), stances), key=lambda pair: -pair[0].start()):
        new = re.sub(r"    stance: \S+", f"    stance: {stance}", block.group())
        text = text[:block.start()] + new + text[block.end():]
    path.write_text(text, encoding="utf-8")
    return True


def _names(folder: Path) -> list[str]:
    import re

    return re.findall(r'    name: "([^"]+)"', (folder / "annotation.yaml").read_text(encoding="utf-8"))


def test_listings_stay_exact_through_a_random_walk_of_builds(corpus, tmp_path):
    made, root, folders = corpus
    seed = os.environ.get("KG_LISTINGS_SEED", "11")
    rng = random.Random(None if seed == "random" else int(seed))
    ontology = Ontology(extra_extension_dirs=[root / "ontology-extension"])
    out = tmp_path / "out"
    live = {f.name: f for f in folders}
    originals = {f.name: (f / "annotation.yaml").read_text(encoding="utf-8") for f in folders}
    removed: dict[str, Path] = {}
    build(list(live.values()), out, ontology=ontology, html=False, trig=False, listings=True)
    named = queries.named_queries(ontology)
    specs = listings.specs(named)
    assert set(specs) == LISTED
    next_number, done = len(folders), []
    for step in range(28):
        kind = rng.choice(["rename", "share-action", "stance", "add", "remove", "restore", "rename",
                           "relabel-action", "disagree", "disagree", "redate", "late", "late", "republish"])
        names = sorted(live)
        target = live[rng.choice(names)]
        if kind == "rename":      # a shared actor gets another label in one article: the union holds both
            actor = rng.choice(_names(target)[1:])
            done.append((kind, target.name, _edit(target, f'name: "{actor}"', f'name: "{actor} (renamed {step})"')))
        elif kind == "share-action":   # two articles name one action, each with its own label
            other = live[rng.choice([n for n in names if n != target.name] or names)]
            number, other_number = int(target.name.split("-")[-1]), int(other.name.split("-")[-1])
            done.append((kind, target.name, _edit(target, f"a{number}-action-1", f"a{other_number}-action-1", 99)))
        elif kind == "relabel-action":     # an action's own label, nothing else
            done.append((kind, target.name, _edit(target, 'label: "Proposed action', f'label: "Relabelled ({step})')))
        elif kind == "redate":     # when a statement was said, nothing else
            done.append((kind, target.name, _edit(target, "said: on Monday", "said: on Tuesday")))
        elif kind == "late":       # said after its article was published: date-order-violation finds it
            done.append((kind, target.name, _edit(target, "said: on Monday", f"said: 2030-01-{step % 9 + 1:02d}")))
        elif kind == "republish":  # the article's own date moves: a late statement of it stops being late
            late = [live[name] for k, name, changed in done if k == "late" and changed and name in live]
            target = late[-1] if late else target
            done.append((kind, target.name, _edit(target, "  published: 2025", "  published: 2031")))
        elif kind == "disagree":
            done.append((kind, target.name, _disagree(target, rng)))
        elif kind == "stance":
            done.append((kind, target.name, _edit(target, "stance: opposes", "stance: supports")
                         or _edit(target, "stance: supports", "stance: opposes")))
        elif kind == "add":
            folder = made.write_article(root / "articles", next_number)
            next_number += 1
            live[folder.name] = folder
            originals[folder.name] = (folder / "annotation.yaml").read_text(encoding="utf-8")
            done.append((kind, folder.name, True))
        elif kind == "remove" and len(live) > 3:
            name = rng.choice(names)
            removed[name] = live.pop(name)
            shutil.move(str(removed[name]), str(tmp_path / f"gone-{name}"))
            done.append((kind, name, True))
        elif kind == "restore":
            if removed:
                name = sorted(removed)[0]
                shutil.move(str(tmp_path / f"gone-{name}"), str(removed[name]))
                live[name] = removed.pop(name)
            else:
                (target / "annotation.yaml").write_text(originals[target.name], encoding="utf-8")
            done.append((kind, target.name, True))
        report = build(list(live.values()), out, ontology=ontology, html=False, trig=False,
                       prune=True)
        assert len(report.rebuilt) + len(report.removed) <= 2, (done, report.rebuilt, report.removed)
        store = OxigraphStore(out, read_only=True)
        try:
            current = listings.token(store)
            database = listings.Database(out)
            for name in sorted(LISTED):
                # kept up to date by the build, not made again now
                assert database.state(specs[name]) == current, (name, done)
                assert_same(store, named[name])
        finally:
            store.close()
    assert {kind for kind, _, changed in done if changed} >= {"rename", "add", "disagree", "late"}, done


def test_a_build_that_rewrites_many_articles_drops_the_listings(corpus, tmp_path, monkeypatch):
    made, root, folders = corpus
    ontology = Ontology(extra_extension_dirs=[root / "ontology-extension"])
    out = tmp_path / "out"
    build(folders, out, ontology=ontology, html=False, trig=False, listings=True)
    named = queries.named_queries(ontology)
    statements = listings.spec(named["statements"])
    assert listings.Database(out).state(statements) is not None
    monkeypatch.setattr(listings, "MAINTAIN_AT_MOST", 1)
    for folder in folders[:2]:
        with (folder / "annotation.yaml").open("a", encoding="utf-8") as handle:
            handle.write("# touched\n")
    assert len(build(folders, out, ontology=ontology, html=False, trig=False).rebuilt) == 2
    assert listings.Database(out).state(statements) is None
    store = OxigraphStore(out, read_only=True)
    assert_same(store, named["statements"])  # asked: made again, from the store
    assert listings.Database(out).state(statements) == listings.token(store)
    store.close()


def _parts(out):
    import sqlite3

    connection = sqlite3.connect(out / listings.DB_FILE)
    try:
        return (sorted(connection.execute("SELECT name, digest, variables FROM listing")),
                sorted(connection.execute("SELECT name, key, rows FROM part")))
    finally:
        connection.close()


def test_listings_made_on_several_threads_are_those_made_on_one(corpus, tmp_path, monkeypatch):
    """`kg build --listings` asks the listings on one thread per core (pyoxigraph lets go of Python while it
    evaluates); what it keeps must not depend on how many, and it asks the one that took longest last time first."""
    made, root, folders = corpus
    ontology = Ontology(extra_extension_dirs=[root / "ontology-extension"])
    kept = {}
    for workers in (1, 3):
        out = tmp_path / f"out-{workers}"
        build(folders, out, ontology=ontology, html=False, trig=False, listings=True, workers=workers)
        kept[workers] = _parts(out)
        costs = listings.Database(out).costs()
        assert set(costs) == LISTED and all(seconds >= 0 for seconds in costs.values())
    assert kept[1] == kept[3] and {name for name, *_ in kept[1][0]} == LISTED
    asked = []
    original = listings.Maintainer._make
    monkeypatch.setattr(listings.Maintainer, "_make",
                        lambda self, listing, whole: asked.append(listing.name) or original(self, listing, whole))
    out = tmp_path / "out-1"
    database = listings.Database(out)
    with database._session(create=False) as connection:
        connection.execute("UPDATE cost SET seconds = 0")
        connection.execute("UPDATE cost SET seconds = 9 WHERE name = 'timeline'")
        connection.execute("UPDATE cost SET seconds = 5 WHERE name = 'positions'")
    build(folders, out, ontology=ontology, html=False, trig=False, listings=True, workers=1)
    assert asked == ["timeline", "positions"] + sorted(LISTED - {"timeline", "positions"})
    assert _parts(out) == kept[1]


def test_share_runs_each_item_once_and_keeps_their_order():
    for count in (1, 2, 5):
        ran = []
        assert listings.share(list("abcdef"), lambda item: ran.append(item) or item.upper(), count) == list("ABCDEF")
        assert sorted(ran) == list("abcdef")
    assert listings.share([], str, 2) == []


def test_share_takes_the_shortest_while_the_other_work_runs():
    """A first build compacts its store on one core while one thread makes the shortest listings (the end of the
    order, longest first), then every thread takes the longest left."""
    import threading

    for count in (1, 2):
        ran, lock = [], threading.Lock()
        two_done, compacted = threading.Event(), threading.Event()

        def run(item):
            with lock:
                ran.append(item)
                if len(ran) == 2:
                    two_done.set()
            if len(ran) == 2:  # the second listing ends once the compaction has: the third comes after it
                assert compacted.wait(10)
            return item * 2

        def compact():
            assert two_done.wait(10)
            with lock:
                ran.append("compacted")
            compacted.set()

        assert listings.share([5, 4, 3, 2, 1], run, count, meanwhile=compact) == [10, 8, 6, 4, 2]
        assert ran[:3] == [1, 2, "compacted"] and sorted(ran[3:]) == [3, 4, 5], (count, ran)


def test_share_stops_when_the_other_work_fails():
    import threading
    import time

    started, failing = threading.Event(), threading.Event()
    ran = []

    def run(item):
        ran.append(item)
        started.set()
        if len(ran) == 1:  # the first listing is still being made when the compaction fails
            assert failing.wait(10)
            time.sleep(0.2)
        return item

    def compact():
        assert started.wait(10)
        failing.set()
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        listings.share(list(range(50)), run, 2, meanwhile=compact)
    assert ran == [49]  # the thread finished the listing it had and took no other


def test_share_starts_no_other_item_after_one_fails():
    import threading
    import time

    raised = threading.Event()
    ran = []

    def run(item):
        ran.append(item)
        if item == 0:
            raised.set()
            raise KeyError("a bug")
        assert raised.wait(10)
        time.sleep(0.2)  # the other thread has emptied the queue by now
        return item

    with pytest.raises(KeyError):
        listings.share(list(range(20)), run, 2)
    assert sorted(ran) in ([0], [0, 1])  # item 1 only if the other thread took it before 0 failed


def test_listings_never_made_whole_are_started_all_at_once(corpus, tmp_path, monkeypatch):
    """Without the time each listing took (a store whose listings were never made whole) and without --jobs, every
    listing gets a thread of its own and the cores are shared; once the times are kept, one thread per core takes
    them longest first; --jobs is obeyed either way."""
    made, root, folders = corpus
    ontology = Ontology(extra_extension_dirs=[root / "ontology-extension"])
    pools = []
    real = listings.ThreadPoolExecutor
    monkeypatch.setattr(listings, "ThreadPoolExecutor",
                        lambda max_workers: pools.append(max_workers) or real(max_workers=max_workers))
    monkeypatch.setattr(listings.os, "cpu_count", lambda: 2)
    out = tmp_path / "out"
    build(folders, out, ontology=ontology, html=False, trig=False, listings=True)
    assert pools == [len(LISTED)] and set(listings.Database(out).costs()) == LISTED
    build(folders, out, ontology=ontology, html=False, trig=False, listings=True)
    assert pools == [len(LISTED), 2]
    fresh = tmp_path / "fresh"
    build(folders, fresh, ontology=ontology, html=False, trig=False, listings=True, workers=3)
    assert pools == [len(LISTED), 2, 3]
    assert _parts(fresh) == _parts(out)


def test_a_listing_of_another_store_state_or_query_text_is_not_used(seed_store, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_store, out)
    (out / listings.DB_FILE).unlink(missing_ok=True)
    named = queries.named_queries()
    store = OxigraphStore(out, read_only=True)
    first = queries.execute(store, named["statements"], {})
    store.close()
    listing = listings.spec(named["statements"])
    database = listings.Database(out)
    variables = database.variables(listing)
    # a listing that says something else, for another store state: never read
    fake = listings.encoded({"Ihttps://example.org/x": [["Ihttps://example.org/x"] + [None] * (len(variables) - 1)]})
    assert database.write(listing, "another-token", variables, fake)
    store = OxigraphStore(out, read_only=True)
    assert [r["quote"] for r in queries.execute(store, named["statements"], {}).rows] == \
        [r["quote"] for r in first.rows]
    # the same token, but kept by another text of the query: not read either
    edited = queries.parse_query_text(named["statements"].text.replace("ORDER BY ?article ?sequence",
                                                                       "ORDER BY ?article ?sequence ?statement"),
                                      "statements", named["statements"].path)
    assert listings.spec(edited).digest != listing.digest
    assert database.write(listing, listings.token(store), variables, fake)
    assert [r["quote"] for r in queries.execute(store, edited, {}).rows] == [r["quote"] for r in first.rows]
    store.close()


def test_reasoning_stores_and_parameters_are_asked_the_query_itself(seed_store, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_store, out)
    (out / listings.DB_FILE).unlink(missing_ok=True)
    build(None, out, html=False, trig=False, reason=True)
    named = queries.named_queries()
    store = OxigraphStore(out, read_only=True)
    assert listings.token(store) is None
    assert listings.listed_answer(store, named["statements"]) is None
    assert len(queries.execute(store, named["statements"], {}).rows) > 20
    store.close()
    assert not (out / listings.DB_FILE).exists()


def test_a_store_that_keeps_no_listings_still_builds_and_prunes(corpus):
    """Regression: a build into memory: (or a server) removing an article failed in the listings' bookkeeping."""
    import graph.store as store_module

    made, root, folders = corpus
    ontology = Ontology(extra_extension_dirs=[root / "ontology-extension"])
    store_module._MEMORY.clear()
    build(folders[:3], "memory:", ontology=ontology, html=False, trig=False, listings=True)
    report = build(folders[:2], "memory:", ontology=ontology, html=False, trig=False, prune=True)
    assert report.removed == [folders[2].name]
    store_module._MEMORY.clear()


def test_a_change_the_listing_cannot_follow_drops_it(seed_store, tmp_path):
    """A blank node cannot be bound in a VALUES block: a build whose change reaches one drops the listing (asked
    again when queried) instead of failing or keeping rows it could not check."""
    import pyoxigraph as ox

    out = tmp_path / "out"
    shutil.copytree(seed_store, out)
    named = queries.named_queries()
    listing = listings.spec(named["statements"])
    with pytest.raises(listings._Unlisted):
        listings.affected(None, listing, {ox.Triple(ox.BlankNode("b0"), ox.NamedNode(listings.RDF_TYPE),
                                                    ox.NamedNode("https://example.org/C"))})
    writer = OxigraphStore(out)
    keeper = listings.Maintainer(writer, named)
    keeper.active = {"statements": listing}
    keeper.keys = {"statements": set()}
    keeper._note({ox.Triple(ox.BlankNode("b0"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                            ox.Literal("x"))})
    assert keeper.broken == {"statements"}
    writer.close()


def test_kg_build_listings_and_kg_query_through_the_cli(tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--store", str(out), "--listings", "--no-html", "--no-trig"])
    assert result.exit_code == 0, result.output
    assert "listings" in result.output
    assert (out / listings.DB_FILE).is_file()
    first = runner.invoke(main, ["query", "statements", "--store", str(out), "--format", "csv"])
    assert first.exit_code == 0, first.output
    (out / listings.DB_FILE).unlink()
    second = runner.invoke(main, ["query", "statements", "--store", str(out), "--format", "csv"])
    assert second.exit_code == 0 and second.output == first.output
    assert "build --listings" in runner.invoke(main, ["build", "--help"]).output


def test_kg_build_listings_says_when_the_store_keeps_none(tmp_path):
    """Regression: `--listings` on a store that keeps none (memory:, or one holding --reason's inferred triples) said
    `listings 0.0 s` as if it had made them; it says why none is kept, and makes them once the store can keep them."""
    runner = CliRunner()
    memory = runner.invoke(main, ["build", "--store", "memory:", "--listings"])
    assert memory.exit_code == 0 and "only a store on disk keeps listings" in memory.output
    assert "listings 0." not in memory.output
    out = tmp_path / "out"
    reasoned = runner.invoke(main, ["build", "--store", str(out), "--reason", "--listings", "--no-html", "--no-trig"])
    assert reasoned.exit_code == 0 and "none kept, since the store holds inferred triples" in reasoned.output
    assert "listings 0." not in reasoned.output and not (out / listings.DB_FILE).exists()
    plain = runner.invoke(main, ["build", "--store", str(out), "--listings", "--no-html", "--no-trig"])
    assert plain.exit_code == 0 and "none kept" not in plain.output and ", listings " in plain.output
    assert (out / listings.DB_FILE).is_file()


def test_the_summary_counts_are_the_same_when_made_beside_the_listings(tmp_path, ontology):
    """`--listings` counts the summary's triples, actors and statements on a thread while the listings are made."""
    plain = build(None, tmp_path / "plain", ontology=ontology, html=False, trig=False)
    listed = build(None, tmp_path / "listed", ontology=ontology, html=False, trig=False, listings=True)
    assert listed.triples > 0 and listed.actors > 0 and listed.statements > 0 and "listings" in listed.seconds
    assert (listed.triples, listed.actors, listed.statements) == (plain.triples, plain.actors, plain.statements)


def test_a_label_two_steps_from_an_offer_reaches_its_listed_row(seed_store):
    """`offers` lists the labels of the people its actions cover and of its facility's place: a label changed there
    (another article naming them otherwise) must reach the offer, by its `# Listing:` line of two steps."""
    import pyoxigraph as ox

    store = OxigraphStore(seed_store, read_only=True)
    try:
        listing = listings.spec(queries.named_queries()["offers"])
        text = ("PREFIX kg: <https://w3id.org/legal-news-kg/ontology#> SELECT ?offer ?node WHERE { ?offer a kg:Offer "
                "{ ?offer kg:coversAction/kg:covers ?node } UNION { ?offer kg:facility/kg:locatedIn ?node } }")
        pairs = [(row["offer"], row["node"]) for row in store.raw_query(text)]
        assert {node.value.rsplit("/", 1)[-1] for _, node in pairs} >= {"criminals-in-us-illegally", "tecoluca"}
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        for offer, node in pairs:
            assert offer in listings.affected(store, listing, {ox.Triple(node, label, ox.Literal("renamed"))}), node
    finally:
        store.close()


def test_what_an_offer_does_not_read_does_not_reach_it(seed_store):
    """Regression: its `# Listing:` line one step away read `*` (every predicate the query names), so an added
    article's `kg:mentionedIn` on each actor it names reached every offer those actors made (1,761 offers asked
    again at 1M triples, 0.48 s of a 1.1 s build). Only what the query reads there reaches the offer."""
    import pyoxigraph as ox

    store = OxigraphStore(seed_store, read_only=True)
    try:
        listing = listings.spec(queries.named_queries()["offers"])
        text = "PREFIX kg: <https://w3id.org/legal-news-kg/ontology#> SELECT ?offer ?by WHERE { ?offer kg:offeredBy ?by }"
        (offer, offeror), *_ = [(row["offer"], row["by"]) for row in store.raw_query(text)]
        kg = "https://w3id.org/legal-news-kg/ontology#"
        elsewhere = ox.NamedNode("https://w3id.org/legal-news-kg/id/article/another")
        # (a `self` line names the subject itself: the actor, whose rows, none, are asked for nothing)
        assert offer not in listings.affected(store, listing,
                                              {ox.Triple(offeror, ox.NamedNode(kg + "mentionedIn"), elsewhere)})
        label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
        assert offer in listings.affected(store, listing, {ox.Triple(offeror, label, ox.Literal("renamed"))})
    finally:
        store.close()
