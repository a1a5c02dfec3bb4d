"""Problem codes that only labelling-tool exports give (Ground Truth manifests, Label Studio exports), beside the
shared table of problems.py: several label sets on one image, rotated rectangles, a model's predictions.

`problem()` here knows these codes and every code of problems.CODES, so a reader calls one function whatever the
code; the severity and fix come from the table unless the reader has a more precise fix.
"""

from __future__ import annotations

from . import problems
from .problems import ProblemCode
from .records import Problem, Severity

FORMAT_CODES: dict[str, ProblemCode] = {
    "several_labels": ProblemCode(
        "warning",
        "the latest labels were used; delete the others in the labelling tool, or leave it if the later one corrects the earlier",
    ),
    "rotated_box": ProblemCode(
        "warning", "YOLO boxes cannot turn: the box around the rotated rectangle was used; draw it unrotated if that is too wide"
    ),
    "predictions_ignored": ProblemCode(
        "warning", "predictions are a model's guesses, not labels: accept or correct them in the labelling tool to train on them"
    ),
}


def problem(code: str, where: str, message: str, *, fix: str | None = None, severity: Severity | None = None) -> Problem:
    entry = FORMAT_CODES.get(code)
    if entry is None:
        return problems.problem(code, where, message, fix=fix, severity=severity)
    return Problem(severity=severity or entry.severity, code=code, where=where, message=message, fix=fix or entry.fix)


def code_entry(code: str) -> ProblemCode:
    """The table entry of any code a reader may give (KeyError for an unknown one)."""
    return FORMAT_CODES.get(code) or problems.CODES[code]
