"""Each bad input fails the training job before training: exit 1, a short reason naming the file, line or key
and the fix in ${SM_OUTPUT_DIR}/failure, and nothing written to the model dir or the checkpoint dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from jobs import Job, run_train_in_process
from synthetic_dataset import make_dataset

from yolops_training.errors import MAX_REASON_BYTES

ARGS = ["--epochs", "1", "--imgsz", "32", "--batch_size", "4", "--model", "yolo11n.yaml"]


def fails(job: Job, monkeypatch: pytest.MonkeyPatch, args: list[str] = ARGS) -> str:
    assert run_train_in_process(job, args, monkeypatch) == 1
    reason = job.failure_file.read_text(encoding="utf-8")
    assert len(reason.encode("utf-8")) <= MAX_REASON_BYTES
    assert not job.model_dir.exists() or not any(job.model_dir.iterdir()), "no partial model dir"
    assert not job.checkpoint_dir.exists() or not any(job.checkpoint_dir.iterdir())
    return reason


def dataset(job: Job, **kwargs: object) -> Path:
    make_dataset(job.channel, train=4, val=2, size=32, **kwargs)  # type: ignore[arg-type]
    return job.channel


def test_no_data_yaml(job: Job, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (dataset(job) / "data.yaml").unlink()
    reason = fails(job, monkeypatch)
    assert reason.startswith(f"No data.yaml in the dataset folder {job.channel}")
    assert "Fix:" in reason
    assert reason in capsys.readouterr().err  # also printed to stderr


def test_data_yaml_without_names(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset(job, yaml_text="train: images/train\nval: images/val\n")
    reason = fails(job, monkeypatch)
    assert "data.yaml: key 'names' is missing; add the class names" in reason


def test_a_split_path_that_does_not_exist(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset(job, yaml_text="train: images/train\nval: images/validation\nnames: [square, disc]\n")
    reason = fails(job, monkeypatch)
    assert "data.yaml: 'val: images/validation' names no folder in the dataset" in reason
    assert "make it a path relative to data.yaml that exists" in reason


def test_an_empty_train_split(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    make_dataset(job.channel, train=0, val=2, size=32)
    assert "split 'train' (images/train) has no images" in fails(job, monkeypatch)


def test_a_label_file_with_no_image(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    (dataset(job) / "labels" / "train" / "lost.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    reason = fails(job, monkeypatch)
    assert "labels/train/lost.txt: label file with no image" in reason and "add the image or delete the label" in reason


def test_a_class_id_beyond_the_names(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    (dataset(job) / "labels" / "val" / "val_001.txt").write_text("0 0.5 0.5 0.1 0.1\n2 0.5 0.5 0.1 0.1\n")
    assert "labels/val/val_001.txt:2: class id 2 is not a class of data.yaml (ids 0..1)" in fails(job, monkeypatch)


def test_a_coordinate_outside_0_1(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    (dataset(job) / "labels" / "train" / "train_002.txt").write_text("1 -0.2 0.5 0.1 0.1\n")
    assert "labels/train/train_002.txt:1: coordinate(s) -0.2 outside 0..1" in fails(job, monkeypatch)


def test_a_line_with_the_wrong_number_of_fields(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    (dataset(job) / "labels" / "train" / "train_003.txt").write_text("0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1 0.9\n")
    assert "labels/train/train_003.txt:2: 6 values, expected 5" in fails(job, monkeypatch)


def test_a_corrupt_image(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    (dataset(job) / "images" / "val" / "val_000.jpg").write_bytes(b"\xff\xd8 truncated")
    assert "images/val/val_000.jpg: cannot be read as an image" in fails(job, monkeypatch)


def test_an_unknown_hyperparameter(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset(job)
    reason = fails(job, monkeypatch, [*ARGS, "--learning_rate", "0.1"])
    assert "hyperparameter 'learning_rate' = 0.1 (from command line) is not an Ultralytics train argument" in reason
    assert "allowed are batch_size and the Ultralytics train settings" in reason


def test_epochs_zero(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    dataset(job)
    reason = fails(job, monkeypatch, ["--epochs", "0", *ARGS[2:]])
    assert "hyperparameter 'epochs' = 0 (from command line) must be a whole number >= 1" in reason


def test_every_problem_is_reported_not_only_the_first(job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    root = dataset(job)
    (root / "labels" / "train" / "train_000.txt").write_text("7 0.5 0.5 0.1 0.1\n")
    (root / "labels" / "train" / "train_001.txt").write_text("0 0.5 0.5 0.1\n")
    (root / "images" / "train" / "train_002.jpg").write_bytes(b"garbage")
    reason = fails(job, monkeypatch, [*ARGS, "--imgsz", "abc"])
    assert "(4 problems)" in reason
    for part in (
        "'imgsz' = 'abc'",
        "train_000.txt:1: class id 7",
        "train_001.txt:1: 4 values",
        "train_002.jpg: cannot be read",
    ):
        assert part in reason


def test_a_long_list_is_cut_to_what_sagemaker_keeps(
    job: Job, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = dataset(job)
    (root / "labels" / "train" / "train_000.txt").write_text("9 0.5 0.5 0.1 0.1\n" * 60)
    reason = fails(job, monkeypatch)
    assert "(60 problems)" in reason and "more (all of them are in the job log)" in reason
    assert "train_000.txt:60:" in capsys.readouterr().err  # the whole list is in the log
