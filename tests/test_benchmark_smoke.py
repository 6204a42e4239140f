"""The benchmark entry point still runs: its fast cases on a tiny case, with real subprocesses.

The full benchmark (LibreOffice builds, screenshots, a 1M-line import) is run by hand; this only
keeps benchmarks/bench.py from rotting as the code it measures changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_and_writes_json(tmp_path):
    report = tmp_path / "bench.json"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--only", "startup", "load",
         "--incidents", "30", "--repeat", "1", "--json", str(report)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    results = json.loads(report.read_text(encoding="utf-8"))["results"]
    assert [r["case"] for r in results] == ["startup", "startup", "load"]
    for result in results:
        assert result["figure"] > 0
        assert result["target"]
    assert results[-1]["what"] == "load_case at 30 incidents (CPU)"
