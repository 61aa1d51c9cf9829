#!/usr/bin/env python3
"""Load test of `kg serve`: C concurrent clients send a fixed mix of requests, then a table.

    .venv/bin/python scripts/load.py                         # the seed article, C = 1, 8, 32, 400 requests each
    .venv/bin/python scripts/load.py --store out --clients 1,8,32 --requests 1000 --timeout 2

It starts `kg serve` on 127.0.0.1 (a free port) over STORE (built from the seed article into a temporary folder
when --store is not given), and for each C sends REQUESTS requests from C client threads, the same mix in the same
order every run (seeded):

    named      a named query from ontology/queries/*.rq                               expect 200
    malformed  SPARQL with a syntax error                                               expect 400
    update     an INSERT/DROP as update= or as a query                                  expect 403
    too-many   a query whose result is over --max-rows                                  expect 422
    too-long   a query that runs past --timeout (a cartesian product)                   expect 503 (stopped)

It prints, per C: throughput (and its ratio to C = 1, measured in the same run), p50/p95/p99 latency, answers by
kind, requests that took longer than the limit a request may take (hung: must be 0), and the server's memory
(VmRSS of the server and its query workers, before and after; the server's peak VmHWM). Then it checks that the
server still answers, that memory stayed flat (the server's VmRSS after the last round within --memory-slack MB
of after the first), and that the graph was not changed by the refused updates. Exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "npr-2025-02-05-el-salvador-prisons"
MIX = (("named", 70), ("malformed", 10), ("update", 8), ("too-many", 7), ("too-long", 5))
EXPECTED = {"named": (200,), "malformed": (400,), "update": (403,), "too-many": (422,), "too-long": (503,)}
MALFORMED = ["SELECT * WHERE { ?s ?p }", "SELEKT ?x WHERE { ?x ?y ?z }", "SELECT * WHERE { ?s ?p ?o ",
             'SELECT * WHERE { ?s ?p "unterminated }', "PREFIX : <x SELECT * {}", "SELECT (COUNT(* AS ?n) {}"]
UPDATES = [("update", "INSERT DATA { <urn:load:a> <urn:load:b> <urn:load:c> }"), ("update", "DROP ALL"),
           ("query", "DELETE WHERE { ?s ?p ?o }"), ("query", "INSERT DATA { <urn:load:a> <urn:load:b> 1 }"),
           ("query", "CLEAR DEFAULT"), ("query", "LOAD <http://127.0.0.1:9/x>")]
TOO_MANY = "SELECT * WHERE { ?s ?p ?o }"
TOO_LONG = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def kg_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'kg'; from graph.cli import main; main()", *args]


def named_queries() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "ontology" / "queries").glob("*.rq"))]


def requests_for(count: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, field, text): the same list for the same count and seed."""
    rng = random.Random(seed)
    kinds = [k for k, weight in MIX for _ in range(weight)]
    named = named_queries()
    out = []
    for _ in range(count):
        kind = rng.choice(kinds)
        if kind == "named":
            out.append((kind, "query", rng.choice(named)))
        elif kind == "malformed":
            out.append((kind, "query", rng.choice(MALFORMED)))
        elif kind == "update":
            out.append((kind, *rng.choice(UPDATES)))
        elif kind == "too-many":
            out.append((kind, "query", TOO_MANY))
        else:
            out.append((kind, "query", TOO_LONG))
    return out


