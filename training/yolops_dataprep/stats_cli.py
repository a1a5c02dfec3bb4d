"""`python -m yolops_dataprep stats <dataset dir> --json <file> [--png <file>] [--imgsz <px>]`.

Writes the dataset's statistics (stats.py) as JSON and, when asked, a PNG of them (stats_plot.py). The tool
contract of the package (__main__.py): exit 0 on success, 2 for a folder that is no usable dataset or a wrong
argument, with one line last on stderr (`yolops: <where>: <what>; <fix>`), 1 for anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from yolops_training.errors import JobFailure, ProblemList

from .stats import DEFAULT_IMGSZ, compute_stats, write_report


class UsageError(Exception):
    """A mistake in the command line or the input: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints its usage and exits; the tool contract wants one line that says what to do.
        raise UsageError(f"stats: {message}; usage: python -m yolops_dataprep stats <dataset dir> --json <file> [--png <file>]")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m yolops_dataprep stats", description=__doc__)
    parser.add_argument("dataset", type=Path, help="the dataset folder (holding data.yaml, or one folder above it)")
    parser.add_argument("--json", type=Path, required=True, help="where to write the statistics (JSON)")
    parser.add_argument("--png", type=Path, help="where to write the charts (PNG)")
    parser.add_argument("--imgsz", type=int, default=DEFAULT_IMGSZ, help="training image size for the size buckets")
    return parser


def _one_line(error: JobFailure, root: Path) -> str:
    """The dataset's failure as one line: its first problem (and how many more), then the fix."""
    if isinstance(error, ProblemList):
        first = error.problems[0] if error.problems else ""
        more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
        return " ".join(f"{root}: {error.summary}: {first}{more}; {error.fix}".split())
    text = " ".join(str(error).split())
    return text if str(root) in text else f"{root}: {text}"


def run(argv: Sequence[str]) -> None:
    args = _parser().parse_args(list(argv))
    root: Path = args.dataset
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise UsageError(f"{root}: {what}; give the dataset folder that holds data.yaml")
    if args.imgsz < 32:
        raise UsageError(f"--imgsz {args.imgsz}: too small; give the training image size in pixels, e.g. 640")
    try:
        stats = compute_stats(root, imgsz=args.imgsz)
    except JobFailure as e:
        raise UsageError(_one_line(e, root)) from e
    write_report(stats, args.json)
    if args.png is not None:
        from .stats_plot import draw_stats  # matplotlib only when a chart is asked for

        draw_stats(stats, args.png)


def main(argv: Sequence[str]) -> int:
    try:
        run(argv)
    except UsageError as e:
        print(f"yolops: {e}", file=sys.stderr, flush=True)
        return 2
    except Exception as e:  # noqa: BLE001 - the tool contract: anything unforeseen is exit 1 with one line last
        import traceback

        traceback.print_exc(file=sys.stderr)
        print(f"yolops: stats failed: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 1
    return 0
