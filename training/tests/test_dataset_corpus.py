"""The shared dataset corpus (test/corpus/dataset/<case>/), run by the training job's checks.

The TypeScript validator runs the same cases (test/unit/core/dataset/corpus.test.ts). The job stops on errors
only, so it expects each case's errors of the codes the contract says it checks, minus those marked `only` for
the other side; where that is fewer than the case lists, the case's `differences.python` says why. Lines are
compared for problems on a label line; the job does not track the line of a data.yaml key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yolops_training.dataset_checks import check_dataset
from yolops_training.dataset_contract import CONTRACT, DatasetProblem
from yolops_training.dataset_layout import read_layout
from yolops_training.errors import JobFailure

CORPUS = Path(__file__).resolve().parents[2] / "test" / "corpus" / "dataset"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def expected_of(case: str) -> dict:
    return json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))


def job_problems(root: Path) -> list[DatasetProblem]:
    """What the training job reports: the layout's problems, else the files' (the job stops at the first stage)."""
    try:
        check_dataset(read_layout(root, ("train", "val")))
    except JobFailure as failure:
        problems = getattr(failure, "problems", None)
        assert problems is not None, f"a failure without coded problems: {failure}"
        return problems
    return []


def key(code: str, file: str, line: int | None) -> tuple[str, str, int]:
    return (code, file, line if CONTRACT.problems[code].scope == "line" and line is not None else 0)


def test_the_corpus_covers_every_code_the_job_checks() -> None:
    covered = {p["code"] for case in CASES for p in expected_of(case)["problems"] if p.get("only") != "typescript"}
    checked = {code for code, entry in CONTRACT.problems.items() if "python" in entry.checked_by}
    assert sorted(checked - covered) == []


@pytest.mark.parametrize("case", CASES)
def test_case(case: str) -> None:
    expected = expected_of(case)
    mine = [
        p
        for p in expected["problems"]
        if p.get("only") != "typescript"
        and p["severity"] == "error"
        and "python" in CONTRACT.problems[p["code"]].checked_by
    ]
    if len(mine) < len(expected["problems"]):
        assert expected.get("differences", {}).get("python"), "expected.json must say why the job sees less"
    found = job_problems(CORPUS / case / "dataset")
    assert all(isinstance(p, DatasetProblem) for p in found), found
    assert sorted(key(p.code, p.file, p.line) for p in found) == sorted(
        key(p["code"], p["file"], p.get("line")) for p in mine
    ), [str(p) for p in found]
    assert all(p.severity == "error" for p in found)
