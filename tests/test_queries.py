"""The named queries: every .rq parses, each competency query answers the seed article as tests/data/cq says,
the seed issue's questions get the right answers, parameters filter (and cannot be used to inject SPARQL), and a
syntax error names its line and column. Through `kg query` (click's CliRunner) on the built seed article."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import RDFS
from rdflib.paths import SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from graph import queries, sparqltext
from graph.cli import main

from .conftest import DATA, SEED_DIR

CQ_DIR = DATA / "cq"
ALL = queries.named_queries()
COMPETENCY = sorted(n for n, q in ALL.items() if not q.is_violation and q.path.parent == queries.ONTOLOGY_DIR / "queries")
REQUIRED = {"said-about", "evidence", "actors", "statements", "offers", "doctrines", "positions", "timeline",
            "contradictions"}
TEXT = (SEED_DIR / "article.txt").read_text(encoding="utf-8")


def kg(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def ask(store, name, *params, fmt="json"):
    args = ["query", name, "--format", fmt, "--store", store]
    for p in params:
        args += ["--param", p]
    result = kg(*args)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.output) if fmt == "json" else result.output


def store_size(store) -> int:
    s = ox.Store.read_only(str(store / "store"))
    return len(s)


# -- every query ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ALL))
def test_every_query_parses_and_declares_its_question_and_parameters(name):
    query = ALL[name]
    queries.check_syntax(query.text, str(query.path))  # raises with line and column when it does not parse
    assert len(query.question) > 20, f"{query.path}: the header needs a `# Question:`"
    select = query.text[query.text.index("SELECT"):query.text.index("WHERE")]
    for param in query.params:
        assert f"?{param}" in select, f"{query.path}: parameter ?{param} must be in the SELECT clause (Oxigraph binds only those)"
        assert not re.search(rf"BOUND\(\s*\?{param}\s*\)", query.text), \
            f"{query.path}: BOUND(?{param}) is always false under substitution; see graph/queries.py"
    for column in query.lists:
        assert f"AS ?{column})" in query.text, f"{query.path}: # Lists: names {column}, which is no GROUP_CONCAT"


def _nodes(node, into_subselects: bool = True):
    """Every node of a query's algebra (rdflib's), depth first; not those inside a sub-select if asked."""
    if isinstance(node, CompValue):
        yield node
        if into_subselects or node.name != "ToMultiSet":
            for value in node.values():
                yield from _nodes(value, into_subselects)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _nodes(value, into_subselects)


def _triples(node) -> list:
    return [t for n in _nodes(node) if n.name == "BGP" for t in n.triples]


@pytest.mark.parametrize("name", sorted(ALL))
def test_no_query_negates_a_join_of_data_patterns(name):
    """Regression: Oxigraph plans a FILTER NOT EXISTS once, without knowing which variables the row binds, and
    evaluates it again for every row, so one over several data patterns made text-anchor-violation run for more
    than 25 s on 200k triples (MINUS: 0.65 s). One data pattern, or extra steps over the class tree, stay fast."""
    query = prepareQuery(ALL[name].text)
    for patterns in [_triples(n.graph) for n in _nodes(query.algebra) if n.name == "Builtin_NOTEXISTS"]:
        data = [t for t in patterns if str(RDFS.subClassOf) not in str(t[1])]
        assert len(data) <= 1, f"{ALL[name].path}: FILTER NOT EXISTS over {len(data)} data patterns; use MINUS"


def _joined_optionals(algebra) -> list:
    """The OPTIONALs whose right side is a join: several triple patterns or a sequence path (``a/b``), which rdflib
    keeps as one pattern and Oxigraph splits. Not inside a sub-select, which is joined by hashing either way."""
    return [list(n.p2.triples) for n in _nodes(algebra, into_subselects=False)
            if n.name == "LeftJoin" and isinstance(n.p2, CompValue) and n.p2.name == "BGP"
            and (len(n.p2.triples) > 1 or any(isinstance(p, SequencePath) for _, p, _ in n.p2.triples))]


@pytest.mark.parametrize("name", sorted(n for n, q in ALL.items() if any(p.selective for p in q.params.values())))
def test_a_query_with_a_selective_parameter_looks_its_optionals_up_row_by_row(name):
    """Regression: Oxigraph joins an OPTIONAL of two patterns (`OPTIONAL { ?s kg:speaker/rdfs:label ?name }`) by
    reading every match in the store, so the statements of one article took 0.6-0.95 s at 1M triples instead of
    3 ms. `OPTIONAL { ?s kg:speaker ?n OPTIONAL { ?n rdfs:label ?name } FILTER(BOUND(?name)) }` gives the same rows
    and is looked up for each row the parameter leads to."""
    query = prepareQuery(ALL[name].text)
    assert _joined_optionals(query.algebra) == [], f"{ALL[name].path}: an OPTIONAL over a join of patterns"


@pytest.mark.parametrize("name", sorted(n for n, q in ALL.items()
                                     if any(p.selective for p in q.params.values()) and "#given " not in q.text))
def test_a_query_with_a_selective_parameter_has_no_optional_inside_a_union(name):
    """Regression: `statements` looked a speaker's name up with an OPTIONAL inside the UNION that binds the speaker,
    and Oxigraph joined that whole UNION (every statement's speaker) with a given speaker by hashing (one actor's
    97 statements at 1M triples: 0.16 s, 0.03 s with the OPTIONAL after the UNION). A query whose branches need
    OPTIONALs binds its parameter inside each branch instead (`#given`, as `timeline` does)."""
    query = prepareQuery(ALL[name].text)
    unions = [n for n in _nodes(query.algebra, into_subselects=False) if n.name == "Union"]
    inside = [n for u in unions for n in _nodes([u.p1, u.p2], into_subselects=False) if n.name == "LeftJoin"]
    assert inside == [], f"{ALL[name].path}: an OPTIONAL inside a UNION branch"


def test_the_issue_asks_for_these_competency_queries():
    assert REQUIRED <= set(COMPETENCY)
    violations = {n for n, q in ALL.items() if q.is_violation}
    assert {"statement-speaker-violation", "text-anchor-violation", "offer-offeror-violation",
            "position-evidence-violation", "date-order-violation"} <= violations


def test_list_shows_every_question_with_its_parameters():
    result = kg("query", "--list")
    assert result.exit_code == 0
    for name, query in ALL.items():
        assert f"{name}\n    {query.question}" in result.output
        for param in query.params:
            assert f"--param {param}=" in result.output


# -- expected answers on the seed article --------------------------------------------------------------
def test_every_competency_query_has_its_expected_rows():
    assert sorted(p.stem for p in CQ_DIR.glob("*.json")) == COMPETENCY, \
        "each competency query needs tests/data/cq/<name>.json: run scripts/update_cq.py and review the rows"


@pytest.mark.parametrize("name", COMPETENCY)
def test_competency_query_answers_the_seed_article_as_expected(seed_store, name):
    expected = json.loads((CQ_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert expected["cases"], name
    for case in expected["cases"]:
        rows = ask(seed_store, name, *[f"{k}={v}" for k, v in case["params"].items()])
        assert rows == case["rows"], (
            f"`kg query {name}` with {case['params']} no longer gives tests/data/cq/{name}.json; if the query or the "
            "seed annotation changed on purpose, run scripts/update_cq.py and review every changed row")
        for row in rows:  # whatever carries offsets points at its exact words in the article
            if {"start", "end", "quote"} <= set(row) and row["article"] == SEED_DIR.name:
                assert TEXT[row["start"]:row["end"]] == row["quote"]


def test_the_statements_contract_is_unchanged(seed_store):
    rows = ask(seed_store, "statements")
    assert rows and all({"speaker", "quote", "article", "start", "end", "date"} <= set(r) for r in rows)
    assert all(isinstance(r["start"], int) and isinstance(r["end"], int) for r in rows)
    assert not any(k.endswith("_iri") for r in rows for k in r), "parameter columns are not shown"


# -- the seed issue's questions -------------------------------------------------------------------------
def test_who_offered_what_to_whom(seed_store):
    (offer,) = ask(seed_store, "offers")
    assert offer["offeror"] == ["Nayib Bukele"] and offer["on_behalf_of"] == ["El Salvador"]
    assert offer["addressee"] == ["United States"]
    assert any("U.S. citizens and legal residents included" in a for a in offer["actions"])
    assert any("criminal who is in the U.S. illegally" in a for a in offer["actions"])
    assert offer["facility"] == "Counter-Terrorism Confinement Centre (CECOT)" and offer["place"] == "Tecoluca"


def test_who_conveyed_the_offer_and_when(seed_store):
    (offer,) = ask(seed_store, "offers")
    assert offer["conveyed_by"] == ["Marco Rubio"]
    assert offer["conveyed_on"] == "2025-02-03"  # "On a brief trip to El Salvador on Monday", article of Wed 5 Feb
    timeline = ask(seed_store, "timeline", "actor_iri=id:actor/marco-rubio")
    conveyed = [r for r in timeline if r["kind"] == "offer conveyed"]
    assert conveyed and conveyed[0]["occasion"] == "Rubio's brief trip to El Salvador"


def test_who_said_deporting_a_citizen_is_unconstitutional_and_on_which_doctrine(seed_store):
    rows = ask(seed_store, "positions", "action_iri=id:action/deport-us-citizens", "view_iri=v:unconstitutional")
    assert [(r["holder"], r["doctrine"]) for r in rows] == [("Lee Gelernt", "non-deportation of citizens")]
    assert "You may not deport a U.S. citizen, period," in rows[0]["evidence"]
    assert "it would be blatantly unconstitutional to deport a U.S. citizen" in rows[0]["evidence"]


def test_what_a_safe_third_country_transfer_requires(seed_store):
    (row,) = ask(seed_store, "doctrines", "doctrine_iri=doctrine:safe-third-country-transfer")
    assert row["requirements"] == [
        "The person has to be able to challenge being sent to another country.",
        "There has to be a clear sense that the person will not be in danger in the third country.",
        "There has to be an agreement with the third country.",
    ]
    assert row["broader"] == ["removal of non-citizens"] and "Lee Gelernt" in row["invoked_by"]


def test_what_trump_said_about_the_legality(seed_store):
    rows = ask(seed_store, "positions", "holder_iri=id:actor/donald-trump")
    assert {r["view"] for r in rows} == {"would act if legal", "uncertain"}
    quotes = {q for r in rows for q in r["evidence"]}
    assert "I'm just saying if we had the legal right to do it, I would do it in a heartbeat," in quotes
    assert "I don't know if we do or not, we're looking at that right now." in quotes
    said = ask(seed_store, "said-about", "about_iri=doctrine:constitutional-law", "speaker_iri=id:actor/donald-trump")
    assert [r["quote"] for r in said] == [
        "I'd like to get them out. It would be all subject to the laws of our land, and we're looking at that to see if we can do it."]


def test_which_posts_the_actors_hold(seed_store):
    posts = {r["name"]: r["posts"] for r in ask(seed_store, "actors", "type_iri=kg:Person")}
    assert posts["Marco Rubio"] == ["Secretary of State of the United States"]
    assert posts["Nayib Bukele"] == ["President of El Salvador"]
    assert posts["Donald Trump"] == ["President of the United States"]
    assert posts["Lee Gelernt"] == ["ACLU attorney", "Deputy director of the ACLU's Immigrants' Rights Project"]


def test_the_timeline_lists_who_took_part_and_no_one_else(tmp_path):
    """An event with no participant has no one in `who` (an OPTIONAL label of an unbound participant once listed
    every label of the store there), and an article's publication is dated by its day."""
    from .conftest import MINI_DIR

    assert kg("build", MINI_DIR, "--store", tmp_path, "--no-html").exit_code == 0
    rows = {r["item"].rsplit("/", 1)[-1]: r for r in ask(tmp_path, "timeline")}
    assert rows["friday-remarks"]["kind"] == "event" and rows["friday-remarks"]["who"] == []
    assert all(len(r["who"]) <= 3 for r in rows.values()), [r["who"] for r in rows.values()]
    published = [r for r in rows.values() if r["kind"] == "article published"]
    assert published and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]) for r in published)


