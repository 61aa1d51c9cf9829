"""The input hashes of article folders, kept between builds beside an on-disk store (``DIR/input-hashes.json``).

A build decides which articles changed by hashing every folder's text and annotation (graph/annotation.py
``input_hash``): 0.09 s for 1,985 articles with the files in the page cache, more when they are read from disk;
0.03 s from here. A hash is
taken from here instead while both files are the same files, unchanged, as when they were hashed: the same device,
inode, size, modification time and change time (the change time moves on every write, even one that sets the
modification time back, and cannot be set by a program). As git does with its index, a file written less than
RACY_NS before it was hashed is not remembered: a second write in the same clock tick would leave its times as they
were. The file is only a shortcut: when it is missing, unreadable or from another version, every folder is hashed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .annotation import ANNOTATION_FILE, TEXT_FILE

CACHE_FILE = "input-hashes.json"
FORMAT = 1
RACY_NS = 2_000_000_000  # a file written this recently is hashed again next time


def _identity(directory) -> list | None:
    """What identifies the folder's two files as they are now, or None when one cannot be read."""
    found = []
    for name in (TEXT_FILE, ANNOTATION_FILE):
        try:
            status = os.stat(os.path.join(directory, name))
        except OSError:
            return None
        found.append([status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns])
    return found


class HashCache:
    """``digest(folder, version, compute)``: the remembered hash when the folder's files are unchanged, else
    ``compute()``; ``save()`` keeps what this build learnt (nothing when there is no folder to keep it in), with
    what was remembered of the folders that still exist (one removed is forgotten: the file does not grow with
    every folder ever built beside the store)."""

    def __init__(self, directory: Path | None):
        self.path = Path(directory) / CACHE_FILE if directory is not None else None
        self.entries: dict = {}
        self.learnt: dict = {}
        if self.path is None:
            return
        try:
            kept = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(kept, dict) and kept.get("format") == FORMAT and isinstance(kept.get("entries"), dict):
            self.entries = kept["entries"]

    def digest(self, directory, version: str, compute):
        key = os.path.abspath(directory)
        identity = _identity(directory)
        entry = self.entries.get(key)
        if identity is not None and isinstance(entry, list) and entry[:2] == [version, identity]:
            return entry[2]
        value = compute()
        now = time.time_ns()
        if (value is not None and identity is not None and identity == _identity(directory)
                and all(now - status[3] >= RACY_NS and now - status[4] >= RACY_NS for status in identity)):
            self.learnt[key] = [version, identity, value]
        return value

    def save(self) -> None:
        if self.path is None or not self.learnt:
            return
        from .store import write_atomically

        entries = {key: entry for key, entry in self.entries.items() if os.path.isdir(key)}
        entries.update(self.learnt)
        try:
            write_atomically(self.path, lambda handle: handle.write(
                json.dumps({"format": FORMAT, "entries": entries}, separators=(",", ":")).encode("utf-8")))
        except OSError:
            pass  # a shortcut only: the next build hashes the folders again
