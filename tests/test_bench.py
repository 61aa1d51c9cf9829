"""scripts/bench.py at a tiny size, as a smoke test: it runs end to end and reports every figure (no timing is
asserted: speed is measured by the script itself, in one run, as ratios; see README "Performance")."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, script

bench = script("bench")


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


def _server_processes(location: str) -> list[int]:
    """The pids of the processes whose command line names ``location`` (an Oxigraph server's data folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if location in command and "serve" in command:
                found.append(int(entry.name))
    return found


def test_a_benchmark_stopped_with_sigterm_stops_its_server_and_removes_its_folder(tmp_path):
    """Regression: `kill` (SIGTERM) ended the benchmark without its `finally`, leaving the Oxigraph server it had
    started running (busy with the queries it had been asked) and the work folder behind."""
    work = tmp_path / "work"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--articles", "3", "--runs", "50", "--html-sizes", "",
         "--stores", "embedded,oxigraph-server", "--workdir", str(work)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    location = str((work / "oxigraph-server" / "data").resolve())  # as the server is given it
    deadline = time.time() + 300
    try:
        while not _server_processes(location):
            assert process.poll() is None, process.stderr.read().decode()[-3000:]
            assert time.time() < deadline, "the benchmark never started its Oxigraph server"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    deadline = time.time() + 30
    while _server_processes(location) and time.time() < deadline:
        time.sleep(0.1)
    left = _server_processes(location)
    for pid in left:  # not to leave it running when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left
    assert not work.exists()


def test_a_server_that_does_not_answer_is_stopped(tmp_path, monkeypatch):
    """Server.start waits for the server to answer; when it gives up, the process it started is stopped."""
    def never(*args, **kwargs):
        raise RuntimeError("no answer")

    monkeypatch.setattr(bench, "wait_http", never)
    server = bench.Server("oxigraph", tmp_path / "server")
    with pytest.raises(RuntimeError, match="no answer"):
        server.start()
    assert server.process is not None and server.process.poll() is not None