def test_which_statements_are_conditional(seed_store):
    rows = ask(seed_store, "positions", "modality_iri=v:conditional")
    assert {r["holder"] for r in rows} == {"Donald Trump", "Lee Gelernt"}
    quotes = {q for r in rows for q in r["evidence"]}
    assert "I'm just saying if we had the legal right to do it, I would do it in a heartbeat," in quotes
    assert any(q.startswith("There has to be an agreement with this third country") for q in quotes)
    assert "I don't know if we do or not, we're looking at that right now." not in quotes  # hedged, not conditional


# -- parameters -------------------------------------------------------------------------------------------
NOTHING = {"iri": "id:nothing/at-all", "literal": "no such words zzz", "integer": "-987654"}
NOTHING_DATE = {"from": "2999-12-31", "to": "1900-01-01"}
CASES = [(name, param) for name in sorted(ALL) for param in ALL[name].params]


def _example(doc: str) -> str:
    found = re.search(r"e\.g\. (\S+)", doc)
    assert found, f"give the parameter an example (e.g. ...): {doc}"
    return found.group(1)


@pytest.mark.parametrize("name,param", CASES)
def test_each_parameter_filters(seed_store, name, param):
    """A value that matches nothing gives no rows, and the documented example gives some: the parameter really
    restricts the query, and no row slips through with it unbound."""
    query = ALL[name]
    spec = query.params[param]
    others = [f"{p}={_example(q.doc)}" for p, q in query.params.items() if p != param and not q.optional]
    nothing = NOTHING_DATE[param] if spec.kind == "date" else NOTHING[spec.kind]
    assert ask(seed_store, name, f"{param}={nothing}", *others) == []
    example = ask(seed_store, name, f"{param}={_example(spec.doc)}", *others)
    assert example, f"the example of {name} --param {param} finds nothing on the seed article"
    if spec.optional and not others:
        assert len(example) <= len(ask(seed_store, name))


