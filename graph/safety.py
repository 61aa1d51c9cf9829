"""Crash and concurrency safety for a store on disk: one writer at a time, readers on published snapshots.

An on-disk store is a folder ``DIR`` holding ``DIR/store`` (Oxigraph's RocksDB), ``graph.trig`` and ``graph.html``.

* **One writer.** A process that opens ``DIR/store`` read-write first takes an exclusive ``flock`` on
  ``DIR/.kg-build.lock`` (RocksDB's own ``LOCK`` refuses a second writer too, but only with "Resource temporarily
  unavailable"). A second ``kg build`` waits for the first with a message naming it, up to ``KG_LOCK_TIMEOUT``
  seconds (default 600), then stops with exit 2. The lock dies with its process, so a killed build never leaves
  the store locked.
* **Readers never open the live store while it may be written.** pyoxigraph 0.5 has no secondary instance, and
  opening a store read-only "while an other process is writing the database is undefined behavior". So when a
  writer closes the store, it publishes a snapshot: ``Store.backup`` (a RocksDB checkpoint made of hard links,
  about a millisecond whatever the size) into ``DIR/snapshots/<n>``, then ``DIR/snapshots/CURRENT`` names it
  (written to a temporary file and renamed). Readers (``kg query``, ``kg serve``'s workers) open the snapshot
  ``CURRENT`` names, read-only: nobody ever writes it, and it holds the whole state of a finished write, so a
  reader sees every article graph either as it was or as it is now, never half. Each article graph is
  replaced in one transaction, so even the live store is never half an article.
* **A killed writer** publishes nothing; readers keep the last snapshot; the next build finds the store as
  RocksDB recovered it (every committed transaction, nothing half), rebuilds what is not up to date and
  publishes.

``crash_point(phase)`` lets the crash tests kill a build at a known moment (``KG_TEST_CRASH_AT=<phase>``);
without that variable it does nothing.

This module imports only the standard library, so ``graph/sparql_worker.py`` can use ``current_snapshot``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sys
import time
from pathlib import Path

LOCK_FILE = ".kg-build.lock"
#: an empty named graph: the store's default graph is kept as the set union of its named graphs (graph/store.py)
LAYOUT_GRAPH = "urn:x-legal-news-kg:layout:default-graph-is-set-union"
SNAPSHOTS = "snapshots"
CURRENT = "CURRENT"
KEEP = 2  # snapshots kept: the current one and the one before (a reader may still be finishing a query on it)
DEFAULT_TIMEOUT = 600.0

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: RocksDB's own lock still refuses a second writer
    fcntl = None


_REACHED: dict[str, int] = {}


def crash_point(phase: str) -> None:
    """The crash tests' hook: SIGKILL this process when ``KG_TEST_CRASH_AT`` is ``phase`` or ``phase:n`` (the n-th
    time the phase is reached). Unset, it does nothing. Phases: ``store-opened``, ``graph-replaced`` (after each
    named graph's transaction), ``bulk-chunk`` (after each chunk a first build's bulk load takes), ``bulk-loaded``
    (the whole load, before its marker is removed), ``flushed``, ``before-rename-graph.trig``,
    ``before-rename-graph.html``, ``snapshot-made``."""
    wanted = os.environ.get("KG_TEST_CRASH_AT")
    if not wanted:
        return
    _REACHED[phase] = _REACHED.get(phase, 0) + 1
    name, _, count = wanted.partition(":")
    if name == phase and _REACHED[phase] == int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)


class WriterLock:
    """An exclusive ``flock`` on ``DIR/.kg-build.lock``; waits for the holder up to ``timeout`` seconds."""

    def __init__(self, directory: Path, timeout: float | None = None):
        from .errors import KgError

        self.path = Path(directory) / LOCK_FILE
        self.fd = None
        if fcntl is None:
            return
        if timeout is None:
            timeout = float(os.environ.get("KG_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
        Path(directory).mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline, told = time.monotonic() + timeout, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self.holder()
                if time.monotonic() >= deadline:
                    os.close(fd)
                    waited = f" after waiting {timeout:.0f} s" if timeout else ""
                    raise KgError(f"{directory}: another kg process is writing this store ({holder}){waited}; "
                                  "wait for it to finish, then run the command again") from None
                if not told:
                    print(f"kg: {directory}: another kg process is writing this store ({holder}); "
                          f"waiting up to {timeout:.0f} s for it to finish", file=sys.stderr, flush=True)
                    told = True
                time.sleep(0.1)
        self.fd = fd
        os.ftruncate(fd, 0)
        since = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        for stale in Path(directory).glob(".*.tmp"):  # graph.store.write_atomically's, left by a writer killed
            if stale.is_file():                        # before its rename (graph.trig, the triple count, ...)
                stale.unlink(missing_ok=True)
        os.write(fd, f"pid {os.getpid()}, `{' '.join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv[:3]))}`, "
                     f"since {since}\n".encode())

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace").strip() or "starting"
        except OSError:
            return "unknown"

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def current_snapshot(directory: Path | str) -> Path | None:
    """The published snapshot of ``DIR/store`` that readers open, or None when none was published yet."""
    root = Path(directory) / SNAPSHOTS
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    path = root / name
    return path if name and path.is_dir() else None


def open_read_only(directory: Path | str, attempts: int = 5):
    """Open the published snapshot of ``DIR/store`` read-only (the live store when none was published yet).

    A build that publishes a newer snapshot removes the ones before the last KEEP; a reader that read CURRENT just
    before that tries again with the new CURRENT.
    """
    return open_snapshot(directory, attempts)[0]


def open_snapshot(directory: Path | str, attempts: int = 5):
    """``open_read_only``, and the name of the snapshot it opened (None: the live store, none published yet)."""
    import pyoxigraph as ox

    live = Path(directory) / "store"
    for attempt in range(attempts):
        snapshot = current_snapshot(directory)
        try:
            return ox.Store.read_only(str(snapshot or live)), (snapshot.name if snapshot is not None else None)
        except OSError:
            if snapshot is None or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def snapshot_stamp(directory: Path | str):
    """Changes whenever a new snapshot is published (what a long-running reader checks before each query)."""
    try:
        stat = os.stat(Path(directory) / SNAPSHOTS / CURRENT)
        return (stat.st_ino, stat.st_mtime_ns)
    except OSError:
        return None


def publish_snapshot(store, directory: Path) -> Path:
    """Checkpoint the (flushed) store into ``DIR/snapshots/<n>`` and make it the one readers open."""
    from .store import write_atomically

    root = Path(directory) / SNAPSHOTS
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name) for p in root.iterdir() if p.name.isdigit()]
    number = max(numbers, default=0) + 1
    tmp = root / f".tmp-{number}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    store.flush()
    store.backup(str(tmp))
    final = root / f"{number:08d}"
    os.rename(tmp, final)
    crash_point("snapshot-made")
    write_atomically(root / CURRENT, lambda handle: handle.write(f"{final.name}\n".encode()))
    _collect(root, keep={final.name})
    return final


def _collect(root: Path, keep: set[str]) -> None:
    """Remove snapshots beyond the newest KEEP, and temporary ones a killed writer left."""
    numbered = sorted((p for p in root.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    old = numbered[:-KEEP] if len(numbered) > KEEP else []
    stale = [p for p in root.iterdir() if p.name.startswith(".tmp-") and p.is_dir()]
    for path in old + stale:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
