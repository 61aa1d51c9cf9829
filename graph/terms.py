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

import contextlib
import gc

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


class Memo(dict):
    """``memo[value]`` is ``make(value)``, made once for each distinct value (None stays None): an answer's rows share
    their terms, which are not changed once made (`statements` on 200k triples: 90,000 cells, 16,000 distinct)."""

    def __init__(self, make):
        super().__init__({None: None})
        self.make = make

    def __missing__(self, value):
        made = self[value] = self.make(value)
        return made


def integer(value: int, datatype: URIRef = _XSD_INTEGER) -> Literal:
    """``Literal(value)`` for an ``int`` (an xsd:integer), or ``Literal(value, datatype=datatype)`` for one of
    XSD's integer types (xsd:nonNegativeInteger ...)."""
    term = _new(Literal, str(value))
    term._language = None
    term._datatype = datatype
    term._value = value
    term._ill_typed = None
    return term


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection inside the block (reference counting frees as ever); the collector runs again
    after it when it ran before. Making an answer's rows and terms, tens of thousands of objects with no cycle among
    them, set off a collection every 700 objects or so, the older ones walking what the process holds: reading
    `statements` or `timeline` from their listings at 1M triples, a fresh process spent 0.12-0.21 s in 250-380
    collections, 0.04-0.06 s in two with the pause; a process holding two earlier answers 0.46-0.56 s, 0.06 s with
    it (gc.callbacks timing each collection)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