SELECTIVE = [(name, param) for name, param in CASES if ALL[name].params[param].selective]


def test_the_parameters_users_ask_about_one_node_are_selective():
    assert {("said-about", "about_iri"), ("evidence", "node_iri"), ("statements", "article_iri"),
            ("positions", "holder_iri")} <= set(SELECTIVE)


@pytest.fixture(scope="module")
def seed_reader(seed_store):
    """The built seed article, opened read-only once for the tests that compare two ways of asking it."""
    from graph.store import open_store

    store = open_store(seed_store, read_only=True)
    yield store
    store.close()


@pytest.mark.parametrize("name,param", SELECTIVE)
def test_a_selective_parameter_gives_the_rows_a_substituted_one_gives(seed_reader, name, param):
    """A selective parameter is bound by a VALUES block opening the WHERE group, where Oxigraph plans from it; the
    rows must be exactly those pyoxigraph's substitutions give (how every other parameter is bound)."""
    query = ALL[name]
    given = [f"{p}={_example(q.doc)}" for p, q in query.params.items() if p == param or not q.optional]
    bindings = queries.bind_params(query, given)
    assert "VALUES" in sparqltext.with_values(query.text, {param: bindings[param]}, opening=True)
    led = queries.execute(seed_reader, query, bindings).rows
    substituted = seed_reader.query(query.text, bindings).rows
    assert led, f"the example of {name} --param {param} finds nothing on the seed article"
    assert _shown(query, led) == _shown(query, substituted)


