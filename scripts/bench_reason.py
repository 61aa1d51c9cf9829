"""How long does `kg build --reason` take, against loading the same data and against owlrl? Measured in one run.

    .venv/bin/python scripts/bench_reason.py                       # 1, 10, 50 copies of the seed article
    .venv/bin/python scripts/bench_reason.py --copies 1,20,100 --owlrl-copies 1,5

The corpus is the seed article's graph (about 2,200 triples) copied N times with every id: IRI renamed per copy,
beside the ontology graph, in an in-memory Oxigraph store. For each size it measures:

load      inserting the quads into a fresh store (Store.extend): the baseline the other columns are divided by
reason    graph/reason.py's materialise: the RDFS/OWL-RL rules as SPARQL updates on the store, to the fixpoint
owlrl     owlrl's OWL-RL closure (and its RDFS closure) of the same triples in an rdflib graph, for the sizes in
          --owlrl-copies only (it is much slower); the ratio is owlrl's time over reason's

Every figure is the median of --runs runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from rdflib import Graph, URIRef  # noqa: E402

from graph.annotation import article_graph, read_article  # noqa: E402
from graph.build import stable_blank_nodes  # noqa: E402
from graph.ns import GR, ID, ONTOLOGY_GRAPH  # noqa: E402
from graph.ontology import Ontology  # noqa: E402
from graph.reason import materialise  # noqa: E402
from graph.store import OxigraphStore, to_ox  # noqa: E402

SEED = ROOT / "articles" / "npr-2025-02-05-el-salvador-prisons"


def corpus(copies: int, data: Graph, onto: Graph) -> list[ox.Quad]:
    base = str(ID)

    def rename(term, n):
        if isinstance(term, URIRef) and str(term).startswith(base):
            return URIRef(f"{term}-c{n}")
        return term

    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(ONTOLOGY_GRAPH)) for s, p, o in onto]
    for n in range(copies):
        graph = to_ox(GR[f"article/copy-{n}"])
        quads += [ox.Quad(to_ox(rename(s, n)), to_ox(p), to_ox(rename(o, n)), graph) for s, p, o in data]
    return quads


def median_time(function, runs: int):
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", default="1,10,50", help="corpus sizes, in copies of the seed article")
    parser.add_argument("--owlrl-copies", default="1,5", help="the sizes owlrl is also timed on")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.copies.split(",") if x]
    owlrl_sizes = {int(x) for x in args.owlrl_copies.split(",") if x}

    ontology = Ontology()
    data = article_graph(read_article(SEED), ontology)
    onto = stable_blank_nodes(ontology.graph)
    rows = []
    for copies in sorted(set(sizes) | owlrl_sizes):
        quads = corpus(copies, data, onto)

        def load():
            store = ox.Store()
            store.extend(quads)
            return store

        load_s, _ = median_time(load, args.runs)

        def reason():
            store = OxigraphStore(None)
            store.store = load()
            return materialise(store)

        reason_s, report = median_time(reason, args.runs)
        reason_s -= load_s  # the runs above load a fresh store first
        row = {"copies": copies, "triples": len(quads), "load": load_s, "reason": reason_s,
               "inferred": report.inferred, "rounds": report.rounds}
        if copies in owlrl_sizes:
            import owlrl

            def closure(semantics):
                graph = Graph()
                for quad in quads:
                    graph.add((URIRef(quad.subject.value) if isinstance(quad.subject, ox.NamedNode) else quad.subject,
                               URIRef(quad.predicate.value), _rd(quad.object)))
                started = time.perf_counter()
                owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
                return time.perf_counter() - started

            row["owlrl"] = statistics.median(closure(owlrl.OWLRL_Semantics) for _ in range(max(1, args.runs // 2)))
            row["rdfs"] = statistics.median(closure(owlrl.RDFS_Semantics) for _ in range(max(1, args.runs // 2)))
        rows.append(row)
        print(f"measured {copies} copies", file=sys.stderr, flush=True)

    print(f"{'copies':>6} {'triples':>9} {'load s':>8} {'reason s':>9} {'reason/load':>11} {'inferred':>9} "
          f"{'rounds':>6} {'owlrl OWL-RL s':>14} {'owlrl RDFS s':>12} {'OWL-RL/reason':>13}")
    for r in rows:
        owl = f"{r['owlrl']:14.2f}" if "owlrl" in r else f"{'-':>14}"
        rdfs = f"{r['rdfs']:12.2f}" if "rdfs" in r else f"{'-':>12}"
        ratio = f"{r['owlrl'] / r['reason']:12.0f}x" if "owlrl" in r and r["reason"] > 0 else f"{'-':>13}"
        print(f"{r['copies']:>6} {r['triples']:>9} {r['load']:8.3f} {r['reason']:9.3f} "
              f"{r['reason'] / r['load']:10.1f}x {r['inferred']:>9} {r['rounds']:>6} {owl} {rdfs} {ratio}")
    return 0


def _rd(term):
    from graph.store import from_ox

    return from_ox(term)


if __name__ == "__main__":
    sys.exit(main())
