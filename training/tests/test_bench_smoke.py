"""bench/gpu_throughput.py runs end to end on the CPU with its smoke settings and prints the ratio."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jobs import DURATIONS

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gpu_throughput.py"


def test_the_gpu_benchmark_smoke_run(tmp_path: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--images", "16", "--work", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = re.findall(
        r"^(ultralytics-defaults|yolops-auto)\s+(\d+)\s+(\d+)\s+(\S+)\s+cpu\s+[\d.]+\s+([\d.]+)$", result.stdout, re.M
    )
    assert [r[0] for r in rows] == ["ultralytics-defaults", "yolops-auto"]
    assert rows[0][3] == "False" and rows[1][3] == "ram"  # the auto side caches the small dataset in RAM
    assert all(float(r[4]) > 0 for r in rows)
    assert re.search(r"^ratio yolops-auto / ultralytics-defaults: \d+\.\d\dx$", result.stdout, re.M)
    assert "devices of ultralytics-defaults: cpu (0 GPUs)" in result.stdout
    assert "devices of yolops-auto: cpu (0 GPUs)" in result.stdout
    assert "[yolops-auto] device=cpu: given as the 'device' hyperparameter" in result.stdout
    DURATIONS["bench/gpu_throughput.py --smoke (16 images)"] = time.monotonic() - started