def test_a_given_line_binds_the_parameter_where_its_branch_starts():
    from rdflib import Literal

    text = ("# Param: who (literal, optional, selective) - x\nSELECT ?who ?s WHERE {\n  {\n"
            "    #given who: ?s <http://x/name> ?who .\n    ?s a <http://x/C> .\n  }\n"
            "  #given other: ?s <http://x/other> ?other .\n}\n")
    query = queries.parse_query_text(text)
    assert queries.bound_text(query, {})[0] == text  # not given: the line stays a comment
    hostile = Literal('x" } UNION { ?s ?p ?o } #')
    bound, rest = queries.bound_text(query, {"who": hostile})
    assert rest == {}
    lines = bound.splitlines()
    assert '    VALUES (?who) { ("x\\" } UNION { ?s ?p ?o } #") } ?s <http://x/name> ?who .' in lines
    assert "  #given other: ?s <http://x/other> ?other ." in lines  # not a parameter given: still a comment
    ox.Store().query(bound)  # valid SPARQL, the value only ever a literal


@pytest.mark.parametrize("name", sorted(n for n, q in ALL.items() if "#given " in q.text))
def test_a_given_line_names_a_selective_parameter_of_its_query(name):
    """... or the key of its listing (graph/listings.py), which a build binds the same way."""
    from graph import listings

    query = ALL[name]
    listing = listings.spec(query)
    for match in queries.GIVEN_RE.finditer(query.text):
        if listing is not None and match.group("name") == listing.key:
            continue
        param = query.params.get(match.group("name"))
        assert param is not None and param.selective, match.group(0)


