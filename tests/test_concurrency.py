"""Concurrency: two `kg build` runs on one store never corrupt it (the second waits for the first, or refuses
with a clear message), and readers see each article graph either as it was or as it is now while builds run.

Builds run as real `kg` processes; the test process plays the other party (holding the writer lock, holding the
store open the way a foreign process would, or reading while the builds write).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from graph.safety import WriterLock, current_snapshot
from graph.store import OxigraphStore

from .test_crash import GR, KG, ROOT, article_graphs, references, write_articles  # noqa: F401 - a fixture


def start_build(*args, extra_env: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KG_TEST_CRASH_AT", None)
    env.update(extra_env or {})
    return subprocess.Popen([*KG, "build", *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)


def wait_for_line(stream, words: str, timeout: float = 60) -> str:
    deadline, seen = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready:
            line = stream.readline()
            seen += line
            if words in line:
                return line
            if not line:
                break
    raise AssertionError(f"{words!r} never came; got {seen!r}")


def built(references, tmp_path: Path, version: int = 1):
    """A copy of the clean build of a version (test_crash's references), and that version's article folders."""
    out = tmp_path / "out"
    shutil.copytree(references[version]["out"], out)
    return out, references[version]["folders"]


def test_a_second_build_waits_for_the_first_says_so_then_finishes(references, tmp_path):
    out, _ = built(references, tmp_path, 1)
    before = article_graphs(out / "store")
    v2 = write_articles(tmp_path / "v2", 2)
    lock = WriterLock(out, timeout=0)  # this test is the first build
    try:
        second = start_build(*v2, "--store", out, "--no-html")
        line = wait_for_line(second.stderr, "another kg process is writing this store")
        assert f"pid {os.getpid()}" in line and "waiting up to" in line
        time.sleep(0.5)
        assert second.poll() is None, "the second build did not wait"
        assert article_graphs(out / "store") == before
    finally:
        lock.release()
    assert second.wait(timeout=120) == 0, second.stderr.read()
    after = article_graphs(out / "store")
    assert all(after[slug] != before[slug] for slug in after)
    assert article_graphs(current_snapshot(out)) == after


def test_a_build_that_may_not_wait_refuses_with_a_clear_message_and_changes_nothing(references, tmp_path):
    out, _ = built(references, tmp_path, 1)
    before = article_graphs(out / "store")
    v2 = write_articles(tmp_path / "v2", 2)
    lock = WriterLock(out, timeout=0)
    try:
        second = start_build(*v2, "--store", out, extra_env={"KG_LOCK_TIMEOUT": "0"})
        stdout, stderr = second.communicate(timeout=120)
    finally:
        lock.release()
    assert second.returncode == 2, stderr
    assert stderr.startswith(f"kg: {out}: another kg process is writing this store (pid {os.getpid()}")
    assert "wait for it to finish, then run the command again" in stderr and "Traceback" not in stderr
    assert article_graphs(out / "store") == before


def test_a_store_held_open_without_the_lock_is_refused_by_rocksdb_with_a_clear_message(references, tmp_path):
    out, folders = built(references, tmp_path, 1)
    holder = ox.Store(str(out / "store"))  # a process that bypasses the lock file (an old kg, a script)
    try:
        second = start_build(*folders, "--store", out, extra_env={"KG_LOCK_TIMEOUT": "0"})
        _, stderr = second.communicate(timeout=120)
    finally:
        del holder
    assert second.returncode == 2, stderr
    assert "the store is in use by another kg process" in stderr and "Traceback" not in stderr


def test_two_builds_started_together_both_finish_and_neither_loses_the_others_article(references, tmp_path):
    """One builds story-a, the other story-b, at the same moment: both updates are in the store afterwards."""
    out, _ = built(references, tmp_path, 1)
    v2 = write_articles(tmp_path / "v2", 2)
    reference = references[2]["graphs"]
    first = start_build(v2[0], "--store", out, "--no-html")
    second = start_build(v2[1], "--store", out, "--no-html")
    assert first.wait(timeout=120) == 0, first.stderr.read()
    assert second.wait(timeout=120) == 0, second.stderr.read()
    assert article_graphs(out / "store") == reference
    assert article_graphs(current_snapshot(out)) == reference


def test_readers_see_the_old_or_the_new_graph_while_builds_run(references, tmp_path):
    """`kg query`'s way of opening the store, in a loop, while three builds flip story-a between two versions."""
    out, v1 = built(references, tmp_path, 1)
    v2 = write_articles(tmp_path / "v2", 2)
    old = article_graphs(out / "store")["story-a"]
    graph = ox.NamedNode(GR + "article/story-a")
    seen, errors, stop = [], [], threading.Event()

    def read():
        while not stop.is_set():
            try:
                store = OxigraphStore(out, read_only=True)
                seen.append(frozenset(str(q) for q in store.store.quads_for_pattern(None, None, None, graph)))
                store.close()
            except Exception as exc:  # noqa: BLE001 - any failure to read is what this test looks for
                errors.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for folders in (v2, v1, v2):
            build = start_build(*folders, "--store", out, "--no-html")
            assert build.wait(timeout=120) == 0, build.stderr.read()
    finally:
        stop.set()
        reader.join()
    new = article_graphs(out / "store")["story-a"]
    assert not errors, errors[:3]
    assert len(seen) > 10
    assert set(seen) == {old, new}, "a reader saw a graph that is neither the old nor the new one (or never the old)"
    assert seen[-1] == new


def test_kg_serve_answers_while_builds_run_and_sees_the_old_or_the_new_graph(references, tmp_path):
    """`kg serve`'s workers read published snapshots: every answer during three builds is story-a's old graph or
    its new one, no request fails, and the last answers show the last build."""
    import urllib.parse

    from .test_serve import start

    out, v1 = built(references, tmp_path, 1)
    v2 = references[2]["folders"]
    as_triples = {version: {line.rsplit(" ", 1)[0] + " ." for line in references[version]["graphs"]["story-a"]}
                  for version in (1, 2)}
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GR}article/story-a> {{ ?s ?p ?o }} }}"
    served = start(out, "--workers", "2")
    answers, failures, stop = [], [], threading.Event()

    def ask():
        while not stop.is_set():
            status, _, body = served.request("/sparql?" + urllib.parse.urlencode({"query": construct}),
                                             headers={"Accept": "application/n-triples"})
            if status != 200:
                failures.append((status, body[:200]))
            else:
                answers.append(frozenset(line for line in body.decode("utf-8").splitlines() if line.strip()))

    clients = [threading.Thread(target=ask) for _ in range(2)]
    try:
        for client in clients:
            client.start()
        for folders in (v2, v1, v2):
            build = start_build(*folders, "--store", out, "--no-html")
            assert build.wait(timeout=120) == 0, build.stderr.read()
            time.sleep(0.3)
        time.sleep(0.5)
    finally:
        stop.set()
        for client in clients:
            client.join()
        served.process.terminate()
        served.process.wait(timeout=30)
    assert not failures, failures[:3]
    assert len(answers) > 10
    extra = sorted(set().union(*answers) - as_triples[1] - as_triples[2])[:3]
    missing = sorted((as_triples[1] | as_triples[2]) - set().union(*answers))[:3]
    assert set(answers) == {frozenset(as_triples[1]), frozenset(as_triples[2])}, (extra, missing)
    assert answers[-1] == frozenset(as_triples[2])
