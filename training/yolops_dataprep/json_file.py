"""Reading an export's JSON file (COCO, Label Studio) with the problems every format reports alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .problems import problem
from .records import Problem

UNREADABLE = object()
"""What read_json_file returns when the file gave a problem (a JSON `null` is a value, so None cannot say it)."""


def read_json_file(file: Path, shown: str, problems: list[Problem]) -> Any:
    """The file's JSON value (a byte-order mark allowed), or UNREADABLE after reporting why: not UTF-8 text or
    unreadable (malformed_file), blank (empty_export), not JSON (malformed_file at its line)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(problem("malformed_file", shown, f"cannot be read as UTF-8 text ({e})"))
        return UNREADABLE
    if not text.strip():
        problems.append(problem("empty_export", shown, "is empty"))
        return UNREADABLE
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        problems.append(problem("malformed_file", f"{shown}:{e.lineno}", f"is not valid JSON: {e.msg} at column {e.colno}"))
        return UNREADABLE