IDLE_CASES = [
    # (where, params not given, filters left) - a filter on a parameter not given holds for every row: removed
    ("?s ?p ?o FILTER(!COALESCE(sameTerm(?x, ?x), false) || EXISTS { ?s a ?x })", ["x"], 0),
    ("?s ?p ?o\n  filter ( ! coalesce(sameTerm( ?x , ?x ), false)\n || ?o = ?x )", ["x"], 0),
    # given (not in the list): kept
    ("?s ?p ?o FILTER(!COALESCE(sameTerm(?x, ?x), false) || EXISTS { ?s a ?x })", [], 1),
    # ?x bound or tested elsewhere in the WHERE group: the filter may matter, kept
    ("?s ?p ?x FILTER(!COALESCE(sameTerm(?x, ?x), false) || ?x != ?s)", ["x"], 1),
    ("?s ?p ?o FILTER(!COALESCE(sameTerm(?x, ?x), false) || ?o = ?x) FILTER(BOUND(?x))", ["x"], 1),
    # another variable (case matters in SPARQL), or the words inside a string or a comment: kept
    ("?s ?p ?X FILTER(!COALESCE(sameTerm(?X, ?X), false) || ?X = ?s)", ["x"], 1),
    ('?s ?p "FILTER(!COALESCE(sameTerm(?x, ?x), false) || true)" # FILTER(!COALESCE(sameTerm(?x, ?x), false) ||', ["x"], 0),
]


@pytest.mark.parametrize("where,idle,left", IDLE_CASES)
def test_a_filter_on_a_parameter_not_given_is_left_out(where, idle, left):
    text = f"SELECT ?x ?s WHERE {{\n  {where}\n}}\nGROUP BY ?x ?s\n"
    out = queries.without_idle_filters(text, idle)
    assert len(re.findall(r"(?i)\bFILTER\s*\(\s*!\s*COALESCE", sparqltext.blank(out))) == left
    assert len(out) == len(text)  # spaces take its place
    assert out.count('"FILTER(!COALESCE') == text.count('"FILTER(!COALESCE')  # a string is never touched
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.NamedNode("http://x/o")))
    assert [list(r) for r in store.query(out)] == [list(r) for r in store.query(text)]  # the same rows


@pytest.mark.parametrize("name", sorted(n for n, q in ALL.items() if all(p.optional for p in q.params.values())))
def test_every_query_answers_as_written_when_no_parameter_is_given(seed_reader, name):
    """bound_text leaves out the filters of the parameters not given (without_idle_filters): the rows are those of
    the query as written, on the seed article (a query with a required parameter is always asked with it)."""
    query = ALL[name]
    assert _shown(query, queries.execute(seed_reader, query, {}).rows) \
        == _shown(query, seed_reader.query(query.text).rows)


def test_listing_every_position_runs_no_exists():
    """Regression: with no doctrine given, Oxigraph still evaluated the doctrine's EXISTS for every position, its
    `+` path first in some runs (1M triples: 2.5 s or 6.5 s from one run to the next)."""
    text, _ = queries.bound_text(ALL["positions"], {})
    assert "EXISTS" not in sparqltext.blank(text) and "EXISTS" in sparqltext.blank(ALL["positions"].text)


GIVEN = sorted({(name, m.group("name")) for name, q in ALL.items() for m in queries.GIVEN_RE.finditer(q.text)
                if m.group("name") in q.params and q.params[m.group("name")].selective})
# (the others are listings' keys, bound there by a build only: tests/test_listings.py; `doctrines`' doctrine_iri is
# a parameter too, bound after the query as a parameter that is not selective is)


def test_the_shipped_given_lines():
    assert {("timeline", "actor_iri"), ("said-about", "about_iri")} <= set(GIVEN)


