"""The job's own log lines: `yolops: ...` on stdout, `yolops WARNING: ...` on stderr (CloudWatch gets both)."""

from __future__ import annotations

import sys


def info(message: str) -> None:
    print(f"yolops: {message}", flush=True)


def warn(message: str) -> None:
    print(f"yolops WARNING: {message}", file=sys.stderr, flush=True)
