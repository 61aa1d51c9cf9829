"""A query's final ORDER BY done in Python (graph/ordering.py): which queries it takes, and that the rows come out
in the order Oxigraph itself gives them.

Each case is self-describing: the query, and either the keys and hidden variables the plan must find, or None
when the query must run as written.
"""

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal

from graph import ordering, queries
from graph.store import OxigraphStore

PLANS = [
    ("variables", "SELECT ?a ?b WHERE { ?a ?p ?b } ORDER BY ?a ?b", [("a", False), ("b", False)], []),
    ("asc and desc", "SELECT ?a ?b WHERE { ?a ?p ?b }\nORDER BY DESC(?b) ASC(?a)\n", [("b", True), ("a", False)], []),
    ("dollar variables", "SELECT $a WHERE { $a ?p ?b } ORDER BY $a", [("a", False)], []),
    ("after GROUP BY", "SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b } GROUP BY ?a\nORDER BY ?n ?a",
     [("n", False), ("a", False)], []),
    ("trailing comment lines", "SELECT ?a WHERE { ?a ?p ?b }\nORDER BY ?a\n# the end\n\n", [("a", False)], []),
    ("a sort variable not projected is added, then hidden",
     "# Question: SELECT ?x is not the query\nSELECT ?a (GROUP_CONCAT(?b; separator=\"?q (\") AS ?bs)\n"
     "WHERE { ?a ?p ?b ; ?q ?c } GROUP BY ?a ?c ORDER BY ?c ?a", [("c", False), ("a", False)], ["c"]),
    ("no ORDER BY", "SELECT ?a WHERE { ?a ?p ?b }", None, None),
    ("an expression", "SELECT ?a WHERE { ?a ?p ?b } ORDER BY STR(?a)", None, None),
    ("LIMIT after it", "SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a LIMIT 10", None, None),
    ("only a sub-select's", "SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a LIMIT 1 } }", None, None),
    ("in a comment", "SELECT ?a WHERE { ?a ?p ?b } # ORDER BY ?a", None, None),
    ("in a string", 'SELECT ?a WHERE { ?a ?p "x ORDER BY ?a" }', None, None),
    ("DISTINCT with a sort variable it does not project",
     "SELECT DISTINCT ?a WHERE { ?a ?p ?b } ORDER BY ?b", None, None),
]


@pytest.mark.parametrize("text, keys, hidden", [c[1:] for c in PLANS], ids=[c[0] for c in PLANS])
def test_plan(text, keys, hidden):
    found = ordering.plan(text)
    if keys is None:
        assert found is None
        return
    assert found is not None and found.keys == keys and found.hidden == hidden
    assert "ORDER BY" not in found.text.split("}")[-1]
    if hidden:  # added right after the outer SELECT, not the one in the comment
        assert "\nSELECT " + "".join(f"?{name} " for name in hidden) in found.text


# terms of every kind the sort takes, in an order that is not theirs
VALUES = ['"beta"', '"Alpha"', '"alpha"@en', '"alpha"@de', '"alpha"', '"é"', '"z"',
          "<http://example.org/b>", "<http://example.org/a>", "UNDEF"]
NUMBERS = ['10', '9', '-2.5', '"1e1"^^xsd:double', '"0.1"^^xsd:float', '"0.5"^^xsd:decimal', '3']  # mixed kinds
EXACT = ['10', '9', '-2.5', '"0.5"^^xsd:decimal', '3', '"007"^^xsd:integer']
DATES = ['"2025-02-05"^^xsd:date', '"2024-12-31"^^xsd:date', '"2025-02-04"^^xsd:date', "UNDEF"]
DATETIMES = ['"2025-02-05T10:00:00"^^xsd:dateTime', '"2025-02-05T09:59:59.5"^^xsd:dateTime',
             '"2025-02-05T10:00:00.25"^^xsd:dateTime', '"2025-02-05T10:00:00.250"^^xsd:dateTime']
DOUBLES = ['"1e1"^^xsd:double', '"-INF"^^xsd:double', '"2.5"^^xsd:double', '"0.1"^^xsd:double', '"INF"^^xsd:double',
           '"-0.0"^^xsd:double']
FLOATS = ['"0.1"^^xsd:float', '"0.100000001"^^xsd:float', '"-3"^^xsd:float', '"1e10"^^xsd:float']
MIXED = ['"10"', '9', '"abc"']  # a string and a number in one column: Oxigraph compares their text
OTHER = ['"true"^^xsd:boolean', '"false"^^xsd:boolean']  # a datatype the sort leaves to the engine


def _query(column: list[str], order: str) -> str:
    rows = " ".join(f"({value} {i})" for i, value in enumerate(column))
    return (f"PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
            f"SELECT ?v ?i WHERE {{ VALUES (?v ?i) {{ {rows} }} }}\nORDER BY {order}")