# -- the server ------------------------------------------------------------------------------------------------
class Server:
    def __init__(self, store: Path, timeout: float, max_rows: int, workers: int):
        self.process = subprocess.Popen(
            kg_command("serve", "--store", str(store), "--port", "0", "--timeout", str(timeout),
                       "--max-rows", str(max_rows), "--workers", str(workers)),
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline, line = time.monotonic() + 60, ""
        while time.monotonic() < deadline and not line:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.5)
            if ready:
                line = self.process.stdout.readline()
            if self.process.poll() is not None:
                raise SystemExit(f"kg serve stopped: {self.process.stderr.read()}")
        match = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
        if not match:
            raise SystemExit(f"kg serve did not say where it listens: {line!r}")
        self.base = match.group(1)
        for stream in (self.process.stdout, self.process.stderr):  # keep the pipes drained
            threading.Thread(target=lambda s=stream: [None for _ in s], daemon=True).start()
        while time.monotonic() < deadline:
            if self.ask("query", "ASK {}", 10)[0] == 200:
                return
            time.sleep(0.1)
        raise SystemExit("kg serve did not answer")

    def ask(self, field: str, text: str, client_timeout: float) -> tuple[int, bytes]:
        if field == "update":
            request = urllib.request.Request(self.base + "/sparql", data=urllib.parse.urlencode({"update": text}).encode(),
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            request = urllib.request.Request(self.base + "/sparql?" + urllib.parse.urlencode({"query": text}),
                                             headers={"Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=client_timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except TimeoutError:
            return -1, b"hung"
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            if "timed out" in str(error):
                return -1, b"hung"
            return -2, str(error).encode()

    def pids(self) -> list[int]:
        """The server and its query workers."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                todo += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            except OSError:
                pass
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler:
    """Samples VmRSS of the server and its workers every 0.1 s; keeps the largest total."""

    def __init__(self, server: Server):
        self.server, self.peak_total, self._stop = server, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def total(self) -> int:
        return sum(status_kb(pid, "VmRSS") for pid in self.server.pids())

    def _run(self):
        while not self._stop.is_set():
            self.peak_total = max(self.peak_total, self.total())
            time.sleep(0.1)

    def stop(self):
        self._stop.set()
        self.thread.join()


# -- one round -------------------------------------------------------------------------------------------------
def run_round(server: Server, clients: int, plan: list, client_timeout: float, limit: float) -> dict:
    results = []
    lock = threading.Lock()

    def one(item):
        kind, field, text = item
        started = time.perf_counter()
        status, body = server.ask(field, text, client_timeout)
        seconds = time.perf_counter() - started
        with lock:
            results.append((kind, status, seconds, body[:200]))

    server_rss_before = status_kb(server.process.pid, "VmRSS")
    sampler = MemorySampler(server)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, plan))
    elapsed = time.perf_counter() - started
    sampler.stop()
    latencies = sorted(r[2] for r in results)
    by_status: dict[str, int] = {}
    unexpected = []
    for kind, status, seconds, body in results:
        label = {200: "200", 400: "400", 403: "403", 422: "422", -1: "hung", -2: "refused"}.get(status, str(status))
        if status == 503:
            label = "503 busy" if b"busy" in body else "503 stopped"
        by_status[label] = by_status.get(label, 0) + 1
        if status not in EXPECTED[kind] and not (status == 503 and b"busy" in body):
            unexpected.append((kind, status, body.decode("utf-8", "replace")))

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))] * 1000

    return {
        "clients": clients, "requests": len(results), "seconds": elapsed, "throughput": len(results) / elapsed,
        "p50": pct(50), "p95": pct(95), "p99": pct(99), "max": latencies[-1] * 1000, "by_status": by_status,
        "unexpected": unexpected, "over_limit": sum(1 for s in latencies if s > limit),
        "server_rss_before": server_rss_before, "server_rss_after": status_kb(server.process.pid, "VmRSS"),
        "total_rss_peak": sampler.peak_total, "server_hwm": status_kb(server.process.pid, "VmHWM"),
    }


def build_seed(directory: Path) -> Path:
    source = SEED if (SEED / "annotation.yaml").is_file() else ROOT / "tests" / "data" / "articles" / "mini-wire-story"
    result = subprocess.run(kg_command("build", str(source), "--store", str(directory)), cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if result.returncode != 0:
        raise SystemExit(f"kg build failed:\n{result.stderr}")
    return directory


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a folder built by `kg build` (default: the seed article)")
    parser.add_argument("--clients", default="1,8,32", help="comma-separated numbers of concurrent clients")
    parser.add_argument("--requests", type=int, default=400, help="requests per round")
    parser.add_argument("--timeout", type=float, default=2.0, help="the server's --timeout (seconds)")
    parser.add_argument("--max-rows", type=int, default=500, help="the server's --max-rows")
    parser.add_argument("--workers", type=int, default=2, help="the server's --workers")
    parser.add_argument("--seed", type=int, default=8, help="the seed of the request mix")
    parser.add_argument("--memory-slack", type=float, default=30.0,
                        help="MB the server's VmRSS may grow from after the first round to after the last")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    # --timeout is one budget per request from its arrival (waiting for a free worker included): past it, plus a
    # second for HTTP and a busy machine, a request counts as hung.
    limit = args.timeout + 1.0
    client_timeout = limit + 30

    tmp = None
    store = args.store
    if store is None:
        tmp = Path(tempfile.mkdtemp(prefix="kg-load-"))
        store = build_seed(tmp / "out")
    server = Server(store, args.timeout, args.max_rows, args.workers)
    failures = []
    try:
        status, body = server.ask("query", COUNT_ALL, 30)
        before = json.loads(body)["results"]["bindings"][0]["n"]["value"] if status == 200 else None
        rounds = [run_round(server, c, requests_for(args.requests, args.seed), client_timeout, limit) for c in clients]
        status, body = server.ask("query", COUNT_ALL, 30)
        after = json.loads(body)["results"]["bindings"][0]["n"]["value"] if status == 200 else None
        alive = status == 200 and server.process.poll() is None
    finally:
        server.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    base = rounds[0]["throughput"]
    kinds = ["200", "400", "403", "422", "503 stopped", "503 busy", "hung"]
    other = sorted({k for r in rounds for k in r["by_status"]} - set(kinds))
    print(f"kg serve under load: {args.requests} requests per round, mix "
          + ", ".join(f"{k} {w}%" for k, w in MIX) + f"; --timeout {args.timeout:g} s, --max-rows {args.max_rows}, "
          f"--workers {args.workers}; a request counts as hung past {limit:g} s")
    header = ["clients", "req/s", "x C=1", "p50 ms", "p95 ms", "p99 ms", "max ms", *kinds, *other,
              "server MB before", "after", "peak VmHWM", "+workers peak"]
    rows = []
    for r in rounds:
        rows.append([str(r["clients"]), f"{r['throughput']:.1f}", f"{r['throughput'] / base:.2f}",
                     f"{r['p50']:.0f}", f"{r['p95']:.0f}", f"{r['p99']:.0f}", f"{r['max']:.0f}",
                     *[str(r["by_status"].get(k, 0)) for k in kinds + other],
                     f"{r['server_rss_before'] / 1024:.1f}", f"{r['server_rss_after'] / 1024:.1f}",
                     f"{r['server_hwm'] / 1024:.1f}", f"{r['total_rss_peak'] / 1024:.1f}"])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths)))

    for r in rounds:
        if r["by_status"].get("hung") or r["over_limit"]:
            failures.append(f"C={r['clients']}: {r['over_limit']} request(s) took longer than {limit:g} s")
        for kind, status, body in r["unexpected"][:3]:
            failures.append(f"C={r['clients']}: a {kind} request got {status}: {body[:120]}")
    growth = (rounds[-1]["server_rss_after"] - rounds[0]["server_rss_after"]) / 1024
    print(f"memory: the server's VmRSS went from {rounds[0]['server_rss_after'] / 1024:.1f} MB after the first round "
          f"to {rounds[-1]['server_rss_after'] / 1024:.1f} MB after the last ({growth:+.1f} MB)")
    if growth > args.memory_slack:
        failures.append(f"memory grew by {growth:.1f} MB (more than --memory-slack {args.memory_slack:g})")
    print(f"afterwards: the server {'answers' if alive else 'does NOT answer'}; triples before {before}, after {after}")
    if not alive:
        failures.append("the server no longer answers")
    if before != after:
        failures.append(f"the graph changed under refused updates: {before} -> {after} triples")
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "rounds": rounds,
                                         "memory_growth_mb": growth, "alive": alive}, indent=2, default=str))
    for failure in failures:
        print(f"FAIL: {failure}")
    print("OK" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
