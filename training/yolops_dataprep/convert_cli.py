"""`python -m yolops_dataprep convert --from <format> <input> <output> [--split 0.8,0.2] [--seed 0] [--result f.json]`

Everything goes to stderr (the CLI streams it): one `warning: <where>: <what>; <fix>` line per warning, then a
short summary. A refused export prints its first errors, then one last line with the error count; all of them
are in the --result file (the shape of preprocess.json, plus `output`). Exit 0 converted, 2 for a mistake in the
input or the call (one `yolops: ...` line last), 1 for anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from .convert import ConvertRefused, convert
from .label_formats import FORMAT_NAMES, LABEL_FORMATS
from .split import SplitError, parse_ratios

SHOWN_ERRORS = 5


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print the usage and exit 2 with its own text
        usage = " ".join(self.format_usage().split()).removeprefix("usage: ")
        raise _Usage(f"{message} (usage: {usage})")


def _parser() -> _Parser:
    parser = _Parser(prog="python -m yolops_dataprep convert", description="convert a labelled export into a split YOLO dataset")
    parser.add_argument("--from", dest="format", required=True, choices=FORMAT_NAMES, help="the export's format")
    parser.add_argument("input", type=Path, help="the export's folder, or its annotation file")
    parser.add_argument("output", type=Path, help="a new or empty folder for the dataset")
    default = ",".join(f"{r:g}" for r in LABEL_FORMATS.default_ratios)
    parser.add_argument("--split", default=default, help=f"train,val[,test] ratios (default {default})")
    parser.add_argument("--seed", type=int, default=0, help="same export, ratios and seed: same split (default 0)")
    parser.add_argument("--result", type=Path, help="write the full result (every problem) to this JSON file")
    return parser


def _summary(outcome: dict[str, Any], output: Path) -> str:
    splits = ", ".join(f"{name} {s['images']} images ({s['boxes']} boxes)" for name, s in outcome["splits"].items())
    verb = "converted" if outcome["converted"] else "checked and copied"
    return (
        f"{verb} {outcome['format']} into {output}: {splits}; {len(outcome['classes'])} classes "
        f"({', '.join(outcome['classes'])}); {outcome['warnings']} warning(s)"
    )


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        ratios = parse_ratios(args.split)
        outcome = convert(args.format, args.input, args.output, ratios, args.seed)
    except (_Usage, SplitError, ConvertRefused) as e:
        print(f"yolops: {e}", file=sys.stderr)
        return 2
    if args.result is not None:
        args.result.parent.mkdir(parents=True, exist_ok=True)
        args.result.write_text(json.dumps({**outcome, "output": str(args.output)}, indent=2) + "\n", encoding="utf-8")
    problems = outcome["problems"]
    for item in problems:
        if item["severity"] == "warning":
            print(f"warning: {item['where']}: {item['message']}; {item['fix']}", file=sys.stderr)
    if outcome["valid"]:
        print(_summary(outcome, args.output), file=sys.stderr)
        return 0
    errors = [p for p in problems if p["severity"] == "error"]
    if len(errors) > 1:
        for item in errors[:SHOWN_ERRORS]:
            print(f"error: {item['where']}: {item['message']}; {item['fix']}", file=sys.stderr)
    full = f"all of them are in {args.result}" if args.result else "--result <file.json> lists all of them"
    first = errors[0]
    count = f"{len(errors)} errors ({full}), the first: " if len(errors) > 1 else ""
    print(f"yolops: {count}{first['where']}: {first['message']}; {first['fix']}; nothing was written", file=sys.stderr)
    return 2