@pytest.fixture
def memory_store(monkeypatch):
    import graph.store

    monkeypatch.setattr(graph.store, "_MEMORY", {})
    return OxigraphStore(None)


def _as_oxigraph_orders(store, text, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(ordering, "plan", lambda sparql: None)
        return store.query(text).rows


COLUMNS = [  # (name, column, sorted in Python: else the store runs the query as written)
    ("strings-iris-unbound", VALUES, True),
    ("exact-numbers", EXACT, True),
    ("doubles", DOUBLES, True),
    ("floats", FLOATS, True),
    ("dates", DATES, True),
    ("date-times", DATETIMES, True),
    ("integers-and-doubles", NUMBERS, False),
    ("strings-and-numbers", MIXED, False),
    ("booleans", OTHER, False),
]


@pytest.mark.parametrize("column, in_python", [c[1:] for c in COLUMNS], ids=[c[0] for c in COLUMNS])
@pytest.mark.parametrize("order", ["?v ?i", "DESC(?v) ?i", "?v DESC(?i)"])
def test_rows_come_out_as_oxigraph_orders_them(memory_store, monkeypatch, column, in_python, order):
    sorted_here = []
    real = ordering.sort_rows
    monkeypatch.setattr(ordering, "sort_rows", lambda rows, keys: sorted_here.append(real(rows, keys)) or sorted_here[-1])
    text = _query(column, order)
    ours = memory_store.query(text).rows
    assert sorted_here == [in_python]
    assert ours == _as_oxigraph_orders(memory_store, text, monkeypatch)


def test_sort_rows_declines_what_it_cannot_order_exactly():
    """Mixed kinds, NaN, other datatypes, time zones, five-digit years and blank nodes go back to the engine; the
    rows stay as they were."""
    xsd = "http://www.w3.org/2001/XMLSchema#"

    def typed(value, name):
        return ox.Literal(value, datatype=ox.NamedNode(xsd + name))

    for column in ([ox.Literal("10"), typed("9", "integer")], [typed("1", "integer"), typed("1.5", "double")],
                   [typed("NaN", "double")], [typed("2025-02-05Z", "date"), typed("2025-02-04", "date")],
                   [typed("2025-02-05T10:00:00+02:00", "dateTime")], [typed("P1D", "duration")],
                   [typed("true", "boolean")], [ox.BlankNode("b1"), ox.NamedNode("http://example.org/a")],
                   [typed("10000-01-01", "date"), typed("9999-01-01", "date")]):
        rows = [[term] for term in reversed(column)]
        before = list(rows)
        assert ordering.sort_rows(rows, [(0, False)]) is False, column
        assert rows == before


def test_a_hidden_sort_variable_is_not_in_the_answer(memory_store, monkeypatch):
    text = ("SELECT ?v WHERE { VALUES (?v ?k) { (\"a\" 3) (\"b\" 1) (\"c\" 2) } }\nORDER BY ?k")
    result = memory_store.query(text)
    assert result.variables == ["v"] and [row["v"] for row in result.rows] == [Literal("b"), Literal("c"), Literal("a")]
    assert all(set(row) == {"v"} for row in result.rows)


def test_a_wrong_query_still_fails_as_written(memory_store):
    """The rewritten text is only an attempt: the error a user sees is the one their query gets."""
    from graph.store import QueryError

    with pytest.raises(QueryError, match="not valid SPARQL"):
        memory_store.query("SELECT ?a WHERE { ?a ?p } ORDER BY ?a")


def test_every_named_query_orders_in_python_with_a_total_order():
    """Each named query's final ORDER BY is one the store sorts itself (so the 1M-triple listings do not pay
    Oxigraph's string comparisons), and none leaves rows whose order depends on the engine: its keys name the
    query's row, e.g. evidence sorts by the node after the evidence, said-about by the topic after the sequence."""
    for name, query in sorted(queries.named_queries().items()):
        found = ordering.plan(query.text)
        assert found is not None, f"{name}: its ORDER BY is not a list of variables the store can sort by"


def test_named_queries_answer_in_the_same_order_as_oxigraph(seed_store, monkeypatch):
    store = OxigraphStore(Path(seed_store), read_only=True)
    for name, query in sorted(queries.named_queries().items()):
        ours = queries.execute(store, query, {})
        with monkeypatch.context() as patched:
            patched.setattr(ordering, "plan", lambda sparql: None)
            theirs = queries.execute(store, query, {})
        assert ours.variables == theirs.variables, name

        def rows(result):  # a list column's items in any order (a listing keeps them sorted: graph/listings.py)
            return [{k: queries.plain(v, True) if k in query.lists else v for k, v in row.items()}
                    for row in result.rows]

        assert rows(ours) == rows(theirs), name
