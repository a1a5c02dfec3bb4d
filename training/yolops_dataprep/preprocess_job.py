"""The Preprocess step's job (preprocess.py): arguments, conversion, preprocess.json, exit code and exit message.

The step's contract: preprocess.json is written whatever happens; exit 0 with a valid dataset in --output, 2 when
the input (or an argument) is not usable, 1 when the converter failed; on 2 and 1 the reason goes to stderr
and to the file SageMaker shows as the processing job's ExitMessage (its first 1 KB).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from yolops_training.errors import ProblemList, reason_for, write_reason_file

from .convert import ConvertRefused, convert, result
from .label_formats import FORMAT_NAMES, LABEL_FORMATS
from .problems import problem
from .split import SplitError, parse_ratios

EXIT_INVALID = 2
EXIT_FAILED = 1


def message_file() -> Path:
    """Where a processing job's container leaves its exit message (as evaluate.py does)."""
    return Path(os.environ.get("SM_OUTPUT_DIR", "").strip() or "/opt/ml/output") / "message"


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(message)


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = _Parser(prog="preprocess.py")
    parser.add_argument("--input", type=Path, default=Path("/opt/ml/processing/input/data"))
    parser.add_argument("--format", default=LABEL_FORMATS.default_format)
    parser.add_argument("--split", default=",".join(f"{r:g}" for r in LABEL_FORMATS.default_ratios))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=Path("/opt/ml/processing/dataset"))
    parser.add_argument("--report", type=Path, default=Path("/opt/ml/processing/report"))
    return parser.parse_args(list(argv))


def write_report(report_dir: Path, outcome: dict[str, Any]) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / LABEL_FORMATS.report_file).write_text(json.dumps(outcome, indent=2) + "\n", encoding="utf-8")


def _fail(report_dir: Path | None, outcome: dict[str, Any], reason: str, code: int) -> int:
    if report_dir is not None:
        write_report(report_dir, outcome)
    print(f"yolops: {reason.splitlines()[0] if code == EXIT_INVALID else reason}", file=sys.stderr, flush=True)
    write_reason_file(message_file(), reason)
    return code


def run(argv: Sequence[str]) -> int:
    report_dir: Path | None = None
    format = "unknown"
    try:
        args = parse_arguments(argv)
        report_dir, format = args.report, args.format
        if args.format not in FORMAT_NAMES:
            raise _ArgumentError(f"--format {args.format!r} is not one of {', '.join(FORMAT_NAMES)}")
        ratios = parse_ratios(args.split)
        outcome = convert(args.format, args.input, args.output, ratios, args.seed)
    except (_ArgumentError, SplitError, ConvertRefused) as e:
        item = problem("invalid_argument", "preprocess.py", str(e))
        return _fail(report_dir, result(format, False, False, [item]), f"preprocess.py: {e}", EXIT_INVALID)
    except Exception as e:  # noqa: BLE001 - every failure ends as a report, a reason and an exit code
        traceback.print_exc(file=sys.stderr)
        item = problem("conversion_failed", str(getattr(e, "filename", "") or "preprocess.py"), f"{type(e).__name__}: {e}")
        return _fail(report_dir, result(format, False, False, [item]), reason_for(e), EXIT_FAILED)
    write_report(args.report, outcome)
    for item in outcome["problems"]:
        if item["severity"] == "warning":
            print(f"warning: {item['where']}: {item['message']}; {item['fix']}", file=sys.stderr)
    if outcome["valid"]:
        splits = ", ".join(f"{n} {s['images']} images ({s['boxes']} boxes)" for n, s in outcome["splits"].items())
        print(f"yolops: preprocess: {'converted' if outcome['converted'] else 'passed through'} {args.format}: {splits}", file=sys.stderr)
        return 0
    errors = [p for p in outcome["problems"] if p["severity"] == "error"]
    failure = ProblemList(
        f"The labelled data in {args.input} ({args.format}) is not usable",
        [f"{p['where']}: {p['message']}; {p['fix']}" for p in errors],
        "correct the export (every problem is in preprocess.json), then upload it again",
    )
    print(failure.render(), file=sys.stderr)
    reason = reason_for(failure)
    one_line = f"{len(errors)} error(s) in the {args.format} export {args.input}, the first: {failure.problems[0]}"
    write_report(args.report, outcome)
    print(f"yolops: {one_line}", file=sys.stderr, flush=True)
    write_reason_file(message_file(), reason)
    return EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> int:
    return run(sys.argv[1:] if argv is None else argv)
