"""`python -m yolops_dataprep <tool> [args]`: the tools the CLI runs in the project's Python (src/cli/python-module.ts).

Each tool is a module `<tool>_cli.py` with `main(argv) -> int`: 0 on success, 2 for a mistake in the input with
one readable line last on stderr (`yolops: <where>: <what>; <fix>`), 1 for anything else.
"""

from __future__ import annotations

import importlib
import sys

TOOLS = {"convert": "convert_cli", "stats": "stats_cli"}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TOOLS:
        print(f"yolops: usage: python -m yolops_dataprep {{{'|'.join(TOOLS)}}} [args]", file=sys.stderr)
        return 2
    module = importlib.import_module(f"{__package__}.{TOOLS[argv[0]]}")
    return int(module.main(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
