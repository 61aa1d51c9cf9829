"""graph/hashcache.py: an article folder's input hash is read again only when one of its files changed."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

import graph.build
from graph import hashcache
from graph.build import _digest, build
from graph.hashcache import CACHE_FILE, HashCache

from .conftest import MINI_DIR, SEED_DIR


def _counting(folder, version="1"):
    calls = []

    def compute():
        calls.append(folder)
        return _digest(folder, version)
    return compute, calls


def test_an_unchanged_folder_is_not_hashed_again_and_a_changed_one_is(tmp_path, monkeypatch):
    monkeypatch.setattr(hashcache, "RACY_NS", 0)
    folder = tmp_path / "article"
    shutil.copytree(MINI_DIR, folder)
    compute, calls = _counting(folder)
    first = HashCache(tmp_path).digest(folder, "1", compute)
    cache = HashCache(tmp_path)
    cache.digest(folder, "1", compute)
    cache.save()
    assert len(calls) == 2  # nothing kept yet: the first cache was never saved
    assert HashCache(tmp_path).digest(folder, "1", compute) == first and len(calls) == 2  # from the file
    assert HashCache(tmp_path).digest(folder, "2", _counting(folder, "2")[0]) == _digest(folder, "2")  # version
    # the same size and the same modification time, other words: the change time tells
    annotation = folder / "annotation.yaml"
    status = annotation.stat()
    time.sleep(0.05)
    text = annotation.read_text(encoding="utf-8")
    changed = text.replace("a", "b", 1)
    assert changed != text and len(changed) == len(text)
    annotation.write_text(changed, encoding="utf-8")
    os.utime(annotation, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert annotation.stat().st_mtime_ns == status.st_mtime_ns and annotation.stat().st_size == status.st_size
    again = HashCache(tmp_path).digest(folder, "1", compute)
    assert len(calls) == 3 and again != first and again == _digest(folder, "1")


def test_a_removed_folder_is_forgotten_and_one_not_built_this_time_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(hashcache, "RACY_NS", 0)
    folders = [tmp_path / name for name in ("one", "two", "three")]
    for folder in folders:
        shutil.copytree(MINI_DIR, folder)
    cache = HashCache(tmp_path)
    for folder in folders[:2]:
        cache.digest(folder, "1", _counting(folder)[0])
    cache.save()
    shutil.rmtree(folders[0])
    cache = HashCache(tmp_path)
    cache.digest(folders[2], "1", _counting(folders[2])[0])
    cache.save()
    kept = json.loads((tmp_path / CACHE_FILE).read_text(encoding="utf-8"))["entries"]
    assert sorted(kept) == [os.path.abspath(folders[2]), os.path.abspath(folders[1])]


def test_a_file_written_just_before_it_was_hashed_is_not_remembered(tmp_path):
    """As git's index: a second write in the same clock tick as the first would leave every time as it was."""
    folder = tmp_path / "article"
    shutil.copytree(MINI_DIR, folder)  # written now
    cache = HashCache(tmp_path)
    cache.digest(folder, "1", _counting(folder)[0])
    cache.save()
    assert not (tmp_path / CACHE_FILE).exists()


@pytest.mark.parametrize("content", ["not json", '{"format": 99, "entries": {}}', '["a list"]',
                                     '{"format": 1, "entries": {"X": "not a list"}}'])
def test_a_cache_file_that_cannot_be_used_is_passed_over(tmp_path, monkeypatch, content):
    monkeypatch.setattr(hashcache, "RACY_NS", 0)
    folder = tmp_path / "article"
    shutil.copytree(MINI_DIR, folder)
    (tmp_path / CACHE_FILE).write_text(content.replace("X", os.path.abspath(folder).replace("\\", "\\\\")),
                                       encoding="utf-8")
    compute, calls = _counting(folder)
    assert HashCache(tmp_path).digest(folder, "1", compute) == _digest(folder, "1") and len(calls) == 1


def test_a_second_build_of_unchanged_articles_reads_no_article_to_hash_it(tmp_path, monkeypatch):
    """Through the build: the seed article's files were written long before the test, so its hash is kept beside
    the store and the next build takes it from there."""
    out = tmp_path / "out"
    build([SEED_DIR], out, html=False, trig=False)
    kept = json.loads((out / CACHE_FILE).read_text(encoding="utf-8"))
    assert list(kept["entries"]) == [os.path.abspath(SEED_DIR)]

    def refuse(directory, version):
        raise AssertionError(f"{directory} hashed again")
    monkeypatch.setattr(graph.build, "_digest", refuse)
    report = build([SEED_DIR], out, html=False, trig=False)
    assert report.rebuilt == [] and report.articles == [SEED_DIR.name]
