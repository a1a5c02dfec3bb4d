"""Collect hyperparameters the ways SageMaker hands them over, before any of them is checked.

- `/opt/ml/input/config/hyperparameters.json`: always written by SageMaker. Every value is a string, and
  the SageMaker Python SDK JSON-encodes them first, so a value may arrive as `"\"train.py\""` or `"2"`.
- `SM_HPS`: a JSON object set by the training toolkit of AWS's framework containers (script mode).
- the command line: script mode runs `python train.py --epochs 2 --batch_size 8`; a custom image is
  started as `docker run <image> train`, so a leading `train` argument is accepted and ignored.

Later sources win: hyperparameters.json < SM_HPS < command line. Keys starting with `sagemaker_`
(sagemaker_program, sagemaker_submit_directory, ...) belong to SageMaker and are ignored.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import JobFailure

SAGEMAKER_KEY_PREFIX = "sagemaker_"


@dataclass
class RawHyperparameters:
    """Decoded values by normalized key, and where each one came from (for error messages)."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    def put(self, key: str, value: Any, source: str) -> None:
        key = normalize_key(key)
        if key.startswith(SAGEMAKER_KEY_PREFIX):
            if key not in self.ignored:
                self.ignored.append(key)
            return
        self.values[key] = decode_value(value)
        self.sources[key] = source


def normalize_key(key: str) -> str:
    """`--batch-size` and `batch_size` name the same key; Ultralytics keys never contain dashes."""
    return key.strip().lstrip("-").replace("-", "_")


def decode_value(value: Any, depth: int = 0) -> Any:
    """Turn SageMaker's string values into Python values: '2' -> 2, '"yolo11n.pt"' -> 'yolo11n.pt', 'True' -> True.

    A JSON-quoted string is decoded once more (the SDK encodes '2' given as a string as '"2"'), at most twice.
    A string that is neither JSON nor a Python literal stays as it is ('ram', 'yolo11n.pt', 'abc').
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered in ("none", "null"):
        return None
    try:
        decoded: Any = json.loads(text)
    except ValueError:
        try:
            decoded = ast.literal_eval(text)  # Python-style values: 'True', "(0.5, 2.0)", "'ram'"
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
    if isinstance(decoded, str) and decoded != text and depth < 1:
        return decode_value(decoded, depth + 1)
    return decoded


def _read_hyperparameters_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise JobFailure(
            f"Cannot read the hyperparameters file {path}: {e}. "
            "Fix: it must be a JSON object of strings, as SageMaker writes it."
        ) from e
    if not isinstance(data, dict):
        raise JobFailure(f"The hyperparameters file {path} holds a {type(data).__name__}, not a JSON object.")
    return data


def _read_sm_hps(text: str | None) -> dict[str, Any]:
    if not text or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as e:
        raise JobFailure(
            f"The environment variable SM_HPS is not valid JSON: {e}. Fix: set it to a JSON object."
        ) from e
    if not isinstance(data, dict):
        raise JobFailure(f"The environment variable SM_HPS holds a {type(data).__name__}, not a JSON object.")
    return data


def parse_command_line(argv: Sequence[str]) -> list[tuple[str, Any]]:
    """`--key value`, `--key=value` and a bare `--flag` (true). A leading `train` (custom image) is dropped."""
    args = list(argv)
    if args and args[0] == "train":
        args = args[1:]
    pairs: list[tuple[str, Any]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or len(arg) == 2:
            raise JobFailure(
                f"Unexpected command-line argument {arg!r}. "
                "Fix: pass hyperparameters as '--key value' (e.g. --epochs 10 --imgsz 640)."
            )
        if "=" in arg:
            key, value = arg[2:].split("=", 1)
            pairs.append((key, value))
            i += 1
        elif i + 1 < len(args) and not args[i + 1].startswith("--"):
            pairs.append((arg[2:], args[i + 1]))
            i += 2
        else:
            pairs.append((arg[2:], "true"))
            i += 1
    return pairs


def collect_hyperparameters(
    hyperparameters_file: Path, env: Mapping[str, str], argv: Sequence[str]
) -> RawHyperparameters:
    """Merge the three sources (later wins) into decoded values with their origin."""
    raw = RawHyperparameters()
    for key, value in _read_hyperparameters_file(hyperparameters_file).items():
        raw.put(str(key), value, str(hyperparameters_file.name))
    for key, value in _read_sm_hps(env.get("SM_HPS")).items():
        raw.put(str(key), value, "SM_HPS")
    for key, value in parse_command_line(argv):
        raw.put(key, value, "command line")
    return raw