@pytest.mark.parametrize("name,param", GIVEN)
def test_given_lines_keep_the_rows_for_every_value(seed_reader, name, param):
    """`#given` lines bind a parameter inside the branches they open; the rows must be those of the query without
    them (what a SPARQL server that ignores the comments would answer), for every IRI the seed article holds as an
    object: each actor, topic, doctrine and article, and the many that match nothing."""
    query = ALL[name]
    lines = len([m for m in queries.GIVEN_RE.finditer(query.text) if m.group("name") == param])
    values = sorted({row["o"] for row in seed_reader.query("SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) }").rows})
    assert len(values) > 50
    found = 0
    for value in values:
        text, _ = queries.bound_text(query, {param: value})
        assert text.count(f"VALUES (?{param})") == lines + 1
        led = queries.execute(seed_reader, query, {param: value}).rows
        plain = seed_reader.query(query.text, {param: value}).rows
        assert _shown(query, led) == _shown(query, plain), value
        found += bool(led)
    assert found >= 3  # values with rows: the comparison is not of empty answers only


def _shown(query, rows):
    """Rows as `kg query` shows them: a list column (GROUP_CONCAT) comes in the engine's order; kg query sorts it."""
    return [{k: sorted(str(v).split(queries.LIST_SEPARATOR)) if k in query.lists and v is not None else v
             for k, v in row.items()} for row in rows]


def test_the_statements_whose_speaker_the_text_does_not_give(article_copy, tmp_path):
    """`statements --param speaker_iri=kg:speakerUnknown` lists the statements without a speaker, and an actor's
    IRI only that actor's (the speaker is bound by a UNION of two patterns, a kg:speaker or kg:speakerUnknown true,
    so the parameter can open the query)."""
    article = article_copy()
    path = article / "annotation.yaml"
    text = path.read_text()
    assert text.count("    speaker: officials\n") == 1
    path.write_text(text.replace("    speaker: officials\n", "    speaker: unknown\n"))
    out = tmp_path / "out"
    assert kg("build", article, "--store", out, "--no-html").exit_code == 0
    unknown = ask(out, "statements", "speaker_iri=kg:speakerUnknown")
    assert [(r["quote"], r.get("speaker")) for r in unknown] == [("under study.", None)]
    gelernt = ask(out, "statements", "speaker_iri=id:actor/lee-gelernt")
    assert [r["quote"] for r in gelernt] == ["You may not deport a citizen,", "It is that simple."]
    everything = ask(out, "statements")
    assert len(everything) == 3 and {r["quote"] for r in everything} >= {"under study."}


ODD_SPEAKERS = """
@prefix kg: <https://w3id.org/legal-news-kg/ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix article: <https://w3id.org/legal-news-kg/id/article/> .
@prefix actor: <https://w3id.org/legal-news-kg/id/actor/> .
@prefix s: <https://w3id.org/legal-news-kg/id/article/odd/statement/> .
article:odd kg:slug "odd" .
actor:nameless a kg:Person .
actor:named rdfs:label "Named Person" .
s:1 a kg:Statement ; kg:quote "one" ; kg:inArticle article:odd ; kg:sequence 1 ; kg:speaker actor:nameless ;
    kg:anchor [ oa:hasSelector [ a oa:TextPositionSelector ; oa:start 0 ; oa:end 3 ] ] .
s:2 a kg:Statement ; kg:quote "two" ; kg:inArticle article:odd ; kg:sequence 2 ; kg:speakerUnknown true ;
    kg:anchor [ oa:hasSelector [ a oa:TextPositionSelector ; oa:start 4 ; oa:end 7 ] ] .
s:3 a kg:Statement ; kg:quote "three" ; kg:inArticle article:odd ; kg:sequence 3 ; kg:speaker actor:named ;
    kg:about actor:nameless, actor:named ;
    kg:anchor [ oa:hasSelector [ a oa:TextPositionSelector ; oa:start 8 ; oa:end 13 ] ] .
"""


