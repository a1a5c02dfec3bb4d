"""Failures that end a job, and the short reason SageMaker shows for them.

SageMaker reads the first 1024 bytes of a file the container writes on failure: `/opt/ml/output/failure`
for training jobs (shown as FailureReason) and `/opt/ml/output/message` for processing jobs (shown as
ExitMessage). The reason must say what failed, where (file, line or key) and how to fix it, because that
short text is often all a user sees in the console or in a pipeline notification.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

# SageMaker keeps the first 1 KB of the failure file (FailureReason / ExitMessage are at most 1024 chars).
MAX_REASON_BYTES = 1024


class JobFailure(Exception):
    """A failure the user can act on: its message is the human reason written to the failure file."""


class ProblemList(JobFailure):
    """Several problems found by one check (all of them, not only the first), e.g. a dataset's bad label lines."""

    def __init__(self, summary: str, problems: Sequence[str], fix: str) -> None:
        self.summary = summary
        self.problems = list(problems)
        self.fix = fix
        super().__init__(self.render())

    def render(self, limit: int | None = None) -> str:
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [f"{self.summary} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"- {p}" for p in shown]
        if len(shown) < len(self.problems):
            lines.append(f"- ... and {len(self.problems) - len(shown)} more (all of them are in the job log)")
        lines.append(f"Fix: {self.fix}")
        return "\n".join(lines)


def truncate_reason(reason: str, max_bytes: int = MAX_REASON_BYTES) -> str:
    """Cut a reason to at most max_bytes of UTF-8 without splitting a character, marking the cut."""
    data = reason.encode("utf-8")
    if len(data) <= max_bytes:
        return reason
    marker = " [...]"
    cut = data[: max_bytes - len(marker.encode("utf-8"))]
    return cut.decode("utf-8", errors="ignore") + marker


def reason_for(error: BaseException) -> str:
    """The short reason for the failure file: the whole list when it fits, else the first problems only."""
    if isinstance(error, ProblemList):
        for limit in (None, 8, 4, 2, 1):
            text = error.render(limit)
            if len(text.encode("utf-8")) <= MAX_REASON_BYTES:
                return text
        return truncate_reason(error.render(1))
    if isinstance(error, JobFailure):
        return truncate_reason(str(error))
    # An error we did not foresee: name its type and message; the traceback goes to the log.
    return truncate_reason(f"Unexpected error {type(error).__name__}: {error}. The job log has the traceback.")


def write_reason_file(path: Path, reason: str) -> None:
    """Write the reason where SageMaker reads it; a failure to write is reported, never hidden."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(truncate_reason(reason), encoding="utf-8")
    except OSError as e:
        print(f"yolops: could not write the failure reason to {path}: {e}", file=sys.stderr, flush=True)


def run_with_reason_file(job: Callable[[], None], reason_file: Path, what: str) -> int:
    """Run a job; on any error print the reason to stderr, write it to reason_file and return exit code 1."""
    try:
        job()
        return 0
    except Exception as error:  # noqa: BLE001 - the entrypoint is where every failure becomes a reason + exit 1
        if not isinstance(error, JobFailure):
            traceback.print_exc(file=sys.stderr)
        reason = reason_for(error)
        if isinstance(error, ProblemList) and len(error.problems) > 0:
            print(error.render(), file=sys.stderr, flush=True)  # the full list, the file gets what fits
        print(f"yolops: {what} failed: {reason}", file=sys.stderr, flush=True)
        write_reason_file(reason_file, reason)
        return 1
