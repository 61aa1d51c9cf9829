"""graph/terms.py makes the terms rdflib's constructors make, without their parsing: every slot the same."""

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from graph import terms
from graph.listings import _encode, _to_rdflib
from graph.store import from_ox

STRINGS = ["", "x", "He said: \"no\".\n", "émigré – “quoted” 😀", " leading and trailing ", "1", "true",
           "2025-02-05", "<not an IRI>", "\u2028line\u0085separators"]
LANGUAGES = ["en", "de-AT", "EN", "zh-Hant-TW"]


def same(made, expected):
    assert type(made) is type(expected)
    assert str(made) == str(expected)
    assert made == expected and hash(made) == hash(expected)
    assert repr(made) == repr(expected) and made.n3() == expected.n3()
    for slot in getattr(type(expected), "__slots__", ()):
        assert getattr(made, slot) == getattr(expected, slot), slot
    assert made.toPython() == expected.toPython()


@pytest.mark.parametrize("value", STRINGS)
def test_string_is_rdflib_literal(value):
    same(terms.string(value), Literal(value))
    assert terms.string(value).eq(Literal(value))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("value", STRINGS)
def test_language_string_is_rdflib_literal(value, language):
    same(terms.string(value, language), Literal(value, lang=language))


@pytest.mark.parametrize("value", [0, 1, 15, 4096, 10**30, -3])
def test_integer_is_rdflib_literal(value):
    same(terms.integer(value), Literal(value))
    same(terms.integer(value, XSD.nonNegativeInteger), Literal(value, datatype=XSD.nonNegativeInteger))


@pytest.mark.parametrize("value", ["https://w3id.org/legal-news-kg/id/actor/marco-rubio",
                                   "http://example.org/é?q=1#frag", "urn:x-local:1"])
def test_iri_is_rdflib_uriref(value):
    same(terms.iri(value), URIRef(value))


@pytest.mark.parametrize("term", [
    ox.NamedNode("https://w3id.org/legal-news-kg/id/actor/marco-rubio"),
    ox.Literal("émigré 😀"), ox.Literal("Rubio", language="en"), ox.Literal(""),
    ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("2025-02-05Z", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
])
def test_store_answers_and_listings_give_the_same_terms(term):
    """from_ox (a query's answer) and a listing's cell give the object rdflib would make of the term."""
    if term.__class__ is ox.NamedNode:
        expected = URIRef(term.value)
    elif term.language:
        expected = Literal(term.value, lang=term.language)
    elif term.datatype.value.endswith("#string"):
        expected = Literal(term.value)
    else:
        expected = Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    same(from_ox(term), expected)
    same(_to_rdflib(_encode(term)), expected)
