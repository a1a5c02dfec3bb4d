"""Small JSON files the job shares with later attempts and later steps (checkpoint state, mlflow_run.json)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .log import warn


def write_json_atomic(target: Path, content: dict[str, Any]) -> None:
    """Write under a temporary name, then rename: a reader (or a kill) never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, target)


def read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in path; None when the file is absent, or unreadable (said in a warning)."""
    if not path.is_file():
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        warn(f"ignoring unreadable {path}: {e}")
        return None
    if not isinstance(content, dict):
        warn(f"ignoring {path}: it holds a {type(content).__name__}, not a JSON object")
        return None
    return content
