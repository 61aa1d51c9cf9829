"""Making an answer's many rows: each distinct value converted once (``Memo``), and no cyclic garbage collection
while they are made (``gc_paused``). No rdflib here: kg serve's query worker (graph/sparql_worker.py) uses both and
starts without it (importing graph/terms.py, which makes rdflib terms, takes about 0.17 s).
"""

from __future__ import annotations

import contextlib
import gc


class Memo(dict):
    """``memo[value]`` is ``make(value)``, made once for each distinct value (None stays None): an answer's rows share
    their terms, which are not changed once made (`statements` on 200k triples: 90,000 cells, 16,000 distinct)."""

    def __init__(self, make):
        super().__init__({None: None})
        self.make = make

    def __missing__(self, value):
        made = self[value] = self.make(value)
        return made


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
