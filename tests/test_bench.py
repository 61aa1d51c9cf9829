"""scripts/bench.py at a tiny size, as a smoke test: it runs end to end and reports every figure (no timing is
asserted: speed is measured by the script itself, in one run, as ratios; see README "Performance")."""

import json
import subprocess
import sys

from .conftest import ROOT


def test_the_benchmark_runs_and_reports_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--articles", "3", "--runs", "1", "--html-sizes", "60",
         "--stores", "embedded,memory", "--build-runs", "2", "--json", str(out), "--quiet"],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["articles"] == 3 and results["triples"] > 3 * 400
    assert set(results["stores"]) == {"embedded", "memory"}
    embedded = results["stores"]["embedded"]
    assert embedded["full_build_s"] > 0 and embedded["incremental_s"] > 0 and embedded["peak_memory_mb"] > 0
    assert results["bulk_load_disk_s"] > 0 and results["bulk_load_memory_s"] > 0
    # --build-runs 2: the full build, its listings and the bulk load twice each; the median (of two: the mean) shown
    for runs, median in ((embedded["full_build_runs_s"], embedded["full_build_s"]),
                         (embedded["listings_runs_s"], embedded["listings_s"]),
                         (embedded["build_with_listings_runs_s"], embedded["build_with_listings_s"]),
                         (results["bulk_load_disk_runs_s"], results["bulk_load_disk_s"])):
        assert len(runs) == 2 and abs(median - sum(runs) / 2) < 1e-9
    assert {"statements", "positions", "offers"} <= set(results["queries"])
    for name, query in results["queries"].items():
        assert "timeout" in query or (query["embedded"]["p50"] > 0 and query["raw_pyoxigraph"]["p50"] > 0), name
    assert results["queries"]["statements"]["selective"]["article_iri"]["rows"] > 0
    assert results["queries"]["timeline"]["selective"]["actor_iri"]["rows"] > 0  # matched in a FILTER: FILTER_VALUES
    assert results["html"]["60"]["nodes"] > 0
    table = done.stdout
    for heading in ("full build", "pyoxigraph bulk_load disk", "named query", "graph.html", "incremental",
                    "medians of 2 runs", "full build with its listings as one command"):
        assert heading in table, heading


def test_an_unknown_store_kind_is_bad_usage():
    """Regression: `--stores oxigraph` (the kind is `oxigraph-server`) was measured as Virtuoso under that name."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--stores", "embedded,oxigraph"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert "unknown store kind 'oxigraph'" in done.stderr and "oxigraph-server" in done.stderr
