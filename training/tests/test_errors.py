"""The failure reason: short, UTF-8, at most the 1024 bytes SageMaker keeps, never lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from yolops_training.errors import (
    MAX_REASON_BYTES,
    JobFailure,
    ProblemList,
    reason_for,
    run_with_reason_file,
    truncate_reason,
)


def test_truncation_keeps_whole_utf8_characters() -> None:
    text = "é" * 2000
    cut = truncate_reason(text)
    assert len(cut.encode("utf-8")) <= MAX_REASON_BYTES and cut.endswith(" [...]")
    cut.encode("utf-8").decode("utf-8")  # still valid UTF-8
    assert truncate_reason("short") == "short"


def test_a_problem_list_shows_as_many_problems_as_fit() -> None:
    error = ProblemList(
        "Bad dataset", [f"labels/train/{i:04d}.txt:1: class id 9 is not a class" for i in range(100)], "fix the ids"
    )
    reason = reason_for(error)
    assert len(reason.encode("utf-8")) <= MAX_REASON_BYTES
    assert reason.startswith("Bad dataset (100 problems):") and reason.endswith("Fix: fix the ids")
    assert "more (all of them are in the job log)" in reason


def test_an_unexpected_error_names_its_type_and_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def job() -> None:
        raise KeyError("boom")

    assert run_with_reason_file(job, tmp_path / "out" / "failure", "training") == 1
    reason = (tmp_path / "out" / "failure").read_text()
    assert reason == "Unexpected error KeyError: 'boom'. The job log has the traceback."
    err = capsys.readouterr().err
    assert "Traceback" in err and f"yolops: training failed: {reason}" in err


def test_a_job_failure_is_written_as_is(tmp_path: Path) -> None:
    def job() -> None:
        raise JobFailure("data.yaml: key 'names' is missing")

    assert run_with_reason_file(job, tmp_path / "failure", "training") == 1
    assert (tmp_path / "failure").read_text() == "data.yaml: key 'names' is missing"


def test_success_writes_nothing(tmp_path: Path) -> None:
    assert run_with_reason_file(lambda: None, tmp_path / "failure", "training") == 0
    assert not (tmp_path / "failure").exists()
