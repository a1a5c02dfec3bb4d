"""The model dir is published all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from yolops_training.errors import JobFailure
from yolops_training.model_dir import OPTIONAL_PLOTS, REQUIRED_FILES, REQUIRED_PLOTS, publish


def run_folder(root: Path, *, plots: bool = True) -> Path:
    for source in REQUIRED_FILES.values():
        (root / source).parent.mkdir(parents=True, exist_ok=True)
        (root / source).write_text(source)
    for name in (*REQUIRED_PLOTS, *OPTIONAL_PLOTS) if plots else ():
        (root / name).write_text(name)
    (root / "labels.jpg").write_text("not for the model dir")
    return root


def test_the_flat_contract_files_are_published(tmp_path: Path) -> None:
    published = publish(run_folder(tmp_path / "run"), tmp_path / "model", plots=True)
    expected = {*REQUIRED_FILES, *REQUIRED_PLOTS, *OPTIONAL_PLOTS}
    assert {p.name for p in published} == expected == {p.name for p in (tmp_path / "model").iterdir()}
    assert (tmp_path / "model" / "best.pt").read_text() == "weights/best.pt"


def test_without_plots_only_weights_and_tables(tmp_path: Path) -> None:
    publish(run_folder(tmp_path / "run", plots=False), tmp_path / "model", plots=False)
    assert {p.name for p in (tmp_path / "model").iterdir()} == set(REQUIRED_FILES)


def test_a_missing_required_file_leaves_the_model_dir_empty(tmp_path: Path) -> None:
    run = run_folder(tmp_path / "run")
    (run / "confusion_matrix.png").unlink()
    with pytest.raises(JobFailure, match=r"without confusion_matrix\.png"):
        publish(run, tmp_path / "model", plots=True)
    assert not (tmp_path / "model").exists()


def test_a_copy_that_fails_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_folder(tmp_path / "run")
    copied: list[str] = []
    real_copy = shutil.copyfile

    def failing_copy(source: Path, target: Path) -> None:
        if len(copied) == 3:
            raise OSError(28, "No space left on device")
        copied.append(str(target))
        real_copy(source, target)

    monkeypatch.setattr(shutil, "copyfile", failing_copy)
    with pytest.raises(OSError, match="No space left"):
        publish(run, tmp_path / "model", plots=True)
    assert list((tmp_path / "model").iterdir()) == []
