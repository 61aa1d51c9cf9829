"""A small run of scripts/load.py against `kg serve` (a smoke test: the figures are printed, no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT


def test_load_script_runs_every_kind_of_request_and_the_server_survives(seed_store, tmp_path):
    figures = tmp_path / "load.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "load.py"), "--store", str(seed_store), "--clients", "1,4",
         "--requests", "40", "--timeout", "1", "--json", str(figures)],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "req/s" in result.stdout and "p99 ms" in result.stdout and result.stdout.rstrip().endswith("OK")
    data = json.loads(figures.read_text())
    assert data["alive"] is True
    for round_ in data["rounds"]:
        assert round_["requests"] == 40 and round_["over_limit"] == 0 and not round_["unexpected"]
        seen = set(round_["by_status"])
        assert {"200", "400", "403", "422"} <= seen and "hung" not in seen, seen
        assert round_["server_hwm"] > 0