def test_statements_name_each_speaker_the_data_gives():
    """Data, query and expected rows together: a speaker without a label is listed by its IRI with no name (not
    as unknown), kg:speakerUnknown true gives kg:speakerUnknown, and an about node without a label adds nothing to
    the list (the OPTIONALs written for per-row lookups keep the rows of `kg:about/rdfs:label`)."""
    from rdflib import Graph

    from graph.store import OxigraphStore

    store = OxigraphStore(None)
    store.store = ox.Store()
    store.replace_graph(URIRef("https://w3id.org/legal-news-kg/graph/article/odd"),
                        Graph().parse(data=ODD_SPEAKERS, format="turtle"))
    rows = queries.execute(store, ALL["statements"], {}).rows
    kg_, id_ = "https://w3id.org/legal-news-kg/ontology#", "https://w3id.org/legal-news-kg/id/"
    assert [(str(r["quote"]), str(r["speaker_iri"]), r.get("speaker") and str(r["speaker"]),
             r.get("about") and str(r["about"])) for r in rows] == [
        ("one", id_ + "actor/nameless", None, None),
        ("two", kg_ + "speakerUnknown", None, None),
        ("three", id_ + "actor/named", "Named Person", "Named Person")]


HOSTILE = [
    '" } UNION { ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o . FILTER(true) } #",
    "rubio\" ) || true || ( \"",
    "{ } } } {{",
    "> . ?s ?p ?o . <",
    'Rubio"@en . } INSERT DATA { <a:b> <a:b> <a:b> } #',
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_literal_parameter_is_only_a_value(seed_store, value):
    before = store_size(seed_store)
    assert ask(seed_store, "actors", f"name_contains={value}") == []  # bound as one literal: matches no name
    assert store_size(seed_store) == before
    assert [r["name"] for r in ask(seed_store, "actors", "name_contains=RUBIO")] == [
        "Marco Rubio", "journalists on Rubio's trip to El Salvador"]


@pytest.mark.parametrize("value", ["id:actor/x> . ?s ?p ?o . <y", "https://e.org/a> } UNION { ?s ?p ?o } <b",
                                   'id:actor/"x"', "id:actor/{x}", "not an iri"])
def test_a_hostile_iri_parameter_is_refused(seed_store, value):
    before = store_size(seed_store)
    result = kg("query", "positions", "--param", f"holder_iri={value}", "--store", seed_store)
    assert result.exit_code == 2 and "IRI" in result.stderr and not result.stdout
    assert store_size(seed_store) == before


def test_a_hostile_date_parameter_is_refused(seed_store):
    result = kg("query", "timeline", "--param", 'from=2025-02-04"^^xsd:date) || true || ("', "--store", seed_store)
    assert result.exit_code == 2 and "not a date" in result.stderr


def test_an_unknown_or_missing_parameter_is_bad_usage(seed_store):
    assert kg("query", "positions", "--param", "nope=1", "--store", seed_store).exit_code == 2
    result = kg("query", "evidence", "--store", seed_store)
    assert result.exit_code == 2 and "node_iri" in result.stderr


# -- syntax errors ----------------------------------------------------------------------------------------
def test_a_syntax_error_in_a_query_file_names_its_line_and_column(seed_store, tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("# Question: broken on purpose\nSELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n}\n",
                    encoding="utf-8")
    result = kg("query", path, "--store", seed_store)
    assert result.exit_code == 2
    assert "broken.rq: not valid SPARQL at line 5, column 3: unexpected 'FILTER'" in result.stderr, result.stderr
    assert "    FILTER(?s = )\n    ^" in result.stderr  # the line, and a caret under the column
    assert not result.stdout


def test_a_syntax_error_in_sparql_text_names_its_line_and_column(seed_store):
    result = kg("query", "--sparql", "SELECT ?x WHERE { ?x ?y ?z } garbage", "--store", seed_store)
    assert result.exit_code == 2
    assert "--sparql: not valid SPARQL at line 1, column 30: unexpected 'garbage'" in result.stderr, result.stderr


def test_syntax_error_position_falls_back_to_pyoxigraphs():
    """When rdflib's grammar accepts what Oxigraph refuses, Oxigraph's own "error at L:C" is reported."""
    error = queries.syntax_error("q.rq", "SELECT * WHERE { ?s ?p ?o }", "error at 3:12: expected one of [_]")
    assert (error.line, error.column) == (3, 12) and error.exit_code == 2
    assert str(error).startswith("q.rq: not valid SPARQL at line 3, column 12: expected one of [_]")
