"""rdflib terms made without the constructors' parsing: for the values a store gives back, and for the strings and
numbers an article's conversion makes.

The 30,000 rows of `statements` at 1M triples hold some 37,000 different strings and 35,000 IRIs; rdflib's
``Literal("...")`` parses and normalises its argument (2.6 us a string) and ``URIRef("...")`` checks it (0.9 us):
about 0.13 s of making the answer, 0.02 s made here (0.3 us each). A value that comes out of Oxigraph is already an
IRI it accepted, or a string with a well-formed language tag; rdflib keeps any Python string as it is, and makes an
integer's text with ``str``: so these make the object the constructor would (every slot the same:
tests/test_terms.py). An article's conversion makes about 190 strings and integers: 1.37-1.39 ms -> 1.05 ms an
article (fastest of 7 passes over 400). Dates and other typed literals still go through ``Literal``, which checks
their form.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

_new = str.__new__


def iri(value: str) -> URIRef:
    """``URIRef(value)`` for an IRI the store holds."""
    return _new(URIRef, value)


def string(value: str, language: str | None = None) -> Literal:
    """``Literal(value)`` for any ``str``, or ``Literal(value, lang=language)`` for a well-formed language tag (as
    Oxigraph keeps only such)."""
    term = _new(Literal, value)
    term._language = language or None
    term._datatype = None
    term._value = value
    term._ill_typed = None
    return term


_XSD_INTEGER = XSD.integer


def integer(value: int, datatype: URIRef = _XSD_INTEGER) -> Literal:
    """``Literal(value)`` for an ``int`` (an xsd:integer), or ``Literal(value, datatype=datatype)`` for one of
    XSD's integer types (xsd:nonNegativeInteger ...)."""
    term = _new(Literal, str(value))
    term._language = None
    term._datatype = datatype
    term._value = value
    term._ill_typed = None
    return term
